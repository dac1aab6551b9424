from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "yingji.training"
    label = "training"
    verbose_name = "培训考试"

    def ready(self) -> None:
        # Registers the time-limit sweeper with yingji.core.tasks.
        from yingji.training import tasks  # noqa: F401
