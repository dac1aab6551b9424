from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = "值班与信息报送"
