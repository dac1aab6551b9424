import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yingji.warnings.models import ResponsiblePerson
from yingji.warnings.services import person_create

pytestmark = pytest.mark.django_db
URL = "/warnings/persons/import/"


def workbook(client, rows):
    template = load_workbook(io.BytesIO(client.get(URL + "?template=1").content))
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    sheet.delete_rows(2)  # the example row, overwritten with real rows as a person would
    for values in rows:
        sheet.append([values.get(h) for h in headings])
    buffer = io.BytesIO()
    template.save(buffer)
    return SimpleUploadedFile("责任人.xlsx", buffer.getvalue())


def row(world, **overrides):
    values = {"姓名": "王建国", "手机号": "13900001111", "责任类型": "包保责任人", "责任区划代码": world.village1.code,
              "网格": "", "职务": "包村干部", "上级责任人手机号": "", "在岗": "是"}
    values.update(overrides)
    return values


def test_good_rows_are_kept_and_bad_rows_reported_with_their_reason(client, world):
    client.force_login(world.county1_admin)
    rows = [
        row(world, 姓名="镇包保", 手机号="13900001000", 责任区划代码=world.regions["390102001000"].code),
        row(world, 姓名="村干部", 手机号=13900001001, 责任类型="村（社区）干部", 上级责任人手机号="13900001000"),
        row(world, 姓名="坏号码", 手机号="1390000"),
        row(world, 姓名="外县人", 手机号="13900001003", 责任区划代码=world.village2.code),
        row(world, 姓名="错类型", 手机号="13900001004", 责任类型="队长"),
        row(world, 姓名="县级区划", 手机号="13900001005", 责任区划代码=world.county1.code),
        row(world, 姓名="网格员", 手机号="13900001006", 责任类型="网格员", 网格="三网格", 在岗="否"),
    ]
    response = client.post(URL, {"file": workbook(client, rows)})
    report = response.context["report"]
    assert (report.created, report.updated) == (3, 0)
    errors = dict(report.errors)
    assert set(errors) == {4, 5, 6, 7}
    assert "手机号" in errors[4] and "责任区划" in errors[5] and "责任类型" in errors[6] and "责任区划" in errors[7]
    assert ResponsiblePerson.objects.get(name="村干部").superior.name == "镇包保"
    assert ResponsiblePerson.objects.get(name="网格员").active is False
    assert "第 4 行" in response.content.decode()


def test_a_known_phone_updates_that_person(client, world):
    existing = person_create(actor=None, region=world.village1, role="grid_member", name="旧名", phone="13900002222")
    client.force_login(world.county1_admin)
    response = client.post(URL, {"file": workbook(client, [row(world, 姓名="新名", 手机号="13900002222")])})
    assert response.context["report"].updated == 1
    existing.refresh_from_db()
    assert (existing.name, existing.role) == ("新名", "guarantor")
