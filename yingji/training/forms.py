from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.training.models import Exam, Question, QuestionBank, Trainee

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

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()


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
