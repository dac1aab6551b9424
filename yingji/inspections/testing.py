"""Enforcement records for tests, made through the services like any other."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from yingji.inspections import services
from yingji.inspections.models import AnnualPlan, Checklist, EvaluationTemplate, Inspection, Inspector

ELEMENTS = [
    {"name": "安全管理", "items": [{"code": "1.1", "name": "安全生产责任制", "max_score": 30},
                               {"code": "1.2", "name": "安全教育培训", "max_score": 20}]},
    {"name": "现场管理", "items": [{"code": "2.1", "name": "设备设施", "max_score": 30},
                               {"code": "2.2", "name": "作业环境", "max_score": 20}]},
]
CHECK_ITEMS = [{"code": "1", "text": "是否建立全员安全生产责任制", "basis": "《安全生产法》第二十二条"},
               {"code": "2", "text": "特种作业人员是否持证上岗", "basis": "《安全生产法》第三十条"}]
_serial = itertools.count(1)


def make_template(name: str = "测试评价模板", region=None) -> EvaluationTemplate:
    """A template kept by `region` (by default the top bureau's, as the system makes them)."""
    return services.evaluation_template_create(actor=None, name=name, elements=ELEMENTS, region=region)


def scores_for(total: int) -> dict[str, str]:
    """Item scores adding up to `total` (0-100) over ELEMENTS."""
    left = total
    scores = {}
    for element in ELEMENTS:
        for item in element["items"]:
            value = min(item["max_score"], left)
            scores[item["code"]] = str(value)
            left -= value
    return scores


def make_inspector(region, name: str | None = None, **fields) -> Inspector:
    number = next(_serial)
    return services.inspector_create(actor=None, name=name or f"执法员{number:03d}", certificate_no=f"ZF{number:08d}",
                                     region=region, organization="测试应急管理局", **fields)


def make_checklist(category: str = "hazchem_production", region=None) -> Checklist:
    """A checklist kept by `region` (by default the top bureau's, as the system makes them)."""
    return services.checklist_create(actor=None, region=region, category=category,
                                     name=f"测试检查表{next(_serial)}", items=CHECK_ITEMS)


def make_plan(region, year: int | None = None, status: str = "draft") -> AnnualPlan:
    plan = services.plan_create(actor=None, region=region, year=year or timezone.localdate().year,
                                title=f"测试执法计划{next(_serial)}", key_q1=2, random_q1=3)
    for action in {"draft": [], "submitted": ["submit"], "approved": ["submit", "approve"],
                   "filed": ["submit", "approve", "file"]}[status]:
        plan = services.plan_act(plan=plan, actor=None, action=action)
    return plan


def make_inspection(enterprise, inspectors, inspected_on: datetime.date | None = None, **fields) -> Inspection:
    return services.inspection_create(actor=None, enterprise=enterprise, kind=fields.pop("kind", "random"),
                                      inspected_on=inspected_on or timezone.localdate(), inspectors=inspectors,
                                      **fields)


# The system's path to each case state: (action, extra arguments) taken in order.
DECISION = {"decision_no": "测应急罚〔2026〕1号", "order_rectify": True,
            "rectify_deadline": datetime.date(2099, 1, 1), "fine_yuan": Decimal("20000")}
CASE_PATH = {
    "filed": [],
    "investigating": [("investigate", {})],
    "notified": [("investigate", {}), ("notify", {})],
    "decided": [("investigate", {}), ("notify", {}), ("decide", DECISION)],
    "executing": [("investigate", {}), ("notify", {}), ("decide", DECISION), ("execute", {})],
    "closed": [("investigate", {}), ("notify", {}), ("decide", DECISION), ("execute", {}), ("close", {})],
}


def bring_case_to(case, status: str):
    for action, extra in CASE_PATH[status]:
        case = services.case_act(case=case, actor=None, action=action, reason="测试准备", **extra)
    return case
