"""Load the fictional demo city. Deterministic and idempotent: a second run changes nothing.

Each app may have a `demo.py` with `seed(context: dict) -> None`; they run in
INSTALLED_APPS order and share `context` (regions, organizations, ... by key);
`context["random"]` is the app's own seeded stream.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from yingji.core.discovery import app_modules

DEMO_SEED = 20260101


class Command(BaseCommand):
    help = "载入演示城市数据（虚构、可重复执行）"

    def handle(self, *args, **options):
        context: dict = {"log": self.stdout.write}
        with transaction.atomic():
            for config, module in app_modules("demo"):
                # A stream per app: how much one app draws (which may differ between a first and a second run)
                # never shifts what the apps after it draw.
                context["random"] = random.Random(f"{DEMO_SEED}:{config.label}")
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))
