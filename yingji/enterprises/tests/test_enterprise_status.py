"""The production-status workflow, tested from its own table: every allowed move and every refused one."""

import itertools

import pytest

from yingji.core.models import Notification, StateChange
from yingji.core.testing import add_enterprise_user
from yingji.core.workflow import InvalidTransition
from yingji.enterprises.models import Enterprise, Status
from yingji.enterprises.services import enterprise_change_status, enterprise_update
from yingji.enterprises.states import WORKFLOW
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
CASES = list(itertools.product(Status.values, ACTIONS))


@pytest.mark.parametrize(("state", "action"), CASES)
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    enterprise = EnterpriseFactory(region=world.village1, status=state)
    if (state, action) in ALLOWED:
        changed = enterprise_change_status(enterprise=enterprise, actor=world.county1_officer, action=action,
                                           reason="检查发现问题")
        assert changed.status == ALLOWED[(state, action)]
        change = StateChange.objects.get()
        assert (change.from_state, change.to_state, change.actor) == (state, changed.status, world.county1_officer)
        assert change.reason == "检查发现问题"
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            enterprise_change_status(enterprise=enterprise, actor=world.county1_officer, action=action, reason="x")
        assert Enterprise.objects.get(pk=enterprise.pk).status == state
        assert not StateChange.objects.exists()


def test_a_reason_is_required(world):
    enterprise = EnterpriseFactory(region=world.village1)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        enterprise_change_status(enterprise=enterprise, actor=world.county1_officer, action="suspend", reason=" ")


def test_an_enterprise_user_cannot_change_its_own_status(world):
    enterprise = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", enterprise)
    with pytest.raises(InvalidTransition, match="无权"):
        enterprise_change_status(enterprise=enterprise, actor=manager, action="suspend", reason="想停")


def test_an_officer_of_another_county_cannot_change_it(world):
    from django.core.exceptions import PermissionDenied

    enterprise = EnterpriseFactory(region=world.village1)
    with pytest.raises(PermissionDenied):
        enterprise_change_status(enterprise=enterprise, actor=world.county2_officer, action="suspend", reason="x")
    assert Enterprise.objects.get(pk=enterprise.pk).status == Status.OPERATING


def test_the_status_cannot_be_edited_like_a_field(world):
    from django.core.exceptions import ValidationError

    enterprise = EnterpriseFactory(region=world.village1)
    with pytest.raises(ValidationError, match="生产状态须通过"):
        enterprise_update(enterprise=enterprise, actor=world.county1_officer, status=Status.CLOSED)


def test_the_managers_are_notified_after_commit(world, django_capture_on_commit_callbacks):
    enterprise = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_change_status(enterprise=enterprise, actor=world.county1_officer, action="suspend",
                                 reason="重大隐患未整改")
    notification = Notification.objects.for_user(manager).get()
    assert "停产" in notification.title and notification.body == "重大隐患未整改"


def test_the_detail_page_offers_the_moves_and_shows_the_timeline(client, world):
    enterprise = EnterpriseFactory(region=world.village1)
    client.force_login(world.county1_officer)
    page = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "责令停产" in page and "恢复生产" not in page
    response = client.post(f"/enterprises/{enterprise.pk}/transition/", {"action": "suspend", "reason": "停产整顿"})
    assert response.status_code == 302
    page = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "恢复生产" in page and "停产整顿" in page
    response = client.post(f"/enterprises/{enterprise.pk}/transition/", {"action": "suspend", "reason": "再来一次"}, follow=True)
    assert "不能执行" in response.content.decode()


def test_the_state_diagram_comes_from_the_table():
    diagram = WORKFLOW.diagram()
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.count("-->") == len(WORKFLOW.transitions)
