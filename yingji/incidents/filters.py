import django_filters
from django.utils.translation import gettext_lazy as _

from yingji.core.filters import RegionScopedFilterSet
from yingji.incidents.models import (
    Category,
    DispatchTask,
    Grade,
    Incident,
    IncidentReport,
    ReportKind,
    ReportStatus,
    TaskStatus,
)

EXERCISE_CHOICES = [("exercise", _("演练")), ("all", _("全部（含演练）"))]


class ExerciseFilterSet(RegionScopedFilterSet):
    """Real incidents unless the user asks for drills: `exercise=exercise` (only drills) or `exercise=all`.

    The default is applied to the queryset itself, so an unfiltered list page, its Excel export and the API list
    all leave drills out without the caller passing anything.
    """

    exercise = django_filters.ChoiceFilter(label=_("演练"), choices=EXERCISE_CHOICES, empty_label=_("真实事件"),
                                           method="keep")
    exercise_path = "incident__is_exercise"

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        mode = (data or {}).get("exercise", "")
        if queryset is not None and mode != "all":
            queryset = queryset.filter(**{self.exercise_path: mode == "exercise"})
        super().__init__(data, queryset, request=request, **kwargs)

    def keep(self, queryset, name, value):
        return queryset


class IncidentFilterSet(ExerciseFilterSet):
    exercise_path = "is_exercise"
    search_fields = ("code", "title", "place", "description")
    category = django_filters.ChoiceFilter(label=_("事件类型"), choices=Category.choices)
    grade = django_filters.ChoiceFilter(label=_("事件等级"), choices=Grade.choices)
    occurred_after = django_filters.DateFilter(label=_("发生日期自"), field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(label=_("发生日期至"), field_name="occurred_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(label=_("报送超时"), field_name="overdue_since", lookup_expr="isnull",
                                           exclude=True)

    class Meta:
        model = Incident
        fields = ["q", "region", "category", "grade", "occurred_after", "occurred_before", "overdue", "exercise"]


class IncidentReportFilterSet(ExerciseFilterSet):
    search_fields = ("incident__code", "incident__title")
    kind = django_filters.ChoiceFilter(label=_("报告类型"), choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices)
    late = django_filters.BooleanFilter(label=_("超时报送"))

    class Meta:
        model = IncidentReport
        fields = ["q", "region", "kind", "status", "late", "exercise"]


class DispatchTaskFilterSet(ExerciseFilterSet):
    search_fields = ("incident__code", "incident__title", "team__name", "instruction")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TaskStatus.choices)

    class Meta:
        model = DispatchTask
        fields = ["q", "region", "status", "exercise"]
