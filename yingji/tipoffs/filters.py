import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.tipoffs.models import TipOff, TipOffCategory, TipOffStatus


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TipOffFilterSet(RegionScopedFilterSet):
    search_fields = ("number", "description", "address")
    status = django_filters.ChoiceFilter(label=_("办理状态"), choices=TipOffStatus.choices)
    category = django_filters.ChoiceFilter(label=_("举报类别"), choices=TipOffCategory.choices)
    submitted_from = django_filters.DateFilter(label=_("举报日期自"), method="from_day")
    submitted_to = django_filters.DateFilter(label=_("至"), method="to_day")

    class Meta:
        model = TipOff
        fields = ["q", "status", "region", "category", "submitted_from", "submitted_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            if request.user.has_perm("tipoffs.view_reporter"):
                # Only those who may see the identity may search by it; anyone else could probe it.
                self.search_fields = (*self.search_fields, "reporter_name", "reporter_phone")

    def from_day(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_start_of(value))

    def to_day(self, queryset, name, value):
        if value == datetime.date.max:  # no day after it to stop before
            return queryset
        return queryset.filter(submitted_at__lt=_start_of(value + datetime.timedelta(days=1)))
