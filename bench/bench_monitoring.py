"""Telemetry ingestion on PostgreSQL: sustained readings/s through the whole path for 50,000 points.

Builds a fresh database (DROP and CREATE), 100 enterprises with one gateway and one hazard source each and
500 points per source (50,000 points; set up with bulk_create, the benchmark times ingestion only), then:

1. gateway-style messages (one message per gateway per round, 500 readings each) through the full path —
   orjson parse, validation against the point table, COPY into history, the latest-value upsert and the
   alarm engine (0.01 % of readings cross a threshold) — as readings per second;
2. a raw COPY of the same number of rows into a bare table of the same shape, and the ratio of the two;
3. one reading per message through the same path;

The delay from an MQTT publish to the alarm row and to the board under load is bench_monitoring_live.py.

Target: at least 100,000 readings/s for (1) on this 2-core machine. A miss is printed, not fatal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_monitoring  (the default)
    BENCH_ROUNDS=10           rounds of 50,000 readings for (1)
    BENCH_WORKERS=2           worker processes side by side for (1b), 1 to skip
    BENCH_SINGLE=20000        one-reading messages for (3)
"""

from __future__ import annotations

import os
import random
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_monitoring"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
SINGLE = int(os.environ.get("BENCH_SINGLE", "20000"))
MESSAGES_PER_COMMIT = int(os.environ.get("BENCH_MESSAGES_PER_COMMIT", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ENTERPRISES = 100
POINTS_PER_ENTERPRISE = 500
TARGET = 100_000
ROUND_MS = 1_000  # one round of every point a second apart
SEED = 20260101


from benchlib import build_monitored_enterprises, recreate_database, use_settings  # noqa: E402 - bench/ is on the path of a bench script

use_settings(DATABASE_URL)


def build_plant():
    from yingji.monitoring.models import MonitoringPoint

    village, _enterprises, sources, gateways = build_monitored_enterprises(ENTERPRISES, digits=4)
    points = []
    for source in sources:
        for n in range(POINTS_PER_ENTERPRISE):
            points.append(MonitoringPoint(
                source=source, enterprise_id=source.enterprise_id, region_id=village, tag=f"PT-{n:04d}",
                name=f"监测点{n}", kind="pressure", unit="MPa", range_low=0.0, range_high=10.0, low=1.0, high=8.0,
                high_high=9.0, deadband=0.1, alarm_delay_seconds=0, report_period_seconds=10))
    MonitoringPoint.objects.bulk_create(points, batch_size=5000)
    return gateways


def messages_for_round(rng, gateways, round_number: int, base: int) -> list[tuple[object, bytes]]:
    import orjson

    out = []
    ts = base + round_number * ROUND_MS
    tags = [f"PT-{n:04d}" for n in range(POINTS_PER_ENTERPRISE)]
    for gateway in gateways:
        readings = [[tag, ts, 8.5 if rng.random() < 0.0001 else round(rng.uniform(3.0, 6.0), 3)] for tag in tags]
        out.append((gateway, orjson.dumps({"gateway": gateway.code, "ts": ts, "readings": readings})))
    return out


def main() -> int:
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yingji.monitoring import services
    from yingji.monitoring.ingest import PointTable, now_ms
    from yingji.monitoring.models import Alarm

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    gateways = build_plant()
    print(f"setup: {ENTERPRISES * POINTS_PER_ENTERPRISE} points, {len(gateways)} gateways "
          f"in {time.perf_counter() - started:.1f} s")
    rng = random.Random(SEED)
    table = PointTable(max_age=3600)
    table.refresh()
    # Current readings, as gateways send them: a few minutes back, so that none is in the future and none is
    # older than the online roll-up's settle time (a late reading costs a recount mark).
    base = now_ms() - 180_000

    # Process start-up costs (the URL resolver, loaded by the first alarm's notification link) are not ingestion.
    from django.urls import reverse

    reverse("monitoring:alarm_detail", args=[1])

    # 1. Gateway-style messages through the whole path.
    warm = messages_for_round(rng, gateways, 0, base)
    for gateway, body in warm:
        services.readings_ingest(gateway_id=gateway.pk, enterprise_id=gateway.enterprise_id, body=body, points=table,
                                 gateway_code=gateway.code)
    total, elapsed = ingest_rounds(gateways, base + ROUND_MS, ROUNDS, SEED)
    full_rate = total / elapsed
    print(f"full path, {POINTS_PER_ENTERPRISE} readings per message, one worker: {total} readings in {elapsed:.2f} s "
          f"= {full_rate:,.0f} readings/s (target {TARGET:,}: {'met' if full_rate >= TARGET else 'MISSED'}); "
          f"alarms raised: {Alarm.objects.count()}")

    # 1b. Workers side by side, as shared-subscription MQTT workers are deployed, each with its share of gateways.
    if WORKERS > 1:
        shared_total, shared_elapsed = ingest_side_by_side(gateways, base + (ROUNDS + 1) * ROUND_MS)
        shared_rate = shared_total / shared_elapsed
        print(f"full path, {POINTS_PER_ENTERPRISE} readings per message, {WORKERS} worker processes side by side: "
              f"{shared_total} readings in {shared_elapsed:.2f} s = {shared_rate:,.0f} readings/s "
              f"(target {TARGET:,}: {'met' if shared_rate >= TARGET else 'MISSED'})")

    # 2. Raw COPY of the same number of rows into a bare table of the same shape.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (point_id bigint, ts bigint, value double precision, "
                       "PRIMARY KEY (point_id, ts))")
        first = min(p.id for p in table.by_id.values())
        rows = [(first + (i % 50_000), base + (i // 50_000) * 10_000, 4.5) for i in range(total)]
        text = "".join(f"{p}\t{t}\t{v!r}\n" for p, t, v in rows).encode()
        t0 = time.perf_counter()
        with cursor.cursor.copy("COPY bench_raw (point_id, ts, value) FROM STDIN") as copy:
            copy.write(text)
        connection.commit() if not connection.get_autocommit() else None
        copy_elapsed = time.perf_counter() - t0
    copy_rate = total / copy_elapsed
    print(f"raw COPY of {total} rows (pre-formatted): {copy_elapsed:.2f} s = {copy_rate:,.0f} rows/s; "
          f"full path / raw COPY = {full_rate / copy_rate:.2f}")

    # 3. One reading per message.
    import orjson

    gateway = gateways[0]
    ts = base + (2 * ROUNDS + 10) * ROUND_MS  # after the rounds of (1) and (1b)
    bodies = [orjson.dumps({"readings": [[f"PT-{i % POINTS_PER_ENTERPRISE:04d}", ts + i // POINTS_PER_ENTERPRISE,
                                          4.2]]}) for i in range(SINGLE)]
    t0 = time.perf_counter()
    for body in bodies[: SINGLE // 10]:
        services.readings_ingest(gateway_id=gateway.pk, enterprise_id=gateway.enterprise_id, body=body, points=table,
                                 gateway_code=gateway.code)
    alone = time.perf_counter() - t0
    print(f"full path, 1 reading per message, one commit each: {SINGLE // 10} messages in {alone:.2f} s "
          f"= {SINGLE // 10 / alone:,.0f} readings/s")
    t0 = time.perf_counter()
    rest = bodies[SINGLE // 10:]
    for start in range(0, len(rest), 500):
        services.readings_ingest_many(messages=[services.IngestMessage(
            gateway_id=gateway.pk, enterprise_id=gateway.enterprise_id, body=body, gateway_code=gateway.code)
            for body in rest[start:start + 500]], points=table)
    together = time.perf_counter() - t0
    print(f"full path, 1 reading per message, 500 messages per commit: {len(rest)} messages in {together:.2f} s "
          f"= {len(rest) / together:,.0f} readings/s")

    return 0


def ingest_rounds(gateways, base: int, rounds: int, seed: int) -> tuple[int, float]:
    """ROUNDS of gateway messages through the whole path, MESSAGES_PER_COMMIT to a transaction as the MQTT
    worker batches what arrived together; the messages are built before the clock starts."""
    from yingji.monitoring import services
    from yingji.monitoring.ingest import PointTable

    rng = random.Random(seed)
    table = PointTable(max_age=3600)
    table.refresh()
    prepared = [messages_for_round(rng, gateways, number, base) for number in range(rounds)]
    total = 0
    started = time.perf_counter()
    for batch in prepared:
        for start in range(0, len(batch), MESSAGES_PER_COMMIT):
            chunk = [services.IngestMessage(gateway_id=g.pk, enterprise_id=g.enterprise_id, body=body,
                                            gateway_code=g.code) for g, body in batch[start:start + MESSAGES_PER_COMMIT]]
            total += sum(r.accepted for r in services.readings_ingest_many(messages=chunk, points=table))
    return total, time.perf_counter() - started


def _side_by_side_worker(gateways, base: int, number: int, ready, go, results) -> None:
    from django.db import connection

    connection.close()  # never share the parent's connection
    table_rounds = ROUNDS
    # Build this worker's messages first, then start together with the others.
    ready.wait()
    go.wait()
    results.put(ingest_rounds(gateways, base, table_rounds, SEED + 100 + number))
    connection.close()


def ingest_side_by_side(gateways, base: int) -> tuple[int, float]:
    """WORKERS processes at once, each with its share of the gateways; wall time from the common start to the
    last one done (each builds its messages before the start)."""
    import multiprocessing

    from django.db import connection

    connection.close()
    context = multiprocessing.get_context("fork")
    ready, go = context.Barrier(WORKERS + 1), context.Barrier(WORKERS + 1)
    results = context.Queue()
    shares = [gateways[number::WORKERS] for number in range(WORKERS)]
    workers = [context.Process(target=_side_by_side_worker, args=(share, base, number, ready, go, results))
               for number, share in enumerate(shares)]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    go.wait()
    counts = [results.get(timeout=600) for _worker in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join(60)
    return sum(count for count, _seconds in counts), elapsed


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
