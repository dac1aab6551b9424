"""Test handlers: a notification like `core.notify`'s, with switches to fail and to stop a worker mid-run.

Payload: the `core.notify` fields, plus
- "fail": raise on every run;
- "marker": a file path; on the first run (the file does not exist yet) the handler creates it at "stop_at"
  ("claimed": before its effect, "effect": after it) and then sleeps, so the test can kill the worker there.
"""

import time
from pathlib import Path

from yingji.core import outbox
from yingji.core.models import OutboxMessage
from yingji.core.notifications import deliver

RUNS: list[int] = []


def _stop_here(message: OutboxMessage, point: str) -> None:
    marker = message.payload.get("marker")
    if not marker or message.payload.get("stop_at") != point or Path(marker).exists():
        return
    Path(marker).write_text(str(message.pk))
    time.sleep(600)


def _note(message: OutboxMessage) -> None:
    RUNS.append(message.pk)
    _stop_here(message, "claimed")
    if message.payload.get("fail"):
        deliver(message)  # written, and must be rolled back with the failure
        raise RuntimeError("网关无响应")
    deliver(message)
    _stop_here(message, "effect")


@outbox.handler("outboxtest.note")
def note(message: OutboxMessage) -> None:
    _note(message)


@outbox.handler("outboxtest.note_outside", atomic=False)
def note_outside(message: OutboxMessage) -> None:
    _note(message)
