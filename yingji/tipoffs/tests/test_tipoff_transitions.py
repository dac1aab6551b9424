"""The handling workflow, tested from its own table: every allowed move and every refused one, and each rule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import Notification, StateChange
from yingji.core.workflow import InvalidTransition
from yingji.hazards.models import Hazard
from yingji.tipoffs.models import TipOff, TipOffStatus
from yingji.tipoffs.services import tipoff_act
from yingji.tipoffs.states import WORKFLOW
from yingji.tipoffs.testing import make_tipoff

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
EXTRA = {"propose_reward": {"amount": "800"}, "pay": {"amount": "800"}}


@pytest.mark.parametrize("state", TipOffStatus.values)
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state):
    # One state per test and every action on a fresh tip-off: the whole table, without a world per pair.
    for action in ACTIONS:
        tipoff = make_tipoff(world.village1, status=state)
        changes, hazards = StateChange.objects.count(), Hazard.objects.count()
        if (state, action) in ALLOWED:
            changed = tipoff_act(tipoff=tipoff, actor=world.county1_officer, action=action, reason="核查说明",
                                 **EXTRA.get(action, {}))
            assert changed.status == ALLOWED[(state, action)], action
            change = StateChange.objects.latest("pk")
            assert (change.from_state, change.to_state, change.actor) == (state, changed.status,
                                                                          world.county1_officer)
            assert StateChange.objects.count() == changes + 1
        else:
            with pytest.raises(InvalidTransition, match="不能执行"):
                tipoff_act(tipoff=tipoff, actor=world.county1_officer, action=action, reason="核查说明",
                           **EXTRA.get(action, {}))
            assert TipOff.objects.get(pk=tipoff.pk).status == state, action
            assert StateChange.objects.count() == changes, action
            assert Hazard.objects.count() == hazards, action


def test_the_table_covers_every_state_and_refuses_most_pairs():
    assert len(ALLOWED) == len(WORKFLOW.transitions) == 9
    assert {t.source for t in WORKFLOW.transitions} | {t.target for t in WORKFLOW.transitions} == set(
        TipOffStatus.values)


def test_substantiating_creates_a_linked_public_report_hazard_without_the_identity(world):
    tipoff = make_tipoff(world.village1, status="investigating", reporter_name="王举报", reporter_phone="13912345678")
    changed = tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="substantiate", reason="现场核实",
                         hazard_level="major", place="三号仓库")
    hazard = changed.hazard
    assert (hazard.source, hazard.level, hazard.place, hazard.region) == ("public_report", "major", "三号仓库",
                                                                          world.village1)
    assert hazard.description == tipoff.description
    assert hazard.found_by == world.county1_officer and hazard.found_by_name == "群众举报"
    assert "王举报" not in str(Hazard.objects.filter(pk=hazard.pk).values().get())
    assert StateChange.objects.latest("pk").data == {"hazard": hazard.code}


def test_a_reward_is_approved_by_someone_other_than_its_proposer(world):
    tipoff = make_tipoff(world.village1, status="substantiated")
    proposed = tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="propose_reward", amount="1000")
    assert proposed.reward_amount == Decimal("1000.00") and proposed.reward_proposed_by == world.county1_officer
    with pytest.raises(InvalidTransition, match="无权"):
        tipoff_act(tipoff=proposed, actor=world.county1_officer, action="approve_reward")
    with pytest.raises(InvalidTransition, match="无权"):
        tipoff_act(tipoff=proposed, actor=world.county1_officer, action="return_reward", reason="金额过高")
    approved = tipoff_act(tipoff=proposed, actor=world.county1_admin, action="approve_reward")
    assert approved.status == "reward_approved" and approved.reward_approved_by == world.county1_admin


def test_payment_records_the_amount_and_the_date(world):
    tipoff = make_tipoff(world.village1, status="reward_approved")
    paid_on = timezone.localdate() - datetime.timedelta(days=1)
    paid = tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="pay", amount="450.5", paid_on=paid_on)
    assert (paid.status, paid.reward_paid_amount, paid.reward_paid_on) == ("reward_paid", Decimal("450.50"), paid_on)


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1e20", "NaN"])
def test_a_bad_amount_is_refused_in_chinese_and_nothing_moves(world, amount):
    tipoff = make_tipoff(world.village1, status="substantiated")
    with pytest.raises(ValidationError, match="金额"):
        tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="propose_reward", amount=amount)
    assert TipOff.objects.get(pk=tipoff.pk).status == "substantiated"


def test_a_payment_date_in_the_future_is_refused(world):
    tipoff = make_tipoff(world.village1, status="reward_approved")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="pay", amount="10",
                   paid_on=timezone.localdate() + datetime.timedelta(days=3))


@pytest.mark.parametrize("action", ["reject", "dismiss", "return_reward"])
def test_a_reason_is_required_to_refuse(world, action):
    state = {"reject": "received", "dismiss": "investigating", "return_reward": "reward_proposed"}[action]
    tipoff = make_tipoff(world.village1, status=state)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        tipoff_act(tipoff=tipoff, actor=world.county1_officer, action=action, reason="  ")


def test_a_leader_may_look_but_not_handle(world):
    tipoff = make_tipoff(world.village1)
    with pytest.raises(InvalidTransition, match="无权"):
        tipoff_act(tipoff=tipoff, actor=world.county1_leader, action="accept")


def test_an_officer_of_another_county_cannot_handle_it(world):
    tipoff = make_tipoff(world.village1)
    with pytest.raises(PermissionDenied):
        tipoff_act(tipoff=tipoff, actor=world.county2_officer, action="accept")
    assert TipOff.objects.get(pk=tipoff.pk).status == "received"


def test_an_unknown_action_is_refused(world):
    tipoff = make_tipoff(world.village1)
    with pytest.raises(InvalidTransition, match="未知的操作"):
        tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="delete")


def test_handlers_are_told_of_a_new_tipoff_and_of_a_reward_to_approve(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = make_tipoff(world.village1, status="substantiated")
    assert Notification.objects.for_user(world.county1_officer).filter(title__contains="新的群众举报").exists()
    assert not Notification.objects.for_user(world.county2_officer).exists()
    assert not Notification.objects.for_user(world.county1_leader).exists()
    with django_capture_on_commit_callbacks(execute=True):
        tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="propose_reward", amount="300")
    assert Notification.objects.for_user(world.county1_admin).filter(title__contains="待审批").exists()
    assert not Notification.objects.for_user(world.county1_officer).filter(title__contains="待审批").exists()


def test_the_state_diagram_comes_from_the_table():
    assert WORKFLOW.diagram().count("-->") == len(WORKFLOW.transitions)
