"""The overdue sweep flags each open hazard past its deadline once and tells its people."""

import datetime

import pytest
from django.utils import timezone

from yingji.core.models import Notification
from yingji.core.services import organization_create, user_update
from yingji.core.tasks import SWEEPERS, sweep
from yingji.core.testing import add_enterprise_user
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards import services
from yingji.hazards.models import Hazard
from yingji.hazards.tasks import flag_overdue_hazards
from yingji.hazards.testing import PLAN, HazardFactory, bring_to

pytestmark = pytest.mark.django_db


def past_due(hazard: Hazard, days: int = 3) -> Hazard:
    """Put the deadline in the past the way time would: the edit service does not allow it, a test may."""
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=days))
    return Hazard.objects.get(pk=hazard.pk)


def test_the_sweeper_is_registered():
    assert flag_overdue_hazards in SWEEPERS


def test_an_overdue_hazard_is_flagged_once_and_its_people_told(world):
    enterprise = EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", enterprise)
    hazard = past_due(bring_to(HazardFactory(enterprise=enterprise), "rectifying"))
    assert flag_overdue_hazards() == 1
    hazard.refresh_from_db()
    assert hazard.overdue_since is not None
    notification = Notification.objects.for_user(manager).get()
    assert hazard.code in notification.title and "逾期 3 天" in notification.title
    # The county's people who may accept hazards supervise an unlisted hazard; nobody else is told.
    told = {"manager", "county1_officer", "county1_admin"}
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == told
    assert flag_overdue_hazards() == 0
    assert Notification.objects.count() == len(told)


def test_closed_and_not_yet_due_hazards_are_left_alone(world):
    enterprise = EnterpriseFactory(region=world.village1)
    past_due(bring_to(HazardFactory(enterprise=enterprise), "closed"))
    HazardFactory(enterprise=enterprise)
    Hazard.objects.filter(pk=HazardFactory(enterprise=enterprise).pk).update(deadline=timezone.localdate())
    assert sweep()["yingji.hazards.tasks.flag_overdue_hazards"] == 0
    assert not Hazard.objects.filter(overdue_since__isnull=False).exists()
    assert not Notification.objects.exists()


def test_a_supervised_hazard_tells_its_supervising_unit_and_the_named_responsible_user(world):
    enterprise = EnterpriseFactory(region=world.village1)
    unit = organization_create(actor=None, name="测试市应急管理局", kind="bureau", region=world.city)
    officer = user_update(user=world.city_admin, actor=None, organization=unit)
    hazard = HazardFactory(enterprise=enterprise, level="major", responsible_user=world.county1_admin, **PLAN)
    hazard = services.hazard_list_for_supervision(hazard=hazard, actor=None, level="city", unit=unit)
    past_due(hazard)
    assert flag_overdue_hazards() == 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        officer.username, world.county1_admin.username}


def test_a_new_deadline_lifts_the_flag(world):
    enterprise = EnterpriseFactory(region=world.village1)
    hazard = past_due(HazardFactory(enterprise=enterprise))
    flag_overdue_hazards()
    hazard.refresh_from_db()
    hazard = services.hazard_update(hazard=hazard, actor=world.county1_officer,
                                    deadline=timezone.localdate() + datetime.timedelta(days=5))
    assert hazard.overdue_since is None
