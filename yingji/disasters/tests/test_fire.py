"""Fire danger: the FWI carried day to day per station, missing days, corrections, imports, the automatic
stations' API, the township map and the warning draft."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core.excel import ImportFileError
from yingji.disasters import importing, selectors, services
from yingji.disasters.models import FireDanger, WeatherObservation
from yingji.disasters.testing import TOWNSHIP1, TOWNSHIP2, make_station, observe
from yingji.standards import fwi
from yingji.warnings.models import Warning


def day(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def station(world):
    return make_station(world.regions[TOWNSHIP1], "S1", 118.5, 36.5)


def test_days_are_carried_from_the_previous_day_of_the_same_station(world, station):
    observe(station, day(2), temperature=17, humidity=42, wind_speed=25, precipitation=0)
    observe(station, day(1), temperature=20, humidity=21, wind_speed=25, precipitation=2.4)
    first = fwi.daily(ffmc_yda=85, dmc_yda=6, dc_yda=15, temp=17, rh=42, ws=25, prec=0, lat=36.5, mon=day(2).month)
    second = fwi.daily(ffmc_yda=first.ffmc, dmc_yda=first.dmc, dc_yda=first.dc, temp=20, rh=21, ws=25, prec=2.4,
                       lat=36.5, mon=day(1).month)
    rows = list(FireDanger.objects.filter(station=station).order_by("date"))
    assert [r.restarted for r in rows] == [True, False]
    assert rows[1].fwi == second.fwi
    assert rows[1].level == fwi.danger_level(second.fwi)


def test_a_corrected_observation_recomputes_that_day_and_every_later_day(world, station):
    for n in (3, 2, 1):
        observe(station, day(n), humidity=30)
    before = {r.date: r.fwi for r in FireDanger.objects.filter(station=station)}
    services.observation_record(actor=None, station=station, date=day(3), temperature=25, humidity=90,
                                wind_speed=5, precipitation=20)
    after = {r.date: r.fwi for r in FireDanger.objects.filter(station=station)}
    assert WeatherObservation.objects.filter(station=station).count() == 3
    assert all(after[d] < before[d] for d in before)


def test_a_late_observation_fills_its_day_and_the_following_days_are_carried_from_it(world, station):
    observe(station, day(3))
    observe(station, day(1))
    assert FireDanger.objects.get(station=station, date=day(1)).gap_days == 1
    observe(station, day(2))
    latest = FireDanger.objects.get(station=station, date=day(1))
    assert latest.gap_days == 0
    middle = FireDanger.objects.get(station=station, date=day(2))
    assert latest.dc > middle.dc


@override_settings(DISASTERS_FWI_MAX_GAP_DAYS=2)
def test_a_gap_longer_than_the_limit_restarts_the_codes(world, station):
    observe(station, day(10))
    observe(station, day(7))  # 2 missing days: carried
    observe(station, day(3))  # 3 missing days: restarted
    rows = {r.date: r for r in FireDanger.objects.filter(station=station)}
    assert (rows[day(7)].restarted, rows[day(7)].gap_days) == (False, 2)
    assert rows[day(3)].restarted
    assert rows[day(3)].dc == fwi.daily(ffmc_yda=85, dmc_yda=6, dc_yda=15, temp=25, rh=20, ws=30, prec=0, lat=36.5,
                                        mon=day(3).month).dc


def test_an_observation_in_the_future_or_out_of_range_is_refused(world, station):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        observe(station, day(-1))
    with pytest.raises(ValidationError):
        observe(station, day(1), humidity=130)
    assert not WeatherObservation.objects.exists()


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([str(c.heading) for c in importing.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("obs.xlsx", buffer.getvalue())


def test_excel_import_keeps_good_rows_and_reports_bad_ones(world, station):
    make_station(world.regions[TOWNSHIP2], "S2", 118.8, 36.3)
    upload = _xlsx([
        ["S1", day(2).isoformat(), 20, 30, 10, 0],
        ["S1", day(1).isoformat(), 21, "潮湿", 10, 0],
        ["S9", day(1).isoformat(), 21, 30, 10, 0],
        ["S2", day(1).isoformat(), 21, 30, 10, 0],
        ["S1", day(2).isoformat(), 20, 30, 10, 0],
    ])
    report = importing.import_observations(upload, actor=world.county1_duty)
    assert (report.created, report.updated) == (1, 0)
    reasons = dict(report.errors)
    assert "应为数字" in reasons[3]
    assert "S9" in reasons[4]
    assert "不在您的管辖范围内" in reasons[5]
    assert "与第2行重复" in reasons[6]
    assert FireDanger.objects.filter(station=station).count() == 1


def test_csv_import_through_the_page(client, world, station):
    header = ",".join(str(c.heading) for c in importing.COLUMNS)
    body = f"{header}\nS1,{day(1).isoformat()},22,25,15,0\nS1,昨天,22,25,15,0\n".encode()
    client.force_login(world.county1_duty)
    response = client.post("/disasters/observations/import/", {"file": SimpleUploadedFile("o.csv", body)})
    content = response.content.decode()
    assert "新增 1 条" in content and "第 3 行" in content
    assert FireDanger.objects.filter(station=station, date=day(1)).exists()


def test_a_file_that_is_neither_excel_nor_csv_saves_nothing(world, station):
    with pytest.raises(ImportFileError):
        importing.import_observations(SimpleUploadedFile("x.csv", "\xff\xfe\x00garbage".encode("latin-1")),
                                      actor=world.county1_duty)


def test_an_automatic_station_posts_with_its_token_and_corrects_a_day(world, station):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.county1_duty).key}")
    payload = {"station_code": "s1", "date": day(1).isoformat(), "temperature": 24.0, "humidity": 22,
               "wind_speed": 28, "precipitation": 0}
    assert client.post("/api/weather-observations/", payload, format="json").status_code == 201
    first = FireDanger.objects.get(station=station, date=day(1)).fwi
    response = client.post("/api/weather-observations/", {**payload, "precipitation": 15}, format="json")
    assert response.status_code == 201
    assert WeatherObservation.objects.get(station=station, date=day(1)).source == "automatic"
    assert FireDanger.objects.get(station=station, date=day(1)).fwi < first
    batch = client.post("/api/weather-observations/batch/", [payload, {**payload, "humidity": 300}], format="json")
    assert batch.json()["created"] == 1 and batch.json()["errors"][0]["index"] == 1
    assert APIClient().post("/api/weather-observations/", payload, format="json").status_code == 401


def test_each_township_takes_the_level_of_its_nearest_station_in_scope(world, station):
    far = make_station(world.regions[TOWNSHIP1], "S3", 119.5, 37.5)
    observe(station, day(0), temperature=30, humidity=10, wind_speed=40)
    observe(far, day(0), temperature=5, humidity=95, wind_speed=2, precipitation=30)
    other = make_station(world.regions[TOWNSHIP2], "S2", 118.8, 36.3)
    observe(other, day(0), temperature=30, humidity=10, wind_speed=40)
    rows = {r["code"]: r for r in selectors.township_levels(world.county1_duty, None, day(0))}
    assert set(rows) == {TOWNSHIP1}
    assert rows[TOWNSHIP1]["station"] == station.name
    city = {r["code"]: r for r in selectors.township_levels(world.city_duty, None, day(0))}
    assert city[TOWNSHIP2]["station"] == other.name
    summary = selectors.fire_danger_today(user=world.county1_duty)
    assert summary["counts"][rows[TOWNSHIP1]["level"]] == 1 and sum(summary["counts"].values()) == 1
    assert summary["max_level"] == rows[TOWNSHIP1]["level"]
    assert selectors.fire_danger_today(user=world.county1_no_role)["townships"] == 0


def test_the_fire_map_page_shows_only_the_users_townships(client, world, station):
    observe(station, day(0), temperature=30, humidity=10, wind_speed=40)
    client.force_login(world.county2_duty)
    content = client.get("/disasters/fire/").content.decode()
    assert "乙一镇" in content and "甲一街道" not in content
    assert client.get("/disasters/fire/?region=390102000000").content.decode().count("甲一街道") == 0
    client.force_login(world.county1_duty)
    assert "五级" in client.get("/disasters/fire/").content.decode()


def test_a_high_level_starts_a_fire_danger_warning_draft_once(client, world, station):
    observe(station, day(0), temperature=32, humidity=8, wind_speed=45)
    assert FireDanger.objects.get(station=station, date=day(0)).level >= 4
    client.force_login(world.county1_duty)
    response = client.post("/disasters/fire/warning/?region=390102000000")
    warning = Warning.objects.get()
    assert response["Location"].endswith(f"/{warning.pk}/")
    assert (warning.kind, warning.event_type, warning.status) == ("forest_fire", "11B25", "draft")
    assert list(warning.area_regions.values_list("code", flat=True)) == [TOWNSHIP1]
    client.post("/disasters/fire/warning/?region=390102000000")
    assert Warning.objects.count() == 1


def test_no_draft_below_the_configured_level(world, station):
    from django.core.exceptions import ValidationError

    observe(station, day(0), temperature=5, humidity=95, wind_speed=2, precipitation=30)
    with pytest.raises(ValidationError):
        services.fire_warning_draft(actor=world.county1_duty, region=world.county1)
    with override_settings(DISASTERS_FIRE_WARNING_MIN_LEVEL=1):
        assert services.fire_warning_draft(actor=world.county1_duty, region=world.county1).level == "blue"
