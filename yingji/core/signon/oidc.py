"""Sign-in with an OpenID Connect provider (the bureau's 统一身份认证平台) through mozilla-django-oidc.

The login page's "统一身份认证登录" button leads to `start`, which sends the browser to the provider; the provider
sends it back to `callback` with a code, which the backend exchanges for the person's claims (authorization code
flow with PKCE; the ID token checked against the provider's keys). The endpoints come from the provider's
discovery document (OIDC_OP_DISCOVERY_URL) unless each is given. Every request to the provider waits OIDC_TIMEOUT
seconds at most; a provider that cannot be reached sends the person back to the login page with
`UNAVAILABLE_MESSAGE`.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from yingji.core import signon
from yingji.core.signon.profile import DirectoryProfile, user_apply_directory_profile

logger = logging.getLogger(__name__)

DISCOVERY_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovered: dict[str, dict] = {}


class ProviderUnavailableError(Exception):
    pass


def endpoint(name: str) -> str:
    """One of the provider's endpoints: as configured, else from its discovery document (fetched once)."""
    given = getattr(settings, name, "")
    if given:
        return given
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        raise ImproperlyConfigured(f"{name} or OIDC_OP_DISCOVERY_URL must be set")
    document = _discovered.get(url)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailableError(str(exc)) from exc
        _discovered[url] = document
    value = document.get(DISCOVERY_KEYS[name], "")
    if not value:
        raise ProviderUnavailableError(f"the discovery document has no {DISCOVERY_KEYS[name]}")
    return value


def _unreachable(exc: requests.RequestException) -> bool:
    response = getattr(exc, "response", None)
    return response is None or response.status_code >= 500


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django makes a backend for every sign-in attempt, the login form's too: the endpoints are looked up only
        # when a provider's code arrives (authenticate), so a provider that is down never breaks local sign-in.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not request.GET.get("code") or not request.GET.get("state"):
            return None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT")
            return super().authenticate(request, **kwargs)
        except ProviderUnavailableError as exc:
            logger.warning("OpenID Connect provider unavailable: %s", exc)
            signon.mark_unavailable(request)
        except requests.RequestException as exc:
            logger.warning("OpenID Connect provider refused or unavailable: %s", exc)
            if _unreachable(exc):
                signon.mark_unavailable(request)
        except SuspiciousOperation as exc:
            # An ID token whose signature or nonce does not check out: refused, never a 400 page.
            logger.warning("OpenID Connect sign-in refused: %s", exc)
        return None

    def get_username(self, claims: dict) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM, "")).strip()

    def describe_user_by_claims(self, claims: dict) -> str:
        return f"username {self.get_username(claims)}"

    def verify_claims(self, claims: dict) -> bool:
        return bool(self.get_username(claims))

    def filter_users_by_claims(self, claims: dict):
        # The account is the one of the same username, whatever its e-mail address.
        return self.UserModel.objects.filter(username__iexact=self.get_username(claims))

    def create_user(self, claims: dict):
        user = self.UserModel(username=self.get_username(claims)[:150])
        return user_apply_directory_profile(user=user, profile=_profile(claims), created=True)

    def update_user(self, user, claims: dict):
        if not user.is_active:
            return user
        return user_apply_directory_profile(user=user, profile=_profile(claims), created=False)


def _profile(claims: dict) -> DirectoryProfile:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    attributes = {key: value if isinstance(value, list) else [value] for key, value in claims.items()
                  if isinstance(value, (str, int, list))}
    return DirectoryProfile(
        source="oidc",
        groups=frozenset(str(g) for g in groups),
        attributes=attributes,
        real_name=str(claims.get("name", "")),
        mobile=str(claims.get("phone_number", "")),
        email=str(claims.get("email", "")),
    )


class StartView(OIDCAuthenticationRequestView):
    """Off the login page to the provider."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not signon.oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailableError as exc:
            logger.warning("OpenID Connect provider unavailable: %s", exc)
            messages.error(request, signon.UNAVAILABLE_MESSAGE)
            return redirect(settings.LOGIN_URL)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: signed in, or on the login page with the reason."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not signon.oidc_enabled():
            raise Http404
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        unavailable = signon.was_unavailable(self.request)
        messages.error(self.request, signon.UNAVAILABLE_MESSAGE if unavailable else signon.FAILED_MESSAGE)
        return redirect(settings.LOGIN_URL)
