"""Every list, detail, edit, export and API endpoint of the enforcement records, inside and outside jurisdiction."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.inspections import services
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    Checklist,
    Draw,
    Evaluation,
    EvaluationTemplate,
    Inspection,
    Inspector,
)
from yingji.inspections.testing import (
    CHECK_ITEMS,
    ELEMENTS,
    make_inspection,
    make_inspector,
    make_plan,
    make_template,
    scores_for,
)

pytestmark = pytest.mark.django_db


def _inspection(world, village, name):
    enterprise = EnterpriseFactory(region=village, name=name)
    county = world.county1 if village == world.village1 else world.county2
    return make_inspection(enterprise, [make_inspector(county), make_inspector(county)])


class InspectionDeclarations:
    model = Inspection
    url_namespace = "inspections"
    api_url = "/api/inspections/"
    writable = False

    def make_in_scope(self, world):
        return _inspection(world, world.village1, "甲区受检企业")

    def make_out_of_scope(self, world):
        return _inspection(world, world.village2, "乙区受检企业")

    def valid_form_data(self, world, village=None):
        village = village or world.village1
        county = world.county1 if village == world.village1 else world.county2
        enterprise = EnterpriseFactory(region=village)
        officers = [make_inspector(county), make_inspector(county)]
        return {"enterprise": enterprise.pk, "kind": "random", "inspected_on": timezone.localdate().isoformat(),
                "inspectors": [o.pk for o in officers], "place": "生产车间", "conclusion": "基本符合要求"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["inspectors"] = data["inspectors"][:1]
        return data, "两名以上执法人员"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, village=world.village2)


class TestInspectionPages(InspectionDeclarations, ScopedModelViewTests):
    pass


class TestInspectionAPI(InspectionDeclarations, ScopedModelAPITests):
    pass


class EvaluationDeclarations:
    model = Evaluation
    url_namespace = "inspections"
    api_url = "/api/evaluations/"
    writable = False

    def _make(self, village, name, total=90):
        enterprise = EnterpriseFactory(region=village, name=name)
        return services.evaluation_create(actor=None, enterprise=enterprise, year=2026, template=make_template(),
                                          scores=scores_for(total), evaluated_on=timezone.localdate(),
                                          evaluator="评价组")

    def make_in_scope(self, world):
        return self._make(world.village1, "甲区评价企业")

    def make_out_of_scope(self, world):
        return self._make(world.village2, "乙区评价企业")

    def valid_form_data(self, world, village=None):
        template = make_template()
        enterprise = EnterpriseFactory(region=village or world.village1)
        return {"enterprise": enterprise.pk, "year": "2026", "template": template.pk,
                "evaluated_on": timezone.localdate().isoformat(), "evaluator": "评价组",
                **{f"score_{code}": value for code, value in scores_for(70).items()}}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "score_1.1": "31"}, "确保该值小于或等于30"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, village=world.village2)


class TestEvaluationPages(EvaluationDeclarations, ScopedModelViewTests):
    pass


class TestEvaluationAPI(EvaluationDeclarations, ScopedModelAPITests):
    pass


class PlanDeclarations:
    model = AnnualPlan
    url_namespace = "inspections"

    def make_in_scope(self, world):
        return make_plan(world.county1)

    def make_out_of_scope(self, world):
        return make_plan(world.county2)

    def valid_form_data(self, world, region=None):
        return {"region": (region or world.county1).pk, "year": "2027", "title": "2027年度执法检查计划",
                **{f"{k}_q{q}": "2" for k in ("key", "random") for q in range(1, 5)}}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "key_q1": "-1"}, "确保该值大于或等于0"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestPlanPages(PlanDeclarations, ScopedModelViewTests):
    pass


class InspectorDeclarations:
    model = Inspector
    url_namespace = "inspections"

    def make_in_scope(self, world):
        return make_inspector(world.county1, name="甲区执法员张")

    def make_out_of_scope(self, world):
        return make_inspector(world.county2, name="乙区执法员李")

    def valid_form_data(self, world, region=None):
        return {"name": "新执法员", "certificate_no": "ZF99990001", "region": (region or world.county1).pk,
                "organization": "甲区应急管理局", "is_active": "on"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "certificate_no": ""}, "该字段是必填项"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestInspectorPages(InspectorDeclarations, ScopedModelViewTests):
    pass


def _case(world, village, name):
    inspection = _inspection(world, village, name)
    return services.case_open(actor=None, inspection=inspection, title=f"{name}未落实安全生产责任制案", facts="经查属实")


class CaseDeclarations:
    model = Case
    url_namespace = "inspections"
    api_url = "/api/enforcement-cases/"
    has_create = False
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        return _case(world, world.village1, "甲区立案企业")

    def make_out_of_scope(self, world):
        return _case(world, world.village2, "乙区立案企业")


class TestCasePages(CaseDeclarations, ScopedModelViewTests):
    pass


class TestCaseAPI(CaseDeclarations, ScopedModelAPITests):
    pass


def _draw(world, county, village, name):
    EnterpriseFactory(region=village, name=name)
    make_inspector(county), make_inspector(county)
    return services.draw_inspection(actor=None, region=county, title=f"{county.name}抽查", count=1, seed="7")


class DrawDeclarations:
    model = Draw
    url_namespace = "inspections"
    api_url = "/api/draws/"
    has_create = False
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        return _draw(world, world.county1, world.village1, "甲区抽取企业")

    def make_out_of_scope(self, world):
        return _draw(world, world.county2, world.village2, "乙区抽取企业")


class TestDrawPages(DrawDeclarations, ScopedModelViewTests):
    pass


class TestDrawAPI(DrawDeclarations, ScopedModelAPITests):
    pass


def test_enterprise_user_sees_only_its_own_inspections_and_cases(client, world, firms, officers):
    mine = make_inspection(firms["a"], officers["county1"][:2])
    theirs = make_inspection(firms["b"], officers["county1"][2:])
    services.case_open(actor=None, inspection=mine, title="本企业案件", facts="事实")
    services.case_open(actor=None, inspection=theirs, title="他企业案件", facts="事实")
    client.force_login(add_enterprise_user(world, "firm_a", firms["a"]))
    body = client.get(reverse("inspections:inspection_list")).content.decode()
    assert mine.code in body and theirs.code not in body
    body = client.get(reverse("inspections:case_list")).content.decode()
    assert "本企业案件" in body and "他企业案件" not in body
    assert client.get(reverse("inspections:inspection_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("inspections:inspection_create")).status_code == 403


def test_other_county_cannot_act_on_records_through_the_action_views(client, world, firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    case = services.case_open(actor=None, inspection=inspection, title="案件", facts="事实")
    plan = make_plan(world.county1)
    client.force_login(world.county2_officer)
    assert client.post(reverse("inspections:inspection_finding", args=[inspection.pk]),
                       {"description": "x", "place": "y", "hazard_category": "fire",
                        "hazard_level": "general"}).status_code == 404
    assert client.post(reverse("inspections:case_transition", args=[case.pk]),
                       {"action": "investigate"}).status_code == 404
    assert client.post(reverse("inspections:annualplan_transition", args=[plan.pk]),
                       {"action": "submit"}).status_code == 404
    assert client.get(reverse("inspections:inspection_document", args=[inspection.pk, "record"])).status_code == 404
    assert inspection.findings.count() == 0
    case.refresh_from_db()
    assert case.status == "filed"


def test_templates_and_checklists_are_kept_by_the_officers_own_bureau(client, world):
    import json

    client.force_login(world.county1_officer)
    response = client.post(reverse("inspections:evaluationtemplate_create"), {
        "name": "区评价表", "elements": json.dumps(ELEMENTS), "good_from": "85", "fair_from": "60", "is_active": "on"})
    template = EvaluationTemplate.objects.get()
    assert response.status_code == 302 and template.version == 1 and template.region == world.county1
    response = client.post(reverse("inspections:evaluationtemplate_edit", args=[template.pk]), {
        "name": "区评价表", "elements": json.dumps(ELEMENTS), "good_from": "90", "fair_from": "60", "is_active": "on"})
    newer = EvaluationTemplate.objects.get(version=2)
    assert response["Location"] == reverse("inspections:evaluationtemplate_detail", args=[newer.pk])
    assert newer.region == world.county1
    bad = client.post(reverse("inspections:evaluationtemplate_create"), {
        "name": "坏表", "elements": "不是JSON", "good_from": "85", "fair_from": "60"})
    assert bad.status_code == 400 and "请输入有效的 JSON" in bad.content.decode()
    response = client.post(reverse("inspections:checklist_create"), {
        "category": "machinery", "name": "机械检查表", "items": json.dumps(CHECK_ITEMS), "is_active": "on"})
    checklist = Checklist.objects.get()
    assert response.status_code == 302 and checklist.name == "机械检查表" and checklist.region == world.county1
    client.force_login(world.city_admin)
    assert "区评价表" in client.get(reverse("inspections:evaluationtemplate_list")).content.decode()
    assert "机械检查表" in client.get(reverse("inspections:checklist_list")).content.decode()
    client.force_login(world.county2_officer)
    assert "区评价表" not in client.get(reverse("inspections:evaluationtemplate_list")).content.decode()
    assert client.get(reverse("inspections:checklist_detail", args=[checklist.pk])).status_code == 404
    client.force_login(world.county1_leader)
    assert client.get(reverse("inspections:checklist_create")).status_code == 403


def test_the_api_re_runs_a_draw_from_its_record(world):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    draw = _draw(world, world.county1, world.village1, "甲区抽取企业")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.county1_officer).key}")
    body = client.get(f"/api/draws/{draw.pk}/rerun/").json()
    assert body["same"] is True and body["result"] == draw.result
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.county2_officer).key}")
    assert client.get(f"/api/draws/{draw.pk}/rerun/").status_code == 404
