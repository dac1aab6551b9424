"""The alarm engine, fed through the real ingest path with fixed times: delay, deadband, levels, rate,
recovery, offline detection and escalation."""

from datetime import timedelta

import orjson
import pytest

from yingji.core import roles
from yingji.core.models import Notification
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, add_enterprise_user
from yingji.monitoring import services, tasks
from yingji.monitoring.alarms import ENGINE
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import Alarm, AlarmEvent, AlarmKind, AlarmStatus
from yingji.monitoring.testing import add_monitor, make_point, make_source

pytestmark = pytest.mark.django_db
T0 = 1_790_000_000_000  # a fixed instant (ms); readings are spaced in seconds from it
S = 1000


@pytest.fixture
def plant(world):
    source = make_source(world.village1)
    point = make_point(source, tag="LT-101", range_low=0.0, range_high=20.0, low_low=1.0, low=2.0, high=15.0,
                       high_high=18.0, deadband=0.5, alarm_delay_seconds=0)
    gateway = services.gateway_create(actor=None, enterprise=source.enterprise, code="GW-1", name="网关")
    return {"source": source, "point": point, "gateway": gateway, "table": PointTable()}


def feed(plant, readings, now=None):
    body = orjson.dumps({"readings": [[tag, ts, value] for tag, ts, value in readings]})
    now = now if now is not None else max(ts for _tag, ts, _value in readings) + S
    return services.readings_ingest(gateway_id=plant["gateway"].pk, enterprise_id=plant["gateway"].enterprise_id,
                                    body=body, points=plant["table"], now=now)


def series(tag, values, start=T0, step=S):
    return [(tag, start + i * step, v) for i, v in enumerate(values)]


def test_crossing_high_raises_one_alarm_with_start_and_peak(plant):
    feed(plant, series("LT-101", [10, 14, 15.5, 16.5, 16.0]))
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.level, alarm.status) == (AlarmKind.HIGH, 2, AlarmStatus.UNACKNOWLEDGED)
    assert alarm.started_at.timestamp() * 1000 == T0 + 2 * S
    assert (alarm.start_value, alarm.peak_value, alarm.threshold) == (15.5, 16.5, 15.0)
    assert alarm.recovered_at is None


def test_a_value_hovering_at_the_limit_does_not_flap(plant):
    # Oscillating between 14.6 and 15.2 around the limit 15 with deadband 0.5: one alarm, never recovered.
    feed(plant, series("LT-101", [15.2, 14.6, 15.1, 14.7, 15.3, 14.6, 15.0]))
    alarm = Alarm.objects.get()
    assert alarm.recovered_at is None
    assert not AlarmEvent.objects.filter(kind="recovered").exists()


def test_recovery_needs_the_value_back_past_the_deadband(plant):
    feed(plant, series("LT-101", [16, 14.6]))
    assert Alarm.objects.get().recovered_at is None
    feed(plant, series("LT-101", [14.4], start=T0 + 5 * S))
    alarm = Alarm.objects.get()
    assert alarm.recovered_at is not None
    assert alarm.status == AlarmStatus.UNACKNOWLEDGED  # recovered, not closed
    # A new excursion while the alarm is still open reuses it.
    feed(plant, series("LT-101", [16.2], start=T0 + 9 * S))
    alarm = Alarm.objects.get()
    assert (alarm.occurrences, alarm.recovered_at) == (2, None)


def test_the_alarm_delay_needs_the_limit_held_for_that_long(plant):
    services.monitoring_point_update(point=plant["point"], actor=None, alarm_delay_seconds=10)
    plant["table"].invalidate()
    feed(plant, series("LT-101", [16, 16, 16, 14], step=3 * S))  # held 9 s, then back
    assert not Alarm.objects.exists()
    feed(plant, series("LT-101", [16, 16, 16, 16, 16], start=T0 + 20 * S, step=3 * S))  # held 12 s
    alarm = Alarm.objects.get()
    assert alarm.started_at.timestamp() * 1000 == T0 + 20 * S + 12 * S


def test_high_high_raises_the_level_of_the_open_alarm(plant):
    feed(plant, series("LT-101", [16, 18.5, 19]))
    alarm = Alarm.objects.get()
    assert (alarm.level, alarm.peak_value, alarm.threshold) == (1, 19, 18.0)
    assert AlarmEvent.objects.filter(alarm=alarm, kind="level_up").count() == 1


def test_low_side_alarms_too(plant):
    feed(plant, series("LT-101", [5, 1.5, 0.5]))
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.level, alarm.peak_value) == (AlarmKind.LOW, 1, 0.5)


def test_rate_of_change(plant):
    services.monitoring_point_update(point=plant["point"], actor=None, rate_limit=2.0)
    plant["table"].invalidate()
    # 1 m in 60 s is 1/min (fine), then 3 m in 30 s is 6/min.
    feed(plant, [("LT-101", T0, 5.0), ("LT-101", T0 + 60 * S, 6.0), ("LT-101", T0 + 90 * S, 9.0)])
    alarm = Alarm.objects.get(kind=AlarmKind.RATE)
    assert (alarm.level, alarm.start_value, alarm.threshold) == (2, 9.0, 2.0)
    feed(plant, [("LT-101", T0 + 150 * S, 9.2)])
    assert Alarm.objects.get(kind=AlarmKind.RATE).recovered_at is not None


def test_late_readings_are_evaluated_in_time_order(plant):
    feed(plant, [("LT-101", T0 + 2 * S, 14.8), ("LT-101", T0 + S, 16.0), ("LT-101", T0, 10.0)])
    alarm = Alarm.objects.get()
    assert alarm.started_at.timestamp() * 1000 == T0 + S
    assert alarm.recovered_at is None  # 14.8 is inside the deadband of 15


def test_the_enterprise_is_told_at_once(plant, world):
    manager = add_enterprise_user(world, "duty", plant["source"].enterprise)
    feed(plant, series("LT-101", [17]))
    note = Notification.objects.get(recipient=manager)
    assert "超上限" in note.title and "LT-101" in note.title


def test_unacknowledged_alarms_escalate_county_then_city_on_the_timetable(plant, world, settings):
    settings.MONITORING_ESCALATION_MINUTES = (5, 15)
    county = add_monitor(world, "county_monitor", world.county1)
    city = add_monitor(world, "city_monitor", world.city)
    other_county = add_monitor(world, "other_monitor", world.county2)
    feed(plant, series("LT-101", [17]))
    alarm = Alarm.objects.get()
    start = alarm.started_at
    assert tasks.escalate_alarms(now=start + timedelta(minutes=4, seconds=59)) == 0
    assert tasks.escalate_alarms(now=start + timedelta(minutes=5)) == 1
    assert Notification.objects.filter(recipient=county).count() == 1
    assert not Notification.objects.filter(recipient=city).exists()
    assert tasks.escalate_alarms(now=start + timedelta(minutes=10)) == 0
    assert tasks.escalate_alarms(now=start + timedelta(minutes=15)) == 1
    assert Notification.objects.filter(recipient=city).count() == 1
    assert tasks.escalate_alarms(now=start + timedelta(hours=5)) == 0
    assert not Notification.objects.filter(recipient=other_county).exists()
    steps = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", "step"))
    assert steps == [("raised", 0), ("escalated", 1), ("escalated", 2)]


def test_an_acknowledged_alarm_does_not_escalate(plant, world):
    add_monitor(world, "county_monitor", world.county1)
    feed(plant, series("LT-101", [17]))
    alarm = Alarm.objects.get()
    services.alarm_acknowledge(alarm=alarm, actor=world.county1_admin)
    assert tasks.escalate_alarms(now=alarm.started_at + timedelta(hours=1)) == 0


def test_a_silent_gateway_goes_offline_once_and_comes_back(plant):
    feed(plant, series("LT-101", [10]), now=T0)  # received at T0; period 60 s, offline after 3 periods
    assert tasks.detect_offline(now_ms=T0 + 180 * S) == 0
    # The gateway's alarm stands for its points: one alarm, not one per point.
    assert tasks.detect_offline(now_ms=T0 + 181 * S) == 1
    assert tasks.detect_offline(now_ms=T0 + 400 * S) == 0
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.level, alarm.gateway_id) == (AlarmKind.GATEWAY_OFFLINE, 3, plant["gateway"].pk)
    # The ingest worker adopts alarms raised by the sweep on its periodic refresh (here: at once).
    ENGINE.load_open_alarms()
    feed(plant, series("LT-101", [10], start=T0 + 500 * S), now=T0 + 500 * S)
    assert Alarm.objects.get().recovered_at is not None


def test_a_silent_point_of_a_reporting_gateway_goes_offline(plant):
    other = make_point(plant["source"], tag="PT-1", kind="pressure", unit="MPa", range_low=0, range_high=2,
                       low_low=None, low=None, high=None, high_high=None)
    feed(plant, [("LT-101", T0, 10.0), ("PT-1", T0, 1.0)], now=T0)
    feed(plant, [("PT-1", T0 + 170 * S, 1.0)], now=T0 + 170 * S)
    assert tasks.detect_offline(now_ms=T0 + 181 * S) == 1
    alarm = Alarm.objects.get()
    assert (alarm.kind, alarm.point_id) == (AlarmKind.POINT_OFFLINE, plant["point"].pk)
    assert other.pk != alarm.point_id
    assert tasks.detect_offline(now_ms=T0 + 200 * S) == 0


def test_only_the_enterprises_handlers_and_bureau_monitors_are_recipients(plant, world):
    user_create(actor=None, username="viewer", password=PASSWORD, real_name="viewer", roles=[roles.DUTY_OFFICER],
                scope_region=world.county1)
    feed(plant, series("LT-101", [17]))
    # The duty room hears of the alarm only when the step reached nobody (this plant's enterprise has no account).
    assert not Notification.objects.filter(recipient__username="viewer").exclude(title__startswith="【无人可达】").exists()
