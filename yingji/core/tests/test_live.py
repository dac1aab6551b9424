"""Live events: what a stream carries (only its user's jurisdiction), over Redis and over the database."""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection, transaction
from django.test import AsyncRequestFactory, RequestFactory

from yingji.core import live
from yingji.core.models import LiveEvent
from yingji.core.testing import add_enterprise_user, build_world
from yingji.enterprises.testing import EnterpriseFactory

ROOT = Path(__file__).resolve().parents[3]
REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.services)])
def backend(request, settings):
    if request.param == "redis" and not redis_running():
        pytest.skip("Redis 未运行（127.0.0.1:6379）")
    settings.LIVE_BACKEND = request.param
    settings.LIVE_REDIS_URL = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    # A channel prefix of our own, so tests running beside us on the same Redis are not heard.
    settings.LIVE_REDIS_PREFIX = f"yingji-test-{uuid.uuid4().hex}:"
    settings.LIVE_POLL_SECONDS = 0.05
    settings.LIVE_HEARTBEAT_SECONDS = 0.1
    settings.LIVE_STREAM_SECONDS = 30
    live.shutdown()
    yield request.param
    live.shutdown()


class Reader:
    """Reads a stream's frames (the sync generator a WSGI server would iterate)."""

    def __init__(self, user) -> None:
        request = RequestFactory().get("/stream/")
        request.user = user
        self.response = live.event_stream(request, ["test.topic"])
        self.chunks = iter(self.response.streaming_content)
        assert next(self.chunks).startswith(b"retry: ")

    def events(self, seconds: float, until=None) -> list[dict]:
        found = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            if chunk.startswith(b": "):
                continue
            data = [line[6:] for line in chunk.split(b"\n") if line.startswith(b"data: ")]
            found.append(orjson.loads(data[0]))
            if until and until(found[-1]):
                break
        return found

    def ready(self, publish_probe) -> None:
        """Wait until the process listens (a subscription or a first poll), by a probe it must hear."""
        for _attempt in range(50):
            publish_probe()
            if self.events(0.3, until=lambda e: e.get("probe")):
                return
        raise AssertionError("the stream never heard its probe")

    def close(self) -> None:
        self.response.close()


def event(region, enterprise=None, **ids) -> dict:
    return {"id": 1, "region": region.code if hasattr(region, "code") else region, "enterprise": enterprise, **ids}


@pytest.mark.django_db(transaction=True)
def test_a_county_stream_never_carries_another_countys_event(backend):
    world = build_world()
    reader = Reader(world.county1_officer)
    try:
        reader.ready(lambda: live.publish("test.topic", event(world.village1, probe=True)))
        live.publish("test.topic", event(world.village2, id=2))
        live.publish("test.topic", event(world.county2, id=3))
        live.publish("other.topic", event(world.village1, id=4))
        live.publish("test.topic", event(world.village1, id=5))
        seen = reader.events(5, until=lambda e: e.get("id") == 5)
        assert [e.get("id") for e in seen if not e.get("probe") and not e.get("resync")] == [5]
        assert all(e["region"].startswith("390102") for e in seen if not e.get("resync"))
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_an_enterprise_stream_never_carries_another_enterprises_event(backend):
    world = build_world()
    own = EnterpriseFactory(region=world.village1)
    neighbour = EnterpriseFactory(region=world.village1)
    reader = Reader(add_enterprise_user(world, "ent_manager", own))
    try:
        reader.ready(lambda: live.publish("test.topic", event(world.village1, own.pk, probe=True)))
        live.publish("test.topic", event(world.village1, neighbour.pk, id=2))
        live.publish("test.topic", event(world.village1, None, id=3))  # a bureau's own record
        live.publish("test.topic", event(world.village1, own.pk, id=4))
        seen = reader.events(5, until=lambda e: e.get("id") == 4)
        assert [e.get("id") for e in seen if not e.get("probe") and not e.get("resync")] == [4]
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_an_event_is_sent_on_commit_and_never_for_a_rollback(backend):
    world = build_world()
    reader = Reader(world.city_admin)
    try:
        reader.ready(lambda: live.publish("test.topic", event(world.village1, probe=True)))
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish("test.topic", event(world.village1, id=2))
            raise RuntimeError("the writer failed")
        with transaction.atomic():
            live.publish("test.topic", event(world.village2, id=3))
            # Nothing is heard before the writer commits.
            assert not [e for e in reader.events(0.4) if e.get("id")]
        seen = reader.events(5, until=lambda e: e.get("id") == 3)
        assert [e.get("id") for e in seen if not e.get("probe") and not e.get("resync")] == [3]
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_another_process_publishes_to_this_processs_stream(backend, tmp_path):
    """The writer is usually the MQTT ingest worker, a process of its own."""
    in_memory = connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
    if backend == "database" and in_memory:
        pytest.skip("内存中的 SQLite 测试库无法被另一进程打开")
    world = build_world()
    reader = Reader(world.county1_officer)
    from django.conf import settings

    database = connection.settings_dict
    url = (f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
           if connection.vendor == "postgresql" else f"sqlite:///{database['NAME']}")
    if in_memory:  # Redis carries the event; the writer needs no database, and must not create one in the tree
        url = f"sqlite:///{tmp_path / 'writer.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "LIVE_BACKEND": backend, "REDIS_URL": settings.LIVE_REDIS_URL,
           "DJANGO_SETTINGS_MODULE": "yingji.settings"}
    script = ("import django, sys; django.setup(); from django.conf import settings; "
              f"settings.LIVE_REDIS_PREFIX = {settings.LIVE_REDIS_PREFIX!r}; from yingji.core import live; "
              # The moment of publishing (the system-wide monotonic clock), so the check below times the delivery
              # and not the other process's start-up, which takes seconds on a busy machine.
              "import time; print(time.monotonic(), flush=True); "
              "live.publish('test.topic', {'id': int(sys.argv[1]), 'region': '390102001001', 'enterprise': None})")
    try:
        reader.ready(lambda: live.publish("test.topic", event(world.village1, probe=True)))
        # Read while the writer is still exiting, which takes seconds on a busy machine too.
        with subprocess.Popen([sys.executable, "-c", script, "7"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              text=True) as writer:
            published = float(writer.stdout.readline())
            seen = reader.events(5, until=lambda e: e.get("id") == 7)
            arrived = time.monotonic()
            assert writer.wait(60) == 0
        assert seen and seen[-1].get("id") == 7, seen
        assert arrived - published < 5
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_the_stream_ends_after_its_lifetime_and_tells_the_browser_when_to_come_back(backend, settings):
    settings.LIVE_STREAM_SECONDS = 0.5
    settings.LIVE_RETRY_SECONDS = 1
    world = build_world()
    request = RequestFactory().get("/stream/")
    request.user = world.county1_officer
    response = live.event_stream(request, ["test.topic"])
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    started = time.monotonic()
    chunks = list(response.streaming_content)
    assert time.monotonic() - started < 3
    assert chunks[0].startswith(b"retry: 1000\n")
    assert b": ping\n\n" in chunks  # heartbeats keep proxies from closing an idle stream
    assert live.hub().listening() == 0


def publish_when_unlocked(topic: str, data: dict) -> None:
    """Publish, trying again while the stream's poll reads the table.

    The SQLite test database lives in memory with a shared cache, whose table locks fail at once instead of waiting
    out the busy timeout as a database file does; under load the stream's poll can hold the table just then.
    """
    for _attempt in range(50):
        try:
            live.publish(topic, data)
            return
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.02)
    live.publish(topic, data)


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_stream_is_an_async_generator(backend):
    """uvicorn serves async iterators as they go; a sync one would be drained first, which never ends."""
    world = build_world()
    request = AsyncRequestFactory().get("/stream/")
    request.user = world.county1_officer

    async def read() -> list[dict]:
        response = await sync_to_async(live.event_stream)(request, ["test.topic"])
        assert response.is_async
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).startswith(b"retry: ")
        found: list[dict] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(e.get("id") == 9 for e in found):
            await sync_to_async(publish_when_unlocked)("test.topic", event(world.village1, id=9))
            await sync_to_async(publish_when_unlocked)("test.topic", event(world.village2, id=8))
            stop = time.monotonic() + 0.3
            while time.monotonic() < stop:
                chunk = await anext(chunks)
                if chunk.startswith(b"data: ") or b"\ndata: " in chunk:
                    found.append(orjson.loads(chunk.split(b"data: ", 1)[1].split(b"\n", 1)[0]))
        await chunks.aclose()
        return found

    # A loop of its own in a thread of its own: Playwright's sync API may have left one running in this thread.
    with ThreadPoolExecutor(1) as pool:
        found = pool.submit(asyncio.run, read()).result()
    assert any(e.get("id") == 9 for e in found)
    assert not any(e.get("id") == 8 for e in found)


def test_an_event_must_name_its_region_and_carry_only_ids():
    with pytest.raises(ValueError):
        live.publish("test.topic", {"id": 1})
    with pytest.raises(ValueError):
        live.publish("test.topic", {"id": 1, "region": "390102001001", "note": {"value": 16.4}})


@pytest.mark.django_db
def test_audience_follows_the_scope_rules(world):
    own = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "ent_manager", own)
    in_county1 = event(world.village1, own.pk)
    in_county2 = event(world.village2, own.pk + 1)
    assert live.audience(world.county1_officer)(in_county1)
    assert not live.audience(world.county1_officer)(in_county2)
    assert live.audience(world.city_admin)(in_county2)
    assert live.audience(manager)(in_county1)
    assert not live.audience(manager)(in_county2)
    world.county1_no_role.scope_region = None
    assert not live.audience(world.county1_no_role)(in_county1)  # no scope: fail closed


@pytest.mark.django_db
def test_old_database_events_are_pruned(settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.LIVE_KEEP_SECONDS = 60
    LiveEvent.objects.create(topic="t", region_code="390102001001", created_at=timezone.now() - timedelta(minutes=5))
    fresh = LiveEvent.objects.create(topic="t", region_code="390102001001", created_at=timezone.now())
    assert live.prune() == 1
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [fresh.pk]
