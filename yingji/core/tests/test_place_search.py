"""The map picker's place search: regions, enterprises and known points, only those the user may read."""

import pytest
from django.urls import reverse

from yingji.core.browser_testing import square
from yingji.core.models import Region
from yingji.core.testing import add_enterprise_user, build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.resources.testing import ShelterFactory

URL = reverse("core:place_search")


@pytest.fixture
def world(db):
    world = build_world()
    Region.objects.filter(pk=world.county1.pk).update(longitude=118.55, latitude=36.45)
    Region.objects.filter(pk=world.county2.pk).update(boundary=square(118.8, 36.3, 0.3))
    EnterpriseFactory(region=world.village1, name="甲一化工有限公司", longitude=118.51, latitude=36.41)
    EnterpriseFactory(region=world.village2, name="乙一化工有限公司", longitude=118.91, latitude=36.41)
    ShelterFactory(region=world.village1, name="甲一中心广场避难场所", longitude=118.52, latitude=36.42)
    ShelterFactory(region=world.village2, name="乙一中学避难场所", longitude=118.92, latitude=36.42)
    return world


def search(client, user, term: str) -> list[dict]:
    client.force_login(user)
    response = client.get(URL, {"q": term})
    assert response.status_code == 200
    return response.json()["results"]


def names(results: list[dict]) -> set[str]:
    return {r["name"] for r in results}


def test_it_finds_regions_enterprises_and_shelters_with_their_coordinates(client, world):
    results = search(client, world.city_admin, "化工")
    assert names(results) == {"甲一化工有限公司", "乙一化工有限公司"}
    first = next(r for r in results if r["name"] == "甲一化工有限公司")
    assert first == {"name": "甲一化工有限公司", "kind": "企业", "lon": 118.51, "lat": 36.41,
                     "region": world.village1.code}
    assert names(search(client, world.city_admin, "避难")) == {"甲一中心广场避难场所", "乙一中学避难场所"}
    region = search(client, world.city_admin, "甲区")[0]
    assert (region["name"], region["kind"], region["lon"], region["lat"]) == ("甲区", "县级", 118.55, 36.45)


def test_a_region_without_a_centre_is_found_inside_its_boundary(client, world):
    region = search(client, world.city_admin, "乙区")[0]
    assert 118.8 < region["lon"] < 119.1 and 36.3 < region["lat"] < 36.6


def test_a_county_user_finds_only_what_he_may_read(client, world):
    assert names(search(client, world.county1_officer, "化工")) == {"甲一化工有限公司"}
    assert "乙一中学避难场所" not in names(search(client, world.county1_admin, "避难"))
    assert names(search(client, world.county2_officer, "甲一")) & {"甲一化工有限公司", "甲一中心广场避难场所"} == set()


def test_an_enterprise_user_finds_his_own_enterprise_only(client, world):
    mine = EnterpriseFactory(region=world.village1, name="甲一精细化工厂", longitude=118.53, latitude=36.43)
    user = add_enterprise_user(world, "plant_manager", mine)
    assert names(search(client, user, "化工")) == {"甲一精细化工厂"}


def test_a_user_without_a_role_finds_nothing(client, world):
    assert search(client, world.county1_no_role, "甲") == []


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    response = client.get(URL, {"q": "甲"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_empty_or_odd_term_finds_nothing_and_breaks_nothing(client, world):
    assert search(client, world.city_admin, "") == []
    assert search(client, world.city_admin, "\x00") == []
    assert search(client, world.city_admin, "甲" * 500) == []
