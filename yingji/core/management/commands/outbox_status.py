"""What the outbox holds: messages per handler and status, and the failed ones with their last error.

`--retry ID ...` or `--retry-failed` gives failed messages a new round of attempts once their cause is fixed.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from yingji.core import outbox
from yingji.core.models import OutboxMessage, OutboxStatus


class Command(BaseCommand):
    help = "查看待办副作用的处理情况，列出失败的消息，可重新排队"

    def add_arguments(self, parser):
        parser.add_argument("--retry", type=int, nargs="+", metavar="ID", help="将这些失败的消息重新排队")
        parser.add_argument("--retry-failed", action="store_true", help="将全部失败的消息重新排队")
        parser.add_argument("--limit", type=int, default=50, help="最多列出多少条失败的消息")

    def handle(self, *args, retry: list[int] | None, retry_failed: bool, limit: int, **options):
        if retry or retry_failed:
            count = outbox.retry(retry if retry else None)
            self.stdout.write(self.style.SUCCESS(f"已重新排队 {count} 条失败的消息"))
        rows = outbox.summary()
        labels = dict(OutboxStatus.choices)
        self.stdout.write(f"{'处理程序':<34}{'状态':<8}{'条数':>8}  最早写入")
        for row in rows:
            oldest = timezone.localtime(row["oldest"]).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{row['name']:<36}{labels.get(row['status'], row['status']):<8}{row['count']:>8}  {oldest}")
        if not rows:
            self.stdout.write("（无消息）")
        now = timezone.now()
        retrying = (OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__gt=now)
                    .exclude(last_error="").count())
        if retrying:
            self.stdout.write(f"等待重试：{retrying} 条")
        failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).order_by("-pk")[:limit]
        for message in failed:
            self.stdout.write(self.style.ERROR(
                f"失败 #{message.pk} {message.name} 尝试 {message.attempts} 次，"
                f"写入于 {timezone.localtime(message.created_at):%Y-%m-%d %H:%M}：{message.last_error.splitlines()[0][:300] if message.last_error else ''}"))
            self.stdout.write(f"    内容：{message.payload}")
        if failed:
            self.stdout.write("修复原因后用 outbox_status --retry <ID> 或 --retry-failed 重新排队。")
