"""Templates, checklists and the frequency matrix are read below their owner and written only by the owner's
jurisdiction: a county uses the city's, never changes them, and may keep its own."""

import datetime
import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yingji.core.services import organization_create
from yingji.core.testing import add_enterprise_user
from yingji.inspections import services
from yingji.inspections.forms import EvaluationForm, InspectionForm
from yingji.inspections.models import Checklist, EvaluationTemplate, FrequencyRule
from yingji.inspections.testing import CHECK_ITEMS, ELEMENTS, make_checklist, make_template, scores_for

pytestmark = pytest.mark.django_db

COUNTY_WRITERS = ["county1_officer", "county1_admin"]


@pytest.fixture
def city_bureau(world):
    """The city's 应急管理局: the top bureau of the test deployment, keeper of the frequency matrix."""
    return organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)


# -- checklists -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", COUNTY_WRITERS)
def test_a_county_reads_a_city_checklist_but_cannot_edit_it(client, world, username):
    checklist = make_checklist("machinery", region=world.city)
    edit_url = reverse("inspections:checklist_edit", args=[checklist.pk])
    client.force_login(getattr(world, username))
    detail = client.get(reverse("inspections:checklist_detail", args=[checklist.pk]))
    assert detail.status_code == 200 and checklist.name in detail.content.decode()
    assert edit_url not in detail.content.decode()
    assert client.get(edit_url).status_code == 404
    response = client.post(edit_url, {"category": "machinery", "name": "区里改过的检查表",
                                      "items": json.dumps(CHECK_ITEMS), "is_active": "on"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.checklist_update(checklist=checklist, actor=getattr(world, username), name="区里改过的检查表")
    checklist.refresh_from_db()
    assert checklist.name.startswith("测试检查表") and checklist.region == world.city


def test_the_city_edits_its_checklist_and_the_page_offers_it(client, world):
    checklist = make_checklist("machinery", region=world.city)
    edit_url = reverse("inspections:checklist_edit", args=[checklist.pk])
    client.force_login(world.city_admin)
    assert edit_url in client.get(reverse("inspections:checklist_detail", args=[checklist.pk])).content.decode()
    response = client.post(edit_url, {"category": "machinery", "name": "市机械检查表",
                                      "items": json.dumps(CHECK_ITEMS), "is_active": "on"})
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert checklist.name == "市机械检查表" and checklist.region == world.city


def test_a_county_inspection_uses_the_city_checklist_but_not_another_countys(world, firms, officers):
    city_list = make_checklist("hazchem_production", region=world.city)
    county2_list = make_checklist("hazchem_production", region=world.county2)
    officer = world.county1_officer
    choices = InspectionForm(user=officer).fields["checklist"].queryset
    assert city_list in choices and county2_list not in choices
    inspection = services.inspection_create(actor=officer, enterprise=firms["a"], kind="key",
                                            inspected_on=datetime.date(2026, 3, 2), inspectors=officers["county1"][:2],
                                            checklist=city_list)
    assert inspection.checklist == city_list
    with pytest.raises(ValidationError, match="不在您可使用的范围内"):
        services.inspection_create(actor=officer, enterprise=firms["a"], kind="key", inspected_on=datetime.date(2026, 3, 2),
                                   inspectors=officers["county1"][:2], checklist=county2_list)
    with pytest.raises(ValidationError, match="不在您可使用的范围内"):
        services.inspection_update(inspection=inspection, actor=officer, checklist=county2_list)


def test_a_county_keeps_its_own_checklist_which_the_city_sees_and_a_sibling_does_not(world):
    own = services.checklist_create(actor=world.county1_officer, category="machinery", name="甲区机械检查表",
                                    items=CHECK_ITEMS)
    assert own.region == world.county1
    assert Checklist.objects.restrict(world.city_admin, "view").filter(pk=own.pk).exists()
    assert Checklist.objects.restrict(world.city_admin, "change").filter(pk=own.pk).exists()
    assert not Checklist.objects.restrict(world.county2_officer, "view").filter(pk=own.pk).exists()
    # Naming a region above one's own is refused after the write, so nothing is kept.
    with pytest.raises(PermissionDenied):
        services.checklist_create(actor=world.county1_officer, region=world.city, category="machinery",
                                  name="冒充市局的检查表", items=CHECK_ITEMS)
    assert not Checklist.objects.filter(name="冒充市局的检查表").exists()


def test_an_enterprise_reads_the_checklists_above_it_and_keeps_none(world, firms):
    city_list = make_checklist(region=world.city)
    county2_list = make_checklist(region=world.county2)
    manager = add_enterprise_user(world, "firm_manager", firms["a"])
    manager.user_permissions.add(*_perms("add_checklist", "view_checklist"))
    manager = type(manager).objects.get(pk=manager.pk)
    visible = Checklist.objects.restrict(manager, "view")
    assert city_list in visible and county2_list not in visible
    assert not Checklist.objects.restrict(manager, "change").exists()
    with pytest.raises(PermissionDenied):
        services.checklist_create(actor=manager, category="machinery", name="企业自编检查表", items=CHECK_ITEMS)


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(codename__in=codenames))


# -- evaluation templates ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", COUNTY_WRITERS)
def test_a_county_reads_the_city_template_but_cannot_revise_it(client, world, username):
    template = make_template("市评价模板", region=world.city)
    edit_url = reverse("inspections:evaluationtemplate_edit", args=[template.pk])
    client.force_login(getattr(world, username))
    detail = client.get(reverse("inspections:evaluationtemplate_detail", args=[template.pk]))
    assert detail.status_code == 200 and "市评价模板" in detail.content.decode()
    assert edit_url not in detail.content.decode()
    assert client.get(edit_url).status_code == 404
    response = client.post(edit_url, {"name": "市评价模板", "elements": json.dumps(ELEMENTS), "good_from": "95",
                                      "fair_from": "60", "is_active": "on"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.evaluation_template_revise(template=template, actor=getattr(world, username),
                                            good_from=Decimal(95))
    assert list(EvaluationTemplate.objects.values_list("version", "good_from", "is_active")) == [
        (1, Decimal(85), True)]


def test_a_county_evaluates_with_the_city_template(world, firms):
    template = make_template("市评价模板", region=world.city)
    officer = world.county1_officer
    assert template in EvaluationForm(user=officer).fields["template"].queryset
    evaluation = services.evaluation_create(actor=officer, enterprise=firms["a"], year=2026, template=template,
                                            scores=scores_for(90), evaluated_on="2026-03-01", evaluator="评价组")
    assert evaluation.template == template and evaluation.result == "good"
    theirs = make_template("乙区评价模板", region=world.county2)
    assert theirs not in EvaluationForm(user=officer).fields["template"].queryset
    with pytest.raises(ValidationError, match="不在您可使用的范围内"):
        services.evaluation_create(actor=officer, enterprise=firms["b"], year=2026, template=theirs,
                                   scores=scores_for(90), evaluated_on="2026-03-01", evaluator="评价组")


def test_versions_are_counted_per_owner(world):
    city = make_template("全要素评价表", region=world.city)
    revised = services.evaluation_template_revise(template=city, actor=world.city_admin, good_from=Decimal(90))
    assert (revised.region, revised.version) == (world.city, 2)
    own = services.evaluation_template_create(actor=world.county1_officer, name="全要素评价表", elements=ELEMENTS)
    assert (own.region, own.version, own.is_active) == (world.county1, 1, True)
    revised.refresh_from_db()
    assert revised.is_active  # the county's own version does not retire the city's
    assert EvaluationTemplate.objects.get(pk=city.pk).is_active is False


# -- the frequency matrix ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", COUNTY_WRITERS)
def test_a_county_reads_the_citys_frequency_matrix_without_a_form(client, world, city_bureau, username):
    services.frequency_set(actor=None, matrix={("A", "poor"): 5})
    rule = FrequencyRule.objects.get()
    assert rule.region == world.city
    user = getattr(world, username)
    client.force_login(user)
    page = client.get(reverse("inspections:frequency"))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="frequency-matrix"' in body and "由测试市统一设定" in body
    assert 'class="edit-form"' not in body and 'name="A_poor"' not in body
    data = {f"{c}_{r}": "9" for c in "AB" for r in ("good", "fair", "poor")}
    assert client.post(reverse("inspections:frequency"), data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.frequency_set(actor=user, matrix={("A", "poor"): 9})
    assert not FrequencyRule.objects.restrict(user, "change").exists()
    assert list(FrequencyRule.objects.values_list("per_year", flat=True)) == [5]
    assert services.frequency_matrix()[("A", "poor")] == 5


def test_the_city_sets_the_matrix_from_its_page(client, world, city_bureau):
    client.force_login(world.city_admin)
    page = client.get(reverse("inspections:frequency")).content.decode()
    assert 'class="edit-form"' in page and 'name="A_poor"' in page
    data = {f"{c}_{r}": "3" for c in "AB" for r in ("good", "fair", "poor")}
    assert client.post(reverse("inspections:frequency"), data).status_code == 302
    assert set(FrequencyRule.objects.values_list("region_id", "per_year")) == {(world.city.pk, 3)}


def test_without_a_city_bureau_the_top_region_keeps_the_matrix(client, world):
    """No bureau organisation: the top-most region (the province here) owns it, so the city only reads it."""
    assert services.frequency_owner() == world.regions["390000000000"]
    assert not services.can_set_frequency(world.city_admin)
    client.force_login(world.city_admin)
    assert 'class="edit-form"' not in client.get(reverse("inspections:frequency")).content.decode()


# -- the migration's choice of owner for existing rows ------------------------------------------------------------

def test_existing_rows_go_to_the_highest_bureau(world):
    migration = importlib.import_module("yingji.inspections.migrations.0003_catalogue_owner_data")
    assert migration.top_bureau_code(apps) == "390000000000"  # no bureau yet: the top-most region
    organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)
    assert migration.top_bureau_code(apps) == world.county1.pk
    organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    assert migration.top_bureau_code(apps) == world.city.pk
