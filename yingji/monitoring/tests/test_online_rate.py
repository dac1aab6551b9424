"""The online rate: kept per day by the sweep for points, gateways and enterprises; rankings by region and the
enterprises below the threshold, inside the viewer's jurisdiction."""

from datetime import UTC, datetime, time, timedelta

import orjson
import pytest
from django.utils import timezone

from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import services, tasks
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import OnlineProgress, OnlineRate, OnlineRecount, OnlineSubject, OnlineTally
from yingji.monitoring.services import online
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
    start, end = online.day_bounds_ms(day)
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
    # Yesterday's final roll-up is due 10 minutes after midnight (Asia/Shanghai): start after it, so "nothing due
    # yet" below holds whatever the hour the test runs at.
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    now = max(now, (midnight + timedelta(minutes=15)).astimezone(UTC))
    assert tasks.rollup_online_rates(now) > 0  # yesterday and today, never computed yet
    today = timezone.localdate(now)
    assert set(OnlineRate.objects.values_list("day", flat=True)) == {today, today - timedelta(days=1)}
    assert tasks.rollup_online_rates(now + timedelta(minutes=1)) == 0  # nothing due yet
    assert tasks.rollup_online_rates(now + timedelta(minutes=11)) > 0  # today again
    stamp = datetime.fromtimestamp(online.day_bounds_ms(today)[1] / 1000, tz=UTC)
    assert tasks.rollup_online_rates(stamp + timedelta(minutes=11)) > 0  # today is now yesterday: final
    assert tasks.rollup_online_rates(stamp + timedelta(minutes=12)) == 0


# -- incremental roll-up ---------------------------------------------------------------------------------

def snapshot(day):
    return {(r.subject, r.point_id, r.gateway_id, r.enterprise_id): (r.expected_seconds, r.online_seconds, r.readings,
                                                                     r.rate)
            for r in OnlineRate.objects.filter(day=day)}


def send(gateway, enterprise_id, rows, now, table):
    return services.readings_ingest(gateway_id=gateway.pk, enterprise_id=enterprise_id, points=table, now=now,
                                    body=orjson.dumps({"readings": rows}))


def test_incremental_runs_match_a_full_recount_across_the_day_boundary(world):
    """Two gateways report around midnight (Asia/Shanghai) with dropouts, duplicates, an outage whose buffer
    arrives an hour late, a backfill across midnight and a period changed mid-way; after every incremental run
    of either day the figures equal a recount of the whole day."""
    import random

    rng = random.Random(5)
    day = timezone.localdate() - timedelta(days=3)
    next_day = day + timedelta(days=1)
    _start, midnight = online.day_bounds_ms(day)
    first = plant(world.village1, "甲企业")
    enterprise_a = first[0].enterprise
    source_a = first[0].source
    points_a = [first[0]] + [make_point(source_a, report_period_seconds=p) for p in (10, 45)]
    second = plant(world.village2, "乙企业")
    points_b = [second[0], make_point(second[0].source, report_period_seconds=7)]
    gateways = [(first[1], enterprise_a.pk, points_a), (second[1], second[0].enterprise_id, points_b)]
    table = PointTable(max_age=0)
    outage = (midnight - 100 * MINUTE, midnight - 40 * MINUTE)
    buffered = []
    compared = 0
    begin, finish = midnight - 180 * MINUTE, midnight + 120 * MINUTE
    for now in range(begin, finish, MINUTE):
        for number, (gateway, enterprise_id, points) in enumerate(gateways):
            rows = []
            for point in points:
                # Every 5 s, so a period holds several readings and the 45 s and 7 s ones straddle the minutes
                # at which the runs settle; a minute in ten is lost entirely.
                if rng.random() < 0.1:
                    continue
                rows += [[point.tag, ts, 10.0] for ts in range(now - MINUTE + 5_000, now + 1, 5_000)
                         if rng.random() > 0.3]
            if number == 1 and outage[0] <= now < outage[1]:
                buffered += rows
                continue
            if number == 1 and now == outage[1]:
                rows += buffered  # the outage's buffer, up to an hour late
            if now == midnight + 45 * MINUTE:
                late = points[-1]
                rows += [[late.tag, ts, 10.0] for ts in range(midnight - 20 * MINUTE, midnight + 5 * MINUTE, 7_000)]
            send(gateway, enterprise_id, rows, now, table)
            if rng.random() < 0.1:
                send(gateway, enterprise_id, rows, now, table)  # delivered twice
        if now == midnight - 60 * MINUTE:
            points_a[0] = services.monitoring_point_update(point=points_a[0], actor=None, report_period_seconds=30)
        if now % (10 * MINUTE) == 3 * MINUTE:
            for target in (day, next_day):
                if services.online_rates_rollup(day=target, now_ms=now):
                    incremental = snapshot(target)
                    services.online_rates_rollup(day=target, now_ms=now, full=True)
                    assert snapshot(target) == incremental, (target, now)
                    compared += 1
    assert compared > 40
    # The late readings were marked for a recount and consumed by the runs after them.
    assert not OnlineRecount.objects.exists()
    progress = OnlineProgress.objects.get(day=day)
    assert progress.settled_until == midnight
    assert OnlineTally.objects.filter(day=day, subject=OnlineSubject.POINT).count() == 5
    assert 0 < rate(OnlineSubject.ENTERPRISE, enterprise=enterprise_a, day=next_day) < 1


def test_an_incremental_run_reads_only_what_is_not_settled(world):
    point, gateway = plant(world.village1, "甲企业")
    day = timezone.localdate() - timedelta(days=2)
    start, _end = online.day_bounds_ms(day)
    table = PointTable()
    for minute in range(60):
        send(gateway, point.enterprise_id, [[point.tag, start + minute * MINUTE, 10.0]], start + minute * MINUTE, table)
    services.online_rates_rollup(day=day, now_ms=start + 60 * MINUTE)
    settled = OnlineProgress.objects.get(day=day).settled_until
    assert settled == start + 49 * MINUTE  # an hour in, less the 10 settle minutes and the minute of margin
    assert rate(OnlineSubject.POINT, point=point) == 1.0
    from django.db import connection

    with connection.cursor() as cursor:  # take away settled history: the next run must not notice
        cursor.execute("DELETE FROM monitoring_reading WHERE point_id = %s AND ts < %s", [point.pk, settled])
    services.online_rates_rollup(day=day, now_ms=start + 60 * MINUTE)
    assert rate(OnlineSubject.POINT, point=point) == 1.0
    services.online_rates_rollup(day=day, now_ms=start + 60 * MINUTE, full=True)
    assert rate(OnlineSubject.POINT, point=point) == pytest.approx(11 / 60)


def test_a_late_reading_marks_its_point_and_day_for_a_recount(world):
    point, gateway = plant(world.village1, "甲企业")
    day = timezone.localdate() - timedelta(days=2)
    start, end = online.day_bounds_ms(day)
    table = PointTable()
    send(gateway, point.enterprise_id, [[point.tag, end - MINUTE, 10.0]], end + 5 * MINUTE, table)
    assert not OnlineRecount.objects.exists()  # within the settle time: not late
    send(gateway, point.enterprise_id, [[point.tag, start + MINUTE, 10.0], [point.tag, end + MINUTE, 10.0]],
         end + 30 * MINUTE, table)
    assert set(OnlineRecount.objects.values_list("point_id", "day")) == {(point.pk, day),
                                                                        (point.pk, day + timedelta(days=1))}


def test_the_sweep_rolls_up_a_finished_day_again_when_late_readings_arrive(world):
    point, gateway = plant(world.village1, "甲企业")
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    day = timezone.localdate(now) - timedelta(days=3)
    start, end = online.day_bounds_ms(day)
    services.online_rates_rollup(day=day, now_ms=end + 3_600_000)
    assert rate(OnlineSubject.POINT, point=point, day=day) == 0.0
    send(gateway, point.enterprise_id, [[point.tag, start + i * MINUTE, 10.0] for i in range(144)],
         int(now.timestamp() * 1000), PointTable())
    assert tasks.rollup_online_rates(now) > 0
    assert rate(OnlineSubject.POINT, point=point, day=day) == pytest.approx(0.1)
    assert not OnlineRecount.objects.exists()
    stray = day - timedelta(days=30)  # never rolled up: its mark is dropped, no rates are made up for it
    OnlineRecount.objects.create(point_id=point.pk, day=stray)
    tasks.rollup_online_rates(now + timedelta(minutes=1))
    assert not OnlineRecount.objects.exists() and not OnlineRate.objects.filter(day=stray).exists()
