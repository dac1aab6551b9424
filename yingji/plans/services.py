"""Every write of the plans app: plans and their structure and versions, activation of a plan for an incident,
drills (with exercise mode) and their improvement tasks, and readiness assessments."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.notifications import notify_after_commit
from yingji.core.scoping import ensure_in_scope, ensure_perm, has_model_perm, is_in_scope
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition, unknown_action_message
from yingji.incidents import services as incidents
from yingji.incidents.models import SUBTYPES, EmergencyResponse, Incident, ResponseLevel
from yingji.plans.models import (
    TOWNSHIP_ITEMS,
    VILLAGE_ITEMS,
    Drill,
    DrillImprovement,
    DrillRating,
    DrillStatus,
    Plan,
    PlanActivation,
    PlanKind,
    PlanLevel,
    PlanOrganization,
    PlanStatus,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
    ReadinessStatus,
)
from yingji.plans.selectors import evidence_hints
from yingji.plans.states import (
    DRILL_WORKFLOW,
    IMPROVEMENT_WORKFLOW,
    PLAN_WORKFLOW,
    READINESS_WORKFLOW,
    county_reviewer,
    self_assessor,
)
from yingji.resources.models import RescueTeam


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _county_code(region: Region) -> str:
    return region.code[:6]


def _next_code(model, prefix: str) -> str:
    """The next code under `prefix`; the rows of that prefix are locked so two writers queue for a number."""
    last = (model._base_manager.select_for_update().filter(code__startswith=prefix).order_by("-code")
            .values_list("code", flat=True).first())
    return f"{prefix}{int(last[-4:]) + 1 if last else 1:04d}"


# -- plans ------------------------------------------------------------------------------------------------------

PLAN_FIELDS = {"name", "kind", "parent", "region", "enterprise", "organization", "event_types", "summary",
               "issued_on", "revision_years"}


def _plan_fields(fields: dict[str, Any], actor: User | None) -> dict[str, Any]:
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValidationError(_("以下字段不能直接修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    if actor is not None and actor.scope_enterprise_id:
        # An enterprise keeps its own enterprise's plans and nothing else.
        fields["enterprise"] = actor.scope_enterprise
        fields["kind"] = PlanKind.ENTERPRISE
    enterprise = fields.get("enterprise")
    if enterprise is not None:
        fields["region"] = enterprise.region
    if fields.get("region") is None and "region" in fields:
        raise ValidationError({"region": _("请选择预案所属区划")})
    return fields


@transaction.atomic
def plan_create(*, actor: User | None, **fields: Any) -> Plan:
    """Register the first version of a plan (编制中) under a new 预案编号 YA<county><year><seq>."""
    fields = _plan_fields(fields, actor)
    if actor is not None:
        ensure_perm(actor, Plan, "add")
    probe = Plan(code="YA", **fields)
    probe.full_clean(exclude=["code"])
    prefix = f"YA{_county_code(fields['region'])}{timezone.localdate().year}"
    return scoped_create(Plan, actor=actor, reason=_("登记预案"), code=_next_code(Plan, prefix), **fields)


@transaction.atomic
def plan_update(*, plan: Plan, actor: User | None, **fields: Any) -> Plan:
    """Edit a plan while it is being drafted; a plan under review or filed changes only by a new version."""
    fields = _plan_fields(fields, actor)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有编制中的预案可以修改；已备案的预案请修订出新版本。"))
    return scoped_update(plan, actor=actor, reason=_("修改预案"), **fields)


def _copy_structure(source: Plan, target: Plan, actor: User | None) -> None:
    for level in PlanLevel._base_manager.filter(plan=source):
        scoped_create(PlanLevel, actor=actor, reason=_("随新版本复制"), plan=target, level=level.level,
                      condition=level.condition, commander=level.commander, region_id=target.region_id,
                      enterprise_id=target.enterprise_id)
    for part in PlanOrganization._base_manager.filter(plan=source):
        scoped_create(PlanOrganization, actor=actor, reason=_("随新版本复制"), plan=target,
                      organization_id=part.organization_id, role=part.role, responsibilities=part.responsibilities,
                      region_id=target.region_id, enterprise_id=target.enterprise_id)
    for task in PlanTask._base_manager.filter(plan=source):
        scoped_create(PlanTask, actor=actor, reason=_("随新版本复制"), plan=target, level=task.level,
                      organization_id=task.organization_id, task=task.task, region_id=target.region_id,
                      enterprise_id=target.enterprise_id)


@transaction.atomic
def plan_new_version(*, plan: Plan, actor: User | None) -> Plan:
    """Start the revision of a filed plan: a new draft version with the same code and a copy of its structure.

    The filed version stays in force until the new one is filed, which supersedes it.
    """
    if actor is not None:
        ensure_perm(actor, Plan, "add")
        ensure_in_scope(actor, plan)
    plan = Plan._base_manager.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.FILED:
        raise ValidationError(_("只有已备案（现行）的预案可以修订出新版本。"))
    pending = Plan._base_manager.filter(code=plan.code, version__gt=plan.version).exclude(
        status__in=[PlanStatus.ABOLISHED, PlanStatus.SUPERSEDED]).first()
    if pending is not None:
        raise ValidationError(_("该预案已有正在修订的第%(v)d版。") % {"v": pending.version})
    latest = Plan._base_manager.filter(code=plan.code).order_by("-version").values_list("version", flat=True)[0]
    fields = {name: getattr(plan, name) for name in PLAN_FIELDS}
    new = scoped_create(Plan, actor=actor, reason=_("修订预案（第%(v)d版）") % {"v": latest + 1}, code=plan.code,
                        version=latest + 1, previous=plan, **fields)
    _copy_structure(plan, new, actor)
    return new


def _filing_number(plan: Plan) -> str:
    return f"BA-{plan.code}-{plan.version:02d}"


def _plan_move(plan: Plan, *, action: str, actor: User | None, reason: str = "", changes: dict | None = None) -> Plan:
    return transition(plan, workflow=PLAN_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)


def _plan_people(plan: Plan) -> list[User]:
    """Who maintains a plan: its enterprise's users, else its unit's people, else the region's plan officers."""
    if plan.enterprise_id:
        return list(User.objects.filter(scope_enterprise_id=plan.enterprise_id, is_active=True))
    if plan.organization_id:
        people = list(User.objects.filter(organization_id=plan.organization_id, is_active=True))
        if people:
            return people
    return list(User.objects.filter(
        scope_region_id=plan.region_id, is_active=True, groups__permissions__codename="change_plan",
        groups__permissions__content_type__app_label="plans").distinct())


def _tell_plan(plan: Plan, title: str, body: str = "") -> None:
    notify_after_commit(recipients=_plan_people(plan), kind=_("应急预案"), title=title, body=body,
                        url=reverse("plans:plan_detail", args=[plan.pk]), subject=plan)


@transaction.atomic
def plan_submit(*, plan: Plan, actor: User | None, reason: str = "") -> Plan:
    return _plan_move(plan, action="submit", actor=actor, reason=reason, changes={"submitted_by": actor})


@transaction.atomic
def plan_approve(*, plan: Plan, actor: User | None, reason: str = "") -> Plan:
    approved = _plan_move(plan, action="approve", actor=actor, reason=reason, changes={"review_opinion": reason})
    _tell_plan(approved, _("预案已通过评审：%(name)s") % {"name": approved}, reason)
    return approved


@transaction.atomic
def plan_reject(*, plan: Plan, actor: User | None, reason: str) -> Plan:
    rejected = _plan_move(plan, action="reject", actor=actor, reason=reason, changes={"review_opinion": reason})
    _tell_plan(rejected, _("预案评审未通过，请修改：%(name)s") % {"name": rejected}, reason)
    return rejected


@transaction.atomic
def plan_file(*, plan: Plan, actor: User | None, reason: str = "", filing_number: str = "",
              filed_on: datetime.date | None = None) -> Plan:
    """备案: the plan is in force from now; its revision falls due `revision_years` later, and the version it
    replaces is superseded (kept, no longer in force)."""
    filed_on = filed_on or timezone.localdate()
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("备案日期不能晚于今天")})
    filed = _plan_move(plan, action="file", actor=actor, reason=reason, changes={
        "filing_number": (filing_number or "").strip()[:40] or _filing_number(plan), "filed_on": filed_on,
        "next_revision_due": add_years(filed_on, plan.revision_years), "revision_reminded_on": None,
    })
    _tell_plan(filed, _("预案已备案：%(name)s") % {"name": filed})
    for older in Plan._base_manager.filter(code=filed.code, status=PlanStatus.FILED).exclude(pk=filed.pk):
        transition(older, workflow=PLAN_WORKFLOW, action="supersede", actor=None,
                   reason=_("由第%(v)d版替代") % {"v": filed.version}, data={"by": filed.pk})
    return filed


@transaction.atomic
def plan_abolish(*, plan: Plan, actor: User | None, reason: str) -> Plan:
    return _plan_move(plan, action="abolish", actor=actor, reason=reason, changes={"next_revision_due": None})


PLAN_ACTIONS = {"submit": plan_submit, "approve": plan_approve, "reject": plan_reject, "file": plan_file,
                "abolish": plan_abolish}


def plan_act(*, plan: Plan, actor: User | None, action: str, reason: str = "", **fields: Any) -> Plan:
    """One move of the plan's loop by name, with the fields its row of `PLAN_WORKFLOW` declares (pages, API)."""
    service = PLAN_ACTIONS.get(action)
    if service is None:
        raise InvalidTransition(unknown_action_message(action))
    return service(plan=plan, actor=actor, reason=reason, **fields)


@transaction.atomic
def plan_remind_revision(*, plan: Plan) -> bool:
    """Tell a filed plan's maintainers that its revision falls due; once per due date."""
    plan = Plan._base_manager.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.FILED or plan.next_revision_due is None or plan.revision_reminded_on:
        return False
    plan.revision_reminded_on = timezone.localdate()
    save_with_history(plan, actor=None, reason=_("修订提醒"))
    due = plan.next_revision_due
    overdue = due < timezone.localdate()
    title = (_("预案已超过修订期限（%(due)s）：%(name)s") if overdue else _("预案将于 %(due)s 到修订期限：%(name)s")) % {
        "due": due.isoformat(), "name": plan}
    _tell_plan(plan, title, _("请组织评估并修订预案，修订后重新评审、备案。"))
    return True


def revision_notice_days() -> int:
    return int(getattr(settings, "PLAN_REVISION_NOTICE_DAYS", 30))


# -- plan structure ---------------------------------------------------------------------------------------------

def _editable_plan(plan: Plan, actor: User | None) -> Plan:
    if actor is not None:
        ensure_in_scope(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有编制中的预案可以调整结构；已备案的预案请修订出新版本。"))
    return plan


def _part_create(model, *, actor: User | None, plan: Plan, reason: str, **fields: Any):
    plan = _editable_plan(plan, actor)
    return scoped_create(model, actor=actor, reason=reason, plan=plan, region_id=plan.region_id,
                         enterprise_id=plan.enterprise_id, **fields)


def _part_update(obj, *, actor: User | None, reason: str, **fields: Any):
    fields.pop("plan", None)
    _editable_plan(obj.plan, actor)
    return scoped_update(obj, actor=actor, reason=reason, **fields)


@transaction.atomic
def plan_level_create(*, actor: User | None, plan: Plan, **fields: Any) -> PlanLevel:
    return _part_create(PlanLevel, actor=actor, plan=plan, reason=_("设置响应分级"), **fields)


@transaction.atomic
def plan_level_update(*, plan_level: PlanLevel, actor: User | None, **fields: Any) -> PlanLevel:
    return _part_update(plan_level, actor=actor, reason=_("修改响应分级"), **fields)


@transaction.atomic
def plan_organization_create(*, actor: User | None, plan: Plan, **fields: Any) -> PlanOrganization:
    return _part_create(PlanOrganization, actor=actor, plan=plan, reason=_("列入组织指挥体系"), **fields)


@transaction.atomic
def plan_organization_update(*, plan_organization: PlanOrganization, actor: User | None,
                             **fields: Any) -> PlanOrganization:
    return _part_update(plan_organization, actor=actor, reason=_("修改单位职责"), **fields)


@transaction.atomic
def plan_task_create(*, actor: User | None, plan: Plan, **fields: Any) -> PlanTask:
    return _part_create(PlanTask, actor=actor, plan=plan, reason=_("设置响应任务"), **fields)


@transaction.atomic
def plan_task_update(*, plan_task: PlanTask, actor: User | None, **fields: Any) -> PlanTask:
    return _part_update(plan_task, actor=actor, reason=_("修改响应任务"), **fields)


# -- activation -------------------------------------------------------------------------------------------------

@transaction.atomic
def plan_activate(*, plan: Plan, incident: Incident, level: str, actor: User | None,
                  commander: str = "") -> PlanActivation:
    """Start the response the plan prescribes for an incident at `level`.

    Through the incidents app: an emergency response at that level (an active one at the same level is
    joined), then one dispatch task per task the plan gives its organisations at that level. The activation
    keeps which plan and level started which response and which tasks it sent. The actor needs
    `plans.activate_plan`, the plan and the incident in their jurisdiction, and the incidents app's own rights
    to start a response and dispatch.
    """
    if actor is not None:
        ensure_perm(actor, PlanActivation, "add")
        if not actor.has_perm("plans.activate_plan"):
            raise PermissionDenied(_("您没有启动预案响应的权限。"))
        if not Plan.objects.restrict(actor, "view").filter(pk=plan.pk).exists():
            raise PermissionDenied(_("该预案不在您的管辖范围内。"))
        if not is_in_scope(actor, incident):
            raise PermissionDenied(_("该事件不在您的管辖范围内。"))
    plan = Plan._base_manager.get(pk=plan.pk)
    if plan.status != PlanStatus.FILED:
        raise ValidationError(_("只能启动已备案（现行）的预案，该预案当前为“%(s)s”。") % {"s": plan.get_status_display()})
    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("响应级别无效")})
    if not incident.region_id.startswith(plan.region.prefix):
        raise ValidationError(_("事件发生地不在该预案的适用区域内。"))
    tasks = list(PlanTask._base_manager.filter(plan=plan, level=level).select_related("organization"))
    if not tasks:
        raise ValidationError({"level": _("该预案没有规定%(level)s响应的任务。") % {
            "level": dict(ResponseLevel.choices)[level]}})

    response = EmergencyResponse._base_manager.filter(incident=incident, ended_at__isnull=True).first()
    if response is None:
        if not commander:
            defined = PlanLevel._base_manager.filter(plan=plan, level=level).first()
            commander = defined.commander if defined else ""
        response = incidents.response_start(incident=incident, actor=actor, level=level, commander=commander[:50])
    elif response.level != level:
        raise ValidationError(_("该事件已启动%(current)s应急响应，不能再按%(level)s启动。") % {
            "current": response.get_level_display(), "level": dict(ResponseLevel.choices)[level]})
    label = dict(ResponseLevel.choices)[level]
    dispatched = [
        incidents.task_dispatch(incident=incident, actor=actor, organization=task.organization,
                                instruction=f"【{plan.name}·{label}响应】{task.task}")
        for task in tasks
    ]
    activation = scoped_create(PlanActivation, actor=None, reason=_("启动预案响应"), plan=plan, level=level,
                               incident=incident, response=response, is_exercise=incident.is_exercise,
                               region_id=incident.region_id, activated_by=actor, activated_at=timezone.now())
    activation.dispatch_tasks.set(dispatched)
    if actor is not None:
        ensure_in_scope(actor, activation)
    return activation


# -- drills -----------------------------------------------------------------------------------------------------

DRILL_FIELDS = {"name", "kind", "plan", "region", "enterprise", "organizer", "scenario", "event_subtype", "place",
                "longitude", "latitude", "planned_on", "participants", "participant_count"}


def _drill_fields(fields: dict[str, Any], actor: User | None) -> dict[str, Any]:
    unknown = set(fields) - DRILL_FIELDS
    if unknown:
        raise ValidationError(_("以下字段不能直接修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    if actor is not None and actor.scope_enterprise_id:
        fields["enterprise"] = actor.scope_enterprise
    if fields.get("enterprise") is not None:
        fields["region"] = fields["enterprise"].region
    return fields


def _check_teams(actor: User | None, teams) -> list:
    teams = list(teams or [])
    if actor is not None and teams:
        visible = set(RescueTeam.objects.restrict(actor, "view").filter(pk__in=[t.pk for t in teams])
                      .values_list("pk", flat=True))
        if any(t.pk not in visible for t in teams):
            raise PermissionDenied(_("参演救援队伍不在您的管辖范围内。"))
    return teams


@transaction.atomic
def drill_create(*, actor: User | None, teams=None, **fields: Any) -> Drill:
    """Plan a drill (计划中) under a new 演练编号 YL<county><year><seq>, with its participating rescue teams."""
    fields = _drill_fields(fields, actor)
    if fields.get("region") is None:
        raise ValidationError({"region": _("请选择演练所属区划")})
    if actor is not None:
        ensure_perm(actor, Drill, "add")
    teams = _check_teams(actor, teams)
    probe = Drill(code="YL", **fields)
    probe.full_clean(exclude=["code"])
    prefix = f"YLJH{_county_code(fields['region'])}{fields['planned_on'].year}"
    drill = scoped_create(Drill, actor=actor, reason=_("登记演练计划"), code=_next_code(Drill, prefix), **fields)
    drill.teams.set(teams)
    return drill


@transaction.atomic
def drill_update(*, drill: Drill, actor: User | None, teams=None, **fields: Any) -> Drill:
    """Change a drill's plan and participants until it has been evaluated."""
    fields = _drill_fields(fields, actor)
    if drill.status in (DrillStatus.EVALUATED, DrillStatus.CLOSED, DrillStatus.CANCELLED):
        raise ValidationError(_("演练已%(s)s，不能再修改。") % {"s": drill.get_status_display()})
    updated = scoped_update(drill, actor=actor, reason=_("修改演练"), **fields)
    if teams is not None:
        teams = _check_teams(actor, teams)
        if {t.pk for t in teams} != set(updated.teams.values_list("pk", flat=True)):
            updated.teams.set(teams)
            save_with_history(updated, actor=actor, reason=_("调整参演队伍"))
    return updated


def _drill_move(drill: Drill, *, action: str, actor: User | None, reason: str = "", changes: dict | None = None):
    return transition(drill, workflow=DRILL_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)


@transaction.atomic
def drill_start(*, drill: Drill, actor: User | None, exercise: bool = False, level: str = "",
                reason: str = "") -> Drill:
    """开始实施. In exercise mode the drill runs through the real incident and dispatch screens: a drill incident
    (is_exercise, kept out of every real list and statistic) is recorded, and with a level the drill's plan is
    activated for it, so its response and tasks are dispatched as they would be for real."""
    changes: dict[str, Any] = {}
    if exercise:
        drill = Drill._base_manager.select_for_update().get(pk=drill.pk)
        DRILL_WORKFLOW.check(drill, "start", actor)
        if actor is not None:
            ensure_in_scope(actor, drill)
        changes["exercise_incident"] = _exercise_incident(drill, actor)
    started = _drill_move(drill, action="start", actor=actor, reason=reason, changes=changes)
    if exercise and level:
        if started.plan_id is None:
            raise ValidationError({"level": _("该演练未关联预案，不能按预案启动响应。")})
        plan_activate(plan=started.plan, incident=started.exercise_incident, level=level, actor=actor)
    return started


def _exercise_incident(drill: Drill, actor: User | None) -> Incident:
    if not drill.event_subtype:
        raise ValidationError({"event_subtype": _("以演练模式运行须先设置模拟事件类型")})
    longitude = drill.longitude if drill.longitude is not None else drill.region.longitude
    latitude = drill.latitude if drill.latitude is not None else drill.region.latitude
    if longitude is None or latitude is None:
        raise ValidationError({"longitude": _("以演练模式运行须先填写演练地点的经纬度")})
    category = next(c for c, subtypes in SUBTYPES.items() if drill.event_subtype in subtypes)
    return incidents.incident_create(
        actor=actor, is_exercise=True, title=_("【演练】%(name)s") % {"name": drill.name}, category=category,
        subtype=drill.event_subtype, occurred_at=timezone.now(), place=drill.place, longitude=longitude,
        latitude=latitude, region=drill.region, enterprise=drill.enterprise,
        description=drill.scenario, source=_("应急演练 %(code)s") % {"code": drill.code},
    )


@transaction.atomic
def drill_finish(*, drill: Drill, actor: User | None, summary: str = "", held_on: datetime.date | None = None,
                 reason: str = "") -> Drill:
    held_on = held_on or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("实施日期不能晚于今天")})
    return _drill_move(drill, action="finish", actor=actor, reason=reason,
                       changes={"held_on": held_on, "summary": summary or drill.summary})


@transaction.atomic
def drill_cancel(*, drill: Drill, actor: User | None, reason: str) -> Drill:
    return _drill_move(drill, action="cancel", actor=actor, reason=reason)


@transaction.atomic
def drill_evaluate(*, drill: Drill, actor: User | None, rating: str, evaluation: str, reason: str = "") -> Drill:
    if rating not in DrillRating.values:
        raise ValidationError({"rating": _("请选择评估结论")})
    if not (evaluation or "").strip():
        raise ValidationError({"evaluation": _("请填写评估意见")})
    return _drill_move(drill, action="evaluate", actor=actor, reason=reason,
                       changes={"rating": rating, "evaluation": evaluation.strip(), "evaluated_by": actor})


@transaction.atomic
def drill_close(*, drill: Drill, actor: User | None, reason: str = "") -> Drill:
    return _drill_move(drill, action="close", actor=actor, reason=reason)


DRILL_ACTIONS = {"start": drill_start, "finish": drill_finish, "cancel": drill_cancel, "evaluate": drill_evaluate,
                 "close": drill_close}


def drill_act(*, drill: Drill, actor: User | None, action: str, reason: str = "", **fields: Any) -> Drill:
    """One move of the drill's loop by name, with the fields its row of `DRILL_WORKFLOW` declares (pages, API)."""
    service = DRILL_ACTIONS.get(action)
    if service is None:
        raise InvalidTransition(unknown_action_message(action))
    return service(drill=drill, actor=actor, reason=reason, **fields)


@transaction.atomic
def improvement_create(*, actor: User | None, drill: Drill, problem: str, measure: str, responsible_unit: str,
                       deadline: datetime.date) -> DrillImprovement:
    """A problem found by the evaluation and its improvement task; added once the drill has been held."""
    if actor is not None:
        ensure_in_scope(actor, drill)
    if drill.status not in (DrillStatus.CONDUCTED, DrillStatus.EVALUATED):
        raise ValidationError(_("演练实施后、闭环前方可登记发现的问题和改进任务。"))
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("完成期限不能早于今天")})
    return scoped_create(DrillImprovement, actor=actor, reason=_("登记演练发现问题"), drill=drill, problem=problem,
                         measure=measure, responsible_unit=responsible_unit, deadline=deadline,
                         region_id=drill.region_id, enterprise_id=drill.enterprise_id)


@transaction.atomic
def improvement_act(*, improvement: DrillImprovement, actor: User | None, action: str,
                    reason: str = "") -> DrillImprovement:
    """提交整改 / 验收销号 / 验收不通过 of one improvement task."""
    changes: dict[str, Any] = {}
    if action == "submit":
        if not reason.strip():
            raise InvalidTransition(_("“提交整改”需要填写整改结果。"))
        changes = {"result": reason.strip(), "submitted_by": actor}
    elif action == "accept":
        changes = {"closed_at": timezone.now()}
    elif action not in ("reject",):
        raise InvalidTransition(unknown_action_message(action))
    return transition(improvement, workflow=IMPROVEMENT_WORKFLOW, action=action, actor=actor, reason=reason,
                      changes=changes)


# -- readiness --------------------------------------------------------------------------------------------------

@transaction.atomic
def assessment_create(*, actor: User | None, region: Region, year: int) -> ReadinessAssessment:
    """Open a year's self-assessment of a township ("六有") or village ("三有"), with its items and the hints the
    platform's own data give for them."""
    if ReadinessAssessment._base_manager.filter(region=region, year=year).exists():
        raise ValidationError({"year": _("%(region)s %(year)d年度的评估已存在。") % {"region": region.name, "year": year}})
    assessment = scoped_create(ReadinessAssessment, actor=actor, reason=_("开始自评"), region=region, year=year)
    keys = TOWNSHIP_ITEMS if region.level == "township" else VILLAGE_ITEMS
    hints = evidence_hints(region, year)
    for key in keys:
        item = ReadinessItem(assessment=assessment, key=key, hint=hints.get(key, ""), region_id=region.code)
        item.full_clean()
        save_with_history(item, actor=actor, reason=_("开始自评"))
    return assessment


@transaction.atomic
def readiness_item_update(*, item: ReadinessItem, actor: User | None, self_met: bool,
                          description: str = "") -> ReadinessItem:
    """Self-assess one item, while the assessment is in the township's or village's hands."""
    assessment = item.assessment
    if assessment.status != ReadinessStatus.DRAFT:
        raise ValidationError(_("评估已提交，不能再修改自评。"))
    if actor is not None and not self_assessor(actor, assessment):
        raise PermissionDenied(_("只有本乡镇（街道）或村（社区）可以自评。"))
    return scoped_update(item, actor=actor, reason=_("自评"), self_met=bool(self_met),
                         description=(description or "").strip())


@transaction.atomic
def readiness_item_review(*, item: ReadinessItem, actor: User | None, review_met: bool,
                          review_note: str = "") -> ReadinessItem:
    """The county's finding on one item of a submitted assessment."""
    assessment = item.assessment
    if assessment.status != ReadinessStatus.SUBMITTED:
        raise ValidationError(_("评估提交后方可复核。"))
    if actor is not None:
        ensure_in_scope(actor, item)
        if not county_reviewer(actor, assessment):
            raise PermissionDenied(_("只有县级以上应急管理部门可以复核。"))
    locked = ReadinessItem._base_manager.select_for_update().get(pk=item.pk)
    locked.review_met = bool(review_met)
    locked.review_note = (review_note or "").strip()[:500]
    locked.full_clean()
    return save_with_history(locked, actor=actor, reason=_("复核认定"))


@transaction.atomic
def assessment_refresh_hints(*, assessment: ReadinessAssessment, actor: User | None) -> ReadinessAssessment:
    """Look at the platform's data again (a plan filed, a drill held since the assessment was opened)."""
    if actor is not None:
        ensure_in_scope(actor, assessment)
    hints = evidence_hints(assessment.region, assessment.year)
    for item in ReadinessItem._base_manager.filter(assessment=assessment):
        if item.hint != hints.get(item.key, ""):
            item.hint = hints.get(item.key, "")
            save_with_history(item, actor=actor, reason=_("更新核查提示"))
    return assessment


@transaction.atomic
def assessment_act(*, assessment: ReadinessAssessment, actor: User | None, action: str,
                   reason: str = "") -> ReadinessAssessment:
    """提交自评 / 复核达标 / 复核不达标 / 退回修改 / 重新自评."""
    now = timezone.now()
    changes: dict[str, Any] = {
        "submit": {"self_assessed_by": actor, "submitted_at": now},
        "pass": {"reviewed_by": actor, "reviewed_at": now, "review_opinion": reason},
        "fail": {"reviewed_by": actor, "reviewed_at": now, "review_opinion": reason},
        "return": {"review_opinion": reason},
    }.get(action, {})
    if action not in {t.action for t in READINESS_WORKFLOW.transitions}:
        raise InvalidTransition(unknown_action_message(action))
    return transition(assessment, workflow=READINESS_WORKFLOW, action=action, actor=actor, reason=reason,
                      changes=changes)


def can_review_items(user: User, assessment: ReadinessAssessment) -> bool:
    return assessment.status == ReadinessStatus.SUBMITTED and county_reviewer(user, assessment)


def can_self_assess(user: User, assessment: ReadinessAssessment) -> bool:
    return (assessment.status == ReadinessStatus.DRAFT and has_model_perm(user, ReadinessItem, "change")
            and self_assessor(user, assessment))
