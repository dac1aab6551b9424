from django.urls import path

from yingji.analytics import views
from yingji.analytics.specs import MONTHLY_REPORT
from yingji.core.views.generic import model_urls

app_name = "analytics"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("cockpit/data/", views.cockpit_data_view, name="cockpit_data"),
    path("reports/new/", views.report_request, name="monthlyreport_create"),
    *model_urls(MONTHLY_REPORT),
    path("reports/<int:pk>/progress/", views.report_progress, name="monthlyreport_progress"),
    path("reports/<int:pk>/download/", views.report_download, name="monthlyreport_download"),
]
