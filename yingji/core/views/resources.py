"""The user pages that do more than their spec declares (roles, password, the roles column); the other pages of
regions, organizations and users are generated from `yingji.core.resource_specs`."""

from django.utils.translation import gettext_lazy as _

from yingji.core.filters import UserFilterSet
from yingji.core.forms import UserForm
from yingji.core.resource_specs import USER
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectEditView, ObjectListView


@USER.register("edit")
class UserEditView(ObjectEditView):
    spec = USER
    form_class = UserForm

    def service_arguments(self, form) -> dict:
        arguments = super().service_arguments(form)
        arguments["roles"] = [group.name for group in form.cleaned_data["roles"]]
        if "password" in form.cleaned_data:
            arguments["password"] = form.cleaned_data["password"]
        return arguments


@USER.register("list")
class UserListView(ObjectListView):
    """People, with 停用/启用 on each row: accounts are deactivated, never deleted."""

    spec = USER
    filterset_class = UserFilterSet
    import_url_name = "core:user_import"
    table_template = "core/includes/user_table.html"
    columns = [
        Column("username", _("用户名"), link=True),
        Column("real_name"),
        Column("organization.name", _("所在单位")),
        Column("scope", _("管辖范围"), accessor=lambda u: u.scope_label),
        Column("roles", _("角色"), accessor=lambda u: "、".join(u.role_names)),
        Column("is_active", _("状态"), accessor=lambda u: _("正常") if u.is_active else _("已停用")),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("scope_region", "scope_enterprise").prefetch_related("groups")
