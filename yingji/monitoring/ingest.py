"""The telemetry path shared by the HTTP endpoint and the MQTT subscriber.

A gateway message carries many readings. It is handled a batch at a time: parsed
with orjson, each reading validated against an in-memory table of points, the
good ones written to the history with COPY on PostgreSQL (executemany on SQLite)
through a staging table, duplicates (same point and time) dropped by the primary
key, and the newest value per point upserted in one statement. No ORM object is
built per reading. Callers run `store` inside a transaction.

Payload (see docs/monitoring.md):

    {"gateway": "GW-001", "ts": 1763870400000,
     "readings": [{"tag": "LT-101", "ts": 1763870400000, "v": 12.5}, ["PT-201", 1763870400000, 0.82]]}
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import connection

FUTURE_TOLERANCE_MS = int(getattr(settings, "MONITORING_FUTURE_TOLERANCE_SECONDS", 300)) * 1000
MAX_READINGS_PER_MESSAGE = int(getattr(settings, "MONITORING_MAX_READINGS_PER_MESSAGE", 100_000))


def now_ms() -> int:
    return time.time_ns() // 1_000_000


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
    """Active points by (enterprise, tag), reloaded when older than `max_age` seconds or on an unknown tag
    (at most once a second), so a point created a moment ago is accepted and edits take effect quickly."""

    def __init__(self, max_age: float = 10.0) -> None:
        self.max_age = max_age
        self._points: dict[tuple[int, str], PointInfo] = {}
        self.by_id: dict[int, PointInfo] = {}
        self._loaded_at = -math.inf
        self._lock = threading.Lock()
        _TABLES.add(self)

    def invalidate(self) -> None:
        self._loaded_at = -math.inf

    def refresh(self) -> None:
        from yingji.monitoring.models import MonitoringPoint

        rows = MonitoringPoint._base_manager.filter(is_active=True).values_list(
            "id", "enterprise_id", "tag", "range_low", "range_high", "low_low", "low", "high", "high_high",
            "deadband", "alarm_delay_seconds", "rate_limit")
        points = {}
        for pk, enterprise_id, tag, lo, hi, ll, lw, hg, hh, deadband, delay, rate in rows.iterator(chunk_size=5000):
            points[(enterprise_id, tag)] = PointInfo(pk, enterprise_id, lo, hi, ll, lw, hg, hh, deadband or 0.0,
                                                     (delay or 0) * 1000, rate)
        with self._lock:
            self._points = points
            self.by_id = {p.id: p for p in points.values()}
            self._loaded_at = time.monotonic()

    def lookup(self, enterprise_id: int, tag: str) -> PointInfo | None:
        if time.monotonic() - self._loaded_at > self.max_age:
            self.refresh()
        point = self._points.get((enterprise_id, tag))
        if point is None and time.monotonic() - self._loaded_at > 1.0:
            self.refresh()
            point = self._points.get((enterprise_id, tag))
        return point


_TABLES: weakref.WeakSet[PointTable] = weakref.WeakSet()


def invalidate_point_tables() -> None:
    """Make this process's point tables reload on next use (other processes catch up within `max_age`)."""
    for table in list(_TABLES):
        table.invalidate()


@dataclass(slots=True)
class Rejection:
    index: int
    tag: str
    reason: str


@dataclass
class Batch:
    """A validated message: rows (point id, ts ms, value) ready to store, and what was refused."""

    received: int = 0
    rows: list[tuple[int, int, float]] = field(default_factory=list)
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
    new_rows: list[tuple[int, int, float]] = field(default_factory=list)
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
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            return None
        return int(parsed.timestamp() * 1000)
    return None


def parse(body: bytes | str, *, enterprise_id: int, points: PointTable, gateway_code: str = "",
          now: int | None = None) -> Batch:
    """Decode and validate one gateway message; never raises for bad content."""
    batch = Batch()
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError:
        batch.error = "消息不是有效的 JSON"
        return batch
    if not isinstance(message, dict) or not isinstance(message.get("readings"), list):
        batch.error = "消息应为 JSON 对象，且包含 readings 数组"
        return batch
    if isinstance(message.get("id"), (str, int)):
        batch.message_id = message["id"]
    claimed = message.get("gateway")
    if claimed not in (None, "") and gateway_code and claimed != gateway_code:
        batch.error = f"消息中的网关编号“{claimed}”与认证的网关不一致"
        return batch
    readings = message["readings"]
    batch.received = len(readings)
    if len(readings) > MAX_READINGS_PER_MESSAGE:
        batch.error = f"单条消息最多 {MAX_READINGS_PER_MESSAGE} 个读数"
        return batch
    default_ts = message.get("ts")
    now = now_ms() if now is None else now
    latest_allowed = now + FUTURE_TOLERANCE_MS
    rows = batch.rows
    reject = batch.rejected.append
    seen: set[tuple[int, int]] = set()
    for index, reading in enumerate(readings):
        if isinstance(reading, dict):
            tag, ts, value = reading.get("tag"), reading.get("ts", default_ts), reading.get("v", reading.get("value"))
        elif isinstance(reading, list) and len(reading) == 3:
            tag, ts, value = reading
        else:
            reject(Rejection(index, "", "读数格式错误，应为 {tag, ts, v} 对象或 [tag, ts, v] 数组"))
            continue
        if not isinstance(tag, str) or not tag:
            reject(Rejection(index, str(tag or ""), "缺少监测点位号"))
            continue
        point = points.lookup(enterprise_id, tag)
        if point is None:
            reject(Rejection(index, tag, "未知监测点（本企业无此位号或已停用）"))
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            reject(Rejection(index, tag, "数值不是有效数字"))
            continue
        if not point.range_low <= value <= point.range_high:
            reject(Rejection(index, tag, f"数值 {value:g} 超出量程 {point.range_low:g}～{point.range_high:g}"))
            continue
        stamp = _timestamp(ts)
        if stamp is None:
            reject(Rejection(index, tag, "时间戳无效，应为毫秒数或带时区的 ISO 8601 时间"))
            continue
        if stamp > latest_allowed:
            reject(Rejection(index, tag, f"时间戳超前当前时间 {(stamp - now) / 1000:.0f} 秒"))
            continue
        key = (point.id, stamp)
        if key in seen:
            continue  # the same reading twice in one message: a duplicate, not an error
        seen.add(key)
        rows.append((point.id, stamp, float(value)))
    return batch


# -- storage -----------------------------------------------------------------------------------------

STAGING = "monitoring_reading_staging"


def _fill_staging(cursor, rows: list[tuple[int, int, float]]) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} "
                       "(point_id bigint, ts bigint, value double precision) ON COMMIT DELETE ROWS")
        text = "".join(f"{p}\t{t}\t{v!r}\n" for p, t, v in rows).encode()
        with cursor.cursor.copy(f"COPY {STAGING} (point_id, ts, value) FROM STDIN") as copy:
            copy.write(text)
    else:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (point_id integer, ts integer, value real)")
        cursor.execute(f"DELETE FROM {STAGING}")
        cursor.executemany(f"INSERT INTO {STAGING} (point_id, ts, value) VALUES (%s, %s, %s)", rows)


def store(rows: list[tuple[int, int, float]], *, received_at: int | None = None) -> list[tuple[int, int, float]]:
    """Write readings (run inside a transaction); return the ones that were new, oldest first.

    Late readings are stored too; the latest value moves only forward in time.
    """
    if not rows:
        return []
    received_at = now_ms() if received_at is None else received_at
    with connection.cursor() as cursor:
        _fill_staging(cursor, rows)
        cursor.execute(
            f"INSERT INTO monitoring_reading (point_id, ts, value) SELECT point_id, ts, value FROM {STAGING} "
            "WHERE true ON CONFLICT (point_id, ts) DO NOTHING RETURNING point_id, ts, value"
        )
        new_rows = cursor.fetchall()
        if connection.vendor == "postgresql":
            newest = f"SELECT DISTINCT ON (point_id) point_id, ts, value FROM {STAGING} ORDER BY point_id, ts DESC"
        else:
            # SQLite takes the bare column `value` from the row holding max(ts).
            newest = f"SELECT point_id, max(ts) AS ts, value FROM {STAGING} GROUP BY point_id"
        cursor.execute(
            "INSERT INTO monitoring_latestreading (point_id, ts, value, received_at) "
            f"SELECT point_id, ts, value, %s FROM ({newest}) AS newest WHERE true "
            "ON CONFLICT (point_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, "
            "received_at = excluded.received_at WHERE excluded.ts > monitoring_latestreading.ts",
            [received_at],
        )
        if connection.vendor != "postgresql":
            cursor.execute(f"DELETE FROM {STAGING}")
    new_rows = [(int(p), int(t), float(v)) for p, t, v in new_rows]
    new_rows.sort(key=lambda row: row[1])
    return new_rows


def retention_delete(before_ms: int, *, chunk: int = 50_000) -> int:
    """Delete history older than `before_ms` in chunks, so no single statement holds locks for long."""
    from django.db import transaction

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
            return deleted
