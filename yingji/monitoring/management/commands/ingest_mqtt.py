"""`manage.py ingest_mqtt`: subscribe to the gateways' readings and feed them into the ingest path.

Run several side by side with distinct --client-id values; the shared subscription spreads messages over them.
"""

import logging
import signal
import socket

from django.core.management.base import BaseCommand

from yingji.monitoring.mqtt import Subscriber


class Command(BaseCommand):
    help = "订阅采集网关的 MQTT 数据并入库（QoS 1，共享订阅，可多进程并行）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="MQTT 服务器（默认取环境变量 MQTT_URL，或 127.0.0.1）")
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--group", default="yingji", help="共享订阅组名")
        parser.add_argument("--client-id", default=f"yingji-ingest-{socket.gethostname()}",
                            help="客户端标识；同一标识重启后接收离线期间排队的消息")
        parser.add_argument("--session-expiry", type=int, default=3600, help="会话保留时间（秒）")
        parser.add_argument("--max-messages", type=int, default=None, help="处理指定条数后退出（测试用）")

    def handle(self, *args, host, port, group, client_id, session_expiry, max_messages, **options):
        logging.basicConfig(level=logging.INFO if options["verbosity"] > 1 else logging.WARNING,
                            format="%(asctime)s %(levelname)s %(message)s")
        subscriber = Subscriber(client_id=client_id, group=group, host=host, port=port,
                                session_expiry=session_expiry, max_messages=max_messages)
        signal.signal(signal.SIGTERM, lambda *_: subscriber.stop())
        signal.signal(signal.SIGINT, lambda *_: subscriber.stop())
        self.stdout.write(f"MQTT 接入已启动：{subscriber.host}:{subscriber.port}，订阅 $share/{group}/yingji/v1/gw/+/readings")
        subscriber.run()
