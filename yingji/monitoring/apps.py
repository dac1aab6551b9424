from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"

    def ready(self) -> None:
        from yingji.monitoring import services, tasks  # noqa: F401 - tasks registers the sweepers
        from yingji.monitoring.alarms import ENGINE

        if ENGINE not in services.INGEST_HOOKS:
            services.INGEST_HOOKS.append(ENGINE)
        if services.online_late_mark not in services.INGEST_HOOKS:
            services.INGEST_HOOKS.append(services.online_late_mark)
