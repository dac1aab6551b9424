"""灾情报送: validation, deadlines and the overdue sweep, the review loop, roll-up and the 未报 flag."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import Notification, StateChange
from yingji.core.workflow import InvalidTransition
from yingji.disasters import selectors, services
from yingji.disasters.models import DisasterEvent, DisasterReport, EventStatus, ReportDuty, ReportStatus
from yingji.disasters.selectors import disaster_reports_overdue
from yingji.disasters.states import EVENT_WORKFLOW, REPORT_WORKFLOW
from yingji.disasters.tasks import flag_overdue_disaster_reports
from yingji.disasters.testing import TOWNSHIP1, make_event, make_report

REGION2_VILLAGE = "390102001002"  # 甲二社区, county 1


@pytest.fixture
def event(world):
    return make_event(world.county1, [world.village1, world.regions[REGION2_VILLAGE]])


def test_areas_must_not_exceed_the_figures_they_are_part_of(world, event):
    with pytest.raises(ValidationError) as caught:
        make_report(event, world.village1, crops_affected_ha=10, crops_disaster_ha=12, crops_lost_ha=13,
                    affected_population=5, deaths=6, relocated=0)
    assert set(caught.value.message_dict) == {"crops_disaster_ha", "crops_lost_ha", "deaths"}
    assert "成灾面积不能大于受灾面积" in str(caught.value.message_dict["crops_disaster_ha"])
    assert "绝收面积不能大于成灾面积" in str(caught.value.message_dict["crops_lost_ha"])
    make_report(event, world.village1, crops_affected_ha=10, crops_disaster_ha=10, crops_lost_ha=10)
    assert DisasterReport.objects.count() == 1


def test_kinds_come_in_order(world, event):
    with pytest.raises(ValidationError, match="请先报送初报"):
        make_report(event, world.village1, kind="followup")
    make_report(event, world.village1)
    with pytest.raises(ValidationError, match="已有初报"):
        make_report(event, world.village1)
    with pytest.raises(ValidationError, match="核报阶段"):
        make_report(event, world.village1, kind="verification")
    make_report(event, world.village1, kind="followup", affected_population=150)
    assert DisasterReport.objects.filter(event=event).count() == 2


def test_each_affected_region_owes_its_initial_report_by_the_deadline(world, event):
    duties = list(ReportDuty.objects.filter(event=event))
    assert len(duties) == 2
    assert all(d.kind == "initial" and d.due_at == event.occurred_at + datetime.timedelta(hours=2) for d in duties)


def test_a_submitted_report_fulfils_its_duty_and_sets_the_next_followup(world, event):
    report = make_report(event, world.village1)
    duty = ReportDuty.objects.get(event=event, region=world.village1, kind="initial")
    assert duty.fulfilled_at == report.reported_at and duty.report == report
    followup = ReportDuty.objects.get(event=event, region=world.village1, kind="followup")
    assert followup.due_at == report.reported_at + datetime.timedelta(hours=24)


def test_the_sweep_flags_overdue_reports_once_and_tells_the_people(world):
    late = make_event(world.county1, [world.village1, world.regions[REGION2_VILLAGE]],
                      occurred_at=timezone.now() - datetime.timedelta(hours=3))
    make_report(late, world.village1)
    services.informant_create(actor=None, name="甲二信息员", mobile="13900000009",
                              region=world.regions[REGION2_VILLAGE], user=world.village1_grid)
    assert disaster_reports_overdue(user=world.county1_duty) == 1
    assert disaster_reports_overdue(user=world.county2_duty) == 0
    assert flag_overdue_disaster_reports() == 1
    assert flag_overdue_disaster_reports() == 0
    flagged = ReportDuty.objects.get(overdue_since__isnull=False)
    assert flagged.region_id == REGION2_VILLAGE
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"village1_grid", "county1_duty"} <= recipients
    assert "county2_duty" not in recipients


def test_a_village_user_sees_the_county_event_but_not_the_other_village(world, event):
    assert DisasterEvent.objects.restrict(world.village1_grid, "view").filter(pk=event.pk).exists()
    assert not DisasterEvent.objects.restrict(world.village2_grid, "view").filter(pk=event.pk).exists()
    other = make_report(event, world.regions[REGION2_VILLAGE])
    assert not DisasterReport.objects.restrict(world.village1_grid, "view").filter(pk=other.pk).exists()
    with pytest.raises(PermissionDenied):
        make_report(event, world.regions[REGION2_VILLAGE], kind="followup", actor=world.village1_grid)
    with pytest.raises(PermissionDenied):
        services.event_update(event=event, actor=world.village1_grid, name="改名")


def test_reports_roll_up_to_the_county_and_city_and_missing_ones_are_flagged(world, event):
    make_report(event, world.village1, affected_population=100, direct_loss_10k_yuan=Decimal("50.5"))
    make_report(event, world.village1, kind="followup", affected_population=180, direct_loss_10k_yuan=80)
    county_rows = selectors.event_rollup(world.county1_duty, event, world.county1)
    assert len(county_rows) == 1
    township = county_rows[0]
    assert township["region"].code == TOWNSHIP1
    # The followup is cumulative: it replaces the initial figures, it is not added to them.
    assert township["totals"]["affected_population"] == 180
    assert township["totals"]["direct_loss_10k_yuan"] == 80
    assert township["missing"] == 2  # village 2 owes its 初报, village 1 its next 续报
    city_rows = selectors.event_rollup(world.city_duty, event, world.city)
    assert [r["region"].code for r in city_rows] == [world.county1.code]
    assert city_rows[0]["totals"]["affected_population"] == 180
    status = {s["region"].code: s for s in selectors.reporting_status(world.city_duty, event)}
    assert status[REGION2_VILLAGE]["never_reported"]
    assert not status[world.village1.code]["never_reported"]


def test_a_township_report_replaces_its_villages_in_the_totals(world, event):
    make_report(event, world.village1, affected_population=100)
    make_report(event, world.regions[REGION2_VILLAGE], affected_population=50)
    assert selectors.event_totals(world.county1_duty, event)["affected_population"] == 150
    make_report(event, world.regions[TOWNSHIP1], affected_population=170)
    assert selectors.event_totals(world.county1_duty, event)["affected_population"] == 170


def test_a_returned_report_leaves_the_totals_until_resubmitted(world, event, django_capture_on_commit_callbacks):
    report = make_report(event, world.village1, actor=world.village1_grid, affected_population=90)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_act(report=report, actor=world.county1_duty, action="return", reason="人口数有误")
    assert selectors.event_totals(world.county1_duty, event)["affected_population"] == 0
    services.report_update(report=report, actor=world.village1_grid, affected_population=95)
    services.report_act(report=report, actor=world.village1_grid, action="resubmit")
    assert selectors.event_totals(world.county1_duty, event)["affected_population"] == 95
    assert Notification.objects.filter(recipient=world.village1_grid, title__contains="退回").exists()


def test_the_county_page_shows_the_rollup_and_the_missing_village(client, world, event):
    make_report(event, world.village1, affected_population=100)
    client.force_login(world.county1_duty)
    content = client.get(f"/disasters/events/{event.pk}/rollup/").content.decode()
    assert "甲一街道" in content and "甲二社区" in content and "未报" in content
    client.force_login(world.county2_duty)
    assert client.get(f"/disasters/events/{event.pk}/rollup/").status_code == 404


# -- the tables ----------------------------------------------------------------------------------------------

REPORT_CASES = list(itertools.product(ReportStatus.values, sorted({t.action for t in REPORT_WORKFLOW.transitions})))
REPORT_ALLOWED = {(t.source, t.action): t.target for t in REPORT_WORKFLOW.transitions}


def _report_in(world, event, status):
    report = make_report(event, world.village1, actor=world.village1_grid, submit=status != "draft")
    if status == "accepted":
        report = services.report_act(report=report, actor=world.county1_duty, action="accept")
    if status == "returned":
        report = services.report_act(report=report, actor=world.county1_duty, action="return", reason="核实")
    return report


@pytest.mark.parametrize(("state", "action"), REPORT_CASES)
def test_each_report_move_is_allowed_or_refused_exactly_as_the_table_says(world, event, state, action):
    report = _report_in(world, event, state)
    actor = world.village1_grid if action in ("submit", "resubmit") else world.county1_duty
    changes = StateChange.objects.count()
    if (state, action) in REPORT_ALLOWED:
        moved = services.report_act(report=report, actor=actor, action=action, reason="说明")
        assert moved.status == REPORT_ALLOWED[(state, action)]
        assert StateChange.objects.count() == changes + 1
    else:
        with pytest.raises(InvalidTransition):
            services.report_act(report=report, actor=actor, action=action, reason="说明")
        assert DisasterReport.objects.get(pk=report.pk).status == state
        assert StateChange.objects.count() == changes


def test_the_writer_of_a_report_cannot_review_it_and_the_informant_cannot_accept(world, event):
    own = make_report(event, world.village1, actor=world.county1_duty)
    with pytest.raises(InvalidTransition, match="无权"):
        services.report_act(report=own, actor=world.county1_duty, action="accept")
    theirs = make_report(event, world.regions[REGION2_VILLAGE], actor=world.county1_duty)
    with pytest.raises(PermissionDenied):
        services.report_act(report=theirs, actor=world.county2_duty, action="accept")
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.report_act(report=theirs, actor=world.city_duty, action="return")


EVENT_CASES = list(itertools.product(EventStatus.values, sorted({t.action for t in EVENT_WORKFLOW.transitions})))
EVENT_ALLOWED = {(t.source, t.action): t.target for t in EVENT_WORKFLOW.transitions}
EVENT_PATH = {"reporting": [], "verifying": ["verify"], "closed": ["verify", "close"]}


@pytest.mark.parametrize(("state", "action"), EVENT_CASES)
def test_each_event_move_is_allowed_or_refused_exactly_as_the_table_says(world, event, state, action):
    for step in EVENT_PATH[state]:
        event = services.event_act(event=event, actor=None, action=step)
    if (state, action) in EVENT_ALLOWED:
        moved = services.event_act(event=event, actor=world.county1_duty, action=action, reason="说明")
        assert moved.status == EVENT_ALLOWED[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            services.event_act(event=event, actor=world.county1_duty, action=action, reason="说明")
        assert DisasterEvent.objects.get(pk=event.pk).status == state


def test_verification_replaces_followups_with_verification_duties_and_closing_cancels_the_rest(world, event):
    make_report(event, world.village1)
    services.event_act(event=event, actor=world.county1_duty, action="verify")
    open_kinds = set(ReportDuty.objects.filter(event=event, fulfilled_at__isnull=True, cancelled=False)
                     .values_list("region_id", "kind"))
    assert open_kinds == {(world.village1.code, "verification"), (REGION2_VILLAGE, "initial"),
                          (REGION2_VILLAGE, "verification")}
    report = make_report(event, world.village1, kind="verification", affected_population=200)
    assert ReportDuty.objects.get(event=event, region=world.village1, kind="verification").report == report
    services.event_act(event=event, actor=world.county1_duty, action="close")
    assert not selectors.open_duties(world.county1_duty).filter(event=event).exists()
    with pytest.raises(ValidationError):
        make_report(event, world.regions[REGION2_VILLAGE])
