import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework

from yingji.core.models import Organization, OrganizationKind, Region, RegionLevel, User
from yingji.core.scoping import ScopedQuerySet, code_prefix_q
from yingji.core.todos import todo_filter
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


RELATED_FILTERS = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choices of related records are limited to what the request's user may view.

    Every ModelChoiceFilter and ModelMultipleChoiceFilter, declared or generated from `Meta.fields`, whose queryset
    is a `ScopedQuerySet` offers `queryset.restrict(user, "view")`: the dropdown lists only records in the user's
    jurisdiction (their names are data too), and a key from outside it is an invalid choice. What else the queryset
    says (only active ones, no villages) and its order are kept. Without a request there is no user to scope by,
    and such a filter offers nothing.

    `?todo=<status field>.<state>` keeps the records of that waiting state that await the user (我的待办, see
    `yingji.core.todos`); `todo_label` then names it for the page.
    """

    todo = django_filters.CharFilter(label="", method="awaiting_user", widget=forms.HiddenInput)
    todo_label = ""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for one in self.filters.values():
            if not isinstance(one, RELATED_FILTERS):
                continue
            choices = one.get_queryset(request)
            if isinstance(choices, ScopedQuerySet):
                one.queryset = choices.restrict(user, "view") if user is not None else choices.none()
                # A form field built earlier (on the class's filter, deep-copied into this one) would keep the
                # unrestricted choices.
                vars(one).pop("_field", None)

    def awaiting_user(self, queryset, name: str, value: str):
        user = getattr(self.request, "user", None)
        found = todo_filter(user, queryset.model, value) if user is not None else None
        if found is None:
            return queryset.none()
        self.todo_label, rows = found
        return queryset.filter(rows)


class ScopedAPIFilterSet(ScopedFilterSet, rest_framework.FilterSet):
    """The base of the filter sets the API makes from a viewset's `filterset_fields`."""


class ScopedFilterBackend(rest_framework.DjangoFilterBackend):
    """django-filter's REST backend, whose filter sets made from `filterset_fields` scope their choices too."""

    filterset_base = ScopedAPIFilterSet


class SearchFilterSet(ScopedFilterSet):
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
    """A search plus `region`: the chosen region and everything under it (villages are not offered)."""

    region = django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                              method="within_region", empty_label="全部")

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
