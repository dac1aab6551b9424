import pytest

from yingji.core.resource_specs import ORGANIZATION, REGION, USER
from yingji.core.services import organization_create, region_update
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = pytest.mark.django_db


class OrganizationDeclarations:
    spec = ORGANIZATION
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)

    def make_out_of_scope(self, world):
        return organization_create(actor=None, name="乙区应急管理局", kind="bureau", region=world.county2)

    def valid_form_data(self, world, region=None):
        return {"name": "甲一街道办事处", "kind": "township_office", "region": (region or world.county1).pk,
                "parent": "", "phone": "0539-1234567"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["phone"] = "12345abc"
        return data, "请输入11位手机号码、带区号的固定电话或服务号码"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world):
        return {"name": "甲一街道办事处", "kind": "township_office", "region": world.county1.pk}

    def invalid_api_data(self, world):
        return {"name": "", "kind": "nonsense", "region": world.county1.pk}, "kind"

    def out_of_scope_api_data(self, world):
        return {"name": "甲一街道办事处", "kind": "township_office", "region": world.county2.pk}


class TestOrganizationPages(OrganizationDeclarations, ScopedModelViewTests):
    pass


class TestOrganizationAPI(OrganizationDeclarations, ScopedModelAPITests):
    api_url = "/api/organizations/"


class RegionDeclarations:
    spec = REGION
    actor = "county1_officer"

    def make_in_scope(self, world):
        return world.regions["390102001000"]

    def make_out_of_scope(self, world):
        return world.regions["390103100000"]


class TestRegionPages(RegionDeclarations, ScopedModelViewTests):
    def test_history_shows_on_the_detail_page(self, client, world):
        client.force_login(world.county1_officer)
        assert "新建区划" in client.get(self.url("detail", "390102001000")).content.decode()

    def test_region_tree_starts_at_the_users_scope(self, client, world):
        client.force_login(world.county1_officer)
        content = client.get("/regions/").content.decode()
        assert "甲一街道" in content and "乙一镇" not in content
        assert client.get("/regions/tree/390103000000/").status_code == 404

    def test_boundaries_are_scoped(self, client, world):
        square = {"type": "Polygon", "coordinates": [[[118, 36], [118.1, 36], [118.1, 36.1], [118, 36]]]}
        for code in ("390102000000", "390102001000", "390103000000"):
            region_update(actor=None, region=world.regions[code], boundary=square)
        client.force_login(world.county1_officer)
        features = client.get("/regions/geojson/").json()["features"]
        assert {f["properties"]["code"] for f in features} == {"390102000000", "390102001000"}
        assert client.get("/regions/geojson/?parent=390103000000").status_code == 404


class TestRegionAPI(RegionDeclarations, ScopedModelAPITests):
    api_url = "/api/regions/"
    writable = False

    def detail_url(self, obj):
        return f"{self.api_url}{obj.code}/"

    def test_list_is_paginated_and_scoped(self, world):
        body = self.api(world, self.actor).get(self.api_url).json()
        codes = {row["code"] for row in body["results"]}
        assert "390102001000" in codes and "390103100000" not in codes
        assert body["count"] == 4


def test_users_list_is_scoped(client, world):
    client.force_login(world.county1_admin)
    content = client.get("/users/").content.decode()
    assert "county1_officer" in content and "county2_officer" not in content


def test_home_page_shows_figures_for_the_scope(client, world):
    EnterpriseFactory(region=world.village1, category="fireworks")
    EnterpriseFactory(region=world.village2, category="commerce")
    client.force_login(world.county1_officer)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["enterprise_total"] == 1
    assert [row["name"] for row in response.context["enterprises_by_category"]] == ["烟花爆竹"]
    assert response.context["enterprises_by_region"] == [
        {"code": "390102001000", "name": "甲一街道", "total": 1, "url": "/enterprises/?region=390102001000"}
    ]
    client.force_login(world.city_admin)
    by_county = client.get("/").context["enterprises_by_region"]
    assert [(r["name"], r["total"]) for r in by_county] == [("甲区", 1), ("乙区", 1)]


def test_navigation_shows_only_what_the_role_may_use(client, world):
    client.force_login(world.county1_officer)
    content = client.get("/").content.decode()
    assert "企业档案" in content and ">用户<" not in content
    client.force_login(world.county1_admin)
    assert ">用户<" in client.get("/").content.decode()


def test_api_schema_and_docs_are_served_locally(client, world):
    client.force_login(world.county1_admin)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/enterprises/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "https://" not in docs


class UserDeclarations:
    spec = USER
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return world.county1_officer

    def make_out_of_scope(self, world):
        return world.county2_officer

    def valid_form_data(self, world, region=None):
        return {"username": "new_clerk", "real_name": "新值班员", "mobile": "13900001234",
                "scope_region": (region or world.county1).pk, "roles": ["值班员"], "password": "Clerk@2026!"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["password"] = "12345678"
        return data, "只包含数字"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestUserPages(UserDeclarations, ScopedModelViewTests):
    def test_list_shows_records_in_scope_only(self, client, world):
        client.force_login(world.county1_admin)
        content = client.get(self.url("list")).content.decode()
        assert "county1_officer" in content and "county2_officer" not in content

    def test_a_county_admin_cannot_widen_their_own_scope(self, client, world):
        client.force_login(world.county1_admin)
        me = world.county1_admin
        response = client.post(self.url("edit", me.pk), {"real_name": "甲区管理员", "scope_region": world.city.pk,
                                                         "roles": ["系统管理员"], "is_active": "on"})
        assert response.status_code == 400
        me.refresh_from_db()
        assert me.scope_region == world.county1

    def test_roles_can_be_changed_and_are_recorded(self, client, world):
        client.force_login(world.county1_admin)
        officer = world.county1_officer
        response = client.post(self.url("edit", officer.pk), {"real_name": "甲区监管员", "scope_region": world.county1.pk,
                                                              "roles": ["监管人员/执法人员", "值班员"], "is_active": "on"})
        assert response.status_code == 302
        assert sorted(officer.role_names) == ["值班员", "监管人员/执法人员"]
        assert "修改角色" in client.get(self.url("detail", officer.pk)).content.decode()

    def test_an_enterprise_user_belongs_to_the_county_of_its_enterprise(self, client, world):
        enterprise = EnterpriseFactory(region=world.village1)
        client.force_login(world.county1_admin)
        data = {"username": "ent_manager", "real_name": "企业安全员", "scope_enterprise": enterprise.pk,
                "roles": ["企业安全管理员"], "password": "Safety@2026!"}
        assert client.post(self.url("create"), data).status_code == 302
        client.force_login(world.county2_admin)
        assert "ent_manager" not in client.get(self.url("list")).content.decode()
