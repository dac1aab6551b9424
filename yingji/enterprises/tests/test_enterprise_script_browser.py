"""A name that is HTML stays text on the enterprise pages' maps: tooltips and popups escape it."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in, square
from yingji.core.services import region_update
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src="data:," onerror="window.__xss = 1"><b id="injected">加粗</b>化工有限公司'

# Keeps every Leaflet map the page creates in window.__maps, so the test can open each layer's tooltip and
# popup; the page's own code builds their content.
_CAPTURE_MAPS = """
let leaflet;
Object.defineProperty(window, "L", { configurable: true, get: () => leaflet, set: (value) => {
  leaflet = value;
  const createMap = value.map;
  value.map = function (...args) { const map = createMap.apply(this, args); (window.__maps = window.__maps || []).push(map); return map; };
} });
"""


@pytest.fixture
def payload_enterprise(transactional_db):
    world = build_world()
    for code, shape in {"390102000000": square(118.0, 36.0, 0.2), "390102001000": square(118.0, 36.0, 0.1)}.items():
        region_update(actor=None, region=world.regions[code], boundary=shape)
    return EnterpriseFactory(region=world.village1, name=PAYLOAD, longitude=118.05, latitude=36.05)


def open_every_tooltip_and_popup(page: Page) -> int:
    return page.evaluate("""() => {
      let opened = 0;
      (window.__maps || []).forEach((map) => map.eachLayer((layer) => {
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened += 1; }
        if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened += 1; }
      }));
      return opened;
    }""")


def test_the_enterprise_page_shows_an_html_name_as_text(page: Page, live_server, payload_enterprise):
    page.add_init_script(_CAPTURE_MAPS)
    log_in(page, live_server.url, "county1_officer")
    page.goto(f"{live_server.url}/enterprises/{payload_enterprise.pk}/")
    expect(page.locator("#enterprise-map")).to_have_attribute("data-region-features", "1")
    # The enterprise's marker (the village boundary's name is a label of its own).
    assert open_every_tooltip_and_popup(page) >= 1
    expect(page.locator(".leaflet-tooltip", has_text="化工有限公司")).to_have_text(PAYLOAD)
    expect(page.locator("#injected")).to_have_count(0)
    expect(page.locator(".leaflet-pane img")).to_have_count(0)
    assert page.evaluate("window.__xss") is None
    expect(page.locator("h1, .breadcrumb").first).to_contain_text("化工有限公司")


def test_the_enterprise_map_popup_shows_an_html_name_as_text(page: Page, live_server, payload_enterprise):
    page.add_init_script(_CAPTURE_MAPS)
    log_in(page, live_server.url, "county1_officer")
    page.goto(f"{live_server.url}/enterprises/map/")
    expect(page.locator("#enterprise-map")).to_have_attribute("data-point-features", "1")
    assert open_every_tooltip_and_popup(page) >= 1
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(PAYLOAD)
    expect(popup.locator("a").first).to_have_attribute("href", f"/enterprises/{payload_enterprise.pk}/")
    expect(page.locator("#injected")).to_have_count(0)
    expect(popup.locator("img")).to_have_count(0)
    assert page.evaluate("window.__xss") is None
