"""A candidate takes a supervised exam in the browser and sees the score (Debian's chromium via Playwright)."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

import yingji.core.browser_testing  # noqa: F401 - lets the ORM run beside Playwright's event loop
from yingji.core.testing import build_world
from yingji.enterprises.testing import EnterpriseFactory
from yingji.training.models import Attempt, Question
from yingji.training.testing import enrol, make_bank, make_exam, make_trainee, room_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_logs_in_answers_hands_in_and_sees_the_score(page: Page, live_server, transactional_db):
    world = build_world()
    exam = make_exam(world.county1, [make_bank(world.county1)], name="危化品企业安全管理人员考试")
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1, name="甲区示范化工有限公司"),
                                         "张明"))
    base = live_server.url
    page.goto(f"{base}/training/exam/login/")
    page.get_by_label("公民身份号码").fill(candidate.trainee.id_number)
    page.get_by_label("准考证号").fill(candidate.ticket_number)
    page.get_by_label("入场码").fill(room_code(candidate))
    page.get_by_role("button", name="进入考试").click()
    expect(page.locator("h1")).to_have_text("危化品企业安全管理人员考试")
    expect(page.locator("#candidate")).to_contain_text("张明")
    page.get_by_role("button", name="开始考试").click()
    expect(page.locator("fieldset.question")).to_have_count(5)

    attempt = Attempt.objects.get(candidate=candidate)
    questions = Question.objects.in_bulk(attempt.paper)
    # Everything right except the first question (a 5-point single choice): 25 of 30 points.
    for number, question_id in enumerate(attempt.paper, start=1):
        question = questions[question_id]
        letters = question.answer if number > 1 else "B"
        for letter in letters:
            page.locator(f"#q{question_id}-{letter}").check()
    page.get_by_role("button", name="暂存答案").click()
    expect(page.get_by_role("status")).to_contain_text("答案已暂存")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("#score")).to_have_text("25.0")
    expect(page.locator("#result")).to_contain_text("合格")
    expect(page.locator("#result")).to_contain_text("答对 4 / 5 题")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("25.0") and attempt.passed

    page.goto(f"{base}/training/exam/")
    expect(page.get_by_role("button", name="开始考试")).to_have_count(0)
