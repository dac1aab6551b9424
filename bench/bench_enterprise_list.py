"""Enterprise list, API and scoping query on PostgreSQL with 10,000 enterprises.

Builds a fresh database (DROP and CREATE, so runs are comparable), a fictional
region tree under province 39 (1 city, 5 counties, 40 townships, 400 villages)
and 10,000 enterprises spread over the villages, then times the pages a city
and a county supervisor open most. Target: p95 under 100 ms per case. A miss is
printed, not fatal; only an error makes the exit code non-zero.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench  (the default)
    BENCH_REQUESTS=200   timed requests per case
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from urllib.parse import quote

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
TARGET_P95_MS = 100.0
ENTERPRISES = 10_000
SEED = 20260101
PASSWORD = "Bench@2026-only"


from benchlib import (  # noqa: E402 - bench/ is on the path of a bench script
    WARMUP,
    print_end,
    print_machine,
    recreate_database,
    start_django,
    time_cases,
    use_settings,
    vacuum_analyze,
)

use_settings(DATABASE_URL, test_client=True)


def build_regions():
    from yingji.core.models import Region

    regions = [
        Region(code="390000000000", name="基准省", level="province"),
        Region(code="390100000000", name="基准市", level="city", parent_id="390000000000"),
    ]
    villages = []
    for county_number in range(1, 6):
        county = f"3901{county_number:02d}000000"
        regions.append(Region(code=county, name=f"第{county_number}县", level="county", parent_id="390100000000"))
        for township_number in range(1, 9):
            township = f"{county[:6]}{100 + township_number:03d}000"
            township_name = f"{county_number}县{township_number}镇"
            regions.append(Region(code=township, name=township_name, level="township", parent_id=county))
            for village_number in range(1, 11):
                village = Region(
                    code=f"{township[:9]}{village_number:03d}", name=f"{township_name}{village_number}村",
                    level="village", parent_id=township,
                )
                regions.append(village)
                villages.append(village)
    Region.objects.bulk_create(regions, batch_size=1000)
    return villages


CATEGORY_NAMES = {
    "hazchem_production": ("化工有限公司", "C2614", "有机化学原料制造"),
    "hazchem_trade": ("化工贸易有限公司", "F5166", "化肥批发"),
    "hazchem_use": ("精细化工有限公司", "C2662", "专项化学用品制造"),
    "non_coal_mine": ("矿业有限公司", "B1011", "石灰石、石膏开采"),
    "fireworks": ("烟花爆竹有限公司", "C2672", "烟花鞭炮产品制造"),
    "metallurgy": ("钢铁有限公司", "C3120", "炼钢"),
    "building_materials": ("建材有限公司", "C3021", "水泥制品制造"),
    "machinery": ("机械制造有限公司", "C3421", "金属切削机床制造"),
    "light_industry": ("食品有限公司", "C1391", "淀粉及淀粉制品制造"),
    "commerce": ("商贸有限公司", "F5291", "其他综合零售"),
}
CATEGORY_WEIGHTS = [10, 8, 6, 3, 2, 6, 10, 25, 15, 15]
WORDS = "青山 绿水 长河 东岳 华兴 宏远 泰和 金石 新元 瑞丰 永安 博达 恒通 天成 鑫源 安达".split()


def build_enterprises(villages) -> None:
    from yingji.enterprises.models import Enterprise
    from yingji.standards.uscc import check_character

    rng = random.Random(SEED)
    categories = list(CATEGORY_NAMES)
    rows = []
    for number in range(ENTERPRISES):
        village = villages[number % len(villages)]
        category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
        suffix, industry_code, industry_name = CATEGORY_NAMES[category]
        body = f"91{village.code[:6]}MA{number:07d}"
        rows.append(Enterprise(
            name=f"基准{rng.choice(WORDS)}{number:05d}{suffix}",
            credit_code=body + check_character(body),
            region_id=village.code,
            address=f"{village.name}工业路{rng.randint(1, 300)}号",
            longitude=round(118.3 + rng.random() * 0.4, 6),
            latitude=round(36.2 + rng.random() * 0.4, 6),
            industry_code=industry_code,
            industry_name=industry_name,
            category=category,
            scale_type=rng.choice(["above", "below"]),
            size=rng.choice(["large", "medium", "small", "micro"]),
            supervision_class="A" if rng.random() < 0.15 else "B",
            legal_representative=f"法人{number}",
            principal=f"负责人{number}",
            principal_phone=f"139{number:08d}",
            employee_count=rng.randint(5, 2000),
            status=rng.choices(["operating", "suspended", "closed"], [85, 10, 5])[0],
        ))
    Enterprise.objects.bulk_create(rows, batch_size=2000)


def build_users():
    from yingji.core.models import Region
    from yingji.core.roles import SUPERVISOR
    from yingji.core.services import user_create

    city = user_create(
        actor=None, username="bench_city", password=PASSWORD, real_name="市级监管员", roles=[SUPERVISOR],
        scope_region=Region.objects.get(pk="390100000000"),
    )
    county = user_create(
        actor=None, username="bench_county", password=PASSWORD, real_name="县级监管员", roles=[SUPERVISOR],
        scope_region=Region.objects.get(pk="390102000000"),
    )
    return [("city", city), ("county", county)]


def check_scoping(users) -> None:
    """Each supervisor sees exactly the enterprises under their region: a leak makes the figures meaningless."""
    from yingji.enterprises.models import Enterprise

    for _label, user in users:
        seen = Enterprise.objects.restrict(user, "view").count()
        under = Enterprise.objects.filter(region__code__startswith=user.scope_region.prefix).count()
        if seen != under:
            raise RuntimeError(f"{user.username} sees {seen} enterprises, {under} lie under {user.scope_region_id}")


def get_ok(client, url: str, **headers):
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} returned {response.status_code}")
    return response


def cases_for(user):
    """(name, timed callable, check) for one user; a check returns the row count the case shows, or raises."""
    from django.db.models import Q
    from django.test import Client

    from yingji.enterprises.filters import EnterpriseFilterSet
    from yingji.enterprises.models import Enterprise

    client = Client()
    client.force_login(user)
    scoped = Enterprise.objects.restrict(user, "view")
    search = Q()
    for field in EnterpriseFilterSet.search_fields:
        search |= Q(**{f"{field}__icontains": "化工"})
    expected = {
        "": scoped.count(),
        "?category=hazchem_production": scoped.filter(category="hazchem_production").count(),
        "?q=化工": scoped.filter(search).count(),
    }

    def page(query: str):
        def run():
            # Percent-encoded as a browser sends it.
            return get_ok(client, f"/enterprises/{quote(query, safe='?=&')}")

        def check():
            shown = re.search(r'data-testid="total">(\d+)<', run().content.decode())
            if not shown or int(shown.group(1)) != expected[query]:
                raise RuntimeError(f"/enterprises/{query} shows {shown and shown.group(1)}, expected {expected[query]}")
            return expected[query]

        return run, check

    def api():
        return get_ok(client, "/api/enterprises/", HTTP_ACCEPT="application/json")

    def api_check():
        body = api().json()
        if body["count"] != expected[""] or len(body["results"]) != min(50, expected[""]):
            raise RuntimeError(f"/api/enterprises/ count {body['count']}, expected {expected['']}")
        return body["count"]

    def query():
        queryset = Enterprise.objects.restrict(user, "view")
        queryset.count()
        list(queryset[:50])

    def query_check():
        return expected[""]

    return [
        ("/enterprises/", *page("")),
        ("/enterprises/?category=hazchem_production", *page("?category=hazchem_production")),
        ("/enterprises/?q=化工", *page("?q=化工")),
        ("/api/enterprises/", api, api_check),
        ("restrict() count + 50 rows", query, query_check),
    ]


def explain_page(user, url: str) -> None:
    """List the queries a page runs, and EXPLAIN ANALYZE those on enterprises exactly as Django sent them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, url)
    queries = captured.captured_queries
    print(f"\n{url} for {user.username} (scope {user.scope_region_id}): {len(queries)} queries")
    for statement in queries:
        print(f"  {float(statement['time']) * 1000:6.1f} ms  {shorten(statement['sql'], 110)}")
    with connection.cursor() as cursor:
        for statement in queries:
            sql = statement["sql"]
            if 'FROM "enterprises_enterprise"' not in sql:
                continue
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) {shorten(sql, 100)}")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            for (line,) in cursor.fetchall():
                print(f"    {line}")


def shorten(sql: str, width: int) -> str:
    sql = re.sub(r'SELECT ("[a-z_]+"\."[a-z_]+", )+("[a-z_]+"\."[a-z_]+")', "SELECT ...", sql)
    return sql if len(sql) <= width else sql[: width - 4] + " ..."


def explain_scoped_query(user) -> None:
    from yingji.enterprises.models import Enterprise

    print(f"\nEXPLAIN ANALYZE Enterprise.objects.restrict({user.username}, 'view')[:50]:")
    for line in Enterprise.objects.restrict(user, "view")[:50].explain(analyze=True).splitlines():
        print(f"    {line}")


def main() -> int:
    started = time.perf_counter()
    recreate_database(DATABASE_URL)
    start_django()
    villages = build_regions()
    build_enterprises(villages)
    users = build_users()
    vacuum_analyze()
    print(f"data: {len(villages)} villages, {ENTERPRISES} enterprises, built in {time.perf_counter() - started:.1f} s")
    print(f"timing: {WARMUP} warm-up + {REQUESTS} timed runs per case, target p95 < {TARGET_P95_MS:.0f} ms")
    print_machine()

    check_scoping(users)
    misses = time_cases(users, cases_for, requests=REQUESTS, target_ms=TARGET_P95_MS, width=42)
    print(f"{misses} case(s) over the p95 target" if misses else "all cases within the p95 target")

    by_label = dict(users)
    explain_scoped_query(by_label["county"])
    explain_page(by_label["county"], "/enterprises/")
    explain_page(by_label["city"], "/enterprises/?q=化工")
    print_end(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
