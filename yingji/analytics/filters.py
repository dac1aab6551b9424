import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q


class MonthlyReportFilterSet(SearchFilterSet):
    search_fields = ("region__name",)
    region = django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                              method="within_region")
    month = django_filters.DateFilter(label=_("月份（该月任一天）"), method="in_month")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices)
    automatic = django_filters.BooleanFilter(label=_("自动生成"))

    class Meta:
        model = MonthlyReport
        fields = ["q", "region", "month", "status", "automatic"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))

    def in_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))
