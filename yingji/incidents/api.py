from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet, TransitionMixin
from yingji.core.models import Organization, User
from yingji.core.scoping import is_in_scope
from yingji.incidents import duty, filters, filters_duty, services, specs
from yingji.incidents.models import DispatchTask, DutyLog, DutyShift, Incident, IncidentReport, ReportKind, RollCall


class IncidentSerializer(ScopedModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "code", "title", "category", "subtype", "occurred_at", "place", "longitude", "latitude",
                  "region", "enterprise", "deaths", "missing", "serious_injuries", "light_injuries",
                  "direct_loss_yuan", "description", "source", "grade", "next_report_kind", "next_report_due",
                  "overdue_since", "closed", "is_exercise"]
        read_only_fields = ["code", "grade", "next_report_kind", "next_report_due", "overdue_since", "closed",
                            "is_exercise"]


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

    spec = specs.INCIDENT
    serializer_class = IncidentSerializer
    filterset_class = filters.IncidentFilterSet
    search_fields = ["code", "title"]

    @extend_schema(request=ReportSubmitSerializer, responses=IncidentReportSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Submit the next report version (first, follow_up or final) to the level above."""
        incident = self.get_object()
        data = ReportSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_submit(incident=incident, actor=request.user, **data.validated_data)
        return Response(IncidentReportSerializer(report).data, status=201)


class IncidentReportViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Submitted report versions (frozen); the receiving level signs for them (`transition`, action `sign`)."""

    spec = specs.INCIDENT_REPORT
    model = IncidentReport
    serializer_class = IncidentReportSerializer
    filterset_class = filters.IncidentReportFilterSet


class DispatchTaskSerializer(ScopedModelSerializer):
    class Meta:
        model = DispatchTask
        fields = ["id", "incident", "team", "organization", "instruction", "status", "distance_km", "feedback",
                  "issued_by", "issued_at", "completed_at"]
        read_only_fields = fields


class DispatchTaskViewSet(TransitionMixin, ReadOnlyScopedViewSet):
    """Dispatch tasks and their receipt loop 已下达 → 已签收 → 执行中 → 已完成 (`transition`; the reason is the
    team's feedback, required to complete)."""

    spec = specs.DISPATCH_TASK
    model = DispatchTask
    serializer_class = DispatchTaskSerializer
    filterset_class = filters.DispatchTaskFilterSet


class DutyShiftSerializer(ScopedModelSerializer):
    position_display = serializers.CharField(source="get_position_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "organization", "organization_name", "region", "date", "position", "position_display",
                  "person_name", "phone"]
        read_only_fields = ["region"]


class RosterGenerateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    start = serializers.DateField()
    days = serializers.IntegerField(min_value=1, max_value=366)
    rotation = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                     help_text="岗位（leader/chief/officer/driver）→ 轮换人员，可写“姓名 电话”")


class DutyShiftViewSet(ScopedViewSet):
    """值班安排 of the organisations in the caller's jurisdiction; `today` lists the caller's own bureau's duty."""

    spec = specs.DUTY_SHIFT
    serializer_class = DutyShiftSerializer
    filterset_class = filters_duty.DutyShiftFilterSet
    select_related = ("organization",)

    @extend_schema(responses=DutyShiftSerializer(many=True))
    @action(detail=False, methods=["get"])
    def today(self, request):
        """Today's people on duty in the caller's own bureau (带班领导, 值班长, 值班员, 驾驶员)."""
        return Response(DutyShiftSerializer(duty.today_duty(request.user), many=True).data)

    @extend_schema(request=RosterGenerateSerializer, responses={201: None})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Fill days from a rotation per position; days already planned stay as they are."""
        data = RosterGenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = Organization.objects.restrict(request.user, "view").filter(
            pk=data.validated_data["organization"]).first()
        if organization is None:
            raise serializers.ValidationError({"organization": "值班单位不存在或不在您的管辖范围内"})
        with transaction.atomic():
            created = duty.duty_roster_generate(organization=organization, actor=request.user,
                                                start=data.validated_data["start"], days=data.validated_data["days"],
                                                rotation=data.validated_data["rotation"])
        return Response({"created": created}, status=201)


class DutyLogSerializer(ScopedModelSerializer):
    class Meta:
        model = DutyLog
        fields = ["id", "organization", "region", "date", "content", "open_items", "officer", "handed_over_to",
                  "handed_over_at"]
        read_only_fields = ["region", "officer", "handed_over_to", "handed_over_at"]


class HandoverSerializer(serializers.Serializer):
    successor = serializers.IntegerField(help_text="接班人的用户 id")


class DutyLogViewSet(ScopedViewSet):
    """值班日志; a new log starts with the open items of the last handed-over one; `handover` closes a log."""

    spec = specs.DUTY_LOG
    serializer_class = DutyLogSerializer
    filterset_class = filters_duty.DutyLogFilterSet

    @extend_schema(request=HandoverSerializer, responses=DutyLogSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        log = get_object_or_404(DutyLog.objects.restrict(request.user, "change"), pk=pk)
        data = HandoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        successor = User.objects.filter(pk=data.validated_data["successor"], is_active=True).first()
        if successor is None or not is_in_scope(request.user, successor):
            raise serializers.ValidationError({"successor": "接班人不存在或不在您的管辖范围内"})
        with transaction.atomic():
            log = duty.duty_handover(log=log, actor=request.user, successor=successor)
        return Response(DutyLogSerializer(log).data)


class RollCallSerializer(ScopedModelSerializer):
    class Meta:
        model = RollCall
        fields = ["id", "caller", "callee", "region", "called_by", "called_at", "answered_by", "answered_at",
                  "response_seconds"]
        read_only_fields = fields


class RollCallViewSet(ReadOnlyScopedViewSet):
    """值班点名 in the caller's jurisdiction; the called duty room answers with `answer`."""

    model = RollCall
    serializer_class = RollCallSerializer
    filterset_class = filters_duty.RollCallFilterSet

    @extend_schema(request=None, responses=RollCallSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        call = get_object_or_404(RollCall.objects.restrict(request.user, "change"), pk=pk)
        with transaction.atomic():
            call = duty.rollcall_answer(call=call, actor=request.user)
        return Response(RollCallSerializer(call).data)


ROUTES = [
    ("incidents", IncidentViewSet, "incident"),
    ("incident-reports", IncidentReportViewSet, "incidentreport"),
    ("dispatch-tasks", DispatchTaskViewSet, "dispatchtask"),
    ("duty-shifts", DutyShiftViewSet, "dutyshift"),
    ("duty-logs", DutyLogViewSet, "dutylog"),
    ("roll-calls", RollCallViewSet, "rollcall"),
]
