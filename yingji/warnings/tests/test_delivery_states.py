"""A message's status moves by DELIVERY_WORKFLOW only, also on the set-based paths."""

import pytest

from yingji.core.models import StateChange
from yingji.warnings import channels, delivery, services
from yingji.warnings.delivery import record_delivery_reports, send_queued
from yingji.warnings.models import Delivery, DeliveryStatus
from yingji.warnings.states import DELIVERY_ACTION, DELIVERY_WORKFLOW
from yingji.warnings.testing import add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db


def _messages(world):
    add_warning_staff(world)
    for n, region in enumerate([world.village1, world.regions["390102001000"]]):
        services.person_create(actor=None, region=region, role="village_cadre", name=f"责任人{n}",
                               phone=f"1380000050{n}", user=world.county1_duty if n == 0 else None)
    publish(world, make_warning(world))
    messages = Delivery.objects.all()
    assert messages.count() >= 2
    return messages


def test_every_answer_a_channel_gives_is_a_move_of_the_table():
    for status, action in DELIVERY_ACTION.items():
        assert DELIVERY_WORKFLOW._table[(DeliveryStatus.QUEUED, action)].target == status


def test_a_report_never_moves_a_message_back_or_sideways(world):
    messages = _messages(world)
    send_queued()
    delivered = messages.filter(status=DeliveryStatus.DELIVERED).first() or messages.first()
    Delivery.objects.filter(pk=delivered.pk).update(status=DeliveryStatus.DELIVERED)
    changes_before = StateChange.objects.count()
    assert record_delivery_reports([{"id": delivered.pk, "status": "failed", "reason": "迟到的失败回执"}]) == 0
    assert Delivery.objects.get(pk=delivered.pk).status == DeliveryStatus.DELIVERED
    assert StateChange.objects.count() == changes_before  # messages keep their own times, not timeline rows


def test_a_sent_message_is_then_delivered_or_failed_by_its_report(world):
    messages = _messages(world)
    first, second = messages.order_by("pk")[:2]
    Delivery.objects.filter(pk__in=[first.pk, second.pk]).update(status=DeliveryStatus.SENT)
    assert record_delivery_reports([{"id": first.pk, "status": "delivered"},
                                    {"id": second.pk, "status": "failed", "reason": "空号"}]) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.reason) == (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, "空号")
    assert first.delivered_at is not None


def test_an_answer_the_table_does_not_know_fails_the_message_with_the_answer(world, monkeypatch):
    messages = _messages(world)

    class Odd(channels.ChannelAdapter):
        def send(self, rows):
            return [channels.Result(row.pk, "bounced", "", "") for row in rows]

    odd = {channel: Odd() for channel in set(messages.values_list("channel", flat=True))}
    monkeypatch.setattr(channels, "adapters", lambda: odd)
    monkeypatch.setattr(delivery, "adapters", lambda: odd, raising=False)
    send_queued()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert "bounced" in Delivery.objects.first().reason
