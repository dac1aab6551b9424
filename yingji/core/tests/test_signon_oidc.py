"""Sign-in through an OpenID Connect provider: a stand-in provider on a loopback port, the real redirect flow."""

import json
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from yingji.core import roles
from yingji.core.models import User
from yingji.core.signon import FAILED_MESSAGE, UNAVAILABLE_MESSAGE
from yingji.core.signon.profile import directory_source
from yingji.core.signon.testing import Provider, free_port, provider_settings

PEOPLE = {
    "zhaoliu": {"preferred_username": "zhaoliu", "name": "赵六", "groups": ["yjj-duty"], "region_code": "390103",
                "phone_number": "13900000002"},
    "county1_officer": {"preferred_username": "county1_officer", "name": "甲区监管员", "groups": []},
}


@pytest.fixture
def provider(settings, world):
    with Provider(PEOPLE) as running:
        provider_settings(settings, running, SSO_GROUP_ROLES=json.dumps({"yjj-duty": roles.DUTY_OFFICER}),
                          OIDC_TIMEOUT=1.0)
        yield running


def sign_in_at_provider(client, provider: Provider, username: str):
    """The login page's button, the provider's authorize step, and back: the response of the platform's callback."""
    provider.signed_in = username
    start = client.get(reverse("signon:start"))
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.url}/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = back.headers["Location"]
    assert callback.startswith("http://testserver/sso/oidc/callback/?")
    return client.get(callback.removeprefix("http://testserver"))


def test_the_login_page_offers_unified_sign_on_when_it_is_configured(client, provider):
    assert "统一身份认证登录" in client.get(reverse("login")).content.decode()


def test_the_login_page_has_no_such_button_by_default(client, db):
    assert "统一身份认证登录" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("signon:start")).status_code == 404


def test_a_person_signed_in_at_the_provider_gets_an_account_with_roles_and_county(client, provider, world):
    response = sign_in_at_provider(client, provider, "zhaoliu")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="zhaoliu")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.role_names == [roles.DUTY_OFFICER]
    assert user.scope_region == world.county2
    assert (user.real_name, user.mobile) == ("赵六", "13900000002")
    assert directory_source(user) == "oidc" and not user.has_usable_password()


def test_the_account_of_the_same_username_is_the_one_signed_in(client, provider, world):
    sign_in_at_provider(client, provider, "county1_officer")
    officer = world.users["county1_officer"]
    assert client.session["_auth_user_id"] == str(officer.pk)
    officer.refresh_from_db()
    assert officer.role_names == [roles.SUPERVISOR] and officer.scope_region == world.county1


def test_the_person_returns_to_the_page_they_asked_for(client, provider):
    provider.signed_in = "zhaoliu"
    start = client.get(reverse("signon:start") + "?next=/notifications/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    response = client.get(back.headers["Location"].removeprefix("http://testserver"))
    assert response["Location"] == "/notifications/"


def test_a_provider_that_is_down_sends_the_person_back_with_the_fallback_message(client, settings, provider):
    settings.OIDC_OP_DISCOVERY_URL = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    started = time.monotonic()
    response = client.get(reverse("signon:start"), follow=True)
    assert time.monotonic() - started < 2
    assert str(UNAVAILABLE_MESSAGE) in response.content.decode()
    assert response.wsgi_request.path == reverse("login")


def test_a_provider_that_hangs_during_the_token_exchange_times_out_with_the_fallback_message(client, provider):
    provider.signed_in = "zhaoliu"
    start = client.get(reverse("signon:start"))
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    provider.slow = 3
    started = time.monotonic()
    response = client.get(back.headers["Location"].removeprefix("http://testserver"), follow=True)
    elapsed = time.monotonic() - started
    provider.slow = 0
    assert elapsed < 2.5, elapsed
    assert str(UNAVAILABLE_MESSAGE) in response.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()


def test_an_id_token_signed_by_another_key_is_refused(client, provider):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = sign_in_at_provider(client, provider, "zhaoliu")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(response["Location"])
    assert str(FAILED_MESSAGE) in page.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()


def test_a_code_cannot_be_replayed(client, provider):
    provider.signed_in = "zhaoliu"
    start = client.get(reverse("signon:start"))
    callback = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    client.get(callback.removeprefix("http://testserver"))
    client.logout()
    response = client.get(callback.removeprefix("http://testserver"))
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
