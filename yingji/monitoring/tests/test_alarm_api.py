"""The alarm API: scoped lists and details, and the closed loop through `transition`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.models import Attachment, StateChange
from yingji.core.testing import ScopedModelAPITests, add_enterprise_user
from yingji.monitoring.models import Alarm, AlarmStatus
from yingji.monitoring.tests.test_alarm_loop import PNG, raise_alarm

pytestmark = pytest.mark.django_db
API = "/api/monitoring/alarms/"


class TestAlarmAPI(ScopedModelAPITests):
    model = Alarm
    api_url = API
    actor = "county1_admin"
    outsider = "county2_admin"
    writable = False

    def make_in_scope(self, world):
        return raise_alarm(world.village1)

    def make_out_of_scope(self, world):
        return raise_alarm(world.village2)

    def test_the_loop_runs_to_closed_through_the_api(self, world):
        alarm = raise_alarm(world.village1, recovered=True)
        api = self.api(world, self.actor)
        url = f"{API}{alarm.pk}/transition/"
        assert api.post(url, {"action": "acknowledge"}, format="json").json()["status"] == AlarmStatus.ACKNOWLEDGED
        photo = SimpleUploadedFile("scene.png", PNG, content_type="image/png")
        response = api.post(url, {"action": "dispose", "measures": "关闭进料阀，降液位", "photos": [photo]},
                            format="multipart")
        assert response.status_code == 200, response.content.decode()
        assert response.json()["status"] == AlarmStatus.DISPOSING and "关闭进料阀" in response.json()["measures"]
        assert Attachment.objects.filter(owner_id=str(alarm.pk), owner_type__model="alarm").count() == 1
        response = api.post(url, {"action": "close", "reason": "复核正常"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == AlarmStatus.CLOSED
        moves = StateChange.objects.filter(subject_id=str(alarm.pk)).order_by("at", "pk")
        assert [(m.action, m.actor_id) for m in moves] == [
            ("acknowledge", world.county1_admin.pk), ("dispose", world.county1_admin.pk),
            ("close", world.county1_admin.pk)]

    def test_refused_moves_say_why_and_change_nothing(self, world):
        alarm = raise_alarm(world.village1)  # still out of limits
        api = self.api(world, self.actor)
        url = f"{API}{alarm.pk}/transition/"
        response = api.post(url, {"action": "close"}, format="json")
        assert response.status_code == 400 and "不能" in response.content.decode()
        api.post(url, {"action": "acknowledge"}, format="json")
        response = api.post(url, {"action": "dispose", "measures": ""}, format="json")
        assert response.status_code == 400
        api.post(url, {"action": "dispose", "measures": "已降压"}, format="json")
        response = api.post(url, {"action": "close"}, format="json")
        assert response.status_code == 400 and "尚未恢复正常" in response.content.decode()
        assert api.post(url, {"action": "explode"}, format="json").status_code == 400
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.DISPOSING

    def test_a_viewer_may_read_but_not_act(self, world):
        alarm = raise_alarm(world.village1)
        api = self.api(world, "county1_officer")
        assert api.get(f"{API}{alarm.pk}/").status_code == 200
        assert api.post(f"{API}{alarm.pk}/transition/", {"action": "acknowledge"}, format="json").status_code == 403
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.UNACKNOWLEDGED

    def test_an_outsider_cannot_act(self, world):
        alarm = raise_alarm(world.village1)
        response = self.api(world, self.outsider).post(f"{API}{alarm.pk}/transition/", {"action": "acknowledge"},
                                                       format="json")
        assert response.status_code == 404
        assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.UNACKNOWLEDGED

    def test_an_enterprise_sees_and_handles_only_its_own_alarms(self, world):
        mine, neighbour = raise_alarm(world.village1), raise_alarm(world.village1)
        add_enterprise_user(world, "duty_officer", mine.enterprise)
        api = self.api(world, "duty_officer")
        assert [row["id"] for row in api.get(API).json()["results"]] == [mine.pk]
        assert api.get(f"{API}{neighbour.pk}/").status_code == 404
        assert api.post(f"{API}{neighbour.pk}/transition/", {"action": "acknowledge"}, format="json").status_code == 404
        response = api.post(f"{API}{mine.pk}/transition/", {"action": "acknowledge"}, format="json")
        assert response.status_code == 200 and response.json()["status"] == AlarmStatus.ACKNOWLEDGED

    def test_filters(self, world):
        closed_alarm = raise_alarm(world.village1, recovered=True)
        api = self.api(world, self.actor)
        for action, extra in (("acknowledge", {}), ("dispose", {"measures": "已处置"}), ("close", {})):
            api.post(f"{API}{closed_alarm.pk}/transition/", {"action": action, **extra}, format="json")
        open_alarm = raise_alarm(world.village1)
        ids = [row["id"] for row in api.get(API, {"open": "true"}).json()["results"]]
        assert open_alarm.pk in ids and closed_alarm.pk not in ids
        ids = [row["id"] for row in api.get(API, {"status": "closed"}).json()["results"]]
        assert ids == [closed_alarm.pk]
