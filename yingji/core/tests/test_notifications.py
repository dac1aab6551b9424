import pytest

from yingji.core.models import Notification
from yingji.core.notifications import notification_mark_read, notify

pytestmark = pytest.mark.django_db


def test_one_notification_per_active_recipient(world):
    world.county2_officer.is_active = False
    notify(recipients=[world.county1_officer, world.county1_officer, world.county2_officer], kind="测试", title="标题")
    assert Notification.objects.count() == 1


def test_people_see_only_their_own_notifications(client, world):
    notify(recipients=[world.county1_officer], kind="测试", title="给甲区的通知")
    notify(recipients=[world.county2_officer], kind="测试", title="给乙区的通知")
    client.force_login(world.county1_officer)
    page = client.get("/notifications/").content.decode()
    assert "给甲区的通知" in page and "给乙区的通知" not in page
    assert 'data-testid="notifications">通知<span class="badge bg-danger ms-1">1<' in page


def test_marking_read_touches_only_your_own(client, world):
    mine = notify(recipients=[world.county1_officer], kind="测试", title="我的")[0]
    theirs = notify(recipients=[world.county2_officer], kind="测试", title="别人的")[0]
    client.force_login(world.county1_officer)
    client.post("/notifications/read/", {"id": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert notification_mark_read(user=world.county2_officer) == 1
