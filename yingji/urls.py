"""Site URLs. Core pages sit at the root; every other app's pages at /<app label>/ from its
urls.py, and its REST resources from the ROUTES list in its api.py."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from yingji.core import api as core_api
from yingji.core.discovery import app_modules
from yingji.core.views import pages
from yingji.core.views.api_docs import ApiDocsView, ApiSchemaView
from yingji.core.views.auth import LoginView

router = DefaultRouter()
for _config, api_module in app_modules("api"):
    for prefix, viewset, basename in getattr(api_module, "ROUTES", []):
        router.register(prefix, viewset, basename=basename)
app_pages = [path(f"{config.label}/", include(f"{config.name}.urls")) for config, _module in app_modules("urls")
             if config.label != "core"]

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("yingji.core.signon.urls")),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
         name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
         name="password_change_done"),
    path("", include("yingji.core.urls")),
    *app_pages,
    path("api/auth/token/", core_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/me/", core_api.MeView.as_view(), name="api-me"),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]
