"""我的待办 derived from the workflow tables: every rule's set-based twin agrees with the rule, counts stay inside
the user's jurisdiction, the list link narrows to exactly the records waiting, the header counts them, the detail
page says who acts next, and a move declared `announce` tells those people."""

import pytest
from django.core import checks
from django.db.models import Q
from django.urls import reverse

from yingji.core import roles
from yingji.core.models import Notification
from yingji.core.scoping import is_in_scope
from yingji.core.services import organization_create
from yingji.core.specs import spec_for
from yingji.core.testing import add_enterprise_user, build_world
from yingji.core.todos import (
    Waiting,
    next_steps,
    todo_filter,
    todo_items,
    waiting_states,
    who_may_act,
    workflow_specs,
    workflow_todos,
)
from yingji.core.workflow import Transition, Workflow
from yingji.disasters.testing import make_consultation, make_event, make_report, make_task
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.testing import HazardFactory, bring_to
from yingji.plans.testing import bring_plan_to, make_plan
from yingji.tipoffs.testing import make_tipoff
from yingji.warnings import services as warning_services
from yingji.warnings.models import Warning, WarningStatus
from yingji.warnings.states import MANUAL_WORKFLOW
from yingji.warnings.testing import add_person, make_warning, published_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    for username, role, region in [
        ("county1_duty", roles.DUTY_OFFICER, world.county1), ("county2_duty", roles.DUTY_OFFICER, world.county2),
        ("county1_signer", roles.LEADER, world.county1), ("county2_signer", roles.LEADER, world.county2),
        ("city_leader", roles.LEADER, world.city), ("village1_grid", roles.GRID_MEMBER, world.village1),
    ]:
        add_person(world, username, role, region)
    world.enterprise1 = EnterpriseFactory(region=world.village1)
    world.enterprise2 = EnterpriseFactory(region=world.village1)
    add_enterprise_user(world, "enterprise1_manager", world.enterprise1)
    add_enterprise_user(world, "enterprise2_manager", world.enterprise2)
    return world


def in_review(world, region, drafter) -> Warning:
    warning = make_warning(world, region=region, actor=drafter)
    return warning_services.warning_submit(warning=warning, actor=drafter)


def some_records(world) -> None:
    """Records of several workflows in waiting states, in both counties, for the rules to be asked about."""
    in_review(world, world.county1, world.county1_duty)
    in_review(world, world.county2, world.county2_duty)
    in_review(world, world.county1, world.county1_admin)  # drafted by a signer: not his to sign
    make_warning(world, region=world.county1, actor=world.county1_duty)
    for enterprise in (world.enterprise1, world.enterprise2):
        for status in ("reported", "rectifying", "awaiting_acceptance"):
            bring_to(HazardFactory(region=world.village1, enterprise=enterprise), status)
    bring_to(HazardFactory(region=world.village2, enterprise=None), "rectifying")
    bring_to(HazardFactory(region=world.regions["390103100201"], enterprise=None), "awaiting_acceptance")
    event = make_event(world.county1, [world.regions["390102001000"]])
    make_report(event, world.village1, actor=world.county1_duty)
    make_report(event, world.regions["390102001002"], actor=world.county1_duty, submit=False)
    make_task(make_consultation(world.county1), world.county1_duty.organization or _department(world))
    bring_plan_to(make_plan(world.county1), "reviewing")
    make_tipoff(world.village1)
    make_tipoff(world.regions["390103100201"], status="accepted")


def _department(world):
    return organization_create(actor=None, name="甲区水利局", kind="industry", region=world.county1)


def test_every_waiting_move_has_a_rule_with_a_set_based_twin():
    warnings = [w for w in checks.run_checks() if w.id == "core.W110"]
    assert warnings == []


def test_every_rule_agrees_with_its_rows(world):
    some_records(world)
    asked = 0
    for spec in workflow_specs():
        for waiting in waiting_states(spec):
            objects = list(spec.model._base_manager.filter(**{waiting.workflow.status_field: waiting.state}))
            for user in world.users.values():
                rows = waiting.rows(user)
                chosen = set(spec.model._base_manager.filter(rows).values_list("pk", flat=True)) if rows else set()
                for obj in objects:
                    expected = any(move.who(user, obj) for move in waiting.moves)
                    assert (obj.pk in chosen) == expected, (spec.model.__name__, waiting.state, user.username, obj)
                    asked += 1
    assert asked > 200


def test_a_warning_in_review_awaits_the_signers_of_its_county_only(world):
    warning = in_review(world, world.county1, world.county1_duty)
    [item] = workflow_todos(world.county1_signer)
    assert (item.label, item.count, item.url) == ("待签发发布的预警信息", 1, reverse("warnings:warning_detail",
                                                                                args=[warning.pk]))
    assert workflow_todos(world.county2_signer) == []
    assert [i.count for i in workflow_todos(world.city_leader)] == [1]  # the city signs for what lies under it
    assert workflow_todos(world.county1_duty) == []  # the drafter waits for nobody's move of his own
    assert workflow_todos(world.enterprise1_manager) == []


def test_a_hazard_awaits_its_own_enterprise_and_the_bureau_of_its_county(world):
    bring_to(HazardFactory(region=world.village1, enterprise=world.enterprise1), "rectifying")
    bring_to(HazardFactory(region=world.village1, enterprise=world.enterprise2), "rectifying")
    bring_to(HazardFactory(region=world.village1, enterprise=world.enterprise2), "awaiting_acceptance")
    mine = {i.kind: i.count for i in workflow_todos(world.enterprise1_manager)}
    assert mine == {"submit": 1}
    assert {i.kind: i.count for i in workflow_todos(world.enterprise2_manager)} == {"submit": 1}
    assert {i.kind: i.count for i in workflow_todos(world.county1_officer)} == {"accept": 1}
    assert workflow_todos(world.county2_officer) == []


def test_the_list_link_opens_exactly_the_records_waiting(client, world):
    mine = in_review(world, world.county1, world.county1_duty)
    in_review(world, world.county1, world.county1_duty)
    in_review(world, world.county1, world.county1_admin)  # his own draft: not his to sign
    in_review(world, world.county2, world.county2_duty)
    [item] = workflow_todos(world.county1_admin)
    assert item.count == 2 and item.url == reverse("warnings:warning_list") + "?todo=status.review"
    client.force_login(world.county1_admin)
    page = client.get(item.url)
    shown = {row[0].pk for row in page.context["rows"]}
    expected = set(Warning.objects.filter(status=WarningStatus.REVIEW, region=world.county1)
                   .exclude(drafted_by=world.county1_admin).values_list("pk", flat=True))
    assert mine.pk in shown and shown == expected
    assert "我的待办：待签发发布的预警信息（2 条）" in page.content.decode()


def test_an_unknown_todo_token_shows_nothing(client, world):
    in_review(world, world.county1, world.county1_duty)
    client.force_login(world.county1_signer)
    assert list(client.get(reverse("warnings:warning_list") + "?todo=status.nonsense").context["rows"]) == []


def test_the_header_counts_the_todos(client, world):
    in_review(world, world.county1, world.county1_duty)
    in_review(world, world.county1, world.county1_duty)
    client.force_login(world.county1_signer)
    assert 'data-testid="todo-count">2<' in client.get(reverse("core:todo_badge")).content.decode()
    client.force_login(world.county2_signer)
    assert "todo-count" not in client.get(reverse("core:todo_badge")).content.decode()


def test_the_home_page_lists_the_todos_with_their_links(client, world):
    warning = in_review(world, world.county1, world.county1_duty)
    client.force_login(world.county1_signer)
    page = client.get("/")
    assert [(i.label, i.count) for i in page.context["todos"]] == [("待签发发布的预警信息", 1)]
    assert f'href="{reverse("warnings:warning_detail", args=[warning.pk])}"' in page.content.decode()


def test_every_workbench_has_its_own_blocks(client, world):
    def blocks(user):
        client.force_login(user)
        page = client.get("/")
        return [block["key"] for block in page.context["home_blocks"]], page.context["workbench_name"]

    assert blocks(world.city_leader) == (["cockpit"], "测试市")
    assert blocks(world.county1_duty) == (["duty", "warnings", "alarms"], "甲区")
    names, title = blocks(world.enterprise1_manager)
    assert names == ["hazards", "risks", "alarms"] and title == world.enterprise1.name
    assert blocks(world.village1_grid) == (["warnings", "disasters"], "甲一社区")
    assert blocks(world.county1_officer) == (["hazards", "enterprises"], "甲区")


def test_the_enterprise_workbench_is_named_after_the_enterprise(client, world):
    client.force_login(world.enterprise1_manager)
    content = client.get("/").content.decode()
    assert f"{world.enterprise1.name} 工作台" in content and "甲一社区 工作台" not in content
    assert "企业按监管类别" not in content


def test_next_step_names_who_acts_even_to_one_who_cannot(client, world):
    warning = in_review(world, world.county1, world.county1_duty)
    people = dict((move.action, {p.username for p in who}) for move, who in who_may_act(warning, MANUAL_WORKFLOW))
    assert people["approve"] == {"county1_signer", "city_leader", "city_admin", "county1_admin", "county1_leader"}
    assert [step["action"] for step in next_steps(warning, [MANUAL_WORKFLOW])] == ["退回", "签发发布"]
    client.force_login(world.county1_duty)
    content = client.get(reverse("warnings:warning_detail", args=[warning.pk])).content.decode()
    assert "下一步：" in content and "county1_signer" in content and "签发发布" in content


def test_sending_for_signing_notifies_the_signers_and_not_the_drafter(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_review(world, world.county1, world.county1_duty)
    told = set(Notification.objects.filter(kind="待办").values_list("recipient__username", flat=True))
    assert told == {"county1_signer", "city_leader", "city_admin", "county1_admin", "county1_leader"}
    title = Notification.objects.filter(recipient=world.county1_signer).get().title
    assert title.startswith("新待办：预警信息") and "签发发布" in title


def test_a_rule_without_twin_is_checked_record_by_record(world):
    in_review(world, world.county1, world.county1_duty)
    in_review(world, world.county1, world.county1_admin)
    spec = spec_for(Warning)

    def only_other_peoples_drafts(user, warning) -> bool:
        return warning.drafted_by_id != user.pk

    table = Workflow(choices=WarningStatus, transitions=[
        Transition(WarningStatus.REVIEW, "approve", WarningStatus.PUBLISHED, "签发", who=only_other_peoples_drafts)])
    rows = Waiting(spec, table, WarningStatus.REVIEW, tuple(table.transitions)).rows(world.county1_admin)
    assert Warning.objects.filter(rows).count() == 1
    assert Warning.objects.filter(rows & Q(drafted_by=world.county1_duty)).count() == 1


def test_counting_takes_one_query_per_model_with_waiting_records(world, django_assert_max_num_queries):
    some_records(world)
    with django_assert_max_num_queries(25):
        todo_items(world.city_admin)


def test_nobody_is_counted_a_record_outside_his_own_jurisdiction(world):
    some_records(world)
    for user in world.users.values():
        for spec in workflow_specs():
            for waiting in waiting_states(spec):
                found = todo_filter(user, spec.model, waiting.token)
                for obj in spec.model._base_manager.filter(found[1]) if found else []:
                    assert is_in_scope(user, obj, "change"), (user.username, obj)
    county2 = {item.key for item in workflow_todos(world.county2_officer)}
    assert "hazards.hazard.status.awaiting_acceptance" in county2  # its own public-place hazard
    assert workflow_todos(world.county2_officer)[0].count == 1
    assert {i.kind: i.count for i in workflow_todos(world.enterprise1_manager)} == {"assign": 1, "submit": 1}


def test_a_person_with_an_account_is_asked_to_answer_his_call(world):
    person = add_person(world, "village1_cadre", roles.GRID_MEMBER, world.village1)
    published_for(world, world.county1, world.village1, "村干部", "13800000001", user=person)
    [call] = [item for item in todo_items(person) if item.key == "warnings.recipient.pending"]
    assert (call.count, call.url) == (1, reverse("warnings:my_warnings"))
    assert not [item for item in todo_items(world.village1_grid) if item.key == "warnings.recipient.pending"]


def test_a_village_owes_its_disaster_report_to_its_own_people(world):
    make_event(world.county1, [world.village1])
    [owed] = [item for item in todo_items(world.village1_grid) if item.key == "disasters.reportduty.owed"]
    assert owed.count == 1
    assert not [item for item in todo_items(world.county1_duty) if item.key == "disasters.reportduty.owed"]
