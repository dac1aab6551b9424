from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "yingji.warnings"
    label = "warnings"
    verbose_name = "预警发布"

    def ready(self) -> None:
        # tasks registers the sweepers with yingji.core.tasks; checks the deploy check of the gateway token.
        from yingji.warnings import checks, tasks  # noqa: F401
