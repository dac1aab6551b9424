"""How the enforcement app's models are wired to pages, API and URLs (see `yingji.core.specs`).

Pages that are nothing but these declarations are generated; `views.py` registers the app's own classes for the
roles that do more (an evaluation's score sheet, a plan's quarters and draws, an inspection's findings).
"""

from django.utils.translation import gettext_lazy as _

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.inspections import services
from yingji.inspections.filters import (
    CaseFilterSet,
    ChecklistFilterSet,
    DrawFilterSet,
    EvaluationFilterSet,
    EvaluationTemplateFilterSet,
    InspectionFilterSet,
    InspectorFilterSet,
    InterviewFilterSet,
    PlanFilterSet,
)
from yingji.inspections.forms import ChecklistForm, EvaluationTemplateForm, InspectorForm
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    Checklist,
    Draw,
    Evaluation,
    EvaluationTemplate,
    Inspection,
    Inspector,
    WarningInterview,
)
from yingji.inspections.states import CASE_WORKFLOW, INTERVIEW_WORKFLOW, PLAN_WORKFLOW

NS = "inspections"


def _orders(case: Case) -> str:
    return case.orders_display()


TEMPLATE = ModelSpec(
    EvaluationTemplate, namespace=NS, prefix="templates",
    create=services.evaluation_template_create, update=services.evaluation_template_revise,
    object_argument="template",
    columns=[Column("name", link=True), Column("version"), Column("region.name", _("编制单位区划")),
             Column("good_from"), Column("fair_from"), Column("is_active"), Column("created_at")],
    fields=[Column("name"), Column("version"), Column("region.name", _("编制单位区划")), Column("good_from"),
            Column("fair_from"), Column("is_active"), Column("max_total", _("满分"), accessor=lambda t: t.max_total),
            Column("created_at")],
    form=EvaluationTemplateForm, filterset=EvaluationTemplateFilterSet,
    detail_template="inspections/template_detail.html",
)

EVALUATION = ModelSpec(
    Evaluation, namespace=NS, prefix="evaluations",
    create=services.evaluation_create, update=services.evaluation_update, object_argument="evaluation",
    columns=[Column("enterprise.name", _("评价"), link=True, accessor=str), Column("region.name", _("村（社区）")),
             Column("enterprise.supervision_class", _("监管分级")), Column("year"), Column("total_score"),
             Column("result"), Column("evaluated_on"), Column("evaluator")],
    filterset=EvaluationFilterSet,
)

INTERVIEW = ModelSpec(
    WarningInterview, namespace=NS, prefix="interviews", object_argument="interview",
    flows=[Flow(INTERVIEW_WORKFLOW, act=services.interview_act, closed=("held",))],
    columns=[Column("enterprise.name", _("约谈"), link=True, accessor=str), Column("evaluation.year", _("评价年度")),
             Column("evaluation.total_score", _("评价得分")), Column("status"), Column("held_on"),
             Column("interviewers")],
    fields=[Column("enterprise.name", _("企业")), Column("evaluation"), Column("status"), Column("held_on"),
            Column("interviewers"), Column("attendees"), Column("record"), Column("commitments")],
    filterset=InterviewFilterSet, detail_template="inspections/interview_detail.html",
)

PLAN = ModelSpec(
    AnnualPlan, namespace=NS, prefix="plans",
    create=services.plan_create, update=services.plan_update, object_argument="plan",
    flows=[Flow(PLAN_WORKFLOW, act=services.plan_act, closed=("filed",))],
    columns=[Column("title", link=True), Column("region.name", _("编制单位区划")), Column("year"),
             Column("total_key", _("重点检查"), accessor=lambda p: p.total_key),
             Column("total_random", _("双随机抽查"), accessor=lambda p: p.total_random), Column("status"),
             Column("filed_at")],
    filterset=PlanFilterSet,
)

INSPECTOR = ModelSpec(
    Inspector, namespace=NS, prefix="inspectors",
    create=services.inspector_create, update=services.inspector_update, object_argument="inspector",
    columns=[Column("name", link=True), Column("certificate_no"), Column("region.name", _("所属区划")),
             Column("organization"), Column("is_active")],
    fields=[Column("name"), Column("certificate_no"), Column("region.name", _("所属区划")), Column("organization"),
            Column("user"), Column("is_active"),
            Column("conflict_enterprises", accessor=lambda i: "、".join(e.name for e in i.conflict_enterprises.all()))],
    form=InspectorForm, filterset=InspectorFilterSet,
)

# Draws are made by `draw_inspection` / `draw_experts` (their own pages), never edited.
DRAW = ModelSpec(Draw, namespace=NS, prefix="draws", filterset=DrawFilterSet)

CHECKLIST = ModelSpec(
    Checklist, namespace=NS, prefix="checklists",
    create=services.checklist_create, update=services.checklist_update, object_argument="checklist",
    columns=[Column("name", link=True), Column("category"), Column("region.name", _("编制单位区划")),
             Column("items", _("检查项数"), accessor=lambda c: len(c.items or [])), Column("is_active")],
    fields=[Column("name"), Column("category"), Column("region.name", _("编制单位区划")), Column("is_active")],
    form=ChecklistForm, filterset=ChecklistFilterSet, detail_template="inspections/checklist_detail.html",
)

INSPECTION = ModelSpec(
    Inspection, namespace=NS,
    create=services.inspection_create, update=services.inspection_update, object_argument="inspection",
    filterset=InspectionFilterSet,
)

# Cases are opened from an inspection's findings (`case_open`) and then only moved.
CASE = ModelSpec(
    Case, namespace=NS, prefix="cases", object_argument="case",
    flows=[Flow(CASE_WORKFLOW, act=services.case_act, closed=("closed",))],
    columns=[Column("code", link=True), Column("enterprise.name", _("当事单位")), Column("title"), Column("filed_on"),
             Column("status"), Column("orders", _("责令措施"), accessor=_orders), Column("fine_yuan"),
             Column("decided_on")],
    fields=[Column("code"), Column("enterprise.name", _("当事单位")), Column("inspection"), Column("title"),
            Column("facts"), Column("legal_basis"), Column("penalty_basis"), Column("filed_on"), Column("status"),
            Column("orders", _("责令措施"), accessor=_orders), Column("rectify_deadline"), Column("fine_yuan"),
            Column("decision_no"), Column("decided_on"), Column("closed_on")],
    filterset=CaseFilterSet, detail_template="inspections/case_detail.html", with_attachments=True,
)
