"""The outbox: a side effect is a row written in the transaction of the change that causes it.

    outbox.emit("analytics.build_report", {"report": report.pk})

`emit()` stores an `OutboxMessage` naming a handler and carrying a JSON payload of ids and values (never model
instances: the handler loads what it needs when it runs). The row commits with the change or vanishes with its
rollback, so an effect can be neither lost after a commit nor sent for a change that never happened.

Handlers live in the app that owns them, in `<app>/effects.py` (found through `yingji.core.discovery`, like menus):

    @outbox.handler("analytics.build_report", atomic=False)
    def build_report(message: OutboxMessage) -> None:
        build_monthly_report.delay(message.payload["report"])

Running. A worker (`manage.py run_outbox`, the Celery task `yingji.core.tasks.drain_outbox`, or `drain()` in tests)
claims due rows in a short transaction (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the claiming
UPDATE re-checks that the row is still due, and SQLite has one writer at a time), which moves each row's
`available_at` to the end of a lease (`OUTBOX_LEASE_SECONDS`) and stamps the claim. It then runs the handler and
marks the row done, only if the claim is still its own. A handler that raises is retried after a backoff
(`OUTBOX_BACKOFF_SECONDS`, doubling up to `OUTBOX_BACKOFF_MAX_SECONDS`) until `OUTBOX_MAX_ATTEMPTS`, after which the
row is `failed` and shown by `manage.py outbox_status`. A worker that dies holding a row loses only its lease: the row
is due again when the lease ends.

Besides the worker, the process that committed runs its own messages at once after the commit (`OUTBOX_INLINE`, on
by default), which keeps a notification or a live event as quick as the old `on_commit` callback; the row remains
the guarantee if that process dies first.

The handler contract:
- `atomic=True` (the default): the handler runs in one transaction with the "done" mark, and the transaction rolls
  back if the claim was lost. A handler that only writes the database therefore takes effect exactly once.
- `atomic=False`: for effects outside the database (a broker, Redis). The handler runs without a transaction and may
  run twice: if the worker dies after the effect and before the mark, or outlives its lease. Such handlers must be
  idempotent, or their effect harmless to repeat (a wake-up, a page refresh).
- Rows a handler creates are keyed by the message id where a second run could meet them (notifications carry
  `outbox_message` under a unique constraint), so even a handler that commits on its own creates them once.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.discovery import app_modules
from yingji.core.models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from yingji.core.models import OutboxMessage

log = logging.getLogger(__name__)

# PostgreSQL's LISTEN/NOTIFY channel that wakes idle workers when a message is emitted without an inline run.
CHANNEL = "yingji_outbox"


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


@dataclass(frozen=True)
class Handler:
    name: str
    func: Callable[[OutboxMessage], None]
    atomic: bool


_handlers: dict[str, Handler] = {}
_loaded = False
_load_lock = threading.Lock()


def handler(name: str, *, atomic: bool = True) -> Callable[[Callable], Callable]:
    """Register `func(message)` as the handler of the messages named `name` ("<app>.<what it does>")."""

    def register(func: Callable[[OutboxMessage], None]) -> Callable[[OutboxMessage], None]:
        existing = _handlers.get(name)
        if existing is not None and (existing.func.__module__, existing.func.__qualname__) != (
                func.__module__, func.__qualname__):
            raise ValueError(f"outbox handler {name!r} is registered twice")
        _handlers[name] = Handler(name, func, atomic)
        return func

    return register


def handlers() -> dict[str, Handler]:
    """Every registered handler; the first call imports each app's `effects` module."""
    global _loaded
    if not _loaded:
        with _load_lock:
            if not _loaded:
                app_modules("effects")
                _loaded = True
    return _handlers


# -- writing -------------------------------------------------------------------------------------------------

def emit(name: str, payload: dict[str, Any] | None = None, *, key: str | None = None) -> OutboxMessage:
    """Store a side effect in the current transaction; it runs once the transaction has committed.

    `payload` holds ids and plain values (JSON). With `key`, a message already stored under that key is returned
    instead of a second one (keyed messages are kept, so the key means "once").
    """
    if name not in handlers():
        raise LookupError(f"no outbox handler is registered as {name!r}")
    payload = payload or {}
    if not isinstance(payload, dict):
        raise TypeError("an outbox payload is a dict of ids and values")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"an outbox payload holds ids and plain values only ({exc})") from None
    now = timezone.now()
    fields = {"name": name, "payload": payload, "created_at": now, "available_at": now}
    if key is None:
        message, created = OutboxMessage.objects.create(**fields), True
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
    if created:
        if getattr(settings, "OUTBOX_INLINE", True):
            # robust: the change has committed whatever happens here; a failure leaves the row to the worker.
            transaction.on_commit(partial(run_now, [message.pk]), robust=True)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Delivered by PostgreSQL at commit, and not at all after a rollback.
                cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
    return message


# -- claiming and running ------------------------------------------------------------------------------------

class _LostClaim(Exception):  # noqa: N818 - an internal signal, not an error shown to anyone
    """The lease ran out and another worker claimed the message: this run must not count."""


def _token() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claim(limit: int, ids: Iterable[int] | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due messages (of `ids` only, if given) for this process, for one lease."""
    now = timezone.now()
    token = _token()
    lease = timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS", 60))
    claim_fields = {"available_at": now + lease, "claimed_by": token, "claimed_at": now,
                    "attempts": F("attempts") + 1}
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__lte=now)
    if ids is not None:
        # Known ids (the committing process's own messages): one UPDATE claims those still due; a worker that holds
        # one makes it wait, after which the re-checked conditions leave that row out.
        picked = list(ids)[:limit]
        due.filter(pk__in=picked).update(**claim_fields)
    else:
        with transaction.atomic():
            picked = list(lock_due_rows(due.order_by("available_at", "pk")).values_list("pk", flat=True)[:limit])
            if not picked:
                return []
            # The conditions again: a worker that read the same ids before our lock (SQLite) finds them taken.
            due.filter(pk__in=picked).update(**claim_fields)
    return list(OutboxMessage.objects.filter(pk__in=picked, claimed_by=token).order_by("pk"))


def backoff(attempts: int) -> float:
    """Seconds to wait before the next try after `attempts` failed ones."""
    base = _setting("OUTBOX_BACKOFF_SECONDS", 5)
    return min(base * 2 ** max(attempts - 1, 0), _setting("OUTBOX_BACKOFF_MAX_SECONDS", 3600))


def _mark_done(message: OutboxMessage) -> bool:
    return OutboxMessage.objects.filter(
        pk=message.pk, claimed_by=message.claimed_by, status=OutboxStatus.PENDING,
    ).update(status=OutboxStatus.DONE, done_at=timezone.now(), last_error="") == 1


def _record_failure(message: OutboxMessage, error: str) -> None:
    fields: dict[str, Any] = {"last_error": error[:4000]}
    if message.attempts >= int(_setting("OUTBOX_MAX_ATTEMPTS", 12)):
        fields["status"] = OutboxStatus.FAILED
    else:
        fields["available_at"] = timezone.now() + timedelta(seconds=backoff(message.attempts))
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, claimed_by=message.claimed_by,
                                     status=OutboxStatus.PENDING).update(**fields)


def run(message: OutboxMessage) -> bool:
    """Run one claimed message's handler and mark it done; on failure record it for a retry. True when done."""
    entry = handlers().get(message.name)
    try:
        if entry is None:
            raise LookupError(f"没有名为 {message.name} 的处理程序")
        if message.attempts > _setting("OUTBOX_MAX_ATTEMPTS", 12):
            # Claimed again after its last allowed try: that worker died while running it.
            raise RuntimeError("处理进程在执行中多次中断")
        if entry.atomic:
            with transaction.atomic():
                entry.func(message)
                if not _mark_done(message):
                    raise _LostClaim
        else:
            entry.func(message)
            if not _mark_done(message):
                raise _LostClaim
    except _LostClaim:
        log.warning("outbox message %s (%s) outlived its lease; another worker runs it", message.pk, message.name)
        return False
    except Exception as exc:
        log.warning("outbox message %s (%s) failed on attempt %s", message.pk, message.name, message.attempts,
                    exc_info=True)
        _record_failure(message, f"{type(exc).__name__}: {exc}")
        return False
    return True


def run_now(ids: list[int]) -> int:
    """Run these just-committed messages in this process, unless a worker has taken them already."""
    done = 0
    for message in claim(len(ids), ids):
        done += run(message)
    return done


def drain(limit: int | None = None) -> int:
    """Run every message due now (or `limit` of them), including those the handlers emit; the number run."""
    batch = int(_setting("OUTBOX_BATCH", 10))
    count = 0
    while limit is None or count < limit:
        claimed = claim(batch if limit is None else min(batch, limit - count))
        if not claimed:
            break
        for message in claimed:
            run(message)
            count += 1
    return count


# -- the worker loop -----------------------------------------------------------------------------------------

class _Listener:
    """Waits for PostgreSQL's NOTIFY on CHANNEL on a connection of its own; elsewhere it just sleeps."""

    def __init__(self) -> None:
        self._connection = None

    def _connect(self):
        if self._connection is None or self._connection.closed:
            raw = connection.get_new_connection(connection.get_connection_params())
            raw.autocommit = True
            raw.execute(f"LISTEN {CHANNEL}")
            self._connection = raw
        return self._connection

    def listen(self) -> None:
        """Start listening before looking for work, so a message emitted meanwhile still wakes us."""
        if connection.vendor == "postgresql":
            try:
                self._connect()
            except Exception:
                log.warning("outbox: no wake-up channel, polling instead", exc_info=True)

    def wait(self, timeout: float, stop: threading.Event) -> None:
        if connection.vendor != "postgresql":
            stop.wait(timeout)
            return
        deadline = time.monotonic() + timeout
        try:
            # In slices of at most a second, so a stop request (SIGTERM) is heard quickly.
            while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
                if list(self._connect().notifies(timeout=min(remaining, 1.0), stop_after=1)):
                    return
        except Exception:
            log.warning("outbox: no wake-up channel, polling instead", exc_info=True)
            self.close()
            stop.wait(timeout)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
            self._connection = None


def work(*, stop: threading.Event, poll: float | None = None) -> None:
    """Run due messages until `stop` is set: `manage.py run_outbox`."""
    poll = _setting("OUTBOX_POLL_SECONDS", 1.0) if poll is None else poll
    listener = _Listener()
    pruned_at = 0.0
    listener.listen()
    try:
        while not stop.is_set():
            try:
                handled = drain(limit=int(_setting("OUTBOX_BATCH", 10)))
                if time.monotonic() - pruned_at > 600:
                    pruned_at = time.monotonic()
                    prune()
            except DatabaseError:
                # The database restarted or is busy: nothing was claimed for good, try again after a pause.
                log.warning("outbox worker: database error, retrying", exc_info=True)
                connection.close()
                stop.wait(poll)
                continue
            if not handled:
                listener.wait(poll, stop)
    finally:
        listener.close()
        connection.close()


# -- housekeeping and the operator's view ----------------------------------------------------------------------

def prune(*, days: float | None = None) -> int:
    """Delete done messages older than OUTBOX_KEEP_DAYS; keyed ones stay, since their key means "once"."""
    days = _setting("OUTBOX_KEEP_DAYS", 7) if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxStatus.DONE, done_at__lt=cutoff, key__isnull=True).delete()
    return deleted


def retry(ids: Iterable[int] | None = None) -> int:
    """Give failed messages (these, or all) a new round of attempts, due now. The number requeued."""
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=list(ids))
    with transaction.atomic():
        return failed.update(status=OutboxStatus.PENDING, attempts=0, available_at=timezone.now(), claimed_by="")


def summary() -> list[dict[str, Any]]:
    """Per handler and status: how many messages, and since when the oldest of them waits."""
    return list(OutboxMessage.objects.values("name", "status").annotate(count=Count("pk"), oldest=Min("created_at"))
                .order_by("name", "status"))
