"""Batch inputs: the API batch and the Excel import report each bad item with its reason and keep the good ones."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard, HazardStatus
from yingji.hazards.testing import bring_to

pytestmark = pytest.mark.django_db
BATCH = "/api/hazards/batch/"
IMPORT = "/hazards/import/"


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def item(**overrides):
    values = {"description": "配电柜未接地", "place": "二车间", "category": "electrical", "level": "general",
              "source": "self_check", "found_at": "2026-05-01T09:30:00+08:00", "deadline": "2026-12-31"}
    values.update(overrides)
    return values


def test_an_enterprise_system_pushes_its_self_check_results(world):
    enterprise = EnterpriseFactory(region=world.village1)
    other = EnterpriseFactory(region=world.village1)
    client = api(add_enterprise_user(world, "gateway", enterprise))
    items = [
        item(enterprise=enterprise.pk),
        item(enterprise=enterprise.pk, level="critical"),
        item(enterprise_credit_code=enterprise.credit_code.lower(), description="安全出口堵塞"),
        item(enterprise=other.pk),
        item(enterprise=enterprise.pk, description=""),
        "not an object",
        item(enterprise=enterprise.pk, deadline="2026-01-01"),
    ]
    response = client.post(BATCH, items, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["failed"]) == (2, 5)
    assert [r["index"] for r in body["results"]] == [0, 2]
    errors = {e["index"]: str(e["errors"]) for e in body["errors"]}
    assert "level" in errors[1]
    assert "enterprise" in errors[3]
    assert "description" in errors[4]
    assert 5 in errors
    assert "整改期限不能早于发现时间" in errors[6]
    assert Hazard.objects.filter(enterprise=enterprise).count() == 2
    codes = [r["code"] for r in body["results"]]
    assert len(set(codes)) == 2 and all(code.startswith("YH-390102-2026-") for code in codes)


def test_a_batch_must_be_a_list_and_not_too_long(world):
    client = api(world.county1_officer)
    assert client.post(BATCH, {"items": "x"}, format="json").status_code == 400
    assert client.post(BATCH, [item(region=world.village1.pk)] * 501, format="json").status_code == 400
    assert client.post(BATCH, {"items": [item(region=world.village1.pk)]}, format="json").status_code == 201


def test_a_batch_all_bad_is_400_and_saves_nothing(world):
    response = api(world.county1_officer).post(BATCH, [item(region=world.village2.pk)], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 0
    assert not Hazard.objects.exists()


def test_a_batch_needs_a_login_and_the_add_permission(world):
    assert APIClient().post(BATCH, [item()], format="json").status_code == 401
    assert api(world.county1_leader).post(BATCH, [item()], format="json").status_code == 403


def workbook(client, rows):
    template = load_workbook(io.BytesIO(client.get(IMPORT + "?template=1").content))
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    sheet.delete_rows(2)  # the example row, overwritten with real rows as a person would
    for values in rows:
        sheet.append([values.get(h) for h in headings])
    buffer = io.BytesIO()
    template.save(buffer)
    return SimpleUploadedFile("隐患.xlsx", buffer.getvalue())


def row(**overrides):
    values = {"隐患描述": "灭火器过期", "隐患部位/地点": "仓库", "隐患类别": "消防安全", "隐患级别": "一般隐患",
              "隐患来源": "部门检查", "发现时间": "2026-05-01 09:30", "整改期限": "2026-12-31"}
    values.update(overrides)
    return values


def test_the_excel_import_keeps_good_rows_and_reports_bad_ones(client, world):
    enterprise = EnterpriseFactory(region=world.village1)
    outside = EnterpriseFactory(region=world.village2)
    client.force_login(world.county1_officer)
    rows = [
        row(企业统一社会信用代码=enterprise.credit_code),
        row(企业统一社会信用代码=outside.credit_code),
        row(所在区划代码=world.village1.code, 隐患描述="广场护栏破损"),
        row(所在区划代码=world.village1.code, 隐患级别="特大"),
        row(),
    ]
    response = client.post(IMPORT, {"file": workbook(client, rows)})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated) == (2, 0)
    errors = dict(report.errors)
    assert set(errors) == {3, 5, 6}
    assert "未找到该统一社会信用代码的企业" in errors[3]
    assert "隐患级别" in errors[5]
    assert "公共场所隐患请选择所在区划" in errors[6]
    assert set(Hazard.objects.values_list("description", flat=True)) == {"灭火器过期", "广场护栏破损"}


def test_an_import_row_with_a_code_updates_that_hazard(client, world):
    client.force_login(world.county1_officer)
    client.post(IMPORT, {"file": workbook(client, [row(所在区划代码=world.village1.code)])})
    hazard = Hazard.objects.get()
    response = client.post(IMPORT, {"file": workbook(client, [row(隐患编号=hazard.code, 所在区划代码=world.village1.code,
                                                                  隐患部位="新仓库", 整改责任人="钱七")])})
    assert (response.context["report"].created, response.context["report"].updated) == (0, 1)
    hazard.refresh_from_db()
    assert hazard.responsible_person == "钱七"


def test_an_import_row_for_a_closed_hazard_is_refused_with_the_reason(client, world):
    """A 销号 hazard is read-only for the import as for its pages and API (`Flow.closed`)."""
    client.force_login(world.county1_officer)
    client.post(IMPORT, {"file": workbook(client, [row(所在区划代码=world.village1.code)])})
    hazard = bring_to(Hazard.objects.get(), HazardStatus.CLOSED)
    response = client.post(IMPORT, {"file": workbook(client, [row(隐患编号=hazard.code, 所在区划代码=world.village1.code,
                                                                  整改责任人="钱七")])})
    report = response.context["report"]
    assert report.updated == 0 and "办结后只读" in dict(report.errors)[2]
    hazard.refresh_from_db()
    assert hazard.responsible_person != "钱七"

