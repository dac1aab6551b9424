"""The time-limit sweep: attempts past their deadline are handed in with the answers saved before it."""

from django.db import transaction
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.training.models import Attempt, AttemptStatus
from yingji.training.services import GRACE, attempt_time_out

BATCH = 500


def due_attempts():
    return Attempt._base_manager.filter(
        status=AttemptStatus.IN_PROGRESS, deadline_at__lt=timezone.now() - GRACE).order_by("deadline_at", "pk")


@sweeper
def time_out_attempts() -> int:
    """Hand in up to BATCH attempts whose time is up; several workers split them (SKIP LOCKED)."""
    with transaction.atomic():
        due = list(lock_due_rows(due_attempts())[:BATCH])
        return sum(1 for attempt in due if attempt_time_out(attempt=attempt) is not None)
