from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.tipoffs import views
from yingji.tipoffs.specs import TIPOFF

app_name = "tipoffs"

urlpatterns = [
    *model_urls(TIPOFF),
    path("photos/<int:pk>/", views.photo_download, name="photo_download"),
    path("report/", views.public_report, name="public_report"),
    path("report/done/", views.public_report_done, name="public_report_done"),
    path("track/", views.public_track, name="public_track"),
    path("regions.geojson", views.public_boundaries, name="public_boundaries"),
]
