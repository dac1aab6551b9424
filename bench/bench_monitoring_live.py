"""Monitoring live board on PostgreSQL: the delay from an MQTT publish to the alarm row and to the board.

The plant of bench_monitoring (50,000 points, 100 gateways; `recreate_database` and `build_plant` are imported
from there), a private Mosquitto, BENCH_INGEST_WORKERS `manage.py ingest_mqtt` workers on the one shared
subscription and a real uvicorn server (`yingji.asgi`, BENCH_WEB_WORKERS workers), each a process of its own as
deployed. A load publisher offers every point once per 50000/BENCH_LATENCY_RATE seconds (gateway messages of
500 readings, values inside the band, each gateway at its own phase within that period); a probe publishes
every 0.25 s one reading past 高高 on a fresh point. Measured per probe:

- publish -> alarm row: the table polled every 20 ms;
- publish -> event: an SSE client (a city 监测预警员's board, cookie session) on /monitoring/board/stream/
  receives the alarm's "raised" event;
- publish -> board: the partial the page then fetches (/monitoring/board/alarms/, with htmx's
  "queue last": one fetch in flight, one queued) first shows the alarm's code.

Run once per live backend in BENCH_LIVE_BACKENDS (default "redis,database"; redis is skipped when no server
answers at BENCH_REDIS_URL). Target: publish -> board p99 < 1 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_live  (the default)
    BENCH_LATENCY_SECONDS=20   probing time per backend
    BENCH_LATENCY_RATE=50000   readings/s offered as background load
    BENCH_LIVE_BACKENDS=redis,database
    BENCH_REDIS_URL=redis://127.0.0.1:6379/0
    BENCH_WEB_WORKERS=2
    BENCH_INGEST_WORKERS=2
    BENCH_LOAD_BURST=0         1: every gateway sends at the same instant instead of at its own phase
"""

from __future__ import annotations

import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/yingji_bench_live"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Importing it sets DJANGO_SETTINGS_MODULE and DATABASE_URL for this process.
from bench_monitoring import (
    DATABASE_URL,
    POINTS_PER_ENTERPRISE,
    SEED,
    build_plant,
)
from benchlib import percentile, recreate_database

LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "20"))
LATENCY_RATE = int(os.environ.get("BENCH_LATENCY_RATE", "50000"))
BACKENDS = [b.strip() for b in os.environ.get("BENCH_LIVE_BACKENDS", "redis,database").split(",") if b.strip()]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WEB_WORKERS = os.environ.get("BENCH_WEB_WORKERS", "2")
INGEST_WORKERS = int(os.environ.get("BENCH_INGEST_WORKERS", "2"))
LOAD_BURST = os.environ.get("BENCH_LOAD_BURST", "0") == "1"
ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(rb'data-code="([^"]+)"')


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    from yingji.monitoring.tests.broker import free_port as port

    return port()


class BoardClient:
    """What the board page does: an EventSource on the stream, and on each event a fetch of the alarm partial
    (one in flight, the latest queued). Records when each alarm id's event and each alarm code arrive."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        self.event_seen: dict[int, float] = {}
        self.actions: dict[int, list[str]] = {}
        self.code_seen: dict[str, float] = {}
        self.streams = 0
        self.fetches = 0
        self.stop = threading.Event()
        self._dirty = threading.Event()

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._listen, daemon=True), threading.Thread(target=self._fetch, daemon=True)]
        for thread in threads:
            thread.start()
        return threads

    def _listen(self) -> None:
        import orjson

        while not self.stop.is_set():
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", "/monitoring/board/stream/", headers=self.headers)
                response = connection.getresponse()
                assert response.status == 200, response.status
                self.streams += 1
                self._dirty.set()  # the page refreshes on every (re)connect
                while not self.stop.is_set():
                    line = response.fp.readline()
                    if not line:
                        break  # the stream's lifetime is over: reconnect, as EventSource does
                    if line.startswith(b"data: "):
                        now = time.perf_counter()
                        data = orjson.loads(line[6:])
                        if "id" in data:
                            self.actions.setdefault(data["id"], []).append(data.get("action", ""))
                        if data.get("action") == "raised":
                            self.event_seen.setdefault(data["id"], now)
                        self._dirty.set()
                connection.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)

    def _fetch(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            if not self._dirty.wait(0.5):
                continue
            self._dirty.clear()
            try:
                connection.request("GET", "/monitoring/board/alarms/", headers=self.headers)
                body = connection.getresponse().read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            now = time.perf_counter()
            self.fetches += 1
            for code in CODE.findall(body):
                self.code_seen.setdefault(code.decode(), now)


def measure(backend: str, gateways, base: int, first_probe: int) -> int:
    import orjson
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from yingji.core import roles
    from yingji.core.models import Region
    from yingji.core.services import user_create
    from yingji.monitoring.models import Alarm
    from yingji.monitoring.tests.broker import Broker, Publisher, wait_for

    user = get_user_model().objects.filter(username="bench_monitor").first() or user_create(
        actor=None, username="bench_monitor", password="Bench@2026x", real_name="基准监测员",
        roles=[roles.MONITOR], scope_region=Region.objects.get(code="390100000000"))
    session = Client(HTTP_HOST="127.0.0.1")
    session.force_login(user)
    cookie = f"sessionid={session.cookies['sessionid'].value}"
    with TemporaryDirectory() as workdir:
        broker = Broker(Path(workdir))
        broker.start()
        web_port = free_port()
        env = {**os.environ, "DATABASE_URL": DATABASE_URL, "MQTT_URL": f"mqtt://127.0.0.1:{broker.port}",
               "LIVE_BACKEND": backend, "LOG_LEVEL": "ERROR"}
        env.pop("REDIS_URL", None)
        if backend == "redis":
            env["REDIS_URL"] = REDIS_URL
        workers = [subprocess.Popen([sys.executable, "manage.py", "ingest_mqtt", "--client-id",
                                     f"bench-live-{backend}-{number}"],
                                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for number in range(INGEST_WORKERS)]
        web = subprocess.Popen([sys.executable, "-m", "uvicorn", "yingji.asgi:application", "--host", "127.0.0.1",
                                "--port", str(web_port), "--workers", WEB_WORKERS, "--log-level", "warning"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        publishers = {g.code: Publisher(broker.port, g.code) for g in gateways}
        board = BoardClient(web_port, cookie)
        stop = threading.Event()
        sent: dict[str, float] = {}
        row_seen: dict[str, float] = {}
        load_sent = [0]

        def load() -> None:
            rng = random.Random(SEED + 1)
            interval = 50_000 / LATENCY_RATE
            tags = [f"PT-{n:04d}" for n in range(POINTS_PER_ENTERPRISE)]
            # Each gateway keeps its own phase within the interval, as independent gateways do; with
            # BENCH_LOAD_BURST=1 they all send at its start (the worst case: a probe queues behind them all).
            spacing = 0.0 if LOAD_BURST else interval / len(gateways)
            while not stop.is_set():
                started = time.perf_counter()
                for number, gateway in enumerate(gateways):
                    stop.wait(max(0.0, started + number * spacing - time.perf_counter()))
                    ts = int(time.time() * 1000) & ~1  # even milliseconds; the probes use odd ones
                    body = {"gateway": gateway.code, "readings": [[t, ts, round(rng.uniform(3.0, 6.0), 3)]
                                                                  for t in tags]}
                    publishers[gateway.code].client.publish(f"yingji/v1/gw/{gateway.code}/readings",
                                                            orjson.dumps(body), qos=1)
                    load_sent[0] += len(tags)
                stop.wait(max(0.0, interval - (time.perf_counter() - started)))

        probe_gateway = gateways[0]

        def watch_rows() -> None:
            while not stop.is_set():
                waiting = [tag for tag in sent if tag not in row_seen]
                if waiting:
                    for tag in Alarm.objects.filter(point__enterprise_id=probe_gateway.enterprise_id,
                                                    point__tag__in=waiting).values_list("point__tag", flat=True):
                        row_seen.setdefault(tag, time.perf_counter())
                time.sleep(0.02)
            connection.close()

        threads: list[threading.Thread] = []
        probes = 0
        try:
            probe_publisher = publishers[probe_gateway.code]
            assert wait_for(lambda: probe_publisher.publish({"readings": [["PT-0499", base + first_probe, 4.0]]})
                            or bool(probe_publisher.results), 60, 0.5), "the ingest worker did not answer"

            def web_answers() -> bool:
                try:
                    http.client.HTTPConnection("127.0.0.1", web_port, timeout=1).request("HEAD", "/login/")
                    return True
                except OSError:
                    return False

            assert wait_for(web_answers, 60, 0.2), "uvicorn did not start"
            threads = board.start()
            assert wait_for(lambda: board.fetches > 0, 30, 0.1), "the board never loaded"
            threads += [threading.Thread(target=f, daemon=True) for f in (load, watch_rows)]
            for thread in threads[2:]:
                thread.start()
            time.sleep(2)  # let the load settle
            probes = min(int(LATENCY_SECONDS * 4), POINTS_PER_ENTERPRISE - 1 - first_probe)
            for number in range(first_probe, first_probe + probes):
                tag = f"PT-{number:04d}"
                sent[tag] = time.perf_counter()
                probe_publisher.client.publish(f"yingji/v1/gw/{probe_gateway.code}/readings",
                                               orjson.dumps({"readings": [[tag, int(time.time() * 1000) | 1, 9.5]]}),
                                               qos=1)
                time.sleep(0.25)
            wait_for(lambda: len(board.code_seen) >= probes, 30, 0.2)
            # A probe can show on the board (fetched for another event) before its own event has arrived.
            wait_for(lambda: len(board.event_seen) >= probes, 5, 0.2)
        finally:
            stop.set()
            board.stop.set()
            for thread in threads:
                thread.join(10)
            for process in (*workers, web):
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()  # still working through a backlog the load left
                    process.wait(10)
            for publisher in publishers.values():
                publisher.close()
            broker.stop()
    by_tag = {tag: (pk, code) for tag, pk, code in Alarm.objects.filter(
        point__enterprise_id=probe_gateway.enterprise_id, point__tag__in=list(sent)).values_list(
        "point__tag", "pk", "code")}
    rows = [row_seen[t] - sent[t] for t in sent if t in row_seen]
    events = [board.event_seen[by_tag[t][0]] - sent[t] for t in sent if t in by_tag and by_tag[t][0] in board.event_seen]
    shown = [board.code_seen[by_tag[t][1]] - sent[t] for t in sent if t in by_tag and by_tag[t][1] in board.code_seen]
    # The live path's own share: from the moment the row is visible to the moment the board shows it.
    after_row = [board.code_seen[by_tag[t][1]] - row_seen[t] for t in sent
                 if t in by_tag and by_tag[t][1] in board.code_seen and t in row_seen]

    def figures(values: list[float]) -> str:
        return (f"{len(values)} seen, p50 {percentile(values, 0.5):.3f} s, p99 {percentile(values, 0.99):.3f} s"
                if values else "none seen")

    print(f"[{backend}] load {LATENCY_RATE:,} readings/s offered ({load_sent[0]:,} sent), {INGEST_WORKERS} ingest "
          f"worker(s), {'all gateways at once' if LOAD_BURST else 'gateways spread over the second'}, {probes} probes, "
          f"{board.streams} stream connection(s), {board.fetches} partial fetches")
    print(f"[{backend}] publish -> alarm row: {figures(rows)}")
    print(f"[{backend}] publish -> SSE event: {figures(events)}")
    missed = {t: by_tag[t][0] for t in sent if t in by_tag and by_tag[t][0] not in board.event_seen}
    if missed:
        print(f"[{backend}]   no 'raised' event for {len(missed)} alarm(s); events heard for them: "
              + "; ".join(f"{tag} {board.actions.get(pk, [])}" for tag, pk in list(missed.items())[:5]))
    verdict = ("met" if shown and len(shown) == probes and percentile(shown, 0.99) < 1 else "MISSED")
    print(f"[{backend}] publish -> board (event + partial fetch): {figures(shown)} (target p99 < 1 s: {verdict})")
    print(f"[{backend}] alarm row -> board (the live path alone): {figures(after_row)}")
    return probes


def main() -> int:
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command

    from yingji.monitoring.ingest import now_ms

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    gateways = build_plant()
    print(f"setup: {len(gateways)} gateways, {len(gateways) * POINTS_PER_ENTERPRISE} points in "
          f"{time.perf_counter() - started:.1f} s; load: {os.getloadavg()[0]:.2f}")
    base = now_ms() - 30 * 86_400_000
    first_probe = 0
    for backend in BACKENDS:
        if backend == "redis" and not redis_answers():
            print(f"[redis] skipped: no Redis at {REDIS_URL}")
            continue
        first_probe += measure(backend, gateways, base, first_probe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
