"""The online rate: kept per day by the sweep for points, gateways and enterprises; rankings by region and the
enterprises below the threshold, inside the viewer's jurisdiction."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.utils import timezone

from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import services, tasks
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import OnlineRate, OnlineSubject
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db
MINUTE = 60_000


def plant(region, name):
    enterprise = EnterpriseFactory(region=region, name=name)
    point = make_point(make_source(region, enterprise=enterprise), report_period_seconds=60)
    gateway = services.gateway_create(actor=None, enterprise=enterprise, code=f"GW-{point.pk}", name="网关",
                                      report_period_seconds=60)
    return point, gateway


def feed_day(point, gateway, start, every_ms, *, burst=False):
    """One message a minute (the gateway's heartbeat), carrying the point's readings of that minute."""
    table = PointTable()
    for minute in range(0, 1440, every_ms // MINUTE):
        at = start + minute * MINUTE
        readings = [[point.tag, at + i * 100, 10.0] for i in range(5 if burst else 1)]
        services.readings_ingest(gateway_id=gateway.pk, enterprise_id=point.enterprise_id, points=table,
                                 body=orjson.dumps({"readings": readings}), now=at)


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=2)


@pytest.fixture
def rated(world, day):
    start, end = services.day_bounds_ms(day)
    half = plant(world.village1, "半在线企业")
    full = plant(world.village1, "全在线企业")
    other = plant(world.village2, "乙区企业")
    feed_day(*half, start, 2 * MINUTE, burst=True)  # every other minute, 5 readings at a time: still half
    feed_day(*full, start, MINUTE)
    feed_day(*other, start, 4 * MINUTE)
    assert services.online_rates_rollup(day=day, now_ms=end + 3_600_000) == 9
    return {"half": half, "full": full, "other": other}


def rate(subject, **target):
    return OnlineRate.objects.get(subject=subject, **target).rate


def test_the_rollup_gives_time_reporting_over_time_expected(rated):
    half_point, half_gateway = rated["half"]
    assert rate(OnlineSubject.POINT, point=half_point) == 0.5
    assert OnlineRate.objects.get(point=half_point).readings == 720 * 5
    assert rate(OnlineSubject.GATEWAY, gateway=half_gateway) == 0.5
    assert rate(OnlineSubject.ENTERPRISE, enterprise=half_point.enterprise, ) == 0.5
    assert rate(OnlineSubject.POINT, point=rated["full"][0]) == 1.0
    assert rate(OnlineSubject.ENTERPRISE, enterprise=rated["other"][0].enterprise) == 0.25


def test_the_page_ranks_regions_and_lists_enterprises_below_the_threshold(client, world, day, rated):
    client.force_login(world.city_admin)
    response = client.get(f"/monitoring/online/?date={day.isoformat()}&below=90")
    rates = response.context["rates"]
    assert [(r["name"], r["rate"]) for r in rates["ranking"]] == [("甲区", 0.75), ("乙区", 0.25)]
    assert [r.enterprise.name for r in rates["below"]] == ["乙区企业", "半在线企业"]
    assert rates["overall"] == pytest.approx((720 + 1440 + 360) / (3 * 1440))
    assert "75.0%" in response.content.decode()


def test_a_county_sees_only_its_own_rates(client, world, day, rated):
    client.force_login(world.county2_admin)
    response = client.get(f"/monitoring/online/?date={day.isoformat()}&below=90")
    assert [r.enterprise.name for r in response.context["rates"]["enterprises"]] == ["乙区企业"]
    assert "半在线企业" not in response.content.decode()
    response = client.get(f"/monitoring/online/rates/?day={day.isoformat()}")
    assert response.status_code == 200
    assert "半在线企业" not in response.content.decode() and "乙区企业" in response.content.decode()
    response = client.get(f"/monitoring/online/rates/?day={day.isoformat()}&export=xlsx")
    assert response.status_code == 200


def test_the_sweep_keeps_today_current_and_closes_yesterday_once(world):
    point, gateway = plant(world.village1, "甲企业")
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    assert tasks.rollup_online_rates(now) > 0  # yesterday and today, never computed yet
    today = timezone.localdate(now)
    assert set(OnlineRate.objects.values_list("day", flat=True)) == {today, today - timedelta(days=1)}
    assert tasks.rollup_online_rates(now + timedelta(minutes=1)) == 0  # nothing due yet
    assert tasks.rollup_online_rates(now + timedelta(minutes=11)) > 0  # today again
    stamp = datetime.fromtimestamp(services.day_bounds_ms(today)[1] / 1000, tz=UTC)
    assert tasks.rollup_online_rates(stamp + timedelta(minutes=11)) > 0  # today is now yesterday: final
    assert tasks.rollup_online_rates(stamp + timedelta(minutes=12)) == 0
