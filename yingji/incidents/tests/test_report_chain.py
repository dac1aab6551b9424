"""The report chain follows the jurisdiction of the recording unit; the receiver signs, never the sender."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.core.models import Bureau, Notification
from yingji.core.todos import who_may_act
from yingji.core.workflow import InvalidTransition
from yingji.incidents import services
from yingji.incidents.models import IncidentReport, ReportStatus
from yingji.incidents.states import REPORT_WORKFLOW, upper_level_duty
from yingji.incidents.testing import IncidentFactory, add_duty_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return add_duty_people(world)


def test_a_county_report_goes_to_the_city_and_the_city_signs_it(people):
    incident = IncidentFactory(region=people.village1)
    report = services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    assert report.to_region_id == people.city.code
    with pytest.raises(InvalidTransition, match="无权"):
        services.report_sign(report=report, actor=people.county1_duty)
    signed = services.report_sign(report=report, actor=people.city_duty)
    assert signed.status == ReportStatus.SIGNED and signed.signed_by == people.city_duty


def test_the_city_recording_a_county_incident_reports_above_itself_not_to_itself(people):
    incident = IncidentFactory(region=people.village1)
    report = services.report_submit(incident=incident, actor=people.city_duty, kind="first")
    assert report.to_region_id == "390000000000"
    assert not upper_level_duty(people.city_duty, report)


def test_the_top_level_report_is_marked_so_and_waits_for_nobody(people, django_capture_on_commit_callbacks):
    # Nobody on the platform works at the province: the city is the top, its report goes up outside it.
    incident = IncidentFactory(region=people.village1)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(incident=incident, actor=people.city_duty, kind="first")
    assert report.status == ReportStatus.TOP_LEVEL
    assert report.get_status_display() == "本级为最高层级"
    assert not Notification.objects.filter(kind="信息报送").exists()
    assert who_may_act(report, REPORT_WORKFLOW) == []


def test_the_bureaus_root_region_is_the_top_level(people):
    Bureau.objects.create(name="甲区应急管理局", root_region=people.county1, configured_at=timezone.now())
    county = services.report_submit(incident=IncidentFactory(region=people.village1), actor=people.county1_duty,
                                    kind="first")
    assert (county.to_region_id, county.status) == (people.city.code, ReportStatus.TOP_LEVEL)
    Bureau.objects.update(root_region=people.city)
    county = services.report_submit(incident=IncidentFactory(region=people.village1), actor=people.county1_duty,
                                    kind="first")
    assert county.status == ReportStatus.SUBMITTED
    city = services.report_submit(incident=IncidentFactory(region=people.village1), actor=people.city_duty,
                                  kind="first")
    assert city.status == ReportStatus.TOP_LEVEL


def test_the_sender_never_signs_her_own_report(people):
    incident = IncidentFactory(region=people.village1)
    report = services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    # A report addressed to the sender's own level (as the old chain made them) is still not hers to sign.
    IncidentReport.objects.filter(pk=report.pk).update(submitted_by=people.city_duty)
    report.refresh_from_db()
    assert not upper_level_duty(people.city_duty, report)
    with pytest.raises(InvalidTransition, match="无权"):
        services.report_sign(report=report, actor=people.city_duty)
    assert IncidentReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_the_receiver_may_sign_through_the_api_as_through_the_page(client, people):
    from rest_framework.test import APIClient

    incident = IncidentFactory(region=people.village1)
    first = services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    second = services.report_submit(incident=incident, actor=people.county1_duty, kind="follow_up")
    client.force_login(people.city_duty)
    client.post(reverse("incidents:incidentreport_transition", args=[first.pk]), {"action": "sign"})
    api = APIClient()
    api.force_authenticate(people.city_duty)
    response = api.post(f"/api/incident-reports/{second.pk}/transition/", {"action": "sign"}, format="json")
    assert response.status_code == 200, response.content
    assert set(IncidentReport.objects.values_list("status", flat=True)) == {ReportStatus.SIGNED}


def test_the_receiver_signs_on_the_incident_page(client, people):
    incident = IncidentFactory(region=people.village1)
    report = services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    client.force_login(people.county1_duty)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert 'data-action="sign"' not in page  # not the sender's to sign
    client.force_login(people.city_duty)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert 'data-action="sign"' in page
    assert reverse("incidents:incidentreport_transition", args=[report.pk]) in page
    client.post(reverse("incidents:incidentreport_transition", args=[report.pk]),
                {"action": "sign", "next": reverse("incidents:incident_detail", args=[incident.pk])})
    assert IncidentReport.objects.get(pk=report.pk).signed_by == people.city_duty
