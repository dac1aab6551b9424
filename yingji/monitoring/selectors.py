"""Read queries of the live boards, the trend chart and the online rate; every one starts from restrict()."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Min, Q

from yingji.enterprises.models import Enterprise
from yingji.monitoring.models import (
    ALARM_LEVEL_COLORS,
    Alarm,
    AlarmLevel,
    AlarmStatus,
    LatestReading,
    MajorHazardSource,
    MonitoringPoint,
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
    worst = dict(Alarm.objects.restrict(user, "view").filter(OPEN, enterprise_id__in=enterprise_ids)
                 .values_list("enterprise_id").annotate(level=Min("level")))
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
                           "category_label": str(labels[level]) + "报警" if level else "正常"},
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


def online_rates(user, day_start_ms: int) -> dict[str, Any]:
    """Online rate of one day: per point (readings received / readings expected from its period, at most 1),
    per enterprise (time-weighted over its points) and per county; one scan of that day's readings (the
    BRIN index on ts bounds it)."""
    points = list(MonitoringPoint.objects.restrict(user, "view").filter(is_active=True)
                  .select_related("enterprise", "region").values_list(
                      "pk", "tag", "name", "report_period_seconds", "enterprise_id", "enterprise__name", "region_id"))
    if not points:
        return {"points": [], "enterprises": [], "counties": []}
    day_end = day_start_ms + 86_400_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT point_id, count(*) FROM monitoring_reading WHERE ts >= %s AND ts < %s GROUP BY point_id",
                       [day_start_ms, day_end])
        counts = dict(cursor.fetchall())
    point_rows = []
    by_enterprise: dict[int, dict[str, Any]] = {}
    for pk, tag, name, period, enterprise_id, enterprise_name, region_id in points:
        expected = 86_400 / period
        rate = min(1.0, counts.get(pk, 0) / expected)
        point_rows.append({"id": pk, "tag": tag, "name": name, "enterprise": enterprise_name, "rate": rate})
        row = by_enterprise.setdefault(enterprise_id, {"id": enterprise_id, "name": enterprise_name,
                                                       "county": region_id[:6] + "000000", "points": 0,
                                                       "rate_sum": 0.0})
        row["points"] += 1
        row["rate_sum"] += rate
    enterprises = []
    by_county: dict[str, list[float]] = {}
    for row in by_enterprise.values():
        row["rate"] = row["rate_sum"] / row["points"]
        enterprises.append(row)
        by_county.setdefault(row["county"], []).append(row["rate"])
    from yingji.core.models import Region

    names = dict(Region.objects.filter(code__in=list(by_county)).values_list("code", "name"))
    counties = sorted(({"code": code, "name": names.get(code, code), "enterprises": len(rates),
                        "rate": sum(rates) / len(rates)} for code, rates in by_county.items()),
                      key=lambda r: -r["rate"])
    enterprises.sort(key=lambda r: r["rate"])
    point_rows.sort(key=lambda r: r["rate"])
    return {"points": point_rows, "enterprises": enterprises, "counties": counties}
