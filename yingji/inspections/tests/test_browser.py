"""The issue's story in Debian's chromium: draw, re-run, inspect, finding → hazard, violation → case → Word, 一公开."""

import io

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from yingji.core.browser_testing import log_in
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard
from yingji.inspections.models import Case, Draw, Inspection
from yingji.inspections.testing import make_inspector, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(transactional_db, settings):
    settings.INSPECTIONS_PUBLICATION_DELAYS = {"plan": 0, "draw": 0, "inspection": 0}
    world = build_world()
    for n in range(6):
        EnterpriseFactory(region=world.village1, name=f"甲区抽查企业{n}")
    for n in range(4):
        make_inspector(world.county1, name=f"甲区执法员{n}")
    world.plan = make_plan(world.county1, status="filed")
    return world


def act(page: Page, action: str) -> None:
    page.locator(f"form.transition-form[data-action={action}] button[type=submit]").click()
    page.wait_for_load_state()


def test_draw_rerun_inspect_finding_case_document_and_publication(page: Page, live_server, county):
    base = live_server.url
    log_in(page, base, "county1_officer")
    page.goto(f"{base}/inspections/plans/{county.plan.pk}/")
    page.get_by_role("link", name="按本计划双随机抽取").click()
    page.get_by_label("抽取对象数").fill("2")
    page.get_by_label("随机种子（可选）").fill("20261123")
    page.get_by_role("button", name="抽取").click()
    expect(page.get_by_test_id("draw-result").locator("tr.draw-row")).to_have_count(2)
    drawn = page.get_by_test_id("draw-result").inner_text()
    draw = Draw.objects.get()
    assert draw.seed == "20261123" and draw.plan == county.plan and len(draw.target_ids) == 2

    page.get_by_role("link", name="按记录重新计算").click()
    expect(page.get_by_test_id("rerun-result")).to_contain_text("复核一致")
    assert page.get_by_test_id("draw-result").inner_text() == drawn

    page.get_by_role("link", name="登记检查").first.click()
    page.get_by_label("检查场所").fill("生产车间")
    page.get_by_role("button", name="保存").click()
    inspection = Inspection.objects.get()
    expect(page.locator("h1")).to_have_text(inspection.code)
    assert inspection.draw == draw and inspection.enterprise_id == draw.target_ids[0]
    assert sorted(inspection.inspectors.values_list("pk", flat=True)) == draw.teams[draw.target_ids[0]]

    finding = page.locator("#finding-form")
    finding.get_by_label("问题描述").fill("特种作业人员无证上岗")
    finding.get_by_label("部位").fill("锅炉房")
    finding.get_by_label("隐患类别").select_option(label="特种设备")
    finding.get_by_label("涉嫌违法行为").check()
    finding.get_by_label("违反的规定").fill("《安全生产法》第三十条")
    finding.get_by_label("立案查处").check()
    finding.get_by_label("案由").fill("特种作业人员未持证上岗案")
    finding.get_by_role("button", name="登记问题").click()
    hazard = Hazard.objects.get()
    assert hazard.source == "enforcement" and hazard.enterprise_id == inspection.enterprise_id
    expect(page.get_by_test_id("findings")).to_contain_text(hazard.code)

    page.locator("a.case-link").click()
    case = Case.objects.get()
    expect(page.locator("h1")).to_have_text(case.code)
    act(page, "investigate")
    act(page, "notify")
    decide = page.locator("form.transition-form[data-action=decide]")
    decide.get_by_label("决定书文号").fill("甲应急罚〔2026〕8号")
    decide.get_by_label("责令停产整顿").check()
    decide.get_by_label("罚款（元）").fill("30000")
    act(page, "decide")
    expect(page.locator("#case-status")).to_contain_text("决定")
    with page.expect_download() as download:
        page.get_by_test_id("doc-decision").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(open(download.value.path(), "rb").read())).paragraphs)
    assert "罚款人民币30,000.00元" in text and "责令停产整顿" in text and case.decision_no in text

    page.context.clear_cookies()
    page.goto(f"{base}/inspections/public/")
    public_draw = page.get_by_test_id("public-draw")
    expect(public_draw).to_contain_text(draw.title)
    expect(public_draw).to_contain_text(draw.seed)
    expect(page.get_by_test_id("public-inspections")).to_contain_text(inspection.code)
    expect(page.get_by_test_id("public-inspections")).to_contain_text("立案查处1件")
