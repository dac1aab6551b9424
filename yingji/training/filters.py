import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import SearchFilterSet
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
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


class _RegionFilterMixin:
    def within_region(self, queryset, name, region):
        return queryset.filter(code_prefix_q("region__code", region.prefix))

    def _restrict_regions(self, request):
        if request is not None and "region" in self.filters:
            self.filters["region"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")


def _region_filter():
    return django_filters.ModelChoiceFilter(label=_("区域"), queryset=Region.objects.exclude(level="village"),
                                            method="within_region", empty_label="全部")


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

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["bank"].queryset = QuestionBank.objects.restrict(request.user, "view")


class TraineeFilterSet(_RegionFilterMixin, SearchFilterSet):
    search_fields = ("name", "id_number", "enterprise__name")
    region = _region_filter()
    industry = django_filters.ChoiceFilter(label=_("行业领域"), choices=Industry.choices)
    post = django_filters.ChoiceFilter(label=_("岗位"), choices=Post.choices)

    class Meta:
        model = Trainee
        fields = ["q", "region", "industry", "post"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._restrict_regions(request)


class ExamFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    opens_from = django_filters.DateFilter(label=_("开考日期起"), field_name="opens_at", lookup_expr="date__gte")
    opens_to = django_filters.DateFilter(label=_("开考日期止"), field_name="opens_at", lookup_expr="date__lte")

    class Meta:
        model = Exam
        fields = ["q", "opens_from", "opens_to"]


class CandidateFilterSet(_RegionFilterMixin, SearchFilterSet):
    search_fields = ("ticket_number", "trainee__name", "enterprise__name")
    exam = django_filters.ModelChoiceFilter(label=_("考试"), queryset=Exam.objects.all())
    region = _region_filter()

    class Meta:
        model = Candidate
        fields = ["q", "exam", "region"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._restrict_regions(request)
        if request is not None:
            self.filters["exam"].queryset = Exam.objects.restrict(request.user, "view")


class AttemptFilterSet(_RegionFilterMixin, SearchFilterSet):
    search_fields = ("candidate__ticket_number", "candidate__trainee__name", "enterprise__name")
    exam = django_filters.ModelChoiceFilter(label=_("考试"), queryset=Exam.objects.all())
    region = _region_filter()
    enterprise = django_filters.ModelChoiceFilter(label=_("企业"), queryset=Enterprise.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=AttemptStatus.choices)
    passed = django_filters.BooleanFilter(label=_("是否合格"))

    class Meta:
        model = Attempt
        fields = ["q", "exam", "region", "enterprise", "status", "passed"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._restrict_regions(request)
        if request is not None:
            self.filters["exam"].queryset = Exam.objects.restrict(request.user, "view")
            self.filters["enterprise"].queryset = Enterprise.objects.restrict(request.user, "view")
