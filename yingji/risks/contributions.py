"""What risks offers to other apps' pages (`yingji.core.contributions`): the red and orange risk points on the
command map."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import roles
from yingji.core.contributions import HomeFigures, MapLayer, has_role
from yingji.core.models import User
from yingji.risks.models import RiskLevel, RiskPoint, RiskPointStatus
from yingji.risks.selectors import active_points, risk_point_features

# A map layer draws at most this many features; the map is for a city, not for a national export.
LAYER_LIMIT = 5000


def major_risk_points(user: User) -> dict[str, Any]:
    """Active risk points graded 重大 (red) or 较大 (orange)."""
    points = list(active_points(user).filter(level__in=[RiskLevel.MAJOR, RiskLevel.LARGER],
                                             longitude__isnull=False)[:LAYER_LIMIT])
    data = risk_point_features(points)
    for feature in data["features"]:
        feature["properties"]["label"] = feature["properties"]["level_label"]
    return data


MAP_LAYERS = [MapLayer("risks", gettext_lazy("红橙风险点"), major_risk_points)]


def home_risks(user: User, root) -> dict[str, Any] | None:
    """The enterprise's risk points in use by level, and those whose review is past due."""
    if not user.has_perm("risks.view_riskpoint"):
        return None
    points = RiskPoint.objects.restrict(user, "view").filter(status=RiskPointStatus.ACTIVE)
    by_level = dict(points.values_list("level").annotate(n=Count("pk")).order_by())
    overdue = points.filter(next_review__lt=timezone.localdate()).count()
    url = reverse("risks:riskpoint_list")
    return {"title": _("风险分级管控"), "key": "risks", "tiles": [
        *({"label": label, "value": by_level.get(value, 0), "url": f"{url}?level={value}",
           "alert": value == RiskLevel.MAJOR and bool(by_level.get(value))} for value, label in RiskLevel.choices),
        {"label": _("评审逾期"), "value": overdue, "url": f"{url}?review_overdue=true", "alert": bool(overdue)},
    ]}


HOME_FIGURES = [HomeFigures("risks", "core/includes/home_tiles.html", home_risks, order=25,
                            fits=lambda user: has_role(user, roles.ENTERPRISE_MANAGER))]
