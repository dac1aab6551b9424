from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.disasters import views
from yingji.disasters.specs import (
    CONSULTATION,
    DUTY,
    EVENT,
    FIRE_DANGER,
    INFORMANT,
    JUDGEMENT,
    OBSERVATION,
    REPORT,
    STATION,
    TASK,
)

app_name = "disasters"

urlpatterns = [
    path("fire/", views.fire_map, name="fire_map"),
    path("fire/data/", views.fire_map_data, name="fire_map_data"),
    path("fire/warning/", views.fire_warning, name="fire_warning"),
    *model_urls(FIRE_DANGER),
    *model_urls(STATION),
    *model_urls(OBSERVATION),
    *model_urls(INFORMANT),
    *model_urls(EVENT),
    path("events/<int:pk>/rollup/", views.event_rollup, name="event_rollup"),
    *model_urls(REPORT),
    *model_urls(DUTY),
    *model_urls(CONSULTATION),
    path("consultations/<int:pk>/report.docx", views.consultation_report, name="consultation_report"),
    *model_urls(JUDGEMENT),
    *model_urls(TASK),
]
