"""Tip-offs for the bureau: read in scope, handled through the services. The public never uses this API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer
from yingji.core.workflow import timeline
from yingji.enterprises.models import Enterprise
from yingji.hazards.models import HazardCategory, HazardLevel
from yingji.tipoffs import services
from yingji.tipoffs.filters import TipOffFilterSet
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.states import ACTIONS

REPORTER_FIELDS = ("reporter_name", "reporter_phone")


class TipOffSerializer(ScopedModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    hazard_code = serializers.CharField(source="hazard.code", read_only=True, default=None)

    class Meta:
        model = TipOff
        fields = [
            "id", "number", "submitted_at", "category", "category_display", "region", "address", "longitude",
            "latitude", "description", "status", "status_display", "handling_note", "hazard", "hazard_code",
            "reward_amount", "reward_paid_amount", "reward_paid_on", *REPORTER_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request.user.has_perm("tipoffs.view_reporter"):
            for name in REPORTER_FIELDS:
                data.pop(name, None)
        return data


class TipOffActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(ACTIONS.items()))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    hazard_category = serializers.ChoiceField(choices=HazardCategory.choices, required=False)
    hazard_level = serializers.ChoiceField(choices=HazardLevel.choices, required=False)
    place = serializers.CharField(required=False, max_length=200)
    enterprise = serializers.IntegerField(required=False)
    deadline = serializers.DateField(required=False)
    amount = serializers.DecimalField(required=False, max_digits=10, decimal_places=2)
    paid_on = serializers.DateField(required=False)


class TipOffViewSet(ReadOnlyScopedViewSet):
    """Tip-offs in the caller's jurisdiction; the reporter's identity only with `tipoffs.view_reporter`.

    `POST /api/tipoffs/{id}/transition/` makes one handling move (受理, 核查, 属实, 奖励...).
    """

    model = TipOff
    serializer_class = TipOffSerializer
    filterset_class = TipOffFilterSet
    search_fields = ["number", "description", "address"]
    ordering_fields = ["submitted_at", "number", "status"]
    select_related = ("hazard",)

    @extend_schema(request=TipOffActionSerializer, responses=TipOffSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def transition(self, request, pk=None):
        tipoff = get_object_or_404(TipOff.objects.restrict(request.user, "change"), pk=pk)
        payload = TipOffActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "enterprise" in data:
            data["enterprise"] = get_object_or_404(Enterprise.objects.restrict(request.user, "view"),
                                                   pk=data["enterprise"])
        action_name, reason = data.pop("action"), data.pop("reason", "")
        changed = services.tipoff_act(tipoff=tipoff, actor=request.user, action=action_name, reason=reason, **data)
        return Response(self.get_serializer(changed).data)

    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        tipoff = self.get_object()
        return Response([
            {"at": step.at, "action": step.action, "action_label": step.action_label, "from": step.from_state,
             "to": step.to_state, "actor": str(step.actor) if step.actor else None, "reason": step.reason}
            for step in timeline(tipoff, request.user)
        ])


ROUTES = [("tipoffs", TipOffViewSet, "tipoff")]
