"""The material catalogue is kept by bureaus: read and stocked below the owner, written only by the owner's
jurisdiction, through the pages, the API and the Excel import alike."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from yingji.core.services import organization_create
from yingji.resources import services
from yingji.resources.forms import StockMinimumForm, StockOperationForm
from yingji.resources.importing import MATERIAL_IMPORTER
from yingji.resources.models import Material, StockBalance
from yingji.resources.testing import MaterialFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

COUNTY_USERS = ["county1_admin", "county1_officer"]  # an administrator may write the catalogue, an officer not
ENTRY = {"code": "WZ-NEW-01", "name": "区级储备帐篷", "category": "living", "specification": "12m²", "unit": "顶",
         "minimum_stock": "5"}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def city_tents(world):
    return MaterialFactory(code="WZ-CITY-TENT", name="救灾帐篷", unit="顶", region=world.city)


@pytest.mark.parametrize("username", COUNTY_USERS)
def test_a_county_cannot_change_a_city_entry_through_the_api(world, city_tents, username):
    client = _api(getattr(world, username))
    url = f"/api/materials/{city_tents.pk}/"
    read = client.get(url)
    assert read.status_code == 200 and read.json()["region"] == world.city.pk
    assert client.patch(url, {"name": "改名帐篷"}, format="json").status_code in (403, 404)
    assert client.put(url, {**ENTRY, "code": "WZ-CITY-TENT"}, format="json").status_code in (403, 404)
    city_tents.refresh_from_db()
    assert (city_tents.name, city_tents.code, city_tents.region) == ("救灾帐篷", "WZ-CITY-TENT", world.city)


def test_the_county_admin_gets_404_and_the_city_admin_changes_the_entry(world, city_tents):
    url = f"/api/materials/{city_tents.pk}/"
    assert _api(world.county1_admin).patch(url, {"name": "改名帐篷"}, format="json").status_code == 404
    with pytest.raises(PermissionDenied):
        services.material_update(obj=city_tents, actor=world.county1_admin, name="改名帐篷")
    response = _api(world.city_admin).patch(url, {"name": "市级救灾帐篷"}, format="json")
    assert response.status_code == 200 and response.json()["region"] == world.city.pk
    city_tents.refresh_from_db()
    assert city_tents.name == "市级救灾帐篷"


def test_a_county_creates_its_own_entry_which_the_city_sees_and_a_sibling_does_not(world, city_tents):
    response = _api(world.county1_admin).post("/api/materials/", {**ENTRY, "region": world.city.pk},
                                              format="json")
    assert response.status_code == 201
    own = Material.objects.get(code="WZ-NEW-01")
    assert own.region == world.county1  # the owner is the creator's jurisdiction, whatever the body says
    assert response.json()["region"] == world.county1.pk
    city_codes = {row["code"] for row in _api(world.city_admin).get("/api/materials/").json()["results"]}
    assert {"WZ-NEW-01", "WZ-CITY-TENT"} <= city_codes
    sibling_codes = {row["code"] for row in _api(world.county2_admin).get("/api/materials/").json()["results"]}
    assert "WZ-CITY-TENT" in sibling_codes and "WZ-NEW-01" not in sibling_codes
    assert _api(world.county1_admin).patch(f"/api/materials/{own.pk}/", {"name": "区级帐篷"},
                                           format="json").status_code == 200
    assert _api(world.city_admin).patch(f"/api/materials/{own.pk}/", {"name": "甲区帐篷"},
                                        format="json").status_code == 200
    # A code names one material everywhere: the county cannot take the city's.
    again = _api(world.county2_admin).post("/api/materials/", {**ENTRY, "code": "WZ-CITY-TENT"}, format="json")
    assert again.status_code == 400


@pytest.mark.parametrize("username", COUNTY_USERS)
def test_a_county_sees_no_edit_link_and_the_edit_page_is_not_found(client, world, city_tents, username):
    client.force_login(getattr(world, username))
    edit_url = reverse("resources:material_edit", args=[city_tents.pk])
    detail = client.get(reverse("resources:material_detail", args=[city_tents.pk]))
    assert detail.status_code == 200 and "救灾帐篷" in detail.content.decode()
    assert edit_url not in detail.content.decode()
    assert client.get(edit_url).status_code in (403, 404)
    assert client.post(edit_url, {**ENTRY, "code": "WZ-CITY-TENT"}).status_code in (403, 404)
    city_tents.refresh_from_db()
    assert city_tents.name == "救灾帐篷"


def test_the_city_sees_the_edit_link_and_edits_from_the_page(client, world, city_tents):
    client.force_login(world.city_admin)
    edit_url = reverse("resources:material_edit", args=[city_tents.pk])
    assert edit_url in client.get(reverse("resources:material_detail", args=[city_tents.pk])).content.decode()
    response = client.post(edit_url, {**ENTRY, "code": "WZ-CITY-TENT", "name": "市级帐篷"})
    assert response.status_code == 302
    city_tents.refresh_from_db()
    assert city_tents.name == "市级帐篷" and city_tents.region == world.city


def test_an_import_row_never_changes_an_entry_kept_above(client, world, city_tents):
    workbook = Workbook()
    sheet = workbook.active
    headings = [str(c.heading) for c in MATERIAL_IMPORTER.columns]
    sheet.append(headings)
    row = {"物资编码": "WZ-CITY-TENT", "物资名称": "导入改名", "物资类别": "生活保障", "计量单位": "顶",
           "每库最低储备": 1}
    sheet.append([row.get(h, "") for h in headings])
    sheet.append([{**row, "物资编码": "WZ-IMPORT-01", "物资名称": "导入新物资"}.get(h, "") for h in headings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "materials.xlsx"
    client.force_login(world.county1_admin)
    response = client.post(reverse("resources:material_import"), {"file": buffer})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.created == 1 and [number for number, _reason in report.errors] == [2]
    city_tents.refresh_from_db()
    assert city_tents.name == "救灾帐篷"
    assert Material.objects.get(code="WZ-IMPORT-01").region == world.county1


def test_a_county_warehouse_stocks_city_entries_but_not_a_siblings(world, city_tents):
    store = WarehouseFactory(region=world.county1, name="甲区物资库")
    theirs = MaterialFactory(code="WZ-COUNTY2", name="乙区自编物资", region=world.county2)
    actor = world.county1_admin
    choices = StockOperationForm(user=actor, warehouse=store).fields["material"].queryset
    assert city_tents in choices and theirs not in choices
    assert theirs not in StockMinimumForm(user=actor).fields["material"].queryset
    services.stock_receive(warehouse=store, material=city_tents, quantity=10, document_number="RK-1", actor=actor)
    assert StockBalance.objects.get(warehouse=store, material=city_tents).quantity == 10
    services.stock_minimum_set(warehouse=store, material=city_tents, minimum=3, actor=actor)
    with pytest.raises(ValidationError, match="可用的物资目录"):
        services.stock_receive(warehouse=store, material=theirs, quantity=1, document_number="RK-2", actor=None)
    with pytest.raises(ValidationError, match="可用的物资目录"):
        services.stock_minimum_set(warehouse=store, material=theirs, minimum=1, actor=None)
    assert not StockBalance.objects.filter(material=theirs).exists()


def test_the_system_keeps_entries_for_the_top_bureau(world):
    assert MaterialFactory().region == world.regions["390000000000"]  # no bureau: the top-most region
    organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    assert services.top_bureau_region() == world.city
    assert MaterialFactory().region == world.city
