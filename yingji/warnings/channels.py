"""Delivery channels: one interface, one adapter per way of reaching people.

`send(deliveries)` takes a batch of queued `Delivery` rows and returns one `Result` per row; adapters never
write the database (the caller records the results in bulk). SMS and voice go through a configurable HTTP
gateway (`WARNING_SMS_GATEWAY_URL`, `WARNING_VOICE_GATEWAY_URL`), the emergency broadcast through
`WARNING_BROADCAST_URL`; `manage.py warning_gateway` simulates all three on 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.notifications import notify
from yingji.warnings.config import config
from yingji.warnings.models import Channel, Delivery, DeliveryStatus

GATEWAY_BATCH = 1000


@dataclass(frozen=True)
class Result:
    delivery_id: int
    status: str
    reason: str = ""
    external_id: str = ""


class ChannelAdapter:
    channel: str

    def send(self, deliveries: list[Delivery]) -> list[Result]:
        raise NotImplementedError


class InAppChannel(ChannelAdapter):
    """Stored notifications for people who have a platform account: delivered the moment they are written."""

    channel = Channel.IN_APP

    def send(self, deliveries: list[Delivery]) -> list[Result]:
        results = []
        by_text: dict[tuple[int, str], list[Delivery]] = {}
        for delivery in deliveries:
            if not delivery.to_address.startswith("user:"):
                results.append(Result(delivery.pk, DeliveryStatus.FAILED, _("没有平台账号")))
                continue
            by_text.setdefault((delivery.warning_id, delivery.text), []).append(delivery)
        for (_warning_id, text), group in by_text.items():
            users = User.objects.filter(pk__in=[int(d.to_address[5:]) for d in group], is_active=True)
            notify(recipients=users, kind=_("预警叫应"), title=text[:200], body=text,
                   url="/warnings/mine/")
            results += [Result(d.pk, DeliveryStatus.DELIVERED) for d in group]
        return results


def _post(url: str, payload: dict, timeout: float) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    token = config("WARNING_GATEWAY_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")


class HttpGatewayChannel(ChannelAdapter):
    """SMS or voice calls through an operator's HTTP gateway, a batch per request.

    Request: {"channel": "sms", "callback": ..., "messages": [{"id", "to", "text"}]};
    answer: {"results": [{"id", "status": "sent"|"failed", "reason", "external_id"}]} (missing rows count as sent).
    """

    def __init__(self, channel: str, setting: str) -> None:
        self.channel = channel
        self.setting = setting

    def send(self, deliveries: list[Delivery]) -> list[Result]:
        url = config(self.setting)
        if not url:
            return [Result(d.pk, DeliveryStatus.FAILED, _("未配置网关（%(setting)s）") % {"setting": self.setting})
                    for d in deliveries]
        results = []
        timeout = float(config("WARNING_GATEWAY_TIMEOUT"))
        callback = config("WARNING_CALLBACK_BASE_URL") + "/warnings/gateway/"
        for start in range(0, len(deliveries), GATEWAY_BATCH):
            batch = deliveries[start:start + GATEWAY_BATCH]
            payload = {"channel": self.channel, "callback": callback,
                       "messages": [{"id": d.pk, "to": d.to_address, "text": d.text} for d in batch]}
            try:
                answer = _post(url, payload, timeout)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = _("网关不可达：%(error)s") % {"error": exc}
                results += [Result(d.pk, DeliveryStatus.FAILED, reason[:200]) for d in batch]
                continue
            by_id = {str(r.get("id")): r for r in answer.get("results", []) if isinstance(r, dict)}
            for d in batch:
                row = by_id.get(str(d.pk), {})
                status = row.get("status", DeliveryStatus.SENT)
                if status not in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
                    status = DeliveryStatus.FAILED
                results.append(Result(d.pk, status, str(row.get("reason", ""))[:200],
                                      str(row.get("external_id", ""))[:64]))
        return results


class BroadcastChannel(HttpGatewayChannel):
    """应急广播: the warning text to a configured endpoint, one message per area."""

    def __init__(self) -> None:
        super().__init__(Channel.BROADCAST, "WARNING_BROADCAST_URL")


def adapters() -> dict[str, ChannelAdapter]:
    return {
        Channel.IN_APP: InAppChannel(),
        Channel.SMS: HttpGatewayChannel(Channel.SMS, "WARNING_SMS_GATEWAY_URL"),
        Channel.VOICE: HttpGatewayChannel(Channel.VOICE, "WARNING_VOICE_GATEWAY_URL"),
        Channel.BROADCAST: BroadcastChannel(),
    }
