"""The rescue-team leader signs and runs his task through the API exactly as through the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from yingji.incidents import services
from yingji.incidents.models import DispatchTask
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.resources.testing import RescueTeamFactory

pytestmark = pytest.mark.django_db


def dispatched(people, name):
    incident = IncidentFactory(region=people.village1)
    team = RescueTeamFactory(region=people.county1, name=name)
    return services.task_dispatch(incident=incident, actor=people.county1_duty, team=team, instruction="赶赴现场")


@pytest.mark.parametrize("persona", ["county1_rescue", "county1_duty"])
def test_every_step_the_page_allows_the_api_allows_too(client, world, persona):
    people = add_duty_people(world)
    user = getattr(people, persona)
    by_page, by_api = dispatched(people, "甲区救援一队"), dispatched(people, "甲区救援二队")
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    for action in ("accept", "start", "complete"):
        client.post(reverse("incidents:dispatchtask_transition", args=[by_page.pk]), {"action": action,
                                                                                      "reason": "已到场处置"})
        response = api.post(f"/api/dispatch-tasks/{by_api.pk}/transition/", {"action": action,
                                                                           "reason": "已到场处置"}, format="json")
        page_status = DispatchTask.objects.get(pk=by_page.pk).status
        assert response.status_code == 200, response.content
        assert DispatchTask.objects.get(pk=by_api.pk).status == page_status
    assert page_status == "completed"
