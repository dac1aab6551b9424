"""Grassroots readiness: evidence hints from the platform's own data, the roll-up by region, the list of those not
meeting the standard — each within the user's jurisdiction."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.core.testing import xlsx_rows
from yingji.plans import services
from yingji.plans.models import ReadinessItem
from yingji.plans.selectors import readiness_not_meeting, readiness_rollup
from yingji.plans.testing import bring_drill_to, filed_plan, make_assessment, make_drill

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def passed(region):
    assessment = services.assessment_act(assessment=make_assessment(region), actor=None, action="submit")
    for item in assessment.items.all():
        services.readiness_item_review(item=item, actor=None, review_met=True)
    return services.assessment_act(assessment=assessment, actor=None, action="pass")


def test_the_township_plan_and_this_years_drill_prefill_the_hints(world):
    township = world.regions["390102001000"]
    empty = {i.key: i.hint for i in make_assessment(township, YEAR - 1).items.all()}
    assert "未查到本级已备案" in empty["plan"] and "未查到" in empty["drill"]
    plan = filed_plan(township, name="甲一街道突发事件总体应急预案", kind="township", structure=True)
    bring_drill_to(make_drill(world.village1, name="甲一社区防汛演练"), "conducted")
    hints = {i.key: i.hint for i in make_assessment(township).items.all()}
    assert plan.filing_number in hints["plan"] and "甲一街道突发事件总体应急预案" in hints["plan"]
    assert "甲一社区防汛演练" in hints["drill"]


def test_refreshing_picks_up_a_plan_filed_since_the_assessment_opened(world):
    township = world.regions["390102001000"]
    assessment = make_assessment(township)
    filed_plan(township, name="甲一街道预案", kind="township")
    services.assessment_refresh_hints(assessment=assessment, actor=None)
    assert "甲一街道预案" in ReadinessItem.objects.get(assessment=assessment, key="plan").hint


def test_the_rollup_counts_the_share_meeting_the_standard_per_county(world):
    passed(world.village1)
    passed(world.regions["390102001000"])
    make_assessment(world.regions["390102001002"])
    passed(world.village2)
    figures = readiness_rollup(world.city_admin, YEAR)
    by_name = {r["name"]: r for r in figures["rows"]}
    assert (by_name["甲区"]["townships"], by_name["甲区"]["townships_passed"]) == (1, 1)
    assert (by_name["甲区"]["villages"], by_name["甲区"]["villages_passed"], by_name["甲区"]["village_share"]) == \
        (2, 1, 50.0)
    assert (by_name["乙区"]["villages"], by_name["乙区"]["villages_passed"]) == (2, 1)
    assert figures["totals"]["village_share"] == 50.0 and figures["totals"]["township_share"] == 50.0


def test_a_county_sees_only_its_own_rollup_and_list(world):
    passed(world.village1)
    county1 = readiness_rollup(world.county1_officer, YEAR)
    assert county1["root"] == world.county1
    assert [r["name"] for r in county1["rows"]] == ["甲一街道"]
    missing = readiness_not_meeting(world.county1_officer, YEAR)
    assert [(m["region"].name, m["status_label"]) for m in missing] == [("甲一街道", "未开展自评"),
                                                                        ("甲二社区", "未开展自评")]
    make_assessment(world.regions["390102001002"])
    missing = readiness_not_meeting(world.county1_officer, YEAR, level="village")
    assert [(m["region"].name, m["status_label"]) for m in missing] == [("甲二社区", "自评中")]


def test_the_rollup_page_and_export_stay_in_the_jurisdiction(client, world):
    client.force_login(world.county1_officer)
    page = client.get(reverse("plans:readiness_rollup"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "甲二社区" in content and "乙一村" not in content
    assert client.get(reverse("plans:readiness_rollup") + f"?region={world.county2.pk}").status_code == 404
    export = client.get(reverse("plans:readiness_rollup") + "?export=xlsx")
    cells = {str(c) for row in xlsx_rows(export.content) for c in row if c is not None}
    assert "甲二社区" in cells and "乙一村" not in cells
