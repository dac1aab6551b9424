"""Pages and API of incidents, reports and tasks inherit the jurisdiction tests; plus the flows behind the buttons."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.incidents import services
from yingji.incidents.models import DispatchTask, Incident, IncidentReport
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.resources.testing import RescueTeamFactory

pytestmark = pytest.mark.django_db


class IncidentDeclarations:
    model = Incident
    url_namespace = "incidents"
    api_url = "/api/incidents/"
    actor = "county1_admin"

    def make_in_scope(self, world):
        return IncidentFactory(region=world.village1, title="甲区储罐爆炸")

    def make_out_of_scope(self, world):
        return IncidentFactory(region=world.village2, title="乙区山体滑坡", category="natural", subtype="地质灾害")

    def valid_form_data(self, world, region=None):
        return {"title": "新接报火灾", "category": "accident", "subtype": "火灾事故",
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "place": "甲一社区",
                "region": (region or world.village1).pk, "enterprise": "", "longitude": "118.5", "latitude": "36.4",
                "deaths": "0", "missing": "0", "serious_injuries": "12", "light_injuries": "3",
                "direct_loss_yuan": "100000", "description": "厂房起火", "source": "群众报警"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "subtype": "地震灾害"}, "事件子类与事件类型不符"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data.pop("enterprise")
        data["occurred_at"] = timezone.now().isoformat()
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "subtype": "地震灾害"}, "事件子类与事件类型不符"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestIncidentPages(IncidentDeclarations, ScopedModelViewTests):
    def test_recording_computes_the_grade(self, client, world):
        client.force_login(world.county1_admin)
        assert client.post(self.url("create"), self.valid_form_data(world)).status_code == 302
        assert Incident.objects.get(title="新接报火灾").grade == "较大"


class TestIncidentAPI(IncidentDeclarations, ScopedModelAPITests):
    def test_the_report_is_submitted_and_signed_through_the_api(self, world):
        add_duty_people(world)
        incident = self.make_in_scope(world)
        response = self.api(world, "county1_duty").post(f"{self.api_url}{incident.pk}/report/", {"kind": "first"},
                                                        format="json")
        assert response.status_code == 201, response.content
        report_id = response.json()["id"]
        sign = {"action": "sign"}
        assert self.api(world, "county2_duty").post(f"/api/incident-reports/{report_id}/transition/", sign,
                                                    format="json").status_code == 404
        response = self.api(world, "city_duty").post(f"/api/incident-reports/{report_id}/transition/", sign,
                                                      format="json")
        assert response.status_code == 200 and response.json()["status"] == "signed"


class ReportDeclarations:
    model = IncidentReport
    url_namespace = "incidents"
    api_url = "/api/incident-reports/"
    actor = "county1_admin"
    has_create = has_edit = False
    writable = False

    def make_in_scope(self, world):
        return services.report_submit(incident=IncidentFactory(region=world.village1, title="甲区事件"), actor=None,
                                      kind="first")

    def make_out_of_scope(self, world):
        return services.report_submit(incident=IncidentFactory(region=world.village2, title="乙区事件"), actor=None,
                                      kind="first")


class TestReportPages(ReportDeclarations, ScopedModelViewTests):
    def test_history_shows_on_the_detail_page(self, client, world):
        obj = self.make_in_scope(world)
        self.login(client, world, self.actor)
        assert "变更记录" in client.get(self.url("detail", obj.pk)).content.decode()

    def test_the_city_signs_from_the_page_and_sees_the_differences(self, client, world):
        add_duty_people(world)
        first = self.make_in_scope(world)
        services.incident_update(incident=first.incident, actor=None, deaths=2)
        second = services.report_submit(incident=first.incident, actor=None, kind="follow_up")
        client.force_login(world.city_duty)
        content = client.get(self.url("detail", second.pk)).content.decode()
        assert "死亡人数" in content and "<ins>2</ins>" in content
        assert client.post(reverse("incidents:incidentreport_transition", args=[second.pk]),
                           {"action": "sign"}).status_code == 302
        assert IncidentReport.objects.get(pk=second.pk).status == "signed"


class TestReportAPI(ReportDeclarations, ScopedModelAPITests):
    pass


class TaskDeclarations:
    model = DispatchTask
    url_namespace = "incidents"
    api_url = "/api/dispatch-tasks/"
    actor = "county1_admin"
    has_create = has_edit = False
    writable = False

    def make(self, region, team_region, name):
        incident = IncidentFactory(region=region)
        team = RescueTeamFactory(region=team_region, name=name)
        return services.task_dispatch(incident=incident, actor=None, team=team, instruction="赶赴现场")

    def make_in_scope(self, world):
        return self.make(world.village1, world.county1, "甲区救援队")

    def make_out_of_scope(self, world):
        return self.make(world.village2, world.county2, "乙区救援队")


class TestTaskPages(TaskDeclarations, ScopedModelViewTests):
    def test_history_shows_on_the_detail_page(self, client, world):
        obj = self.make_in_scope(world)
        self.login(client, world, self.actor)
        assert "变更记录" in client.get(self.url("detail", obj.pk)).content.decode()

    def test_the_team_leader_advances_the_task_from_the_page(self, client, world):
        add_duty_people(world)
        task = self.make_in_scope(world)
        client.force_login(world.county1_rescue)
        client.post(reverse("incidents:dispatchtask_transition", args=[task.pk]), {"action": "accept"})
        assert DispatchTask.objects.get(pk=task.pk).status == "accepted"


class TestTaskAPI(TaskDeclarations, ScopedModelAPITests):
    pass


def test_the_command_map_and_its_feed_show_only_the_users_incidents(client, world):
    IncidentFactory(region=world.village1, title="甲区事件")
    IncidentFactory(region=world.village2, title="乙区事件")
    client.force_login(world.county1_leader)
    assert client.get(reverse("incidents:command_map")).status_code == 200
    names = [f["properties"]["name"] for f in client.get(reverse("incidents:feed")).json()["incidents"]]
    assert names == ["甲区事件"]
    client.force_login(world.county1_no_role)
    assert client.get(reverse("incidents:feed")).status_code == 403


def test_dispatch_from_the_map_answers_json(client, world):
    add_duty_people(world)
    incident = IncidentFactory(region=world.village1)
    team = RescueTeamFactory(region=world.county1, latitude=36.41)
    client.force_login(world.county1_duty)
    response = client.post(reverse("incidents:incident_dispatch", args=[incident.pk]),
                           {"team": team.pk, "instruction": "出发"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert DispatchTask.objects.get().distance_km == pytest.approx(1.11, abs=0.01)
    response = client.post(reverse("incidents:incident_dispatch", args=[incident.pk]),
                           {"team": team.pk, "instruction": "再出发"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "选择一个有效的选项" in response.json()["detail"]
