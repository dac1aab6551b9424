from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        # Registers the overdue sweeper with yingji.core.tasks.
        from yingji.hazards import tasks  # noqa: F401
