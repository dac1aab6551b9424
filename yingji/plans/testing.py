"""Plans, drills and assessments for tests, made through the services like any other."""

from __future__ import annotations

import datetime

from django.utils import timezone

from yingji.core.models import Organization, Region
from yingji.core.services import organization_create
from yingji.core.workflow import transition
from yingji.plans import services
from yingji.plans.models import Drill, Plan, PlanKind, ReadinessAssessment
from yingji.plans.states import PLAN_WORKFLOW


def organization(region: Region, name: str) -> Organization:
    found = Organization.objects.filter(region=region, name=name).first()
    return found or organization_create(actor=None, name=name, kind="bureau_department", region=region)


def make_plan(region: Region, name: str = "测试区生产安全事故应急预案", kind: str = PlanKind.SPECIAL,
              structure: bool = True, **fields) -> Plan:
    """A draft plan with, by default, levels Ⅲ and Ⅳ and one task per level for two organisations."""
    plan = services.plan_create(actor=None, name=name, kind=kind, region=region, **fields)
    if structure:
        fire = organization(region, f"{region.name}消防救援大队")
        police = organization(region, f"{region.name}公安分局")
        for org, duty in ((fire, "负责灭火救援"), (police, "负责警戒疏散")):
            services.plan_organization_create(actor=None, plan=plan, organization=org, role="member",
                                              responsibilities=duty)
        for level, condition in (("3", "造成3人以上死亡"), ("4", "造成人员伤亡或较大社会影响")):
            services.plan_level_create(actor=None, plan=plan, level=level, condition=condition, commander="分管副区长")
            services.plan_task_create(actor=None, plan=plan, level=level, organization=fire,
                                      task=f"{level}级：调派力量灭火救援")
            services.plan_task_create(actor=None, plan=plan, level=level, organization=police,
                                      task=f"{level}级：设置警戒区，疏散群众")
    return plan


PLAN_PATH = {
    "draft": [],
    "reviewing": ["submit"],
    "reviewed": ["submit", "approve"],
    "filed": ["submit", "approve", "file"],
    "superseded": ["submit", "approve", "file", "supersede"],
    "abolished": ["submit", "approve", "file", "abolish"],
}


def bring_plan_to(plan: Plan, status: str) -> Plan:
    for action in PLAN_PATH[status]:
        if action == "supersede":
            plan = transition(plan, workflow=PLAN_WORKFLOW, action="supersede", actor=None, reason="测试准备")
        else:
            plan = services.plan_act(plan=plan, actor=None, action=action, reason="测试准备")
    return plan


def filed_plan(region: Region, **kwargs) -> Plan:
    return bring_plan_to(make_plan(region, **kwargs), "filed")


def make_drill(region: Region, name: str = "测试化工泄漏综合演练", **fields) -> Drill:
    values = {"kind": "combined", "scenario": "储罐区发生泄漏着火", "place": "甲一社区化工路8号",
              "planned_on": timezone.localdate(), "event_subtype": "危险化学品事故", "longitude": 118.5,
              "latitude": 36.4}
    values.update(fields)
    return services.drill_create(actor=None, name=name, region=region, **values)


DRILL_PATH = {
    "planned": [],
    "in_progress": [("start", {})],
    "conducted": [("start", {}), ("finish", {})],
    "evaluated": [("start", {}), ("finish", {}), ("evaluate", {"rating": "good", "evaluation": "组织有序"})],
    "closed": [("start", {}), ("finish", {}), ("evaluate", {"rating": "good", "evaluation": "组织有序"}),
               ("close", {})],
    "cancelled": [("cancel", {})],
}


def bring_drill_to(drill: Drill, status: str) -> Drill:
    for action, extra in DRILL_PATH[status]:
        drill = services.drill_act(drill=drill, actor=None, action=action, reason="测试准备", **extra)
    return drill


def make_assessment(region: Region, year: int | None = None) -> ReadinessAssessment:
    return services.assessment_create(actor=None, region=region, year=year or timezone.localdate().year)


def deadline(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)
