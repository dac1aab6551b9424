"""Importing the bureau's region table and boundaries: preview, all-or-nothing, re-import of a later year."""

import io
import json
import zipfile

import pytest
import shapefile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from yingji.core.boundary_import import apply_boundaries, plan_boundaries, read_boundary_file
from yingji.core.division_import import (
    DivisionImportError,
    apply_divisions,
    plan_divisions,
    read_division_file,
)
from yingji.core.models import Organization, Region
from yingji.core.services import organization_create
from yingji.core.testing import build_world

pytestmark = pytest.mark.django_db
ROOT = "390100000000"

# The test world's city, as a statistics table of a later year would give it (plus the province line above it).
TABLE = """统计用区划代码,名称,城乡分类代码
390000000000,测试省,
390100000000,测试市,
390102000000,甲区,
390102001000,甲一街道,
390102001001,甲一社区,111
390102001002,甲二社区,111
390103000000,乙区,
390103100000,乙一镇,
390103100201,乙一村,220
390103100202,乙二村,220
"""


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def plan_of(text: str, encoding: str = "utf-8"):
    return plan_divisions(read_division_file(csv_bytes(text, encoding), "table.csv"), root_code=ROOT)


@pytest.fixture
def world():
    return build_world()


def test_the_same_table_changes_nothing_but_the_urban_rural_codes(world):
    plan = plan_of(TABLE)
    assert plan.errors == []
    assert plan.summary()["new"] == 0 and plan.summary()["retired"] == 0
    assert len(plan.reclassified) == 4  # the test world has no 城乡分类代码 yet
    apply_divisions(plan.rows, root_code=ROOT, actor=None)
    assert Region.objects.get(code="390103100201").urban_rural_code == "220"
    assert plan_of(TABLE).changes == 0


def test_a_later_year_renames_adds_and_retires_without_breaking_records(world):
    office = organization_create(actor=None, name="乙二村委会", kind="village_committee",
                                 region=world.regions["390103100202"])
    later = (TABLE.replace("乙一村,220", "乙一新村,220")
             .replace("390103100202,乙二村,220\n", "390103100203,乙二村,220\n390103100204,乙四村,220\n"))
    plan = plan_of(later)
    assert [(r.code, old) for r, old in plan.renamed] == [("390103100201", "乙一村")]
    assert {r.code for r in plan.new} == {"390103100203", "390103100204"}
    assert plan.retired == [("390103100202", "乙二村", "390103100203")]
    apply_divisions(plan.rows, root_code=ROOT, actor=None, expected=plan.summary())
    retired = Region.objects.get(code="390103100202")
    assert retired.retired_at is not None and retired.replaced_by_id == "390103100203"
    assert Organization.objects.get(pk=office.pk).region_id == "390103100202"  # still points to the old code
    assert Region.objects.get(code="390103100201").name == "乙一新村"
    assert Region.objects.get(code="390103100204").parent_id == "390103100000"
    assert Region.objects.get(code="390103100204").history.first().history_change_reason == "导入区划代码表"


def test_a_county_file_retires_nothing_in_the_next_county(world):
    county_only = "统计用区划代码,名称\n390102000000,甲区\n390102001000,甲一街道\n390102001001,甲一社区\n"
    plan = plan_of(county_only)
    assert plan.retired == [("390102001002", "甲二社区", "")]


def test_bad_rows_are_each_reported_and_nothing_is_written(world):
    bad = TABLE + ("39010200100,短代码,\n"
                   "390104001001,无上级的村,220\n"
                   "420100000000,外省的市,\n"
                   "390102001003,,\n"
                   "390102001004,分类错,999\n"
                   "390102001001,甲一社区,111\n")
    plan = plan_of(bad)
    reasons = dict(plan.errors)
    assert "应为12位数字" in reasons[12]
    assert "上级区划 390104001000 不存在" in reasons[13]
    assert "缺少名称" in reasons[15]
    assert "城乡分类代码" in reasons[16]
    assert "与第6行重复" in reasons[17]
    assert [n for n, _r in plan.ignored] == [14]
    before = Region.objects.count()
    with pytest.raises(DivisionImportError, match="未导入任何数据"):
        apply_divisions(plan.rows, root_code=ROOT, actor=None)
    assert Region.objects.count() == before


def test_six_digit_county_codes_gb18030_and_excel_are_read(world):
    plan = plan_of("区划代码,名称\n390104,丙县\n", encoding="gb18030")
    assert [r.code for r in plan.new] == ["390104000000"]
    workbook = Workbook()
    workbook.active.append(["统计用区划代码", "名称", "城乡分类代码"])
    workbook.active.append([390104000000, "丙县", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_division_file(buffer.getvalue(), "table.xlsx")
    assert rows[0].code == "390104000000" and rows[0].number == 2


def test_a_file_without_the_columns_is_refused_whole(world):
    with pytest.raises(DivisionImportError, match="缺少列"):
        read_division_file(csv_bytes("编号,名字\n1,甲\n"), "x.csv")


def test_writing_never_reaches_above_the_actor(world):
    plan = plan_of(TABLE)
    with pytest.raises(DivisionImportError, match="没有修改"):
        apply_divisions(plan.rows, root_code=ROOT, actor=world.county1_admin)


def test_a_changed_database_after_the_preview_is_refused(world):
    plan = plan_of(TABLE)
    Region.objects.filter(code="390103100201").update(name="改过的名字")
    with pytest.raises(DivisionImportError, match="重新上传预览"):
        apply_divisions(plan.rows, root_code=ROOT, actor=None, expected=plan.summary())


def test_the_command_previews_then_applies(world, tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(TABLE.replace("乙一村,220", "乙一新村,220"), encoding="utf-8")
    out = io.StringIO()
    call_command("import_regions", str(path), "--root", ROOT, stdout=out)
    assert "更名 390103100201 乙一村 → 乙一新村" in out.getvalue()
    assert Region.objects.get(code="390103100201").name == "乙一村"
    out = io.StringIO()
    call_command("import_regions", str(path), "--root", ROOT, "--apply", stdout=out)
    assert "已写入 4 / 4（100%）" in out.getvalue()  # 1 renamed, 3 given their 城乡分类代码
    assert Region.objects.get(code="390103100201").name == "乙一新村"
    path.write_text("统计用区划代码,名称\n123,坏\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_regions", str(path), "--root", ROOT, "--apply", stdout=io.StringIO())


# Boundaries ---------------------------------------------------------------------------------------------------

def square(x0: float, y0: float, size: float) -> list:
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def feature(properties: dict, rings: list) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": rings}}


def geojson_bytes(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def test_boundaries_match_by_code_and_by_name_and_report_the_rest(world):
    Region.objects.filter(code=ROOT).update(boundary={"type": "Polygon", "coordinates": square(118, 36, 1)})
    open_ring = square(118.5, 36.5, 0.1)[0][:-1]
    data = geojson_bytes(
        feature({"code": "390102000000", "name": "甲区"}, square(118.1, 36.1, 0.3)),
        feature({"name": "乙区"}, square(118.5, 36.1, 0.3)),
        feature({"name": "没有的区"}, square(118.1, 36.5, 0.1)),
        feature({"code": "390199000000"}, square(118.2, 36.6, 0.1)),
        feature({"code": "390102001000"}, [open_ring]),
        feature({"code": "390102001001"}, square(119.5, 36.1, 0.2)),
        feature({"code": "420100000000"}, square(110, 30, 1)),
    )
    features = read_boundary_file(data, "b.geojson")
    plan = plan_boundaries(features, root_code=ROOT, parent_code=ROOT)
    assert [code for _f, code, _n, _h in plan.matched] == ["390102000000", "390103000000"]
    unmatched = dict(plan.unmatched)
    assert "找不到名为“没有的区”" in unmatched[3] and "390199000000" in unmatched[4]
    errors = dict(plan.errors)
    assert "未闭合" in errors[5]
    assert [n for n, _r in plan.ignored] == [7]
    with pytest.raises(DivisionImportError):
        apply_boundaries(features, root_code=ROOT, parent_code=ROOT, actor=None)
    assert not Region.objects.get(code="390102000000").boundary
    assert "超出上级区划 甲区" in errors[6]
    # Without the bad features it goes in whole.
    good = [f for f in features if f.number in (1, 2, 3, 4, 7)]
    apply_boundaries(good, root_code=ROOT, parent_code=ROOT, actor=None)
    county = Region.objects.get(code="390102000000")
    assert county.boundary["type"] == "Polygon" and county.area_km2 > 0 and 118.1 < county.longitude < 118.4
    outside = plan_boundaries([features[5]], root_code=ROOT)  # now against the stored 甲区
    assert "超出上级区划 甲区" in outside.errors[0][1]


def test_boundaries_from_a_zipped_shapefile(world, tmp_path):
    writer = shapefile.Writer(str(tmp_path / "b"), shapeType=shapefile.POLYGON, encoding="utf-8")
    writer.field("QHDM", "C", size=12)
    writer.field("QHMC", "C", size=50)
    writer.poly(square(118.1, 36.1, 0.2))
    writer.record("390103000000", "乙区")
    writer.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix in ("shp", "shx", "dbf"):
            archive.write(tmp_path / f"b.{suffix}", f"b.{suffix}")
    path = tmp_path / "b.zip"
    path.write_bytes(buffer.getvalue())
    out = io.StringIO()
    call_command("import_boundaries", str(path), "--root", ROOT, "--apply", stdout=out)
    assert "匹配 1 个" in out.getvalue()
    assert Region.objects.get(code="390103000000").boundary["type"] == "Polygon"


def test_a_projected_shapefile_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("b.shp", b"")
        archive.writestr("b.dbf", b"")
        archive.writestr("b.prj", b'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 117E"]')
    with pytest.raises(DivisionImportError, match="投影坐标系"):
        read_boundary_file(buffer.getvalue(), "b.zip")
