"""Every register's pages and API inherit the jurisdiction tests; plus the stock page, map, nearest and coverage."""

import pytest
from django.urls import reverse

from yingji.core.services import region_update
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.resources import services
from yingji.resources.importing import RESCUE_TEAM_IMPORTER
from yingji.resources.models import Expert, RescueTeam, ResourcePoint, Shelter, StockBalance, Warehouse
from yingji.resources.testing import (
    ExpertFactory,
    MaterialFactory,
    RescueTeamFactory,
    ResourcePointFactory,
    ShelterFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

PLACE = {"address": "测试路1号", "longitude": "118.51", "latitude": "36.41"}


class Declarations:
    url_namespace = "resources"
    actor = "county1_admin"
    outsider = "county2_admin"
    factory = None
    names = ("甲区资源", "乙区资源")

    def make_in_scope(self, world):
        return self.factory(region=world.village1, name=self.names[0])

    def make_out_of_scope(self, world):
        return self.factory(region=world.village2, name=self.names[1])

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        return self.valid_form_data(world, region)

    def invalid_api_data(self, world):
        return self.invalid_form_data(world)

    def out_of_scope_api_data(self, world):
        return self.out_of_scope_form_data(world)


class TeamDeclarations(Declarations):
    model = RescueTeam
    api_url = "/api/rescue-teams/"
    factory = RescueTeamFactory
    names = ("甲区危化救援队", "乙区矿山救援队")

    def valid_form_data(self, world, region=None):
        return {"name": "新建救援队", "kind": "professional", "region": (region or world.village1).pk,
                "enterprise": "", "member_count": "12", **PLACE}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "longitude": "200"}, "小于或"

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data.pop("enterprise")
        return data


class TestTeamPages(TeamDeclarations, ScopedModelViewTests):
    def test_team_page_lists_members_and_offers_the_moves(self, client, world):
        team = self.make_in_scope(world)
        services.team_member_add(team=team, actor=None, name="王队员", skills="绳索救援", certificates="救援员证")
        client.force_login(world.county1_admin)
        content = client.get(self.url("detail", team.pk)).content.decode()
        assert "王队员" in content and "绳索救援" in content and "出动" in content
        response = client.post(reverse("resources:rescueteam_transition", args=[team.pk]), {"action": "deploy"})
        assert response.status_code == 302
        assert RescueTeam.objects.get(pk=team.pk).status == "deployed"

    def test_another_county_cannot_move_or_staff_the_team(self, client, world):
        team = self.make_in_scope(world)
        client.force_login(world.county2_admin)
        assert client.post(reverse("resources:rescueteam_transition", args=[team.pk]), {"action": "deploy"}).status_code == 404
        assert client.post(reverse("resources:rescueteam_member_add", args=[team.pk]), {"name": "x"}).status_code == 404
        assert RescueTeam.objects.get(pk=team.pk).status == "standby"


class TestTeamAPI(TeamDeclarations, ScopedModelAPITests):
    def test_a_team_is_deployed_through_the_api(self, world):
        team = self.make_in_scope(world)
        response = self.api(world, "county1_admin").post(f"{self.api_url}{team.pk}/transition/", {"action": "deploy"},
                                                         format="json")
        assert response.status_code == 200 and response.json()["status"] == "deployed"
        response = self.api(world, "county1_admin").post(f"{self.api_url}{team.pk}/transition/", {"action": "deploy"},
                                                         format="json")
        assert response.status_code == 400 and "不能执行" in response.content.decode()


class WarehouseDeclarations(Declarations):
    model = Warehouse
    api_url = "/api/warehouses/"
    factory = WarehouseFactory
    names = ("甲区储备库", "乙区储备库")

    def valid_form_data(self, world, region=None):
        return {"name": "新建储备库", "level": "county", "region": (region or world.county1).pk, **PLACE}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "longitude": "200"}, "小于或"


class TestWarehousePages(WarehouseDeclarations, ScopedModelViewTests):
    def test_stock_is_received_and_issued_from_the_page_and_never_below_zero(self, client, world):
        store = self.make_in_scope(world)
        tents = MaterialFactory(name="帐篷", unit="顶", code="TENT")
        client.force_login(world.county1_admin)
        url = reverse("resources:warehouse_stock", args=[store.pk])
        base = {"material": tents.pk, "document_number": "RK-9", "batch": "", "expiry_date": "", "target": "",
                "counterpart": "", "purpose": ""}
        assert client.post(url, {**base, "operation": "receipt", "quantity": "20"}).status_code == 302
        response = client.post(url, {**base, "operation": "issue", "quantity": "25", "document_number": "CK-9"})
        assert response.status_code == 400
        assert "库存不足" in response.content.decode()
        assert client.post(url, {**base, "operation": "issue", "quantity": "5", "document_number": "CK-9"}).status_code == 302
        assert StockBalance.objects.get(warehouse=store).quantity == 15
        content = client.get(self.url("detail", store.pk)).content.decode()
        assert "CK-9" in content and "15 顶" in content

    def test_another_county_cannot_post_stock(self, client, world):
        store = self.make_in_scope(world)
        tents = MaterialFactory()
        client.force_login(world.county2_admin)
        response = client.post(reverse("resources:warehouse_stock", args=[store.pk]),
                               {"operation": "receipt", "material": tents.pk, "quantity": "1", "document_number": "x"})
        assert response.status_code == 404
        assert not StockBalance.objects.exists()


class TestWarehouseAPI(WarehouseDeclarations, ScopedModelAPITests):
    pass


class ShelterDeclarations(Declarations):
    model = Shelter
    api_url = "/api/shelters/"
    factory = ShelterFactory
    names = ("甲区公园避难场所", "乙区广场避难场所")

    def valid_form_data(self, world, region=None):
        return {"name": "新建避难场所", "kind": "fixed", "region": (region or world.village1).pk,
                "effective_area_m2": "3000", "occupancy": "0", **PLACE}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "occupancy": "2001"}, "不能超过容纳人数"


class TestShelterPages(ShelterDeclarations, ScopedModelViewTests):
    def test_capacity_is_computed_on_save(self, client, world):
        client.force_login(world.county1_admin)
        client.post(self.url("create"), self.valid_form_data(world))
        assert Shelter.objects.get(name="新建避难场所").capacity == 2000


class TestShelterAPI(ShelterDeclarations, ScopedModelAPITests):
    pass


class ExpertDeclarations(Declarations):
    model = Expert
    api_url = "/api/experts/"
    factory = ExpertFactory
    names = ("甲区专家", "乙区专家")

    def valid_form_data(self, world, region=None):
        return {"name": "新专家", "field": "hazchem", "phone": "13800000009", "region": (region or world.county1).pk,
                "longitude": "118.5", "latitude": "36.4"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "phone": "12"}, "手机号码"


class TestExpertPages(ExpertDeclarations, ScopedModelViewTests):
    pass


class TestExpertAPI(ExpertDeclarations, ScopedModelAPITests):
    pass


class PointDeclarations(Declarations):
    model = ResourcePoint
    api_url = "/api/resource-points/"
    factory = ResourcePointFactory
    names = ("甲区医院", "乙区医院")

    def valid_form_data(self, world, region=None):
        return {"name": "新建起降点", "kind": "helipad", "region": (region or world.county1).pk, **PLACE}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "latitude": "-5"}, "大于或"


class TestPointPages(PointDeclarations, ScopedModelViewTests):
    pass


class TestPointAPI(PointDeclarations, ScopedModelAPITests):
    pass


def test_the_map_data_holds_only_the_users_resources(client, world):
    RescueTeamFactory(region=world.county1, name="甲区队")
    RescueTeamFactory(region=world.county2, name="乙区队")
    client.force_login(world.county1_leader)
    assert client.get(reverse("resources:resource_map")).status_code == 200
    names = {f["properties"]["name"] for f in client.get(reverse("resources:resource_geojson")).json()["features"]}
    assert names == {"甲区队"}
    client.force_login(world.county1_no_role)
    assert client.get(reverse("resources:resource_geojson")).status_code == 403


def test_nearest_page_and_api_rank_by_distance_and_explain_bad_input(client, world):
    RescueTeamFactory(region=world.county1, name="近处队", latitude=36.401)
    RescueTeamFactory(region=world.county1, name="远处队", latitude=36.6)
    client.force_login(world.county1_leader)
    content = client.get(reverse("resources:nearest"), {"kind": "team", "latitude": "36.4", "longitude": "118.5",
                                                        "radius_km": "50"}).content.decode()
    assert content.index("近处队") < content.index("远处队")
    response = client.get(reverse("resources:nearest"), {"kind": "team", "latitude": "abc", "longitude": "118.5"})
    assert response.status_code == 400 and "纬度无效" in response.content.decode()
    api = TestTeamAPI().api(world, "county1_leader")
    body = api.get("/api/nearest-resources/", {"kind": "team", "latitude": 36.4, "longitude": 118.5, "limit": 1}).json()
    assert [r["name"] for r in body["results"]] == ["近处队"]
    assert api.get("/api/nearest-resources/", {"kind": "team", "latitude": 99, "longitude": 118.5}).status_code == 400
    assert TestTeamAPI().api(world).get("/api/nearest-resources/").status_code == 401


def test_the_coverage_page_lists_townships_below_standard(client, world):
    region_update(region=world.regions["390102001000"], actor=None, population=10000)
    ShelterFactory(region=world.village1, effective_area_m2=1000)
    client.force_login(world.county1_leader)
    content = client.get(reverse("resources:shelter_coverage")).content.decode()
    assert "甲一街道" in content and "未达标" in content and "0.10" in content


def test_an_excel_import_keeps_good_rows_and_reports_bad_ones(client, world):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    headings = [str(c.heading) for c in RESCUE_TEAM_IMPORTER.columns]
    sheet.append(headings)
    good = {"队伍名称": "导入救援队", "队伍类型": "专业", "所属区划代码": world.county1.pk, "队员人数": 8,
            "经度": 118.5, "纬度": 36.4}
    sheet.append([good.get(h, "") for h in headings])
    sheet.append([{**good, "队伍名称": "越界救援队", "所属区划代码": world.county2.pk}.get(h, "") for h in headings])
    sheet.append([{**good, "队伍名称": "坐标错误队", "经度": 500}.get(h, "") for h in headings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "teams.xlsx"
    client.force_login(world.county1_admin)
    response = client.post(reverse("resources:rescueteam_import"), {"file": buffer})
    content = response.content.decode()
    assert response.status_code == 200
    assert set(RescueTeam.objects.values_list("name", flat=True)) == {"导入救援队"}
    errors = dict(response.context["report"].errors)
    assert sorted(errors) == [3, 4]
    assert "所属区划" in errors[3] and "经度" in errors[4]
    assert errors[4] in content
