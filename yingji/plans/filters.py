import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet, YearFilter
from yingji.incidents.models import ResponseLevel
from yingji.plans.models import (
    CommandRole,
    Drill,
    DrillImprovement,
    DrillKind,
    DrillStatus,
    ImprovementStatus,
    Plan,
    PlanActivation,
    PlanKind,
    PlanLevel,
    PlanOrganization,
    PlanStatus,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
    ReadinessItemKey,
    ReadinessStatus,
)


class PlanFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "name", "event_types", "filing_number")
    kind = django_filters.ChoiceFilter(label=_("预案类别"), choices=PlanKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PlanStatus.choices)
    revision_due = django_filters.BooleanFilter(label=_("已到修订期限"), method="filter_revision_due")

    class Meta:
        model = Plan
        fields = ["q", "region", "kind", "status", "revision_due"]

    def filter_revision_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = queryset.filter(status=PlanStatus.FILED, next_revision_due__lte=timezone.localdate())
        return due if value else queryset.exclude(pk__in=due.values("pk"))


class PlanLevelFilterSet(RegionScopedFilterSet):
    search_fields = ("plan__name", "condition", "commander")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)

    class Meta:
        model = PlanLevel
        fields = ["q", "region", "level"]


class PlanOrganizationFilterSet(RegionScopedFilterSet):
    search_fields = ("plan__name", "organization__name", "responsibilities")
    role = django_filters.ChoiceFilter(label=_("组织角色"), choices=CommandRole.choices)

    class Meta:
        model = PlanOrganization
        fields = ["q", "region", "role"]


class PlanTaskFilterSet(RegionScopedFilterSet):
    search_fields = ("plan__name", "organization__name", "task")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)

    class Meta:
        model = PlanTask
        fields = ["q", "region", "level"]


class PlanActivationFilterSet(RegionScopedFilterSet):
    search_fields = ("plan__name", "incident__code", "incident__title")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)
    is_exercise = django_filters.BooleanFilter(label=_("演练"))

    class Meta:
        model = PlanActivation
        fields = ["q", "region", "level", "is_exercise"]


class DrillFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "name", "scenario", "place")
    kind = django_filters.ChoiceFilter(label=_("演练形式"), choices=DrillKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DrillStatus.choices)
    year = YearFilter(label=_("计划年度"), field_name="planned_on", lookup_expr="year")

    class Meta:
        model = Drill
        fields = ["q", "region", "kind", "status", "year"]


class DrillImprovementFilterSet(RegionScopedFilterSet):
    search_fields = ("problem", "measure", "responsible_unit", "drill__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ImprovementStatus.choices)

    class Meta:
        model = DrillImprovement
        fields = ["q", "region", "status"]


class ReadinessAssessmentFilterSet(RegionScopedFilterSet):
    search_fields = ("region__name",)
    year = YearFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReadinessStatus.choices)
    level = django_filters.ChoiceFilter(label=_("对象"), field_name="region__level",
                                       choices=[("township", _("乡镇（街道）“六有”")), ("village", _("村（社区）“三有”"))])

    class Meta:
        model = ReadinessAssessment
        fields = ["q", "region", "year", "status", "level"]


class ReadinessItemFilterSet(RegionScopedFilterSet):
    search_fields = ("assessment__region__name", "description")
    key = django_filters.ChoiceFilter(label=_("项目"), choices=ReadinessItemKey.choices)
    year = YearFilter(label=_("年度"), field_name="assessment__year")

    class Meta:
        model = ReadinessItem
        fields = ["q", "region", "key", "year"]
