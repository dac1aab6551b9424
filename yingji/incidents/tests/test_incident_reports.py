"""Recording an incident, its computed grade, the report chain with its deadlines, 签收 and the overdue sweep."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import Notification, StateChange
from yingji.core.testing import assert_official_layout
from yingji.core.workflow import InvalidTransition
from yingji.incidents import services
from yingji.incidents.models import Incident, IncidentReport, ReportStatus
from yingji.incidents.states import REPORT_WORKFLOW
from yingji.incidents.tasks import flag_overdue_reports
from yingji.incidents.testing import IncidentFactory, add_duty_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return add_duty_people(world)


def test_an_incident_gets_a_code_its_grade_and_its_first_report_deadline(people):
    at = timezone.now() - timedelta(minutes=5)
    first = IncidentFactory(region=people.village1, deaths=3, occurred_at=at, actor=people.county1_duty)
    second = IncidentFactory(region=people.village1, occurred_at=at)
    day = timezone.localtime(at).strftime("%Y%m%d")
    assert first.code == f"SJ390102{day}001" and second.code == f"SJ390102{day}002"
    assert first.grade == "较大" and second.grade == "一般"
    assert first.next_report_due == at + timedelta(hours=1)
    assert second.next_report_due == at + timedelta(hours=2)
    assert first.reported_by == people.county1_duty


def test_the_grade_follows_corrected_figures(people):
    incident = IncidentFactory(region=people.village1)
    updated = services.incident_update(incident=incident, actor=people.county1_duty, serious_injuries=50)
    assert updated.grade == "重大"


def test_a_subtype_must_belong_to_its_category(people):
    with pytest.raises(ValidationError, match="子类"):
        IncidentFactory(region=people.village1, category="natural", subtype="危险化学品事故")
    assert not Incident.objects.exists()


def test_the_chain_goes_first_follow_ups_final_and_each_version_is_frozen(people):
    incident = IncidentFactory(region=people.village1, actor=people.county1_duty)
    with pytest.raises(ValidationError, match="请先报送首报"):
        services.report_submit(incident=incident, actor=people.county1_duty, kind="follow_up")
    first = services.report_submit(incident=incident, actor=people.county1_duty, kind="first", measures="已疏散群众")
    assert (first.sequence, first.to_region_id, first.late) == (1, people.city.pk, False)
    incident.refresh_from_db()
    assert incident.next_report_kind == "follow_up"
    services.incident_update(incident=incident, actor=people.county1_duty, deaths=1, light_injuries=4)
    second = services.report_submit(incident=incident, actor=people.county1_duty, kind="follow_up")
    assert first.snapshot["deaths"] == 0 and second.snapshot["deaths"] == 1
    labels = {label for label, _before, _after in services.report_diff(second)}
    assert labels == {"死亡人数", "轻伤人数", "已采取的措施"}
    with pytest.raises(ValidationError, match="首报已报送"):
        services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    services.report_submit(incident=incident, actor=people.county1_duty, kind="final")
    incident.refresh_from_db()
    assert incident.closed and incident.next_report_due is None
    with pytest.raises(ValidationError, match="已终报"):
        services.report_submit(incident=incident, actor=people.county1_duty, kind="follow_up")
    assert IncidentReport.objects.get(pk=first.pk).snapshot == first.snapshot


def test_the_city_duty_room_is_told_and_signs_for_the_report(people, django_capture_on_commit_callbacks):
    incident = IncidentFactory(region=people.village1)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    assert Notification.objects.filter(recipient=people.city_duty, kind="信息报送").exists()
    with pytest.raises(InvalidTransition, match="无权"):
        services.report_sign(report=report, actor=people.county1_duty)
    with pytest.raises(PermissionDenied):
        services.report_sign(report=report, actor=people.county2_duty)
    signed = services.report_sign(report=report, actor=people.city_duty)
    assert signed.status == ReportStatus.SIGNED and signed.signed_by == people.city_duty
    assert signed.signed_at is not None
    with pytest.raises(InvalidTransition, match="不能执行"):
        services.report_sign(report=signed, actor=people.city_duty)


@pytest.mark.parametrize(("state", "action"), [(s, a) for s in ReportStatus.values
                                               for a in {t.action for t in REPORT_WORKFLOW.transitions}])
def test_each_report_move_is_allowed_or_refused_as_the_table_says(people, state, action):
    report = services.report_submit(incident=IncidentFactory(region=people.village1), actor=None, kind="first")
    if state == ReportStatus.SIGNED:
        report = services.report_sign(report=report, actor=None)
    elif state != ReportStatus.SUBMITTED:
        IncidentReport.objects.filter(pk=report.pk).update(status=state)
        report.refresh_from_db()
    StateChange.objects.all().delete()
    allowed = {(t.source, t.action): t.target for t in REPORT_WORKFLOW.transitions}
    if (state, action) in allowed:
        assert services.report_sign(report=report, actor=people.city_duty).status == allowed[(state, action)]
        assert StateChange.objects.count() == 1
    else:
        with pytest.raises(InvalidTransition):
            services.report_sign(report=report, actor=people.city_duty)
        assert not StateChange.objects.exists()


def test_a_late_follow_up_is_flagged_once_and_escalated_to_the_city(people, django_capture_on_commit_callbacks):
    incident = IncidentFactory(region=people.village1)
    services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    Incident.objects.filter(pk=incident.pk).update(next_report_due=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_reports() == 1
    assert flag_overdue_reports() == 0
    incident.refresh_from_db()
    assert incident.overdue_since is not None
    assert Notification.objects.filter(recipient=people.county1_duty, kind="报送超时").exists()
    assert Notification.objects.filter(recipient=people.city_duty, kind="报送超时督办").exists()
    assert not Notification.objects.filter(recipient=people.county2_duty).exists()
    late = services.report_submit(incident=incident, actor=people.county1_duty, kind="follow_up")
    assert late.late
    incident.refresh_from_db()
    assert incident.overdue_since is None


def test_deadlines_are_configurable(people, settings):
    settings.INCIDENT_REPORT_LIMITS = {"first_minutes": {"一般": 30}}
    incident = IncidentFactory(region=people.village1)
    assert incident.next_report_due == incident.occurred_at + timedelta(minutes=30)


def test_another_county_cannot_report_on_the_incident(people):
    incident = IncidentFactory(region=people.village1)
    with pytest.raises(PermissionDenied):
        services.report_submit(incident=incident, actor=people.county2_duty, kind="first")
    assert not IncidentReport.objects.exists()


def test_the_word_export_has_the_official_layout(people, client):
    import io

    from docx import Document

    incident = IncidentFactory(region=people.village1, title="甲区化工厂爆炸事故", deaths=3)
    report = services.report_submit(incident=incident, actor=people.county1_duty, kind="first", measures="封控现场")
    client.force_login(people.city_duty)
    response = client.get(f"/incidents/reports/{report.pk}/word/")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "突发事件信息首报" in text and "甲区化工厂爆炸事故" in text and "封控现场" in text
    # Sent by the county: the county's bureau is the reporting unit, never the village where it happened.
    assert_official_layout(response.content, issuer="甲区应急管理局", number=None, title="突发事件信息首报",
                           day=timezone.localtime(report.submitted_at).date())
    assert "应急管理部门" not in text and f"{people.village1.name}应急" not in text
    client.force_login(people.county2_duty)
    assert client.get(f"/incidents/reports/{report.pk}/word/").status_code == 404
