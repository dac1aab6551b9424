"""The online-rate roll-up on PostgreSQL: one incremental run against a recount of the whole day.

Builds a fresh database (DROP and CREATE) with BENCH_POINTS points (default 5,000) reporting every 10 s, 100 per
enterprise and one gateway per enterprise, and COPYs BENCH_HOURS hours (default 3) of readings of a past day
straight into the history (2 % of readings missing, so rates are not all 100 %), with the gateways' minutes. Then:

1. the first run of the day, which has nothing settled yet and counts every reading so far;
2. BENCH_RUNS times (default 3): ten more minutes of readings, then one incremental run (the sweep's every
   10 minutes), timed, with the part spent scanning readings;
3. a recount of the day from all its readings (`full=True`, what every run cost before), timed, and checked to
   give exactly the figures of the incremental run;
4. an extrapolation to 50,000 points and to a whole day (432 million readings), stated with its assumptions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_online  (the default)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_online"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
POINTS = int(os.environ.get("BENCH_POINTS", "5000"))
HOURS = float(os.environ.get("BENCH_HOURS", "3"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PER_ENTERPRISE = 100
PERIOD_MS = 10_000
MINUTE = 60_000
TARGET_POINTS = 50_000
SEED = 20261202


from benchlib import build_monitored_enterprises, recreate_database, use_settings  # noqa: E402 - bench/ is on the path of a bench script

use_settings(DATABASE_URL)


def build_plant() -> list[int]:
    from yingji.monitoring.models import MonitoringPoint

    village, _enterprises, sources, _gateways = build_monitored_enterprises(max(1, POINTS // PER_ENTERPRISE), digits=5)
    points = [MonitoringPoint(
        source=source, enterprise_id=source.enterprise_id, region_id=village, tag=f"PT-{n:04d}", name=f"监测点{n}",
        kind="pressure", unit="MPa", range_low=0.0, range_high=10.0, high=8.0, report_period_seconds=10)
        for source in sources for n in range(PER_ENTERPRISE)]
    MonitoringPoint.objects.bulk_create(points, batch_size=5000)
    return list(MonitoringPoint.objects.order_by("pk").values_list("pk", flat=True))


def load(point_ids, start: int, end: int, rng) -> int:
    """COPY the readings of [start, end) at 10 s (2 % missing) and the gateways' minutes; return the rows."""
    import numpy as np
    from django.db import connection, transaction

    from yingji.core import bulk
    from yingji.monitoring import ingest
    from yingji.monitoring.models import Reading

    ids = np.array(point_ids, dtype=np.int64)
    rows = 0
    for chunk in range(start, end, 10 * MINUTE):
        stamps = np.arange(chunk, min(end, chunk + 10 * MINUTE), PERIOD_MS, dtype=np.int64)
        point_id = np.tile(ids, len(stamps))
        ts = np.repeat(stamps, len(ids))
        keep = rng.random(len(ts)) >= 0.02
        readings = ingest.Readings(point_id[keep], ts[keep], np.full(int(keep.sum()), 4.2))
        with transaction.atomic(), connection.cursor() as cursor:
            bulk.insert_rows(Reading, ingest.READING_FIELDS, bulk.Arrays(readings.point_id, readings.ts, readings.value))
            cursor.execute("INSERT INTO monitoring_gatewayactivity (gateway_id, minute) SELECT g.id, m "
                           "FROM monitoring_gateway g, generate_series(%s::bigint, %s::bigint) m "
                           "ON CONFLICT DO NOTHING", [chunk // MINUTE, (min(end, chunk + 10 * MINUTE) - 1) // MINUTE])
        rows += len(readings)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_reading")
        cursor.execute("VACUUM ANALYZE monitoring_gatewayactivity")
    return rows


def snapshot(day) -> dict:
    from yingji.monitoring.models import OnlineRate

    return {(r[0], r[1], r[2], r[3]): r[4:] for r in OnlineRate.objects.filter(day=day).values_list(
        "subject", "point_id", "gateway_id", "enterprise_id", "expected_seconds", "online_seconds", "readings", "rate")}


def timed_scan(day, settled: int, now: int) -> tuple[float, int]:
    """The incremental run's scan of readings alone, repeated outside the run: seconds and rows read."""
    from yingji.monitoring.services import online

    _start, end = online.day_bounds_ms(day)
    horizon = now - online.online_settle_ms() - online.ONLINE_SAFETY_MS
    t0 = time.perf_counter()
    before, after = online._online_scan(online._KINDS["point"], settled, horizon - horizon % MINUTE, end)
    elapsed = time.perf_counter() - t0
    return elapsed, sum(c.readings for c in before.values()) + sum(c.readings for c in after.values())


def main() -> int:
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from yingji.monitoring import services
    from yingji.monitoring.models import OnlineProgress
    from yingji.monitoring.services import online

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    load_avg = os.getloadavg()
    print(f"{version}; load average at start {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    point_ids = build_plant()
    print(f"setup: {len(point_ids)} points at 10 s, {len(point_ids) // PER_ENTERPRISE} gateways, "
          f"in {time.perf_counter() - started:.1f} s")
    rng = np.random.default_rng(SEED)
    day = timezone.localdate() - timedelta(days=1)
    start, _end = online.day_bounds_ms(day)
    now = start + int(HOURS * 3_600_000)
    if now + RUNS * 10 * MINUTE > _end:
        raise SystemExit("BENCH_HOURS plus BENCH_RUNS ten-minute steps must stay within the day (at most 23.5 h)")
    t0 = time.perf_counter()
    history = load(point_ids, start, now, rng)
    print(f"history: {history:,} readings ({HOURS:g} h) COPYed in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    written = services.online_rates_rollup(day=day, now_ms=now)
    first = time.perf_counter() - t0
    print(f"1. first run of the day (nothing settled yet, counts all {history:,} readings): {first:.2f} s, "
          f"{written} rate rows")

    incremental, scans, scanned = [], [], []
    for _run in range(RUNS):
        settled = OnlineProgress.objects.get(day=day).settled_until
        load(point_ids, now, now + 10 * MINUTE, rng)
        now += 10 * MINUTE
        scan_seconds, rows = timed_scan(day, settled, now)
        t0 = time.perf_counter()
        services.online_rates_rollup(day=day, now_ms=now)
        incremental.append(time.perf_counter() - t0)
        scans.append(scan_seconds)
        scanned.append(rows)
    inc, scan, rows = statistics.median(incremental), statistics.median(scans), int(statistics.median(scanned))
    print(f"2. incremental run after 10 minutes of new readings ({len(point_ids) * 60:,} new), median of {RUNS}: "
          f"{inc:.2f} s (runs: {', '.join(f'{t:.2f}' for t in incremental)}); of which scanning the "
          f"{rows:,} readings not yet settled (10 new + 10 settle + 1 margin minutes): {scan:.2f} s")
    after_incremental = snapshot(day)

    total_rows = history + RUNS * len(point_ids) * 60
    t0 = time.perf_counter()
    services.online_rates_rollup(day=day, now_ms=now, full=True)
    full = time.perf_counter() - t0
    same = snapshot(day) == after_incremental
    print(f"3. recount of the day from all its {total_rows:,} readings (full=True, the old cost of every run): "
          f"{full:.2f} s; figures identical to the incremental run: {'yes' if same else 'NO'}")

    # 4. Extrapolation. The incremental scan reads (10 + 10 + 1) minutes of readings, so its cost grows with the
    # number of points; the rest of a run (tally upserts, rate rows, Python) grows with points too. The recount
    # grows with the day's readings.
    factor = TARGET_POINTS / len(point_ids)
    per_row_full = full / total_rows
    day_rows = TARGET_POINTS * 8640
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('monitoring_reading'), pg_indexes_size('monitoring_reading'), "
                       "count(*) FROM monitoring_reading")
        heap, index, stored = cursor.fetchone()
    day_gb = day_rows * (heap + index) / stored / 1e9
    print(f"4. extrapolated linearly to {TARGET_POINTS:,} points (x{factor:g}): an incremental run reads "
          f"{rows * factor / 1e6:.1f} million readings and takes about {inc * factor:.0f} s every 10 minutes (the "
          f"scan about {scan * factor:.0f} s of it), whatever the hour. A recount of a whole day "
          f"({day_rows / 1e6:.0f} million readings, about {day_gb:.0f} GB of table and key at the "
          f"{(heap + index) / stored:.0f} bytes per reading measured here) would take at least "
          f"{per_row_full * day_rows / 60:.0f} min at the {per_row_full * 1e6:.2f} µs per reading measured here with "
          f"everything in memory; more, once the day no longer fits in the page cache. Before this change every "
          f"10-minute run of today was such a recount of the day so far.")
    load_avg = os.getloadavg()
    print(f"load average at end {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
