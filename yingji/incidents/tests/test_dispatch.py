"""Response, dispatch with its receipt loop, material allocation through the ledger, and the incident timeline."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yingji.core.models import StateChange
from yingji.core.workflow import InvalidTransition
from yingji.incidents import services
from yingji.incidents.models import DispatchTask, MaterialAllocation, TaskStatus
from yingji.incidents.selectors import incident_timeline
from yingji.incidents.states import TASK_WORKFLOW
from yingji.incidents.testing import IncidentFactory, add_duty_people
from yingji.resources.models import RescueTeam, StockBalance
from yingji.resources.services import stock_receive
from yingji.resources.testing import MaterialFactory, RescueTeamFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return add_duty_people(world)


def task_changes(task):
    from django.contrib.contenttypes.models import ContentType

    return StateChange.objects.filter(subject_type=ContentType.objects.get_for_model(DispatchTask),
                                      subject_id=str(task.pk))


def dispatched(people):
    incident = IncidentFactory(region=people.village1)
    team = RescueTeamFactory(region=people.county1, name="甲区危化救援队")
    task = services.task_dispatch(incident=incident, actor=people.county1_duty, team=team, instruction="赶赴现场")
    return incident, team, task


def test_dispatching_a_team_deploys_it_and_completion_sends_it_to_rest(people):
    incident, team, task = dispatched(people)
    assert RescueTeam.objects.get(pk=team.pk).status == "deployed"
    for action in ("accept", "start"):
        task = services.task_advance(task=task, actor=people.county1_rescue, action=action)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.task_advance(task=task, actor=people.county1_rescue, action="complete")
    task = services.task_advance(task=task, actor=people.county1_rescue, action="complete", feedback="明火已扑灭")
    assert (task.status, task.feedback) == (TaskStatus.COMPLETED, "明火已扑灭")
    assert task.completed_at is not None
    assert RescueTeam.objects.get(pk=team.pk).status == "resting"


def test_a_deployed_team_cannot_be_sent_again(people):
    incident, team, _task = dispatched(people)
    with pytest.raises(ValidationError, match="不能调派"):
        services.task_dispatch(incident=incident, actor=people.county1_duty, team=RescueTeam.objects.get(pk=team.pk),
                               instruction="再去")
    assert DispatchTask.objects.count() == 1


def test_another_county_cannot_dispatch_to_the_incident(people):
    incident = IncidentFactory(region=people.village1)
    team = RescueTeamFactory(region=people.county2)
    with pytest.raises(PermissionDenied):
        services.task_dispatch(incident=incident, actor=people.county2_duty, team=team, instruction="x")
    assert not DispatchTask.objects.exists()


@pytest.mark.parametrize(("state", "action"), list(itertools.product(
    TaskStatus.values, sorted({t.action for t in TASK_WORKFLOW.transitions}))))
def test_each_task_move_is_allowed_or_refused_as_the_table_says(people, state, action):
    _incident, _team, task = dispatched(people)
    path = {"issued": [], "accepted": ["accept"], "in_progress": ["accept", "start"],
            "completed": ["accept", "start", "complete"]}[state]
    for step in path:
        task = services.task_advance(task=task, actor=None, action=step, feedback="ok")
    StateChange.objects.all().delete()
    allowed = {(t.source, t.action): t.target for t in TASK_WORKFLOW.transitions}
    if (state, action) in allowed:
        moved = services.task_advance(task=task, actor=people.county1_rescue, action=action, feedback="反馈")
        assert moved.status == allowed[(state, action)]
        assert task_changes(task).count() == 1
    else:
        with pytest.raises(InvalidTransition):
            services.task_advance(task=task, actor=people.county1_rescue, action=action, feedback="反馈")
        assert DispatchTask.objects.get(pk=task.pk).status == state
        assert not task_changes(task).exists()


def test_a_viewer_cannot_advance_a_task(people):
    _incident, _team, task = dispatched(people)
    with pytest.raises(InvalidTransition, match="无权"):
        services.task_advance(task=task, actor=people.county1_leader, action="accept")


def test_materials_are_issued_through_the_ledger_and_never_beyond_the_stock(people):
    incident = IncidentFactory(region=people.village1)
    store = WarehouseFactory(region=people.county1)
    tents = MaterialFactory(name="帐篷", unit="顶")
    stock_receive(warehouse=store, material=tents, quantity=50, document_number="RK-1", actor=None)
    allocation = services.material_allocate(incident=incident, actor=people.county1_duty, warehouse=store,
                                            material=tents, quantity=20, destination="安置点")
    assert allocation.document_number == f"DB-{incident.code}-01"
    assert StockBalance.objects.get(warehouse=store).quantity == 30
    movement = store.movements.get(document_number=allocation.document_number)
    assert movement.actor == people.county1_duty and movement.quantity == -20
    with pytest.raises(ValidationError, match="库存不足"):
        services.material_allocate(incident=incident, actor=people.county1_duty, warehouse=store, material=tents,
                                   quantity=31)
    assert MaterialAllocation.objects.count() == 1
    assert StockBalance.objects.get(warehouse=store).quantity == 30


def test_materials_of_another_county_cannot_be_allocated(people):
    incident = IncidentFactory(region=people.village1)
    store = WarehouseFactory(region=people.county2)
    tents = MaterialFactory()
    stock_receive(warehouse=store, material=tents, quantity=5, document_number="RK-1", actor=None)
    with pytest.raises(PermissionDenied):
        services.material_allocate(incident=incident, actor=people.county1_duty, warehouse=store, material=tents,
                                   quantity=1)
    assert StockBalance.objects.get(warehouse=store).quantity == 5


def test_only_one_active_response_per_incident(people):
    incident = IncidentFactory(region=people.village1)
    services.response_start(incident=incident, actor=people.county1_duty, level="4", commander="钱局长")
    with pytest.raises(ValidationError, match="已启动"):
        services.response_start(incident=incident, actor=people.county1_duty, level="3")


def test_the_timeline_lists_everything_in_order(people):
    incident, _team, task = dispatched(people)
    services.report_submit(incident=incident, actor=people.county1_duty, kind="first")
    services.task_advance(task=task, actor=people.county1_rescue, action="accept")
    whats = [e["what"] for e in incident_timeline(people.county1_duty, incident)]
    assert whats[0] == "接报"
    assert whats.index("下达任务") < whats.index("首报") < whats.index("签收任务")
    times = [e["at"] for e in incident_timeline(people.county1_duty, incident)]
    assert times == sorted(times)


def test_a_team_of_another_county_cannot_be_sent(people):
    incident = IncidentFactory(region=people.village1)
    team = RescueTeamFactory(region=people.county2)
    with pytest.raises(PermissionDenied):
        services.task_dispatch(incident=incident, actor=people.county1_duty, team=team, instruction="x")
    assert RescueTeam.objects.get(pk=team.pk).status == "standby"
