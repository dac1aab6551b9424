"""The loops of the plans app as tables of allowed moves.

Who may act:
- 预案 (PLAN_WORKFLOW). 提交评审 (submit): whoever maintains the plan (`plans.change_plan`; an enterprise user
  only for their own enterprise's plan — jurisdiction is checked by `transition`). 评审通过 / 退回修改
  (approve / reject): a bureau officer with `plans.review_plan` who did not submit it. 备案 (file): a bureau
  officer with `plans.file_plan`. 废止 (abolish): a bureau officer with `plans.file_plan`, with a reason.
  已修订替代 (supersede) is the system's move when the next version is filed: no person makes it.
- 演练 (DRILL_WORKFLOW). 开始实施 / 实施完成 / 取消 (start / finish / cancel): who maintains the drill
  (`plans.change_drill`). 评估 (evaluate): a bureau officer with `plans.change_drill`, or the enterprise's own
  user for an enterprise drill. 闭环 (close): the same, once every improvement task is closed.
- 演练改进任务 (IMPROVEMENT_WORKFLOW). 提交整改 (submit): `plans.change_drillimprovement`. 验收销号 / 验收不通过
  (accept / reject): the same permission, but not the person who submitted it.
- 基层应急能力评估 (READINESS_WORKFLOW). 提交自评 (submit): the township or village itself — a user whose
  jurisdiction is exactly that township or village, or the township of that village (网格员, 乡镇工作人员),
  with `plans.change_readinessassessment`. 复核达标 / 复核不达标 / 退回修改 (pass / fail / return): a county or city
  officer with `plans.review_readinessassessment`. 重新自评 (reopen): the self-assessors, after a failure.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, system_rule, user_rule
from yingji.incidents.models import ResponseLevel
from yingji.plans.models import (
    DrillImprovement,
    DrillStatus,
    ImprovementStatus,
    PlanLevel,
    PlanStatus,
    PlanTask,
    ReadinessItem,
    ReadinessStatus,
)
from yingji.standards.division import level_of


def _is_bureau(user) -> bool:
    return not user.scope_enterprise_id


@system_rule
def nobody(user, obj) -> bool:
    """Moves only the system makes (actor=None skips `who`)."""
    return False


# -- plans ------------------------------------------------------------------------------------------------------

@user_rule
def plan_maintainer(user, plan) -> bool:
    return user.has_perm("plans.change_plan")


def _reviewable(user) -> Q | None:
    return ~Q(submitted_by=user) if _is_bureau(user) and user.has_perm("plans.review_plan") else None


@rows_rule(_reviewable)
def plan_reviewer(user, plan) -> bool:
    return _is_bureau(user) and user.has_perm("plans.review_plan") and plan.submitted_by_id != user.pk


@user_rule
def plan_filer(user, plan) -> bool:
    return _is_bureau(user) and user.has_perm("plans.file_plan")


def plan_has_structure(plan) -> str | None:
    """A plan goes to review with its response levels and the tasks of each level."""
    if not PlanLevel._base_manager.filter(plan=plan).exists():
        return _("请先设置预案的响应分级")
    if not PlanTask._base_manager.filter(plan=plan).exists():
        return _("请先设置各级响应的任务分工")
    return None


P = PlanStatus
PLAN_WORKFLOW = Workflow(
    choices=PlanStatus,
    transitions=[
        Transition(P.DRAFT, "submit", P.REVIEWING, gettext_lazy("提交评审"), who=plan_maintainer,
                   requires=plan_has_structure),
        Transition(P.REVIEWING, "approve", P.REVIEWED, gettext_lazy("评审通过"), who=plan_reviewer),
        Transition(P.REVIEWING, "reject", P.DRAFT, gettext_lazy("退回修改"), who=plan_reviewer,
                   reason_required=True),
        Transition(P.REVIEWED, "file", P.FILED, gettext_lazy("备案"), who=plan_filer,
                   fields=("filing_number", "filed_on")),
        Transition(P.FILED, "abolish", P.ABOLISHED, gettext_lazy("废止"), who=plan_filer, reason_required=True,
                   todo=False),
        Transition(P.FILED, "supersede", P.SUPERSEDED, gettext_lazy("修订替代"), who=nobody),
    ],
)

# -- drills -----------------------------------------------------------------------------------------------------


@user_rule
def drill_maintainer(user, drill) -> bool:
    return user.has_perm("plans.change_drill")


def _evaluable(user) -> Q | None:
    if not user.has_perm("plans.change_drill"):
        return None
    return Q() if _is_bureau(user) else Q(enterprise_id=user.scope_enterprise_id)


@rows_rule(_evaluable)
def drill_evaluator(user, drill) -> bool:
    if not user.has_perm("plans.change_drill"):
        return False
    return _is_bureau(user) or user.scope_enterprise_id == drill.enterprise_id


def improvements_closed(drill) -> str | None:
    left = DrillImprovement._base_manager.filter(drill=drill).exclude(status=ImprovementStatus.CLOSED).count()
    if left:
        return _("还有 %(n)d 项改进任务未销号，不能闭环") % {"n": left}
    return None


# 开始实施 may run the drill in exercise mode and, with a level, start its plan's response for the drill incident.
EXERCISE = ActionField("exercise", models.BooleanField(gettext_lazy("以演练模式运行（生成演练事件，在事件与调度界面实施）")))
PLAN_RESPONSE = ActionField("level", models.CharField(
    gettext_lazy("按预案启动响应"), max_length=1, blank=True,
    choices=[("", gettext_lazy("不按预案启动响应")),
             *((value, format_lazy("按预案启动{}响应", label)) for value, label in ResponseLevel.choices)]))

D = DrillStatus
DRILL_WORKFLOW = Workflow(
    choices=DrillStatus,
    transitions=[
        Transition(D.PLANNED, "start", D.IN_PROGRESS, gettext_lazy("开始实施"), who=drill_maintainer,
                   fields=(EXERCISE, PLAN_RESPONSE)),
        Transition(D.PLANNED, "cancel", D.CANCELLED, gettext_lazy("取消演练"), who=drill_maintainer,
                   reason_required=True, todo=False),
        Transition(D.IN_PROGRESS, "finish", D.CONDUCTED, gettext_lazy("实施完成"), who=drill_maintainer,
                   fields=("held_on", "summary")),
        Transition(D.CONDUCTED, "evaluate", D.EVALUATED, gettext_lazy("评估"), who=drill_evaluator,
                   fields=(ActionField("rating", required=True), ActionField("evaluation", required=True))),
        Transition(D.EVALUATED, "close", D.CLOSED, gettext_lazy("整改闭环"), who=drill_evaluator,
                   requires=improvements_closed),
    ],
)

# -- improvement tasks ---------------------------------------------------------------------------------------------


@user_rule
def improvement_rectifier(user, improvement) -> bool:
    return user.has_perm("plans.change_drillimprovement")


@rows_rule(lambda user: ~Q(submitted_by=user) if user.has_perm("plans.change_drillimprovement") else None)
def improvement_checker(user, improvement) -> bool:
    return user.has_perm("plans.change_drillimprovement") and improvement.submitted_by_id != user.pk


I = ImprovementStatus  # noqa: E741 - one letter like the other tables
IMPROVEMENT_WORKFLOW = Workflow(
    choices=ImprovementStatus,
    transitions=[
        # The reason of 提交整改 is the result of the rectification.
        Transition(I.OPEN, "submit", I.SUBMITTED, gettext_lazy("提交整改"), who=improvement_rectifier,
                   reason_required=True),
        Transition(I.SUBMITTED, "accept", I.CLOSED, gettext_lazy("验收销号"), who=improvement_checker),
        Transition(I.SUBMITTED, "reject", I.OPEN, gettext_lazy("验收不通过"), who=improvement_checker,
                   reason_required=True),
    ],
)

# -- readiness --------------------------------------------------------------------------------------------------


def _self_assessed(user) -> Q | None:
    if not _is_bureau(user) or not user.has_perm("plans.change_readinessassessment") or not user.scope_region_id:
        return None
    scope = user.scope_region_id
    own = Q(region_id=scope)
    return own | Q(region_id__startswith=scope[:9]) if level_of(scope) == "township" else own


@rows_rule(_self_assessed)
def self_assessor(user, assessment) -> bool:
    """The township or village itself: its own people, or the township's people for one of its villages."""
    if not _is_bureau(user) or not user.has_perm("plans.change_readinessassessment"):
        return False
    scope = user.scope_region_id or ""
    if scope == assessment.region_id:
        return True
    return level_of(scope) == "township" and assessment.region_id.startswith(scope[:9]) if scope else False


@user_rule
def county_reviewer(user, assessment) -> bool:
    if not _is_bureau(user) or not user.has_perm("plans.review_readinessassessment"):
        return False
    scope = user.scope_region_id
    if scope is None:
        return user.is_superuser
    return level_of(scope) in ("province", "city", "county")


def self_assessment_complete(assessment) -> str | None:
    unexplained = [str(i.get_key_display()) for i in ReadinessItem._base_manager.filter(assessment=assessment)
                   if i.self_met and not i.description.strip()]
    if unexplained:
        return _("自评具备的项目须填写说明：%(items)s") % {"items": "、".join(unexplained)}
    return None


def every_item_reviewed(assessment) -> str | None:
    if ReadinessItem._base_manager.filter(assessment=assessment, review_met__isnull=True).exists():
        return _("请先对每个项目作出复核认定")
    return None


def all_items_met(assessment) -> str | None:
    missing = every_item_reviewed(assessment)
    if missing:
        return missing
    failed = [str(i.get_key_display()) for i in ReadinessItem._base_manager.filter(assessment=assessment,
                                                                                   review_met=False)]
    if failed:
        return _("以下项目复核未具备，不能认定达标：%(items)s") % {"items": "、".join(failed)}
    return None


R = ReadinessStatus
READINESS_WORKFLOW = Workflow(
    choices=ReadinessStatus,
    transitions=[
        Transition(R.DRAFT, "submit", R.SUBMITTED, gettext_lazy("提交自评"), who=self_assessor,
                   requires=self_assessment_complete),
        Transition(R.SUBMITTED, "pass", R.PASSED, gettext_lazy("复核达标"), who=county_reviewer,
                   requires=all_items_met),
        Transition(R.SUBMITTED, "fail", R.FAILED, gettext_lazy("复核不达标"), who=county_reviewer,
                   requires=every_item_reviewed, reason_required=True),
        Transition(R.SUBMITTED, "return", R.DRAFT, gettext_lazy("退回修改"), who=county_reviewer,
                   reason_required=True),
        Transition(R.FAILED, "reopen", R.DRAFT, gettext_lazy("重新自评"), who=self_assessor),
    ],
)
