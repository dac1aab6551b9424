import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
from yingji.enterprises.models import Category, Enterprise, ScaleType, Size, Status, SupervisionClass


class EnterpriseFilterSet(SearchFilterSet):
    search_fields = ("name", "credit_code", "address", "principal", "industry_name")
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=Region.objects.exclude(level="village"), method="within_region",
        empty_label="全部",
    )
    category = django_filters.ChoiceFilter(label=_("监管类别"), choices=Category.choices)
    supervision_class = django_filters.ChoiceFilter(label=_("监管分级"), choices=SupervisionClass.choices)
    scale_type = django_filters.ChoiceFilter(label=_("规模类型"), choices=ScaleType.choices)
    size = django_filters.ChoiceFilter(label=_("企业规模"), choices=Size.choices)
    status = django_filters.ChoiceFilter(label=_("生产状态"), choices=Status.choices)

    class Meta:
        model = Enterprise
        fields = ["q", "region", "category", "supervision_class", "scale_type", "size", "status"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))
