import datetime
from decimal import Decimal

import pytest

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.models import RiskPoint
from yingji.risks.specs import RISK_POINT
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db


def enterprises(world):
    if not hasattr(world, "_risk_enterprises"):
        world._risk_enterprises = (
            EnterpriseFactory(region=world.village1, name="甲区液氨化工有限公司"),
            EnterpriseFactory(region=world.village2, name="乙区油品储运有限公司"),
        )
    return world._risk_enterprises


class RiskPointDeclarations:
    spec = RISK_POINT
    api_url = "/api/risk-points/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return RiskPointFactory(enterprise=enterprises(world)[0], name="液氨储罐区")

    def make_out_of_scope(self, world):
        return RiskPointFactory(enterprise=enterprises(world)[1], name="汽油装卸台")

    def valid_form_data(self, world, enterprise=None):
        return {
            "enterprise": (enterprise or enterprises(world)[0]).pk, "name": "有限空间作业", "place": "污水处理池",
            "kind": "activity", "method": "lec", "lec_l": "3.0", "lec_e": "3.0", "lec_c": "40.0",
            "matrix_l": "", "matrix_s": "", "measure_engineering": "", "measure_management": "作业审批，先通风再检测后作业",
            "measure_training": "", "measure_protection": "佩戴正压式空气呼吸器", "measure_emergency": "",
            "control_level": "company", "responsible_person": "赵工", "responsible_phone": "13800000009",
            "next_review": "2027-03-31", "longitude": "", "latitude": "",
        }

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "lec_c": ""}, "采用LEC法时须选择L、E、C三项取值"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, enterprise=enterprises(world)[1])

    def valid_api_data(self, world, enterprise=None):
        data = self.valid_form_data(world, enterprise)
        data.update(lec_l=3, lec_e=3, lec_c=40, matrix_l=None, matrix_s=None, longitude=None, latitude=None)
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "lec_c": 41}, "C应为表中取值之一"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, enterprise=enterprises(world)[1])


class TestRiskPointPages(RiskPointDeclarations, ScopedModelViewTests):
    def test_the_grade_is_computed_and_shown_after_save(self, client, world):
        client.force_login(world.county1_admin)
        response = client.post(self.url("create"), self.valid_form_data(world))
        assert response.status_code == 302
        point = RiskPoint.objects.get(name="有限空间作业")
        assert (point.risk_value, point.level, point.region) == (Decimal("360.00"), "major", world.village1)
        content = client.get(response["Location"]).content.decode()
        assert "重大风险（红）" in content and "L=3，E=3，C=40" in content

    def test_a_submitted_level_is_ignored(self, client, world):
        client.force_login(world.county1_admin)
        client.post(self.url("create"), {**self.valid_form_data(world), "level": "low", "risk_value": "1"})
        assert RiskPoint.objects.get().level == "major"

    def test_editing_the_inputs_grades_it_again(self, client, world):
        point = self.make_in_scope(world)
        assert point.level == "general"  # 3 × 6 × 7 = 126
        client.force_login(world.county1_admin)
        data = {**self.valid_form_data(world), "name": point.name, "method": "matrix", "lec_l": "", "lec_e": "",
                "lec_c": "", "matrix_l": "4", "matrix_s": "4"}
        assert client.post(self.url("edit", point.pk), data).status_code == 302
        point.refresh_from_db()
        assert (point.level, point.risk_value, point.lec_l) == ("larger", Decimal("16.00"), None)

    def test_the_form_offers_the_table_descriptions(self, client, world):
        client.force_login(world.county1_admin)
        content = client.get(self.url("create")).content.decode()
        assert "0.1 — 实际不可能" in content and "100 — 大灾难，许多人死亡" in content

    def test_a_measure_is_required(self, client, world):
        client.force_login(world.county1_admin)
        data = {**self.valid_form_data(world), "measure_management": "", "measure_protection": ""}
        response = client.post(self.url("create"), data)
        assert response.status_code == 400 and "至少填写一类管控措施" in response.content.decode()

    def test_the_same_name_twice_in_one_enterprise_is_refused(self, client, world):
        point = self.make_in_scope(world)
        client.force_login(world.county1_admin)
        response = client.post(self.url("create"), {**self.valid_form_data(world), "name": point.name})
        assert response.status_code == 400
        assert "该企业已有同名风险点" in response.content.decode()
        assert RiskPoint.objects.count() == 1

    def test_enterprise_user_sees_and_keeps_only_its_own(self, client, world):
        mine = self.make_in_scope(world)
        neighbour = EnterpriseFactory(region=world.village1, name="邻居机械有限公司")
        theirs = RiskPointFactory(enterprise=neighbour, name="邻居的冲压机")
        manager = add_enterprise_user(world, "manager", mine.enterprise)
        client.force_login(manager)
        content = client.get(self.url("list")).content.decode()
        assert mine.name in content and theirs.name not in content
        assert client.get(self.url("detail", theirs.pk)).status_code == 404
        assert client.get(self.url("edit", theirs.pk)).status_code == 404
        response = client.post(self.url("create"), self.valid_form_data(world, enterprise=neighbour))
        assert response.status_code == 400 and not RiskPoint.objects.filter(name="有限空间作业").exists()
        response = client.post(self.url("create"), self.valid_form_data(world))
        assert response.status_code == 302
        assert RiskPoint.objects.get(name="有限空间作业").history.latest().history_user == manager

    def test_a_supervisor_may_look_but_not_keep(self, client, world):
        point = self.make_in_scope(world)
        client.force_login(world.county1_officer)
        assert client.get(self.url("detail", point.pk)).status_code == 200
        assert client.get(self.url("create")).status_code == 403
        assert client.get(self.url("edit", point.pk)).status_code == 403

    def test_filters_narrow_the_list(self, client, world):
        self.make_in_scope(world)
        RiskPointFactory(enterprise=enterprises(world)[0], name="配电室", method="matrix", matrix_l=2, matrix_s=2,
                         next_review=datetime.date(2020, 1, 1))
        client.force_login(world.city_admin)
        content = client.get(self.url("list") + "?level=low").content.decode()
        assert "配电室" in content and "液氨储罐区" not in content
        content = client.get(self.url("list") + "?review_overdue=true").content.decode()
        assert "配电室" in content and "液氨储罐区" not in content
        content = client.get(self.url("list") + f"?region={world.county2.pk}").content.decode()
        assert "配电室" not in content
        content = client.get(self.url("list") + "?q=储罐").content.decode()
        assert "液氨储罐区" in content and "配电室" not in content


class TestRiskPointAPI(RiskPointDeclarations, ScopedModelAPITests):
    def test_the_level_is_read_only_and_computed(self, world):
        client = self.api(world, "county1_admin")
        response = client.post(self.api_url, {**self.valid_api_data(world), "level": "low", "risk_value": 1},
                               format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["level"], body["risk_value"], body["level_display"]) == ("major", 360.0, "重大风险")
        point = RiskPoint.objects.get(pk=body["id"])
        response = client.patch(f"{self.api_url}{point.pk}/", {"lec_l": 1}, format="json")
        assert response.status_code == 200
        assert (response.json()["level"], response.json()["risk_value"]) == ("general", 120.0)

    def test_matrix_factors_outside_1_to_5_are_refused(self, world):
        data = {**self.valid_api_data(world), "method": "matrix", "matrix_l": 6, "matrix_s": 2}
        response = self.api(world, "county1_admin").post(self.api_url, data, format="json")
        assert response.status_code == 400 and "matrix_l" in response.json()


def test_the_list_runs_the_same_queries_for_more_rows(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    firm = EnterpriseFactory(region=world.village1)
    client.force_login(world.city_admin)
    RiskPointFactory(enterprise=firm)
    with CaptureQueriesContext(connection) as one:
        client.get("/risks/")
    for _n in range(5):
        RiskPointFactory(enterprise=firm)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/risks/").status_code == 200


def test_a_point_far_from_the_enterprise_site_is_refused(world):
    from django.core.exceptions import ValidationError

    firm = EnterpriseFactory(region=world.village1, longitude=118.5, latitude=36.4)
    RiskPointFactory(enterprise=firm, name="厂内", longitude=118.51, latitude=36.41)  # about 1.4 km away
    with pytest.raises(ValidationError, match="风险点应位于企业厂区内"):
        RiskPointFactory(enterprise=firm, name="厂外", longitude=118.6, latitude=36.4)  # about 9 km away
