"""System checks of the warnings app (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from yingji.warnings.config import config

# token_urlsafe(32) is 43 characters; anything much shorter can be guessed or was typed by hand.
MIN_GATEWAY_TOKEN_LENGTH = 24


@checks.register(checks.Tags.security, deploy=True)
def gateway_token_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without a shared token the gateway callback refuses everything: no reply, key press or delivery report
    would ever be recorded. A deployment must set one (the embedded mode makes its own, see run_embedded)."""
    token = config("WARNING_GATEWAY_TOKEN")
    if not token:
        return [checks.Error(
            "WARNING_GATEWAY_TOKEN is not set: the SMS/voice gateway callback (/warnings/gateway/) refuses every "
            "caller, so no reply, voice key or delivery report can be recorded.",
            hint="Set WARNING_GATEWAY_TOKEN to a long random secret shared with the gateway, e.g. "
                 "python -c \"import secrets; print(secrets.token_urlsafe(32))\".",
            id="warnings.E001")]
    if len(token) < MIN_GATEWAY_TOKEN_LENGTH:
        return [checks.Warning(
            f"WARNING_GATEWAY_TOKEN is shorter than {MIN_GATEWAY_TOKEN_LENGTH} characters.",
            hint="Use a random secret of at least 32 characters (secrets.token_urlsafe(32)).",
            id="warnings.W002")]
    return []
