from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = "基础平台"

    def ready(self) -> None:
        # Imported once the models are loaded; contributions registers the system check of the contributions.
        from yingji.core import contributions  # noqa: F401
        from yingji.core.roles import sync_roles
        from yingji.core.signon import profile  # noqa: F401  (registers the check of SSO_GROUP_ROLES)
        from yingji.core.throttling import create_cache_tables

        post_migrate.connect(sync_roles, dispatch_uid="yingji.core.sync_roles")
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="yingji.core.create_cache_tables")
