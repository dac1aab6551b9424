"""Hazards for tests, created through the service like any other."""

import datetime

import factory
from django.utils import timezone

from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardCategory, HazardLevel, HazardSource

PLAN = {
    "plan_objectives": "消除储罐区泄漏风险", "plan_methods": "更换阀门并加装检测报警", "plan_funds_materials": "资金20万元已落实",
    "plan_organization": "设备部，负责人王五", "plan_time_limits": "30日内完成", "plan_safety_measures": "停用储罐，设置警戒，制定处置方案",
}


class HazardFactory(factory.Factory):
    class Meta:
        model = Hazard

    description = factory.Sequence(lambda n: f"测试隐患描述{n:04d}")
    place = "储罐区"
    category = HazardCategory.EQUIPMENT
    level = HazardLevel.GENERAL
    source = HazardSource.SELF_CHECK
    found_by_name = "张三"
    found_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    responsible_person = "李四"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.hazard_create(actor=kwargs.pop("actor", None), **kwargs)


# The system's path to each state, for test setup: (action, extra arguments) taken in order.
PATH = {
    "reported": [],
    "rectifying": [("assign", {})],
    "awaiting_acceptance": [("assign", {}), ("submit", {})],
    "closed": [("assign", {}), ("submit", {}), ("accept", {})],
}


def bring_to(hazard: Hazard, status: str) -> Hazard:
    """Move a fresh hazard to `status` through the services, as the system (actor=None)."""
    for action, extra in PATH[status]:
        hazard = services.hazard_act(hazard=hazard, actor=None, action=action, reason="测试准备", **extra)
    return hazard
