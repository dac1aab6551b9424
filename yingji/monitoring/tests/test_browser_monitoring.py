"""End to end in chromium: a reading published on Mosquitto crosses a threshold, the alarm appears on the
board without a reload, and an officer takes it through its loop to 已消警."""

import os
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from yingji.core import live
from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import ingest, services
from yingji.monitoring.mqtt import Subscriber
from yingji.monitoring.testing import make_point, make_source
from yingji.monitoring.tests.broker import MOSQUITTO, Broker, Publisher, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="mosquitto 未安装")]


@pytest.fixture(autouse=True)
def _live_events(settings):
    # The default embedded backend (no Redis): the ingest worker's commit inserts the event, the web process's
    # listener polls for it. Stopped afterwards so no listener outlives the test database.
    settings.LIVE_BACKEND = "database"
    live.shutdown()
    yield
    live.shutdown()


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    broker.stop()


def test_a_published_excursion_appears_on_the_board_and_is_closed(page: Page, live_server, broker):
    world = build_world()
    enterprise = EnterpriseFactory(region=world.village1, name="浏览器示范化工有限公司", longitude=118.05,
                                   latitude=36.05)
    source = make_source(world.village1, enterprise=enterprise, name="液氯储罐区")
    make_point(source, tag="LT-101", name="1号液氯储罐液位")
    services.gateway_create(actor=None, enterprise=enterprise, code="GW-WEB", name="浏览器网关")
    subscriber = Subscriber(client_id="test-browser-ingest", port=broker.port)
    thread = threading.Thread(target=subscriber.run, daemon=True)
    thread.start()
    publisher = Publisher(broker.port, "GW-WEB")
    try:
        assert wait_for(subscriber.client.is_connected, 10)
        log_in(page, live_server.url, "county1_admin")
        fetches: list[str] = []
        page.on("request", lambda request: fetches.append(request.url) if "/board/alarms/" in request.url else None)
        page.goto(f"{live_server.url}/monitoring/")
        expect(page.locator("#open-alarms")).to_contain_text("当前没有未消警的报警")
        # The board listens on its event stream and does not poll.
        expect(page.locator("#board-alarms")).to_have_attribute("data-live-state", "open")
        settled = len(fetches)
        page.wait_for_timeout(1500)
        assert len(fetches) == settled, "the board polled its alarm list while its event stream was open"
        now = ingest.now_ms()
        # Normal first, then an excursion above 高报 15 m (retried until the worker holds its subscription).
        assert wait_for(lambda: publisher.publish({"id": 1, "readings": [["LT-101", now - 3000, 10.0]]})
                        or 1 in publisher.result_ids(), 10, 0.5)
        published = time.monotonic()
        publisher.publish({"id": 2, "readings": [["LT-101", now - 2000, 16.4]]})
        row = page.locator("#open-alarms .alarm-row")
        expect(row).to_contain_text("浏览器示范化工有限公司", timeout=5000)
        seen_after = time.monotonic() - published
        assert seen_after < 2.0, f"the alarm took {seen_after:.2f} s to reach the board"
        assert len(fetches) > settled  # fetched because the stream announced the alarm
        expect(row).to_contain_text("超上限")
        expect(page.get_by_test_id("unacknowledged-count")).to_have_text("未确认 1")

        row.get_by_role("link").click()
        expect(page.get_by_test_id("alarm-status")).to_have_text("未确认")
        page.get_by_role("button", name="确认报警").click()
        expect(page.get_by_test_id("alarm-status")).to_have_text("已确认")
        page.locator("textarea[name=measures]").fill("关闭进料阀，倒罐降液位")
        page.get_by_role("button", name="处置反馈").click()
        expect(page.get_by_test_id("alarm-status")).to_have_text("处置中")
        # Still above the limit: no 消警 yet.
        expect(page.get_by_role("button", name="消警")).to_have_count(0)
        expect(page.locator("#close-hint")).to_contain_text("恢复正常后方可消警")
        publisher.publish({"id": 3, "readings": [["LT-101", ingest.now_ms() - 500, 12.0]]})
        assert wait_for(lambda: 3 in publisher.result_ids(), 10)
        page.reload()
        page.get_by_role("button", name="消警").click()
        expect(page.get_by_test_id("alarm-status")).to_have_text("已消警")
        expect(page.locator("#timeline")).to_contain_text("消警")
    finally:
        publisher.close()
        subscriber.stop()
        thread.join(5)
