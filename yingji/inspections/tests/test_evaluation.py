"""Full-element evaluation: scores → 好/中/差 at exact boundaries, 差 → 警示约谈, versioned templates, the matrix."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yingji.core.services import organization_create
from yingji.inspections import services
from yingji.inspections.models import EvaluationTemplate, FrequencyRule, WarningInterview
from yingji.inspections.testing import ELEMENTS, make_template, scores_for

pytestmark = pytest.mark.django_db


def _evaluate(firm, total, year=2026, template=None):
    return services.evaluation_create(actor=None, enterprise=firm, year=year, template=template or make_template(),
                                      scores=scores_for(total), evaluated_on="2026-03-01", evaluator="评价组")


@pytest.mark.parametrize(("total", "result"), [(100, "good"), (85, "good"), (84, "fair"), (60, "fair"),
                                               (59, "poor"), (0, "poor")])
def test_score_maps_to_good_fair_poor_with_boundaries_to_the_better_grade(world, firms, total, result):
    evaluation = _evaluate(firms["a"], total)
    assert evaluation.total_score == Decimal(total)
    assert evaluation.result == result


def test_a_poor_result_lists_the_enterprise_for_a_warning_interview(world, firms):
    poor = _evaluate(firms["a"], 40)
    _evaluate(firms["b"], 90)
    interview = WarningInterview.objects.get()
    assert interview.evaluation == poor and interview.status == "pending"


def test_the_interview_record_is_required_and_kept(world, firms):
    _evaluate(firms["a"], 40)
    interview = WarningInterview.objects.get()
    with pytest.raises(ValidationError, match="约谈记录"):
        services.interview_hold(interview=interview, actor=world.county1_officer, held_on=None, record="")
    held = services.interview_hold(interview=interview, actor=world.county1_officer, held_on="2026-04-01",
                                   record="约谈企业主要负责人，指出问题六项", attendees="李四")
    assert held.status == "held" and "六项" in held.record
    assert held.history.latest().history_user == world.county1_officer


def test_the_interview_is_held_from_its_page_with_its_record(client, world, firms):
    _evaluate(firms["a"], 40)
    interview = WarningInterview.objects.get()
    client.force_login(world.county1_officer)
    page = client.get(reverse("inspections:warninginterview_detail", args=[interview.pk])).content.decode()
    url = reverse("inspections:warninginterview_transition", args=[interview.pk])
    assert f'action="{url}"' in page and 'name="record"' in page and 'name="held_on"' in page
    client.post(url, {"action": "hold", "held_on": "2026-04-01"})
    assert WarningInterview.objects.get().status == "pending"
    client.post(url, {"action": "hold", "held_on": "2026-04-01", "record": "约谈企业主要负责人", "attendees": "李四"})
    held = WarningInterview.objects.get()
    assert held.status == "held" and held.record == "约谈企业主要负责人" and held.attendees == "李四"
    client.force_login(world.county2_officer)
    assert client.post(url, {"action": "hold", "held_on": "2026-04-01", "record": "x"}).status_code == 404


def test_scores_outside_the_template_are_refused_in_chinese(world, firms):
    template = make_template()
    with pytest.raises(ValidationError, match="应在0到30之间"):
        services.evaluation_create(actor=None, enterprise=firms["a"], year=2026, template=template,
                                   scores={**scores_for(50), "1.1": "31"}, evaluated_on="2026-03-01", evaluator="组")
    with pytest.raises(ValidationError, match="未打分"):
        services.evaluation_create(actor=None, enterprise=firms["a"], year=2026, template=template,
                                   scores={"1.1": "10"}, evaluated_on="2026-03-01", evaluator="组")


def test_one_evaluation_per_enterprise_and_year(world, firms):
    _evaluate(firms["a"], 90)
    with pytest.raises(ValidationError, match="本年度已有评价"):
        _evaluate(firms["a"], 80)


def test_editing_a_template_makes_a_new_version_and_old_evaluations_keep_theirs(world, firms):
    first = make_template("版本模板", region=world.county1)
    evaluation = _evaluate(firms["a"], 70, template=first)
    second = services.evaluation_template_revise(template=first, actor=world.county1_officer, fair_from=Decimal(75))
    first.refresh_from_db()
    assert (second.version, second.is_active, first.is_active) == (2, True, False)
    evaluation.refresh_from_db()
    assert evaluation.template == first and evaluation.result == "fair"
    assert second.grade(Decimal(70)) == "poor"


def test_a_template_needs_unique_item_codes_and_positive_scores(world):
    bad = [{"name": "要素", "items": [{"code": "1", "name": "甲", "max_score": 10},
                                    {"code": "1", "name": "乙", "max_score": 10}]}]
    with pytest.raises(ValidationError, match="唯一编号"):
        services.evaluation_template_create(actor=None, name="坏模板", elements=bad)
    assert not EvaluationTemplate.objects.filter(name="坏模板").exists()
    assert make_template().max_total == sum(i["max_score"] for e in ELEMENTS for i in e["items"])


def test_the_frequency_matrix_page_saves_and_refuses_bad_numbers(client, world):
    organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    client.force_login(world.city_admin)
    data = {f"{c}_{r}": "2" for c in "AB" for r in ("good", "fair", "poor")}
    assert client.post(reverse("inspections:frequency"), {**data, "A_poor": "-1"}).status_code == 400
    assert not FrequencyRule.objects.exists()
    assert client.post(reverse("inspections:frequency"), {**data, "A_poor": "6"}).status_code == 302
    assert services.frequency_matrix()[("A", "poor")] == 6
    assert set(FrequencyRule.objects.values_list("region_id", flat=True)) == {world.city.pk}
    client.force_login(world.county1_leader)
    assert client.get(reverse("inspections:frequency")).status_code == 200
    assert client.post(reverse("inspections:frequency"), data).status_code == 403


def test_the_evaluation_form_scores_by_the_chosen_template(client, world, firms):
    template = make_template()
    client.force_login(world.county1_officer)
    body = client.get(reverse("inspections:evaluation_create") + f"?template={template.pk}").content.decode()
    assert "安全生产责任制（满分30）" in body
