from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.enterprises import views
from yingji.enterprises.specs import ENTERPRISE

app_name = "enterprises"

urlpatterns = [
    path("map/", views.enterprise_map, name="enterprise_map"),
    path("geojson/", views.enterprise_points, name="enterprise_geojson"),
    *model_urls(ENTERPRISE),
]
