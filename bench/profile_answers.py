"""Where an answer's time goes on the server: queries and CPU per request of the answer flow, in one process.

Not a benchmark (bench/run.py runs only bench_*.py): a tool for bench_answers_load.py's set-up. It copies the
set-up kept by `BENCH_REUSE=1 bench_answers_load.py` (same BENCH_RECIPIENTS / BENCH_DEMO / BENCH_OFFICERS) into
the bench database, then runs BENCH_PROFILE_ANSWERS answers through Django's full request handling (every
middleware, the templates, a new database connection per request as DB_CONN_MAX_AGE=0 deploys it) with the test
client, without HTTP and without concurrency: GET the link's page, POST the answer, GET the page again; then the
two boards. Prints per request kind: queries, wall and CPU milliseconds, and the top of a cProfile of the answers.

    .venv/bin/python bench/profile_answers.py          (after one run of bench_answers_load.py with BENCH_REUSE=1)
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_answers_load as bench  # sets the environment of the set-up

ANSWERS = int(os.environ.get("BENCH_PROFILE_ANSWERS", "300"))
RECONNECT = os.environ.get("BENCH_PROFILE_RECONNECT", "1") == "1"  # 0: one connection throughout
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    if not bench.setup_copy():
        print("no kept set-up: run `BENCH_REUSE=1 bench/bench_answers_load.py` once first")
        return 1
    bench.setup_copy(create_from=False)
    os.environ["AXES_ENABLED"] = "1"
    os.environ["REDIS_URL"] = bench.REDIS_URL
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yingji.warnings.models import Warning

    warning = Warning.objects.filter(headline=bench.HEADLINE).latest("pk")
    links = bench.answer_links(warning)[:ANSWERS]
    connection.close()
    timings: dict[str, list[tuple[int, float, float]]] = {}

    def timed(name, call, *args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            response = call(*args, **kwargs)
            if RECONNECT:
                connection.close()  # DB_CONN_MAX_AGE=0: the next request connects (and configures) again
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        timings.setdefault(name, []).append((len(queries), wall * 1000, cpu * 1000))
        return response

    profile = cProfile.Profile()
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")  # one handler, as a server process has
    for number, key in enumerate(links):
        client.cookies.clear()  # a new phone
        path = f"/warnings/ack/{key}/"
        if number == len(links) // 2:
            profile.enable()
        page = timed("answer page GET", client.get, path)
        token = CSRF.search(page.content).group(1).decode()
        answer = timed("answer POST", client.post, path, {"csrfmiddlewaretoken": token})
        assert answer.status_code == 302, answer.status_code
        timed("answer page after POST", client.get, path)
    profile.disable()
    officer = Client(HTTP_HOST="127.0.0.1")
    officer.force_login(get_user_model().objects.get(username="bench_officer00"))
    for _ in range(20):
        timed("叫应 board page", officer.get, f"/warnings/{warning.pk}/board/")
        timed("monitoring board page", officer.get, "/monitoring/")
        timed("monitoring alarms partial", officer.get, "/monitoring/board/alarms/", HTTP_HX_REQUEST="true")
        timed("monitoring sources partial", officer.get, "/monitoring/board/sources/", HTTP_HX_REQUEST="true")
    print(f"machine load: {bench.load()}")
    for name, rows in timings.items():
        rows = rows[len(rows) // 10:]  # past the warm-up
        count = len(rows)
        print(f"{name}: {count} requests, queries {sum(r[0] for r in rows) / count:.1f}, wall "
              f"{sum(r[1] for r in rows) / count:.1f} ms, CPU {sum(r[2] for r in rows) / count:.1f} ms (mean)")
    with CaptureQueriesContext(connection) as queries:
        client.cookies.clear()
        key = bench.answer_links(warning)[ANSWERS + 1]
        page = client.get(f"/warnings/ack/{key}/")
        token = CSRF.search(page.content).group(1).decode()
        client.post(f"/warnings/ack/{key}/", {"csrfmiddlewaretoken": token})
        client.get(f"/warnings/ack/{key}/")
    print("queries of one answer (GET, POST, GET):")
    for query in queries.captured_queries:
        print(f"  {query['time']} s  {query['sql'][:220]}")
    with CaptureQueriesContext(connection) as queries:
        officer.get(f"/warnings/{warning.pk}/board/")
    print("queries of one 叫应 board page:")
    for query in queries.captured_queries:
        print(f"  {query['time']} s  {query['sql'][:220]}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
