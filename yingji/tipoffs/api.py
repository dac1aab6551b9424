"""Tip-offs for the bureau: read in scope, handled through the services. The public never uses this API."""

from __future__ import annotations

from django.http import Http404
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, TransitionMixin
from yingji.core.scoping import has_model_perm
from yingji.core.workflow import timeline
from yingji.tipoffs.filters import TipOffFilterSet
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.specs import TIPOFF

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


class HandlesTipOffs(permissions.BasePermission):
    """Moves are for the handlers (`tipoffs.change_tipoff`): to anyone else there is no tip-off to act on (404),
    as for one outside their jurisdiction."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not has_model_perm(request.user, TipOff, "change"):
            raise Http404
        return True


class TipOffViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Tip-offs in the caller's jurisdiction; the reporter's identity only with `tipoffs.view_reporter`.

    `POST /api/tipoffs/{id}/transition/` makes one handling move (受理, 核查, 属实, 奖励...).
    """

    spec = TIPOFF
    model = TipOff
    transition_permission_classes = (HandlesTipOffs,)
    serializer_class = TipOffSerializer
    filterset_class = TipOffFilterSet
    search_fields = ["number", "description", "address"]
    ordering_fields = ["submitted_at", "number", "status"]
    select_related = ("hazard",)

    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        tipoff = self.get_object()
        return Response([
            {"at": step.at, "action": step.action, "action_label": step.action_label, "from": step.from_state,
             "to": step.to_state, "actor": str(step.actor) if step.actor else None, "reason": step.reason}
            for step in timeline(tipoff, request.user)
        ])


ROUTES = [("tipoffs", TipOffViewSet, "tipoff")]
