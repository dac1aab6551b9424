"""The periodic sweep: deadlines kept in the database, processed by whichever worker runs it.

Apps register a function with `@sweeper`; each finds its own due rows (with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, see `yingji.core.db`) and
acts on them through its services, so a restarted worker loses no timer.
"""

import logging
from collections.abc import Callable

from celery import shared_task

from yingji.core import outbox

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
