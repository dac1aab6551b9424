import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
from yingji.tipoffs.models import TipOff, TipOffCategory, TipOffStatus


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TipOffFilterSet(SearchFilterSet):
    search_fields = ("number", "description", "address")
    status = django_filters.ChoiceFilter(label=_("办理状态"), choices=TipOffStatus.choices)
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=Region.objects.none(), method="within_region", empty_label="全部",
    )
    category = django_filters.ChoiceFilter(label=_("举报类别"), choices=TipOffCategory.choices)
    submitted_from = django_filters.DateFilter(label=_("举报日期自"), method="from_day")
    submitted_to = django_filters.DateFilter(label=_("至"), method="to_day")

    class Meta:
        model = TipOff
        fields = ["q", "status", "region", "category", "submitted_from", "submitted_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")
            if request.user.has_perm("tipoffs.view_reporter"):
                # Only those who may see the identity may search by it; anyone else could probe it.
                self.search_fields = (*self.search_fields, "reporter_name", "reporter_phone")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))

    def from_day(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_start_of(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_start_of(value + datetime.timedelta(days=1)))
