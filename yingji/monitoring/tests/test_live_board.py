"""The board's event stream: alarm changes announced on commit, each only to the boards whose jurisdiction
holds the alarm."""

import time

import orjson
import pytest
from django.db import transaction

from yingji.core import live
from yingji.core.models import LiveEvent
from yingji.core.testing import add_enterprise_user, build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import ingest, services
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import AlarmKind
from yingji.monitoring.testing import add_monitor, make_point, make_source


@pytest.fixture(autouse=True)
def _database_backend(settings):
    settings.LIVE_BACKEND = "database"
    settings.LIVE_POLL_SECONDS = 0.05
    settings.LIVE_HEARTBEAT_SECONDS = 0.1
    live.shutdown()
    yield
    live.shutdown()


def plant(region, name):
    enterprise = EnterpriseFactory(region=region, name=name)
    point = make_point(make_source(region, enterprise=enterprise))
    gateway = services.gateway_create(actor=None, enterprise=enterprise, code=f"GW-{point.pk}", name="网关")
    return point, gateway


def send(point, gateway, value):
    now = ingest.now_ms()
    services.readings_ingest(gateway_id=gateway.pk, enterprise_id=point.enterprise_id, points=PointTable(),
                             body=orjson.dumps({"readings": [[point.tag, now - 500, value]]}), now=now)


def alarm_events(after: int = 0) -> list[tuple[str, int | None, dict]]:
    return list(LiveEvent.objects.filter(topic="monitoring.alarm", pk__gt=after).order_by("pk")
                .values_list("region_code", "enterprise_ref", "data"))


class Board:
    """A browser's EventSource on /monitoring/board/stream/, read through the test client."""

    def __init__(self, client, user) -> None:
        client.force_login(user)
        self.response = client.get("/monitoring/board/stream/")
        assert self.response.status_code == 200
        assert self.response["Content-Type"].startswith("text/event-stream")
        self.chunks = iter(self.response.streaming_content)
        next(self.chunks)
        next(self.chunks)  # a first heartbeat: the process is listening

    def alarm_ids(self, seconds: float, until: int | None = None) -> list[int]:
        ids = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chunk = next(self.chunks)
            if b"data: " in chunk:
                data = orjson.loads(chunk.split(b"data: ", 1)[1].split(b"\n", 1)[0])
                if "id" in data:
                    ids.append(data["id"])
                    if data["id"] == until:
                        break
        return ids

    def close(self) -> None:
        self.response.close()


@pytest.mark.django_db
def test_every_step_of_an_alarms_loop_is_announced_with_ids_and_jurisdiction_only(world):
    point, gateway = plant(world.village1, "甲区企业")
    monitor = add_monitor(world, "monitor1", world.county1)
    send(point, gateway, 16.4)
    alarm = point.alarms.get()
    services.alarm_acknowledge(alarm=alarm, actor=monitor)
    services.alarm_dispose(alarm=alarm, actor=monitor, measures="关阀")
    send(point, gateway, 10.0)
    services.alarm_close(alarm=alarm, actor=monitor)
    events = alarm_events()
    assert [data["action"] for _region, _enterprise, data in events] == [
        "raised", "acknowledged", "disposed", "recovered", "closed"]
    assert {(region, enterprise) for region, enterprise, _data in events} == {(alarm.region_id, alarm.enterprise_id)}
    assert all(set(data) == {"id", "action"} and data["id"] == alarm.pk for _r, _e, data in events)


@pytest.mark.django_db
def test_an_escalation_is_announced(world):
    point, gateway = plant(world.village1, "甲区企业")
    send(point, gateway, 16.4)
    alarm = point.alarms.get()
    last = LiveEvent.objects.latest("pk").pk
    from django.utils import timezone

    services.alarm_escalate(alarm=alarm, now=timezone.now())
    assert [data["action"] for _r, _e, data in alarm_events(last)] == ["escalated"]


@pytest.mark.django_db(transaction=True)
def test_a_county_board_hears_its_own_alarms_and_never_another_countys(client):
    world = build_world()
    mine, my_gateway = plant(world.village1, "甲区企业")
    theirs, their_gateway = plant(world.village2, "乙区企业")
    board = Board(client, world.county1_admin)
    try:
        send(theirs, their_gateway, 16.4)
        send(mine, my_gateway, 16.4)
        mine_alarm = mine.alarms.get()
        heard = board.alarm_ids(5, until=mine_alarm.pk)
        assert heard == [mine_alarm.pk]
        assert theirs.alarms.get().pk not in heard
    finally:
        board.close()


@pytest.mark.django_db(transaction=True)
def test_an_enterprise_board_never_hears_its_neighbours_alarms(client):
    world = build_world()
    mine, my_gateway = plant(world.village1, "本企业")
    neighbour, neighbour_gateway = plant(world.village1, "邻居企业")
    board = Board(client, add_enterprise_user(world, "duty", mine.enterprise))
    try:
        send(neighbour, neighbour_gateway, 16.4)
        send(mine, my_gateway, 16.4)
        mine_alarm = mine.alarms.get()
        assert board.alarm_ids(5, until=mine_alarm.pk) == [mine_alarm.pk]
        for point in (neighbour, mine):
            with transaction.atomic():  # as the engine calls it, inside the ingest transaction
                services.alarm_recover(kind=AlarmKind.HIGH, point_id=point.pk, at_ms=ingest.now_ms(), value=1.0)
        assert board.alarm_ids(5, until=mine_alarm.pk) == [mine_alarm.pk]
    finally:
        board.close()


@pytest.mark.django_db
def test_the_stream_needs_the_alarm_view_permission(client, world):
    client.force_login(world.county1_no_role)
    assert client.get("/monitoring/board/stream/").status_code == 403
    client.logout()
    assert client.get("/monitoring/board/stream/").status_code == 302
