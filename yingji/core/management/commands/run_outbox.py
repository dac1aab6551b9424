"""Run the outbox's side effects: claim due messages, run their handlers, retry failures (yingji/core/outbox.py).

Any number may run, on any hosts: each message is claimed by one worker at a time. On PostgreSQL an idle worker
is woken by NOTIFY when a message is emitted without an inline run; otherwise it looks every OUTBOX_POLL_SECONDS.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from yingji.core import outbox


class Command(BaseCommand):
    help = "运行待办副作用（通知、实时事件、任务投递等）的后台处理进程"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=None, help="无新消息时的轮询间隔（秒）")
        parser.add_argument("--once", action="store_true", help="处理当前到期的消息后退出")

    def handle(self, *args, poll: float | None, once: bool, **options):
        if once:
            count = outbox.drain()
            self.stdout.write(f"已处理 {count} 条消息")
            return
        stop = threading.Event()

        def request_stop(*_args):
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        outbox.work(stop=stop, poll=poll)
