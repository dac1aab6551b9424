import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

from yingji import filesystem_broker

# The embedded broker writes its message files atomically (see yingji/filesystem_broker.py).
TRANSPORT_ALIASES[filesystem_broker.ALIAS] = filesystem_broker.CLASS_PATH

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

app = Celery("yingji")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
