"""An enterprise moving to another region takes every row of its own with it, in one transaction."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from yingji.core.testing import add_enterprise_user
from yingji.enterprises import services
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.models import Hazard, HazardStat
from yingji.hazards.services import hazard_flag_overdue, hazard_update, rebuild_statistics
from yingji.hazards.testing import HazardFactory, bring_to
from yingji.risks.models import RiskLevelCount, RiskPoint
from yingji.risks.testing import RiskPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(world):
    enterprise = EnterpriseFactory(region=world.village1, name="搬迁化工有限公司")
    manager = add_enterprise_user(world, "manager", enterprise)
    points = [RiskPointFactory(enterprise=enterprise) for _ in range(3)]
    long_ago = timezone.now() - datetime.timedelta(days=500)
    hazards = [HazardFactory(enterprise=enterprise, description=f"搬迁前隐患{n}", found_at=long_ago - datetime.timedelta(
        days=40 * n)) for n in range(4)]
    bring_to(hazards[0], "closed")
    late = hazard_update(hazard=bring_to(hazards[1], "rectifying"), actor=None,
                         deadline=(long_ago + datetime.timedelta(days=30)).date())
    hazard_flag_overdue(hazard=late)
    neighbour = HazardFactory(enterprise=EnterpriseFactory(region=world.village1), description="邻居的隐患")
    services.enterprise_update(enterprise=enterprise, actor=world.city_admin, region=world.village2)
    return enterprise, manager, points, hazards, neighbour


def test_its_risk_points_and_hazards_move_to_the_new_region(world, moved):
    enterprise, manager, points, hazards, neighbour = moved
    assert set(RiskPoint.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {world.village2.pk}
    assert set(Hazard.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {world.village2.pk}
    neighbour.refresh_from_db()
    assert neighbour.region == world.village1
    manager.refresh_from_db()
    assert manager.scope_region_id is None and manager.scope_enterprise == enterprise


def test_each_moved_row_has_a_history_entry_with_who_and_why(world, moved):
    enterprise, _manager, points, hazards, _neighbour = moved
    for row in [*points, *hazards]:
        record = row.history.latest()
        assert record.region_id == world.village2.pk
        assert record.history_user == world.city_admin
        assert "随企业迁移所在区划" in record.history_change_reason


def test_the_new_county_sees_the_rows_and_the_old_county_no_longer_does(world, moved):
    enterprise = moved[0]
    for model in (RiskPoint, Hazard):
        assert not model.objects.restrict(world.county1_officer).filter(enterprise=enterprise).exists()
        assert model.objects.restrict(world.county2_officer).filter(enterprise=enterprise).count() == (
            model._base_manager.filter(enterprise=enterprise).count())


def test_the_roll_ups_follow_exactly_as_a_rebuild_would_count_them(world, moved):
    enterprise = moved[0]
    assert set(RiskLevelCount.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {
        world.village2.pk}
    kept = sorted(HazardStat.objects.exclude(found=0, closed=0, overdue=0).values_list(
        "month", "region", "dimension", "key", "found", "closed", "overdue"))
    rebuild_statistics()
    assert kept == sorted(HazardStat.objects.values_list(
        "month", "region", "dimension", "key", "found", "closed", "overdue"))
    county2 = HazardStat.objects.filter(region__code__startswith="390103", dimension="level").aggregate(
        found=Sum("found"), closed=Sum("closed"), overdue=Sum("overdue"))
    assert county2 == {"found": 4, "closed": 1, "overdue": 1}


def test_a_county_cannot_move_an_enterprise_out_of_its_county_and_nothing_moves(world):
    enterprise = EnterpriseFactory(region=world.village1)
    point = RiskPointFactory(enterprise=enterprise)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.enterprise_update(enterprise=enterprise, actor=world.county1_officer, region=world.village2)
    point.refresh_from_db()
    assert point.region == world.village1


def test_every_model_with_both_scope_fields_is_moved():
    labels = {model._meta.label for model in services.rows_following_enterprise()}
    assert {"risks.RiskPoint", "risks.RiskLevelCount", "hazards.Hazard", "core.Attachment",
            "core.StateChange"} <= labels
    assert "core.User" in labels  # moved only when it has a region: an enterprise account has none
