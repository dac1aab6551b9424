"""Hazard list, API and statistics on PostgreSQL with 1,000,000 hazards.

Builds a fresh database (DROP and CREATE), the region tree and 10,000 enterprises of bench_enterprise_list, and
1,000,000 hazards over five years (2022 to today) written with COPY, then times, for a city and a county
supervisor, the hazard list page, its API and the statistics page and API (default period: the year to date).
Target: p95 under 300 ms per case. A miss is printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_hazards  (the default)
    BENCH_REQUESTS=100   timed requests per case
    BENCH_HAZARDS=1000000
    BENCH_REUSE=1        time the database a previous run built instead of rebuilding it
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_hazards"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_enterprise_list as base  # noqa: E402 - reads DATABASE_URL set above
import benchlib  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
HAZARDS = int(os.environ.get("BENCH_HAZARDS", "1000000"))
TARGET_P95_MS = 300.0
SEED = 20260401
FIRST_DAY = datetime.date(2022, 1, 1)

SOURCES = ["self_check", "department_check", "enforcement", "covert", "public_report", "special_campaign"]
SOURCE_WEIGHTS = [54, 14, 16, 5, 4, 7]
CATEGORIES = ["basic_management", "equipment", "work_environment", "hazchem", "fire", "electrical",
              "special_equipment", "other"]
TEXTS = ["消防通道堆放杂物", "配电柜未接地", "安全阀超期未校验", "可燃气体报警器失效", "危化品未分类储存",
         "有限空间未设警示标识", "特种作业人员无证上岗", "应急演练未按计划开展"]
COLUMNS = [
    "code", "enterprise_id", "enterprise_category", "region_id", "description", "place", "category", "level",
    "source", "found_by_name", "found_at", "responsible_unit", "responsible_person", "measures", "deadline",
    "status", "rectified_at", "closed_at", "overdue_since", "plan_objectives", "plan_methods",
    "plan_funds_materials", "plan_organization", "plan_time_limits", "plan_safety_measures", "supervision_status",
    "supervision_level", "created_at",
]


def build_hazards(villages) -> int:
    """COPY the hazards in; older ones mostly closed, recent ones in every state, some overdue."""
    from django.db import connection
    from django.utils import timezone

    from yingji.enterprises.models import Enterprise
    from yingji.hazards.models import HazardCounter

    rng = random.Random(SEED)
    enterprises = list(Enterprise.objects.values_list("pk", "region_id", "category"))
    today = timezone.localdate()
    span = (today - FIRST_DAY).days
    tz = timezone.get_current_timezone()
    counters: dict[tuple[str, int], int] = {}
    connection.ensure_connection()
    with connection.connection.cursor() as raw, raw.copy(f"COPY hazards_hazard ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for number in range(HAZARDS):
            day = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
            found = datetime.datetime.combine(day, datetime.time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=tz)
            if rng.random() < 0.9:
                enterprise_id, region_id, category = enterprises[rng.randrange(len(enterprises))]
            else:
                enterprise_id, region_id, category = None, villages[rng.randrange(len(villages))].code, ""
            age = (today - day).days
            status = "closed" if rng.random() < (0.97 if age > 90 else 0.5) else rng.choice(
                ["reported", "rectifying", "rectifying", "awaiting_acceptance"])
            deadline = day + datetime.timedelta(days=rng.randint(7, 60))
            closed_at = found + datetime.timedelta(days=rng.randint(1, 60)) if status == "closed" else None
            overdue = found + datetime.timedelta(days=61) if status != "closed" and deadline < today else None
            key = (region_id[:6], day.year)
            counters[key] = counters.get(key, 0) + 1
            major = rng.random() < 0.02
            copy.write_row((
                f"YH-{key[0]}-{key[1]}-{counters[key]:06d}", enterprise_id, category, region_id,
                TEXTS[number % len(TEXTS)], "生产区域", CATEGORIES[number % len(CATEGORIES)],
                "major" if major else "general", rng.choices(SOURCES, SOURCE_WEIGHTS)[0], "检查员", found,
                "", "", "", deadline, status, closed_at, closed_at, overdue, "", "", "", "", "", "",
                "none", "", found,
            ))
    HazardCounter.objects.bulk_create(
        [HazardCounter(county_code=c, year=y, last=n) for (c, y), n in counters.items()])
    return HAZARDS


def cases_for(user):
    from django.test import Client

    from yingji.hazards.models import Hazard

    client = Client()
    client.force_login(user)
    expected = Hazard.objects.restrict(user, "view").count()

    def page():
        return base.get_ok(client, "/hazards/")

    def page_check():
        import re

        shown = re.search(r'data-testid="total">(\d+)<', page().content.decode())
        if not shown or int(shown.group(1)) != expected:
            raise RuntimeError(f"/hazards/ shows {shown and shown.group(1)}, expected {expected}")
        return expected

    def api():
        return base.get_ok(client, "/api/hazards/", HTTP_ACCEPT="application/json")

    def api_check():
        body = api().json()
        if body["count"] != expected:
            raise RuntimeError(f"/api/hazards/ count {body['count']}, expected {expected}")
        return body["count"]

    def stats():
        return base.get_ok(client, "/hazards/statistics/")

    def stats_api():
        return base.get_ok(client, "/api/hazards/statistics/", HTTP_ACCEPT="application/json")

    def stats_check():
        return stats_api().json()["totals"]["found"]

    # From 2 January the ranking cannot use the per-year roll-up rows and adds up the monthly ones: the
    # comparison for the per-year rows, on the same data in the same run.
    day_two = f"{datetime.date.today().year}-01-02"

    def stats_monthly():
        return base.get_ok(client, f"/api/hazards/statistics/?from={day_two}", HTTP_ACCEPT="application/json")

    def stats_monthly_check():
        return stats_monthly().json()["totals"]["found"]

    return [
        ("/hazards/", page, page_check),
        ("/api/hazards/", api, api_check),
        ("/hazards/statistics/ (year to date)", stats, stats_check),
        ("/api/hazards/statistics/", stats_api, stats_check),
        ("/api/hazards/statistics/?from=01-02", stats_monthly, stats_monthly_check),
    ]


def main() -> int:
    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        benchlib.recreate_database(os.environ["DATABASE_URL"])
    benchlib.start_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.hazards.models import Hazard, HazardStat

    if reuse:
        # BENCH_REUSE=1: time the data a previous run built (it takes minutes to build).
        users = benchlib.bench_users("city", "county")
        from yingji.hazards.models import StatDimension
        from yingji.hazards.services import rebuild_statistics

        if not HazardStat.objects.filter(dimension=StatDimension.ENTERPRISE_YEAR).exists():
            print(f"roll-up rebuilt for the per-year rows: {rebuild_statistics()} HazardStat rows")
        print(f"data: reused, {Hazard.objects.count()} hazards, {HazardStat.objects.count()} roll-up rows")
    else:
        villages = base.build_regions()
        base.build_enterprises(villages)
        users = base.build_users()
        build_hazards(villages)
        from yingji.hazards.services import rebuild_statistics

        stat_rows = rebuild_statistics()
        print(f"roll-up: {stat_rows} HazardStat rows")
        benchlib.vacuum_analyze()
        print(f"data: {len(villages)} villages, {base.ENTERPRISES} enterprises, {HAZARDS} hazards since "
              f"{FIRST_DAY}, built in {time.perf_counter() - started:.1f} s")
    print(f"timing: {benchlib.WARMUP} warm-up + {REQUESTS} timed runs per case, target p95 < {TARGET_P95_MS:.0f} ms")
    benchlib.print_machine()
    misses = benchlib.time_cases(users, cases_for, requests=REQUESTS, target_ms=TARGET_P95_MS, width=40, column_width=8)
    print(f"{misses} case(s) over the p95 target" if misses else "all cases within the p95 target")
    if os.environ.get("BENCH_EXPLAIN"):
        for label, user in users:
            with CaptureQueriesContext(connection) as captured:
                base.get_ok(_client(user), "/hazards/statistics/")
            for q in captured.captured_queries:
                print(f"\n{label} {float(q['time']) * 1000:.1f} ms {base.shorten(q['sql'], 300)}")
    benchlib.print_end(started)
    return 0


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


if __name__ == "__main__":
    sys.exit(main())
