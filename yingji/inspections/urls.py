from django.urls import path

from yingji.inspections import views

app_name = "inspections"


def _crud(prefix: str, name: str, list_view, detail_view, edit_view=None) -> list:
    routes = [path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
              path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail")]
    if edit_view is not None:
        routes += [path(f"{prefix}new/", edit_view.as_view(), name=f"{name}_create"),
                   path(f"{prefix}<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit")]
    return routes


urlpatterns = [
    *_crud("", "inspection", views.InspectionListView, views.InspectionDetailView, views.InspectionEditView),
    path("<int:pk>/items/", views.inspection_items, name="inspection_items"),
    path("<int:pk>/finding/", views.inspection_finding, name="inspection_finding"),
    path("<int:pk>/document/<str:kind>/", views.inspection_document, name="inspection_document"),
    *_crud("templates/", "evaluationtemplate", views.EvaluationTemplateListView, views.EvaluationTemplateDetailView,
           views.EvaluationTemplateEditView),
    *_crud("evaluations/", "evaluation", views.EvaluationListView, views.EvaluationDetailView,
           views.EvaluationEditView),
    *_crud("interviews/", "warninginterview", views.WarningInterviewListView, views.WarningInterviewDetailView),
    path("interviews/<int:pk>/hold/", views.interview_hold, name="warninginterview_hold"),
    path("frequency/", views.frequency, name="frequency"),
    *_crud("plans/", "annualplan", views.AnnualPlanListView, views.AnnualPlanDetailView, views.AnnualPlanEditView),
    path("plans/<int:pk>/transition/", views.plan_transition, name="annualplan_transition"),
    *_crud("inspectors/", "inspector", views.InspectorListView, views.InspectorDetailView, views.InspectorEditView),
    *_crud("draws/", "draw", views.DrawListView, views.DrawDetailView),
    path("draws/new/", views.draw_inspection_create, name="draw_create"),
    path("draws/experts/new/", views.draw_expert_create, name="draw_expert_create"),
    path("draws/<int:pk>/redraw/", views.draw_redraw, name="draw_redraw"),
    *_crud("checklists/", "checklist", views.ChecklistListView, views.ChecklistDetailView, views.ChecklistEditView),
    *_crud("cases/", "case", views.CaseListView, views.CaseDetailView),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/document/", views.case_document, name="case_document"),
    path("statistics/", views.statistics, name="statistics"),
    path("public/", views.public, name="public"),
]
