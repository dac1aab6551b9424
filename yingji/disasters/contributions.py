"""What disasters offers to other apps' pages (`yingji.core.contributions`): today's fire danger and the overdue
disaster reports of the leaders' cockpit, and the consultations' judgements for the next month in the monthly
report."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
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
    ReportMonth,
    ReportSection,
    TodoItem,
    TodoSource,
    has_role,
    plain,
)
from yingji.core.models import User
from yingji.disasters.models import DisasterEvent, EventStatus
from yingji.disasters.selectors import (
    consultation_judgements,
    disaster_reports_overdue,
    fire_danger_today,
    open_duties,
)


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
               "disasters:reportduty_list", params={"overdue": "true"}, overdue=True),
    ), cockpit_reports_overdue),
]

REPORT_SECTIONS = [ReportSection("judgements", report_judgements)]


def _own_duties(user: User):
    """The reports the user's own region still owes (初报, 续报, 核报): the level that owes them reports them."""
    if not user.scope_region_id or not user.has_perm("disasters.add_disasterreport"):
        return None
    return open_duties(user).filter(region_id=user.scope_region_id)


def todo_duties(user: User) -> list[TodoItem]:
    duties = _own_duties(user)
    count = duties.count() if duties is not None else 0
    return [TodoItem(key="disasters.reportduty.owed", label=_("应报送的灾情报告"), count=count,
                     url=f"{reverse('disasters:reportduty_list')}?pending=true", kind="report")]


def home_disasters(user: User, root) -> dict[str, Any] | None:
    """Disasters under way in the user's area and the reports it owes (overdue among them)."""
    if not user.has_perm("disasters.view_disasterevent"):
        return None
    events = DisasterEvent.objects.restrict(user, "view").exclude(status=EventStatus.CLOSED).count()
    duties = _own_duties(user)
    owed = duties.aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now()))) \
        if duties is not None else {"n": 0, "late": 0}
    owed_url = f"{reverse('disasters:reportduty_list')}?pending=true"
    return {"title": _("灾情报送"), "key": "disasters", "tiles": [
        {"label": _("进行中的灾害事件"), "value": events, "url": reverse("disasters:disasterevent_list")},
        {"label": _("应报送"), "value": owed["n"], "url": owed_url},
        {"label": _("已超时"), "value": owed["late"], "url": owed_url, "alert": bool(owed["late"])},
    ]}


HOME_FIGURES = [HomeFigures("disasters", "core/includes/home_tiles.html", home_disasters, order=40,
                            fits=lambda user: has_role(user, roles.GRID_MEMBER) and not user.scope_enterprise_id)]
TODO_ITEMS = [TodoSource("disasters_duties", todo_duties)]
