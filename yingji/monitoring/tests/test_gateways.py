"""Gateways: pages and API in jurisdiction; the token is shown once and only its hash is stored."""

import pytest

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import services
from yingji.monitoring.models import Gateway

pytestmark = pytest.mark.django_db


class GatewayDeclarations:
    model = Gateway
    url_namespace = "monitoring"
    api_url = "/api/monitoring/gateways/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return services.gateway_create(actor=None, enterprise=EnterpriseFactory(region=world.village1),
                                       code="GW-IN", name="甲区网关")

    def make_out_of_scope(self, world):
        return services.gateway_create(actor=None, enterprise=EnterpriseFactory(region=world.village2),
                                       code="GW-OUT", name="乙区网关")

    def valid_form_data(self, world, region=None):
        enterprise = EnterpriseFactory(region=region or world.village1)
        return {"enterprise": enterprise.pk, "code": "gw-new", "name": "新网关", "report_period_seconds": "30",
                "is_active": "on"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["report_period_seconds"] = "0"
        return data, "1"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data["is_active"] = True
        return data

    def invalid_api_data(self, world):
        data = self.valid_api_data(world)
        data["code"] = "带 空格"
        return data, "编号只能包含"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestGatewayPages(GatewayDeclarations, ScopedModelViewTests):
    def test_the_token_is_shown_once_after_creation(self, client, world):
        client.force_login(world.county1_admin)
        response = client.post(self.url("create"), self.valid_form_data(world))
        detail = response["Location"]
        first = client.get(detail).content.decode()
        assert "网关令牌（只显示这一次" in first
        gateway = Gateway.objects.get(code="GW-NEW")
        token = first.split('<code class="user-select-all">')[1].split("</code>")[0]
        assert services.gateway_for_token(token) == gateway
        assert token not in gateway.token_hash
        assert "网关令牌（只显示这一次" not in client.get(detail).content.decode()


class TestGatewayAPI(GatewayDeclarations, ScopedModelAPITests):
    def test_the_token_comes_back_once_on_creation(self, world):
        response = self.api(world, "county1_admin").post(self.api_url, self.valid_api_data(world), format="json")
        token = response.json()["token"]
        gateway = Gateway.objects.get(pk=response.json()["id"])
        assert services.gateway_for_token(token) == gateway
        assert "token" not in self.api(world, "county1_admin").get(f"{self.api_url}{gateway.pk}/").json()
