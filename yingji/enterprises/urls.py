from django.urls import path

from yingji.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("new/", views.EnterpriseEditView.as_view(), name="enterprise_create"),
    path("import/", views.EnterpriseImportView.as_view(), name="enterprise_import"),
    path("map/", views.enterprise_map, name="enterprise_map"),
    path("geojson/", views.enterprise_points, name="enterprise_geojson"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/status/", views.enterprise_status, name="enterprise_status"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
]
