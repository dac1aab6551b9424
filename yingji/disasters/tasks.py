"""The overdue sweep of disaster reports: a duty past its deadline is flagged once and its people told."""

from django.db import transaction
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.disasters.models import ReportDuty
from yingji.disasters.services import duty_flag_overdue

BATCH = 500


def due_duties():
    return ReportDuty.objects.filter(due_at__lt=timezone.now(), fulfilled_at__isnull=True, cancelled=False,
                                     overdue_since__isnull=True).order_by("due_at", "pk")


@sweeper
def flag_overdue_disaster_reports() -> int:
    """Flag up to BATCH overdue report duties; several workers split the rows (SKIP LOCKED)."""
    with transaction.atomic():
        due = list(lock_due_rows(due_duties())[:BATCH])
        return sum(1 for duty in due if duty_flag_overdue(duty=duty))
