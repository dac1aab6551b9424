"""Demo hazards: a few hundred across the demo enterprises and public places, in every state of the loop.

Everything is generated from `context["random"]` before anything is written, so the random stream is the same
whether or not the rows exist; a hazard is matched by its place and description (unique in the generated set),
so a second run creates nothing. Dates are relative to today so the overdue and monthly figures look current.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from yingji.core.demo import BUREAU, county_bureau, person_name
from yingji.hazards import services
from yingji.hazards.models import Hazard, HazardCategory, HazardLevel, HazardSource, SupervisionLevel

COUNT = 160
ENTERPRISE_FINDINGS = [
    (HazardCategory.EQUIPMENT, "储罐区", "可燃气体检测报警器未定期检定"),
    (HazardCategory.EQUIPMENT, "反应釜区", "反应釜安全阀超过校验有效期"),
    (HazardCategory.ELECTRICAL, "配电房", "配电柜前未铺设绝缘胶垫"),
    (HazardCategory.ELECTRICAL, "生产车间", "临时用电线路私拉乱接"),
    (HazardCategory.FIRE, "成品仓库", "消防通道堆放杂物"),
    (HazardCategory.FIRE, "办公楼", "部分灭火器压力不足"),
    (HazardCategory.HAZCHEM, "危化品库", "危险化学品未分类分库储存"),
    (HazardCategory.HAZCHEM, "装卸区", "装卸作业未设置静电接地"),
    (HazardCategory.SPECIAL_EQUIPMENT, "锅炉房", "锅炉操作人员无证上岗"),
    (HazardCategory.SPECIAL_EQUIPMENT, "厂区", "叉车未按期检验"),
    (HazardCategory.WORK_ENVIRONMENT, "粉碎车间", "粉尘浓度超标，除尘设施运行不正常"),
    (HazardCategory.WORK_ENVIRONMENT, "有限空间", "有限空间作业未设置警示标识"),
    (HazardCategory.BASIC_MANAGEMENT, "安全管理", "安全生产责任制未覆盖全部岗位"),
    (HazardCategory.BASIC_MANAGEMENT, "安全管理", "未按规定开展应急演练"),
]
PUBLIC_FINDINGS = [
    (HazardCategory.FIRE, "农贸市场", "市场内电动车违规充电"),
    (HazardCategory.FIRE, "老旧小区", "楼道堆放易燃杂物"),
    (HazardCategory.ELECTRICAL, "商业街", "户外广告牌电源线裸露"),
    (HazardCategory.OTHER, "河道护栏", "护栏缺损存在坠落风险"),
]
MAJOR_FINDINGS = [
    "液氯储罐区未设置紧急切断装置", "涉及重点监管危险化工工艺的装置未实现自动化控制",
    "重大危险源未设置可燃有毒气体泄漏检测报警装置", "甲类仓库与周边建筑防火间距不足",
    "地下矿山未设置第二安全出口", "烟花爆竹中转库超量储存",
]
ENTERPRISE_SOURCES = [
    (HazardSource.SELF_CHECK, 52), (HazardSource.DEPARTMENT_CHECK, 14), (HazardSource.ENFORCEMENT, 16),
    (HazardSource.COVERT, 6), (HazardSource.SPECIAL_CAMPAIGN, 8), (HazardSource.PUBLIC_REPORT, 4),
]
# Where each hazard ends up: closed, awaiting acceptance, rectifying, just reported.
OUTCOMES = [("closed", 48), ("awaiting_acceptance", 14), ("rectifying", 24), ("reported", 14)]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def build_hazards(rng: random.Random, enterprises: list, villages: list) -> list[dict[str, Any]]:
    today = timezone.localdate()
    records: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    majors = list(MAJOR_FINDINGS)
    while len(records) < COUNT:
        days_ago = rng.randint(1, 360)
        found = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days_ago),
                                                              datetime.time(rng.randint(8, 17), rng.choice([0, 30]))))
        outcome = _pick(rng, OUTCOMES)
        overdue = outcome in ("reported", "rectifying") and rng.random() < 0.35
        limit = rng.randint(7, 45)
        record: dict[str, Any] = {"found_at": found, "outcome": outcome, "overdue": overdue,
                                  "limit": limit, "found_by_name": person_name(rng), "responsible_person": person_name(rng)}
        if rng.random() < 0.12:
            category, place, text = rng.choice(PUBLIC_FINDINGS)
            village = rng.choice(villages)
            record.update(enterprise=None, region=village, source=_pick(rng, [(HazardSource.PUBLIC_REPORT, 3),
                                                                              (HazardSource.DEPARTMENT_CHECK, 2)]),
                          place=f"{village.name}{place}", responsible_unit=f"{village.name}村（居）委会")
        else:
            category, place, text = rng.choice(ENTERPRISE_FINDINGS)
            enterprise = rng.choice(enterprises)
            record.update(enterprise=enterprise, region=None, source=_pick(rng, ENTERPRISE_SOURCES),
                          place=f"{place}{rng.randint(1, 6)}号区域", responsible_unit=enterprise.name[:100])
        record.update(category=category, description=text, level=HazardLevel.GENERAL)
        if majors and rng.random() < 0.05:
            record.update(level=HazardLevel.MAJOR, description=majors.pop(), category=HazardCategory.HAZCHEM,
                          enterprise=rng.choice(enterprises[:30]), region=None, source=HazardSource.ENFORCEMENT,
                          place="重大危险源区域", outcome=rng.choice(["rectifying", "reported", "closed"]))
        key = (record["place"], record["description"]) if record["enterprise"] is None else (
            f"{record['enterprise'].credit_code}/{record['place']}", record["description"])
        if key in seen:
            continue
        seen.add(key)
        records.append(record)
    return records


def plan_for(description: str) -> dict[str, str]:
    return {
        "plan_objectives": f"彻底消除“{description}”隐患，恢复安全生产条件",
        "plan_methods": "局部停产，委托有资质单位完成设计与施工，分阶段实施",
        "plan_funds_materials": "企业自筹整改资金，专款专用，所需物资已采购到位",
        "plan_organization": "成立以主要负责人为组长的治理领导小组，安全部门具体负责",
        "plan_time_limits": "60日内完成治理，每周向属地应急管理部门报告进展",
        "plan_safety_measures": "治理期间设置警戒区，安排专人监护，制定专项应急处置方案并组织演练",
    }


def _key(hazard: Hazard) -> tuple[str, str]:
    if hazard.enterprise_id is None:
        return (hazard.place, hazard.description)
    return (f"{hazard.enterprise.credit_code}/{hazard.place}", hazard.description)


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    enterprises = context["enterprises"]
    records = build_hazards(rng, enterprises, context["villages"])
    existing = {_key(h) for h in Hazard.objects.select_related("enterprise")}
    today = timezone.localdate()
    created = 0
    majors = []
    for record in records:
        key = (record["place"], record["description"]) if record["enterprise"] is None else (
            f"{record['enterprise'].credit_code}/{record['place']}", record["description"])
        if key in existing:
            continue
        record = dict(record)
        outcome, overdue, limit = record.pop("outcome"), record.pop("overdue"), record.pop("limit")
        found_day = timezone.localtime(record["found_at"]).date()
        # Open hazards get a deadline still ahead unless the demo wants them overdue.
        deadline = found_day + datetime.timedelta(days=limit)
        if outcome != "closed" and not overdue and deadline < today:
            deadline = today + datetime.timedelta(days=limit)
        extra = plan_for(record["description"]) if record["level"] == HazardLevel.MAJOR else {}
        hazard = services.hazard_create(actor=None, deadline=deadline if overdue else None, **record, **extra)
        if outcome != "reported":
            hazard = services.hazard_assign(hazard=hazard, actor=None, deadline=max(deadline, today),
                                            reason="请按期完成整改")
            if overdue:
                hazard = services.hazard_update(hazard=hazard, actor=None, deadline=deadline)
        if outcome in ("awaiting_acceptance", "closed"):
            hazard = services.hazard_submit(hazard=hazard, actor=None, measures="已按要求完成整改，附整改后照片")
        if outcome == "closed":
            hazard = services.hazard_accept(hazard=hazard, actor=None, reason="现场复核，整改到位")
        if overdue:
            services.hazard_flag_overdue(hazard=hazard, actor=None)
        if hazard.level == HazardLevel.MAJOR and hazard.status != "closed":
            majors.append(hazard)
        created += 1
    organizations = context["organizations"]
    counties = {county.code[:6]: county for county in context["counties"]}
    for hazard, level in zip(majors, [SupervisionLevel.COUNTY, SupervisionLevel.CITY], strict=False):
        if level == SupervisionLevel.COUNTY:
            unit_name = county_bureau(counties[hazard.region_id[:6]].name)
        else:
            unit_name = "危险化学品安全监督管理科"
        unit = organizations.get(unit_name) or organizations[BUREAU]
        services.hazard_list_for_supervision(hazard=hazard, actor=None, level=level, unit=unit,
                                             reason="重大事故隐患，挂牌督办，限期整改")
    context["log"](f"隐患：新建 {created} 条，共 {len(records)} 条")
