"""The duty room's day in Debian's chromium: record (nothing typed that a screen can offer), grade, report up to the
city, signed by the city on the incident page, the Word report in the county bureau's name, overdue, dispatch from
the map, allocate."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory
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
    EnterpriseFactory(region=world.village1, name="甲一化工有限公司", address="甲一社区化工路8号",
                      longitude=118.5, latitude=36.4)
    tents = MaterialFactory(name="救灾帐篷", unit="顶", code="TENT-01")
    stock_receive(warehouse=store, material=tents, quantity=100, document_number="RK-1", actor=None)
    base = live_server.url

    log_in(page, base, "county1_duty")
    page.goto(f"{base}/incidents/new/")
    page.get_by_label("事件名称").fill("甲一社区化工厂爆炸事故")
    page.get_by_label("事件类型").select_option("accident")
    page.get_by_label("事件子类").select_option("危险化学品事故")
    page.get_by_label("发生时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    # The place, its region and its point come from the enterprise chosen by name: nothing typed.
    page.locator("#id_enterprise").select_option(label="甲一化工有限公司")
    expect(page.locator("#id_place")).to_have_value("甲一社区化工路8号")
    page.get_by_label("死亡人数").fill("3")
    page.get_by_label("事件概况").fill("储罐区爆炸起火")
    page.get_by_label("信息来源").fill("企业报告")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#incident-grade")).to_have_text("较大")
    incident = Incident.objects.get(title="甲一社区化工厂爆炸事故")
    assert (incident.region_id, incident.longitude, incident.latitude) == (world.village1.code, 118.5, 36.4)

    page.locator("#report-form").get_by_label("报告类型").select_option("first")
    page.locator("#report-form").get_by_role("button", name="报送").click()
    expect(page.locator("#reports")).to_contain_text("首报（第1次）")
    # The county reports up to the city; the sender does not sign her own report.
    expect(page.locator("#reports")).to_contain_text("测试市")
    expect(page.locator("#reports form.transition-form")).to_have_count(0)

    # The city's duty officer signs on the incident page itself.
    log_in(page, base, "city_duty")
    page.goto(f"{base}/incidents/{incident.pk}/")
    page.locator("#reports form.transition-form[data-action=sign] button").click()
    expect(page.locator("#reports")).to_contain_text("已签收")
    with page.expect_download() as info:
        page.locator("#reports").get_by_role("link", name="Word").first.click()
    word = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "甲区应急管理局" in text and "测试市应急管理局" in text
    assert "甲一社区应急管理" not in text

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
    form.get_by_label("仓库").select_option(label="甲区应急物资库")
    form.get_by_label("物资").select_option(label=str(tents))
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
