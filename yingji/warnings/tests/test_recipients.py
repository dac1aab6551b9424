"""叫应对象 and 发送记录: pages and REST (read-only, scoped), the person's timeline, and cross-county denial on the
board, the answer link and the gateway."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from yingji.core import roles
from yingji.core.models import StateChange
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, xlsx_rows
from yingji.warnings import services
from yingji.warnings.delivery import escalate_due
from yingji.warnings.models import Channel, Delivery, Recipient, RecipientStatus
from yingji.warnings.testing import add_person, make_warning, publish, published_for

pytestmark = pytest.mark.django_db


def county1_warning(world):
    return published_for(world, world.county1, world.village1, "甲村叫应人", "13800001001")


def county2_warning(world):
    return published_for(world, world.county2, world.village2, "乙村叫应人", "13800002001")


class RecipientDeclarations:
    model = Recipient
    url_namespace = "warnings"
    api_url = "/api/warning-recipients/"
    actor = "county1_admin"
    outsider = "county2_admin"
    has_create = False
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        return county1_warning(world).recipients.get()

    def make_out_of_scope(self, world):
        return county2_warning(world).recipients.get()


class TestRecipientPages(RecipientDeclarations, ScopedModelViewTests):
    def test_history_shows_on_the_detail_page(self, client, world):
        # Recipients are written in bulk (COPY); their audit trail is the timeline of StateChange rows.
        recipient = self.make_in_scope(world)
        services.acknowledge_by_token(token=recipient.link_key)
        self.login(client, world, self.actor)
        page = client.get(self.url("detail", recipient.pk)).content.decode()
        assert "办理过程" in page and "应答（短信链接）" in page

    def test_the_person_page_shows_each_escalation_step_and_every_message(self, client, world):
        recipient = self.make_in_scope(world)
        late = timezone.now() - timedelta(seconds=1)
        Recipient.objects.filter(pk=recipient.pk).update(next_step_at=late)
        escalate_due()
        Recipient.objects.filter(pk=recipient.pk).update(next_step_at=late)
        escalate_due()
        steps = StateChange.objects.filter(subject_type__model="recipient", subject_id=str(recipient.pk))
        assert list(steps.order_by("pk").values_list("action_label", flat=True)) == [
            "叫应升级：语音电话", "叫应升级：通知上级责任人"]
        assert steps.first().reason == "发出后 10 分钟仍未应答" and steps.first().data["step"] == 1
        self.login(client, world, self.actor)
        page = client.get(self.url("detail", recipient.pk)).content.decode()
        assert "叫应升级：语音电话" in page and "叫应升级：通知上级责任人" in page
        assert "语音电话" in page and "短信" in page
        warning_page = client.get(f"/warnings/{recipient.warning_id}/").content.decode()
        assert "叫应升级：语音电话" in warning_page and "1 人发出后 10 分钟仍未应答，已升级" in warning_page


class TestRecipientAPI(RecipientDeclarations, ScopedModelAPITests):
    def test_the_token_never_leaves_through_the_api(self, world):
        recipient = self.make_in_scope(world)
        body = self.api(world, self.actor).get(self.detail_url(recipient)).json()
        assert body["name"] == "甲村叫应人" and "token" not in body and recipient.token not in json.dumps(body)

    def test_filtering_by_another_countys_warning_is_refused(self, world):
        theirs = county2_warning(world)
        response = self.api(world, self.actor).get(self.api_url, {"warning": theirs.pk})
        assert response.status_code == 400


class DeliveryDeclarations:
    model = Delivery
    api_url = "/api/warning-deliveries/"
    actor = "county1_admin"
    outsider = "county2_admin"
    writable = False

    def make_in_scope(self, world):
        return Delivery.objects.get(warning=county1_warning(world), channel=Channel.SMS)

    def make_out_of_scope(self, world):
        return Delivery.objects.get(warning=county2_warning(world), channel=Channel.SMS)


class TestDeliveryAPI(DeliveryDeclarations, ScopedModelAPITests):
    pass


def test_the_delivery_list_and_its_export_show_the_own_county_only(client, world):
    mine = DeliveryDeclarations().make_in_scope(world)
    theirs = DeliveryDeclarations().make_out_of_scope(world)
    client.force_login(world.county1_admin)
    page = client.get("/warnings/deliveries/").content.decode()
    assert mine.to_address in page and theirs.to_address not in page
    cells = {str(c) for row in xlsx_rows(client.get("/warnings/deliveries/?export=xlsx").content) for c in row}
    assert mine.to_address in cells and theirs.to_address not in cells
    client.force_login(world.county1_no_role)
    assert client.get("/warnings/deliveries/").status_code == 403


# -- cross-county denial on the custom pages ---------------------------------------------------------------------


def test_county2_cannot_see_or_export_the_board_of_county1(client, world):
    warning = county1_warning(world)
    client.force_login(world.county2_admin)
    assert client.get(f"/warnings/{warning.pk}/board/").status_code == 404
    assert client.get(f"/warnings/{warning.pk}/board/?export=xlsx").status_code == 404
    assert client.get(f"/warnings/{warning.pk}/board/", HTTP_HX_REQUEST="true").status_code == 404
    client.force_login(world.county1_no_role)
    assert client.get(f"/warnings/{warning.pk}/board/").status_code == 403


def test_the_city_board_shows_every_county_and_a_county_only_its_own_people(client, world):
    published_for(world, world.county1, world.village1, "甲村叫应人", "13800001001")
    services.person_create(actor=None, region=world.village2, role="village_cadre", name="乙村叫应人",
                           phone="13800002001")
    city = publish(world, make_warning(world, region=world.city, areas=[world.village1, world.village2]),
                   signer=_city_signer(world))
    assert city.recipients.count() == 2
    client.force_login(world.city_admin)
    page = client.get(f"/warnings/{city.pk}/board/").content.decode()
    assert "甲村叫应人" in page and "乙村叫应人" in page
    # The city's warning covers county 1, so county 1 reads it (Warning.shared_from_above), and its 叫应 board
    # lists county 1's people only.
    client.force_login(world.county1_admin)
    page = client.get(f"/warnings/{city.pk}/board/").content.decode()
    assert "甲村叫应人" in page and "乙村叫应人" not in page


def _city_signer(world):
    if "city_signer" not in world.users:
        add_person(world, "city_signer", roles.LEADER, world.city)
    return world.city_signer


def test_county2_cannot_act_on_county1_transitions_follow_or_documents(client, world):
    warning = county1_warning(world)
    client.force_login(world.county2_admin)
    assert client.get(f"/warnings/{warning.pk}/cap.xml").status_code == 404
    assert client.post(f"/warnings/{warning.pk}/follow/", {"msg_type": "Cancel"}).status_code == 404
    assert client.post(f"/warnings/{warning.pk}/transition/", {"action": "approve"}).status_code == 404
    assert client.get(f"/warnings/recipients/{warning.recipients.get().pk}/").status_code == 404
    assert "甲村叫应人" not in client.get("/warnings/recipients/").content.decode()


def test_the_answer_link_acts_only_on_its_own_recipient(client, world):
    first = county1_warning(world).recipients.get()
    second = county2_warning(world).recipients.get()
    response = client.post(f"/warnings/ack/{first.link_key}/", {"step": "measures", "people_transferred": "5",
                                                             "places_closed": "1", "measures": "转移"})
    assert response.status_code == 400  # measures before answering are refused
    client.post(f"/warnings/ack/{first.link_key}/")
    client.post(f"/warnings/ack/{first.link_key}/", {"step": "measures", "people_transferred": "5", "places_closed": "1",
                                                  "measures": "转移"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RecipientStatus.ACKNOWLEDGED and first.people_transferred == 5
    assert second.status == RecipientStatus.PENDING and second.people_transferred is None
    page = client.get(f"/warnings/ack/{first.link_key}/").content.decode()
    assert "甲村叫应人" in page and "乙村叫应人" not in page
    other = "y" if first.link_key.endswith("x") else "x"  # a token may end in "x" (1 in 64)
    assert client.post(f"/warnings/ack/{first.link_key[:-1]}{other}/").status_code == 404
    second.refresh_from_db()
    assert second.status == RecipientStatus.PENDING


def test_the_app_button_answers_only_for_the_persons_own_account(client, world):
    published_for(world, world.county1, world.village1, "甲村叫应人", "13800001001", user=None)
    theirs = county2_warning(world).recipients.get()
    client.force_login(world.county1_admin)
    assert client.post(f"/warnings/mine/{theirs.pk}/acknowledge/").status_code == 404
    assert Recipient.objects.get(pk=theirs.pk).status == RecipientStatus.PENDING


def test_a_gateway_reply_acknowledges_only_the_phone_that_sent_it(gateway, world):
    first = county1_warning(world).recipients.get()
    second = county2_warning(world).recipients.get()
    assert gateway({"type": "reply", "from": first.phone, "text": second.reply_code}).json() == {"acknowledged": False}
    assert Recipient.objects.get(pk=second.pk).status == RecipientStatus.PENDING
    assert gateway({"type": "replies", "items": [[first.phone, first.reply_code]]}).json() == {"acknowledged": 1}
    assert Recipient.objects.get(pk=second.pk).status == RecipientStatus.PENDING
    assert StateChange.objects.filter(subject_type__model="recipient", subject_id=str(first.pk),
                                      action="acknowledge").count() == 1


def test_a_voice_key_on_a_superior_call_acknowledges_nobody(gateway, world):
    recipient = county1_warning(world).recipients.get()
    call = Delivery.objects.create(warning=recipient.warning, recipient=recipient, region=recipient.region,
                                   channel=Channel.VOICE, to_superior=True, to_address="13800009999", text="x",
                                   created_at=timezone.now())
    assert gateway({"type": "key", "id": call.pk, "key": "1"}).json() == {"acknowledged": False}
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING


def test_an_expired_or_superseded_warning_calls_nobody_again(world):
    recipient = county1_warning(world).recipients.get()
    Recipient.objects.filter(pk=recipient.pk).update(next_step_at=timezone.now() - timedelta(seconds=1))
    services.warning_expire(warning=recipient.warning)
    assert escalate_due() == 0
    assert not Delivery.objects.filter(recipient=recipient, channel=Channel.VOICE).exists()
    assert Recipient.objects.get(pk=recipient.pk).status == RecipientStatus.PENDING
