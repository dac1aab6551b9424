"""MQTT ingestion: a shared-subscription worker that feeds gateway messages into the common ingest path.

Topics (docs/monitoring.md):
    yingji/v1/gw/<gateway code>/readings   gateways publish here (QoS 1)
    yingji/v1/gw/<gateway code>/results    the worker publishes each message's result here (QoS 1)

Delivery: QoS 1 with manual acknowledgement. Messages that arrive together are stored in one transaction, and
each is acknowledged only after its readings are committed,
so a worker killed mid-stream leaves the message unacknowledged and the broker delivers it again; the
(point, ts) key makes the second delivery a duplicate, so every reading is stored exactly once. The session
is persistent (clean_start False with a session expiry), so messages published while the worker is away are
queued for it, and several workers share the load through `$share/<group>/...`.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import orjson
import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from yingji.monitoring import ingest, services
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import Gateway

log = logging.getLogger(__name__)

TOPIC_PREFIX = "yingji/v1/gw"
READINGS_TOPIC = f"{TOPIC_PREFIX}/+/readings"


def readings_topic(gateway_code: str) -> str:
    return f"{TOPIC_PREFIX}/{gateway_code}/readings"


def results_topic(gateway_code: str) -> str:
    return f"{TOPIC_PREFIX}/{gateway_code}/results"


def broker_address() -> tuple[str, int]:
    url = urlparse(os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883"))
    return url.hostname or "127.0.0.1", url.port or 1883


@dataclass(slots=True)
class GatewayInfo:
    id: int
    enterprise_id: int
    code: str


class GatewayTable:
    """Active gateways by code, reloaded on an unknown code (at most once a second) or every `max_age` s."""

    def __init__(self, max_age: float = 30.0) -> None:
        self.max_age = max_age
        self._by_code: dict[str, GatewayInfo] = {}
        self._loaded_at = float("-inf")

    def refresh(self) -> None:
        rows = Gateway._base_manager.filter(is_active=True).values_list("id", "enterprise_id", "code")
        self._by_code = {code: GatewayInfo(pk, enterprise_id, code) for pk, enterprise_id, code in rows}
        self._loaded_at = time.monotonic()

    def lookup(self, code: str) -> GatewayInfo | None:
        age = time.monotonic() - self._loaded_at
        if age > self.max_age or (code not in self._by_code and age > 1.0):
            self.refresh()
        return self._by_code.get(code)


class Subscriber:
    def __init__(self, *, client_id: str, group: str = "yingji", host: str | None = None, port: int | None = None,
                 session_expiry: int = 3600, max_messages: int | None = None, batch_size: int = 200,
                 batch_bytes: int = 256 * 1024) -> None:
        default_host, default_port = broker_address()
        self.host, self.port = host or default_host, port or default_port
        self.group = group
        self.session_expiry = session_expiry
        self.max_messages = max_messages
        self.handled = 0
        self.points = PointTable()
        self.gateways = GatewayTable()
        self.stopped = threading.Event()
        self.queue: queue.Queue = queue.Queue()
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                                  manual_ack=True)
        self.client.on_connect = self.on_connect
        self.client.on_message = self.on_message
        self.client.on_disconnect = self.on_disconnect
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)

    def on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        log.info("MQTT connected to %s:%s (session present: %s)", self.host, self.port, flags.session_present)
        client.subscribe(f"$share/{self.group}/{READINGS_TOPIC}", qos=1)

    def on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if not self.stopped.is_set():
            log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def on_message(self, client, userdata, message) -> None:
        # The network thread only queues; the worker thread stores what arrived together in one transaction.
        self.queue.put(message)

    def work(self) -> None:
        while not self.stopped.is_set():
            try:
                first = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
            # Up to batch_size messages or batch_bytes of payload (about 10,000 readings), whichever comes first:
            # enough to share one commit, small enough that a reading waiting behind a batch waits a fraction
            # of a second (the alarm delay under load).
            batch = [first]
            size = len(first.payload)
            while len(batch) < self.batch_size and size < self.batch_bytes:
                try:
                    message = self.queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(message)
                size += len(message.payload)
            self.handle(batch)
        connection.close()

    def handle(self, batch: list) -> None:
        wanted = []
        for message in batch:
            parts = message.topic.split("/")
            gateway = self.gateways.lookup(parts[3]) if len(parts) == 5 else None
            if gateway is None:
                log.warning("message on %s from an unknown or inactive gateway not processed", message.topic)
                if len(parts) == 5 and parts[4] == "readings" and parts[3]:
                    # Answered like any other message, so the sender learns why nothing was stored.
                    self.client.publish(results_topic(parts[3]),
                                        orjson.dumps(ingest.unknown_gateway_result(message.payload, parts[3])
                                                     .as_dict()), qos=1)
                self.client.ack(message.mid, message.qos)
                continue
            wanted.append((message, gateway))
        if not wanted:
            return
        messages = [services.IngestMessage(gateway_id=g.id, enterprise_id=g.enterprise_id, body=m.payload,
                                           gateway_code=g.code) for m, g in wanted]
        results = None
        for attempt in range(3):
            try:
                close_old_connections()
                results = services.readings_ingest_many(messages=messages, points=self.points)
                break
            except Exception:
                log.exception("ingesting %d messages failed (attempt %d)", len(messages), attempt + 1)
                time.sleep(0.5 * (attempt + 1))
        if results is None:
            # Not acknowledged: the broker delivers them again after the reconnect.
            self.client.disconnect()
            return
        for (message, gateway), result in zip(wanted, results, strict=True):
            if result.rejected or result.error:
                log.info("gateway %s: %d readings rejected %s", gateway.code, len(result.rejected), result.error)
            self.client.publish(results_topic(gateway.code), orjson.dumps(result.as_dict()), qos=1)
            self.client.ack(message.mid, message.qos)
        self.handled += len(wanted)
        if self.max_messages is not None and self.handled >= self.max_messages:
            self.stop()

    def stop(self) -> None:
        self.stopped.set()
        self.client.disconnect()

    def run(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        while not self.stopped.is_set():
            try:
                self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=properties)
                break
            except OSError as exc:
                log.warning("MQTT broker %s:%s not reachable (%s); retrying", self.host, self.port, exc)
                time.sleep(1)
        if not self.stopped.is_set():
            worker = threading.Thread(target=self.work, name="ingest-worker", daemon=True)
            worker.start()
            self.client.loop_forever(retry_first_connection=True)
            worker.join(5)
