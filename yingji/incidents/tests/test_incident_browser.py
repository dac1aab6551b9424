"""The duty room's day in Debian's chromium: record, grade, report up, sign, overdue, dispatch from the map, allocate."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.incidents.models import Incident
from yingji.incidents.tasks import flag_overdue_reports
from yingji.incidents.testing import add_duty_people
from yingji.resources.models import StockBalance
from yingji.resources.services import stock_receive
from yingji.resources.testing import MaterialFactory, RescueTeamFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_incident_from_record_to_dispatch(page: Page, live_server, transactional_db):
    world = add_duty_people(build_world())
    team = RescueTeamFactory(region=world.county1, name="甲区危化救援队", longitude=118.51, latitude=36.41)
    store = WarehouseFactory(region=world.county1, name="甲区应急物资库")
    tents = MaterialFactory(name="救灾帐篷", unit="顶", code="TENT-01")
    stock_receive(warehouse=store, material=tents, quantity=100, document_number="RK-1", actor=None)
    base = live_server.url

    log_in(page, base, "county1_duty")
    page.goto(f"{base}/incidents/new/")
    page.get_by_label("事件名称").fill("甲一社区化工厂爆炸事故")
    page.get_by_label("事件类型").select_option("accident")
    page.get_by_label("事件子类").select_option("危险化学品事故")
    page.get_by_label("发生时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("发生地点").fill("甲一社区化工路8号")
    page.get_by_label("发生地区划").select_option(world.village1.pk)
    page.get_by_label("经度").fill("118.5")
    page.get_by_label("纬度").fill("36.4")
    page.get_by_label("死亡人数").fill("3")
    page.get_by_label("事件概况").fill("储罐区爆炸起火")
    page.get_by_label("信息来源").fill("企业报告")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#incident-grade")).to_have_text("较大")
    incident = Incident.objects.get(title="甲一社区化工厂爆炸事故")

    page.locator("#report-form").get_by_label("报告类型").select_option("first")
    page.locator("#report-form").get_by_role("button", name="报送").click()
    expect(page.locator("#reports")).to_contain_text("首报（第1次）")

    log_in(page, base, "city_duty")
    page.goto(f"{base}/incidents/reports/")
    page.get_by_role("link", name="首报").first.click()
    page.locator("#sign-form").get_by_role("button", name="签收").click()
    expect(page.locator(".detail-table").first).to_contain_text("已签收")

    log_in(page, base, "county1_duty")
    page.goto(f"{base}/incidents/{incident.pk}/")
    page.locator("#report-form").get_by_label("报告类型").select_option("follow_up")
    page.locator("#report-form").get_by_role("button", name="报送").click()
    Incident.objects.filter(pk=incident.pk).update(next_report_due=timezone.now() - timedelta(minutes=1))
    assert flag_overdue_reports() == 1
    page.reload()
    expect(page.locator("#overdue-flag")).to_have_text("报送超时")

    page.goto(f"{base}/incidents/map/?incident={incident.pk}")
    nearby = page.locator("#nearby")
    expect(nearby).to_contain_text("甲区危化救援队")
    nearby.get_by_role("button", name="调派").click()
    expect(nearby).to_contain_text("已下达")
    expect(page.locator("#task-feed")).to_contain_text("已下达")

    page.goto(f"{base}/incidents/{incident.pk}/")
    form = page.locator("#allocation-form")
    form.get_by_label("仓库").select_option(str(store.pk))
    form.get_by_label("物资").select_option(str(tents.pk))
    form.get_by_label("数量").fill("30")
    form.get_by_role("button", name="调拨").click()
    expect(page.locator("#allocations")).to_contain_text("救灾帐篷")
    assert StockBalance.objects.get(warehouse=store).quantity == 70
    page.goto(f"{base}/resources/warehouses/{store.pk}/")
    expect(page.locator("#stock")).to_contain_text("70 顶")

    log_in(page, base, "county1_rescue")
    page.goto(f"{base}/incidents/tasks/")
    page.get_by_role("link", name="甲区危化救援队").first.click()
    for label in ("签收任务", "开始执行"):
        page.get_by_role("button", name=label).click()
    page.get_by_placeholder("原因（必填）").fill("明火已扑灭，人员已搜救完毕")
    page.get_by_role("button", name="完成任务").click()
    expect(page.locator("#task-actions")).to_contain_text("已完成")
    team.refresh_from_db()
    assert team.status == "resting"
    page.goto(f"{base}/incidents/{incident.pk}/")
    expect(page.locator("#incident-timeline")).to_contain_text("完成任务")
