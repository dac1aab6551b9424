"""Lockouts and throttles key on the client address as `client_ip()` sees it, and count in a shared cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, RequestFactory

from yingji.core.client_ip import client_ip
from yingji.core.rest import TokenThrottle
from yingji.core.testing import PASSWORD
from yingji.core.throttling import THROTTLE_CACHE, count_hit, hits

BASE_DIR = Path(__file__).resolve().parents[3]


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_by_default_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (1, "10.9.9.9, 198.51.100.20", "198.51.100.20"),  # the client's own entry on the left is ignored
    (1, "198.51.100.20", "198.51.100.20"),
    (2, "1.1.1.1, 198.51.100.20, 10.0.0.2", "198.51.100.20"),
    (2, "198.51.100.20", "127.0.0.1"),  # fewer hops than proxies: did not come through them
    (1, "not-an-address", "127.0.0.1"),
    (1, "", "127.0.0.1"),
])
def test_behind_trusted_proxies_only_their_hop_counts(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from("127.0.0.1", forwarded)) == expected


@pytest.fixture
def three_tokens_a_minute(monkeypatch):
    monkeypatch.setattr(TokenThrottle, "rate", "3/min", raising=False)


def token_request(client: Client, forwarded: str):
    return client.post("/api/auth/token/", {"username": "nobody", "password": "wrong"},
                       HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_rotating_the_forwarded_header_does_not_escape_the_token_throttle(three_tokens_a_minute):
    client = Client()
    for n in range(3):
        assert token_request(client, f"10.0.0.{n}").status_code == 400
    assert token_request(client, "10.0.0.99").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_token_throttle_counts_the_proxy_hop(settings, three_tokens_a_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for n in range(3):
        assert token_request(client, f"10.0.0.{n}, 198.51.100.20").status_code == 400
    assert token_request(client, "10.0.0.99, 198.51.100.20").status_code == 429
    # Another client behind the same proxy has its own budget.
    assert token_request(client, "198.51.100.21").status_code == 400


def login(client: Client, forwarded: str, password: str = "wrong"):
    return client.post("/login/", {"username": "county1_officer", "password": password},
                       HTTP_X_FORWARDED_FOR=forwarded)


def test_rotating_the_forwarded_header_does_not_escape_the_login_lockout(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for n in range(3):
        login(client, f"10.0.0.{n}")
    assert login(client, "10.0.0.99", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_proxy_the_login_lockout_counts_the_proxy_hop(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for n in range(3):
        login(client, f"10.0.0.{n}, 198.51.100.20")
    assert login(client, "10.0.0.99, 198.51.100.20", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    # The same account from another client behind the proxy is not locked by this one's failures.
    assert login(client, "198.51.100.21", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_throttle_counts_live_in_a_shared_cache_not_in_process_memory():
    assert isinstance(caches[THROTTLE_CACHE], DatabaseCache)
    assert not isinstance(TokenThrottle().cache, LocMemCache)
    assert count_hit("guess:a", 60) == 1
    assert count_hit("guess:a", 60) == 2
    caches[THROTTLE_CACHE].close()
    fresh = caches.create_connection(THROTTLE_CACHE)
    assert fresh.get("guess:a") == 2
    assert hits("guess:a") == 2


def settings_value(expression: str, **env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    environment.update({"DJANGO_SETTINGS_MODULE": "yingji.settings", **env})
    code = f"import django; django.setup(); from django.conf import settings; {expression}"
    return subprocess.run([sys.executable, "-c", code], env=environment, cwd=BASE_DIR, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


def test_the_throttle_cache_is_redis_in_production():
    backend = settings_value("print(settings.CACHES['throttle']['BACKEND'])", REDIS_URL="redis://127.0.0.1:6379/0")
    assert backend == "django.core.cache.backends.redis.RedisCache"


def test_embedded_processes_share_throttle_counts(tmp_path):
    """Two separate processes of the embedded configuration (no Redis) count into the same counter."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "YINGJI_VAR_DIR": str(tmp_path)}
    count = ("from django.core.management import call_command; call_command('createcachetable', verbosity=0); "
             "from yingji.core.throttling import count_hit; print(count_hit('guess:shared', 60))")
    assert settings_value(count, **env) == "1"
    assert settings_value(count, **env) == "2"
