"""The load generator of bench_answers_load.py: Locust, run as a library in a process of its own.

Not a benchmark by itself (bench/run.py runs only bench_*.py) and not imported by the bench: Locust patches the
standard library with gevent when it is imported, so it stays out of the Django process. Started as
`python bench/locust_answers.py CONFIG.json RESULTS.json` by bench_answers_load.py, which writes the
configuration (server address, answer links, officers' accounts) and reads the results.

Two kinds of users, both Locust FastHttpUsers with their own cookies:

- Officer (`fixed_count` = number of accounts): logs in through the login form (GET /login/ for the CSRF token,
  POST the form), then every `refresh_seconds` reloads the 叫应 board (/warnings/<id>/board/) and the monitoring
  board (/monitoring/ plus the two partials its page loads at once with htmx: board/alarms/ and board/sources/).
  The monitoring board's event stream and map layers are left out (the stream holds no worker thread; the
  layers are static data a browser caches).
- Recipient (`recipient_users` of them): a pool of phones. Answer i of N is due at t0 + i * window / N (open
  arrivals, 20,000 in 60 s by default); a free user takes the next due answer, starts with no cookies, as a new
  phone does, GETs the link's page (a form with its CSRF token) and POSTs the form (the answer), whose reply
  must be the page saying it was received.
  An answer that starts late because every user was busy is counted (its lateness is reported).

The recipients wait until every officer has logged in, so the password hashing of the logins is not part of
the answer window. Every request is recorded raw (name, milliseconds, error kind) in RESULTS.json.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.exception import CatchResponseError

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = "application/x-www-form-urlencoded"

config: dict = {}
go = Event()           # set when every officer is logged in: the answer window starts
t0 = [0.0]             # start of the answer window (time.perf_counter)
next_answer = itertools.count()
closing = Event()     # set after the grace time: no new answer starts
state = {"no_response": 0, "refused": 0, "in_flight": 0, "logged_in": 0, "login_failed": 0, "sent": 0, "answered": 0, "done": 0, "late": []}
records: dict[str, list[float]] = {}
errors: dict[str, int] = {}


def status(response) -> str:
    """What went wrong, for the error counts: the HTTP status, or the exception when no response came."""
    if response.status_code:
        return f"HTTP {response.status_code}"
    error = getattr(response, "error", None)
    return f"no response ({type(error).__name__}: {str(error)[:80]})" if error else "no response"


def record(request_type, name, response_time, response_length, exception=None, **_kwargs) -> None:
    records.setdefault(name, []).append(response_time)
    if exception is not None:
        kind = str(exception) if isinstance(exception, CatchResponseError) else type(exception).__name__
        errors[f"{name}: {kind}"] = errors.get(f"{name}: {kind}", 0) + 1


class Recipient(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0
    max_retries = 0

    @task
    def answer(self) -> None:
        go.wait()
        links = config["links"]
        number = len(links) if closing.is_set() else next(next_answer)
        if number >= len(links):
            gevent.sleep(3600)  # nothing left: stay idle until the runner stops
            return
        due = t0[0] + number * config["window_seconds"] / len(links)
        delay = due - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        else:
            state["late"].append(-delay)
        if closing.is_set():
            return
        state["in_flight"] += 1
        try:
            self.one_answer(links[number])
        finally:
            state["in_flight"] -= 1
            state["done"] += 1

    def one_answer(self, key: str) -> None:
        path = f"/warnings/ack/{key}/"
        url = config["host"] + path
        self.client.cookiejar.clear()  # a new phone: no session, no CSRF cookie yet
        with self.client.get(path, name="answer page GET", catch_response=True) as response:
            match = CSRF.search(response.content or b"")
            if response.status_code != 200:
                response.failure(status(response))
                return
            if match is None or b'data-testid="ack-button"' not in response.content:
                response.failure("no answer form on the page")
                return
        body = urlencode({"csrfmiddlewaretoken": match.group(1).decode()})
        state["sent"] += 1
        with self.client.post(path, data=body, name="answer POST", allow_redirects=False, catch_response=True,
                              headers={"Content-Type": FORM, "Origin": config["host"], "Referer": url}) as response:
            if response.status_code != 200:
                state["no_response" if not response.status_code else "refused"] += 1
                response.failure(status(response))
                return
            state["answered"] += 1
            if b'data-testid="ack-done"' not in (response.content or b""):
                response.failure("page does not show the answer")


class Officer(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0
    max_retries = 0
    accounts = itertools.count()

    def on_start(self) -> None:
        username, password = config["officers"][next(Officer.accounts)]
        self.logged_in = False
        with self.client.get("/login/", name="login page GET", catch_response=True) as response:
            match = CSRF.search(response.content or b"")
            if response.status_code != 200 or match is None:
                response.failure(status(response) if response.status_code != 200 else "no login form")
        if match is not None:
            body = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username,
                              "password": password})
            with self.client.post("/login/", data=body, name="login POST", allow_redirects=False,
                                  catch_response=True, headers={"Content-Type": FORM, "Origin": config["host"],
                                                                "Referer": config["host"] + "/login/"}) as response:
                if response.status_code == 302 and "/login/" not in response.headers.get("Location", "/login/"):
                    self.logged_in = True
                else:
                    response.failure(f"login refused ({status(response)})")
        state["logged_in" if self.logged_in else "login_failed"] += 1
        go.wait()
        gevent.sleep(config["refresh_seconds"] * (hash(username) % 1000) / 1000)  # officers do not refresh in step

    @task
    def refresh(self) -> None:
        if not self.logged_in:
            gevent.sleep(3600)
            return
        started = time.perf_counter()
        self.page(f"/warnings/{config['warning_id']}/board/", "叫应 board page", b"board")
        self.page("/monitoring/", "monitoring board page", b"board-alarms")
        self.page("/monitoring/board/alarms/", "monitoring alarms partial", None, htmx=True)
        self.page("/monitoring/board/sources/", "monitoring sources partial", None, htmx=True)
        gevent.sleep(max(0.0, config["refresh_seconds"] - (time.perf_counter() - started)))

    def page(self, path: str, name: str, marker: bytes | None, htmx: bool = False) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False,
                             headers=headers) as response:
            if response.status_code != 200:
                response.failure(status(response))
            elif marker is not None and marker not in (response.content or b""):
                response.failure("unexpected page")


def main(config_path: str, results_path: str) -> int:
    with open(config_path, encoding="utf-8") as handle:
        config.update(json.load(handle))
    Recipient.fixed_count = config["recipient_users"]
    Officer.fixed_count = len(config["officers"])
    env = Environment(user_classes=[Recipient, Officer], host=config["host"])
    env.events.request.add_listener(record)
    runner = env.create_local_runner()
    users = Recipient.fixed_count + Officer.fixed_count
    runner.start(users, spawn_rate=100)
    deadline = time.perf_counter() + config["login_timeout_seconds"]
    while state["logged_in"] + state["login_failed"] < Officer.fixed_count and time.perf_counter() < deadline:
        gevent.sleep(0.1)
    logins = {"logged_in": state["logged_in"], "failed": state["login_failed"]}
    # Nothing recorded before the window counts towards the figures but the logins themselves.
    login_records = {k: v for k, v in records.items() if k.startswith("login")}
    records.clear()
    records.update(login_records)
    t0[0] = time.perf_counter()
    go.set()
    links = len(config["links"])
    deadline = t0[0] + config["window_seconds"] + config["grace_seconds"]
    while state["done"] < links and time.perf_counter() < deadline:
        gevent.sleep(0.1)
    closing.set()  # the answers under way finish (their POST may already be on its way), no new one starts
    deadline = time.perf_counter() + 2 * Recipient.network_timeout
    while state["in_flight"] and time.perf_counter() < deadline:
        gevent.sleep(0.1)
    elapsed = time.perf_counter() - t0[0]
    runner.quit()
    result = {"logins": logins, "sent": state["sent"], "answered": state["answered"],
              "no_response": state["no_response"], "refused": state["refused"], "done": state["done"],
              "links": links, "elapsed": elapsed, "late": state["late"], "records": records, "errors": errors,
              "finished": state["done"] >= links, "cpu_seconds": time.process_time()}
    with open(results_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
