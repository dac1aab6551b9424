"""The enforcement workflows as tables of allowed moves.

Who may act:
- Annual plan 编制 → 报批 → 批准 → 备案: a bureau user with `inspections.change_annualplan` drafts and submits;
  approval and return need `inspections.approve_annualplan` and someone other than the submitter; 备案 after approval.
- Case 立案 → 调查取证 → 告知 → 决定 → 执行 → 结案: bureau users with `inspections.change_case`; 不予处罚 closes
  a case from 调查取证 and needs a reason; a decision needs at least one order or a fine (`decision_problem`).
- Warning interview 待约谈 → 已约谈: a bureau user with `inspections.change_warninginterview`; the record is required.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.workflow import ActionField, Transition, Workflow, rows_rule, user_rule
from yingji.inspections.models import CaseStatus, InterviewStatus, PlanStatus


def _bureau(user, perm: str) -> bool:
    return not user.scope_enterprise_id and user.has_perm(perm)


@user_rule
def can_edit_plan(user, plan) -> bool:
    return _bureau(user, "inspections.change_annualplan")


def _approvable(user) -> Q | None:
    return ~Q(submitted_by=user) if _bureau(user, "inspections.approve_annualplan") else None


@rows_rule(_approvable)
def can_approve_plan(user, plan) -> bool:
    return _bureau(user, "inspections.approve_annualplan") and plan.submitted_by_id != user.pk


def plan_has_inspections(plan) -> str | None:
    if plan.total_key + plan.total_random == 0:
        return _("计划中尚未安排任何检查，不能报批")
    return None


P = PlanStatus
PLAN_WORKFLOW = Workflow(
    choices=PlanStatus,
    transitions=[
        Transition(P.DRAFT, "submit", P.SUBMITTED, gettext_lazy("报批"), who=can_edit_plan,
                   requires=plan_has_inspections),
        Transition(P.SUBMITTED, "approve", P.APPROVED, gettext_lazy("批准"), who=can_approve_plan),
        Transition(P.SUBMITTED, "return", P.DRAFT, gettext_lazy("退回修改"), who=can_approve_plan,
                   reason_required=True),
        Transition(P.APPROVED, "file", P.FILED, gettext_lazy("备案"), who=can_edit_plan),
    ],
)


@user_rule
def can_handle_case(user, case) -> bool:
    return _bureau(user, "inspections.change_case")


def decision_problem(*, order_rectify: bool, rectify_deadline, order_suspend: bool, order_close: bool,
                     fine_yuan) -> str | None:
    """Why a decision may not be made with these measures (checked by the service before the move), or None."""
    if not (order_rectify or order_suspend or order_close or (fine_yuan or 0) > 0):
        return _("处罚决定须至少包含一项责令措施或罚款")
    if order_rectify and not rectify_deadline:
        return _("责令限期整改须填写整改期限")
    return None


C = CaseStatus
CASE_WORKFLOW = Workflow(
    choices=CaseStatus,
    transitions=[
        Transition(C.FILED, "investigate", C.INVESTIGATING, gettext_lazy("调查取证"), who=can_handle_case),
        Transition(C.INVESTIGATING, "notify", C.NOTIFIED, gettext_lazy("告知"), who=can_handle_case),
        Transition(C.INVESTIGATING, "drop", C.CLOSED, gettext_lazy("不予处罚结案"), who=can_handle_case,
                   reason_required=True),
        Transition(C.NOTIFIED, "decide", C.DECIDED, gettext_lazy("作出决定"), who=can_handle_case,
                   fields=(ActionField("decision_no", required=True), "order_rectify", "rectify_deadline",
                           "order_suspend", "order_close", "fine_yuan", "penalty_basis", "decided_on")),
        Transition(C.DECIDED, "execute", C.EXECUTING, gettext_lazy("执行"), who=can_handle_case),
        Transition(C.EXECUTING, "close", C.CLOSED, gettext_lazy("结案"), who=can_handle_case),
    ],
)


@user_rule
def can_interview(user, interview) -> bool:
    return _bureau(user, "inspections.change_warninginterview")


def interview_problem(*, held_on, record: str) -> str | None:
    if not (record or "").strip() or not held_on:
        return _("请填写约谈日期和约谈记录")
    return None


INTERVIEW_WORKFLOW = Workflow(
    choices=InterviewStatus,
    transitions=[
        Transition(InterviewStatus.PENDING, "hold", InterviewStatus.HELD, gettext_lazy("完成约谈"), who=can_interview,
                   fields=(ActionField("held_on", required=True), "interviewers", "attendees",
                           ActionField("record", required=True), "commitments")),
    ],
)
