"""REST resources of the plans app; writes and moves go through the same services as the pages."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from yingji.incidents.models import Incident, ResponseLevel
from yingji.plans import filters, services
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


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=20)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


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


class PlanTransitionSerializer(TransitionSerializer):
    filing_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    filed_on = serializers.DateField(required=False)


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


class PlanViewSet(ScopedViewSet):
    """Emergency plans (预案), their review and 备案 loop, new versions and activation for an incident."""

    model = Plan
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilterSet
    search_fields = ["code", "name"]
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    update_object_argument = "plan"

    @extend_schema(request=PlanTransitionSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """submit, approve, reject (reason), file (filing_number, filed_on), abolish (reason)."""
        plan = get_object_or_404(Plan.objects.restrict(request.user, "view"), pk=pk)
        serializer = PlanTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with transaction.atomic():
            plan = services.plan_act(plan=plan, actor=request.user, action=data.pop("action"),
                                     reason=data.pop("reason", ""), **data)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)

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

    model = PlanLevel
    serializer_class = _part_serializer(PlanLevel, ["level", "condition", "commander"])
    filterset_class = filters.PlanLevelFilterSet
    create_service = staticmethod(services.plan_level_create)
    update_service = staticmethod(services.plan_level_update)
    update_object_argument = "plan_level"


class PlanOrganizationViewSet(ScopedViewSet):
    """The command organisation of plans: each organisation's role and responsibilities."""

    model = PlanOrganization
    serializer_class = _part_serializer(PlanOrganization, ["organization", "role", "responsibilities"])
    filterset_class = filters.PlanOrganizationFilterSet
    create_service = staticmethod(services.plan_organization_create)
    update_service = staticmethod(services.plan_organization_update)
    update_object_argument = "plan_organization"


class PlanTaskViewSet(ScopedViewSet):
    """What each organisation does at each response level of a plan."""

    model = PlanTask
    serializer_class = _part_serializer(PlanTask, ["level", "organization", "task"])
    filterset_class = filters.PlanTaskFilterSet
    create_service = staticmethod(services.plan_task_create)
    update_service = staticmethod(services.plan_task_update)
    update_object_argument = "plan_task"


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


class DrillTransitionSerializer(TransitionSerializer):
    exercise = serializers.BooleanField(required=False)
    level = serializers.ChoiceField(choices=ResponseLevel.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    held_on = serializers.DateField(required=False)
    rating = serializers.CharField(required=False)
    evaluation = serializers.CharField(required=False, allow_blank=True)


class DrillViewSet(ScopedViewSet):
    """Drills (演练): planned and recorded; start (exercise mode), finish, evaluate, close, cancel."""

    model = Drill
    serializer_class = DrillSerializer
    filterset_class = filters.DrillFilterSet
    search_fields = ["code", "name"]
    create_service = staticmethod(services.drill_create)
    update_service = staticmethod(services.drill_update)
    update_object_argument = "drill"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("teams")

    @extend_schema(request=DrillTransitionSerializer, responses=DrillSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        drill = get_object_or_404(Drill.objects.restrict(request.user, "view"), pk=pk)
        serializer = DrillTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with transaction.atomic():
            drill = services.drill_act(drill=drill, actor=request.user, action=data.pop("action"),
                                       reason=data.pop("reason", ""), **data)
        return Response(DrillSerializer(drill, context=self.get_serializer_context()).data)


class DrillImprovementSerializer(ScopedModelSerializer):
    class Meta:
        model = DrillImprovement
        fields = ["id", "drill", "problem", "measure", "responsible_unit", "deadline", "status", "result",
                  "closed_at", "region"]
        read_only_fields = ["status", "result", "closed_at", "region"]


class DrillImprovementViewSet(ReadOnlyScopedViewSet):
    """Problems drills found and their improvement tasks, tracked to closure."""

    model = DrillImprovement
    serializer_class = DrillImprovementSerializer
    filterset_class = filters.DrillImprovementFilterSet

    @extend_schema(request=TransitionSerializer, responses=DrillImprovementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """submit (reason = the result), accept, reject (reason)."""
        improvement = get_object_or_404(DrillImprovement.objects.restrict(request.user, "view"), pk=pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            improvement = services.improvement_act(improvement=improvement, actor=request.user,
                                                   **serializer.validated_data)
        return Response(DrillImprovementSerializer(improvement, context=self.get_serializer_context()).data)


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


class ReadinessAssessmentViewSet(ReadOnlyScopedViewSet):
    """Township "六有" and village "三有" assessments with their items; submit / pass / fail / return / reopen."""

    model = ReadinessAssessment
    serializer_class = ReadinessAssessmentSerializer
    filterset_class = filters.ReadinessAssessmentFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("items")

    @extend_schema(request=TransitionSerializer, responses=ReadinessAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        assessment = get_object_or_404(ReadinessAssessment.objects.restrict(request.user, "view"), pk=pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            assessment = services.assessment_act(assessment=assessment, actor=request.user,
                                                 **serializer.validated_data)
        return Response(ReadinessAssessmentSerializer(assessment, context=self.get_serializer_context()).data)


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
