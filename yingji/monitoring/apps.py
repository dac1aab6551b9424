from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"

    def ready(self) -> None:
        from yingji.monitoring import tasks  # noqa: F401 - tasks registers the sweepers
        from yingji.monitoring.alarms import ENGINE
        from yingji.monitoring.services.online import online_late_mark
        from yingji.monitoring.services.readings import INGEST_HOOKS

        if ENGINE not in INGEST_HOOKS:
            INGEST_HOOKS.append(ENGINE)
        if online_late_mark not in INGEST_HOOKS:
            INGEST_HOOKS.append(online_late_mark)
