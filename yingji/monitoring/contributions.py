"""What monitoring offers to other apps' pages (`yingji.core.contributions`): open and unacknowledged alarms and
the online rate of the leaders' cockpit, the monitored enterprises on the command map, the alarm section of the
monthly report."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import roles
from yingji.core.contributions import (
    CockpitFigures,
    CockpitPart,
    CockpitQuery,
    Figure,
    HomeFigures,
    MapLayer,
    ReportMonth,
    ReportSection,
    RollupCount,
    has_role,
)
from yingji.core.models import User
from yingji.monitoring.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    AlarmStatus,
    MonitoringPoint,
    OnlineRate,
    OnlineSubject,
)
from yingji.monitoring.selectors import monitored_enterprises_geojson
from yingji.monitoring.tasks import offline_factor


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def cockpit_alarms(query: CockpitQuery) -> CockpitPart:
    """Open and unacknowledged alarms, from the roll-up (counted directly below a township)."""
    counts = query.counts()
    keys = ("open_alarms", "unacknowledged_alarms")
    return CockpitPart(values={key: counts["totals"].get(key, 0) for key in keys},
                       children={child: {key: values[key] for key in keys if key in values}
                                 for child, values in counts["children"].items()})


def cockpit_online_rate(query: CockpitQuery) -> CockpitPart:
    """Points online now: a reading received within the offline allowance of their period."""
    now_ms = int(timezone.now().timestamp() * 1000)
    points = MonitoringPoint.objects.restrict(query.principal, "view").filter(is_active=True)
    allowance = F("report_period_seconds") * int(offline_factor() * 1000)
    counts = points.aggregate(total=Count("pk"), online=Count("pk", filter=Q(latest__received_at__gte=now_ms - allowance)))
    total, online = counts["total"], counts["online"]
    return CockpitPart(values={"online_rate": _rate(online, total)},
                       details={"online_rate": _("在线 %(online)d / %(points)d 个监测点") % {"online": online,
                                                                                      "points": total}})


def monitored_enterprises(user: User) -> dict[str, Any]:
    """Enterprises with major hazard sources, coloured by their worst open alarm (the monitoring board's layer)."""
    data = monitored_enterprises_geojson(user)
    for feature in data["features"]:
        p = feature["properties"]
        p["label"] = f"重大危险源企业·{p.pop('category_label', '')}"
        p["url"] = reverse("enterprises:enterprise_detail", args=[p["id"]])
    return data


def report_alarms(principal: User, month: ReportMonth) -> dict[str, Any]:
    """The month's alarms by level and kind, points in use and the month's online rate."""
    start, end = month.bounds()
    alarms = Alarm.objects.restrict(principal, "view").filter(started_at__gte=start, started_at__lt=end)
    by_level = dict(alarms.values_list("level").annotate(n=Count("pk")).order_by())
    by_kind = dict(alarms.values_list("kind").annotate(n=Count("pk")).order_by())
    total = sum(by_level.values())
    closed = alarms.filter(status=AlarmStatus.CLOSED).count()
    points = MonitoringPoint.objects.restrict(principal, "view").filter(is_active=True).count()
    # The month's online rate is its days' point roll-ups added up (time reporting ÷ time expected), the same
    # figure as the online-rate page's, never a scan of the month's readings.
    days = (OnlineRate.objects.restrict(principal, "view")
            .filter(subject=OnlineSubject.POINT, day__gte=month.first, day__lt=month.next)
            .aggregate(online=Sum("online_seconds"), expected=Sum("expected_seconds")))
    rate = _rate(days["online"] or 0, days["expected"] or 0)
    return {"total": total, "closed": closed, "points": points, "online_rate": rate,
            "by_level": [{"name": str(label), "total": by_level.get(value, 0)} for value, label in AlarmLevel.choices],
            "by_kind": [{"name": str(label), "total": by_kind.get(value, 0)} for value, label in AlarmKind.choices]}


ROLLUP_COUNTS = [
    RollupCount("open_alarms", "monitoring.Alarm", lambda: ~Q(status="closed")),
    RollupCount("unacknowledged_alarms", "monitoring.Alarm", lambda: Q(status="unacknowledged")),
]

COCKPIT_FIGURES = [
    CockpitFigures("alarms", (
        Figure("open_alarms", gettext_lazy("未消警报警"), gettext_lazy("条"), "monitoring:alarm_list",
               {"open": "true"}),
        Figure("unacknowledged_alarms", gettext_lazy("未确认报警"), gettext_lazy("条"), "monitoring:alarm_list",
               {"status": "unacknowledged"}, overdue=True),
    ), cockpit_alarms, model="monitoring.Alarm"),
    CockpitFigures("online_rate", (
        Figure("online_rate", gettext_lazy("监测在线率"), "%", "monitoring:online_rate", regional=False),
    ), cockpit_online_rate, model="monitoring.MonitoringPoint"),
]

MAP_LAYERS = [MapLayer("monitoring", gettext_lazy("重大危险源企业（报警）"), monitored_enterprises)]

REPORT_SECTIONS = [ReportSection("alarms", report_alarms)]


def home_alarms(user: User, root) -> dict[str, Any] | None:
    """Open alarms in the user's jurisdiction (an enterprise's own), the unacknowledged among them."""
    if not user.has_perm("monitoring.view_alarm"):
        return None
    counts = Alarm.objects.restrict(user, "view").exclude(status=AlarmStatus.CLOSED).aggregate(
        open=Count("pk"), unacknowledged=Count("pk", filter=Q(status=AlarmStatus.UNACKNOWLEDGED)))
    alarms = reverse("monitoring:alarm_list")
    return {"title": _("监测报警"), "key": "alarms", "tiles": [
        {"label": _("未消警报警"), "value": counts["open"], "url": f"{alarms}?open=true"},
        {"label": _("未确认报警"), "value": counts["unacknowledged"], "url": f"{alarms}?status=unacknowledged",
         "alert": bool(counts["unacknowledged"])},
    ]}


HOME_FIGURES = [HomeFigures("alarms", "core/includes/home_tiles.html", home_alarms, order=30,
                            fits=lambda user: has_role(user, roles.DUTY_OFFICER, roles.MONITOR, roles.ENTERPRISE_MANAGER,
                                                       roles.ADMIN))]
