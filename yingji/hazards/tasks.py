"""The overdue sweep: open hazards past their deadline are flagged once and their people told."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.hazards.models import Hazard, HazardStatus
from yingji.hazards.services import hazard_flag_overdue

BATCH = 500


def due_hazards():
    return Hazard._base_manager.filter(
        Q(deadline__lt=timezone.localdate()), overdue_since__isnull=True
    ).exclude(status=HazardStatus.CLOSED).order_by("deadline", "pk")


@sweeper
def flag_overdue_hazards() -> int:
    """Flag up to BATCH overdue hazards; several workers split the rows (SKIP LOCKED) instead of repeating them."""
    with transaction.atomic():
        due = list(lock_due_rows(due_hazards())[:BATCH])
        return sum(1 for hazard in due if hazard_flag_overdue(hazard=hazard, actor=None))
