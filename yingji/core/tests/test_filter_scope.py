"""Filter sets offer only the related records the user may view, without a line of their own."""

import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.test import RequestFactory
from rest_framework.settings import api_settings

from yingji.core.filters import RELATED_FILTERS, RegionScopedFilterSet, ScopedFilterBackend, ScopedFilterSet
from yingji.core.models import Attachment, Region
from yingji.core.scoping import ScopedQuerySet
from yingji.core.services import organization_create
from yingji.core.testing import add_enterprise_user
from yingji.enterprises.models import Enterprise
from yingji.enterprises.testing import EnterpriseFactory
from yingji.urls import router

pytestmark = pytest.mark.django_db

COUNTY1_SUBTREE = ["390102000000", "390102001000", "390102001001", "390102001002"]


class DeclaredFilterSet(ScopedFilterSet):
    enterprise = django_filters.ModelChoiceFilter(label="企业", queryset=Enterprise.objects.all())
    region = django_filters.ModelMultipleChoiceFilter(label="区划", queryset=Region.objects.all())

    class Meta:
        model = Attachment
        fields = ["enterprise", "region"]


class GeneratedFilterSet(ScopedFilterSet):
    class Meta:
        model = Attachment
        fields = ["enterprise", "region"]


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def offered(filterset: django_filters.FilterSet, name: str) -> list[str]:
    """The values of a dropdown as the page renders it, the empty choice left out."""
    return [str(value) for value, _label in filterset.form.fields[name].choices if value != ""]


@pytest.fixture
def enterprises(world):
    """An enterprise in each county, and a neighbour of the first in its own village."""
    return (EnterpriseFactory(region=world.village1, name="甲一化工"),
            EnterpriseFactory(region=world.village2, name="乙一化工"),
            EnterpriseFactory(region=world.village1, name="甲一邻居"))


def test_the_generated_filters_are_related_choices():
    # Otherwise the tests below would not test the generated filters at all.
    assert isinstance(GeneratedFilterSet.base_filters["enterprise"], django_filters.ModelChoiceFilter)
    assert isinstance(GeneratedFilterSet.base_filters["region"], django_filters.ModelChoiceFilter)


@pytest.mark.parametrize("filterset_class", [DeclaredFilterSet, GeneratedFilterSet])
def test_a_county_users_dropdowns_hold_only_its_own_regions_rows(world, enterprises, filterset_class):
    county1, county2, neighbour = enterprises
    filterset = filterset_class(queryset=Attachment.objects.none(), request=request_of(world.county1_officer))
    assert offered(filterset, "region") == COUNTY1_SUBTREE  # in code order, as before
    assert sorted(offered(filterset, "enterprise")) == sorted([str(county1.pk), str(neighbour.pk)])


@pytest.mark.parametrize("filterset_class", [DeclaredFilterSet, GeneratedFilterSet])
def test_an_enterprise_users_dropdowns_hold_only_its_own_enterprise(world, enterprises, filterset_class):
    county1, _county2, _neighbour = enterprises
    manager = add_enterprise_user(world, "manager", county1)
    filterset = filterset_class(queryset=Attachment.objects.none(), request=request_of(manager))
    assert offered(filterset, "enterprise") == [str(county1.pk)]
    assert offered(filterset, "region") == [world.village1.code]


@pytest.mark.parametrize("filterset_class", [DeclaredFilterSet, GeneratedFilterSet])
def test_a_choice_outside_the_scope_is_refused(world, enterprises, filterset_class):
    county1, county2, _neighbour = enterprises
    request = request_of(world.county1_officer)
    outside = filterset_class({"enterprise": county2.pk}, queryset=Attachment.objects.none(), request=request)
    assert not outside.is_valid()
    assert "enterprise" in outside.errors
    inside = filterset_class({"enterprise": county1.pk}, queryset=Attachment.objects.none(), request=request)
    assert inside.is_valid(), inside.errors


def test_without_a_request_nothing_is_offered(world, enterprises):
    filterset = DeclaredFilterSet(queryset=Attachment.objects.none())
    assert offered(filterset, "enterprise") == []
    assert offered(filterset, "region") == []


def test_a_users_scope_does_not_drop_what_else_the_choices_say(world):
    class RegionFilterSet(RegionScopedFilterSet):
        class Meta:
            model = Attachment
            fields = ["region"]

    filterset = RegionFilterSet(queryset=Attachment.objects.none(), request=request_of(world.county1_officer))
    assert offered(filterset, "region") == ["390102000000", "390102001000"]  # no villages, in code order


def test_a_form_field_built_on_the_class_is_not_offered(world, enterprises):
    class Primed(ScopedFilterSet):
        enterprise = django_filters.ModelChoiceFilter(label="企业", queryset=Enterprise.objects.all())

        class Meta:
            model = Attachment
            fields = ["enterprise"]

    # A schema generator or a template may build the field on the class's filter, which every instance copies.
    built = Primed.base_filters["enterprise"].field
    assert len([value for value, _label in built.choices if value != ""]) == 3
    filterset = Primed(queryset=Attachment.objects.none(), request=request_of(world.county1_officer))
    assert len(offered(filterset, "enterprise")) == 2


def test_the_api_refuses_a_choice_outside_the_scope_of_filters_made_from_filterset_fields(client, world):
    # The organization API declares `filterset_fields`, so its filter set is made by the REST backend.
    organization_create(actor=None, name="甲区应急管理局", kind="bureau", region=world.county1)
    client.force_login(world.county1_officer)
    outside = client.get("/api/organizations/", {"region": world.county2.code})
    assert outside.status_code == 400, outside.content
    inside = client.get("/api/organizations/", {"region": world.county1.code})
    assert inside.status_code == 200 and inside.json()["count"] == 1


# Every filter set of every app ------------------------------------------------------------------


def filter_modules() -> list:
    """Each app's `filters` module and its siblings (`filters_duty`, ...)."""
    modules = []
    for app in apps.get_app_configs():
        if not app.name.startswith("yingji."):
            continue
        for module in pkgutil.iter_modules(app.module.__path__):
            if module.name.startswith("filters"):
                modules.append(importlib.import_module(f"{app.name}.{module.name}"))
    return modules


def app_filtersets() -> list[type[django_filters.FilterSet]]:
    """Every FilterSet class the apps define for a model (bases without one are checked through their subclasses)."""
    return [
        cls
        for module in filter_modules()
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, django_filters.FilterSet) and cls.__module__ == module.__name__
        and cls._meta.model is not None
    ]


def sql(queryset) -> str:
    try:
        return str(queryset.query)
    except EmptyResultSet:  # a queryset that can hold no row has no SQL
        return "nothing"


def test_the_walk_finds_the_filter_sets_of_every_app():
    modules = {module.__name__ for module in filter_modules()}
    assert {"yingji.enterprises.filters", "yingji.incidents.filters_duty", "yingji.training.filters"} <= modules
    names = {cls.__name__ for cls in app_filtersets()}
    assert {"EnterpriseFilterSet", "DutyLogFilterSet", "AttemptFilterSet", "DeliveryFilterSet"} <= names


@pytest.mark.parametrize("persona", ["county1_admin", "enterprise_manager"])
def test_every_related_choice_of_every_filter_set_is_restricted(world, enterprises, persona):
    if persona == "enterprise_manager":
        add_enterprise_user(world, persona, enterprises[0])
    user = getattr(world, persona)
    request = request_of(user)
    checked = 0
    for filterset_class in app_filtersets():
        filterset = filterset_class(queryset=filterset_class._meta.model.objects.none(), request=request)
        for name, declared in filterset_class.base_filters.items():
            if not isinstance(declared, RELATED_FILTERS):
                continue
            where = f"{filterset_class.__module__}.{filterset_class.__name__}.{name}"
            choices = declared.get_queryset(request)
            assert isinstance(choices, ScopedQuerySet), f"{where} offers {choices.model.__name__}, which is not scoped"
            model = choices.model
            dropdown = filterset.form.fields[name].queryset
            assert sql(dropdown) == sql(choices.restrict(user, "view")), f"{where} offers more than the user may view"
            allowed = model.objects.restrict(user, "view")
            assert not dropdown.exclude(pk__in=allowed.values("pk")).exists(), f"{where} offers rows outside the scope"
            checked += 1
    assert checked > 0


def test_every_api_filter_set_is_scoped():
    assert ScopedFilterBackend in api_settings.DEFAULT_FILTER_BACKENDS
    for prefix, viewset, _basename in router.registry:
        view = viewset()
        for backend in getattr(view, "filter_backends", ()):
            if not issubclass(backend, django_filters.rest_framework.DjangoFilterBackend):
                continue
            assert issubclass(backend, ScopedFilterBackend), f"/api/{prefix}/ filters with {backend.__name__}"
            model = getattr(viewset, "model", None) or viewset.queryset.model
            filterset_class = backend().get_filterset_class(view, model._default_manager.none())
            if filterset_class is not None:
                assert issubclass(filterset_class, ScopedFilterSet), f"/api/{prefix}/ filters with {filterset_class}"
