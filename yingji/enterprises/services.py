"""Every write to enterprises goes through here."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from yingji.core.models import Region, User
from yingji.core.notifications import notify_after_commit
from yingji.core.services import scoped_create, scoped_update
from yingji.core.workflow import transition
from yingji.enterprises.models import BUREAU_KEPT_FIELDS, Enterprise
from yingji.enterprises.states import WORKFLOW


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    if "credit_code" in fields and isinstance(fields["credit_code"], str):
        fields["credit_code"] = fields["credit_code"].strip().upper()
    return fields


@transaction.atomic
def enterprise_create(*, actor: User | None, **fields: Any) -> Enterprise:
    """Register an enterprise; it must lie inside the actor's jurisdiction."""
    return scoped_create(Enterprise, actor=actor, reason=_("企业建档"), **_normalise(fields))


@transaction.atomic
def enterprise_change_status(*, enterprise: Enterprise, actor: User | None, action: str, reason: str) -> Enterprise:
    """责令停产 / 恢复生产 / 关闭取缔, by a bureau officer, with the reason on record; the enterprise's
    managers are notified in-app."""
    from django.urls import reverse

    changed = transition(enterprise, workflow=WORKFLOW, action=action, actor=actor, reason=reason)
    notify_after_commit(recipients=changed.users.all(), kind=_("企业状态"),
                        title=_("%(name)s 生产状态变更为“%(status)s”") % {"name": changed.name,
                                                                         "status": changed.get_status_display()},
                        body=reason, url=reverse("enterprises:enterprise_detail", args=[changed.pk]), subject=changed)
    return changed


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, actor: User | None, **fields: Any) -> Enterprise:
    """Change an enterprise's record; nobody can move it out of their own reach.

    The production status changes only through `enterprise_change_status`. When the region changes, every row
    that belongs to the enterprise moves with it in the same transaction (`move_enterprise_rows`).
    """
    if "status" in fields and fields["status"] != enterprise.status:
        raise ValidationError({"status": _("生产状态须通过“责令停产/恢复生产/关闭取缔”办理")})
    fields.pop("status", None)
    if actor is not None and actor.scope_enterprise_id:
        _ensure_self_maintained(enterprise, fields)
    old_region_id = Enterprise._base_manager.filter(pk=enterprise.pk).values_list("region_id", flat=True).get()
    updated = scoped_update(enterprise, actor=actor, reason=_("修改企业信息"), **_normalise(fields))
    if updated.region_id != old_region_id:
        move_enterprise_rows(enterprise=updated, old_region_id=old_region_id, actor=actor)
    return updated


def _ensure_self_maintained(enterprise: Enterprise, fields: dict[str, Any]) -> None:
    """An enterprise keeps its contacts and descriptive data current; how the bureau supervises it is the bureau's."""
    changed = [name for name in BUREAU_KEPT_FIELDS
               if name in fields and _field_value(fields[name]) != _field_value(getattr(enterprise, name))]
    if changed:
        labels = "、".join(str(Enterprise._meta.get_field(name).verbose_name) for name in changed)
        raise PermissionDenied(_("%(fields)s由监管部门维护，企业不能修改。") % {"fields": labels})


def _field_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


# Sent inside the transaction just before an enterprise's rows move to its new region, for roll-ups kept per region
# without an enterprise column (they read the rows where they still are): kwargs enterprise, new_region_id.
enterprise_moving = Signal()
MOVE_BATCH = 2000


def _direct_fk(model: type[models.Model], name: str | None, target: type[models.Model]) -> bool:
    if not name:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a path such as "gateway__enterprise": the row follows its parent
        return False
    return isinstance(field, models.ForeignKey) and field.related_model is target


def rows_following_enterprise() -> list[type[models.Model]]:
    """Every installed model whose scope is a region and an enterprise, both its own foreign keys."""
    return [model for model in apps.get_models()
            if model is not Enterprise
            and _direct_fk(model, getattr(model, "scope_enterprise_field", None), Enterprise)
            and _direct_fk(model, getattr(model, "scope_region_field", None), Region)]


def move_enterprise_rows(*, enterprise: Enterprise, old_region_id: str, actor: User | None) -> dict[str, int]:
    """Put every row of the enterprise in its new region; history rows record the move for audited models.

    A row of the enterprise with no region (an enterprise user's account, whose scope is the enterprise itself)
    stays as it is. Returns the number of rows moved per model label.
    """
    moved: dict[str, int] = {}
    enterprise_moving.send(sender=Enterprise, enterprise=enterprise, new_region_id=enterprise.region_id)
    reason = _("随企业迁移所在区划：%(old)s → %(new)s") % {"old": old_region_id, "new": enterprise.region_id}
    for model in rows_following_enterprise():
        region_field = model.scope_region_field
        rows = (model._base_manager.filter(**{model.scope_enterprise_field: enterprise.pk})
                .exclude(**{f"{region_field}__isnull": True}).exclude(**{region_field: enterprise.region_id}))
        if hasattr(model, "history"):
            count = 0
            # Locked in primary-key order, so two moves of overlapping rows cannot deadlock.
            pks = list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), MOVE_BATCH):
                batch = list(model._base_manager.filter(pk__in=pks[start:start + MOVE_BATCH]))
                for row in batch:
                    setattr(row, f"{region_field}_id", enterprise.region_id)
                bulk_update_with_history(batch, model, [region_field], batch_size=MOVE_BATCH, default_user=actor,
                                         default_change_reason=reason)
                count += len(batch)
        else:
            count = rows.update(**{region_field: enterprise.region_id})
        if count:
            moved[model._meta.label] = count
    return moved
