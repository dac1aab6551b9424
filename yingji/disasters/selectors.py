"""Read queries of the disasters app, each scoped to the user; the analytics app calls the last three."""

from __future__ import annotations

import calendar
import datetime
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.disasters.models import (
    STAT_FIELDS,
    ConsultationStatus,
    DisasterEvent,
    DisasterReport,
    FireDanger,
    ReportDuty,
    ReportKind,
    ReportStatus,
    RiskJudgement,
    WeatherStation,
)
from yingji.standards import division

VALID_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def _distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def scope_root(user: User) -> Region | None:
    """The region a bureau user's pages start from (their scope), or the top region for a user without one."""
    if user.scope_region_id:
        return Region.objects.filter(pk=user.scope_region_id).first()
    return Region.objects.restrict(user, "view").order_by("code").first()


def township_levels(user: User, region: Region | None, date: datetime.date) -> list[dict[str, Any]]:
    """Each township under `region` in the user's scope with the level of its nearest station that day.

    Only stations the user may see count, so a county's map never draws on another county's station.
    Townships without a centroid, or with no station result that day, have level None.
    """
    townships = Region.objects.restrict(user, "view").filter(level="township")
    if region is not None:
        townships = townships.filter(code_prefix_q("code", region.prefix))
    results = list(FireDanger.objects.restrict(user, "view").filter(date=date)
                   .select_related("station").filter(station__active=True))
    rows = []
    for township in townships.order_by("code"):
        nearest, distance = None, None
        if township.longitude is not None and township.latitude is not None:
            for result in results:
                d = _distance_km(township.longitude, township.latitude, result.station.longitude,
                                 result.station.latitude)
                if distance is None or d < distance:
                    nearest, distance = result, d
        rows.append({
            "code": township.code, "name": township.name, "longitude": township.longitude,
            "latitude": township.latitude, "level": nearest.level if nearest else None,
            "fwi": nearest.fwi if nearest else None, "station": nearest.station.name if nearest else "",
            "distance_km": round(distance, 1) if distance is not None else None,
        })
    return rows


def fire_danger_today(*, user: User) -> dict[str, Any]:
    """Today's fire danger in the user's scope: townships per level 1..5, the highest level, and the date."""
    today = timezone.localdate()
    rows = township_levels(user, None, today)
    counts = {level: 0 for level in range(1, 6)}
    for row in rows:
        if row["level"]:
            counts[row["level"]] += 1
    levels = [row["level"] for row in rows if row["level"]]
    return {"date": today, "counts": counts, "max_level": max(levels) if levels else None,
            "townships": len(rows), "without_data": len(rows) - len(levels)}


def consultation_judgements(*, user: User, month: datetime.date) -> list[dict[str, Any]]:
    """The risks consultations judged for a month (their period covers part of it), in the user's scope."""
    first = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    judgements = (RiskJudgement.objects.restrict(user, "view")
                  .filter(consultation__period_start__lte=last, consultation__period_end__gte=first)
                  .exclude(consultation__status=ConsultationStatus.PLANNED)
                  .select_related("region", "consultation").order_by("-level", "region_id", "hazard_type"))
    return [{"region": j.region.name, "region_code": j.region_id, "hazard_type": j.get_hazard_type_display(),
             "level": j.level, "level_display": j.get_level_display(), "description": j.description,
             "consultation": j.consultation.topic} for j in judgements]


def open_duties(user: User):
    return ReportDuty.objects.restrict(user, "view").filter(fulfilled_at__isnull=True, cancelled=False)


def disaster_reports_overdue(*, user: User) -> int:
    """Reports (初报, 续报, 核报) past their deadline and not in, in the user's scope."""
    return open_duties(user).filter(due_at__lt=timezone.now()).count()


def latest_reports(user: User, event: DisasterEvent) -> dict[str, DisasterReport]:
    """Each reporting region's latest valid report for the event (the figures are cumulative)."""
    latest: dict[str, DisasterReport] = {}
    reports = (DisasterReport.objects.restrict(user, "view").filter(event=event, status__in=VALID_STATUSES)
               .order_by("region_id", "reported_at", "pk"))
    for report in reports:
        latest[report.region_id] = report
    return latest


def _effective(latest: dict[str, DisasterReport]) -> dict[str, DisasterReport]:
    # A township's own report is its verified total: its villages' reports are already inside it.
    townships = {code for code in latest if division.level_of(code) == "township"}
    return {code: r for code, r in latest.items()
            if division.level_of(code) == "township" or code[:9] + "000" not in townships}


def _zero() -> dict[str, Any]:
    return {name: Decimal(0) if name.endswith(("_ha", "_yuan")) else 0 for name in STAT_FIELDS}


def _add(total: dict[str, Any], report: DisasterReport) -> None:
    for name in STAT_FIELDS:
        total[name] += getattr(report, name)


def event_totals(user: User, event: DisasterEvent, region: Region | None = None) -> dict[str, Any]:
    effective = _effective(latest_reports(user, event))
    total = _zero()
    for code, report in effective.items():
        if region is None or code.startswith(region.prefix):
            _add(total, report)
    return total


def event_rollup(user: User, event: DisasterEvent, root: Region) -> list[dict[str, Any]]:
    """The event's figures summed for each child region of `root`, with who has not reported yet.

    County view: one row per township; city view: one row per county. `missing` counts the open report
    duties under the child (regions that owe a 初报, 续报 or 核报), `overdue` those past their deadline.
    """
    effective = _effective(latest_reports(user, event))
    children = list(Region.objects.restrict(user, "view").filter(parent=root).order_by("code"))
    duties = list(open_duties(user).filter(event=event).values_list("region_id", "due_at"))
    reported = latest_reports(user, event)
    now = timezone.now()
    rows = []
    for child in children:
        total = _zero()
        for code, report in effective.items():
            if code.startswith(child.prefix):
                _add(total, report)
        mine = [(code, due) for code, due in duties if code.startswith(child.prefix)]
        rows.append({
            "region": child, "totals": total,
            "reported": sum(1 for code in reported if code.startswith(child.prefix)),
            "missing": len({code for code, _due in mine}),
            "overdue": len({code for code, due in mine if due < now}),
        })
    return [row for row in rows if row["reported"] or row["missing"]]


def reporting_status(user: User, event: DisasterEvent) -> list[dict[str, Any]]:
    """Every affected region in scope: its latest report of each kind and what it still owes (the 未报 list)."""
    affected = event.affected_regions.filter(
        Q(pk__in=Region.objects.restrict(user, "view").values("pk"))).select_related("parent").order_by("code")
    by_region: dict[str, dict[str, DisasterReport]] = defaultdict(dict)
    for report in (DisasterReport.objects.restrict(user, "view").filter(event=event, status__in=VALID_STATUSES)
                   .order_by("reported_at", "pk")):
        by_region[report.region_id][report.kind] = report
    owed: dict[str, list[ReportDuty]] = defaultdict(list)
    for duty in open_duties(user).filter(event=event).order_by("due_at"):
        owed[duty.region_id].append(duty)
    now = timezone.now()
    rows = []
    for region in affected:
        reports = by_region.get(region.code, {})
        duties = owed.get(region.code, [])
        rows.append({
            "region": region, "initial": reports.get(ReportKind.INITIAL), "followup": reports.get(ReportKind.FOLLOWUP),
            "verification": reports.get(ReportKind.VERIFICATION), "duties": duties,
            "overdue": any(d.due_at < now for d in duties),
            "never_reported": not reports,
        })
    return rows


def station_points(user: User) -> list[dict[str, Any]]:
    """Stations in scope with their latest result, for the map."""
    stations = list(WeatherStation.objects.restrict(user, "view").filter(active=True))
    latest: dict[int, FireDanger] = {}
    for result in FireDanger.objects.restrict(user, "view").filter(
            station__in=stations, date__gte=timezone.localdate() - datetime.timedelta(days=3)).order_by("date"):
        latest[result.station_id] = result
    return [{"id": s.pk, "name": s.name, "longitude": s.longitude, "latitude": s.latitude,
             "level": latest[s.pk].level if s.pk in latest else None,
             "fwi": round(latest[s.pk].fwi, 1) if s.pk in latest else None,
             "date": latest[s.pk].date.isoformat() if s.pk in latest else None} for s in stations]
