from django.urls import path

from yingji.core.signon import oidc

app_name = "signon"

urlpatterns = [
    path("start/", oidc.StartView.as_view(), name="start"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_callback"),
]
