"""Unified sign-on (统一身份认证): people sign in with the bureau's directory account.

Three ways in, each off until its settings are given (docs/deployment.md, "Unified sign-on"):

- LDAP (`ldap.DirectoryLDAPBackend`): the ordinary login form; the password is checked by the directory.
- OpenID Connect (`oidc`): the "统一身份认证登录" button sends the browser to the provider and back.

Whichever way, `profile.user_apply_directory_profile` gives the account its roles and jurisdiction from the
directory's groups and attributes. A directory that cannot be reached fails the sign-in within seconds with
`UNAVAILABLE_MESSAGE`; local accounts keep working.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

UNAVAILABLE_MESSAGE = _("统一身份认证服务暂时无法连接，请稍后再试或使用本地账号")
FAILED_MESSAGE = _("统一身份认证登录未成功，请重试或联系管理员")

# Set on the request by a backend that could not reach its directory, for the login form to say so.
_UNAVAILABLE_FLAG = "_yingji_directory_unavailable"


def mark_unavailable(request: HttpRequest | None) -> None:
    if request is not None:
        setattr(request, _UNAVAILABLE_FLAG, True)


def was_unavailable(request: HttpRequest | None) -> bool:
    return bool(getattr(request, _UNAVAILABLE_FLAG, False))


def ldap_enabled() -> bool:
    return bool(settings.AUTH_LDAP_SERVER_URI)


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def redirect_sign_on_enabled() -> bool:
    """Whether the login page offers the button that leaves for the provider's own login page."""
    return oidc_enabled()
