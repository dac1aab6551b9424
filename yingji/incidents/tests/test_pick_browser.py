"""Pick, don't type, in Debian's chromium: an incident and a hazard registered by choosing the enterprise from a
searchable list (which fills region, place and coordinates), picking the point on the map or by place search, the
subtype narrowed to the chosen type, and the nearest-resource search started from a picked point — no coordinate
and no id typed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in, square, watch_for_page_errors
from yingji.core.models import Attachment, Region
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard
from yingji.hazards.tests.test_hazard_browser import act
from yingji.hazards.tests.test_hazard_pages import PNG
from yingji.incidents.models import Incident
from yingji.incidents.testing import add_duty_people
from yingji.resources.testing import RescueTeamFactory, ShelterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked_page(page: Page):
    yield from watch_for_page_errors(page)


@pytest.fixture
def city(transactional_db):
    world = add_duty_people(build_world())
    Region.objects.filter(pk=world.county1.pk).update(boundary=square(118.4, 36.3, 0.3))
    Region.objects.filter(pk="390102001000").update(boundary=square(118.45, 36.35, 0.2))
    # More enterprises than a plain select shows comfortably: the list becomes a searchable one.
    for n in range(16):
        EnterpriseFactory(region=world.village1, name=f"甲区第{n + 1}机械厂", longitude=118.5, latitude=36.4)
    world.plant = EnterpriseFactory(region=world.village1, name="甲一化工有限公司", address="甲一社区化工路8号",
                                    longitude=118.51, latitude=36.41)
    EnterpriseFactory(region=world.village2, name="乙一化工有限公司", longitude=118.91, latitude=36.41)
    ShelterFactory(region=world.village1, name="甲一中心广场避难场所", longitude=118.52, latitude=36.42)
    world.team = RescueTeamFactory(region=world.county1, name="甲区危化救援队", longitude=118.53, latitude=36.43)
    return world


def choose_enterprise(page: Page, term: str, name: str) -> None:
    page.locator("#id_enterprise-ts-control").fill(term)
    page.locator(".ts-dropdown .option", has_text=name).click()
    # As a person would before going on: the choice is shown, and the list is closed (Escape) before the next field.
    expect(page.locator("#id_enterprise + .ts-wrapper .item")).to_have_text(name)
    page.keyboard.press("Escape")
    expect(page.locator("#id_enterprise + .ts-wrapper .ts-dropdown")).to_be_hidden()


def pick_place(page: Page, term: str, name: str) -> None:
    page.locator("[data-place-search]").fill(term)
    page.locator("[data-place-result]", has_text=name).click()


def test_an_incident_is_registered_by_picking(checked_page: Page, live_server, city):
    page = checked_page
    base = live_server.url
    log_in(page, base, "county1_duty")
    page.goto(f"{base}/incidents/new/")
    page.get_by_label("事件名称").fill("甲一化工储罐爆炸")
    page.get_by_label("事件类型").select_option("accident")
    subtype = page.locator("#id_subtype")
    expect(subtype.locator("option", has_text="危险化学品事故")).to_have_count(1)
    expect(subtype.locator("option", has_text="地震灾害")).to_have_count(0)
    page.get_by_label("事件类型").select_option("natural")
    expect(subtype.locator("option", has_text="地震灾害")).to_have_count(1)
    expect(subtype.locator("option", has_text="危险化学品事故")).to_have_count(0)
    page.get_by_label("事件类型").select_option("accident")
    subtype.select_option("危险化学品事故")
    page.get_by_label("发生时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))

    # A county duty officer's list holds his own county's enterprises only, searchable by name.
    page.locator("#id_enterprise-ts-control").fill("化工")
    expect(page.locator(".ts-dropdown .option", has_text="乙一化工有限公司")).to_have_count(0)
    choose_enterprise(page, "甲一化工", "甲一化工有限公司")
    expect(page.locator("#id_region")).to_have_value(city.village1.code)
    expect(page.locator("#id_place")).to_have_value("甲一社区化工路8号")
    expect(page.locator("#id_longitude")).to_have_value("118.51")
    expect(page.locator("#id_latitude")).to_have_value("36.41")
    picker_map = page.locator("[data-picker-map]")
    expect(picker_map).to_have_attribute("data-marker-lon", "118.510000")

    # The scene is at the square next door: found by its name, the marker moves there.
    pick_place(page, "中心广场", "甲一中心广场避难场所")
    expect(page.locator("#id_longitude")).to_have_value("118.520000")
    expect(page.locator("#id_latitude")).to_have_value("36.420000")
    expect(picker_map).to_have_attribute("data-marker-lat", "36.420000")

    page.get_by_label("事件概况").fill("储罐区爆炸起火")
    page.get_by_label("信息来源").fill("企业报告")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#incident-grade")).to_be_visible()
    incident = Incident.objects.get(title="甲一化工储罐爆炸")
    assert (incident.enterprise_id, incident.region_id) == (city.plant.pk, city.village1.code)
    assert (incident.longitude, incident.latitude) == (118.52, 36.42)
    assert incident.subtype == "危险化学品事故"

    # Clicking the map sets the point; a point is then refused only when it is far outside the region.
    page.goto(f"{base}/incidents/{incident.pk}/edit/")
    expect(picker_map).to_have_attribute("data-marker-lon", "118.520000")
    box = picker_map.bounding_box()
    picker_map.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2})
    moved = float(page.locator("#id_longitude").input_value())
    assert 118.52 < moved < 118.6
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#incident-grade")).to_be_visible()
    incident.refresh_from_db()
    assert incident.longitude == pytest.approx(moved, abs=1e-6)


def test_a_hazard_of_an_enterprise_without_an_account_goes_from_registration_to_closing(checked_page: Page, live_server, city):
    page = checked_page
    base = live_server.url
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/hazards/new/")
    choose_enterprise(page, "甲一化工", "甲一化工有限公司")
    expect(page.locator("#id_region")).to_have_value(city.village1.code)
    expect(page.locator("#id_place")).to_have_value("甲一社区化工路8号")
    page.get_by_label("隐患描述").fill("二号储罐可燃气体报警器失效")
    page.get_by_label("隐患部位/地点").fill("二号储罐区")
    page.get_by_label("隐患类别").select_option(label="设备设施")
    page.get_by_label("隐患来源").select_option(index=1)
    page.get_by_label("发现时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("整改期限").fill((timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#hazard-status")).to_be_visible()
    hazard = Hazard.objects.get(description="二号储罐可燃气体报警器失效")
    assert (hazard.enterprise_id, hazard.region_id) == (city.plant.pk, city.village1.code)

    # The enterprise has no account: the page says so, and the officer carries the loop through to 销号.
    act(page, "assign")
    expect(page.locator("#hazard-status")).to_contain_text("整改中")
    expect(page.get_by_test_id("next-step").first).to_contain_text("提交验收（代企业操作）")
    expect(page.locator("form.transition-form[data-action=submit]")).to_have_count(0)
    on_behalf = page.locator("form.transition-form[data-action=submit_for_enterprise]")
    on_behalf.locator("textarea[name=measures]").fill("已更换报警器并校验合格")
    on_behalf.locator("input[type=file]").set_input_files({"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG})
    act(page, "submit_for_enterprise", "现场核实：已更换，企业负责人张三在场")
    expect(page.locator("#hazard-status")).to_contain_text("待验收")
    act(page, "accept")
    expect(page.locator("#hazard-status")).to_contain_text("已销号")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("提交验收（代企业操作）")
    expect(timeline).to_contain_text("现场核实：已更换")
    # A closed hazard is read-only: no edit, no move.
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.locator("form.transition-form")).to_have_count(0)
    expect(page.locator(".closed-record")).to_be_visible()
    page.goto(f"{base}/hazards/{hazard.pk}/edit/")
    assert page.url == f"{base}/hazards/{hazard.pk}/"
    expect(page.locator(".closed-record")).to_be_visible()
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.description == "二号储罐可燃气体报警器失效"
    assert Attachment.objects.filter(owner_id=str(hazard.pk), description="代企业操作佐证").exists()


def test_the_nearest_resources_are_found_from_a_picked_point(checked_page: Page, live_server, city):
    page = checked_page
    base = live_server.url
    log_in(page, base, "county1_duty")
    page.goto(f"{base}/resources/nearest/")
    pick_place(page, "甲一化工", "甲一化工有限公司")
    expect(page.locator("input[name=longitude]")).to_have_value("118.510000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#nearest-results")).to_contain_text("甲区危化救援队")
    expect(page.locator("input[name=latitude]")).to_have_value("36.410000")
