"""Who may speak for the gateway and for a person: the callback's token, the shapes it accepts, the limit on
SMS replies per number, and the answer links' tokens kept out of everything but the person's own message."""

import json
import os
import re
import stat
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from yingji.core.models import Notification, StateChange, User
from yingji.core.notifications import notify
from yingji.core.testing import xlsx_rows
from yingji.core.throttling import hits
from yingji.warnings import links, services
from yingji.warnings.config import config, embedded_gateway_token
from yingji.warnings.delivery import escalate_due, send_queued
from yingji.warnings.models import Channel, Delivery, DeliveryStatus, Recipient, RecipientStatus
from yingji.warnings.simulator import GatewaySimulator
from yingji.warnings.testing import GATEWAY_TOKEN, add_warning_staff, make_warning, publish, published_for

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def warning(world):
    """A published warning of county 1 to a township: its guarantor (who has a platform account) and a village
    cadre whose superior the guarantor is."""
    add_warning_staff(world)
    township = world.regions["390102001000"]
    chief = services.person_create(actor=None, region=township, role="guarantor", name="甲一包保",
                                   phone="13800000101", user=world.county1_duty)
    services.person_create(actor=None, region=world.village1, role="village_cadre", name="甲村叫应人",
                           phone="13800001001", superior=chief)
    return publish(world, make_warning(world, areas=[township]))


def cadre(warning) -> Recipient:
    return warning.recipients.get(name="甲村叫应人")


# -- the callback's token -----------------------------------------------------------------------------------


def test_the_callback_refuses_callers_without_the_configured_token(gateway, warning):
    recipient = cadre(warning)
    Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
    escalate_due()
    call = Delivery.objects.get(recipient=recipient, channel=Channel.VOICE)
    attempts = [{"type": "key", "id": call.pk, "key": "1"},
                {"type": "reply", "from": recipient.phone, "text": recipient.reply_code},
                {"type": "replies", "items": [[recipient.phone, recipient.reply_code]]},
                {"type": "report", "results": [{"id": call.pk, "status": "failed", "reason": "伪造"}]}]
    for body in attempts:
        for token in (None, "", "wrong", GATEWAY_TOKEN[:-1], f"{GATEWAY_TOKEN}x", "令牌"):
            response = gateway(body, token=token)
            assert response.status_code == 401 and CJK.search(response.json()["detail"])
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.PENDING
    assert Delivery.objects.get(pk=call.pk).status == DeliveryStatus.QUEUED
    assert gateway({"type": "key", "id": call.pk, "key": "1"}).json() == {"acknowledged": True}


def test_the_bare_token_without_the_bearer_scheme_is_refused(client, gateway, warning):
    recipient = cadre(warning)
    body = json.dumps({"type": "reply", "from": recipient.phone, "text": recipient.reply_code})
    for header in (GATEWAY_TOKEN, f"Token {GATEWAY_TOKEN}", f"bearer {GATEWAY_TOKEN}", f"Bearer  {GATEWAY_TOKEN}"):
        response = client.post("/warnings/gateway/", body, content_type="application/json", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING


def test_without_a_configured_token_the_callback_refuses_everyone(client, settings, monkeypatch, warning):
    monkeypatch.delenv("WARNING_GATEWAY_TOKEN", raising=False)
    settings.WARNING_GATEWAY_TOKEN = ""
    recipient = cadre(warning)
    body = json.dumps({"type": "reply", "from": recipient.phone, "text": recipient.reply_code})
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}, {"HTTP_AUTHORIZATION": "Bearer anything"}):
        response = client.post("/warnings/gateway/", body, content_type="application/json", **headers)
        assert response.status_code == 403 and "WARNING_GATEWAY_TOKEN" in response.json()["detail"]
        assert CJK.search(response.json()["detail"])
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING


def test_a_deployment_without_a_gateway_token_fails_the_deploy_check(settings, monkeypatch):
    monkeypatch.delenv("WARNING_GATEWAY_TOKEN", raising=False)
    settings.WARNING_GATEWAY_TOKEN = ""
    errors = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "warnings.E001"]
    assert len(errors) == 1 and errors[0].level == checks.ERROR and "WARNING_GATEWAY_TOKEN" in errors[0].msg
    assert not [m for m in checks.run_checks() if m.id == "warnings.E001"]  # only the deploy check asks
    settings.WARNING_GATEWAY_TOKEN = "short"
    assert [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("warnings.")] == [
        "warnings.W002"]
    settings.WARNING_GATEWAY_TOKEN = GATEWAY_TOKEN
    assert not [m for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("warnings.")]


def test_the_embedded_mode_makes_one_private_token_and_hands_it_to_the_simulator(settings, monkeypatch, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CELERY_QUEUE_DIR = tmp_path / "celery"
    monkeypatch.setattr(os, "environ", os.environ.copy())
    for name in ("WARNING_GATEWAY_TOKEN", "WARNING_SMS_GATEWAY_URL", "MQTT_URL"):
        os.environ.pop(name, None)
    os.environ["MQTT_URL"] = "mqtt://127.0.0.1:9"  # no broker: only web, worker and the warning gateway start
    started = {}

    class Exited:
        returncode = 0

        def __init__(self, command):
            started[command[2]] = (command, dict(os.environ))

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    with mock.patch("subprocess.Popen", Exited), mock.patch("signal.signal"):
        call_command("run_embedded", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    token = (tmp_path / "warning_gateway_token").read_text()
    assert len(token) >= 40
    assert stat.S_IMODE((tmp_path / "warning_gateway_token").stat().st_mode) == 0o600
    command, environment = started["warning_gateway"]
    assert environment["WARNING_GATEWAY_TOKEN"] == token
    assert all(env["WARNING_GATEWAY_TOKEN"] == token for _command, env in started.values())  # web and worker too
    assert embedded_gateway_token() == token  # made once, then kept
    web_command, _environment = started["uvicorn"]
    assert "--no-proxy-headers" in web_command  # no client rewrites the address the lockout and throttles count


# -- the shapes of a callback -------------------------------------------------------------------------------

MALFORMED = [
    b"not json", b"\xff\xfe{", b"", b"[]", b"null", b"42", b'"reply"', b"{}",
    {"type": "nonsense"}, {"type": ["reply"]},
    {"type": "reply"}, {"type": "reply", "from": 13800001001, "text": "1"}, {"type": "reply", "from": "", "text": "1"},
    {"type": "reply", "from": "13800001001", "text": ["1"]}, {"type": "reply", "from": "1" * 40, "text": "1"},
    {"type": "replies"}, {"type": "replies", "items": "x"}, {"type": "replies", "items": {"a": 1}},
    {"type": "replies", "items": [["13800001001"]]}, {"type": "replies", "items": [[1, 2]]},
    {"type": "replies", "items": ["13800001001 0001"]}, {"type": "replies", "items": [["13800001001", "1", "2"]]},
    {"type": "key"}, {"type": "key", "id": "abc", "key": "1"}, {"type": "key", "id": -1, "key": "1"},
    {"type": "key", "id": 0, "key": "1"}, {"type": "key", "id": 2**70, "key": "1"}, {"type": "key", "id": True, "key": "1"},
    {"type": "key", "id": 1.5, "key": "1"}, {"type": "key", "id": "٣", "key": "1"}, {"type": "key", "id": 1},
    {"type": "key", "id": 1, "key": ["1"]},
    {"type": "report"}, {"type": "report", "results": "x"}, {"type": "report", "results": [1, 2]},
    {"type": "report", "results": {"id": 1, "status": "delivered"}}, {"type": "report", "results": [{"status": "delivered"}]},
    {"type": "report", "results": [{"id": 1}]}, {"type": "report", "results": [{"id": 1, "status": 5}]},
    {"type": "report", "results": [{"id": "1x", "status": "delivered"}]},
    {"type": "report", "results": [{"id": 1, "status": "delivered", "reason": ["x"]}]},
    {"type": "report", "results": [{"id": 1, "status": "delivered"}] * 10001},
]


@pytest.mark.parametrize("body", MALFORMED, ids=[f"malformed-{n}" for n in range(len(MALFORMED))])
def test_a_malformed_body_is_answered_400_with_a_chinese_message(gateway, world, body):
    response = gateway(body)
    assert response.status_code == 400
    assert CJK.search(response.json()["detail"])


def test_well_formed_bodies_still_work_with_ids_as_strings_and_keys_as_numbers(gateway, warning):
    recipient = cadre(warning)
    sms = Delivery.objects.get(recipient=recipient, channel=Channel.SMS)
    report = {"type": "report", "results": [{"id": str(sms.pk), "status": "delivered", "reason": None}]}
    assert gateway(report).json() == {"updated": 1}
    Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
    escalate_due()
    call = Delivery.objects.get(recipient=recipient, channel=Channel.VOICE)
    assert gateway({"type": "key", "id": str(call.pk), "key": 1}).json() == {"acknowledged": True}
    assert gateway({"type": "replies", "items": []}).json() == {"acknowledged": 0}


# -- SMS replies are limited per phone number ---------------------------------------------------------------


def test_replies_from_one_number_beyond_the_limit_are_refused(gateway, settings, world, warning):
    settings.WARNING_REPLY_LIMIT = 3
    recipient = cadre(warning)
    wrong = [code for code in ("0001", "0002", "0003", "0004") if code != recipient.reply_code][:3]
    for code in wrong:
        assert gateway({"type": "reply", "from": recipient.phone, "text": code}).json() == {"acknowledged": False}
    # The fourth try, even with the right code, is refused: guessing stops at the limit.
    response = gateway({"type": "reply", "from": recipient.phone, "text": recipient.reply_code})
    assert response.status_code == 429
    assert response.json()["acknowledged"] is False and "过于频繁" in response.json()["detail"]
    assert "3 条" in response.json()["detail"]
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING
    # In a batch, the refused number is named and the others are taken.
    other = published_for(world, world.county1, world.regions["390102001002"], "乙叫应人", "13800001002")
    theirs = other.recipients.get()
    response = gateway({"type": "replies", "items": [[recipient.phone, recipient.reply_code],
                                                     [theirs.phone, theirs.reply_code]]})
    assert response.status_code == 200
    assert response.json()["acknowledged"] == 1 and response.json()["refused"] == [recipient.phone]
    assert Recipient.objects.get(pk=theirs.pk).status == RecipientStatus.ACKNOWLEDGED
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING
    # The answer link and the app still work for the person whose number was refused.
    assert not Recipient.objects.filter(pk=recipient.pk, status=RecipientStatus.ACKNOWLEDGED).exists()


def test_the_reply_count_is_kept_in_the_shared_throttle_cache(gateway, settings, warning):
    settings.WARNING_REPLY_LIMIT = 5
    recipient = cadre(warning)
    for _attempt in range(2):
        gateway({"type": "reply", "from": recipient.phone, "text": "9999"})
    assert hits(f"warnings:reply:{recipient.phone}") == 2


# -- answer links: only in the person's own message -----------------------------------------------------------


def sent_to_gateway(settings):
    """Capture what the SMS/voice adapter hands the (external) gateway."""
    settings.WARNING_SMS_GATEWAY_URL = "http://gateway.invalid/sms"
    settings.WARNING_VOICE_GATEWAY_URL = "http://gateway.invalid/voice"
    payloads = []

    def post(url, payload, timeout):
        payloads.append(payload)
        return {"results": [{"id": m["id"], "status": "sent"} for m in payload["messages"]]}

    return payloads, mock.patch("yingji.warnings.channels._post", post)


def secrets_of(recipient: Recipient) -> tuple[str, str]:
    return recipient.token, f"/warnings/ack/{recipient.link_key}/"


def assert_hidden(text: str, recipients, where: str) -> None:
    recipients = [recipients] if isinstance(recipients, Recipient) else list(recipients)
    assert recipients
    for recipient in recipients:
        for secret in secrets_of(recipient):
            assert secret not in text, f"the answer link's token is visible in {where}"


def test_officers_never_see_an_answer_link_token(client, settings, world, warning):
    recipient = cadre(warning)
    everyone = list(warning.recipients.all())
    payloads, gateway = sent_to_gateway(settings)
    with gateway:
        send_queued()
        Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
        escalate_due()
        Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
        escalate_due()  # the superior is called, in-app too
        send_queued()
    sms = Delivery.objects.get(recipient=recipient, channel=Channel.SMS, to_superior=False)
    assert f"/warnings/ack/{links.hidden_key(recipient.pk)}/" in sms.text
    # What an officer reads: the API, the pages, the export.
    for persona in ("county1_admin", "county1_duty"):
        api = APIClient()
        api.force_authenticate(getattr(world, persona))
        response = api.get("/api/warning-deliveries/", {"page_size": 100})
        assert response.status_code == 200 and response.json()["count"] >= 4
        assert_hidden(response.content.decode(), everyone, f"the deliveries API ({persona})")
        detail = api.get(f"/api/warning-deliveries/{sms.pk}/")
        assert detail.json()["text"] == sms.text
        assert_hidden(detail.content.decode(), everyone, "a delivery in the API")
        assert_hidden(api.get(f"/api/warning-recipients/{recipient.pk}/").content.decode(), everyone, "the recipient API")
        client.force_login(getattr(world, persona))
        for url in ("/warnings/deliveries/", f"/warnings/recipients/{recipient.pk}/", "/warnings/recipients/",
                    f"/warnings/{warning.pk}/", f"/warnings/{warning.pk}/board/", "/notifications/"):
            response = client.get(url)
            assert response.status_code in (200, 404), url
            assert_hidden(response.content.decode(), everyone, url)
        for url in ("/warnings/deliveries/?export=xlsx", "/warnings/recipients/?export=xlsx"):
            cells = " ".join(str(c) for row in xlsx_rows(client.get(url).content) for c in row)
            assert_hidden(cells, everyone, url)
    # What is stored: messages, their history, timelines, notifications, the recipients' history.
    stored = [str(v) for v in Delivery.objects.values_list("text", flat=True)]
    stored += [str(v) for v in Delivery.history.values_list("text", flat=True)]
    stored += [f"{n.title} {n.body}" for n in Notification.objects.all()]
    stored += [f"{s.reason} {s.data} {s.action_label}" for s in StateChange.objects.all()]
    history = apps.get_model("warnings", "HistoricalRecipient")
    assert "token" not in {f.name for f in history._meta.get_fields()}
    assert Notification.objects.filter(recipient=world.county1_duty).exists()
    assert_hidden(" ".join(stored), everyone, "a stored row")
    # The person's own messages carry the whole link, and it answers.
    texts = [m["text"] for p in payloads for m in p["messages"] if m["to"] == recipient.phone]
    assert len(texts) == 2 and all(secrets_of(recipient)[1] in text for text in texts)  # the SMS and the call
    superior = [m["text"] for p in payloads for m in p["messages"] if m["to"] == "13800000101" and "叫应提醒" in m["text"]]
    assert superior and not any("/warnings/ack/" in text for text in superior)
    link = re.search(r"https?://\S+/warnings/ack/\S+/", texts[0]).group(0)
    assert link == f"{config('WARNING_CALLBACK_BASE_URL')}/warnings/ack/{recipient.link_key}/"
    client.logout()
    client.post(urlsplit(link).path)
    recipient.refresh_from_db()
    assert (recipient.status, recipient.ack_channel) == (RecipientStatus.ACKNOWLEDGED, "link")


def test_the_in_app_message_carries_no_link(world, warning):
    chief = warning.recipients.get(name="甲一包保")
    in_app = Delivery.objects.get(recipient=chief, channel=Channel.IN_APP)
    assert "/warnings/ack/" not in in_app.text and f"回复{chief.reply_code}确认收到" in in_app.text
    send_queued()
    notification = Notification.objects.for_user(world.county1_duty).get()
    assert_hidden(f"{notification.title} {notification.body}", chief, "the in-app notification")
    assert notification.url == "/warnings/mine/"


def test_the_gateway_simulator_records_messages_with_the_link_hidden(settings, tmp_path, warning):
    recipient = cadre(warning)
    settings.WARNING_GATEWAY_TOKEN = GATEWAY_TOKEN
    simulator = GatewaySimulator(answer_rate=0, answer_after=3600, log_path=tmp_path / "gateway.jsonl",
                                 token=GATEWAY_TOKEN).start()
    try:
        settings.WARNING_SMS_GATEWAY_URL = simulator.url + "sms"
        send_queued()
        assert Delivery.objects.get(recipient=recipient, channel=Channel.SMS).status == DeliveryStatus.SENT
        recorded = (tmp_path / "gateway.jsonl").read_text(encoding="utf-8")
        assert f"/warnings/ack/{links.hidden_key(recipient.pk)}/" in recorded
        assert_hidden(recorded, recipient, "the simulator's log")
        assert_hidden(json.dumps(simulator.received, ensure_ascii=False), recipient, "the simulator's GET /")
    finally:
        simulator.stop()


def test_the_gateway_simulator_refuses_messages_without_the_token(settings, warning):
    settings.WARNING_GATEWAY_TOKEN = "another-token-0123456789abcdef"
    simulator = GatewaySimulator(answer_rate=0, answer_after=3600, token=GATEWAY_TOKEN).start()
    try:
        settings.WARNING_SMS_GATEWAY_URL = simulator.url + "sms"
        send_queued()
        sms = Delivery.objects.get(recipient=cadre(warning), channel=Channel.SMS)
        assert sms.status == DeliveryStatus.FAILED and "401" in sms.reason
        assert simulator.received == []
    finally:
        simulator.stop()


def test_redact_hides_every_token_and_only_tokens():
    text = ("点击 http://x/warnings/ack/12-AbC_d-9/ 或 https://y/warnings/ack/legacyTOKEN123/ ，"
            "已隐去 /warnings/ack/7-****/")
    assert links.redact(text) == ("点击 http://x/warnings/ack/12-****/ 或 https://y/warnings/ack/****/ ，"
                                  "已隐去 /warnings/ack/7-****/")
    assert links.redact(links.redact(text)) == links.redact(text)
    assert links.reveal("/warnings/ack/12-****/", 12, "tok") == "/warnings/ack/12-tok/"
    assert links.reveal("/warnings/ack/12-****/", 1, "tok") == "/warnings/ack/12-****/"


def test_the_migration_hides_tokens_already_stored(world, warning):
    import importlib

    migration = importlib.import_module("yingji.warnings.migrations.0004_answer_link_tokens_out_of_stored_text")
    recipient = cadre(warning)
    old_text = f"【红色预警】……请回复{recipient.reply_code}确认收到，或点击 http://127.0.0.1:8000/warnings/ack/{recipient.link_key}/"
    old = Delivery.objects.create(warning=warning, recipient=recipient, region=recipient.region, channel=Channel.SMS,
                                  to_name=recipient.name, to_address=recipient.phone, text=old_text,
                                  created_at=timezone.now())
    notify(recipients=User.objects.filter(pk=world.county1_duty.pk), kind="预警叫应", title=old_text[:200],
           body=old_text)
    assert Delivery.history.filter(id=old.pk, text=old_text).exists()
    migration.hide_link_tokens(apps, None)
    hidden = old_text.replace(recipient.link_key, links.hidden_key(recipient.pk))
    assert Delivery.objects.get(pk=old.pk).text == hidden
    assert set(Delivery.history.filter(id=old.pk).values_list("text", flat=True)) == {hidden}
    notification = Notification.objects.for_user(world.county1_duty).get()
    assert notification.body == hidden and recipient.token not in notification.title


def test_the_answer_page_logs_its_refusals_with_the_token_hidden(client, caplog, warning):
    recipient = cadre(warning)
    url = f"/warnings/ack/{recipient.link_key}/"
    client.post(url)
    with caplog.at_level("WARNING", logger="django.request"):
        response = client.post(url, {"step": "measures", "people_transferred": "-1", "places_closed": "",
                                     "measures": ""})
        assert response.status_code == 400
        assert client.get(f"/warnings/ack/{recipient.pk}-{recipient.token}x/").status_code == 404
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"/warnings/ack/{links.hidden_key(recipient.pk)}/" in logged
    assert recipient.token not in logged
