"""Every REST route answers a malformed record id with a client error, never a server error."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from yingji.urls import router

pytestmark = pytest.mark.django_db

MALFORMED_IDS = ["\x96", "99999999999999999999999", "abc"]


def detail_routes() -> list[str]:
    return sorted({pattern.name for pattern in router.urls
                   if "pk" in pattern.pattern.regex.groupindex and "format" not in pattern.pattern.regex.groupindex})


def test_there_are_detail_routes_to_check():
    assert {"alarm-detail", "alarm-transition", "rollcall-answer", "hazard-transition"} <= set(detail_routes())


def test_a_malformed_id_is_a_client_error(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    failures = []
    for name in detail_routes():
        for pk in MALFORMED_IDS:
            url = reverse(name, kwargs={"pk": pk})
            for method in ("get", "post", "patch", "put", "delete"):
                response = getattr(client, method)(url, {}, format="json")
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures
