"""Every write to training records goes through here.

Banks, questions and exams are changed only inside the owner's jurisdiction (`owns`), although everyone below
may read them. Candidates act without a platform account (exam session by ID number and admission ticket), so the
attempt services take the candidate and `at` (the moment, for tests and the demo) rather than an actor.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition
from yingji.standards import division
from yingji.training.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    Exam,
    Question,
    QuestionBank,
    QuestionKind,
    Trainee,
    is_exam_administrator,
    normalise_answer,
    owns,
)
from yingji.training.paper import draw_paper, mark
from yingji.training.states import WORKFLOW

# A request sent in the last second before the time limit may arrive a little after it.
GRACE = datetime.timedelta(seconds=15)
RULE_FIELDS = ("single_count", "single_score", "multiple_count", "multiple_score", "judge_count", "judge_score",
               "opens_at", "duration_minutes")


def _ensure_owns(actor: User | None, obj: Any) -> None:
    if not owns(actor, obj):
        raise PermissionDenied(_("只能修改本辖区编制的题库和考试，上级发布的只能查看和使用。"))


def _localtime(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


# -- banks and questions ----------------------------------------------------------------------------------------


@transaction.atomic
def bank_create(*, actor: User | None, **fields: Any) -> QuestionBank:
    """A new bank, kept by the actor's own jurisdiction."""
    bank = scoped_create(QuestionBank, actor=actor, reason=_("新建题库"), **fields)
    _ensure_owns(actor, bank)
    return bank


@transaction.atomic
def bank_update(*, bank: QuestionBank, actor: User | None, **fields: Any) -> QuestionBank:
    _ensure_owns(actor, bank)
    bank = scoped_update(bank, actor=actor, reason=_("修改题库"), **fields)
    _ensure_owns(actor, bank)
    if "region" in fields:
        Question._base_manager.filter(bank=bank).exclude(region=bank.region).update(region=bank.region)
    return bank


def _next_code(bank: QuestionBank) -> str:
    # The bank row lock serialises code generation for its questions.
    QuestionBank._base_manager.select_for_update().get(pk=bank.pk)
    number = Question._base_manager.filter(bank=bank).count() + 1
    while Question._base_manager.filter(code=f"Q{bank.pk:03d}-{number:05d}").exists():
        number += 1
    return f"Q{bank.pk:03d}-{number:05d}"


@transaction.atomic
def question_create(*, actor: User | None, bank: QuestionBank, code: str = "", **fields: Any) -> Question:
    """A question in a bank the actor's jurisdiction keeps; without a code, the next one of the bank."""
    _ensure_owns(actor, bank)
    code = (code or "").strip().upper() or _next_code(bank)
    return scoped_create(Question, actor=actor, reason=_("新增试题"), bank=bank, region=bank.region, code=code,
                         **fields)


@transaction.atomic
def question_update(*, question: Question, actor: User | None, **fields: Any) -> Question:
    _ensure_owns(actor, question)
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip().upper() or question.code
    if "bank" in fields:
        _ensure_owns(actor, fields["bank"])
        fields["region"] = fields["bank"].region
    return scoped_update(question, actor=actor, reason=_("修改试题"), **fields)


# -- trainees ------------------------------------------------------------------------------------------------------


@transaction.atomic
def trainee_create(*, actor: User | None, enterprise, **fields: Any) -> Trainee:
    """Register a member of an enterprise's staff; they lie where the enterprise lies."""
    if actor is not None and actor.scope_enterprise_id and actor.scope_enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能登记本企业的从业人员。"))
    _refuse_duplicate(enterprise, fields.get("id_number", ""), None)
    return scoped_create(Trainee, actor=actor, reason=_("登记从业人员"), enterprise=enterprise,
                         region_id=enterprise.region_id, **fields)


@transaction.atomic
def trainee_update(*, trainee: Trainee, actor: User | None, **fields: Any) -> Trainee:
    if "enterprise" in fields:
        fields["region_id"] = fields["enterprise"].region_id
    enterprise = fields.get("enterprise", trainee.enterprise)
    _refuse_duplicate(enterprise, fields.get("id_number", trainee.id_number), trainee.pk)
    return scoped_update(trainee, actor=actor, reason=_("修改从业人员信息"), **fields)


def _refuse_duplicate(enterprise, id_number: str, pk: int | None) -> None:
    id_number = (id_number or "").strip().upper()
    if id_number and Trainee._base_manager.filter(enterprise=enterprise, id_number=id_number).exclude(pk=pk).exists():
        raise ValidationError({"id_number": _("本企业已登记该公民身份号码的人员")})


# -- exams -------------------------------------------------------------------------------------------------------


def pool_of(banks: Iterable[QuestionBank]) -> dict[str, list[int]]:
    """The active question ids of the banks, by kind, sorted: what papers are drawn from."""
    pool: dict[str, list[int]] = {kind: [] for kind in QuestionKind.values}
    rows = Question._base_manager.filter(bank__in=list(banks), is_active=True).values_list("kind", "pk")
    for kind, pk in rows.order_by("pk"):
        pool[kind].append(pk)
    return pool


def _check_supply(exam: Exam, pool: Mapping[str, list[int]]) -> None:
    short = []
    for kind, (count, _score) in exam.rule.items():
        if count > len(pool.get(kind, [])):
            short.append(_("%(kind)s需 %(count)d 道，所选题库仅有 %(have)d 道") % {
                "kind": QuestionKind(kind).label, "count": count, "have": len(pool.get(kind, []))})
    if short:
        raise ValidationError({"banks": "；".join(short)})


def _exam_code(opens_at: datetime.datetime | None) -> str:
    year = timezone.localtime(opens_at).year if opens_at else timezone.localdate().year
    number = Exam._base_manager.filter(code__startswith=f"KS{year}").count() + 1
    while Exam._base_manager.filter(code=f"KS{year}{number:04d}").exists():
        number += 1
    return f"KS{year}{number:04d}"


@transaction.atomic
def exam_create(*, actor: User | None, banks: Iterable[QuestionBank], **fields: Any) -> Exam:
    """An exam of the actor's jurisdiction; its question pool is fixed from the banks' active questions now."""
    banks = list(banks)
    if not banks:
        raise ValidationError({"banks": _("请选择至少一个题库")})
    if actor is not None:
        visible = QuestionBank.objects.restrict(actor, "view").filter(pk__in=[b.pk for b in banks]).count()
        if visible != len(banks):
            raise PermissionDenied(_("所选题库不在您可使用的范围内。"))
    pool = pool_of(banks)
    _check_supply(Exam(**fields), pool)
    exam = scoped_create(Exam, actor=actor, reason=_("新建考试"), code=_exam_code(fields.get("opens_at")),
                         question_pool=pool, **fields)
    _ensure_owns(actor, exam)
    exam.banks.set(banks)
    return exam


@transaction.atomic
def exam_update(*, exam: Exam, actor: User | None, banks: Iterable[QuestionBank] | None = None,
                **fields: Any) -> Exam:
    """Change an exam. Once anyone has started, the paper rule, banks, opening time and length are fixed."""
    _ensure_owns(actor, exam)
    started = Attempt._base_manager.filter(exam=exam).exists()
    banks = list(banks) if banks is not None else None
    if started:
        changed = [name for name in RULE_FIELDS if name in fields and getattr(exam, name) != fields[name]]
        if banks is not None and {b.pk for b in banks} != set(exam.banks.values_list("pk", flat=True)):
            changed.append("banks")
        if changed:
            raise ValidationError({name: _("已有考生开始答题，试卷规则、题库、开考时间和时长不能再修改")
                                   for name in changed})
    exam = scoped_update(exam, actor=actor, reason=_("修改考试"), **fields)
    _ensure_owns(actor, exam)
    if not started:
        if banks is not None:
            exam.banks.set(banks)
        pool = pool_of(exam.banks.all())
        _check_supply(exam, pool)
        if pool != exam.question_pool:
            exam.question_pool = pool
            save_with_history(exam, actor=actor, reason=_("更新试题池"))
    return exam


# -- enrolment -----------------------------------------------------------------------------------------------------


def _ticket_number() -> str:
    while True:
        number = f"{secrets.randbelow(10**10):010d}"
        if not Candidate._base_manager.filter(ticket_number=number).exists():
            return number


@transaction.atomic
def candidate_enrol(*, actor: User | None, exam: Exam, trainee: Trainee, at: datetime.datetime | None = None,
                    ticket_number: str | None = None) -> Candidate:
    """Enrol a trainee the actor may manage in an exam open to the trainee's enterprise; issue a ticket number.

    `at` and `ticket_number` are for the demo city, which enrols people in past exams with fixed tickets.
    """
    if actor is not None:
        ensure_perm(actor, Candidate, "add")
        if not Exam.objects.restrict(actor, "view").filter(pk=exam.pk).exists():
            raise PermissionDenied(_("该考试不在您的管辖范围内。"))
        if not Trainee.objects.restrict(actor, "view").filter(pk=trainee.pk).exists():
            raise PermissionDenied(_("该人员不在您的管辖范围内。"))
    if not trainee.region_id.startswith(division.significant_prefix(exam.region_id)):
        raise ValidationError(_("%(name)s所在企业不在本场考试的组织范围内") % {"name": trainee.name})
    if (at or timezone.now()) >= exam.closes_at:
        raise ValidationError(_("考试已截止，不能再报名"))
    if Candidate._base_manager.filter(exam=exam, trainee__id_number=trainee.id_number).exists():
        raise ValidationError(_("%(name)s已报名本场考试") % {"name": trainee.name})
    candidate = Candidate(exam=exam, trainee=trainee, enterprise_id=trainee.enterprise_id, region_id=trainee.region_id,
                          ticket_number=ticket_number or _ticket_number())
    candidate.full_clean()
    save_with_history(candidate, actor=actor, reason=_("考试报名"))
    if actor is not None:
        ensure_in_scope(actor, candidate)
    return candidate


# No 0/O, 1/I/L: the code is read off a slip and typed by hand.
ROOM_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ROOM_CODE_LENGTH = 6


def normalise_room_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _room_code_digest(candidate_pk: int, code: str) -> str:
    # Keyed with the site secret: a leaked table does not let anyone try all 31^6 codes offline.
    return salted_hmac("yingji.training.room_code", f"{candidate_pk}:{normalise_room_code(code)}").hexdigest()


@transaction.atomic
def room_codes_issue(*, actor: User | None, exam: Exam, candidate_ids: Iterable[int] | None = None,
                     at: datetime.datetime | None = None) -> list[tuple[Candidate, str]]:
    """Issue each candidate (all of the exam's, or those listed) a new one-time entry code (入场码).

    Only an exam administrator of the exam's region may: the invigilator hands the slip to the candidate after
    checking the identity card, so an enterprise manager who knows a candidate's ID number and ticket cannot take
    the exam for them. A new code replaces the previous one; each code opens the exam room once.
    """
    if actor is not None and not is_exam_administrator(actor, exam.region_id):
        raise PermissionDenied(_("只有本场考试所属辖区的考试管理人员才能发放入场码。"))
    if (at or timezone.now()) >= exam.closes_at:
        raise ValidationError(_("考试已截止，不能再发放入场码"))
    candidates = Candidate.objects.restrict(actor, "view") if actor is not None else Candidate._base_manager
    candidates = candidates.filter(exam=exam).select_related("trainee", "enterprise").order_by("enterprise_id", "ticket_number")
    if candidate_ids is not None:
        candidates = candidates.filter(pk__in=list(candidate_ids))
    issued = []
    for candidate in candidates.select_for_update(of=("self",)):
        code = "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))
        candidate.room_code_hash = _room_code_digest(candidate.pk, code)
        candidate.room_code_issued_at = at or timezone.now()
        candidate.save(update_fields=["room_code_hash", "room_code_issued_at"])
        issued.append((candidate, code))
    return issued


def candidate_for_login(*, id_number: str, ticket_number: str, room_code: str) -> Candidate | None:
    """The candidate with this ID number, ticket and unused entry code, or None (never says which was wrong).

    The code is used up by the same UPDATE that checks it, so two logins with one code cannot both succeed.
    """
    candidate = (Candidate._base_manager.select_related("exam", "trainee", "enterprise")
                 .filter(ticket_number=ticket_number.strip(), trainee__id_number=id_number.strip().upper()).first())
    if candidate is None or not candidate.room_code_hash:
        return None
    digest = _room_code_digest(candidate.pk, room_code)
    if not constant_time_compare(digest, candidate.room_code_hash):
        return None
    used = Candidate._base_manager.filter(pk=candidate.pk, room_code_hash=digest).update(room_code_hash="")
    return candidate if used == 1 else None


# -- attempts ------------------------------------------------------------------------------------------------------


@transaction.atomic
def attempt_start(*, candidate: Candidate, at: datetime.datetime | None = None, seed: int | None = None) -> Attempt:
    """Start the candidate's one attempt, or return it to carry on while its time lasts.

    The paper is drawn from the exam's fixed question pool with a fresh seed stored on the attempt, so the same
    paper can be drawn again from the record. Refused outside the window and after the paper was handed in.
    """
    now = at or timezone.now()
    candidate = Candidate._base_manager.select_for_update().select_related("exam").get(pk=candidate.pk)
    exam = candidate.exam
    existing = Attempt._base_manager.filter(candidate=candidate).first()
    if existing is not None:
        if existing.status != AttemptStatus.IN_PROGRESS:
            raise InvalidTransition(_("您已于 %(time)s 交卷，本场考试每人只能参加一次。")
                                    % {"time": _localtime(existing.submitted_at)})
        if now > existing.deadline_at + GRACE:
            raise InvalidTransition(_("考试时间已到（答题截止 %(time)s），不能继续答题。")
                                    % {"time": _localtime(existing.deadline_at)})
        return existing
    if now < exam.opens_at:
        raise InvalidTransition(_("考试尚未开始，开考时间为 %(time)s。") % {"time": _localtime(exam.opens_at)})
    if now >= exam.closes_at:
        raise InvalidTransition(_("考试已于 %(time)s 截止，不能再开始答题。") % {"time": _localtime(exam.closes_at)})
    seed = secrets.randbits(52) if seed is None else seed
    counts = {kind: count for kind, (count, _score) in exam.rule.items()}
    attempt = Attempt(
        candidate=candidate, exam=exam, enterprise_id=candidate.enterprise_id, region_id=candidate.region_id,
        seed=seed, paper=draw_paper(exam.question_pool, counts, seed), answers={}, started_at=now,
        deadline_at=min(now + datetime.timedelta(minutes=exam.duration_minutes), exam.closes_at),
    )
    attempt.full_clean()
    save_with_history(attempt, actor=None, reason=_("开始考试（准考证号 %(ticket)s）")
                      % {"ticket": candidate.ticket_number})
    return attempt


def _clean_answers(attempt: Attempt, answers: Mapping[str, Any]) -> dict[str, str]:
    kinds = dict(Question._base_manager.filter(pk__in=attempt.paper).values_list("pk", "kind"))
    cleaned: dict[str, str] = {}
    for position, question_id in enumerate(attempt.paper, start=1):
        raw = answers.get(str(question_id))
        if raw in (None, "", []):
            continue
        value = normalise_answer(kinds[question_id], "".join(raw) if isinstance(raw, list) else raw)
        valid = value in ("T", "F") if kinds[question_id] == QuestionKind.JUDGE else (
            value.isalpha() and value.isascii() and (len(value) == 1 or kinds[question_id] == QuestionKind.MULTIPLE))
        if not valid:
            raise ValidationError(_("第%(n)d题的答案无效") % {"n": position})
        cleaned[str(question_id)] = value
    return cleaned


def _lock_open(attempt: Attempt, now: datetime.datetime) -> Attempt:
    locked = Attempt._base_manager.select_for_update().get(pk=attempt.pk)
    if locked.status != AttemptStatus.IN_PROGRESS:
        raise InvalidTransition(_("本场考试您已交卷（%(status)s），答案不能再修改。")
                                % {"status": locked.get_status_display()})
    if now > locked.deadline_at + GRACE:
        raise InvalidTransition(
            _("考试时间已到（答题截止 %(time)s），本次提交未被接受；系统将按截止前保存的答案自动交卷。")
            % {"time": _localtime(locked.deadline_at)})
    return locked


@transaction.atomic
def attempt_save(*, attempt: Attempt, answers: Mapping[str, Any], at: datetime.datetime | None = None) -> Attempt:
    """Keep the answers given so far (暂存); refused after the time limit or once handed in."""
    locked = _lock_open(attempt, at or timezone.now())
    locked.answers = {**locked.answers, **_clean_answers(locked, answers)}
    locked.save(update_fields=["answers"])
    return locked


def _scored(attempt: Attempt) -> dict[str, Any]:
    exam = attempt.exam
    key = {pk: (kind, answer) for pk, kind, answer in
           Question._base_manager.filter(pk__in=attempt.paper).values_list("pk", "kind", "answer")}
    marked = mark(attempt.paper, key, attempt.answers, {kind: score for kind, (_n, score) in exam.rule.items()})
    return {"score": marked.score, "correct_count": marked.correct, "passed": marked.score >= exam.pass_mark}


@transaction.atomic
def attempt_submit(*, attempt: Attempt, answers: Mapping[str, Any] | None = None,
                   at: datetime.datetime | None = None) -> Attempt:
    """Hand in (交卷): keep the last answers, score the paper, record the result."""
    now = at or timezone.now()
    locked = _lock_open(attempt, now)
    if answers is not None:
        locked.answers = {**locked.answers, **_clean_answers(locked, answers)}
        locked.save(update_fields=["answers"])
    return transition(locked, workflow=WORKFLOW, action="submit", actor=None,
                      changes={"submitted_at": min(now, locked.deadline_at), **_scored(locked)},
                      data={"ticket_number": locked.candidate.ticket_number})


@transaction.atomic
def attempt_time_out(*, attempt: Attempt, at: datetime.datetime | None = None) -> Attempt | None:
    """At the time limit, hand in what was saved; None if the attempt is not (yet) due."""
    now = at or timezone.now()
    locked = Attempt._base_manager.select_for_update().get(pk=attempt.pk)
    if locked.status != AttemptStatus.IN_PROGRESS or now <= locked.deadline_at + GRACE:
        return None
    return transition(locked, workflow=WORKFLOW, action="time_out", actor=None,
                      changes={"submitted_at": locked.deadline_at, **_scored(locked)},
                      data={"ticket_number": locked.candidate.ticket_number})
