"""The closed loop, tested from its own table: every allowed move and every refused one, and who may act."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import Notification, Organization, StateChange
from yingji.core.services import organization_create, user_update
from yingji.core.testing import add_enterprise_user
from yingji.core.workflow import InvalidTransition
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardLevel, HazardStatus, SupervisionStatus
from yingji.hazards.states import SUPERVISION_WORKFLOW, WORKFLOW
from yingji.hazards.testing import PLAN, HazardFactory, bring_to

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
CASES = list(itertools.product(HazardStatus.values, ACTIONS))


@pytest.fixture
def enterprise(world):
    return EnterpriseFactory(region=world.village1)


@pytest.fixture
def manager(world, enterprise):
    return add_enterprise_user(world, "manager", enterprise)


def actor_for(world, action):
    """The persona allowed to make `action` on an enterprise hazard in county 1."""
    return world.manager if action == "submit" else world.county1_officer


@pytest.mark.parametrize(("state", "action"), CASES)
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, enterprise, manager, state, action):
    if action == "submit_for_enterprise":  # made for an enterprise that has no account
        enterprise = EnterpriseFactory(region=world.village1, name="无账号小企业")
    hazard = bring_to(HazardFactory(enterprise=enterprise), state)
    before = StateChange.objects.count()
    actor = actor_for(world, action)
    if (state, action) in ALLOWED:
        changed = services.hazard_act(hazard=hazard, actor=actor, action=action, reason="现场核实")
        assert changed.status == ALLOWED[(state, action)]
        change = StateChange.objects.latest("pk")
        assert (change.from_state, change.to_state, change.actor) == (state, changed.status, actor)
        assert change.reason == "现场核实"
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            services.hazard_act(hazard=hazard, actor=actor, action=action, reason="现场核实")
        assert Hazard.objects.get(pk=hazard.pk).status == state
        assert StateChange.objects.count() == before


def test_an_unknown_action_is_refused(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise)
    with pytest.raises(InvalidTransition, match="未知的操作"):
        services.hazard_act(hazard=hazard, actor=world.county1_officer, action="close", reason="")


def test_a_rejection_needs_a_reason(world, enterprise):
    hazard = bring_to(HazardFactory(enterprise=enterprise), "awaiting_acceptance")
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.hazard_reject(hazard=hazard, actor=world.county1_officer, reason="  ")
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.AWAITING_ACCEPTANCE


def test_the_rectifier_cannot_accept_their_own_rectification(world, enterprise):
    hazard = bring_to(HazardFactory(enterprise=None, region=world.village1), "rectifying")
    hazard = services.hazard_submit(hazard=hazard, actor=world.county1_officer, measures="已更换灭火器")
    assert hazard.rectified_by == world.county1_officer
    with pytest.raises(InvalidTransition, match="无权"):
        services.hazard_accept(hazard=hazard, actor=world.county1_officer)
    accepted = services.hazard_accept(hazard=hazard, actor=world.county1_admin)
    assert accepted.status == HazardStatus.CLOSED and accepted.closed_at is not None


def test_an_enterprise_user_rectifies_its_own_hazard_but_cannot_accept_it(world, enterprise, manager):
    hazard = HazardFactory(enterprise=enterprise, actor=manager)
    hazard = services.hazard_assign(hazard=hazard, actor=manager)
    hazard = services.hazard_submit(hazard=hazard, actor=manager)
    with pytest.raises(InvalidTransition, match="无权"):
        services.hazard_accept(hazard=hazard, actor=manager)


def test_an_enterprise_user_cannot_touch_another_enterprises_hazard(world, enterprise, manager):
    other = HazardFactory(enterprise=EnterpriseFactory(region=world.village1))
    with pytest.raises(PermissionDenied):
        services.hazard_assign(hazard=other, actor=manager)


def test_an_officer_of_another_county_cannot_act(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise)
    with pytest.raises(PermissionDenied):
        services.hazard_assign(hazard=hazard, actor=world.county2_officer)
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.REPORTED


def test_a_leader_may_look_but_not_assign(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise)
    with pytest.raises(InvalidTransition, match="无权"):
        services.hazard_assign(hazard=hazard, actor=world.county1_leader)


def test_assigning_needs_a_deadline_not_in_the_past(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise, deadline=None)
    with pytest.raises(ValidationError, match="整改期限"):
        services.hazard_assign(hazard=hazard, actor=world.county1_officer)
    with pytest.raises(ValidationError, match="不能早于今天"):
        services.hazard_assign(hazard=hazard, actor=world.county1_officer,
                               deadline=timezone.localdate() - datetime.timedelta(days=1))


def test_a_major_hazard_needs_its_full_plan_before_rectification(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise, level=HazardLevel.MAJOR,
                           **{k: v for k, v in PLAN.items() if k != "plan_safety_measures"})
    with pytest.raises(InvalidTransition, match="安全措施和应急预案"):
        services.hazard_assign(hazard=hazard, actor=world.county1_officer)
    hazard = services.hazard_update(hazard=hazard, actor=world.county1_officer,
                                    plan_safety_measures=PLAN["plan_safety_measures"])
    assert services.hazard_assign(hazard=hazard, actor=world.county1_officer).status == HazardStatus.RECTIFYING


def test_the_status_and_code_cannot_be_edited_like_fields(world, enterprise):
    hazard = HazardFactory(enterprise=enterprise)
    with pytest.raises(ValidationError, match="不能直接修改"):
        services.hazard_update(hazard=hazard, actor=world.county1_officer, status=HazardStatus.CLOSED)
    with pytest.raises(ValidationError, match="不能直接修改"):
        services.hazard_update(hazard=hazard, actor=world.county1_officer, code="YH-1")


def test_a_closed_hazard_is_not_edited(world, enterprise):
    hazard = bring_to(HazardFactory(enterprise=enterprise), "closed")
    with pytest.raises(ValidationError, match="已销号"):
        services.hazard_update(hazard=hazard, actor=world.county1_officer, place="别处")


def test_the_responsible_people_are_told_after_commit(world, enterprise, manager, django_capture_on_commit_callbacks):
    hazard = HazardFactory(enterprise=enterprise)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.hazard_assign(hazard=hazard, actor=world.county1_officer, reason="限期整改")
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    notification = Notification.objects.for_user(manager).get()
    assert hazard.code in notification.title and notification.body == "限期整改"


# -- 挂牌督办 -------------------------------------------------------------------------------------

@pytest.fixture
def units(world):
    county_bureau = organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)
    city_bureau = organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    return county_bureau, city_bureau


def major(enterprise):
    return HazardFactory(enterprise=enterprise, level=HazardLevel.MAJOR, **PLAN)


def test_only_a_major_hazard_can_be_listed(world, enterprise, units):
    hazard = HazardFactory(enterprise=enterprise)
    with pytest.raises(InvalidTransition, match="只有重大隐患"):
        services.hazard_list_for_supervision(hazard=hazard, actor=world.city_admin, level="county", unit=units[0])


def test_a_listed_hazard_is_closed_only_by_its_supervising_unit(world, enterprise, manager, units):
    county_bureau, city_bureau = units
    hazard = services.hazard_list_for_supervision(hazard=major(enterprise), actor=world.city_admin, level="city",
                                                  unit=city_bureau)
    assert hazard.supervision_status == SupervisionStatus.LISTED
    assert hazard.supervision_listed_on == timezone.localdate()
    hazard = services.hazard_assign(hazard=hazard, actor=world.county1_officer)
    hazard = services.hazard_submit(hazard=hazard, actor=manager)
    county_officer = user_update(user=world.county1_officer, actor=None, organization=county_bureau)
    with pytest.raises(InvalidTransition, match="无权"):
        services.hazard_accept(hazard=hazard, actor=county_officer)
    city_officer = user_update(user=world.city_admin, actor=None, organization=city_bureau)
    closed = services.hazard_accept(hazard=hazard, actor=city_officer)
    assert closed.status == HazardStatus.CLOSED
    assert closed.supervision_status == SupervisionStatus.DELISTED
    assert closed.supervision_delisted_on == timezone.localdate()


def test_a_closed_hazard_cannot_be_listed_and_an_open_one_cannot_be_delisted(world, enterprise, units):
    hazard = services.hazard_list_for_supervision(hazard=major(enterprise), actor=world.county1_officer,
                                                  level="county", unit=units[0])
    with pytest.raises(InvalidTransition, match="销号后方可摘牌"):
        services.hazard_delist(hazard=hazard, actor=world.county1_officer)
    other = bring_to(major(enterprise), "closed")
    with pytest.raises(InvalidTransition, match="已销号"):
        services.hazard_list_for_supervision(hazard=other, actor=world.county1_officer, level="county", unit=units[0])


def test_supervision_moves_are_refused_as_the_table_says(world, enterprise, units):
    hazard = services.hazard_list_for_supervision(hazard=major(enterprise), actor=world.county1_officer,
                                                  level="county", unit=units[0])
    with pytest.raises(InvalidTransition, match="不能执行"):
        services.hazard_list_for_supervision(hazard=hazard, actor=world.county1_officer, level="county", unit=units[0])
    assert len(SUPERVISION_WORKFLOW.transitions) == 2


def test_an_enterprise_user_cannot_list_for_supervision(world, enterprise, manager, units):
    with pytest.raises(PermissionDenied):
        services.hazard_list_for_supervision(hazard=major(enterprise), actor=manager, level="county", unit=units[0])


def test_the_supervising_unit_must_be_in_the_officers_jurisdiction(world, enterprise, units):
    with pytest.raises(PermissionDenied):
        services.hazard_list_for_supervision(hazard=major(enterprise), actor=world.county1_officer, level="city",
                                             unit=units[1])
    assert Organization.objects.count() == 2


def test_the_state_diagram_comes_from_the_table():
    diagram = WORKFLOW.diagram()
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.count("-->") == len(WORKFLOW.transitions)


@pytest.mark.parametrize(("marker", "workflow"), [("hazards.states", WORKFLOW),
                                                  ("hazards.supervision", SUPERVISION_WORKFLOW)])
def test_the_documented_diagrams_are_the_tables(marker, workflow):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "hazards.md").read_text()
    block = text.split(f"<!-- generated: {marker} -->")[1].split("<!-- end generated -->")[0]
    assert block.strip() == f"```mermaid\n{workflow.diagram()}\n```"
