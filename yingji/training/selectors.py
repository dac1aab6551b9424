"""Exam results for a user's jurisdiction: by enterprise and by region, with pass rate and average score."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from yingji.core.models import Region, User
from yingji.core.selectors import child_prefix_length, region_root_for
from yingji.enterprises.models import Enterprise
from yingji.training.models import Attempt, AttemptStatus, Candidate, Exam

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT)


def _figures(enrolled: int, sat: int, passed: int, score_sum: Decimal | None) -> dict[str, Any]:
    """参考 = sat the exam; 合格率 = passed / sat; 平均分 over those who sat; 缺考 = enrolled but never handed in."""
    average = (Decimal(score_sum or 0) / sat).quantize(Decimal("0.1"), ROUND_HALF_UP) if sat else None
    rate = (Decimal(passed * 100) / sat).quantize(Decimal("0.1"), ROUND_HALF_UP) if sat else None
    return {"enrolled": enrolled, "sat": sat, "absent": enrolled - sat, "passed": passed, "pass_rate": rate,
            "average": average}


def exam_results(user: User, exam: Exam) -> dict[str, Any]:
    """Totals, rows by enterprise and rows by the child regions of the user's scope, all inside the scope."""
    candidates = Candidate.objects.restrict(user, "view").filter(exam=exam)
    attempts = Attempt.objects.restrict(user, "view").filter(exam=exam, status__in=FINISHED)
    enrolled_by_region = dict(candidates.values_list("region_id").annotate(n=Count("pk")).order_by())
    sat_by_region = {row["region_id"]: row for row in attempts.values("region_id").annotate(
        sat=Count("pk"), passed=Count("pk", filter=Q(passed=True)), score_sum=Sum("score")).order_by()}
    enrolled_by_enterprise = dict(candidates.values_list("enterprise_id").annotate(n=Count("pk")).order_by())
    sat_by_enterprise = {row["enterprise_id"]: row for row in attempts.values("enterprise_id").annotate(
        sat=Count("pk"), passed=Count("pk", filter=Q(passed=True)), score_sum=Sum("score")).order_by()}

    names = dict(Enterprise._base_manager.filter(pk__in=enrolled_by_enterprise).values_list("pk", "name"))
    by_enterprise = []
    for enterprise_id, enrolled in enrolled_by_enterprise.items():
        row = sat_by_enterprise.get(enterprise_id, {})
        by_enterprise.append({"name": names.get(enterprise_id, ""), "enterprise_id": enterprise_id,
                              **_figures(enrolled, row.get("sat", 0), row.get("passed", 0), row.get("score_sum"))})
    by_enterprise.sort(key=lambda r: (r["pass_rate"] is None, -(r["pass_rate"] or 0), r["name"]))

    root = region_root_for(user)
    length = child_prefix_length(root) if root is not None else 6
    children = dict(Region.objects.filter(parent=root).values_list("code", "name")) if root is not None else {}
    groups: dict[str, list] = {}
    for region_id, enrolled in enrolled_by_region.items():
        row = sat_by_region.get(region_id, {})
        group = groups.setdefault(region_id[:length], [0, 0, 0, Decimal("0")])
        group[0] += enrolled
        group[1] += row.get("sat", 0)
        group[2] += row.get("passed", 0)
        group[3] += Decimal(row.get("score_sum") or 0)
    by_region = []
    for code, name in sorted(children.items()):
        enrolled, sat, passed, score_sum = groups.get(code[:length], [0, 0, 0, Decimal("0")])
        if enrolled:
            by_region.append({"code": code, "name": name, **_figures(enrolled, sat, passed, score_sum)})

    total = [sum(g[i] for g in groups.values()) for i in range(3)]
    score_total = sum((g[3] for g in groups.values()), Decimal("0"))
    return {"totals": _figures(total[0], total[1], total[2], score_total), "by_enterprise": by_enterprise,
            "by_region": by_region}
