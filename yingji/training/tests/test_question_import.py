"""Excel import of questions into a bank: good rows kept, bad rows reported with their reasons."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yingji.training.models import Question
from yingji.training.testing import make_bank

pytestmark = pytest.mark.django_db


def workbook(client, url, rows):
    template = load_workbook(io.BytesIO(client.get(url + "?template=1").content))
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    sheet.delete_rows(2)  # the example row, overwritten with real rows as a person would
    for values in rows:
        sheet.append([values.get(h) for h in headings])
    buffer = io.BytesIO()
    template.save(buffer)
    return SimpleUploadedFile("试题.xlsx", buffer.getvalue())


SINGLE = {"题型": "单选题", "题干": "安全生产工作坚持（ ）的方针。", "选项A": "安全第一、预防为主、综合治理",
          "选项B": "效益优先", "选项C": "先生产后安全", "答案": "a", "答案解析": "《安全生产法》第三条"}


def test_the_import_keeps_good_rows_and_reports_each_bad_one(client, world):
    bank = make_bank(world.county1, singles=0, multiples=0, judges=0)
    url = f"/training/banks/{bank.pk}/import/"
    client.force_login(world.county1_officer)
    rows = [
        SINGLE,
        {"题型": "多选题", "题干": "特种作业人员包括（ ）。", "选项A": "电工", "选项B": "焊工", "选项C": "会计",
         "答案": "A、B"},
        {"题型": "判断题", "题干": "从业人员有权拒绝违章指挥。", "答案": "对"},
        {**SINGLE, "答案": "D"},
        {**SINGLE, "题型": "填空题"},
        {"题型": "多选题", "题干": "只有一个答案的多选题", "选项A": "甲", "选项B": "乙", "选项C": "丙", "答案": "B"},
        {"题型": "判断题", "题干": "判断题带选项", "选项A": "甲", "答案": "错误"},
        {**SINGLE, "题干": ""},
    ]
    response = client.post(url, {"file": workbook(client, url, rows)})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated) == (3, 0)
    errors = dict(report.errors)
    assert set(errors) == {5, 6, 7, 8, 9}
    assert "答案应为已填写选项的字母（ABC）" in errors[5]
    assert "题型" in errors[6]
    assert "多选题至少有两个正确答案" in errors[7]
    assert "判断题不填选项" in errors[8]
    assert "题干" in errors[9]
    assert sorted(Question.objects.values_list("kind", "answer")) == [("judge", "T"), ("multiple", "AB"),
                                                                       ("single", "A")]
    assert set(Question.objects.values_list("bank", flat=True)) == {bank.pk}


def test_an_import_row_with_a_code_updates_that_question(client, world):
    bank = make_bank(world.county1, singles=1, multiples=0, judges=0)
    question = bank.questions.get()
    url = f"/training/banks/{bank.pk}/import/"
    client.force_login(world.county1_officer)
    response = client.post(url, {"file": workbook(client, url, [{**SINGLE, "题目编号": question.code.lower()}])})
    assert (response.context["report"].created, response.context["report"].updated) == (0, 1)
    question.refresh_from_db()
    assert question.stem == SINGLE["题干"]


def test_nobody_imports_into_a_bank_outside_their_own_jurisdiction(client, world):
    city_bank, other = make_bank(world.city, singles=0), make_bank(world.county2, singles=0)
    client.force_login(world.county1_officer)
    assert client.get(f"/training/banks/{city_bank.pk}/import/").status_code == 404
    assert client.get(f"/training/banks/{other.pk}/import/").status_code == 404
    client.force_login(world.county1_leader)
    assert client.get(f"/training/banks/{city_bank.pk}/import/").status_code == 403
