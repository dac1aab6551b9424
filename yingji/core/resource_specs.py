"""How core's own records, regions, organizations and users, are wired to pages, API and URLs (see
`yingji.core.specs`).

Regions are read-only here (they come from the division code tables and seed_demo) and their pages sit beside the
region tree, keyed by code (`core/urls.py`). Organizations are nothing but declarations: their pages are generated.
A user's list and edit page do more (roles, password) and are registered in `views/resources.py`.
"""

from django.utils.translation import gettext_lazy as _

from yingji.core import services
from yingji.core.filters import OrganizationFilterSet, RegionFilterSet
from yingji.core.forms import OrganizationForm
from yingji.core.models import Organization, Region, User
from yingji.core.people_import import ORGANIZATION_IMPORTER, USER_IMPORTER
from yingji.core.specs import ModelSpec
from yingji.core.tables import Column

REGION = ModelSpec(
    Region, namespace="core", prefix="regions",
    columns=[Column("code", link=True), Column("name", link=True), Column("level"),
             Column("parent.name", _("上级区划")), Column("population"), Column("area_km2")],
    filterset=RegionFilterSet,
    fields=[Column("code"), Column("name"), Column("level"), Column("parent.name", _("上级区划")),
            Column("population"), Column("area_km2"), Column("longitude"), Column("latitude")],
    detail_template="core/region_detail.html",
)

ORGANIZATION = ModelSpec(
    Organization, namespace="core", prefix="organizations",
    create=services.organization_create, update=services.organization_update, object_argument="organization",
    columns=[Column("name", link=True), Column("kind"), Column("region.name", _("所属区划")), Column("phone")],
    fields=[Column("name"), Column("kind"), Column("region.name", _("所属区划")),
            Column("parent.name", _("上级单位")), Column("phone")],
    form=OrganizationForm, filterset=OrganizationFilterSet, importer=ORGANIZATION_IMPORTER,
)

USER = ModelSpec(
    User, namespace="core", prefix="users",
    create=services.user_create, update=services.user_update, object_argument="user", importer=USER_IMPORTER,
    fields=[Column("username", _("用户名")), Column("real_name"), Column("mobile"),
            Column("organization.name", _("所在单位")),
            Column("scope", _("管辖范围"), accessor=lambda u: u.scope_label),
            Column("roles", _("角色"), accessor=lambda u: "、".join(u.role_names)),
            Column("last_login", _("最近登录"))],
)
