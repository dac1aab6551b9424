from django.urls import path

from yingji.tipoffs import views

app_name = "tipoffs"

urlpatterns = [
    path("", views.TipOffListView.as_view(), name="tipoff_list"),
    path("<int:pk>/", views.TipOffDetailView.as_view(), name="tipoff_detail"),
    path("<int:pk>/act/", views.tipoff_action, name="tipoff_act"),
    path("photos/<int:pk>/", views.photo_download, name="photo_download"),
    path("report/", views.public_report, name="public_report"),
    path("report/done/", views.public_report_done, name="public_report_done"),
    path("track/", views.public_track, name="public_track"),
    path("regions.geojson", views.public_boundaries, name="public_boundaries"),
]
