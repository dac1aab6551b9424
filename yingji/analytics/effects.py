"""The analytics app's outbox handlers (`yingji.core.outbox`)."""

from yingji.analytics.tasks import build_monthly_report
from yingji.core import outbox
from yingji.core.models import OutboxMessage


@outbox.handler("analytics.build_report", atomic=False)
def queue_report_build(message: OutboxMessage) -> None:
    """Hand a queued report to a Celery worker. At least once: a second build finds the report started and stops
    (`monthly_report_build`); if the broker stays down, the sweep builds it (`tasks.build_queued_reports`)."""
    build_monthly_report.delay(message.payload["report"])
