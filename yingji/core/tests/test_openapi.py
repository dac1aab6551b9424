"""The OpenAPI document is valid, and says what the server really answers: a sample of real calls, each checked
against the status codes its operation documents."""

from __future__ import annotations

import json
import re

import orjson
import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from yingji.monitoring import ingest, services
from yingji.monitoring.testing import make_point, make_source
from yingji.monitoring.tests.test_alarm_loop import raise_alarm

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world) -> dict:
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operation(schema: dict, method: str, url: str) -> dict:
    """The schema's operation for a concrete URL (path parameters matched as one segment each)."""
    for path, item in schema["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), url) and method in item:
            return item[method]
    raise AssertionError(f"{method.upper()} {url} is not in the schema")


def documented(schema: dict, method: str, url: str, status: int) -> None:
    codes = set(operation(schema, method, url)["responses"])
    assert str(status) in codes, f"{method.upper()} {url} answered {status}, the schema documents {sorted(codes)}"


def test_the_schema_is_a_valid_openapi_document(schema):
    validate_schema(schema)


def test_the_readings_intake_documents_its_token_scheme_body_and_answers(schema):
    intake = operation(schema, "post", "/api/monitoring/readings/")
    assert {"gatewayToken": []} in intake["security"]
    scheme = schema["components"]["securitySchemes"]["gatewayToken"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "Authorization" and "Gateway" in scheme["description"]
    body = intake["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["readings"] and "tag" in json.dumps(body)
    assert {"200", "400", "401"} <= set(intake["responses"]) and "201" not in intake["responses"]


def test_a_sample_of_real_calls_answers_only_what_the_schema_documents(schema, world):
    source = make_source(world.village1)
    point = make_point(source, tag="LT-777")
    gateway = services.gateway_create(actor=None, enterprise=source.enterprise, code="GW-777", name="网关")
    url = "/api/monitoring/readings/"
    gateway_client = APIClient()
    good = gateway_client.post(url, orjson.dumps({"readings": [["LT-777", ingest.now_ms(), 3.0]]}),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Gateway {gateway.token}")
    bad = gateway_client.post(url, b'{"readings": 5}', content_type="application/json",
                              HTTP_AUTHORIZATION=f"Gateway {gateway.token}")
    stranger = gateway_client.post(url, b"{}", content_type="application/json",
                                   HTTP_AUTHORIZATION="Gateway not-a-token")
    assert (good.status_code, bad.status_code, stranger.status_code) == (200, 400, 401)
    for response in (good, bad, stranger):
        documented(schema, "post", url, response.status_code)

    api = APIClient()
    api.force_authenticate(world.county1_admin)
    calls = [("get", "/api/monitoring/points/latest/", None),
             ("get", f"/api/monitoring/points/{point.pk}/latest/", None),
             ("get", "/api/monitoring/alarms/", None)]
    alarm = raise_alarm(world.village1)
    calls.append(("post", f"/api/monitoring/alarms/{alarm.pk}/transition/", {"action": "acknowledge"}))
    created = {"source": source.pk, "tag": "LT-778", "name": "新液位", "kind": "level", "unit": "m",
               "range_low": 0, "range_high": 10}
    calls.append(("post", "/api/monitoring/points/", created))
    for method, path, body in calls:
        response = getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
        assert response.status_code < 300, (path, response.content.decode())
        documented(schema, method, path, response.status_code)
