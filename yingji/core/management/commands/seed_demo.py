"""Load the fictional demo city. Deterministic and idempotent: a second run changes nothing.

Each app may have a `demo.py` with `seed(context: dict) -> None`; they run in
INSTALLED_APPS order and share `context` (regions, organizations, ... by key);
`context["random"]` is the app's own seeded stream.

`--startup` is what `make run` calls on every start: it loads the demo into an empty database once (when
YINGJI_DEMO is on), never again once people use the platform, and never stops the start. Whatever goes wrong is
logged and printed, the transaction is rolled back, and the server starts all the same.
"""

import logging
import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from yingji.core import bureau as bureau_module
from yingji.core import demo as core_demo
from yingji.core.discovery import app_modules
from yingji.core.models import Region, User

DEMO_SEED = 20260101
logger = logging.getLogger("yingji.startup")


class Command(BaseCommand):
    help = "载入演示城市数据（虚构、可重复执行）；--startup：启动时只向空数据库载入一次，出错也不阻止启动"

    def add_arguments(self, parser):
        parser.add_argument("--startup", action="store_true",
                            help="启动时调用：空数据库载入一次演示数据，已有数据则不动；任何问题只报告不中断")

    def handle(self, *args, startup: bool = False, **options):
        if startup:
            self.seed_on_start()
            return
        self.seed()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))

    def seed(self) -> None:
        context: dict = {"log": self.stdout.write}
        with transaction.atomic():
            for config, module in app_modules("demo"):
                # A stream per app: how much one app draws (which may differ between a first and a second run)
                # never shifts what the apps after it draw.
                context["random"] = random.Random(f"{DEMO_SEED}:{config.label}")
                module.seed(context)
            bureau_module.bureau_mark_demo(name=core_demo.BUREAU, root_code=core_demo.CITY_CODE)

    def seed_on_start(self) -> None:
        """Never raises: a start must not fail because of demo data."""
        try:
            self._seed_on_start()
        except Exception as exc:
            logger.exception("startup seeding failed")
            self.stderr.write(f"演示数据载入失败，已全部撤回，平台照常启动：{exc}")

    def _seed_on_start(self) -> None:
        out = self.stdout.write
        bureau = bureau_module.current_bureau()
        if not settings.DEMO_ENABLED:
            out("演示数据未启用（YINGJI_DEMO=0）。")
            if bureau is None:
                out("尚未配置本局信息：启动后按提示打开一次性设置链接，或运行 manage.py setup_link。")
            return
        if bureau is not None and bureau.demo_loaded_at is not None:
            out(f"演示数据已于 {bureau.demo_loaded_at:%Y-%m-%d} 载入，本次启动不再重复载入。")
            return
        if bureau is not None:
            out(f"已配置本局（{bureau.name}），不载入演示数据。")
            return
        if Region.objects.exists() or User.objects.exists():
            # A database in use from before the demo was marked as loaded: its records are people's now.
            if Region.objects.filter(code=core_demo.CITY_CODE).exists():
                bureau_module.bureau_mark_demo(name=core_demo.BUREAU, root_code=core_demo.CITY_CODE)
            out("数据库中已有数据，不再载入演示数据。")
            return
        self.seed()
        out(self.style.SUCCESS("演示数据已载入（仅此一次）。"))
