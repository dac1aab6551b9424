"""Regions, organizations and users through the generic views."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from yingji.core import services
from yingji.core.filters import OrganizationFilterSet, RegionFilterSet, UserFilterSet
from yingji.core.forms import ScopedModelForm
from yingji.core.models import Organization, Region, User
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView


class CoreViewMixin:
    url_namespace = "core"


class RegionListView(CoreViewMixin, ObjectListView):
    model = Region
    filterset_class = RegionFilterSet
    columns = [
        Column("code", link=True),
        Column("name", link=True),
        Column("level"),
        Column("parent.name", _("上级区划")),
        Column("population"),
        Column("area_km2"),
    ]


class RegionDetailView(CoreViewMixin, ObjectDetailView):
    model = Region
    template_name = "core/region_detail.html"
    fields = [
        Column("code"), Column("name"), Column("level"), Column("parent.name", _("上级区划")),
        Column("population"), Column("area_km2"), Column("longitude"), Column("latitude"),
    ]


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "region", "parent", "phone"]


class OrganizationListView(CoreViewMixin, ObjectListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    columns = [Column("name", link=True), Column("kind"), Column("region.name", _("所属区划")), Column("phone")]


class OrganizationDetailView(CoreViewMixin, ObjectDetailView):
    model = Organization
    fields = [Column("name"), Column("kind"), Column("region.name", _("所属区划")),
              Column("parent.name", _("上级单位")), Column("phone")]


class OrganizationEditView(CoreViewMixin, ObjectEditView):
    model = Organization
    form_class = OrganizationForm
    create_service = staticmethod(services.organization_create)
    update_service = staticmethod(services.organization_update)
    update_object_argument = "organization"


class UserForm(ScopedModelForm):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"), queryset=Group.objects.order_by("name"), to_field_name="name", required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), required=False,
        help_text=_("至少8位，包含大写字母、小写字母、数字、符号中的三类"),
    )

    class Meta:
        model = User
        fields = ["username", "real_name", "mobile", "organization", "scope_region", "scope_enterprise", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["roles"].initial = [g.name for g in self.instance.groups.all()]
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]
        self.fields["real_name"].required = True
        self.fields["scope_region"].queryset = self.fields["scope_region"].queryset.exclude(level="village")

    def clean(self):
        data = super().clean()
        if data.get("scope_region") and data.get("scope_enterprise"):
            raise forms.ValidationError(_("管辖区划与所属企业只能填写一项"))
        if not data.get("scope_region") and not data.get("scope_enterprise"):
            raise forms.ValidationError(_("请为用户指定管辖区划或所属企业"))
        return data


class UserEditView(CoreViewMixin, ObjectEditView):
    model = User
    form_class = UserForm
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)
    update_object_argument = "user"

    def service_arguments(self, form) -> dict:
        arguments = super().service_arguments(form)
        arguments["roles"] = [group.name for group in form.cleaned_data["roles"]]
        if "password" in form.cleaned_data:
            arguments["password"] = form.cleaned_data["password"]
        return arguments


class UserListView(CoreViewMixin, ObjectListView):
    model = User
    filterset_class = UserFilterSet
    columns = [
        Column("username", _("用户名"), link=True),
        Column("real_name"),
        Column("organization.name", _("所在单位")),
        Column("scope", _("管辖范围"), accessor=lambda u: u.scope_label),
        Column("roles", _("角色"), accessor=lambda u: "、".join(u.role_names)),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("scope_region", "scope_enterprise").prefetch_related("groups")


class UserDetailView(CoreViewMixin, ObjectDetailView):
    model = User
    fields = [
        Column("username", _("用户名")), Column("real_name"), Column("mobile"),
        Column("organization.name", _("所在单位")),
        Column("scope", _("管辖范围"), accessor=lambda u: u.scope_label),
        Column("roles", _("角色"), accessor=lambda u: "、".join(u.role_names)),
        Column("last_login", _("最近登录")),
    ]


