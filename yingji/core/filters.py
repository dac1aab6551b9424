import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Organization, OrganizationKind, Region, RegionLevel, User


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text `q` over `search_fields`."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("搜索"), method="search")

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


class RegionFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=RegionLevel.choices)

    class Meta:
        model = Region
        fields = ["q", "level"]


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
