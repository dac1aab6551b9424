from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.warnings import feeds, views, views_delivery
from yingji.warnings.specs import DELIVERY, PERSON, RECIPIENT, UPSTREAM, WARNING

app_name = "warnings"

urlpatterns = [
    *model_urls(WARNING),
    path("<int:pk>/follow/", views.warning_follow, name="warning_follow"),
    path("<int:pk>/<str:kind>.xml", views.warning_document, name="warning_document"),
    path("<int:pk>/board/", views_delivery.warning_board, name="warning_board"),
    path("mine/", views_delivery.my_warnings, name="my_warnings"),
    path("mine/<int:pk>/acknowledge/", views_delivery.my_acknowledge, name="my_acknowledge"),
    path("ack/<str:token>/", views_delivery.acknowledge_link, name="acknowledge_link"),
    path("gateway/", views_delivery.gateway_callback, name="gateway_callback"),
    *model_urls(UPSTREAM),
    path("upstream/upload/", views.upstream_upload, name="upstreammessage_upload"),
    path("upstream/<int:pk>/forward/", views.upstream_forward, name="upstreammessage_forward"),
    *model_urls(RECIPIENT),
    *model_urls(DELIVERY),
    *model_urls(PERSON),
    path("public/", views.public_warnings, name="public_list"),
    path("public/atom.xml", feeds.CurrentWarningsFeed(), name="public_atom"),
    path("public/cap.xml", feeds.CapFeed(), name="public_cap_feed"),
    path("public/cap/<str:identifier>.xml", views.public_document, name="public_document"),
]
