from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.warnings.cap import event_types
from yingji.warnings.models import Level, ResponsiblePerson, Warning


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
        required=False, help_text=_("选择乡镇（街道）或村（社区），也可在地图上划定范围"),
        widget=forms.SelectMultiple(attrs={"size": 8}))
    event_type = forms.ChoiceField(label=_("事件类型"), choices=event_type_choices, required=False)
    area_polygon = forms.JSONField(label=_("预警范围（GeoJSON 多边形）"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Warning
        fields = ["region", "kind", "event_type", "level", "headline", "description", "instructions",
                  "area_regions", "area_polygon", "onset", "expires", "source", "escalation"]
        widgets = {"onset": DateTimeInput(), "expires": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3}), "instructions": forms.Textarea(attrs={"rows": 3}),
                   "escalation": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("area_regions") and not cleaned.get("area_polygon"):
            self.add_error("area_regions", _("请选择预警区域或在地图上划定范围"))
        return cleaned

    def clean_escalation(self):
        from yingji.warnings.escalation import timetable_problems

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
