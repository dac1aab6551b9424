"""`manage.py simulate_gateways`: demo gateways publishing realistic readings over MQTT.

Every active gateway sends one message per period with a reading for each of its enterprise's points: a
slow random walk inside the normal band, now and then an excursion past the 高报 limit for a minute or two,
and now and then a gateway that goes silent for a few minutes, so alarms and offline states appear by
themselves. Run it next to `manage.py ingest_mqtt`.
"""

from __future__ import annotations

import random
import signal
import time

import orjson
import paho.mqtt.client as mqtt
from django.core.management.base import BaseCommand

from yingji.monitoring.ingest import now_ms
from yingji.monitoring.models import Gateway, MonitoringPoint
from yingji.monitoring.mqtt import broker_address, readings_topic


class SimulatedPoint:
    def __init__(self, point: MonitoringPoint, rng: random.Random) -> None:
        self.tag = point.tag
        low = point.low if point.low is not None else point.range_low
        high = point.high if point.high is not None else point.range_high
        span = high - low
        self.normal = (low + span * 0.25, low + span * 0.7)
        self.limit = point.high
        self.range = (point.range_low, point.range_high)
        self.value = rng.uniform(*self.normal)
        self.excursion_left = 0

    def next(self, rng: random.Random, excursion_chance: float) -> float:
        low, high = self.normal
        if self.excursion_left:
            self.excursion_left -= 1
            target = self.limit + (self.limit - low) * 0.1 if self.limit is not None else high
        else:
            if self.limit is not None and rng.random() < excursion_chance:
                self.excursion_left = rng.randint(4, 12)
            target = (low + high) / 2
        self.value += (target - self.value) * 0.3 + rng.gauss(0, (high - low) * 0.03)
        self.value = min(self.range[1], max(self.range[0], self.value))
        return round(self.value, 3)


class Command(BaseCommand):
    help = "模拟演示企业的采集网关，通过 MQTT 持续上报监测数据（含偶发超限与掉线）"

    def add_arguments(self, parser):
        parser.add_argument("--period", type=float, default=10.0, help="上报周期（秒）")
        parser.add_argument("--excursion-chance", type=float, default=0.01, help="每个监测点每周期开始超限的概率")
        parser.add_argument("--dropout-chance", type=float, default=0.002, help="每个网关每周期开始掉线的概率")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--cycles", type=int, default=None, help="上报指定轮数后退出（测试用）")

    def handle(self, *args, period, excursion_chance, dropout_chance, seed, cycles, **options):
        rng = random.Random(seed)
        host, port = broker_address()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"yingji-simulator-{seed}",
                             protocol=mqtt.MQTTv5)
        client.reconnect_delay_set(1, 10)
        client.connect(host, port)
        client.loop_start()
        stop = False

        def request_stop(*_args):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        gateways = list(Gateway.objects.filter(is_active=True).order_by("code"))
        points = {g.pk: [SimulatedPoint(p, rng) for p in MonitoringPoint.objects.filter(
            enterprise_id=g.enterprise_id, is_active=True).order_by("tag")] for g in gateways}
        silent_until: dict[int, float] = {}
        self.stdout.write(f"模拟 {len(gateways)} 个网关、{sum(len(v) for v in points.values())} 个监测点，"
                          f"每 {period:g} 秒上报一次到 {host}:{port}")
        done = 0
        while not stop and (cycles is None or done < cycles):
            started = time.monotonic()
            stamp = now_ms()
            for gateway in gateways:
                if silent_until.get(gateway.pk, 0) > started:
                    continue
                if rng.random() < dropout_chance:
                    silent_until[gateway.pk] = started + rng.uniform(240, 480)
                    continue
                readings = [[p.tag, stamp, p.next(rng, excursion_chance)] for p in points[gateway.pk]]
                if readings:
                    message = {"gateway": gateway.code, "ts": stamp, "readings": readings}
                    client.publish(readings_topic(gateway.code), orjson.dumps(message), qos=1)
            done += 1
            time.sleep(max(0.0, period - (time.monotonic() - started)))
        client.loop_stop()
        client.disconnect()
