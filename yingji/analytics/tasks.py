"""Background work: building reports (Celery), and the sweepers that keep the roll-up and the reports going."""

import datetime

from celery import shared_task
from django.utils import timezone

from yingji.analytics import rollups, services
from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.core.tasks import sweeper

# A queued report a worker has not started after this long is built by the sweep instead.
SWEEP_AFTER = datetime.timedelta(minutes=2)


@shared_task(name="yingji.analytics.tasks.build_monthly_report")
def build_monthly_report(report_id: int) -> None:
    services.monthly_report_build(report_id=report_id)


@sweeper
def refresh_all_tallies() -> int:
    """Recompute the cockpit's roll-up from the source tables (repairs bulk loads and missed hooks)."""
    return rollups.refresh_tallies()


@sweeper
def schedule_monthly_reports() -> int:
    return services.schedule_monthly_reports()


@sweeper
def build_queued_reports() -> int:
    """Build the oldest report no worker has picked up (one per sweep; the start transition locks it)."""
    waiting = (MonthlyReport._base_manager.filter(status=ReportStatus.QUEUED,
                                                   requested_at__lt=timezone.now() - SWEEP_AFTER)
               .order_by("requested_at").values_list("pk", flat=True).first())
    if waiting is None:
        return 0
    return 1 if services.monthly_report_build(report_id=waiting) else 0
