import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from yingji.analytics import rollups
from yingji.analytics.models import Tally
from yingji.analytics.selectors import NO_DATA, PARTS, scope_principal, tally_figures
from yingji.analytics.tasks import refresh_all_tallies
from yingji.analytics.testing import add_cockpit_people, fill_county
from yingji.core.contributions import pick
from yingji.core.scoping import code_prefix_q
from yingji.disasters.selectors import fire_danger_today
from yingji.incidents.models import Incident
from yingji.incidents.testing import IncidentFactory
from yingji.inspections.selectors import enforcement_statistics
from yingji.monitoring.models import LatestReading, MonitoringPoint

pytestmark = pytest.mark.django_db

DATA = reverse("analytics:cockpit_data")
PAGE = reverse("analytics:cockpit")


@pytest.fixture
def city(world):
    add_cockpit_people(world)
    mine = fill_county(world, world.village1, general=3, major=2, closed=1, incidents=2, larger=1, alarms=2, teams=3)
    theirs = fill_county(world, world.village2, general=5, major=4, closed=0, incidents=4, larger=0, alarms=1,
                         teams=1)
    rollups.refresh_tallies()
    return world, mine, theirs


def values(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    return {key: figure["value"] for key, figure in response.json()["figures"].items()}


def test_a_county_leader_sees_only_the_figures_of_their_county(client, city):
    world, mine, _theirs = city
    client.force_login(world.county1_leader)
    figures = values(client.get(DATA))
    assert figures["open_incidents"] == mine.open_incidents == 2
    assert figures["major_hazards"] == mine.major_open == 2
    assert figures["open_alarms"] == mine.open_alarms == 2
    assert figures["teams_standby"] == mine.teams_standby == 3


def test_the_city_sees_the_sum_of_its_counties(client, city):
    world, mine, theirs = city
    client.force_login(world.city_leader)
    figures = values(client.get(DATA))
    assert figures["open_incidents"] == mine.open_incidents + theirs.open_incidents
    assert figures["major_hazards"] == mine.major_open + theirs.major_open
    assert figures["open_alarms"] == mine.open_alarms + theirs.open_alarms
    children = {row["code"]: row for row in client.get(DATA).json()["children"]}
    assert children[world.county2.code]["open_incidents"] == theirs.open_incidents
    assert children[world.county2.code]["major_hazards"] == theirs.major_open


def test_a_city_leader_drills_into_a_county(client, city):
    world, _mine, theirs = city
    client.force_login(world.city_leader)
    figures = values(client.get(DATA, {"region": world.county2.code}))
    assert figures["open_incidents"] == theirs.open_incidents
    assert figures["major_hazards"] == theirs.major_open
    assert figures["teams_standby"] == theirs.teams_standby


def test_a_county_leader_cannot_drill_into_another_county(client, city):
    world, _mine, _theirs = city
    client.force_login(world.county1_leader)
    assert client.get(DATA, {"region": world.county2.code}).status_code == 404
    assert client.get(PAGE, {"region": world.county2.code}).status_code == 404
    assert client.get(DATA, {"region": world.city.code}).status_code == 404


def test_the_page_shows_the_figures_links_and_no_other_county(client, city):
    world, mine, _theirs = city
    client.force_login(world.county1_leader)
    response = client.get(PAGE)
    content = response.content.decode()
    assert response.status_code == 200
    assert "甲区指挥大屏" in content and "breadcrumb" in content
    assert 'data-testid="figure-open_incidents"' in content
    assert f"region={world.county1.code}" in content
    assert "乙区" not in content


def test_duty_officers_see_it_and_supervisors_do_not(client, city):
    world, _mine, _theirs = city
    client.force_login(world.county2_duty)
    assert client.get(PAGE).status_code == 200
    client.force_login(world.county1_officer)
    assert client.get(PAGE).status_code == 403
    assert client.get(DATA).status_code == 403
    client.logout()
    assert client.get(DATA).status_code == 302


def test_drills_are_left_out_of_every_figure(client, city):
    world, mine, _theirs = city
    assert Incident.objects.filter(region=world.village1, is_exercise=True).exists()
    client.force_login(world.county1_leader)
    assert values(client.get(DATA))["open_incidents"] == mine.open_incidents


def test_a_new_incident_reaches_the_cockpit_after_commit(client, city, django_capture_on_commit_callbacks):
    world, mine, _theirs = city
    with django_capture_on_commit_callbacks(execute=True):
        IncidentFactory(region=world.village1)
    client.force_login(world.county1_leader)
    assert values(client.get(DATA))["open_incidents"] == mine.open_incidents + 1


def test_the_sweep_repairs_a_tally_a_bulk_write_left_behind(city):
    world, mine, _theirs = city
    Incident._base_manager.filter(region=world.village1).update(closed=True)
    principal = scope_principal(world.county1)
    assert tally_figures(principal, world.county1, None)["open_incidents"] == mine.open_incidents

    refresh_all_tallies()
    assert tally_figures(principal, world.county1, None)["open_incidents"] == 0
    assert not Tally.objects.filter(metric="open_incidents", value__gt=0).exclude(
        code_prefix_q("region__code", world.county2.prefix)).exists()


def test_rolled_up_figures_equal_direct_counts(city):
    world, _mine, _theirs = city
    for region in (world.city, world.county1, world.county2):
        principal = scope_principal(region)
        rolled = tally_figures(principal, region, None)
        village = world.village1 if region.code.startswith(world.county1.prefix) else world.village2
        counted = tally_figures(principal, village, None) if region.level == "county" else None
        if counted is not None:
            assert rolled["open_incidents"] == counted["open_incidents"]
            assert rolled["open_alarms"] == counted["open_alarms"]


def test_figures_of_other_apps_are_theirs(client, city):
    world, _mine, _theirs = city
    client.force_login(world.county1_leader)
    figures = values(client.get(DATA))
    principal = scope_principal(world.county1)
    level = fire_danger_today(user=principal)["max_level"]
    assert figures["fire_danger"] == (NO_DATA if level is None else level)
    today = timezone.localdate()
    assert figures["cases"] == enforcement_statistics(user=principal, start=today.replace(day=1), end=today)["cases"]


def test_a_part_that_fails_says_no_data_and_the_rest_stays(client, city, monkeypatch):
    world, _mine, _theirs = city

    def broken(query):
        raise RuntimeError("the other app's selector failed")

    for key in ("fire_danger", "disaster_reports", "enforcement"):
        monkeypatch.setitem(PARTS, key, dataclasses.replace(PARTS[key], read=broken))
    client.force_login(world.county1_leader)
    figures = values(client.get(DATA))
    assert figures["fire_danger"] == NO_DATA
    assert figures["cases"] == NO_DATA
    assert figures["disaster_reports_overdue"] == NO_DATA
    assert figures["open_incidents"] == 2


def test_a_part_no_app_offers_is_an_error_not_no_data():
    with pytest.raises(ImproperlyConfigured, match="COCKPIT_FIGURES 'fire_danger_tomorrow'"):
        pick("COCKPIT_FIGURES", "fire_danger", "fire_danger_tomorrow")


def test_online_rate_counts_points_heard_from_within_their_allowance(client, city):
    world, mine, _theirs = city

    now_ms = int(timezone.now().timestamp() * 1000)
    points = list(MonitoringPoint.objects.filter(region__code__in=[world.village1.code]).order_by("pk"))
    assert len(points) == mine.open_alarms == 2
    # One point reported a minute ago (period 60 s, allowance 3 periods), the other an hour ago.
    LatestReading.objects.create(point=points[0], ts=now_ms - 60_000, value=1.0, received_at=now_ms - 60_000)
    LatestReading.objects.create(point=points[1], ts=now_ms - 3_600_000, value=1.0, received_at=now_ms - 3_600_000)
    client.force_login(world.county1_leader)
    figure = client.get(DATA).json()["figures"]["online_rate"]
    assert figure["value"] == 50.0
    assert "1 / 2" in figure["detail"]
