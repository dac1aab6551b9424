from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.training.models import Exam, Question, QuestionBank, Trainee, is_exam_administrator

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class QuestionBankForm(ScopedModelForm):
    region = RegionChoiceField(label=_("编制单位所在区划"),
                               queryset=Region.objects.exclude(level="village").select_related("parent"))

    class Meta:
        model = QuestionBank
        fields = ["name", "industry", "post", "region", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class QuestionForm(ScopedModelForm):
    class Meta:
        model = Question
        fields = ["bank", "code", "kind", "stem", "option_a", "option_b", "option_c", "option_d", "option_e",
                  "option_f", "answer", "explanation", "is_active"]
        widgets = {"stem": forms.Textarea(attrs={"rows": 3}), "explanation": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Questions go only into banks the user's own jurisdiction keeps.
        self.fields["bank"].queryset = QuestionBank.objects.restrict(self.user, "change")

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()


class TraineeForm(ScopedModelForm):
    class Meta:
        model = Trainee
        fields = ["enterprise", "name", "id_number", "industry", "post", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user.scope_enterprise_id:
            self.fields["enterprise"].empty_label = None
        # Editing someone registered before: only exam administrators get the number back in the form.
        self.keeps_id_number = bool(self.instance.pk) and not is_exam_administrator(self.user, self.instance.region_id)
        if self.keeps_id_number:
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("已登记：%(masked)s。不修改请留空") % {
                "masked": self.instance.masked_id_number}

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        return value or (self.instance.id_number if self.keeps_id_number else value)


class ExamForm(ScopedModelForm):
    region = RegionChoiceField(label=_("组织单位所在区划"),
                               queryset=Region.objects.exclude(level="village").select_related("parent"))
    banks = forms.ModelMultipleChoiceField(label=_("题库"), queryset=QuestionBank.objects.all(),
                                           widget=forms.CheckboxSelectMultiple)
    opens_at = forms.DateTimeField(label=_("开考时间"), input_formats=DATETIME_FORMATS,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    closes_at = forms.DateTimeField(label=_("截止时间"), input_formats=DATETIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"))

    class Meta:
        model = Exam
        fields = ["name", "region", "banks", "single_count", "single_score", "multiple_count", "multiple_score",
                  "judge_count", "judge_score", "pass_mark", "duration_minutes", "opens_at", "closes_at",
                  "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["banks"].queryset = QuestionBank.objects.restrict(self.user, "view")


class ExamLoginForm(forms.Form):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18,
                                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    ticket_number = forms.CharField(label=_("准考证号"), max_length=12,
                                    widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                                  "inputmode": "numeric"}))
    room_code = forms.CharField(label=_("入场码"), max_length=12,
                                help_text=_("监考人员核验身份证后发放，每个入场码只能使用一次"),
                                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                              "autocapitalize": "characters"}))
