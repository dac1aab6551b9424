"""Draw records: stored, re-run from the record alone, avoidance from the directories, re-draws with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yingji.enterprises.testing import EnterpriseFactory
from yingji.inspections import drawing, selectors, services
from yingji.inspections.models import Draw, Inspector
from yingji.inspections.testing import make_inspection, make_inspector, make_plan, make_template, scores_for
from yingji.resources.testing import ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(world, officers):
    firms = [EnterpriseFactory(region=world.village1, name=f"甲区企业{n:02d}") for n in range(12)]
    EnterpriseFactory(region=world.village2, name="乙区企业")
    return firms


def _draw(world, actor=None, seed="20261123", count=5, **extra):
    return services.draw_inspection(actor=actor, region=world.county1, title="一季度抽查", count=count, seed=seed,
                                    **extra)


def test_a_draw_re_run_from_its_record_gives_the_same_result(world, directory):
    draw = _draw(world, actor=world.county1_officer)
    stored = Draw.objects.get(pk=draw.pk)
    check = selectors.draw_rerun(stored)
    assert check["same"] and check["inputs_intact"]
    assert check["result"] == stored.result
    assert stored.algorithm_version == drawing.ALGORITHM_VERSION
    assert stored.inputs["params"]["count"] == 5
    assert len(stored.target_ids) == 5


def test_a_tampered_record_does_not_verify(world, directory):
    draw = _draw(world)
    draw.result = {**draw.result, "targets": list(reversed(draw.result["targets"]))}
    assert not selectors.draw_rerun(draw)["same"]
    draw = Draw.objects.get(pk=draw.pk)
    draw.inputs["count"] = 4
    check = selectors.draw_rerun(draw)
    assert not check["same"] and not check["inputs_intact"]


def test_a_different_seed_draws_differently_and_the_same_seed_the_same(world, directory):
    first, again, other = _draw(world, seed="1"), _draw(world, seed="1"), _draw(world, seed="2")
    assert first.result == again.result
    assert first.result != other.result


def test_only_county_candidates_and_county_officers_are_drawn(world, directory, officers):
    draw = _draw(world, count=50)
    assert set(draw.target_ids) == {f.pk for f in directory}
    members = {m for team in draw.teams.values() for m in team}
    assert members <= {o.pk for o in officers["county1"]}
    assert all(len(team) == 2 for team in draw.teams.values())


def test_declared_conflicts_and_the_previous_team_are_avoided(world, directory, officers):
    c = [*officers["county1"], make_inspector(world.county1, name="甲区执法员5")]
    target = directory[0]
    services.inspector_update(inspector=c[0], actor=None, conflict_enterprises=[target])
    make_inspection(target, [c[1], c[2]])
    for seed in range(10):
        assert _draw(world, seed=str(seed), count=12).teams[target.pk] == sorted([c[3].pk, c[4].pk])
    services.inspector_update(inspector=c[4], actor=None, conflict_enterprises=[target])
    with pytest.raises(ValidationError, match="甲区企业00”可选执法人员不足2人"):
        _draw(world, seed="3", count=12)


def test_risk_weights_come_from_the_frequency_matrix(world, directory):
    poor = directory[0]
    services.evaluation_create(actor=None, enterprise=poor, year=2026, template=make_template(),
                               scores=scores_for(40), evaluated_on="2026-03-01", evaluator="组")
    services.frequency_set(actor=None, matrix={("B", "poor"): 9, ("B", "fair"): 1})
    candidates = dict(map(tuple, services.inspection_candidates(region=world.county1, year=2026)))
    assert candidates[poor.pk] == 10
    assert candidates[directory[1].pk] == 2


def test_filters_limit_the_candidates(world, directory):
    other = EnterpriseFactory(region=world.village1, name="甲区商贸", category="commerce", supervision_class="A")
    draw = _draw(world, count=20, categories=["commerce"], classes=["A"])
    assert draw.target_ids == [other.pk]


def test_a_redraw_needs_a_reason_and_keeps_the_old_draw_on_record(world, directory):
    draw = _draw(world)
    with pytest.raises(ValidationError, match="原因"):
        services.draw_redraw(draw=draw, actor=world.county1_officer, reason=" ")
    new = services.draw_redraw(draw=draw, actor=world.county1_officer, reason="抽中企业已停产", seed="99")
    draw.refresh_from_db()
    assert not draw.is_current and new.replaces == draw and new.redraw_reason == "抽中企业已停产"
    assert selectors.draw_rerun(new)["same"] and selectors.draw_rerun(draw)["same"]
    with pytest.raises(ValidationError, match="已被重新抽取"):
        services.draw_redraw(draw=draw, actor=world.county1_officer, reason="再来")


def test_a_draw_with_inspections_recorded_cannot_be_redrawn(world, directory):
    draw = _draw(world)
    target = draw.target_ids[0]

    make_inspection(directory[0].__class__.objects.get(pk=target),
                    list(Inspector.objects.filter(pk__in=draw.teams[target])), draw=draw)
    with pytest.raises(ValidationError, match="已按该抽取结果登记"):
        services.draw_redraw(draw=draw, actor=None, reason="重抽")


def test_a_county_officer_cannot_draw_for_another_county(world, directory):
    with pytest.raises(PermissionDenied):
        services.draw_inspection(actor=world.county2_officer, region=world.county1, title="越权", count=1)


def test_a_draw_needs_an_approved_plan(world, directory):
    with pytest.raises(ValidationError, match="批准"):
        _draw(world, plan=make_plan(world.county1))
    assert _draw(world, plan=make_plan(world.county1, year=2027, status="approved"), quarter=1).plan_id


def test_expert_draws_avoid_the_same_organisation_declared_conflicts_and_recent_participants(world):
    firm = EnterpriseFactory(region=world.village1, name="甲化工有限公司")
    same_org = ExpertFactory(region=world.county1, name="同单位专家", organization="甲化工有限公司")
    conflicted = ExpertFactory(region=world.county1, name="关联专家")
    conflicted.conflict_enterprises.set([firm])
    city = ExpertFactory(region=world.city, name="市级专家")
    others = [ExpertFactory(region=world.county1, name=f"专家{n}") for n in range(3)]
    ExpertFactory(region=world.county2, name="乙区专家")
    ExpertFactory(region=world.county1, name="消防专家", field="fire")
    first = services.draw_experts(actor=world.county1_officer, region=world.county1, title="重大隐患验收",
                                  field="hazchem", purpose="acceptance", count=2, enterprise=firm, seed="5")
    assert set(first.inputs["excluded"]) == {str(same_org.pk), str(conflicted.pk)}
    assert set(first.target_ids) <= {city.pk, *(o.pk for o in others)}
    assert selectors.draw_rerun(first)["same"]
    second = services.draw_experts(actor=None, region=world.county1, title="评审", field="hazchem",
                                   purpose="review", count=2, enterprise=firm, seed="6")
    assert not set(second.target_ids) & set(first.target_ids)
    with pytest.raises(ValidationError, match="不足"):
        services.draw_experts(actor=None, region=world.county1, title="咨询", field="hazchem",
                              purpose="consultation", count=2, enterprise=firm, seed="7")
    assert services.draw_experts(actor=None, region=world.county1, title="咨询", field="hazchem",
                                 purpose="consultation", count=2, enterprise=firm, seed="7", recent_days=0)


def test_the_draw_page_shows_the_rerun_verdict(client, world, directory):
    draw = _draw(world)
    client.force_login(world.county1_officer)
    body = client.get(reverse("inspections:draw_detail", args=[draw.pk]) + "?rerun=1").content.decode()
    assert "复核一致" in body


def test_the_draw_form_draws_and_shows_errors_in_chinese(client, world, directory):
    client.force_login(world.county1_officer)
    response = client.post(reverse("inspections:draw_create"), {"title": "抽查", "region": world.county1.pk,
                                                                "count": "3", "team_size": "1"})
    assert response.status_code == 400 and "确保该值大于或等于2" in response.content.decode()
    response = client.post(reverse("inspections:draw_create"), {"title": "抽查", "region": world.county1.pk,
                                                                "count": "3", "team_size": "2", "seed": "11"})
    draw = Draw.objects.get()
    assert response.status_code == 302 and draw.seed == "11" and draw.drawn_by == world.county1_officer


def test_a_draw_lists_its_conditions_by_label_not_as_stored_keys(world, directory):
    draw = _draw(world, categories=["hazchem_production"])
    conditions = dict(selectors.draw_conditions(draw))
    assert conditions["抽取单位所在区划"] == "甲区"
    assert conditions["抽取范围（区域）"] == "全辖区"
    assert conditions["企业类别"] == "危险化学品生产"
    assert conditions["监管分级"] == "不限"
    assert conditions["每组执法人员数"] == "2"
    assert all("None" not in value and "[" not in value for value in conditions.values())
