"""Activating a plan creates the plan's tasks for its organisations at the chosen level, and records it; a drill in
exercise mode runs through the incident screens but never counts as a real incident."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yingji.incidents import selectors as incident_selectors
from yingji.incidents.models import DispatchTask, EmergencyResponse, Incident
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.plans import services
from yingji.plans.models import PlanActivation
from yingji.plans.selectors import team_drill_coverage
from yingji.plans.testing import bring_drill_to, filed_plan, make_drill, make_plan
from yingji.resources.testing import RescueTeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(world):
    add_duty_people(world)
    return world.county1_duty


def test_activation_creates_the_plans_tasks_for_the_named_organisations_at_the_chosen_level(world, duty):
    plan = filed_plan(world.county1, name="甲区危化品事故专项应急预案")
    incident = IncidentFactory(region=world.village1)
    activation = services.plan_activate(plan=plan, incident=incident, level="3", actor=duty)
    response = EmergencyResponse.objects.get(incident=incident)
    assert response.level == "3" and response.commander == "分管副区长"
    tasks = DispatchTask.objects.filter(incident=incident).select_related("organization")
    assert sorted((t.organization.name, t.instruction) for t in tasks) == [
        ("甲区公安分局", "【甲区危化品事故专项应急预案·Ⅲ级响应】3级：设置警戒区，疏散群众"),
        ("甲区消防救援大队", "【甲区危化品事故专项应急预案·Ⅲ级响应】3级：调派力量灭火救援"),
    ]
    assert set(activation.dispatch_tasks.all()) == set(tasks)
    assert (activation.plan, activation.level, activation.incident, activation.response) == (plan, "3", incident,
                                                                                           response)
    assert activation.activated_by == duty and not activation.is_exercise


def test_a_second_plan_at_the_same_level_joins_the_running_response(world, duty):
    incident = IncidentFactory(region=world.village1)
    services.plan_activate(plan=filed_plan(world.county1, name="预案甲"), incident=incident, level="4", actor=duty)
    services.plan_activate(plan=filed_plan(world.county1, name="预案乙"), incident=incident, level="4", actor=duty)
    assert EmergencyResponse.objects.filter(incident=incident).count() == 1
    assert DispatchTask.objects.filter(incident=incident).count() == 4
    with pytest.raises(ValidationError, match="已启动"):
        services.plan_activate(plan=filed_plan(world.county1, name="预案丙"), incident=incident, level="3", actor=duty)


def test_only_a_filed_plan_covering_the_incident_is_activated(world, duty):
    incident = IncidentFactory(region=world.village1)
    with pytest.raises(ValidationError, match="已备案"):
        services.plan_activate(plan=make_plan(world.county1), incident=incident, level="4", actor=duty)
    with pytest.raises(ValidationError, match="没有规定"):
        services.plan_activate(plan=filed_plan(world.county1, name="四级预案"), incident=incident, level="1",
                               actor=duty)
    other = filed_plan(world.village1, name="社区预案", kind="village")
    with pytest.raises(ValidationError, match="适用区域"):
        services.plan_activate(plan=other, incident=IncidentFactory(region=world.regions["390102001002"]),
                               level="4", actor=duty)
    assert not EmergencyResponse.objects.exists() and not DispatchTask.objects.exists()


def test_activation_is_refused_outside_the_jurisdiction_and_without_the_right(world, duty):
    plan = filed_plan(world.county2, name="乙区预案")
    incident = IncidentFactory(region=world.village2)
    with pytest.raises(PermissionDenied):
        services.plan_activate(plan=plan, incident=incident, level="4", actor=duty)
    with pytest.raises(PermissionDenied):
        services.plan_activate(plan=filed_plan(world.county1), incident=IncidentFactory(region=world.village1),
                               level="4", actor=world.county1_leader)
    assert not PlanActivation.objects.exists()


def test_activation_page_from_an_incident_offers_only_plans_covering_it(client, world, duty):
    mine = filed_plan(world.county1, name="甲区总体预案", kind="general")
    filed_plan(world.county2, name="乙区总体预案", kind="general")
    incident = IncidentFactory(region=world.village1)
    client.force_login(duty)
    page = client.get(reverse("plans:plan_activate_for_incident") + f"?incident={incident.pk}").content.decode()
    assert "甲区总体预案" in page and "乙区总体预案" not in page
    response = client.post(reverse("plans:plan_activate_for_incident"),
                           {"plan": mine.pk, "incident": incident.pk, "level": "4", "commander": ""})
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert PlanActivation.objects.get().plan == mine
    theirs = IncidentFactory(region=world.village2)
    assert client.get(reverse("plans:plan_activate_for_incident") + f"?incident={theirs.pk}").status_code == 404


def test_a_drill_in_exercise_mode_is_kept_out_of_real_incident_lists_and_statistics(client, world, duty):
    real = IncidentFactory(region=world.village1, title="真实的仓库火灾")
    plan = filed_plan(world.county1, name="甲区火灾预案")
    drill = make_drill(world.village1, name="化工园区泄漏演练", plan=plan)
    before = incident_selectors.incident_statistics(duty)
    drill = services.drill_start(drill=drill, actor=duty, exercise=True, level="4")

    exercise = drill.exercise_incident
    assert exercise.is_exercise and exercise.title == "【演练】化工园区泄漏演练"
    activation = PlanActivation.objects.get(incident=exercise)
    assert activation.is_exercise and activation.dispatch_tasks.count() == 2
    after = incident_selectors.incident_statistics(duty)
    assert after["totals"]["count"] == before["totals"]["count"] == 1
    assert list(incident_selectors.real_incidents(duty)) == [real]
    assert exercise not in incident_selectors.real_incidents(duty)
    client.force_login(duty)
    listing = client.get(reverse("incidents:incident_list")).content.decode()
    assert "真实的仓库火灾" in listing and "化工园区泄漏演练" not in listing
    # ... yet the drill runs through the incident screen, marked as a drill.
    detail = client.get(reverse("incidents:incident_detail", args=[exercise.pk])).content.decode()
    assert "【演练】化工园区泄漏演练" in detail
    assert Incident.objects.filter(is_exercise=True).count() == 1


def test_exercise_mode_needs_an_event_type_and_leaves_nothing_behind_when_refused(world, duty):
    drill = make_drill(world.village1, event_subtype="")
    with pytest.raises(ValidationError, match="模拟事件类型"):
        services.drill_start(drill=drill, actor=duty, exercise=True)
    assert not Incident.objects.exists()
    assert services.drill_start(drill=drill, actor=duty).status == "in_progress"


def test_team_coverage_lists_teams_drilled_this_year_and_those_not(client, world, duty):
    drilled = RescueTeamFactory(region=world.village1, name="甲区危化救援队")
    idle = RescueTeamFactory(region=world.village1, name="甲区水域救援队")
    RescueTeamFactory(region=world.village2, name="乙区森林消防队")
    planned_only = make_drill(world.village1, name="尚未实施的演练")
    planned_only.teams.set([idle])
    held = make_drill(world.village1, name="已实施的演练")
    held.teams.set([drilled])
    bring_drill_to(held, "conducted")
    coverage = team_drill_coverage(world.county1_officer)
    assert [e["team"] for e in coverage["drilled"]] == [drilled]
    assert [e["team"] for e in coverage["not_drilled"]] == [idle]
    assert coverage["share"] == 50.0
    client.force_login(world.county1_officer)
    page = client.get(reverse("plans:drill_coverage")).content.decode()
    assert "甲区水域救援队" in page and "乙区森林消防队" not in page
