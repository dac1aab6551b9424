import json
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.utils import timezone

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.warnings import cap, services
from yingji.warnings.models import ResponsiblePerson, UpstreamMessage, Warning, WarningStatus
from yingji.warnings.testing import add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db
MESSAGES = Path(__file__).parent / "messages"


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class WarningDeclarations:
    model = Warning
    url_namespace = "warnings"
    api_url = "/api/warnings/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return make_warning(world, region=world.county1, headline="甲区暴雨红色预警")

    def make_out_of_scope(self, world):
        return make_warning(world, region=world.county2, headline="乙区大风蓝色预警", level="blue")

    def valid_form_data(self, world, region=None):
        now = timezone.now()
        region = region or world.county1
        township = next(r for r in world.regions.values() if r.code.startswith(region.prefix) and r.level == "township")
        return {"region": region.pk, "kind": "weather", "event_type": "11B03", "level": "orange",
                "headline": "新拟暴雨橙色预警", "description": "强降雨", "instructions": "注意防范",
                "area_regions": [township.pk], "area_polygon": "", "onset": local(now),
                "expires": local(now + timedelta(hours=6)), "source": "市气象台",
                "escalation": '[{"after_minutes": 10, "step": "voice"}, {"after_minutes": 20, "step": "superior"}]'}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["expires"] = local(timezone.now() - timedelta(hours=3))
        return data, "失效时间应晚于开始时间"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data.update(onset=timezone.now().isoformat(), expires=(timezone.now() + timedelta(hours=6)).isoformat(),
                    escalation=json.loads(data["escalation"]), area_polygon=None)
        return data

    def invalid_api_data(self, world):
        data = self.valid_api_data(world)
        data["expires"] = (timezone.now() - timedelta(hours=3)).isoformat()
        return data, "失效时间应晚于开始时间"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestWarningPages(WarningDeclarations, ScopedModelViewTests):
    def test_a_published_warning_shows_its_cap_links_and_cannot_be_edited(self, client, world):
        warning = publish(world, self.make_in_scope(world))
        client.force_login(world.county1_admin)
        page = client.get(self.url("detail", warning.pk)).content.decode()
        assert "CAP 1.2" in page and warning.identifier in page
        assert client.get(f"/warnings/{warning.pk}/cap.xml").content.decode() == warning.cap_xml
        response = client.get(f"/warnings/{warning.pk}/national.xml")
        assert cap.national_filename(cap.parse(warning.national_xml.encode())) in response["Content-Disposition"]
        response = client.post(self.url("edit", warning.pk), self.valid_form_data(world))
        assert response.status_code == 400 and "只有草稿可以修改" in response.content.decode()

    def test_the_officer_submits_and_the_signer_publishes_from_the_detail_page(self, client, world):
        add_warning_staff(world)
        warning = make_warning(world, actor=world.county1_duty)
        client.force_login(world.county1_duty)
        page = client.get(self.url("detail", warning.pk)).content.decode()
        assert "送审" in page and "签发发布" not in page
        client.post(f"/warnings/{warning.pk}/transition/", {"action": "submit"})
        client.force_login(world.county1_signer)
        assert "签发发布" in client.get(self.url("detail", warning.pk)).content.decode()
        client.post(f"/warnings/{warning.pk}/transition/", {"action": "approve"})
        warning.refresh_from_db()
        assert warning.status == WarningStatus.PUBLISHED and warning.approved_by == world.county1_signer

    def test_a_refused_move_shows_its_reason(self, client, world):
        add_warning_staff(world)
        warning = make_warning(world, actor=world.county1_duty)
        client.force_login(world.county1_duty)
        response = client.post(f"/warnings/{warning.pk}/transition/", {"action": "approve"}, follow=True)
        assert "不能执行" in response.content.decode()

    def test_a_leader_may_view_but_not_draft(self, client, world):
        add_warning_staff(world)
        client.force_login(world.county1_signer)
        assert client.get(self.url("list")).status_code == 200
        assert client.get(self.url("create")).status_code == 403

    def test_following_a_published_warning_opens_a_draft_that_references_it(self, client, world):
        warning = publish(world, self.make_in_scope(world))
        client.force_login(world.county1_admin)
        response = client.post(f"/warnings/{warning.pk}/follow/", {"msg_type": "Update"})
        follower = Warning.objects.get(previous=warning)
        assert response["Location"] == self.url("edit", follower.pk)
        assert follower.msg_type == "Update" and follower.status == WarningStatus.DRAFT

    def test_a_bad_escalation_timetable_is_refused_in_chinese(self, client, world):
        client.force_login(world.county1_admin)
        data = self.valid_form_data(world)
        data["escalation"] = '[{"after_minutes": 10, "step": "fax"}]'
        response = client.post(self.url("create"), data)
        assert response.status_code == 400 and "届时执行的动作（step）应为" in response.content.decode()


class TestWarningAPI(WarningDeclarations, ScopedModelAPITests):
    def test_a_warning_is_submitted_and_signed_through_the_api(self, world):
        add_warning_staff(world)
        warning = make_warning(world, actor=world.county1_duty)
        response = self.api(world, "county1_duty").post(f"{self.api_url}{warning.pk}/transition/",
                                                         {"action": "submit"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == "review"
        response = self.api(world, "county1_duty").post(f"{self.api_url}{warning.pk}/transition/",
                                                         {"action": "approve"}, format="json")
        assert response.status_code == 400 and "无权" in response.content.decode()
        response = self.api(world, "county1_signer").post(f"{self.api_url}{warning.pk}/transition/",
                                                           {"action": "approve"}, format="json")
        assert response.status_code == 200 and response.json()["identifier"]


    def test_the_platforms_own_moves_are_not_offered_through_the_api(self, world):
        warning = publish(world, self.make_in_scope(world))
        client = self.api(world, self.actor)
        for action in ("expire", "cancel", "supersede", "explode"):
            response = client.post(f"{self.api_url}{warning.pk}/transition/", {"action": action}, format="json")
            assert response.status_code == 400 and "未知的操作" in response.content.decode(), action
        warning.refresh_from_db()
        assert warning.status == WarningStatus.PUBLISHED


class PersonDeclarations:
    model = ResponsiblePerson
    url_namespace = "warnings"
    api_url = "/api/responsible-persons/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return services.person_create(actor=None, region=world.village1, role="village_cadre", name="甲村干部",
                                      phone="13900000001")

    def make_out_of_scope(self, world):
        return services.person_create(actor=None, region=world.village2, role="grid_member", name="乙村网格员",
                                      phone="13900000002")

    def valid_form_data(self, world, region=None):
        return {"region": (region or world.village1).pk, "grid": "一网格", "role": "guarantor", "name": "新责任人",
                "phone": "13700000009", "position": "包村干部", "superior": "", "organization": "", "active": "on"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "phone": "12345"}, "请输入11位手机号码"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data.update(active=True, superior=None, organization=None)
        return data

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "phone": "12345"}, "请输入11位手机号码"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestPersonPages(PersonDeclarations, ScopedModelViewTests):
    def test_a_person_cannot_be_their_own_superior_in_a_loop(self, world):
        from django.core.exceptions import ValidationError

        first = self.make_in_scope(world)
        second = services.person_create(actor=None, region=world.village1, role="guarantor", name="包保",
                                        phone="13900000003", superior=first)
        with pytest.raises(ValidationError, match="循环"):
            services.person_update(person=first, actor=world.county1_admin, superior=second)

    def test_a_county_is_not_a_responsibility_region(self, client, world):
        client.force_login(world.county1_admin)
        response = client.post(self.url("create"), {**self.valid_form_data(world), "region": world.county1.pk})
        assert response.status_code == 400


class TestPersonAPI(PersonDeclarations, ScopedModelAPITests):
    pass


class UpstreamDeclarations:
    model = UpstreamMessage
    url_namespace = "warnings"
    api_url = "/api/upstream-warnings/"
    actor = "county1_admin"
    outsider = "county2_admin"
    has_create = False
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        return services.upstream_import(actor=None, data=(MESSAGES / "met_rainstorm_alert.xml").read_bytes(),
                                        region=world.county1)

    def make_out_of_scope(self, world):
        return services.upstream_import(actor=None, data=(MESSAGES / "national_typhoon_blue.xml").read_bytes(),
                                        region=world.county2)


class TestUpstreamPages(UpstreamDeclarations, ScopedModelViewTests):
    pass


class TestUpstreamAPI(UpstreamDeclarations, ScopedModelAPITests):
    pass


def test_the_public_page_and_feeds_need_no_login_and_show_only_current_published_warnings(client, world):
    current = publish(world, make_warning(world, headline="公众可见的暴雨红色预警"))
    make_warning(world, headline="尚未签发的草稿")
    page = client.get("/warnings/public/").content.decode()
    assert "公众可见的暴雨红色预警" in page and "尚未签发的草稿" not in page
    atom = client.get("/warnings/public/atom.xml")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    assert "公众可见的暴雨红色预警" in atom.content.decode() and "尚未签发的草稿" not in atom.content.decode()
    cap_feed = client.get("/warnings/public/cap.xml").content.decode()
    assert f"/warnings/public/cap/{current.identifier}.xml" in cap_feed and "application/cap+xml" in cap_feed
    document = client.get(f"/warnings/public/cap/{current.identifier}.xml")
    assert document.status_code == 200
    cap.validate_cap(document.content)


@pytest.mark.parametrize("path", ["/warnings/public/atom.xml", "/warnings/public/cap.xml"])
def test_the_atom_feeds_are_valid_rfc_4287_with_authors_iri_ids_and_absolute_links(client, world, path):
    current = publish(world, make_warning(world, headline="公众可见的暴雨红色预警"))
    parsed = feedparser.parse(client.get(path).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.author and parsed.feed.id.startswith("http://testserver/")
    (entry,) = parsed.entries
    document = f"http://testserver/warnings/public/cap/{current.identifier}.xml"
    assert entry.id == document and entry.link == document
    assert entry.author == "甲区应急管理局"
    for link in entry.links:
        assert link.href.startswith("http://testserver/"), link
    if path.endswith("cap.xml"):
        (enclosure,) = entry.enclosures
        assert enclosure.href == document and enclosure.type == "application/cap+xml"
    assert entry.published_parsed and entry.updated_parsed


def test_an_expired_warning_leaves_the_public_page(client, world):
    warning = publish(world, make_warning(world, headline="已过期的预警"))
    services.warning_expire(warning=warning)
    assert "已过期的预警" not in client.get("/warnings/public/").content.decode()


def test_a_draft_has_no_public_document(client, world):
    draft = make_warning(world)
    assert client.get(f"/warnings/public/cap/{draft.pk}.xml").status_code == 404
