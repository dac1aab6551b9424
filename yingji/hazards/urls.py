from django.urls import path

from yingji.hazards import statistics, views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard_list"),
    path("new/", views.HazardEditView.as_view(), name="hazard_create"),
    path("import/", views.HazardImportView.as_view(), name="hazard_import"),
    path("statistics/", statistics.statistics_page, name="hazard_statistics"),
    path("major/", views.HazardMajorListView.as_view(), name="hazard_major"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/edit/", views.HazardEditView.as_view(), name="hazard_edit"),
    path("<int:pk>/transition/", views.hazard_transition, name="hazard_transition"),
    path("<int:pk>/supervise/", views.hazard_supervise, name="hazard_supervise"),
    path("<int:pk>/photo/", views.hazard_photo, name="hazard_photo"),
]
