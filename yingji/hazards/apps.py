from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "yingji.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        # Registers the overdue sweeper with yingji.core.tasks, and keeps the monthly roll-up in step when an
        # enterprise moves to another region.
        from yingji.enterprises.services import enterprise_moving
        from yingji.hazards import tasks  # noqa: F401
        from yingji.hazards.services import stat_follow_enterprise

        enterprise_moving.connect(stat_follow_enterprise, dispatch_uid="hazards.stat_follow_enterprise")
