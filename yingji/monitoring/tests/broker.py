"""A private Mosquitto for the fault tests, so stopping it never disturbs the shared broker on 1883."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


class Broker:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                               "max_queued_messages 100000\n")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        assert wait_for(self.reachable, 10), "mosquitto did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def reachable(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


class Publisher:
    """A gateway's side: publishes messages at QoS 1 and collects the results sent back."""

    def __init__(self, port: int, gateway_code: str) -> None:
        self.results: list[dict] = []
        self.lock = threading.Lock()
        self.gateway_code = gateway_code
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-gw-{gateway_code}",
                                  protocol=mqtt.MQTTv5)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_connect = lambda c, *a: c.subscribe(f"yingji/v1/gw/{gateway_code}/results", qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert wait_for(self.client.is_connected, 5)

    def _on_message(self, client, userdata, message) -> None:
        with self.lock:
            self.results.append(orjson.loads(message.payload))

    def publish(self, message: dict) -> None:
        info = self.client.publish(f"yingji/v1/gw/{self.gateway_code}/readings", orjson.dumps(message), qos=1)
        info.wait_for_publish(5)

    def result_ids(self) -> set:
        with self.lock:
            return {r.get("id") for r in self.results}

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
