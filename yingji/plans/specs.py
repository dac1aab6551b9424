"""How the plans app's models are wired to pages, API and URLs (see `yingji.core.specs`).

Pages that are nothing but these declarations are generated; `views.py` registers its own classes for the pages
that show more (a plan's structure and versions, a drill's teams and improvements, an assessment's items). The
four loops — 预案 评审备案, 演练, 改进任务, 基层应急能力评估 — are flows: their buttons, their one transition
route and their API action come from the tables in `states.py`.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.plans import filters, forms, services
from yingji.plans.models import (
    Drill,
    DrillImprovement,
    Plan,
    PlanActivation,
    PlanLevel,
    PlanOrganization,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
)
from yingji.plans.states import DRILL_WORKFLOW, IMPROVEMENT_WORKFLOW, PLAN_WORKFLOW, READINESS_WORKFLOW

NS = "plans"


def breadcrumbs() -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home")), (_("预案演练"), reverse("plans:plan_list"))]


PLAN = ModelSpec(
    Plan, namespace=NS,
    create=services.plan_create, update=services.plan_update, object_argument="plan",
    flows=[Flow(PLAN_WORKFLOW, act=services.plan_act, closed=("superseded", "abolished"))],
    columns=[Column("code", link=True), Column("name", gettext_lazy("预案名称（版本）"), link=True, accessor=str),
             Column("kind"), Column("region.name", gettext_lazy("所属区划")),
             Column("enterprise.name", gettext_lazy("所属企业")), Column("parent.name", gettext_lazy("上级预案")),
             Column("status"), Column("filing_number", orderable=False), Column("filed_on"),
             Column("next_revision_due")],
    fields=[Column(n) for n in ("code", "version", "name", "kind", "parent", "region", "enterprise", "organization",
                                "event_types", "summary", "issued_on", "revision_years", "status", "submitted_by",
                                "review_opinion", "filing_number", "filed_on", "next_revision_due",
                                "revision_reminded_on", "previous")],
    form=forms.PlanForm, filterset=filters.PlanFilterSet, breadcrumbs=breadcrumbs,
    detail_template="plans/plan_detail.html", with_attachments=True,
)

PLAN_LEVEL = ModelSpec(
    PlanLevel, namespace=NS, prefix="levels",
    create=services.plan_level_create, update=services.plan_level_update, object_argument="plan_level",
    columns=[Column("id", gettext_lazy("响应分级"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
             Column("level"), Column("condition", orderable=False), Column("commander")],
    fields=[Column("plan"), Column("level"), Column("condition"), Column("commander")],
    form=forms.PlanLevelForm, filterset=filters.PlanLevelFilterSet, breadcrumbs=breadcrumbs,
)

PLAN_ORGANIZATION = ModelSpec(
    PlanOrganization, namespace=NS, prefix="organizations",
    create=services.plan_organization_create, update=services.plan_organization_update,
    object_argument="plan_organization",
    columns=[Column("id", gettext_lazy("单位"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
             Column("role"), Column("responsibilities", orderable=False)],
    fields=[Column("plan"), Column("organization"), Column("role"), Column("responsibilities")],
    form=forms.PlanOrganizationForm, filterset=filters.PlanOrganizationFilterSet, breadcrumbs=breadcrumbs,
)

PLAN_TASK = ModelSpec(
    PlanTask, namespace=NS, prefix="tasks",
    create=services.plan_task_create, update=services.plan_task_update, object_argument="plan_task",
    columns=[Column("id", gettext_lazy("任务"), link=True, accessor=str), Column("plan.name", gettext_lazy("预案")),
             Column("level"), Column("organization.name", gettext_lazy("责任单位")), Column("task", orderable=False)],
    fields=[Column("plan"), Column("level"), Column("organization"), Column("task")],
    form=forms.PlanTaskForm, filterset=filters.PlanTaskFilterSet, breadcrumbs=breadcrumbs,
)

# Written only by `plan_activate` (from a plan, an incident or a drill in exercise mode): read pages only.
PLAN_ACTIVATION = ModelSpec(
    PlanActivation, namespace=NS, prefix="activations",
    columns=[Column("id", gettext_lazy("启动记录"), link=True, accessor=str),
             Column("plan.name", gettext_lazy("预案")), Column("level"),
             Column("incident.code", gettext_lazy("事件编号")), Column("incident.title", gettext_lazy("事件名称")),
             Column("is_exercise"), Column("activated_by.real_name", gettext_lazy("启动人")),
             Column("activated_at")],
    fields=[Column("plan"), Column("level"), Column("incident"), Column("response"), Column("is_exercise"),
            Column("activated_by"), Column("activated_at")],
    filterset=filters.PlanActivationFilterSet, breadcrumbs=breadcrumbs,
    detail_template="plans/planactivation_detail.html",
)

DRILL = ModelSpec(
    Drill, namespace=NS, prefix="drills",
    create=services.drill_create, update=services.drill_update, object_argument="drill",
    flows=[Flow(DRILL_WORKFLOW, act=services.drill_act, closed=("closed", "cancelled"))],
    columns=[Column("code", link=True), Column("name", link=True), Column("kind"),
             Column("region.name", gettext_lazy("所属区划")), Column("enterprise.name", gettext_lazy("所属企业")),
             Column("plan.name", gettext_lazy("检验的预案")), Column("planned_on"), Column("held_on"),
             Column("status"), Column("rating"), Column("participant_count")],
    fields=[Column(n) for n in ("code", "name", "kind", "plan", "region", "enterprise", "organizer", "scenario",
                                "event_subtype", "place", "longitude", "latitude", "planned_on", "participants",
                                "participant_count", "status", "held_on", "summary", "rating", "evaluation",
                                "evaluated_by")],
    form=forms.DrillForm, filterset=filters.DrillFilterSet, breadcrumbs=breadcrumbs,
    detail_template="plans/drill_detail.html", with_attachments=True,
)

# Added from the drill's page once it has been held; never edited, only moved through its loop.
DRILL_IMPROVEMENT = ModelSpec(
    DrillImprovement, namespace=NS, prefix="improvements",
    create=services.improvement_create, object_argument="improvement",
    flows=[Flow(IMPROVEMENT_WORKFLOW, act=services.improvement_act, closed=("closed",))],
    columns=[Column("id", gettext_lazy("改进任务"), link=True, accessor=str),
             Column("drill.name", gettext_lazy("演练")), Column("problem", orderable=False),
             Column("measure", orderable=False), Column("responsible_unit"), Column("deadline"), Column("status")],
    fields=[Column(n) for n in ("drill", "problem", "measure", "responsible_unit", "deadline", "status", "result",
                                "submitted_by", "closed_at")],
    form=forms.DrillImprovementForm, filterset=filters.DrillImprovementFilterSet, breadcrumbs=breadcrumbs,
    detail_template="plans/drillimprovement_detail.html",
)

READINESS_ASSESSMENT = ModelSpec(
    ReadinessAssessment, namespace=NS, prefix="readiness",
    create=services.assessment_create, object_argument="assessment",
    flows=[Flow(READINESS_WORKFLOW, act=services.assessment_act, closed=("passed",))],
    columns=[Column("id", gettext_lazy("评估"), link=True, accessor=str),
             Column("region.parent.name", gettext_lazy("上级区划")), Column("region.name", gettext_lazy("乡镇/村")),
             Column("year"), Column("status"), Column("submitted_at"), Column("reviewed_at")],
    fields=[Column("region"), Column("year"), Column("status"), Column("self_assessed_by"),
            Column("submitted_at"), Column("reviewed_by"), Column("reviewed_at"), Column("review_opinion")],
    form=forms.ReadinessAssessmentForm, filterset=filters.ReadinessAssessmentFilterSet, breadcrumbs=breadcrumbs,
    detail_template="plans/readinessassessment_detail.html",
)

# The items come with their assessment; each is self-assessed (edit) and reviewed on the assessment's page.
READINESS_ITEM = ModelSpec(
    ReadinessItem, namespace=NS, prefix="readiness/items",
    update=services.readiness_item_update, object_argument="item",
    columns=[Column("id", gettext_lazy("评估项目"), link=True, accessor=str), Column("key"),
             Column("self_met"), Column("description", orderable=False), Column("review_met"),
             Column("review_note", orderable=False)],
    fields=[Column("assessment"), Column("key"),
            Column("requirement", gettext_lazy("标准要求"), accessor=lambda item: item.requirement),
            Column("self_met"), Column("description"), Column("hint"), Column("review_met"), Column("review_note")],
    form=forms.ReadinessItemForm, filterset=filters.ReadinessItemFilterSet, breadcrumbs=breadcrumbs,
    with_attachments=True,
)
