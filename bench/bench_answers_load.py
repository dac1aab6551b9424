"""叫应 under load, over HTTP: 20,000 recipients answer their links within 60 s while 50 officers watch the boards.

The real server as deployed (docs/deployment.md): `uvicorn yingji.asgi:application` with BENCH_WEB_WORKERS
processes (4, as the systemd unit), YINGJI_EMBEDDED=0, PostgreSQL, Redis for the cache, the live events and the
Celery broker (its own database number, BENCH_REDIS_URL), login protection (django-axes) on, no access log.

Django under ASGI runs each request's synchronous code in a thread of its own (one ThreadSensitiveContext per
request) with a database connection of its own, closed only when the response is closed: a uvicorn worker holds a
connection per request in flight (9-11 per worker measured with 40 clients), not one. Hundreds of phones at once
would exhaust PostgreSQL's max_connections (100 here, shared with other work). As docs/deployment.md §8 advises, the
server reaches PostgreSQL through pgbouncer (a private instance on its own port) when it is installed. Transaction
mode by default: in session mode each server connection stays bound to a Django connection until that request's
response is closed, and under load the pool is then held by finished requests while new ones wait for it.

Set-up (not timed): a fresh database (DROP and CREATE), migrated, the demo city (`seed_demo`; BENCH_DEMO=0 builds
only a bare region tree, as bench_warnings does), responsible persons added to the city's villages up to
BENCH_RECIPIENTS in all, BENCH_OFFICERS accounts (值班员 and 监测预警员 of the city, alternately), and a red
warning for the whole city drafted, submitted and approved through the services: the fan-out writes one
recipient per person with its secret token, and the answer links are each recipient's `link_key`, as the SMS
carries it. The warning's messages stay queued (no gateway, no Celery worker: the answers are the load here).

Then Locust (bench/locust_answers.py, a process of its own) drives the server over HTTP:
- the officers log in through the login form, then each reloads the 叫应 board and the monitoring board (page and
  the two partials it loads) every BENCH_REFRESH_SECONDS;
- once all are logged in, the answer window opens: answer i is due at i * BENCH_WINDOW_SECONDS / N; a pool of
  BENCH_RECIPIENT_USERS simulated phones takes them in turn: GET the link's page (form and CSRF token), POST the
  answer, whose reply is the page saying it was received.

The server's log (uvicorn at level info, no access log) is read for workers that uvicorn's supervisor killed and
restarted because they did not answer its health check within 5 s (overloaded: hundreds of request threads
contending for one interpreter); the requests in flight on such a worker get no response.

Afterwards the answers recorded in the database are counted (recipients answered by link, and their timeline rows)
and compared with the answers sent (POSTs issued). Printed: sent, recorded, p50/p99 of each request kind, errors by
kind, elapsed time, lateness of the arrivals, CPU seconds of the server, the load generator and the machine,
PostgreSQL sessions' wait events sampled during the window, and the load average. Targets: recorded == sent (else
exit 1: an answer was lost), no errors, answer page p99 < 1 s (a miss is printed, not fatal).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench_answers  (the default)
    BENCH_REDIS_URL=redis://127.0.0.1:6379/5   (flushed before and after the run)
    BENCH_ANSWERS=3000   answer only that many of the recipients' links in the window (a lower rate, same data)
    BENCH_RECIPIENTS=20000  BENCH_WINDOW_SECONDS=60  BENCH_OFFICERS=50  BENCH_REFRESH_SECONDS=5
    BENCH_WEB_WORKERS=4  BENCH_RECIPIENT_USERS=500  BENCH_DEMO=1
    BENCH_SERVER_ENV="DB_CONN_MAX_AGE=60 ..."   extra settings for the server only (to compare)
    BENCH_PGBOUNCER=/usr/sbin/pgbouncer   (found on PATH; empty: the server connects to PostgreSQL directly)
    BENCH_PGBOUNCER_POOL=20               server connections of pgbouncer's pool
    BENCH_PGBOUNCER_MODE=transaction      or session; transaction sets DB_DISABLE_SERVER_SIDE_CURSORS=1 as required
    BENCH_GRACE_SECONDS=120   after the window, how long late answers may still start; then the ones under way
                              finish and the rest are reported as not sent
    BENCH_REUSE=1   keep a copy of the set-up (database <name>_setup_...) and start from it when it exists:
                    the set-up (migrate, seed_demo, fan-out) takes minutes on a loaded machine

Run alone: `.venv/bin/python bench/run.py answers_load`.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import random
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yingji_bench_answers"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_URL
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "20000"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "0")) or RECIPIENTS  # fewer: a lower arrival rate, same data
WINDOW = float(os.environ.get("BENCH_WINDOW_SECONDS", "60"))
OFFICERS = int(os.environ.get("BENCH_OFFICERS", "50"))
REFRESH = float(os.environ.get("BENCH_REFRESH_SECONDS", "5"))
WEB_WORKERS = os.environ.get("BENCH_WEB_WORKERS", "4")
RECIPIENT_USERS = int(os.environ.get("BENCH_RECIPIENT_USERS", "500"))
DEMO = os.environ.get("BENCH_DEMO", "1") == "1"
REUSE = os.environ.get("BENCH_REUSE", "0") == "1"
PGBOUNCER = os.environ.get("BENCH_PGBOUNCER", shutil.which("pgbouncer") or "")
PGBOUNCER_POOL = int(os.environ.get("BENCH_PGBOUNCER_POOL", "20"))
PGBOUNCER_MODE = os.environ.get("BENCH_PGBOUNCER_MODE", "transaction")
GRACE = float(os.environ.get("BENCH_GRACE_SECONDS", "120"))
SERVER_ENV = dict(item.split("=", 1) for item in shlex.split(os.environ.get("BENCH_SERVER_ENV", "")))
PASSWORD = "Bench@2026answers"
CITY = "390100000000"
HEADLINE = "全市暴雨红色预警（压力测试）"
ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.settings"
os.environ["DEBUG"] = "0"
os.environ["AXES_ENABLED"] = "0"  # this process only sets up; the server keeps the lockout on
os.environ["REDIS_URL"] = REDIS_URL  # the publication's Celery task goes to the bench's own Redis database
os.environ.pop("CELERY_BROKER_URL", None)

sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))  # run directly, not through bench/run.py
from benchlib import percentile, recreate_database  # noqa: E402


def setup_copy(create_from: bool | None = None) -> bool:
    """The copy of the set-up kept with BENCH_REUSE=1: whether it exists (None), or make it from the bench database
    (True) or the bench database from it (False). Each is a CREATE DATABASE … TEMPLATE, a file copy."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(DATABASE_URL)["dbname"]
    copy = f"{name}_setup_{RECIPIENTS}_{'demo' if DEMO else 'bare'}_{OFFICERS}"
    with psycopg.connect(make_conninfo(DATABASE_URL, dbname="postgres"), autocommit=True) as conn:
        if create_from is None:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [copy]).fetchone() is not None
        source, target = (name, copy) if create_from else (copy, name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))
    return True


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()


def bare_regions() -> None:
    """Without the demo: a city of 5 counties, 40 townships and 400 villages (as bench_warnings builds)."""
    from yingji.core.models import Region

    regions = [Region(code="390000000000", name="基准省", level="province"),
               Region(code=CITY, name="基准市", level="city", parent_id="390000000000")]
    for county_number in range(1, 6):
        county = f"3901{county_number:02d}000000"
        regions.append(Region(code=county, name=f"第{county_number}县", level="county", parent_id=CITY))
        for township_number in range(1, 9):
            township = f"{county[:6]}{100 + township_number:03d}000"
            regions.append(Region(code=township, name=f"{county_number}县{township_number}镇", level="township",
                                  parent_id=county))
            regions += [Region(code=f"{township[:9]}{n:03d}", name=f"{county_number}县{township_number}镇{n}村",
                               level="village", parent_id=township) for n in range(1, 11)]
    Region.objects.bulk_create(regions)


def add_persons(total: int) -> int:
    """Active responsible persons in the city's villages until the city has `total`; returns how many it has."""
    from yingji.core.models import Region
    from yingji.core.scoping import code_prefix_q
    from yingji.standards.division import significant_prefix
    from yingji.warnings.models import ResponsiblePerson

    in_city = ResponsiblePerson.objects.filter(code_prefix_q("region_id", significant_prefix(CITY)), active=True)
    villages = list(Region.objects.filter(code_prefix_q("code", significant_prefix(CITY)), level="village")
                    .order_by("code").values_list("code", flat=True))
    missing = total - in_city.count()
    taken = set(ResponsiblePerson.objects.values_list("phone", flat=True))
    roles = ["village_cadre", "grid_member", "disaster_informant", "enterprise_head"]
    rows, serial = [], 0
    while len(rows) < missing:
        serial += 1
        phone = f"1990{serial:07d}"
        if phone not in taken:
            rows.append(ResponsiblePerson(region_id=villages[len(rows) % len(villages)], role=roles[serial % 4],
                                          name=f"责任人{serial}", phone=phone))
    ResponsiblePerson.objects.bulk_create(rows, batch_size=5000)
    return in_city.count()


def add_officers(count: int) -> list[list[str]]:
    """City 值班员 and 监测预警员 (alternately), all with PASSWORD, created through the service."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from yingji.core import roles
    from yingji.core.models import Region
    from yingji.core.services import user_create

    city = Region.objects.get(code=CITY)
    accounts = []
    for number in range(count):
        username = f"bench_officer{number:02d}"
        role = roles.DUTY_OFFICER if number % 2 == 0 else roles.MONITOR
        # One real hash (the deployed hasher) for all: the server still checks every login in full.
        hashers = {} if number == 0 else {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
        with override_settings(**hashers):
            user = user_create(actor=None, username=username, password=PASSWORD, real_name=f"值守{number:02d}",
                               roles=[role], scope_region=city)
        if number == 0:
            hashed = user.password
        accounts.append([username, PASSWORD])
    get_user_model().objects.filter(username__startswith="bench_officer").update(password=hashed)
    return accounts


def publish_warning():
    from django.utils import timezone

    from yingji.core.models import Region
    from yingji.warnings import services

    city = Region.objects.get(code=CITY)
    now = timezone.now()
    warning = services.warning_create(
        actor=None, region=city, kind="weather", event_type="11B03", level="red", headline=HEADLINE,
        description="全市强降雨", instructions="转移低洼地带人员，关闭危险场所", onset=now,
        expires=now + timedelta(hours=12), area_regions=[city])
    services.warning_submit(warning=warning, actor=None)
    return services.warning_approve(warning=warning, actor=None)


def answer_links(warning) -> list[str]:
    """The key each recipient's answer link carries (`/warnings/ack/<key>/`), as the SMS text is built."""
    from yingji.warnings.models import Recipient

    return [r.link_key for r in Recipient._base_manager.filter(warning=warning).order_by("pk")]


class Sampler:
    """Every 0.2 s: what this database's sessions are doing (pg_stat_activity), to see lock and flush waits."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import psycopg

        with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            while not self.stop.wait(0.2):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchall()
                self.samples += 1
                for state, kind, event in rows:
                    key = state if state != "active" else f"active, waiting on {kind}:{event}" if kind else "active, running"
                    self.counts[key] = self.counts.get(key, 0) + 1

    def report(self) -> str:
        if not self.samples:
            return "no samples"
        return "; ".join(f"{key} {count / self.samples:.2f}" for key, count in
                         sorted(self.counts.items(), key=lambda item: -item[1]))


def cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            for p in [process, *process.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            pass
    return total


def machine_busy() -> tuple[float, float]:
    import psutil

    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq + times.steal, times.idle + times.iowait


def start_pgbouncer(workdir: Path) -> tuple[subprocess.Popen, str]:
    """A private pgbouncer in front of the bench database (docs/deployment.md §8), BENCH_PGBOUNCER_MODE pooling."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(DATABASE_URL)
    port = free_port()
    directory = workdir / "pgbouncer"
    directory.mkdir()
    directory.chmod(0o755)
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n{params['dbname']} = host={params.get('host', '127.0.0.1')} port={params.get('port', 5432)} "
        f"dbname={params['dbname']} user={params.get('user', 'postgres')}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = any\n"
        f"pool_mode = {PGBOUNCER_MODE}\ndefault_pool_size = {PGBOUNCER_POOL}\nmax_client_conn = 5000\n"
        "ignore_startup_parameters = extra_float_digits,options\nlog_connections = 0\nlog_disconnections = 0\n",
        encoding="utf-8")
    ini.chmod(0o644)
    user = ["-u", "postgres"] if os.geteuid() == 0 else []  # pgbouncer refuses to run as root
    process = subprocess.Popen([PGBOUNCER, "--quiet", *user, str(ini)], start_new_session=True)
    url = f"postgres://{params.get('user', 'postgres')}@127.0.0.1:{port}/{params['dbname']}"
    import psycopg

    deadline = time.monotonic() + 20
    while True:
        try:
            psycopg.connect(url.replace("postgres://", "postgresql://", 1)).close()
            return process, url
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"pgbouncer did not start (exit {process.poll()})") from None
            time.sleep(0.2)


def stop_group(process: subprocess.Popen | None) -> None:
    """Stop a process the bench started, with every child it started (its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"uvicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("uvicorn did not answer in time")


def figures(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"{len(values):,} requests, p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms, "
            f"max {max(values):.0f} ms")


def main() -> int:
    print(f"machine load (1/5/15 min) at start: {load()}")
    started = time.perf_counter()
    recreate_database(DATABASE_URL)
    flush_redis()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yingji.core.models import StateChange
    from yingji.warnings.models import Recipient

    if REUSE and setup_copy():
        setup_copy(create_from=False)
        from yingji.warnings.models import Warning

        warning = Warning.objects.filter(headline=HEADLINE).latest("pk")
        officers = [[f"bench_officer{number:02d}", PASSWORD] for number in range(OFFICERS)]
        persons = RECIPIENTS
        reused = " (reused from the kept copy)"
    else:
        call_command("migrate", verbosity=0, interactive=False)
        if DEMO:
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        else:
            bare_regions()
        persons = add_persons(RECIPIENTS)
        officers = add_officers(OFFICERS)
        warning = publish_warning()
        reused = ""
        if REUSE:
            connection.close()
            setup_copy(create_from=True)
    links = answer_links(warning)
    random.Random(20261207).shuffle(links)  # people answer in any order
    links = links[:ANSWERS]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum would have done after the fan-out (this server has it off)
    acknowledged_before = StateChange.objects.filter(action="acknowledge").count()
    connection.close()
    print(f"set-up: {'demo city' if DEMO else 'bare region tree'}, {persons:,} responsible persons, warning "
          f"{warning.pk} published to {len(links):,} recipients, {len(officers)} officers{reused}; "
          f"{time.perf_counter() - started:.0f} s; load {load()}")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server_env = {**os.environ, "YINGJI_EMBEDDED": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                  "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "ALLOWED_HOSTS": "127.0.0.1,localhost",
                  "DEBUG": "0", "LOG_LEVEL": "WARNING", "AXES_ENABLED": "1", **SERVER_ENV}
    server_env.pop("CELERY_BROKER_URL", None)
    server_env.pop("LIVE_BACKEND", None)
    server = load_generator = bouncer = None
    sampler = Sampler()
    with TemporaryDirectory() as workdir:
        config_path, results_path = Path(workdir) / "config.json", Path(workdir) / "results.json"
        server_log_path = Path(workdir) / "server.log"
        server_log = server_log_path.open("w", encoding="utf-8")
        config_path.write_text(json.dumps({
            "host": host, "links": links, "warning_id": warning.pk, "officers": officers,
            "window_seconds": WINDOW, "grace_seconds": GRACE, "refresh_seconds": REFRESH,
            "recipient_users": RECIPIENT_USERS, "login_timeout_seconds": 180,
        }), encoding="utf-8")
        try:
            if PGBOUNCER:
                bouncer, server_env["DATABASE_URL"] = start_pgbouncer(Path(workdir))
                if PGBOUNCER_MODE == "transaction":
                    server_env.setdefault("DB_DISABLE_SERVER_SIDE_CURSORS", "1")  # required there (deployment.md)
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "yingji.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", WEB_WORKERS, "--no-access-log", "--no-server-header", "--timeout-graceful-shutdown", "5",
                 "--log-level", "info"],  # info: the supervisor's "Child process [...] died" (no access log)
                cwd=ROOT, env=server_env, start_new_session=True, stdout=server_log, stderr=subprocess.STDOUT)
            wait_for_server(port, server, 90)
            print(f"server: uvicorn, {WEB_WORKERS} workers, PostgreSQL "
                  + (f"through pgbouncer ({PGBOUNCER_MODE} pool of {PGBOUNCER_POOL}) " if bouncer else "(direct) ")
                  + f"+ Redis ({REDIS_URL})"
                  + (f", {' '.join(f'{k}={v}' for k, v in SERVER_ENV.items())}" if SERVER_ENV else ""))
            server_cpu, machine_before = cpu_seconds([server.pid]), machine_busy()
            sampler.thread.start()
            load_generator = subprocess.Popen(
                [sys.executable, str(BENCH / "locust_answers.py"), str(config_path), str(results_path)],
                cwd=ROOT, start_new_session=True)
            t_start = time.perf_counter()
            load_generator.wait(timeout=WINDOW * 3 + 600)
            t_run = time.perf_counter() - t_start
            server_cpu = cpu_seconds([server.pid]) - server_cpu
            busy, idle = (a - b for a, b in zip(machine_busy(), machine_before, strict=True))
        finally:
            sampler.stop.set()
            stop_group(load_generator)
            stop_group(server)
            stop_group(bouncer)
        server_log.close()
        log = server_log_path.read_text(encoding="utf-8", errors="replace")
        died = log.count(" died")
        tracebacks = log.count("Traceback (most recent call last)")
        print(f"server log: {died} worker(s) killed by uvicorn's supervisor (no answer to its health check within 5 s) "
              f"and restarted, {tracebacks} traceback(s)")
        if tracebacks:
            start = log.index("Traceback (most recent call last)")
            print("first traceback:\n" + "\n".join(log[start:].splitlines()[:40]))
        if load_generator.returncode != 0 or not results_path.exists():
            print(f"the load generator failed (exit {load_generator.returncode})")
            return 1
        results = json.loads(results_path.read_text(encoding="utf-8"))

    recorded = Recipient._base_manager.filter(warning=warning, status="acknowledged").count()
    by_link = Recipient._base_manager.filter(warning=warning, status="acknowledged", ack_channel="link").count()
    timeline = StateChange.objects.filter(action="acknowledge").count() - acknowledged_before
    flush_redis()
    connection.close()

    records = results["records"]
    sent = results["sent"]
    print(f"answer window: {len(links):,} answers due within {WINDOW:.0f} s, {RECIPIENT_USERS} simulated phones; "
          f"{results['done']:,} done in {results['elapsed']:.1f} s"
          + ("" if results["finished"] else " (STOPPED at the grace limit)"))
    late = results["late"]
    print(f"arrivals started late (every phone busy): {len(late):,}"
          + (f", p50 {percentile(late, 0.5):.2f} s, max {max(late):.2f} s behind schedule" if late else ""))
    print(f"officers: {results['logins']['logged_in']} logged in through the form, {results['logins']['failed']} "
          f"refused; login POST {figures(records.get('login POST', []))}")
    print(f"answers sent (POSTs issued): {sent:,}; answered (302): {results['answered']:,}, refused (other status): "
          f"{results['refused']:,}, no response: {results['no_response']:,}; "
          f"recorded in the database: {recorded:,} (by link {by_link:,}, timeline rows {timeline:,}) -> "
          + ("no answer lost" if recorded == sent == timeline else "MISMATCH: answers lost or doubled"))
    for name in ("answer page GET", "answer POST", "叫应 board page",
                 "monitoring board page", "monitoring alarms partial", "monitoring sources partial"):
        print(f"  {name}: {figures(records.get(name, []))}")
    errors = results["errors"]
    print(f"errors: {sum(errors.values()):,}" + ("" if not errors else " — " + "; ".join(
        f"{kind} ×{count:,}" for kind, count in sorted(errors.items(), key=lambda item: -item[1]))))
    answer_requests = [*records.get("answer page GET", []), *records.get("answer POST", [])]
    p99 = percentile(answer_requests, 0.99) if answer_requests else float("inf")
    met = not errors and p99 < 1000 and recorded == sent and results["finished"]
    print(f"target (no answer lost, no errors, answer page GET/POST p99 < 1 s): {'met' if met else 'MISSED'} "
          f"(p99 {p99:.0f} ms)")
    total = busy + idle
    print(f"CPU during the run ({t_run:.0f} s): server processes {server_cpu:.0f} s, load generator "
          f"{results['cpu_seconds']:.0f} s; machine busy "
          f"{busy / max(total, 1e-9) * 100:.0f} % of {os.cpu_count()} cores")
    print(f"PostgreSQL client sessions of this database, average count per sample: {sampler.report()}")
    print(f"machine load (1/5/15 min) at end: {load()}")
    return 0 if recorded == sent else 1


if __name__ == "__main__":
    sys.exit(main())
