import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.enterprises.models import Category, Enterprise, ScaleType, Size, Status, SupervisionClass


class EnterpriseFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "credit_code", "address", "principal", "industry_name")
    category = django_filters.ChoiceFilter(label=_("监管类别"), choices=Category.choices)
    supervision_class = django_filters.ChoiceFilter(label=_("监管分级"), choices=SupervisionClass.choices)
    scale_type = django_filters.ChoiceFilter(label=_("规模类型"), choices=ScaleType.choices)
    size = django_filters.ChoiceFilter(label=_("企业规模"), choices=Size.choices)
    status = django_filters.ChoiceFilter(label=_("生产状态"), choices=Status.choices)

    class Meta:
        model = Enterprise
        fields = ["q", "region", "category", "supervision_class", "scale_type", "size", "status"]
