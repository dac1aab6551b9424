"""The report-deadline sweep: an incident whose next report is late is flagged once, notified and escalated."""

from django.db import transaction
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.incidents.models import Incident
from yingji.incidents.services import incident_flag_overdue

BATCH = 500


@sweeper
def flag_overdue_reports() -> int:
    """Flag up to BATCH incidents past their report deadline; workers split the rows with SKIP LOCKED."""
    with transaction.atomic():
        due = list(lock_due_rows(Incident._base_manager.filter(
            next_report_due__lt=timezone.now(), overdue_since__isnull=True, closed=False).order_by("next_report_due",
                                                                                                  "pk"))[:BATCH])
        return sum(1 for incident in due if incident_flag_overdue(incident=incident))
