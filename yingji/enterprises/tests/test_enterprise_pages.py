import pytest

from yingji.core.testing import PASSWORD, ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.specs import ENTERPRISE
from yingji.enterprises.testing import EnterpriseFactory, credit_code

pytestmark = pytest.mark.django_db


class EnterpriseDeclarations:
    spec = ENTERPRISE

    def make_in_scope(self, world):
        return EnterpriseFactory(region=world.village1, name="甲区本地化工有限公司")

    def make_out_of_scope(self, world):
        return EnterpriseFactory(region=world.village2, name="乙区外地化工有限公司")

    def valid_form_data(self, world, region=None):
        return {
            "name": "新建机械有限公司", "credit_code": credit_code(), "region": (region or world.village1).pk,
            "address": "甲一社区工业路8号", "longitude": "118.51", "latitude": "36.41", "industry_code": "C3411",
            "industry_name": "锅炉及辅助设备制造", "category": "machinery", "scale_type": "below", "size": "small",
            "supervision_class": "B", "legal_representative": "王五", "legal_representative_phone": "13800000002",
            "principal": "王五", "principal_phone": "13800000002", "safety_director": "", "safety_director_phone": "",
            "employee_count": "35", "status": "operating",
        }

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["credit_code"] = data["credit_code"][:17] + ("0" if data["credit_code"][17] != "0" else "1")
        return data, "校验码错误"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestEnterprisePages(EnterpriseDeclarations, ScopedModelViewTests):
    def test_enterprise_user_sees_only_its_enterprise(self, client, world):
        mine, neighbour = self.make_in_scope(world), EnterpriseFactory(region=world.village1, name="邻居公司")
        user = add_enterprise_user(world, "manager", mine)
        client.force_login(user)
        content = client.get(self.url("list")).content.decode()
        assert mine.name in content and neighbour.name not in content
        assert client.get(self.url("detail", neighbour.pk)).status_code == 404
        assert client.get(self.url("detail", mine.pk)).status_code == 200

    def test_enterprise_user_cannot_create_an_enterprise(self, client, world):
        user = add_enterprise_user(world, "manager", self.make_in_scope(world))
        client.force_login(user)
        assert client.get(self.url("create")).status_code == 403

    def test_filters_and_search_narrow_the_list(self, client, world):
        EnterpriseFactory(region=world.village1, name="青山烟花爆竹有限公司", category="fireworks")
        EnterpriseFactory(region=world.village1, name="绿水商贸有限公司", category="commerce")
        client.force_login(world.county1_officer)
        content = client.get(self.url("list") + "?category=fireworks").content.decode()
        assert "青山烟花爆竹" in content and "绿水商贸" not in content
        content = client.get(self.url("list") + "?q=绿水").content.decode()
        assert "绿水商贸" in content and "青山烟花爆竹" not in content

    def test_region_filter_is_a_prefix_match(self, client, world):
        EnterpriseFactory(region=world.village1, name="本街道企业")
        client.force_login(world.city_admin)
        content = client.get(self.url("list") + f"?region={world.county2.pk}").content.decode()
        assert "本街道企业" not in content
        content = client.get(self.url("list") + f"?region={world.county1.pk}").content.decode()
        assert "本街道企业" in content

    def test_edit_history_lists_the_changed_field(self, client, world):
        obj = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        data = self.valid_form_data(world)
        data.update(name=obj.name, credit_code=obj.credit_code, employee_count="999")
        response = client.post(self.url("edit", obj.pk), data)
        assert response.status_code == 302
        content = client.get(self.url("detail", obj.pk)).content.decode()
        assert "从业人数" in content and "120 → 999" in content

    def test_officer_cannot_move_an_enterprise_out_of_the_county(self, client, world):
        obj = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        data = self.valid_form_data(world, region=world.village2)
        data.update(credit_code=obj.credit_code)
        response = client.post(self.url("edit", obj.pk), data)
        assert response.status_code == 400
        obj.refresh_from_db()
        assert obj.region == world.village1

    def test_map_points_are_scoped(self, client, world):
        mine, theirs = self.make_in_scope(world), self.make_out_of_scope(world)
        client.force_login(world.county1_officer)
        names = {f["properties"]["name"] for f in client.get(self.url("geojson")).json()["features"]}
        assert mine.name in names and theirs.name not in names


class TestEnterpriseAPI(EnterpriseDeclarations, ScopedModelAPITests):
    api_url = "/api/enterprises/"

    def test_token_is_issued_for_username_and_password(self, world):
        client = self.api(world)
        response = client.post("/api/auth/token/", {"username": "county1_officer", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert client.get(self.api_url).status_code == 200

    def test_wrong_password_gets_no_token(self, world):
        response = self.api(world).post("/api/auth/token/", {"username": "county1_officer", "password": "x"}, format="json")
        assert response.status_code == 400
        assert "token" not in response.json()


def test_the_api_404_names_neither_the_model_nor_the_record(world):
    theirs = EnterpriseFactory(region=world.village2, name="乙区某企业")
    client = TestEnterpriseAPI().api(world, "county1_officer")
    response = client.get(f"/api/enterprises/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录，或该记录不在您的管辖范围内。"}


def test_the_api_schema_needs_a_login(client, world):
    assert client.get("/api/schema/").status_code in (401, 403)
