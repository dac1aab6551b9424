"""Telemetry: gateway messages validated and stored a batch at a time, and the history's retention."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.monitoring import ingest
from yingji.monitoring.ingest import IngestResult, PointTable
from yingji.monitoring.models import Gateway


def readings_ingest(*, gateway_id: int, enterprise_id: int, body: bytes, points: PointTable,
                    gateway_code: str = "", now: int | None = None) -> IngestResult:
    """Validate and store one gateway message; good readings are kept, each bad one reported with its reason.

    The gateway has been authenticated by the caller (token over HTTP, topic and broker ACL over MQTT),
    and only its own enterprise's points are looked up, so it cannot write anyone else's.
    """
    message = IngestMessage(gateway_id=gateway_id, enterprise_id=enterprise_id, body=body, gateway_code=gateway_code)
    return readings_ingest_many(messages=[message], points=points, now=now)[0]


@dataclass(frozen=True, slots=True)
class IngestMessage:
    gateway_id: int
    enterprise_id: int
    body: bytes
    gateway_code: str = ""


class SeenThrottle:
    """When this process last recorded each gateway as heard from. A busy gateway is written at most once a
    second (offline detection allows several reporting periods, and online time counts minutes), which
    keeps two statements out of most batches."""

    def __init__(self, interval_ms: int = 1000) -> None:
        self.interval_ms = interval_ms
        self._written: dict[int, int] = {}

    def due(self, gateway_ids: set[int], now: int) -> set[int]:
        due = {g for g in gateway_ids if not 0 <= now - self._written.get(g, -self.interval_ms) < self.interval_ms}
        for gateway_id in due:
            self._written[gateway_id] = now
        return due

    def reset(self) -> None:
        self._written.clear()


GATEWAYS_SEEN = SeenThrottle()


def readings_ingest_many(*, messages: list[IngestMessage], points: PointTable,
                         now: int | None = None) -> list[IngestResult]:
    """Several gateway messages in one transaction (one COPY, one upsert, one commit), each with its own result.

    The MQTT worker hands over whatever arrived together, so a busy stream costs one commit per batch,
    not one per message. A reading repeated within the batch or already stored counts as a duplicate of
    the message it came in.
    """
    now = ingest.now_ms() if now is None else now
    results = []
    parts = []
    for message in messages:
        batch = ingest.parse(message.body, enterprise_id=message.enterprise_id, points=points,
                             gateway_code=message.gateway_code, now=now)
        results.append(IngestResult(received=batch.received, rejected=batch.rejected, error=batch.error,
                                    message_id=batch.message_id))
        parts.append(batch.readings)
    readings = ingest.Readings.concat(parts)
    owner = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    first = readings.first_occurrences()
    unique, owner = readings.take(first), owner[first]
    gateways = {m.gateway_id for m, r in zip(messages, results, strict=True) if not r.error}
    with transaction.atomic():
        new = ingest.store_readings(unique, received_at=now)
        heard = GATEWAYS_SEEN.due(gateways, now)
        if heard:
            Gateway._base_manager.filter(pk__in=heard).update(last_seen_at=ingest.datetime_from_ms(now))
            ingest.record_gateway_activity(heard, now)
        fresh = unique.take(new)
        for hook in INGEST_HOOKS:
            hook(fresh, points, now, gateways)
    accepted = np.bincount(owner[new], minlength=len(parts)).tolist()
    for result, part, count in zip(results, parts, accepted, strict=True):
        result.accepted = count
        result.duplicates = len(part) - count
    return results


# Called inside the ingest transaction with the new readings (`ingest.Readings`, in no particular order), the
# point table, the time and the ids of the gateways heard from; the alarm engine registers itself here (apps.py).
INGEST_HOOKS: list = []


def readings_purge(*, older_than_days: int) -> int:
    """Retention: delete history older than the given number of days, in short transactions of a chunk each
    (latest values are kept)."""
    if older_than_days < 1:
        raise ValidationError(_("保留天数至少为1天"))
    return ingest.retention_delete(ingest.now_ms() - older_than_days * 86_400_000)
