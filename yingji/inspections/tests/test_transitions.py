"""The workflows, tested from their tables: every allowed move and every refused one."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yingji.core.models import StateChange
from yingji.core.testing import add_enterprise_user
from yingji.core.workflow import InvalidTransition
from yingji.inspections import services
from yingji.inspections.models import CaseStatus, PlanStatus
from yingji.inspections.states import CASE_WORKFLOW, PLAN_WORKFLOW
from yingji.inspections.testing import DECISION, bring_case_to, make_inspection, make_plan

pytestmark = pytest.mark.django_db

CASE_CASES = list(itertools.product(CaseStatus.values, sorted({t.action for t in CASE_WORKFLOW.transitions})))
CASE_ALLOWED = {(t.source, t.action): t.target for t in CASE_WORKFLOW.transitions}
PLAN_CASES = list(itertools.product(PlanStatus.values, sorted({t.action for t in PLAN_WORKFLOW.transitions})))
PLAN_ALLOWED = {(t.source, t.action): t.target for t in PLAN_WORKFLOW.transitions}


def _case(firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    return services.case_open(actor=None, inspection=inspection, title="未落实全员安全生产责任制", facts="经查属实")


@pytest.mark.parametrize(("state", "action"), CASE_CASES)
def test_each_case_move_is_allowed_or_refused_exactly_as_the_table_says(world, firms, officers, state, action):
    case = bring_case_to(_case(firms, officers), state)
    before = StateChange.objects.count()
    extra = DECISION if action == "decide" else {}
    reason = "情节轻微，依法不予处罚" if action == "drop" else ""
    if (state, action) in CASE_ALLOWED:
        moved = services.case_act(case=case, actor=world.county1_officer, action=action, reason=reason, **extra)
        assert moved.status == CASE_ALLOWED[(state, action)]
        change = StateChange.objects.latest("pk")
        assert (change.from_state, change.to_state, change.actor) == (state, moved.status, world.county1_officer)
    else:
        with pytest.raises(InvalidTransition):
            services.case_act(case=case, actor=world.county1_officer, action=action, reason=reason, **extra)
        case.refresh_from_db()
        assert case.status == state and StateChange.objects.count() == before


@pytest.mark.parametrize(("state", "action"), PLAN_CASES)
def test_each_plan_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    plan = make_plan(world.county1, status=state)
    before = StateChange.objects.count()
    # Approval is by someone other than the submitter (the system submitted here).
    if (state, action) in PLAN_ALLOWED:
        moved = services.plan_act(plan=plan, actor=world.county1_officer, action=action, reason="同意")
        assert moved.status == PLAN_ALLOWED[(state, action)]
        assert StateChange.objects.count() == before + 1
    else:
        with pytest.raises(InvalidTransition):
            services.plan_act(plan=plan, actor=world.county1_officer, action=action, reason="同意")
        plan.refresh_from_db()
        assert plan.status == state and StateChange.objects.count() == before


def test_the_submitter_may_not_approve_their_own_plan(world):
    plan = services.plan_act(plan=make_plan(world.county1), actor=world.county1_officer, action="submit")
    with pytest.raises(InvalidTransition, match="无权"):
        services.plan_act(plan=plan, actor=world.county1_officer, action="approve")


def test_an_empty_plan_cannot_be_submitted(world):
    plan = services.plan_create(actor=None, region=world.county1, year=2026, title="空计划")
    with pytest.raises(InvalidTransition, match="尚未安排"):
        services.plan_act(plan=plan, actor=world.county1_officer, action="submit")


def test_returning_a_plan_needs_a_reason(world):
    plan = make_plan(world.county1, status="submitted")
    with pytest.raises(InvalidTransition, match="原因"):
        services.plan_act(plan=plan, actor=world.county1_officer, action="return")


def test_a_decision_needs_an_order_or_a_fine_and_a_deadline_for_rectification(world, firms, officers):
    case = bring_case_to(_case(firms, officers), "notified")
    with pytest.raises(ValidationError, match="至少包含一项"):
        services.case_decide(case=case, actor=world.county1_officer, decision_no="号")
    with pytest.raises(ValidationError, match="整改期限"):
        services.case_decide(case=case, actor=world.county1_officer, decision_no="号", order_rectify=True)
    case.refresh_from_db()
    assert case.status == "notified"


def test_enterprise_users_and_other_counties_cannot_move_a_case(world, firms, officers):
    case = _case(firms, officers)
    with pytest.raises(InvalidTransition):
        services.case_act(case=case, actor=add_enterprise_user(world, "firm", firms["a"]), action="investigate")
    with pytest.raises(PermissionDenied):
        services.case_act(case=case, actor=world.county2_officer, action="investigate")
    with pytest.raises(InvalidTransition):
        services.case_act(case=case, actor=world.county1_leader, action="investigate")


def test_the_diagrams_come_from_the_tables():
    assert "filed --> investigating: 调查取证" in CASE_WORKFLOW.diagram()
    assert "approved --> filed: 备案" in PLAN_WORKFLOW.diagram()
