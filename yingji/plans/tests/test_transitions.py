"""The plans app's loops tested from their own tables: every allowed move and every refused one, and who may act."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from yingji.core import roles
from yingji.core.models import Notification, StateChange
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, add_enterprise_user
from yingji.core.workflow import InvalidTransition, transition
from yingji.enterprises.testing import EnterpriseFactory
from yingji.plans import services
from yingji.plans.models import (
    Drill,
    DrillImprovement,
    DrillStatus,
    ImprovementStatus,
    Plan,
    PlanStatus,
    ReadinessAssessment,
    ReadinessItem,
    ReadinessStatus,
)
from yingji.plans.states import DRILL_WORKFLOW, IMPROVEMENT_WORKFLOW, PLAN_WORKFLOW, READINESS_WORKFLOW
from yingji.plans.tasks import remind_plan_revisions
from yingji.plans.testing import (
    bring_drill_to,
    bring_plan_to,
    deadline,
    make_assessment,
    make_drill,
    make_plan,
    organization,
)

pytestmark = pytest.mark.django_db


def cases(workflow, choices):
    actions = sorted({t.action for t in workflow.transitions})
    return list(itertools.product(choices.values, actions))


def allowed(workflow):
    return {(t.source, t.action): t.target for t in workflow.transitions}


def person(world, username, role, region):
    if username not in world.users:
        world.users[username] = user_create(actor=None, username=username, password=PASSWORD, real_name=username,
                                            roles=[role], scope_region=region)
    return world.users[username]


def assert_moved(subject, model, state, target, actor, reason):
    assert model.objects.get(pk=subject.pk).status == target
    change = StateChange.objects.latest("pk")
    assert (change.from_state, change.to_state, change.actor) == (state, target, actor)
    assert change.reason == reason


def assert_refused(call, subject, model, state, before):
    with pytest.raises(InvalidTransition, match="不能执行"):
        call()
    assert model._base_manager.get(pk=subject.pk).status == state
    assert StateChange.objects.count() == before


# -- plans ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "action"), cases(PLAN_WORKFLOW, PlanStatus))
def test_each_plan_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    plan = bring_plan_to(make_plan(world.county1), state)
    # 评审 by someone other than the submitter; supersede is the system's own move.
    actor = None if action == "supersede" else world.county1_admin if action in ("approve", "reject") \
        else world.county1_officer
    before = StateChange.objects.count()
    if action == "supersede":
        def call():
            return transition(plan, workflow=PLAN_WORKFLOW, action=action, actor=None, reason="现场核实")
    else:
        def call():
            return services.plan_act(plan=plan, actor=actor, action=action, reason="现场核实")
    if (state, action) in allowed(PLAN_WORKFLOW):
        call()
        assert_moved(plan, Plan, state, allowed(PLAN_WORKFLOW)[(state, action)], actor, "现场核实")
    else:
        assert_refused(call, plan, Plan, state, before)


def test_nobody_supersedes_a_plan_by_hand(world):
    plan = bring_plan_to(make_plan(world.county1), "filed")
    with pytest.raises(InvalidTransition, match="无权"):
        transition(plan, workflow=PLAN_WORKFLOW, action="supersede", actor=world.city_admin, reason="")


def test_the_submitter_cannot_review_their_own_plan(world):
    plan = services.plan_submit(plan=make_plan(world.county1), actor=world.county1_officer)
    with pytest.raises(InvalidTransition, match="无权"):
        services.plan_approve(plan=plan, actor=world.county1_officer)
    assert services.plan_approve(plan=plan, actor=world.county1_admin).status == PlanStatus.REVIEWED


def test_a_plan_goes_to_review_only_with_its_levels_and_tasks(world):
    plan = make_plan(world.county1, structure=False)
    with pytest.raises(InvalidTransition, match="响应分级"):
        services.plan_submit(plan=plan, actor=world.county1_officer)


def test_a_rejection_and_an_abolition_need_a_reason(world):
    plan = bring_plan_to(make_plan(world.county1), "reviewing")
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.plan_reject(plan=plan, actor=world.county1_admin, reason=" ")
    filed = bring_plan_to(make_plan(world.county1, name="另一预案"), "filed")
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.plan_abolish(plan=filed, actor=world.county1_officer, reason="")


def test_an_enterprise_maintains_its_own_plan_but_the_bureau_reviews_and_files_it(world):
    mine, other = EnterpriseFactory(region=world.village1), EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", mine)
    plan = services.plan_create(actor=manager, name="本企业综合应急预案", kind="general", region=world.county2)
    assert (plan.kind, plan.enterprise, plan.region) == ("enterprise", mine, world.village1)
    theirs = make_plan(world.village1, name="他企业预案", kind="enterprise", enterprise=other, structure=False)
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=theirs, actor=manager, name="改名")

    org = organization(world.county1, "企业应急办")
    services.plan_organization_create(actor=manager, plan=plan, organization=org, role="headquarters",
                                      responsibilities="统一指挥")
    services.plan_level_create(actor=manager, plan=plan, level="4", condition="车间火灾")
    services.plan_task_create(actor=manager, plan=plan, level="4", organization=org, task="组织疏散")
    plan = services.plan_submit(plan=plan, actor=manager)
    with pytest.raises(InvalidTransition, match="无权"):
        services.plan_approve(plan=plan, actor=manager)
    plan = services.plan_approve(plan=plan, actor=world.county1_officer)
    plan = services.plan_file(plan=plan, actor=world.county1_officer)
    assert plan.status == PlanStatus.FILED and plan.filing_number


def test_a_county_officer_cannot_move_another_countys_plan(world):
    plan = bring_plan_to(make_plan(world.county2), "reviewing")
    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=plan, actor=world.county1_officer)


# -- drills -----------------------------------------------------------------------------------------------------

DRILL_EXTRA = {"evaluate": {"rating": "good", "evaluation": "组织有序"}}


@pytest.mark.parametrize(("state", "action"), cases(DRILL_WORKFLOW, DrillStatus))
def test_each_drill_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    drill = bring_drill_to(make_drill(world.village1), state)
    before = StateChange.objects.count()

    def call():
        return services.drill_act(drill=drill, actor=world.county1_officer, action=action, reason="现场核实",
                                  **DRILL_EXTRA.get(action, {}))

    if (state, action) in allowed(DRILL_WORKFLOW):
        call()
        assert_moved(drill, Drill, state, allowed(DRILL_WORKFLOW)[(state, action)], world.county1_officer, "现场核实")
    else:
        assert_refused(call, drill, Drill, state, before)


def test_a_drill_closes_only_when_every_improvement_is_closed(world):
    drill = bring_drill_to(make_drill(world.village1), "conducted")
    improvement = services.improvement_create(actor=world.county1_officer, drill=drill, problem="通讯中断",
                                              measure="配备卫星电话", responsible_unit="区应急局", deadline=deadline())
    drill = services.drill_evaluate(drill=drill, actor=world.county1_officer, rating="pass", evaluation="基本合格")
    with pytest.raises(InvalidTransition, match="未销号"):
        services.drill_close(drill=drill, actor=world.county1_officer)
    improvement = services.improvement_act(improvement=improvement, actor=world.county1_officer, action="submit",
                                           reason="已配备2部卫星电话")
    services.improvement_act(improvement=improvement, actor=world.county1_admin, action="accept")
    assert services.drill_close(drill=drill, actor=world.county1_officer).status == DrillStatus.CLOSED


def test_finishing_records_the_day_it_was_held(world):
    drill = bring_drill_to(make_drill(world.village1), "in_progress")
    drill = services.drill_finish(drill=drill, actor=world.county1_officer, summary="按方案完成")
    assert drill.held_on == timezone.localdate() and drill.summary == "按方案完成"


# -- improvement tasks ---------------------------------------------------------------------------------------------

IMPROVEMENT_PATH = {"open": [], "submitted": [("submit", "已整改")], "closed": [("submit", "已整改"), ("accept", "")]}


@pytest.mark.parametrize(("state", "action"), cases(IMPROVEMENT_WORKFLOW, ImprovementStatus))
def test_each_improvement_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    drill = bring_drill_to(make_drill(world.village1), "conducted")
    improvement = services.improvement_create(actor=None, drill=drill, problem="警戒不到位", measure="增加警戒人员",
                                              responsible_unit="派出所", deadline=deadline())
    for step, reason in IMPROVEMENT_PATH[state]:
        improvement = services.improvement_act(improvement=improvement, actor=None, action=step, reason=reason)
    before = StateChange.objects.count()
    # The checker is never the one who submitted.
    actor = world.county1_officer if action == "submit" else world.county1_admin

    def call():
        return services.improvement_act(improvement=improvement, actor=actor, action=action, reason="现场核实")

    if (state, action) in allowed(IMPROVEMENT_WORKFLOW):
        call()
        assert_moved(improvement, DrillImprovement, state, allowed(IMPROVEMENT_WORKFLOW)[(state, action)], actor,
                     "现场核实")
    else:
        assert_refused(call, improvement, DrillImprovement, state, before)


def test_who_submitted_an_improvement_does_not_accept_it(world):
    drill = bring_drill_to(make_drill(world.village1), "conducted")
    improvement = services.improvement_create(actor=None, drill=drill, problem="物资不足", measure="补充",
                                              responsible_unit="街道", deadline=deadline())
    improvement = services.improvement_act(improvement=improvement, actor=world.county1_officer, action="submit",
                                           reason="已补充")
    with pytest.raises(InvalidTransition, match="无权"):
        services.improvement_act(improvement=improvement, actor=world.county1_officer, action="accept")


# -- readiness --------------------------------------------------------------------------------------------------

def ready_to_pass(assessment, reviewer):
    for item in ReadinessItem.objects.filter(assessment=assessment):
        services.readiness_item_review(item=item, actor=reviewer, review_met=True)


READINESS_PATH = {"draft": [], "submitted": ["submit"], "passed": ["submit", "pass"], "failed": ["submit", "fail"]}


@pytest.mark.parametrize(("state", "action"), cases(READINESS_WORKFLOW, ReadinessStatus))
def test_each_readiness_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    grid = person(world, "grid", roles.GRID_MEMBER, world.village1)
    assessment = make_assessment(world.village1)
    for step in READINESS_PATH[state]:
        if step in ("pass", "fail"):
            ready_to_pass(assessment, None)
        assessment = services.assessment_act(assessment=assessment, actor=None, action=step, reason="准备")
    if state == "submitted":
        ready_to_pass(assessment, None)
    before = StateChange.objects.count()
    actor = grid if action in ("submit", "reopen") else world.county1_officer

    def call():
        return services.assessment_act(assessment=assessment, actor=actor, action=action, reason="现场核实")

    if (state, action) in allowed(READINESS_WORKFLOW):
        call()
        assert_moved(assessment, ReadinessAssessment, state, allowed(READINESS_WORKFLOW)[(state, action)], actor,
                     "现场核实")
    else:
        assert_refused(call, assessment, ReadinessAssessment, state, before)


def test_only_the_township_or_village_itself_self_assesses(world):
    township = world.regions["390102001000"]
    grid = person(world, "grid", roles.GRID_MEMBER, world.village1)
    township_user = person(world, "township", roles.GRID_MEMBER, township)
    village = make_assessment(world.village1)
    item = village.items.first()
    with pytest.raises(PermissionDenied):
        services.readiness_item_update(item=item, actor=world.county1_officer, self_met=True, description="有")
    services.readiness_item_update(item=item, actor=grid, self_met=True, description="村委会二楼应急室")
    services.readiness_item_update(item=item, actor=township_user, self_met=True, description="街道核实")
    other_village = make_assessment(world.regions["390102001002"])
    with pytest.raises(PermissionDenied):
        services.readiness_item_update(item=other_village.items.first(), actor=grid, self_met=True, description="x")
    town = make_assessment(township)
    with pytest.raises(PermissionDenied):
        services.assessment_act(assessment=town, actor=grid, action="submit")
    assert services.assessment_act(assessment=town, actor=township_user, action="submit").status == "submitted"


def test_a_self_assessed_item_needs_its_explanation(world):
    grid = person(world, "grid", roles.GRID_MEMBER, world.village1)
    assessment = make_assessment(world.village1)
    services.readiness_item_update(item=assessment.items.first(), actor=grid, self_met=True, description="")
    with pytest.raises(InvalidTransition, match="须填写说明"):
        services.assessment_act(assessment=assessment, actor=grid, action="submit")


def test_the_county_passes_only_when_every_item_is_found_met(world):
    assessment = services.assessment_act(assessment=make_assessment(world.village1), actor=None, action="submit")
    with pytest.raises(InvalidTransition, match="复核认定"):
        services.assessment_act(assessment=assessment, actor=world.county1_officer, action="pass")
    items = list(assessment.items.all())
    for item in items:
        services.readiness_item_review(item=item, actor=world.county1_officer, review_met=item != items[0])
    with pytest.raises(InvalidTransition, match="复核未具备"):
        services.assessment_act(assessment=assessment, actor=world.county1_officer, action="pass")
    failed = services.assessment_act(assessment=assessment, actor=world.county1_officer, action="fail",
                                     reason="无固定场地")
    assert failed.status == ReadinessStatus.FAILED and failed.review_opinion == "无固定场地"


def test_a_grid_member_cannot_review_and_another_county_cannot_either(world):
    grid = person(world, "grid", roles.GRID_MEMBER, world.village1)
    assessment = services.assessment_act(assessment=make_assessment(world.village1), actor=None, action="submit")
    with pytest.raises(PermissionDenied):
        services.readiness_item_review(item=assessment.items.first(), actor=grid, review_met=True)
    with pytest.raises(PermissionDenied):
        services.readiness_item_review(item=assessment.items.first(), actor=world.county2_officer, review_met=True)
    with pytest.raises(PermissionDenied):
        services.assessment_act(assessment=assessment, actor=world.county2_officer, action="return", reason="x")


# -- versions and revision reminders ---------------------------------------------------------------------------

def test_a_new_version_supersedes_the_old_one_when_filed_and_the_old_is_kept(world):
    first = bring_plan_to(make_plan(world.county1), "filed")
    second = services.plan_new_version(plan=first, actor=world.county1_officer)
    assert (second.code, second.version, second.previous, second.status) == (first.code, 2, first, "draft")
    assert second.tasks.count() == first.tasks.count() == 4 and second.levels.count() == 2
    with pytest.raises(Exception, match="正在修订"):
        services.plan_new_version(plan=first, actor=world.county1_officer)
    assert Plan.objects.get(pk=first.pk).status == PlanStatus.FILED
    services.plan_update(plan=second, actor=world.county1_officer, name="修订后的预案")
    second = bring_plan_to(second, "filed")
    assert Plan.objects.get(pk=first.pk).status == PlanStatus.SUPERSEDED
    assert Plan.objects.filter(code=first.code).count() == 2
    with pytest.raises(Exception, match="只有编制中"):
        services.plan_update(plan=second, actor=world.county1_officer, name="备案后不能直接修改")


def test_the_sweep_reminds_once_when_a_plan_falls_due_for_revision(world, settings,
                                                                  django_capture_on_commit_callbacks):
    import datetime

    settings.PLAN_REVISION_NOTICE_DAYS = 30
    person(world, "county1_planner", roles.SUPERVISOR, world.county1)
    soon = make_plan(world.county1, name="将到期预案")
    for action in ("submit", "approve"):
        soon = services.plan_act(plan=soon, actor=None, action=action)
    services.plan_file(plan=soon, actor=None, filed_on=timezone.localdate() - datetime.timedelta(days=3 * 365 - 10))
    later = bring_plan_to(make_plan(world.county1, name="新备案预案"), "filed")
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_plan_revisions() == 1
        assert remind_plan_revisions() == 0
    soon = Plan.objects.get(pk=soon.pk)
    assert soon.revision_reminded_on == timezone.localdate()
    assert Plan.objects.get(pk=later.pk).revision_reminded_on is None
    titles = list(Notification.objects.filter(recipient=world.county1_planner).values_list("title", flat=True))
    assert titles == [f"预案将于 {soon.next_revision_due.isoformat()} 到修订期限：{soon}"]
