"""Read queries of the live boards, the trend chart and the online rate; every one starts from restrict()."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Min, Q

from yingji.core.models import Region
from yingji.core.selectors import child_prefix_length, region_root_for
from yingji.enterprises.models import Enterprise
from yingji.monitoring.models import (
    ALARM_LEVEL_COLORS,
    Alarm,
    AlarmKind,
    AlarmLevel,
    AlarmStatus,
    LatestReading,
    MajorHazardSource,
    MonitoringPoint,
    OnlineRate,
    OnlineSubject,
)

OPEN = ~Q(status=AlarmStatus.CLOSED)
TREND_MAX_POINTS = 1500


def open_alarms(user, limit: int = 50) -> list[Alarm]:
    return list(Alarm.objects.restrict(user, "view").filter(OPEN)
                .select_related("point", "gateway", "enterprise").order_by("level", "-started_at")[:limit])


def alarm_counts(user) -> dict[str, int]:
    queryset = Alarm.objects.restrict(user, "view").filter(OPEN)
    counts = {str(level): 0 for level in AlarmLevel.values}
    for level in queryset.values_list("level", flat=True):
        counts[str(level)] += 1
    counts["unacknowledged"] = queryset.filter(status=AlarmStatus.UNACKNOWLEDGED).count()
    return counts


def monitored_enterprises_geojson(user) -> dict[str, Any]:
    """Enterprises with hazard sources in scope, coloured by their worst open alarm."""
    sources = MajorHazardSource.objects.restrict(user, "view")
    enterprise_ids = set(sources.values_list("enterprise_id", flat=True))
    open_alarms = list(Alarm.objects.restrict(user, "view").filter(OPEN, enterprise_id__in=enterprise_ids)
                   .values("enterprise_id").annotate(level=Min("level"), total=Count("pk")).order_by())
    worst = {row["enterprise_id"]: row["level"] for row in open_alarms}
    alarm_totals = {row["enterprise_id"]: row["total"] for row in open_alarms}
    source_totals = dict(sources.values_list("enterprise_id").annotate(n=Count("pk")).order_by())
    labels = dict(AlarmLevel.choices)
    rows = (Enterprise.objects.restrict(user, "view").filter(pk__in=enterprise_ids).exclude(longitude__isnull=True)
            .values_list("pk", "name", "longitude", "latitude"))
    features = []
    for pk, name, lon, lat in rows:
        level = worst.get(pk)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": pk, "name": name, "level": level, "color": ALARM_LEVEL_COLORS.get(level),
                           "category_label": str(labels[level]) + "报警" if level else "正常",
                           "figures": [["重大危险源", f"{source_totals.get(pk, 0)} 个"],
                                       ["未消警报警", f"{alarm_totals.get(pk, 0)} 条"]]},
        })
    return {"type": "FeatureCollection", "features": features}


def source_states(user, limit: int = 100) -> list[dict[str, Any]]:
    """Hazard sources with each point's current value and whether it is in alarm; those in alarm first."""
    sources = list(MajorHazardSource.objects.restrict(user, "view").select_related("enterprise")[:limit])
    points = (MonitoringPoint.objects.restrict(user, "view").filter(source__in=sources, is_active=True)
              .select_related("latest"))
    alarming = dict(Alarm.objects.restrict(user, "view").filter(OPEN, point__in=points, recovered_at__isnull=True)
                    .values_list("point_id").annotate(level=Min("level")))
    by_source: dict[int, list] = {}
    for point in points:
        latest = getattr(point, "latest", None)
        by_source.setdefault(point.source_id, []).append({
            "point": point, "value": latest.value if latest else None,
            "at": datetime.fromtimestamp(latest.ts / 1000, tz=UTC) if latest else None,
            "level": alarming.get(point.pk), "color": ALARM_LEVEL_COLORS.get(alarming.get(point.pk)),
        })
    rows = []
    for source in sources:
        point_rows = by_source.get(source.pk, [])
        levels = [p["level"] for p in point_rows if p["level"]]
        rows.append({"source": source, "points": point_rows, "level": min(levels) if levels else None})
    rows.sort(key=lambda r: (r["level"] or 9, r["source"].code))
    return rows


def trend(point: MonitoringPoint, start_ms: int, end_ms: int) -> list[list[float]]:
    """[ts ms, value] pairs of one point, averaged into at most TREND_MAX_POINTS buckets."""
    bucket = max(1, (end_ms - start_ms) // TREND_MAX_POINTS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (ts / %s) * %s AS t, avg(value) FROM monitoring_reading "
            "WHERE point_id = %s AND ts >= %s AND ts <= %s GROUP BY ts / %s ORDER BY t",
            [bucket, bucket, point.pk, start_ms, end_ms, bucket],
        )
        return [[int(t), round(float(v), 4)] for t, v in cursor.fetchall()]


def latest_of(user, point_ids) -> dict[int, LatestReading]:
    return LatestReading.objects.restrict(user, "view").in_bulk(list(point_ids))


def online_overview(user, day: date, below_percent: float) -> dict[str, Any]:
    """The day's online rates from the roll-up: overall, a ranking of the child regions of the user's
    jurisdiction (time-weighted over their enterprises), the enterprises below the threshold, and the
    worst gateways and points."""
    rows = OnlineRate.objects.restrict(user, "view").filter(day=day)
    enterprises = list(rows.filter(subject=OnlineSubject.ENTERPRISE).select_related("enterprise")
                       .order_by("rate", "enterprise__name"))
    root = region_root_for(user)
    ranking = []
    if root is not None and root.level != "village":
        length = child_prefix_length(root)
        names = {code[:length]: name for code, name in
                 Region.objects.filter(parent=root).values_list("code", "name")}
        sums: dict[str, list[int]] = {}
        for row in enterprises:
            total = sums.setdefault(row.region_id[:length], [0, 0, 0])
            total[0] += row.online_seconds
            total[1] += row.expected_seconds
            total[2] += 1
        ranking = sorted(({"code": code, "name": names.get(code, code), "enterprises": count,
                           "rate": online / expected if expected else 0.0,
                           "percent": round(100 * online / expected, 2) if expected else 0.0}
                          for code, (online, expected, count) in sums.items()), key=lambda r: -r["rate"])
    online = sum(r.online_seconds for r in enterprises)
    expected = sum(r.expected_seconds for r in enterprises)
    return {
        "overall": online / expected if expected else None,
        "overall_percent": round(100 * online / expected, 2) if expected else None,
        "computed_at": max((r.computed_at for r in enterprises), default=None),
        "ranking": ranking,
        "enterprises": enterprises,
        "below": [r for r in enterprises if r.rate * 100 < below_percent],
        "gateways": list(rows.filter(subject=OnlineSubject.GATEWAY).select_related("gateway", "enterprise")
                         .order_by("rate")[:20]),
        "points": list(rows.filter(subject=OnlineSubject.POINT).select_related("point", "enterprise")
                       .order_by("rate")[:20]),
    }


def enterprise_snapshots(user, enterprise_ids: list[int], day: date) -> dict[int, dict[str, Any]]:
    """What a patrol sees of each enterprise now: the day's online rate, points offline, open alarms."""
    snapshot = {pk: {"online_rate": None, "points_total": 0, "points_offline": 0, "open_alarms": 0,
                     "worst_level": None, "alarm_codes": []} for pk in enterprise_ids}
    for enterprise_id, rate in (OnlineRate.objects.restrict(user, "view")
                                .filter(day=day, subject=OnlineSubject.ENTERPRISE, enterprise_id__in=enterprise_ids)
                                .values_list("enterprise_id", "rate")):
        snapshot[enterprise_id]["online_rate"] = rate
    for enterprise_id in (MonitoringPoint.objects.restrict(user, "view")
                          .filter(enterprise_id__in=enterprise_ids, is_active=True)
                          .values_list("enterprise_id", flat=True)):
        snapshot[enterprise_id]["points_total"] += 1
    alarms = (Alarm.objects.restrict(user, "view").filter(OPEN, enterprise_id__in=enterprise_ids)
              .order_by("level", "-started_at").values_list("enterprise_id", "code", "level", "kind", "recovered_at"))
    for enterprise_id, code, level, kind, recovered_at in alarms:
        row = snapshot[enterprise_id]
        row["open_alarms"] += 1
        row["worst_level"] = level if row["worst_level"] is None else min(row["worst_level"], level)
        row["alarm_codes"].append(code)
        if kind == AlarmKind.POINT_OFFLINE and recovered_at is None:
            row["points_offline"] += 1
        if kind == AlarmKind.GATEWAY_OFFLINE and recovered_at is None:
            row["gateway_offline"] = True
    for row in snapshot.values():
        if row.pop("gateway_offline", False):
            row["points_offline"] = row["points_total"]  # the gateway's silence stands for all its points
    return snapshot
