from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "yingji.warnings"
    label = "warnings"
    verbose_name = "预警发布"

    def ready(self) -> None:
        # Registers the sweepers with yingji.core.tasks.
        from yingji.warnings import tasks  # noqa: F401
