"""The project's settings plus the test handlers' app, for `manage.py run_outbox` started by the outbox tests."""

from yingji.settings import *  # noqa: F403
from yingji.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "yingji.core.tests.outbox_app"]
