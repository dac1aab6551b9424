"""Read queries of the incident app: the timeline of an incident and the map data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yingji.core.models import Region, StateChange, User
from yingji.incidents.models import (
    GRADE_COLORS,
    Category,
    DispatchTask,
    EmergencyResponse,
    Grade,
    Incident,
    IncidentQuerySet,
    IncidentReport,
    MaterialAllocation,
)


def incidents_for(user: User, action: str = "view", *, exercise: bool = False) -> IncidentQuerySet:
    """Incidents the user may `action`: real ones by default, only drills with `exercise=True`.

    Every figure, list and map layer about incidents (here and in other apps, e.g. analytics) reads from this, so a
    drill run in exercise mode never counts as something that happened.
    """
    queryset = Incident.objects.restrict(user, action)
    return queryset.exercises() if exercise else queryset.real()


def real_incidents(user: User, action: str = "view") -> IncidentQuerySet:
    """The incidents that really happened in the user's jurisdiction (drills left out)."""
    return incidents_for(user, action)


def real_rows(model, user: User, action: str = "view"):
    """Reports, responses, tasks or allocations in the user's jurisdiction that belong to real incidents."""
    return model.objects.restrict(user, action).real()


def incident_statistics(user: User, *, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Real incidents in scope, optionally occurring in [start, end): totals and counts by grade, category, county
    and month. Drills are never counted."""
    queryset = real_incidents(user)
    if start is not None:
        queryset = queryset.filter(occurred_at__gte=_day_start(start))
    if end is not None:
        queryset = queryset.filter(occurred_at__lt=_day_start(end))
    totals = queryset.aggregate(count=Count("pk"), deaths=Sum("deaths"), missing=Sum("missing"),
                                serious_injuries=Sum("serious_injuries"), light_injuries=Sum("light_injuries"),
                                direct_loss_yuan=Sum("direct_loss_yuan"), overdue=Count("pk", filter=Q(
                                    overdue_since__isnull=False)))
    totals = {key: value or 0 for key, value in totals.items()}
    by_grade = dict(queryset.order_by().values_list("grade").annotate(n=Count("pk")))
    by_category = dict(queryset.order_by().values_list("category").annotate(n=Count("pk")))
    by_month = queryset.order_by().annotate(month=TruncMonth("occurred_at")).values_list("month").annotate(
        n=Count("pk")).order_by("month")
    return {
        "totals": totals,
        "by_grade": [{"name": str(label), "total": by_grade.get(value, 0), "color": GRADE_COLORS[value]}
                     for value, label in Grade.choices],
        "by_category": [{"name": str(label), "total": by_category.get(value, 0)} for value, label in Category.choices],
        "by_month": [{"name": timezone.localtime(month).strftime("%Y-%m") if timezone.is_aware(month)
                      else month.strftime("%Y-%m"), "total": n} for month, n in by_month],
        "by_county": _by_county(user, queryset),
    }


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _by_county(user: User, queryset) -> list[dict[str, Any]]:
    """Counts per county (the first 6 digits of the region code), named, largest first."""
    from django.db.models.functions import Substr

    counts = dict(queryset.order_by().annotate(county=Substr("region_id", 1, 6)).values_list("county")
                  .annotate(n=Count("pk")))
    names = dict(Region.objects.restrict(user, "view").filter(code__in=[c + "000000" for c in counts])
                 .values_list("code", "name"))
    return sorted(({"name": names.get(code + "000000", code), "total": n} for code, n in counts.items()),
                  key=lambda r: -r["total"])


def incident_timeline(user: User, incident: Incident) -> list[dict[str, Any]]:
    """Everything that happened to an incident, in order: reports, signatures, response, tasks, materials."""
    entries: list[tuple[datetime, int, str, str]] = [(
        incident.created_at, 0, "接报（演练）" if incident.is_exercise else "接报",
        f"{incident.reported_by or '系统'} 登记{'演练' if incident.is_exercise else ''}事件，等级：{incident.grade}")]
    reports = list(IncidentReport.objects.restrict(user, "view").filter(incident=incident).select_related(
        "submitted_by", "to_region"))
    for r in reports:
        entries.append((r.submitted_at, 1, r.get_kind_display(),
                        f"{r.submitted_by or '系统'} 报送至 {r.to_region.name}{'（超时）' if r.late else ''}"))
    responses = list(EmergencyResponse.objects.restrict(user, "view").filter(incident=incident))
    for response in responses:
        entries.append((response.started_at, 2, "启动响应", f"{response.get_level_display()}，指挥长 {response.commander}"))
    tasks = list(DispatchTask.objects.restrict(user, "view").filter(incident=incident).select_related(
        "team", "organization", "issued_by"))
    for t in tasks:
        entries.append((t.issued_at, 3, "下达任务", f"{t.team or t.organization}：{t.instruction}"))
    for a in MaterialAllocation.objects.restrict(user, "view").filter(incident=incident).select_related(
            "warehouse", "material"):
        entries.append((a.allocated_at, 4, "物资调拨", f"{a.warehouse.name} {a.material.name} "
                                                    f"{format(a.quantity.normalize(), 'f')}{a.material.unit}"
                                                    f"{'（演练，未出库）' if incident.is_exercise else ''}"))
    subjects = [(IncidentReport, [r.pk for r in reports]), (DispatchTask, [t.pk for t in tasks]),
                (EmergencyResponse, [r.pk for r in responses])]
    for model, pks in subjects:
        if not pks:
            continue
        changes = StateChange.objects.restrict(user, "view").filter(
            subject_type=ContentType.objects.get_for_model(model), subject_id__in=[str(pk) for pk in pks]
        ).select_related("actor")
        names = ({str(r.pk): str(r.get_kind_display()) for r in reports} if model is IncidentReport else
                 {str(t.pk): str(t.team or t.organization) for t in tasks} if model is DispatchTask else
                 {str(r.pk): "应急响应" for r in responses})
        for c in changes:
            entries.append((c.at, 5, c.action_label, f"{names.get(c.subject_id, '')} {c.actor or '系统'}"
                                                      f"{'：' + c.reason if c.reason else ''}"))
    entries.sort(key=lambda e: (e[0], e[1]))
    return [{"at": timezone.localtime(at), "what": what, "detail": detail} for at, _order, what, detail in entries]


def incident_geojson(queryset) -> dict[str, Any]:
    rows = queryset.values_list("pk", "code", "title", "grade", "longitude", "latitude", "occurred_at",
                                "overdue_since")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"id": pk, "code": code, "name": title, "grade": grade, "color": GRADE_COLORS.get(grade, "#555"),
                        "occurred_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), "overdue": bool(overdue)}}
        for pk, code, title, grade, lon, lat, at, overdue in rows]}
