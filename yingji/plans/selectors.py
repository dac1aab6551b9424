"""Read queries of the plans app: the "1+9+N" plan tree, drill coverage of rescue teams, evidence hints and the
readiness roll-up. Every query that answers a user starts from `restrict(user, "view")`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from yingji.core.contributions import ReadinessHint, pick
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.core.selectors import child_prefix_length, region_root_for
from yingji.plans.models import (
    HELD_STATUSES,
    Drill,
    Plan,
    PlanKind,
    PlanStatus,
    ReadinessAssessment,
    ReadinessItemKey,
    ReadinessStatus,
)
from yingji.resources.models import RescueTeam

# -- plans ------------------------------------------------------------------------------------------------------

CURRENT = (PlanStatus.DRAFT, PlanStatus.REVIEWING, PlanStatus.REVIEWED, PlanStatus.FILED)


def current_plans(user: User):
    """The newest version of every plan in the user's jurisdiction that is not superseded or abolished."""
    return Plan.objects.restrict(user, "view").filter(status__in=CURRENT)


def plan_tree(user: User) -> list[dict[str, Any]]:
    """The plan system as nested nodes: general plans, the special and unit plans under each, and so on.

    A plan whose parent the user cannot see starts its own branch (a county's plans under the city's general
    plan, seen by a county officer).
    """
    plans = list(current_plans(user).filter(status=PlanStatus.FILED).select_related("region", "enterprise")
                 .order_by("region_id", "kind", "code"))
    by_parent: dict[int | None, list[Plan]] = {}
    ids = {p.pk for p in plans}
    for plan in plans:
        by_parent.setdefault(plan.parent_id if plan.parent_id in ids else None, []).append(plan)

    def node(plan: Plan, depth: int) -> dict[str, Any]:
        children = [node(c, depth + 1) for c in by_parent.get(plan.pk, []) if depth < 6]
        return {"plan": plan, "children": children, "count": 1 + sum(c["count"] for c in children)}

    return [node(p, 0) for p in by_parent.get(None, [])]


def plan_system_figures(user: User) -> dict[str, Any]:
    """Filed plans by kind ("1+9+N": 总体 1, 专项 9, N unit plans) and plans due for revision."""
    visible = current_plans(user)
    by_kind = dict(visible.filter(status=PlanStatus.FILED).values_list("kind").annotate(n=Count("pk")))
    today = timezone.localdate()
    return {
        "by_kind": [{"kind": k, "name": str(label), "total": by_kind.get(k, 0)} for k, label in PlanKind.choices],
        "filed": sum(by_kind.values()),
        "in_progress": visible.exclude(status=PlanStatus.FILED).count(),
        "revision_due": visible.filter(status=PlanStatus.FILED, next_revision_due__lte=today).count(),
    }


# -- drills -----------------------------------------------------------------------------------------------------

def team_drill_coverage(user: User, year: int | None = None) -> dict[str, Any]:
    """Which rescue teams in the user's jurisdiction have taken part in a drill held this year, and which not.

    Only drills the user may see count, so the figure never reveals another jurisdiction's drills.
    """
    year = year or timezone.localdate().year
    held = Drill.objects.restrict(user, "view").filter(status__in=HELD_STATUSES, held_on__year=year)
    participation = {
        row["teams"]: row for row in held.filter(teams__isnull=False).values("teams").annotate(
            drills=Count("pk", distinct=True), last=Max("held_on")).order_by()
    }
    teams = list(RescueTeam.objects.restrict(user, "view").select_related("region").order_by("region_id", "name"))
    drilled, not_drilled = [], []
    for team in teams:
        row = participation.get(team.pk)
        entry = {"team": team, "drills": row["drills"] if row else 0, "last": row["last"] if row else None}
        (drilled if row else not_drilled).append(entry)
    total = len(teams)
    return {"year": year, "total": total, "drilled": drilled, "not_drilled": not_drilled,
            "share": round(100 * len(drilled) / total, 1) if total else None}


# -- readiness --------------------------------------------------------------------------------------------------

# The items whose hint comes from another app's records (`READINESS_HINTS` in its contributions.py).
OTHER_APPS_HINTS: dict[str, ReadinessHint] = pick("READINESS_HINTS", ReadinessItemKey.TEAM, ReadinessItemKey.SITE,
                                                  ReadinessItemKey.EQUIPMENT)


def evidence_hints(region: Region, year: int) -> dict[str, str]:
    """What the platform's own records say about a township's or village's checklist items.

    Hints only: the self-assessment and the county's review decide. Read without a user because they describe the
    assessed region itself and are stored on its items.
    """
    within = code_prefix_q("region__code", region.prefix)
    hints: dict[str, str] = {}
    plan = (Plan._base_manager.filter(status=PlanStatus.FILED, region_id=region.code)
            .order_by("-filed_on").first())
    hints[ReadinessItemKey.PLAN] = (f"已备案预案：{plan.name}（备案号 {plan.filing_number}，{plan.filed_on:%Y-%m-%d}）"
                                    if plan else "平台中未查到本级已备案的应急预案")
    drills = list(Drill._base_manager.filter(within, status__in=HELD_STATUSES, held_on__year=year)
                  .order_by("-held_on")[:3])
    hints[ReadinessItemKey.DRILL] = ("本年度已实施演练：" + "；".join(f"{d.name}（{d.held_on:%m-%d}）" for d in drills)
                                     if drills else f"平台中未查到 {year} 年已实施的演练")
    for key, hint in OTHER_APPS_HINTS.items():
        hints[key] = hint.read(region, year)
    return hints


def readiness_rollup(user: User, year: int, root: Region | None = None) -> dict[str, Any]:
    """The share of townships and villages meeting the standard (county review 达标) per child region of `root`.

    Counts are one GROUP BY on the region-code prefix each for regions and passed assessments, inside the user's
    jurisdiction.
    """
    root = root or region_root_for(user)
    if root is None:
        return {"root": None, "year": year, "rows": [], "totals": _shares(0, 0, 0, 0)}
    regions = Region.objects.restrict(user, "view").filter(code_prefix_q("code", root.prefix))
    assessments = ReadinessAssessment.objects.restrict(user, "view").filter(
        code_prefix_q("region__code", root.prefix), year=year)
    length = child_prefix_length(root) if root.level not in ("township", "village") else len(root.prefix)

    def grouped(queryset, column: str, extra: Q) -> dict[tuple[str, str], int]:
        rows = (queryset.filter(extra).annotate(child=Substr(column, 1, length)).values("child", "level_key")
                .annotate(n=Count("pk")).order_by())
        return {(r["child"], r["level_key"]): r["n"] for r in rows}

    from django.db.models import F

    units = grouped(regions.annotate(level_key=F("level")), "code", Q(level__in=["township", "village"]))
    passed = grouped(assessments.annotate(level_key=F("region__level")), "region_id",
                     Q(status=ReadinessStatus.PASSED))
    if root.level in ("township", "village"):
        children = [(root.code, root.name)]
    else:
        children = list(Region.objects.filter(parent=root).order_by("code").values_list("code", "name"))
    rows = []
    for code, name in children:
        key = code[:length]
        rows.append({"code": code, "name": name, **_shares(
            units.get((key, "township"), 0), passed.get((key, "township"), 0),
            units.get((key, "village"), 0), passed.get((key, "village"), 0))})
    totals = _shares(*(sum(r[k] for r in rows) for k in ("townships", "townships_passed", "villages",
                                                          "villages_passed")))
    return {"root": root, "year": year, "rows": rows, "totals": totals}


def _shares(townships: int, townships_passed: int, villages: int, villages_passed: int) -> dict[str, Any]:
    def share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    return {"townships": townships, "townships_passed": townships_passed,
            "township_share": share(townships_passed, townships), "villages": villages,
            "villages_passed": villages_passed, "village_share": share(villages_passed, villages)}


def readiness_not_meeting(user: User, year: int, root: Region | None = None, level: str = "") -> list[dict[str, Any]]:
    """Townships and villages in scope not (yet) meeting the standard this year, with where each one stands."""
    root = root or region_root_for(user)
    if root is None:
        return []
    regions = Region.objects.restrict(user, "view").filter(code_prefix_q("code", root.prefix),
                                                           level__in=[level] if level else ["township", "village"])
    status_of = dict(ReadinessAssessment.objects.restrict(user, "view").filter(
        code_prefix_q("region__code", root.prefix), year=year).values_list("region_id", "status"))
    labels = dict(ReadinessStatus.choices)
    rows = []
    for region in regions.select_related("parent").order_by("code"):
        status = status_of.get(region.code)
        if status == ReadinessStatus.PASSED:
            continue
        rows.append({"region": region, "parent": region.parent.name if region.parent else "",
                     "level": region.get_level_display(), "status": status or "",
                     "status_label": str(labels[status]) if status else "未开展自评"})
    return rows
