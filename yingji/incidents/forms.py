from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Organization, Region
from yingji.incidents.models import SUBTYPES, Incident, ReportKind, ResponseLevel
from yingji.resources.models import Material, RescueTeam, Warehouse


class IncidentForm(ScopedModelForm):
    dependent_choices = {"subtype": ("category", SUBTYPES)}
    region = RegionChoiceField(label=_("发生地区划"), queryset=Region.objects.select_related("parent"))
    occurred_at = forms.DateTimeField(label=_("发生时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                                                       "%Y-%m-%d %H:%M:%S"],
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))

    class Meta:
        model = Incident
        fields = ["title", "category", "subtype", "occurred_at", "place", "region", "enterprise", "longitude",
                  "latitude", "deaths", "missing", "serious_injuries", "light_injuries", "direct_loss_yuan",
                  "description", "source"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ReportSubmitForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告类型"), choices=ReportKind.choices)
    measures = forms.CharField(label=_("已采取的措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ResponseStartForm(forms.Form):
    level = forms.ChoiceField(label=_("响应级别"), choices=ResponseLevel.choices)
    commander = forms.CharField(label=_("指挥长"), max_length=50, required=False)


class DispatchForm(forms.Form):
    team = forms.ModelChoiceField(label=_("救援队伍"), queryset=None, required=False)
    organization = forms.ModelChoiceField(label=_("责任单位"), queryset=None, required=False)
    instruction = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = RescueTeam.objects.restrict(user, "view").filter(status="standby")
        self.fields["organization"].queryset = Organization.objects.restrict(user, "view")


class AllocationForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("仓库"), queryset=None)
    material = forms.ModelChoiceField(label=_("物资"), queryset=None)
    quantity = forms.DecimalField(label=_("数量"), min_value=0.01, max_digits=14, decimal_places=2)
    destination = forms.CharField(label=_("送达地点"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.restrict(user, "view")
        self.fields["material"].queryset = Material.objects.restrict(user, "view")


class DutyShiftForm(ScopedModelForm):
    class Meta:
        from yingji.incidents.models import DutyShift

        model = DutyShift
        fields = ["organization", "date", "position", "person_name", "phone"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class RosterGenerateForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("值班单位"), queryset=None)
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("天数"), min_value=1, max_value=366, initial=30)
    leader = forms.CharField(label=_("带班领导轮换"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("每行一人，可写“姓名 电话”"))
    chief = forms.CharField(label=_("值班长轮换"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    officer = forms.CharField(label=_("值班员轮换（每天2人）"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    driver = forms.CharField(label=_("驾驶员轮换"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, "view")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def rotation(self) -> dict[str, list[str]]:
        return {p: [line.strip() for line in self.cleaned_data[p].splitlines() if line.strip()]
                for p in ("leader", "chief", "officer", "driver") if self.cleaned_data.get(p, "").strip()}


class DutyLogForm(ScopedModelForm):
    class Meta:
        from yingji.incidents.models import DutyLog

        model = DutyLog
        fields = ["organization", "date", "content", "open_items"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "content": forms.Textarea(attrs={"rows": 4}),
                   "open_items": forms.Textarea(attrs={"rows": 3})}
