"""The in-use workflow of a risk point, tested from its own table: every allowed move and every refused one."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from yingji.core.models import StateChange
from yingji.core.testing import add_enterprise_user
from yingji.core.workflow import InvalidTransition
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.models import RiskPoint, RiskPointStatus
from yingji.risks.services import risk_point_change_status, risk_point_update
from yingji.risks.states import WORKFLOW
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
CASES = list(itertools.product(RiskPointStatus.values, ACTIONS))


def point_in(world, state):
    point = RiskPointFactory(enterprise=EnterpriseFactory(region=world.village1))
    if state == RiskPointStatus.RETIRED:
        point = risk_point_change_status(risk_point=point, actor=None, action="retire", reason="设备已拆除")
        StateChange.objects.all().delete()
    return point


@pytest.mark.parametrize(("state", "action"), CASES)
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    point = point_in(world, state)
    if (state, action) in ALLOWED:
        changed = risk_point_change_status(risk_point=point, actor=world.county1_admin, action=action, reason="复核")
        assert changed.status == ALLOWED[(state, action)]
        change = StateChange.objects.get()
        assert (change.from_state, change.to_state, change.actor) == (state, changed.status, world.county1_admin)
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            risk_point_change_status(risk_point=point, actor=world.county1_admin, action=action, reason="x")
        assert RiskPoint.objects.get(pk=point.pk).status == state
        assert not StateChange.objects.exists()


def test_a_reason_is_required(world):
    point = point_in(world, RiskPointStatus.ACTIVE)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        risk_point_change_status(risk_point=point, actor=world.county1_admin, action="retire", reason="")


def test_a_supervisor_without_the_change_right_cannot_retire_it(world):
    point = point_in(world, RiskPointStatus.ACTIVE)
    with pytest.raises(InvalidTransition, match="无权"):
        risk_point_change_status(risk_point=point, actor=world.county1_officer, action="retire", reason="x")


def test_another_county_cannot_retire_it(world):
    point = point_in(world, RiskPointStatus.ACTIVE)
    with pytest.raises(PermissionDenied):
        risk_point_change_status(risk_point=point, actor=world.county2_admin, action="retire", reason="x")
    assert RiskPoint.objects.get(pk=point.pk).status == RiskPointStatus.ACTIVE


def test_the_enterprise_retires_its_own_point_from_the_detail_page(client, world):
    point = point_in(world, RiskPointStatus.ACTIVE)
    client.force_login(add_enterprise_user(world, "manager", point.enterprise))
    page = client.get(f"/risks/{point.pk}/").content.decode()
    assert "停用" in page and "重新启用" not in page
    assert client.post(f"/risks/{point.pk}/transition/", {"action": "retire", "reason": "装置拆除"}).status_code == 302
    page = client.get(f"/risks/{point.pk}/").content.decode()
    assert "重新启用" in page and "装置拆除" in page
    response = client.post(f"/risks/{point.pk}/transition/", {"action": "retire", "reason": "再来"}, follow=True)
    assert "不能执行" in response.content.decode()


def test_the_status_cannot_be_edited_like_a_field(world):
    point = point_in(world, RiskPointStatus.ACTIVE)
    risk_point_update(risk_point=point, actor=world.county1_admin, status=RiskPointStatus.RETIRED, place="新位置")
    point.refresh_from_db()
    assert (point.status, point.place) == (RiskPointStatus.ACTIVE, "新位置")
