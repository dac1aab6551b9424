from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.inspections import views
from yingji.inspections.specs import (
    CASE,
    CHECKLIST,
    DRAW,
    EVALUATION,
    INSPECTION,
    INSPECTOR,
    INTERVIEW,
    PLAN,
    TEMPLATE,
)

app_name = "inspections"

urlpatterns = [
    *model_urls(INSPECTION),
    path("<int:pk>/items/", views.inspection_items, name="inspection_items"),
    path("<int:pk>/finding/", views.inspection_finding, name="inspection_finding"),
    path("<int:pk>/document/<str:kind>/", views.inspection_document, name="inspection_document"),
    *model_urls(TEMPLATE),
    *model_urls(EVALUATION),
    *model_urls(INTERVIEW),
    path("frequency/", views.frequency, name="frequency"),
    *model_urls(PLAN),
    *model_urls(INSPECTOR),
    *model_urls(DRAW),
    path("draws/new/", views.draw_inspection_create, name="draw_create"),
    path("draws/experts/new/", views.draw_expert_create, name="draw_expert_create"),
    path("draws/<int:pk>/redraw/", views.draw_redraw, name="draw_redraw"),
    *model_urls(CHECKLIST),
    *model_urls(CASE),
    path("cases/<int:pk>/document/", views.case_document, name="case_document"),
    path("statistics/", views.statistics, name="statistics"),
    path("public/", views.public, name="public"),
]
