import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.risks.models import RiskPoint
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db
URL = "/risks/import/"


@pytest.fixture
def firms(world):
    return (EnterpriseFactory(region=world.village1, name="甲区化工"), EnterpriseFactory(region=world.village2, name="乙区化工"))


def row(enterprise, **overrides):
    values = {
        "企业统一社会信用代码": enterprise.credit_code, "风险点名称": "液氨储罐区", "所在位置": "东罐区",
        "风险点类型": "设备设施", "评价方法": "LEC法", "L 事故发生可能性": 3, "E 暴露频繁程度": 6,
        "C 后果严重程度": 15, "矩阵 L 可能性": None, "矩阵 S 严重性": None, "工程技术措施": "氨气泄漏报警与喷淋",
        "管理措施": "", "培训教育措施": "", "个体防护措施": "", "应急处置措施": "", "管控层级": "公司级",
        "责任人": "张三", "责任人电话": "13800000000", "下次评审日期": "2027-06-30", "经度": None, "纬度": None,
    }
    values.update(overrides)
    return values


def workbook(client, rows):
    template = load_workbook(io.BytesIO(client.get(URL + "?template=1").content))
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    assert sheet.max_row == 2  # the header and the grey example row, which an untouched upload skips
    sheet.delete_rows(2)  # the example row, overwritten with real rows as a person would
    for values in rows:
        sheet.append([values.get(h) for h in headings])
    buffer = io.BytesIO()
    template.save(buffer)
    return SimpleUploadedFile("风险点.xlsx", buffer.getvalue())


def test_the_template_explains_the_key_and_the_table_values(client, world):
    client.force_login(world.county1_admin)
    book = load_workbook(io.BytesIO(client.get(URL + "?template=1").content))
    assert [c.value for c in book.worksheets[0][1]][:2] == ["企业统一社会信用代码", "风险点名称"]
    notes = {r[0]: r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert "0.1" in notes["L 事故发生可能性"] and "10" in notes["E 暴露频繁程度"]


def test_good_rows_are_saved_and_bad_rows_reported_with_their_reason(client, world, firms):
    mine, theirs = firms
    client.force_login(world.county1_admin)
    rows = [
        row(mine),
        row(mine, 风险点名称="外县的", 企业统一社会信用代码=theirs.credit_code),
        row(mine, 风险点名称="C不在表中", **{"C 后果严重程度": 41}),
        row(mine, 风险点名称="矩阵点", 评价方法="风险矩阵法", **{"L 事故发生可能性": None, "E 暴露频繁程度": None,
            "C 后果严重程度": None, "矩阵 L 可能性": 5, "矩阵 S 严重性": 4}),
        row(mine, 风险点名称="缺措施", 工程技术措施=""),
        row(mine, 风险点名称="矩阵越界", 评价方法="风险矩阵法", **{"矩阵 L 可能性": 6, "矩阵 S 严重性": 1}),
        row(mine, 风险点名称="无此企业", 企业统一社会信用代码="91390102MA0000001X"),
        row(mine),
    ]
    response = client.post(URL, {"file": workbook(client, rows)})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated) == (2, 0)
    errors = dict(report.errors)
    assert set(errors) == {3, 4, 6, 7, 8, 9}
    assert "不在您的管辖范围内" in errors[3]
    assert "C 后果严重程度" in errors[4]
    assert "至少填写一类管控措施" in errors[6]
    assert "L 可能性" in errors[7]
    assert "未登记" in errors[8]
    assert errors[9] == "与第2行重复"
    points = {p.name: p for p in RiskPoint.objects.all()}
    assert set(points) == {"液氨储罐区", "矩阵点"}
    assert (points["液氨储罐区"].level, points["矩阵点"].level) == ("larger", "major")  # D = 3×6×15 = 270; R = 5×4 = 20
    assert "第 3 行" in response.content.decode()


def test_an_existing_point_is_updated_and_graded_again(client, world, firms):
    existing = RiskPointFactory(enterprise=firms[0], name="液氨储罐区")
    client.force_login(world.county1_admin)
    rows = [row(firms[0], **{"L 事故发生可能性": 0.5, "E 暴露频繁程度": 3, "C 后果严重程度": 7})]
    report = client.post(URL, {"file": workbook(client, rows)}).context["report"]
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    existing.refresh_from_db()
    assert (existing.risk_value, existing.level) == (10.5, "low")


def test_an_enterprise_user_imports_for_its_own_enterprise_only(client, world, firms):
    neighbour = EnterpriseFactory(region=world.village1, name="邻居")
    client.force_login(add_enterprise_user(world, "manager", firms[0]))
    report = client.post(URL, {"file": workbook(client, [row(firms[0]), row(neighbour)])}).context["report"]
    assert report.created == 1 and [n for n, _reason in report.errors] == [3]
    assert list(RiskPoint.objects.values_list("enterprise", flat=True)) == [firms[0].pk]


def test_a_supervisor_cannot_import(client, world):
    client.force_login(world.county1_officer)
    assert client.get(URL).status_code == 403
