"""The alarm page and the alarm list in Debian's chromium: the trend around the alarm with its thresholds, the
enterprise's contacts and place, the monitoring board's legend, and several alarms acknowledged at once."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.enterprises.models import Enterprise
from yingji.monitoring import services
from yingji.monitoring.models import Alarm, AlarmStatus
from yingji.monitoring.testing import add_monitor
from yingji.monitoring.tests.test_alarm_loop import raise_alarm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plant(transactional_db):
    world = build_world()
    add_monitor(world, "county1_monitor", world.county1)
    alarms = [raise_alarm(world.village1, name=f"储罐液位{n}") for n in range(3)]
    Enterprise._base_manager.filter(pk=alarms[0].enterprise_id).update(
        safety_director="王安全", safety_director_phone="13900001111", longitude=118.3, latitude=36.3)
    return world, alarms


def test_the_alarm_page_shows_the_trend_the_contacts_and_the_place(page: Page, live_server, plant):
    _world, alarms = plant
    base = live_server.url
    log_in(page, base, "county1_monitor")
    page.goto(f"{base}/monitoring/alarms/{alarms[0].pk}/")
    trend = page.get_by_test_id("alarm-trend")
    expect(trend).to_have_attribute("data-thresholds", "4")
    assert int(trend.get_attribute("data-points")) >= 1
    expect(trend.locator("canvas").first).to_be_visible()
    contacts = page.get_by_test_id("alarm-contacts")
    expect(contacts).to_contain_text("安全负责人")
    expect(contacts).to_contain_text("王安全")
    expect(contacts.get_by_role("link", name="13900001111")).to_have_attribute("href", "tel:13900001111")
    expect(page.get_by_test_id("alarm-map")).to_have_attribute("data-ready", "1")


def test_the_board_legend_lays_out_in_a_line(page: Page, live_server, plant):
    base = live_server.url
    log_in(page, base, "county1_monitor")
    page.goto(f"{base}/monitoring/")
    legend = page.get_by_test_id("board-legend")
    expect(legend).to_contain_text("正常")
    for entry in legend.locator(":scope > div").all():
        box = entry.bounding_box()
        if entry.inner_text().strip():
            # One line per entry (a character per line would be ~15 px wide and many lines high).
            assert box["height"] < 24 and box["width"] > 30, (entry.inner_text(), box)


def test_several_alarms_are_acknowledged_from_the_list(page: Page, live_server, plant):
    world, alarms = plant
    services.alarm_acknowledge(alarm=alarms[2], actor=world.county1_monitor)
    base = live_server.url
    log_in(page, base, "county1_monitor")
    page.goto(f"{base}/monitoring/alarms/")
    batch = page.get_by_test_id("alarm-batch")
    expect(batch.get_by_role("button", name="批量确认")).to_be_disabled()
    page.locator("[data-select-all]").check()
    expect(batch.locator("[data-selected-count]")).to_have_text("3")
    batch.get_by_label("确认说明").fill("值班室已电话核实")
    batch.get_by_role("button", name="批量确认").click()
    expect(page.locator("body")).to_contain_text("已确认 2 条报警")
    expect(page.locator("body")).to_contain_text(f"{alarms[2].code} 未确认")
    assert set(Alarm.objects.values_list("status", flat=True)) == {AlarmStatus.ACKNOWLEDGED}
