import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.core.filters import RegionScopedFilterSet


class MonthlyReportFilterSet(RegionScopedFilterSet):
    search_fields = ("region__name",)
    month = django_filters.DateFilter(label=_("月份（该月任一天）"), method="in_month")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices)
    automatic = django_filters.BooleanFilter(label=_("自动生成"))

    class Meta:
        model = MonthlyReport
        fields = ["q", "region", "month", "status", "automatic"]

    def in_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))
