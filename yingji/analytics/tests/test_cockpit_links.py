"""Every counted figure of the cockpit equals the count of the list its tile opens, for each county of the test
world, seen by the county's own leader and by the city leader who drilled into it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.analytics import rollups
from yingji.analytics.testing import add_cockpit_people, fill_county
from yingji.core import roles
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD
from yingji.disasters.models import ReportDuty
from yingji.disasters.testing import make_event
from yingji.enterprises.testing import EnterpriseFactory
from yingji.inspections import services as inspection_services
from yingji.inspections.testing import make_inspection, make_inspector
from yingji.warnings import services as warning_services
from yingji.warnings.models import Recipient
from yingji.warnings.testing import add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db

DATA = reverse("analytics:cockpit_data")

# Figures that are not a number of rows: a rate, a level, a capacity in people. Each still links to its page.
NOT_COUNTS = {"ack_rate", "online_rate", "fire_danger", "shelter_capacity"}


@pytest.fixture
def city(world):
    add_warning_staff(world)
    add_cockpit_people(world)
    if "county2_leader" not in world.users:
        world.users["county2_leader"] = user_create(actor=None, username="county2_leader", password=PASSWORD,
                                                    real_name="county2_leader", roles=[roles.LEADER],
                                                    scope_region=world.county2)
    fill_county(world, world.village1, general=2, major=1, closed=1, incidents=2, larger=1, alarms=2, teams=2)
    fill_county(world, world.village2, general=1, major=2, closed=0, incidents=1, larger=0, alarms=1, teams=1)
    # The city warns a township of county 1: the warning is in force in county 1, though the city issued it.
    township1 = world.village1.parent
    for index in range(2):
        warning_services.person_create(actor=None, region=world.village1, role="village_cadre", name=f"责任人{index}",
                                       phone=f"1390000000{index}")
    city_warning = make_warning(world, region=world.city, areas=[township1], headline="青禾市暴雨红色预警")
    publish(world, city_warning, signer=world.city_leader)
    # One of the two people let the first escalation step pass without answering (超时未应答), as the sweep
    # records it.
    Recipient._base_manager.filter(pk=Recipient._base_manager.filter(warning=city_warning).order_by("pk")[0].pk
                                   ).update(step=1)
    # County 2 warns its own townships.
    county2_signer = world.users.get("county2_leader")
    publish(world, make_warning(world, region=world.county2), signer=county2_signer)
    # A case opened this month in each county, and one opened long ago (not 本月立案).
    long_ago = timezone.localdate() - datetime.timedelta(days=70)
    for village in (world.village1, world.village2):
        enterprise = EnterpriseFactory(region=village)
        inspectors = [make_inspector(village.parent.parent), make_inspector(village.parent.parent)]
        for day in (timezone.localdate(), long_ago):
            inspection = make_inspection(enterprise, inspectors, inspected_on=day)
            inspection_services.case_open(actor=None, inspection=inspection, title="未按规定开展安全培训",
                                          facts="经查属实", filed_on=day)
    # A flood in county 1 whose township's 初报 is past its deadline (灾情报送超时).
    event = make_event(world.county1, [township1])
    ReportDuty.objects.filter(event=event).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    rollups.refresh_tallies()
    return world


def list_total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(r'data-testid="total">(\d+)<', response.content.decode())
    assert found, f"{url} shows no total"
    return int(found.group(1))


@pytest.mark.parametrize("county, persona", [("county1", "county1_leader"), ("county1", "city_leader"),
                                             ("county2", "county2_leader"), ("county2", "city_leader")])
def test_each_counted_figure_equals_the_list_it_opens(client, city, county, persona):
    world = city
    region = getattr(world, county)
    client.force_login(getattr(world, persona))
    response = client.get(DATA, {"region": region.code})
    assert response.status_code == 200
    figures = response.json()["figures"]
    compared = {}
    for key, figure in figures.items():
        assert figure["url"], f"{key} links nowhere"
        if key in NOT_COUNTS:
            continue
        compared[key] = (figure["value"], list_total(client, figure["url"]))
    assert {key: shown for key, (shown, _listed) in compared.items()} == {
        key: listed for key, (_shown, listed) in compared.items()}
    # The figures compared are not all zero: the world has something of each kind in both counties.
    expected = ["open_incidents", "active_warnings", "open_alarms", "major_hazards", "teams_standby", "cases"]
    if county == "county1":
        expected += ["unanswered", "disaster_reports_overdue"]
    for key in expected:
        assert compared[key][0] > 0, key


def test_a_warning_the_city_issued_for_a_county_is_in_force_there(client, city):
    world = city
    client.force_login(world.county1_leader)
    assert client.get(DATA).json()["figures"]["active_warnings"]["value"] == 1
    client.force_login(world.city_leader)
    assert client.get(DATA).json()["figures"]["active_warnings"]["value"] == 2
    assert client.get(DATA, {"region": world.county2.code}).json()["figures"]["active_warnings"]["value"] == 1
