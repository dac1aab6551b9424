import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet, SearchFilterSet
from yingji.resources.models import (
    Expert,
    ExpertField,
    Material,
    MaterialCategory,
    MovementKind,
    PointKind,
    ReminderKind,
    RescueTeam,
    ResourcePoint,
    Shelter,
    ShelterKind,
    StockBalance,
    StockMovement,
    StockReminder,
    TeamKind,
    TeamStatus,
    Warehouse,
    WarehouseLevel,
)


class RescueTeamFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "specialty", "leader", "equipment")
    kind = django_filters.ChoiceFilter(label=_("队伍类型"), choices=TeamKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TeamStatus.choices)

    class Meta:
        model = RescueTeam
        fields = ["q", "region", "kind", "status"]


class WarehouseFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "manager", "address")
    level = django_filters.ChoiceFilter(label=_("仓库级别"), choices=WarehouseLevel.choices)

    class Meta:
        model = Warehouse
        fields = ["q", "region", "level"]


class MaterialFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "specification")
    category = django_filters.ChoiceFilter(label=_("物资类别"), choices=MaterialCategory.choices)

    class Meta:
        model = Material
        fields = ["q", "category"]


class StockBalanceFilterSet(RegionScopedFilterSet):
    search_fields = ("material__name", "material__code", "warehouse__name", "batch")
    category = django_filters.ChoiceFilter(label=_("物资类别"), choices=MaterialCategory.choices,
                                           field_name="material__category")

    class Meta:
        model = StockBalance
        fields = ["q", "region", "category"]


class StockMovementFilterSet(RegionScopedFilterSet):
    search_fields = ("document_number", "material__name", "warehouse__name", "counterpart", "purpose")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=MovementKind.choices)
    at_after = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")
    at_before = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = StockMovement
        fields = ["q", "region", "kind", "at_after", "at_before"]


class StockReminderFilterSet(RegionScopedFilterSet):
    search_fields = ("material__name", "warehouse__name")
    kind = django_filters.ChoiceFilter(label=_("提醒类型"), choices=ReminderKind.choices)
    open = django_filters.BooleanFilter(label=_("未解除"), field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = StockReminder
        fields = ["q", "region", "kind", "open"]


class ShelterFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "address", "facilities", "manager")
    kind = django_filters.ChoiceFilter(label=_("场所类型"), choices=ShelterKind.choices)

    class Meta:
        model = Shelter
        fields = ["q", "region", "kind"]


class ExpertFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "title", "organization")
    field = django_filters.ChoiceFilter(label=_("专业领域"), choices=ExpertField.choices)

    class Meta:
        model = Expert
        fields = ["q", "region", "field"]


class ResourcePointFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "address", "description")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=PointKind.choices)

    class Meta:
        model = ResourcePoint
        fields = ["q", "region", "kind"]
