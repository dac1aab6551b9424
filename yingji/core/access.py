"""Who may open a page: one check per view, enforced by the view and read by the menu.

A page of a spec'd model (`yingji.core.views.generic.ScopedView`) is opened by whoever holds the model permission of
its action (its `may_open` classmethod, which its dispatch calls); other pages declare their check with `page_access` (login, then the check, else 403) or `declares_access`
(the view enforces the same function itself). The menu (`yingji.core.navigation`) resolves each entry's URL and asks
`may_open(view, user)`, so an entry is shown exactly to the users the page lets in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from yingji.core.scoping import has_model_perm

AccessCheck = Callable[..., bool]


def page_access(check: AccessCheck, *, missing: type[Exception] = PermissionDenied) -> Callable:
    """A function view for signed-in users who pass `check(user)`; others get `missing` (403, or Http404 where the
    page hides that it exists). The menu shows the page to the same users."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise missing(_("您没有权限访问此页面。")) if missing is PermissionDenied else missing()
            return view(request, *args, **kwargs)

        wrapper.may_open = check
        return wrapper

    return decorate


def declares_access(check: AccessCheck) -> Callable:
    """For a view that enforces `check` itself (it also serves visitors without an account, such as an exam
    candidate): tells the menu who may open it."""

    def decorate(view: Callable) -> Callable:
        view.may_open = check
        return view

    return decorate


def signed_in(user) -> bool:
    """Every account: the page shows each user their own records."""
    return user.is_authenticated


def allowed(action: str, *model_classes: type[models.Model]) -> AccessCheck:
    """The check 'holds `<action>` on every one of these models'."""

    def check(user) -> bool:
        return all(has_model_perm(user, model, action) for model in model_classes)

    return check


def allowed_any(action: str, *model_classes: type[models.Model]) -> AccessCheck:
    """The check 'holds `<action>` on at least one of these models'."""

    def check(user) -> bool:
        return any(has_model_perm(user, model, action) for model in model_classes)

    return check


def view_check(callback: Callable) -> AccessCheck | None:
    """The access check of a resolved view: declared on the function, on its class, or the model permission of a
    generic page. None when the view declares none."""
    check = getattr(callback, "may_open", None)
    if check is not None:
        return check
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return None
    # A generic page (ScopedView) and any class view that says who may open it.
    return getattr(view_class, "may_open", None)


__all__ = ["AccessCheck", "Http404", "allowed", "allowed_any", "declares_access", "page_access", "signed_in",
           "view_check"]
