from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.plans import specs, views

app_name = "plans"

urlpatterns = [
    path("system/", views.plan_system, name="plan_system"),
    path("activate/", views.plan_activate, name="plan_activate_for_incident"),
    *model_urls(specs.PLAN),
    path("<int:pk>/revise/", views.plan_revise, name="plan_revise"),
    path("<int:pk>/activate/", views.plan_activate, name="plan_activate"),
    *model_urls(specs.PLAN_LEVEL),
    *model_urls(specs.PLAN_ORGANIZATION),
    *model_urls(specs.PLAN_TASK),
    *model_urls(specs.PLAN_ACTIVATION),
    path("drills/coverage/", views.team_coverage, name="drill_coverage"),
    *model_urls(specs.DRILL),
    *model_urls(specs.DRILL_IMPROVEMENT),
    path("readiness/rollup/", views.readiness_rollup, name="readiness_rollup"),
    *model_urls(specs.READINESS_ASSESSMENT),
    path("readiness/<int:pk>/items/", views.assessment_items, name="readinessassessment_items"),
    path("readiness/<int:pk>/refresh/", views.assessment_refresh, name="readinessassessment_refresh"),
    *model_urls(specs.READINESS_ITEM),
]
