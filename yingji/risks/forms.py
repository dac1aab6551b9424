from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import ScopedModelForm
from yingji.risks.models import RiskPoint


class RiskPointForm(ScopedModelForm):
    """The LEC and matrix inputs are selects with the table's descriptions; the grade is computed on save."""

    class Meta:
        model = RiskPoint
        fields = [
            "enterprise", "name", "place", "kind", "method", "lec_l", "lec_e", "lec_c", "matrix_l", "matrix_s",
            "measure_engineering", "measure_management", "measure_training", "measure_protection",
            "measure_emergency", "control_level", "responsible_person", "responsible_phone", "next_review",
            "longitude", "latitude",
        ]
        widgets = {
            "next_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in (
                "measure_engineering", "measure_management", "measure_training", "measure_protection",
                "measure_emergency")},
        }
        help_texts = {
            "method": _("LEC法：D=L×E×C；风险矩阵法：R=L×S。风险值与等级在保存后自动计算。"),
            "longitude": _("选填；风险点在厂区内的位置，用于四色分布图"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = self.fields["enterprise"].queryset
        if self.instance.pk is None and not self.is_bound and self.user.scope_enterprise_id:
            self.initial.setdefault("enterprise", self.user.scope_enterprise_id)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        # The database gives 3.0 where the choice is 3: show the stored value as its option, or the select shows none.
        for name in ("lec_l", "lec_e", "lec_c"):
            value = getattr(self.instance, name)
            if value is not None:
                keys = [key for key, _label in self.fields[name].choices if key != "" and Decimal(str(key)) == value]
                if keys:
                    self.initial[name] = keys[0]

    def clean_next_review(self):
        day = self.cleaned_data.get("next_review")
        # A review date already past is kept on a record that has it (it shows as overdue); a new one is refused.
        if day and "next_review" in self.changed_data and day < timezone.localdate():
            raise forms.ValidationError(_("下次评审日期不能早于今天"))
        return day

    def clean_name(self) -> str:
        return (self.cleaned_data.get("name") or "").strip()
