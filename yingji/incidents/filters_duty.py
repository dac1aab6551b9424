import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.incidents.models import DutyLog, DutyPosition, DutyShift, RollCall


class DutyShiftFilterSet(RegionScopedFilterSet):
    search_fields = ("person_name", "organization__name")
    position = django_filters.ChoiceFilter(label=_("岗位"), choices=DutyPosition.choices)
    date = django_filters.DateFilter(label=_("值班日期"))

    class Meta:
        model = DutyShift
        fields = ["q", "region", "position", "date"]


class DutyLogFilterSet(RegionScopedFilterSet):
    search_fields = ("content", "open_items", "organization__name")

    class Meta:
        model = DutyLog
        fields = ["q", "region"]


class RollCallFilterSet(RegionScopedFilterSet):
    search_fields = ("caller__name", "callee__name")
    unanswered = django_filters.BooleanFilter(label=_("未应答"), field_name="answered_at", lookup_expr="isnull")

    class Meta:
        model = RollCall
        fields = ["q", "region", "unanswered"]
