"""REST resources of the plans app; writes and moves go through the same services as the pages."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet, TransitionMixin
from yingji.incidents.models import Incident, ResponseLevel
from yingji.plans import filters, services, specs
from yingji.plans.models import (
    Drill,
    DrillImprovement,
    Plan,
    PlanActivation,
    PlanLevel,
    PlanOrganization,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
)


class PlanSerializer(ScopedModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "code", "version", "previous", "name", "kind", "kind_display", "parent", "region",
                  "enterprise", "organization", "event_types", "summary", "issued_on", "revision_years", "status",
                  "status_display", "review_opinion", "filing_number", "filed_on", "next_revision_due"]
        read_only_fields = ["code", "version", "previous", "status", "review_opinion", "filing_number", "filed_on",
                            "next_revision_due"]
        extra_kwargs = {"region": {"required": False}, "kind": {"required": False}}


class ActivationRequestSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    level = serializers.ChoiceField(choices=ResponseLevel.choices)
    commander = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")


class PlanActivationSerializer(ScopedModelSerializer):
    class Meta:
        model = PlanActivation
        fields = ["id", "plan", "level", "incident", "response", "dispatch_tasks", "is_exercise", "region",
                  "activated_by", "activated_at"]
        read_only_fields = fields


class PlanViewSet(TransitionMixin, ScopedViewSet):
    """Emergency plans (预案), their review and 备案 loop, new versions and activation for an incident."""

    spec = specs.PLAN
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilterSet
    search_fields = ["code", "name"]

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft version of a filed plan, with a copy of its structure."""
        plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
        with transaction.atomic():
            new = services.plan_new_version(plan=plan, actor=request.user)
        return Response(PlanSerializer(new, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=ActivationRequestSerializer, responses=PlanActivationSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Start the plan's response for an incident at a level: the response and the plan's tasks."""
        plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
        serializer = ActivationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = get_object_or_404(Incident.objects.restrict(request.user, "view"), pk=data["incident"])
        with transaction.atomic():
            activation = services.plan_activate(plan=plan, incident=incident, level=data["level"],
                                                actor=request.user, commander=data["commander"])
        return Response(PlanActivationSerializer(activation, context=self.get_serializer_context()).data,
                        status=201)


def _part_serializer(part_model, part_fields):
    class Serializer(ScopedModelSerializer):
        class Meta:
            model = part_model
            fields = ["id", "plan", *part_fields, "region"]
            read_only_fields = ["region"]

    Serializer.__name__ = f"{part_model.__name__}Serializer"
    return Serializer


class PlanLevelViewSet(ScopedViewSet):
    """Response levels of plans: when each starts, who commands."""

    spec = specs.PLAN_LEVEL
    serializer_class = _part_serializer(PlanLevel, ["level", "condition", "commander"])
    filterset_class = filters.PlanLevelFilterSet


class PlanOrganizationViewSet(ScopedViewSet):
    """The command organisation of plans: each organisation's role and responsibilities."""

    spec = specs.PLAN_ORGANIZATION
    serializer_class = _part_serializer(PlanOrganization, ["organization", "role", "responsibilities"])
    filterset_class = filters.PlanOrganizationFilterSet


class PlanTaskViewSet(ScopedViewSet):
    """What each organisation does at each response level of a plan."""

    spec = specs.PLAN_TASK
    serializer_class = _part_serializer(PlanTask, ["level", "organization", "task"])
    filterset_class = filters.PlanTaskFilterSet


class PlanActivationViewSet(ReadOnlyScopedViewSet):
    """Which plan and level started which response, and the tasks it dispatched."""

    model = PlanActivation
    serializer_class = PlanActivationSerializer
    filterset_class = filters.PlanActivationFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("dispatch_tasks")


class DrillSerializer(ScopedModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Drill
        fields = ["id", "code", "name", "kind", "plan", "region", "enterprise", "organizer", "scenario",
                  "event_subtype", "place", "longitude", "latitude", "planned_on", "participants",
                  "participant_count", "teams", "status", "status_display", "held_on", "exercise_incident",
                  "summary", "rating", "evaluation"]
        read_only_fields = ["code", "status", "held_on", "exercise_incident", "summary", "rating", "evaluation"]
        extra_kwargs = {"region": {"required": False}, "teams": {"required": False}}


class DrillViewSet(TransitionMixin, ScopedViewSet):
    """Drills (演练): planned and recorded; start (exercise mode), finish, evaluate, close, cancel."""

    spec = specs.DRILL
    serializer_class = DrillSerializer
    filterset_class = filters.DrillFilterSet
    search_fields = ["code", "name"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("teams")


class DrillImprovementSerializer(ScopedModelSerializer):
    class Meta:
        model = DrillImprovement
        fields = ["id", "drill", "problem", "measure", "responsible_unit", "deadline", "status", "result",
                  "closed_at", "region"]
        read_only_fields = ["status", "result", "closed_at", "region"]


class DrillImprovementViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Problems drills found and their improvement tasks, tracked to closure: submit (the reason is the result),
    accept, reject (reason)."""

    spec = specs.DRILL_IMPROVEMENT
    model = DrillImprovement
    serializer_class = DrillImprovementSerializer
    filterset_class = filters.DrillImprovementFilterSet


class ReadinessItemSerializer(ScopedModelSerializer):
    key_display = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = ReadinessItem
        fields = ["id", "assessment", "key", "key_display", "self_met", "description", "hint", "review_met",
                  "review_note"]
        read_only_fields = fields


class ReadinessAssessmentSerializer(ScopedModelSerializer):
    items = ReadinessItemSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ReadinessAssessment
        fields = ["id", "region", "year", "status", "status_display", "submitted_at", "reviewed_at",
                  "review_opinion", "items"]
        read_only_fields = fields


class ReadinessAssessmentViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Township "六有" and village "三有" assessments with their items; submit / pass / fail / return / reopen."""

    spec = specs.READINESS_ASSESSMENT
    model = ReadinessAssessment
    serializer_class = ReadinessAssessmentSerializer
    filterset_class = filters.ReadinessAssessmentFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")


ROUTES = [
    ("plans", PlanViewSet, "plan"),
    ("plan-levels", PlanLevelViewSet, "planlevel"),
    ("plan-organizations", PlanOrganizationViewSet, "planorganization"),
    ("plan-tasks", PlanTaskViewSet, "plantask"),
    ("plan-activations", PlanActivationViewSet, "planactivation"),
    ("drills", DrillViewSet, "drill"),
    ("drill-improvements", DrillImprovementViewSet, "drillimprovement"),
    ("readiness-assessments", ReadinessAssessmentViewSet, "readinessassessment"),
]
