import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.enterprises.models import Category
from yingji.hazards.models import (
    Hazard,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    SupervisionStatus,
)


class HazardFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "description", "place", "enterprise__name")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=HazardStatus.choices)
    level = django_filters.ChoiceFilter(label=_("隐患级别"), choices=HazardLevel.choices)
    source = django_filters.ChoiceFilter(label=_("隐患来源"), choices=HazardSource.choices)
    category = django_filters.ChoiceFilter(label=_("隐患类别"), choices=HazardCategory.choices)
    enterprise_category = django_filters.ChoiceFilter(label=_("企业监管类别"), choices=Category.choices)
    supervision_status = django_filters.ChoiceFilter(label=_("挂牌督办"), choices=SupervisionStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("逾期"), method="filter_overdue")
    found_from = django_filters.DateFilter(label=_("发现日期起"), field_name="found_at", lookup_expr="date__gte")
    found_to = django_filters.DateFilter(label=_("发现日期止"), field_name="found_at", lookup_expr="date__lte")

    class Meta:
        model = Hazard
        fields = ["q", "region", "status", "level", "source", "category", "enterprise_category",
                  "supervision_status", "overdue", "found_from", "found_to"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        open_overdue = queryset.filter(overdue_since__isnull=False).exclude(status=HazardStatus.CLOSED)
        return open_overdue if value else queryset.exclude(pk__in=open_overdue.values("pk"))
