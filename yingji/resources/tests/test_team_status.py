"""The rescue-team status workflow, tested from its own table: every allowed move and every refused one."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yingji.core.models import StateChange
from yingji.core.workflow import InvalidTransition
from yingji.resources.models import RescueTeam, TeamStatus
from yingji.resources.services import rescue_team_change_status, rescue_team_update
from yingji.resources.states import WORKFLOW
from yingji.resources.testing import RescueTeamFactory

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}


def team_in(world, state):
    team = RescueTeamFactory(region=world.county1)
    path = {"standby": [], "deployed": ["deploy"], "resting": ["deploy", "withdraw"]}[state]
    for action in path:
        team = rescue_team_change_status(team=team, actor=None, action=action)
    StateChange.objects.all().delete()
    return team


@pytest.mark.parametrize(("state", "action"), list(itertools.product(TeamStatus.values, ACTIONS)))
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    team = team_in(world, state)
    if (state, action) in ALLOWED:
        changed = rescue_team_change_status(team=team, actor=world.county1_admin, action=action, reason="值班安排")
        assert changed.status == ALLOWED[(state, action)]
        change = StateChange.objects.get()
        assert (change.from_state, change.to_state, change.actor) == (state, changed.status, world.county1_admin)
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            rescue_team_change_status(team=team, actor=world.county1_admin, action=action, reason="x")
        assert RescueTeam.objects.get(pk=team.pk).status == state
        assert not StateChange.objects.exists()


def test_a_viewer_cannot_deploy_a_team(world):
    team = team_in(world, "standby")
    with pytest.raises(InvalidTransition, match="无权"):
        rescue_team_change_status(team=team, actor=world.county1_leader, action="deploy")


def test_another_county_cannot_deploy_a_team(world):
    team = team_in(world, "standby")
    with pytest.raises(PermissionDenied):
        rescue_team_change_status(team=team, actor=world.county2_admin, action="deploy")
    assert RescueTeam.objects.get(pk=team.pk).status == TeamStatus.STANDBY


def test_an_edit_cannot_change_the_status(world):
    team = team_in(world, "standby")
    with pytest.raises(ValidationError, match="出动"):
        rescue_team_update(obj=team, actor=world.county1_admin, status="deployed")
