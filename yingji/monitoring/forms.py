from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import ScopedModelForm
from yingji.hazards.models import HazardCategory, HazardLevel
from yingji.monitoring.models import Gateway, HazardSourceChemical, MajorHazardSource, MonitoringPoint


class MajorHazardSourceForm(ScopedModelForm):
    class Meta:
        model = MajorHazardSource
        fields = ["enterprise", "code", "name", "unit_kind", "exposed_population"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["enterprise"].disabled = True

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()


class HazardChemicalForm(forms.ModelForm):
    class Meta:
        model = HazardSourceChemical
        fields = ["chemical", "quantity"]
        widgets = {"chemical": forms.Select(attrs={"class": "form-select form-select-sm"}),
                   "quantity": forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"})}


class MonitoringPointForm(ScopedModelForm):
    class Meta:
        model = MonitoringPoint
        fields = ["source", "tag", "name", "kind", "unit", "range_low", "range_high", "low_low", "low", "high",
                  "high_high", "deadband", "alarm_delay_seconds", "report_period_seconds", "rate_limit", "is_active"]
        labels = {"source": _("重大危险源")}


class GatewayForm(ScopedModelForm):
    class Meta:
        model = Gateway
        fields = ["enterprise", "code", "name", "report_period_seconds", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["enterprise"].disabled = True

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()


class PatrolForm(forms.Form):
    """A patrol of the day: the enterprises looked at (ticked from the monitored ones in scope) and a summary."""

    day = forms.DateField(label=_("巡查日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    summary = forms.CharField(label=_("巡查情况"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    enterprises = forms.ModelMultipleChoiceField(label=_("巡查企业"), queryset=None,
                                                 widget=forms.CheckboxSelectMultiple,
                                                 error_messages={"required": _("请至少选择一家巡查的企业")})

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = enterprises


class PatrolFindingForm(forms.Form):
    finding = forms.CharField(label=_("巡查发现"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PatrolHazardForm(forms.Form):
    """The hazard raised from a patrol finding (fields of the hazards app's register)."""

    description = forms.CharField(label=_("隐患描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("隐患部位/地点"), max_length=200)
    category = forms.ChoiceField(label=_("隐患类别"), choices=())
    level = forms.ChoiceField(label=_("隐患级别"), choices=())
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = HazardCategory.choices
        self.fields["level"].choices = HazardLevel.choices
