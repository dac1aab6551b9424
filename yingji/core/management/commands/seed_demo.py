"""Load the fictional demo city. Deterministic and idempotent: a second run changes nothing.

Each app may have a `demo.py` with `seed(context: dict) -> None`; they run in
INSTALLED_APPS order and share `context` (regions, organizations, ... by key).
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from yingji.core.discovery import app_modules

DEMO_SEED = 20260101


class Command(BaseCommand):
    help = "载入演示城市数据（虚构、可重复执行）"

    def handle(self, *args, **options):
        context: dict = {"random": random.Random(DEMO_SEED), "log": self.stdout.write}
        with transaction.atomic():
            for _config, module in app_modules("demo"):
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))
