"""Every page and endpoint of plans and their structure, inside and outside the jurisdiction (core base classes)."""

import pytest

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.incidents.testing import IncidentFactory
from yingji.plans import services
from yingji.plans.models import Plan, PlanActivation, PlanLevel, PlanOrganization, PlanTask
from yingji.plans.testing import filed_plan, make_plan, organization

pytestmark = pytest.mark.django_db


class PlanDeclarations:
    model = Plan
    url_namespace = "plans"
    api_url = "/api/plans/"

    def make_in_scope(self, world):
        return make_plan(world.county1, name="甲区危险化学品事故专项应急预案", structure=False)

    def make_out_of_scope(self, world):
        return make_plan(world.county2, name="乙区森林火灾专项应急预案", structure=False)

    def valid_form_data(self, world, region=None):
        return {"name": "甲区防汛抗旱专项应急预案", "kind": "special", "parent": "", "region": (region or world.county1).pk,
                "enterprise": "", "organization": "", "event_types": "洪涝灾害", "summary": "适用于本区洪涝灾害",
                "issued_on": "", "revision_years": "3"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "kind": "township"}, "乡镇（街道）应急预案的所属区划应为乡镇（街道）"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world, region=None):
        return {"name": "甲区防汛抗旱专项应急预案", "kind": "special", "region": (region or world.county1).pk,
                "revision_years": 3}

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "kind": "township"}, "乡镇（街道）应急预案的所属区划应为乡镇（街道）"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestPlanPages(PlanDeclarations, ScopedModelViewTests):
    def test_a_new_plan_gets_a_code_of_its_county_and_is_drafted(self, client, world):
        client.force_login(world.county1_officer)
        client.post(self.url("create"), self.valid_form_data(world))
        plan = Plan.objects.get()
        assert plan.code.startswith("YA390102") and plan.version == 1 and plan.status == "draft"

    def test_the_detail_page_shows_the_structure_by_level(self, client, world):
        plan = make_plan(world.county1)
        client.force_login(world.county1_officer)
        content = client.get(self.url("detail", plan.pk)).content.decode()
        assert "Ⅲ级响应" in content and "设置警戒区，疏散群众" in content and "甲区消防救援大队" in content

    def test_the_system_page_shows_only_plans_in_scope(self, client, world):
        filed_plan(world.county1, name="甲区突发事件总体应急预案", kind="general")
        filed_plan(world.county2, name="乙区突发事件总体应急预案", kind="general")
        client.force_login(world.county1_officer)
        content = client.get("/plans/system/").content.decode()
        assert "甲区突发事件总体应急预案" in content and "乙区突发事件总体应急预案" not in content


class TestPlanAPI(PlanDeclarations, ScopedModelAPITests):
    pass


class PartDeclarations:
    url_namespace = "plans"

    def valid_form_data(self, world, region=None):
        plan = make_plan(region or world.county1, name=f"{(region or world.county1).name}新预案", structure=False)
        return self.part_data(world, plan)

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world, region=None):
        return {k: v for k, v in self.valid_form_data(world, region).items()}

    def invalid_api_data(self, world):
        return self.invalid_form_data(world)

    def out_of_scope_api_data(self, world):
        return self.out_of_scope_form_data(world)


class PlanLevelDeclarations(PartDeclarations):
    model = PlanLevel
    api_url = "/api/plan-levels/"

    def make_in_scope(self, world):
        return make_plan(world.county1, name="甲区专项预案").levels.first()

    def make_out_of_scope(self, world):
        return make_plan(world.county2, name="乙区专项预案").levels.first()

    def part_data(self, world, plan):
        return {"plan": plan.pk, "level": "2", "condition": "造成10人以上死亡", "commander": "区长"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "condition": ""}, "该字段是必填项"

    def invalid_api_data(self, world):
        return {**self.valid_form_data(world), "condition": ""}, "该字段不能为空"


class TestPlanLevelPages(PlanLevelDeclarations, ScopedModelViewTests):
    def test_a_filed_plan_cannot_gain_a_level(self, client, world):
        plan = filed_plan(world.county1, name="甲区已备案预案")
        client.force_login(world.county1_officer)
        response = client.post(self.url("create"), self.part_data(world, plan))
        assert response.status_code == 400
        assert not plan.levels.filter(level="2").exists()


class TestPlanLevelAPI(PlanLevelDeclarations, ScopedModelAPITests):
    pass


class PlanOrganizationDeclarations(PartDeclarations):
    model = PlanOrganization
    api_url = "/api/plan-organizations/"

    def make_in_scope(self, world):
        return make_plan(world.county1, name="甲区专项预案").organizations.first()

    def make_out_of_scope(self, world):
        return make_plan(world.county2, name="乙区专项预案").organizations.first()

    def part_data(self, world, plan):
        return {"plan": plan.pk, "organization": organization(plan.region, f"{plan.region.name}卫健局").pk,
                "role": "member", "responsibilities": "负责医疗救治"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "responsibilities": ""}, "该字段是必填项"

    def invalid_api_data(self, world):
        return {**self.valid_form_data(world), "responsibilities": ""}, "该字段不能为空"


class TestPlanOrganizationPages(PlanOrganizationDeclarations, ScopedModelViewTests):
    pass


class TestPlanOrganizationAPI(PlanOrganizationDeclarations, ScopedModelAPITests):
    pass


class PlanTaskDeclarations(PartDeclarations):
    model = PlanTask
    api_url = "/api/plan-tasks/"

    def make_in_scope(self, world):
        return make_plan(world.county1, name="甲区专项预案").tasks.first()

    def make_out_of_scope(self, world):
        return make_plan(world.county2, name="乙区专项预案").tasks.first()

    def part_data(self, world, plan):
        member = services.plan_organization_create(actor=None, plan=plan, role="lead", responsibilities="牵头",
                                                   organization=organization(plan.region, "应急局"))
        return {"plan": plan.pk, "level": "4", "organization": member.organization_id,
                "task": "启动应急值守"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["organization"] = organization(world.county1, "未列入体系的单位").pk
        return data, "责任单位须先列入本预案的组织指挥体系"


class TestPlanTaskPages(PlanTaskDeclarations, ScopedModelViewTests):
    pass


class TestPlanTaskAPI(PlanTaskDeclarations, ScopedModelAPITests):
    pass


class PlanActivationDeclarations:
    model = PlanActivation
    url_namespace = "plans"
    api_url = "/api/plan-activations/"
    has_create = False
    has_edit = False
    writable = False

    def _activation(self, region, village, name):
        plan = filed_plan(region, name=name)
        incident = IncidentFactory(region=village, title=f"{name}事件")
        return services.plan_activate(plan=plan, incident=incident, level="4", actor=None)

    def make_in_scope(self, world):
        return self._activation(world.county1, world.village1, "甲区火灾预案")

    def make_out_of_scope(self, world):
        return self._activation(world.county2, world.village2, "乙区火灾预案")


class TestPlanActivationPages(PlanActivationDeclarations, ScopedModelViewTests):
    pass


class TestPlanActivationAPI(PlanActivationDeclarations, ScopedModelAPITests):
    pass
