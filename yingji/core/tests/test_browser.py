"""The platform as a person uses it, in Debian's chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in, square
from yingji.core.services import region_update
from yingji.core.testing import build_world, xlsx_rows
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(transactional_db):
    world = build_world()
    shapes = {"390100000000": square(118.0, 36.0, 0.4), "390102000000": square(118.0, 36.0, 0.2),
              "390103000000": square(118.2, 36.0, 0.2), "390102001000": square(118.0, 36.0, 0.1),
              "390103100000": square(118.2, 36.0, 0.1)}
    for code, shape in shapes.items():
        region_update(actor=None, region=world.regions[code], boundary=shape)
    world.mine = EnterpriseFactory(region=world.village1, name="甲区示范化工有限公司", longitude=118.05, latitude=36.05)
    world.theirs = EnterpriseFactory(region=world.village2, name="乙区示范化工有限公司", longitude=118.25, latitude=36.05)
    return world


def test_create_an_enterprise_fix_the_credit_code_and_export(page: Page, live_server, city):
    log_in(page, live_server.url, "county1_officer")
    page.goto(f"{live_server.url}/enterprises/new/")
    page.get_by_label("企业名称").fill("浏览器新建机械有限公司")
    page.get_by_label("统一社会信用代码").fill("91390102MA00000019")
    page.get_by_label("所在村（社区）").select_option(label="甲一街道 / 甲一社区")
    page.get_by_label("详细地址").fill("工业路9号")
    page.get_by_label("行业代码").fill("C3411")
    page.get_by_label("行业名称").fill("锅炉及辅助设备制造")
    page.get_by_label("监管类别").select_option(label="机械")
    page.get_by_label("规模类型").select_option(label="规模以下")
    page.locator("#id_size").select_option(label="小型")
    page.get_by_label("监管分级").select_option(label="乙类（县级监管）")
    page.locator("#id_legal_representative").fill("赵六")
    page.locator("#id_principal").fill("赵六")
    page.get_by_label("主要负责人电话").fill("13800001111")
    page.get_by_label("从业人数").fill("40")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".invalid-feedback[data-field=credit_code]")
    expect(error).to_contain_text("校验码错误：第18位应为“5”")

    page.get_by_label("统一社会信用代码").fill("91390102MA00000015")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("浏览器新建机械有限公司")
    expect(page.locator("#history")).to_contain_text("county1_officer")

    page.goto(f"{live_server.url}/enterprises/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    rows = xlsx_rows(open(download_info.value.path(), "rb").read())
    names = [row[0] for row in rows[1:]]
    assert rows[0][0] == "企业名称"
    assert sorted(names) == ["浏览器新建机械有限公司", "甲区示范化工有限公司"]


def test_the_map_draws_regions_and_enterprises(page: Page, live_server, city):
    log_in(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/enterprises/map/")
    map_box = page.locator("#enterprise-map")
    expect(map_box).to_have_attribute("data-region-features", "3")
    expect(map_box).to_have_attribute("data-point-features", "2")
    expect(page.locator("#point-count")).to_have_text("共 2 家企业")
    page.locator("#map-filter select[name=category]").select_option(label="机械")
    expect(map_box).to_have_attribute("data-point-features", "0")
    page.goto(f"{live_server.url}/regions/")
    expect(page.locator("#region-map")).to_have_attribute("data-region-features", re.compile("[1-9]"))


def test_a_county_officer_cannot_open_another_countys_enterprise(page: Page, live_server, city):
    log_in(page, live_server.url, "county1_officer")
    response = page.goto(f"{live_server.url}/enterprises/{city.theirs.pk}/")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("不在您的管辖范围内")
    expect(page.locator("body")).not_to_contain_text("乙区示范化工有限公司")
    page.goto(f"{live_server.url}/enterprises/")
    expect(page.locator("table.list-table")).to_contain_text("甲区示范化工有限公司")
    expect(page.locator("table.list-table")).not_to_contain_text("乙区示范化工有限公司")
