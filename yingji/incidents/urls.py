from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.incidents import specs, views, views_duty

app_name = "incidents"

urlpatterns = [
    path("map/", views.command_map, name="command_map"),
    path("geojson/", views.incident_points, name="incident_geojson"),
    path("map/layers/<slug:name>/", views.map_layer, name="map_layer"),
    path("feed/", views.feed, name="feed"),
    path("statistics/", views.statistics, name="incident_statistics"),
    path("subtypes/", views.subtypes, name="subtypes"),
    *model_urls(specs.INCIDENT),
    path("<int:pk>/report/", views.report_submit, name="incident_report_submit"),
    path("<int:pk>/response/", views.response_start, name="incident_response_start"),
    path("<int:pk>/dispatch/", views.task_dispatch, name="incident_dispatch"),
    path("<int:pk>/allocate/", views.material_allocate, name="incident_allocate"),
    *model_urls(specs.EMERGENCY_RESPONSE),
    *model_urls(specs.INCIDENT_REPORT),
    path("reports/<int:pk>/word/", views.report_word, name="incidentreport_word"),
    *model_urls(specs.DISPATCH_TASK),
    *model_urls(specs.DUTY_SHIFT),
    path("duty/generate/", views_duty.roster_generate, name="dutyshift_generate"),
    *model_urls(specs.DUTY_LOG),
    path("duty-logs/<int:pk>/handover/", views_duty.duty_handover, name="dutylog_handover"),
    *model_urls(specs.ROLL_CALL),
    path("rollcalls/new/", views_duty.rollcall_send, name="rollcall_send"),
    path("rollcalls/<int:pk>/answer/", views_duty.rollcall_answer, name="rollcall_answer"),
]
