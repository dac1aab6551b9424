"""The HTTP batch endpoint: gateway tokens, per-reading reasons, duplicates, late readings, latest values."""

from datetime import datetime
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.db import connection
from rest_framework.test import APIClient

from yingji.monitoring import ingest, services
from yingji.monitoring.models import Gateway, LatestReading, MonitoringPoint, Reading
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db
URL = "/api/monitoring/readings/"


@pytest.fixture
def plant(world):
    source = make_source(world.village1)
    level = make_point(source, tag="LT-101", range_low=0.0, range_high=20.0)
    pressure = make_point(source, tag="PT-201", kind="pressure", unit="MPa", range_low=0.0, range_high=2.5,
                          low_low=None, low=None, high=1.6, high_high=2.0, deadband=0.05)
    gateway = services.gateway_create(actor=None, enterprise=source.enterprise, code="GW-001", name="1号网关")
    return {"source": source, "level": level, "pressure": pressure, "gateway": gateway}


def post(gateway_or_token, message):
    client = APIClient()
    token = gateway_or_token if isinstance(gateway_or_token, str) else gateway_or_token.token
    body = message if isinstance(message, bytes) else orjson.dumps(message)
    return client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Gateway {token}")


def test_good_readings_are_stored_and_the_latest_value_kept(plant):
    now = ingest.now_ms()
    response = post(plant["gateway"], {"gateway": "GW-001", "readings": [
        {"tag": "LT-101", "ts": now - 2000, "v": 10.5},
        ["LT-101", now - 1000, 11.0],
        {"tag": "PT-201", "ts": now - 1000, "v": 0.8},
    ]})
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 3, "accepted": 3, "duplicates": 0, "rejected_count": 0, "rejected": []}
    assert Reading.objects.count() == 3
    latest = LatestReading.objects.get(point=plant["level"])
    assert (latest.ts, latest.value) == (now - 1000, 11.0)
    assert Gateway.objects.get(pk=plant["gateway"].pk).last_seen_at is not None


def test_each_bad_reading_is_reported_with_its_reason_and_the_good_ones_kept(plant, world):
    other = make_point(make_source(world.village1), tag="XX-1")  # another enterprise's point
    now = ingest.now_ms()
    response = post(plant["gateway"], {"readings": [
        {"tag": "LT-101", "ts": now, "v": 5},
        {"tag": "NO-SUCH", "ts": now, "v": 1},
        {"tag": "LT-101", "ts": now - 5, "v": "abc"},
        {"tag": "LT-101", "ts": now - 6, "v": 25},
        {"tag": "LT-101", "ts": now + 3_600_000, "v": 5},
        {"tag": other.tag, "ts": now, "v": 1},
        {"tag": "LT-101", "ts": "yesterday", "v": 5},
        "garbage",
        {"tag": "PT-201", "ts": "2026-01-01T08:00:00+08:00", "v": 1.2},
    ]})
    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["accepted"], body["rejected_count"]) == (9, 2, 7)
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert "未知监测点" in reasons[1]
    assert "不是有效数字" in reasons[2]
    assert "超出量程" in reasons[3]
    assert "超前" in reasons[4]
    assert "未知监测点" in reasons[5]  # a gateway cannot write another enterprise's point
    assert "时间戳无效" in reasons[6]
    assert "格式错误" in reasons[7]
    assert Reading.objects.count() == 2
    assert not Reading.objects.filter(point=other).exists()


def test_duplicates_are_ignored_and_late_readings_accepted(plant):
    now = ingest.now_ms()
    post(plant["gateway"], {"readings": [["LT-101", now, 8.0]]})
    response = post(plant["gateway"], {"readings": [["LT-101", now, 8.0], ["LT-101", now - 60_000, 7.0],
                                                    ["LT-101", now - 60_000, 7.0]]})
    # One already stored, one repeated within the message: every reading is accounted for.
    assert (response.json()["received"], response.json()["accepted"], response.json()["duplicates"]) == (3, 1, 2)
    assert sorted(Reading.objects.values_list("ts", "value")) == [(now - 60_000, 7.0), (now, 8.0)]
    # The late reading is history; the live value stays the newest.
    assert LatestReading.objects.get(point=plant["level"]).value == 8.0


def test_a_message_that_is_not_json_is_400_in_chinese(plant):
    response = post(plant["gateway"], b"{not json")
    assert response.status_code == 400
    assert "不是有效的 JSON" in response.json()["error"]
    response = post(plant["gateway"], {"gateway": "GW-OTHER", "readings": []})
    assert response.status_code == 400
    assert "不一致" in response.json()["error"]


def test_a_bad_or_missing_token_is_401(plant):
    assert post("wrong-token", {"readings": []}).status_code == 401
    assert APIClient().post(URL, b"{}", content_type="application/json").status_code == 401


def test_a_user_token_cannot_post_readings(plant, world):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.city_admin).key}")
    assert client.post(URL, b'{"readings": []}', content_type="application/json").status_code == 401
    assert not Reading.objects.exists()


def test_a_rotated_or_deactivated_gateway_token_stops_working(plant):
    gateway = plant["gateway"]
    new_token = services.gateway_rotate_token(gateway=gateway, actor=None)
    assert post(gateway.token, {"readings": []}).status_code == 401
    assert post(new_token, {"readings": []}).status_code == 200
    services.gateway_update(gateway=Gateway.objects.get(pk=gateway.pk), actor=None, is_active=False)
    assert post(new_token, {"readings": []}).status_code == 401


def test_retention_deletes_old_history_only(plant):
    now = ingest.now_ms()
    post(plant["gateway"], {"readings": [["LT-101", now - 40 * 86_400_000, 3.0], ["LT-101", now, 4.0]]})
    assert services.readings_purge(older_than_days=30) == 1
    assert list(Reading.objects.values_list("value", flat=True)) == [4.0]


def test_the_column_wise_path_answers_like_the_reading_by_reading_one(plant):
    now = ingest.now_ms()
    readings = [["LT-101", now - 3000, 5.0], ["NO-SUCH", now, 1.0], ["LT-101", now - 2000, 25.0],
                ["PT-201", now + 900_000, 1.0], ["", now, 1.0],
                ["PT-201", -5, 1.0], ["LT-101", now - 3000, 5.0], ["PT-201", now - 1000, 1.7]]
    table = ingest.PointTable()
    enterprise = plant["gateway"].enterprise_id
    assert ingest._parse_columns(readings, enterprise_id=enterprise, points=table, now=now) is not None
    columns = ingest.parse(orjson.dumps({"readings": readings}), enterprise_id=enterprise, points=table, now=now)
    as_objects = [{"tag": t, "ts": ts, "v": v} for t, ts, v in readings]
    one_by_one = ingest.parse(orjson.dumps({"readings": as_objects}), enterprise_id=enterprise, points=table, now=now)
    assert [(r.index, r.tag, r.reason) for r in columns.rejected] == [
        (r.index, r.tag, r.reason) for r in one_by_one.rejected]
    assert [r.index for r in columns.rejected] == [1, 2, 3, 4, 5]
    assert columns.readings.rows() == one_by_one.readings.rows() == [
        (plant["level"].pk, now - 3000, 5.0), (plant["level"].pk, now - 3000, 5.0),
        (plant["pressure"].pk, now - 1000, 1.7)]


def test_the_point_table_sees_every_change_and_reloads_only_then(plant):
    table = ingest.PointTable(max_age=0)
    enterprise = plant["gateway"].enterprise_id
    assert table.lookup(enterprise, "LT-101").high_high == 18.0
    loaded = table.version
    table.lookup(enterprise, "LT-101")
    # Nothing changed: on PostgreSQL the fingerprint spares the reload; SQLite reloads at every check.
    assert (table.version == loaded) == (connection.vendor == "postgresql")
    # Written around the services (which tell this process's tables themselves), as another process would.
    MonitoringPoint.objects.filter(pk=plant["level"].pk).update(high_high=19.0)
    assert table.lookup(enterprise, "LT-101").high_high == 19.0
    MonitoringPoint.objects.filter(pk=plant["pressure"].pk).update(is_active=False)
    assert table.lookup(enterprise, "PT-201") is None
    MonitoringPoint.objects.filter(pk=plant["pressure"].pk).update(is_active=True)
    assert table.lookup(enterprise, "PT-201") is not None
    MonitoringPoint.objects.filter(pk=plant["pressure"].pk).delete()
    assert table.lookup(enterprise, "PT-201") is None


def test_the_latest_values_api_gives_each_readable_point_its_newest_value_in_local_time(plant, world):
    elsewhere = make_point(make_source(world.village2), tag="LT-901")
    now = ingest.now_ms() // 1000 * 1000
    beijing = datetime.fromtimestamp(now / 1000, tz=ZoneInfo("Asia/Shanghai")).isoformat(timespec="milliseconds")
    for gateway, tag in ((plant["gateway"], "LT-101"),
                         (services.gateway_create(actor=None, enterprise=elsewhere.enterprise, code="GW-9",
                                                  name="9号网关"), "LT-901")):
        assert post(gateway, {"readings": [{"tag": tag, "ts": now, "v": 12.5}]}).status_code == 200
    api = APIClient()
    api.force_authenticate(world.county1_admin)
    rows = api.get("/api/monitoring/points/latest/", {"source": plant["source"].pk}).json()["results"]
    by_tag = {row["tag"]: row for row in rows}
    assert set(by_tag) == {"LT-101", "PT-201"}  # never the other county's point
    assert by_tag["LT-101"]["value"] == 12.5 and by_tag["LT-101"]["unit"] == "m"
    assert by_tag["LT-101"]["measured_at"] == beijing and beijing.endswith("+08:00")
    assert by_tag["PT-201"]["value"] is None  # not reported yet
    by_enterprise = api.get("/api/monitoring/points/latest/", {"enterprise": plant["source"].enterprise_id}).json()
    assert {row["tag"] for row in by_enterprise["results"]} == {"LT-101", "PT-201"}
    by_region = api.get("/api/monitoring/points/latest/", {"region": world.county1.code}).json()
    assert {row["tag"] for row in by_region["results"]} == {"LT-101", "PT-201"}
    one = api.get(f"/api/monitoring/points/{plant['level'].pk}/latest/").json()
    assert one["value"] == 12.5 and one["point"] == plant["level"].pk
    assert api.get(f"/api/monitoring/points/{elsewhere.pk}/latest/").status_code == 404
    picked = api.get("/api/monitoring/points/latest/", {"point": f"{plant['level'].pk},{elsewhere.pk}"}).json()
    assert [row["tag"] for row in picked["results"]] == ["LT-101"]
