"""Run the whole platform on one machine with no other server: web, worker, outbox worker and scheduler.

The web server is uvicorn; the Celery worker runs with its embedded beat
scheduler and shares tasks with the web process through the filesystem broker
configured in settings (no Redis needed); `run_outbox` runs the side effects
stored with each change (yingji/core/outbox.py). Apps add processes of their own in
`<app>/embedded.py` (the warning gateway simulator, MQTT ingestion). Ctrl+C stops all of them.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from yingji.core.bureau import setup_link_create, setup_needed
from yingji.core.discovery import app_modules


def demo_accounts() -> list[tuple[str, str]]:
    accounts = []
    for _config, module in app_modules("demo"):
        for attribute in ("DEMO_ACCOUNTS", "ENTERPRISE_ACCOUNTS"):
            accounts += getattr(module, attribute, [])
    return accounts


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
        # Each app may add processes of its own (`<app>/embedded.py`): the warning gateway simulator, MQTT ingestion.
        notes: list[str] = []
        for _config, module in app_modules("embedded"):
            more, lines = module.processes(python=python, host=host, port=port)
            commands.update(more)
            notes += lines
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.banner(host, port)
        for line in notes:
            self.stdout.write(line)
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
        if setup_needed():
            out(self.style.WARNING("尚未配置本局信息。首次设置（一次有效，24小时内）："
                                   f"http://{host}:{port}{reverse('core:setup', args=[setup_link_create()])}"))
        accounts = demo_accounts() if settings.DEMO_ENABLED else []
        if accounts:
            out(f"演示账号（密码均为 {settings.DEMO_PASSWORD}，正式部署前务必修改）：")
            for username, description in accounts:
                out(f"  {username:<22} {description}")
        out("按 Ctrl+C 停止。")
