from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from yingji.incidents import filters, services
from yingji.incidents.models import DispatchTask, Incident, IncidentReport, ReportKind


class IncidentSerializer(ScopedModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "code", "title", "category", "subtype", "occurred_at", "place", "longitude", "latitude",
                  "region", "enterprise", "deaths", "missing", "serious_injuries", "light_injuries",
                  "direct_loss_yuan", "description", "source", "grade", "next_report_kind", "next_report_due",
                  "overdue_since", "closed"]
        read_only_fields = ["code", "grade", "next_report_kind", "next_report_due", "overdue_since", "closed"]


class ReportSubmitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    measures = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentReportSerializer(ScopedModelSerializer):
    class Meta:
        model = IncidentReport
        fields = ["id", "incident", "kind", "sequence", "snapshot", "measures", "to_region", "status", "submitted_by",
                  "submitted_at", "due_at", "late", "signed_by", "signed_at"]
        read_only_fields = fields


class IncidentViewSet(ScopedViewSet):
    """Incidents in the caller's jurisdiction; the grade is computed (国务院令第493号) and the code generated."""

    model = Incident
    serializer_class = IncidentSerializer
    filterset_class = filters.IncidentFilterSet
    search_fields = ["code", "title"]
    create_service = staticmethod(services.incident_create)
    update_service = staticmethod(services.incident_update)
    update_object_argument = "incident"

    @extend_schema(request=ReportSubmitSerializer, responses=IncidentReportSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Submit the next report version (first, follow_up or final) to the level above."""
        incident = self.get_object()
        data = ReportSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_submit(incident=incident, actor=request.user, **data.validated_data)
        return Response(IncidentReportSerializer(report).data, status=201)


class IncidentReportViewSet(ReadOnlyScopedViewSet):
    """Submitted report versions (frozen); the receiving level signs for them."""

    model = IncidentReport
    serializer_class = IncidentReportSerializer
    filterset_class = filters.IncidentReportFilterSet

    @extend_schema(request=None, responses=IncidentReportSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        report = IncidentReport.objects.restrict(request.user, "change").filter(pk=pk).first()
        if report is None:
            from django.http import Http404

            raise Http404
        return Response(IncidentReportSerializer(services.report_sign(report=report, actor=request.user)).data)


class DispatchTaskSerializer(ScopedModelSerializer):
    class Meta:
        model = DispatchTask
        fields = ["id", "incident", "team", "organization", "instruction", "status", "distance_km", "feedback",
                  "issued_by", "issued_at", "completed_at"]
        read_only_fields = fields


class DispatchTaskViewSet(ReadOnlyScopedViewSet):
    """Dispatch tasks and their receipt loop 已下达 → 已签收 → 执行中 → 已完成."""

    model = DispatchTask
    serializer_class = DispatchTaskSerializer
    filterset_class = filters.DispatchTaskFilterSet

    @extend_schema(request=None, responses=DispatchTaskSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move the task on: action accept, start or complete (complete needs feedback)."""
        task = DispatchTask.objects.restrict(request.user, "change").filter(pk=pk).first()
        if task is None:
            from django.http import Http404

            raise Http404
        changed = services.task_advance(task=task, actor=request.user, action=str(request.data.get("action", "")),
                                        feedback=str(request.data.get("feedback", "")))
        return Response(DispatchTaskSerializer(changed).data)


ROUTES = [
    ("incidents", IncidentViewSet, "incident"),
    ("incident-reports", IncidentReportViewSet, "incidentreport"),
    ("dispatch-tasks", DispatchTaskViewSet, "dispatchtask"),
]
