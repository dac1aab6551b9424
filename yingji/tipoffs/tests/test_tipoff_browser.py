"""A tip-off from a phone to a paid reward, in Debian's chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in, square
from yingji.core.services import region_update
from yingji.core.testing import build_world
from yingji.hazards.models import Hazard
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.testing import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_to_int(text: str) -> int:
    if "十" not in text:
        return DIGITS[text]
    tens, _sep, ones = text.partition("十")
    return (DIGITS[tens] if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def solve(question: str) -> str:
    match = re.match(r"(\S+) 加 (\S+) 等于多少", question)
    return str(chinese_to_int(match.group(1)) + chinese_to_int(match.group(2)))


@pytest.fixture
def city(transactional_db, settings):
    settings.TIPOFF_MIN_FILL_SECONDS = 0
    world = build_world()
    shapes = {"390100000000": square(118.0, 36.0, 0.4), "390102000000": square(118.0, 36.0, 0.2),
              "390103000000": square(118.2, 36.0, 0.2), "390102001001": square(118.0, 36.0, 0.2),
              "390103100201": square(118.2, 36.0, 0.2)}
    for code, shape in shapes.items():
        region_update(actor=None, region=world.regions[code], boundary=shape)
    return world


def act(page: Page, action: str, reason: str = "", **fields: str) -> None:
    form = page.locator(f"#tipoff-actions form[data-action={action}]")
    for name, value in fields.items():
        element = form.locator(f"[name={name}]")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(label=value)
        else:
            element.fill(value)
    if reason:
        form.locator("[name=reason]").fill(reason)
    form.get_by_role("button").click()
    expect(page.locator(".alert-success")).to_contain_text("已办理")


def test_a_tipoff_from_a_phone_becomes_a_hazard_and_is_rewarded(browser, live_server, city, tmp_path):
    base = live_server.url
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{base}/tipoffs/report/")
    expect(phone.locator("h1")).to_have_text("有奖举报")
    phone.get_by_label("举报内容").fill("甲一社区某仓库夜间存放大量油漆稀释剂，无任何手续")
    phone.get_by_label("举报类别").select_option(label="危险化学品")
    picker = phone.locator("#picker-map")
    expect(picker).to_have_attribute("data-region-features", "3")
    point = phone.evaluate("() => { const p = window.tipoffPicker.latLngToContainerPoint([36.1, 118.1]);"
                           " return {x: p.x, y: p.y}; }")
    picker.click(position=point)
    expect(phone.locator("#picked")).to_contain_text("已选位置")
    phone.get_by_label("详细地点").fill("工业路与纬二路交叉口东50米")
    phone.locator("#id_photos").set_input_files([{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    phone.get_by_label("您的姓名（可不填）").fill("王举报")
    phone.get_by_label("联系电话（可不填，用于核实和发放奖励）").fill("13912345678")
    phone.locator("#id_answer").fill(solve(phone.locator("#question").inner_text()))
    phone.screenshot(path=str(tmp_path / "tipoff-phone.png"), full_page=True)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="提交举报").click()
    expect(phone.locator("h1")).to_have_text("举报已提交")
    code = phone.locator("#tracking-code").inner_text()
    tipoff = TipOff.objects.get()
    assert tipoff.region == city.village1 and tipoff.photos.count() == 1

    page: Page = browser.new_page()
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/tipoffs/")
    page.get_by_role("link", name=tipoff.number).click()
    expect(page.locator("body")).to_contain_text("13912345678")
    act(page, "accept", "属于安全生产监管范围")
    act(page, "investigate", "已派员核查")
    act(page, "substantiate", "现场发现违规储存危化品", hazard_category="危险化学品", place="仓库")
    hazard = Hazard.objects.get()
    expect(page.locator("#linked-hazard")).to_contain_text(hazard.code)
    assert (hazard.source, hazard.region) == ("public_report", city.village1)
    act(page, "propose_reward", amount="500")
    expect(page.locator("#tipoff-actions")).to_have_count(0)  # the proposer may not approve

    log_in(page, base, "county1_admin")
    page.goto(f"{base}/tipoffs/{tipoff.pk}/")
    act(page, "approve_reward", "同意")
    act(page, "pay", "银行转账", amount="500")
    expect(page.locator(".detail-table")).to_contain_text("奖励已发放")

    phone.goto(f"{base}/tipoffs/track/")
    phone.get_by_label("查询码").fill(code)
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("#public-status")).to_have_text("奖励已发放")
    progress = phone.locator("#progress")
    expect(progress).to_contain_text("经核查，举报属实")
    for hidden in ("王举报", "13912345678", "现场发现违规储存危化品", "county1_officer", hazard.code):
        expect(progress).not_to_contain_text(hidden)
    phone.screenshot(path=str(tmp_path / "tipoff-track-phone.png"), full_page=True)
