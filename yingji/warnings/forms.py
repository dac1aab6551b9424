from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm, TimetableField
from yingji.core.models import Organization, Region
from yingji.warnings.cap import event_types
from yingji.warnings.escalation import STEPS, timetable_problems
from yingji.warnings.models import (
    Level,
    ResponsiblePerson,
    ResponsibleRole,
    Warning,
    _is_polygon,
    default_timetable,
)
from yingji.warnings.widgets import PolygonMapWidget, RegionTreeWidget


def event_type_choices() -> list[tuple[str, str]]:
    return [("", _("请选择"))] + [(t.code, f"{t.code} {t.name}") for t in event_types().values()]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class WarningForm(ScopedModelForm):
    region = RegionChoiceField(label=_("发布单位区划"),
                               queryset=Region.objects.exclude(level="village").select_related("parent"))
    area_regions = forms.ModelMultipleChoiceField(
        label=_("预警区域"), queryset=Region.objects.filter(level__in=["county", "township", "village"]),
        required=False, help_text=_("勾选乡镇（街道）或村（社区），勾选上级即含其全部下级；也可在地图上划定范围"),
        widget=RegionTreeWidget)
    event_type = forms.ChoiceField(label=_("事件类型"), choices=event_type_choices, required=False)
    area_polygon = forms.JSONField(label=_("图上划定范围（GeoJSON 多边形）"), required=False,
                                   widget=PolygonMapWidget,
                                   help_text=_("范围内的乡镇、村（边界相交或中心点落入）的责任人都会收到预警"))
    target_roles = forms.MultipleChoiceField(
        label=_("叫应责任类型"), choices=ResponsibleRole.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("不勾选表示区域内全部责任人"))
    target_organizations = forms.ModelMultipleChoiceField(
        label=_("叫应单位"), queryset=Organization.objects.select_related("region"), required=False,
        help_text=_("所选单位登记的全部在岗责任人也会收到预警（限发布单位辖区内）；输入名称搜索，可多选"))
    escalation = TimetableField(
        label=_("叫应升级时间表"), choices=STEPS.items(), minutes_label=_("未应答等待分钟数"),
        choice_label=_("届时执行"), initial=default_timetable, help_text=_("首条消息发出后，按分钟依次执行；不填表示不升级"))

    class Meta:
        model = Warning
        fields = ["region", "kind", "event_type", "level", "headline", "description", "instructions",
                  "area_regions", "area_polygon", "target_roles", "target_organizations", "onset", "expires",
                  "source", "escalation"]
        widgets = {"onset": DateTimeInput(), "expires": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3}), "instructions": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("area_regions") and not cleaned.get("area_polygon"):
            self.add_error("area_regions", _("请选择预警区域或在地图上划定范围"))
        return cleaned

    def clean_area_polygon(self):
        value = self.cleaned_data.get("area_polygon")
        if value in (None, "", {}):
            return None

        if not _is_polygon(value):
            raise forms.ValidationError(_("划定的范围不是有效的多边形（GeoJSON Polygon，至少 3 个顶点且边不自交）"))
        return value

    def clean_escalation(self):
        value = self.cleaned_data.get("escalation") or []
        problem = timetable_problems(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class FollowForm(forms.Form):
    msg_type = forms.ChoiceField(label=_("消息类型"), choices=[("Update", _("更新")), ("Cancel", _("解除"))])


class UpstreamUploadForm(forms.Form):
    file = forms.FileField(label=_("CAP 1.2 或国家预警平台 XML 文件"))


class ForwardForm(forms.Form):
    region = RegionChoiceField(label=_("发布单位区划"), queryset=Region.objects.exclude(level="village"))
    level = forms.ChoiceField(label=_("预警级别"), choices=Level.choices, required=False)
    area_regions = forms.ModelMultipleChoiceField(
        label=_("预警区域"), queryset=Region.objects.filter(level__in=["county", "township", "village"]))
    local_instructions = forms.CharField(label=_("本地防御指南"), widget=forms.Textarea(attrs={"rows": 3}),
                                         required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("region", "area_regions"):
            self.fields[name].queryset = self.fields[name].queryset.restrict(user, "view")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else
                                          "form-control")


class ResponsiblePersonForm(ScopedModelForm):
    region = RegionChoiceField(label=_("责任区划"), queryset=Region.objects.filter(level__in=["township", "village"])
                               .select_related("parent"))

    class Meta:
        model = ResponsiblePerson
        fields = ["region", "grid", "role", "name", "phone", "position", "superior", "organization", "active"]
