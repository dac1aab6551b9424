import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet, SearchFilterSet
from yingji.enterprises.models import Enterprise
from yingji.training.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    Exam,
    Industry,
    Post,
    Question,
    QuestionBank,
    QuestionKind,
    Trainee,
)


class QuestionBankFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    industry = django_filters.ChoiceFilter(label=_("行业领域"), choices=Industry.choices)
    post = django_filters.ChoiceFilter(label=_("适用岗位"), choices=Post.choices)

    class Meta:
        model = QuestionBank
        fields = ["q", "industry", "post"]


class QuestionFilterSet(SearchFilterSet):
    search_fields = ("code", "stem")
    bank = django_filters.ModelChoiceFilter(label=_("所属题库"), queryset=QuestionBank.objects.all())
    kind = django_filters.ChoiceFilter(label=_("题型"), choices=QuestionKind.choices)
    industry = django_filters.ChoiceFilter(label=_("行业领域"), field_name="bank__industry", choices=Industry.choices)
    post = django_filters.ChoiceFilter(label=_("适用岗位"), field_name="bank__post", choices=Post.choices)

    class Meta:
        model = Question
        fields = ["q", "bank", "kind", "industry", "post", "is_active"]


class TraineeFilterSet(RegionScopedFilterSet):
    # Not the ID number: a substring search would read a masked number back digit by digit.
    search_fields = ("name", "enterprise__name")
    industry = django_filters.ChoiceFilter(label=_("行业领域"), choices=Industry.choices)
    post = django_filters.ChoiceFilter(label=_("岗位"), choices=Post.choices)

    class Meta:
        model = Trainee
        fields = ["q", "region", "industry", "post"]


class ExamFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    opens_from = django_filters.DateFilter(label=_("开考日期起"), field_name="opens_at", lookup_expr="date__gte")
    opens_to = django_filters.DateFilter(label=_("开考日期止"), field_name="opens_at", lookup_expr="date__lte")

    class Meta:
        model = Exam
        fields = ["q", "opens_from", "opens_to"]


class CandidateFilterSet(RegionScopedFilterSet):
    search_fields = ("ticket_number", "trainee__name", "enterprise__name")
    exam = django_filters.ModelChoiceFilter(label=_("考试"), queryset=Exam.objects.all())

    class Meta:
        model = Candidate
        fields = ["q", "exam", "region"]


class AttemptFilterSet(RegionScopedFilterSet):
    search_fields = ("candidate__ticket_number", "candidate__trainee__name", "enterprise__name")
    exam = django_filters.ModelChoiceFilter(label=_("考试"), queryset=Exam.objects.all())
    enterprise = django_filters.ModelChoiceFilter(label=_("企业"), queryset=Enterprise.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=AttemptStatus.choices)
    passed = django_filters.BooleanFilter(label=_("是否合格"))

    class Meta:
        model = Attempt
        fields = ["q", "exam", "region", "enterprise", "status", "passed"]
