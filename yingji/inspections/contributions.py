"""What inspections offers to other apps' pages (`yingji.core.contributions`): this month's cases of the leaders'
cockpit and the enforcement section of the monthly report."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.contributions import (
    CockpitFigures,
    CockpitPart,
    CockpitQuery,
    Figure,
    ReportMonth,
    ReportSection,
    plain,
)
from yingji.core.models import User
from yingji.inspections.selectors import enforcement_statistics


def cockpit_enforcement(query: CockpitQuery) -> CockpitPart:
    """Cases opened this month so far, with the month's inspections and penalties under them."""
    today = timezone.localdate()
    figures = enforcement_statistics(user=query.principal, start=today.replace(day=1), end=today)
    month = {"filed_from": today.replace(day=1).isoformat(), "filed_to": today.isoformat()}
    return CockpitPart(values={"cases": figures["cases"]},
                       details={"cases": _("检查 %(inspections)s 次，处罚 %(penalties)s 起") % figures},
                       extra={"cases": {"url": query.url("inspections:case_list", **month)}})


def report_enforcement(principal: User, month: ReportMonth) -> dict[str, Any]:
    """The month's enforcement figures (units inspected, inspections, cases, penalties, fines...)."""
    return {str(k): plain(v) for k, v in enforcement_statistics(user=principal, start=month.first,
                                                                 end=month.last).items()}


COCKPIT_FIGURES = [
    CockpitFigures("enforcement", (
        Figure("cases", gettext_lazy("本月立案"), gettext_lazy("件"), "inspections:case_list"),
    ), cockpit_enforcement),
]

REPORT_SECTIONS = [ReportSection("enforcement", report_enforcement)]
