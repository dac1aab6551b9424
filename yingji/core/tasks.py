"""The periodic sweep: deadlines kept in the database, processed by whichever worker runs it.

Apps register a function with `@sweeper`; each finds its own due rows (with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, see `yingji.core.db`) and
acts on them through its services, so a restarted worker loses no timer.
"""

import datetime
import logging
from collections.abc import Callable

from celery import shared_task
from django.utils import timezone

from yingji.core import job_runner, outbox
from yingji.core.models import BackgroundJob, JobStatus

log = logging.getLogger(__name__)
SWEEPERS: list[Callable[[], int]] = []


def sweeper(func: Callable[[], int]) -> Callable[[], int]:
    SWEEPERS.append(func)
    return func


@shared_task(name="yingji.core.tasks.sweep")
def sweep() -> dict[str, int]:
    done = {}
    for func in SWEEPERS:
        try:
            done[f"{func.__module__}.{func.__name__}"] = func()
        except Exception:  # one failing sweeper must not starve the others
            log.exception("sweeper %s failed", func.__name__)
    return done


@shared_task(name="yingji.core.tasks.drain_outbox")
def drain_outbox() -> int:
    """Run due outbox messages: beat schedules it every OUTBOX_BEAT_SECONDS, beside or instead of `run_outbox`."""
    return outbox.drain(limit=1000)


# A queued job no worker has started after this long is run by the sweep instead.
JOB_SWEEP_AFTER = datetime.timedelta(minutes=2)


@shared_task(name="yingji.core.tasks.run_background_job")
def run_background_job(job_id: int) -> None:
    job_runner.run_job(job_id)


@sweeper
def run_waiting_jobs() -> int:
    """Run the oldest background job no worker picked up (one per sweep; starting it locks it)."""
    waiting = (BackgroundJob.objects.filter(status=JobStatus.QUEUED,
                                            created_at__lt=timezone.now() - JOB_SWEEP_AFTER)
               .order_by("created_at").values_list("pk", flat=True).first())
    if waiting is None:
        return 0
    return 1 if job_runner.run_job(waiting) else 0
