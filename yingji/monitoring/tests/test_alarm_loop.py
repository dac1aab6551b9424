"""The alarm loop 未确认 → 已确认 → 处置中 → 已消警, tested from its own table, plus its pages and jurisdiction."""

import itertools

import orjson
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core import roles
from yingji.core.models import Attachment, Notification, StateChange
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, ScopedModelViewTests, add_enterprise_user
from yingji.core.workflow import InvalidTransition
from yingji.monitoring import services
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import Alarm, AlarmEvent, AlarmStatus
from yingji.monitoring.states import WORKFLOW
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db
T0 = 1_790_000_000_000
ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
       b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00"
       b"\x00IEND\xaeB`\x82")


def raise_alarm(region, *, recovered: bool = False, name: str = "液位报警点") -> Alarm:
    source = make_source(region)
    point = make_point(source, name=name)
    gateway = services.gateway_create(actor=None, enterprise=source.enterprise, code=f"GW-{point.pk}", name="网关")
    values = [[point.tag, T0, 17.0]] + ([[point.tag, T0 + 1000, 10.0]] if recovered else [])
    services.readings_ingest(gateway_id=gateway.pk, enterprise_id=source.enterprise_id,
                             body=orjson.dumps({"readings": values}), points=PointTable(), now=T0 + 2000)
    return Alarm.objects.get(point=point)


def put_in_state(alarm: Alarm, state: str, actor) -> Alarm:
    path = {"unacknowledged": [], "acknowledged": ["acknowledge"], "disposing": ["acknowledge", "dispose"]}
    for action in path.get(state, []):
        if action == "acknowledge":
            alarm = services.alarm_acknowledge(alarm=alarm, actor=actor)
        else:
            alarm = services.alarm_dispose(alarm=alarm, actor=actor, measures="关闭进料阀，降液位")
    if state == "closed":
        alarm = put_in_state(alarm, "disposing", actor)
        alarm = services.alarm_close(alarm=alarm, actor=actor)
    return alarm


def act(alarm, action, actor):
    if action == "acknowledge":
        return services.alarm_acknowledge(alarm=alarm, actor=actor)
    if action == "dispose":
        return services.alarm_dispose(alarm=alarm, actor=actor, measures="现场排查，已处置")
    return services.alarm_close(alarm=alarm, actor=actor)


@pytest.mark.parametrize(("state", "action"), list(itertools.product(AlarmStatus.values, ACTIONS)))
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    alarm = put_in_state(raise_alarm(world.village1, recovered=True), state, world.county1_admin)
    before = StateChange.objects.count()
    if (state, action) in ALLOWED:
        changed = act(alarm, action, world.county1_admin)
        assert changed.status == ALLOWED[(state, action)]
        assert StateChange.objects.count() == before + 1
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            act(alarm, action, world.county1_admin)
        assert Alarm.objects.get(pk=alarm.pk).status == state
        assert StateChange.objects.count() == before


def test_an_alarm_still_out_of_limits_cannot_be_closed(world):
    alarm = put_in_state(raise_alarm(world.village1, recovered=False), "disposing", world.county1_admin)
    with pytest.raises(InvalidTransition, match="尚未恢复正常"):
        services.alarm_close(alarm=alarm, actor=world.county1_admin)


def test_a_recovered_alarm_still_needs_its_disposal(world):
    alarm = raise_alarm(world.village1, recovered=True)
    assert alarm.recovered_at is not None and alarm.status == AlarmStatus.UNACKNOWLEDGED
    alarm = services.alarm_acknowledge(alarm=alarm, actor=world.county1_admin)
    with pytest.raises(InvalidTransition, match="不能执行"):
        services.alarm_close(alarm=alarm, actor=world.county1_admin)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.alarm_dispose(alarm=alarm, actor=world.county1_admin, measures="  ")


def test_disposal_keeps_measures_and_photos(world):
    alarm = put_in_state(raise_alarm(world.village1, recovered=True), "acknowledged", world.county1_admin)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    alarm = services.alarm_dispose(alarm=alarm, actor=world.county1_admin, measures="关闭进料阀", photos=[photo])
    alarm = services.alarm_dispose(alarm=alarm, actor=world.county1_admin, measures="液位已降至12米")
    assert "关闭进料阀" in alarm.measures and "液位已降至12米" in alarm.measures
    assert Attachment.objects.filter(owner_id=str(alarm.pk)).count() == 1


def test_the_enterprise_handles_its_own_alarm_but_not_its_neighbours(world):
    alarm = raise_alarm(world.village1)
    neighbour = raise_alarm(world.village1)
    manager = add_enterprise_user(world, "duty", alarm.enterprise)
    services.alarm_acknowledge(alarm=alarm, actor=manager)
    with pytest.raises(PermissionDenied):
        services.alarm_acknowledge(alarm=neighbour, actor=manager)


def test_a_viewer_cannot_act_on_an_alarm(world):
    alarm = raise_alarm(world.village1)
    with pytest.raises(InvalidTransition, match="无权"):
        services.alarm_acknowledge(alarm=alarm, actor=world.county1_officer)


class TestAlarmPages(ScopedModelViewTests):
    model = Alarm
    url_namespace = "monitoring"
    actor = "county1_admin"
    outsider = "county2_admin"
    has_create = False
    has_edit = False

    def make_in_scope(self, world):
        return raise_alarm(world.village1)

    def make_out_of_scope(self, world):
        return raise_alarm(world.village2)

    def test_history_shows_on_the_detail_page(self, client, world):
        obj = self.make_in_scope(world)
        self.login(client, world, self.actor)
        content = client.get(self.url("detail", obj.pk)).content.decode()
        assert "变更记录" in content and "报警产生" in content

    def test_the_loop_runs_from_the_page(self, client, world):
        alarm = raise_alarm(world.village1, recovered=True)
        client.force_login(world.county1_admin)
        url = f"/monitoring/alarms/{alarm.pk}/transition/"
        client.post(url, {"action": "acknowledge"})
        client.post(url, {"action": "dispose", "measures": "已关闭进料阀"})
        client.post(url, {"action": "close", "reason": "复核正常"})
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.CLOSED

    def test_a_disposal_from_the_page_takes_its_measures_and_a_photo(self, client, world):
        alarm = put_in_state(raise_alarm(world.village1), "acknowledged", world.county1_admin)
        client.force_login(world.county1_admin)
        page = client.get(self.url("detail", alarm.pk)).content.decode()
        assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
        url = f"/monitoring/alarms/{alarm.pk}/transition/"
        client.post(url, {"action": "dispose", "measures": ""})
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.ACKNOWLEDGED
        photo = SimpleUploadedFile("scene.png", PNG, content_type="image/png")
        client.post(url, {"action": "dispose", "measures": "关闭进料阀", "photos": photo})
        alarm = Alarm.objects.get(pk=alarm.pk)
        assert alarm.status == AlarmStatus.DISPOSING and "关闭进料阀" in alarm.measures
        assert Attachment.objects.filter(owner_id=str(alarm.pk), owner_type__model="alarm").count() == 1

    def test_an_outsider_cannot_act(self, client, world):
        alarm = raise_alarm(world.village1)
        client.force_login(world.county2_admin)
        assert client.post(f"/monitoring/alarms/{alarm.pk}/transition/", {"action": "acknowledge"}).status_code == 404
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.UNACKNOWLEDGED

    def test_open_filter(self, client, world):
        closed = put_in_state(raise_alarm(world.village1, recovered=True), "closed", world.county1_admin)
        open_alarm = raise_alarm(world.village1)
        client.force_login(world.county1_admin)
        content = client.get(self.url("list") + "?open=true").content.decode()
        assert open_alarm.code in content and closed.code not in content


def test_a_step_that_reaches_nobody_is_flagged_and_goes_to_the_duty_room(world):
    duty = {county: user_create(actor=None, username=f"{county.code}_duty", password=PASSWORD, real_name="值班员",
                                roles=[roles.DUTY_OFFICER], scope_region=county)
            for county in (world.county1, world.county2)}
    # The enterprise of a fresh source has no account: step 0 (企业值班人员) reaches nobody.
    alarm = raise_alarm(world.village1)
    raised = AlarmEvent.objects.get(alarm=alarm, kind=AlarmEvent.Kind.RAISED)
    assert raised.note.startswith("升级通知无人可达：未找到企业值班人员，已转值班室")
    notice = Notification.objects.filter(recipient=duty[world.county1]).latest("pk")
    assert "无人可达" in notice.title and alarm.code in notice.body
    assert not Notification.objects.filter(recipient=duty[world.county2], title__contains="无人可达").exists()
