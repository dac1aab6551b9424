from django.urls import path

from yingji.core.views import attachments, notifications, pages, resources

app_name = "core"

urlpatterns = [
    path("regions/", pages.region_tree, name="region_tree"),
    path("regions/tree/<str:code>/", pages.region_tree, name="region_tree_node"),
    path("regions/list/", resources.RegionListView.as_view(), name="region_list"),
    path("regions/geojson/", pages.region_geojson, name="region_geojson"),
    path("regions/<str:pk>/", resources.RegionDetailView.as_view(), name="region_detail"),
    path("organizations/", resources.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/new/", resources.OrganizationEditView.as_view(), name="organization_create"),
    path("organizations/<int:pk>/", resources.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<int:pk>/edit/", resources.OrganizationEditView.as_view(), name="organization_edit"),
    path("attachments/<str:app_label>/<str:model_name>/<str:pk>/upload/", attachments.attachment_upload,
         name="attachment_upload"),
    path("attachments/<uuid:key>/", attachments.attachment_download, name="attachment_download"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read, name="notification_read"),
    path("users/", resources.UserListView.as_view(), name="user_list"),
    path("users/new/", resources.UserEditView.as_view(), name="user_create"),
    path("users/<int:pk>/", resources.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", resources.UserEditView.as_view(), name="user_edit"),
]
