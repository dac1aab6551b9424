"""The leader's workbench in Debian's chromium: a warning sent for signing reaches the city leader's header count
live and his 我的待办; he opens it from there, sees who acts next, and signs it."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core import roles
from yingji.core.browser_testing import log_in
from yingji.core.models import Notification
from yingji.core.testing import build_world
from yingji.warnings import services
from yingji.warnings.models import Warning, WarningStatus
from yingji.warnings.testing import add_person, make_warning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(transactional_db, live_server):
    world = build_world()
    add_person(world, "city_duty", roles.DUTY_OFFICER, world.city)
    add_person(world, "city_leader", roles.LEADER, world.city)
    add_person(world, "county2_signer", roles.LEADER, world.county2)
    return world


def test_a_warning_sent_for_signing_waits_on_the_city_leaders_workbench_and_he_signs_it(page: Page, live_server,
                                                                                         city):
    log_in(page, live_server.url, "city_leader")
    expect(page.get_by_test_id("workbench-title")).to_have_text("测试市 工作台")
    expect(page.get_by_test_id("todo-list")).to_contain_text("暂无待办事项")
    expect(page.get_by_test_id("todos")).to_have_text("待办")

    warning = make_warning(city, region=city.city, actor=city.city_duty, areas=[city.county1],
                           headline="测试市应急管理局发布寒潮蓝色预警")
    services.warning_submit(warning=warning, actor=city.city_duty)

    # Without reloading: the live stream says a record of his city moved, and the header counts again.
    expect(page.get_by_test_id("todo-count")).to_have_text("1", timeout=20_000)
    assert Notification.objects.filter(recipient=city.city_leader, kind="待办").exists()

    page.reload()
    todo = page.get_by_test_id("todo-list").get_by_role("link", name="待签发发布的预警信息")
    expect(todo).to_be_visible()
    expect(page.get_by_test_id("todo-list")).to_contain_text("1")
    todo.click()

    expect(page).to_have_url(f"{live_server.url}/warnings/{warning.pk}/")
    expect(page.get_by_test_id("next-step").first).to_contain_text("city_leader")
    page.get_by_role("button", name="签发发布").click()
    expect(page.locator(".alert-success")).to_contain_text("已办理：签发发布")
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.PUBLISHED

    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("todo-list")).to_contain_text("暂无待办事项")
    expect(page.get_by_test_id("todos")).to_have_text("待办")


def test_another_countys_leader_is_told_nothing(page: Page, live_server, city):
    warning = make_warning(city, region=city.city, actor=city.city_duty, areas=[city.county1])
    services.warning_submit(warning=warning, actor=city.city_duty)
    log_in(page, live_server.url, "county2_signer")
    expect(page.get_by_test_id("todo-list")).to_contain_text("暂无待办事项")
    expect(page.get_by_test_id("todos")).to_have_text("待办")
    assert not Notification.objects.filter(recipient=city.county2_signer).exists()
