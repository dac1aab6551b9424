"""What risks offers to other apps' pages (`yingji.core.contributions`): the red and orange risk points on the
command map."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from yingji.core.contributions import MapLayer
from yingji.core.models import User
from yingji.risks.models import RiskLevel
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
