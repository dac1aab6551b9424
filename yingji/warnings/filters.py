import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.warnings.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Level,
    MsgType,
    Recipient,
    RecipientStatus,
    ResponsiblePerson,
    ResponsibleRole,
    UpstreamFormat,
    UpstreamMessage,
    Warning,
    WarningKind,
    WarningStatus,
)


class WarningFilterSet(RegionScopedFilterSet):
    search_fields = ("headline", "identifier", "description")
    kind = django_filters.ChoiceFilter(label=_("预警类型"), choices=WarningKind.choices)
    level = django_filters.ChoiceFilter(label=_("预警级别"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WarningStatus.choices)
    msg_type = django_filters.ChoiceFilter(label=_("消息类型"), choices=MsgType.choices)
    in_force = django_filters.BooleanFilter(label=_("生效中"), method="filter_in_force")

    class Meta:
        model = Warning
        fields = ["q", "region", "kind", "level", "status", "msg_type", "in_force"]

    def within_region(self, queryset, name, region):
        """A region's warnings: issued there, or issued above for an area that reaches it."""
        return queryset.filter(Warning.concerning(region.prefix))

    def filter_in_force(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Warning.in_force()) if value else queryset.exclude(Warning.in_force())


class UpstreamFilterSet(RegionScopedFilterSet):
    search_fields = ("headline", "identifier", "sender", "event")
    level = django_filters.ChoiceFilter(label=_("预警级别"), choices=Level.choices)
    format = django_filters.ChoiceFilter(label=_("格式"), choices=UpstreamFormat.choices)

    class Meta:
        model = UpstreamMessage
        fields = ["q", "region", "level", "format"]


class ResponsiblePersonFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "phone", "grid", "position")
    role = django_filters.ChoiceFilter(label=_("责任类型"), choices=ResponsibleRole.choices)

    class Meta:
        model = ResponsiblePerson
        fields = ["q", "region", "role", "active"]


class WarningChoiceFilterSet(RegionScopedFilterSet):
    """A `warning` choice (the warnings the user may see, as every choice is scoped)."""

    warning = django_filters.ModelChoiceFilter(label=_("预警"), queryset=Warning.objects.all())


class RecipientFilterSet(WarningChoiceFilterSet):
    search_fields = ("name", "phone")
    status = django_filters.ChoiceFilter(label=_("叫应状态"), choices=RecipientStatus.choices)
    role = django_filters.ChoiceFilter(label=_("责任类型"), choices=ResponsibleRole.choices)
    overdue = django_filters.BooleanFilter(label=_("超时未应答"), method="filter_overdue")

    class Meta:
        model = Recipient
        fields = ["q", "warning", "region", "status", "role", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Recipient.unanswered()) if value else queryset.exclude(Recipient.unanswered())


class DeliveryFilterSet(WarningChoiceFilterSet):
    search_fields = ("to_name", "to_address")
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DeliveryStatus.choices)
    recipient = django_filters.ModelChoiceFilter(label=_("叫应对象"), queryset=Recipient.objects.all())

    class Meta:
        model = Delivery
        fields = ["q", "warning", "region", "channel", "status", "recipient"]
