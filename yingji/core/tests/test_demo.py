"""The demo city: complete, well formed, geometrically consistent, idempotent and deterministic."""

import hashlib
import io
import itertools
import json
import random

import pytest
import shapely
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from shapely.geometry import Point, shape

from yingji.core import demo as core_demo
from yingji.core import roles
from yingji.core.management.commands.seed_demo import DEMO_SEED
from yingji.core.models import Organization, Region, User
from yingji.enterprises import demo as enterprise_demo
from yingji.enterprises.models import Category, Enterprise
from yingji.standards import division, uscc
from yingji.warnings.delivery import regions_in_polygon
from yingji.warnings.models import Recipient, Warning, WarningStatus

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table the project owns (history tables included) plus groups and their members."""
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models() if m.__module__.startswith("yingji.")}
    counts["auth.Group"] = Group.objects.count()
    counts["user groups"] = User.groups.through.objects.count()
    return counts


def digest() -> str:
    """A fingerprint of every demo row, independent of database ids and timestamps."""
    data = {
        "regions": list(
            Region.objects.order_by("code").values_list(
                "code", "name", "level", "parent_id", "longitude", "latitude", "boundary", "population", "area_km2"
            )
        ),
        "organizations": list(
            Organization.objects.order_by("region_id", "name").values_list(
                "region_id", "name", "kind", "parent__name", "phone"
            )
        ),
        "users": [
            (u.username, u.real_name, u.mobile, u.is_superuser, u.scope_region_id,
             u.scope_enterprise.credit_code if u.scope_enterprise else None,
             u.organization.name if u.organization else None, sorted(u.role_names))
            for u in User.objects.order_by("username").select_related("scope_enterprise", "organization")
        ],
        "enterprises": list(
            Enterprise.objects.order_by("credit_code").values_list(
                "credit_code", "name", "region_id", "address", "longitude", "latitude", "industry_code",
                "industry_name", "category", "scale_type", "size", "supervision_class", "legal_representative",
                "legal_representative_phone", "principal", "principal_phone", "safety_director",
                "safety_director_phone", "employee_count", "status",
            )
        ),
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_counts():
    assert Region.objects.filter(level="county").count() >= 4
    assert Region.objects.filter(level="township").count() >= 20
    assert Region.objects.filter(level="village").count() >= 100
    assert Enterprise.objects.count() >= 300
    per_county = {c.code: Enterprise.objects.filter(region__code__startswith=c.prefix).count()
                  for c in Region.objects.filter(level="county")}
    assert min(per_county.values()) >= 30, per_county
    assert set(Enterprise.objects.values_list("category", flat=True)) == set(Category.values)


def test_region_codes_and_names():
    regions = list(Region.objects.all())
    names = {r.code: r.name for r in regions}
    assert names[core_demo.CITY_CODE] == "青禾市"
    for region in regions:
        assert division.is_well_formed(region.code)
        assert region.code.startswith("39")
        assert region.level == division.level_of(region.code)
        assert region.parent_id == division.parent_code(region.code)
        if region.level == "township":
            assert region.name.endswith(division.township_kind(region.code)), region
        if region.level == "village":
            number = int(region.code[9:])
            suffix = "社区居委会" if number < 200 else "村委会"
            assert region.name.endswith(suffix), region
    siblings: dict[str | None, list[str]] = {}
    for region in regions:
        siblings.setdefault(region.parent_id, []).append(region.name)
    for names_under_parent in siblings.values():
        assert len(names_under_parent) == len(set(names_under_parent))


def test_region_attributes_and_population():
    regions = list(Region.objects.all())
    by_code = {r.code: r for r in regions}
    for region in regions:
        assert region.boundary["type"] == "Polygon"
        assert region.population and region.area_km2 > 0
        assert shape(region.boundary).contains(Point(region.longitude, region.latitude))
        children = [r for r in regions if r.parent_id == region.code]
        if children and region.level != "province":
            assert region.population == sum(c.population for c in children)
            assert region.area_km2 == pytest.approx(sum(c.area_km2 for c in children), rel=1e-3)
        if region.level == "village":
            assert 800 <= region.population <= 4000
    city = by_code[core_demo.CITY_CODE]
    assert 2000 < city.area_km2 < 4500  # about 60 km across


def test_boundaries_nest_without_overlap():
    regions = list(Region.objects.all())
    polygons = {r.code: shape(r.boundary) for r in regions}
    for code, polygon in polygons.items():
        assert polygon.geom_type == "Polygon" and polygon.is_valid, code
    children: dict[str, list[str]] = {}
    for region in regions:
        if region.parent_id:
            children.setdefault(region.parent_id, []).append(region.code)
    for parent, kids in children.items():
        outer = polygons[parent]
        for kid in kids:
            assert polygons[kid].difference(outer).area <= 1e-9 * polygons[kid].area, kid
        for a, b in itertools.combinations(kids, 2):
            pa, pb = polygons[a], polygons[b]
            if pa.intersects(pb):
                assert pa.intersection(pb).area <= 1e-9 * min(pa.area, pb.area), (a, b)
        if parent != core_demo.PROVINCE_CODE:
            union = shapely.unary_union([polygons[k] for k in kids])
            assert abs(union.area - outer.area) <= 1e-9 * outer.area, parent


def test_enterprises_valid_and_located():
    enterprises = list(Enterprise.objects.select_related("region"))
    codes = [e.credit_code for e in enterprises]
    assert len(codes) == len(set(codes))
    names = [e.name for e in enterprises]
    assert len(names) == len(set(names))
    for enterprise in enterprises:
        assert uscc.is_valid(enterprise.credit_code), enterprise.credit_code
        assert enterprise.credit_code[:2] == "91"
        assert enterprise.credit_code[2:8] == enterprise.region_id[:6]
        assert enterprise.region.level == "village"
        assert shape(enterprise.region.boundary).contains(Point(enterprise.longitude, enterprise.latitude))
        enterprise.full_clean()
    share_a = sum(e.supervision_class == "A" for e in enterprises) / len(enterprises)
    assert 0.12 < share_a < 0.28
    assert sum(e.status == "operating" for e in enterprises) > 0.8 * len(enterprises)


def test_accounts(settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    city = Region.objects.get(code=core_demo.CITY_CODE)
    counties = list(Region.objects.filter(level="county").order_by("code"))
    expected = {
        "admin": (roles.ADMIN, city),
        "city_leader": (roles.LEADER, city),
        "city_duty": (roles.DUTY_OFFICER, city),
        "city_supervisor": (roles.SUPERVISOR, city),
        "city_monitor": (roles.MONITOR, city),
        "city_industry": (roles.INDUSTRY_OFFICER, city),
        "rescue_leader": (roles.RESCUE_LEADER, city),
        "county1_duty": (roles.DUTY_OFFICER, counties[0]),
    } | {f"county{i + 1}_supervisor": (roles.SUPERVISOR, county) for i, county in enumerate(counties[:5])}
    for username, (role, region) in expected.items():
        user = User.objects.get(username=username)
        assert user.role_names == [role], username
        assert user.scope_region == region and user.scope_enterprise is None, username
        assert user.mobile.startswith("139") and len(user.mobile) == 11 and user.real_name
        assert user.check_password(settings.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="city_industry").organization.kind == "industry"
    for index, county in enumerate(counties[:5], start=1):
        organization = User.objects.get(username=f"county{index}_supervisor").organization
        assert organization.region == county and organization.name == f"{county.name}应急管理局"
    grid = User.objects.get(username="grid1")
    assert grid.role_names == [roles.GRID_MEMBER]
    assert grid.scope_region.level == "village" and grid.scope_region.code.startswith(counties[0].prefix)
    managed_counties = set()
    for managed in enterprise_demo.MANAGED:
        user = User.objects.get(username=managed.username)
        assert user.role_names == [roles.ENTERPRISE_MANAGER]
        assert user.scope_region is None and user.scope_enterprise.name == managed.name
        assert user.scope_enterprise.category.startswith("hazchem")
        managed_counties.add(user.scope_enterprise.region_id[:6])
    assert len(managed_counties) == len(enterprise_demo.MANAGED)
    listed = [username for username, _ in core_demo.DEMO_ACCOUNTS + enterprise_demo.ENTERPRISE_ACCOUNTS]
    assert set(listed) == set(User.objects.values_list("username", flat=True))


def test_organizations():
    assert Organization.objects.get(name="青禾市应急管理局").kind == "bureau"
    assert Organization.objects.filter(kind="bureau_department", parent__name="青禾市应急管理局").count() >= 5
    assert Organization.objects.filter(kind="industry").count() >= 3
    townships = Region.objects.filter(level="township")
    offices = Organization.objects.filter(kind="township_office")
    assert sorted(o.region_id for o in offices) == sorted(t.code for t in townships)


def test_second_run_creates_nothing():
    before = row_counts()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        output = seed_demo()
    assert row_counts() == before
    assert "新建 0" in output


def test_same_data_on_a_fresh_database():
    first = digest()
    # Every app's demo rows refer to the core ones: empty the whole database, as a fresh one is.
    if connection.vendor == "postgresql":
        # TRUNCATE refuses to run while deferred foreign-key checks are pending in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    assert not Region.objects.exists()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        seed_demo()
    assert digest() == first


def test_plans_are_deterministic():
    def plan(seed: int):
        rng = random.Random(seed)
        regions = core_demo.build_regions(rng)
        organizations = core_demo.build_organizations(rng, regions)
        users = core_demo.build_users(rng)
        return (
            [(r.code, r.name, r.population, r.polygon.wkt) for r in regions],
            [vars(o) for o in organizations],
            [vars(u) for u in users],
            rng.random(),
        )

    assert plan(DEMO_SEED) == plan(DEMO_SEED)


def test_a_demo_warning_is_addressed_by_a_drawn_polygon_and_by_organisations():
    """The demo shows every way of addressing a warning: chosen regions, a drawn polygon, organisations (here, on
    this module's seeded demo, rather than in the warnings app on a demo of its own)."""
    warning = Warning.objects.get(area_polygon__isnull=False, status=WarningStatus.PUBLISHED)
    assert not warning.area_regions.exists() and warning.target_organizations.count() == 2
    inside = set(regions_in_polygon(warning.area_polygon, warning.region.prefix))
    recipients = Recipient.objects.filter(warning=warning)
    by_polygon = recipients.filter(region__in=inside)
    by_organization = recipients.filter(person__organization__in=warning.target_organizations.all())
    assert by_polygon.exists() and by_organization.count() == 2
    assert recipients.count() == by_polygon.count() + by_organization.count()
    assert recipients.filter(status="acknowledged").exists() and recipients.filter(status="pending").exists()
    codes = list(Warning.objects.filter(status=WarningStatus.PUBLISHED).values_list("reply_code", flat=True))
    assert warning.reply_code and len(codes) == len(set(codes)) >= 2
