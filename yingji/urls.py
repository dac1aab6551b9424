"""Site URLs. Core pages sit at the root; every other app's pages at /<app label>/ from its
urls.py, and its REST resources from the ROUTES list in its api.py."""

import importlib

from django.apps import apps
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from yingji.core import api as core_api
from yingji.core.views import pages
from yingji.core.views.auth import LoginView


def _optional_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


router = DefaultRouter()
app_pages = []
for config in apps.get_app_configs():
    if not config.name.startswith("yingji."):
        continue
    api_module = _optional_module(f"{config.name}.api")
    for prefix, viewset, basename in getattr(api_module, "ROUTES", []):
        router.register(prefix, viewset, basename=basename)
    if config.label != "core" and _optional_module(f"{config.name}.urls"):
        app_pages.append(path(f"{config.label}/", include(f"{config.name}.urls")))

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
         name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
         name="password_change_done"),
    path("", include("yingji.core.urls")),
    *app_pages,
    path("api/auth/token/", core_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/me/", core_api.MeView.as_view(), name="api-me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]
