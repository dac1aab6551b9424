from datetime import timedelta

import pytest
from django.utils import timezone

from yingji.core.models import Notification, StateChange
from yingji.core.services import region_create, region_update
from yingji.core.testing import xlsx_rows
from yingji.warnings import services
from yingji.warnings.delivery import acknowledge_many, escalate_due, resolve_recipients, send_queued
from yingji.warnings.models import Channel, Delivery, DeliveryStatus, Recipient, RecipientStatus
from yingji.warnings.simulator import GatewaySimulator
from yingji.warnings.testing import add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(world):
    """Two townships of county 1 with their responsible persons, a superior each, and one person in county 2."""
    township2 = region_create(actor=None, code="390102002000", name="甲二街道", level="township",
                              parent=world.county1)
    village3 = region_create(actor=None, code="390102002001", name="甲三社区", level="village", parent=township2)
    township1 = world.regions["390102001000"]
    add_warning_staff(world)
    chief1 = services.person_create(actor=None, region=township1, role="guarantor", name="甲一包保", phone="13800000101",
                                    user=world.county1_duty)
    chief2 = services.person_create(actor=None, region=township2, role="guarantor", name="甲二包保", phone="13800000102")
    people = [
        services.person_create(actor=None, region=world.village1, role="village_cadre", name="甲一村干部",
                               phone="13800000201", superior=chief1),
        services.person_create(actor=None, region=world.village1, role="grid_member", name="甲一网格员",
                               phone="13800000202", superior=chief1, grid="一网格"),
        services.person_create(actor=None, region=village3, role="disaster_informant", name="甲三信息员",
                               phone="13800000203", superior=chief2),
    ]
    services.person_create(actor=None, region=world.village1, role="grid_member", name="离岗人员",
                           phone="13800000204", active=False)
    services.person_create(actor=None, region=world.village2, role="village_cadre", name="乙村干部",
                           phone="13800000301")
    return {"townships": [township1, township2], "chiefs": [chief1, chief2], "people": people}


def published(world, lists, **fields):
    return publish(world, make_warning(world, areas=lists["townships"], **fields))


def test_the_recipients_are_every_active_person_of_every_region_in_the_area(world, lists):
    warning = make_warning(world, areas=lists["townships"])
    names = set(resolve_recipients(warning).values_list("name", flat=True))
    assert names == {"甲一包保", "甲二包保", "甲一村干部", "甲一网格员", "甲三信息员"}
    warning.target_roles = ["grid_member", "disaster_informant"]
    assert set(resolve_recipients(warning).values_list("name", flat=True)) == {"甲一网格员", "甲三信息员"}


def test_a_polygon_drawn_on_the_map_adds_the_regions_whose_centre_lies_in_it(world, lists):
    region_update(region=world.village1, actor=None, longitude=118.5, latitude=36.45)
    square = {"type": "Polygon", "coordinates": [[[118.4, 36.4], [118.6, 36.4], [118.6, 36.5], [118.4, 36.5],
                                                   [118.4, 36.4]]]}
    warning = make_warning(world, areas=[], area_polygon=square)
    assert set(resolve_recipients(warning).values_list("name", flat=True)) == {"甲一村干部", "甲一网格员"}


def test_publishing_queues_sms_for_everyone_in_app_for_account_holders_and_a_broadcast_per_area(world, lists):
    warning = published(world, lists)
    assert warning.recipients.count() == 5
    recipient = warning.recipients.get(name="甲一村干部")
    assert recipient.township == lists["townships"][0] and recipient.status == RecipientStatus.PENDING
    assert recipient.next_step_at is not None
    deliveries = Delivery.objects.filter(warning=warning)
    assert deliveries.filter(channel=Channel.SMS).count() == 5
    assert deliveries.filter(channel=Channel.IN_APP).get().to_name == "甲一包保"
    assert deliveries.filter(channel=Channel.BROADCAST).count() == 2
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}
    sms = deliveries.filter(channel=Channel.SMS).first().text
    assert f"回复{recipient.reply_code}确认收到" in sms and "/warnings/ack/" in sms


def test_without_a_configured_gateway_the_sms_fails_with_the_reason(world, lists):
    warning = published(world, lists)
    send_queued()
    sms = Delivery.objects.filter(warning=warning, channel=Channel.SMS)
    assert set(sms.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert "WARNING_SMS_GATEWAY_URL" in sms.first().reason
    assert Delivery.objects.get(warning=warning, channel=Channel.IN_APP).status == DeliveryStatus.DELIVERED
    assert Notification.objects.for_user(world.county1_duty).get().title.startswith("【红色预警】")


def test_the_simulated_gateway_receives_every_message_in_batches(world, lists, settings):
    simulator = GatewaySimulator(answer_rate=0, answer_after=3600).start()
    try:
        settings.WARNING_SMS_GATEWAY_URL = simulator.url + "sms"
        settings.WARNING_BROADCAST_URL = simulator.url + "broadcast"
        warning = published(world, lists)
        assert send_queued() == 8
        assert {m["to"] for m in simulator.received if m["channel"] == "sms"} == {p.phone for p in warning.recipients.all()}
        assert len([m for m in simulator.received if m["channel"] == "broadcast"]) == 2
        sms = Delivery.objects.filter(warning=warning, channel=Channel.SMS)
        assert set(sms.values_list("status", flat=True)) == {DeliveryStatus.SENT}
        assert sms.first().external_id.startswith("SIM")
    finally:
        simulator.stop()


def test_an_unreachable_gateway_is_a_failure_with_its_reason(world, lists, settings):
    settings.WARNING_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    settings.WARNING_GATEWAY_TIMEOUT = 2
    warning = published(world, lists)
    send_queued()
    assert "网关不可达" in Delivery.objects.filter(warning=warning, channel=Channel.SMS).first().reason


def test_the_link_acknowledges_once_and_then_takes_the_measures(client, world, lists):
    warning = published(world, lists)
    recipient = warning.recipients.get(name="甲一村干部")
    url = f"/warnings/ack/{recipient.link_key}/"
    assert "确认收到" in client.get(url).content.decode()
    client.post(url)
    recipient.refresh_from_db()
    first = recipient.acknowledged_at
    assert (recipient.status, recipient.ack_channel, recipient.next_step_at) == ("acknowledged", "link", None)
    client.post(url)
    recipient.refresh_from_db()
    assert recipient.acknowledged_at == first
    response = client.post(url, {"step": "measures", "people_transferred": "-3", "places_closed": "", "measures": ""})
    assert response.status_code == 400 and "非负整数" in response.content.decode()
    client.post(url, {"step": "measures", "people_transferred": "46", "places_closed": "2", "measures": "转移低洼户"})
    recipient.refresh_from_db()
    assert (recipient.people_transferred, recipient.places_closed, recipient.measures) == (46, 2, "转移低洼户")
    assert client.get("/warnings/ack/nonsense/").status_code == 404


def test_a_link_with_a_wrong_token_answers_nobody(world, lists):
    from django.core.exceptions import ValidationError

    recipient = published(world, lists).recipients.get(name="甲一村干部")
    wrong = "x" * len(recipient.token)
    for key in (f"{recipient.pk}-{wrong}", f"{recipient.pk}-{recipient.token[:-1]}", f"{recipient.pk}-",
                f"{recipient.pk + 10_000}-{recipient.token}", recipient.token, f"{recipient.pk}-{recipient.token}x"):
        with pytest.raises(ValidationError, match="应答链接无效"):
            services.acknowledge_by_token(token=key)
    recipient.refresh_from_db()
    assert recipient.status == "pending" and recipient.acknowledged_at is None
    answered = services.acknowledge_by_token(token=recipient.link_key)
    assert (answered.pk, answered.status, answered.ack_channel) == (recipient.pk, "acknowledged", "link")
    again = services.acknowledge_by_token(token=recipient.link_key)  # a second answer changes nothing
    recipient.refresh_from_db()
    assert again.acknowledged_at == recipient.acknowledged_at
    assert StateChange.objects.filter(subject_id=str(recipient.pk), action="acknowledge").count() == 1


def test_measures_before_answering_are_refused(world, lists):
    from django.core.exceptions import ValidationError

    recipient = published(world, lists).recipients.first()
    with pytest.raises(ValidationError, match="请先确认收到"):
        services.recipient_report_measures(recipient=recipient, people_transferred=1, places_closed=0, measures="")


def test_an_sms_reply_with_the_code_acknowledges_through_the_gateway_callback(gateway, world, lists):
    warning = published(world, lists)
    recipient = warning.recipients.get(name="甲一网格员")
    body = {"type": "reply", "from": recipient.phone, "text": f"{recipient.reply_code} 收到"}
    assert gateway(body, token=None).status_code == 401
    assert gateway(body, token="wrong").status_code == 401
    assert gateway(body).json() == {"acknowledged": True}
    recipient.refresh_from_db()
    assert (recipient.status, recipient.ack_channel) == ("acknowledged", "sms")
    assert gateway({"type": "reply", "from": "13800000203", "text": "0000"}).json() == {"acknowledged": False}


def test_a_voice_key_acknowledges_and_delivery_reports_are_recorded(gateway, world, lists):
    warning = published(world, lists)
    recipient = warning.recipients.get(name="甲三信息员")
    Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
    escalate_due()
    call = Delivery.objects.get(recipient=recipient, channel=Channel.VOICE)
    gateway({"type": "key", "id": call.pk, "key": "2"})
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING
    gateway({"type": "key", "id": call.pk, "key": "1"})
    assert Recipient.objects.get(pk=recipient.pk).ack_channel == "voice"
    gateway({"type": "report", "results": [{"id": call.pk, "status": "delivered"}]})
    assert Delivery.objects.get(pk=call.pk).status == DeliveryStatus.DELIVERED


def test_the_person_acknowledges_in_the_app(client, world, lists):
    warning = published(world, lists)
    mine = warning.recipients.get(name="甲一包保")
    client.force_login(world.county1_duty)
    assert warning.headline in client.get("/warnings/mine/").content.decode()
    client.post(f"/warnings/mine/{mine.pk}/acknowledge/")
    assert Recipient.objects.get(pk=mine.pk).ack_channel == "in_app"
    other = warning.recipients.get(name="甲一村干部")
    assert client.post(f"/warnings/mine/{other.pk}/acknowledge/").status_code == 404


def test_the_unanswered_get_a_voice_call_then_their_superior_is_called(world, lists):
    warning = published(world, lists)
    answered = warning.recipients.get(name="甲一网格员")
    acknowledge_many([(answered.phone, answered.reply_code)])
    late = timezone.now() - timedelta(seconds=1)
    Recipient.objects.filter(warning=warning).update(next_step_at=late)
    assert escalate_due() == 4
    silent = warning.recipients.get(name="甲一村干部")
    assert silent.step == 1 and silent.next_step_at == silent.created_at + timedelta(minutes=20)
    assert Delivery.objects.filter(recipient=silent, channel=Channel.VOICE).count() == 1
    assert not Delivery.objects.filter(recipient=answered, channel=Channel.VOICE).exists()
    Recipient.objects.filter(warning=warning, status="pending").update(next_step_at=late)
    assert escalate_due() == 4
    to_superior = Delivery.objects.get(recipient=silent, to_superior=True, channel=Channel.SMS)
    assert (to_superior.to_name, to_superior.to_address) == ("甲一包保", "13800000101")
    assert "甲一村干部" in to_superior.text
    assert Delivery.objects.filter(recipient=silent, to_superior=True, channel=Channel.IN_APP).exists()
    silent.refresh_from_db()
    assert silent.superior_called_at is not None and silent.next_step_at is None
    assert warning.recipients.get(name="甲二包保").superior_called_at is None  # nobody above to call
    assert escalate_due() == 0


def test_the_board_shows_the_rate_per_township_and_exports_it(client, world, lists):
    warning = published(world, lists)
    people = {r.name: r for r in warning.recipients.all()}
    for name in ("甲一村干部", "甲一网格员", "甲二包保"):
        acknowledge_many([(people[name].phone, people[name].reply_code)])
    client.force_login(world.county1_admin)
    page = client.get(f"/warnings/{warning.pk}/board/").content.decode()
    assert "叫应率 60.0%" in page
    assert "甲一街道" in page and "66.7" in page and "甲二街道" in page and "50.0" in page
    assert "甲一包保" in page and "甲三信息员" in page
    rows = xlsx_rows(client.get(f"/warnings/{warning.pk}/board/?export=xlsx").content)
    assert rows[0][:5] == ["乡镇（街道）", "应叫应人数", "已应答", "未应答", "叫应率（%）"]
    assert ["甲一街道", 3, 2, 1, 66.7] == rows[1][:5]
    client.force_login(world.county2_admin)
    assert client.get(f"/warnings/{warning.pk}/board/").status_code == 404


def test_a_thousand_sms_answers_are_recorded_in_one_batch(world, lists):
    warning = published(world, lists)
    answers = [(r.phone, r.reply_code) for r in warning.recipients.all()] + [("13000000000", "9999")] * 995
    assert acknowledge_many(answers) == 5
    assert not warning.recipients.filter(status=RecipientStatus.PENDING).exists()


def test_two_open_warnings_ten_thousand_ids_apart_get_different_reply_codes(world, lists):
    # The old code was the id modulo 10,000: these two shared one, and one reply acknowledged both.
    first = published(world, lists)
    second = publish(world, make_warning(world, areas=lists["townships"], id=first.pk + 10000))
    assert first.reply_code and second.reply_code and first.reply_code != second.reply_code
    person = lists["people"][0]
    assert acknowledge_many([(person.phone, f"{first.reply_code} 收到")]) == 1
    assert first.recipients.get(person=person).status == RecipientStatus.ACKNOWLEDGED
    assert second.recipients.get(person=person).status == RecipientStatus.PENDING
    assert f"回复{second.reply_code}确认收到" in Delivery.objects.get(recipient__warning=second, recipient__person=person,
                                                                channel=Channel.SMS).text


def test_a_code_is_reused_only_once_its_warning_is_closed_and_then_names_the_new_one(world, lists):
    first = published(world, lists)
    second = published(world, lists)
    assert (first.reply_code, second.reply_code) == ("0001", "0002")
    services.warning_expire(warning=first)
    third = published(world, lists)
    assert third.reply_code == "0001"
    person = lists["people"][0]
    assert services.acknowledge_by_reply(phone=person.phone, text="0001") is not None
    assert third.recipients.get(person=person).status == RecipientStatus.ACKNOWLEDGED
    assert first.recipients.get(person=person).status == RecipientStatus.PENDING
    assert second.recipients.get(person=person).status == RecipientStatus.PENDING


def test_the_sweep_moves_the_due_in_batches_and_each_row_once(world, lists):
    warning = published(world, lists)
    Recipient.objects.filter(warning=warning).update(next_step_at=timezone.now() - timedelta(seconds=1))
    assert [escalate_due(limit=2), escalate_due(limit=2), escalate_due(limit=2), escalate_due(limit=2)] == [2, 2, 1, 0]
    assert set(warning.recipients.values_list("step", flat=True)) == {1}
    assert Delivery.objects.filter(warning=warning, channel=Channel.VOICE).count() == 5
