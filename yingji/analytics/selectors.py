"""The figures of the leaders' cockpit (指挥大屏) for one region, read from roll-ups.

Every figure is computed for the *scope* of a region: the cockpit asks on behalf of a principal whose jurisdiction
is exactly that region (`scope_principal`), so the other apps' selectors, which take a user, answer for the region
the leader drilled into and never beyond it. Whether a figure is shown at all follows the real user's
permissions. Large tables are read from roll-ups only: hazards from `HazardStat` (kept by the hazards services),
incidents and alarms from `Tally` (kept by `yingji.analytics.rollups`); the other tables are small and counted
through their indexes.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.analytics.rollups import tally_sums
from yingji.core.models import Region, User
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import child_prefix_length, region_root_for

log = logging.getLogger(__name__)

NO_DATA = "暂无数据"
ROLLUP_LEVELS = ("province", "city", "county", "township")


def scope_principal(region: Region) -> User:
    """An in-memory principal (never saved) whose jurisdiction is exactly `region` and its subtree.

    Callers check first that the real user may see `region`; `restrict()` then limits every query to it.
    """
    return User(username=f"scope:{region.code}", is_active=True, is_superuser=True, scope_region=region)


def cockpit_region(user: User, code: str | None) -> Region:
    """The region the cockpit shows: the user's own, or one inside it they drilled into (404 outside it)."""
    from django.shortcuts import get_object_or_404

    if not user.has_perm("analytics.open_cockpit") or user.scope_enterprise_id:
        raise PermissionDenied(_("您没有查看指挥大屏的权限。"))
    if code:
        region = get_object_or_404(Region.objects.restrict(user, "view"), pk=code)
    else:
        region = region_root_for(user)
    if region is None:
        raise PermissionDenied(_("您的账号没有管辖区域，无法查看指挥大屏。"))
    return region


def external(module: str, name: str, **kwargs: Any) -> Any:
    """Call another app's selector if it exists yet; None (shown as 暂无数据) when it does not."""
    try:
        func = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return func(**kwargs)


def _url(name: str, region: Region | None = None, **params: Any) -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    if region is not None and region.level != "village":
        params["region"] = region.code
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


def _may(user: User, label: str) -> bool:
    return has_model_perm(user, apps.get_model(label), "view")


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _figure(label: str, value: Any, url: str = "", unit: str = "", **extra: Any) -> dict[str, Any]:
    return {"label": label, "value": NO_DATA if value is None else value, "unit": "" if value is None else unit,
            "url": url, "missing": value is None, **extra}


# -- one function per loop ------------------------------------------------------------------------------------------


def hazard_figures(principal: User, region: Region, child_length: int | None) -> dict[str, Any]:
    """Open 重大隐患 and overdue hazards: from the monthly roll-up for a township and above, else counted."""
    from yingji.hazards.models import Hazard, HazardLevel, HazardStat, HazardStatus, StatDimension

    children: dict[str, dict[str, int]] = {}
    if region.level in ROLLUP_LEVELS:
        stats = HazardStat.objects.restrict(principal, "view").filter(dimension=StatDimension.LEVEL)
        sums = {"found": Sum("found"), "closed": Sum("closed"), "overdue": Sum("overdue")}
        if child_length:
            rows = (stats.annotate(child=Substr("region_id", 1, child_length)).values_list("child", "key")
                    .annotate(**sums).order_by())
        else:
            rows = ((None, key, *rest) for key, *rest in stats.values_list("key").annotate(**sums).order_by())
        major_open = overdue = 0
        for child, key, found, closed, late in rows:
            entry = children.setdefault(child, {"major_hazards": 0, "overdue_hazards": 0})
            if key == HazardLevel.MAJOR:
                entry["major_hazards"] += (found or 0) - (closed or 0)
                major_open += (found or 0) - (closed or 0)
            entry["overdue_hazards"] += late or 0
            overdue += late or 0
    else:
        hazards = Hazard.objects.restrict(principal, "view").exclude(status=HazardStatus.CLOSED)
        major_open = hazards.filter(level=HazardLevel.MAJOR).count()
        overdue = hazards.filter(overdue_since__isnull=False).count()
    return {"major_hazards": major_open, "overdue_hazards": overdue, "children": children}


def tally_figures(principal: User, region: Region, child_length: int | None) -> dict[str, Any]:
    """Open and overdue incidents, open and unacknowledged alarms: summed from the tallies, counted below a township."""
    from yingji.incidents.models import Incident
    from yingji.monitoring.models import Alarm

    if region.level in ROLLUP_LEVELS:
        sums = tally_sums(region.prefix, child_length)
        totals = {metric: values.get("", 0) for metric, values in sums.items()}
        children: dict[str, dict[str, int]] = {}
        for metric, values in sums.items():
            for child, value in values.items():
                if child:
                    children.setdefault(child, {})[metric] = value
        return {**{key: totals.get(key, 0) for key in ("open_incidents", "overdue_incidents", "open_alarms",
                                                        "unacknowledged_alarms")}, "children": children}
    incidents = Incident.objects.restrict(principal, "view").filter(closed=False, is_exercise=False)
    alarms = Alarm.objects.restrict(principal, "view").exclude(status="closed")
    return {"open_incidents": incidents.count(), "overdue_incidents": incidents.filter(overdue_since__isnull=False)
            .count(), "open_alarms": alarms.count(), "unacknowledged_alarms": alarms.filter(
                status="unacknowledged").count(), "children": {}}


def online_rate(principal: User) -> dict[str, Any]:
    """Points online now: a reading received within the offline allowance of their period (monitoring's rule)."""
    from yingji.monitoring.models import MonitoringPoint
    from yingji.monitoring.tasks import offline_factor

    now_ms = int(timezone.now().timestamp() * 1000)
    points = MonitoringPoint.objects.restrict(principal, "view").filter(is_active=True)
    allowance = F("report_period_seconds") * int(offline_factor() * 1000)
    counts = points.aggregate(total=Count("pk"), online=Count("pk", filter=Q(latest__received_at__gte=now_ms - allowance)))
    total, online = counts["total"], counts["online"]
    return {"points": total, "online": online, "rate": _rate(online, total)}


def warning_figures(principal: User) -> dict[str, Any]:
    """Warnings in force issued in the region, and 叫应 of the people in the region addressed by warnings in force."""
    from yingji.warnings.models import Recipient, RecipientStatus, Warning, WarningStatus

    now = timezone.now()
    active = Warning.objects.restrict(principal, "view").filter(status=WarningStatus.PUBLISHED, expires__gt=now)
    by_level = dict(active.values_list("level").annotate(n=Count("pk")).order_by())
    recipients = Recipient.objects.restrict(principal, "view").filter(warning__status=WarningStatus.PUBLISHED,
                                                                      warning__expires__gt=now)
    counts = recipients.aggregate(total=Count("pk"), acknowledged=Count("pk", filter=Q(status=RecipientStatus.ACKNOWLEDGED)),
                                  overdue=Count("pk", filter=Q(status=RecipientStatus.PENDING, step__gte=1)))
    total = counts["total"] or 0
    acknowledged = counts["acknowledged"] or 0
    return {"active": sum(by_level.values()), "by_level": by_level, "recipients": total,
            "acknowledged": acknowledged, "ack_rate": _rate(acknowledged, total), "unanswered": counts["overdue"] or 0}


def resource_figures(principal: User) -> dict[str, Any]:
    from yingji.resources.models import RescueTeam, Shelter, TeamStatus

    teams = RescueTeam.objects.restrict(principal, "view")
    team_counts = teams.aggregate(total=Count("pk"), standby=Count("pk", filter=Q(status=TeamStatus.STANDBY)),
                                  members=Sum("member_count", filter=Q(status=TeamStatus.STANDBY)))
    shelters = Shelter.objects.restrict(principal, "view").aggregate(count=Count("pk"), capacity=Sum("capacity"),
                                                                       occupancy=Sum("occupancy"))
    return {"teams": team_counts["total"] or 0, "teams_standby": team_counts["standby"] or 0,
            "members_standby": team_counts["members"] or 0, "shelters": shelters["count"] or 0,
            "shelter_capacity": shelters["capacity"] or 0,
            "shelter_free": (shelters["capacity"] or 0) - (shelters["occupancy"] or 0)}


def today_duty(principal: User, region: Region) -> list[dict[str, str]]:
    """Who is on duty today in the region's own bureau (the organisations of exactly that region)."""
    from yingji.incidents.models import DutyShift

    shifts = (DutyShift.objects.restrict(principal, "view").filter(region_id=region.code, date=timezone.localdate())
              .select_related("organization").order_by("organization_id", "position", "pk"))
    return [{"organization": s.organization.name, "position": str(s.get_position_display()),
             "person": s.person_name, "phone": s.phone} for s in shifts[:12]]


def open_incident_points(principal: User, limit: int = 200) -> list[dict[str, Any]]:
    """The newest open incidents for the map (the region index serves the order; drills left out)."""
    from yingji.incidents.models import GRADE_COLORS, Incident

    # Every open incident has a report deadline until its 终报 (incidents.services), so the index on
    # next_report_due finds the few open ones instead of walking the region's whole history.
    rows = (Incident.objects.restrict(principal, "view")
            .filter(next_report_due__isnull=False, closed=False, is_exercise=False)
            .order_by("-occurred_at").values_list("pk", "title", "grade", "longitude", "latitude")[:limit])
    return [{"id": pk, "name": title, "grade": grade, "color": GRADE_COLORS.get(grade, "#555"), "lon": lon,
             "lat": lat, "url": reverse("incidents:incident_detail", args=[pk])} for pk, title, grade, lon, lat in rows]


def _guarded(func: Callable[[], Any], what: str) -> Any:
    """Another app's figure, or None if it fails: one broken loop must not blank the leaders' screen."""
    try:
        return func()
    except Exception:
        log.exception("cockpit figure %s failed", what)
        return None


# -- the whole screen -----------------------------------------------------------------------------------------------


def cockpit_data(user: User, region: Region) -> dict[str, Any]:
    """Every figure of the cockpit for `region` (already checked to be inside `user`'s jurisdiction)."""
    principal = scope_principal(region)
    child_length = child_prefix_length(region) if region.level in ("province", "city", "county") else None
    figures: dict[str, dict[str, Any]] = {}
    children: dict[str, dict[str, int]] = {}

    if _may(user, "incidents.Incident") or _may(user, "monitoring.Alarm"):
        tallies = tally_figures(principal, region, child_length)
        for child, values in tallies["children"].items():
            children.setdefault(child, {}).update(values)
    if _may(user, "incidents.Incident"):
        figures["open_incidents"] = _figure(_("在办突发事件"), tallies["open_incidents"],
                                            _url("incidents:incident_list", region), _("起"))
        figures["overdue_incidents"] = _figure(_("事件报送超时"), tallies["overdue_incidents"],
                                               _url("incidents:incident_list", region, overdue="true"), _("起"),
                                               overdue=True)
    if _may(user, "monitoring.Alarm"):
        figures["open_alarms"] = _figure(_("未消警报警"), tallies["open_alarms"],
                                         _url("monitoring:alarm_list", region, open="true"), _("条"))
        figures["unacknowledged_alarms"] = _figure(_("未确认报警"), tallies["unacknowledged_alarms"],
                                                   _url("monitoring:alarm_list", region, status="unacknowledged"),
                                                   _("条"), overdue=True)
    if _may(user, "monitoring.MonitoringPoint"):
        online = online_rate(principal)
        figures["online_rate"] = _figure(_("监测在线率"), online["rate"], _url("monitoring:online_rate"), "%",
                                         detail=_("在线 %(online)d / %(points)d 个监测点") % online)
    if _may(user, "hazards.Hazard"):
        hazards = hazard_figures(principal, region, child_length)
        for child, values in hazards["children"].items():
            if child:
                children.setdefault(child, {}).update(values)
        figures["major_hazards"] = _figure(_("未销号重大隐患"), hazards["major_hazards"],
                                           _url("hazards:hazard_major", region), _("项"))
        figures["overdue_hazards"] = _figure(_("逾期未整改隐患"), hazards["overdue_hazards"],
                                             _url("hazards:hazard_list", region, overdue="true"), _("项"),
                                             overdue=True)
    if _may(user, "warnings.Warning"):
        warnings = warning_figures(principal)
        figures["active_warnings"] = _figure(_("生效预警"), warnings["active"],
                                             _url("warnings:warning_list", region, status="published"), _("条"),
                                             by_level=warnings["by_level"])
        figures["ack_rate"] = _figure(_("叫应率"), warnings["ack_rate"],
                                      _url("warnings:warning_list", region, status="published"), "%",
                                      detail=_("已应答 %(acknowledged)d / %(recipients)d 人") % warnings)
        figures["unanswered"] = _figure(_("超时未应答"), warnings["unanswered"],
                                        _url("warnings:recipient_list", region, status="pending"), _("人"),
                                        overdue=True)
    if _may(user, "resources.RescueTeam"):
        resources = resource_figures(principal)
        figures["teams_standby"] = _figure(_("待命救援队伍"), resources["teams_standby"],
                                           _url("resources:rescueteam_list", region, status="standby"), _("支"),
                                           detail=_("待命队员 %(members_standby)d 人，共 %(teams)d 支") % resources)
        figures["shelter_capacity"] = _figure(_("避难场所可容纳"), resources["shelter_free"],
                                              _url("resources:shelter_list", region), _("人"),
                                              detail=_("%(shelters)d 处，总容量 %(shelter_capacity)d 人") % resources)

    fire = _guarded(lambda: external("yingji.disasters.selectors", "fire_danger_today", user=principal),
                    "fire_danger_today")
    figures["fire_danger"] = _figure(_("今日森林火险"), fire.get("max_level") if fire else None,
                                     _url("disasters:fire_map"), _("级"), levels=_fire_levels(fire),
                                     detail=_("%(townships)d 个乡镇，%(without_data)d 个无观测") % fire
                                     if fire and "townships" in fire else "")
    reports_overdue = _guarded(lambda: external("yingji.disasters.selectors", "disaster_reports_overdue",
                                                user=principal), "disaster_reports_overdue")
    figures["disaster_reports_overdue"] = _figure(_("灾情报送超时"), reports_overdue,
                                                  _url("disasters:disasterreport_list", region), _("份"), overdue=True)
    today = timezone.localdate()
    enforcement = _guarded(lambda: external("yingji.inspections.selectors", "enforcement_statistics", user=principal,
                                            start=today.replace(day=1), end=today), "enforcement_statistics")
    figures["cases"] = _figure(_("本月立案"), enforcement.get("cases") if enforcement else None,
                               _url("inspections:case_list", region), _("件"),
                               detail=(_("检查 %(inspections)s 次，处罚 %(penalties)s 起") % enforcement)
                               if enforcement else "")

    names = dict(Region.objects.filter(parent=region).order_by("code").values_list("code", "name")) \
        if child_length else {}
    child_rows = [{"code": code, "name": name, **{k: children.get(code[:child_length], {}).get(k, 0) for k in (
        "open_incidents", "open_alarms", "major_hazards", "overdue_hazards")},
        "url": reverse("analytics:cockpit") + f"?region={code}"} for code, name in names.items()]
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "updated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "figures": figures,
        "overdue": [key for key, f in figures.items() if f.get("overdue")],
        "duty": today_duty(principal, region) if _may(user, "incidents.DutyShift") else [],
        "duty_url": _url("incidents:dutyshift_list", region, date=today.isoformat()),
        "children": child_rows,
        "incidents": open_incident_points(principal) if _may(user, "incidents.Incident") else [],
    }


def _fire_levels(fire: dict | None) -> dict[str, int]:
    """Townships per danger level 1..5, as {"1": n, ...}."""
    counts = (fire or {}).get("counts") or {}
    return {str(level): int(counts.get(level, counts.get(str(level), 0)) or 0) for level in range(1, 6)}
