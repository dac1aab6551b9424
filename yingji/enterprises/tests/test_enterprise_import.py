import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yingji.core.testing import add_enterprise_user
from yingji.enterprises.models import Enterprise
from yingji.enterprises.testing import EnterpriseFactory, credit_code

pytestmark = pytest.mark.django_db
URL = "/enterprises/import/"


def row(world, **overrides):
    values = {
        "企业名称": "导入化工有限公司", "统一社会信用代码": credit_code(), "所在村（社区）区划代码": world.village1.code,
        "详细地址": "甲一社区1号", "经度": 118.5, "纬度": 36.4, "行业代码": "C2614", "行业名称": "有机化学原料制造",
        "监管类别": "危险化学品生产", "规模类型": "规模以上", "企业规模": "中型", "监管分级": "乙类",
        "法定代表人": "张三", "法定代表人电话": "13800000000", "主要负责人": "李四", "主要负责人电话": "13900000000",
        "安全负责人": "", "安全负责人电话": "", "从业人数": 88, "生产状态": "在产",
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
    return SimpleUploadedFile("企业.xlsx", buffer.getvalue())


def test_the_template_has_every_column_and_an_explanation(client, world):
    client.force_login(world.county1_officer)
    book = load_workbook(io.BytesIO(client.get(URL + "?template=1").content))
    headings = [c.value for c in book.worksheets[0][1]]
    assert headings[:3] == ["企业名称", "统一社会信用代码", "所在村（社区）区划代码"]
    assert book.worksheets[1].title == "填写说明"


def test_good_rows_are_saved_and_bad_rows_reported_with_their_reason(client, world):
    client.force_login(world.county1_officer)
    rows = [
        row(world, 企业名称="好企业一"),
        row(world, 企业名称="坏校验码", 统一社会信用代码="91390102MA0000001X"),
        row(world, 企业名称="外县企业", **{"所在村（社区）区划代码": world.village2.code}),
        row(world, 企业名称="缺负责人", 主要负责人=None),
        row(world, 企业名称="好企业二", 监管类别="烟花爆竹", 从业人数=12),
        row(world, 企业名称="错类别", 监管类别="外星产业"),
    ]
    response = client.post(URL, {"file": workbook(client, rows)})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated) == (2, 0)
    errors = dict(report.errors)
    assert set(errors) == {3, 4, 5, 7}
    assert "校验码错误" in errors[3]
    assert "所在村（社区）" in errors[4]
    assert "主要负责人" in errors[5]
    assert "监管类别" in errors[7]
    assert set(Enterprise.objects.values_list("name", flat=True)) == {"好企业一", "好企业二"}
    assert Enterprise.objects.get(name="好企业二").category == "fireworks"
    assert "第 3 行" in response.content.decode()


def test_an_existing_credit_code_updates_that_enterprise(client, world):
    existing = EnterpriseFactory(region=world.village1, name="旧名称")
    client.force_login(world.county1_officer)
    response = client.post(URL, {"file": workbook(client, [row(world, 企业名称="新名称", 统一社会信用代码=existing.credit_code)])})
    assert response.context["report"].updated == 1
    existing.refresh_from_db()
    assert existing.name == "新名称"
    assert existing.history.latest().history_user == world.county1_officer


def test_an_enterprise_of_another_county_is_not_touched(client, world):
    theirs = EnterpriseFactory(region=world.village2, name="外县原名")
    client.force_login(world.county1_officer)
    response = client.post(URL, {"file": workbook(client, [row(world, 企业名称="篡改", 统一社会信用代码=theirs.credit_code)])})
    assert len(response.context["report"].errors) == 1
    theirs.refresh_from_db()
    assert theirs.name == "外县原名"


def test_a_duplicate_row_in_the_file_is_reported(client, world):
    client.force_login(world.county1_officer)
    code = credit_code()
    rows = [row(world, 统一社会信用代码=code), row(world, 企业名称="重复", 统一社会信用代码=code)]
    response = client.post(URL, {"file": workbook(client, rows)})
    assert response.context["report"].errors == [(3, "与第2行重复")]


def test_a_file_that_is_not_excel_creates_nothing(client, world):
    client.force_login(world.county1_officer)
    response = client.post(URL, {"file": SimpleUploadedFile("企业.xlsx", b"name,code\n")})
    assert response.status_code == 400
    assert "不是 Excel 工作簿" in response.content.decode()
    assert Enterprise.objects.count() == 0


def test_a_workbook_missing_a_column_creates_nothing(client, world):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["企业名称", "统一社会信用代码"])
    book.active.append(["某企业", credit_code()])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(world.county1_officer)
    response = client.post(URL, {"file": SimpleUploadedFile("企业.xlsx", buffer.getvalue())})
    assert response.status_code == 400
    assert "缺少列" in response.content.decode()
    assert Enterprise.objects.count() == 0


def test_an_enterprise_user_cannot_import(client, world):
    client.force_login(add_enterprise_user(world, "manager", EnterpriseFactory(region=world.village1)))
    assert client.get(URL).status_code == 403
