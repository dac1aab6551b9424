"""The attempt workflow, tested from its table: every allowed move and every refused one."""

import datetime
import itertools

import pytest
from django.utils import timezone

from yingji.core.models import StateChange
from yingji.core.workflow import InvalidTransition, transition
from yingji.enterprises.testing import EnterpriseFactory
from yingji.training import services
from yingji.training.models import Attempt, AttemptStatus
from yingji.training.states import WORKFLOW
from yingji.training.testing import enrol, make_bank, make_exam, make_trainee

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}
SERVICES = {"submit": services.attempt_submit, "time_out": services.attempt_time_out}


def _attempt_in(world, state: str) -> Attempt:
    exam = make_exam(world.county1, [make_bank(world.county1)], duration=30)
    candidate = enrol(exam, make_trainee(EnterpriseFactory(region=world.village1)))
    attempt = services.attempt_start(candidate=candidate, at=timezone.now() - datetime.timedelta(minutes=40))
    if state == AttemptStatus.SUBMITTED:
        attempt = services.attempt_submit(attempt=attempt, at=attempt.started_at)
    elif state == AttemptStatus.TIMED_OUT:
        attempt = services.attempt_time_out(attempt=attempt)
    return attempt


@pytest.mark.parametrize(("state", "action"), list(itertools.product(AttemptStatus.values, ACTIONS)))
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    attempt = _attempt_in(world, state)
    changes = StateChange.objects.count()
    # The candidate's own move, made in time (the time-out at the limit).
    at = attempt.started_at if action == "submit" else None
    if (state, action) in ALLOWED:
        moved = SERVICES[action](attempt=attempt, at=at)
        assert moved.status == ALLOWED[(state, action)]
        assert StateChange.objects.count() == changes + 1
    else:
        with pytest.raises(InvalidTransition):
            transition(attempt, workflow=WORKFLOW, action=action, actor=None)
        attempt.refresh_from_db()
        assert attempt.status == state
        assert StateChange.objects.count() == changes


@pytest.mark.parametrize("action", ACTIONS)
def test_no_platform_user_may_hand_in_or_time_out_a_candidates_paper(world, action):
    attempt = _attempt_in(world, AttemptStatus.IN_PROGRESS)
    with pytest.raises(InvalidTransition, match="您无权"):
        transition(attempt, workflow=WORKFLOW, action=action, actor=world.county1_officer)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_an_attempt_not_yet_due_is_not_timed_out(world):
    exam = make_exam(world.county1, [make_bank(world.county1)])
    attempt = services.attempt_start(candidate=enrol(exam, make_trainee(EnterpriseFactory(region=world.village1))))
    assert services.attempt_time_out(attempt=attempt) is None
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
