"""Load the fictional demo city. Deterministic and idempotent: a second run changes nothing.

Each app may have a `demo.py` with `seed(context: dict) -> None`; they run in
INSTALLED_APPS order and share `context` (regions, organizations, ... by key).
"""

import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_SEED = 20260101


class Command(BaseCommand):
    help = "载入演示城市数据（虚构、可重复执行）"

    def handle(self, *args, **options):
        context: dict = {"random": random.Random(DEMO_SEED), "log": self.stdout.write}
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("yingji."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))
