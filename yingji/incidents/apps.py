from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = "值班与信息报送"

    def ready(self) -> None:
        # Registers the report-deadline sweeper with yingji.core.tasks.
        from yingji.incidents import tasks  # noqa: F401
