"""The incident form lets people pick instead of type: a map picker for the point, the enterprise's data filled in
on choosing it, 事件子类 following 事件类型, and a point refused when it lies outside the incident's region."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.core.browser_testing import square
from yingji.core.models import Region
from yingji.enterprises.testing import EnterpriseFactory
from yingji.incidents.forms import IncidentForm
from yingji.incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(world):
    Region.objects.filter(pk=world.county1.pk).update(boundary=square(118.4, 36.3, 0.3))
    return EnterpriseFactory(region=world.village1, name="甲一化工有限公司", address="甲一社区化工路8号",
                             longitude=118.51, latitude=36.41)


def option(page: str, value: str) -> str:
    return re.search(rf'<option value="{re.escape(value)}"[^>]*>', page).group(0)


def test_the_coordinates_are_picked_on_a_map(client, world, plant):
    client.force_login(world.county1_admin)
    page = client.get(reverse("incidents:incident_create")).content.decode()
    assert 'data-map-picker' in page and 'data-latitude-input="id_latitude"' in page
    assert f'data-search="{reverse("core:place_search")}"' in page
    # The two numbers stay ordinary inputs of the form.
    assert re.search(r'<input type="number" name="longitude"[^>]*id="id_longitude"', page)
    assert re.search(r'<input type="number" name="latitude"[^>]*id="id_latitude"', page)


def test_choosing_the_enterprise_fills_region_place_and_coordinates(client, world, plant):
    form = IncidentForm(user=world.county1_admin)
    attrs = form.fields["enterprise"].widget.attrs
    assert json.loads(attrs["data-fills"]) == {"id_region": "region", "id_place": "address",
                                               "id_longitude": "longitude", "id_latitude": "latitude"}
    assert (attrs["data-filter-by"], attrs["data-filter-mode"]) == ("id_region", "prefix")
    page = str(form["enterprise"])
    tag = option(page, str(plant.pk))
    for expected in (f'data-fill-region="{world.village1.code}"', 'data-fill-address="甲一社区化工路8号"',
                     'data-fill-longitude="118.51"', 'data-fill-latitude="36.41"', f'data-parent="{world.village1.code}"'):
        assert expected in tag
    assert 'data-prefix="390102"' in option(str(form["region"]), world.county1.code)


def test_the_subtype_follows_the_type(world):
    form = IncidentForm(user=world.county1_admin)
    assert form.fields["subtype"].widget.attrs["data-filter-by"] == "id_category"
    page = str(form["subtype"])
    assert 'data-parent="accident"' in option(page, "危险化学品事故")
    assert 'data-parent="natural"' in option(page, "地震灾害")


def incident_data(world, **changes):
    return {"title": "化工厂爆炸", "category": "accident", "subtype": "危险化学品事故",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "place": "化工路8号",
            "region": world.village1.pk, "enterprise": "", "longitude": "118.5", "latitude": "36.4", "deaths": "0",
            "missing": "0", "serious_injuries": "0", "light_injuries": "0", "direct_loss_yuan": "0",
            "description": "爆炸", "source": "企业报告", **changes}


def test_a_point_outside_the_region_is_refused_in_chinese(client, world, plant):
    client.force_login(world.county1_admin)
    response = client.post(reverse("incidents:incident_create"), incident_data(world, longitude="73", latitude="3"))
    assert response.status_code == 400
    assert "坐标不在所属区域内（甲区）" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_point_inside_the_region_is_saved(client, world, plant):
    client.force_login(world.county1_admin)
    response = client.post(reverse("incidents:incident_create"), incident_data(world, enterprise=plant.pk))
    assert response.status_code == 302
    assert Incident.objects.get().longitude == 118.5


def test_the_api_refuses_a_point_outside_the_region(world, plant):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.county1_admin)
    data = {**incident_data(world, longitude="119.5"), "occurred_at": timezone.now().isoformat()}
    data.pop("enterprise")
    response = api.post("/api/incidents/", data, format="json")
    assert response.status_code == 400
    assert response.json()["longitude"] == ["坐标不在所属区域内（甲区）"]
    response = api.patch(f"/api/incidents/{_incident(world).pk}/", {"longitude": 73, "latitude": 3}, format="json")
    assert response.status_code == 400 and "坐标不在所属区域内（甲区）" in response.json()["longitude"]


def _incident(world):
    from yingji.incidents.testing import IncidentFactory

    return IncidentFactory(region=world.village1, longitude=118.5, latitude=36.4)
