"""REST resources of the enforcement app (read-only records; writes go through the pages' services)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer
from yingji.inspections import selectors
from yingji.inspections.filters import CaseFilterSet, DrawFilterSet, EvaluationFilterSet, InspectionFilterSet
from yingji.inspections.models import Case, Draw, Evaluation, Inspection


class EvaluationSerializer(ScopedModelSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "enterprise", "region", "year", "template", "scores", "total_score", "result",
                  "result_display", "evaluated_on", "evaluator", "note"]


class InspectionSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "code", "enterprise", "region", "kind", "kind_display", "plan", "draw", "checklist",
                  "inspectors", "inspected_on", "place", "item_results", "conclusion"]


class CaseSerializer(ScopedModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "code", "inspection", "finding", "enterprise", "region", "title", "facts", "legal_basis",
                  "penalty_basis", "filed_on", "status", "status_display", "order_rectify", "rectify_deadline",
                  "order_suspend", "order_close", "fine_yuan", "decision_no", "decided_on", "closed_on"]


class DrawSerializer(ScopedModelSerializer):
    class Meta:
        model = Draw
        fields = ["id", "code", "kind", "region", "plan", "quarter", "enterprise", "purpose", "title", "seed",
                  "algorithm_version", "inputs_digest", "result", "result_digest", "drawn_at", "is_current",
                  "replaces", "redraw_reason"]


class EvaluationViewSet(ReadOnlyScopedViewSet):
    """Full-element evaluations (全要素评价) in the caller's jurisdiction."""

    model = Evaluation
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet
    select_related = ("enterprise",)


class InspectionViewSet(ReadOnlyScopedViewSet):
    """Enforcement inspections; `statistics/?from=&to=` gives the bureaus' report figures."""

    model = Inspection
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("inspectors")

    @extend_schema(parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)])
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        today = timezone.localdate()
        try:
            start = datetime.date.fromisoformat(request.query_params.get("from") or f"{today.year}-01-01")
            end = datetime.date.fromisoformat(request.query_params.get("to") or today.isoformat())
            figures = selectors.enforcement_statistics(user=request.user, start=start, end=end)
        except (ValueError, OverflowError) as exc:  # OverflowError: a day after 9999-12-31 is asked for
            raise ValidationError({"detail": str(exc) if "日期" in str(exc) else _("日期格式应为 YYYY-MM-DD")}) from exc
        return Response({**figures, "fines_yuan": str(figures["fines_yuan"]), "from": start, "to": end,
                         "text": selectors.statistics_sentence(figures)})


class CaseViewSet(ReadOnlyScopedViewSet):
    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet


class DrawViewSet(ReadOnlyScopedViewSet):
    """Draw records; `rerun/` recomputes one from its seed, input snapshot and algorithm version."""

    model = Draw
    serializer_class = DrawSerializer
    filterset_class = DrawFilterSet

    @action(detail=True, methods=["get"])
    def rerun(self, request, pk=None):
        check = selectors.draw_rerun(self.get_object())
        return Response({key: check[key] for key in ("same", "inputs_intact", "error", "digest", "result")})


ROUTES = [
    ("inspections", InspectionViewSet, "inspection"),
    ("enforcement-cases", CaseViewSet, "enforcement-case"),
    ("evaluations", EvaluationViewSet, "evaluation"),
    ("draws", DrawViewSet, "draw"),
]
