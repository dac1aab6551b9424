import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Organization, OrganizationKind, Region, RegionLevel, User
from yingji.core.scoping import code_prefix_q
from yingji.core.validators import validate_plausible_day
from yingji.standards import division


class IntegerFilter(django_filters.NumberFilter):
    """A whole number between `min_value` and `max_value`, by default what a 64-bit column holds.

    django-filter's NumberFilter takes any decimal, and one too large for the column overflows in the database
    driver (a server error); out of bounds here is a 400 with the reason.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = -(2**63), max_value: int = 2**63 - 1, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class YearFilter(IntegerFilter):
    """A calendar year that a date can hold: a `__year` lookup builds the year's first and last day from it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text `q` over `search_fields`; its date filters refuse implausible days (see
    `validate_plausible_day`), which would overflow when turned into the day's bounds in UTC."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("搜索"), method="search")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for one in self.filters.values():
            if isinstance(one, django_filters.DateFilter | django_filters.DateTimeFilter):
                one.extra["validators"] = [*one.extra.get("validators", ()), validate_plausible_day]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Text without letter case (Chinese, digits) gains nothing from a case-insensitive
        # match, which makes PostgreSQL upper-case every row; a plain contains is the same answer.
        lookup = "icontains" if value.lower() != value.upper() else "contains"
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__{lookup}": value})
        return queryset.filter(condition)


class RegionScopedFilterSet(SearchFilterSet):
    """A search plus `region`: the chosen region and everything under it, choices limited to the user's scope."""

    region = django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                              method="within_region", empty_label="全部")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))


class RegionFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=RegionLevel.choices)
    parent = django_filters.CharFilter(label=_("上级区划代码"), field_name="parent_id")
    within = django_filters.CharFilter(label=_("所属区划代码（含下级）"), method="within_region")

    class Meta:
        model = Region
        fields = ["q", "level", "parent", "within"]

    def within_region(self, queryset, name, value):
        if not division.is_well_formed(value):
            return queryset.none()
        return queryset.filter(code_prefix_q("code", division.significant_prefix(value)))


class OrganizationFilterSet(SearchFilterSet):
    search_fields = ("name",)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrganizationKind.choices)

    class Meta:
        model = Organization
        fields = ["q", "kind"]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "real_name", "mobile")
    role = django_filters.CharFilter(label=_("角色"), field_name="groups__name")

    class Meta:
        model = User
        fields = ["q", "role"]
