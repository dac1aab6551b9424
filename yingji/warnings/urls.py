from django.urls import path

from yingji.warnings import feeds, views, views_delivery

app_name = "warnings"

urlpatterns = [
    path("", views.WarningListView.as_view(), name="warning_list"),
    path("new/", views.WarningEditView.as_view(), name="warning_create"),
    path("<int:pk>/", views.WarningDetailView.as_view(), name="warning_detail"),
    path("<int:pk>/edit/", views.WarningEditView.as_view(), name="warning_edit"),
    path("<int:pk>/transition/", views.warning_transition, name="warning_transition"),
    path("<int:pk>/follow/", views.warning_follow, name="warning_follow"),
    path("<int:pk>/<str:kind>.xml", views.warning_document, name="warning_document"),
    path("<int:pk>/board/", views_delivery.warning_board, name="warning_board"),
    path("mine/", views_delivery.my_warnings, name="my_warnings"),
    path("mine/<int:pk>/acknowledge/", views_delivery.my_acknowledge, name="my_acknowledge"),
    path("ack/<str:token>/", views_delivery.acknowledge_link, name="acknowledge_link"),
    path("gateway/", views_delivery.gateway_callback, name="gateway_callback"),
    path("upstream/", views.UpstreamListView.as_view(), name="upstreammessage_list"),
    path("upstream/upload/", views.upstream_upload, name="upstreammessage_upload"),
    path("upstream/<int:pk>/", views.UpstreamDetailView.as_view(), name="upstreammessage_detail"),
    path("upstream/<int:pk>/forward/", views.upstream_forward, name="upstreammessage_forward"),
    path("recipients/", views_delivery.RecipientListView.as_view(), name="recipient_list"),
    path("recipients/<int:pk>/", views_delivery.RecipientDetailView.as_view(), name="recipient_detail"),
    path("deliveries/", views_delivery.DeliveryListView.as_view(), name="delivery_list"),
    path("persons/", views.PersonListView.as_view(), name="responsibleperson_list"),
    path("persons/new/", views.PersonEditView.as_view(), name="responsibleperson_create"),
    path("persons/import/", views.PersonImportView.as_view(), name="responsibleperson_import"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="responsibleperson_detail"),
    path("persons/<int:pk>/edit/", views.PersonEditView.as_view(), name="responsibleperson_edit"),
    path("public/", views.public_warnings, name="public_list"),
    path("public/atom.xml", feeds.CurrentWarningsFeed(), name="public_atom"),
    path("public/cap.xml", feeds.CapFeed(), name="public_cap_feed"),
    path("public/cap/<str:identifier>.xml", views.public_document, name="public_document"),
]
