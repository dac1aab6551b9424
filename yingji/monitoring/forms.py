from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import ScopedModelForm
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
