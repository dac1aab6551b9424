"""Hazard statistics for a user's jurisdiction and a period, shared by the pages, the export and the API.

Definitions (docs/hazards.md):
- found: hazards whose 发现时间 lies in the period (local dates, both ends included);
- closed: of those, the ones 已销号 now; rectification rate = closed / found;
- overdue: of those, the ones flagged overdue by the sweep and not closed;
- self-found share: 企业自查 / found; enforcement share: 部门检查 + 执法检查 + 暗查暗访 + 专项整治 / found.

For a city or county view, whole months are read from the monthly roll-up `HazardStat` (kept current by the
services); the partial months at the ends of the period, and smaller views, are counted from the hazards with two
GROUP BY queries (region range + found_at range). Either way the folding here loops over groups, never rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.core.selectors import child_prefix_length, region_root_for
from yingji.enterprises.models import Category, Enterprise
from yingji.hazards.models import (
    ENFORCEMENT_SOURCES,
    Hazard,
    HazardLevel,
    HazardSource,
    HazardStat,
    HazardStatus,
    StatDimension,
)

CLOSED = Q(status=HazardStatus.CLOSED)
OVERDUE = Q(overdue_since__isnull=False) & ~Q(status=HazardStatus.CLOSED)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        """From ?from=&to= (YYYY-MM-DD); the current year to date by default. Raises ValueError if malformed."""
        today = timezone.localdate()
        first = datetime.date.fromisoformat(start) if start else today.replace(month=1, day=1)
        last = datetime.date.fromisoformat(end) if end else today
        if last < first:
            raise ValueError(_("结束日期不能早于开始日期"))
        return cls(first, last)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end


def _figures(found: int, closed: int, overdue: int) -> dict[str, Any]:
    return {"found": found, "closed": closed, "overdue": overdue,
            "rate": round(closed * 100 / found, 1) if found else None}


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def scoped_hazards(user: User, period: Period, region: Region | None = None) -> QuerySet:
    queryset = Hazard.objects.restrict(user, "view")
    start, end = period.bounds()
    queryset = queryset.filter(found_at__gte=start, found_at__lt=end)
    if region is not None:
        queryset = queryset.filter(code_prefix_q("region__code", region.prefix))
    return queryset


def _months(period: Period) -> tuple[datetime.date, datetime.date] | None:
    """The first and last whole calendar months inside the period, or None if there is none."""
    first = period.start if period.start.day == 1 else (period.start.replace(day=28) + datetime.timedelta(days=4)
                                                         ).replace(day=1)
    after_end = period.end + datetime.timedelta(days=1)
    last = after_end.replace(day=1) - datetime.timedelta(days=1)  # the end of the last whole month
    last = last.replace(day=1)
    if first > last:
        return None
    return first, last


def _month_key(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m")


def hazard_statistics(user: User, period: Period, region: Region | None = None, top: int = 10) -> dict[str, Any]:
    """All the figures of the statistics page for `user`'s jurisdiction (or `region` inside it) and `period`.

    For a city or county view, whole months come from the monthly roll-up (HazardStat) and only the partial
    months at the ends of the period are counted from the hazards themselves; smaller views count the hazards.
    """
    root = region or region_root_for(user)
    length = child_prefix_length(root) if root is not None else 6
    # (dimension, key, child, month) -> [found, closed, overdue]
    cells: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    per_enterprise: list[QuerySet] = []  # per-enterprise sums, added up and ranked in one query
    whole = _months(period) if root is not None and root.level in ("province", "city", "county") else None
    # From 1 January (the default "year to date", or a whole year) the ranking reads one roll-up row per
    # enterprise for the year, less whatever lies after the period's end.
    by_year = whole is not None and period.start == datetime.date(period.end.year, 1, 1)
    ranking_parts = None if by_year else per_enterprise
    raw_ranges = [(period.start, period.end)]
    if whole is not None:
        first, last = whole
        next_month = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        raw_ranges = [(period.start, first - datetime.timedelta(days=1)), (next_month, period.end)]
        _add_rollup(user, region, first, last, length, cells, ranking_parts)
    for start, end in raw_ranges:
        if start <= end:
            _add_raw(scoped_hazards(user, Period(start, end), region), length, cells, ranking_parts)
    if by_year:
        per_enterprise = _year_ranking_parts(user, region, period)
    return _assemble(user, period, root, length, cells, per_enterprise, top)


def _year_ranking_parts(user, region, period: Period) -> list:
    """Per-enterprise sums from 1 January to the period's end: the year rows, minus later months and days."""
    sums = {"found": Sum("found"), "closed": Sum("closed"), "overdue": Sum("overdue")}
    stats = HazardStat.objects.restrict(user, "view")
    if region is not None:
        stats = stats.filter(code_prefix_q("region__code", region.prefix))
    year = period.end.year
    end_month = period.end.replace(day=1)
    parts: list = [stats.filter(dimension=StatDimension.ENTERPRISE_YEAR, month=datetime.date(year, 1, 1))
                   .values(enterprise_key=F("key")).annotate(**sums).order_by()]
    if period.end.month < 12:
        parts.append((stats.filter(dimension=StatDimension.ENTERPRISE, month__gt=end_month,
                                   month__lte=datetime.date(year, 12, 1))
                      .values(enterprise_key=F("key")).annotate(**sums).order_by(), -1))
    month_end = (end_month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    if period.end < month_end:
        counts = {"found": Count("pk"), "closed": Count("pk", filter=CLOSED), "overdue": Count("pk", filter=OVERDUE)}
        later = scoped_hazards(user, Period(period.end + datetime.timedelta(days=1), month_end), region)
        parts.append((later.filter(enterprise__isnull=False).values(enterprise_key=Cast("enterprise_id", CharField()))
                      .annotate(**counts).order_by(), -1))
    return parts


def _bump(target: list[int], counts) -> None:
    for i in range(3):
        target[i] += counts[i]


def _add_rollup(user, region, first, last, length, cells, per_enterprise: list | None) -> None:
    stats = HazardStat.objects.restrict(user, "view").filter(month__gte=first, month__lte=last)
    if region is not None:
        stats = stats.filter(code_prefix_q("region__code", region.prefix))
    sums = {"found": Sum("found"), "closed": Sum("closed"), "overdue": Sum("overdue")}
    # Regions and months come from the level rows alone (every hazard has one level); the other dimensions
    # need neither, which keeps the groups to a few hundred.
    levels = (stats.filter(dimension=StatDimension.LEVEL).annotate(child=Substr("region_id", 1, length))
              .values_list("key", "child", "month").annotate(**sums).order_by())
    for key, child, month, *counts in levels:
        _bump(cells[(StatDimension.LEVEL, key, child, _month_key(month))], counts)
    others = (stats.filter(dimension__in=[StatDimension.SOURCE, StatDimension.CATEGORY])
              .values_list("dimension", "key").annotate(**sums).order_by())
    for dimension, key, *counts in others:
        _bump(cells[(dimension, key, "", "")], counts)
    if per_enterprise is not None:
        per_enterprise.append(stats.filter(dimension=StatDimension.ENTERPRISE).values(enterprise_key=F("key"))
                              .annotate(**sums).order_by())


def _add_raw(queryset: QuerySet, length, cells, per_enterprise: list | None) -> None:
    counts = {"found": Count("pk"), "closed": Count("pk", filter=CLOSED), "overdue": Count("pk", filter=OVERDUE)}
    groups = (queryset.annotate(child=Substr("region_id", 1, length), stat_month=TruncMonth("found_at"))
              .values("child", "level", "source", "enterprise_category", "stat_month").annotate(**counts).order_by())
    for row in groups:
        figures = (row["found"], row["closed"], row["overdue"])
        month = _month_key(row["stat_month"])
        for dimension, key in ((StatDimension.LEVEL, row["level"]), (StatDimension.SOURCE, row["source"]),
                               (StatDimension.CATEGORY, row["enterprise_category"])):
            _bump(cells[(dimension, key, row["child"], month)], figures)
    if per_enterprise is not None:
        per_enterprise.append(queryset.filter(enterprise__isnull=False)
                              .values(enterprise_key=Cast("enterprise_id", CharField())).annotate(**counts).order_by())


def _assemble(user, period, root, length, cells, per_enterprise, top) -> dict[str, Any]:
    dims: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for (dimension, key, child, month), counts in cells.items():
        _bump(dims[dimension][key], counts)
        if dimension == StatDimension.LEVEL:
            # Every hazard has exactly one level, so the level cells add up to regions, months and totals.
            _bump(dims["child"][child], counts)
            _bump(dims["month"][month], counts)
            _bump(dims["total"][""], counts)
    total = dims["total"][""]

    def rows(bucket, choices) -> list[dict[str, Any]]:
        return [{"key": value, "name": str(label), **_figures(*bucket.get(value, (0, 0, 0)))}
                for value, label in choices]

    category_choices = [*Category.choices, ("", _("公共场所"))]
    children = (Region.objects.filter(parent=root).order_by("code").values_list("code", "name")
                if root is not None else [])
    by_region = [{"key": code, "name": name, **_figures(*dims["child"].get(code[:length], (0, 0, 0)))}
                 for code, name in children]
    months = []
    cursor = period.start.replace(day=1)
    while cursor <= period.end:
        key = cursor.strftime("%Y-%m")
        months.append({"key": key, "name": key, **_figures(*dims["month"].get(key, (0, 0, 0)))})
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    sources = dims[StatDimension.SOURCE]
    enforcement = sum(sources[s][0] for s in ENFORCEMENT_SOURCES if s in sources)
    ranked = top_enterprises(per_enterprise, top)
    names = dict(Enterprise.objects.restrict(user, "view").filter(pk__in=[pk for pk, _c in ranked])
                 .values_list("pk", "name"))
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "region": {"code": root.code, "name": root.name} if root is not None else None,
        "totals": {**_figures(*total), "major": _figures(*dims[StatDimension.LEVEL].get(HazardLevel.MAJOR, (0, 0, 0)))},
        "shares": {
            "self_found": _share(sources.get(HazardSource.SELF_CHECK, (0,))[0], total[0]),
            "enforcement": _share(enforcement, total[0]),
            "public_report": _share(sources.get(HazardSource.PUBLIC_REPORT, (0,))[0], total[0]),
        },
        "by_level": rows(dims[StatDimension.LEVEL], HazardLevel.choices),
        "by_source": rows(sources, HazardSource.choices),
        "by_category": [r for r in rows(dims[StatDimension.CATEGORY], category_choices) if r["found"] or r["key"]],
        "by_region": by_region,
        "by_month": months,
        "region_ranking": sorted(by_region, key=lambda r: (-r["found"], r["key"]))[:top],
        "enterprise_ranking": [{"key": pk, "name": names.get(pk, ""), **_figures(*counts)} for pk, counts in ranked],
    }


def top_enterprises(parts: list, top: int) -> list[tuple[int, tuple[int, int, int]]]:
    """Add up per-enterprise (key, found, closed, overdue) rows from several scoped querysets and keep the top
    ones, in the database: only `top` rows come back, however many enterprises there are.

    A part is a queryset, or (queryset, -1) for counts to take away."""
    if not parts:
        return []
    sqls, params = [], []
    for part in parts:
        part, sign = part if isinstance(part, tuple) else (part, 1)
        sql, part_params = part.query.sql_with_params()
        # Each part selects (enterprise_key, found, closed, overdue); wrapped so SQLite accepts the UNION too.
        name = f"p{len(sqls)}"
        sqls.append(f"SELECT {name}.enterprise_key, {int(sign)} * {name}.found AS found, "
                    f"{int(sign)} * {name}.closed AS closed, {int(sign)} * {name}.overdue AS overdue "
                    f"FROM ({sql}) AS {name}")
        params.extend(part_params)
    union = " UNION ALL ".join(sqls)
    statement = (f"SELECT t.enterprise_key, SUM(t.found), SUM(t.closed), SUM(t.overdue) FROM ({union}) AS t "
                 f"GROUP BY t.enterprise_key ORDER BY 2 DESC, 1 LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, top])
        return [(int(key), (int(found), int(closed), int(overdue))) for key, found, closed, overdue in cursor]
