from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.risks import views
from yingji.risks.specs import RISK_POINT

app_name = "risks"

urlpatterns = [
    path("regions/", views.region_risks, name="region_risks"),
    path("regions/points/", views.region_risk_points, name="region_risk_points"),
    path("enterprises/<int:pk>/map/", views.enterprise_risk_map, name="enterprise_risk_map"),
    *model_urls(RISK_POINT),
]
