import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet, SearchFilterSet, YearFilter
from yingji.enterprises.models import Category, SupervisionClass
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    CaseStatus,
    Checklist,
    Draw,
    DrawKind,
    Evaluation,
    EvaluationResult,
    EvaluationTemplate,
    Inspection,
    InspectionKind,
    Inspector,
    InterviewStatus,
    PlanStatus,
    WarningInterview,
)


class EvaluationTemplateFilterSet(SearchFilterSet):
    search_fields = ("name",)
    is_active = django_filters.BooleanFilter(label=_("当前启用"))

    class Meta:
        model = EvaluationTemplate
        fields = ["q", "is_active"]


class EvaluationFilterSet(RegionScopedFilterSet):
    search_fields = ("enterprise__name", "evaluator")
    year = YearFilter(label=_("年度"))
    result = django_filters.ChoiceFilter(label=_("评价结果"), choices=EvaluationResult.choices)
    supervision_class = django_filters.ChoiceFilter(label=_("监管分级"), field_name="enterprise__supervision_class",
                                                    choices=SupervisionClass.choices)

    class Meta:
        model = Evaluation
        fields = ["q", "region", "year", "result", "supervision_class"]


class InterviewFilterSet(RegionScopedFilterSet):
    search_fields = ("enterprise__name", "record")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=InterviewStatus.choices)

    class Meta:
        model = WarningInterview
        fields = ["q", "region", "status"]


class PlanFilterSet(RegionScopedFilterSet):
    search_fields = ("title",)
    year = YearFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PlanStatus.choices)

    class Meta:
        model = AnnualPlan
        fields = ["q", "region", "year", "status"]


class InspectorFilterSet(RegionScopedFilterSet):
    search_fields = ("name", "certificate_no", "organization")
    is_active = django_filters.BooleanFilter(label=_("在岗可抽取"))

    class Meta:
        model = Inspector
        fields = ["q", "region", "is_active"]


class DrawFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "title", "seed")
    kind = django_filters.ChoiceFilter(label=_("抽取类型"), choices=DrawKind.choices)
    is_current = django_filters.BooleanFilter(label=_("有效"))

    class Meta:
        model = Draw
        fields = ["q", "region", "kind", "is_current"]


class ChecklistFilterSet(SearchFilterSet):
    search_fields = ("name",)
    category = django_filters.ChoiceFilter(label=_("适用企业类别"), choices=Category.choices)

    class Meta:
        model = Checklist
        fields = ["q", "category"]


class InspectionFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "enterprise__name", "conclusion")
    kind = django_filters.ChoiceFilter(label=_("检查类型"), choices=InspectionKind.choices)
    date_from = django_filters.DateFilter(label=_("检查日期起"), field_name="inspected_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("检查日期止"), field_name="inspected_on", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["q", "region", "kind", "date_from", "date_to"]


class CaseFilterSet(RegionScopedFilterSet):
    search_fields = ("code", "title", "enterprise__name", "decision_no")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CaseStatus.choices)
    filed_from = django_filters.DateFilter(label=_("立案日期起"), field_name="filed_on", lookup_expr="gte")
    filed_to = django_filters.DateFilter(label=_("立案日期止"), field_name="filed_on", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["q", "region", "status", "filed_from", "filed_to"]
