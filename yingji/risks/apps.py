from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "yingji.risks"
    label = "risks"
    verbose_name = "风险分级管控"

    def ready(self) -> None:
        # Registers the overdue-review sweeper with yingji.core.tasks.
        from yingji.risks import tasks  # noqa: F401
