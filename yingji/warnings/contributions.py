"""What warnings offers to other apps' pages (`yingji.core.contributions`): warnings in force and their 叫应 on the
leaders' cockpit, the warned areas on the command map, the warning section of the monthly report."""

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
    MapLayer,
    ReportMonth,
    ReportSection,
    TodoItem,
    TodoSource,
    has_role,
)
from yingji.core.models import Region, User
from yingji.core.todos import awaiting_in
from yingji.standards.division import ancestor_codes
from yingji.warnings.models import (
    LEVEL_COLOURS,
    Level,
    Recipient,
    RecipientStatus,
    Warning,
    WarningKind,
    WarningStatus,
)
from yingji.warnings.selectors import public_current_warnings
from yingji.warnings.states import RECIPIENT_WORKFLOW


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def cockpit_warnings(query: CockpitQuery) -> CockpitPart:
    """Warnings in force issued in the region, and 叫应 of the people in the region addressed by warnings in force."""
    # Issued in the region or issued above it for an area reaching it (`Warning.shared_from_above`): a county
    # is under the city's warning for its townships as much as under its own.
    active = Warning.objects.restrict(query.principal, "view").filter(Warning.in_force())
    by_level = dict(active.values_list("level").annotate(n=Count("pk")).order_by())
    recipients = Recipient.objects.restrict(query.principal, "view").filter(warning__status=WarningStatus.PUBLISHED,
                                                                            warning__expires__gt=timezone.now())
    counts = recipients.aggregate(total=Count("pk"), acknowledged=Count("pk", filter=Q(status=RecipientStatus.ACKNOWLEDGED)),
                                  overdue=Count("pk", filter=Recipient.unanswered()))
    total = counts["total"] or 0
    acknowledged = counts["acknowledged"] or 0
    return CockpitPart(
        values={"active_warnings": sum(by_level.values()), "ack_rate": _rate(acknowledged, total),
                "unanswered": counts["overdue"] or 0},
        details={"ack_rate": _("已应答 %(acknowledged)d / %(recipients)d 人") % {"acknowledged": acknowledged,
                                                                            "recipients": total}},
        extra={"active_warnings": {"by_level": by_level}})


def active_warnings(user: User) -> dict[str, Any]:
    """Published, unexpired warnings as areas: the drawn polygon, or else the boundaries of the warned regions."""
    warnings = list(Warning.objects.restrict(user, "view").filter(status=WarningStatus.PUBLISHED,
                                                                   expires__gt=timezone.now())
                    .order_by("-published_at", "-pk")[:200])
    through = Warning.area_regions.through
    area_ids: dict[int, list[str]] = {}
    for warning_id, region_id in through.objects.filter(warning_id__in=[w.pk for w in warnings]).values_list(
            "warning_id", "region_id"):
        area_ids.setdefault(warning_id, []).append(region_id)
    wanted = {code for codes in area_ids.values() for code in codes}
    # Only boundaries of regions the user may see are drawn; a warning's area outside them is left out.
    boundaries = dict(Region.objects.restrict(user, "view").filter(pk__in=wanted, boundary__isnull=False)
                      .values_list("pk", "boundary"))
    features = []
    for w in warnings:
        properties = {"id": w.pk, "name": w.headline, "color": LEVEL_COLOURS.get(w.level, "#555"),
                      "label": f"预警·{w.get_level_display()}", "url": reverse("warnings:warning_detail", args=[w.pk]),
                      "expires": timezone.localtime(w.expires).strftime("%Y-%m-%d %H:%M")}
        geometries = [w.area_polygon] if w.area_polygon else [boundaries[c] for c in area_ids.get(w.pk, [])
                                                              if c in boundaries]
        for geometry in geometries:
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def report_warnings(principal: User, month: ReportMonth) -> dict[str, Any]:
    """The month's warnings by level and kind, and how their recipients answered."""
    start, end = month.bounds()
    warnings = Warning.objects.restrict(principal, "view").filter(published_at__gte=start, published_at__lt=end)
    by_level = dict(warnings.values_list("level").annotate(n=Count("pk")).order_by())
    by_kind = dict(warnings.values_list("kind").annotate(n=Count("pk")).order_by())
    recipients = Recipient.objects.restrict(principal, "view").filter(warning__published_at__gte=start,
                                                                      warning__published_at__lt=end)
    counts = recipients.aggregate(total=Count("pk"),
                                  acknowledged=Count("pk", filter=Q(status=RecipientStatus.ACKNOWLEDGED)),
                                  superior=Count("pk", filter=Q(superior_called_at__isnull=False)))
    return {"total": sum(by_level.values()),
            "by_level": [{"name": str(label), "total": by_level.get(value, 0)} for value, label in Level.choices],
            "by_kind": [{"name": str(label), "total": by_kind.get(value, 0)} for value, label in WarningKind.choices
                        if by_kind.get(value)],
            "recipients": counts["total"] or 0, "acknowledged": counts["acknowledged"] or 0,
            "superior_called": counts["superior"] or 0,
            "ack_rate": _rate(counts["acknowledged"] or 0, counts["total"] or 0)}


COCKPIT_FIGURES = [
    CockpitFigures("warnings", (
        Figure("active_warnings", gettext_lazy("生效预警"), gettext_lazy("条"), "warnings:warning_list",
               {"in_force": "true"}),
        Figure("ack_rate", gettext_lazy("叫应率"), "%", "warnings:warning_list", {"in_force": "true"}),
        Figure("unanswered", gettext_lazy("超时未应答"), gettext_lazy("人"), "warnings:recipient_list",
               {"overdue": "true"}, overdue=True),
    ), cockpit_warnings, model="warnings.Warning"),
]

MAP_LAYERS = [MapLayer("warnings", gettext_lazy("生效预警区域"), active_warnings)]

REPORT_SECTIONS = [ReportSection("warnings", report_warnings)]


def _my_calls(user: User):
    """The 叫应 addressed to the person behind this account, of warnings still published, that await the answer
    (the 叫应 table's rule: only the person answers)."""
    rows = awaiting_in(RECIPIENT_WORKFLOW, user)
    if rows is None:
        return Recipient.objects.none()
    return Recipient._base_manager.filter(rows, warning__status=WarningStatus.PUBLISHED)


def todo_calls(user: User) -> list[TodoItem]:
    return [TodoItem(key="warnings.recipient.pending", label=_("待应答的预警叫应"), count=_my_calls(user).count(),
                     url=reverse("warnings:my_warnings"), kind="acknowledge")]


def home_warnings(user: User, root) -> dict[str, Any] | None:
    """Warnings in force in the user's area (for a grid member: his village), drafts waiting to be sent for
    signing, and the user's own unanswered 叫应."""
    if user.has_perm("warnings.view_warning"):
        in_force = Warning.objects.restrict(user, "view").filter(status=WarningStatus.PUBLISHED,
                                                                 expires__gt=timezone.now())
        url = reverse("warnings:warning_list") + "?status=published"
    elif root is not None:
        # Without the warning pages (a grid member): the published warnings whose area reaches his village,
        # public by law, as the public page lists them.
        codes = [root.code, *ancestor_codes(root.code)]
        in_force = Warning._base_manager.filter(pk__in=public_current_warnings().filter(
            area_regions__code__in=codes).values("pk"))
        url = reverse("warnings:public_list")
    else:
        return None
    by_level = dict(in_force.values_list("level").annotate(n=Count("pk")).order_by())
    return {"title": _("预警信息"), "key": "warnings", "tiles": [
        {"label": _("生效中的预警"), "value": sum(by_level.values()), "url": url, "alert": bool(by_level)},
        *({"label": label, "value": by_level[value], "url": url if "?" not in url else f"{url}&level={value}"}
          for value, label in Level.choices if by_level.get(value)),
        {"label": _("我的未应答叫应"), "value": _my_calls(user).count(), "url": reverse("warnings:my_warnings")},
    ]}


HOME_FIGURES = [HomeFigures("warnings", "core/includes/home_tiles.html", home_warnings, order=15,
                            fits=lambda user: not user.scope_enterprise_id
                            and has_role(user, roles.GRID_MEMBER, roles.DUTY_OFFICER, roles.MONITOR))]
TODO_ITEMS = [TodoSource("warnings_calls", todo_calls)]
