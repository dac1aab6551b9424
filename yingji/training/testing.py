"""Training records for tests, created through the services like any other."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from yingji.standards.resident_id import check_character
from yingji.training import services
from yingji.training.models import Candidate, Exam, Industry, Post, Question, QuestionBank, QuestionKind, Trainee

_serial = itertools.count(1)


def id_number(county_code: str = "390102", born: str = "19850312") -> str:
    """A valid, unique 公民身份号码 (GB 11643-1999) registered in `county_code`."""
    first17 = f"{county_code}{born}{next(_serial) % 1000:03d}"
    return first17 + check_character(first17)


def make_bank(region, name: str = "", *, singles: int = 4, multiples: int = 2, judges: int = 4,
              actor=None) -> QuestionBank:
    """A bank with `singles` single-choice (answer A), `multiples` multiple-choice (answer AC) and `judges`
    true/false (answer 正确) questions."""
    bank = services.bank_create(actor=actor, name=name or f"测试题库{next(_serial)}", industry=Industry.HAZCHEM,
                                post=Post.SAFETY_MANAGER, region=region)
    for n in range(singles):
        services.question_create(actor=actor, bank=bank, kind=QuestionKind.SINGLE, stem=f"单选题{n}",
                                 option_a="对的", option_b="错的", option_c="也错", answer="A", explanation="解析")
    for n in range(multiples):
        services.question_create(actor=actor, bank=bank, kind=QuestionKind.MULTIPLE, stem=f"多选题{n}",
                                 option_a="对", option_b="错", option_c="对", option_d="错", answer="AC")
    for n in range(judges):
        services.question_create(actor=actor, bank=bank, kind=QuestionKind.JUDGE, stem=f"判断题{n}", answer="正确")
    return bank


def make_exam(region, banks, *, name: str = "", opens_at=None, closes_at=None, duration: int = 60,
              actor=None, **rule) -> Exam:
    """An exam open now: 2 single (5 points), 1 multiple (10), 2 judge (5) by default: 30 points, pass at 20."""
    now = timezone.now()
    fields = {"single_count": 2, "single_score": Decimal("5"), "multiple_count": 1, "multiple_score": Decimal("10"),
              "judge_count": 2, "judge_score": Decimal("5"), "pass_mark": Decimal("20"), **rule}
    return services.exam_create(
        actor=actor, banks=banks, name=name or f"测试考试{next(_serial)}", region=region,
        opens_at=opens_at or now - datetime.timedelta(hours=1),
        closes_at=closes_at or now + datetime.timedelta(days=1), duration_minutes=duration, **fields)


def make_trainee(enterprise, name: str = "", actor=None) -> Trainee:
    return services.trainee_create(actor=actor, enterprise=enterprise, name=name or f"考生{next(_serial)}",
                                   id_number=id_number(enterprise.region_id[:6]), industry=Industry.HAZCHEM,
                                   post=Post.SAFETY_MANAGER)


def enrol(exam: Exam, trainee: Trainee) -> Candidate:
    return services.candidate_enrol(actor=None, exam=exam, trainee=trainee)


def room_code(candidate: Candidate) -> str:
    """A fresh one-time entry code for the candidate, as the invigilator would hand it over."""
    ((_candidate, code),) = services.room_codes_issue(actor=None, exam=candidate.exam, candidate_ids=[candidate.pk])
    return code


def exam_login_data(candidate: Candidate, **overrides: str) -> dict[str, str]:
    """The exam-room login form filled in by the candidate with a fresh entry code."""
    return {"id_number": candidate.trainee.id_number, "ticket_number": candidate.ticket_number,
            "room_code": room_code(candidate), **overrides}


def right_answers(paper: list[int]) -> dict[str, str]:
    answers = dict(Question._base_manager.filter(pk__in=paper).values_list("pk", "answer"))
    return {str(pk): answers[pk] for pk in paper}
