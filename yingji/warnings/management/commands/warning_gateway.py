"""Run the local SMS/voice/broadcast gateway simulator (see yingji/warnings/simulator.py)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from yingji.warnings.config import config
from yingji.warnings.simulator import GatewaySimulator


class Command(BaseCommand):
    help = "启动本地短信/语音/应急广播网关模拟器：记录收到的消息，并按比例模拟责任人应答"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument("--answer-rate", type=float, default=0.6, help="模拟应答的人员比例（0~1）")
        parser.add_argument("--answer-after", type=float, default=5.0, help="收到后多少秒应答")
        parser.add_argument("--log", default=str(Path(getattr(settings, "VAR_DIR", ".")) / "gateway.jsonl"))

    def handle(self, host, port, answer_rate, answer_after, log, **options):
        token = config("WARNING_GATEWAY_TOKEN")
        simulator = GatewaySimulator(host=host, port=port, answer_rate=answer_rate, answer_after=answer_after,
                                     log_path=Path(log), token=token).start()
        self.stdout.write(f"网关模拟器：{simulator.url}（记录写入 {log}，应答链接已隐去令牌）")
        if not token:
            self.stderr.write("未设置 WARNING_GATEWAY_TOKEN：平台会拒绝本模拟器的全部回调（应答、按键、送达回执）。"
                              "请为平台和模拟器设置同一个令牌，或用 manage.py run_embedded 启动。")
        self.stdout.write(f"请设置 WARNING_SMS_GATEWAY_URL={simulator.url}sms WARNING_VOICE_GATEWAY_URL={simulator.url}voice "
                          f"WARNING_BROADCAST_URL={simulator.url}broadcast")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            simulator.stop()
