from datetime import UTC, datetime

import orjson
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet, TransitionMixin
from yingji.monitoring import services
from yingji.monitoring.filters import AlarmFilterSet, MajorHazardSourceFilterSet, MonitoringPointFilterSet
from yingji.monitoring.ingest import PointTable
from yingji.monitoring.models import (
    Alarm,
    Gateway,
    HazardSourceChemical,
    MajorHazardSource,
    MonitoringPoint,
    chemical_choices,
)
from yingji.monitoring.specs import ALARM, GATEWAY, POINT, SOURCE


class HazardChemicalSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="catalog_entry.name", read_only=True)
    threshold = serializers.SerializerMethodField()
    beta = serializers.SerializerMethodField()
    chemical = serializers.ChoiceField(choices=chemical_choices())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)

    class Meta:
        model = HazardSourceChemical
        fields = ["id", "chemical", "name", "quantity", "threshold", "beta"]

    def get_threshold(self, obj) -> str:
        return str(float(obj.catalog_entry.threshold))

    def get_beta(self, obj) -> str:
        return str(float(obj.catalog_entry.beta))


class MajorHazardSourceSerializer(ScopedModelSerializer):
    unit_kind_display = serializers.CharField(source="get_unit_kind_display", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True, allow_null=True)
    chemicals = HazardChemicalSerializer(many=True, read_only=True)

    class Meta:
        model = MajorHazardSource
        fields = ["id", "enterprise", "region", "code", "name", "unit_kind", "unit_kind_display", "exposed_population",
                  "alpha", "s_value", "r_value", "is_major", "grade", "grade_display", "chemicals"]
        read_only_fields = ["region", "alpha", "s_value", "r_value", "is_major", "grade"]

    def validate_code(self, value: str) -> str:
        return value.strip().upper()


class MajorHazardSourceViewSet(ScopedViewSet):
    """Major hazard sources (GB 18218-2018 units) with their chemicals, S, R and grade."""

    spec = SOURCE
    serializer_class = MajorHazardSourceSerializer
    filterset_class = MajorHazardSourceFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "r_value", "grade"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("chemicals")

    @extend_schema(request=HazardChemicalSerializer, responses=MajorHazardSourceSerializer)
    @action(detail=True, methods=["post"], url_path="chemicals")
    def set_chemical(self, request, pk=None):
        """Set one chemical's maximum quantity (t); the unit is re-identified and re-graded."""
        source = self.get_object()
        serializer = HazardChemicalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.hazard_chemical_set(source=source, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=source.pk)).data)


class MonitoringPointSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = MonitoringPoint
        fields = ["id", "source", "enterprise", "tag", "name", "kind", "kind_display", "unit", "range_low",
                  "range_high", "low_low", "low", "high", "high_high", "deadband", "alarm_delay_seconds",
                  "report_period_seconds", "rate_limit", "is_active"]
        read_only_fields = ["enterprise"]
        # The range, thresholds and the tag's uniqueness in its enterprise are checked by the model and the
        # service, whose Chinese messages the API returns as a 400.
        validators: list = []


class LatestValueSerializer(serializers.ModelSerializer):
    """A point's newest value: null `value` and times when the point has not reported yet."""

    point = serializers.IntegerField(source="pk", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    value = serializers.SerializerMethodField()
    measured_at = serializers.SerializerMethodField(help_text="采集时间（北京时间，ISO 8601）")
    received_at = serializers.SerializerMethodField(help_text="接收时间（北京时间，ISO 8601）")

    class Meta:
        model = MonitoringPoint
        fields = ["point", "tag", "name", "kind", "unit", "source", "source_name", "enterprise", "enterprise_name",
                  "value", "measured_at", "received_at", "low_low", "low", "high", "high_high"]

    @staticmethod
    def _latest(point):
        return getattr(point, "latest", None)  # a point that never reported has none

    def get_value(self, point) -> float | None:
        latest = self._latest(point)
        return None if latest is None else latest.value

    def get_measured_at(self, point) -> str | None:
        latest = self._latest(point)
        return None if latest is None else local_iso(latest.ts)

    def get_received_at(self, point) -> str | None:
        latest = self._latest(point)
        return None if latest is None else local_iso(latest.received_at)


def local_iso(milliseconds: int) -> str:
    return timezone.localtime(datetime.fromtimestamp(milliseconds / 1000, tz=UTC)).isoformat(timespec="milliseconds")


class MonitoringPointViewSet(ScopedViewSet):
    """Monitoring points: range, thresholds 低低/低/高/高高, deadband, alarm delay and reporting period."""

    spec = POINT
    serializer_class = MonitoringPointSerializer
    filterset_class = MonitoringPointFilterSet
    select_related = ("source",)
    search_fields = ["tag", "name"]
    ordering_fields = ["tag", "name"]

    @extend_schema(responses=LatestValueSerializer(many=True),
                   summary="监测点最新值（可按监测点、重大危险源、企业、区域筛选）")
    @action(detail=False, methods=["get"], url_path="latest")
    def latest_values(self, request):
        """The newest value of each point the caller may read, filtered like the point list (point, source,
        enterprise, region, kind), paged."""
        points = self.filter_queryset(self.get_queryset()).select_related("latest", "source", "enterprise")
        page = self.paginate_queryset(points)
        return self.get_paginated_response(LatestValueSerializer(page, many=True).data)

    @extend_schema(responses=LatestValueSerializer, summary="单个监测点的最新值")
    @action(detail=True, methods=["get"], url_path="latest")
    def latest_value(self, request, pk=None):
        point = self.get_object()
        return Response(LatestValueSerializer(point).data)


class GatewaySerializer(ScopedModelSerializer):
    class Meta:
        model = Gateway
        fields = ["id", "enterprise", "code", "name", "report_period_seconds", "is_active", "last_seen_at"]
        read_only_fields = ["last_seen_at"]

    def validate_code(self, value: str) -> str:
        return value.strip().upper()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        token = getattr(instance, "token", None)
        if token:  # only in the response that created it
            data["token"] = token
        return data


class GatewayViewSet(ScopedViewSet):
    """Data-collection gateways; the token is returned once, when the gateway is created."""

    spec = GATEWAY
    serializer_class = GatewaySerializer
    search_fields = ["code", "name"]


# -- alarms ----------------------------------------------------------------------------------------


class AlarmSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    point_tag = serializers.CharField(source="point.tag", read_only=True, default=None)
    point_name = serializers.CharField(source="point.name", read_only=True, default=None)
    gateway_code = serializers.CharField(source="gateway.code", read_only=True, default=None)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Alarm
        fields = ["id", "code", "kind", "kind_display", "level", "level_display", "status", "status_display",
                  "enterprise", "enterprise_name", "region", "source", "point", "point_tag", "point_name", "gateway",
                  "gateway_code", "threshold", "started_at", "start_value", "peak_value", "last_value",
                  "occurrences", "recovered_at", "acknowledged_at", "acknowledged_by", "measures", "closed_at",
                  "escalation_step", "next_escalation_at"]
        read_only_fields = fields


class AlarmHandler(permissions.BasePermission):
    """Acting on an alarm takes the handler's permission (the enterprise's duty staff, the bureau's 监测预警员): one
    who may only read alarms is refused (403) before the move is looked at."""

    message = "您没有办理报警的权限。"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("monitoring.change_alarm"))


class AlarmViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Alarms in the caller's jurisdiction (an enterprise user: its own), and their loop
    未确认 → 已确认 → 处置中 → 已消警 through `transition`: acknowledge; dispose (measures required, a photo as
    multipart `photos`); close (only once the value is back to normal and the disposal recorded)."""

    spec = ALARM
    model = Alarm
    transition_permission_classes = (AlarmHandler,)
    serializer_class = AlarmSerializer
    filterset_class = AlarmFilterSet
    select_related = ("point", "gateway", "enterprise")
    search_fields = ["code", "point__tag", "point__name", "enterprise__name"]
    ordering_fields = ["started_at", "level", "code"]


# -- telemetry -------------------------------------------------------------------------------------

POINTS = PointTable()


class GatewayIdentity:
    """Who a gateway request acts as: not a person, so no model permission applies."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    scope_region_id = None
    scope_enterprise_id = None

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def has_perm(self, perm: str, obj=None) -> bool:
        return False


class GatewayAuthentication(authentication.BaseAuthentication):
    """`Authorization: Gateway <token>`: the token of one gateway, issued when it was registered."""

    keyword = "Gateway"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace") != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("网关令牌格式应为：Authorization: Gateway <令牌>")
        gateway = services.gateway_for_token(header[1].decode(errors="replace"))
        if gateway is None:
            raise exceptions.AuthenticationFailed("网关令牌无效或网关已停用")
        return GatewayIdentity(gateway), gateway

    def authenticate_header(self, request) -> str:
        return self.keyword


class GatewayAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = GatewayAuthentication
    name = "gatewayToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "网关令牌：`Authorization: Gateway <令牌>`，在登记网关时签发，每个网关一个。"}


class IsGateway(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Gateway)


class RejectedReadingSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="读数在 readings 中的序号（从 0 起）")
    tag = serializers.CharField(allow_null=True, help_text="位号")
    reason = serializers.CharField(help_text="拒收原因")


class ReadingBatchResultSerializer(serializers.Serializer):
    id = serializers.JSONField(required=False, help_text="消息中的 id，原样返回（字符串或整数）")
    received = serializers.IntegerField(help_text="消息中的读数个数")
    accepted = serializers.IntegerField(help_text="新存入的读数个数")
    duplicates = serializers.IntegerField(help_text="已存过的读数个数（按位号与采集时间）")
    rejected_count = serializers.IntegerField()
    rejected = RejectedReadingSerializer(many=True)
    error = serializers.CharField(required=False, help_text="整条消息被拒收时的原因（HTTP 400）")


READINGS_BODY = {
    "type": "object",
    "required": ["readings"],
    "properties": {
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "网关自定的消息编号，结果中原样返回"},
        "gateway": {"type": "string", "description": "网关编号；给出时须与令牌所属网关一致"},
        "ts": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}],
               "description": "读数未带时间时使用的采集时间"},
        "readings": {
            "type": "array", "maxItems": 10000,
            "items": {"oneOf": [
                {"type": "object", "required": ["tag", "v"], "properties": {
                    "tag": {"type": "string", "description": "位号"},
                    "ts": {"oneOf": [{"type": "integer", "description": "毫秒时间戳"},
                                     {"type": "string", "format": "date-time", "description": "带时区的 ISO 8601"}]},
                    "v": {"type": "number", "description": "数值（测点计量单位）"}}},
                {"type": "array", "minItems": 3, "maxItems": 3, "description": "[位号, 毫秒时间戳, 数值]",
                 "items": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"}]}},
            ]},
        },
    },
    "example": {"id": "20261207-0001", "gateway": "GW-001",
                "readings": [{"tag": "LT-101", "ts": 1796601600000, "v": 10.5}, ["PT-201", 1796601600000, 0.82]]},
}


class ReadingIngestViewSet(viewsets.ViewSet):
    """A gateway posts one message of many readings; good ones are stored, each bad one is reported with its
    reason. Body and topic scheme: docs/monitoring.md."""

    authentication_classes = [GatewayAuthentication]
    permission_classes = [IsGateway]
    throttle_classes: list = []

    @extend_schema(
        request={"application/json": READINGS_BODY},
        responses={
            200: OpenApiResponse(ReadingBatchResultSerializer, description="已处理：好的读数已存，坏的逐条给出原因"),
            400: OpenApiResponse(ReadingBatchResultSerializer, description="整条消息被拒收（error 给出原因）"),
            401: OpenApiResponse(description="没有或无效的网关令牌"),
        },
        summary="网关上报一批读数",
    )
    def create(self, request):
        gateway = request.auth
        result = services.readings_ingest(gateway_id=gateway.pk, enterprise_id=gateway.enterprise_id,
                                          body=request.body, points=POINTS, gateway_code=gateway.code)
        return HttpResponse(orjson.dumps(result.as_dict()), status=400 if result.error else 200,
                            content_type="application/json")


ROUTES = [
    ("monitoring/sources", MajorHazardSourceViewSet, "majorhazardsource"),
    ("monitoring/points", MonitoringPointViewSet, "monitoringpoint"),
    ("monitoring/gateways", GatewayViewSet, "gateway"),
    ("monitoring/alarms", AlarmViewSet, "alarm"),
    ("monitoring/readings", ReadingIngestViewSet, "reading"),
]
