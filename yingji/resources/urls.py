from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.resources import specs, views

app_name = "resources"

urlpatterns = [
    path("", views.resource_map, name="resource_map"),
    path("geojson/", views.resource_points, name="resource_geojson"),
    path("nearest/", views.nearest_view, name="nearest"),
    path("shelters/coverage/", views.shelter_coverage_view, name="shelter_coverage"),
    *model_urls(specs.RESCUE_TEAM),
    path("teams/<int:pk>/members/", views.team_member_add, name="rescueteam_member_add"),
    *model_urls(specs.WAREHOUSE),
    path("warehouses/<int:pk>/stock/", views.stock_operation, name="warehouse_stock"),
    path("warehouses/<int:pk>/minimum/", views.warehouse_minimum, name="warehouse_minimum"),
    *model_urls(specs.MATERIAL),
    *model_urls(specs.SHELTER),
    *model_urls(specs.EXPERT),
    *model_urls(specs.RESOURCE_POINT),
    *model_urls(specs.STOCK_BALANCE),
    *model_urls(specs.STOCK_MOVEMENT),
    *model_urls(specs.STOCK_REMINDER),
]
