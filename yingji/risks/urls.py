from django.urls import path

from yingji.risks import views

app_name = "risks"

urlpatterns = [
    path("", views.RiskPointListView.as_view(), name="riskpoint_list"),
    path("new/", views.RiskPointEditView.as_view(), name="riskpoint_create"),
    path("import/", views.RiskPointImportView.as_view(), name="riskpoint_import"),
    path("regions/", views.region_risks, name="region_risks"),
    path("regions/points/", views.region_risk_points, name="region_risk_points"),
    path("enterprises/<int:pk>/map/", views.enterprise_risk_map, name="enterprise_risk_map"),
    path("<int:pk>/", views.RiskPointDetailView.as_view(), name="riskpoint_detail"),
    path("<int:pk>/status/", views.risk_point_status, name="riskpoint_status"),
    path("<int:pk>/edit/", views.RiskPointEditView.as_view(), name="riskpoint_edit"),
]
