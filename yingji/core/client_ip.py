"""The one answer to "which address is this client?", for every lockout, throttle and rate limit.

`X-Forwarded-For` is a list anyone can start: a client sends `X-Forwarded-For: 1.2.3.4` and each proxy on the way
appends the address it saw. Only the entries appended by proxies we run can be believed. With
`TRUSTED_PROXY_COUNT = 0` (the default: the embedded server, or uvicorn with `--proxy-headers` which already puts
the client into `REMOTE_ADDR`) the header is ignored. With N trusted proxies in front, the address the outermost
of them appended is the N-th entry from the right; everything left of it came from the client and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip(request: HttpRequest) -> str:
    """The client's address: `REMOTE_ADDR`, or the trusted proxy's hop of `X-Forwarded-For` when configured.

    A header with fewer entries than there are trusted proxies did not pass through all of them (a request that
    reached the server directly), so it is ignored rather than read from the left.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = trusted_proxy_count()
    if count == 0:
        return remote
    forwarded = [item for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote
