"""JSON for the map picker: the place search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from yingji.core.places import place_search

MAX_TERM = 50


@login_required
@require_GET
def places_search(request):
    """`?q=` → {"results": [{"name", "kind", "lon", "lat", "region"}]}, only places the user may read."""
    return JsonResponse({"results": place_search(request.user, request.GET.get("q", "").replace("\x00", "")[:MAX_TERM])})
