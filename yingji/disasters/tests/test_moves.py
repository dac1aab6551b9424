"""The moves of events, reports, consultations and tasks through the generic transition page and API action."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core.models import Organization, StateChange
from yingji.disasters.models import ConsultationTask, DisasterEvent, DisasterReport
from yingji.disasters.testing import make_consultation, make_event, make_report, make_task

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_an_unknown_action_on_the_page_is_refused_with_a_message(client, world):
    event = make_event(world.county1, [world.village1])
    client.force_login(world.county1_duty)
    response = client.post(reverse("disasters:disasterevent_transition", args=[event.pk]), {"action": "explode"})
    assert response.status_code == 302
    assert any("未知的操作" in str(m) for m in get_messages(response.wsgi_request))
    assert DisasterEvent.objects.get(pk=event.pk).status == "reporting"
    assert not StateChange.objects.filter(subject_id=str(event.pk)).exists()


@pytest.mark.parametrize("body", [{"action": "explode"}, {}, {"action": ["verify"]}])
def test_an_unknown_action_through_the_api_is_a_400(world, body):
    event = make_event(world.county1, [world.village1])
    response = api(world.county1_duty).post(f"/api/disaster-events/{event.pk}/transition/", body, format="json")
    assert response.status_code == 400 and "action" in response.json()
    assert DisasterEvent.objects.get(pk=event.pk).status == "reporting"


def test_the_event_moves_through_the_api(world):
    event = make_event(world.county1, [world.village1])
    client = api(world.county1_duty)
    url = f"/api/disaster-events/{event.pk}/transition/"
    assert client.post(url, {"action": "verify"}, format="json").json()["status"] == "verifying"
    response = client.post(url, {"action": "reopen"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert client.post(url, {"action": "reopen", "reason": "雨情再起"}, format="json").json()["status"] == "reporting"
    assert api(world.county2_duty).post(url, {"action": "verify"}, format="json").status_code == 404


def test_a_report_is_returned_and_sent_in_again_through_the_api(world):
    event = make_event(world.county1, [world.village1])
    report = make_report(event, world.village1, actor=world.village1_grid)
    url = f"/api/disaster-reports/{report.pk}/"
    response = api(world.county1_duty).post(f"{url}transition/", {"action": "return", "reason": "人口数有误"},
                                             format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    response = api(world.village1_grid).patch(url, {"affected_population": 90, "submit": True}, format="json")
    assert response.status_code == 200, response.content.decode()
    report = DisasterReport.objects.get(pk=report.pk)
    assert report.status == "submitted" and report.affected_population == 90


def test_a_task_is_reported_done_with_its_result_through_the_api(world):
    consultation = make_consultation(world.county1)
    task = make_task(consultation, Organization.objects.get(name="甲区水利局"))
    client = api(world.county1_water)
    url = f"/api/consultation-tasks/{task.pk}/transition/"
    assert client.post(url, {"action": "start"}, format="json").status_code == 200
    assert client.post(url, {"action": "submit"}, format="json").status_code == 400
    response = client.post(url, {"action": "submit", "result": "已检查水库 8 座"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert ConsultationTask.objects.get(pk=task.pk).result == "已检查水库 8 座"


def test_the_consultation_is_held_and_issued_through_the_page(client, world):
    consultation = make_consultation(world.county1)
    client.force_login(world.county1_duty)
    url = reverse("disasters:consultation_transition", args=[consultation.pk])
    page = client.get(reverse("disasters:consultation_detail", args=[consultation.pk])).content.decode()
    assert f'action="{url}"' in page and 'data-action="hold"' in page
    client.post(url, {"action": "hold"})
    client.post(url, {"action": "issue", "reason": "印发各部门"})
    consultation.refresh_from_db()
    assert consultation.status == "issued"
    assert [m.action for m in StateChange.objects.filter(subject_id=str(consultation.pk)).order_by("pk")] == [
        "hold", "issue"]
