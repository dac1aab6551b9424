"""The telemetry path shared by the HTTP endpoint and the MQTT subscriber.

A gateway message carries many readings; several messages that arrive together are handled as one batch
parsed with orjson, validated column-wise with numpy against an in-memory table of points,
written to the history with one binary COPY on PostgreSQL (executemany on SQLite), and the newest value
per point upserted in one statement (both through `yingji.core.bulk`). No ORM object and no Python loop per reading on the common path;
a message whose readings are not all `[tag, ms, number]` arrays takes the reading-by-reading path, which
gives the same answers. Callers run `store` inside a transaction.

Payload (see docs/monitoring.md):

    {"gateway": "GW-001", "ts": 1763870400000,
     "readings": [{"tag": "LT-101", "ts": 1763870400000, "v": 12.5}, ["PT-201", 1763870400000, 0.82]]}
"""

from __future__ import annotations

import itertools
import math
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import numpy as np
import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from psycopg.errors import UniqueViolation

from yingji.core import bulk
from yingji.monitoring.models import GatewayActivity, LatestReading, MonitoringPoint, Reading

FUTURE_TOLERANCE_MS = int(getattr(settings, "MONITORING_FUTURE_TOLERANCE_SECONDS", 300)) * 1000
MAX_READINGS_PER_MESSAGE = int(getattr(settings, "MONITORING_MAX_READINGS_PER_MESSAGE", 100_000))
INT64_MAX = 2**63 - 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def datetime_from_ms(ms: int) -> datetime:
    """An aware UTC datetime from milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@dataclass(slots=True)
class PointInfo:
    id: int
    enterprise_id: int
    range_low: float
    range_high: float
    low_low: float | None = None
    low: float | None = None
    high: float | None = None
    high_high: float | None = None
    deadband: float = 0.0
    delay_ms: int = 0
    rate_limit: float | None = None
    # The band inside which a reading needs no look at all (no threshold reached).
    quiet_low: float = -math.inf
    quiet_high: float = math.inf

    def __post_init__(self) -> None:
        lows = [v for v in (self.low_low, self.low) if v is not None]
        highs = [v for v in (self.high, self.high_high) if v is not None]
        self.quiet_low = max(lows) if lows else -math.inf
        self.quiet_high = min(highs) if highs else math.inf


class PointTable:
    """Active points, checked for changes every `max_age` seconds and reloaded on an unknown tag (at most once
    a second), so a point created a moment ago is accepted and edits take effect quickly.

    Reloading 50,000 points costs the ingest thread about 0.3 s, which every reading arriving meanwhile would
    wait for; so on PostgreSQL the check first compares a fingerprint of the point table (row count and sums
    over the row versions' xmin and ctid, which every insert, update and delete moves; about 20 ms for 50,000
    points, spent in the server) and reloads only when it differs. Elsewhere (SQLite: small installations) the
    check is the reload.

    Besides a `PointInfo` per point it holds the columns the batch path needs as numpy arrays, indexed by
    the point's position in `ids` (sorted, so `np.searchsorted(ids, point_id)` finds a point's position).
    """

    def __init__(self, max_age: float = 10.0) -> None:
        self.max_age = max_age
        self._points: dict[tuple[int, str], PointInfo] = {}
        self.by_id: dict[int, PointInfo] = {}
        self.tags: dict[int, dict[str, int]] = {}
        self.ids = np.empty(0, dtype=np.int64)
        self.range_low = self.range_high = self.quiet_low = self.quiet_high = np.empty(0)
        self.has_rate = np.empty(0, dtype=bool)
        self.version = 0
        self._loaded_at = -math.inf
        self._fingerprint: tuple | None = None
        self._lock = threading.Lock()
        _TABLES.add(self)

    def invalidate(self) -> None:
        self._loaded_at = -math.inf
        self._fingerprint = None

    def refresh(self) -> None:
        # Read before the rows: a change in between shows as a different fingerprint at the next check.
        fingerprint = _point_table_fingerprint()
        rows = MonitoringPoint._base_manager.filter(is_active=True).order_by("id").values_list(
            "id", "enterprise_id", "tag", "range_low", "range_high", "low_low", "low", "high", "high_high",
            "deadband", "alarm_delay_seconds", "rate_limit")
        infos = []
        keyed = {}
        tags: dict[int, dict[str, int]] = {}
        for position, (pk, enterprise_id, tag, lo, hi, ll, lw, hg, hh, deadband, delay, rate) in enumerate(
                rows.iterator(chunk_size=5000)):
            info = PointInfo(pk, enterprise_id, lo, hi, ll, lw, hg, hh, deadband or 0.0, (delay or 0) * 1000, rate)
            infos.append(info)
            keyed[(enterprise_id, tag)] = info
            tags.setdefault(enterprise_id, {})[tag] = position
        with self._lock:
            self._points = keyed
            self.by_id = {p.id: p for p in infos}
            self.tags = tags
            self.ids = np.fromiter((p.id for p in infos), np.int64, len(infos))
            self.range_low = np.fromiter((p.range_low for p in infos), np.float64, len(infos))
            self.range_high = np.fromiter((p.range_high for p in infos), np.float64, len(infos))
            self.quiet_low = np.fromiter((p.quiet_low for p in infos), np.float64, len(infos))
            self.quiet_high = np.fromiter((p.quiet_high for p in infos), np.float64, len(infos))
            self.has_rate = np.fromiter((p.rate_limit is not None for p in infos), bool, len(infos))
            self.version = next(_VERSIONS)  # unique across tables: the engine keys its arrays on it
            self._fingerprint = fingerprint
            self._loaded_at = time.monotonic()

    def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at <= self.max_age:
            return
        if self._fingerprint is not None and _point_table_fingerprint() == self._fingerprint:
            self._loaded_at = time.monotonic()
        else:
            self.refresh()

    def _may_reload_for_unknown(self) -> bool:
        if time.monotonic() - self._loaded_at > 1.0:
            self.refresh()
            return True
        return False

    def lookup(self, enterprise_id: int, tag: str) -> PointInfo | None:
        self._fresh()
        point = self._points.get((enterprise_id, tag))
        if point is None and self._may_reload_for_unknown():
            point = self._points.get((enterprise_id, tag))
        return point

    def positions(self, point_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of point ids in the table's arrays, and which ids are in the table at all."""
        if not len(self.ids):
            return np.zeros(len(point_ids), dtype=np.int64), np.zeros(len(point_ids), dtype=bool)
        position = np.minimum(np.searchsorted(self.ids, point_ids), len(self.ids) - 1)
        return position, self.ids[position] == point_ids


_TABLES: weakref.WeakSet[PointTable] = weakref.WeakSet()
_VERSIONS = itertools.count(1)


def _point_table_fingerprint() -> tuple | None:
    """Row count and sums over the rows' xmin and ctid of the point table on PostgreSQL; None elsewhere. Every
    update writes a new row version, at a new ctid and with the writing transaction's id as its xmin (both kept
    when a row is frozen), so any insert or update changes the sums and a delete the count."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(sum(xmin::text::bigint), 0), coalesce(sum(hashtext(ctid::text)), 0) "
                       "FROM monitoring_monitoringpoint")
        return tuple(cursor.fetchone())


def invalidate_point_tables() -> None:
    """Make this process's point tables reload on next use (other processes catch up within `max_age`)."""
    for table in list(_TABLES):
        table.invalidate()


@dataclass(slots=True)
class Readings:
    """Readings as three columns: point id, time (ms since the epoch, UTC) and value."""

    point_id: np.ndarray
    ts: np.ndarray
    value: np.ndarray

    @classmethod
    def empty(cls) -> Readings:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, float]]) -> Readings:
        if not rows:
            return cls.empty()
        point_ids, stamps, values = zip(*rows, strict=True)
        return cls(np.array(point_ids, np.int64), np.array(stamps, np.int64), np.array(values, np.float64))

    @classmethod
    def concat(cls, parts: list[Readings]) -> Readings:
        if not parts:
            return cls.empty()
        return cls(np.concatenate([p.point_id for p in parts]), np.concatenate([p.ts for p in parts]),
                   np.concatenate([p.value for p in parts]))

    def __len__(self) -> int:
        return len(self.point_id)

    def take(self, selector: np.ndarray) -> Readings:
        return Readings(self.point_id[selector], self.ts[selector], self.value[selector])

    def rows(self) -> list[tuple[int, int, float]]:
        return list(zip(self.point_id.tolist(), self.ts.tolist(), self.value.tolist(), strict=True))

    def first_occurrences(self) -> np.ndarray:
        """Mask of the first reading of each (point, ts) in order: the later ones are duplicates."""
        if len(self) < 2:
            return np.ones(len(self), dtype=bool)
        order = np.lexsort((self.ts, self.point_id))  # stable: equal keys keep their order
        point_id, ts = self.point_id[order], self.ts[order]
        repeated = np.empty(len(self), dtype=bool)
        repeated[0] = False
        repeated[1:] = (point_id[1:] == point_id[:-1]) & (ts[1:] == ts[:-1])
        first = np.empty(len(self), dtype=bool)
        first[order] = ~repeated
        return first

    def newest_per_point(self) -> Readings:
        order = np.lexsort((self.ts, self.point_id))
        point_id = self.point_id[order]
        last = np.empty(len(self), dtype=bool)
        last[-1:] = True
        last[:-1] = point_id[1:] != point_id[:-1]
        return self.take(order[last])


@dataclass(slots=True)
class Rejection:
    index: int
    tag: str
    reason: str


@dataclass
class Batch:
    """A validated message: readings ready to store (duplicates not yet removed), and what was refused."""

    received: int = 0
    readings: Readings = field(default_factory=Readings.empty)
    rejected: list[Rejection] = field(default_factory=list)
    error: str = ""
    message_id: Any = None


@dataclass
class IngestResult:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str = ""
    message_id: Any = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "received": self.received, "accepted": self.accepted, "duplicates": self.duplicates,
            "rejected_count": len(self.rejected),
            "rejected": [{"index": r.index, "tag": r.tag, "reason": r.reason} for r in self.rejected],
        }
        if self.error:
            body["error"] = self.error
        if self.message_id is not None:
            body["id"] = self.message_id
        return body


def _timestamp(value: Any) -> int | None:
    """Milliseconds since the epoch from an integer (ms) or an ISO 8601 text with its offset."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= INT64_MAX else None
    if isinstance(value, float) and math.isfinite(value):
        return int(value) if 0 <= value < INT64_MAX else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            return None
        return int(parsed.timestamp() * 1000)
    return None


def _check(index: int, reading: Any, default_ts: Any, *, enterprise_id: int, points: PointTable, now: int,
           ) -> tuple[int, int, float] | Rejection:
    """One reading, checked in the order its reasons are reported: a row to store, or why not."""
    if isinstance(reading, dict):
        tag, ts, value = reading.get("tag"), reading.get("ts", default_ts), reading.get("v", reading.get("value"))
    elif isinstance(reading, list) and len(reading) == 3:
        tag, ts, value = reading
    else:
        return Rejection(index, "", "读数格式错误，应为 {tag, ts, v} 对象或 [tag, ts, v] 数组")
    if not isinstance(tag, str) or not tag:
        return Rejection(index, str(tag or ""), "缺少监测点位号")
    point = points.lookup(enterprise_id, tag)
    if point is None:
        return Rejection(index, tag, "未知监测点（本企业无此位号或已停用）")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Rejection(index, tag, "数值不是有效数字")
    if not point.range_low <= value <= point.range_high:
        return Rejection(index, tag, f"数值 {value:g} 超出量程 {point.range_low:g}～{point.range_high:g}")
    stamp = _timestamp(ts)
    if stamp is None:
        return Rejection(index, tag, "时间戳无效，应为毫秒数或带时区的 ISO 8601 时间")
    if stamp > now + FUTURE_TOLERANCE_MS:
        return Rejection(index, tag, f"时间戳超前当前时间 {(stamp - now) / 1000:.0f} 秒")
    return (point.id, stamp, float(value))


def _parse_columns(readings: list, *, enterprise_id: int, points: PointTable, now: int) -> Batch | None:
    """The common case, column-wise: every reading a `[tag, ms, number]` array. None when it is not."""
    if not all(type(r) is list and len(r) == 3 for r in readings):
        return None
    tags, stamps, values = zip(*readings, strict=True)
    if set(map(type, tags)) != {str} or not set(map(type, stamps)) <= {int} or not set(
            map(type, values)) <= {int, float}:
        return None
    count = len(readings)
    try:
        ts = np.fromiter(stamps, np.int64, count)
        value = np.fromiter(values, np.float64, count)
    except OverflowError:
        return None
    points._fresh()
    by_tag = points.tags.get(enterprise_id, {})
    position = np.fromiter(map(by_tag.get, tags, repeat(-1)), np.int64, count)
    if (position < 0).any() and points._may_reload_for_unknown():
        by_tag = points.tags.get(enterprise_id, {})
        position = np.fromiter(map(by_tag.get, tags, repeat(-1)), np.int64, count)
    known = position >= 0
    safe = np.where(known, position, 0)
    with np.errstate(invalid="ignore"):
        good = (known & np.isfinite(value) & (value >= points.range_low[safe]) & (value <= points.range_high[safe])
                & (ts >= 0) & (ts <= now + FUTURE_TOLERANCE_MS))
    batch = Batch(received=count)
    if not good.all():
        # The few bad ones get their reasons from the reading-by-reading check.
        batch.rejected = [_check(i, readings[i], None, enterprise_id=enterprise_id, points=points, now=now)
                          for i in np.flatnonzero(~good).tolist()]
        batch.rejected = [r for r in batch.rejected if isinstance(r, Rejection)]
    batch.readings = Readings(points.ids[safe[good]], ts[good], value[good])
    return batch


def message_id_of(message: Any) -> str | int | None:
    """The sender's own message id (`"id"`), echoed in its result so the gateway can match the two."""
    if isinstance(message, dict) and isinstance(message.get("id"), (str, int)) and not isinstance(message["id"], bool):
        return message["id"]
    return None


def unknown_gateway_result(body: bytes, gateway_code: str) -> IngestResult:
    """The result for a message on the topic of a gateway that is not registered or is switched off."""
    try:
        message_id = message_id_of(orjson.loads(body))
    except orjson.JSONDecodeError:
        message_id = None
    return IngestResult(error=f"未知或已停用的网关：{gateway_code}，消息未处理", message_id=message_id)


def parse(body: bytes | str, *, enterprise_id: int, points: PointTable, gateway_code: str = "",
          now: int | None = None) -> Batch:
    """Decode and validate one gateway message; never raises for bad content."""
    batch = Batch()
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError:
        batch.error = "消息不是有效的 JSON"
        return batch
    message_id = message_id_of(message)
    batch.message_id = message_id
    if not isinstance(message, dict) or not isinstance(message.get("readings"), list):
        batch.error = "消息应为 JSON 对象，且包含 readings 数组"
        return batch
    claimed = message.get("gateway")
    if claimed not in (None, "") and gateway_code and claimed != gateway_code:
        batch.error = f"消息中的网关编号“{claimed}”与认证的网关不一致"
        return batch
    readings = message["readings"]
    batch.received = len(readings)
    if len(readings) > MAX_READINGS_PER_MESSAGE:
        batch.error = f"单条消息最多 {MAX_READINGS_PER_MESSAGE} 个读数"
        return batch
    now = now_ms() if now is None else now
    if readings:
        fast = _parse_columns(readings, enterprise_id=enterprise_id, points=points, now=now)
        if fast is not None:
            fast.message_id = message_id
            return fast
    default_ts = message.get("ts")
    rows = []
    for index, reading in enumerate(readings):
        checked = _check(index, reading, default_ts, enterprise_id=enterprise_id, points=points, now=now)
        if isinstance(checked, Rejection):
            batch.rejected.append(checked)
        else:
            rows.append(checked)
    batch.readings = Readings.from_rows(rows)
    return batch


# -- storage -----------------------------------------------------------------------------------------

STAGING = "monitoring_reading_staging"
STAGING_COLUMNS = "point_id bigint, ts bigint, value double precision"
READING_FIELDS = ("point", "ts", "value")


def _columns(readings: Readings) -> bulk.Arrays:
    return bulk.Arrays(readings.point_id, readings.ts, readings.value)


def _insert_new(cursor, readings: Readings) -> np.ndarray:
    """Insert what is not stored yet through the staging table; mask of the readings that were new."""
    bulk.fill_stage(STAGING, STAGING_COLUMNS, _columns(readings), analyze=False)
    cursor.execute(
        f"INSERT INTO monitoring_reading (point_id, ts, value) SELECT point_id, ts, value FROM {STAGING} "
        "WHERE true ON CONFLICT (point_id, ts) DO NOTHING RETURNING point_id, ts"
    )
    stored = {(int(p), int(t)) for p, t in cursor.fetchall()}
    return np.fromiter((key in stored for key in zip(readings.point_id.tolist(), readings.ts.tolist(), strict=True)),
                       bool, len(readings))


def store_readings(readings: Readings, *, received_at: int | None = None) -> np.ndarray:
    """Write readings, each (point, ts) at most once in `readings` (run inside a transaction); return the
    mask of those that were new. The latest value of a point moves only forward in time.

    On PostgreSQL the readings are copied straight into the history in a savepoint: a repeat is rare (a
    message delivered again after a worker died), and only then does the savepoint roll back and the batch
    go through the staging table with ON CONFLICT DO NOTHING. SQLite always takes the staging table.
    """
    if not len(readings):
        return np.zeros(0, dtype=bool)
    received_at = now_ms() if received_at is None else received_at
    with connection.cursor() as cursor:
        if bulk.is_postgresql():
            try:
                with transaction.atomic():
                    bulk.insert_rows(Reading, READING_FIELDS, _columns(readings))
                new = np.ones(len(readings), dtype=bool)
            except (IntegrityError, UniqueViolation):
                new = _insert_new(cursor, readings)
        else:
            new = _insert_new(cursor, readings)
        newest = readings.newest_per_point()
        bulk.upsert_rows(
            LatestReading, ("point", "ts", "value", "received_at"),
            bulk.Arrays(newest.point_id, newest.ts, newest.value, np.full(len(newest), received_at, np.int64)),
            conflict=("point",), update=("ts", "value", "received_at"),
            where=f"excluded.ts > {bulk.table(LatestReading)}.ts",
        )
        if not bulk.is_postgresql():
            cursor.execute(f"DELETE FROM {STAGING}")
    return new


def store(rows: list[tuple[int, int, float]], *, received_at: int | None = None) -> list[tuple[int, int, float]]:
    """`store_readings` for a list of (point id, ts, value) rows; return the new ones, oldest first."""
    readings = Readings.from_rows(rows)
    readings = readings.take(readings.first_occurrences())
    new = readings.take(store_readings(readings, received_at=received_at))
    return sorted(new.rows(), key=lambda row: row[1])


def record_gateway_activity(gateway_ids: set[int], at_ms: int) -> None:
    """Mark the minute in which these gateways delivered a message (the basis of their online time)."""
    if not gateway_ids:
        return
    minute = at_ms // 60_000
    bulk.upsert_rows(GatewayActivity, ("gateway", "minute"), [(gateway_id, minute) for gateway_id in sorted(gateway_ids)],
                     conflict=("gateway", "minute"))


def retention_delete(before_ms: int, *, chunk: int = 50_000) -> int:
    """Delete history older than `before_ms` in chunks, so no single statement holds locks for long."""
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM monitoring_reading WHERE (point_id, ts) IN "
                "(SELECT point_id, ts FROM monitoring_reading WHERE ts < %s LIMIT %s)",
                [before_ms, chunk],
            )
            count = cursor.rowcount
        deleted += count
        if count < chunk:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM monitoring_gatewayactivity WHERE minute < %s", [before_ms // 60_000])
            return deleted
