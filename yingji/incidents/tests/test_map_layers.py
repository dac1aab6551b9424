"""The command map's layers from other apps keep every county to its own points."""

import pytest
from django.urls import reverse

from yingji.core import roles
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.testing import HazardFactory
from yingji.incidents.map_layers import LAYERS
from yingji.monitoring.testing import make_source
from yingji.resources.testing import ShelterFactory
from yingji.risks.testing import RiskPointFactory
from yingji.warnings.testing import add_person, add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[118.4, 36.3], [118.6, 36.3], [118.6, 36.5], [118.4, 36.5],
                                              [118.4, 36.3]]]}


def county_points(world, county, village, tag):
    """One feature of every layer in a county, named with the county's tag."""
    enterprise = EnterpriseFactory(region=village, name=f"{tag}化工企业")
    make_source(village, enterprise=enterprise, name=f"{tag}储罐区")
    HazardFactory(region=village, enterprise=enterprise, level="major", place=f"{tag}储罐区")
    RiskPointFactory(enterprise=enterprise, name=f"{tag}红色风险点", lec_l="10", lec_e="6", lec_c="15",
                     longitude=enterprise.longitude, latitude=enterprise.latitude)
    RiskPointFactory(enterprise=enterprise, name=f"{tag}蓝色风险点", lec_l="1", lec_e="1", lec_c="1",
                     longitude=enterprise.longitude, latitude=enterprise.latitude)
    ShelterFactory(region=village, name=f"{tag}避难场所")
    publish(world, make_warning(world, region=county, headline=f"{tag}暴雨红色预警", area_polygon=SQUARE),
            signer=world.users[f"{tag}_signer"])


@pytest.fixture
def both_counties(world):
    add_warning_staff(world)
    add_person(world, "county2_signer", roles.LEADER, world.county2)
    county_points(world, world.county1, world.village1, "county1")
    county_points(world, world.county2, world.village2, "county2")
    return world


def names(client, layer):
    response = client.get(reverse("incidents:map_layer", args=[layer]))
    assert response.status_code == 200
    return {f["properties"]["name"] for f in response.json()["features"]}


def test_every_layer_shows_the_county_its_own_points_only(client, both_counties):
    client.force_login(both_counties.county1_leader)
    for layer in LAYERS:
        shown = names(client, layer)
        assert shown, f"{layer} shows nothing"
        assert not any("county2" in n for n in shown), (layer, shown)
    client.force_login(both_counties.city_admin)
    for layer in LAYERS:
        shown = names(client, layer)
        assert any("county1" in n for n in shown) and any("county2" in n for n in shown), (layer, shown)


def test_the_layers_show_what_they_promise(client, both_counties):
    client.force_login(both_counties.county1_leader)
    assert names(client, "risks") == {"county1红色风险点"}
    assert [f["geometry"]["type"] for f in client.get(reverse("incidents:map_layer", args=["warnings"])).json()[
        "features"]] == ["Polygon"]
    shelter = client.get(reverse("incidents:map_layer", args=["shelters"])).json()["features"][0]
    assert "可安置2000人" in shelter["properties"]["label"]


def test_layers_need_the_map_permission_and_a_known_name(client, both_counties):
    client.force_login(both_counties.county1_no_role)
    assert client.get(reverse("incidents:map_layer", args=["risks"])).status_code == 403
    client.force_login(both_counties.county1_leader)
    assert client.get(reverse("incidents:map_layer", args=["secrets"])).status_code == 404
