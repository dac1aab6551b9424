"""The response's lifecycle: started, its level adjusted, ended (响应终止) with its record — all through the table."""

import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from yingji.core.models import StateChange
from yingji.core.workflow import InvalidTransition
from yingji.incidents import services
from yingji.incidents.models import EmergencyResponse, ResponseStatus
from yingji.incidents.selectors import incident_timeline
from yingji.incidents.states import RESPONSE_WORKFLOW
from yingji.incidents.testing import IncidentFactory, add_duty_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return add_duty_people(world)


def started(people):
    incident = IncidentFactory(region=people.village1)
    return services.response_start(incident=incident, actor=people.county1_duty, level="4", commander="钱局长")


def changes_of(response):
    return StateChange.objects.filter(subject_type=ContentType.objects.get_for_model(EmergencyResponse),
                                      subject_id=str(response.pk))


def test_ending_records_who_when_and_why_and_allows_a_new_response(people):
    response = started(people)
    ended = services.response_end(response=response, actor=people.county1_duty, reason="险情解除，转入恢复重建")
    assert (ended.status, ended.ended_by, ended.end_summary) == ("ended", people.county1_duty, "险情解除，转入恢复重建")
    assert ended.ended_at is not None
    change = changes_of(ended).get()
    assert (change.action, change.from_state, change.to_state, change.actor) == ("end", "active", "ended",
                                                                                 people.county1_duty)
    again = services.response_start(incident=ended.incident, actor=people.county1_duty, level="3")
    assert again.status == "active"


def test_ending_needs_a_reason(people):
    response = started(people)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.response_end(response=response, actor=people.county1_duty, reason=" ")
    assert EmergencyResponse.objects.get(pk=response.pk).status == "active"


def test_the_level_is_adjusted_with_its_reason(people):
    response = started(people)
    adjusted = services.response_adjust(response=response, actor=people.county1_duty, level="2", reason="伤亡扩大")
    assert adjusted.level == "2" and adjusted.status == "active"
    assert changes_of(adjusted).get().data == {"from_level": "4", "to_level": "2"}
    with pytest.raises(Exception, match="未变化"):
        services.response_adjust(response=adjusted, actor=people.county1_duty, level="2", reason="x")


def test_another_county_cannot_end_the_response(people):
    response = started(people)
    with pytest.raises(PermissionDenied):
        services.response_end(response=response, actor=people.county2_duty, reason="越权")
    assert EmergencyResponse.objects.get(pk=response.pk).status == "active"


def test_a_rescue_leader_cannot_end_a_response(people):
    response = started(people)
    with pytest.raises(InvalidTransition, match="无权"):
        services.response_end(response=response, actor=people.county1_rescue, reason="收队")


@pytest.mark.parametrize(("state", "action"), list(itertools.product(
    ResponseStatus.values, sorted({t.action for t in RESPONSE_WORKFLOW.transitions}))))
def test_each_response_move_is_allowed_or_refused_as_the_table_says(people, state, action):
    response = started(people)
    if state == "ended":
        response = services.response_end(response=response, actor=None, reason="结束")
    StateChange.objects.all().delete()
    allowed = {(t.source, t.action): t.target for t in RESPONSE_WORKFLOW.transitions}
    move = {"end": lambda: services.response_end(response=response, actor=people.county1_duty, reason="理由"),
            "adjust": lambda: services.response_adjust(response=response, actor=people.county1_duty, level="1",
                                                       reason="理由")}[action]
    if (state, action) in allowed:
        assert move().status == allowed[(state, action)]
        assert changes_of(response).count() == 1
    else:
        with pytest.raises(InvalidTransition):
            move()
        assert not changes_of(response).exists()


def test_the_incident_page_ends_the_response_and_the_timeline_shows_it(client, people):
    response = started(people)
    client.force_login(people.county1_duty)
    page = client.get(reverse("incidents:incident_detail", args=[response.incident_id])).content.decode()
    assert 'id="response-end-form"' in page
    client.post(reverse("incidents:emergencyresponse_transition", args=[response.pk]),
                {"action": "end", "reason": "现场处置完毕"})
    assert EmergencyResponse.objects.get(pk=response.pk).status == "ended"
    whats = [e["what"] for e in incident_timeline(people.county1_duty, response.incident)]
    assert whats.index("启动响应") < whats.index("终止响应")
    client.force_login(people.county2_duty)
    other = started(people)
    assert client.post(reverse("incidents:emergencyresponse_transition", args=[other.pk]),
                       {"action": "end", "reason": "越权"}).status_code == 404
