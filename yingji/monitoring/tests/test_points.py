"""Monitoring points: validation of ranges and thresholds, pages, API, Excel import, jurisdiction."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests, add_enterprise_user
from yingji.monitoring import services
from yingji.monitoring.models import MonitoringPoint
from yingji.monitoring.testing import make_point, make_source

pytestmark = pytest.mark.django_db
IMPORT_URL = "/monitoring/points/import/"


def test_thresholds_must_be_ordered_and_inside_the_range(world):
    source = make_source(world.village1)
    with pytest.raises(ValidationError, match="高报阈值不应小于低报阈值"):
        make_point(source, low=10.0, high=5.0, high_high=None)
    with pytest.raises(ValidationError, match="应在量程"):
        make_point(source, high_high=25.0)
    with pytest.raises(ValidationError, match="量程上限应大于量程下限"):
        make_point(source, range_low=5.0, range_high=5.0)
    assert not MonitoringPoint.objects.exists()


def test_any_threshold_may_be_absent(world):
    point = make_point(make_source(world.village1), low_low=None, low=None, high=None, high_high=18.0)
    assert point.thresholds() == [("high_high", 18.0)]


def test_a_tag_is_unique_within_its_enterprise_only(world):
    first = make_source(world.village1)
    make_point(first, tag="LT-101")
    with pytest.raises(ValidationError, match="已有位号"):
        make_point(make_source(world.village1, enterprise=first.enterprise), tag="LT-101")
    make_point(make_source(world.village1), tag="LT-101")
    assert MonitoringPoint.objects.filter(tag="LT-101").count() == 2


def test_a_point_cannot_move_to_another_enterprises_source(world):
    point = make_point(make_source(world.village1))
    with pytest.raises(ValidationError, match="本企业"):
        services.monitoring_point_update(point=point, actor=world.county1_admin, source=make_source(world.village1))


def test_the_enterprise_can_tune_its_thresholds(world):
    point = make_point(make_source(world.village1))
    manager = add_enterprise_user(world, "manager", point.enterprise)
    services.monitoring_point_update(point=point, actor=manager, high=16.0)
    point.refresh_from_db()
    assert point.high == 16.0


class PointDeclarations:
    model = MonitoringPoint
    url_namespace = "monitoring"
    api_url = "/api/monitoring/points/"
    actor = "county1_admin"
    outsider = "county2_admin"

    def make_in_scope(self, world):
        return make_point(make_source(world.village1), name="甲区储罐液位")

    def make_out_of_scope(self, world):
        return make_point(make_source(world.village2), name="乙区储罐压力")

    def valid_form_data(self, world, region=None):
        source = make_source(region or world.village1)
        return {"source": source.pk, "tag": "PT-201", "name": "新建压力点", "kind": "pressure", "unit": "MPa",
                "range_low": "0", "range_high": "2.5", "low_low": "", "low": "", "high": "1.6", "high_high": "2.0",
                "deadband": "0.05", "alarm_delay_seconds": "5", "report_period_seconds": "30", "is_active": "on"}

    def invalid_form_data(self, world):
        data = self.valid_form_data(world)
        data["high"] = "2.2"
        return data, "高高报阈值不应小于高报阈值"

    def out_of_scope_form_data(self, world):
        return self.valid_form_data(world, region=world.village2)

    def valid_api_data(self, world, region=None):
        data = self.valid_form_data(world, region)
        data.update(low_low=None, low=None, is_active=True)
        return data

    def invalid_api_data(self, world):
        data = self.valid_api_data(world)
        data["high"] = "2.2"
        return data, "高高报阈值不应小于高报阈值"

    def out_of_scope_api_data(self, world):
        return self.valid_api_data(world, region=world.village2)


class TestPointPages(PointDeclarations, ScopedModelViewTests):
    def test_kind_filter_and_search(self, client, world):
        source = make_source(world.village1)
        make_point(source, name="罐区温度", kind="temperature", unit="℃", tag="TT-1")
        make_point(source, name="罐区可燃气体", kind="flammable_gas", unit="%LEL", range_high=100, high=25, high_high=50,
                   low=None, low_low=None, tag="GT-1")
        client.force_login(world.county1_admin)
        content = client.get(self.url("list") + "?kind=temperature").content.decode()
        assert "罐区温度" in content and "罐区可燃气体" not in content
        content = client.get(self.url("list") + "?q=GT-1").content.decode()
        assert "罐区可燃气体" in content and "罐区温度" not in content


class TestPointAPI(PointDeclarations, ScopedModelAPITests):
    def test_a_duplicate_tag_is_400_in_chinese(self, world):
        data = self.valid_api_data(world)
        client = self.api(world, "county1_admin")
        assert client.post(self.api_url, data, format="json").status_code == 201
        response = client.post(self.api_url, data, format="json")
        assert response.status_code == 400
        assert "已有位号" in response.content.decode()


def _workbook(client, rows):
    template = load_workbook(io.BytesIO(client.get(IMPORT_URL + "?template=1").content))
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    sheet.delete_rows(2)  # the example row, overwritten with real rows as a person would
    for values in rows:
        sheet.append([values.get(h) for h in headings])
    buffer = io.BytesIO()
    template.save(buffer)
    return SimpleUploadedFile("监测点.xlsx", buffer.getvalue())


def _row(source, **overrides):
    values = {"重大危险源编号": source.code, "位号": "LT-101", "监测点名称": "1号罐液位", "监测类型": "液位",
              "计量单位": "m", "量程下限": 0, "量程上限": 20, "低低报阈值": 1, "低报阈值": 2, "高报阈值": 15,
              "高高报阈值": 18, "回差（死区）": 0.5, "报警延时（秒）": 10, "上报周期（秒）": 60, "启用": "是"}
    values.update(overrides)
    return values


def test_import_keeps_good_rows_and_reports_each_bad_row(client, world):
    mine, theirs = make_source(world.village1), make_source(world.village2)
    existing = make_point(mine, tag="LT-900", high=10.0)
    client.force_login(world.county1_admin)
    rows = [
        _row(mine, 位号="LT-101"),
        _row(mine, 位号="LT-102", 高报阈值=19),  # above 高高
        _row(theirs, 位号="LT-103"),  # another county
        _row(mine, 位号="LT-101"),  # repeated in the file
        _row(mine, 位号="LT-104", 监测类型="湿度计"),  # unknown kind
        _row(mine, 位号="LT-900", 高报阈值=12, 启用="否"),  # updates the existing point
        _row(mine, 位号="LT-105", 重大危险源编号="HS-NONE"),
    ]
    response = client.post(IMPORT_URL, {"file": _workbook(client, rows)})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated) == (1, 1)
    errors = dict(report.errors)
    assert "高高报阈值不应小于高报阈值" in errors[3]
    assert "不存在或不在您的管辖范围内" in errors[4]
    assert "与第2行重复" in errors[5]
    assert "监测类型" in errors[6]
    assert "不存在" in errors[8]
    existing.refresh_from_db()
    assert (existing.high, existing.is_active) == (12.0, False)
    assert set(MonitoringPoint.objects.values_list("tag", flat=True)) == {"LT-101", "LT-900"}
