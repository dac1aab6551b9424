"""Sign-in with the bureau's LDAP directory (OpenLDAP, Active Directory) through django-auth-ldap.

The login form is the same: Django tries the local password first, then this backend, which binds to the
directory as the person. Its configuration is the LDAP_* settings (settings.py), turned into django-auth-ldap's
objects here so the settings module needs no python-ldap. Every connection waits LDAP_TIMEOUT seconds at most, for
the TCP connection and for each answer, so a directory that is down or hangs costs the login page a few seconds.
"""

from __future__ import annotations

from typing import Any

import ldap
from django.conf import settings
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    PosixGroupType,
)

from yingji.core.signon import mark_unavailable
from yingji.core.signon.profile import DirectoryProfile, user_apply_directory_profile

GROUP_TYPES = {"groupOfNames": GroupOfNamesType, "groupOfUniqueNames": GroupOfUniqueNamesType,
               "posixGroup": PosixGroupType}

# The errors that mean the directory could not be asked, as opposed to an answer of "no".
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.TIMELIMIT_EXCEEDED, ldap.CONNECT_ERROR, ldap.BUSY,
               ldap.UNAVAILABLE)


class DirectoryLDAPBackend(LDAPBackend):
    @property
    def default_settings(self) -> dict[str, Any]:
        timeout = settings.LDAP_TIMEOUT
        group_type = GROUP_TYPES.get(settings.LDAP_GROUP_TYPE)
        if group_type is None:
            raise ValueError(f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}")
        config: dict[str, Any] = {
            "CONNECTION_OPTIONS": {
                ldap.OPT_NETWORK_TIMEOUT: timeout,
                ldap.OPT_TIMEOUT: timeout,
                ldap.OPT_REFERRALS: 0,
            },
            "USER_ATTR_MAP": {},
            "ALWAYS_UPDATE_USER": True,
        }
        if settings.LDAP_USER_DN_TEMPLATE:
            config["USER_DN_TEMPLATE"] = settings.LDAP_USER_DN_TEMPLATE
        else:
            config["USER_SEARCH"] = LDAPSearch(settings.LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE,
                                               settings.LDAP_USER_FILTER)
        if settings.LDAP_GROUP_SEARCH_BASE:
            config["GROUP_SEARCH"] = LDAPSearch(settings.LDAP_GROUP_SEARCH_BASE, ldap.SCOPE_SUBTREE)
            config["GROUP_TYPE"] = group_type()
        return config

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not user.is_active:
            return user
        groups: set[str] = set()
        if self.settings.GROUP_SEARCH is not None:
            try:
                groups = set(ldap_user.group_names) | set(ldap_user.group_dns)
            except ldap.LDAPError as exc:
                if isinstance(exc, UNREACHABLE):
                    mark_unavailable(ldap_user._request)
                return None
        attributes = ldap_user.attrs or {}
        profile = DirectoryProfile(
            source="ldap",
            groups=frozenset(groups),
            attributes=attributes,
            real_name=_first(attributes, settings.LDAP_ATTRIBUTE_REAL_NAME),
            mobile=_first(attributes, settings.LDAP_ATTRIBUTE_MOBILE),
            email=_first(attributes, settings.LDAP_ATTRIBUTE_EMAIL),
        )
        return user_apply_directory_profile(user=user, profile=profile, created=ldap_user._yingji_built)

    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        # Remembered for authenticate_ldap_user: an account the directory makes is the directory's to manage.
        ldap_user._yingji_built = built
        return user, built


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or attributes.get(name.lower()) or []
    return str(values[0]).strip() if values else ""


@receiver(ldap_error, sender=DirectoryLDAPBackend, dispatch_uid="yingji.signon.ldap_unreachable")
def _note_unreachable(sender, context, user, request, exception, **kwargs) -> None:
    if isinstance(exception, UNREACHABLE):
        mark_unavailable(request)
