"""The stories of issue 9 in Debian's chromium: a village report on a phone rolls up to the county and the city
with the missing village flagged; a consultation's task is tracked to done."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.models import Organization
from yingji.core.testing import build_world
from yingji.disasters.models import DisasterReport
from yingji.disasters.testing import add_people, make_consultation, make_event, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    return add_people(build_world())


def test_a_village_report_from_a_phone_rolls_up_and_the_missing_village_is_flagged(page: Page, live_server, people):
    base = live_server.url
    event = make_event(people.county1, [people.village1, people.regions["390102001002"]], name="甲区暴雨洪涝")
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, base, "village1_grid")
    page.goto(f"{base}/disasters/reports/new/?event={event.pk}")
    page.get_by_label("报告类型").select_option(label="初报")
    page.get_by_label("受灾人口（人）").fill("120")
    page.get_by_label("紧急转移安置（人）").fill("30")
    page.get_by_label("农作物受灾面积（公顷）").fill("12.5")
    page.get_by_label("农作物成灾面积（公顷）").fill("20")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator("[data-field=crops_disaster_ha]")).to_contain_text("成灾面积不能大于受灾面积")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("农作物成灾面积（公顷）").fill("6")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator("#report-status")).to_contain_text("已报送")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert DisasterReport.objects.get().affected_population == 120

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "county1_duty")
    page.goto(f"{base}/disasters/events/{event.pk}/")
    page.locator("#rollup-link").click()
    township = page.locator("#rollup-table tr[data-code='390102001000']")
    expect(township).to_contain_text("120")
    expect(township.get_by_test_id("missing")).to_have_text("2")
    expect(page.locator("#missing-table tr[data-code='390102001002']")).to_contain_text("未报")

    log_in(page, base, "city_duty")
    page.goto(f"{base}/disasters/events/{event.pk}/rollup/?region=390100000000")
    county = page.locator("#rollup-table tr[data-code='390102000000']")
    expect(county).to_contain_text("120")
    expect(page.locator("#missing-table")).to_contain_text("甲二社区")
    county.get_by_role("link", name="甲区").click()
    expect(page.locator("#rollup-table tr[data-code='390102001000']")).to_contain_text("120")

    log_in(page, base, "county2_duty")
    response = page.goto(f"{base}/disasters/events/{event.pk}/rollup/")
    assert response.status == 404


def act(page: Page, action: str, **fields: str) -> None:
    form = page.locator(f"form.transition-form[data-action={action}]")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_consultations_task_is_tracked_to_done(page: Page, live_server, people):
    base = live_server.url
    consultation = make_consultation(people.county1, "甲区十二月风险会商")
    department = Organization.objects.get(name="甲区水利局")
    task = make_task(consultation, department, title="检查山塘水库")

    log_in(page, base, "county1_water")
    page.goto(f"{base}/disasters/tasks/{task.pk}/")
    act(page, "start")
    expect(page.locator("#task-status")).to_contain_text("办理中")
    act(page, "submit", result="已检查水库 8 座，整改隐患 2 处")
    expect(page.locator("#task-status")).to_contain_text("待确认")

    log_in(page, base, "county1_duty")
    page.goto(f"{base}/disasters/consultations/{consultation.pk}/")
    expect(page.locator(f"#tasks tr[data-task='{task.pk}'] .task-status")).to_have_text("待确认")
    page.locator(f"#tasks tr[data-task='{task.pk}'] a").click()
    act(page, "confirm")
    expect(page.locator("#task-status")).to_contain_text("已办结")
    expect(page.locator("#timeline")).to_contain_text("确认办结")
    page.goto(f"{base}/disasters/consultations/{consultation.pk}/")
    expect(page.locator(f"#tasks tr[data-task='{task.pk}'] .task-status")).to_have_text("已办结")
    with page.expect_download() as download:
        page.locator("#docx-link").click()
    assert download.value.suggested_filename.endswith(".docx")
