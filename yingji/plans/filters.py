import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
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


class RegionFilterSet(SearchFilterSet):
    """A free-text search plus "in this region's subtree", with region choices limited to the user's scope."""

    region = django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                              method="within_region", empty_label="全部")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))


class PlanFilterSet(RegionFilterSet):
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


class PlanLevelFilterSet(RegionFilterSet):
    search_fields = ("plan__name", "condition", "commander")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)

    class Meta:
        model = PlanLevel
        fields = ["q", "region", "level"]


class PlanOrganizationFilterSet(RegionFilterSet):
    search_fields = ("plan__name", "organization__name", "responsibilities")
    role = django_filters.ChoiceFilter(label=_("组织角色"), choices=CommandRole.choices)

    class Meta:
        model = PlanOrganization
        fields = ["q", "region", "role"]


class PlanTaskFilterSet(RegionFilterSet):
    search_fields = ("plan__name", "organization__name", "task")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)

    class Meta:
        model = PlanTask
        fields = ["q", "region", "level"]


class PlanActivationFilterSet(RegionFilterSet):
    search_fields = ("plan__name", "incident__code", "incident__title")
    level = django_filters.ChoiceFilter(label=_("响应级别"), choices=ResponseLevel.choices)
    is_exercise = django_filters.BooleanFilter(label=_("演练"))

    class Meta:
        model = PlanActivation
        fields = ["q", "region", "level", "is_exercise"]


class DrillFilterSet(RegionFilterSet):
    search_fields = ("code", "name", "scenario", "place")
    kind = django_filters.ChoiceFilter(label=_("演练形式"), choices=DrillKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DrillStatus.choices)
    year = django_filters.NumberFilter(label=_("计划年度"), field_name="planned_on", lookup_expr="year")

    class Meta:
        model = Drill
        fields = ["q", "region", "kind", "status", "year"]


class DrillImprovementFilterSet(RegionFilterSet):
    search_fields = ("problem", "measure", "responsible_unit", "drill__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ImprovementStatus.choices)

    class Meta:
        model = DrillImprovement
        fields = ["q", "region", "status"]


class ReadinessAssessmentFilterSet(RegionFilterSet):
    search_fields = ("region__name",)
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReadinessStatus.choices)
    level = django_filters.ChoiceFilter(label=_("对象"), field_name="region__level",
                                       choices=[("township", _("乡镇（街道）“六有”")), ("village", _("村（社区）“三有”"))])

    class Meta:
        model = ReadinessAssessment
        fields = ["q", "region", "year", "status", "level"]


class ReadinessItemFilterSet(RegionFilterSet):
    search_fields = ("assessment__region__name", "description")
    key = django_filters.ChoiceFilter(label=_("项目"), choices=ReadinessItemKey.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="assessment__year")

    class Meta:
        model = ReadinessItem
        fields = ["q", "region", "key", "year"]
