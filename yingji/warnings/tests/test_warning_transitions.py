import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core import roles
from yingji.core.models import StateChange
from yingji.core.tasks import SWEEPERS
from yingji.core.workflow import InvalidTransition, transition
from yingji.warnings import cap, services
from yingji.warnings.models import MsgType, Warning, WarningStatus
from yingji.warnings.states import MANUAL_ACTIONS, WORKFLOW
from yingji.warnings.tasks import expire_warnings
from yingji.warnings.testing import add_person, add_warning_staff, make_warning, publish

pytestmark = pytest.mark.django_db

ACTIONS = sorted({t.action for t in WORKFLOW.transitions})
CASES = list(itertools.product(WarningStatus.values, ACTIONS))
ALLOWED = {(t.source, t.action): t.target for t in WORKFLOW.transitions}


def warning_in(world, state: str) -> Warning:
    """A warning brought to `state` through the services, as it would be in real use."""
    add_warning_staff(world)
    warning = make_warning(world, actor=world.county1_duty)
    if state == WarningStatus.DRAFT:
        return warning
    warning = services.warning_submit(warning=warning, actor=world.county1_duty)
    if state == WarningStatus.REVIEW:
        return warning
    warning = services.warning_approve(warning=warning, actor=world.county1_signer)
    if state == WarningStatus.PUBLISHED:
        return warning
    if state == WarningStatus.EXPIRED:
        return services.warning_expire(warning=warning)
    follower = services.warning_follow(warning=warning, actor=world.county1_duty,
                                       msg_type=MsgType.CANCEL if state == WarningStatus.CANCELLED else MsgType.UPDATE)
    services.warning_submit(warning=follower, actor=world.county1_duty)
    services.warning_approve(warning=follower, actor=world.county1_signer)
    return Warning.objects.get(pk=warning.pk)


def actor_for(world, action: str):
    if action in ("submit", "withdraw"):
        return world.county1_duty
    if action in ("reject", "approve"):
        return world.county1_signer
    return None  # the system's own moves


@pytest.mark.parametrize(("state", "action"), CASES)
def test_each_move_is_allowed_or_refused_exactly_as_the_table_says(world, state, action):
    warning = warning_in(world, state)
    assert warning.status == state
    moves_before = StateChange.objects.count()
    actor = actor_for(world, action)
    if (state, action) in ALLOWED:
        if action == "approve":
            changed = services.warning_approve(warning=warning, actor=actor)
        else:
            changed = transition(warning, workflow=WORKFLOW, action=action, actor=actor, reason="按表办理")
        assert changed.status == ALLOWED[(state, action)]
        change = StateChange.objects.filter(subject_id=str(warning.pk)).latest("pk")
        assert (change.from_state, change.to_state, change.actor) == (state, changed.status, actor)
    else:
        with pytest.raises(InvalidTransition, match="不能执行"):
            if action in MANUAL_ACTIONS:
                services.warning_act(warning=warning, actor=actor or world.county1_duty, action=action, reason="x")
            else:
                transition(warning, workflow=WORKFLOW, action=action, actor=actor, reason="x")
        assert Warning.objects.get(pk=warning.pk).status == state
        assert StateChange.objects.count() == moves_before


def test_the_drafter_cannot_sign_their_own_warning(world):
    warning = warning_in(world, WarningStatus.DRAFT)
    signer = add_person(world, "signer_who_drafts", roles.LEADER, world.county1)
    own = make_warning(world, actor=world.county1_admin)
    services.warning_submit(warning=own, actor=world.county1_admin)
    with pytest.raises(InvalidTransition, match="无权"):
        services.warning_approve(warning=own, actor=world.county1_admin)
    services.warning_submit(warning=warning, actor=world.county1_duty)
    assert services.warning_approve(warning=warning, actor=signer).status == WarningStatus.PUBLISHED


def test_a_duty_officer_cannot_sign(world):
    warning = warning_in(world, WarningStatus.REVIEW)
    with pytest.raises(InvalidTransition, match="无权"):
        services.warning_approve(warning=warning, actor=world.county1_duty)
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.REVIEW


def test_people_cannot_make_the_systems_moves(world):
    warning = warning_in(world, WarningStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        services.warning_act(warning=warning, actor=world.county1_admin, action="expire")
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.PUBLISHED


def test_a_reject_needs_a_reason(world):
    warning = warning_in(world, WarningStatus.REVIEW)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.warning_reject(warning=warning, actor=world.county1_signer, reason=" ")


def test_an_officer_of_another_county_cannot_move_it(world):
    warning = warning_in(world, WarningStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.warning_submit(warning=warning, actor=world.county2_duty)
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.DRAFT


def test_publishing_stores_a_schema_valid_cap_document_and_a_national_identifier(world):
    warning = warning_in(world, WarningStatus.PUBLISHED)
    cap.validate_cap(warning.cap_xml.encode())
    alert = cap.parse(warning.cap_xml.encode())
    assert alert.identifier == warning.identifier and len(warning.identifier) == 31
    assert warning.identifier.startswith("390102000") and warning.identifier.endswith("_1")
    assert alert.infos[0].level == "red" and "<severity>Extreme</severity>" in warning.cap_xml
    assert {g for a in alert.infos[0].areas for _n, g in a.geocodes} == {"390102001000"}
    national = cap.parse(warning.national_xml.encode())
    assert national.format == "national" and national.infos[0].level == "red"
    assert warning.approved_by == world.county1_signer and warning.published_at is not None


def test_an_invalid_cap_document_is_never_published(world, monkeypatch):
    warning = warning_in(world, WarningStatus.REVIEW)
    monkeypatch.setattr(cap, "build_cap", lambda alert: b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>')
    with pytest.raises(ValidationError, match="CAP 1.2 文档未通过校验"):
        services.warning_approve(warning=warning, actor=world.county1_signer)
    warning.refresh_from_db()
    assert (warning.status, warning.identifier, warning.cap_xml) == (WarningStatus.REVIEW, None, "")


def test_an_update_references_the_previous_message_and_supersedes_it(world):
    first = warning_in(world, WarningStatus.PUBLISHED)
    update = services.warning_follow(warning=first, actor=world.county1_duty, msg_type=MsgType.UPDATE,
                                     level="orange", headline="暴雨预警降为橙色")
    services.warning_submit(warning=update, actor=world.county1_duty)
    update = services.warning_approve(warning=update, actor=world.county1_signer)
    alert = cap.parse(update.cap_xml.encode())
    assert alert.msg_type == "Update" and alert.references == [first.identifier]
    assert Warning.objects.get(pk=first.pk).status == WarningStatus.SUPERSEDED


def test_a_cancel_ends_the_previous_message(world):
    first = warning_in(world, WarningStatus.PUBLISHED)
    cancel = services.warning_follow(warning=first, actor=world.county1_duty, msg_type=MsgType.CANCEL)
    assert "解除" in cancel.headline
    services.warning_submit(warning=cancel, actor=world.county1_duty)
    cancel = services.warning_approve(warning=cancel, actor=world.county1_signer)
    assert cap.parse(cancel.cap_xml.encode()).msg_type == "Cancel"
    assert Warning.objects.get(pk=first.pk).status == WarningStatus.CANCELLED


def test_a_published_warning_cannot_be_edited(world):
    warning = warning_in(world, WarningStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="只有草稿可以修改"):
        services.warning_update(warning=warning, actor=world.county1_duty, headline="改")


def test_area_regions_must_lie_in_the_issuers_jurisdiction(world):
    add_warning_staff(world)
    with pytest.raises(ValidationError, match="超出发布单位辖区"):
        make_warning(world, actor=world.county1_duty, areas=[world.village2])
    assert not Warning.objects.exists()


def test_expiry_must_follow_onset(world):
    add_warning_staff(world)
    now = timezone.now()
    with pytest.raises(ValidationError, match="失效时间应晚于开始时间"):
        make_warning(world, actor=world.county1_duty, onset=now, expires=now - timedelta(hours=1))


def test_the_sweep_expires_published_warnings_past_their_expiry_only(world):
    due = warning_in(world, WarningStatus.PUBLISHED)
    current = publish(world, make_warning(world, actor=world.county1_duty, headline="仍有效"))
    Warning.objects.filter(pk=due.pk).update(onset=timezone.now() - timedelta(hours=2),
                                             expires=timezone.now() - timedelta(minutes=1))
    assert expire_warnings() == 1
    assert Warning.objects.get(pk=due.pk).status == WarningStatus.EXPIRED
    assert Warning.objects.get(pk=current.pk).status == WarningStatus.PUBLISHED
    assert expire_warnings() == 0


def test_the_sweeper_is_registered():
    assert expire_warnings in SWEEPERS


def test_the_state_diagram_comes_from_the_table():
    assert WORKFLOW.diagram().count("-->") == len(WORKFLOW.transitions)


def test_a_warning_without_an_event_type_is_refused_with_the_reason_and_never_publishes_a_bad_national_document(
        world, client):
    add_warning_staff(world)
    warning = make_warning(world, actor=world.county1_duty, event_type="")
    with pytest.raises(InvalidTransition, match="事件类型"):
        services.warning_submit(warning=warning, actor=world.county1_duty)
    # One already in review (sent before this rule) is refused at 签发 with the same reason.
    Warning.objects.filter(pk=warning.pk).update(status=WarningStatus.REVIEW)
    with pytest.raises(InvalidTransition, match="事件类型"):
        services.warning_approve(warning=Warning.objects.get(pk=warning.pk), actor=world.county1_signer)
    assert Warning.objects.get(pk=warning.pk).national_xml == ""


def test_every_published_national_document_validates_and_downloads_with_its_national_name(world, client):
    add_warning_staff(world)
    warning = publish(world, make_warning(world, actor=world.county1_duty))
    cap.validate_national(warning.national_xml)
    client.force_login(world.county1_duty)
    response = client.get(f"/warnings/{warning.pk}/national.xml")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('_11B03_RED_ALERT.XML"')


def test_a_stored_national_document_that_does_not_parse_still_downloads(world, client):
    add_warning_staff(world)
    warning = publish(world, make_warning(world, actor=world.county1_duty))
    Warning.objects.filter(pk=warning.pk).update(national_xml=warning.national_xml.replace("11B03", ""))
    client.force_login(world.county1_duty)
    response = client.get(f"/warnings/{warning.pk}/national.xml")
    assert response.status_code == 200
    assert f'{warning.identifier}.XML' in response["Content-Disposition"]
