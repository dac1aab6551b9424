import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import IntegerFilter, RegionScopedFilterSet
from yingji.disasters.models import (
    Consultation,
    ConsultationKind,
    ConsultationPeriod,
    ConsultationStatus,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    EventStatus,
    FireDanger,
    HazardType,
    ReportDuty,
    ReportKind,
    ReportStatus,
    RiskJudgement,
    RiskLevel,
    TaskStatus,
    TrainingStatus,
    WeatherObservation,
    WeatherStation,
)
from yingji.standards.fwi import DANGER_LABELS


class StationFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "name")
    automatic = django_filters.BooleanFilter(label=_("自动站"))
    active = django_filters.BooleanFilter(label=_("在用"))

    class Meta:
        model = WeatherStation
        fields = ["q", "region", "automatic", "active"]


class ObservationFilterSet(RegionScopedFilterSet):
    search_fields = ("station__code", "station__name")
    date_from = django_filters.DateFilter(label=_("日期起"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("日期止"), field_name="date", lookup_expr="lte")

    class Meta:
        model = WeatherObservation
        fields = ["q", "region", "date_from", "date_to", "source"]


class FireDangerFilterSet(RegionScopedFilterSet):
    search_fields = ("station__code", "station__name")
    level = django_filters.ChoiceFilter(label=_("火险等级"), choices=sorted(DANGER_LABELS.items()))
    date = django_filters.DateFilter(label=_("日期"))

    class Meta:
        model = FireDanger
        fields = ["q", "region", "date", "level"]


class InformantFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "mobile", "organization")
    training_status = django_filters.ChoiceFilter(label=_("培训情况"), choices=TrainingStatus.choices)
    certified = django_filters.BooleanFilter(label=_("已持证"))

    class Meta:
        model = DisasterInformant
        fields = ["q", "region", "training_status", "certified", "active"]


class EventFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "name")
    hazard_type = django_filters.ChoiceFilter(label=_("灾害类别"), choices=HazardType.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=EventStatus.choices)

    class Meta:
        model = DisasterEvent
        fields = ["q", "region", "hazard_type", "status"]


class ReportFilterSet(RegionScopedFilterSet):
    search_fields = ("event__name", "event__code", "region__name")
    kind = django_filters.ChoiceFilter(label=_("报告类型"), choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices)
    event = IntegerFilter(label=_("灾害事件"), field_name="event_id")

    class Meta:
        model = DisasterReport
        fields = ["q", "region", "event", "kind", "status"]


class DutyFilterSet(RegionScopedFilterSet):
    search_fields = ("event__name", "region__name")
    kind = django_filters.ChoiceFilter(label=_("报告类型"), choices=ReportKind.choices)
    event = IntegerFilter(label=_("灾害事件"), field_name="event_id")
    pending = django_filters.BooleanFilter(label=_("未报送"), method="filter_pending")
    overdue = django_filters.BooleanFilter(label=_("已超时未报"), method="filter_overdue")

    class Meta:
        model = ReportDuty
        fields = ["q", "region", "event", "kind", "pending", "overdue"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        pending = queryset.filter(fulfilled_at__isnull=True, cancelled=False)
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))

    def filter_overdue(self, queryset, name, value):
        """Past the deadline and not in: what the cockpit's 灾情报送超时 counts."""
        if value is None:
            return queryset
        overdue = queryset.filter(fulfilled_at__isnull=True, cancelled=False, due_at__lt=timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ConsultationFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "topic", "conclusions")
    kind = django_filters.ChoiceFilter(label=_("会商类型"), choices=ConsultationKind.choices)
    period = django_filters.ChoiceFilter(label=_("定期会商周期"), choices=ConsultationPeriod.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ConsultationStatus.choices)

    class Meta:
        model = Consultation
        fields = ["q", "region", "kind", "period", "status"]


class JudgementFilterSet(RegionScopedFilterSet):
    search_fields = ("description", "consultation__topic")
    hazard_type = django_filters.ChoiceFilter(label=_("灾害类别"), choices=HazardType.choices)
    level = django_filters.ChoiceFilter(label=_("风险等级"), choices=RiskLevel.choices)

    class Meta:
        model = RiskJudgement
        fields = ["q", "region", "hazard_type", "level"]


class TaskFilterSet(RegionScopedFilterSet):
    search_fields = ("title", "organization__name", "consultation__topic")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TaskStatus.choices)

    class Meta:
        model = ConsultationTask
        fields = ["q", "region", "status"]
