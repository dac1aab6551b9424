"""Nearest resources with 100,000 resource points, and the incident list and map data with 100,000 incidents.

Builds a fresh PostgreSQL database (DROP and CREATE), a fictional city (5 counties, 40 townships, 400 villages) with
40,000 rescue teams, 30,000 shelters, 20,000 warehouses (each holding stock of one material) and 10,000 other points
spread over about 2° × 2°, and 100,000 incidents (2 % still open). Targets: p95 under 50 ms for a nearest-resource
query (radius or N nearest, through the service the page and API use) and under 300 ms for the incident list page
and the map data of a city duty officer. A miss is printed, not fatal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_resources  (the default)
    BENCH_REQUESTS=200   timed runs per case
    BENCH_SCALE=0.05     a quick check at 5 % of the data (figures then say nothing about the targets)
    BENCH_REUSE=1        keep the database built by a previous run (to compare code before/after on the same data)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_resources"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
NEAREST_TARGET_MS = 50.0
INCIDENT_TARGET_MS = 300.0
SEED = 20260101
PASSWORD = "Bench@2026-only"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REUSE = os.environ.get("BENCH_REUSE") == "1"
COUNTS = {kind: max(int(n * SCALE), 100) for kind, n in
          {"team": 40_000, "shelter": 30_000, "warehouse": 20_000, "point": 10_000}.items()}
INCIDENTS = max(int(100_000 * SCALE), 1000)
BOX = (117.5, 35.5, 2.0)  # west longitude, south latitude, size in degrees


from benchlib import (  # noqa: E402 - bench/ is on the path of a bench script
    print_machine,
    recreate_database,
    start_django,
    timed,
    use_settings,
    vacuum_analyze,
)

use_settings(DATABASE_URL, test_client=True)


def build_regions() -> list:
    from yingji.core.models import Region

    regions = [Region(code="390000000000", name="基准省", level="province"),
               Region(code="390100000000", name="基准市", level="city", parent_id="390000000000")]
    villages = []
    for c in range(1, 6):
        county = f"3901{c:02d}000000"
        regions.append(Region(code=county, name=f"第{c}县", level="county", parent_id="390100000000"))
        for t in range(1, 9):
            township = f"{county[:6]}{100 + t:03d}000"
            regions.append(Region(code=township, name=f"{c}县{t}镇", level="township", parent_id=county,
                                  population=30_000))
            for v in range(1, 11):
                village = Region(code=f"{township[:9]}{v:03d}", name=f"{c}县{t}镇{v}村", level="village",
                                 parent_id=township)
                regions.append(village)
                villages.append(village)
    Region.objects.bulk_create(regions)
    return villages


def point(rng: random.Random) -> tuple[float, float]:
    west, south, size = BOX
    return round(west + rng.random() * size, 6), round(south + rng.random() * size, 6)


def build_resources(rng: random.Random, villages) -> None:
    from decimal import Decimal

    from yingji.resources.models import Material, RescueTeam, ResourcePoint, Shelter, StockBalance, Warehouse

    def located(model, count, **fields):
        rows = []
        for i in range(count):
            lon, lat = point(rng)
            rows.append(model(name=f"{model._meta.verbose_name}{i:06d}", region_id=rng.choice(villages).code,
                              longitude=lon, latitude=lat, **fields))
        return model.objects.bulk_create(rows, batch_size=5000)

    located(RescueTeam, COUNTS["team"], kind="professional", member_count=20)
    located(Shelter, COUNTS["shelter"], kind="fixed", effective_area_m2=3000, capacity=2000)
    warehouses = located(Warehouse, COUNTS["warehouse"], level="township")
    located(ResourcePoint, COUNTS["point"], kind="medical")
    tents = Material.objects.create(code="TENT", name="帐篷", category="living", unit="顶")
    StockBalance.objects.bulk_create(
        [StockBalance(warehouse=w, material=tents, quantity=Decimal(rng.randint(0, 100)), region_id=w.region_id)
         for w in warehouses], batch_size=5000)


def build_incidents(rng: random.Random, villages) -> None:
    from django.utils import timezone

    from yingji.incidents.models import Incident

    now = timezone.now()
    rows = []
    for i in range(INCIDENTS):
        lon, lat = point(rng)
        occurred = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        is_open = rng.random() < 0.02
        rows.append(Incident(
            code=f"SJBENCH{i:08d}", title=f"基准事件{i:06d}", category="accident", subtype="火灾事故",
            occurred_at=occurred, place="基准地点", longitude=lon, latitude=lat, region_id=rng.choice(villages).code,
            deaths=rng.choice([0, 0, 0, 1, 3]), description="基准", source="基准", grade="一般", closed=not is_open,
            next_report_kind="follow_up" if is_open else "", next_report_due=occurred + timedelta(days=1)
            if is_open else None))
    Incident.objects.bulk_create(rows, batch_size=5000)


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False


def main() -> int:
    started = time.perf_counter()
    if not REUSE:
        recreate_database(DATABASE_URL)
    start_django()
    from django.test import Client

    from yingji.core import roles
    from yingji.core.models import Region, User
    from yingji.core.services import user_create
    from yingji.resources.models import Material
    from yingji.resources.selectors import nearest

    if REUSE and User.objects.filter(username="bench_city_duty").exists():
        user = User.objects.get(username="bench_city_duty")
    else:
        rng = random.Random(SEED)
        villages = build_regions()
        build_resources(rng, villages)
        build_incidents(rng, villages)
        user = user_create(actor=None, username="bench_city_duty", password=PASSWORD, real_name="市值班员",
                           roles=[roles.DUTY_OFFICER], scope_region=Region.objects.get(pk="390100000000"))
    vacuum_analyze()
    print(f"data: {sum(COUNTS.values())} resource points, {INCIDENTS} incidents, built in "
          f"{time.perf_counter() - started:.1f} s")
    print_machine()
    tents = Material.objects.get(code="TENT")
    origins = [point(random.Random(SEED + n)) for n in range(64)]
    counter = iter(range(10**9))

    def near(**kwargs):
        def run():
            lon, lat = origins[next(counter) % len(origins)]
            return nearest(user, latitude=lat, longitude=lon, **kwargs)
        return run

    client = Client()
    client.force_login(user)

    def page(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} returned {response.status_code}")
        return run

    cases = [
        ("nearest 10 standby teams (N nearest)", near(kind="team", limit=10), NEAREST_TARGET_MS),
        ("teams within 20 km, top 20", near(kind="team", radius_km=20, limit=20), NEAREST_TARGET_MS),
        ("warehouses with >= 50 tents within 30 km", near(kind="warehouse", radius_km=30, limit=10, material=tents,
                                                          quantity=50), NEAREST_TARGET_MS),
        ("shelters with free places, 10 nearest", near(kind="shelter", limit=10), NEAREST_TARGET_MS),
        ("nearest-resources API, teams 20 km", page("/api/nearest-resources/?kind=team&latitude=36.5&longitude=118.5"
                                                    "&radius_km=20"), NEAREST_TARGET_MS),
        ("incident list page (city)", page("/incidents/"), INCIDENT_TARGET_MS),
        ("incident list page 40 (city)", page("/incidents/?page=40"), INCIDENT_TARGET_MS),
        ("incident list, grade filter + search", page("/incidents/?grade=一般&q=基准事件0001"), INCIDENT_TARGET_MS),
        ("command-map incident data (city)", page("/incidents/geojson/"), INCIDENT_TARGET_MS),
        ("command-map feed (city)", page("/incidents/feed/"), INCIDENT_TARGET_MS),
        ("incident statistics page (city)", page("/incidents/statistics/"), INCIDENT_TARGET_MS),
    ]
    if not _has_url("incidents:incident_statistics"):
        cases.pop()
    print(f"{'case':<45} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  target")
    misses = 0
    for name, func, target in cases:
        samples = timed(func, REQUESTS)
        p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
        verdict = "PASS" if p95 < target else "FAIL"
        misses += verdict == "FAIL"
        print(f"{name:<45} {statistics.median(samples):7.1f} {p95:7.1f} {max(samples):7.1f}  p95<{target:.0f} "
              f"{verdict}", flush=True)
    print(f"\n{misses} case(s) over target" if misses else "\nall cases within target")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
