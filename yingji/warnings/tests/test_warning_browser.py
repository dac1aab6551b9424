"""The whole loop in Debian's chromium: draft, sign, CAP, delivery through the simulator, answers, escalation,
the board; an upstream CAP forwarded; malformed CAP and bad Excel rows refused with clear errors."""

import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.services import region_create
from yingji.core.testing import build_world
from yingji.warnings import cap, services
from yingji.warnings.delivery import escalate_due, send_queued
from yingji.warnings.models import Channel, Delivery, Recipient, ResponsiblePerson, Warning, WarningStatus
from yingji.warnings.simulator import GatewaySimulator
from yingji.warnings.testing import GATEWAY_TOKEN, add_warning_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MESSAGES = Path(__file__).parent / "messages"


def wait_for(condition, seconds: float = 8.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def bureau(transactional_db, settings, live_server):
    world = add_warning_staff(build_world())
    township1 = world.regions["390102001000"]
    township2 = region_create(actor=None, code="390102002000", name="甲二街道", level="township", parent=world.county1)
    village3 = region_create(actor=None, code="390102002001", name="甲三社区", level="village", parent=township2)
    chief1 = services.person_create(actor=None, region=township1, role="guarantor", name="甲一包保", phone="13800000101")
    chief2 = services.person_create(actor=None, region=township2, role="guarantor", name="甲二包保", phone="13800000102")
    for index, (region, chief) in enumerate([(world.village1, chief1), (world.regions["390102001002"], chief1),
                                             (village3, chief2), (village3, chief2)]):
        services.person_create(actor=None, region=region, role="village_cadre", name=f"村干部{index + 1}",
                               phone=f"1380000020{index + 1}", superior=chief)
    # The callback accepts only the gateway that presents the shared token.
    settings.WARNING_GATEWAY_TOKEN = GATEWAY_TOKEN
    simulator = GatewaySimulator(answer_rate=0.5, answer_after=0.1, token=GATEWAY_TOKEN).start()
    for name in ("WARNING_SMS_GATEWAY_URL", "WARNING_VOICE_GATEWAY_URL", "WARNING_BROADCAST_URL"):
        setattr(settings, name, simulator.url + name.split("_")[1].lower())
    settings.WARNING_CALLBACK_BASE_URL = live_server.url
    world.townships = [township1, township2]
    world.simulator = simulator
    yield world
    simulator.stop()


def test_a_red_warning_reaches_named_people_and_the_silent_are_escalated(page: Page, live_server, bureau):
    base = live_server.url
    now = timezone.localtime()
    log_in(page, base, "county1_duty")
    page.goto(f"{base}/warnings/new/")
    page.select_option("#id_region", bureau.county1.pk)
    page.select_option("#id_kind", "weather")
    page.select_option("#id_event_type", "11B03")
    page.select_option("#id_level", "red")
    page.fill("#id_headline", "甲区应急管理局发布暴雨红色预警")
    page.fill("#id_description", "未来3小时甲一、甲二街道将出现100毫米以上降雨。")
    page.fill("#id_instructions", "立即转移低洼地带群众。")
    for township in bureau.townships:
        page.check(f"input[name=area_regions][value='{township.pk}']")
    # Ticking a township covers its villages: the tree greys them out.
    expect(page.locator(f"input[name=area_regions][value='{bureau.village1.pk}']")).to_be_disabled()
    # A polygon drawn with plain Leaflet events: click the vertices, double-click to finish.
    page.get_by_role("button", name="在地图上划定范围").click()
    drawing = page.get_by_test_id("area-map")
    drawing.click(position={"x": 80, "y": 80})
    drawing.click(position={"x": 240, "y": 90})
    drawing.dblclick(position={"x": 160, "y": 220})
    expect(drawing).to_have_attribute("data-polygon-vertices", "3")
    assert '"Polygon"' in page.input_value("#id_area_polygon")
    page.fill("#id_onset", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_expires", (now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("甲区应急管理局发布暴雨红色预警")
    page.locator("form.transition-form[data-action=submit] button").click()
    expect(page.locator("body")).to_contain_text("待签发")
    expect(page.locator("form.transition-form[data-action=approve] button")).to_have_count(0)

    log_in(page, base, "county1_signer")
    warning = Warning.objects.get()
    page.goto(f"{base}/warnings/{warning.pk}/")
    page.locator("form.transition-form[data-action=approve] button").click()
    expect(page.get_by_test_id("cap-link")).to_be_visible()
    expect(page.get_by_test_id("warning-area-map")).to_have_attribute("data-area-features", "1")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PUBLISHED
    assert len(warning.area_polygon["coordinates"][0]) == 4
    cap.validate_cap(warning.cap_xml.encode())
    assert "<polygon>" in warning.cap_xml
    assert cap.parse(page.request.get(f"{base}/warnings/public/cap/{warning.identifier}.xml").body()).identifier \
        == warning.identifier

    # The worker hands the queue to the simulated gateway, which answers as the people would.
    send_queued()
    phones = set(warning.recipients.values_list("phone", flat=True))
    assert {m["to"] for m in bureau.simulator.received if m["channel"] == "sms"} == phones
    answering = {p for p in phones if bureau.simulator.answers(p)}
    assert answering and answering != phones
    assert wait_for(lambda: set(warning.recipients.filter(status="acknowledged").values_list("phone", flat=True))
                    == answering)

    # Nobody else answered in time: the voice call, then the superior.
    Recipient.objects.filter(warning=warning, status="pending").update(next_step_at=timezone.now())
    escalate_due()
    send_queued()
    assert {m["to"] for m in bureau.simulator.received if m["channel"] == "voice"} == phones - answering
    voice_answering = {p for p in phones - answering if bureau.simulator.answers(p + "voice")}
    assert wait_for(lambda: set(warning.recipients.filter(ack_channel="voice").values_list("phone", flat=True))
                    == voice_answering)
    Recipient.objects.filter(warning=warning, status="pending").update(next_step_at=timezone.now())
    escalate_due()
    send_queued()
    silent = phones - answering - voice_answering
    superiors = set(Delivery.objects.filter(warning=warning, to_superior=True, channel=Channel.SMS)
                    .values_list("recipient__phone", flat=True))
    assert superiors == silent
    assert {m["to"] for m in bureau.simulator.received if "未应答" in m["text"]} <= {"13800000101", "13800000102"}

    page.goto(f"{base}/warnings/{warning.pk}/board/")
    table = page.get_by_test_id("board-townships")
    expect(table).to_contain_text("甲一街道")
    expect(table).to_contain_text("甲二街道")
    summary = {r["township"]: r for r in __import__("yingji.warnings.selectors", fromlist=["x"]).board_summary(
        warning, bureau.county1_signer)["rows"]}
    for township in bureau.townships:
        # 叫应率 per township counted here from the rows, not taken from the board's own selector.
        people = warning.recipients.filter(township=township)
        rate = round(100 * people.filter(status="acknowledged").count() / people.count(), 1)
        assert summary[township.name]["rate"] == rate
        expect(table.locator("tr", has_text=township.name)).to_contain_text(str(rate))


def test_an_upstream_cap_is_forwarded_and_bad_input_gets_clear_errors(page: Page, live_server, bureau):
    base = live_server.url
    log_in(page, base, "county1_admin")
    page.goto(f"{base}/warnings/upstream/upload/")
    page.set_input_files("input[name=file]", files=[{"name": "bad.xml", "mimeType": "text/xml",
                                                     "buffer": b"<alert><identifier>x"}])
    page.get_by_role("button", name="校验并接收").click()
    expect(page.locator(".alert-danger")).to_contain_text("不是格式正确的 XML")
    page.set_input_files("input[name=file]", str(MESSAGES / "met_rainstorm_alert.xml"))
    page.get_by_role("button", name="校验并接收").click()
    expect(page.locator("h1")).to_have_text("测试市气象台发布暴雨橙色预警")
    page.select_option("#id_region", bureau.county1.pk)
    page.select_option("#id_area_regions", [bureau.townships[0].pk])
    page.fill("#id_local_instructions", "甲一街道群众转移至甲一小学。")
    page.get_by_role("button", name="转发").click()
    expect(page.locator("body")).to_contain_text("甲一小学")
    assert Warning.objects.get().upstream is not None

    book = Workbook()
    book.active.append(["姓名", "手机号", "责任类型", "责任区划代码", "网格", "职务", "上级责任人手机号", "在岗"])
    book.active.append(["新网格员", "13900009999", "网格员", bureau.village1.code, "二网格", "", "13800000101", "是"])
    book.active.append(["坏号码", "139", "网格员", bureau.village1.code, "", "", "", "是"])
    buffer = io.BytesIO()
    book.save(buffer)
    page.goto(f"{base}/warnings/persons/import/")
    page.set_input_files("input[type=file]", files=[{"name": "责任人.xlsx", "buffer": buffer.getvalue(),
                                                     "mimeType": "application/vnd.openxmlformats-officedocument."
                                                                 "spreadsheetml.sheet"}])
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("body")).to_contain_text("第 3 行")
    expect(page.locator("body")).to_contain_text("手机号")
    # The good row is kept, the bad one is not.
    assert ResponsiblePerson.objects.filter(phone="13900009999", superior__phone="13800000101").exists()
    assert not ResponsiblePerson.objects.filter(name="坏号码").exists()
