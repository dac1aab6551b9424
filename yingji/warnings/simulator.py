"""A local stand-in for the SMS/voice gateway and the broadcast endpoint, so the whole 叫应 loop is visible.

It records every message it receives (in memory and, optionally, in a JSON-lines file), answers each batch as
an operator would ("sent"), and then, for a chosen share of the people, answers as the recipient would: an SMS
reply with the code, or key 1 on a voice call, posted to the platform's gateway callback. Which people answer
is decided by their phone number, so a run is repeatable.

With a token (`WARNING_GATEWAY_TOKEN`) it accepts only requests that carry it and presents it on its own
callbacks, as a real gateway does. What it records (the log file, `GET /`) has the answer links' tokens hidden:
anyone on the machine can read those, and a link is the person's proof of identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from yingji.warnings.links import redact


class GatewaySimulator:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, answer_rate: float = 0.6,
                 answer_after: float = 2.0, log_path: Path | None = None, token: str = "") -> None:
        self.answer_rate = answer_rate
        self.answer_after = answer_after
        self.log_path = log_path
        self.token = token
        self.received: list[dict] = []
        self.callbacks: list[dict] = []
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with simulator._lock:
                    body = json.dumps({"received": simulator.received[-200:], "count": len(simulator.received)},
                                      ensure_ascii=False).encode()
                self._answer(200, body)

            def do_POST(self) -> None:
                if simulator.token and not hmac.compare_digest(
                        self.headers.get("Authorization", "").encode(), f"Bearer {simulator.token}".encode()):
                    self._answer(401, b'{"detail": "unauthorized"}')
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    self._answer(400, b'{"detail": "bad json"}')
                    return
                results = simulator.receive(payload)
                self._answer(200, json.dumps({"results": results}).encode())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/"

    def answers(self, phone: str) -> bool:
        digest = int(hashlib.sha1(phone.encode()).hexdigest()[:8], 16)
        return digest % 1000 < self.answer_rate * 1000

    def receive(self, payload: dict) -> list[dict]:
        channel = payload.get("channel", "")
        callback = payload.get("callback", "")
        messages = payload.get("messages", [])
        recorded = [{"channel": channel, **m, "text": redact(str(m.get("text", "")))} for m in messages]
        with self._lock:
            self.received += recorded
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as handle:
                    for m in recorded:
                        handle.write(json.dumps(m, ensure_ascii=False) + "\n")
        results = [{"id": m.get("id"), "status": "sent", "external_id": f"SIM{m.get('id')}"} for m in messages]
        if callback:
            timer = threading.Timer(self.answer_after, self.reply, args=(channel, callback, messages))
            timer.daemon = True
            with self._lock:
                self._timers.append(timer)
            timer.start()
        return results

    def reply(self, channel: str, callback: str, messages: list[dict]) -> None:
        """Delivery reports for everything, then the answers of the people who answer."""
        self._post(callback, {"type": "report", "results": [{"id": m.get("id"), "status": "delivered"}
                                                            for m in messages]})
        if channel == "sms":
            items = []
            for m in messages:
                code = re.search(r"回复(\d{4,6})确认", m.get("text", ""))
                if code and self.answers(m.get("to", "")):
                    items.append([m.get("to", ""), code.group(1)])
            if items:
                self._post(callback, {"type": "replies", "items": items})
        elif channel == "voice":
            for m in messages:
                if self.answers(m.get("to", "") + "voice"):
                    self._post(callback, {"type": "key", "id": m.get("id"), "key": "1"})

    def _post(self, url: str, payload: dict) -> None:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read() or b"{}")
        except OSError as exc:
            answer = {"error": str(exc)}
        with self._lock:
            self.callbacks.append({"payload": payload, "answer": answer})

    def start(self) -> GatewaySimulator:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving after the answers already under way have been posted, so none arrives late."""
        for timer in list(self._timers):
            if timer.interval <= 1:
                timer.join(timeout=timer.interval + 10)
            else:
                timer.cancel()
        self.server.shutdown()
        self.server.server_close()
