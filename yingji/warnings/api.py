from rest_framework import serializers

from yingji.core.api import (
    ReadOnlyScopedViewSet,
    ScopedModelSerializer,
    ScopedRelatedField,
    ScopedViewSet,
    TransitionMixin,
)
from yingji.core.models import Region
from yingji.warnings.escalation import timetable_problems
from yingji.warnings.filters import (
    DeliveryFilterSet,
    RecipientFilterSet,
    ResponsiblePersonFilterSet,
    UpstreamFilterSet,
    WarningFilterSet,
)
from yingji.warnings.models import Delivery, Recipient, ResponsiblePerson, UpstreamMessage, Warning
from yingji.warnings.specs import PERSON, WARNING


class WarningSerializer(ScopedModelSerializer):
    area_regions = ScopedRelatedField(many=True, queryset=Region.objects.all(), required=False)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Warning
        fields = ["id", "identifier", "region", "kind", "event_type", "level", "level_display", "headline",
                  "description", "instructions", "area_regions", "area_polygon", "onset", "expires", "source",
                  "msg_type", "previous", "status", "status_display", "escalation", "published_at", "created_at"]
        read_only_fields = ["identifier", "msg_type", "previous", "status", "published_at", "created_at"]

    def validate_escalation(self, value):
        problem = timetable_problems(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class WarningViewSet(TransitionMixin, ScopedViewSet):
    """Warnings in the caller's jurisdiction; drafts are edited, published messages only followed; `transition`
    送审 / 撤回 / 退回 / 签发发布 (a signer needs only to read warnings: the table's `who` decides)."""

    spec = WARNING
    serializer_class = WarningSerializer
    filterset_class = WarningFilterSet
    search_fields = ["headline", "identifier"]
    ordering_fields = ["created_at", "published_at", "expires"]
    select_related = ("region",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("area_regions")


class ResponsiblePersonSerializer(ScopedModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = ResponsiblePerson
        fields = ["id", "region", "grid", "role", "role_display", "name", "phone", "position", "superior",
                  "organization", "active"]

    def validate_region(self, region):
        if region.level not in ("township", "village"):
            raise serializers.ValidationError("责任区划应选择乡镇（街道）或村（社区）")
        return region


class ResponsiblePersonViewSet(ScopedViewSet):
    spec = PERSON
    serializer_class = ResponsiblePersonSerializer
    filterset_class = ResponsiblePersonFilterSet
    search_fields = ["name", "phone"]


class UpstreamMessageSerializer(ScopedModelSerializer):
    class Meta:
        model = UpstreamMessage
        fields = ["id", "identifier", "sender", "sent", "msg_type", "format", "event", "event_type", "level",
                  "headline", "description", "instruction", "area_desc", "onset", "expires", "source",
                  "imported_at"]


class UpstreamMessageViewSet(ReadOnlyScopedViewSet):
    model = UpstreamMessage
    serializer_class = UpstreamMessageSerializer
    filterset_class = UpstreamFilterSet
    search_fields = ["headline", "identifier", "sender"]


class RecipientSerializer(ScopedModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Recipient
        # The answer-link token is deliberately absent: it is the person's proof of identity.
        fields = ["id", "warning", "person", "region", "township", "name", "phone", "role", "role_display",
                  "status", "status_display", "step", "next_step_at", "superior_called_at", "created_at",
                  "acknowledged_at", "ack_channel", "people_transferred", "places_closed", "measures", "measures_at"]


class RecipientViewSet(ReadOnlyScopedViewSet):
    """叫应对象 of the warnings in the caller's jurisdiction (filter by ?warning=, ?status=, ?region=)."""

    model = Recipient
    serializer_class = RecipientSerializer
    filterset_class = RecipientFilterSet
    search_fields = ["name", "phone"]
    ordering_fields = ["created_at", "acknowledged_at", "step"]


class DeliverySerializer(ScopedModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "warning", "recipient", "region", "channel", "channel_display", "to_superior", "to_name",
                  "to_address", "text", "status", "status_display", "reason", "external_id", "created_at",
                  "sent_at", "delivered_at"]


class DeliveryViewSet(ReadOnlyScopedViewSet):
    """Every message on every channel, with its delivery state and the channel's reason."""

    model = Delivery
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    search_fields = ["to_name", "to_address"]
    ordering_fields = ["created_at", "sent_at"]


ROUTES = [
    ("warnings", WarningViewSet, "warning"),
    ("responsible-persons", ResponsiblePersonViewSet, "responsibleperson"),
    ("upstream-warnings", UpstreamMessageViewSet, "upstreammessage"),
    ("warning-recipients", RecipientViewSet, "recipient"),
    ("warning-deliveries", DeliveryViewSet, "delivery"),
]
