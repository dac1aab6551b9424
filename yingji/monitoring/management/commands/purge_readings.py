"""`manage.py purge_readings --days N`: delete telemetry history older than N days (latest values are kept)."""

from django.core.management.base import BaseCommand

from yingji.monitoring.services import readings_purge


class Command(BaseCommand):
    help = "删除超过保留期限的历史监测数据"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180, help="保留天数（默认180天）")

    def handle(self, *args, days: int, **options):
        deleted = readings_purge(older_than_days=days)
        self.stdout.write(f"已删除 {deleted} 条 {days} 天前的监测数据")
