"""What the directory says about a person, applied to their account: roles from groups, jurisdiction from an
attribute, and the mark of an account the directory manages.

The directory wins where it speaks: mapped groups replace the roles, a known region or enterprise replaces the
scope. Where it says nothing (no mapped group, no scope attribute), an account that existed before keeps what the
administrator or an import gave it; an account the directory created keeps nothing it was not given.

An account the directory created has no local password: its password field holds `DIRECTORY_PASSWORD_PREFIX` and
the source, which Django treats as unusable (the "!" prefix), so only the directory can sign it in.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.roles import ROLE_PERMISSIONS
from yingji.core.services import save_with_history
from yingji.standards import division

logger = logging.getLogger(__name__)

DIRECTORY_PASSWORD_PREFIX = "!directory:"
SOURCES = {"ldap": "LDAP", "oidc": "OpenID Connect"}
MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class DirectoryProfile:
    """A person as the directory describes them, whichever protocol brought it."""

    source: str
    groups: frozenset[str] = frozenset()
    attributes: Mapping[str, list[str]] = field(default_factory=dict)
    real_name: str = ""
    mobile: str = ""
    email: str = ""


def group_roles() -> dict[str, list[str]]:
    """SSO_GROUP_ROLES as {group key, lower-cased: [role, ...]}; unknown roles are a configuration error."""
    raw = settings.SSO_GROUP_ROLES
    if not raw:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"SSO_GROUP_ROLES is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ImproperlyConfigured('SSO_GROUP_ROLES must be a JSON object: {"group": "role"}')
    mapping: dict[str, list[str]] = {}
    for group, roles in raw.items():
        roles = [roles] if isinstance(roles, str) else list(roles)
        unknown = [r for r in roles if r not in ROLE_PERMISSIONS]
        if unknown:
            raise ImproperlyConfigured(f"SSO_GROUP_ROLES names unknown roles: {', '.join(unknown)}")
        mapping[str(group).strip().lower()] = roles
    return mapping


def roles_for(groups: Iterable[str]) -> list[str] | None:
    """The roles the groups map to, in the table's order; None when no mapping is configured."""
    mapping = group_roles()
    if not mapping:
        return None
    wanted = {role for group in groups for role in mapping.get(group.strip().lower(), [])}
    return [role for role in ROLE_PERMISSIONS if role in wanted]


def _first(attributes: Mapping[str, list[str]], name: str) -> str:
    if not name:
        return ""
    for key, values in attributes.items():
        if key.lower() == name.lower():
            values = [values] if isinstance(values, str) else values
            return str(values[0]).strip() if values else ""
    return ""


def region_from(value: str) -> Region | None:
    """A division code of 6, 9 or 12 digits (the county's GB/T 2260 code is often all a directory holds)."""
    if not value.isdigit() or len(value) not in (2, 4, 6, 9, 12):
        return None
    code = value.ljust(12, "0")
    if not division.is_well_formed(code):
        return None
    return Region.objects.filter(code=code).first()


def enterprise_from(value: str):
    if not value:
        return None
    enterprise_model = apps.get_model("enterprises", "Enterprise")
    return enterprise_model.objects.filter(credit_code=value.upper()).first()


def is_directory_managed(user: User) -> bool:
    return user.password.startswith(DIRECTORY_PASSWORD_PREFIX)


def directory_source(user: User) -> str:
    """"ldap" or "oidc" for an account the directory created, "" for a local one."""
    return user.password[len(DIRECTORY_PASSWORD_PREFIX):] if is_directory_managed(user) else ""


@transaction.atomic
def user_apply_directory_profile(*, user: User, profile: DirectoryProfile, created: bool) -> User:
    """Bring a signed-in account in line with the directory; `created` when the directory has just made it."""
    if created:
        user.password = DIRECTORY_PASSWORD_PREFIX + profile.source
    elif user.must_set_password:
        # An import's initial password was never the person's own; the directory has now vouched for them, so the
        # initial password goes and they are not sent to choose one.
        user.set_unusable_password()
        user.must_set_password = False
    for name in ("real_name", "mobile", "email"):
        value = getattr(profile, name)
        if name == "mobile" and not MOBILE.fullmatch(value):
            continue
        if value and (created or not getattr(user, name)):
            setattr(user, name, value[: user._meta.get_field(name).max_length])

    region_value = _first(profile.attributes, settings.SSO_REGION_ATTRIBUTE)
    enterprise_value = _first(profile.attributes, settings.SSO_ENTERPRISE_ATTRIBUTE)
    enterprise = enterprise_from(enterprise_value)
    region = None if enterprise else region_from(region_value)
    if enterprise is not None:
        user.scope_enterprise, user.scope_region = enterprise, None
    elif region is not None:
        user.scope_region, user.scope_enterprise = region, None
    elif region_value or enterprise_value:
        logger.warning("directory user %s: no region %r or enterprise %r here", user.username, region_value,
                       enterprise_value)

    save_with_history(user, actor=None, reason=_("统一身份认证登录（%(source)s）") % {
        "source": SOURCES.get(profile.source, profile.source)})
    roles = roles_for(profile.groups)
    if roles is not None and (roles or created or is_directory_managed(user)):
        current = sorted(user.groups.values_list("name", flat=True))
        if sorted(roles) != current:
            user.groups.set(Group.objects.filter(name__in=roles))
            save_with_history(user, actor=None, reason=_("统一身份认证角色：%(roles)s") % {
                "roles": "、".join(roles) or _("无")})
    return user


@register(Tags.security, deploy=False)
def check_group_roles(app_configs=None, **kwargs) -> list[CheckMessage]:
    """A mapping that names no role of the platform is refused at start-up, not at someone's sign-in."""
    try:
        group_roles()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="docs/deployment.md, Unified sign-on", id="core.E120")]
    return []
