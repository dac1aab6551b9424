"""Risk point list, API and region statistics on PostgreSQL with 200,000 risk points.

Builds a fresh database (DROP and CREATE), the region tree and 10,000 enterprises of
bench_enterprise_list.py, and 200,000 risk points over those enterprises (COPY, graded by
yingji.standards.risk), then times the pages a city and a county supervisor open. Target: p95 under
300 ms per case. A miss is printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_risks  (the default)
    BENCH_REQUESTS=200   timed requests per case
    BENCH_RISK_POINTS=200000   fewer for a quick check (e.g. 20000)
    BENCH_REUSE=1        time the database a previous run built instead of rebuilding it
"""

from __future__ import annotations

import os
import random
import re
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_risks"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
os.environ["DATABASE_URL"] = DATABASE_URL

# The shared pieces (settings environment, region tree, enterprises, timing) of the enterprise benchmark.
import bench_enterprise_list as base  # noqa: E402
import benchlib  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TARGET_P95_MS = 300.0
RISK_POINTS = int(os.environ.get("BENCH_RISK_POINTS", "200000"))
SEED = 20260202

NAMES = ["液氨储罐区", "甲醇储罐区", "动火作业", "有限空间作业", "配电室", "叉车作业", "高处作业", "喷漆房", "冲压机",
         "锅炉房", "危险化学品仓库", "装卸栈台", "临时用电作业", "消防泵房", "粉尘爆炸危险区", "吊装作业"]
PLACES = ["东罐区", "西罐区", "一号车间", "二号车间", "动力车间", "仓库", "厂区"]
COLUMNS = [
    "enterprise_id", "region_id", "name", "place", "kind", "method", "lec_l", "lec_e", "lec_c", "matrix_l", "matrix_s",
    "risk_value", "level", "measure_engineering", "measure_management", "measure_training", "measure_protection",
    "measure_emergency", "control_level", "responsible_person", "responsible_phone", "next_review", "longitude",
    "latitude", "status", "updated_at",
]


def build_risk_points() -> None:
    """COPY 200,000 graded risk points, 20 per enterprise, each graded by the standards module."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from yingji.enterprises.models import Enterprise
    from yingji.risks.models import LEVEL_BY_NAME
    from yingji.standards import risk

    rng = random.Random(SEED)
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "region_id", "longitude", "latitude"))
    per_enterprise = RISK_POINTS // len(enterprises)
    l_values = [v for v, _t in risk.LEC_L_TABLE]
    e_values = [v for v, _t in risk.LEC_E_TABLE]
    c_values = [v for v, _t in risk.LEC_C_TABLE]
    today = datetime.date(2026, 11, 1)
    now = timezone.now()
    with connection.cursor() as cursor, cursor.connection.cursor().copy(
        f"COPY risks_riskpoint ({', '.join(COLUMNS)}) FROM STDIN"
    ) as copy:
        for pk, region_id, lon, lat in enterprises:
            for number in range(per_enterprise):
                if rng.random() < 0.7:
                    l_value = rng.choices(l_values, [3, 10, 20, 25, 20, 12, 10])[0]
                    e_value = rng.choices(e_values, [5, 25, 30, 15, 15, 10])[0]
                    c_value = rng.choices(c_values, [2, 8, 20, 30, 25, 15])[0]
                    d = risk.lec_exact(l_value, e_value, c_value)
                    method, inputs, value, level = "lec", (l_value, e_value, c_value, None, None), d, risk.lec_level(d)
                else:
                    l_value, s_value = rng.randint(1, 5), rng.randint(1, 5)
                    method, inputs = "matrix", (None, None, None, l_value, s_value)
                    value, level = l_value * s_value, risk.matrix_level(l_value, s_value)
                copy.write_row([
                    pk, region_id, f"{NAMES[number % len(NAMES)]}{number:02d}", rng.choice(PLACES),
                    rng.choice(["equipment", "activity", "area"]), method, *inputs, value, LEVEL_BY_NAME[level],
                    "设置报警和联锁", "每班巡检", "", "", "", rng.choice(["company", "workshop", "team", "post"]),
                    f"责任人{number}", "13800000000", today + datetime.timedelta(days=rng.randint(-60, 365)),
                    round(lon + rng.uniform(-0.001, 0.001), 6), round(lat + rng.uniform(-0.001, 0.001), 6),
                    "active" if rng.random() < 0.97 else "retired", now,
                ])


def check_scoping(users) -> None:
    from yingji.risks.models import RiskPoint

    for _label, user in users:
        seen = RiskPoint.objects.restrict(user, "view").count()
        under = RiskPoint.objects.filter(region__code__startswith=user.scope_region.prefix).count()
        if seen != under:
            raise RuntimeError(f"{user.username} sees {seen} risk points, {under} lie under {user.scope_region_id}")


def cases_for(user):
    """(name, timed callable, check) for one user; a check returns the row count the case shows, or raises."""
    from django.test import Client

    from yingji.risks.models import RiskPoint

    client = Client()
    client.force_login(user)
    scoped = RiskPoint.objects.restrict(user, "view")
    expected = {"": scoped.count(), "?level=major": scoped.filter(level="major").count()}

    def page(query: str):
        def run():
            return base.get_ok(client, f"/risks/{query}")

        def check():
            shown = re.search(r'data-testid="total">(\d+)<', run().content.decode())
            if not shown or int(shown.group(1)) != expected[query]:
                raise RuntimeError(f"/risks/{query} shows {shown and shown.group(1)}, expected {expected[query]}")
            return expected[query]

        return run, check

    def api():
        return base.get_ok(client, "/api/risk-points/", HTTP_ACCEPT="application/json")

    def api_check():
        body = api().json()
        if body["count"] != expected[""]:
            raise RuntimeError(f"/api/risk-points/ count {body['count']}, expected {expected['']}")
        return body["count"]

    def statistics():
        return base.get_ok(client, "/risks/regions/")

    def statistics_check():
        found = re.search(r'data-testid="risk-total">(\d+)<', statistics().content.decode())
        active = scoped.filter(status="active").count()
        if not found or int(found.group(1)) != active:
            raise RuntimeError(f"/risks/regions/ totals {found and found.group(1)}, expected {active}")
        return active

    def points():
        return base.get_ok(client, "/risks/regions/points/")

    def points_check():
        return len(points().json()["rows"])

    return [
        ("/risks/", *page("")),
        ("/risks/?level=major", *page("?level=major")),
        ("/api/risk-points/", api, api_check),
        ("/risks/regions/ (statistics)", statistics, statistics_check),
        ("/risks/regions/points/ (red/orange map)", points, points_check),
    ]


def explain(user, url: str) -> None:
    """The queries a page runs, and EXPLAIN ANALYZE of those on the risk tables exactly as Django sent them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        base.get_ok(client, url)
    print(f"\n{url} for {user.username}: {len(captured.captured_queries)} queries")
    with connection.cursor() as cursor:
        for statement in captured.captured_queries:
            print(f"  {float(statement['time']) * 1000:6.1f} ms  {base.shorten(statement['sql'], 110)}")
            if 'FROM "risks_' in statement["sql"]:
                cursor.execute(f"EXPLAIN ANALYZE {statement['sql']}")
                for (line,) in cursor.fetchall():
                    print(f"      {line}")


def main() -> int:
    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        benchlib.recreate_database(DATABASE_URL)
    benchlib.start_django()
    from yingji.risks.services import rebuild_level_counts

    if reuse:
        from yingji.risks.models import RiskPoint

        users = benchlib.bench_users("city", "county")
        print(f"data: reused, {RiskPoint.objects.count()} risk points, {rebuild_level_counts()} roll-up rows")
    else:
        villages = base.build_regions()
        base.build_enterprises(villages)
        build_risk_points()
        rollup_rows = rebuild_level_counts()
        users = base.build_users()
        benchlib.vacuum_analyze()
        print(f"data: {len(villages)} villages, {base.ENTERPRISES} enterprises, {RISK_POINTS} risk points, "
              f"{rollup_rows} roll-up rows, built in {time.perf_counter() - started:.1f} s")
    print(f"timing: {benchlib.WARMUP} warm-up + {REQUESTS} timed runs per case, target p95 < {TARGET_P95_MS:.0f} ms")
    benchlib.print_machine()

    check_scoping(users)
    misses = benchlib.time_cases(users, cases_for, requests=REQUESTS, target_ms=TARGET_P95_MS, width=42)
    print(f"{misses} case(s) over the p95 target" if misses else "all cases within the p95 target")

    by_label = dict(users)
    explain(by_label["county"], "/risks/")
    explain(by_label["city"], "/risks/regions/")
    benchlib.print_end(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
