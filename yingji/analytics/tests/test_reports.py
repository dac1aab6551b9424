import datetime
import io
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.shared import Mm
from matplotlib.ticker import MaxNLocator

from yingji.analytics import services
from yingji.analytics.charts import bar_chart
from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.analytics.specs import MONTHLY_REPORT
from yingji.analytics.states import WORKFLOW
from yingji.analytics.tasks import build_queued_reports
from yingji.analytics.testing import MONTH, fill_county
from yingji.core.models import StateChange
from yingji.core.testing import ScopedModelViewTests, assert_official_layout
from yingji.core.workflow import InvalidTransition, transition
from yingji.disasters.models import ConsultationKind, ConsultationPeriod
from yingji.monitoring.models import OnlineRate, OnlineSubject
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db


def request(world, region, month=MONTH, actor=None):
    return services.monthly_report_request(actor=actor, region=region, month=month)


def built(report: MonthlyReport) -> MonthlyReport:
    services.monthly_report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def docx_text(report: MonthlyReport) -> tuple[str, list[list[str]]]:
    with report.file.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows


def row_for(rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in rows if r and r[0] == first)


class MonthlyReportDeclarations:
    spec = MONTHLY_REPORT

    def make_in_scope(self, world):
        return request(world, world.county1)

    def make_out_of_scope(self, world):
        return request(world, world.county2)

    def valid_form_data(self, world, region=None):
        return {"region": (region or world.county1).code, "month": "2026-10"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "month": "2026-13"}, "月份格式应为"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestMonthlyReportPages(MonthlyReportDeclarations, ScopedModelViewTests):
    actor = "county1_officer"


def test_the_report_holds_the_real_figures_of_its_month(world):
    mine = fill_county(world, world.village1, general=3, major=2, closed=1, incidents=3, larger=1, alarms=2, teams=0)
    fill_county(world, world.village2, general=7, major=5, closed=0, incidents=6, larger=2, alarms=1, teams=0)
    # Outside the month: never in its figures.
    fill_county(world, world.village1, general=4, major=0, closed=0, incidents=2, larger=0, alarms=0, teams=0,
                month=datetime.date(2026, 8, 1))
    report = built(request(world, world.county1))
    assert report.status == ReportStatus.DONE, report.error
    text, rows = docx_text(report)
    assert "甲区2026年10月安全风险分析报告" in text
    assert (f"本月发现隐患 {mine.hazards_found} 项，已销号 {mine.hazards_closed} 项，整改率 20%，逾期未整改 "
            f"{mine.overdue} 项；其中重大隐患 {mine.major_found} 项") in text
    assert row_for(rows, "发现隐患（项）")[1:3] == [str(mine.hazards_found), "0"]
    assert f"本月发生突发事件 {mine.incidents} 起" in text
    assert f"死亡 {mine.deaths} 人" in text
    assert row_for(rows, "较大")[1] == str(mine.larger_incidents)
    assert row_for(rows, "一般")[1] == str(mine.incidents - mine.larger_incidents)
    assert f"本月产生报警 {mine.open_alarms} 条" in text
    assert "乙区" not in text and "乙一" not in text
    assert report.figures["hazards"]["current"]["found"] == mine.hazards_found
    larger = f"发生较大突发事件 {mine.larger_incidents} 起"
    assert larger in [a["text"] for a in report.figures["attention"]]
    assert any(larger in line for line in text.splitlines())
    report.file.open("rb")
    content = report.file.read()
    report.file.close()
    document = assert_official_layout(content, issuer="甲区应急管理局", number=None,
                                      title="甲区2026年10月安全风险分析报告", day=timezone.localdate())
    captions = [p.text for p in document.paragraphs if p.text.startswith("图")]
    assert captions[0] == "图1　各区域隐患发现与销号" and len(document.inline_shapes) == len(captions)


def test_a_city_report_adds_up_its_counties(world):
    first = fill_county(world, world.village1, general=2, major=1, closed=0, incidents=1, larger=0, alarms=0,
                        teams=0)
    second = fill_county(world, world.village2, general=4, major=0, closed=2, incidents=2, larger=0, alarms=0,
                         teams=0)
    text, rows = docx_text(built(request(world, world.city)))
    assert f"本月发现隐患 {first.hazards_found + second.hazards_found} 项" in text
    assert row_for(rows, "甲区")[1] == str(first.hazards_found)
    assert row_for(rows, "乙区")[1:3] == [str(second.hazards_found), str(second.hazards_closed)]


def test_a_supervisor_cannot_ask_for_another_countys_report(world):
    with pytest.raises(PermissionDenied):
        request(world, world.county2, actor=world.county1_officer)
    assert not MonthlyReport.objects.exists()


def test_leaders_see_reports_but_cannot_ask_for_them(world):
    with pytest.raises(PermissionDenied):
        request(world, world.county1, actor=world.county1_leader)


def test_a_future_month_or_a_village_is_refused_in_chinese(world):
    with pytest.raises(ValidationError, match="未来月份"):
        request(world, world.county1, month=datetime.date(2027, 1, 1))
    with pytest.raises(ValidationError, match="乡镇"):
        request(world, world.village1)


def test_download_is_scoped(client, world):
    mine, theirs = built(request(world, world.county1)), built(request(world, world.county2))
    client.force_login(world.county1_officer)
    response = client.get(reverse("analytics:monthlyreport_download", args=[mine.pk]))
    assert response.status_code == 200
    Document(io.BytesIO(b"".join(response.streaming_content)))
    assert client.get(reverse("analytics:monthlyreport_download", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("analytics:monthlyreport_progress", args=[theirs.pk])).status_code == 404


def test_progress_polls_until_the_report_is_done(client, world):
    report = request(world, world.county1)
    client.force_login(world.county1_officer)
    url = reverse("analytics:monthlyreport_progress", args=[report.pk])
    assert "hx-trigger=\"every 1s\"" in client.get(url).content.decode()
    built(report)
    content = client.get(url).content.decode()
    assert "hx-trigger" not in content
    assert reverse("analytics:monthlyreport_download", args=[report.pk]) in content


def test_the_first_day_of_a_month_queues_last_months_reports_once(world):
    assert services.schedule_monthly_reports(today=datetime.date(2026, 12, 1)) == 3
    assert services.schedule_monthly_reports(today=datetime.date(2026, 12, 1)) == 0
    assert services.schedule_monthly_reports(today=datetime.date(2026, 12, 15)) == 0
    reports = MonthlyReport.objects.filter(automatic=True)
    assert {r.region_id for r in reports} == {world.city.code, world.county1.code, world.county2.code}
    assert {r.month for r in reports} == {datetime.date(2026, 11, 1)}


def test_the_sweep_builds_a_report_no_worker_took(world):
    report = request(world, world.county1)
    MonthlyReport.objects.filter(pk=report.pk).update(requested_at=report.requested_at - datetime.timedelta(hours=1))
    assert build_queued_reports() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.file
    assert build_queued_reports() == 0


def test_a_failed_build_is_recorded_and_can_be_retried(world, monkeypatch):
    report = request(world, world.county1)

    def broken(*args, **kwargs):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr("yingji.analytics.report.report_figures", broken)
    report = built(report)
    assert report.status == ReportStatus.FAILED and "数据库连接中断" in report.error
    monkeypatch.undo()
    services.monthly_report_retry(report=report, actor=world.county1_officer)
    assert built(report).status == ReportStatus.DONE
    actions = list(StateChange.objects.filter(subject_id=str(report.pk)).order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["start", "fail", "retry", "start", "finish"]


STATES = [s.value for s in ReportStatus]
ACTIONS = sorted({t.action for t in WORKFLOW.transitions})


@pytest.mark.parametrize(("state", "action"), list(itertools.product(STATES, ACTIONS)))
def test_every_move_of_the_table_and_only_those(world, state, action):
    report = request(world, world.county1)
    MonthlyReport.objects.filter(pk=report.pk).update(status=state)
    report.refresh_from_db()
    allowed = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
    if (state, action) in allowed:
        moved = transition(report, workflow=WORKFLOW, action=action, actor=None)
        assert moved.status == allowed[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            transition(report, workflow=WORKFLOW, action=action, actor=None)


def test_only_the_worker_builds_and_people_may_only_retry(world):
    report = request(world, world.county1)
    with pytest.raises(InvalidTransition, match="无权"):
        transition(report, workflow=WORKFLOW, action="start", actor=world.county1_officer)
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    report.refresh_from_db()
    with pytest.raises(InvalidTransition, match="无权"):
        services.monthly_report_retry(report=report, actor=world.county1_leader)


def test_charts_name_their_categories_and_an_all_zero_chart_is_not_drawn():
    image = bar_chart(["甲区", "乙区", "丙区"], [[3, 0, 12], [1, 2, 3]], ["发现", "已销号"], value_label="隐患（项）")
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    document = Document()
    document.add_picture(io.BytesIO(image), width=Mm(150))
    assert document.inline_shapes[0].width == Mm(150)
    assert bar_chart(["甲区", "乙区"], [[0, 0], [0, 0]], ["发现", "已销号"], value_label="隐患（项）") is None
    assert bar_chart([], [[]], ["发现"], value_label="隐患（项）") is None


def test_count_axes_have_whole_number_ticks(monkeypatch):
    seen = {}
    original = MaxNLocator.__init__

    def spy(self, *args, **kwargs):
        seen.update(kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(MaxNLocator, "__init__", spy)
    bar_chart(["甲区"], [[1]], ["发现"], value_label="隐患（项）")
    assert seen.get("integer") is True


def test_consultation_judgements_for_next_month_are_in_the_report(world):
    disasters = pytest.importorskip("yingji.disasters.services")

    consultation = disasters.consultation_create(
        actor=None, topic="十一月自然灾害风险会商", kind=ConsultationKind.REGULAR, period=ConsultationPeriod.MONTHLY,
        region=world.county1, held_at=datetime.datetime(2026, 10, 28, 2, tzinfo=datetime.UTC),
        period_start=datetime.date(2026, 11, 1), period_end=datetime.date(2026, 11, 30), conclusions="森林火险偏高。")
    disasters.judgement_create(actor=None, consultation=consultation, region=world.county1, hazard_type="flood",
                               level=3, description="甲区低洼地带须防范强降雨引发内涝")
    disasters.consultation_act(consultation=consultation, actor=None, action="hold")
    other = disasters.consultation_create(
        actor=None, topic="乙区会商", kind=ConsultationKind.REGULAR, period=ConsultationPeriod.MONTHLY,
        region=world.county2, held_at=datetime.datetime(2026, 10, 28, 2, tzinfo=datetime.UTC),
        period_start=datetime.date(2026, 11, 1), period_end=datetime.date(2026, 11, 30), conclusions="无")
    disasters.judgement_create(actor=None, consultation=other, region=world.county2, hazard_type="flood", level=4,
                               description="乙区山洪风险")
    disasters.consultation_act(consultation=other, actor=None, action="hold")
    report = built(request(world, world.county1))
    text, _rows = docx_text(report)
    assert "甲区洪涝风险为较大风险（橙）：甲区低洼地带须防范强降雨引发内涝（十一月自然灾害风险会商）。" in text
    assert "390102000000" not in text
    assert "乙区山洪风险" not in text
    assert any("甲区低洼地带" in a["text"] for a in report.figures["attention"])


def test_the_online_rate_adds_up_the_days_of_the_month_in_scope(world):
    from django.utils import timezone

    def day_rate(region, day, online, expected=86_400):
        point = make_point(make_source(region))
        OnlineRate.objects.create(day=day, subject=OnlineSubject.POINT, point=point, enterprise=point.enterprise,
                                  region_id=point.region_id, expected_seconds=expected, online_seconds=online,
                                  rate=online / expected, computed_at=timezone.now())

    day_rate(world.village1, MONTH, 86_400)
    day_rate(world.village1, MONTH + datetime.timedelta(days=30), 43_200)
    day_rate(world.village2, MONTH, 0)  # another county's
    day_rate(world.village1, MONTH - datetime.timedelta(days=1), 0)  # the month before
    report = built(request(world, world.county1))
    assert report.figures["alarms"]["online_rate"] == 75.0
    assert "月度数据在线率 75" in docx_text(report)[0]
