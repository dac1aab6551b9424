"""Run the whole platform on one machine with no other server: web, worker, outbox worker and scheduler.

The web server is uvicorn; the Celery worker runs with its embedded beat
scheduler and shares tasks with the web process through the filesystem broker
configured in settings (no Redis needed); `run_outbox` runs the side effects
stored with each change (yingji/core/outbox.py). Ctrl+C stops all of them.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand

from yingji.core.discovery import app_modules


def demo_accounts() -> list[tuple[str, str]]:
    accounts = []
    for _config, module in app_modules("demo"):
        for attribute in ("DEMO_ACCOUNTS", "ENTERPRISE_ACCOUNTS"):
            accounts += getattr(module, attribute, [])
    return accounts


def mqtt_broker() -> str | None:
    """host:port of the MQTT broker in MQTT_URL if something listens there."""
    url = urlparse(os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883"))
    address = (url.hostname or "127.0.0.1", url.port or 1883)
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return None
    return f"{address[0]}:{address[1]}"


class Command(BaseCommand):
    help = "启动嵌入式运行环境：Web 服务、后台任务与定时调度"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host: str, port: str, **options):
        for folder in ("queue", "processed", "control"):
            (settings.CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        commands = {
            "web": [python, "-m", "uvicorn", "yingji.asgi:application", "--host", host, "--port", port,
                    "--workers", os.environ.get("WEB_WORKERS", "2"), "--log-level", "warning",
                    # Open live-board streams would otherwise hold Ctrl+C up to LIVE_STREAM_SECONDS.
                    "--timeout-graceful-shutdown", "3",
                    # The embedded server faces its clients itself: no X-Forwarded-For rewrites the client address
                    # that the login lockout and the throttles count (uvicorn trusts it from 127.0.0.1 by default).
                    "--no-proxy-headers"],
            "worker": [python, "-m", "celery", "-A", "yingji", "--quiet", "worker", "--beat", "--pool", "solo",
                       "--loglevel", "WARNING", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
            # Side effects (notifications, live events, task kicks) left over by a process that died after its
            # commit, and retries of failed ones; each process runs its own at once after committing.
            "outbox": [python, "manage.py", "run_outbox"],
        }
        # The warning channels (SMS, voice, broadcast) go to a local gateway simulator that records what
        # it receives and answers as recipients would, unless real gateways are configured.
        gateway = f"http://127.0.0.1:{os.environ.get('WARNING_GATEWAY_PORT', '8025')}"
        simulated = not os.environ.get("WARNING_SMS_GATEWAY_URL")
        if simulated:
            from yingji.warnings.config import config, embedded_gateway_token

            # The gateway callback refuses callers without the shared token: the simulator, the web server and
            # the worker (which presents it to the simulator) all get it through the environment.
            if not config("WARNING_GATEWAY_TOKEN"):
                os.environ["WARNING_GATEWAY_TOKEN"] = embedded_gateway_token()
            os.environ.update({
                "WARNING_SMS_GATEWAY_URL": f"{gateway}/sms",
                "WARNING_VOICE_GATEWAY_URL": f"{gateway}/voice",
                "WARNING_BROADCAST_URL": f"{gateway}/broadcast",
                "WARNING_CALLBACK_BASE_URL": f"http://{host}:{port}",
            })
            commands["warning-gateway"] = [python, "manage.py", "warning_gateway", "--port", gateway.rsplit(":", 1)[1]]
        mqtt = mqtt_broker()
        if mqtt:
            # Telemetry: the ingestion worker and the demo gateways, when a broker is there to carry them.
            commands["mqtt-ingest"] = [python, "manage.py", "ingest_mqtt"]
            commands["gateway-simulator"] = [python, "manage.py", "simulate_gateways"]
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.banner(host, port)
        if simulated:
            self.stdout.write(f"预警发布：短信、语音、广播发往本地模拟网关 {gateway}（记录于 var/gateway.jsonl）。")
        if mqtt:
            self.stdout.write(f"监测数据：已连接 MQTT {mqtt}，模拟网关正在发送演示数据。")
        else:
            self.stdout.write("监测数据：未发现 MQTT 服务器（MQTT_URL），未启动数据接入与模拟网关。")
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} 进程已退出（{process.returncode}），正在停止全部服务")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def banner(self, host: str, port: str) -> None:
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"应急管理综合应用平台已启动：http://{host}:{port}/"))
        out(f"数据库：{settings.DATABASES['default']['NAME']}（后台任务与定时调度已随同启动）")
        accounts = demo_accounts()
        if accounts:
            out(f"演示账号（密码均为 {settings.DEMO_PASSWORD}，正式部署前务必修改）：")
            for username, description in accounts:
                out(f"  {username:<22} {description}")
        out("按 Ctrl+C 停止。")
