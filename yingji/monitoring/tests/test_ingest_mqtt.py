"""MQTT ingestion over a real Mosquitto: results sent back, a killed worker loses and doubles nothing,
a restarted broker is reconnected to."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from yingji.monitoring import ingest, services
from yingji.monitoring.models import Reading
from yingji.monitoring.mqtt import Subscriber
from yingji.monitoring.testing import make_point, make_source
from yingji.monitoring.tests.broker import MOSQUITTO, Broker, Publisher, wait_for

pytestmark = [pytest.mark.services, pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="mosquitto 未安装")]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def plant(transactional_db, world):
    source = make_source(world.village1)
    point = make_point(source, tag="LT-101", range_low=0.0, range_high=100.0, low_low=None, low=None, high=None,
                       high_high=None)
    gateway = services.gateway_create(actor=None, enterprise=source.enterprise, code="GW-MQTT", name="测试网关")
    return {"point": point, "gateway": gateway}


def message(number: int, base: int, size: int = 10) -> dict:
    return {"id": number, "gateway": "GW-MQTT",
            "readings": [["LT-101", base + number * size + i, float(i)] for i in range(size)]}


def run_in_thread(subscriber: Subscriber) -> threading.Thread:
    thread = threading.Thread(target=subscriber.run, daemon=True)
    thread.start()
    return thread


def test_a_published_message_is_stored_and_its_result_sent_back(broker, plant):
    subscriber = Subscriber(client_id="test-ingest-1", port=broker.port)
    thread = run_in_thread(subscriber)
    publisher = Publisher(broker.port, "GW-MQTT")
    try:
        assert wait_for(subscriber.client.is_connected, 10)
        base = ingest.now_ms() - 100_000
        body = message(1, base, size=3)
        body["readings"].append(["NO-SUCH", base, 1.0])
        # Subscribed only once connected: retry until the worker has its subscription.
        assert wait_for(lambda: publisher.publish(body) or 1 in publisher.result_ids(), 10, interval=0.5)
        result = next(r for r in publisher.results if r["id"] == 1)
        assert (result["accepted"] + result["duplicates"], result["rejected_count"]) == (3, 1)
        assert "未知监测点" in result["rejected"][0]["reason"]
        assert Reading.objects.filter(point=plant["point"]).count() == 3
    finally:
        publisher.close()
        subscriber.stop()
        thread.join(5)


def test_every_message_gets_a_result_with_its_id_even_an_error_or_an_unknown_gateway(broker, plant):
    subscriber = Subscriber(client_id="test-ingest-errors", port=broker.port)
    thread = run_in_thread(subscriber)
    known = Publisher(broker.port, "GW-MQTT")
    stranger = Publisher(broker.port, "GW-NOBODY")
    try:
        assert wait_for(subscriber.client.is_connected, 10)
        # A message without its readings array: refused as a whole, and the result still names it.
        assert wait_for(lambda: known.publish({"id": "m-7", "gateway": "GW-MQTT"}) or "m-7" in known.result_ids(),
                        10, interval=0.5)
        result = next(r for r in known.results if r.get("id") == "m-7")
        assert "readings" in result["error"] and result["accepted"] == 0
        body = {"id": 42, "readings": [["LT-101", ingest.now_ms(), 1.0]]}
        assert wait_for(lambda: stranger.publish(body) or 42 in stranger.result_ids(), 10, interval=0.5)
        result = next(r for r in stranger.results if r.get("id") == 42)
        assert "GW-NOBODY" in result["error"] and result["accepted"] == 0
        assert Reading.objects.filter(point=plant["point"]).count() == 0
    finally:
        known.close()
        stranger.close()
        subscriber.stop()
        thread.join(5)


def test_a_result_echoes_the_id_whatever_went_wrong():
    assert ingest.unknown_gateway_result(b'{"id": 5}', "GW-X").as_dict()["id"] == 5
    assert "id" not in ingest.unknown_gateway_result(b"not json", "GW-X").as_dict()
    batch = ingest.parse(b'{"id": "a1", "readings": "none"}', enterprise_id=1, points=ingest.PointTable())
    assert batch.error and batch.message_id == "a1"
    assert ingest.parse(b'{"id": true, "readings": []}', enterprise_id=1, points=ingest.PointTable()).message_id is None


def readings_of(point) -> int | None:
    """The point's stored readings, or None while the subscriber's thread holds the table.

    The SQLite test database lives in memory with a shared cache, whose table locks fail at once instead of
    waiting out the busy timeout as a database file does.
    """
    try:
        return Reading.objects.filter(point=point).count()
    except OperationalError:
        return None


def test_a_restarted_broker_is_reconnected_to_and_ingestion_continues(broker, plant):
    subscriber = Subscriber(client_id="test-ingest-2", port=broker.port)
    thread = run_in_thread(subscriber)
    publisher = Publisher(broker.port, "GW-MQTT")
    base = ingest.now_ms() - 100_000
    try:
        assert wait_for(lambda: publisher.publish(message(1, base)) or 1 in publisher.result_ids(), 10, 0.5)
        broker.stop()
        assert wait_for(lambda: not subscriber.client.is_connected(), 10)
        broker.start()
        assert wait_for(lambda: subscriber.client.is_connected() and publisher.client.is_connected(), 20)
        assert wait_for(lambda: publisher.publish(message(2, base)) or 2 in publisher.result_ids(), 15, 0.5)
        assert wait_for(lambda: readings_of(plant["point"]) == 20, 10)
    finally:
        publisher.close()
        subscriber.stop()
        thread.join(5)


def _worker(broker: Broker) -> subprocess.Popen:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MQTT_URL": f"mqtt://127.0.0.1:{broker.port}"}
    return subprocess.Popen([sys.executable, "manage.py", "ingest_mqtt", "--client-id", "test-ingest-kill"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="子进程无法访问 SQLite 内存测试库；在 PostgreSQL 上运行")
def test_a_worker_killed_mid_stream_stores_every_reading_exactly_once(broker, plant):
    worker = _worker(broker)
    publisher = Publisher(broker.port, "GW-MQTT")
    base = ingest.now_ms() - 10_000_000
    total = 300
    try:
        assert wait_for(lambda: publisher.publish(message(0, base)) or 0 in publisher.result_ids(), 30, 0.5)
        for number in range(1, total):
            publisher.publish(message(number, base))
            if number == 100:
                assert wait_for(lambda: len(publisher.result_ids()) > 30, 20)
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
        worker = _worker(broker)
        assert wait_for(lambda: Reading.objects.filter(point=plant["point"]).count() >= total * 10, 60, 0.2)
        assert Reading.objects.filter(point=plant["point"]).count() == total * 10
        stored = set(Reading.objects.filter(point=plant["point"]).values_list("ts", flat=True))
        assert stored == {base + n * 10 + i for n in range(total) for i in range(10)}
    finally:
        publisher.close()
        worker.terminate()
        worker.wait(10)
