"""Major hazard sources: identification and grading kept current by the services, pages, API, jurisdiction."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import services
from yingji.monitoring.models import HazardGradeChange, HazardSourceChemical, MajorHazardSource
from yingji.monitoring.testing import make_source

pytestmark = pytest.mark.django_db


# -- services --------------------------------------------------------------------------------------

def test_adding_chemicals_identifies_and_grades_the_unit(world):
    source = make_source(world.village1, exposed_population=120)
    assert (source.is_major, source.grade) == (False, None)
    # 液氯 (T1-12: Q 5, β 4) 20 t and 液氨 (T1-01: Q 10, β 2) 30 t, α 2 (≥100 people):
    # S = 4 + 3 = 7 -> major; R = 2 × (16 + 6) = 44 -> 三级.
    services.hazard_chemical_set(source=source, actor=world.county1_admin, chemical="T1-12", quantity="20")
    services.hazard_chemical_set(source=source, actor=world.county1_admin, chemical="T1-01", quantity="30")
    source.refresh_from_db()
    assert source.s_value == Decimal("7")
    assert source.r_value == Decimal("44")
    assert source.alpha == Decimal("2")
    assert (source.is_major, source.grade) == (True, 3)


def test_a_population_change_regrades_and_the_grade_history_is_kept(world):
    source = make_source(world.village1, chemicals=[("T1-12", "62.5")], exposed_population=100)
    # R = 2 × 4 × 62.5/5 = 100 -> exactly 一级.
    assert source.grade == 1
    services.hazard_source_update(source=source, actor=world.county1_admin, exposed_population=60)
    source.refresh_from_db()
    # α 1.5: R = 1.5 × 50 = 75 -> 二级.
    assert (source.r_value, source.grade) == (Decimal("75"), 2)
    changes = list(HazardGradeChange.objects.filter(source=source).values_list("from_grade", "to_grade"))
    assert changes == [(None, 1), (1, 2)]
    assert HazardGradeChange.objects.filter(source=source).last().actor == world.county1_admin


def test_changing_a_quantity_below_the_threshold_removes_the_grade(world):
    source = make_source(world.village1, chemicals=[("T1-12", "5")])
    assert source.is_major
    services.hazard_chemical_set(source=source, actor=world.county1_admin, chemical="T1-12", quantity="4.9999")
    source.refresh_from_db()
    assert (source.is_major, source.grade) == (False, None)
    assert HazardSourceChemical.objects.get(source=source).quantity == Decimal("4.9999")


def test_removing_a_chemical_regrades(world):
    source = make_source(world.village1, chemicals=[("T1-12", "10"), ("T1-65", "100")])
    row = HazardSourceChemical.objects.get(source=source, chemical="T1-12")
    services.hazard_chemical_remove(row=row, actor=world.county1_admin)
    source.refresh_from_db()
    assert source.s_value == Decimal("0.2")
    assert not source.is_major


def test_a_bad_quantity_or_chemical_is_refused_in_chinese(world):
    source = make_source(world.village1)
    with pytest.raises(ValidationError, match="不小于0"):
        services.hazard_chemical_set(source=source, actor=world.county1_admin, chemical="T1-12", quantity="-1")
    with pytest.raises(ValidationError, match="未知的危险化学品"):
        services.hazard_chemical_set(source=source, actor=world.county1_admin, chemical="X9", quantity="1")
    assert not HazardSourceChemical.objects.exists()


def test_an_officer_of_another_county_cannot_change_the_quantities(world):
    source = make_source(world.village1)
    with pytest.raises(PermissionDenied):
        services.hazard_chemical_set(source=source, actor=world.county2_admin, chemical="T1-12", quantity="10")
    assert not HazardSourceChemical.objects.exists()


def test_the_enterprise_keeps_its_own_quantities_but_cannot_register_sources(world):
    source = make_source(world.village1)
    manager = add_enterprise_user(world, "manager", source.enterprise)
    services.hazard_chemical_set(source=source, actor=manager, chemical="T1-12", quantity="6")
    source.refresh_from_db()
    assert source.is_major
    with pytest.raises(PermissionDenied):
        services.hazard_source_create(actor=manager, enterprise=source.enterprise, code="HS-NEW", name="新单元",
                                      unit_kind="storage", exposed_population=0)


def test_the_enterprise_of_a_source_cannot_change(world):
    source = make_source(world.village1)
    other = EnterpriseFactory(region=world.village1)
    with pytest.raises(ValidationError, match="不能变更"):
        services.hazard_source_update(source=source, actor=world.county1_admin, enterprise=other)


# -- pages and API ---------------------------------------------------------------------------------

class SourceDeclarations:
    model = MajorHazardSource
    url_namespace = "monitoring"
    api_url = "/api/monitoring/sources/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return make_source(world.village1, name="甲区液氯储罐区")

    def make_out_of_scope(self, world):
        return make_source(world.village2, name="乙区液氨储罐区")

    def valid_form_data(self, world, region=None):
        enterprise = EnterpriseFactory(region=region or world.village1)
        return {"enterprise": enterprise.pk, "code": "hs-2026-01", "name": "新建罐区", "unit_kind": "storage",
                "exposed_population": "35"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["code"] = "编号 有空格"
        return data, "编号只能包含"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestSourcePages(SourceDeclarations, ScopedModelViewTests):
    def test_detail_shows_chemicals_s_r_and_grade(self, client, world):
        source = make_source(world.village1, chemicals=[("T1-12", "20")])
        client.force_login(world.county1_admin)
        content = client.get(self.url("detail", source.pk)).content.decode()
        assert "氯" in content and "三级重大危险源" in content and "等级变更记录" in content

    def test_setting_a_chemical_on_the_page_regrades(self, client, world):
        source = make_source(world.village1)
        client.force_login(world.county1_admin)
        response = client.post(f"/monitoring/sources/{source.pk}/chemicals/", {"chemical": "T1-06", "quantity": "1"})
        assert response.status_code == 302
        source.refresh_from_db()
        # 光气 Q 0.3, β 20; 120 people α 2: R = 2 × 20 × 1/0.3 = 133.33 -> 一级.
        assert source.grade == 1

    def test_a_viewer_cannot_set_chemicals(self, client, world):
        source = make_source(world.village1)
        client.force_login(world.county1_officer)
        response = client.post(f"/monitoring/sources/{source.pk}/chemicals/", {"chemical": "T1-06", "quantity": "1"})
        assert response.status_code == 404
        assert not HazardSourceChemical.objects.exists()

    def test_grade_filter(self, client, world):
        make_source(world.village1, name="一级罐区", chemicals=[("T1-06", "1")])
        make_source(world.village1, name="非重大罐区")
        client.force_login(world.county1_admin)
        content = client.get(self.url("list") + "?grade=1").content.decode()
        assert "一级罐区" in content and "非重大罐区" not in content


class TestSourceAPI(SourceDeclarations, ScopedModelAPITests):
    def test_setting_a_chemical_over_the_api_returns_the_new_grade(self, world):
        source = make_source(world.village1)
        response = self.api(world, "county1_admin").post(f"{self.api_url}{source.pk}/chemicals/",
                                                         {"chemical": "T1-12", "quantity": "20"}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["is_major"], body["grade"], body["grade_display"]) == (True, 3, "三级")
        assert body["chemicals"][0]["name"] == "氯"

    def test_setting_an_unknown_chemical_is_400(self, world):
        source = make_source(world.village1)
        response = self.api(world, "county1_admin").post(f"{self.api_url}{source.pk}/chemicals/",
                                                         {"chemical": "T1-99", "quantity": "20"}, format="json")
        assert response.status_code == 400
