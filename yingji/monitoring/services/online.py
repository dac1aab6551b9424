"""Online rates (在线率) of points, gateways and enterprises: the daily roll-up and the late-reading marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yingji.core import bulk
from yingji.monitoring import ingest
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import (
    Gateway,
    MonitoringPoint,
    OnlineProgress,
    OnlineRate,
    OnlineRecount,
    OnlineSubject,
    OnlineTally,
)


def day_bounds_ms(day: date) -> tuple[int, int]:
    """The local (Asia/Shanghai) day as [start, end) in milliseconds since the epoch."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    start_ms = int(start.timestamp() * 1000)
    return start_ms, start_ms + 86_400_000


ONLINE_SAFETY_MS = 60_000


def online_settle_ms() -> int:
    """How long after its time a reading may still arrive without being late (`MONITORING_ONLINE_SETTLE_MINUTES`,
    10). The roll-up re-reads this much of the recent past at every run; an older reading arriving is marked
    for a recount of its point's day by the ingest hook below."""
    return int(getattr(settings, "MONITORING_ONLINE_SETTLE_MINUTES", 10)) * 60_000


def _local_day(ms: int) -> date:
    return timezone.localtime(ingest.datetime_from_ms(ms)).date()


def online_late_mark(fresh: ingest.Readings, points: PointTable, now: int, gateways: set[int]) -> None:
    """Ingest hook: mark the (point, day) pairs that received a reading older than the settle time, so the
    roll-up counts that point's day again. Most batches carry none and cost one vectorised comparison."""
    if not len(fresh):
        return
    late = fresh.ts < now - online_settle_ms()
    if not late.any():
        return
    ids, stamps = fresh.point_id[late], fresh.ts[late]
    order = np.lexsort((stamps, ids))
    ids, stamps = ids[order], stamps[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)] - 1
    marks = []
    for point_id, low, high in zip(ids[starts].tolist(), stamps[starts].tolist(), stamps[ends].tolist(), strict=True):
        day, last = _local_day(low), _local_day(high)
        while day <= last:
            marks.append(OnlineRecount(point_id=point_id, day=day))
            day += timedelta(days=1)
    OnlineRecount.objects.bulk_create(marks)


@dataclass(slots=True)
class OnlineCount:
    """Reporting periods (slots) with data, readings, and the first and last slot of a stretch of time."""

    slots: int = 0
    readings: int = 0
    first: int | None = None
    last: int | None = None

    def plus(self, later: OnlineCount) -> OnlineCount:
        """This stretch followed by a later one; they share at most the slot on their boundary."""
        if later.last is None:
            return self
        if self.last is None:
            return later
        shared = 1 if self.last == later.first else 0
        return OnlineCount(self.slots + later.slots - shared, self.readings + later.readings, self.first, later.last)


# Per subject and stretch (0: before the split, 1: from it): slots with data, rows, first and last slot.
_POINT_SCAN = (
    "SELECT r.point_id, CASE WHEN r.ts >= %s THEN 1 ELSE 0 END, count(DISTINCT r.ts / p.period_ms), count(*), "
    "min(r.ts / p.period_ms), max(r.ts / p.period_ms) FROM monitoring_reading r JOIN "
    "(SELECT id, CAST(report_period_seconds AS BIGINT) * 1000 AS period_ms FROM monitoring_monitoringpoint) p "
    "ON p.id = r.point_id WHERE r.ts >= %s AND r.ts < %s {only} GROUP BY 1, 2"
)
_GATEWAY_SCAN = (
    "SELECT a.gateway_id, CASE WHEN a.minute >= %s THEN 1 ELSE 0 END, count(DISTINCT a.minute * 60 / g.period), "
    "count(*), min(a.minute * 60 / g.period), max(a.minute * 60 / g.period) FROM monitoring_gatewayactivity a JOIN "
    "(SELECT id, CASE WHEN report_period_seconds < 60 THEN 60 ELSE report_period_seconds END AS period "
    "FROM monitoring_gateway) g ON g.id = a.gateway_id WHERE a.minute >= %s AND a.minute < %s {only} GROUP BY 1, 2"
)


@dataclass(frozen=True, slots=True)
class _Kind:
    subject: str
    sql: str
    column: str
    unit_ms: int  # the scan's time unit: ms for readings, minutes for gateway activity


_KINDS = {
    OnlineSubject.POINT: _Kind(OnlineSubject.POINT, _POINT_SCAN, "r.point_id", 1),
    OnlineSubject.GATEWAY: _Kind(OnlineSubject.GATEWAY, _GATEWAY_SCAN, "a.gateway_id", 60_000),
}


def _online_scan(kind: _Kind, lower: int, split: int, upper: int,
                 ids: list[int] | None = None) -> tuple[dict[int, OnlineCount], dict[int, OnlineCount]]:
    """Counts per subject of [lower, split) and [split, upper) (ms), of all subjects or only of `ids`."""
    before: dict[int, OnlineCount] = {}
    after: dict[int, OnlineCount] = {}
    chunks = [None] if ids is None else [ids[i:i + 1000] for i in range(0, len(ids), 1000)]
    unit = kind.unit_ms
    with connection.cursor() as cursor:
        for chunk in chunks:
            only = "" if chunk is None else f"AND {kind.column} IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(kind.sql.format(only=only), [split // unit, lower // unit, upper // unit, *(chunk or [])])
            for pk, is_after, slots, count, first, last in cursor.fetchall():
                (after if is_after else before)[pk] = OnlineCount(slots, count, first, last)
    return before, after


def _online_advance(kind: _Kind, *, day: date, periods: dict[int, int], start: int, settled: int, settle_to: int,
                    end: int, recount: set[int]) -> dict[int, OnlineCount]:
    """The day's counts per subject from the stored tallies plus a scan of the time not yet settled, and the
    tallies moved forward to `settle_to`. Subjects to recount (late readings, a changed period) are counted
    again from the start of the day, from the (point_id, ts) key of their own rows only."""
    tallies = {pk: (period, OnlineCount(slots, readings, None, last)) for pk, period, slots, readings, last in
               OnlineTally.objects.filter(day=day, subject=kind.subject).values_list(
                   "subject_id", "period_seconds", "slots", "readings", "last_slot")}
    recount = set(recount) | {pk for pk, (period, _count) in tallies.items() if period != periods.get(pk, period)}
    base = {pk: count for pk, (_period, count) in tallies.items() if pk not in recount}
    if recount and settled > start:
        again, _after = _online_scan(kind, start, settled, settled, ids=sorted(recount))
        base.update(again)
    before, after = _online_scan(kind, settled, settle_to, end)
    totals: dict[int, OnlineCount] = {}
    changed: dict[int, OnlineCount] = {}
    empty = OnlineCount()
    for pk in base.keys() | before.keys() | after.keys() | recount:
        now_settled = base.get(pk, empty).plus(before.get(pk, empty))
        if pk in before or pk in recount:
            changed[pk] = now_settled
        totals[pk] = now_settled.plus(after.get(pk, empty))
    gone = [pk for pk, count in changed.items() if count.last is None]
    if gone:
        OnlineTally.objects.filter(day=day, subject=kind.subject, subject_id__in=gone).delete()
    bulk.upsert_rows(OnlineTally, ("day", "subject", "subject_id", "period_seconds", "slots", "readings", "last_slot"),
                     [(day, kind.subject, pk, periods[pk], count.slots, count.readings, count.last)
                      for pk, count in changed.items() if count.last is not None and pk in periods],
                     conflict=("day", "subject", "subject_id"),
                     update=("period_seconds", "slots", "readings", "last_slot"))
    return totals


def _online_full(kind: _Kind, start: int, end: int) -> dict[int, OnlineCount]:
    """The day's counts from all its rows, without the tallies (the reference the incremental runs match)."""
    before, _after = _online_scan(kind, start, end, end)
    return before


@transaction.atomic
def online_rates_rollup(*, day: date, now_ms: int | None = None, full: bool = False) -> int:
    """Bring the day's online rates of every active point, gateway and enterprise up to date; return the rows
    written.

    Time reporting: a point is online for a reporting period in which it sent at least one reading (so a
    burst does not make up for silence); a gateway for each minute (or period, if longer) in which it
    delivered a message. Time expected: the day so far (all of it, once it is over). An enterprise's rate
    is its points' online time over their expected time together.

    The work is proportional to what arrived since the last run: the periods counted up to a settled time
    are kept per point and gateway (OnlineTally), and each run scans only the readings after that time;
    a point that received a reading older than that is counted again (OnlineRecount). `full=True` counts
    the day from all its readings instead (the same figures, at the cost of the whole day), leaving the
    tallies as they are.
    """
    now_ms = ingest.now_ms() if now_ms is None else now_ms
    start, end = day_bounds_ms(day)
    expected = max(0, (min(end, now_ms) - start) // 1000)
    if not expected:
        return 0
    progress, _created = OnlineProgress.objects.select_for_update().get_or_create(
        day=day, defaults={"settled_until": start})
    points = list(MonitoringPoint._base_manager.values_list("pk", "enterprise_id", "region_id",
                                                            "report_period_seconds", "is_active"))
    gateways = list(Gateway._base_manager.values_list("pk", "enterprise_id", "region_id", "report_period_seconds",
                                                      "is_active"))
    if full:
        point_counts = _online_full(_KINDS[OnlineSubject.POINT], start, end)
        gateway_counts = _online_full(_KINDS[OnlineSubject.GATEWAY], start, end)
    else:
        settled = progress.settled_until
        horizon = now_ms - online_settle_ms() - ONLINE_SAFETY_MS
        settle_to = max(settled, min(end, horizon - horizon % 60_000))
        marks = list(OnlineRecount.objects.filter(day=day).values_list("pk", "point_id"))
        window = {"day": day, "start": start, "settled": settled, "settle_to": settle_to, "end": end}
        point_counts = _online_advance(_KINDS[OnlineSubject.POINT], periods={p[0]: p[3] for p in points},
                                       recount={pk for _mark, pk in marks}, **window)
        gateway_counts = _online_advance(_KINDS[OnlineSubject.GATEWAY], periods={g[0]: max(g[3], 60) for g in gateways},
                                         recount=set(), **window)
        if settle_to != settled:
            progress.settled_until = settle_to
            progress.save(update_fields=["settled_until"])
        ids = [mark for mark, _pk in marks]
        for i in range(0, len(ids), 1000):
            OnlineRecount.objects.filter(pk__in=ids[i:i + 1000]).delete()
    computed_at = ingest.datetime_from_ms(now_ms)
    rows: list[tuple] = []
    totals: dict[int, list] = {}
    empty = OnlineCount()
    for pk, enterprise_id, region_id, period, active in points:
        if not active:
            continue
        count = point_counts.get(pk, empty)
        online = min(expected, count.slots * period)
        rows.append((day, OnlineSubject.POINT.value, pk, None, enterprise_id, region_id, expected, online,
                     count.readings, online / expected, computed_at))
        total = totals.setdefault(enterprise_id, [region_id, 0, 0, 0])
        total[1] += online
        total[2] += expected
        total[3] += count.readings
    for enterprise_id, (region_id, online, wanted, count) in totals.items():
        rows.append((day, OnlineSubject.ENTERPRISE.value, None, None, enterprise_id, region_id,
                     min(wanted, 2**31 - 1), min(online, 2**31 - 1), min(count, 2**31 - 1), online / wanted,
                     computed_at))
    for pk, enterprise_id, region_id, period, active in gateways:
        if not active:
            continue
        online = min(expected, gateway_counts.get(pk, empty).slots * max(period, 60))
        rows.append((day, OnlineSubject.GATEWAY.value, None, pk, enterprise_id, region_id, expected, online, 0,
                     online / expected, computed_at))
    OnlineRate.objects.filter(day=day).delete()
    bulk.insert_rows(OnlineRate, ("day", "subject", "point", "gateway", "enterprise", "region", "expected_seconds",
                                  "online_seconds", "readings", "rate", "computed_at"), rows)
    return len(rows)
