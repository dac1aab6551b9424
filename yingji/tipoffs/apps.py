from django.apps import AppConfig


class TipoffsConfig(AppConfig):
    name = "yingji.tipoffs"
    label = "tipoffs"
    verbose_name = "有奖举报"

    def ready(self) -> None:
        # Registers the counter purge with yingji.core.tasks.
        from yingji.tipoffs import tasks  # noqa: F401
