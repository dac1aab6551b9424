from django import forms
from django.utils.translation import gettext as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.enterprises.models import BUREAU_KEPT_FIELDS, Enterprise, Status
from yingji.standards import uscc


class EnterpriseForm(ScopedModelForm):
    region = RegionChoiceField(
        label=_("所在村（社区）"), queryset=Region.objects.filter(level="village").select_related("parent")
    )
    # Shown, never written through the form: the status moves by 责令停产 / 恢复生产 / 关闭取缔 (states.WORKFLOW).
    status = forms.ChoiceField(label=_("生产状态"), choices=Status.choices, required=False, disabled=True,
                               help_text=_("生产状态在企业详情页通过“责令停产/恢复生产/关闭取缔”办理"))

    class Meta:
        model = Enterprise
        fields = [
            "name", "credit_code", "region", "address", "longitude", "latitude",
            "industry_code", "industry_name", "category", "scale_type", "size", "supervision_class",
            "legal_representative", "legal_representative_phone", "principal", "principal_phone",
            "safety_director", "safety_director_phone", "employee_count",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["status"] = self.instance.status
        if self.instance.pk and self.user.scope_enterprise_id:
            for name in BUREAU_KEPT_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("由监管部门维护")

    def clean_credit_code(self) -> str:
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        problem = uscc.problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code
