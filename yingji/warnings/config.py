"""Settings of the warnings app: Django settings first, then the environment, then the default.

The project's settings.py does not declare these yet, so an operator can set them as environment variables.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "WARNING_SMS_GATEWAY_URL": "",
    "WARNING_VOICE_GATEWAY_URL": "",
    "WARNING_BROADCAST_URL": "",
    "WARNING_GATEWAY_TOKEN": "",
    "WARNING_GATEWAY_TIMEOUT": "10",
    "WARNING_CALLBACK_BASE_URL": "http://127.0.0.1:8000",
    "WARNING_DEPARTMENT_CODE": "000",
    "WARNING_SENDER_NAME": "",
    # SMS replies accepted from one phone number per window (seconds); more are refused, so nobody can try
    # reply codes one after another.
    "WARNING_REPLY_LIMIT": "10",
    "WARNING_REPLY_WINDOW": "3600",
}


def config(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, DEFAULTS[name])
    return str(value)


def embedded_gateway_token() -> str:
    """The gateway token of the embedded mode (`make run`): made once, kept in var/ like the embedded SECRET_KEY,
    readable by this user only. `run_embedded` hands it to the web server, the worker and the gateway simulator;
    a deployment sets WARNING_GATEWAY_TOKEN itself (`check --deploy` fails without one)."""
    path = Path(settings.VAR_DIR) / "warning_gateway_token"
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token)
    return token
