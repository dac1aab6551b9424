"""The background worker over the real brokers: Redis in production, the filesystem queue when embedded."""

import os
import socket
import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from yingji.celery import app as project_app
from yingji.core import tasks


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def counting_sweeper():
    calls = []

    def count() -> int:
        calls.append(1)
        return len(calls)

    tasks.SWEEPERS.append(count)
    yield calls
    tasks.SWEEPERS.remove(count)


@pytest.fixture
def worker_app(request, tmp_path):
    """A Celery app like the project's, on the broker under test (shared tasks register on it)."""
    test_app = Celery("yingji-test")
    test_app.config_from_object("django.conf:settings", namespace="CELERY")
    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        test_app.conf.broker_url = "redis://127.0.0.1:6379/15"
        test_app.conf.broker_transport_options = {}
        test_app.conf.result_backend = "redis://127.0.0.1:6379/15"
    else:
        queue = tmp_path / "queue"
        queue.mkdir()
        test_app.conf.broker_url = "filesystem://"
        test_app.conf.broker_transport_options = {
            "data_folder_in": str(queue), "data_folder_out": str(queue), "control_folder": str(tmp_path / "control"),
        }
        test_app.conf.result_backend = f"file://{tmp_path}"
    # A queue of its own, so nothing left over from another run is consumed.
    test_app.conf.task_default_queue = f"yingji-test-{uuid.uuid4().hex}"
    test_app.conf.task_ignore_result = False
    test_app.conf.task_always_eager = False
    yield test_app
    test_app.close()
    # `start_worker` made the test app current and default; shared tasks sent later in this process (a report
    # build's `.delay`) must go to the project's app again, not to this closed one's private queue.
    project_app.set_current()
    project_app.set_default()


@pytest.mark.services
@pytest.mark.parametrize("worker_app", ["redis", "filesystem"], indirect=True)
def test_the_sweep_runs_in_a_worker_through_the_broker(worker_app, counting_sweeper):
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = worker_app.send_task("yingji.core.tasks.sweep")
        done = result.get(timeout=60)
    assert counting_sweeper == [1]
    assert any(key.endswith(".count") and value == 1 for key, value in done.items())


def test_a_failing_sweeper_does_not_stop_the_others(counting_sweeper):
    def broken() -> int:
        raise RuntimeError("boom")

    tasks.SWEEPERS.insert(0, broken)
    try:
        done = tasks.sweep()
    finally:
        tasks.SWEEPERS.remove(broken)
    assert counting_sweeper == [1]
    assert done[f"{__name__}.count"] == 1
    assert not any(name.endswith(".broken") for name in done)


@pytest.mark.services
def test_the_production_cache_talks_to_redis():
    if not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/14", {})
    key = f"yingji-test-{uuid.uuid4().hex}"  # a key of its own: the other half of `make test` runs this test too
    cache.set(key, {"区划": "390102"}, 30)
    assert cache.get(key) == {"区划": "390102"}
    cache.delete(key)


def test_the_embedded_broker_never_shows_a_half_written_message(tmp_path, monkeypatch):
    """A consumer listing the folder while a message is written must not find it there before it is complete."""
    from kombu import Connection
    from kombu.transport import resolve_transport

    from yingji.filesystem_broker import Transport

    assert resolve_transport("filesystem") is Transport
    seen_while_writing = []
    real_replace = os.replace

    def replace(source, target):
        seen_while_writing.append(sorted(name for name in os.listdir(tmp_path) if name != "control"))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path),
               "control_folder": str(tmp_path / "control")}
    with Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("atomic-test")
        queue.put({"n": 1})
        assert all(not name.endswith("atomic-test.msg") for name in seen_while_writing[0])
        assert queue.get(timeout=5).payload == {"n": 1}
        queue.close()
