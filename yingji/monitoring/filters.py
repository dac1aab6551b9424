import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.monitoring.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    AlarmStatus,
    Gateway,
    HazardGrade,
    MajorHazardSource,
    MonitoringPoint,
    OnlineRate,
    OnlineSubject,
    Patrol,
    PointKind,
    UnitKind,
)


class MajorHazardSourceFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "code", "enterprise__name")
    grade = django_filters.ChoiceFilter(label=_("危险源等级"), choices=HazardGrade.choices)
    unit_kind = django_filters.ChoiceFilter(label=_("单元类型"), choices=UnitKind.choices)
    is_major = django_filters.BooleanFilter(label=_("构成重大危险源"))

    class Meta:
        model = MajorHazardSource
        fields = ["q", "region", "grade", "unit_kind", "is_major"]


class MonitoringPointFilterSet(RegionScopedFilterSet):
    search_fields = ("tag", "name", "source__name", "enterprise__name")
    kind = django_filters.ChoiceFilter(label=_("监测类型"), choices=PointKind.choices)
    point = django_filters.CharFilter(label=_("监测点（编号，逗号分隔）"), method="only_points")

    class Meta:
        model = MonitoringPoint
        fields = ["q", "region", "kind", "source", "enterprise", "is_active", "point"]


    def only_points(self, queryset, name, value):
        """Whole ids only; anything else (a huge number, 1e400, text) matches nothing rather than failing."""
        ids = [int(part) for part in str(value).split(",") if part.strip().isdigit() and len(part.strip()) <= 18]
        return queryset.filter(pk__in=ids)


class AlarmFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "point__tag", "point__name", "enterprise__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=AlarmStatus.choices)
    level = django_filters.ChoiceFilter(label=_("报警级别"), choices=AlarmLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("报警类型"), choices=AlarmKind.choices)
    open = django_filters.BooleanFilter(label=_("未消警"), method="only_open")

    class Meta:
        model = Alarm
        fields = ["q", "region", "status", "level", "kind", "open"]

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(status=AlarmStatus.CLOSED) if value else queryset.filter(status=AlarmStatus.CLOSED)


class GatewayFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "name", "enterprise__name")

    class Meta:
        model = Gateway
        fields = ["q", "region", "is_active"]


class OnlineRateFilterSet(RegionScopedFilterSet):
    search_fields = ("enterprise__name", "gateway__code", "point__tag", "point__name")
    day = django_filters.DateFilter(label=_("日期"))
    subject = django_filters.ChoiceFilter(label=_("对象类型"), choices=OnlineSubject.choices)
    below = django_filters.NumberFilter(label=_("在线率低于（%）"), method="rate_below")

    class Meta:
        model = OnlineRate
        fields = ["q", "region", "day", "subject", "below"]

    def rate_below(self, queryset, name, value):
        return queryset if value is None else queryset.filter(rate__lt=float(value) / 100)


class PatrolFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "summary", "officer__real_name", "entries__enterprise__name", "entries__finding")
    day = django_filters.DateFromToRangeFilter(label=_("巡查日期"))

    class Meta:
        model = Patrol
        fields = ["q", "region", "day"]
