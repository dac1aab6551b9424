from django.urls import path

from yingji.resources import views

app_name = "resources"


def _register(prefix: str, name: str, group) -> list:
    list_view, detail_view, edit_view, import_view = group
    patterns = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", edit_view.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
    ]
    if import_view is not None:
        patterns.append(path(f"{prefix}/import/", import_view.as_view(), name=f"{name}_import"))
    return patterns


urlpatterns = [
    path("", views.resource_map, name="resource_map"),
    path("geojson/", views.resource_points, name="resource_geojson"),
    path("nearest/", views.nearest_view, name="nearest"),
    path("shelters/coverage/", views.shelter_coverage_view, name="shelter_coverage"),
    *_register("teams", "rescueteam", views.TEAM_VIEWS),
    path("teams/<int:pk>/status/", views.team_status, name="rescueteam_status"),
    path("teams/<int:pk>/members/", views.team_member_add, name="rescueteam_member_add"),
    *_register("warehouses", "warehouse", views.WAREHOUSE_VIEWS),
    path("warehouses/<int:pk>/stock/", views.stock_operation, name="warehouse_stock"),
    path("warehouses/<int:pk>/minimum/", views.warehouse_minimum, name="warehouse_minimum"),
    *_register("materials", "material", views.MATERIAL_VIEWS),
    *_register("shelters", "shelter", views.SHELTER_VIEWS),
    *_register("experts", "expert", views.EXPERT_VIEWS),
    *_register("points", "resourcepoint", views.POINT_VIEWS),
    path("stock/", views.StockBalanceListView.as_view(), name="stockbalance_list"),
    path("movements/", views.StockMovementListView.as_view(), name="stockmovement_list"),
    path("reminders/", views.StockReminderListView.as_view(), name="stockreminder_list"),
]
