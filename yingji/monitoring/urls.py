from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.monitoring import views
from yingji.monitoring.specs import ALARM, GATEWAY, ONLINE_RATE, PATROL, POINT, SOURCE

app_name = "monitoring"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/alarms/", views.board_alarms, name="board_alarms"),
    path("board/stream/", views.board_stream, name="board_stream"),
    path("board/sources/", views.board_sources, name="board_sources"),
    path("board/enterprises.geojson", views.board_geojson, name="board_geojson"),
    path("points/<int:pk>/trend/", views.point_trend, name="point_trend"),
    path("online/", views.online_rate, name="online_rate"),
    *model_urls(ONLINE_RATE),
    *model_urls(PATROL),
    path("patrols/new/", views.patrol_create, name="patrol_create"),
    path("patrols/<int:pk>/entries/<int:entry_pk>/", views.patrol_entry_action, name="patrol_entry_action"),
    *model_urls(SOURCE),
    path("sources/<int:pk>/chemicals/", views.hazard_chemical_set, name="hazard_chemical_set"),
    path("sources/<int:pk>/chemicals/<int:row_pk>/remove/", views.hazard_chemical_remove,
         name="hazard_chemical_remove"),
    *model_urls(POINT),
    path("alarms/acknowledge/", views.alarm_acknowledge_many, name="alarm_acknowledge_many"),
    path("alarms/<int:pk>/trend/", views.alarm_trend, name="alarm_trend"),
    *model_urls(ALARM),
    *model_urls(GATEWAY),
    path("gateways/<int:pk>/token/", views.gateway_rotate, name="gateway_rotate"),
]
