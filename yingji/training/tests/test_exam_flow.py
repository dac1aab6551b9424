"""Exams from enrolment to result: paper drawn from a seed, the server's clock, one attempt, exact scoring,
the sweep, the figures by enterprise and region, and the exam room pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import StateChange
from yingji.core.testing import add_enterprise_user, xlsx_rows
from yingji.enterprises.testing import EnterpriseFactory
from yingji.training import services
from yingji.training.models import Attempt, AttemptStatus, Question
from yingji.training.paper import draw_paper, mark
from yingji.training.selectors import exam_results
from yingji.training.tasks import time_out_attempts
from yingji.training.testing import enrol, exam_login_data, make_bank, make_exam, make_trainee, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam(world):
    return make_exam(world.county1, [make_bank(world.county1, singles=6, multiples=3, judges=6)], duration=30)


@pytest.fixture
def candidate(world, exam):
    return enrol(exam, make_trainee(EnterpriseFactory(region=world.village1), "张明"))


# -- the paper ---------------------------------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_paper_and_another_seed_another():
    pool = {"single": list(range(1, 41)), "multiple": list(range(100, 120)), "judge": list(range(200, 230))}
    counts = {"single": 10, "multiple": 5, "judge": 10}
    paper = draw_paper(pool, counts, 12345)
    assert paper == draw_paper(pool, counts, 12345)
    assert paper == draw_paper({k: list(reversed(v)) for k, v in pool.items()}, counts, 12345)
    assert paper != draw_paper(pool, counts, 12346)
    assert len(set(paper)) == 25
    assert [q < 100 for q in paper[:10]] == [True] * 10 and all(200 <= q for q in paper[15:])


def test_an_attempts_paper_is_drawn_again_from_its_stored_seed_after_the_bank_grows(exam, candidate):
    attempt = services.attempt_start(candidate=candidate)
    services.question_create(actor=None, bank=exam.banks.get(), kind="single", stem="后加的题", option_a="甲",
                             option_b="乙", answer="A")
    exam.refresh_from_db()
    counts = {kind: count for kind, (count, _score) in exam.rule.items()}
    assert draw_paper(exam.question_pool, counts, attempt.seed) == attempt.paper
    assert len(attempt.paper) == 5


def test_each_candidate_gets_their_own_paper(world, exam):
    papers = set()
    for n in range(6):
        candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1), f"考生{n}"))
        papers.add(tuple(services.attempt_start(candidate=candidate).paper))
    assert len(papers) > 1


# -- scoring -----------------------------------------------------------------------------------------------------


def test_scoring_is_exact_and_a_multiple_choice_answer_must_be_complete():
    key = {1: ("single", "A"), 2: ("multiple", "AC"), 3: ("multiple", "BD"), 4: ("judge", "T"), 5: ("judge", "F")}
    scores = {"single": Decimal("1.5"), "multiple": Decimal("2.5"), "judge": Decimal("1")}
    marked = mark([1, 2, 3, 4, 5], key, {"1": "A", "2": "CA", "3": "B", "4": "T", "5": ""}, scores)
    assert marked.score == Decimal("5.0")
    assert marked.correct == 3
    assert marked.right == {1: True, 2: True, 3: False, 4: True, 5: False}
    assert mark([3], key, {"3": "ABD"}, scores).score == 0


def test_a_handed_in_paper_is_scored_and_passed_exactly(exam, candidate):
    attempt = services.attempt_start(candidate=candidate)
    answers = right_answers(attempt.paper)
    multiple = next(pk for pk in attempt.paper if Question.objects.get(pk=pk).kind == "multiple")
    answers[str(multiple)] = "A"  # half right is wrong: 10 points lost
    attempt = services.attempt_submit(attempt=attempt, answers=answers)
    assert (attempt.status, attempt.score, attempt.correct_count, attempt.passed) == (
        AttemptStatus.SUBMITTED, Decimal("20.0"), 4, True)
    change = StateChange.objects.get(subject_id=str(attempt.pk))
    assert (change.action, change.data["ticket_number"]) == ("submit", candidate.ticket_number)


def test_one_point_below_the_pass_mark_fails(world):
    exam = make_exam(world.county1, [make_bank(world.county1)], pass_mark=Decimal("25.5"))
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1)))
    attempt = services.attempt_start(candidate=candidate)
    answers = right_answers(attempt.paper)
    answers.pop(str(attempt.paper[0]))  # a 5-point single choice left blank
    attempt = services.attempt_submit(attempt=attempt, answers=answers)
    assert attempt.score == Decimal("25.0") and attempt.passed is False


def test_an_answer_that_is_not_an_option_is_refused(exam, candidate):
    attempt = services.attempt_start(candidate=candidate)
    with pytest.raises(ValidationError, match="第1题的答案无效"):
        services.attempt_save(attempt=attempt, answers={str(attempt.paper[0]): "AB"})


# -- the clock and the single attempt ----------------------------------------------------------------------------


def test_answers_after_the_time_limit_are_refused_and_the_saved_ones_are_scored(exam, candidate):
    start = timezone.now()
    attempt = services.attempt_start(candidate=candidate, at=start)
    assert attempt.deadline_at == start + datetime.timedelta(minutes=30)
    first = str(attempt.paper[0])
    services.attempt_save(attempt=attempt, answers={first: "A"}, at=start + datetime.timedelta(minutes=29))
    late = start + datetime.timedelta(minutes=31)
    with pytest.raises(ValidationError, match="考试时间已到"):
        services.attempt_submit(attempt=attempt, answers=right_answers(attempt.paper), at=late)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.answers == {first: "A"}
    attempt = services.attempt_time_out(attempt=attempt, at=late)
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.score == Decimal("5.0") and attempt.submitted_at == attempt.deadline_at


def test_the_time_limit_never_runs_past_the_closing_time(world):
    now = timezone.now()
    exam = make_exam(world.county1, [make_bank(world.county1)], opens_at=now - datetime.timedelta(hours=1),
                     closes_at=now + datetime.timedelta(minutes=10), duration=60)
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1)))
    assert services.attempt_start(candidate=candidate, at=now).deadline_at == exam.closes_at


def test_the_sweep_hands_in_attempts_whose_time_is_up(exam, candidate):
    attempt = services.attempt_start(candidate=candidate, at=timezone.now() - datetime.timedelta(minutes=40))
    services.attempt_save(attempt=attempt, answers=right_answers(attempt.paper),
                          at=timezone.now() - datetime.timedelta(minutes=39))
    assert time_out_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT and attempt.score == Decimal("30.0")
    assert time_out_attempts() == 0


def test_a_second_attempt_is_refused_with_the_time_of_the_first(exam, candidate):
    attempt = services.attempt_start(candidate=candidate)
    assert services.attempt_start(candidate=candidate).pk == attempt.pk  # carrying on is not a second attempt
    services.attempt_submit(attempt=attempt, answers={})
    with pytest.raises(ValidationError, match="本场考试每人只能参加一次"):
        services.attempt_start(candidate=candidate)
    with pytest.raises(ValidationError, match="已交卷"):
        services.attempt_save(attempt=attempt, answers={})
    assert Attempt.objects.filter(candidate=candidate).count() == 1


def test_the_same_person_cannot_be_enrolled_twice_through_two_enterprises(world, exam, candidate):
    second_job = services.trainee_create(actor=None, enterprise=EnterpriseFactory(region=world.village1),
                                         name="张明", id_number=candidate.trainee.id_number, industry="hazchem",
                                         post="employee")
    with pytest.raises(ValidationError, match="已报名本场考试"):
        enrol(exam, second_job)


def test_starting_before_the_window_or_after_it_is_refused(world):
    now = timezone.now()
    exam = make_exam(world.county1, [make_bank(world.county1)], opens_at=now + datetime.timedelta(hours=1),
                     closes_at=now + datetime.timedelta(hours=3))
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1)))
    with pytest.raises(ValidationError, match="考试尚未开始"):
        services.attempt_start(candidate=candidate)
    with pytest.raises(ValidationError, match="考试已于 .* 截止"):
        services.attempt_start(candidate=candidate, at=now + datetime.timedelta(hours=4))
    assert not Attempt.objects.exists()


def test_the_paper_rule_is_fixed_once_someone_has_started(world, exam, candidate):
    services.attempt_start(candidate=candidate)
    with pytest.raises(ValidationError, match="试卷规则"):
        services.exam_update(exam=exam, actor=world.county1_officer, judge_count=3)
    services.exam_update(exam=exam, actor=world.county1_officer, name="改名后的考试")


def test_a_county_cannot_change_the_citys_exam(world):
    exam = make_exam(world.city, [make_bank(world.city)])
    with pytest.raises(PermissionDenied):
        services.exam_update(exam=exam, actor=world.county1_officer, name="改名")


# -- results -----------------------------------------------------------------------------------------------------


def _sit(exam, enterprise, name, right: int):
    """Enrol and hand in with `right` correct single/judge answers (5 points each) and the multiple wrong."""
    candidate = enrol(exam, make_trainee(enterprise, name))
    attempt = services.attempt_start(candidate=candidate)
    kinds = dict(Question.objects.filter(pk__in=attempt.paper).values_list("pk", "kind"))
    key = right_answers(attempt.paper)
    answers = {str(pk): key[str(pk)] for pk in [p for p in attempt.paper if kinds[p] != "multiple"][:right]}
    return services.attempt_submit(attempt=attempt, answers=answers)


def test_results_by_enterprise_and_region_match_a_hand_count(world):
    exam = make_exam(world.city, [make_bank(world.city)], pass_mark=Decimal("15"))
    east, west = EnterpriseFactory(region=world.village1, name="甲企业"), EnterpriseFactory(region=world.village2,
                                                                                         name="乙企业")
    _sit(exam, east, "甲1", 4)  # 20, passed
    _sit(exam, east, "甲2", 2)  # 10, failed
    enrol(exam, make_trainee(east, "甲3"))  # absent
    _sit(exam, west, "乙1", 3)  # 15, passed
    city = exam_results(world.city_admin, exam)
    assert city["totals"] == {"enrolled": 4, "sat": 3, "absent": 1, "passed": 2, "pass_rate": Decimal("66.7"),
                              "average": Decimal("15.0")}
    rows = {r["name"]: r for r in city["by_enterprise"]}
    assert (rows["甲企业"]["enrolled"], rows["甲企业"]["sat"], rows["甲企业"]["pass_rate"],
            rows["甲企业"]["average"]) == (3, 2, Decimal("50.0"), Decimal("15.0"))
    assert [(r["name"], r["pass_rate"]) for r in city["by_region"]] == [("甲区", Decimal("50.0")),
                                                                          ("乙区", Decimal("100.0"))]
    county = exam_results(world.county1_officer, exam)
    assert [r["name"] for r in county["by_enterprise"]] == ["甲企业"]
    assert county["totals"]["enrolled"] == 3
    manager = add_enterprise_user(world, "west_manager", west)
    assert exam_results(manager, exam)["totals"]["sat"] == 1


def test_the_results_page_and_its_export_stay_inside_the_county(client, world):
    exam = make_exam(world.city, [make_bank(world.city)], pass_mark=Decimal("15"))
    _sit(exam, EnterpriseFactory(region=world.village1, name="甲企业"), "甲1", 4)
    _sit(exam, EnterpriseFactory(region=world.village2, name="乙企业"), "乙1", 4)
    client.force_login(world.county1_officer)
    page = client.get(f"/training/exams/{exam.pk}/results/").content.decode()
    assert "甲企业" in page and "乙企业" not in page

    export = client.get(f"/training/exams/{exam.pk}/results/?export=xlsx")
    cells = {str(c) for row in xlsx_rows(export.content) for c in row if c is not None}
    assert "甲企业" in cells and "乙企业" not in cells
    api = client.get(f"/api/training/exams/{exam.pk}/results/").json()
    assert [r["name"] for r in api["by_enterprise"]] == ["甲企业"]
    other = make_exam(world.county2, [make_bank(world.county2)])
    assert client.get(f"/training/exams/{other.pk}/results/").status_code == 404


# -- the exam room -----------------------------------------------------------------------------------------------


def test_a_candidate_logs_in_with_id_number_ticket_and_entry_code_only(client, candidate):
    wrong = client.post("/training/exam/login/", exam_login_data(candidate, ticket_number="0000000000"))
    assert wrong.status_code == 400 and "公民身份号码、准考证号或入场码不正确" in wrong.content.decode()
    data = exam_login_data(candidate, id_number=candidate.trainee.id_number.lower())
    right = client.post("/training/exam/login/", {**data, "room_code": data["room_code"].lower()})
    assert right.status_code == 302
    assert "开始考试" in client.get("/training/exam/").content.decode()


def test_repeated_wrong_logins_are_locked_out(client, candidate):
    for _attempt in range(10):
        client.post("/training/exam/login/", {"id_number": "x", "ticket_number": "1", "room_code": "ABC"})
    response = client.post("/training/exam/login/", exam_login_data(candidate))
    assert "登录失败次数过多" in response.content.decode()


def test_a_late_hand_in_from_the_exam_room_shows_why_and_the_score(client, candidate):
    client.post("/training/exam/login/", exam_login_data(candidate))
    attempt = services.attempt_start(candidate=candidate, at=timezone.now() - datetime.timedelta(minutes=31))
    response = client.post("/training/exam/paper/", {"submit": "1", f"q{attempt.paper[0]}": "A"})
    assert response.status_code == 400
    assert "考试时间已到" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT and attempt.answers == {}
    assert "超时自动交卷" in client.get("/training/exam/").content.decode()


def test_practice_checks_the_answer_at_once_and_explains_it(client, world):
    bank = make_bank(world.county1, singles=1, multiples=0, judges=0)
    question = bank.questions.get()
    client.force_login(world.county1_leader)
    assert question.stem in client.get(f"/training/practice/?bank={bank.pk}").content.decode()
    wrong = client.post("/training/practice/", {"bank": bank.pk, "question": question.pk, "answer": "B"})
    assert "回答错误" in wrong.content.decode() and "正确答案：A" in wrong.content.decode()
    client.get(f"/training/practice/?bank={bank.pk}")
    right = client.post("/training/practice/", {"bank": bank.pk, "question": question.pk, "answer": "A"})
    assert "回答正确" in right.content.decode() and "解析" in right.content.decode()


def test_practice_of_another_countys_bank_is_not_offered(client, world):
    theirs = make_bank(world.county2, singles=1, multiples=0, judges=0)
    client.force_login(world.county1_leader)
    response = client.post("/training/practice/", {"bank": theirs.pk, "question": theirs.questions.get().pk,
                                                   "answer": "A"})
    assert theirs.questions.get().stem not in response.content.decode()
