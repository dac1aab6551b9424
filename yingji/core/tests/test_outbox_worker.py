"""A real `manage.py run_outbox` process killed (SIGKILL) after a change committed: once a worker runs again, the
effect happens, exactly once. On SQLite against a database file, on PostgreSQL against the test database."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from yingji.core import outbox
from yingji.core.models import OutboxStatus
from yingji.core.testing import build_world
from yingji.core.tests.outbox_app import effects  # noqa: F401 - registers the test handlers in this process

ROOT = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 3
pytestmark = pytest.mark.django_db(transaction=True)


class Database:
    """The database the worker processes open, and plain SQL on it for the test's own checks."""

    def __init__(self, tmp_path: Path) -> None:
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            self.file = None
            self.url = (f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}"
                        f":{settings['PORT'] or 5432}/{settings['NAME']}")
        else:
            # The committed test database, copied to a file another process can open (the test database itself may
            # live in memory); from here on the worker and the checks below use only the file.
            self.file = tmp_path / "outbox.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            self.url = f"sqlite:///{self.file}"

    def one(self, sql: str, params: list) -> tuple:
        if self.file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        with sqlite3.connect(self.file, timeout=20) as plain:
            return plain.execute(sql.replace("%s", "?"), params).fetchone()

    def message(self, pk: int) -> tuple[str, int]:
        return self.one("SELECT status, attempts FROM core_outboxmessage WHERE id = %s", [pk])

    def notifications(self, pk: int) -> int:
        return self.one("SELECT COUNT(*) FROM core_notification WHERE outbox_message = %s", [pk])[0]


def start_worker(database: Database, marker: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yingji.core.tests.outbox_app.settings",
           "DATABASE_URL": database.url, "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS), "OUTBOX_BACKOFF_SECONDS": "1"}
    return subprocess.Popen([sys.executable, "manage.py", "run_outbox", "--poll", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize(("handler", "stop_at", "seen_while_stopped"), [
    # Killed right after claiming, before the effect.
    ("outboxtest.note", "claimed", 0),
    # Killed while the effect runs: its transaction had not committed, so nothing of it remains.
    ("outboxtest.note", "effect", 0),
    # A handler outside a transaction, killed after its effect and before the done mark: the rerun meets the rows.
    ("outboxtest.note_outside", "effect", 2),
])
def test_a_worker_killed_after_the_commit_leaves_the_effect_to_the_next_worker_exactly_once(
        tmp_path, settings, handler, stop_at, seen_while_stopped):
    settings.OUTBOX_INLINE = False  # the committing process (this test) must not run the effect itself
    world = build_world()
    marker = tmp_path / "stopped"
    with transaction.atomic():
        message = outbox.emit(handler, {
            "recipients": [world.county1_officer.pk, world.county2_officer.pk], "kind": "测试", "title": "只此一次",
            "body": "", "url": "", "subject_type": None, "subject_id": "", "marker": str(marker), "stop_at": stop_at,
        })
    database = Database(tmp_path)
    assert database.message(message.pk) == (OutboxStatus.PENDING, 0)

    worker = start_worker(database, marker)
    try:
        wait_for(marker.exists, 60, "the handler to reach its stop", worker)
        assert database.message(message.pk) == (OutboxStatus.PENDING, 1)
        assert database.notifications(message.pk) == seen_while_stopped
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert database.message(message.pk) == (OutboxStatus.PENDING, 1)

        worker = start_worker(database, marker)
        wait_for(lambda: database.message(message.pk)[0] == OutboxStatus.DONE, 60, "the message to be done", worker)
    finally:
        worker.terminate()
        worker.wait(10)
    assert database.message(message.pk) == (OutboxStatus.DONE, 2)
    assert database.notifications(message.pk) == 2
    for person in (world.county1_officer, world.county2_officer):
        assert database.one("SELECT COUNT(*) FROM core_notification WHERE recipient_id = %s AND title = %s",
                            [person.pk, "只此一次"]) == (1,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY 唤醒只在 PostgreSQL 上")
def test_an_idle_worker_is_woken_by_the_commit_rather_than_its_next_poll(tmp_path, settings):
    settings.OUTBOX_INLINE = False
    world = build_world()
    database = Database(tmp_path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yingji.core.tests.outbox_app.settings",
           "DATABASE_URL": database.url}
    worker = subprocess.Popen([sys.executable, "manage.py", "run_outbox", "--poll", "60"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Started and listening: a first message is run (within the first poll, which begins at once).
        with transaction.atomic():
            first = outbox.emit("outboxtest.note", {"recipients": [world.county1_officer.pk], "kind": "测试",
                                                    "title": "唤醒前", "body": "", "url": "", "subject_type": None,
                                                    "subject_id": ""})
        wait_for(lambda: database.message(first.pk)[0] == OutboxStatus.DONE, 60, "the first message", worker)
        time.sleep(0.5)  # the worker is now waiting on its 60 s poll
        with transaction.atomic():
            message = outbox.emit("outboxtest.note", {"recipients": [world.county1_officer.pk], "kind": "测试",
                                                      "title": "唤醒", "body": "", "url": "", "subject_type": None,
                                                      "subject_id": ""})
        committed = time.monotonic()
        wait_for(lambda: database.message(message.pk)[0] == OutboxStatus.DONE, 10, "the woken worker", worker)
        assert time.monotonic() - committed < 10
    finally:
        worker.terminate()
        worker.wait(10)
    # SIGTERM stops it within a second or so, not at the end of its 60 s poll, and cleanly.
    assert worker.returncode == 0
