"""The phone layout (390 x 844): a grid member and an enterprise manager get about by the header's menu button, and
their main pages fit the screen without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from yingji.core import roles
from yingji.core.browser_testing import log_in
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, add_enterprise_user, build_world, form_errors
from yingji.disasters.models import DisasterReport, ReportKind
from yingji.disasters.testing import make_event
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.testing import HazardFactory
from yingji.warnings.models import Recipient
from yingji.warnings.testing import published_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_menu_page(page, label: str) -> None:
    """Open the menu with the header's button, find the page with the search box, follow it."""
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).not_to_be_visible()
    page.get_by_test_id("menu-button").click()
    expect(sidebar).to_be_visible()
    sidebar.get_by_test_id("menu-search").fill(label)
    sidebar.get_by_role("link", name=label, exact=True).click()


def test_a_grid_member_answers_a_warning_and_files_a_disaster_report_on_a_phone(live_server, page):
    world = build_world()
    grid = user_create(actor=None, username="village1_grid", password=PASSWORD, real_name="village1_grid",
                       roles=[roles.GRID_MEMBER], scope_region=world.village1)
    published_for(world, world.county1, world.village1, "网格员甲", "13800000001", user=grid)
    event = make_event(world.county1, [world.village1], name="甲区暴雨洪涝")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "village1_grid")
    assert fits_the_screen(page), "the home page scrolls sideways"

    open_menu_page(page, "我的叫应")
    expect(page.get_by_role("heading", name="我的叫应")).to_be_visible()
    assert fits_the_screen(page), "我的叫应 scrolls sideways"
    page.get_by_role("button", name="确认收到").click()
    expect(page.get_by_role("button", name="确认收到")).to_have_count(0)
    assert Recipient.objects.filter(person__user=grid).exclude(status="pending").exists()

    open_menu_page(page, "报送灾情")
    assert fits_the_screen(page), "the 灾情 form scrolls sideways"
    # Both are choices (searchable selects where forms.js makes them so): nothing to type but the figures.
    page.locator("select[name=event]").select_option(value=str(event.pk), force=True)
    page.locator("select[name=region]").select_option(value=world.village1.code, force=True)
    page.locator("select[name=kind]").select_option(value=ReportKind.INITIAL, force=True)
    page.get_by_label("受灾人口（人）").fill("35")
    page.get_by_role("button", name="保存并报送").click()
    page.wait_for_load_state()
    assert "/new/" not in page.url, form_errors(page.content())
    report = DisasterReport.objects.get(event=event)
    assert report.region_id == world.village1.code and report.affected_population == 35


def test_an_enterprise_manager_reaches_his_hazards_on_a_phone(live_server, page):
    world = build_world()
    enterprise = EnterpriseFactory(region=world.village1, name="甲一化工有限公司")
    add_enterprise_user(world, "ent_manager", enterprise)
    for n in range(3):
        HazardFactory(enterprise=enterprise, region=world.village1, description=f"储罐区防火堤破损{n}")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "ent_manager")
    assert fits_the_screen(page), "the home page scrolls sideways"
    open_menu_page(page, "隐患台账")
    expect(page).to_have_url(f"{live_server.url}/hazards/")
    expect(page.get_by_test_id("total")).to_have_text("3")
    assert fits_the_screen(page), "the hazard list scrolls sideways"
