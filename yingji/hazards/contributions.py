"""What hazards offers to other apps' pages (`yingji.core.contributions`): open 重大隐患 and overdue hazards of the
leaders' cockpit, the major hazards on the command map, the hazard section of the monthly report."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import roles
from yingji.core.contributions import (
    CockpitFigures,
    CockpitPart,
    CockpitQuery,
    Figure,
    HomeFigures,
    MapLayer,
    ReportMonth,
    ReportSection,
    has_role,
)
from yingji.core.models import User
from yingji.hazards.models import Hazard, HazardLevel, HazardStat, HazardStatus, StatDimension
from yingji.hazards.selectors import Period, hazard_statistics

# The cockpit reads hazards from the monthly roll-up (HazardStat) for these levels, and counts below them.
ROLLUP_LEVELS = ("province", "city", "county", "township")

# A map layer draws at most this many features; the map is for a city, not for a national export.
LAYER_LIMIT = 5000


def cockpit_hazards(query: CockpitQuery) -> CockpitPart:
    """Open 重大隐患 and overdue hazards: from the monthly roll-up for a township and above, else counted."""
    principal, region, child_length = query.principal, query.region, query.child_length
    children: dict[str, dict[str, int]] = {}
    if region.level in ROLLUP_LEVELS:
        stats = HazardStat.objects.restrict(principal, "view").filter(dimension=StatDimension.LEVEL)
        sums = {"found": Sum("found"), "closed": Sum("closed"), "overdue": Sum("overdue")}
        if child_length:
            rows = (stats.annotate(child=Substr("region_id", 1, child_length)).values_list("child", "key")
                    .annotate(**sums).order_by())
        else:
            rows = ((None, key, *rest) for key, *rest in stats.values_list("key").annotate(**sums).order_by())
        major_open = overdue = 0
        for child, key, found, closed, late in rows:
            entry = children.setdefault(child, {"major_hazards": 0, "overdue_hazards": 0})
            if key == HazardLevel.MAJOR:
                entry["major_hazards"] += (found or 0) - (closed or 0)
                major_open += (found or 0) - (closed or 0)
            entry["overdue_hazards"] += late or 0
            overdue += late or 0
    else:
        hazards = Hazard.objects.restrict(principal, "view").exclude(status=HazardStatus.CLOSED)
        major_open = hazards.filter(level=HazardLevel.MAJOR).count()
        overdue = hazards.filter(overdue_since__isnull=False).count()
    return CockpitPart(values={"major_hazards": major_open, "overdue_hazards": overdue},
                       children={child: values for child, values in children.items() if child})


def major_hazards(user: User) -> dict[str, Any]:
    """Open 重大隐患, at their enterprise (or, in a public place, at their region's centre)."""
    rows = (Hazard.objects.restrict(user, "view").filter(level=HazardLevel.MAJOR).exclude(status=HazardStatus.CLOSED)
            .order_by("-found_at").values_list("pk", "code", "place", "status", "supervision_status",
                                               "enterprise__name", "enterprise__longitude", "enterprise__latitude",
                                               "region__longitude", "region__latitude")[:LAYER_LIMIT])
    statuses = dict(HazardStatus.choices)
    features = []
    for pk, code, place, status, supervision, enterprise, e_lon, e_lat, r_lon, r_lat in rows:
        lon, lat = (e_lon, e_lat) if e_lon is not None and e_lat is not None else (r_lon, r_lat)
        if lon is None or lat is None:
            continue
        listed = "·挂牌督办" if supervision == "listed" else ""
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": {"id": pk, "name": f"{code} {enterprise or place}", "color": "#8b0000",
                                        "label": f"重大隐患·{statuses.get(status, status)}{listed}",
                                        "url": reverse("hazards:hazard_detail", args=[pk])}})
    return {"type": "FeatureCollection", "features": features}


def _summary(stats: dict[str, Any]) -> dict[str, Any]:
    totals = stats["totals"]
    return {"found": totals["found"], "closed": totals["closed"], "rate": totals["rate"],
            "overdue": totals["overdue"], "major": totals["major"]["found"], "major_closed": totals["major"]["closed"]}


def report_hazards(principal: User, month: ReportMonth) -> dict[str, Any]:
    """The month against the month before and the same month a year ago, shares, rankings, a 12-month trend."""
    current = hazard_statistics(principal, Period(month.first, month.last))
    last = ReportMonth(month.previous)
    year_ago = ReportMonth(month.first.replace(year=month.first.year - 1))
    trend = hazard_statistics(principal, Period(year_ago.next, month.last))
    return {
        "current": _summary(current),
        "last_month": _summary(hazard_statistics(principal, Period(last.first, last.last))),
        "last_year": _summary(hazard_statistics(principal, Period(year_ago.first, year_ago.last))),
        "shares": current["shares"],
        "by_source": list(current["by_source"]),
        "by_category": list(current["by_category"]),
        "by_region": current["by_region"],
        "enterprise_ranking": current["enterprise_ranking"][:5],
        "trend": [{"name": r["name"], "found": r["found"], "closed": r["closed"]} for r in trend["by_month"]],
    }


COCKPIT_FIGURES = [
    CockpitFigures("hazards", (
        Figure("major_hazards", gettext_lazy("未销号重大隐患"), gettext_lazy("项"), "hazards:hazard_major"),
        Figure("overdue_hazards", gettext_lazy("逾期未整改隐患"), gettext_lazy("项"), "hazards:hazard_list",
               {"overdue": "true"}, overdue=True),
    ), cockpit_hazards, model="hazards.Hazard"),
]

MAP_LAYERS = [MapLayer("major_hazards", gettext_lazy("重大隐患"), major_hazards)]

REPORT_SECTIONS = [ReportSection("hazards", report_hazards)]


def home_hazards(user: User, root) -> dict[str, Any] | None:
    """Open hazards in the user's jurisdiction (an enterprise's own): awaiting acceptance, overdue, due within a
    week, 重大隐患; the nearest deadlines listed."""
    if not user.has_perm("hazards.view_hazard"):
        return None
    today = timezone.localdate()
    week = today + datetime.timedelta(days=7)
    open_hazards = Hazard.objects.restrict(user, "view").exclude(status=HazardStatus.CLOSED)
    counts = open_hazards.aggregate(
        open=Count("pk"), awaiting=Count("pk", filter=Q(status=HazardStatus.AWAITING_ACCEPTANCE)),
        overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
        due=Count("pk", filter=Q(deadline__gte=today, deadline__lte=week)),
        major=Count("pk", filter=Q(level=HazardLevel.MAJOR)))
    hazards = reverse("hazards:hazard_list")
    nearest = open_hazards.filter(deadline__isnull=False, deadline__lte=week).order_by("deadline", "pk")[:5]
    return {"title": _("隐患排查治理"), "key": "hazards", "tiles": [
        {"label": _("未销号隐患"), "value": counts["open"], "url": hazards},
        {"label": _("待验收"), "value": counts["awaiting"], "url": f"{hazards}?status=awaiting_acceptance"},
        {"label": _("逾期未整改"), "value": counts["overdue"], "url": f"{hazards}?overdue=true",
         "alert": bool(counts["overdue"])},
        {"label": _("7日内到期"), "value": counts["due"], "url": hazards},
        {"label": _("重大隐患"), "value": counts["major"], "url": f"{hazards}?level=major"},
    ], "lines": [{"text": _("%(code)s 整改期限 %(deadline)s") % {"code": hazard.code, "deadline": hazard.deadline},
                  "url": reverse("hazards:hazard_detail", args=[hazard.pk])} for hazard in nearest]}


HOME_FIGURES = [HomeFigures("hazards", "core/includes/home_tiles.html", home_hazards, order=20,
                            fits=lambda user: has_role(user, roles.ENTERPRISE_MANAGER, roles.SUPERVISOR))]
