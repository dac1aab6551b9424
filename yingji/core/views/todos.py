"""The header's to-do count on every page, and the live stream that tells a page to reload it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yingji.core import live
from yingji.core.todos import todo_count, todos_for_request
from yingji.core.workflow import TODO_TOPIC


@login_required
def todo_badge(request):
    """The count of what awaits the user, as the header shows it (htmx loads it after the page, and again on
    every `core.todo` event of the user's jurisdiction)."""
    return render(request, "core/includes/todo_badge.html", {"todo_total": todo_count(todos_for_request(request))})


@login_required
def todo_stream(request):
    """Server-sent `core.todo` events of the user's jurisdiction: ids and places only (yingji.core.live)."""
    return live.event_stream(request, [TODO_TOPIC])
