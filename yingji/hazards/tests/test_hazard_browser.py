"""The hazard loop as people do it, in Debian's chromium driven by Playwright."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.services import organization_create, user_update
from yingji.core.testing import add_enterprise_user, build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard
from yingji.hazards.testing import PLAN, HazardFactory
from yingji.hazards.tests.test_hazard_pages import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_with_enterprise(transactional_db):
    world = build_world()
    world.mine = EnterpriseFactory(region=world.village1, name="甲区示范化工有限公司")
    add_enterprise_user(world, "manager", world.mine)
    return world


def act(page: Page, action: str, reason: str = "") -> None:
    form = page.locator(f"form.transition-form[data-action={action}]")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_self_report_rectify_with_a_photo_rejected_fixed_and_closed(page: Page, live_server, world_with_enterprise):
    base = live_server.url
    log_in(page, base, "manager")
    page.goto(f"{base}/hazards/new/")
    page.get_by_label("隐患描述").fill("二号储罐可燃气体报警器失效")
    page.get_by_label("隐患部位/地点").fill("二号储罐区")
    page.get_by_label("隐患类别").select_option(label="设备设施")
    page.get_by_label("整改期限").fill((timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#hazard-status")).to_contain_text("已上报")
    hazard = Hazard.objects.get()
    assert hazard.source == "self_check" and hazard.enterprise == world_with_enterprise.mine
    expect(page.locator("h1")).to_have_text(hazard.code)

    act(page, "assign")
    expect(page.locator("#hazard-status")).to_contain_text("整改中")
    page.locator("form.photo-form select[name=kind]").select_option(label="整改后照片")
    page.locator("form.photo-form input[type=file]").set_input_files(
        {"name": "整改后.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="上传照片").click()
    expect(page.locator("#photos")).to_contain_text("整改后.png")
    page.locator("form.transition-form[data-action=submit] textarea").fill("已更换报警器并校验")
    act(page, "submit")
    expect(page.locator("#hazard-status")).to_contain_text("待验收")
    expect(page.locator("form.transition-form")).to_have_count(0)

    log_in(page, base, "county1_officer")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "reject", "报警器未接入控制室")
    expect(page.locator("#hazard-status")).to_contain_text("整改中")
    expect(page.locator("#timeline")).to_contain_text("报警器未接入控制室")

    log_in(page, base, "manager")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "submit", "已接入控制室")
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "accept", "复核合格")
    expect(page.locator("#hazard-status")).to_contain_text("已销号")
    timeline = page.locator("#timeline")
    for step in ("下达整改", "提交验收", "验收不通过", "验收销号"):
        expect(timeline).to_contain_text(step)


def test_a_supervised_major_hazard_is_closed_only_by_its_supervising_unit(page: Page, live_server,
                                                                         world_with_enterprise):
    world = world_with_enterprise
    base = live_server.url
    city_unit = organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    county_unit = organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)
    user_update(user=world.city_admin, actor=None, organization=city_unit)
    user_update(user=world.county1_officer, actor=None, organization=county_unit)
    hazard = HazardFactory(enterprise=world.mine, level="major", description="液氯储罐未设紧急切断", **PLAN)

    log_in(page, base, "city_admin")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    supervision = page.locator("#supervision")
    supervision.locator("select[name=supervision_level]").select_option(label="市级")
    supervision.locator("select[name=supervising_unit]").select_option(label="测试市应急管理局")
    supervision.get_by_role("button", name="挂牌督办").click()
    expect(page.locator("#supervision")).to_contain_text("挂牌督办中")
    page.goto(f"{base}/hazards/major/")
    expect(page.locator("main")).to_contain_text("测试市应急管理局")

    log_in(page, base, "county1_officer")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "assign")
    log_in(page, base, "manager")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "submit")
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    expect(page.locator("#hazard-status")).to_contain_text("待验收")
    expect(page.locator("form.transition-form[data-action=accept]")).to_have_count(0)

    log_in(page, base, "city_admin")
    page.goto(f"{base}/hazards/{hazard.pk}/")
    act(page, "accept", "督办单位验收合格")
    expect(page.locator("#hazard-status")).to_contain_text("已销号")
    expect(page.locator("#supervision")).to_contain_text("已摘牌")
