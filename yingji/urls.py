from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from yingji.core import api as core_api
from yingji.core.views import pages
from yingji.core.views.auth import LoginView
from yingji.enterprises import api as enterprises_api

router = DefaultRouter()
router.register("regions", core_api.RegionViewSet, basename="region")
router.register("organizations", core_api.OrganizationViewSet, basename="organization")
router.register("users", core_api.UserViewSet, basename="user")
router.register("enterprises", enterprises_api.EnterpriseViewSet, basename="enterprise")

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
         name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
         name="password_change_done"),
    path("", include("yingji.core.urls")),
    path("enterprises/", include("yingji.enterprises.urls")),
    path("api/auth/token/", core_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/me/", core_api.MeView.as_view(), name="api-me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]
