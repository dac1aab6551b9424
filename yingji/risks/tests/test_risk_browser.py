"""An enterprise manager grades a risk point by LEC and finds it red on the four-colour map (Debian's chromium)."""

import pytest
from playwright.sync_api import Page, expect

import yingji.core.browser_testing  # noqa: F401 - sets up the sync ORM for Playwright
from yingji.core.testing import PASSWORD, add_enterprise_user, build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.testing import RiskPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A loaded CI machine can take longer than the 5 s default to draw the map.
expect.set_options(timeout=15_000)


@pytest.fixture
def plant(transactional_db):
    world = build_world()
    world.plant = EnterpriseFactory(region=world.village1, name="甲区液氨化工有限公司", longitude=118.05, latitude=36.05)
    add_enterprise_user(world, "plant_manager", world.plant)
    return world


def test_an_enterprise_manager_grades_a_risk_point_and_sees_it_red_on_the_map(page: Page, live_server, plant):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("plant_manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_have_text("plant_manager")

    page.goto(f"{live_server.url}/risks/new/")
    expect(page.locator("#id_enterprise")).to_have_value(str(plant.plant.pk))
    page.get_by_label("风险点名称").fill("液氨储罐区")
    page.get_by_label("所在位置").fill("东罐区")
    page.get_by_label("风险点类型").select_option(label="设备设施")
    page.get_by_label("评价方法").select_option(label="LEC法（作业条件危险性评价法）")
    page.get_by_label("L 事故发生可能性").select_option(label="3 — 可能，但不经常")
    page.get_by_label("E 暴露频繁程度").select_option(label="6 — 每天工作时间内暴露")
    page.get_by_label("C 后果严重程度").select_option(label="40 — 灾难，数人死亡")
    page.get_by_label("工程技术措施").fill("氨气泄漏报警与紧急切断联锁")
    page.get_by_label("管控层级").select_option(label="公司级")
    page.locator("#id_responsible_person").fill("韩立强")
    page.get_by_label("责任人电话").fill("13900001111")
    page.get_by_label("下次评审日期").fill("2027-06-30")
    page.get_by_label("经度").fill("118.0502")
    page.get_by_label("纬度").fill("36.0501")
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_have_text("液氨储罐区")
    expect(page.locator("#risk-grade")).to_contain_text("重大风险（红）")
    expect(page.locator("#risk-grade")).to_contain_text("L=3，E=6，C=40")

    page.get_by_role("link", name="查看本企业四色分布图").click()
    map_box = page.locator("#risk-map")
    expect(map_box).to_have_attribute("data-point-features", "1")
    expect(map_box).to_have_attribute("data-major", "1")
    expect(page.locator("#risk-legend [data-level=major]")).to_contain_text("1")
    badge = page.locator("#risk-table span[data-level=major]")
    expect(badge).to_have_text("重大风险")
    expect(badge).to_have_css("background-color", "rgb(255, 0, 0)")
    expect(page.locator("body")).not_to_contain_text("Server Error")


def test_a_city_officer_sees_where_the_red_and_orange_risks_are(page: Page, live_server, plant):
    RiskPointFactory(enterprise=plant.plant, name="液氨储罐区", lec_l="10", lec_e="6", lec_c="15")  # D 900 重大
    RiskPointFactory(enterprise=plant.plant, name="配电室", lec_l="1", lec_e="1", lec_c="1")       # D 1 低
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("city_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # The menu's area opens on a click; the page search finds the entry as well.
    page.goto(f"{live_server.url}/risks/regions/")
    expect(page.locator("h1")).to_contain_text("风险分级分布")
    expect(page.locator("#risk-chart canvas")).to_have_count(1)
    expect(page.locator("#risk-region-map")).to_have_attribute("data-point-features", "1")
    row = page.locator(f"#region-table tr[data-code='{plant.county1.code}']")
    expect(row).to_contain_text("甲区")
    row.get_by_role("link", name="1").first.click()
    expect(page.locator("table.list-table")).to_contain_text("液氨储罐区")
    expect(page.locator("table.list-table")).not_to_contain_text("配电室")
