from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Organization, Region, User
from yingji.hazards.models import Hazard, PhotoKind, SupervisionLevel

PLAN_HELP = _("重大隐患须填写完整的治理方案后方可开始整改")


class HazardForm(ScopedModelForm):
    region = RegionChoiceField(
        label=_("所在区划"), required=False, help_text=_("公共场所隐患必填；企业隐患取企业所在区划"),
        queryset=Region.objects.filter(level__in=["township", "village"]).select_related("parent"),
    )
    responsible_user = forms.ModelChoiceField(label=_("责任人账号"), queryset=User.objects.all(), required=False)
    found_at = forms.DateTimeField(label=_("发现时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Hazard
        fields = [
            "enterprise", "region", "description", "place", "category", "level", "source", "found_by_name",
            "found_at", "responsible_unit", "responsible_person", "responsible_user", "measures", "funds", "deadline",
            "plan_objectives", "plan_methods", "plan_funds_materials", "plan_organization", "plan_time_limits",
            "plan_safety_measures",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in [
            "description", "measures", "plan_objectives", "plan_methods", "plan_funds_materials",
            "plan_organization", "plan_time_limits", "plan_safety_measures"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_objectives"].help_text = PLAN_HELP
        if self.user.scope_enterprise_id:
            # An enterprise reports hazards of its own enterprise only.
            self.fields["enterprise"].required = True
            self.fields["enterprise"].empty_label = None
            self.fields["region"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if not data.get("enterprise") and not data.get("region") and "region" not in self.errors:
            self.add_error("region", _("公共场所隐患请选择所在区划"))
        return data


class TransitionForm(forms.Form):
    action = forms.CharField()
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)
    deadline = forms.DateField(label=_("整改期限"), required=False)
    measures = forms.CharField(label=_("整改措施"), required=False)


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(label=_("照片类型"), choices=PhotoKind.choices)
    file = forms.FileField(label=_("照片"))


class SupervisionForm(forms.Form):
    level = forms.ChoiceField(label=_("督办级别"), choices=SupervisionLevel.choices)
    unit = forms.ModelChoiceField(label=_("督办单位"), queryset=Organization.objects.all())
    listed_on = forms.DateField(label=_("挂牌日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("督办要求"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Organization.objects.restrict(user, "view")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")
