"""Answer keys and full ID numbers are for exam administrators; the exam room is for the examinee alone."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.standards.resident_id import mask_resident_id
from yingji.training import services
from yingji.training.models import is_exam_administrator
from yingji.training.testing import enrol, exam_login_data, make_bank, make_exam, make_trainee, room_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    enterprise = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "staff_manager", enterprise)
    bank = make_bank(world.county1, singles=1, multiples=0, judges=0)
    exam = make_exam(world.county1, [bank], single_count=1, multiple_count=0, judge_count=0, pass_mark=1)
    candidate = enrol(exam, make_trainee(enterprise, "李四"))
    return {"manager": manager, "bank": bank, "exam": exam, "candidate": candidate,
            "question": bank.questions.get(), "trainee": candidate.trainee}


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_mask_resident_id_keeps_the_area_prefix_and_the_last_four():
    assert mask_resident_id("330102198503120012") == "3301**********0012"
    assert mask_resident_id("12345678") == "********"


def test_exam_administrators_are_bureau_users_with_the_question_permission_over_the_region(world, setting):
    assert is_exam_administrator(world.county1_officer, "390102001001")
    assert not is_exam_administrator(world.county2_officer, "390102001001")
    assert not is_exam_administrator(world.county1_leader, "390102001001")
    assert not is_exam_administrator(setting["manager"], "390102001001")


def test_the_api_gives_answers_only_to_exam_administrators(world, setting):
    url = f"/api/training/questions/{setting['question'].pk}/"
    assert client_of(world.county1_officer).get(url).json()["answer"] == "A"
    for user in (setting["manager"], world.county1_leader):
        data = client_of(user).get(url).json()
        assert data["answer"] is None and data["explanation"] is None
    listing = client_of(setting["manager"]).get("/api/training/questions/?ordering=answer")
    assert listing.status_code == 200 and all(row["answer"] is None for row in listing.json()["results"])


def test_question_pages_and_exports_hide_answers_from_others(world, setting):
    question = setting["question"]
    manager = client_of(setting["manager"])
    detail = manager.get(f"/training/questions/{question.pk}/").content.decode()
    assert "<th>标准答案</th><td>仅考试管理人员可见" in detail and "<td>解析</td>" not in detail
    export = manager.get("/training/questions/?export=xlsx")
    assert export.status_code == 200
    rows = sheet_rows(export.content)
    answer_column = rows[0].index("标准答案")
    assert {row[answer_column] for row in rows[1:]} == {"仅考试管理人员可见"}
    officer_rows = sheet_rows(client_of(world.county1_officer).get("/training/questions/?export=xlsx").content)
    assert {row[answer_column] for row in officer_rows[1:]} == {"A"}


def test_a_finished_paper_shows_the_right_answers_only_to_exam_administrators(world, setting):
    attempt = services.attempt_start(candidate=setting["candidate"])
    services.attempt_submit(attempt=attempt, answers={str(setting["question"].pk): "B"})
    url = f"/training/attempts/{attempt.pk}/"
    assert "✘" in client_of(world.county1_officer).get(url).content.decode()
    assert "✘" not in client_of(setting["manager"]).get(url).content.decode()


def test_id_numbers_are_masked_for_everyone_but_exam_administrators(world, setting):
    trainee = setting["trainee"]
    masked = mask_resident_id(trainee.id_number)
    manager = client_of(setting["manager"])
    assert manager.get(f"/api/training/trainees/{trainee.pk}/").json()["id_number"] == masked
    page = manager.get(f"/training/trainees/{trainee.pk}/").content.decode()
    assert masked in page and trainee.id_number not in page
    assert trainee.id_number not in manager.get("/training/trainees/?export=xlsx").content.decode("latin-1")
    assert trainee.id_number not in manager.get(f"/training/trainees/{trainee.pk}/edit/").content.decode()
    assert trainee.id_number not in manager.get("/training/candidates/").content.decode()
    # A substring search would read the number back digit by digit.
    assert manager.get(f"/api/training/trainees/?search={trainee.id_number[:10]}").json()["count"] == 0
    officer = client_of(world.county1_officer)
    assert officer.get(f"/api/training/trainees/{trainee.pk}/").json()["id_number"] == trainee.id_number


def test_a_manager_editing_a_trainee_keeps_the_id_number_they_cannot_see(world, setting):
    trainee = setting["trainee"]
    response = client_of(setting["manager"]).post(f"/training/trainees/{trainee.pk}/edit/", {
        "enterprise": trainee.enterprise_id, "name": trainee.name, "id_number": "", "industry": trainee.industry,
        "post": trainee.post, "phone": "13800000000"})
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.phone == "13800000000" and len(trainee.id_number) == 18


def test_the_manager_cannot_enter_the_exam_room_with_what_they_know(world, setting):
    candidate = setting["candidate"]
    client = Client()
    known = {"id_number": candidate.trainee.id_number, "ticket_number": candidate.ticket_number}
    response = client.post("/training/exam/login/", {**known, "room_code": "ABCDEF"})
    assert response.status_code == 400 and "入场码不正确" in response.content.decode()
    assert client.get("/training/exam/").status_code == 302


def test_an_entry_code_opens_the_exam_room_once(world, setting):
    candidate = setting["candidate"]
    data = exam_login_data(candidate)
    assert Client().post("/training/exam/login/", data).status_code == 302
    again = Client().post("/training/exam/login/", data)
    assert again.status_code == 400 and "入场码已使用" in again.content.decode()


def test_only_the_exams_administrators_issue_entry_codes(world, setting):
    exam = setting["exam"]
    refused = client_of(setting["manager"]).post(f"/training/exams/{exam.pk}/room-codes/")
    assert refused.status_code == 403
    page = client_of(world.county1_officer).post(f"/training/exams/{exam.pk}/room-codes/")
    assert page.status_code == 200 and setting["candidate"].ticket_number in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_a_new_entry_code_replaces_the_old_one(world, setting):
    candidate = setting["candidate"]
    old = room_code(candidate)
    room_code(candidate)
    known = {"id_number": candidate.trainee.id_number, "ticket_number": candidate.ticket_number}
    response = Client().post("/training/exam/login/", {**known, "room_code": old})
    assert response.status_code == 400


def test_practice_answers_only_the_question_it_asked(world, setting):
    client = client_of(world.county1_leader)
    response = client.post("/training/practice/", {"bank": setting["bank"].pk, "question": setting["question"].pk,
                                                   "answer": "B"})
    assert "正确答案" not in response.content.decode()
