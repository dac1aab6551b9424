"""Exercise mode: a drill runs through the real screens, is marked 演练 everywhere and never counts as real."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from yingji.core.models import Notification
from yingji.core.services import organization_create
from yingji.incidents import services
from yingji.incidents.models import DispatchTask, Incident, IncidentReport, MaterialAllocation
from yingji.incidents.selectors import incident_statistics, incidents_for, real_incidents
from yingji.incidents.tasks import flag_overdue_reports
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.resources.models import StockBalance, StockMovement
from yingji.resources.services import stock_receive
from yingji.resources.testing import MaterialFactory, RescueTeamFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return add_duty_people(world)


@pytest.fixture
def pair(people):
    """A real incident and a drill with casualties in county 1 (the drill's figures must never show)."""
    real = IncidentFactory(region=people.village1, title="真实火灾事故", actor=people.county1_duty)
    drill = IncidentFactory(region=people.village1, title="演练化工泄漏", deaths=5, serious_injuries=20,
                            is_exercise=True, actor=people.county1_duty)
    return real, drill


def test_a_drill_is_numbered_apart_and_cannot_be_turned_real(people, pair):
    real, drill = pair
    day = timezone.localtime(drill.occurred_at).strftime("%Y%m%d")
    assert drill.is_exercise and drill.code == f"YL390102{day}001"
    assert real.code == f"SJ390102{day}001"
    updated = services.incident_update(incident=drill, actor=people.county1_duty, is_exercise=False, deaths=6)
    assert updated.is_exercise and updated.deaths == 6


def test_the_selectors_leave_drills_out(people, pair):
    real, drill = pair
    assert list(real_incidents(people.city_duty)) == [real]
    assert list(incidents_for(people.city_duty, exercise=True)) == [drill]
    stats = incident_statistics(people.city_duty)
    assert stats["totals"]["count"] == 1 and stats["totals"]["deaths"] == 0
    assert {r["name"]: r["total"] for r in stats["by_grade"]}["重大"] == 0
    assert [r["total"] for r in stats["by_county"]] == [1]


def test_lists_and_exports_show_drills_only_when_asked(client, people, pair):
    client.force_login(people.county1_duty)
    url = reverse("incidents:incident_list")
    content = client.get(url).content.decode()
    assert "真实火灾事故" in content and "演练化工泄漏" not in content
    content = client.get(url, {"exercise": "exercise"}).content.decode()
    assert "演练化工泄漏" in content and "真实火灾事故" not in content
    content = client.get(url, {"exercise": "all"}).content.decode()
    assert "演练化工泄漏" in content and "真实火灾事故" in content
    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    titles = {cell.value for row in sheet.iter_rows() for cell in row}
    assert "真实火灾事故" in titles and "演练化工泄漏" not in titles


def test_report_and_task_lists_leave_drills_out(client, people, pair):
    real, drill = pair
    bureau = organization_create(actor=None, name="甲区消防大队", kind="bureau", region=people.county1)
    for incident in (real, drill):
        services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
        services.task_dispatch(incident=incident, actor=people.county1_duty, organization=bureau,
                               instruction=f"处置{incident.title}")
    client.force_login(people.city_duty)
    reports = client.get(reverse("incidents:incidentreport_list")).content.decode()
    assert "真实火灾事故" in reports and "演练化工泄漏" not in reports
    assert "演练化工泄漏" in client.get(reverse("incidents:incidentreport_list"), {"exercise": "exercise"}).content.decode()
    client.force_login(people.county1_duty)
    tasks = client.get(reverse("incidents:dispatchtask_list")).content.decode()
    assert real.code in tasks and drill.code not in tasks
    assert IncidentReport.objects.real().count() == 1 and DispatchTask.objects.real().count() == 1


def test_the_api_lists_real_incidents_unless_asked(people, pair):
    real, drill = pair
    api = APIClient()
    api.force_authenticate(people.county1_duty)
    assert [r["code"] for r in api.get("/api/incidents/").json()["results"]] == [real.code]
    listed = api.get("/api/incidents/", {"exercise": "exercise"}).json()["results"]
    assert [(r["code"], r["is_exercise"]) for r in listed] == [(drill.code, True)]
    created = api.post("/api/incidents/", {
        "title": "接口接报", "category": "accident", "subtype": "火灾事故", "occurred_at": timezone.now().isoformat(),
        "place": "甲一社区", "region": people.village1.pk, "longitude": 118.5, "latitude": 36.4,
        "description": "起火", "source": "电话", "is_exercise": True}, format="json")
    assert created.status_code == 201 and created.json()["is_exercise"] is False


def test_the_map_and_statistics_never_show_a_drill(client, people, pair):
    real, drill = pair
    client.force_login(people.city_duty)
    points = client.get(reverse("incidents:incident_geojson")).json()["features"]
    assert [f["properties"]["id"] for f in points] == [real.pk]
    feed = client.get(reverse("incidents:feed")).json()
    assert [f["properties"]["id"] for f in feed["incidents"]] == [real.pk]
    drills = client.get(reverse("incidents:feed"), {"exercise": "1"}).json()["incidents"]
    assert [f["properties"]["id"] for f in drills] == [drill.pk]
    assert "演练模式" in client.get(reverse("incidents:command_map"), {"exercise": "1"}).content.decode()
    page = client.get(reverse("incidents:incident_statistics"))
    assert page.status_code == 200 and page.context["stats"]["totals"]["count"] == 1


def test_a_drills_pages_and_word_report_are_marked(client, people, pair):
    real, drill = pair
    report = services.report_submit(incident=drill, actor=people.county1_duty, kind="first")
    client.force_login(people.city_duty)
    page = client.get(reverse("incidents:incident_detail", args=[drill.pk])).content.decode()
    assert 'id="exercise-banner"' in page and "【演练】演练化工泄漏" in page
    assert 'id="exercise-banner"' not in client.get(reverse("incidents:incident_detail", args=[real.pk])).content.decode()
    assert 'id="exercise-banner"' in client.get(reverse("incidents:incidentreport_detail", args=[report.pk])).content.decode()
    word = client.get(reverse("incidents:incidentreport_word", args=[report.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "非真实突发事件" in text and "首报（演练）" in text


def test_a_drill_report_reaches_the_city_marked_and_its_lateness_stays_local(people, pair,
                                                                                django_capture_on_commit_callbacks):
    real, drill = pair
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(incident=drill, actor=people.county1_duty, kind="first")
    assert Notification.objects.get(recipient=people.city_duty, kind="信息报送").title.startswith("【演练】")
    Incident.objects.update(next_report_due=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_reports() == 2
    local = Notification.objects.filter(recipient=people.county1_duty, kind="报送超时")
    assert sorted(n.title.startswith("【演练】") for n in local) == [False, True]
    escalated = Notification.objects.filter(recipient=people.city_duty, kind="报送超时督办")
    assert [n.subject_id for n in escalated] == [str(real.pk)]


def test_a_drill_allocation_checks_the_stock_but_moves_none(people, pair):
    from django.core.exceptions import ValidationError

    _real, drill = pair
    warehouse = WarehouseFactory(region=people.county1)
    tents = MaterialFactory(name="帐篷", unit="顶")
    stock_receive(warehouse=warehouse, material=tents, quantity=10, document_number="RK-1", actor=None)
    before = StockMovement.objects.count()
    allocation = services.material_allocate(incident=drill, actor=people.county1_duty, warehouse=warehouse,
                                            material=tents, quantity=8)
    assert allocation.document_number.startswith("DB-YL")
    assert StockBalance.objects.get(warehouse=warehouse, material=tents).quantity == 10
    assert StockMovement.objects.count() == before
    with pytest.raises(ValidationError, match="库存不足"):
        services.material_allocate(incident=drill, actor=people.county1_duty, warehouse=warehouse, material=tents,
                                   quantity=11)
    assert MaterialAllocation.objects.real().count() == 0


def test_a_team_sent_to_a_drill_is_told_so(people, pair, django_capture_on_commit_callbacks):
    _real, drill = pair
    team = RescueTeamFactory(region=people.county1)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_dispatch(incident=drill, actor=people.county1_duty, team=team, instruction="演练集结")
    assert Notification.objects.get(recipient=people.county1_rescue, kind="调度任务").title.startswith("【演练】")
