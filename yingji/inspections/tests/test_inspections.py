"""Inspections: findings become hazards, violations become cases, documents, statistics and the public page."""

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from yingji.core.models import Organization, OrganizationKind
from yingji.core.testing import add_enterprise_user, assert_official_layout
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard
from yingji.inspections import selectors, services
from yingji.inspections.models import Case, EnforcementStat, InspectedUnit, Inspection
from yingji.inspections.testing import bring_case_to, make_checklist, make_inspection, make_plan

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _finding(inspection, actor, **extra):
    return services.finding_add(actor=actor, inspection=inspection, description="液氨储罐区可燃气体报警器失效",
                                place="液氨储罐区", hazard_category="equipment", hazard_level="general",
                                rectify_by=inspection.inspected_on + datetime.timedelta(days=15), **extra)


def test_a_finding_becomes_an_enforcement_hazard_in_the_hazard_loop(world, firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    finding = _finding(inspection, world.county1_officer)
    hazard = Hazard.objects.get(pk=finding.hazard_id)
    assert (hazard.source, hazard.status, hazard.enterprise) == ("enforcement", "reported", firms["a"])
    assert hazard.description == finding.description
    assert "甲区执法员1" in hazard.found_by_name


def test_a_violation_opens_a_case_and_a_finding_without_one_cannot(world, firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    with pytest.raises(ValidationError, match="只有涉嫌违法行为才能立案"):
        _finding(inspection, world.county1_officer, open_case=True)
    assert not Hazard.objects.exists()
    finding = _finding(inspection, world.county1_officer, is_violation=True, open_case=True,
                       legal_basis="《安全生产法》第三十六条", case_title="未保证安全设备正常运转案")
    case = Case.objects.get()
    assert (case.finding, case.status, case.title) == (finding, "filed", "未保证安全设备正常运转案")
    assert case.code.startswith("AJ-390102-")


def test_an_inspection_needs_two_officers_and_no_future_date(world, firms, officers):
    with pytest.raises(ValidationError, match="两名以上"):
        make_inspection(firms["a"], officers["county1"][:1])
    with pytest.raises(ValidationError, match="不能晚于今天"):
        make_inspection(firms["a"], officers["county1"][:2], inspected_on=timezone.localdate() + datetime.timedelta(1))


def test_a_checklist_must_fit_the_enterprise_category(world, firms, officers):
    with pytest.raises(ValidationError, match="类别不一致"):
        make_inspection(firms["b"], officers["county1"][:2], checklist=make_checklist("hazchem_production"))


def test_the_finding_page_turns_a_finding_into_a_hazard(client, world, firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    client.force_login(world.county1_officer)
    response = client.post(reverse("inspections:inspection_finding", args=[inspection.pk]), {
        "description": "配电柜前未铺设绝缘垫", "place": "配电房", "hazard_category": "electrical",
        "hazard_level": "general", "rectify_by": (inspection.inspected_on + datetime.timedelta(7)).isoformat()})
    assert response.status_code == 302
    body = client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).content.decode()
    assert Hazard.objects.get().code in body


def test_word_documents_open_and_carry_the_record(client, world, firms, officers):
    Organization.objects.create(name="甲区应急管理局", kind=OrganizationKind.BUREAU, region=world.county1)
    inspection = make_inspection(firms["a"], officers["county1"][:2], checklist=make_checklist(), place="生产车间")
    _finding(inspection, None, is_violation=True, open_case=True, legal_basis="《安全生产法》第三十六条")
    case = bring_case_to(Case.objects.get(), "decided")
    client.force_login(world.county1_officer)
    record = client.get(reverse("inspections:inspection_document", args=[inspection.pk, "record"]))
    assert record["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = _text(record.content)
    assert inspection.code in text and "甲化工有限公司" in text and "液氨储罐区可燃气体报警器失效" in text
    assert officers["county1"][0].certificate_no in text and "共发现问题1项" in text
    order_file = client.get(reverse("inspections:inspection_document", args=[inspection.pk, "order"])).content
    order = _text(order_file)
    assert "责令限期整改指令书" in order and "液氨储罐区可燃气体报警器失效" in order
    # An official document of the enforcing bureau, with its own number, dated the inspection day (never the
    # download day, which may lie after the deadline it orders).
    year = inspection.inspected_on.year
    assert_official_layout(order_file, issuer="甲区应急管理局", number=f"甲区应急责改〔{year}〕1号",
                           title="责令限期整改指令书", day=inspection.inspected_on)
    again = client.get(reverse("inspections:inspection_document", args=[inspection.pk, "order"])).content
    assert f"甲区应急责改〔{year}〕1号" in _text(again)  # the same number every time
    assert_official_layout(record.content, issuer="甲区应急管理局", number=f"甲区应急检记〔{year}〕1号",
                           title="现场检查记录", day=inspection.inspected_on)
    decision_file = client.get(reverse("inspections:case_document", args=[case.pk])).content
    decision = _text(decision_file)
    assert "行政处罚决定书" in decision and "罚款人民币20,000.00元" in decision and case.decision_no in decision
    assert_official_layout(decision_file, issuer="甲区应急管理局", number=case.decision_no, title="行政处罚决定书",
                           day=Case.objects.get(pk=case.pk).decided_on)
    client.force_login(world.county2_officer)
    assert client.get(reverse("inspections:case_document", args=[case.pk])).status_code == 404


def test_the_roll_up_matches_counting_the_records_for_any_period(world, officers):
    rng = random.Random(8)
    firms = [EnterpriseFactory(region=world.village1 if n % 3 else world.village2) for n in range(8)]
    today = timezone.localdate()
    for n in range(40):
        firm = firms[rng.randrange(len(firms))]
        team = officers["county1"][:2] if firm.region_id == world.village1.pk else officers["county2"]
        day = today - datetime.timedelta(days=rng.randrange(400))
        inspection = make_inspection(firm, team, inspected_on=day)
        if rng.random() < 0.4:
            case = services.case_open(actor=None, inspection=inspection, title="案", facts="事实",
                                      filed_on=min(today, day + datetime.timedelta(days=rng.randrange(20))))
            if rng.random() < 0.7:
                for action in ("investigate", "notify"):
                    case = services.case_act(case=case, actor=None, action=action)
                services.case_decide(case=case, actor=None, decision_no=f"罚{n}", order_suspend=rng.random() < 0.3,
                                     order_close=rng.random() < 0.1, fine_yuan=Decimal(rng.choice([0, 5000, 30000])),
                                     order_rectify=True, rectify_deadline=today,
                                     decided_on=min(today, case.filed_on + datetime.timedelta(days=rng.randrange(30))))

    def expected(user, start, end):
        inspections = Inspection.objects.restrict(user).filter(inspected_on__gte=start, inspected_on__lte=end)
        cases = Case.objects.restrict(user)
        decided = [c for c in cases if c.decided_on and start <= c.decided_on <= end]
        return {"units_inspected": len({i.enterprise_id for i in inspections}), "inspections": inspections.count(),
                "cases": cases.filter(filed_on__gte=start, filed_on__lte=end).count(),
                "penalties": sum(c.is_penalty for c in decided), "suspensions": sum(c.order_suspend for c in decided),
                "closures": sum(c.order_close for c in decided),
                "fines_yuan": sum((c.fine_yuan for c in decided), Decimal(0))}

    periods = [(today - datetime.timedelta(days=400), today), (today.replace(day=1), today),
               (datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)),
               (today - datetime.timedelta(days=75), today - datetime.timedelta(days=3)), (today, today)]
    enterprise_user = add_enterprise_user(world, "firm", firms[1])
    for user in (world.city_admin, world.county1_officer, world.county2_officer, enterprise_user):
        for start, end in periods:
            assert selectors.enforcement_statistics(user=user, start=start, end=end) == expected(user, start, end)
    city = selectors.enforcement_statistics(user=world.city_admin, start=periods[0][0], end=today)
    county1 = selectors.enforcement_statistics(user=world.county1_officer, start=periods[0][0], end=today)
    assert 0 < county1["inspections"] < city["inspections"]
    assert EnforcementStat.objects.exists() and InspectedUnit.objects.exists()
    before = list(EnforcementStat.objects.order_by("month", "region").values())
    services.rebuild_statistics()
    after = list(EnforcementStat.objects.order_by("month", "region").values())
    assert [{k: v for k, v in r.items() if k != "id"} for r in before] == [
        {k: v for k, v in r.items() if k != "id"} for r in after]


def test_statistics_figures_read_as_the_bureaus_report_them(client, world, firms, officers):
    inspection = make_inspection(firms["a"], officers["county1"][:2])
    case = services.case_open(actor=None, inspection=inspection, title="案", facts="事实")
    services.case_act(case=case, actor=None, action="investigate")
    services.case_act(case=case, actor=None, action="notify")
    services.case_decide(case=case, actor=None, decision_no="罚1", order_suspend=True, fine_yuan=Decimal("132000"))
    client.force_login(world.county1_officer)
    body = client.get(reverse("inspections:statistics")).content.decode()
    assert "执法检查生产经营单位1个，实施行政处罚1次，责令停产整顿1家，关闭取缔0个，罚款13.20万元" in body
    client.force_login(world.county2_officer)
    assert "执法检查生产经营单位0个" in client.get(reverse("inspections:statistics")).content.decode()
    api = client.get("/api/inspections/statistics/?from=2026-01-01&to=2026-12-31").json()
    assert api["inspections"] == 0
    assert client.get("/api/inspections/statistics/?from=2026-13-01").status_code == 400


def test_the_public_page_shows_only_what_is_past_its_publication_delay(client, world, firms, officers, settings):
    settings.INSPECTIONS_PUBLICATION_DELAYS = {"plan": 0, "draw": 1, "inspection": 7}
    today = timezone.localdate()
    old = make_inspection(firms["a"], officers["county1"][:2], inspected_on=today - datetime.timedelta(days=10))
    recent = make_inspection(firms["b"], officers["county1"][2:], inspected_on=today - datetime.timedelta(days=2))
    filed = make_plan(world.county1, status="filed")
    draft = make_plan(world.county2)
    draw = services.draw_inspection(actor=None, region=world.county1, title="本季度抽查公示", count=1, seed="4")
    body = client.get(reverse("inspections:public")).content.decode()
    assert old.code in body and recent.code not in body
    assert filed.title in body and draft.title not in body
    assert "本季度抽查公示" not in body
    type(draw).objects.filter(pk=draw.pk).update(drawn_at=timezone.now() - datetime.timedelta(days=2))
    assert "本季度抽查公示" in client.get(reverse("inspections:public")).content.decode()
