"""Pieces the benchmarks share (this file is not a benchmark: bench/run.py runs only bench_*.py)."""

from __future__ import annotations

import os
import statistics
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable

# Untimed runs of each case before the timed ones.
WARMUP = 10


def use_settings(database_url: str, *, test_client: bool = False) -> None:
    """The environment Django reads its settings from: the benchmark's database, DEBUG off.

    With test_client, login protection (django-axes) off and the test client's host name allowed: outside the
    test runner nobody adds it for us.
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
    os.environ["DEBUG"] = "0"
    if test_client:
        os.environ["AXES_ENABLED"] = "0"
        os.environ["ALLOWED_HOSTS"] = "testserver"


def recreate_database(url: str) -> None:
    """DROP and CREATE the benchmark database, connecting to the `postgres` maintenance database."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def start_django() -> None:
    """Set Django up (DEBUG must be off), print which database it uses and migrate it."""
    import django

    # WhiteNoise warns that STATIC_ROOT does not exist (no collectstatic here); the finders serve the files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    assert not settings.DEBUG, "the benchmark must run with DEBUG off"
    print(f"database: {connection.settings_dict['NAME']} on {connection.vendor} {connection.pg_version}")
    call_command("migrate", verbosity=0, interactive=False)


def bench_users(*labels: str, suffix: str = "") -> list[tuple[str, object]]:
    """The accounts a previous run built (BENCH_REUSE=1): `bench_<label><suffix>` for each label."""
    from yingji.core.models import User

    return [(label, User.objects.get(username=f"bench_{label}{suffix}")) for label in labels]


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_machine() -> None:
    # Other processes on the machine shift the tail: the load average says how far to trust a run.
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()}\n")


def print_end(started: float) -> None:
    print(f"\nload average at the end {load_average()}; total {time.perf_counter() - started:.1f} s")


def pad(text: str, width: int) -> str:
    """Left-justify text that may hold Chinese characters, which take two columns in a terminal."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def timed(func: Callable[[], object], count: int) -> list[float]:
    """Milliseconds of `count` runs of func, after WARMUP untimed ones."""
    for _ in range(WARMUP):
        func()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], max(samples)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_cases(
    users: Iterable[tuple[str, object]],
    cases_for: Callable[[object], Iterable[tuple[str, Callable[[], object], Callable[[], object]]]],
    *,
    requests: int,
    target_ms: float,
    width: int,
    column: str = "rows",
    column_width: int = 6,
) -> int:
    """Print the table of each user's cases (name, check value, SQL count and time, p50/p95/max); the misses.

    `cases_for(user)` gives (name, func, check): check() is run once for the value shown, func once with its
    queries recorded (their number shows an N+1 at once, their time splits the request between the database
    and Python), then timed.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    header = (f"{'user':<7} {pad('case', width)} {column:>{column_width}} {'SQL':>4} {'SQL ms':>7} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  p95<{target_ms:.0f}")
    print(header)
    print("-" * len(header))
    misses = 0
    for label, user in users:
        for name, func, check in cases_for(user):
            value = check()
            with CaptureQueriesContext(connection) as captured:
                func()
            queries = captured.captured_queries
            sql_ms = sum(float(q["time"]) for q in queries) * 1000
            p50, p95, worst = summary(timed(func, requests))
            verdict = "PASS" if p95 < target_ms else "FAIL"
            misses += verdict == "FAIL"
            print(f"{label:<7} {pad(name, width)} {value:>{column_width}} {len(queries):>4} {sql_ms:7.1f} "
                  f"{p50:7.1f} {p95:7.1f} {worst:7.1f}  {verdict}", flush=True)
    print("-" * len(header))
    return misses


def build_monitored_enterprises(count: int, digits: int) -> tuple[str, list, list, list]:
    """A one-village region tree and `count` hazchem enterprises, each with one hazard source and one gateway.

    Returns (village code, enterprises, sources, gateways); codes are numbered with `digits` digits (HS-0001,
    GW-0001), enterprise names with one fewer.
    """
    from yingji.core.models import Region
    from yingji.enterprises.models import Enterprise
    from yingji.monitoring.models import Gateway, MajorHazardSource
    from yingji.standards.uscc import check_character

    Region.objects.bulk_create([
        Region(code="390000000000", name="基准省", level="province"),
        Region(code="390100000000", name="基准市", level="city", parent_id="390000000000"),
        Region(code="390101000000", name="基准县", level="county", parent_id="390100000000"),
        Region(code="390101100000", name="基准镇", level="township", parent_id="390101000000"),
        Region(code="390101100001", name="基准村", level="village", parent_id="390101100000"),
    ])
    village = "390101100001"
    enterprises = []
    for number in range(count):
        body = f"91390101MA{number:07d}"
        enterprises.append(Enterprise(
            name=f"基准化工{number:0{digits - 1}d}有限公司", credit_code=body + check_character(body),
            region_id=village, address="工业路1号", industry_code="C2614", industry_name="有机化学原料制造",
            category="hazchem_production", scale_type="above", size="medium", supervision_class="B",
            legal_representative="法人", principal="负责人", principal_phone="13900000000", employee_count=100,
        ))
    enterprises = Enterprise.objects.bulk_create(enterprises)
    sources = MajorHazardSource.objects.bulk_create([
        MajorHazardSource(enterprise=e, region_id=village, code=f"HS-{i:0{digits}d}", name=f"罐区{i}",
                          unit_kind="storage", exposed_population=50) for i, e in enumerate(enterprises)])
    gateways = Gateway.objects.bulk_create([
        Gateway(enterprise=e, region_id=village, code=f"GW-{i:0{digits}d}", name=f"网关{i}", token_hash=f"{i:064d}")
        for i, e in enumerate(enterprises)])
    return village, enterprises, sources, gateways
