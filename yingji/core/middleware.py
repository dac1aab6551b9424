"""Turn a database that is busy for longer than the lock timeout into a clear 503 instead of a bare 500; send
someone who must first choose their own password to the page where they do."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure. All mean "try again".
RETRYABLE_SQLSTATES = {"55P03", "40P01", "40001"}
RETRY_AFTER_SECONDS = 5


def is_database_busy(exc: BaseException) -> bool:
    """True for a write that gave up waiting for another transaction's lock (SQLite or PostgreSQL)."""
    if not isinstance(exc, OperationalError):
        return False
    if "database is locked" in str(exc) or "database table is locked" in str(exc):
        return True
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES or getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES


class DatabaseBusyMiddleware:
    """SQLite has one write lock for the whole database; a writer waits for it up to the busy timeout
    (settings: `timeout`, `PRAGMA busy_timeout`). Should it still not get it, the user is told to retry
    (503 with Retry-After) rather than shown a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        message = _("系统繁忙，请稍后重试")
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse({"detail": message}, status=503,
                                                     json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(message)}</title>'
                f"<p>{escape(message)}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class OwnPasswordMiddleware:
    """Someone an import gave an initial password goes to the page where they choose their own, whatever they ask
    for, until they have (logging out and static files aside)."""

    ALLOWED = ("/password/set/", "/logout/", "/static/", "/bureau/emblem/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "must_set_password", False)
                and not request.path.startswith(self.ALLOWED)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先登录网页设置本人密码")}, status=403,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseRedirect(reverse("core:own_password"))
        return self.get_response(request)
