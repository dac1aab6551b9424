"""Telemetry ingestion on PostgreSQL: sustained readings/s through the whole path for 50,000 points.

Builds a fresh database (DROP and CREATE), 100 enterprises with one gateway and one hazard source each and
500 points per source (50,000 points; set up with bulk_create, the benchmark times ingestion only), then:

1. gateway-style messages (one message per gateway per round, 500 readings each) through the full path —
   orjson parse, validation against the point table, COPY into history, the latest-value upsert and the
   alarm engine (0.01 % of readings cross a threshold) — as readings per second;
2. a raw COPY of the same number of rows into a bare table of the same shape, and the ratio of the two;
3. one reading per message through the same path;
4. the delay from an MQTT publish to the alarm row and to the board under a steady load (see measure_latency).

Target: at least 100,000 readings/s for (1) on this 2-core machine. A miss is printed, not fatal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_monitoring  (the default)
    BENCH_ROUNDS=10           rounds of 50,000 readings for (1)
    BENCH_WORKERS=2           worker processes side by side for (1b), 1 to skip
    BENCH_SINGLE=20000        one-reading messages for (3)
    BENCH_LATENCY_SECONDS=20  probing time for (4), 0 to skip
    BENCH_LATENCY_RATE=50000  readings/s offered as background load in (4)
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
LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "20"))
LATENCY_RATE = int(os.environ.get("BENCH_LATENCY_RATE", "50000"))
ENTERPRISES = 100
POINTS_PER_ENTERPRISE = 500
TARGET = 100_000
ROUND_MS = 1_000  # one round of every point a second apart
SEED = 20260101

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
os.environ["DEBUG"] = "0"


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build_plant():
    from yingji.core.models import Region
    from yingji.enterprises.models import Enterprise
    from yingji.monitoring.models import Gateway, MajorHazardSource, MonitoringPoint
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
    for number in range(ENTERPRISES):
        body = f"91390101MA{number:07d}"
        enterprises.append(Enterprise(
            name=f"基准化工{number:03d}有限公司", credit_code=body + check_character(body), region_id=village,
            address="工业路1号", industry_code="C2614", industry_name="有机化学原料制造", category="hazchem_production",
            scale_type="above", size="medium", supervision_class="B", legal_representative="法人", principal="负责人",
            principal_phone="13900000000", employee_count=100,
        ))
    enterprises = Enterprise.objects.bulk_create(enterprises)
    sources = MajorHazardSource.objects.bulk_create([
        MajorHazardSource(enterprise=e, region_id=village, code=f"HS-{i:04d}", name=f"罐区{i}", unit_kind="storage",
                          exposed_population=50) for i, e in enumerate(enterprises)])
    gateways = Gateway.objects.bulk_create([
        Gateway(enterprise=e, region_id=village, code=f"GW-{i:04d}", name=f"网关{i}", token_hash=f"{i:064d}")
        for i, e in enumerate(enterprises)])
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

    if LATENCY_SECONDS > 0:
        measure_latency(gateways, base)
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_latency(gateways, base: int) -> None:
    """4. Delay from MQTT publish to the alarm row and to the board, under a steady load of all 50,000 points.

    A private Mosquitto and one `manage.py ingest_mqtt` worker (a separate process, as deployed); a load
    publisher sends every point once per 50000/LATENCY_RATE seconds (gateway messages of 500 readings, values
    inside the band), and a probe publishes every 0.25 s one reading past 高高 on a fresh point. The alarm row
    is watched by polling the table every 20 ms; the board by fetching its alarm fragment once a second as
    the page does (htmx `every 1s`), through Django's test client logged in as a bureau user.
    """
    import subprocess
    import threading
    from pathlib import Path
    from tempfile import TemporaryDirectory

    import orjson
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from yingji.monitoring.tests.broker import Broker, Publisher, wait_for

    with TemporaryDirectory() as workdir:
        broker = Broker(Path(workdir))
        broker.start()
        env = {**os.environ, "DATABASE_URL": DATABASE_URL, "MQTT_URL": f"mqtt://127.0.0.1:{broker.port}"}
        root = Path(__file__).resolve().parents[1]
        worker = subprocess.Popen([sys.executable, "manage.py", "ingest_mqtt", "--client-id", "bench-latency"],
                                  cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe_gateway = gateways[0]
        publishers = {g.code: Publisher(broker.port, g.code) for g in gateways}
        stop = threading.Event()
        sent: dict[str, float] = {}  # probe tag -> publish time
        row_seen: dict[str, float] = {}
        board_seen: dict[str, float] = {}
        codes: dict[str, str] = {}
        load_sent = [0]

        def load() -> None:
            rng = random.Random(SEED + 1)
            interval = 50_000 / LATENCY_RATE
            tags = [f"PT-{n:04d}" for n in range(POINTS_PER_ENTERPRISE)]
            while not stop.is_set():
                started = time.perf_counter()
                ts = int(time.time()) * 1000  # even milliseconds; the probes use odd ones
                for gateway in gateways:
                    body = {"gateway": gateway.code, "readings": [[t, ts, round(rng.uniform(3.0, 6.0), 3)]
                                                                  for t in tags]}
                    publishers[gateway.code].client.publish(f"yingji/v1/gw/{gateway.code}/readings",
                                                            orjson.dumps(body), qos=1)
                    load_sent[0] += len(tags)
                stop.wait(max(0.0, interval - (time.perf_counter() - started)))

        def watch_rows() -> None:
            from yingji.monitoring.models import Alarm

            while not stop.is_set():
                waiting = [tag for tag in sent if tag not in row_seen]
                if waiting:
                    for tag, code in Alarm.objects.filter(point__enterprise_id=probe_gateway.enterprise_id,
                                                          point__tag__in=waiting).values_list("point__tag", "code"):
                        row_seen.setdefault(tag, time.perf_counter())
                        codes[tag] = code
                time.sleep(0.02)
            connection.close()

        def watch_board() -> None:
            user = get_user_model().objects.create_superuser("bench_board", password="Bench@2026")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            while not stop.is_set():
                started = time.perf_counter()
                page = client.get("/monitoring/board/alarms/").content.decode()
                now = time.perf_counter()
                for tag, code in list(codes.items()):
                    if tag not in board_seen and f'data-code="{code}"' in page:
                        board_seen[tag] = now
                stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))
            connection.close()

        threads: list[threading.Thread] = []
        probes = 0
        try:
            probe_publisher = publishers[probe_gateway.code]
            assert wait_for(lambda: probe_publisher.publish({"readings": [["PT-0499", base + 1, 4.0]]}) or bool(
                probe_publisher.results), 60, 0.5), "the ingest worker did not answer"
            threads = [threading.Thread(target=f, daemon=True) for f in (load, watch_rows, watch_board)]
            for thread in threads:
                thread.start()
            time.sleep(2)  # let the load settle
            probes = min(int(LATENCY_SECONDS * 4), POINTS_PER_ENTERPRISE - 1)
            for number in range(probes):
                tag = f"PT-{number:04d}"
                sent[tag] = time.perf_counter()
                probe_publisher.client.publish(f"yingji/v1/gw/{probe_gateway.code}/readings",
                                               orjson.dumps({"readings": [[tag, int(time.time() * 1000) | 1, 9.5]]}), qos=1)
                time.sleep(0.25)
            wait_for(lambda: len(board_seen) >= probes, 30, 0.2)
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()  # still working through a backlog the load left
                worker.wait(10)
            for publisher in publishers.values():
                publisher.close()
            broker.stop()
    rows = [row_seen[t] - sent[t] for t in sent if t in row_seen]
    board = [board_seen[t] - sent[t] for t in sent if t in board_seen]
    print(f"latency under load ({LATENCY_RATE:,} readings/s offered, {load_sent[0]:,} sent): {probes} probes; "
          f"publish -> alarm row: {len(rows)} seen, p50 {percentile(rows, 0.5):.3f} s, p99 {percentile(rows, 0.99):.3f} s"
          if rows else "latency: no alarm row seen")
    if board:
        print(f"publish -> board (1 s polling): {len(board)} seen, p50 {percentile(board, 0.5):.3f} s, "
              f"p99 {percentile(board, 0.99):.3f} s (target p99 < 1 s: "
              f"{'met' if percentile(board, 0.99) < 1 else 'MISSED'})")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
