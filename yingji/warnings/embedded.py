"""What the warnings app adds to the embedded mode (`manage.py run_embedded`): a local gateway simulator for the
warning channels (SMS, voice, broadcast), unless real gateways are configured."""

from __future__ import annotations

import os

from yingji.warnings.config import config, embedded_gateway_token


def processes(*, python: str, host: str, port: str) -> tuple[dict[str, list[str]], list[str]]:
    """The processes to start beside the web server and the worker, and what to tell the operator.

    Called before any process starts: the environment set here reaches all of them."""
    if os.environ.get("WARNING_SMS_GATEWAY_URL"):
        return {}, []
    # The simulator records what it receives and answers as recipients would.
    gateway = f"http://127.0.0.1:{os.environ.get('WARNING_GATEWAY_PORT', '8025')}"
    # The gateway callback refuses callers without the shared token: the simulator, the web server and the worker
    # (which presents it to the simulator) all get it through the environment.
    if not config("WARNING_GATEWAY_TOKEN"):
        os.environ["WARNING_GATEWAY_TOKEN"] = embedded_gateway_token()
    os.environ.update({
        "WARNING_SMS_GATEWAY_URL": f"{gateway}/sms",
        "WARNING_VOICE_GATEWAY_URL": f"{gateway}/voice",
        "WARNING_BROADCAST_URL": f"{gateway}/broadcast",
        "WARNING_CALLBACK_BASE_URL": f"http://{host}:{port}",
    })
    return ({"warning-gateway": [python, "manage.py", "warning_gateway", "--port", gateway.rsplit(":", 1)[1]]},
            [f"预警发布：短信、语音、广播发往本地模拟网关 {gateway}（记录于 var/gateway.jsonl）。"])
