from django.apps import AppConfig


class DisastersConfig(AppConfig):
    name = "yingji.disasters"
    label = "disasters"
    verbose_name = "自然灾害"

    def ready(self) -> None:
        # Registers the overdue sweep of disaster reports.
        from yingji.disasters import tasks  # noqa: F401
