"""Demo plans, drills and readiness assessments of the demo city.

A "1+9+N" system: the city's general plan, nine special plans under it, department plans, a general plan per
county, township plans and the managed enterprises' plans, each with levels, command organisation and tasks, most
filed (one due for revision, some still in review, one revised into a second version). Drills this year in every
county in every state, one run in exercise mode; readiness assessments of every township and of many villages in
several states. Rows are matched by name (plans, drills) or by region and year (assessments), so a second run
creates nothing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from yingji.core.demo import BUREAU, RESCUE_TEAM, county_bureau, township_office
from yingji.core.models import Organization
from yingji.plans import services
from yingji.plans.models import (
    TOWNSHIP_ITEMS,
    VILLAGE_ITEMS,
    Drill,
    DrillStatus,
    Plan,
    PlanKind,
    PlanStatus,
    ReadinessAssessment,
    ReadinessStatus,
)

# Its own stream: the shared one is consumed differently by earlier apps on a second run, and rows here are
# matched by names and states drawn from it.
PLANS_SEED = 20260108

CITY_SPECIALS = [
    ("青禾市生产安全事故应急预案", "工矿商贸生产安全事故", "安全生产基础科"),
    ("青禾市危险化学品事故应急预案", "危险化学品事故", "危险化学品安全监督管理科"),
    ("青禾市防汛抗旱应急预案", "洪涝灾害、干旱灾害", "防汛抗旱科"),
    ("青禾市森林火灾应急预案", "森林草原火灾", "风险监测和综合减灾科"),
    ("青禾市地震应急预案", "地震灾害", "风险监测和综合减灾科"),
    ("青禾市地质灾害应急预案", "地质灾害", "风险监测和综合减灾科"),
    ("青禾市自然灾害救助应急预案", "自然灾害救助", "救灾和物资保障科"),
    ("青禾市道路交通事故应急预案", "道路交通事故", "应急指挥中心"),
    ("青禾市城镇燃气事故应急预案", "燃气事故", "安全生产执法监督科"),
]
DEPARTMENT_PLANS = [
    ("青禾市住房和城乡建设局建设工程事故应急预案", "青禾市住房和城乡建设局", 0),
    ("青禾市交通运输局公路水路突发事件应急预案", "青禾市交通运输局", 7),
    ("青禾市水利局水旱灾害防御应急预案", "青禾市水利局", 2),
]
LEVEL_CONDITIONS = {
    "1": "造成或可能造成30人以上死亡（含失踪），或超出本级处置能力",
    "2": "造成或可能造成10人以上30人以下死亡（含失踪）",
    "3": "造成或可能造成3人以上10人以下死亡（含失踪）",
    "4": "造成或可能造成3人以下死亡或10人以下重伤，或有较大社会影响",
}
LEVEL_COMMANDERS = {"1": "市长", "2": "分管副市长", "3": "应急管理局局长", "4": "应急管理局分管副局长"}
DUTIES = {
    "bureau": ("负责指挥部日常工作，组织协调应急处置", "组织会商研判，提出响应建议，协调救援力量和物资",
               "派出工作组赶赴现场，统筹协调处置工作"),
    "department": ("负责本行业领域的应急处置和技术支持", "组织本行业专业力量开展抢险救援",
                   "做好本行业领域信息报送和次生灾害防范"),
    "rescue": ("承担综合性应急救援任务", "调派救援力量赶赴现场开展救援", "组织力量开展搜救和抢险"),
    "township": ("负责辖区先期处置和群众转移安置", "组织基层力量开展先期处置、疏散群众",
                 "做好群众转移安置和信息报送"),
}
DRILL_SCENARIOS = [
    ("危险化学品泄漏事故", "combined", "储罐区发生液氯泄漏，现场有人员中毒", "危险化学品事故"),
    ("防汛抢险", "field", "强降雨致河道水位超警戒，堤防出现管涌", "洪涝灾害"),
    ("森林火灾扑救", "field", "山林发生火灾，火势向村庄蔓延", "森林草原火灾"),
    ("地震应急", "tabletop", "辖区发生5.5级地震，部分房屋倒塌", "地震灾害"),
    ("燃气泄漏爆炸", "combined", "老旧小区燃气管道泄漏并发生爆燃", "燃气事故"),
    ("道路交通事故救援", "field", "高速公路多车相撞，危化品车辆侧翻", "道路交通事故"),
    ("地质灾害避险转移", "tabletop", "持续降雨诱发山体滑坡隐患", "地质灾害"),
]
DRILL_OUTCOMES = [(DrillStatus.CLOSED, 3), (DrillStatus.EVALUATED, 3), (DrillStatus.CONDUCTED, 2),
                  (DrillStatus.PLANNED, 3), (DrillStatus.CANCELLED, 1)]
PROBLEMS = [
    ("现场指挥部与前方救援队伍通讯不畅", "配备应急通信车和卫星电话，明确通讯联络机制"),
    ("群众疏散路线标识不清", "完善疏散路线标识，更新疏散示意图"),
    ("部分队员个人防护装备佩戴不规范", "组织防护装备专项培训和考核"),
    ("物资调拨响应时间偏长", "优化物资调拨流程，前置储备点"),
    ("信息报送不及时", "明确信息报送时限和责任人"),
]
READINESS_OUTCOMES = [(ReadinessStatus.PASSED, 5), (ReadinessStatus.SUBMITTED, 2), (ReadinessStatus.FAILED, 1),
                      (ReadinessStatus.DRAFT, 2)]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _org(context: dict, name: str) -> Organization | None:
    return context["organizations"].get(name)


def _plan_specs(rng: random.Random, context: dict) -> list[dict[str, Any]]:
    """Every plan of the system: (name, kind, region, parent name, organisations, levels, age, final state)."""
    today = timezone.localdate()
    city, counties, townships = context["city"], context["counties"], context["townships"]
    specs: list[dict[str, Any]] = []

    def add(name, kind, region, parent, organizations, levels, event_types, state="filed", enterprise=None,
            organization=None):
        # Filed between 3 years and 1 month ago: the oldest come due for revision.
        age = rng.randint(30, 3 * 365 - 20)
        specs.append({"name": name, "kind": kind, "region": region, "parent": parent, "organizations": organizations,
                      "levels": levels, "event_types": event_types, "state": state, "enterprise": enterprise,
                      "organization": organization, "filed_on": today - datetime.timedelta(days=age)})

    city_orgs = [("bureau", BUREAU, "headquarters"), ("rescue", RESCUE_TEAM, "member")]
    city_orgs += [("department", name, "member") for name in ("青禾市住房和城乡建设局", "青禾市交通运输局", "青禾市水利局")]
    general = "青禾市突发事件总体应急预案"
    add(general, PlanKind.GENERAL, city, None, city_orgs, ["1", "2", "3", "4"], "各类突发事件",
        organization=BUREAU)
    for index, (name, event_types, department) in enumerate(CITY_SPECIALS):
        state = "reviewing" if index == 8 else "filed"
        if index == 4:
            # One plan past its 3-year revision date, for the reminder sweep and the revision list.
            rng.randint(30, 3 * 365 - 20)
            specs.append({"name": name, "kind": PlanKind.SPECIAL, "region": city, "parent": general,
                          "organizations": [("bureau", department, "office"), ("rescue", RESCUE_TEAM, "member")],
                          "levels": ["2", "3", "4"], "event_types": event_types, "state": state, "enterprise": None,
                          "organization": department, "filed_on": today - datetime.timedelta(days=3 * 365 + 15)})
            rng.choice(["青禾市住房和城乡建设局", "青禾市交通运输局", "青禾市工业和信息化局"])
            continue
        add(name, PlanKind.SPECIAL, city, general,
            [("bureau", department, "office"), ("rescue", RESCUE_TEAM, "member"),
             ("department", rng.choice(["青禾市住房和城乡建设局", "青禾市交通运输局", "青禾市工业和信息化局"]), "member")],
            ["2", "3", "4"], event_types, state=state, organization=department)
    for name, department, special in DEPARTMENT_PLANS:
        add(name, PlanKind.DEPARTMENT, city, CITY_SPECIALS[special][0],
            [("department", department, "lead"), ("rescue", RESCUE_TEAM, "member")], ["3", "4"],
            CITY_SPECIALS[special][1], organization=department)
    for county in counties:
        bureau = county_bureau(county.name)
        county_general = f"{county.name}突发事件总体应急预案"
        add(county_general, PlanKind.COUNTY, county, general, [("bureau", bureau, "headquarters")], ["3", "4"],
            "各类突发事件", organization=bureau)
        add(f"{county.name}生产安全事故应急预案", PlanKind.SPECIAL, county, county_general,
            [("bureau", bureau, "office")], ["3", "4"], "生产安全事故",
            state=rng.choice(["filed", "filed", "draft"]), organization=bureau)
        for township in [t for t in townships if t.parent_id == county.code][:3]:
            office = township_office(township.name)
            add(f"{township.name}突发事件应急预案", PlanKind.TOWNSHIP, township, county_general,
                [("township", office, "headquarters"), ("bureau", bureau, "member")], ["4"], "各类突发事件",
                state=rng.choice(["filed", "filed", "filed", "reviewed"]), organization=office)
    for enterprise in context.get("enterprises", [])[:8]:
        add(f"{enterprise.name}生产安全事故应急预案", PlanKind.ENTERPRISE, enterprise.region,
            "青禾市危险化学品事故应急预案" if enterprise.category.startswith("hazchem") else "青禾市生产安全事故应急预案",
            [("bureau", county_bureau(next(c.name for c in counties if enterprise.region_id.startswith(c.prefix))),
              "member")], ["4"], "生产安全事故", state=rng.choice(["filed", "filed", "reviewing"]),
            enterprise=enterprise)
    # 村居预案: the first village of each of county 1's townships.
    first = counties[0]
    for township in [t for t in townships if t.parent_id == first.code][:3]:
        village = next((v for v in context["villages"] if v.parent_id == township.code), None)
        if village is not None:
            add(f"{village.name}突发事件应急预案", PlanKind.VILLAGE, village, f"{township.name}突发事件应急预案",
                [("township", township_office(township.name), "lead")], ["4"], "各类突发事件",
                state="filed")
    return specs


def _build_plan(spec: dict[str, Any], context: dict, plans: dict[str, Plan]) -> Plan | None:
    organizations = [(kind, _org(context, name), role) for kind, name, role in spec["organizations"]]
    organizations = [(kind, org, role) for kind, org, role in organizations if org is not None]
    if not organizations:
        return None
    plan = services.plan_create(
        actor=None, name=spec["name"], kind=spec["kind"], region=spec["region"], enterprise=spec["enterprise"],
        parent=plans.get(spec["parent"]), organization=_org(context, spec["organization"] or ""),
        event_types=spec["event_types"], summary=f"适用于{spec['region'].name}范围内{spec['event_types']}的应对工作。",
        issued_on=spec["filed_on"])
    for kind, org, role in organizations:
        services.plan_organization_create(actor=None, plan=plan, organization=org, role=role,
                                          responsibilities=DUTIES[kind][0])
    for level in spec["levels"]:
        commander = LEVEL_COMMANDERS[level] if spec["region"].level == "city" else "分管负责同志"
        services.plan_level_create(actor=None, plan=plan, level=level, condition=LEVEL_CONDITIONS[level],
                                   commander=commander)
        for index, (kind, org, _role) in enumerate(organizations):
            services.plan_task_create(actor=None, plan=plan, level=level, organization=org,
                                      task=DUTIES[kind][1 + (index + int(level)) % 2])
    path = {"draft": [], "reviewing": ["submit"], "reviewed": ["submit", "approve"],
            "filed": ["submit", "approve", "file"]}[spec["state"]]
    for action in path:
        extra = {"filed_on": spec["filed_on"]} if action == "file" else {}
        plan = services.plan_act(plan=plan, actor=None, action=action, reason="演示数据", **extra)
    return plan


def _seed_plans(rng: random.Random, context: dict) -> dict[str, Plan]:
    specs = _plan_specs(rng, context)
    existing = {(p.name, p.region_id): p for p in Plan.objects.filter(version=1)}
    plans: dict[str, Plan] = {}
    created = 0
    for spec in specs:
        plan = existing.get((spec["name"], spec["region"].code))
        if plan is None:
            plan = _build_plan(spec, context, plans)
            if plan is None:
                continue
            created += 1
        plans[spec["name"]] = plan
    # One revision under way: the city's 防汛 plan has a second version being drafted.
    flood = plans.get("青禾市防汛抗旱应急预案")
    if flood is not None and not Plan.objects.filter(code=flood.code, version=2).exists() and \
            flood.status == PlanStatus.FILED:
        services.plan_new_version(plan=flood, actor=None)
        created += 1
    context["log"](f"应急预案：新建 {created} 个，共 {Plan.objects.count()} 个（含历史版本）")
    return plans


def _drill_specs(rng: random.Random, context: dict, plans: dict[str, Plan]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    teams = context.get("rescue_teams", [])
    specs = []
    for county in context["counties"]:
        villages = [v for v in context["villages"] if v.code.startswith(county.prefix)]
        county_plans = [p for p in plans.values() if p.region_id in (county.code, context["city"].code)
                        and p.status == PlanStatus.FILED]
        county_teams = [t for t in teams if t.region_id.startswith(county.prefix)]
        for index in range(5):
            topic, kind, scenario, subtype = DRILL_SCENARIOS[(index + len(specs)) % len(DRILL_SCENARIOS)]
            village = rng.choice(villages)
            if index == 0 and county == context["counties"][0]:
                village = villages[0]  # the demo grid member's village sees a drill of its own
            status = _pick(rng, DRILL_OUTCOMES)
            days = (today - start).days
            planned = start + datetime.timedelta(days=rng.randint(0, max(days - 1, 0))) if status not in (
                DrillStatus.PLANNED,) else today + datetime.timedelta(days=rng.randint(5, 40))
            specs.append({
                "name": f"{village.parent.name}{topic}{'桌面推演' if kind == 'tabletop' else '应急演练'}",
                "kind": kind, "scenario": scenario, "event_subtype": subtype, "region": village,
                "place": f"{village.name}", "planned_on": planned, "status": status,
                "plan": rng.choice(county_plans) if county_plans else None,
                "teams": rng.sample(county_teams, min(len(county_teams), rng.randint(1, 2))) if county_teams else [],
                "participants": f"{county.name}应急管理局、{village.parent.name}、{village.name}",
                "participant_count": rng.randint(20, 200), "problems": rng.sample(PROBLEMS, rng.randint(1, 3)),
                "exercise": False,
            })
    # The managed enterprises' own drills.
    for enterprise in context.get("enterprises", [])[:3]:
        own = [p for p in plans.values() if p.enterprise_id == enterprise.pk and p.status == PlanStatus.FILED]
        status = rng.choice([DrillStatus.EVALUATED, DrillStatus.CLOSED, DrillStatus.PLANNED])
        specs.append({
            "name": f"{enterprise.name}火灾疏散应急演练", "kind": "field", "scenario": "生产车间起火，组织全员疏散",
            "event_subtype": "火灾事故", "region": enterprise.region, "enterprise": enterprise,
            "place": enterprise.address or enterprise.name,
            "planned_on": today - datetime.timedelta(days=rng.randint(10, 200)) if status != DrillStatus.PLANNED
            else today + datetime.timedelta(days=20),
            "status": status, "plan": own[0] if own else None, "teams": [], "participants": "全体员工",
            "participant_count": rng.randint(30, 300), "problems": rng.sample(PROBLEMS, 1), "exercise": False})
    # One drill ran in exercise mode through the incident screens.
    for spec in specs:
        if spec["status"] == DrillStatus.CLOSED and spec["plan"] is not None:
            spec["exercise"] = True
            break
    return specs


def _seed_drills(rng: random.Random, context: dict, plans: dict[str, Plan]) -> None:
    specs = _drill_specs(rng, context, plans)
    existing = {(d.name, d.region_id) for d in Drill.objects.all()}
    created = 0
    today = timezone.localdate()
    for spec in specs:
        if (spec["name"], spec["region"].code) in existing:
            continue
        existing.add((spec["name"], spec["region"].code))
        region = spec["region"]
        drill = services.drill_create(
            actor=None, name=spec["name"], kind=spec["kind"], plan=spec["plan"], region=region,
            enterprise=spec.get("enterprise"),
            scenario=spec["scenario"], event_subtype=spec["event_subtype"], place=spec["place"],
            longitude=region.longitude, latitude=region.latitude, planned_on=spec["planned_on"],
            participants=spec["participants"], participant_count=spec["participant_count"], teams=spec["teams"])
        created += 1
        status = spec["status"]
        if status == DrillStatus.CANCELLED:
            services.drill_cancel(drill=drill, actor=None, reason="汛期抢险任务冲突，延期另行安排")
            continue
        if status == DrillStatus.PLANNED:
            continue
        level = spec["plan"].levels.order_by("-level").values_list("level", flat=True).first() \
            if spec["exercise"] else ""
        drill = services.drill_start(drill=drill, actor=None, exercise=spec["exercise"], level=level or "")
        drill = services.drill_finish(drill=drill, actor=None, held_on=min(spec["planned_on"], today),
                                      summary="按演练方案完成各环节，参演人员到位。")
        if status == DrillStatus.CONDUCTED:
            continue
        improvements = [services.improvement_create(
            actor=None, drill=drill, problem=problem, measure=measure, responsible_unit=spec["participants"][:20],
            deadline=today + datetime.timedelta(days=30)) for problem, measure in spec["problems"]]
        drill = services.drill_evaluate(drill=drill, actor=None, rating="good" if len(improvements) < 3 else "pass",
                                        evaluation="演练组织有序，预案可操作性较强，发现问题已明确整改措施。")
        if status == DrillStatus.CLOSED:
            for improvement in improvements:
                improvement = services.improvement_act(improvement=improvement, actor=None, action="submit",
                                                       reason="已按要求整改完毕")
                services.improvement_act(improvement=improvement, actor=None, action="accept")
            services.drill_close(drill=drill, actor=None)
        elif improvements:
            services.improvement_act(improvement=improvements[0], actor=None, action="submit", reason="已落实整改")
    context["log"](f"应急演练：新建 {created} 次，共 {Drill.objects.count()} 次")


def _seed_readiness(rng: random.Random, context: dict) -> None:
    year = timezone.localdate().year
    # Every township, the first village of each (the demo grid member's among them) and a share of the others.
    targets = list(context["townships"]) + [v for v in context["villages"]
                                            if rng.random() < 0.4 or v.code.endswith("001")]
    outcomes = [(_pick(rng, READINESS_OUTCOMES), rng.random()) for _ in targets]
    existing = set(ReadinessAssessment.objects.filter(year=year).values_list("region_id", flat=True))
    created = 0
    for region, (status, chance) in zip(targets, outcomes, strict=True):
        if region.code in existing:
            continue
        assessment = services.assessment_create(actor=None, region=region, year=year)
        created += 1
        keys = TOWNSHIP_ITEMS if region.level == "township" else VILLAGE_ITEMS
        for index, item in enumerate(assessment.items.order_by("pk")):
            met = status == ReadinessStatus.PASSED or index < len(keys) - 1 or chance < 0.5
            services.readiness_item_update(item=item, actor=None, self_met=met,
                                           description=f"{item.get_key_display()}：已落实，材料见附件" if met else "")
        if status == ReadinessStatus.DRAFT:
            continue
        assessment = services.assessment_act(assessment=assessment, actor=None, action="submit")
        if status == ReadinessStatus.SUBMITTED:
            continue
        items = list(assessment.items.order_by("pk"))
        for index, item in enumerate(items):
            ok = status == ReadinessStatus.PASSED or index != len(items) - 1
            services.readiness_item_review(item=item, actor=None, review_met=ok,
                                           review_note="" if ok else "现场核查未见相关材料")
        action = "pass" if status == ReadinessStatus.PASSED else "fail"
        services.assessment_act(assessment=assessment, actor=None, action=action,
                                reason="经现场核查，符合标准" if action == "pass" else "部分项目不具备，限期整改")
    context["log"](f"基层应急能力评估：新建 {created} 个")


def seed(context: dict) -> None:
    rng = random.Random(PLANS_SEED)
    plans = _seed_plans(rng, context)
    _seed_drills(rng, context, plans)
    _seed_readiness(rng, context)
