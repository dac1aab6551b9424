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

Reading may reach up, writing never does. A model whose records a bureau
publishes to everyone below it (templates, catalogues, question banks, a
county's disaster event) inherits `SharedDownward`, or defines the
classmethods `shared_from_above(prefix) -> Q` and
`shared_with_enterprise(enterprise) -> Q`: those rows are added to what
`restrict(user, "view")` returns, never to what any other action returns, so
every write path (page, API, custom action, attachment, import row) that starts
from `restrict(user, "change")` or `ensure_in_scope()` stays inside the user's
own subtree or enterprise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.standards.division import ancestor_codes, significant_prefix

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


def own_scope_q(user: User, model: type[models.Model]) -> Q | None:
    """The rows inside the user's own subtree or enterprise: what the user may change.

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


def scope_q(user: User, model: type[models.Model], action: str = "view") -> Q | None:
    """The filter that keeps a model's rows inside what the user may `action`.

    Viewing adds what the model shares downward from the user's ancestors; every other action is
    limited to the user's own subtree or enterprise. None means no restriction.
    """
    own = own_scope_q(user, model)
    if action != "view" or own is None:
        return own
    if user.scope_enterprise_id:
        shared = getattr(model, "shared_with_enterprise", None)
        return own | shared(user.scope_enterprise) if shared is not None else own
    if user.scope_region_id:
        shared = getattr(model, "shared_from_above", None)
        return own | shared(significant_prefix(user.scope_region_id)) if shared is not None else own
    return own


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User, action: str = "view") -> ScopedQuerySet:
        """Rows of this queryset that `user` may `action` ("view" reaches up; other actions never do)."""
        if not has_model_perm(user, self.model, action):
            return self.none()
        q = scope_q(user, self.model, action)
        return self if q is None else self.filter(q)


class SharedDownward:
    """A record a bureau publishes to its jurisdiction (a template, a catalogue entry, a question bank).

    Read by the owner's subtree, by everyone below the owning region and by the enterprises there;
    changed only inside the owner's own subtree (an enterprise changes none). The owner is `region`.
    """

    scope_region_field = "region"
    scope_enterprise_field = None

    @classmethod
    def shared_from_above(cls, prefix: str) -> Q:
        return Q(**{f"{cls.scope_region_field}_id__in": ancestor_codes(prefix.ljust(12, "0"))})

    @classmethod
    def shared_with_enterprise(cls, enterprise) -> Q:
        codes = [enterprise.region_id, *ancestor_codes(enterprise.region_id)]
        return Q(**{f"{cls.scope_region_field}_id__in": codes})


def is_in_scope(user: User, obj: models.Model, action: str = "change") -> bool:
    """Whether `user` may `action` this record by jurisdiction (writing by default; no permission check)."""
    q = scope_q(user, type(obj), action)
    if q is None:
        return True
    return type(obj)._base_manager.filter(q, pk=obj.pk).exists()


def ensure_in_scope(user: User, obj: models.Model) -> None:
    """Raise unless `obj` (already written) lies inside the user's own subtree or enterprise.

    Services call this after a write, inside their transaction, so nobody can
    create a record outside their reach, move one out of it, or write one that
    is only shared with them from above.
    """
    if not is_in_scope(user, obj, "change"):
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))


def ensure_perm(user: User, model: type[models.Model], action: str) -> None:
    if not has_model_perm(user, model, action):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
