import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import IntegerFilter, RegionScopedFilterSet
from yingji.risks.models import Method, RiskKind, RiskLevel, RiskPoint, RiskPointStatus


class RiskPointFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "place", "enterprise__name", "responsible_person")
    # A number, not a select: a city holds thousands of enterprises (the rows themselves are scoped).
    enterprise = IntegerFilter(label=_("企业编号"), field_name="enterprise_id")
    level = django_filters.ChoiceFilter(label=_("风险等级"), choices=RiskLevel.choices, empty_label="全部")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=RiskKind.choices, empty_label="全部")
    method = django_filters.ChoiceFilter(label=_("评价方法"), choices=Method.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RiskPointStatus.choices, empty_label="全部")
    review_overdue = django_filters.BooleanFilter(
        label=_("评审逾期"), method="overdue_review",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = RiskPoint
        fields = ["q", "region", "enterprise", "level", "kind", "method", "status", "review_overdue"]

    def overdue_review(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status=RiskPointStatus.ACTIVE, next_review__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
