"""Settings of the warnings app: Django settings first, then the environment, then the default.

The project's settings.py does not declare these yet, so an operator can set them as environment variables.
"""

import os

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
}


def config(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, DEFAULTS[name])
    return str(value)
