"""代企业操作: the supervising officer makes the enterprise's step for an enterprise that has no account."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yingji.core.models import StateChange
from yingji.core.on_behalf import ON_BEHALF_DATA
from yingji.core.testing import PNG, add_enterprise_user, attachment_count
from yingji.core.workflow import InvalidTransition
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards import services
from yingji.hazards.models import HazardStatus
from yingji.hazards.testing import HazardFactory, bring_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def lone_enterprise(world):
    """An enterprise of county 1 with no account on the platform."""
    return EnterpriseFactory(region=world.village1, name="无账号小企业")


def test_the_officer_takes_a_hazard_of_an_enterprise_without_account_from_registration_to_closing(world,
                                                                                                   lone_enterprise):
    officer = world.county1_officer
    hazard = HazardFactory(enterprise=lone_enterprise, actor=officer)
    hazard = services.hazard_act(hazard=hazard, actor=officer, action="assign", reason="")
    evidence = SimpleUploadedFile("整改后.png", PNG)
    hazard = services.hazard_act(hazard=hazard, actor=officer, action="submit_for_enterprise",
                                 reason="现场核实已更换阀门，企业负责人王五在场", evidence=evidence)
    assert hazard.status == HazardStatus.AWAITING_ACCEPTANCE
    assert hazard.rectified_by is None  # the rectification is the enterprise's
    change = StateChange.objects.latest("pk")
    assert change.actor == officer and change.action == "submit_for_enterprise"
    assert "代企业操作" in change.action_label
    assert change.data["on_behalf"] == ON_BEHALF_DATA["on_behalf"] and change.data["enterprise"] == lone_enterprise.pk
    assert change.data["evidence"] and attachment_count(hazard) == 1
    hazard = services.hazard_act(hazard=hazard, actor=officer, action="accept", reason="")
    assert hazard.status == HazardStatus.CLOSED


def test_the_note_is_the_required_evidence(world, lone_enterprise):
    hazard = bring_to(HazardFactory(enterprise=lone_enterprise), HazardStatus.RECTIFYING)
    with pytest.raises(InvalidTransition, match="需要填写原因"):
        services.hazard_act(hazard=hazard, actor=world.county1_officer, action="submit_for_enterprise", reason=" ")


def test_nobody_acts_for_an_enterprise_that_has_an_account(world, lone_enterprise):
    add_enterprise_user(world, "manager", lone_enterprise)
    hazard = bring_to(HazardFactory(enterprise=lone_enterprise), HazardStatus.RECTIFYING)
    with pytest.raises(InvalidTransition, match="无权"):
        services.hazard_act(hazard=hazard, actor=world.county1_officer, action="submit_for_enterprise",
                            reason="代为提交")
    # ... but once its only account is disabled, the officer may again.
    world.manager.is_active = False
    world.manager.save()
    moved = services.hazard_act(hazard=hazard, actor=world.county1_officer, action="submit_for_enterprise",
                                reason="企业账号已停用，现场核实")
    assert moved.status == HazardStatus.AWAITING_ACCEPTANCE


def test_an_officer_without_the_right_or_of_another_county_cannot_act_for_the_enterprise(world, lone_enterprise):
    hazard = bring_to(HazardFactory(enterprise=lone_enterprise), HazardStatus.RECTIFYING)
    with pytest.raises(InvalidTransition):
        services.hazard_act(hazard=hazard, actor=world.county1_leader, action="submit_for_enterprise", reason="代")
    with pytest.raises(Exception, match="管辖|scope|范围"):
        services.hazard_act(hazard=hazard, actor=world.county2_officer, action="submit_for_enterprise", reason="代")
    assert hazard.__class__.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


def test_the_page_offers_the_move_says_who_acts_next_and_the_timeline_says_on_whose_behalf(client, world,
                                                                                          lone_enterprise):
    hazard = bring_to(HazardFactory(enterprise=lone_enterprise), HazardStatus.RECTIFYING)
    client.force_login(world.county1_officer)
    page = client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).content.decode()
    assert 'data-action="submit_for_enterprise"' in page and "提交验收（代企业操作）" in page
    assert "下一步" in page and world.county1_officer.real_name in page
    client.post(reverse("hazards:hazard_transition", args=[hazard.pk]), {
        "action": "submit_for_enterprise", "reason": "现场核实", "evidence": SimpleUploadedFile("a.png", PNG)})
    page = client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).content.decode()
    assert "待验收" in page and "代企业操作" in page and "现场核实" in page
