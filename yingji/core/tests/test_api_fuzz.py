"""Every operation of the OpenAPI schema, fuzzed as the city administrator, a county officer and an enterprise manager.

The operations come from /api/schema/, so a new app's endpoints are fuzzed without touching this file. Each
operation gets a fixed list of hostile values (always sent: huge numbers, impossible dates, bad choices, control
characters and NUL in every query parameter and every body field) and then a few requests that hypothesis draws from
the operation's parameter and body schemas, around real rows of every app. No answer may be a server error, and
every client error must be JSON, not an HTML page.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from yingji.core.testing import World, add_enterprise_user
from yingji.disasters import testing as disasters
from yingji.enterprises.testing import EnterpriseFactory
from yingji.hazards.testing import HazardFactory
from yingji.incidents.testing import IncidentFactory
from yingji.inspections import testing as inspections
from yingji.monitoring import testing as monitoring
from yingji.plans import testing as plans
from yingji.resources import testing as resources
from yingji.risks.testing import RiskPointFactory
from yingji.tipoffs.testing import make_tipoff
from yingji.training import testing as training
from yingji.urls import router
from yingji.warnings import testing as warnings

pytestmark = pytest.mark.django_db

FUZZED_METHODS = ("get", "post", "put", "patch")
PERSONAS = ("city_admin", "county1_officer", "enterprise_manager")
# Drawn requests per operation and persona, on top of the fixed hostile ones; kept small so the three personas
# together stay within about two minutes on SQLite.
EXAMPLES = 3

HUGE = "99999999999999999999999"
HOSTILE_QUERY_VALUES = [
    HUGE, "-" + HUGE, "1e400", "NaN", "\x00", "abc\x01\x1f\x7f\x96", "9999-12-31", "0001-01-01", "2026-02-30",
]
# By the type the schema gives a body field; every field also gets a null and a value of the wrong type.
HOSTILE_BODY_VALUES: dict[str, list[Any]] = {
    "integer": [10**20, 2**63, "abc"],
    "number": [1e308, "1e400", "NaN"],
    "string": ["\x00", "x" * 5000, 10**20],
    "date": ["99999-01-01", "9999-12-31", "0001-01-01"],
    "date-time": ["9999-12-31T23:59:59", "0001-01-01T00:00:00", "2026-01-01T25:61:00"],
    "boolean": ["maybe"],
    "array": [[HUGE], ["\x00"], {"a": 1}],
    "object": [[], {"\x00": HUGE}],
    "": [None, []],
}
# Query parameters found in more than COMMON_AT operations are the shared ones.
COMMON_AT = 10
COMMON_TURNS = 2
HOSTILE_PATH_VALUES = ["0", HUGE, "abc", "\x00", "\x96"]


# -- the schema ------------------------------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str
    path_params: list[str]
    query: dict[str, dict[str, Any]]
    body: dict[str, Any] | None
    name: str = field(init=False)

    def __post_init__(self):
        self.name = f"{self.method.upper()} {self.path}"


def resolve(node: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """An OpenAPI 3.0 schema with its references inlined and `nullable` as a null alternative."""
    if depth > 20:
        return {}
    if isinstance(node, list):
        return [resolve(item, components, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return resolve(components[node["$ref"].rsplit("/", 1)[-1]], components, depth + 1)
    result = {}
    for key, value in node.items():
        if key in ("title", "description", "example", "readOnly", "writeOnly", "nullable", "discriminator"):
            continue
        if key == "properties":
            result[key] = {name: resolve(sub, components, depth + 1) for name, sub in value.items()}
        else:
            result[key] = resolve(value, components, depth + 1)
    if node.get("nullable"):
        result = {"anyOf": [result, {"type": "null"}]}
    return result


def operations(schema: dict[str, Any]) -> list[Operation]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in sorted(schema["paths"].items()):
        for method in FUZZED_METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            parameters = [*item.get("parameters", []), *spec.get("parameters", [])]
            body = None
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = resolve(content["application/json"].get("schema", {}), components)
            found.append(Operation(
                method=method, path=path,
                path_params=[p["name"] for p in parameters if p["in"] == "path"],
                query={p["name"]: resolve(p.get("schema", {}), components) for p in parameters if p["in"] == "query"},
                body=body,
            ))
    return found


# -- the world the requests meet ----------------------------------------------------------------------------------


def populate(world: World) -> None:
    """A few rows of every app in county 1 (around one enterprise) and county 2, made through the apps' services."""
    mine = EnterpriseFactory(region=world.village1)
    theirs = EnterpriseFactory(region=world.village2)
    add_enterprise_user(world, "enterprise_manager", mine)
    for enterprise, village, county in ((mine, world.village1, world.county1), (theirs, world.village2, world.county2)):
        HazardFactory(enterprise=enterprise)
        RiskPointFactory(enterprise=enterprise)
        source = monitoring.make_source(village, enterprise=enterprise)
        monitoring.make_point(source)
        resources.RescueTeamFactory(region=county)
        resources.WarehouseFactory(region=county)
        resources.ShelterFactory(region=village)
        resources.ExpertFactory(region=county)
        resources.ResourcePointFactory(region=village)
        IncidentFactory(region=village)
        plans.make_plan(county)
        plans.make_drill(county)
        plans.make_assessment(village)
        inspections.make_inspection(enterprise, [inspections.make_inspector(county), inspections.make_inspector(county)])
        inspections.make_plan(county)
        bank = training.make_bank(county)
        exam = training.make_exam(county, [bank])
        training.enrol(exam, training.make_trainee(enterprise))
        make_tipoff(village)
        event = disasters.make_event(county, [village])
        disasters.make_report(event, village)
        consultation = disasters.make_consultation(county)
        disasters.make_task(consultation, plans.organization(county, f"{county.name}应急管理局"))
        warnings.make_warning(world, region=county)
    resources.MaterialFactory()
    station = disasters.make_station(world.village1, "S0001", 118.5, 36.4)
    disasters.observe(station, datetime.date(2026, 12, 1))


# -- sending and judging ------------------------------------------------------------------------------------------


class Fuzzer:
    """Sends requests as one user, each in a savepoint that is rolled back, and keeps what went wrong."""

    def __init__(self, world: World, persona: str, common_query: set[str]):
        self.client = APIClient()
        self.client.force_authenticate(getattr(world, persona))
        self.admin = APIClient()
        self.admin.force_authenticate(world.city_admin)
        self.persona = persona
        self.failures: dict[str, str] = {}
        self.sent = 0
        self.current = ""
        self.common_query = common_query
        self.turn = PERSONAS.index(persona) * COMMON_TURNS if persona in PERSONAS else 0
        self._rows: dict[tuple[str, str], list[str]] = {}

    def send(self, method: str, path: str, *, query: dict[str, str] | None = None, body: Any = None,
             raw: str | None = None, client: APIClient | None = None):
        self.sent += 1
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        described = f"{method.upper()} {path} query={query!r} body={(raw or body)!r:.300}"
        try:
            with transaction.atomic():
                response = (client or self.client).generic(
                    method.upper(), path, data=data or "", content_type="application/json",
                    QUERY_STRING="&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in (query or {}).items()),
                )
                transaction.set_rollback(True)
        except Exception as exc:  # the test client re-raises what the view raised: a 500
            ours = [f"{frame.filename.split('/yingji/', 1)[-1]}:{frame.lineno}"
                    for frame in traceback.extract_tb(exc.__traceback__) if "/yingji/" in frame.filename]
            self.failures.setdefault(f"{self.current} {type(exc).__name__}",
                                     f"{described}: {type(exc).__name__}: {str(exc)[:200]} at {ours[-3:]}")
            return None
        if response.status_code >= 500:
            self.failures.setdefault(f"{self.current} {response.status_code}", f"{described}: {response.status_code}")
        elif response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            self.failures.setdefault(f"{self.current} not JSON",
                                     f"{described}: {response.status_code} {response.get('Content-Type')}")
        return response

    def real_keys(self, operation: Operation, param: str) -> list[str]:
        """Keys of rows behind a detail route: those the user sees first, then one only the administrator sees."""
        collection = operation.path.split("{", 1)[0]
        cached = self._rows.get((collection, param))
        if cached is None:
            cached = []
            for client in (self.client, self.admin):
                response = self.send("get", collection, client=client)
                results = []
                if response is not None and response.status_code == 200:
                    payload = response.json()
                    results = payload.get("results", []) if isinstance(payload, dict) else payload
                for row in results[:2] if isinstance(results, list) else []:
                    key = row.get(param, row.get("id")) if isinstance(row, dict) else None
                    if key is not None and str(key) not in cached:
                        cached.append(str(key))
            self._rows[(collection, param)] = cached or ["1"]
        return self._rows[(collection, param)]

    def url(self, operation: Operation, keys: dict[str, str]) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: quote(keys[m.group(1)], safe=""), operation.path)

    def base_body(self, operation: Operation, url: str) -> dict[str, Any]:
        """A body that passes validation as far as possible, so that hostile fields reach the services: a row as the
        API shows it (the edited one, or for a create the first of the list), trimmed to the writable fields."""
        properties = (operation.body or {}).get("properties", {})
        if not properties or operation.method == "get" or (operation.method == "post" and operation.path_params):
            return {}
        response = self.send("get", url)
        row = response.json() if response is not None and response.status_code == 200 else {}
        if operation.method == "post":
            row = (row.get("results") or [{}])[0] if isinstance(row, dict) else {}
        return {k: v for k, v in row.items() if k in properties} if isinstance(row, dict) else {}

    # -- the fixed hostile requests ----------------------------------------------------------------------------

    def hostile(self, operation: Operation) -> None:
        keys = {p: self.real_keys(operation, p)[0] for p in operation.path_params}
        url = self.url(operation, keys)
        for param in operation.path_params:
            for value in HOSTILE_PATH_VALUES:
                self.send(operation.method, self.url(operation, {**keys, param: value}), body={})
        if operation.method == "get":
            for name in operation.query:
                hostile = HOSTILE_QUERY_VALUES
                if name in self.common_query:
                    # Served by shared code (pagination, ordering, search, region): each operation gets a few of the
                    # values in turn, so that together the operations, and the personas, send all of them.
                    self.turn += 1
                    hostile = [HOSTILE_QUERY_VALUES[(self.turn + k) % len(hostile)] for k in range(COMMON_TURNS)]
                for value in hostile:
                    self.send("get", url, query={name: value})
            return
        self.send(operation.method, url, raw="{")
        self.send(operation.method, url, raw="[1, 2]")
        self.send(operation.method, url, raw='"\\u0000"')
        if operation.method == "put":
            return  # PATCH sends the same fields one at a time; PUT gets the drawn bodies
        base = self.base_body(operation, url)
        for name, schema in (operation.body or {}).get("properties", {}).items():
            for value in hostile_body_values(schema):
                self.send(operation.method, url, body={**base, name: value})

    # -- drawn requests ----------------------------------------------------------------------------------------

    def drawn(self, operation: Operation) -> None:
        keys = {p: st.sampled_from(self.real_keys(operation, p) + HOSTILE_PATH_VALUES[:3])
                for p in operation.path_params}
        query = st.fixed_dictionaries({}, optional={name: query_value(schema)
                                                    for name, schema in operation.query.items()})
        body = body_strategy(operation.body) if operation.method != "get" else st.none()
        base = self.base_body(operation, self.url(operation, {p: self.real_keys(operation, p)[0]
                                                             for p in operation.path_params}))

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(keys=st.fixed_dictionaries(keys), query=query, body=body, merge=st.booleans())
        def run(keys, query, body, merge):
            if merge and isinstance(body, dict):
                body = {**copy.deepcopy(base), **body}
            self.send(operation.method, self.url(operation, keys), query=query,
                      body=body if operation.method != "get" else None)

        run()


def hostile_body_values(schema: dict[str, Any]) -> list[Any]:
    while "anyOf" in schema or "allOf" in schema:
        schema = (schema.get("anyOf") or schema.get("allOf"))[0]
    kind = schema.get("format") if schema.get("format") in HOSTILE_BODY_VALUES else schema.get("type", "")
    if "enum" in schema:
        kind = "string"
    return HOSTILE_BODY_VALUES.get(kind, []) + HOSTILE_BODY_VALUES[""]


def query_value(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    choices = [st.sampled_from(HOSTILE_QUERY_VALUES), st.integers().map(str), st.text(max_size=30),
               st.dates(min_value=datetime.date(1, 1, 1)).map(datetime.date.isoformat)]
    if schema.get("enum"):
        choices.insert(0, st.sampled_from([str(v) for v in schema["enum"]]))
    if schema.get("type") == "boolean":
        choices.insert(0, st.sampled_from(["true", "false", "True", "1", "0"]))
    return st.one_of(choices)


def body_strategy(schema: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not schema:
        return st.just({})
    properties = sorted(schema.get("properties", {})) or ["x"]
    hostile = [value for kind in HOSTILE_BODY_VALUES.values() for value in kind]
    return st.one_of(values(schema), st.dictionaries(st.sampled_from(properties), st.sampled_from(hostile), max_size=4))


def values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values that the schema allows, mostly: a strategy written for the shapes drf-spectacular emits."""
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([values(sub) for sub in schema[key]])
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for sub in schema["allOf"]:
            merged.update(sub)
        return values({**merged, **{k: v for k, v in schema.items() if k != "allOf"}})
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "array":
        return st.lists(values(schema.get("items", {})), max_size=3)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: values(sub) for name, sub in properties.items() if name in required},
            optional={name: values(sub) for name, sub in properties.items() if name not in required},
        )
    if kind == "string":
        return string_values(schema)
    return st.one_of(st.none(), st.integers(), st.text(max_size=10))


def string_values(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    formats = {
        "date": st.dates().map(datetime.date.isoformat),
        "date-time": st.datetimes(timezones=st.just(datetime.UTC)).map(datetime.datetime.isoformat),
        "uri": st.sampled_from(["https://example.org/a", "http://127.0.0.1/", "ftp://x", "not a uri"]),
        "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if "pattern" in schema:
        return st.one_of(st.from_regex(schema["pattern"], fullmatch=True), st.text(max_size=10))
    low = schema.get("minLength", 0)
    high = max(low, min(schema.get("maxLength", 40), 40))
    return st.one_of(st.text(min_size=low, max_size=high), st.text(min_size=high + 1, max_size=high + 2)
                     if "maxLength" in schema and schema["maxLength"] <= 40 else st.text(max_size=high))


# -- the tests ----------------------------------------------------------------------------------------------------


@pytest.fixture
def populated(world) -> World:
    populate(world)
    return world


def schema_operations(world: World) -> list[Operation]:
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return operations(json.loads(response.content))


def each_operation(world: World, persona: str) -> Iterator[tuple[Fuzzer, Operation]]:
    found = schema_operations(world)
    uses = Counter(name for operation in found for name in operation.query)
    fuzzer = Fuzzer(world, persona, {name for name, count in uses.items() if count > COMMON_AT})
    for operation in found:
        yield fuzzer, operation


def test_the_schema_names_every_routed_resource(world):
    found = schema_operations(world)
    for prefix, _viewset, _basename in router.registry:
        assert any(op.path.startswith(f"/api/{prefix}/") for op in found), prefix
    assert {"GET /api/drills/", "PUT /api/drills/{id}/", "PATCH /api/drills/{id}/", "POST /api/hazards/"} <= {
        op.name for op in found}
    drills = next(op for op in found if op.name == "GET /api/drills/")
    assert "year" in drills.query
    hazard = next(op for op in found if op.name == "POST /api/hazards/")
    assert {"description", "found_at"} <= set(hazard.body["properties"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_request_is_a_server_error(populated, persona):
    fuzzer = None
    for fuzzer, operation in each_operation(populated, persona):
        fuzzer.current = operation.name
        fuzzer.hostile(operation)
        fuzzer.drawn(operation)
    assert fuzzer is not None and fuzzer.sent > 1000
    assert not fuzzer.failures, "\n".join(fuzzer.failures.values())
