import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
from yingji.warnings.models import (
    Level,
    MsgType,
    ResponsiblePerson,
    ResponsibleRole,
    UpstreamFormat,
    UpstreamMessage,
    Warning,
    WarningKind,
    WarningStatus,
)


class RegionWithinFilterSet(SearchFilterSet):
    region = django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                              method="within_region", empty_label="全部")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")

    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))


class WarningFilterSet(RegionWithinFilterSet):
    search_fields = ("headline", "identifier", "description")
    kind = django_filters.ChoiceFilter(label=_("预警类型"), choices=WarningKind.choices)
    level = django_filters.ChoiceFilter(label=_("预警级别"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WarningStatus.choices)
    msg_type = django_filters.ChoiceFilter(label=_("消息类型"), choices=MsgType.choices)

    class Meta:
        model = Warning
        fields = ["q", "region", "kind", "level", "status", "msg_type"]


class UpstreamFilterSet(RegionWithinFilterSet):
    search_fields = ("headline", "identifier", "sender", "event")
    level = django_filters.ChoiceFilter(label=_("预警级别"), choices=Level.choices)
    format = django_filters.ChoiceFilter(label=_("格式"), choices=UpstreamFormat.choices)

    class Meta:
        model = UpstreamMessage
        fields = ["q", "region", "level", "format"]


class ResponsiblePersonFilterSet(RegionWithinFilterSet):
    search_fields = ("name", "phone", "grid", "position")
    role = django_filters.ChoiceFilter(label=_("责任类型"), choices=ResponsibleRole.choices)

    class Meta:
        model = ResponsiblePerson
        fields = ["q", "region", "role", "active"]
