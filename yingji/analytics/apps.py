from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "yingji.analytics"
    label = "analytics"
    verbose_name = "分析研判"

    def ready(self) -> None:
        from yingji.analytics import rollups, tasks  # noqa: F401 - tasks registers the sweepers

        rollups.connect()
