"""What incidents offers to other apps' pages (`yingji.core.contributions`): the open and overdue incidents of the
leaders' cockpit (kept counted per township), today's duty, the open incidents on its map, and the incident
section of the monthly report. Drills are left out of all of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import roles
from yingji.core.contributions import (
    CockpitFigures,
    CockpitPart,
    CockpitQuery,
    Figure,
    HomeFigures,
    ReportMonth,
    ReportSection,
    RollupCount,
    has_role,
)
from yingji.core.models import User
from yingji.incidents.models import (
    GRADE_COLORS,
    DispatchTask,
    DutyShift,
    Grade,
    Incident,
    IncidentReport,
    ReportStatus,
    TaskStatus,
)


def cockpit_incidents(query: CockpitQuery) -> CockpitPart:
    """Open and overdue incidents, from the roll-up (counted directly below a township)."""
    counts = query.counts()
    keys = ("open_incidents", "overdue_incidents")
    return CockpitPart(values={key: counts["totals"].get(key, 0) for key in keys},
                       children={child: {key: values[key] for key in keys if key in values}
                                 for child, values in counts["children"].items()})


def cockpit_duty(query: CockpitQuery) -> CockpitPart:
    """Who is on duty today in the region's own bureau (the organisations of exactly that region)."""
    today = timezone.localdate()
    rows: list[dict[str, str]] = []
    if query.may("incidents.DutyShift"):
        shifts = (DutyShift.objects.restrict(query.principal, "view").filter(region_id=query.region.code, date=today)
                  .select_related("organization").order_by("organization_id", "position", "pk"))
        rows = [{"organization": s.organization.name, "position": str(s.get_position_display()),
                 "person": s.person_name, "phone": s.phone} for s in shifts[:12]]
    return CockpitPart(panels={"duty": rows, "duty_url": query.url("incidents:dutyshift_list",
                                                                   date=today.isoformat())})


def cockpit_incident_points(query: CockpitQuery, limit: int = 200) -> CockpitPart:
    """The newest open incidents for the cockpit's map (the region index serves the order)."""
    # Every open incident has a report deadline until its 终报 (incidents.services), so the index on
    # next_report_due finds the few open ones instead of walking the region's whole history.
    rows = (Incident.objects.restrict(query.principal, "view")
            .filter(next_report_due__isnull=False, closed=False, is_exercise=False)
            .order_by("-occurred_at").values_list("pk", "title", "grade", "longitude", "latitude", "occurred_at",
                                                  "region__name")[:limit])
    grades = dict(Grade.choices)
    return CockpitPart(panels={"incidents": [
        {"id": pk, "name": title, "grade": grade, "grade_label": str(grades.get(grade, "")),
         "color": GRADE_COLORS.get(grade, "#555"), "lon": lon, "lat": lat, "region": region,
         "occurred_at": timezone.localtime(occurred).strftime("%Y-%m-%d %H:%M"),
         "url": reverse("incidents:incident_detail", args=[pk])}
        for pk, title, grade, lon, lat, occurred, region in rows]})


def report_incidents(principal: User, month: ReportMonth) -> dict[str, Any]:
    """The month's incidents and the month before: totals, casualties, losses, late reports, by grade."""

    def summary(first: ReportMonth) -> dict[str, Any]:
        start, end = first.bounds()
        incidents = Incident.objects.restrict(principal, "view").filter(occurred_at__gte=start, occurred_at__lt=end,
                                                                         is_exercise=False)
        sums = incidents.aggregate(total=Count("pk"), deaths=Sum("deaths"), missing=Sum("missing"),
                                   injuries=Sum("serious_injuries"), loss=Sum("direct_loss_yuan"))
        grades = dict(incidents.values_list("grade").annotate(n=Count("pk")).order_by())
        late = IncidentReport.objects.restrict(principal, "view").filter(
            incident__in=incidents, late=True).count()
        return {"total": sums["total"] or 0, "deaths": sums["deaths"] or 0, "missing": sums["missing"] or 0,
                "serious_injuries": sums["injuries"] or 0, "direct_loss_yuan": float(sums["loss"] or Decimal(0)),
                "late_reports": late,
                "by_grade": [{"key": value, "name": str(label), "total": grades.get(value, 0)}
                             for value, label in Grade.choices]}

    return {"current": summary(month), "last_month": summary(ReportMonth(month.previous))}


ROLLUP_COUNTS = [
    RollupCount("open_incidents", "incidents.Incident", lambda: Q(closed=False, is_exercise=False)),
    RollupCount("overdue_incidents", "incidents.Incident",
                lambda: Q(closed=False, is_exercise=False, overdue_since__isnull=False)),
]

COCKPIT_FIGURES = [
    CockpitFigures("incidents", (
        Figure("open_incidents", _("在办突发事件"), _("起"), "incidents:incident_list"),
        Figure("overdue_incidents", _("事件报送超时"), _("起"), "incidents:incident_list", {"overdue": "true"},
               overdue=True),
    ), cockpit_incidents, model="incidents.Incident"),
    CockpitFigures("duty", (), cockpit_duty),
    CockpitFigures("incident_map", (), cockpit_incident_points, model="incidents.Incident"),
]

REPORT_SECTIONS = [ReportSection("incidents", report_incidents)]


def home_duty(user: User, root) -> dict[str, Any]:
    """The duty room's workbench: today's duty, open incidents (and those overdue for a report), reports sent to
    the user's level still unsigned, dispatch tasks under way."""
    today = timezone.localdate()
    incidents = Incident.objects.restrict(user, "view").filter(closed=False, is_exercise=False)
    counts = incidents.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(overdue_since__isnull=False)))
    unsigned = (IncidentReport.objects.restrict(user, "view")
                .filter(status=ReportStatus.SUBMITTED, to_region_id=user.scope_region_id).count()
                if user.scope_region_id else 0)
    tasks = DispatchTask.objects.restrict(user, "view").exclude(status=TaskStatus.COMPLETED).count()
    shifts = (DutyShift.objects.restrict(user, "view").filter(date=today, region_id=getattr(root, "code", None))
              .select_related("organization").order_by("organization_id", "position", "pk")[:8])
    incident_list = reverse("incidents:incident_list")
    return {"title": _("值班值守"), "key": "duty", "tiles": [
        {"label": _("未结事件"), "value": counts["open"], "url": incident_list},
        {"label": _("报送超时"), "value": counts["overdue"], "url": f"{incident_list}?overdue=true",
         "alert": bool(counts["overdue"])},
        {"label": _("待签收报告"), "value": unsigned, "url": f"{reverse('incidents:incidentreport_list')}?status=submitted",
         "alert": bool(unsigned)},
        {"label": _("执行中的调度任务"), "value": tasks, "url": reverse("incidents:dispatchtask_list")},
    ], "lines": [{"text": _("今日值班：%(unit)s %(position)s %(person)s %(phone)s") % {
        "unit": s.organization.name, "position": s.get_position_display(), "person": s.person_name, "phone": s.phone}}
        for s in shifts] or [{"text": _("今日暂无排班"),
                              "url": f"{reverse('incidents:dutyshift_list')}?date={today.isoformat()}"}]}


HOME_FIGURES = [HomeFigures("duty", "core/includes/home_tiles.html", home_duty, order=10,
                            fits=lambda user: has_role(user, roles.DUTY_OFFICER, roles.ADMIN)
                            and not user.scope_enterprise_id)]
