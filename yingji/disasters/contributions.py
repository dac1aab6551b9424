"""What disasters offers to other apps' pages (`yingji.core.contributions`): today's fire danger and the overdue
disaster reports of the leaders' cockpit, and the consultations' judgements for the next month in the monthly
report."""

from __future__ import annotations

from typing import Any

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
from yingji.disasters.selectors import consultation_judgements, disaster_reports_overdue, fire_danger_today


def cockpit_fire_danger(query: CockpitQuery) -> CockpitPart:
    """The highest fire danger level today, and townships per level 1..5 for the cockpit's chart."""
    fire = fire_danger_today(user=query.principal)
    counts = fire["counts"]
    levels = {str(level): int(counts.get(level, counts.get(str(level), 0)) or 0) for level in range(1, 6)}
    return CockpitPart(values={"fire_danger": fire["max_level"]},
                       details={"fire_danger": _("%(townships)d 个乡镇，%(without_data)d 个无观测") % fire},
                       extra={"fire_danger": {"levels": levels}})


def cockpit_reports_overdue(query: CockpitQuery) -> CockpitPart:
    return CockpitPart(values={"disaster_reports_overdue": disaster_reports_overdue(user=query.principal)})


def report_judgements(principal: User, month: ReportMonth) -> list[dict[str, Any]]:
    """The risks the consultations judged for the month after the report's."""
    return [{str(k): plain(v) for k, v in row.items()}
            for row in consultation_judgements(user=principal, month=month.next)]


COCKPIT_FIGURES = [
    CockpitFigures("fire_danger", (
        Figure("fire_danger", gettext_lazy("今日森林火险"), gettext_lazy("级"), "disasters:fire_map", regional=False),
    ), cockpit_fire_danger),
    CockpitFigures("disaster_reports", (
        Figure("disaster_reports_overdue", gettext_lazy("灾情报送超时"), gettext_lazy("份"),
               "disasters:disasterreport_list", overdue=True),
    ), cockpit_reports_overdue),
]

REPORT_SECTIONS = [ReportSection("judgements", report_judgements)]
