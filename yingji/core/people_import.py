"""Excel import of organisations and people, on the project's `Importer`: each bad row reported with its reason,
good rows kept, every row written by the same services the pages use and inside the importer's jurisdiction.

Organisations are keyed by (区划代码, 名称); a parent is named, within the same region or one above it. People are
keyed by username; their roles default to the role template of their organisation's kind (`RoleTemplate`), a
scope outside the bureau's root region is refused, and a person given an initial password must choose their own
at first login. Without one, the person signs in through unified sign-on (or an administrator sets a password).
"""

from __future__ import annotations

from collections.abc import Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import excel
from yingji.core.bureau import bureau_root
from yingji.core.forms import OrganizationForm
from yingji.core.importing import ImportColumn, Importer
from yingji.core.models import Organization, Region, RoleTemplate, User
from yingji.core.scoping import ensure_perm
from yingji.core.services import organization_create, organization_update, save_with_history, user_create, user_update
from yingji.standards import division


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    return text + "000000" if len(text) == 6 and text.isdigit() else text


def _organization_named(name: str, region_code: str) -> Organization:
    """The organisation of that name in the region or the nearest region above it (or "区划代码/名称")."""
    if "/" in name:
        region_code, name = (part.strip() for part in name.split("/", 1))
    codes = [region_code, *division.ancestor_codes(region_code)] if division.is_well_formed(region_code) else []
    found = {o.region_id: o for o in Organization.objects.filter(name=name, region_id__in=codes)}
    for code in codes:
        if code in found:
            return found[code]
    matches = list(Organization.objects.filter(name=name)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValidationError(_("有多个名为“%(name)s”的单位，请写成“区划代码/名称”") % {"name": name})
    raise ValidationError(_("单位“%(name)s”不存在，请先导入组织机构") % {"name": name})


def _within_bureau(region: Region, root: Region | None = None) -> None:
    root = root or bureau_root()
    if root is not None and not region.code.startswith(division.significant_prefix(root.code)):
        raise ValidationError(_("区划 %(code)s（%(name)s）不在本局辖区（%(root)s）内")
                              % {"code": region.code, "name": region.name, "root": root.name})
    if region.retired_at is not None:
        raise ValidationError(_("区划 %(code)s（%(name)s）已撤销") % {"code": region.code, "name": region.name})


class SystemOrganizationForm(forms.ModelForm):
    """The organisation form for the operator's command (actor None: the system, no jurisdiction to limit)."""

    class Meta:
        model = Organization
        fields = OrganizationForm._meta.fields


class OrganizationImporter(Importer):
    """Organisations: 名称, 类型, 所属区划代码, 上级单位, 值班电话."""

    def __init__(self) -> None:
        super().__init__(model=Organization, form_class=OrganizationForm, key_field="name", columns=[
            ImportColumn(gettext_lazy("名称"), "name", example="石桥镇人民政府"),
            ImportColumn(gettext_lazy("类型"), "kind", example="乡镇（街道）办"),
            ImportColumn(gettext_lazy("所属区划代码"), "region", gettext_lazy("必填；12位统计用区划代码"),
                         "390121100000"),
            ImportColumn(gettext_lazy("上级单位"), "parent",
                         gettext_lazy("选填；上级单位名称（同区划或上级区划中），重名时写成“区划代码/名称”"),
                         "北山县应急管理局"),
            ImportColumn(gettext_lazy("值班电话"), "phone", example="0549-2345678"),
        ])

    def key_of(self, values: dict[str, Any]) -> Hashable | None:
        name = str(values.get(str(self.columns[0].heading)) or "").strip()
        return (_code(values.get(str(self.columns[2].heading))), name) if name else None

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        data = self.row_data(row.values)
        data["region"] = _code(data["region"])
        region = Region.objects.filter(code=data["region"]).first()
        if region is None:
            raise ValidationError({"region": _("区划代码“%(code)s”不存在") % {"code": data["region"] or "—"}})
        _within_bureau(region)
        parent_name = str(data.pop("parent") or "").strip()
        data["parent"] = _organization_named(parent_name, region.code).pk if parent_name else None
        name = str(data["name"]).strip()
        existing = Organization.objects.filter(region=region, name=name).first()
        if existing is not None and actor is not None and not Organization.objects.restrict(actor, "change").filter(
                pk=existing.pk).exists():
            raise PermissionDenied(_("单位“%(name)s”已登记，且不在您可修改的范围内") % {"name": name})
        form = (self.form_class(data=data, instance=existing, user=actor) if actor is not None
                else SystemOrganizationForm(data=data, instance=existing))
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        fields = {name: form.cleaned_data[name] for name in form._meta.fields}
        if existing is None:
            organization_create(actor=actor, **fields)
            return True
        organization_update(organization=existing, actor=actor, **fields)
        return False


class UserImportForm(forms.Form):
    """One row of the people sheet, checked before the services write it."""

    username = forms.RegexField(r"^[\w.@+-]{2,150}$", error_messages={"invalid": _("用户名只能含字母、数字和 @.+-_")})
    real_name = forms.CharField(max_length=50)
    mobile = forms.RegexField(r"^1[3-9]\d{9}$", required=False, error_messages={"invalid": _("请输入11位手机号码")})
    organization = forms.CharField(required=False)
    roles = forms.CharField(required=False)
    scope_region = forms.CharField(required=False)
    scope_enterprise = forms.CharField(required=False)
    password = forms.CharField(required=False)


@dataclass
class _Lookups:
    """What every row of one people file asks again, read once per file (20,000 rows: 20,000 times otherwise)."""

    root: Region | None = field(default_factory=bureau_root)
    regions: dict[str, Region | None] = field(default_factory=dict)
    template_roles: dict[str, list[str]] = field(default_factory=dict)
    role_names: set[str] = field(default_factory=lambda: set(Group.objects.values_list("name", flat=True)))
    # An initial password written in many rows is hashed once for the file (PBKDF2 at its production strength is
    # ~0.3 s a hash: 20,000 would take well over an hour). Those people share one salt, which tells only what the
    # administrator who wrote the file already knows (their initial passwords are the same), and each must choose
    # their own at the first login.
    hashes: dict[str, str] = field(default_factory=dict)

    def region(self, code: str) -> Region | None:
        if code not in self.regions:
            self.regions[code] = Region.objects.filter(code=code).first()
        return self.regions[code]

    def roles_of_kind(self, kind: str) -> list[str]:
        if kind not in self.template_roles:
            template = RoleTemplate.objects.filter(kind=kind).first()
            self.template_roles[kind] = [g.name for g in template.roles.all()] if template else []
        return self.template_roles[kind]

    def password_hash(self, password: str) -> str:
        if password not in self.hashes:
            self.hashes[password] = make_password(password)
        return self.hashes[password]


_lookups: ContextVar[_Lookups | None] = ContextVar("user_import_lookups", default=None)


class UserImporter(Importer):
    """People: 用户名, 姓名, 手机号, 所在单位, 角色, 管辖区划代码, 所属企业信用代码, 初始密码."""

    def __init__(self) -> None:
        super().__init__(model=User, form_class=UserImportForm, key_field="username", columns=[
            ImportColumn(gettext_lazy("用户名"), "username", gettext_lazy("必填；登录名，已存在时更新该用户"), "shiqiao_wang"),
            ImportColumn(gettext_lazy("姓名"), "real_name", gettext_lazy("必填"), "王磊"),
            ImportColumn(gettext_lazy("手机号"), "mobile", gettext_lazy("选填；11位手机号码"), "13900000000"),
            ImportColumn(gettext_lazy("所在单位"), "organization",
                         gettext_lazy("选填；单位名称，重名时写成“区划代码/名称”"), "石桥镇人民政府"),
            ImportColumn(gettext_lazy("角色"), "roles",
                         gettext_lazy("选填；多个角色用“、”分隔；不填时按所在单位类型的默认角色"), "网格员/灾害信息员"),
            ImportColumn(gettext_lazy("管辖区划代码"), "scope_region",
                         gettext_lazy("与所属企业二选一；须在本局辖区内"), "390121100000"),
            ImportColumn(gettext_lazy("所属企业信用代码"), "scope_enterprise",
                         gettext_lazy("与管辖区划二选一；企业用户填写18位统一社会信用代码"), ""),
            ImportColumn(gettext_lazy("初始密码"), "password",
                         gettext_lazy("选填；填写后用户首次登录须修改；不填则只能通过统一身份认证登录或由管理员重置"), ""),
        ])

    def _default_note(self, column: ImportColumn) -> str:
        return str(column.note)

    def run(self, uploaded_file, **options) -> excel.ImportReport:
        token = _lookups.set(_Lookups())
        try:
            return super().run(uploaded_file, **options)
        finally:
            _lookups.reset(token)

    def row_data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {}
        for column in self.columns:
            value = values.get(str(column.heading))
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            data[column.field] = "" if value is None else str(value).strip()
        return data

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        form = UserImportForm(data=self.row_data(row.values))
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        data = form.cleaned_data
        lookups = _lookups.get() or _Lookups()
        organization = None
        scope_region = scope_enterprise = None
        if data["scope_region"] and data["scope_enterprise"]:
            raise ValidationError(_("管辖区划与所属企业只能填写一项"))
        if data["scope_region"]:
            code = _code(data["scope_region"])
            scope_region = lookups.region(code)
            if scope_region is None:
                raise ValidationError(_("管辖区划代码“%(code)s”不存在") % {"code": code})
            _within_bureau(scope_region, lookups.root)
        elif data["scope_enterprise"]:
            enterprise_model = User._meta.get_field("scope_enterprise").related_model
            scope_enterprise = enterprise_model.objects.filter(credit_code=data["scope_enterprise"].upper()).first()
            if scope_enterprise is None:
                raise ValidationError(_("信用代码为“%(code)s”的企业不存在") % {"code": data["scope_enterprise"]})
            _within_bureau(scope_enterprise.region, lookups.root)
        else:
            raise ValidationError(_("请填写管辖区划代码或所属企业信用代码"))
        if data["organization"]:
            near = scope_region.code if scope_region else scope_enterprise.region_id
            organization = _organization_named(data["organization"], near)
        role_names = [r.strip() for r in data["roles"].replace("，", "、").replace(",", "、").split("、") if r.strip()]
        if not role_names and organization is not None:
            role_names = lookups.roles_of_kind(organization.kind)
        unknown = set(role_names) - lookups.role_names
        if unknown:
            raise ValidationError(_("未知角色：%(roles)s") % {"roles": "、".join(sorted(unknown))})
        existing = User.objects.filter(username=data["username"]).first()
        fields = {"real_name": data["real_name"], "mobile": data["mobile"], "organization": organization,
                  "scope_region": scope_region, "scope_enterprise": scope_enterprise}
        if existing is not None:
            if actor is not None and not User.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
                raise PermissionDenied(_("用户“%(name)s”已存在，且不在您可修改的范围内") % {"name": existing.username})
            user_update(user=existing, actor=actor, roles=role_names, **fields)
            return False
        if actor is not None:
            ensure_perm(actor, User, "add")
        password = data["password"]
        if password:
            validate_password(password, User(username=data["username"], real_name=data["real_name"]))
        user = user_create(actor=actor, username=data["username"], password=None, roles=role_names, **fields)
        if password:
            user.password = lookups.password_hash(password)
            user.must_set_password = True
            save_with_history(user, actor=actor, reason=_("导入用户"))
        return True


ORGANIZATION_IMPORTER = OrganizationImporter()
USER_IMPORTER = UserImporter()
