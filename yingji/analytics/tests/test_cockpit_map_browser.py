"""The cockpit's map in Debian's chromium: region names on the map, a click on a county opens its cockpit, a click
on an incident opens its card."""

import pytest
from playwright.sync_api import Page, expect

from yingji.analytics import rollups
from yingji.analytics.testing import add_cockpit_people
from yingji.core.browser_testing import log_in, square
from yingji.core.models import Region
from yingji.core.testing import build_world
from yingji.incidents.testing import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(transactional_db):
    world = add_cockpit_people(build_world())
    for region, outline in [(world.city, square(118.0, 36.0, 1.0)), (world.county1, square(118.0, 36.0, 0.5)),
                            (world.county2, square(118.5, 36.0, 0.5))]:
        Region._base_manager.filter(pk=region.pk).update(boundary=outline)
    IncidentFactory(region=world.village1, title="甲一化工厂泄漏", longitude=118.2, latitude=36.3)
    rollups.refresh_tallies()
    return world


def pixel_of(page: Page, selector: str, lat: float, lon: float) -> tuple[float, float]:
    """The page coordinates of a point on a map (markers are drawn on a canvas, not as elements)."""
    box = page.locator(selector).bounding_box()
    point = page.evaluate(f"""() => {{ const p = document.querySelector("{selector}").leafletMap
                                           .latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}""")
    return box["x"] + point[0], box["y"] + point[1]


def test_the_cockpit_map_names_its_counties_and_a_click_opens_a_countys_cockpit(page: Page, live_server, city):
    base = live_server.url
    log_in(page, base, "city_leader")
    page.goto(f"{base}/analytics/")
    cockpit_map = page.get_by_test_id("cockpit-map")
    expect(cockpit_map).to_have_attribute("data-region-labels", "2")
    labels = cockpit_map.locator(".region-label")
    expect(labels).to_have_text(["甲区", "乙区"])
    # Each name sits inside its own county's outline, on one line.
    first, second = labels.nth(0).bounding_box(), labels.nth(1).bounding_box()
    assert first["x"] + first["width"] < second["x"]
    assert first["height"] < 30

    # The name is not a link of its own: a click on it reaches the county under it.
    page.mouse.click(first["x"] + first["width"] / 2, first["y"] + first["height"] / 2)
    expect(page.get_by_test_id("cockpit-title")).to_have_text("甲区指挥大屏")
    assert f"region={city.county1.code}" in page.url

    # The county's incident opens its card: name, grade, time and a link to its page.
    expect(page.get_by_test_id("cockpit-map")).to_have_attribute("data-incidents", "1")
    page.mouse.click(*pixel_of(page, "#cockpit-map", 36.3, 118.2))
    card = page.locator(".leaflet-popup .map-card")
    expect(card).to_contain_text("甲一化工厂泄漏")
    expect(card).to_contain_text("事件级别")
    card.get_by_role("link", name="查看详情 ›").click()
    expect(page.locator("h1")).to_contain_text("甲一化工厂泄漏")
