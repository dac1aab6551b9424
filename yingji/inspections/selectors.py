"""Read queries of the enforcement app: statistics, the public (一公开) lists, draw verification, plan targets.

`enforcement_statistics` is the figure the bureaus report ("执法检查生产经营单位N个，实施行政处罚N次，责令停产整顿N家，
关闭取缔N个，罚款N万元"). Whole months are read from the roll-ups the services keep current (`EnforcementStat` per
township and month, `InspectedUnit` per enterprise and year with a month mask); the days of partial months at the
ends of the period are counted from the inspections and cases themselves. Enterprise users get their own
enterprise's figures straight from those rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import display
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.enterprises.models import Category, Enterprise, SupervisionClass
from yingji.enterprises.models import Status as EnterpriseStatus
from yingji.inspections import drawing
from yingji.inspections.models import (
    AnnualPlan,
    Case,
    Draw,
    DrawKind,
    EnforcementStat,
    Evaluation,
    EvaluationResult,
    ExpertPurpose,
    InspectedUnit,
    Inspection,
    Inspector,
    PlanStatus,
)
from yingji.inspections.services import frequency_matrix
from yingji.resources.models import Expert

STAT_KEYS = ("units_inspected", "inspections", "cases", "penalties", "suspensions", "closures", "fines_yuan")
PENALTY = Q(fine_yuan__gt=0) | Q(order_suspend=True) | Q(order_close=True)

# Days between an event and its publication on the public page (一公开); override in settings.
DEFAULT_PUBLICATION_DELAYS = {"plan": 0, "draw": 1, "inspection": 7}


def publication_delays() -> dict[str, int]:
    return {**DEFAULT_PUBLICATION_DELAYS, **getattr(settings, "INSPECTIONS_PUBLICATION_DELAYS", {})}


# -- statistics ----------------------------------------------------------------------------------------------------

def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first and last month (as first days) lying wholly inside [start, end], or None."""
    first = start if start.day == 1 else _month_after(start)
    last_start = end.replace(day=1)
    if _month_after(end) - datetime.timedelta(days=1) != end:
        last_start = (last_start - datetime.timedelta(days=1)).replace(day=1)
    return (first, last_start) if first <= last_start else None


def _edges(start: datetime.date, end: datetime.date, months) -> list[tuple[datetime.date, datetime.date]]:
    if months is None:
        return [(start, end)]
    first, last = months
    spans = []
    if start < first:
        spans.append((start, first - datetime.timedelta(days=1)))
    after = _month_after(last)
    if after <= end:
        spans.append((after, end))
    return spans


def _day_filter(field: str, spans) -> Q:
    condition = Q(pk__in=[])
    for low, high in spans:
        condition |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return condition


def _direct(user: User, spans, region: Region | None) -> tuple[dict[str, Any], QuerySet]:
    """Figures for the given day spans straight from the inspections and cases, and the enterprise ids inspected."""
    inspections = Inspection.objects.restrict(user, "view").filter(_day_filter("inspected_on", spans))
    cases = Case.objects.restrict(user, "view")
    if region is not None:
        inspections = inspections.filter(code_prefix_q("region__code", region.prefix))
        cases = cases.filter(code_prefix_q("region__code", region.prefix))
    decided = cases.filter(_day_filter("decided_on", spans)).aggregate(
        penalties=Count("pk", filter=PENALTY), suspensions=Count("pk", filter=Q(order_suspend=True)),
        closures=Count("pk", filter=Q(order_close=True)), fines_yuan=Sum("fine_yuan"))
    figures = {
        "inspections": inspections.count(),
        "cases": cases.filter(_day_filter("filed_on", spans)).count(),
        "penalties": decided["penalties"], "suspensions": decided["suspensions"], "closures": decided["closures"],
        "fines_yuan": decided["fines_yuan"] or Decimal(0),
    }
    return figures, inspections.order_by().values("enterprise_id")


MAX_YEARS = 100


def enforcement_statistics(*, user: User, start: datetime.date, end: datetime.date,
                           region: Region | None = None) -> dict[str, Any]:
    """Enforcement figures of the user's jurisdiction (or `region` inside it) for the days start..end inclusive.

    Keys: units_inspected (distinct enterprises inspected), inspections, cases (立案), penalties (decisions with a
    fine, a suspension or a closure), suspensions (责令停产整顿), closures (关闭取缔), fines_yuan (Decimal, yuan).
    Inspections count by 检查日期, cases by 立案日期, the rest by 决定日期.
    """
    if end < start:
        raise ValueError(_("结束日期不能早于开始日期"))
    # The units inspected are a UNION of one query per year (SQLite takes at most 500 terms), and the period's edges
    # are computed from the day after `end`.
    if end.year - start.year >= MAX_YEARS or end == datetime.date.max:
        raise ValueError(_("统计的起止日期相隔不能超过 %(years)d 年") % {"years": MAX_YEARS})
    if user.scope_enterprise_id:
        figures, units = _direct(user, [(start, end)], region)
        return {"units_inspected": units.distinct().count(), **figures}
    months = whole_months(start, end)
    spans = _edges(start, end, months)
    figures = {"inspections": 0, "cases": 0, "penalties": 0, "suspensions": 0, "closures": 0,
               "fines_yuan": Decimal(0)}
    unit_sets = []
    if spans:
        edge, edge_units = _direct(user, spans, region)
        figures = edge
        unit_sets.append(edge_units)
    if months is not None:
        stats = EnforcementStat.objects.restrict(user, "view").filter(month__gte=months[0], month__lte=months[1])
        units = InspectedUnit.objects.restrict(user, "view")
        if region is not None:
            stats = stats.filter(code_prefix_q("region__code", region.prefix))
            units = units.filter(code_prefix_q("region__code", region.prefix))
        sums = stats.aggregate(**{name: Sum(name) for name in figures})
        for name in figures:
            figures[name] += sums[name] or 0
        for year in range(months[0].year, months[1].year + 1):
            low = months[0].month if year == months[0].year else 1
            high = months[1].month if year == months[1].year else 12
            mask = sum(1 << (m - 1) for m in range(low, high + 1))
            unit_sets.append(units.filter(year=year).alias(hit=F("month_mask").bitand(mask)).filter(hit__gt=0)
                             .order_by().values("enterprise_id"))
    if len(unit_sets) == 1:
        count = unit_sets[0].distinct().count()
    else:
        count = unit_sets[0].union(*unit_sets[1:]).count()
    return {"units_inspected": count, **figures, "fines_yuan": Decimal(figures["fines_yuan"])}


def statistics_sentence(figures: dict[str, Any]) -> str:
    """The figures in the words of the bureaus' reports."""
    wan = (Decimal(figures["fines_yuan"]) / 10000).quantize(Decimal("0.01"))
    return _("执法检查生产经营单位%(units)s个，实施行政处罚%(penalties)s次，责令停产整顿%(suspensions)s家，"
             "关闭取缔%(closures)s个，罚款%(wan)s万元") % {
        "units": figures["units_inspected"], "penalties": figures["penalties"],
        "suspensions": figures["suspensions"], "closures": figures["closures"], "wan": wan}


# -- draws ------------------------------------------------------------------------------------------------------

def draw_rerun(draw: Draw) -> dict[str, Any]:
    """Recompute a draw from its record alone: seed, input snapshot, algorithm version.

    `same` is True when the recomputed result is identical to the stored one; `inputs_intact` when the stored
    snapshot still has the digest taken at the time of the draw.
    """
    inputs_intact = drawing.digest(draw.inputs) == draw.inputs_digest
    try:
        result = drawing.run(seed=draw.seed, version=draw.algorithm_version, inputs=draw.inputs)
    except drawing.DrawError as exc:
        return {"same": False, "inputs_intact": inputs_intact, "error": str(exc), "result": None, "digest": ""}
    result_digest = drawing.digest(result)
    return {"same": result == draw.result and result_digest == draw.result_digest, "inputs_intact": inputs_intact,
            "error": "", "result": result, "digest": result_digest}


def draw_rows(draw: Draw) -> list[dict[str, Any]]:
    """The drawn targets in draw order, with names (and the officers of each, for an inspection draw)."""
    teams = draw.teams
    if draw.kind == DrawKind.EXPERT:
        experts = Expert._base_manager.in_bulk(draw.target_ids)
        return [{"order": n, "id": pk, "target": experts.get(pk), "team": []}
                for n, pk in enumerate(draw.target_ids, start=1)]
    enterprises = Enterprise._base_manager.select_related("region").in_bulk(draw.target_ids)
    inspectors = Inspector._base_manager.in_bulk({m for team in teams.values() for m in team})
    done = set(draw.inspections.values_list("enterprise_id", flat=True))
    return [{"order": n, "id": pk, "target": enterprises.get(pk), "inspected": pk in done,
             "team": [inspectors.get(m) for m in teams.get(pk, [])]}
            for n, pk in enumerate(draw.target_ids, start=1)]


def draw_conditions(draw: Draw) -> list[tuple[str, str]]:
    """The conditions a draw was made under, as labelled lines for its page (the stored parameters are keys)."""
    params = draw.inputs.get("params", {})
    codes = [params[key] for key in ("region", "within") if params.get(key)]
    regions = dict(Region._base_manager.filter(code__in=codes).values_list("code", "name"))
    enterprise = (Enterprise._base_manager.filter(pk=params["enterprise"]).values_list("name", flat=True).first()
                  if params.get("enterprise") else None)
    categories = dict(Category.choices)
    classes = dict(SupervisionClass.choices)
    lines = [
        ("region", _("抽取单位所在区划"), regions.get(params.get("region"))),
        ("within", _("抽取范围（区域）"), regions.get(params.get("within")) if params.get("within") else _("全辖区")),
        ("year", _("年度"), params.get("year")),
        ("categories", _("企业类别"), [categories.get(c, c) for c in params.get("categories", [])] or _("不限")),
        ("classes", _("监管分级"), [classes.get(c, c) for c in params.get("classes", [])] or _("不限")),
        ("field_label", _("专业领域"), params.get("field_label")),
        ("purpose", _("用途"), dict(ExpertPurpose.choices).get(params.get("purpose"), params.get("purpose"))),
        ("enterprise", _("涉及企业"), enterprise),
        ("count", _("抽取数量"), params.get("count")),
        ("team_size", _("每组执法人员数"), params.get("team_size")),
        ("recent_days", _("近期参加回避天数"), params.get("recent_days")),
    ]
    return [(label, display.text(value)) for key, label, value in lines if key in params]


# -- plans -------------------------------------------------------------------------------------------------------

def plan_frequency_summary(plan: AnnualPlan) -> list[dict[str, Any]]:
    """Operating enterprises of the plan's region by supervision class × latest evaluation, with the inspections the
    frequency matrix requires: the key-inspection load the plan has to cover."""
    area = code_prefix_q("region__code", plan.region.prefix)
    results: dict[int, str] = {}
    for enterprise_id, result in (Evaluation._base_manager.filter(area, year__in=[plan.year - 1, plan.year])
                                  .order_by("year").values_list("enterprise_id", "result")):
        results[enterprise_id] = result
    counts: dict[tuple[str, str], int] = {}
    for pk, klass in Enterprise._base_manager.filter(area, status=EnterpriseStatus.OPERATING).values_list(
            "pk", "supervision_class"):
        key = (klass, results.get(pk, EvaluationResult.FAIR))
        counts[key] = counts.get(key, 0) + 1
    matrix = frequency_matrix()
    rows = []
    for klass, klass_label in SupervisionClass.choices:
        for result, result_label in EvaluationResult.choices:
            n = counts.get((klass, result), 0)
            rows.append({"class": klass_label, "result": result_label, "enterprises": n,
                         "per_year": matrix.get((klass, result), 0), "required": n * matrix.get((klass, result), 0)})
    return rows


# -- 一公开 ---------------------------------------------------------------------------------------------------------

def public_plans() -> QuerySet:
    """Filed plans past their publication delay. Public by design (双随机一公开): not restricted to a user."""
    cutoff = timezone.now() - datetime.timedelta(days=publication_delays()["plan"])
    return (AnnualPlan._base_manager.filter(status=PlanStatus.FILED, filed_at__lte=cutoff)
            .select_related("region").order_by("-year", "region_id"))


def public_draws() -> QuerySet:
    cutoff = timezone.now() - datetime.timedelta(days=publication_delays()["draw"])
    return (Draw._base_manager.filter(kind=DrawKind.INSPECTION, is_current=True, drawn_at__lte=cutoff)
            .select_related("region", "plan").defer("inputs").order_by("-drawn_at", "-pk"))


def public_inspections() -> QuerySet:
    """Inspection outcomes once the inspection is older than the delay."""
    delay = publication_delays()["inspection"]
    return (Inspection._base_manager.filter(inspected_on__lte=timezone.localdate() - datetime.timedelta(days=delay))
            .select_related("enterprise", "region").annotate(finding_count=Count("findings", distinct=True),
                                                             case_count=Count("cases", distinct=True))
            .order_by("-inspected_on", "-pk"))
