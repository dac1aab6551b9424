from django.urls import path

from yingji.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/alarms/", views.board_alarms, name="board_alarms"),
    path("board/stream/", views.board_stream, name="board_stream"),
    path("board/sources/", views.board_sources, name="board_sources"),
    path("board/enterprises.geojson", views.board_geojson, name="board_geojson"),
    path("points/<int:pk>/trend/", views.point_trend, name="point_trend"),
    path("online/", views.online_rate, name="online_rate"),
    path("online/rates/", views.OnlineRateListView.as_view(), name="onlinerate_list"),
    path("patrols/", views.PatrolListView.as_view(), name="patrol_list"),
    path("patrols/new/", views.patrol_create, name="patrol_create"),
    path("patrols/<int:pk>/", views.PatrolDetailView.as_view(), name="patrol_detail"),
    path("patrols/<int:pk>/entries/<int:entry_pk>/", views.patrol_entry_action, name="patrol_entry_action"),
    path("sources/", views.MajorHazardSourceListView.as_view(), name="majorhazardsource_list"),
    path("sources/new/", views.MajorHazardSourceEditView.as_view(), name="majorhazardsource_create"),
    path("sources/<int:pk>/", views.MajorHazardSourceDetailView.as_view(), name="majorhazardsource_detail"),
    path("sources/<int:pk>/edit/", views.MajorHazardSourceEditView.as_view(), name="majorhazardsource_edit"),
    path("sources/<int:pk>/chemicals/", views.hazard_chemical_set, name="hazard_chemical_set"),
    path("sources/<int:pk>/chemicals/<int:row_pk>/remove/", views.hazard_chemical_remove,
         name="hazard_chemical_remove"),
    path("points/", views.MonitoringPointListView.as_view(), name="monitoringpoint_list"),
    path("points/new/", views.MonitoringPointEditView.as_view(), name="monitoringpoint_create"),
    path("points/import/", views.MonitoringPointImportView.as_view(), name="monitoringpoint_import"),
    path("points/<int:pk>/", views.MonitoringPointDetailView.as_view(), name="monitoringpoint_detail"),
    path("points/<int:pk>/edit/", views.MonitoringPointEditView.as_view(), name="monitoringpoint_edit"),
    path("alarms/", views.AlarmListView.as_view(), name="alarm_list"),
    path("alarms/<int:pk>/", views.AlarmDetailView.as_view(), name="alarm_detail"),
    path("alarms/<int:pk>/act/", views.alarm_action, name="alarm_action"),
    path("gateways/", views.GatewayListView.as_view(), name="gateway_list"),
    path("gateways/new/", views.GatewayEditView.as_view(), name="gateway_create"),
    path("gateways/<int:pk>/", views.GatewayDetailView.as_view(), name="gateway_detail"),
    path("gateways/<int:pk>/edit/", views.GatewayEditView.as_view(), name="gateway_edit"),
    path("gateways/<int:pk>/token/", views.gateway_rotate, name="gateway_rotate"),
]
