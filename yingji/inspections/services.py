"""Every write of the enforcement app: evaluations, plans, officers, draws, inspections, findings, cases, roll-ups."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q, ensure_in_scope, ensure_perm, has_model_perm, is_in_scope
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition, unknown_action_message
from yingji.enterprises.models import Enterprise
from yingji.enterprises.models import Status as EnterpriseStatus
from yingji.hazards import services as hazard_services
from yingji.hazards.models import HazardSource
from yingji.inspections import drawing
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    Checklist,
    CodeCounter,
    Draw,
    DrawKind,
    EnforcementStat,
    Evaluation,
    EvaluationResult,
    EvaluationTemplate,
    Finding,
    FrequencyRule,
    InspectedUnit,
    Inspection,
    Inspector,
    PlanStatus,
    WarningInterview,
)
from yingji.inspections.states import (
    CASE_WORKFLOW,
    INTERVIEW_WORKFLOW,
    PLAN_WORKFLOW,
    decision_problem,
    interview_problem,
)
from yingji.resources.models import Expert, ExpertField
from yingji.resources.services import catalogue_owner, top_bureau_region
from yingji.standards.division import significant_prefix

# 行政处罚法 第四十二条: enforcement is carried out by at least two officers.
MIN_TEAM = 2
# Shipped default of the frequency matrix (inspections per year), until a bureau sets its own.
DEFAULT_FREQUENCY = {("A", "poor"): 4, ("A", "fair"): 2, ("A", "good"): 1,
                     ("B", "poor"): 3, ("B", "fair"): 1, ("B", "good"): 0}
RECENT_EXPERT_DAYS = 90


def next_code(kind: str, region: Region, year: int) -> str:
    """<kind>-<county>-<year>-<sequence>, from a locked per-(kind, county, year) counter. Call in a transaction."""
    county = region.code[:6]
    CodeCounter.objects.get_or_create(kind=kind, county_code=county, year=year)
    counter = CodeCounter.objects.select_for_update().get(kind=kind, county_code=county, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{kind}-{county}-{year}-{counter.last:06d}"


def _invalid(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


# -- roll-ups (EnforcementStat, InspectedUnit) -------------------------------------------------------------------

def township_code(region_code: str) -> str:
    return region_code[:9] + "000"


def _stat_bump(day: datetime.date, region_code: str, **deltas: Any) -> None:
    """Add to one township-month row. Call inside the service's transaction."""
    month, township = day.replace(day=1), township_code(region_code)
    rows = EnforcementStat.objects.filter(month=month, region_id=township)
    changes = {name: F(name) + value for name, value in deltas.items()}
    # UPDATE ... SET n = n + 1 is atomic, so concurrent services never lose a count.
    if not rows.update(**changes):
        EnforcementStat.objects.get_or_create(month=month, region_id=township)
        rows.update(**changes)


def _mark_unit(enterprise_id: int, region_code: str, day: datetime.date) -> None:
    bit = 1 << (day.month - 1)
    rows = InspectedUnit.objects.filter(enterprise_id=enterprise_id, year=day.year)
    if not rows.update(month_mask=F("month_mask").bitor(bit)):
        InspectedUnit.objects.get_or_create(enterprise_id=enterprise_id, year=day.year,
                                            defaults={"region_id": region_code})
        rows.update(month_mask=F("month_mask").bitor(bit))


@transaction.atomic
def rebuild_statistics() -> int:
    """Recompute both roll-ups from the inspections and cases (after a bulk load, or to repair them)."""
    EnforcementStat.objects.all().delete()
    InspectedUnit.objects.all().delete()
    stats: dict[tuple[datetime.date, str], dict[str, Any]] = {}
    units: dict[tuple[int, int], list] = {}

    def bump(day: datetime.date, region: str, **deltas: Any) -> None:
        row = stats.setdefault((day.replace(day=1), township_code(region)),
                               {"inspections": 0, "cases": 0, "penalties": 0, "suspensions": 0, "closures": 0,
                                "fines_yuan": Decimal(0)})
        for name, value in deltas.items():
            row[name] += value

    for enterprise_id, region, day in Inspection._base_manager.values_list(
            "enterprise_id", "region_id", "inspected_on").iterator(chunk_size=5000):
        bump(day, region, inspections=1)
        unit = units.setdefault((enterprise_id, day.year), [region, 0])
        unit[1] |= 1 << (day.month - 1)
    for case in Case._base_manager.values("region_id", "filed_on", "decided_on", "fine_yuan", "order_suspend",
                                          "order_close").iterator(chunk_size=5000):
        bump(case["filed_on"], case["region_id"], cases=1)
        if case["decided_on"]:
            penalty = case["fine_yuan"] > 0 or case["order_suspend"] or case["order_close"]
            bump(case["decided_on"], case["region_id"], penalties=int(penalty),
                 suspensions=int(case["order_suspend"]), closures=int(case["order_close"]),
                 fines_yuan=case["fine_yuan"])
    EnforcementStat.objects.bulk_create(
        [EnforcementStat(month=month, region_id=region, **values) for (month, region), values in stats.items()],
        batch_size=5000)
    InspectedUnit.objects.bulk_create(
        [InspectedUnit(enterprise_id=e, year=y, region_id=r, month_mask=m) for (e, y), (r, m) in units.items()],
        batch_size=5000)
    return len(stats) + len(units)


# -- 1. evaluation templates, evaluations, interviews, frequency ---------------------------------------------------

def _ensure_owner(actor: User | None, obj: Any) -> None:
    """Refuse a write to a record shared from above: only the owner's own jurisdiction changes it."""
    if actor is not None and not is_in_scope(actor, obj, "change"):
        raise PermissionDenied(_("只能修改本辖区编制的模板、检查表和检查频次，上级发布的只能查看和使用。"))


def _ensure_usable(actor: User | None, obj: Any, field: str) -> None:
    """A template or checklist used in a record must be one the actor may read (own or shared from above)."""
    if actor is not None and obj is not None and not is_in_scope(actor, obj, "view"):
        raise _invalid(_("所选%(name)s不在您可使用的范围内") % {"name": obj._meta.verbose_name}, field)


@transaction.atomic
def evaluation_template_create(*, actor: User | None, name: str, elements: list, good_from: Decimal = Decimal(85),
                               fair_from: Decimal = Decimal(60), is_active: bool = True,
                               region: Region | None = None) -> EvaluationTemplate:
    """A new template, or the next version of the owner's template with this name (earlier versions are kept).

    The owner is the actor's own jurisdiction (the system's templates go to the top bureau).
    """
    if actor is not None:
        ensure_perm(actor, EvaluationTemplate, "add")
    owner = catalogue_owner(actor, region)
    versions = EvaluationTemplate._base_manager.filter(region=owner, name=name)
    latest = versions.order_by("-version").first()
    template = scoped_create(EvaluationTemplate, actor=actor, reason=_("新建评价模板版本"), name=name, region=owner,
                             version=(latest.version + 1) if latest else 1, elements=elements, good_from=good_from,
                             fair_from=fair_from, is_active=is_active)
    if is_active:
        for older in versions.filter(is_active=True).exclude(pk=template.pk):
            scoped_update(older, actor=None, reason=_("新版本启用，旧版本停用"), is_active=False)
    return template


@transaction.atomic
def evaluation_template_revise(*, template: EvaluationTemplate, actor: User | None, **fields: Any) -> EvaluationTemplate:
    """Editing a template makes its next version, so evaluations keep the version they were scored on.

    Only the owner's jurisdiction revises a template; a county uses the city's as it is, or keeps its own.
    """
    if actor is not None:
        ensure_perm(actor, EvaluationTemplate, "change")
    _ensure_owner(actor, template)
    fields.pop("region", None)
    values = {"name": template.name, "elements": template.elements, "good_from": template.good_from,
              "fair_from": template.fair_from, "is_active": True, **fields}
    return evaluation_template_create(actor=actor, region=template.region, **values)


def score_evaluation(template: EvaluationTemplate, scores: dict[str, Any]) -> tuple[dict[str, str], Decimal, str]:
    """Validate item scores against the template; the cleaned scores, the total and 好/中/差."""
    cleaned: dict[str, str] = {}
    problems = []
    known = {str(item["code"]): item for item in template.items()}
    for code in scores:
        if str(code) not in known:
            problems.append(_("评价项“%(code)s”不在模板中") % {"code": code})
    total = Decimal(0)
    for code, item in known.items():
        raw = scores.get(code, scores.get(int(code)) if code.isdigit() else None)
        if raw in (None, ""):
            problems.append(_("评价项“%(code)s %(name)s”未打分") % {"code": code, "name": item["name"]})
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            problems.append(_("评价项“%(code)s”的得分不是数字") % {"code": code})
            continue
        maximum = Decimal(str(item["max_score"]))
        if value < 0 or value > maximum:
            problems.append(_("评价项“%(code)s”的得分应在0到%(max)s之间") % {"code": code, "max": maximum})
            continue
        cleaned[code] = str(value)
        total += value
    if problems:
        raise ValidationError({"scores": problems})
    return cleaned, total, template.grade(total)


def _open_interview_if_poor(evaluation: Evaluation) -> None:
    if evaluation.result == EvaluationResult.POOR and not WarningInterview.objects.filter(evaluation=evaluation).exists():
        scoped_create(WarningInterview, actor=None, reason=_("评价结果为差，列入警示约谈"), evaluation=evaluation,
                      enterprise=evaluation.enterprise, region=evaluation.region)


@transaction.atomic
def evaluation_create(*, actor: User | None, enterprise: Enterprise, year: int, template: EvaluationTemplate,
                      scores: dict[str, Any], evaluated_on: datetime.date, evaluator: str, note: str = "") -> Evaluation:
    """Score an enterprise's year; 差 lists it for a 警示约谈 at once."""
    if actor is not None:
        ensure_perm(actor, Evaluation, "add")
    _ensure_usable(actor, template, "template")
    cleaned, total, result = score_evaluation(template, scores)
    evaluation = scoped_create(
        Evaluation, actor=actor, reason=_("登记全要素评价"), enterprise=enterprise, region=enterprise.region, year=year,
        template=template, scores=cleaned, total_score=total, result=result, evaluated_on=evaluated_on,
        evaluator=evaluator, note=note, created_by=actor)
    _open_interview_if_poor(evaluation)
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, actor: User | None, **fields: Any) -> Evaluation:
    fields.pop("enterprise", None)  # an evaluation belongs to its enterprise for good
    template = fields.get("template", evaluation.template)
    if template != evaluation.template:
        _ensure_usable(actor, template, "template")
    cleaned, total, result = score_evaluation(template, fields.pop("scores", evaluation.scores))
    updated = scoped_update(evaluation, actor=actor, reason=_("修改全要素评价"), scores=cleaned, total_score=total,
                            result=result, **fields)
    _open_interview_if_poor(updated)
    return updated


@transaction.atomic
def interview_hold(*, interview: WarningInterview, actor: User | None, held_on: datetime.date, record: str,
                   interviewers: str = "", attendees: str = "", commitments: str = "",
                   reason: str = "") -> WarningInterview:
    problem = interview_problem(held_on=held_on, record=record)
    if problem:
        raise ValidationError(problem)
    return transition(interview, workflow=INTERVIEW_WORKFLOW, action="hold", actor=actor, reason=reason,
                      changes={"held_on": held_on, "record": record, "interviewers": interviewers,
                               "attendees": attendees, "commitments": commitments})


def interview_act(*, interview: WarningInterview, actor: User | None, action: str, reason: str = "",
                  **fields: Any) -> WarningInterview:
    """The interview's move by name, with the fields its row of `INTERVIEW_WORKFLOW` declares (pages, API)."""
    if action != "hold":
        raise InvalidTransition(unknown_action_message(action))
    return interview_hold(interview=interview, actor=actor, reason=reason, **fields)


def frequency_matrix() -> dict[tuple[str, str], int]:
    """(supervision class, evaluation result) → inspections per year: the stored rules over the shipped defaults."""
    matrix = dict(DEFAULT_FREQUENCY)
    matrix.update({(r.supervision_class, r.result): r.per_year for r in FrequencyRule.objects.all()})
    return matrix


def frequency_owner() -> Region | None:
    """The bureau region that keeps the one frequency matrix: the owner of the stored rules, else the top bureau."""
    rule = FrequencyRule._base_manager.select_related("region").order_by("pk").first()
    return rule.region if rule is not None else top_bureau_region()


def can_set_frequency(user: User) -> bool:
    """Whether the user may set the matrix: its owner lies in the user's own jurisdiction, with both permissions."""
    if not (has_model_perm(user, FrequencyRule, "change") and has_model_perm(user, FrequencyRule, "add")):
        return False
    owner = frequency_owner()
    if owner is None or user.scope_enterprise_id:
        return False
    if user.scope_region_id:
        return owner.code.startswith(significant_prefix(user.scope_region_id))
    return user.is_superuser


@transaction.atomic
def frequency_set(*, actor: User | None, matrix: dict[tuple[str, str], int]) -> None:
    """Set cells of the matrix. Only the owner's jurisdiction (the top bureau, or above it) may."""
    if actor is not None and not can_set_frequency(actor):
        raise PermissionDenied(_("检查频次矩阵由%(owner)s设定，本单位只能查看和使用。")
                               % {"owner": getattr(frequency_owner(), "name", _("上级部门"))})
    owner = frequency_owner()
    if owner is None:
        raise ValidationError(_("尚未设置行政区划，无法确定编制单位。"))
    for (supervision_class, result), per_year in matrix.items():
        rule = FrequencyRule._base_manager.filter(supervision_class=supervision_class, result=result).first()
        if rule is None:
            scoped_create(FrequencyRule, actor=actor, reason=_("设置检查频次"), region=owner,
                          supervision_class=supervision_class, result=result, per_year=per_year)
        elif rule.per_year != per_year:
            scoped_update(rule, actor=actor, reason=_("调整检查频次"), per_year=per_year)


# -- 2. annual plans, officers ------------------------------------------------------------------------------------

PLAN_FIELDS = {"region", "year", "title", "description", *(f"{kind}_q{q}" for kind in ("key", "random")
                                                            for q in range(1, 5))}


@transaction.atomic
def plan_create(*, actor: User | None, **fields: Any) -> AnnualPlan:
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(sorted(unknown))})
    return scoped_create(AnnualPlan, actor=actor, reason=_("编制年度执法计划"), **fields)


@transaction.atomic
def plan_update(*, plan: AnnualPlan, actor: User | None, **fields: Any) -> AnnualPlan:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("计划已报批，只有退回修改后才能编辑"))
    return scoped_update(plan, actor=actor, reason=_("修改年度执法计划"),
                         **{k: v for k, v in fields.items() if k in PLAN_FIELDS})


@transaction.atomic
def plan_act(*, plan: AnnualPlan, actor: User | None, action: str, reason: str = "") -> AnnualPlan:
    changes: dict[str, Any] = {}
    if action == "submit":
        changes["submitted_by"] = actor
    elif action == "file":
        changes["filed_at"] = timezone.now()
    return transition(plan, workflow=PLAN_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)


@transaction.atomic
def inspector_create(*, actor: User | None, conflict_enterprises=(), **fields: Any) -> Inspector:
    inspector = scoped_create(Inspector, actor=actor, reason=_("登记执法人员"), **fields)
    inspector.conflict_enterprises.set(conflict_enterprises)
    return inspector


@transaction.atomic
def inspector_update(*, inspector: Inspector, actor: User | None, conflict_enterprises=None, **fields: Any) -> Inspector:
    updated = scoped_update(inspector, actor=actor, reason=_("修改执法人员信息"), **fields)
    if conflict_enterprises is not None:
        before = set(updated.conflict_enterprises.values_list("pk", flat=True))
        after = {e.pk for e in conflict_enterprises}
        if before != after:
            updated.conflict_enterprises.set(conflict_enterprises)
            save_with_history(updated, actor=actor, reason=_("变更申报回避企业"))
    return updated


# -- 2 and 6. draws ----------------------------------------------------------------------------------------------------

def _new_seed() -> str:
    return str(secrets.randbits(63))


def _save_draw(*, actor: User | None, kind: str, region: Region, title: str, seed: str, inputs: dict,
               result: dict, replaces: Draw | None = None, reason: str = "", drawn_at: datetime.datetime | None = None,
               **fields: Any) -> Draw:
    if drawn_at is not None and actor is not None:
        raise ValidationError(_("抽取时间由系统记录，不能指定"))
    now = drawn_at or timezone.now()
    draw = scoped_create(
        Draw, actor=actor, reason=_("随机抽取") if replaces is None else _("重新抽取：%(r)s") % {"r": reason[:80]},
        code=next_code("CQ", region, timezone.localtime(now).year), kind=kind, region=region, title=title, seed=seed,
        algorithm_version=drawing.ALGORITHM_VERSION, inputs=inputs, inputs_digest=drawing.digest(inputs),
        result=result, result_digest=drawing.digest(result), drawn_by=actor, drawn_at=now, replaces=replaces,
        redraw_reason=reason, **fields)
    return draw


def inspection_candidates(*, region: Region, year: int, within: Region | None = None,
                          categories: list[str] | tuple = (), classes: list[str] | tuple = ()) -> list[list[int]]:
    """[[enterprise id, weight], ...] of operating enterprises under the filters, weighted by risk.

    Weight = 1 + the inspections per year the frequency matrix asks for the enterprise's supervision class and its
    latest evaluation (this year's or last year's; none counts as 中), so riskier enterprises are drawn more often.
    """
    area = within or region
    if not area.code.startswith(region.prefix):
        raise ValidationError({"within": _("抽取范围应在本单位辖区之内")})
    enterprises = Enterprise._base_manager.filter(code_prefix_q("region__code", area.prefix),
                                                  status=EnterpriseStatus.OPERATING)
    if categories:
        enterprises = enterprises.filter(category__in=list(categories))
    if classes:
        enterprises = enterprises.filter(supervision_class__in=list(classes))
    results: dict[int, str] = {}
    for enterprise_id, result in (Evaluation._base_manager.filter(code_prefix_q("region__code", area.prefix),
                                                                  year__in=[year - 1, year])
                                  .order_by("year").values_list("enterprise_id", "result")):
        results[enterprise_id] = result
    matrix = frequency_matrix()
    return [[pk, 1 + matrix.get((klass, results.get(pk, EvaluationResult.FAIR)), 0)]
            for pk, klass in enterprises.order_by("pk").values_list("pk", "supervision_class")]


def _previous_teams(enterprise_ids: list[int]) -> dict[str, list[int]]:
    """The officers of each enterprise's latest inspection (the same officer may not go twice in a row)."""
    latest = Inspection._base_manager.filter(enterprise_id=OuterRef("pk")).order_by("-inspected_on", "-id")
    last_ids = dict(Enterprise._base_manager.filter(pk__in=enterprise_ids)
                    .annotate(last=Subquery(latest.values("pk")[:1])).values_list("pk", "last"))
    by_inspection: dict[int, list[int]] = {}
    through = Inspection.inspectors.through
    for inspection_id, inspector_id in through.objects.filter(
            inspection_id__in=[i for i in last_ids.values() if i]).values_list("inspection_id", "inspector_id"):
        by_inspection.setdefault(inspection_id, []).append(inspector_id)
    return {str(e): sorted(by_inspection[i]) for e, i in last_ids.items() if i in by_inspection}


def _conflicts(enterprise_ids: list[int], pool: list[int]) -> dict[str, list[int]]:
    through = Inspector.conflict_enterprises.through
    conflicts: dict[str, list[int]] = {}
    for inspector_id, enterprise_id in through.objects.filter(
            enterprise_id__in=enterprise_ids, inspector_id__in=pool).values_list("inspector_id", "enterprise_id"):
        conflicts.setdefault(str(enterprise_id), []).append(inspector_id)
    return {k: sorted(v) for k, v in conflicts.items()}


def _draw_inspection(*, actor: User | None, params: dict, seed: str) -> tuple[dict, dict]:
    region = Region.objects.get(pk=params["region"])
    within = Region.objects.get(pk=params["within"]) if params.get("within") else None
    candidates = inspection_candidates(region=region, year=params["year"], within=within,
                                       categories=params["categories"], classes=params["classes"])
    if not candidates:
        raise ValidationError(_("没有符合条件的检查对象"))
    count = params["count"]
    targets = drawing.draw_targets(seed=seed, inputs={"targets": candidates, "count": count})
    pool = list(Inspector._base_manager.filter(code_prefix_q("region__code", region.prefix), is_active=True)
                .order_by("pk").values_list("pk", flat=True))
    if len(pool) < params["team_size"]:
        raise ValidationError(_("执法人员名录中在岗人员不足%(n)s人") % {"n": params["team_size"]})
    inputs = {
        "params": params, "targets": candidates, "count": count,
        "team": {"pool": pool, "size": params["team_size"], "conflicts": _conflicts(targets, pool),
                 "previous": _previous_teams(targets), "load_limit": None},
    }
    try:
        teams = drawing.draw_teams(seed=seed, targets=targets, team=inputs["team"])
    except drawing.DrawError as exc:
        if exc.target is None:
            raise ValidationError(str(exc)) from exc
        name = Enterprise._base_manager.filter(pk=exc.target).values_list("name", flat=True).first()
        raise ValidationError(_("“%(name)s”可选执法人员不足%(n)s人（已执行回避规则），请补充执法人员或调整每组人数")
                              % {"name": name, "n": params["team_size"]}) from exc
    # The same two phases `drawing.run` makes when the record is re-run.
    return inputs, {"targets": targets, "teams": teams}


@transaction.atomic
def draw_inspection(*, actor: User | None, region: Region, title: str, count: int, team_size: int = MIN_TEAM,
                    plan: AnnualPlan | None = None, quarter: int | None = None, within: Region | None = None,
                    categories: list[str] | tuple = (), classes: list[str] | tuple = (),
                    seed: str | None = None, drawn_at: datetime.datetime | None = None) -> Draw:
    """双随机: draw `count` enterprises under the filters (weighted by risk) and a team of officers for each.

    `drawn_at` records a draw made earlier (loading history as the system, actor None); users never set it.
    """
    if actor is not None:
        ensure_perm(actor, Draw, "add")
        if not is_in_scope(actor, region):
            raise PermissionDenied(_("该记录不在您的管辖范围内。"))
    if count < 1:
        raise _invalid(_("抽取数量至少为1"), "count")
    if team_size < MIN_TEAM:
        raise _invalid(_("每个检查对象至少派出%(n)s名执法人员") % {"n": MIN_TEAM}, "team_size")
    if plan is not None and plan.status not in (PlanStatus.APPROVED, PlanStatus.FILED):
        raise _invalid(_("年度计划批准后方可按计划抽取"), "plan")
    year = plan.year if plan is not None else timezone.localdate().year
    params = {"region": region.pk, "within": within.pk if within else None, "year": year,
              "categories": sorted(categories), "classes": sorted(classes), "count": count, "team_size": team_size}
    seed = seed or _new_seed()
    inputs, result = _draw_inspection(actor=actor, params=params, seed=seed)
    return _save_draw(actor=actor, kind=DrawKind.INSPECTION, region=region, title=title, seed=seed, inputs=inputs,
                      result=result, plan=plan, quarter=quarter, drawn_at=drawn_at)


def expert_exclusions(*, candidates: list[int], enterprise: Enterprise | None, recent_days: int,
                      exclude_draw: Draw | None = None) -> dict[str, str]:
    """Expert id → why they must sit this one out (same organisation, declared conflict, recent participation)."""
    excluded: dict[str, str] = {}
    if enterprise is not None:
        for pk, organization in Expert._base_manager.filter(pk__in=candidates).values_list("pk", "organization"):
            if organization.strip() and organization.strip() == enterprise.name.strip():
                excluded[str(pk)] = _("与企业同单位")
        through = Expert.conflict_enterprises.through
        for pk in through.objects.filter(enterprise_id=enterprise.pk, expert_id__in=candidates).values_list(
                "expert_id", flat=True):
            excluded.setdefault(str(pk), _("申报利益关联"))
    since = timezone.now() - datetime.timedelta(days=recent_days)
    recent = Draw._base_manager.filter(kind=DrawKind.EXPERT, is_current=True, drawn_at__gte=since)
    if exclude_draw is not None:
        recent = recent.exclude(pk=exclude_draw.pk)
    wanted = set(candidates)
    for result in recent.values_list("result", flat=True):
        for pk in result.get("targets", []):
            if pk in wanted:
                excluded.setdefault(str(pk), _("%(n)s天内参加过抽取事项") % {"n": recent_days})
    return excluded


def _draw_experts(*, params: dict, seed: str, exclude_draw: Draw | None = None) -> tuple[dict, dict]:
    region = Region.objects.get(pk=params["region"])
    enterprise = Enterprise._base_manager.get(pk=params["enterprise"]) if params.get("enterprise") else None
    ancestors = [r.code for r in region.ancestors()]
    pool = list(Expert._base_manager.filter(code_prefix_q("region__code", region.prefix) | Q(region_id__in=ancestors),
                                            field=params["field"]).order_by("pk").values_list("pk", flat=True))
    excluded = expert_exclusions(candidates=pool, enterprise=enterprise, recent_days=params["recent_days"],
                                 exclude_draw=exclude_draw)
    if len(pool) - len(excluded) < params["count"]:
        raise ValidationError(_("符合回避规则的%(field)s专家只有%(n)s名，不足%(count)s名")
                              % {"field": params["field_label"], "n": len(pool) - len(excluded),
                                 "count": params["count"]})
    inputs = {"params": params, "targets": [[pk, 1] for pk in pool], "count": params["count"], "excluded": excluded}
    return inputs, drawing.run(seed=seed, version=drawing.ALGORITHM_VERSION, inputs=inputs)


@transaction.atomic
def draw_experts(*, actor: User | None, region: Region, title: str, field: str, purpose: str, count: int,
                 enterprise: Enterprise | None = None, recent_days: int = RECENT_EXPERT_DAYS,
                 seed: str | None = None) -> Draw:
    """Draw experts of a field for a consultation, review or acceptance, applying the avoidance rules."""
    if actor is not None:
        ensure_perm(actor, Draw, "add")
        if not is_in_scope(actor, region):
            raise PermissionDenied(_("该记录不在您的管辖范围内。"))
        if enterprise is not None and not is_in_scope(actor, enterprise):
            raise PermissionDenied(_("该记录不在您的管辖范围内。"))
    if count < 1:
        raise _invalid(_("抽取数量至少为1"), "count")
    params = {"region": region.pk, "enterprise": enterprise.pk if enterprise else None, "field": field,
              "field_label": str(dict(ExpertField.choices).get(field, field)), "purpose": purpose, "count": count,
              "recent_days": recent_days}
    seed = seed or _new_seed()
    inputs, result = _draw_experts(params=params, seed=seed)
    return _save_draw(actor=actor, kind=DrawKind.EXPERT, region=region, title=title, seed=seed, inputs=inputs,
                      result=result, enterprise=enterprise, purpose=purpose)


@transaction.atomic
def draw_redraw(*, draw: Draw, actor: User | None, reason: str, seed: str | None = None) -> Draw:
    """A new draw with the same parameters and a new seed; the old one stays on record, marked replaced."""
    if not reason.strip():
        raise _invalid(_("重新抽取须填写原因"), "reason")
    locked = Draw._base_manager.select_for_update().get(pk=draw.pk)
    if actor is not None:
        ensure_perm(actor, Draw, "add")
        ensure_in_scope(actor, locked)
    if not locked.is_current:
        raise ValidationError(_("该抽取已被重新抽取，不能再次重抽"))
    if locked.inspections.exists():
        raise ValidationError(_("已按该抽取结果登记了检查，不能重新抽取"))
    seed = seed or _new_seed()
    params = locked.inputs["params"]
    if locked.kind == DrawKind.INSPECTION:
        inputs, result = _draw_inspection(actor=actor, params=params, seed=seed)
        extra = {"plan": locked.plan, "quarter": locked.quarter}
    else:
        inputs, result = _draw_experts(params=params, seed=seed, exclude_draw=locked)
        extra = {"enterprise": locked.enterprise, "purpose": locked.purpose}
    locked.is_current = False
    save_with_history(locked, actor=actor, reason=_("重新抽取：%(r)s") % {"r": reason[:80]})
    return _save_draw(actor=actor, kind=locked.kind, region=locked.region, title=locked.title, seed=seed,
                      inputs=inputs, result=result, replaces=locked, reason=reason, **extra)


# -- 3. checklists, inspections, findings, cases -------------------------------------------------------------------

@transaction.atomic
def checklist_create(*, actor: User | None, region: Region | None = None, **fields: Any) -> Checklist:
    """A checklist kept by the actor's own jurisdiction (the system's go to the top bureau)."""
    return scoped_create(Checklist, actor=actor, reason=_("新建检查表"), region=catalogue_owner(actor, region),
                         **fields)


@transaction.atomic
def checklist_update(*, checklist: Checklist, actor: User | None, **fields: Any) -> Checklist:
    """Change a checklist the actor's own jurisdiction keeps; one shared from above can only be used."""
    _ensure_owner(actor, checklist)
    fields.pop("region", None)  # the owner of a checklist does not change
    return scoped_update(checklist, actor=actor, reason=_("修改检查表"), **fields)


@transaction.atomic
def inspection_create(*, actor: User | None, enterprise: Enterprise, kind: str, inspected_on: datetime.date,
                      inspectors, plan: AnnualPlan | None = None, draw: Draw | None = None,
                      checklist: Checklist | None = None, item_results: dict | None = None, place: str = "",
                      conclusion: str = "") -> Inspection:
    """Record an inspection carried out by at least two certified officers; counts it in the roll-ups."""
    if actor is not None:
        ensure_perm(actor, Inspection, "add")
    inspectors = list(inspectors)
    if len({i.pk for i in inspectors}) < MIN_TEAM:
        raise _invalid(_("执法检查应由两名以上执法人员进行"), "inspectors")
    if inspected_on > timezone.localdate():
        raise _invalid(_("检查日期不能晚于今天"), "inspected_on")
    if draw is not None and enterprise.pk not in draw.target_ids:
        raise _invalid(_("该企业不在所选抽取结果中"), "draw")
    if draw is not None and not draw.is_current:
        raise _invalid(_("该抽取已被重新抽取，请选择有效的抽取记录"), "draw")
    _ensure_usable(actor, checklist, "checklist")
    code = next_code("JC", enterprise.region, inspected_on.year)
    inspection = scoped_create(
        Inspection, actor=actor, reason=_("登记执法检查"), code=code, enterprise=enterprise,
        region=enterprise.region, kind=kind, inspected_on=inspected_on, plan=plan, draw=draw, checklist=checklist,
        item_results=item_results or {}, place=place, conclusion=conclusion, created_by=actor)
    inspection.inspectors.set(inspectors)
    _stat_bump(inspected_on, inspection.region_id, inspections=1)
    _mark_unit(enterprise.pk, inspection.region_id, inspected_on)
    return inspection


@transaction.atomic
def inspection_update(*, inspection: Inspection, actor: User | None, **fields: Any) -> Inspection:
    """Details only: the enterprise, date and officers of an inspection are facts the statistics rest on."""
    allowed = {"place", "conclusion", "item_results", "checklist", "kind"}
    if fields.get("checklist") is not None and fields["checklist"] != inspection.checklist:
        _ensure_usable(actor, fields["checklist"], "checklist")
    return scoped_update(inspection, actor=actor, reason=_("修改检查记录"),
                         **{k: v for k, v in fields.items() if k in allowed})


@transaction.atomic
def finding_add(*, actor: User | None, inspection: Inspection, description: str, place: str, hazard_category: str,
                hazard_level: str, rectify_by: datetime.date | None = None, is_violation: bool = False,
                legal_basis: str = "", item_code: str = "", open_case: bool = False,
                case_title: str = "") -> Finding:
    """A problem found: registered as a hazard (隐患来源 执法检查) in the hazards loop; a violation may open a case."""
    if actor is not None:
        ensure_perm(actor, Finding, "add")
        ensure_in_scope(actor, inspection)
    if open_case and not is_violation:
        raise _invalid(_("只有涉嫌违法行为才能立案"), "open_case")
    # The inspection's day, at nine in the morning; a finding recorded earlier on that day is dated now (a
    # discovery cannot lie in the future).
    found_at = min(timezone.make_aware(datetime.datetime.combine(inspection.inspected_on, datetime.time(9, 0))),
                   timezone.now())
    names = "、".join(i.name for i in inspection.inspectors.all())
    hazard = hazard_services.hazard_create(
        actor=actor, enterprise=inspection.enterprise, description=description, place=place,
        category=hazard_category, level=hazard_level, source=HazardSource.ENFORCEMENT, found_at=found_at,
        found_by_name=names[:50], deadline=rectify_by,
        responsible_unit=inspection.enterprise.name[:100])
    finding = scoped_create(
        Finding, actor=actor, reason=_("登记检查发现问题"), inspection=inspection, region=inspection.region,
        enterprise=inspection.enterprise, item_code=item_code, description=description, place=place,
        hazard_category=hazard_category, hazard_level=hazard_level, is_violation=is_violation,
        legal_basis=legal_basis, rectify_by=rectify_by, hazard=hazard)
    if open_case:
        case_open(actor=actor, inspection=inspection, finding=finding, title=case_title or description[:200],
                  facts=description, legal_basis=legal_basis)
    return finding


@transaction.atomic
def case_open(*, actor: User | None, inspection: Inspection, title: str, facts: str, finding: Finding | None = None,
              legal_basis: str = "", penalty_basis: str = "", filed_on: datetime.date | None = None) -> Case:
    """立案 for a violation found in an inspection."""
    if actor is not None:
        ensure_perm(actor, Case, "add")
        ensure_in_scope(actor, inspection)
    if finding is not None and (finding.inspection_id != inspection.pk or not finding.is_violation):
        raise _invalid(_("只能就本次检查发现的违法行为立案"), "finding")
    filed_on = filed_on or timezone.localdate()
    if filed_on < inspection.inspected_on:
        raise _invalid(_("立案日期不能早于检查日期"), "filed_on")
    case = scoped_create(
        Case, actor=actor, reason=_("立案"), code=next_code("AJ", inspection.region, filed_on.year),
        inspection=inspection, finding=finding, enterprise=inspection.enterprise, region=inspection.region,
        title=title, facts=facts, legal_basis=legal_basis, penalty_basis=penalty_basis, filed_on=filed_on)
    _stat_bump(filed_on, case.region_id, cases=1)
    return case


CASE_ACTIONS = {t.action: t.label for t in CASE_WORKFLOW.transitions}


@transaction.atomic
def case_decide(*, case: Case, actor: User | None, decision_no: str, order_rectify: bool = False,
                rectify_deadline: datetime.date | None = None, order_suspend: bool = False,
                order_close: bool = False, fine_yuan: Decimal = Decimal(0), penalty_basis: str = "",
                decided_on: datetime.date | None = None, reason: str = "") -> Case:
    """作出决定 with its orders and fine; counts the penalty, suspension, closure and fine in the roll-up."""
    problem = decision_problem(order_rectify=order_rectify, rectify_deadline=rectify_deadline,
                               order_suspend=order_suspend, order_close=order_close, fine_yuan=fine_yuan)
    if problem:
        raise ValidationError(problem)
    if fine_yuan is None or fine_yuan < 0:
        raise _invalid(_("罚款金额不能为负数"), "fine_yuan")
    if not decision_no.strip():
        raise _invalid(_("请填写决定书文号"), "decision_no")
    decided_on = decided_on or timezone.localdate()
    if decided_on < case.filed_on:
        raise _invalid(_("决定日期不能早于立案日期"), "decided_on")
    changes = {"decision_no": decision_no.strip(), "order_rectify": order_rectify, "rectify_deadline": rectify_deadline,
               "order_suspend": order_suspend, "order_close": order_close, "fine_yuan": Decimal(fine_yuan),
               "decided_on": decided_on}
    if penalty_basis:
        changes["penalty_basis"] = penalty_basis
    decided = transition(case, workflow=CASE_WORKFLOW, action="decide", actor=actor, reason=reason, changes=changes,
                         data={"fine_yuan": str(fine_yuan)})
    _stat_bump(decided_on, decided.region_id, penalties=int(decided.is_penalty), suspensions=int(order_suspend),
               closures=int(order_close), fines_yuan=Decimal(fine_yuan))
    return decided


@transaction.atomic
def case_act(*, case: Case, actor: User | None, action: str, reason: str = "", **decision: Any) -> Case:
    """One case move by name (pages, API); 作出决定 goes to case_decide with its measures."""
    if action not in CASE_ACTIONS:
        raise InvalidTransition(unknown_action_message(action))
    if action == "decide":
        return case_decide(case=case, actor=actor, reason=reason, **decision)
    changes = {"closed_on": timezone.localdate()} if action in ("close", "drop") else {}
    return transition(case, workflow=CASE_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)
