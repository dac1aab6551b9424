"""Generic REST pieces: scoped viewsets, permissions, pagination, errors, tokens.

An app's API declares a serializer, a filterset and the model's spec; the viewset
scopes every query with `restrict(user, action)` (so an out-of-scope record is
a 404), checks model permissions, and sends writes to the services the spec names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from yingji.core.filters import RegionFilterSet
from yingji.core.forms import REASON_MAX_LENGTH
from yingji.core.models import Organization, Region, User
from yingji.core.resource_specs import ORGANIZATION
from yingji.core.rest import TokenThrottle
from yingji.core.scoping import ScopedQuerySet, ensure_in_scope, has_model_perm
from yingji.core.specs import ModelSpec
from yingji.core.validators import coordinates_problem, validate_plausible_day
from yingji.core.workflow import ActionField, Transition, unknown_action_message

ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change", "PATCH": "change"}


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by its key, accepted only from within the requesting user's scope."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if isinstance(queryset, ScopedQuerySet) and request is not None:
            return queryset.restrict(request.user, "view")
        return queryset

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            # No key holds NUL, and PostgreSQL refuses it in a query (a server error) where SQLite finds nothing.
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """A date within `validate_plausible_day`'s range."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_plausible_day)


class DateTimeField(serializers.DateTimeField):
    """A time within `validate_plausible_day`'s range; DRF lets a naive time at the edge of Python's dates overflow
    while making it aware (a server error), here it is a validation error."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_plausible_day)

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class ScopedModelSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The same check as the pages' forms (yingji.core.forms.ScopedModelForm): coordinates in their region.
        writable = {name for name, f in self.fields.items() if not f.read_only}
        if {"longitude", "latitude"} <= writable and {"longitude", "latitude", "region", "enterprise"} & set(attrs):
            problem = coordinates_problem(attrs, self.instance)
            if problem:
                raise serializers.ValidationError({"longitude": [problem]})
        return attrs


def _refuse_nul_key(viewset) -> None:
    lookup = viewset.kwargs.get(viewset.lookup_url_kwarg or viewset.lookup_field)
    if isinstance(lookup, str) and "\x00" in lookup:
        raise Http404  # as in ScopedRelatedField: PostgreSQL refuses NUL in a query


def _prepared(viewset, queryset):
    select = getattr(viewset, "select_related", ())
    if select:
        queryset = queryset.select_related(*select)
    # Pages of an unordered queryset can repeat or skip rows.
    return queryset if queryset.ordered else queryset.order_by("pk")


# Transitions ----------------------------------------------------------------------------------------------


def _action_field(model: type[models.Model], action_field: ActionField) -> serializers.Field:
    model_field = action_field.model_field(model)
    if action_field.field is not None:
        # An unbound field belongs to no model, and DRF reads the model's constraints for unique validators.
        model_field = copy.copy(model_field)
        model_field.model = model
    required = action_field.required
    if model_field.is_relation:
        return ScopedRelatedField(queryset=model_field.related_model._default_manager.all(), required=required,
                                  allow_null=not required, label=str(model_field.verbose_name))
    field_class, kwargs = ScopedModelSerializer().build_standard_field(action_field.name, model_field)
    kwargs.pop("read_only", None)
    kwargs.pop("default", None)
    kwargs["required"] = required
    if not required and field_class in (serializers.CharField, serializers.ChoiceField):
        kwargs["allow_blank"] = True
    if not required:
        kwargs["allow_null"] = True
    return field_class(**kwargs)


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def _transition_serializer(model: type[models.Model], move: Transition) -> type[serializers.Serializer]:
    # The action's name inline in its body (one value), not as a shared enum component per name.
    action_field = extend_schema_field({"type": "string", "enum": [move.action], "description": str(move.label)})(
        type(f"{model.__name__}{_camel(move.action)}Action", (serializers.ChoiceField,), {}))
    attrs: dict[str, Any] = {
        "action": action_field(choices=[move.action], help_text=str(move.label)),
        "reason": serializers.CharField(required=move.reason_required, allow_blank=not move.reason_required,
                                        max_length=REASON_MAX_LENGTH, help_text=str(_("原因（必填）") if
                                        move.reason_required else _("说明（选填）"))),
    }
    for action_field in move.action_fields():
        attrs[action_field.name] = _action_field(model, action_field)
    attrs["__doc__"] = f"{move.label}：{model._meta.verbose_name}"
    return type(f"{model.__name__}{_camel(move.action)}Transition", (serializers.Serializer,), attrs)


@cache
def transition_serializers(spec: ModelSpec) -> dict[str, type[serializers.Serializer]]:
    """One request body per action of the spec's transition tables: the action, its reason and its fields."""
    return {move.action: _transition_serializer(spec.model, move) for move in spec.moves()}


class MayReadTheModel(permissions.BasePermission):
    """A move needs the model's view permission; who may make which move is the transition table's `who`."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and has_model_perm(request.user, view.spec.model,
                                                                                       "view"))


class TransitionMixin:
    """`POST <id>/transition/` on a viewset whose spec has flows: `{"action": ..., "reason": ..., <fields>}`.

    The body of each action is generated from its row in the table, so the schema documents every move exactly.
    The record is looked up among those the user may read (404 otherwise); `transition()` refuses the rest.
    """

    spec: ModelSpec
    transition_permission_classes: tuple = (MayReadTheModel,)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is None or not spec.flows:
            return
        bodies = transition_serializers(spec)
        request = PolymorphicProxySerializer(
            component_name=f"{spec.model.__name__}TransitionRequest", serializers=bodies,
            resource_type_field_name="action")
        extend_schema_view(transition=extend_schema(
            request=request, responses=cls.__dict__.get("serializer_class") or cls.serializer_class,
            summary=f"{spec.model._meta.verbose_name}：办理（" + "、".join(str(t.label) for t in spec.moves()) + "）",
        ))(cls)

    def get_permissions(self):
        if self.action == "transition":
            return [permission() for permission in self.transition_permission_classes]
        return super().get_permissions()

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        _refuse_nul_key(self)
        lookup = self.lookup_url_kwarg or self.lookup_field
        queryset = self.spec.model.objects.restrict(request.user, "view")
        try:
            obj = queryset.get(**{self.lookup_field: kwargs[lookup]})
        except (self.spec.model.DoesNotExist, ValueError, DjangoValidationError):
            raise Http404 from None
        # A record the user only reads (shared from above) takes no move, whatever the body: refused before reading it.
        ensure_in_scope(request.user, obj)
        data = request.data if isinstance(request.data, dict) else {}  # a JSON array or string names no action
        action_name = data.get("action")
        bodies = transition_serializers(self.spec)
        body = bodies.get(action_name) if isinstance(action_name, str) else None
        if body is None:
            raise serializers.ValidationError({"action": [
                unknown_action_message(str(action_name or "")) + _("；可选：%(choices)s") % {"choices": "、".join(bodies)}
            ]})
        serializer = body(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("action")
        reason = values.pop("reason", "")
        fields = {name: value for name, value in values.items() if value not in (None, "")}
        with transaction.atomic():
            changed = self.spec.act(obj, actor=request.user, action=action_name, reason=reason, **fields)
        return Response(self.get_serializer(changed).data)


class ScopedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update one model inside the user's jurisdiction, through its spec's services."""

    spec: ModelSpec | None = None
    model: type[models.Model]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "spec", None) is not None:
            cls.model = cls.spec.model

    def get_queryset(self):
        action = ACTIONS.get(self.request.method, "view")
        return _prepared(self, self.model.objects.restrict(self.request.user, action))

    def get_object(self):
        _refuse_nul_key(self)
        return super().get_object()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.spec.create_object(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = self.spec.update_object(instance, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)


class ReadOnlyScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    spec: ModelSpec | None = None
    model: type[models.Model]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "spec", None) is not None:
            cls.model = cls.spec.model

    def get_queryset(self):
        return _prepared(self, self.model.objects.restrict(self.request.user, "view"))

    def get_object(self):
        _refuse_nul_key(self)
        return super().get_object()


def viewset_for(spec: ModelSpec) -> type[viewsets.GenericViewSet]:
    """A scoped viewset over the spec's `api_fields` (read-only ones in `api_read_only`), filtered by its filter
    set and searched over `search`, with `transition` when the spec has flows."""
    meta = type("Meta", (), {"model": spec.model, "fields": ["id", *spec.api_fields],
                             "read_only_fields": list(spec.api_read_only)})
    serializer = type(f"{spec.model.__name__}Serializer", (ScopedModelSerializer,), {"Meta": meta})
    bases = (TransitionMixin, ScopedViewSet) if spec.flows else (ScopedViewSet,)
    return type(f"{spec.model.__name__}ViewSet", bases, {
        "__doc__": spec.doc or f"{spec.model._meta.verbose_name_plural}（管辖范围内）",
        "__module__": spec.model.__module__, "spec": spec, "serializer_class": serializer,
        "filterset_class": spec.filterset, "search_fields": list(spec.search),
    })


BATCH_LIMIT = 500


def batch_create(viewset, request, *, create: Callable[..., models.Model], noun: str,
                 describe: Callable[[models.Model], dict[str, Any]] = lambda obj: {"id": obj.pk}) -> Response:
    """Many records in one request (`[...]` or `{"items": [...]}`), each validated and saved on its own.

    The answer lists what was created and every bad item with its index (from 0) and reasons; good items are kept.
    """
    items = request.data.get("items") if isinstance(request.data, dict) else request.data
    if not isinstance(items, list) or not items:
        raise serializers.ValidationError({"items": _("请提交%(noun)s列表（JSON 数组，或 {\"items\": [...]}）") % {"noun": noun}})
    if len(items) > BATCH_LIMIT:
        raise serializers.ValidationError({"items": _("每批最多 %(n)d 条") % {"n": BATCH_LIMIT}})
    created, errors = [], []
    for index, item in enumerate(items):
        serializer = viewset.get_serializer(data=item if isinstance(item, dict) else {})
        if not serializer.is_valid():
            errors.append({"index": index, "errors": serializer.errors})
            continue
        try:
            with transaction.atomic():
                obj = create(actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            errors.append({"index": index, "errors": detail})
        except DjangoPermissionDenied as exc:
            errors.append({"index": index, "errors": {"non_field_errors": [str(exc)]}})
        else:
            created.append({"index": index, **describe(obj)})
    return Response({"created": len(created), "failed": len(errors), "results": created, "errors": errors},
                    status=status.HTTP_201_CREATED if created else status.HTTP_400_BAD_REQUEST)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """POST username and password, get the token to send as `Authorization: Token <token>`."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses=TokenResponseSerializer)
    def post(self, request, *args: Any, **kwargs: Any) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": "登录失败次数过多，该账号已被暂时锁定，请稍后再试。"}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


# Core resources -----------------------------------------------------------------


class RegionSerializer(ScopedModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_display", "parent", "longitude", "latitude", "population", "area_km2"]


class RegionViewSet(ReadOnlyScopedViewSet):
    """Regions in the user's jurisdiction; boundaries are served as GeoJSON by /regions/geojson/."""

    model = Region
    serializer_class = RegionSerializer
    lookup_field = "code"
    filterset_class = RegionFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "population"]


class OrganizationSerializer(ScopedModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "region", "parent", "phone"]


class OrganizationViewSet(ScopedViewSet):
    spec = ORGANIZATION
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "region", "parent"]
    search_fields = ["name"]


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "real_name", "organization", "scope_region", "scope_enterprise", "scope", "roles"]

    def get_roles(self, obj: User) -> list[str]:
        return obj.role_names


class UserViewSet(ReadOnlyScopedViewSet):
    model = User
    serializer_class = UserSerializer
    select_related = ("scope_region", "scope_enterprise")
    search_fields = ["username", "real_name"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("groups")


class MeView(APIView):
    """The user behind the request: who they are, their scope and roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request) -> Response:
        return Response(UserSerializer(request.user).data)



ROUTES = [
    ("regions", RegionViewSet, "region"),
    ("organizations", OrganizationViewSet, "organization"),
    ("users", UserViewSet, "user"),
]
