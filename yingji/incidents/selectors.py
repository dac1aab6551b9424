"""Read queries of the incident app: the timeline of an incident and the map data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from yingji.core.models import StateChange, User
from yingji.incidents.models import (
    GRADE_COLORS,
    DispatchTask,
    EmergencyResponse,
    Incident,
    IncidentReport,
    MaterialAllocation,
)


def incident_timeline(user: User, incident: Incident) -> list[dict[str, Any]]:
    """Everything that happened to an incident, in order: reports, signatures, response, tasks, materials."""
    entries: list[tuple[datetime, int, str, str]] = [(incident.created_at, 0, "接报",
                                                      f"{incident.reported_by or '系统'} 登记事件，等级：{incident.grade}")]
    reports = list(IncidentReport.objects.restrict(user, "view").filter(incident=incident).select_related(
        "submitted_by", "to_region"))
    for r in reports:
        entries.append((r.submitted_at, 1, r.get_kind_display(),
                        f"{r.submitted_by or '系统'} 报送至 {r.to_region.name}{'（超时）' if r.late else ''}"))
    for response in EmergencyResponse.objects.restrict(user, "view").filter(incident=incident):
        entries.append((response.started_at, 2, "启动响应", f"{response.get_level_display()}，指挥长 {response.commander}"))
    tasks = list(DispatchTask.objects.restrict(user, "view").filter(incident=incident).select_related(
        "team", "organization", "issued_by"))
    for t in tasks:
        entries.append((t.issued_at, 3, "下达任务", f"{t.team or t.organization}：{t.instruction}"))
    for a in MaterialAllocation.objects.restrict(user, "view").filter(incident=incident).select_related(
            "warehouse", "material"):
        entries.append((a.allocated_at, 4, "物资调拨", f"{a.warehouse.name} {a.material.name} "
                                                    f"{format(a.quantity.normalize(), 'f')}{a.material.unit}"))
    subjects = [(IncidentReport, [r.pk for r in reports]), (DispatchTask, [t.pk for t in tasks])]
    for model, pks in subjects:
        if not pks:
            continue
        changes = StateChange.objects.restrict(user, "view").filter(
            subject_type=ContentType.objects.get_for_model(model), subject_id__in=[str(pk) for pk in pks]
        ).select_related("actor")
        names = {str(r.pk): str(r.get_kind_display()) for r in reports} if model is IncidentReport else \
            {str(t.pk): str(t.team or t.organization) for t in tasks}
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
