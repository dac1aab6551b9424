"""The leaders' cockpit and the monthly risk-analysis report on PostgreSQL with a city's worth of data.

Builds a fresh database (DROP and CREATE): the region tree and 10,000 enterprises of bench_enterprise_list,
1,000,000 hazards over five years (bench_hazards' generator), 100,000 incidents over five years, 2,000 monitoring
points with 10,000,000 readings over the last month and this one, 20,000 alarms, rescue teams, shelters and today's
duty roster, all written with COPY or bulk inserts; then the roll-ups are built as the sweep would
(HazardStat, Tally). It times, for a city leader and a county leader, the cockpit page and its live data endpoint
(target p95 < 300 ms), and the monthly report of last month for the city and a county (target < 30 s).
A miss is printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_analytics  (the default)
    BENCH_SCALE=1        fraction of the full data set (0.01 for a quick check)
    BENCH_REQUESTS=100   timed requests per case
    BENCH_REUSE=1        time the database a previous run built instead of rebuilding it
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_analytics"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_enterprise_list as base  # noqa: E402 - reads DATABASE_URL set above
import bench_hazards  # noqa: E402
import benchlib  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
HAZARDS = int(1_000_000 * SCALE)
INCIDENTS = int(100_000 * SCALE)
READINGS = int(10_000_000 * SCALE)
POINTS = max(20, int(2_000 * min(SCALE * 10, 1)))
ALARMS = int(20_000 * SCALE)
TARGET_P95_MS = 300.0
TARGET_REPORT_S = 30.0
SEED = 20261123
FIRST_DAY = datetime.date(2022, 1, 1)
SUBTYPES = [("accident", "危险化学品事故"), ("accident", "火灾事故"), ("accident", "道路交通事故"),
            ("natural", "洪涝灾害"), ("natural", "地质灾害"), ("social", "群体性事件")]


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples) into a table; returns the count."""
    from django.db import connection

    connection.ensure_connection()
    count = 0
    with connection.connection.cursor() as raw, raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def build_incidents(villages) -> int:
    """Incidents over five years: almost all closed, the recent ones open, some overdue, a few drills."""
    from django.utils import timezone

    rng = random.Random(SEED)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    span = (today - FIRST_DAY).days
    columns = ["code", "title", "category", "subtype", "occurred_at", "place", "longitude", "latitude", "region_id",
               "deaths", "missing", "serious_injuries", "light_injuries", "direct_loss_yuan", "description", "source",
               "grade", "created_at", "next_report_kind", "next_report_due", "overdue_since", "closed", "is_exercise"]

    def rows():
        for number in range(INCIDENTS):
            day = FIRST_DAY + datetime.timedelta(days=rng.randrange(span + 1))
            at = datetime.datetime.combine(day, datetime.time(rng.randrange(24), rng.randrange(60)), tzinfo=tz)
            category, subtype = rng.choice(SUBTYPES)
            deaths = rng.choices([0, 1, 3, 10], [90, 7, 2.5, 0.5])[0]
            grade = "major" if deaths >= 10 else "larger" if deaths >= 3 else "general"
            age = (today - day).days
            closed = age > 20 or rng.random() < 0.5
            overdue = None if closed or rng.random() < 0.7 else at + datetime.timedelta(hours=2)
            village = villages[rng.randrange(len(villages))]
            yield (f"SJ-{village.code[:6]}-{number:07d}", f"基准事件{number}", category, subtype, at, "基准地点",
                   118.3 + rng.random() * 0.4, 36.2 + rng.random() * 0.4, village.code, deaths, 0, 0, 0,
                   rng.randrange(0, 5_000_000), "基准事件概况", "基准", grade, at,
                   "" if closed else "follow_up", None if closed else at + datetime.timedelta(hours=24), overdue,
                   closed, rng.random() < 0.01)

    return copy_rows("incidents_incident", columns, rows())


def build_monitoring(villages) -> tuple[int, int]:
    """Hazard sources, points, the latest value of each, readings over last month and this one, alarms."""
    from django.utils import timezone

    from yingji.enterprises.models import Enterprise
    from yingji.monitoring.models import LatestReading, MajorHazardSource, MonitoringPoint

    rng = random.Random(SEED + 1)
    enterprises = list(Enterprise.objects.filter(category="hazchem_production").values_list("pk", "region_id")
                       [:max(2, POINTS // 10)])
    sources = MajorHazardSource.objects.bulk_create([
        MajorHazardSource(enterprise_id=pk, region_id=region, code=f"HS-{pk:06d}", name=f"储罐区{pk}",
                          unit_kind="storage", exposed_population=100) for pk, region in enterprises])
    now = timezone.now()
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    start_ms = int(datetime.datetime.combine(month, datetime.time.min,
                                             tzinfo=timezone.get_current_timezone()).timestamp() * 1000)
    end_ms = int(now.timestamp() * 1000)
    per_point = max(1, READINGS // POINTS)
    step = max(1, (end_ms - start_ms) // per_point)
    points = []
    for number in range(POINTS):
        source = sources[number % len(sources)]
        points.append(MonitoringPoint(source_id=source.pk, enterprise_id=source.enterprise_id,
                                      region_id=source.region_id, tag=f"LT-{number:05d}", name=f"液位{number}",
                                      kind="level", unit="m", range_low=0, range_high=20, high=15, high_high=18,
                                      report_period_seconds=max(1, step // 1000)))
    points = MonitoringPoint.objects.bulk_create(points, batch_size=2000)
    now_ms = int(now.timestamp() * 1000)
    LatestReading.objects.bulk_create([
        LatestReading(point_id=p.pk, ts=now_ms - step, value=5.0,
                      received_at=now_ms - (step * 10 if rng.random() < 0.1 else step))
        for p in points], batch_size=2000)
    from django.db import connection

    connection.ensure_connection()
    written = 0
    with connection.connection.cursor() as raw, raw.copy("COPY monitoring_reading (point_id, ts, value) FROM STDIN") \
            as copy:
        for point in points:
            # Some points miss readings, so the month's online rate is not trivially 100 %.
            keep = 0.85 if point.pk % 7 == 0 else 1.0
            lines = []
            for index in range(per_point):
                if keep < 1.0 and rng.random() > keep:
                    continue
                lines.append(f"{point.pk}\t{start_ms + index * step}\t{5 + (index % 50) / 10}\n")
            copy.write("".join(lines))
            written += len(lines)
    columns = ["code", "kind", "level", "status", "point_id", "source_id", "enterprise_id", "region_id", "started_at",
               "occurrences", "escalation_step", "measures"]
    open_once: set[int] = set()

    def alarms():
        span = (now_ms - start_ms) // 1000
        for number in range(ALARMS):
            point = points[rng.randrange(len(points))]
            status = "closed"
            if number >= ALARMS - max(1, ALARMS // 100) and point.pk not in open_once:
                open_once.add(point.pk)
                status = rng.choice(["unacknowledged", "acknowledged", "disposing"])
            started = now - datetime.timedelta(seconds=rng.randrange(span))
            yield (f"BJ-{number:08d}", "high", rng.choice([1, 2]), status, point.pk, point.source_id,
                   point.enterprise_id, point.region_id, started, 1, 0, "")

    alarm_count = copy_rows("monitoring_alarm", columns, alarms())
    return written, alarm_count


def build_resources_and_duty(villages) -> None:
    from django.utils import timezone

    from yingji.core.models import Organization
    from yingji.incidents.models import DutyShift
    from yingji.resources.models import RescueTeam, Shelter

    rng = random.Random(SEED + 2)
    RescueTeam.objects.bulk_create([
        RescueTeam(name=f"基准救援队{n}", kind="professional", region_id=villages[n % len(villages)].code,
                   longitude=118.5, latitude=36.4, member_count=rng.randint(10, 60),
                   status=rng.choice(["standby", "standby", "deployed", "resting"])) for n in range(400)])
    Shelter.objects.bulk_create([
        Shelter(name=f"基准避难场所{n}", kind="park", region_id=villages[n % len(villages)].code, longitude=118.5,
                latitude=36.4, effective_area_m2=rng.randint(1000, 20000), capacity=rng.randint(600, 13000),
                occupancy=0) for n in range(300)])
    bureau = Organization.objects.create(name="基准市应急管理局", kind="bureau", region_id="390100000000")
    DutyShift.objects.bulk_create([
        DutyShift(organization=bureau, region_id="390100000000", date=timezone.localdate(), position=position,
                  person_name=name) for position, name in [("leader", "带班领导甲"), ("chief", "值班长乙"),
                                                           ("officer", "值班员丙"), ("officer", "值班员丁")]])


def build_users():
    from yingji.core.models import Region
    from yingji.core.roles import LEADER
    from yingji.core.services import user_create

    return [(label, user_create(actor=None, username=f"bench_{label}_leader", password=base.PASSWORD,
                                real_name=f"{label}领导", roles=[LEADER], scope_region=Region.objects.get(pk=code)))
            for label, code in (("city", "390100000000"), ("county", "390102000000"))]


def cases_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)

    def data():
        return base.get_ok(client, "/analytics/cockpit/data/", HTTP_ACCEPT="application/json")

    def page():
        return base.get_ok(client, "/analytics/")

    def check():
        figures = data().json()["figures"]
        return figures["open_incidents"]["value"]

    return [("/analytics/cockpit/data/ (live figures)", data, check), ("/analytics/ (cockpit page)", page, check)]


def check_figures(user) -> None:
    """The cockpit's rolled-up figures equal direct counts of the source tables: a fast wrong answer is no answer."""
    from django.test import Client

    from yingji.hazards.models import Hazard
    from yingji.incidents.models import Incident
    from yingji.monitoring.models import Alarm

    client = Client()
    client.force_login(user)
    figures = {k: v["value"] for k, v in client.get("/analytics/cockpit/data/").json()["figures"].items()}
    expected = {
        "open_incidents": Incident.objects.restrict(user).filter(closed=False, is_exercise=False).count(),
        "open_alarms": Alarm.objects.restrict(user).exclude(status="closed").count(),
        "major_hazards": Hazard.objects.restrict(user).filter(level="major").exclude(status="closed").count(),
        "overdue_hazards": Hazard.objects.restrict(user).filter(overdue_since__isnull=False).exclude(
            status="closed").count(),
    }
    for key, value in expected.items():
        if figures[key] != value:
            raise RuntimeError(f"{user.username}: cockpit {key} = {figures[key]}, counted {value}")


def time_report(region_code: str) -> tuple[float, str]:
    from django.utils import timezone

    from yingji.analytics import services
    from yingji.analytics.models import MonthlyReport
    from yingji.analytics.report import previous_month
    from yingji.core.models import Region

    month = previous_month(timezone.localdate().replace(day=1))
    report = services.monthly_report_request(actor=None, region=Region.objects.get(pk=region_code), month=month)
    started = time.perf_counter()
    services.monthly_report_build(report_id=report.pk)
    elapsed = time.perf_counter() - started
    report = MonthlyReport.objects.get(pk=report.pk)
    if report.status != "done":
        raise RuntimeError(f"report failed: {report.error}")
    hazards = report.figures["hazards"]["current"]
    return elapsed, (f"{report.figures['hazards']['current']['found']} hazards found, "
                     f"{report.figures['incidents']['current']['total']} incidents, online rate "
                     f"{report.figures['alarms']['online_rate']}%, {report.file.size // 1024} KB; "
                     f"closed {hazards['closed']}")


def main() -> int:
    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        benchlib.recreate_database(os.environ["DATABASE_URL"])
    benchlib.start_django()
    if reuse:
        users = benchlib.bench_users("city", "county", suffix="_leader")
        print("data: reused")
    else:
        villages = base.build_regions()
        base.build_enterprises(villages)
        users = build_users()
        bench_hazards.HAZARDS = HAZARDS
        bench_hazards.build_hazards(villages)
        incidents = build_incidents(villages)
        readings, alarms = build_monitoring(villages)
        build_resources_and_duty(villages)
        print(f"data: {HAZARDS} hazards, {incidents} incidents, {readings} readings of {POINTS} points, {alarms} "
              f"alarms, loaded in {time.perf_counter() - started:.1f} s")
        from yingji.analytics.rollups import refresh_tallies
        from yingji.hazards.services import rebuild_statistics

        roll = time.perf_counter()
        stat_rows = rebuild_statistics()
        hazard_roll = time.perf_counter() - roll
        roll = time.perf_counter()
        tally_rows = refresh_tallies()
        print(f"roll-ups: {stat_rows} HazardStat rows in {hazard_roll:.1f} s; {tally_rows} Tally rows in "
              f"{time.perf_counter() - roll:.2f} s (the sweep's full refresh)")
        benchlib.vacuum_analyze()
    for _label, user in users:
        check_figures(user)
    print("figures: the cockpit's roll-ups equal direct counts for both leaders")
    print(f"timing: {benchlib.WARMUP} warm-up + {REQUESTS} timed runs per case, target p95 < {TARGET_P95_MS:.0f} ms")
    benchlib.print_machine()
    misses = benchlib.time_cases(users, cases_for, requests=REQUESTS, target_ms=TARGET_P95_MS, width=40, column="open")
    for label, code in (("city", "390100000000"), ("county", "390102000000")):
        elapsed, summary = time_report(code)
        verdict = "PASS" if elapsed < TARGET_REPORT_S else "FAIL"
        misses += verdict == "FAIL"
        print(f"monthly report, {label}: {elapsed:.1f} s (target < {TARGET_REPORT_S:.0f} s) {verdict}: {summary}",
              flush=True)
    print(f"{misses} case(s) over target" if misses else "all cases within target")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
