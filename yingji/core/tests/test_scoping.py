import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from yingji.core.models import Organization, Region, User
from yingji.core.scoping import code_prefix_q, ensure_in_scope, is_in_scope
from yingji.core.services import organization_create, user_create
from yingji.core.testing import PASSWORD, add_enterprise_user
from yingji.enterprises.models import Enterprise
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_a_county_officer_sees_the_county_subtree_only(world):
    codes = set(Region.objects.restrict(world.county1_officer).values_list("code", flat=True))
    assert codes == {"390102000000", "390102001000", "390102001001", "390102001002"}


def test_a_city_admin_sees_the_whole_city_but_not_the_province(world):
    codes = set(Region.objects.restrict(world.city_admin).values_list("code", flat=True))
    assert "390100000000" in codes and "390103100202" in codes
    assert "390000000000" not in codes


def test_restrict_includes_the_model_permission(world):
    # A leader may view enterprises but not change them.
    EnterpriseFactory(region=world.village1)
    assert Enterprise.objects.restrict(world.county1_leader, "view").count() == 1
    assert Enterprise.objects.restrict(world.county1_leader, "change").count() == 0


def test_a_user_without_any_scope_sees_nothing(world):
    EnterpriseFactory(region=world.village1)
    nobody = user_create(actor=None, username="noscope", password=PASSWORD, real_name="无范围", roles=["局领导"])
    assert Enterprise.objects.restrict(nobody).count() == 0
    assert Region.objects.restrict(nobody).count() == 0


def test_anonymous_sees_nothing(world):
    EnterpriseFactory(region=world.village1)
    assert Enterprise.objects.restrict(AnonymousUser()).count() == 0


def test_a_superuser_without_scope_sees_everything(world):
    EnterpriseFactory(region=world.village1)
    root = user_create(actor=None, username="root", password=PASSWORD, real_name="root", roles=[], is_superuser=True)
    assert Enterprise.objects.restrict(root).count() == 1
    assert Region.objects.restrict(root).count() == Region.objects.count()


def test_an_enterprise_user_sees_its_enterprise_and_its_village_only(world):
    mine = EnterpriseFactory(region=world.village1)
    EnterpriseFactory(region=world.village1)
    manager = add_enterprise_user(world, "manager", mine)
    assert list(Enterprise.objects.restrict(manager)) == [mine]
    assert list(Region.objects.restrict(manager)) == [world.village1]
    assert Organization.objects.restrict(manager).count() == 0


def test_scoping_is_one_range_on_the_region_code_without_a_join(world):
    sql = str(Enterprise.objects.restrict(world.county1_officer).query).upper()
    assert "JOIN" not in sql
    assert "REGION_ID\" >= 390102" in sql and "REGION_ID\" < 390103" in sql


@pytest.mark.parametrize(
    ("prefix", "inside", "outside"),
    [("390102", ["390102000000", "390102999999"], ["390101999999", "390103000000", "39010"]),
     ("3901", ["390100000000", "390199999999"], ["390200000000", "390099999999"]),
     ("390109", ["390109001001"], ["390110000000", "390108999999"]),
     ("99", ["990000000000", "999999999999"], ["989999999999"])],
)
def test_code_prefix_ranges_match_exactly_the_codes_with_the_prefix(prefix, inside, outside):
    q = code_prefix_q("code", prefix)
    bounds = dict(q.children)
    for code in inside:
        assert code >= bounds["code__gte"] and ("code__lt" not in bounds or code < bounds["code__lt"])
    for code in outside:
        assert not (code >= bounds["code__gte"] and ("code__lt" not in bounds or code < bounds["code__lt"]))


def test_a_write_outside_the_scope_is_refused_and_rolled_back(world):
    with pytest.raises(PermissionDenied):
        organization_create(actor=world.county1_admin, name="乙区某单位", kind="other", region=world.county2)
    assert not Organization.objects.filter(name="乙区某单位").exists()


def test_is_in_scope_checks_one_object(world):
    theirs = EnterpriseFactory(region=world.village2)
    assert not is_in_scope(world.county1_officer, theirs)
    assert is_in_scope(world.city_admin, theirs)
    with pytest.raises(PermissionDenied):
        ensure_in_scope(world.county1_officer, theirs)


def test_a_user_has_one_scope_at_most(world):
    from django.db import IntegrityError, transaction

    enterprise = EnterpriseFactory(region=world.village1)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.county1_officer.pk).update(scope_enterprise=enterprise)
