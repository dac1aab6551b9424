"""Writes for the core models, and the write helpers every app's services use.

Every function here runs in a transaction, checks the actor's permission and
jurisdiction, and records who changed what (django-simple-history rows carry
the actor and the reason). `actor=None` means the system itself (management
commands such as seed_demo), which skips the permission checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import magic
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Attachment, Organization, Region, User
from yingji.core.scoping import ensure_in_scope, ensure_perm, has_model_perm, is_in_scope

M = TypeVar("M", bound=models.Model)


def save_with_history(obj: M, *, actor: User | None, reason: str) -> M:
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()
    return obj


def scoped_create(model: type[M], *, actor: User | None, reason: str, **fields: Any) -> M:
    """Create a row after validation; refuse it if it lands outside the actor's scope."""
    if actor is not None:
        ensure_perm(actor, model, "add")
    obj = model(**fields)
    obj.full_clean()
    save_with_history(obj, actor=actor, reason=reason)
    if actor is not None:
        ensure_in_scope(actor, obj)
    return obj


def scoped_update(obj: M, *, actor: User | None, reason: str, **fields: Any) -> M:
    """Change fields of a row the actor may change, and keep it inside their scope."""
    model = type(obj)
    if actor is not None:
        ensure_perm(actor, model, "change")
    # The row lock serialises concurrent edits of one record.
    locked = model._base_manager.select_for_update().get(pk=obj.pk)
    if actor is not None:
        ensure_in_scope(actor, locked)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    locked.full_clean()
    save_with_history(locked, actor=actor, reason=reason)
    if actor is not None:
        ensure_in_scope(actor, locked)
    return locked


@transaction.atomic
def register_services(model: type[M], label: str) -> tuple[Callable[..., M], Callable[..., M]]:
    """The create and update services of a register that needs nothing but scoping, validation and history:
    `create(actor=, **fields)` and `update(obj=, actor=, **fields)`, many-to-many fields set after the row is saved.

    A model with rules of its own (a field that follows from another, a guarded status) writes its two functions
    on `scoped_create` / `scoped_update` instead."""
    many = {field.name for field in model._meta.many_to_many}

    def create(*, actor: User | None, **fields: Any) -> M:
        with transaction.atomic():
            related = {name: fields.pop(name) for name in list(fields) if name in many}
            obj = scoped_create(model, actor=actor, reason=_("新建%(name)s") % {"name": label}, **fields)
            for name, values in related.items():
                getattr(obj, name).set(values)
            return obj

    def update(*, obj: M, actor: User | None, **fields: Any) -> M:
        with transaction.atomic():
            related = {name: fields.pop(name) for name in list(fields) if name in many}
            updated = scoped_update(obj, actor=actor, reason=_("修改%(name)s") % {"name": label}, **fields)
            for name, values in related.items():
                getattr(updated, name).set(values)
            return updated

    create.__doc__ = f"Register a {model.__name__} inside the actor's jurisdiction."
    update.__doc__ = f"Change a {model.__name__}; it stays inside the actor's jurisdiction."
    return create, update


def region_create(*, actor: User | None, **fields: Any) -> Region:
    return scoped_create(Region, actor=actor, reason=_("新建区划"), **fields)


@transaction.atomic
def region_update(*, region: Region, actor: User | None, **fields: Any) -> Region:
    fields.pop("code", None)  # the code is the identity of a region
    return scoped_update(region, actor=actor, reason=_("修改区划"), **fields)


@transaction.atomic
def organization_create(*, actor: User | None, **fields: Any) -> Organization:
    return scoped_create(Organization, actor=actor, reason=_("新建组织机构"), **fields)


@transaction.atomic
def organization_update(*, organization: Organization, actor: User | None, **fields: Any) -> Organization:
    return scoped_update(organization, actor=actor, reason=_("修改组织机构"), **fields)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    real_name: str,
    roles: list[str],
    scope_region: Region | None = None,
    scope_enterprise=None,
    organization: Organization | None = None,
    mobile: str = "",
    is_superuser: bool = False,
) -> User:
    if actor is not None:
        ensure_perm(actor, User, "add")
        if is_superuser and not actor.is_superuser:
            raise PermissionDenied(_("只有超级管理员可以创建超级管理员。"))
    if actor is not None and scope_region is None and scope_enterprise is None and not actor.is_superuser:
        raise ValidationError(_("请为用户指定管辖区划或所属企业。"))
    user = User(
        username=username,
        real_name=real_name,
        mobile=mobile,
        organization=organization,
        scope_region=scope_region,
        scope_enterprise=scope_enterprise,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password is None:
        # No password: the person signs in through unified sign-on, or an administrator sets one later.
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    save_with_history(user, actor=actor, reason=_("新建用户"))
    _set_roles(user, roles)
    if actor is not None:
        ensure_in_scope(actor, user)
    return user


def _set_roles(user: User, roles: list[str]) -> None:
    groups = list(Group.objects.filter(name__in=roles))
    if len(groups) != len(set(roles)):
        missing = set(roles) - {g.name for g in groups}
        raise ValidationError({"roles": _("未知角色：%(roles)s") % {"roles": "、".join(sorted(missing))}})
    user.groups.set(groups)


@transaction.atomic
def user_update(*, user: User, actor: User | None, roles: list[str] | None = None, **fields: Any) -> User:
    """Change a user's details, scope and roles; the user must stay inside the actor's jurisdiction."""
    for forbidden in ("password", "is_superuser", "is_staff", "username"):
        fields.pop(forbidden, None)
    if actor is not None and actor.pk == user.pk and fields.get("is_active") is False:
        raise ValidationError(_("不能停用自己的账号。"))
    updated = scoped_update(user, actor=actor, reason=_("修改用户"), **fields)
    if roles is not None and sorted(roles) != sorted(updated.role_names):
        _set_roles(updated, roles)
        save_with_history(updated, actor=actor, reason=_("修改角色：%(roles)s") % {"roles": "、".join(roles) or "无"})
    return updated


@transaction.atomic
def user_set_password(*, user: User, actor: User | None, password: str) -> User:
    """Reset someone's password (an administrator, inside their jurisdiction)."""
    if actor is not None:
        ensure_perm(actor, User, "change")
        ensure_in_scope(actor, user)
    validate_password(password, user)
    user.set_password(password)
    save_with_history(user, actor=actor, reason=_("重置密码"))
    return user


def sniff_content_type(head: bytes) -> str:
    """The content type from the bytes themselves, never from the name or the browser's claim."""
    return magic.from_buffer(head, mime=True)


@transaction.atomic
def attachment_store(
    *, actor: User, uploaded_file: UploadedFile, owner: models.Model, description: str = ""
) -> Attachment:
    """Store an uploaded file for a record the actor may change, after checking its type and size.

    Attaching changes the record: it must lie in the actor's own subtree or enterprise (not only be shared with
    them from above), and the actor must be allowed to change or add records of its kind.
    """
    ensure_perm(actor, Attachment, "add")
    if not (has_model_perm(actor, type(owner), "change") or has_model_perm(actor, type(owner), "add")):
        raise PermissionDenied(_("您没有向此类记录上传附件的权限。"))
    if not is_in_scope(actor, owner, "change"):
        raise PermissionDenied(_("该记录不在您的管辖范围内，只能查看，不能上传附件。"))
    if uploaded_file.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("文件过大：%(size).1f MB，上限 %(limit).0f MB")
            % {"size": uploaded_file.size / 2**20, "limit": settings.ATTACHMENT_MAX_BYTES / 2**20}
        )
    uploaded_file.seek(0)
    content_type = sniff_content_type(uploaded_file.read(8192))
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ValidationError(_("不允许上传此类文件（%(type)s）") % {"type": content_type})
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    # An owner whose enterprise scope is its own key is the enterprise itself (core names no app's model).
    is_enterprise = getattr(owner, "scope_enterprise_field", None) == "pk"
    enterprise_id = owner.pk if is_enterprise else getattr(owner, "enterprise_id", None)
    attachment = Attachment(
        original_name=uploaded_file.name[:200],
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        region_id=owner.region_id,
        enterprise_id=enterprise_id,
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=str(owner.pk),
        description=description,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(uploaded_file.name, uploaded_file, save=False)
    try:
        save_with_history(attachment, actor=actor, reason=_("上传附件"))
    except Exception:
        # A file whose row was not written must not linger on disk.
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def user_set_own_password(*, user: User, password: str) -> User:
    """A person chooses their own password (at first login after an import gave them an initial one)."""
    validate_password(password, user)
    user.set_password(password)
    user.must_set_password = False
    save_with_history(user, actor=user, reason=_("设置本人密码"))
    return user


@transaction.atomic
def user_set_active(*, user: User, actor: User, active: bool) -> User:
    """Deactivate (or reactivate) an account instead of deleting it: what the person did stays attributed."""
    return user_update(user=user, actor=actor, is_active=active)

