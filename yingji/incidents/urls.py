from django.urls import path

from yingji.incidents import views, views_duty

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("new/", views.IncidentEditView.as_view(), name="incident_create"),
    path("map/", views.command_map, name="command_map"),
    path("geojson/", views.incident_points, name="incident_geojson"),
    path("map/layers/<slug:name>/", views.map_layer, name="map_layer"),
    path("feed/", views.feed, name="feed"),
    path("statistics/", views.statistics, name="incident_statistics"),
    path("subtypes/", views.subtypes, name="subtypes"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentEditView.as_view(), name="incident_edit"),
    path("<int:pk>/report/", views.report_submit, name="incident_report_submit"),
    path("<int:pk>/response/", views.response_start, name="incident_response_start"),
    path("responses/<int:pk>/advance/", views.response_advance, name="emergencyresponse_advance"),
    path("<int:pk>/dispatch/", views.task_dispatch, name="incident_dispatch"),
    path("<int:pk>/allocate/", views.material_allocate, name="incident_allocate"),
    path("reports/", views.IncidentReportListView.as_view(), name="incidentreport_list"),
    path("reports/<int:pk>/", views.IncidentReportDetailView.as_view(), name="incidentreport_detail"),
    path("reports/<int:pk>/sign/", views.report_sign, name="incidentreport_sign"),
    path("reports/<int:pk>/word/", views.report_word, name="incidentreport_word"),
    path("tasks/", views.DispatchTaskListView.as_view(), name="dispatchtask_list"),
    path("tasks/<int:pk>/", views.DispatchTaskDetailView.as_view(), name="dispatchtask_detail"),
    path("tasks/<int:pk>/advance/", views.task_advance, name="dispatchtask_advance"),
    path("duty/", views_duty.DutyShiftListView.as_view(), name="dutyshift_list"),
    path("duty/new/", views_duty.DutyShiftEditView.as_view(), name="dutyshift_create"),
    path("duty/generate/", views_duty.roster_generate, name="dutyshift_generate"),
    path("duty/<int:pk>/", views_duty.DutyShiftDetailView.as_view(), name="dutyshift_detail"),
    path("duty/<int:pk>/edit/", views_duty.DutyShiftEditView.as_view(), name="dutyshift_edit"),
    path("duty-logs/", views_duty.DutyLogListView.as_view(), name="dutylog_list"),
    path("duty-logs/new/", views_duty.DutyLogEditView.as_view(), name="dutylog_create"),
    path("duty-logs/<int:pk>/", views_duty.DutyLogDetailView.as_view(), name="dutylog_detail"),
    path("duty-logs/<int:pk>/edit/", views_duty.DutyLogEditView.as_view(), name="dutylog_edit"),
    path("duty-logs/<int:pk>/handover/", views_duty.duty_handover, name="dutylog_handover"),
    path("rollcalls/", views_duty.RollCallListView.as_view(), name="rollcall_list"),
    path("rollcalls/new/", views_duty.rollcall_send, name="rollcall_send"),
    path("rollcalls/<int:pk>/", views_duty.RollCallDetailView.as_view(), name="rollcall_detail"),
    path("rollcalls/<int:pk>/answer/", views_duty.rollcall_answer, name="rollcall_answer"),
]
