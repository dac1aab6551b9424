"""What the monitoring app adds to the embedded mode (`manage.py run_embedded`): telemetry ingestion and the demo
gateways, when an MQTT broker is there to carry them."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse


def mqtt_broker() -> str | None:
    """host:port of the MQTT broker in MQTT_URL if something listens there."""
    url = urlparse(os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883"))
    address = (url.hostname or "127.0.0.1", url.port or 1883)
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return None
    return f"{address[0]}:{address[1]}"


def processes(*, python: str, host: str, port: str) -> tuple[dict[str, list[str]], list[str]]:
    """The processes to start beside the web server and the worker, and what to tell the operator."""
    mqtt = mqtt_broker()
    if not mqtt:
        return {}, ["监测数据：未发现 MQTT 服务器（MQTT_URL），未启动数据接入与模拟网关。"]
    return ({"mqtt-ingest": [python, "manage.py", "ingest_mqtt"],
             "gateway-simulator": [python, "manage.py", "simulate_gateways"]},
            [f"监测数据：已连接 MQTT {mqtt}，模拟网关正在发送演示数据。"])
