"""REST resources of the disasters app; automatic weather stations push observations with a token."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet, TransitionMixin, batch_create
from yingji.disasters import selectors
from yingji.disasters.filters import (
    ConsultationFilterSet,
    EventFilterSet,
    FireDangerFilterSet,
    InformantFilterSet,
    ObservationFilterSet,
    ReportFilterSet,
    StationFilterSet,
    TaskFilterSet,
)
from yingji.disasters.models import (
    STAT_FIELDS,
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    FireDanger,
    ObservationSource,
    WeatherObservation,
    WeatherStation,
)
from yingji.disasters.specs import CONSULTATION, EVENT, INFORMANT, OBSERVATION, REPORT, STATION, TASK


class StationSerializer(ScopedModelSerializer):
    class Meta:
        model = WeatherStation
        fields = ["id", "code", "name", "region", "longitude", "latitude", "elevation", "automatic", "active"]


class StationViewSet(ScopedViewSet):
    """Weather stations in the caller's jurisdiction."""

    spec = STATION
    serializer_class = StationSerializer
    filterset_class = StationFilterSet
    search_fields = ["code", "name"]


class ObservationSerializer(ScopedModelSerializer):
    station_code = serializers.CharField(write_only=True, required=False,
                                         help_text="气象站站号（可代替 station）")

    class Meta:
        model = WeatherObservation
        fields = ["id", "station", "station_code", "date", "temperature", "humidity", "wind_speed", "precipitation",
                  "source", "received_at"]
        read_only_fields = ["source", "received_at"]
        extra_kwargs = {"station": {"required": False}}
        validators: list = []  # a second value for a station's day is a correction, not a duplicate

    def validate(self, attrs):
        code = (attrs.pop("station_code", "") or "").strip().upper()
        if code and not attrs.get("station"):
            request = self.context.get("request")
            station = WeatherStation.objects.restrict(request.user, "view").filter(code=code).first()
            if station is None:
                raise serializers.ValidationError({"station_code": _("未找到该站号的气象站，或不在您的管辖范围内")})
            attrs["station"] = station
        if self.instance is None:
            if not attrs.get("station"):
                raise serializers.ValidationError({"station": _("请填写气象站（station 或 station_code）")})
            # What arrives through the API is pushed by an automatic station (a correction keeps its source).
            attrs["source"] = ObservationSource.AUTOMATIC
        return attrs


class ObservationViewSet(ScopedViewSet):
    """Noon weather observations. Automatic stations POST one day (or `batch/` many) with their token;
    a second value for the same station and day corrects the first and the FWI is recomputed from that day."""

    spec = OBSERVATION
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilterSet
    ordering_fields = ["date"]
    select_related = ("station",)

    @extend_schema(request=ObservationSerializer(many=True))
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Many observations at once; each item is saved on its own, bad items are listed with their reasons."""
        return batch_create(self, request, create=OBSERVATION.create_object, noun=_("观测"))


class FireDangerSerializer(ScopedModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)

    class Meta:
        model = FireDanger
        fields = ["id", "station", "station_code", "region", "date", "ffmc", "dmc", "dc", "isi", "bui", "fwi",
                  "level", "level_display", "gap_days", "restarted"]


class FireDangerViewSet(ReadOnlyScopedViewSet):
    """The FWI codes and danger level per station and day (computed; read-only)."""

    model = FireDanger
    serializer_class = FireDangerSerializer
    filterset_class = FireDangerFilterSet
    select_related = ("station",)

    @action(detail=False, methods=["get"])
    def today(self, request):
        """Townships per level today in the caller's scope (the analytics figure)."""
        data = selectors.fire_danger_today(user=request.user)
        data["date"] = data["date"].isoformat()
        return Response(data)


class InformantSerializer(ScopedModelSerializer):
    class Meta:
        model = DisasterInformant
        fields = ["id", "name", "mobile", "region", "organization", "user", "training_status", "trained_on",
                  "certified", "certificate_no", "active"]


class InformantViewSet(ScopedViewSet):
    spec = INFORMANT
    serializer_class = InformantSerializer
    filterset_class = InformantFilterSet
    search_fields = ["name", "mobile"]


class EventSerializer(ScopedModelSerializer):
    class Meta:
        model = DisasterEvent
        fields = ["id", "code", "name", "hazard_type", "region", "affected_regions", "occurred_at", "description",
                  "initial_hours", "followup_hours", "verification_days", "status"]
        read_only_fields = ["code", "status"]


class EventViewSet(TransitionMixin, ScopedViewSet):
    """灾害事件; `transition` moves one to 核报, ends it or reopens it for 续报."""

    spec = EVENT
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    search_fields = ["code", "name"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("affected_regions")

    @action(detail=True, methods=["get"])
    def rollup(self, request, pk=None):
        """Figures of the event in the caller's scope, and the regions still owing a report."""
        event = get_object_or_404(DisasterEvent.objects.restrict(request.user, "view"), pk=pk)
        totals = selectors.event_totals(request.user, event)
        missing = [{"region": row["region"].code, "name": row["region"].name, "overdue": row["overdue"],
                    "owes": [d.kind for d in row["duties"]]}
                   for row in selectors.reporting_status(request.user, event) if row["duties"]]
        return Response({"totals": {k: str(v) for k, v in totals.items()}, "missing": missing})


class ReportSerializer(ScopedModelSerializer):
    submit = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = DisasterReport
        fields = ["id", "event", "region", "kind", "informant", "reported_at", *STAT_FIELDS, "note", "status",
                  "submit"]
        read_only_fields = ["reported_at", "status"]


class ReportViewSet(TransitionMixin, ScopedViewSet):
    """灾情报告 (初报/续报/核报); `submit: true` sends a new report in at once (and a returned one in again);
    `transition` submits, accepts or returns one."""

    spec = REPORT
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    select_related = ("event", "region")


class ConsultationSerializer(ScopedModelSerializer):
    class Meta:
        model = Consultation
        fields = ["id", "code", "topic", "kind", "period", "region", "held_at", "place", "host", "departments",
                  "participants", "period_start", "period_end", "conclusions", "status"]
        read_only_fields = ["code", "status"]


class ConsultationViewSet(TransitionMixin, ScopedViewSet):
    """会商; `transition` records one as held or issues its assessment report."""

    spec = CONSULTATION
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilterSet
    search_fields = ["code", "topic"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("departments")

    @action(detail=False, methods=["get"])
    def judgements(self, request):
        """?month=YYYY-MM: the risks judged for that month in the caller's scope."""
        import datetime

        try:
            month = datetime.date.fromisoformat((request.query_params.get("month") or "") + "-01")
        except ValueError:
            month = timezone.localdate()
        return Response(selectors.consultation_judgements(user=request.user, month=month))


class TaskSerializer(ScopedModelSerializer):
    class Meta:
        model = ConsultationTask
        fields = ["id", "consultation", "title", "description", "organization", "region", "due_date", "status",
                  "result", "done_at"]
        read_only_fields = ["region", "status", "done_at"]


class TaskViewSet(TransitionMixin, ScopedViewSet):
    """会商任务; `transition` starts one, reports it done with its result, confirms it or sends it back."""

    spec = TASK
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet


ROUTES = [
    ("weather-stations", StationViewSet, "weatherstation"),
    ("weather-observations", ObservationViewSet, "weatherobservation"),
    ("fire-danger", FireDangerViewSet, "firedanger"),
    ("disaster-informants", InformantViewSet, "disasterinformant"),
    ("disaster-events", EventViewSet, "disasterevent"),
    ("disaster-reports", ReportViewSet, "disasterreport"),
    ("consultations", ConsultationViewSet, "consultation"),
    ("consultation-tasks", TaskViewSet, "consultationtask"),
]
