from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = "应急资源"

    def ready(self) -> None:
        # Registers the stock-reminder sweeper with yingji.core.tasks.
        from yingji.resources import tasks  # noqa: F401
