from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.hazards import statistics, views
from yingji.hazards.specs import HAZARD

app_name = "hazards"

urlpatterns = [
    path("statistics/", statistics.statistics_page, name="hazard_statistics"),
    path("major/", views.HazardMajorListView.as_view(), name="hazard_major"),
    *model_urls(HAZARD),
    path("<int:pk>/photo/", views.hazard_photo, name="hazard_photo"),
]
