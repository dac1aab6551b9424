"""The one place that decides what a user may see and change.

Every scoped model declares where its jurisdiction lives:

    scope_region_field = "region"          # a FK to Region (its pk is the 12-digit code)
    scope_enterprise_field = "enterprise"  # a FK to Enterprise, or None

A model whose jurisdiction is not one field may instead define the classmethods
`scope_for_region(prefix) -> Q` and `scope_for_enterprise(enterprise) -> Q`.

and uses `ScopedQuerySet` as its default manager. `restrict(user, action)`
returns only what the user may `action` ("view", "add", "change", "delete"):
nothing without the model permission, the user's region subtree for a bureau
user (one indexed prefix match on the region code), only their enterprise's
rows for an enterprise user, and nothing at all for a user with no scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.standards.division import significant_prefix

if TYPE_CHECKING:
    from yingji.core.models import User

NOTHING = Q(pk__in=[])


def has_model_perm(user, model: type[models.Model], action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def code_prefix_q(path: str, prefix: str) -> Q:
    """Codes starting with a digit prefix, as a range: prefix <= code < prefix + 1.

    A range on the plain index lets the database filter and order by the code
    with one index scan, where LIKE 'prefix%' needs a pattern index and cannot
    serve ORDER BY; comparing equal-length digit strings is the same in every
    collation.
    """
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) > len(prefix):  # "99..." has no successor of the same length
        return Q(**{f"{path}__gte": prefix})
    return Q(**{f"{path}__gte": prefix, f"{path}__lt": upper})


def scope_q(user: User, model: type[models.Model]) -> Q | None:
    """The filter that keeps a model's rows inside the user's jurisdiction.

    None means no restriction (a superuser without a scope).
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.scope_enterprise_id:
        enterprise_scope = getattr(model, "scope_for_enterprise", None)
        if enterprise_scope is not None:
            return enterprise_scope(user.scope_enterprise)
        field = getattr(model, "scope_enterprise_field", None)
        if field is None:
            return NOTHING
        return Q(**{field: user.scope_enterprise_id})
    if user.scope_region_id:
        prefix = significant_prefix(user.scope_region_id)
        region_scope = getattr(model, "scope_for_region", None)
        if region_scope is not None:
            return region_scope(prefix)
        field = model.scope_region_field
        path = "code" if field == "code" else f"{field}__code"
        return code_prefix_q(path, prefix)
    if user.is_superuser:
        return None
    return NOTHING


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User, action: str = "view") -> ScopedQuerySet:
        """Rows of this queryset that `user` may `action`."""
        if not has_model_perm(user, self.model, action):
            return self.none()
        q = scope_q(user, self.model)
        return self if q is None else self.filter(q)


def is_in_scope(user: User, obj: models.Model) -> bool:
    q = scope_q(user, type(obj))
    if q is None:
        return True
    return type(obj)._base_manager.filter(q, pk=obj.pk).exists()


def ensure_in_scope(user: User, obj: models.Model) -> None:
    """Raise unless `obj` (already written) is inside the user's jurisdiction.

    Services call this after a write, inside their transaction, so nobody can
    create a record outside their reach or move one out of it.
    """
    if not is_in_scope(user, obj):
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))


def ensure_perm(user: User, model: type[models.Model], action: str) -> None:
    if not has_model_perm(user, model, action):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
