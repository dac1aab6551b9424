"""Every spec'd model is wired the one way: its workflows from their tables, its schema exact, its status guarded."""

from __future__ import annotations

import json

import pytest
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from yingji.core.api import ScopedViewSet, TransitionMixin, transition_serializers
from yingji.core.discovery import app_modules
from yingji.core.specs import all_specs
from yingji.core.views.generic import view_for


def _specs():
    app_modules("specs")  # import every app's specs module, as urls.py and api.py do
    return all_specs()


def _with_flows():
    return [spec for spec in _specs() if spec.flows]


def test_every_app_with_pages_declares_its_specs():
    labels = {spec.model._meta.app_label for spec in _specs()}
    assert "hazards" in labels
    assert len(_specs()) >= 1


@pytest.mark.parametrize("spec", _with_flows(), ids=lambda spec: spec.model.__name__)
def test_a_workflows_status_cannot_be_edited_by_a_form_or_a_serializer(spec):
    for flow in spec.flows:
        field = spec.model._meta.get_field(flow.workflow.status_field)
        assert field.editable is False, f"{spec.model.__name__}.{field.name} moves only through its transitions"


@pytest.mark.parametrize("spec", _with_flows(), ids=lambda spec: spec.model.__name__)
def test_each_move_has_a_request_body_with_exactly_its_fields(spec):
    bodies = transition_serializers(spec)
    assert set(bodies) == {move.action for move in spec.moves()}
    for move in spec.moves():
        fields = bodies[move.action]().fields
        assert set(fields) == {"action", "reason", *(f.name for f in move.action_fields())}
        assert fields["reason"].required is move.reason_required
        assert list(fields["action"].choices) == [move.action]


@pytest.mark.parametrize("spec", _with_flows(), ids=lambda spec: spec.model.__name__)
def test_each_spec_with_flows_has_one_transition_page(spec):
    assert view_for(spec, "transition") is not None
    try:
        reverse(spec.url_name("transition"), args=[1])
    except NoReverseMatch:
        pytest.fail(f"{spec.model.__name__} has flows but no {spec.url_name('transition')} route: add model_urls(spec)")


def test_the_schema_gives_every_transition_its_own_body(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    components = schema["components"]["schemas"]
    transitions = {path: item["post"] for path, item in schema["paths"].items() if path.endswith("/transition/")}
    assert transitions, "no transition routes in the schema"
    for path, operation in transitions.items():
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        name = body["$ref"].rsplit("/", 1)[-1]
        polymorphic = components[name]
        assert polymorphic["discriminator"]["propertyName"] == "action", path
        for action, ref in polymorphic["discriminator"]["mapping"].items():
            one = components[ref.rsplit("/", 1)[-1]]
            named = one["properties"]["action"]
            if "allOf" in named:  # the enum as its own component
                named = components[named["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
            assert named["enum"] == [action], (path, action)
            assert "reason" in one["properties"], (path, action)


def test_viewsets_of_models_with_flows_offer_their_transitions():
    modules = [module for _config, module in app_modules("api")]
    viewsets = {viewset for module in modules for _prefix, viewset, _basename in getattr(module, "ROUTES", [])}
    for viewset in viewsets:
        spec = getattr(viewset, "spec", None)
        if spec is not None and spec.flows and issubclass(viewset, ScopedViewSet):
            assert issubclass(viewset, TransitionMixin), f"{viewset.__name__} should use TransitionMixin"
