"""What analytics offers to other apps' pages (`yingji.core.contributions`): the cockpit's headline figures on a
leader's workbench."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

# The module, not its names: the selectors build the cockpit from the contributions (`pick` at import), so this
# module is read while they are still being imported.
from yingji.analytics import selectors
from yingji.core import roles
from yingji.core.contributions import HomeFigures, has_role
from yingji.core.models import Region, User


def home_cockpit(user: User, root: Region | None) -> dict[str, Any] | None:
    """The leaders' cockpit in figures, for the user's own region; each opens the list behind it."""
    if root is None or not selectors.may_open_cockpit(user):
        return None
    data = selectors.cockpit_data(user, root)
    tiles = [{"label": figure["label"], "value": figure["value"], "unit": figure.get("unit", ""),
              "url": figure.get("url", ""), "alert": bool(figure.get("overdue")) and bool(figure["value"])}
             for figure in data["figures"].values()]
    return {"title": _("辖区态势（指挥大屏）"), "key": "cockpit", "tiles": tiles,
            "lines": [{"text": _("打开指挥大屏"), "url": reverse("analytics:cockpit")}]}


HOME_FIGURES = [HomeFigures("cockpit", "core/includes/home_tiles.html", home_cockpit, order=5,
                            fits=lambda user: has_role(user, roles.LEADER))]
