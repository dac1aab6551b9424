from django.urls import path

from yingji.core.resource_specs import ORGANIZATION, REGION, USER
from yingji.core.views import (  # noqa: F401 - resources registers the user pages
    attachments,
    jobs,
    notifications,
    onboarding,
    pages,
    places,
    resources,
    todos,
)
from yingji.core.views.generic import model_urls, view_for

app_name = "core"

urlpatterns = [
    path("setup/", onboarding.setup_checklist, name="setup_checklist"),
    path("setup/bureau/", onboarding.bureau_edit, name="bureau_edit"),
    path("setup/link/<str:token>/", onboarding.setup, name="setup"),
    path("bureau/emblem/", onboarding.bureau_emblem, name="bureau_emblem"),
    path("password/set/", onboarding.own_password, name="own_password"),
    path("regions/import/", onboarding.region_import, name="region_import"),
    path("regions/import/<int:pk>/confirm/", onboarding.region_import_confirm, name="region_import_confirm"),
    path("regions/boundaries/import/", onboarding.boundary_import, name="boundary_import"),
    path("regions/boundaries/import/<int:pk>/confirm/", onboarding.boundary_import_confirm,
         name="boundary_import_confirm"),
    path("organizations/kinds/", onboarding.organization_kinds, name="organization_kinds"),
    path("organizations/kinds/<str:kind>/", onboarding.organization_kind_edit, name="organization_kind_edit"),
    path("users/<int:pk>/active/", onboarding.user_active, name="user_active"),
    path("regions/", pages.region_tree, name="region_tree"),
    path("regions/tree/<str:code>/", pages.region_tree, name="region_tree_node"),
    path("regions/list/", view_for(REGION, "list").as_view(), name="region_list"),
    path("regions/geojson/", pages.region_geojson, name="region_geojson"),
    path("places/search/", places.places_search, name="place_search"),
    # A region's key is its code, not a number: its detail path is its own.
    path("regions/<str:pk>/", view_for(REGION, "detail").as_view(), name="region_detail"),
    *model_urls(ORGANIZATION),
    path("attachments/<str:app_label>/<str:model_name>/<str:pk>/upload/", attachments.attachment_upload,
         name="attachment_upload"),
    path("attachments/<uuid:key>/", attachments.attachment_download, name="attachment_download"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", jobs.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notification_read, name="notification_read"),
    path("todos/count/", todos.todo_badge, name="todo_badge"),
    path("todos/stream/", todos.todo_stream, name="todo_stream"),
    *model_urls(USER),
]
