"""The cockpit and a generated monthly report as leaders and supervisors use them, in Debian's chromium."""

import io

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from yingji.analytics import rollups
from yingji.analytics.testing import add_cockpit_people, fill_county
from yingji.celery import app as celery_app
from yingji.core import outbox
from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.incidents.testing import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(transactional_db):
    world = add_cockpit_people(build_world())
    mine = fill_county(world, world.village1, general=3, major=2, closed=1, incidents=3, larger=1, alarms=2, teams=2)
    fill_county(world, world.village2, general=6, major=4, closed=0, incidents=5, larger=0, alarms=1, teams=1)
    rollups.refresh_tallies()
    return world, mine


def test_the_cockpit_shows_its_county_live_and_a_monthly_report_opens_with_its_figures(
        page: Page, live_server, city, settings, tmp_path):
    world, mine = city
    settings.COCKPIT_POLL_SECONDS = 1
    base = live_server.url
    log_in(page, base, "county1_leader")
    page.goto(f"{base}/analytics/")
    expect(page.get_by_test_id("cockpit-title")).to_have_text("甲区指挥大屏")
    expect(page.get_by_test_id("figure-open_incidents").locator(".value")).to_have_text(str(mine.open_incidents))
    expect(page.get_by_test_id("figure-major_hazards").locator(".value")).to_have_text(str(mine.major_open))
    expect(page.get_by_test_id("figure-open_alarms").locator(".value")).to_have_text(str(mine.open_alarms))
    expect(page.locator("#cockpit-map")).to_have_attribute("data-incidents", str(mine.open_incidents))
    # A new incident reaches the screen without a reload.
    IncidentFactory(region=world.village1, title="甲一社区仓库火灾")
    expect(page.get_by_test_id("figure-open_incidents").locator(".value")).to_have_text(str(mine.open_incidents + 1))
    page.get_by_test_id("figure-open_incidents").click()
    expect(page.locator("body")).to_contain_text("甲一社区仓库火灾")
    assert "region=" + world.county1.code in page.url

    # Generated at once by an eager worker; the page polls its progress until the download appears.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        download = generate_and_download(page, base, world, tmp_path)
    finally:
        celery_app.conf.task_always_eager = eager
    document = Document(io.BytesIO(download))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "甲区2026年10月安全风险分析报告" in text
    assert f"本月发现隐患 {mine.hazards_found} 项，已销号 {mine.hazards_closed} 项" in text
    assert f"本月发生突发事件 {mine.incidents} 起" in text
    assert "乙区" not in text
    assert len(document.inline_shapes) >= 2


def generate_and_download(page: Page, base: str, world, tmp_path) -> bytes:
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/analytics/reports/new/")
    page.get_by_label("区域").select_option(world.county1.code)
    page.get_by_label("月份").fill("2026-10")
    page.get_by_role("button", name="生成报告").click()
    expect(page.get_by_test_id("report-status")).to_be_visible()
    # The test is the worker: whatever the request's own inline run left, the outbox is drained here, as
    # `run_outbox` would; the page must then show the progress through to the download by itself.
    outbox.drain()
    expect(page.get_by_test_id("report-status")).to_have_text("已生成", timeout=30_000)
    with page.expect_download() as info:
        page.get_by_test_id("report-download").click()
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    return path.read_bytes()
