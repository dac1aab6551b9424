from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yingji.warnings import cap

MESSAGES = Path(__file__).parent / "messages"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def read(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def sample_alert(**overrides) -> cap.Alert:
    sent = datetime(2026, 7, 1, 8, 0, 0, tzinfo=SHANGHAI)
    code = cap.sender_code("390100")
    values = dict(
        identifier=cap.national_identifier(code, sent), sender="测试市应急管理局", sender_code=code, sent=sent,
        channels=["SMS", "PHONE"],
        infos=[cap.Info(
            event="暴雨", level="red", event_type="11B03", urgency="Immediate", certainty="Likely",
            headline="测试市应急管理局发布暴雨红色预警", description="3小时内降雨量将达100毫米以上。",
            instruction="停止集会，转移危险地带人员。", onset=sent, expires=datetime(2026, 7, 2, 8, tzinfo=SHANGHAI),
            sender_name="测试市应急管理局",
            areas=[cap.Area(desc="甲一街道", geocodes=[("统计用区划代码", "390102001000")],
                            polygons=["36.4,118.4 36.4,118.6 36.5,118.6 36.4,118.4"])],
        )],
    )
    values.update(overrides)
    return cap.Alert(**values)


@pytest.mark.parametrize("name", ["met_rainstorm_alert.xml", "geo_landslide_update.xml", "flood_cancel.xml"])
def test_hand_written_oasis_messages_validate_against_the_official_schema(name):
    cap.validate_cap(read(name))


def test_a_message_with_two_info_blocks_a_polygon_a_circle_and_geocodes_is_read_completely():
    alert = cap.parse(read("met_rainstorm_alert.xml"))
    assert (alert.format, alert.msg_type, len(alert.infos)) == ("cap", "Alert", 2)
    chinese, english = alert.infos
    assert (chinese.event, chinese.level, chinese.event_type) == ("暴雨", "orange", "11B03")
    assert chinese.onset == datetime(2026, 7, 1, 12, tzinfo=SHANGHAI)
    assert chinese.areas[0].geocodes == [("GB/T 2260", "390102"), ("GB/T 2260", "390103")]
    assert chinese.areas[0].polygons[0].startswith("36.40,118.40")
    assert english.areas[0].circles == ["36.45,118.50 20000"]


def test_update_and_cancel_keep_the_identifier_they_reference():
    update = cap.parse(read("geo_landslide_update.xml"))
    assert update.msg_type == "Update"
    assert update.references == ["39010043200000_20260701180000_1"]
    assert update.infos[0].level == "red"
    cancel = cap.parse(read("flood_cancel.xml"))
    assert cancel.references == ["39010041700000_20260702100000_1"]


def test_a_national_platform_message_is_read_with_its_colour_and_event_code():
    alert = cap.parse(read("national_typhoon_blue.xml"))
    assert alert.format == "national"
    assert alert.sender_code == "33000041600000"
    assert alert.channels == ["SMS", "WEB", "BROADCAST"]
    info = alert.infos[0]
    assert (info.event, info.level, info.certainty) == ("台风", "blue", "VeryLikely")
    assert info.areas[0].geocodes == [("GB/T 2260", "330200"), ("GB/T 2260", "330300")]
    assert cap.national_filename(alert) == "33000041600000_20121025091026_11B01_BLUE_ALERT.XML"


def test_a_built_warning_is_valid_cap_with_an_offset_and_the_severity_of_its_colour():
    xml = cap.build_cap(sample_alert())
    cap.validate_cap(xml)
    text = xml.decode()
    assert "<sent>2026-07-01T08:00:00+08:00</sent>" in text and "Z<" not in text
    assert "<severity>Extreme</severity>" in text
    again = cap.parse(xml)
    assert again.infos[0].level == "red" and again.infos[0].event_type == "11B03"


@pytest.mark.parametrize(("level", "severity", "colour"), [
    ("red", "Extreme", "Red"), ("orange", "Severe", "Orange"), ("yellow", "Moderate", "Yellow"), ("blue", "Minor", "Blue"),
])
def test_each_level_maps_to_its_cap_severity_and_national_colour(level, severity, colour):
    alert = sample_alert()
    alert.infos[0].level = level
    assert f"<severity>{severity}</severity>" in cap.build_cap(alert).decode()
    assert f"<severity>{colour}</severity>" in cap.build_national(alert).decode()


def test_the_national_export_round_trips_with_its_identifier_and_file_name():
    alert = sample_alert(msg_type="Update", references=["39010000000000_20260701070000_1"])
    xml = cap.build_national(alert)
    assert "<sendTime>2026-07-01 08:00:00+08:00</sendTime>" in xml.decode()
    again = cap.parse(xml)
    assert again.identifier == "39010000000000_20260701080000_1" and len(again.identifier) == 31
    assert again.references == ["39010000000000_20260701070000_1"]
    assert cap.national_filename(again) == "39010000000000_20260701080000_11B03_RED_UPDATE.XML"


def test_the_event_codes_are_a_data_table():
    types = cap.event_types()
    assert types["11B03"].name == "暴雨" and types["11D02"].kind == "geological"
    assert len(types) == 26


@pytest.mark.parametrize(("data", "phrase"), [
    (b"", "文件是空的"),
    (b"<alert><identifier>x</identifier>", "不是格式正确的 XML"),
    (b"<html><body>hello</body></html>", "不是 CAP 1.2 预警消息"),
    (b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>x</identifier></alert>', "不支持的 CAP 版本"),
])
def test_malformed_input_gets_a_clear_chinese_error(data, phrase):
    with pytest.raises(cap.CapError, match=phrase):
        cap.parse(data)


def test_a_utc_z_time_breaks_the_schema():
    bad = read("met_rainstorm_alert.xml").replace(b"2026-07-01T08:00:00+08:00", b"2026-07-01T00:00:00Z")
    with pytest.raises(cap.CapError, match="不符合 CAP 1.2 模式"):
        cap.parse(bad)


def test_a_wrong_severity_and_a_missing_sender_are_both_reported():
    bad = read("met_rainstorm_alert.xml").replace(b"<severity>Severe</severity>", b"<severity>Orange</severity>", 1)
    bad = bad.replace(b"<sender>qinghe-meteorological-observatory@example.cn</sender>", b"")
    with pytest.raises(cap.CapError) as caught:
        cap.parse(bad)
    assert any("sender" in p for p in caught.value.problems) or any("Orange" in p for p in caught.value.problems)


def test_an_update_without_references_is_refused():
    bad = read("geo_landslide_update.xml")
    start, end = bad.index(b"<references>"), bad.index(b"</references>") + len(b"</references>")
    with pytest.raises(cap.CapError, match="必须在 references 中引用原预警"):
        cap.parse(bad[:start] + bad[end:])


def test_an_open_polygon_is_refused():
    bad = read("met_rainstorm_alert.xml").replace(b"36.50,118.40 36.40,118.40</polygon>", b"36.50,118.40</polygon>")
    with pytest.raises(cap.CapError, match="首尾相同"):
        cap.parse(bad)


def test_an_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = read("met_rainstorm_alert.xml").decode().replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace("<note>", "").replace("<scope>Public</scope>", "<scope>Public</scope><note>&x;</note>")
    try:
        alert = cap.parse(doc.encode())
    except cap.CapError:
        return
    assert "TOP-SECRET" not in alert.note


@pytest.mark.parametrize(("mutation", "phrase"), [
    (("<senderCode>33000041600000</senderCode>", "<senderCode>3300</senderCode>"), "senderCode"),
    (("<severity>Blue</severity>", "<severity>Minor</severity>"), "Red/Orange/Yellow/Blue"),
    (("<eventType>11B01</eventType>", "<eventType>99Z99</eventType>"), "eventType"),
    (("<sendTime>2012-10-25 09:10:26+08:00</sendTime>", "<sendTime>2012/10/25</sendTime>"), "sendTime"),
    (("<identifier>33000041600000_20121025091026_1</identifier>", "<identifier>abc</identifier>"), "identifier"),
])
def test_a_broken_national_message_names_the_element(mutation, phrase):
    bad = read("national_typhoon_blue.xml").decode().replace(*mutation)
    with pytest.raises(cap.CapError, match=phrase):
        cap.parse(bad.encode())


def test_a_geojson_polygon_becomes_a_closed_cap_ring():
    ring = [[118.4, 36.4], [118.6, 36.4], [118.6, 36.5], [118.4, 36.4]]
    [polygon] = cap.polygon_from_geojson({"type": "Polygon", "coordinates": [ring]})
    assert polygon.split()[0] == polygon.split()[-1] == "36.400000,118.400000"
