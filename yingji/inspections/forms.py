import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region, User
from yingji.enterprises.models import Category, Enterprise, SupervisionClass
from yingji.hazards.models import HazardCategory, HazardLevel
from yingji.inspections.models import (
    AnnualPlan,
    Checklist,
    Draw,
    Evaluation,
    EvaluationResult,
    EvaluationTemplate,
    ExpertPurpose,
    Inspection,
    InspectionKind,
    Inspector,
)
from yingji.resources.models import ExpertField

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class JSONTextField(forms.JSONField):
    widget = forms.Textarea(attrs={"rows": 8})

    def prepare_value(self, value):
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return super().prepare_value(value)


class EvaluationTemplateForm(ScopedModelForm):
    elements = JSONTextField(label=_("评价要素"), help_text=EvaluationTemplate._meta.get_field("elements").help_text,
                             error_messages={"invalid": _("请输入有效的 JSON")})

    class Meta:
        model = EvaluationTemplate
        fields = ["name", "elements", "good_from", "fair_from", "is_active"]


class EvaluationForm(ScopedModelForm):
    """An evaluation with one score field per item of its template."""

    evaluated_on = forms.DateField(label=_("评价日期"), **DATE)

    class Meta:
        model = Evaluation
        fields = ["enterprise", "year", "template", "evaluated_on", "evaluator", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = EvaluationTemplate.objects.restrict(self.user, "view").filter(is_active=True)
        if self.instance.pk:
            self.fields["template"].queryset = EvaluationTemplate.objects.filter(pk=self.instance.template_id)
            del self.fields["enterprise"]
        template = self._template()
        self.template = template
        for item in template.items() if template else []:
            code = str(item["code"])
            self.fields[f"score_{code}"] = forms.DecimalField(
                label=f"{code} {item['name']}（满分{item['max_score']}）", min_value=0,
                max_value=item["max_score"], decimal_places=2,
                initial=(self.instance.scores or {}).get(code) if self.instance.pk else None,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}))

    def _template(self) -> EvaluationTemplate | None:
        if self.instance.pk:
            return self.instance.template
        queryset = self.fields["template"].queryset
        raw = self.data.get("template") or self.initial.get("template")
        if raw and str(raw).isdigit():
            found = queryset.filter(pk=raw).first()
            if found:
                return found
        return queryset.order_by("-version").first()

    def scores(self) -> dict[str, str]:
        return {name[len("score_"):]: str(value) for name, value in self.cleaned_data.items()
                if name.startswith("score_") and value is not None}


class FrequencyForm(forms.Form):
    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        for klass, klass_label in SupervisionClass.choices:
            for result, result_label in EvaluationResult.choices:
                self.fields[f"{klass}_{result}"] = forms.IntegerField(
                    label=f"{klass_label} × {result_label}", min_value=0, max_value=52,
                    initial=matrix.get((klass, result), 0))
        _styled(self)

    def matrix(self) -> dict[tuple[str, str], int]:
        return {tuple(name.split("_", 1)): value for name, value in self.cleaned_data.items()}


class AnnualPlanForm(ScopedModelForm):
    region = RegionChoiceField(label=_("编制单位所在区划"),
                               queryset=Region.objects.filter(level__in=["city", "county"]))

    class Meta:
        model = AnnualPlan
        fields = ["region", "year", "title", "key_q1", "random_q1", "key_q2", "random_q2", "key_q3", "random_q3",
                  "key_q4", "random_q4", "description"]


class InspectorForm(ScopedModelForm):
    region = RegionChoiceField(label=_("所属区划"), queryset=Region.objects.exclude(level="village"))

    class Meta:
        model = Inspector
        fields = ["name", "certificate_no", "region", "organization", "user", "is_active", "conflict_enterprises"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["user"].queryset = User.objects.restrict(self.user, "view") if self.user.has_perm(
            "core.view_user") else User.objects.filter(pk=self.user.pk)
        self.fields["user"].required = False


class InspectionDrawForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=200)
    region = RegionChoiceField(label=_("抽取单位所在区划"), queryset=Region.objects.none())
    plan = forms.ModelChoiceField(label=_("年度计划"), queryset=AnnualPlan.objects.none(), required=False)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, required=False, empty_value=None,
                                     choices=[("", "—"), (1, "一季度"), (2, "二季度"), (3, "三季度"), (4, "四季度")])
    within = RegionChoiceField(label=_("抽取范围（区域）"), queryset=Region.objects.none(), required=False)
    categories = forms.MultipleChoiceField(label=_("企业类别"), choices=Category.choices, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 5}))
    classes = forms.MultipleChoiceField(label=_("监管分级"), choices=SupervisionClass.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    count = forms.IntegerField(label=_("抽取对象数"), min_value=1, max_value=5000)
    team_size = forms.IntegerField(label=_("每组执法人员数"), min_value=2, max_value=10, initial=2)
    seed = forms.RegexField(label=_("随机种子（可选）"), regex=r"^\d{1,30}$", required=False,
                            help_text=_("留空由系统生成；可填写公开摇号产生的数字"),
                            error_messages={"invalid": _("随机种子应为1至30位数字")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.restrict(user, "view")
        self.fields["region"].queryset = regions.filter(level__in=["city", "county"])
        self.fields["within"].queryset = regions.exclude(level="village").select_related("parent")
        self.fields["plan"].queryset = AnnualPlan.objects.restrict(user, "view").filter(
            status__in=["approved", "filed"])
        _styled(self)


class ExpertDrawForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=200)
    region = RegionChoiceField(label=_("抽取单位所在区划"), queryset=Region.objects.none())
    purpose = forms.ChoiceField(label=_("用途"), choices=ExpertPurpose.choices)
    field = forms.ChoiceField(label=_("专业领域"), choices=ExpertField.choices)
    enterprise = forms.ModelChoiceField(label=_("涉及企业"), queryset=Enterprise.objects.none(), required=False)
    count = forms.IntegerField(label=_("抽取人数"), min_value=1, max_value=50, initial=3)
    recent_days = forms.IntegerField(label=_("近期参加回避天数"), min_value=0, max_value=3650, initial=90)
    seed = forms.RegexField(label=_("随机种子（可选）"), regex=r"^\d{1,30}$", required=False,
                            error_messages={"invalid": _("随机种子应为1至30位数字")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, "view").filter(level__in=["city", "county"])
        self.fields["enterprise"].queryset = Enterprise.objects.restrict(user, "view")
        _styled(self)


class RedrawForm(forms.Form):
    reason = forms.CharField(label=_("重新抽取原因"), max_length=500)
    seed = forms.RegexField(label=_("随机种子（可选）"), regex=r"^\d{1,30}$", required=False)


class ChecklistForm(ScopedModelForm):
    items = JSONTextField(label=_("检查项"), help_text=Checklist._meta.get_field("items").help_text,
                          error_messages={"invalid": _("请输入有效的 JSON")})

    class Meta:
        model = Checklist
        fields = ["category", "name", "items", "is_active"]


class InspectionForm(ScopedModelForm):
    inspected_on = forms.DateField(label=_("检查日期"), **DATE)

    class Meta:
        model = Inspection
        fields = ["enterprise", "kind", "inspected_on", "inspectors", "plan", "draw", "checklist", "place",
                  "conclusion"]
        widgets = {"conclusion": forms.Textarea(attrs={"rows": 3}), "inspectors": forms.SelectMultiple(
            attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draw"].queryset = Draw.objects.restrict(self.user, "view").filter(kind="inspection",
                                                                                      is_current=True)
        self.fields["inspectors"].queryset = Inspector.objects.restrict(self.user, "view").filter(is_active=True)
        self.fields["inspectors"].help_text = _("至少选择两名执法人员")
        self.fields["kind"].initial = InspectionKind.RANDOM
        if self.instance.pk:
            for name in ("enterprise", "inspected_on", "inspectors", "plan", "draw"):
                del self.fields[name]
        else:
            self.fields["inspected_on"].initial = timezone.localdate()


class FindingForm(forms.Form):
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("部位"), max_length=200)
    hazard_category = forms.ChoiceField(label=_("隐患类别"), choices=HazardCategory.choices)
    hazard_level = forms.ChoiceField(label=_("隐患级别"), choices=HazardLevel.choices)
    rectify_by = forms.DateField(label=_("整改期限"), required=False, **DATE)
    item_code = forms.CharField(label=_("检查项编号"), max_length=20, required=False)
    is_violation = forms.BooleanField(label=_("涉嫌违法行为"), required=False)
    legal_basis = forms.CharField(label=_("违反的规定"), max_length=300, required=False)
    open_case = forms.BooleanField(label=_("立案查处"), required=False)
    case_title = forms.CharField(label=_("案由"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
