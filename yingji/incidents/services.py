"""Every write to incidents goes through here: recording, the report chain, response and dispatch."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import roles
from yingji.core.bureau import bureau_root
from yingji.core.models import Region, User
from yingji.core.notifications import notify_after_commit
from yingji.core.scoping import ensure_in_scope, ensure_perm, is_in_scope
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition, unknown_action_message
from yingji.incidents import deadlines
from yingji.incidents.models import (
    DispatchTask,
    EmergencyResponse,
    Incident,
    IncidentReport,
    MaterialAllocation,
    ReportKind,
    ReportStatus,
    ResponseLevel,
)
from yingji.incidents.states import REPORT_WORKFLOW, RESPONSE_WORKFLOW, TASK_WORKFLOW
from yingji.resources.models import Warehouse
from yingji.resources.services import rescue_team_change_status, stock_ensure_available, stock_issue
from yingji.standards.division import ancestor_codes, level_of, parent_code

# The facts a report version freezes, in the order the official layout prints them.
SNAPSHOT_FIELDS = ["title", "category", "subtype", "occurred_at", "place", "longitude", "latitude", "region",
                   "enterprise", "deaths", "missing", "serious_injuries", "light_injuries", "direct_loss_yuan",
                   "grade", "description", "source"]
SNAPSHOT_LABELS = {name: str(Incident._meta.get_field(name).verbose_name) for name in SNAPSHOT_FIELDS}
SNAPSHOT_LABELS["measures"] = "已采取的措施"


def county_of(region: Region) -> str:
    """The county (or higher) code that reports for a region: townships and villages report through their county."""
    code = region.code
    while level_of(code) in ("township", "village"):
        code = parent_code(code)
    return code


def reporting_level_of(actor: User | None, incident: Incident) -> str:
    """The region whose bureau reports: the recording unit's own (its organisation's region, else the reporter's
    jurisdiction), a township or village reporting through its county; the incident's county when the system
    reports. A city duty room recording a county's incident reports as the city, to the level above the city."""
    if actor is not None and actor.organization_id is not None:
        return county_of(actor.organization.region)
    if actor is not None and actor.scope_region_id:
        return county_of(actor.scope_region)
    return county_of(incident.region)


def above_the_platform(region_code: str) -> bool:
    """Whether a level lies above everyone on this platform: above the bureau's root region, or (no bureau
    configured) a region where no active user's jurisdiction reaches. A report to it is made outside the platform
    (by the channels the province prescribes) and the report here is marked 本级为最高层级, not left waiting."""
    root = bureau_root()
    if root is not None:
        return region_code != root.code and root.code not in ancestor_codes(region_code)
    levels = [region_code, *ancestor_codes(region_code)]
    return not User.objects.filter(is_active=True, scope_region_id__in=levels).exists()


def duty_people(region_code: str) -> list[User]:
    """The duty room of a region: active duty officers whose jurisdiction is exactly that region."""
    return list(User.objects.filter(scope_region_id=region_code, groups__name=roles.DUTY_OFFICER, is_active=True))


EXERCISE_MARK = "【演练】"


def exercise_mark(incident: Incident) -> str:
    """The prefix every message, title and document about a drill carries, so nobody takes it for real."""
    return EXERCISE_MARK if incident.is_exercise else ""


def _next_code(region: Region, occurred_at, is_exercise: bool = False) -> str:
    day = timezone.localtime(occurred_at).strftime("%Y%m%d")
    # Drills number apart (YL…) so they never take a number of the real register's daily sequence.
    prefix = f"{'YL' if is_exercise else 'SJ'}{county_of(region)[:6]}{day}"
    last = (Incident._base_manager.select_for_update().filter(code__startswith=prefix).order_by("-code")
            .values_list("code", flat=True).first())
    return f"{prefix}{int(last[-3:]) + 1 if last else 1:03d}"


@transaction.atomic
def incident_create(*, actor: User | None, is_exercise: bool = False, **fields: Any) -> Incident:
    """Record an incident: its code is generated, its grade computed (国务院令第493号), its 首报 deadline set.

    `is_exercise=True` records a drill (the plans app's exercise mode): it runs through the same screens, reports
    and dispatch, is numbered YL…, marked 演练 everywhere, and left out of every real list, figure and map.
    """
    fields["is_exercise"] = bool(is_exercise)
    incident = Incident(**fields)
    incident.full_clean(exclude=["code"])
    incident.code = _next_code(incident.region, incident.occurred_at, incident.is_exercise)
    fields.update(code=incident.code, grade=incident.grade, reported_by=actor, next_report_kind=ReportKind.FIRST,
                  next_report_due=deadlines.first_report_due(incident.occurred_at, incident.grade))
    return scoped_create(Incident, actor=actor, reason=_("接报事件"), **fields)


@transaction.atomic
def incident_update(*, incident: Incident, actor: User | None, **fields: Any) -> Incident:
    """Correct the current facts (casualties, loss...); the grade follows. Submitted reports keep their version."""
    for frozen in ("code", "grade", "next_report_kind", "next_report_due", "overdue_since", "closed", "reported_by",
                   "is_exercise"):
        fields.pop(frozen, None)
    return scoped_update(incident, actor=actor, reason=_("更新事件信息"), **fields)


def snapshot_of(incident: Incident, measures: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(incident, name)
        field = Incident._meta.get_field(name)
        if field.choices:
            value = getattr(incident, f"get_{name}_display")()
        elif hasattr(value, "isoformat"):
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        elif value is not None and not isinstance(value, (int, float, str)):
            value = str(value)
        data[name] = "" if value is None else value
    data["measures"] = measures
    return data


@transaction.atomic
def report_submit(*, incident: Incident, actor: User | None, kind: str, measures: str = "") -> IncidentReport:
    """Submit the next version (首报, 续报 or 终报) upward to the level above; the version is frozen as sent."""
    if actor is not None:
        ensure_perm(actor, IncidentReport, "add")
    incident = Incident._base_manager.select_for_update().get(pk=incident.pk)
    if actor is not None:
        ensure_in_scope(actor, incident)
    previous = incident.reports.order_by("-sequence").first()
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("报告类型无效")})
    if incident.closed:
        raise ValidationError(_("该事件已终报，不能再报送。"))
    if previous is None and kind != ReportKind.FIRST:
        raise ValidationError({"kind": _("请先报送首报。")})
    if previous is not None and kind == ReportKind.FIRST:
        raise ValidationError({"kind": _("首报已报送，请报送续报或终报。")})
    reporting_level = reporting_level_of(actor, incident)
    upper = parent_code(reporting_level)
    top_level = upper is None or above_the_platform(upper)
    now = timezone.now()
    report = IncidentReport(
        incident=incident, kind=kind, sequence=(previous.sequence + 1) if previous else 1,
        snapshot=snapshot_of(incident, measures), measures=measures, region_id=incident.region_id,
        to_region_id=upper or reporting_level, submitted_by=actor, submitted_at=now, due_at=incident.next_report_due,
        late=bool(incident.next_report_due and now > incident.next_report_due),
        status=ReportStatus.TOP_LEVEL if top_level else ReportStatus.SUBMITTED,
    )
    report.full_clean()
    save_with_history(report, actor=actor, reason=report.get_kind_display())
    incident.next_report_due = None if kind == ReportKind.FINAL else deadlines.follow_up_due(now, incident.grade)
    incident.next_report_kind = "" if kind == ReportKind.FINAL else ReportKind.FOLLOW_UP
    incident.closed = kind == ReportKind.FINAL
    incident.overdue_since = None
    save_with_history(incident, actor=actor, reason=_("报送%(kind)s") % {"kind": report.get_kind_display()})
    if top_level:
        return report
    recipients = duty_people(upper)
    url = reverse("incidents:incidentreport_detail", args=[report.pk])
    notify_after_commit(
        recipients=recipients, kind=_("信息报送"), title=exercise_mark(incident) + _("收到%(kind)s：%(title)s") % {
            "kind": report.get_kind_display(), "title": incident.title}, body=incident.description[:200], url=url,
        subject=report)
    return report


@transaction.atomic
def report_sign(*, report: IncidentReport, actor: User | None, reason: str = "") -> IncidentReport:
    """签收: the level the report was sent to records that it has it, with the time."""
    return transition(report, workflow=REPORT_WORKFLOW, action="sign", actor=actor, reason=reason,
                      changes={"signed_by": actor, "signed_at": timezone.now()})


def report_act(*, report: IncidentReport, actor: User | None, action: str, reason: str = "") -> IncidentReport:
    """A move of `REPORT_WORKFLOW` by name (pages, API): 签收 is its only one."""
    if action != "sign":
        raise InvalidTransition(unknown_action_message(action))
    return report_sign(report=report, actor=actor, reason=reason)


def report_diff(report: IncidentReport) -> list[tuple[str, Any, Any]]:
    """What changed since the previous version: (label, before, after) for every differing fact."""
    previous = (IncidentReport._base_manager.filter(incident_id=report.incident_id, sequence__lt=report.sequence)
                .order_by("-sequence").first())
    if previous is None:
        return []
    keys = list(SNAPSHOT_LABELS)
    return [(SNAPSHOT_LABELS[k], previous.snapshot.get(k, ""), report.snapshot.get(k, "")) for k in keys
            if previous.snapshot.get(k, "") != report.snapshot.get(k, "")]


@transaction.atomic
def incident_flag_overdue(*, incident: Incident) -> bool:
    """Mark a report overdue once, tell the reporting duty room and escalate to the next level's duty room.

    A drill's lateness is the drill's own finding: the reporting room is told (marked 演练), the upper bureau's
    duty room is not alerted — a supervision notice (督办) there must only ever mean a real incident.
    """
    if incident.overdue_since is not None or incident.next_report_due is None or incident.closed:
        return False
    incident.overdue_since = timezone.now()
    save_with_history(incident, actor=None, reason=_("报送超时"))
    reporting = county_of(incident.region)
    upper = parent_code(reporting)
    kind = dict(ReportKind.choices).get(incident.next_report_kind, _("报告"))
    url = reverse("incidents:incident_detail", args=[incident.pk])
    local = duty_people(reporting)
    escalated = duty_people(upper) if upper and not incident.is_exercise else []
    mark = exercise_mark(incident)
    due = timezone.localtime(incident.next_report_due).strftime("%m-%d %H:%M")
    notify_after_commit(recipients=local, kind=_("报送超时"), url=url, subject=incident,
                        title=mark + _("%(title)s 的%(kind)s已超时（时限 %(due)s）") % {
                            "title": incident.title, "kind": kind, "due": due})
    if escalated:
        notify_after_commit(recipients=escalated, kind=_("报送超时督办"), url=url, subject=incident,
                            title=_("下级%(kind)s超时未报：%(title)s") % {"title": incident.title, "kind": kind})
    return True


@transaction.atomic
def response_start(*, incident: Incident, actor: User | None, level: str, commander: str = "") -> EmergencyResponse:
    """启动应急响应 (Ⅰ–Ⅳ级); an incident has at most one active response."""
    if EmergencyResponse.objects.filter(incident=incident, ended_at__isnull=True).exists():
        raise ValidationError(_("该事件已启动应急响应。"))
    return scoped_create(EmergencyResponse, actor=actor, reason=_("启动应急响应"), incident=incident, level=level,
                         commander=commander, region_id=incident.region_id, started_by=actor,
                         started_at=timezone.now())


@transaction.atomic
def response_adjust(*, response: EmergencyResponse, actor: User | None, level: str, reason: str) -> EmergencyResponse:
    """升级或降级 an active response; the reason is recorded with the old and new level."""
    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("响应级别无效")})
    if level == response.level:
        raise ValidationError({"level": _("响应级别未变化")})
    return transition(response, workflow=RESPONSE_WORKFLOW, action="adjust", actor=actor, reason=reason,
                      changes={"level": level}, data={"from_level": response.level, "to_level": level})


def response_act(*, response: EmergencyResponse, actor: User | None, action: str, reason: str = "",
                 level: str = "") -> EmergencyResponse:
    """调整响应级别 (with the new level) or 终止响应 by name, as `RESPONSE_WORKFLOW` declares them."""
    if action == "adjust":
        return response_adjust(response=response, actor=actor, level=level, reason=reason)
    if action == "end":
        return response_end(response=response, actor=actor, reason=reason)
    raise InvalidTransition(unknown_action_message(action))


@transaction.atomic
def response_end(*, response: EmergencyResponse, actor: User | None, reason: str) -> EmergencyResponse:
    """响应终止: the response ends with its reason and summary, who ended it and when; a new one may start later."""
    return transition(response, workflow=RESPONSE_WORKFLOW, action="end", actor=actor, reason=reason,
                      changes={"ended_at": timezone.now(), "ended_by": actor, "end_summary": reason.strip()})


@transaction.atomic
def task_dispatch(*, incident: Incident, actor: User | None, instruction: str, team=None, organization=None,
                  distance_km: float | None = None) -> DispatchTask:
    """Send a team (deployed at once) or an organisation to an incident; they receive it in-app."""
    if actor is not None and not is_in_scope(actor, incident):
        raise PermissionDenied(_("该事件不在您的管辖范围内。"))
    if team is None and organization is None:
        raise ValidationError(_("请选择救援队伍或责任单位。"))
    if not (instruction or "").strip():
        raise ValidationError({"instruction": _("请填写任务内容。")})
    if team is not None and actor is not None and not is_in_scope(actor, team):
        raise PermissionDenied(_("该救援队伍不在您的管辖范围内。"))
    if team is not None and team.status != "standby":
        raise ValidationError(_("%(team)s 当前为“%(status)s”，不能调派。") % {
            "team": team.name, "status": team.get_status_display()})
    task = scoped_create(DispatchTask, actor=actor, reason=_("下达调度任务"), incident=incident, team=team,
                         organization=organization, instruction=instruction.strip(), region_id=incident.region_id,
                         distance_km=distance_km, issued_by=actor, issued_at=timezone.now())
    if team is not None:
        # The duty room may send any team it can see; the team's own status moves as the system's act.
        rescue_team_change_status(team=team, actor=None, action="deploy",
                                  reason=_("调派至 %(code)s") % {"code": incident.code})
        recipients = list(User.objects.filter(scope_region_id=team.region_id, groups__name=roles.RESCUE_LEADER,
                                              is_active=True))
        url = reverse("incidents:dispatchtask_detail", args=[task.pk])
        notify_after_commit(recipients=recipients, kind=_("调度任务"), url=url, subject=task,
                            title=exercise_mark(incident) + _("调度任务：%(title)s") % {"title": incident.title},
                            body=instruction)
    return task


@transaction.atomic
def task_advance(*, task: DispatchTask, actor: User | None, action: str, feedback: str = "") -> DispatchTask:
    """签收任务 → 开始执行 → 完成任务 (with feedback); a completed team goes back to rest."""
    changes: dict[str, Any] = {}
    if feedback:
        changes["feedback"] = feedback
    if action == "complete":
        changes["completed_at"] = timezone.now()
    changed = transition(task, workflow=TASK_WORKFLOW, action=action, actor=actor, reason=feedback, changes=changes)
    if action == "complete" and changed.team is not None and changed.team.status == "deployed":
        rescue_team_change_status(team=changed.team, actor=None, action="withdraw",
                                  reason=_("完成 %(code)s 任务") % {"code": changed.incident.code})
    return changed


def task_act(*, task: DispatchTask, actor: User | None, action: str, reason: str = "") -> DispatchTask:
    """A move of the task's receipt loop by name (pages, API); the reason is the team's feedback."""
    return task_advance(task=task, actor=actor, action=action, feedback=reason)


@transaction.atomic
def material_allocate(*, incident: Incident, actor: User | None, warehouse, material, quantity: Any,
                      destination: str = "") -> MaterialAllocation:
    """Allocate materials to an incident: issued through the stock ledger, never more than the warehouse holds."""
    if actor is not None:
        ensure_perm(actor, MaterialAllocation, "add")
        if not is_in_scope(actor, incident):
            raise PermissionDenied(_("该事件不在您的管辖范围内。"))
        if not Warehouse.objects.restrict(actor, "view").filter(pk=warehouse.pk).exists():
            raise PermissionDenied(_("该仓库不在您的管辖范围内。"))
    count = MaterialAllocation._base_manager.filter(incident=incident).count()
    document = f"DB-{incident.code}-{count + 1:02d}"
    if incident.is_exercise:
        # A drill rehearses the allocation against what is really in stock, but moves nothing: the ledger and
        # every stock figure stay true. The allocation row (document DB-YL…) is the drill's record.
        stock_ensure_available(warehouse=warehouse, material=material, quantity=quantity)
        return scoped_create(MaterialAllocation, actor=actor, reason=_("演练物资调拨（不出库）"), incident=incident,
                             warehouse=warehouse, material=material, quantity=Decimal(str(quantity)),
                             document_number=document, destination=destination, region_id=incident.region_id,
                             allocated_by=actor, allocated_at=timezone.now())
    # The duty room's order is the authority for the issue, so the ledger records the duty officer as actor.
    stock_issue(warehouse=warehouse, material=material, quantity=quantity, document_number=document, actor=None,
                recorded_actor=actor, counterpart=destination or incident.place,
                purpose=_("应急调拨：%(title)s") % {"title": incident.title})
    return scoped_create(MaterialAllocation, actor=actor, reason=_("物资调拨"), incident=incident, warehouse=warehouse,
                         material=material, quantity=Decimal(str(quantity)), document_number=document,
                         destination=destination, region_id=incident.region_id, allocated_by=actor,
                         allocated_at=timezone.now())

