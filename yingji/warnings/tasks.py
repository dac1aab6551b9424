"""Deadlines of warnings, processed by the periodic sweep (yingji.core.tasks.sweep)."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.warnings.delivery import escalate_due, send_queued
from yingji.warnings.models import Warning, WarningStatus
from yingji.warnings.services import warning_expire

BATCH = 500


@sweeper
def expire_warnings() -> int:
    """Published warnings past their expiry leave the current warnings."""
    done = 0
    with transaction.atomic():
        due = lock_due_rows(Warning.objects.filter(status=WarningStatus.PUBLISHED, expires__lte=timezone.now())
                            .order_by("expires", "pk")[:BATCH])
        for warning in due:
            warning_expire(warning=warning)
            done += 1
    return done


@sweeper
def send_queued_deliveries() -> int:
    """Anything still queued (a worker was down when the warning was published) is sent now."""
    return send_queued()


@sweeper
def escalate_unanswered() -> int:
    """叫应: the unanswered past their deadline get the next channel, then their superior is called."""
    done = total = escalate_due()
    while done:
        done = escalate_due()
        total += done
    return total


@shared_task(name="yingji.warnings.tasks.send_deliveries")
def send_deliveries() -> int:
    total = sent = send_queued()
    while sent:
        sent = send_queued()
        total += sent
    return total
