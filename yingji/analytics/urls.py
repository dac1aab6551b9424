from django.urls import path

from yingji.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("cockpit/data/", views.cockpit_data_view, name="cockpit_data"),
    path("reports/", views.MonthlyReportListView.as_view(), name="monthlyreport_list"),
    path("reports/new/", views.report_request, name="monthlyreport_create"),
    path("reports/<int:pk>/", views.MonthlyReportDetailView.as_view(), name="monthlyreport_detail"),
    path("reports/<int:pk>/progress/", views.report_progress, name="monthlyreport_progress"),
    path("reports/<int:pk>/download/", views.report_download, name="monthlyreport_download"),
    path("reports/<int:pk>/retry/", views.report_retry, name="monthlyreport_retry"),
]
