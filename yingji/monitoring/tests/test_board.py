"""The live boards, the map colours and the trend series, all inside the viewer's jurisdiction."""

import orjson
import pytest

from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import ingest, services
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import Alarm
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db


def plant_with_reading(region, name, value, tag="LT-101"):
    enterprise = EnterpriseFactory(region=region, name=name, longitude=118.1, latitude=36.1)
    source = make_source(region, enterprise=enterprise, name=f"{name}罐区")
    point = make_point(source, tag=tag)
    gateway = services.gateway_create(actor=None, enterprise=enterprise, code=f"GW-{point.pk}", name="网关")
    now = ingest.now_ms()
    services.readings_ingest(gateway_id=gateway.pk, enterprise_id=enterprise.pk, points=PointTable(),
                             body=orjson.dumps({"readings": [[tag, now - 1000, value]]}), now=now)
    return point


def test_board_alarms_show_open_alarms_in_scope_only(client, world):
    plant_with_reading(world.village1, "甲区报警企业", 17.0)
    plant_with_reading(world.village2, "乙区报警企业", 19.5)
    client.force_login(world.county1_admin)
    content = client.get("/monitoring/board/alarms/").content.decode()
    assert "甲区报警企业" in content and "乙区报警企业" not in content
    assert "未确认 1" in content


def test_the_map_colours_enterprises_by_their_worst_open_alarm(client, world):
    plant_with_reading(world.village1, "高高报企业", 19.0)
    plant_with_reading(world.village1, "正常企业", 10.0)
    client.force_login(world.county1_admin)
    features = client.get("/monitoring/board/enterprises.geojson").json()["features"]
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["高高报企业"]["level"] == 1
    assert by_name["正常企业"]["level"] is None


def test_sources_show_current_values(client, world):
    point = plant_with_reading(world.village1, "实时值企业", 12.25)
    client.force_login(world.county1_admin)
    content = client.get("/monitoring/board/sources/").content.decode()
    assert f'{point.tag} <span class="value">12.25</span><span class="unit ms-1">m</span>' in content


def test_the_enterprise_board_shows_only_its_own(client, world):
    mine = plant_with_reading(world.village1, "本企业", 17.0)
    plant_with_reading(world.village1, "邻居企业", 17.0)
    client.force_login(add_enterprise_user(world, "duty", mine.enterprise))
    page = client.get("/monitoring/").content.decode()
    assert "企业监测看板" in page
    content = client.get("/monitoring/board/alarms/").content.decode()
    assert "本企业" in content and "邻居企业" not in content


def test_boards_need_a_role_and_a_login(client, world):
    assert client.get("/monitoring/").status_code == 302
    client.force_login(world.county1_no_role)
    for url in ("/monitoring/", "/monitoring/board/alarms/", "/monitoring/board/sources/",
                "/monitoring/board/enterprises.geojson"):
        assert client.get(url).status_code == 403, url


def test_trend_series_of_a_point_in_scope(client, world):
    point = plant_with_reading(world.village1, "趋势企业", 12.0)
    other = plant_with_reading(world.village2, "外县企业", 12.0)
    client.force_login(world.county1_admin)
    body = client.get(f"/monitoring/points/{point.pk}/trend/?period=1h").json()
    assert [v for _t, v in body["series"]] == [12.0]
    assert body["thresholds"] == {"low_low": 1.0, "low": 2.0, "high": 15.0, "high_high": 18.0}
    assert client.get(f"/monitoring/points/{other.pk}/trend/").status_code == 404
    assert Alarm.objects.count() == 0
