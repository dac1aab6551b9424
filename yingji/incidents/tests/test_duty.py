"""值班值守: rosters from a rotation, today's duty, the log with carried-over items, roll-call with response time."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yingji.core.models import Notification, Organization
from yingji.core.services import organization_create
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.incidents import duty
from yingji.incidents.models import DutyLog, DutyShift, RollCall
from yingji.incidents.testing import add_duty_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureaus(world):
    add_duty_people(world)
    world.city_bureau = organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    world.county1_bureau = organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)
    world.county2_bureau = organization_create(actor=None, name="乙区应急管理局", kind="bureau", region=world.county2)
    return world


def test_a_roster_is_generated_from_the_rotation_and_keeps_existing_days(bureaus):
    start = timezone.localdate()
    rotation = {"leader": ["钱局长 13900000001", "孙副局长"], "chief": ["李科长"], "officer": ["甲", "乙", "丙"],
                "driver": ["周师傅"]}
    created = duty.duty_roster_generate(organization=bureaus.county1_bureau, actor=bureaus.county1_duty,
                                        start=start, days=3, rotation=rotation)
    assert created == 3 * 5
    day2 = DutyShift.objects.filter(date=start + timedelta(days=1))
    assert set(day2.filter(position="officer").values_list("person_name", flat=True)) == {"甲", "丙"}
    assert day2.get(position="leader").person_name == "孙副局长"
    assert DutyShift.objects.get(date=start, position="leader").phone == "13900000001"
    assert duty.duty_roster_generate(organization=bureaus.county1_bureau, actor=None, start=start, days=3,
                                     rotation=rotation) == 0
    with pytest.raises(ValidationError):
        duty.duty_roster_generate(organization=bureaus.county1_bureau, actor=None, start=start, days=0,
                                  rotation=rotation)


def test_another_county_cannot_make_the_roster(bureaus):
    with pytest.raises(PermissionDenied):
        duty.duty_roster_generate(organization=bureaus.county1_bureau, actor=bureaus.county2_duty,
                                  start=timezone.localdate(), days=1, rotation={"chief": ["x"]})
    assert not DutyShift.objects.exists()


def test_todays_duty_is_the_users_own_bureau(bureaus, client):
    today = timezone.localdate()
    duty.duty_roster_generate(organization=bureaus.county1_bureau, actor=None, start=today, days=1,
                              rotation={"chief": ["李科长"]})
    duty.duty_roster_generate(organization=bureaus.county2_bureau, actor=None, start=today, days=1,
                              rotation={"chief": ["王科长"]})
    assert [s.person_name for s in duty.today_duty(bureaus.county1_duty)] == ["李科长"]
    assert duty.today_duty(bureaus.city_duty) == []
    client.force_login(bureaus.county1_duty)
    assert "李科长" in client.get(reverse("incidents:command_map")).content.decode()


def test_open_items_carry_over_at_handover(bureaus):
    first = duty.duty_log_create(actor=bureaus.county1_duty, organization=bureaus.county1_bureau,
                                 content="夜间平稳", open_items="跟进化工厂续报\n核实山体裂缝")
    duty.duty_handover(log=first, actor=bureaus.county1_duty, successor=bureaus.county1_admin)
    with pytest.raises(ValidationError, match="已交班"):
        duty.duty_log_update(obj=DutyLog.objects.get(pk=first.pk), actor=bureaus.county1_duty, content="改")
    second = duty.duty_log_create(actor=bureaus.county1_admin, organization=bureaus.county1_bureau,
                                  content="白班", open_items="核实山体裂缝\n检查物资库")
    assert second.open_items.splitlines() == ["跟进化工厂续报", "核实山体裂缝", "检查物资库"]


def test_a_rollcall_goes_down_and_its_response_time_is_recorded(bureaus, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call = duty.rollcall_send(actor=bureaus.city_duty, caller=bureaus.city_bureau, callee=bureaus.county1_bureau)
    assert Notification.objects.filter(recipient=bureaus.county1_duty, kind="值班点名").exists()
    with pytest.raises(ValidationError, match="只能对下级"):
        duty.rollcall_send(actor=bureaus.city_duty, caller=bureaus.county1_bureau, callee=bureaus.city_bureau)
    with pytest.raises(ValidationError, match="被点名单位"):
        duty.rollcall_answer(call=call, actor=bureaus.city_duty)
    RollCall.objects.filter(pk=call.pk).update(called_at=timezone.now() - timedelta(seconds=42))
    answered = duty.rollcall_answer(call=RollCall.objects.get(pk=call.pk), actor=bureaus.county1_duty)
    assert answered.response_seconds in (42, 43) and answered.answered_by == bureaus.county1_duty
    with pytest.raises(ValidationError, match="已应答"):
        duty.rollcall_answer(call=answered, actor=bureaus.county1_duty)


class ShiftDeclarations:
    model = DutyShift
    url_namespace = "incidents"
    actor = "county1_admin"

    def make_in_scope(self, world):
        org = organization_create(actor=None, name="甲区应急局", kind="bureau", region=world.county1)
        return duty.duty_shift_create(actor=None, organization=org, date=timezone.localdate(), position="chief",
                                      person_name="甲区值班长")

    def make_out_of_scope(self, world):
        org = organization_create(actor=None, name="乙区应急局", kind="bureau", region=world.county2)
        return duty.duty_shift_create(actor=None, organization=org, date=timezone.localdate(), position="chief",
                                      person_name="乙区值班长")

    def valid_form_data(self, world, region=None):
        org = organization_create(actor=None, name=f"{(region or world.county1).name}值班室", kind="bureau",
                                  region=region or world.county1)
        return {"organization": org.pk, "date": timezone.localdate().isoformat(), "position": "officer",
                "person_name": "新值班员", "phone": ""}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "position": "boss"}, "选择一个有效的选项"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestShiftPages(ShiftDeclarations, ScopedModelViewTests):
    pass


class LogDeclarations:
    model = DutyLog
    url_namespace = "incidents"
    actor = "county1_admin"

    def org(self, region):
        return Organization.objects.filter(region=region).first() or organization_create(
            actor=None, name=f"{region.name}应急局", kind="bureau", region=region)

    def make_in_scope(self, world):
        return duty.duty_log_create(actor=None, organization=self.org(world.county1), content="甲区平稳")

    def make_out_of_scope(self, world):
        return duty.duty_log_create(actor=None, organization=self.org(world.county2), content="乙区平稳")

    def valid_form_data(self, world, region=None):
        return {"organization": self.org(region or world.county1).pk, "date": timezone.localdate().isoformat(),
                "content": "新日志", "open_items": ""}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "content": ""}, "该字段是必填项"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.county2)


class TestLogPages(LogDeclarations, ScopedModelViewTests):
    def test_handover_from_the_page(self, client, world):
        log = self.make_in_scope(world)
        client.force_login(world.county1_admin)
        client.post(reverse("incidents:dutylog_handover", args=[log.pk]), {"successor": world.county1_officer.pk})
        assert DutyLog.objects.get(pk=log.pk).handed_over_to == world.county1_officer


def test_rollcall_pages_send_and_answer(bureaus, client):
    client.force_login(bureaus.city_duty)
    assert client.get(reverse("incidents:rollcall_send")).status_code == 200
    response = client.post(reverse("incidents:rollcall_send"), {"caller": bureaus.city_bureau.pk,
                                                                "callee": bureaus.county1_bureau.pk})
    call = RollCall.objects.get()
    assert response["Location"] == reverse("incidents:rollcall_detail", args=[call.pk])
    client.force_login(bureaus.county2_duty)
    assert client.get(reverse("incidents:rollcall_detail", args=[call.pk])).status_code == 404
    client.force_login(bureaus.county1_duty)
    assert "应答点名" in client.get(reverse("incidents:rollcall_detail", args=[call.pk])).content.decode()
    client.post(reverse("incidents:rollcall_answer", args=[call.pk]))
    assert RollCall.objects.get().response_seconds is not None


class ShiftAPIDeclarations(ShiftDeclarations):
    api_url = "/api/duty-shifts/"

    def valid_api_data(self, world, region=None):
        return self.valid_form_data(world, region)

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "position": "boss"}, "不是合法选项"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestShiftAPI(ShiftAPIDeclarations, ScopedModelAPITests):
    def test_today_lists_the_callers_own_bureau(self, world):
        self.make_in_scope(world)
        self.make_out_of_scope(world)
        rows = self.api(world, "county1_admin").get(f"{self.api_url}today/").json()
        assert [r["person_name"] for r in rows] == ["甲区值班长"]
        assert [r["person_name"] for r in self.api(world, "county2_admin").get(f"{self.api_url}today/").json()] \
            == ["乙区值班长"]

    def test_a_roster_is_generated_only_for_a_bureau_in_reach(self, world):
        mine = organization_create(actor=None, name="甲区值班室", kind="bureau", region=world.county1)
        theirs = organization_create(actor=None, name="乙区值班室", kind="bureau", region=world.county2)
        body = {"start": timezone.localdate().isoformat(), "days": 2, "rotation": {"chief": ["李科长", "王科长"]}}
        response = self.api(world, "county1_admin").post(f"{self.api_url}generate/",
                                                         {**body, "organization": mine.pk}, format="json")
        assert response.status_code == 201 and response.json() == {"created": 2}
        response = self.api(world, "county1_admin").post(f"{self.api_url}generate/",
                                                         {**body, "organization": theirs.pk}, format="json")
        assert response.status_code == 400 and "管辖范围" in response.content.decode()
        assert not DutyShift.objects.filter(organization=theirs).exists()


class LogAPIDeclarations(LogDeclarations):
    api_url = "/api/duty-logs/"

    def valid_api_data(self, world, region=None):
        return self.valid_form_data(world, region)

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "content": ""}, "不能为空"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.county2)


class TestLogAPI(LogAPIDeclarations, ScopedModelAPITests):
    def test_handover_through_the_api_stays_in_the_county(self, world):
        log = self.make_in_scope(world)
        theirs = self.make_out_of_scope(world)
        api = self.api(world, "county1_admin")
        assert api.post(f"{self.api_url}{theirs.pk}/handover/", {"successor": world.county1_officer.pk},
                        format="json").status_code == 404
        response = api.post(f"{self.api_url}{log.pk}/handover/", {"successor": world.county2_officer.pk},
                            format="json")
        assert response.status_code == 400
        response = api.post(f"{self.api_url}{log.pk}/handover/", {"successor": world.county1_officer.pk},
                            format="json")
        assert response.status_code == 200 and response.json()["handed_over_to"] == world.county1_officer.pk


class RollCallAPIDeclarations:
    model = RollCall
    api_url = "/api/roll-calls/"
    actor = "county1_duty"
    writable = False

    def make(self, world, region):
        add_duty_people(world)
        city = Organization.objects.filter(name="市局", region=world.city).first() or organization_create(
            actor=None, name="市局", kind="bureau", region=world.city)
        callee = organization_create(actor=None, name=f"{region.name}局", kind="bureau", region=region)
        return duty.rollcall_send(actor=None, caller=city, callee=callee)

    def make_in_scope(self, world):
        return self.make(world, world.county1)

    def make_out_of_scope(self, world):
        return self.make(world, world.county2)


class TestRollCallAPI(RollCallAPIDeclarations, ScopedModelAPITests):
    def test_the_called_room_answers_through_the_api(self, world):
        mine, theirs = self.make_in_scope(world), self.make_out_of_scope(world)
        api = self.api(world, "county1_duty")
        assert api.post(f"{self.api_url}{theirs.pk}/answer/").status_code == 404
        response = api.post(f"{self.api_url}{mine.pk}/answer/")
        assert response.status_code == 200 and response.json()["response_seconds"] is not None
