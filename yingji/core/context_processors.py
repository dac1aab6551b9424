from django.conf import settings
from django.utils.functional import SimpleLazyObject

from yingji.core.bureau import bureau_identity
from yingji.core.discovery import app_modules
from yingji.core.models import Notification
from yingji.core.navigation import menu_for


def shell(request) -> dict:
    """What the site layout needs on every page: the menu the user may use."""
    user = getattr(request, "user", None)
    # Read only by the pages that show it (the login page, the setup pages).
    bureau = SimpleLazyObject(bureau_identity)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "map_tile_url": settings.MAP_TILE_URL, "bureau": bureau}
    extra: dict = {"banner_templates": []}
    # Apps add to every page through `<app>/shell.py`: a context(request) and BANNER_TEMPLATES.
    for _config, module in app_modules("shell"):
        extra.update(module.context(request))
        extra["banner_templates"] += module.BANNER_TEMPLATES
    return {
        **extra,
        "bureau": bureau,
        "nav_menu": menu_for(user, request.path),
        "unread_notifications": Notification.objects.for_user(user).unread().count(),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "attachment_limit_mb": settings.ATTACHMENT_MAX_BYTES // 2**20,
    }
