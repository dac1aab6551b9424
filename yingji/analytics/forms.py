import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Region


class MonthlyReportRequestForm(forms.Form):
    region = forms.ModelChoiceField(label=_("区域"), queryset=Region.objects.none(),
                                    error_messages={"required": _("请选择区域"), "invalid_choice": _("请选择管辖范围内的区域")})
    month = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}),
                            error_messages={"required": _("请选择月份")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (Region.objects.restrict(user, "view")
                                          .filter(level__in=("province", "city", "county", "township")).order_by("code"))
        if not self.is_bound:
            last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
            self.initial.setdefault("month", last.strftime("%Y-%m"))
            if user.scope_region_id:
                self.initial.setdefault("region", user.scope_region_id)

    def clean_month(self) -> datetime.date:
        text = self.cleaned_data["month"].strip()
        try:
            return datetime.date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from None
