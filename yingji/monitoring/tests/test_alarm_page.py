"""The alarm page's trend, contacts and place, the trend endpoint's jurisdiction, and batch acknowledgement."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from yingji.core.models import StateChange
from yingji.enterprises.models import Enterprise
from yingji.monitoring import services
from yingji.monitoring.models import Alarm, AlarmStatus
from yingji.monitoring.testing import add_monitor
from yingji.monitoring.tests.test_alarm_loop import T0, raise_alarm

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitors(world):
    add_monitor(world, "county1_monitor", world.county1)
    add_monitor(world, "county2_monitor", world.county2)
    return world


def test_the_trend_around_an_alarm_has_the_readings_and_the_thresholds(client, monitors):
    alarm = raise_alarm(monitors.village1, recovered=True)
    client.force_login(monitors.county1_monitor)
    data = client.get(reverse("monitoring:alarm_trend", args=[alarm.pk])).json()
    # The two readings (17 m at the alarm, 10 m a second later) fall in the chart's first buckets.
    values = [value for _ts, value in data["series"]]
    assert values and all(10.0 <= value <= 17.0 for value in values)
    assert data["thresholds"] == {"low_low": 1.0, "low": 2.0, "high": 15.0, "high_high": 18.0}
    assert data["unit"] == "m"
    assert data["started_at"] == T0 and data["start"] < T0 < data["end"]


def test_a_county_user_cannot_read_the_trend_of_another_countys_point(client, monitors):
    alarm = raise_alarm(monitors.village1)
    client.force_login(monitors.county2_monitor)
    assert client.get(reverse("monitoring:alarm_trend", args=[alarm.pk])).status_code == 404
    assert client.get(reverse("monitoring:point_trend", args=[alarm.point_id])).status_code == 404
    client.force_login(monitors.county1_monitor)
    assert client.get(reverse("monitoring:alarm_trend", args=[alarm.pk])).status_code == 200


def test_the_alarm_page_shows_the_contacts_the_place_and_the_trend(client, monitors):
    alarm = raise_alarm(monitors.village1)
    Enterprise._base_manager.filter(pk=alarm.enterprise_id).update(safety_director="王安全",
                                                                    safety_director_phone="13900001111")
    enterprise = Enterprise._base_manager.get(pk=alarm.enterprise_id)
    client.force_login(monitors.county1_monitor)
    page = client.get(reverse("monitoring:alarm_detail", args=[alarm.pk])).content.decode()
    assert "安全负责人" in page and "王安全" in page and 'href="tel:13900001111"' in page
    assert enterprise.principal in page and f'href="tel:{enterprise.principal_phone}"' in page
    assert reverse("monitoring:alarm_trend", args=[alarm.pk]) in page
    assert ('id="alarm-map"' in page) == (enterprise.latitude is not None)


def test_several_alarms_are_acknowledged_at_once_each_through_the_loop(client, monitors):
    mine = [raise_alarm(monitors.village1) for _ in range(3)]
    services.alarm_acknowledge(alarm=mine[2], actor=monitors.county1_monitor)
    theirs = raise_alarm(monitors.village2)
    client.force_login(monitors.county1_monitor)
    before = StateChange.objects.filter(action="acknowledge").count()
    response = client.post(reverse("monitoring:alarm_acknowledge_many"), {
        "selected": [a.pk for a in mine] + [theirs.pk], "reason": "值班室已电话核实",
        "next": reverse("monitoring:alarm_list") + "?open=true"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("monitoring:alarm_list") + "?open=true"
    assert "已确认 2 条报警" in page
    # The one already acknowledged is refused by the table, named by its code with the reason.
    assert f"{mine[2].code} 未确认" in page
    assert "1 条报警不存在或不在您的辖区" in page
    statuses = dict(Alarm.objects.filter(pk__in=[a.pk for a in mine + [theirs]]).values_list("pk", "status"))
    assert [statuses[a.pk] for a in mine] == [AlarmStatus.ACKNOWLEDGED] * 3
    assert statuses[theirs.pk] == AlarmStatus.UNACKNOWLEDGED
    moves = StateChange.objects.filter(action="acknowledge", subject_type=ContentType.objects.get_for_model(Alarm))
    assert moves.count() == before + 2
    assert set(moves.filter(reason="值班室已电话核实").values_list("actor", flat=True)) == {monitors.county1_monitor.pk}


def test_batch_acknowledgement_needs_the_right_to_handle_alarms(client, monitors):
    alarm = raise_alarm(monitors.village1)
    client.force_login(monitors.county1_officer)
    response = client.post(reverse("monitoring:alarm_acknowledge_many"), {"selected": [alarm.pk]})
    assert response.status_code in (403, 404)
    assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.UNACKNOWLEDGED


def test_the_list_offers_the_batch_form_only_to_those_who_may_acknowledge(client, monitors):
    raise_alarm(monitors.village1)
    client.force_login(monitors.county1_monitor)
    page = client.get(reverse("monitoring:alarm_list")).content.decode()
    assert 'data-testid="alarm-batch"' in page and 'name="selected"' in page
    client.force_login(monitors.county1_leader)
    page = client.get(reverse("monitoring:alarm_list"))
    if page.status_code == 200:
        assert 'name="selected"' not in page.content.decode()
