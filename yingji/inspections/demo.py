"""Demo enforcement: an evaluation template, last year's evaluations, this year's plans, quarterly draws with the
inspections made from them, findings turned into hazards, cases in every state, officers and checklists.

Everything random comes from this app's own fixed-seed stream (see `seed`), drawn before the rows it describes are
looked up where that is simple; rows are matched by natural keys (template name, certificate number, enterprise and year, plan region
and year, draw plan and quarter), so a second run creates nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yingji.core.demo import person_name
from yingji.core.models import User
from yingji.enterprises.models import Enterprise
from yingji.inspections import services
from yingji.inspections.models import (
    AnnualPlan,
    Checklist,
    Draw,
    Evaluation,
    EvaluationTemplate,
    Inspection,
    Inspector,
    WarningInterview,
)

DEMO_SEED = 20261123
TEMPLATE_NAME = "青禾市企业安全生产全要素量化评价表"
ELEMENTS = [
    {"name": "安全生产责任与管理机构", "items": [
        {"code": "1.1", "name": "全员安全生产责任制建立与落实", "max_score": 10},
        {"code": "1.2", "name": "安全管理机构和人员配备", "max_score": 8}]},
    {"name": "安全投入与教育培训", "items": [
        {"code": "2.1", "name": "安全生产费用提取和使用", "max_score": 8},
        {"code": "2.2", "name": "从业人员安全教育培训", "max_score": 8},
        {"code": "2.3", "name": "特种作业人员持证上岗", "max_score": 6}]},
    {"name": "双重预防机制", "items": [
        {"code": "3.1", "name": "安全风险分级管控", "max_score": 12},
        {"code": "3.2", "name": "隐患排查治理闭环", "max_score": 12}]},
    {"name": "现场安全管理", "items": [
        {"code": "4.1", "name": "设备设施完好", "max_score": 10},
        {"code": "4.2", "name": "作业环境与危险作业管理", "max_score": 10}]},
    {"name": "应急管理", "items": [
        {"code": "5.1", "name": "应急预案与演练", "max_score": 8},
        {"code": "5.2", "name": "应急物资与救援队伍", "max_score": 8}]},
]
CHECKLISTS = {
    "hazchem_production": ("危险化学品生产企业执法检查表", [
        ("全员安全生产责任制是否建立并落实", "《安全生产法》第二十二条"),
        ("重大危险源是否登记建档并进行定期检测、评估、监控", "《安全生产法》第四十条"),
        ("涉及重点监管危险化工工艺的装置是否实现自动化控制", "《危险化学品安全管理条例》第二十条"),
        ("可燃有毒气体检测报警装置是否完好并定期检定", "GB/T 50493"),
        ("特种作业人员是否持证上岗", "《安全生产法》第三十条")]),
    "hazchem_trade": ("危险化学品经营企业执法检查表", [
        ("是否取得危险化学品经营许可证", "《危险化学品安全管理条例》第三十三条"),
        ("危险化学品是否分类分库储存", "《危险化学品安全管理条例》第二十四条"),
        ("是否建立危险化学品购销记录", "《危险化学品安全管理条例》第四十一条")]),
    "machinery": ("机械制造企业执法检查表", [
        ("设备防护装置是否齐全有效", "GB/T 8196"),
        ("粉尘涉爆场所除尘系统是否符合要求", "《工贸企业粉尘防爆安全规定》"),
        ("有限空间作业是否执行审批制度", "《工贸企业有限空间作业安全规定》")]),
}
FINDINGS = [
    ("equipment", "储罐区", "可燃气体检测报警器未定期检定"),
    ("electrical", "配电房", "配电柜前未铺设绝缘胶垫"),
    ("fire", "成品仓库", "消防通道堆放杂物"),
    ("hazchem", "危化品库", "危险化学品未分类分库储存"),
    ("special_equipment", "锅炉房", "特种作业人员无证上岗"),
    ("basic_management", "安全管理", "未按规定开展应急演练"),
]
VIOLATIONS = [
    ("未如实记录安全生产教育和培训情况", "《安全生产法》第二十八条", "《安全生产法》第九十七条"),
    ("特种作业人员未取得相应资格上岗作业", "《安全生产法》第三十条", "《安全生产法》第九十七条"),
    ("未对重大危险源采取安全监控措施", "《安全生产法》第四十条", "《安全生产法》第一百零一条"),
    ("生产经营场所与员工宿舍在同一座建筑物内", "《安全生产法》第四十二条", "《安全生产法》第一百零五条"),
]
# Where the demo's cases end up.
CASE_STATES = ["filed", "investigating", "notified", "decided", "executing", "closed", "closed", "decided"]


def _scores(rng: random.Random, quality: float) -> dict[str, str]:
    scores = {}
    for element in ELEMENTS:
        for item in element["items"]:
            share = min(1.0, max(0.0, rng.gauss(quality, 0.12)))
            scores[item["code"]] = str(round(item["max_score"] * share * 2) / 2)
    return scores


def _ensure_setup(context: dict[str, Any], rng: random.Random) -> tuple[EvaluationTemplate, dict[str, list]]:
    # The city bureau keeps the template, the checklists and the frequency matrix; every county uses them.
    city = context["city"]
    template = EvaluationTemplate.objects.filter(region=city, name=TEMPLATE_NAME, is_active=True).first()
    if template is None:
        template = services.evaluation_template_create(actor=None, name=TEMPLATE_NAME, elements=ELEMENTS, region=city)
    for category, (name, items) in CHECKLISTS.items():
        if not Checklist.objects.filter(region=city, name=name).exists():
            services.checklist_create(actor=None, region=city, category=category, name=name, items=[
                {"code": str(n), "text": text, "basis": basis} for n, (text, basis) in enumerate(items, start=1)])
    services.frequency_set(actor=None, matrix=services.DEFAULT_FREQUENCY)
    users = context["users"]
    officers: dict[str, list] = {}
    bureaus = [context["city"], *context["counties"]]
    names = {(region.code, n): person_name(rng) for region in bureaus for n in range(1, 9)}
    for region in bureaus:
        officers[region.code] = []
        for n in range(1, 9):
            certificate = f"QH{region.code[:6]}{n:03d}"
            inspector = Inspector.objects.filter(certificate_no=certificate).first()
            if inspector is None:
                user = None
                if n == 1:
                    username = "city_supervisor" if region == context["city"] else (
                        f"county{context['counties'].index(region) + 1}_supervisor")
                    user = users.get(username)
                    names[(region.code, n)] = (user.real_name if user else names[(region.code, n)])
                inspector = services.inspector_create(
                    actor=None, name=names[(region.code, n)], certificate_no=certificate, region=region,
                    organization="青禾市应急管理局" if region == context["city"] else f"{region.name}应急管理局",
                    user=user)
            officers[region.code].append(inspector)
    return template, officers


def seed(context: dict[str, Any]) -> None:
    # A stream of this app's own, fixed: the shared context["random"] reaches here in a different state when an
    # earlier app consumes differently on a second run, and then the evaluated enterprises would differ too.
    rng = random.Random(DEMO_SEED)
    log = context["log"]
    today = timezone.localdate()
    year = today.year
    template, officers = _ensure_setup(context, rng)
    enterprises = sorted(context["enterprises"], key=lambda e: e.credit_code)

    # Last year's evaluations (they set this year's inspection frequency), about one in three enterprises.
    managed = set(User.objects.filter(scope_enterprise__isnull=False).values_list("scope_enterprise_id", flat=True))
    sample = rng.sample(enterprises, len(enterprises) // 3)
    evaluated = sorted({*sample, *(e for e in enterprises if e.pk in managed)}, key=lambda e: e.credit_code)
    plans = [(firm, _scores(rng, rng.choice([0.92, 0.8, 0.7, 0.45])), rng.randint(20, 300)) for firm in evaluated]
    created = 0
    existing = set(Evaluation.objects.filter(year=year - 1).values_list("enterprise_id", flat=True))
    for firm, scores, day in plans:
        if firm.pk in existing:
            continue
        evaluation = services.evaluation_create(
            actor=None, enterprise=firm, year=year - 1, template=template, scores=scores,
            evaluated_on=datetime.date(year - 1, 1, 1) + datetime.timedelta(days=day), evaluator="市应急局评价组",
            note="现场核查与资料审查相结合")
        created += 1
        interview = WarningInterview.objects.filter(evaluation=evaluation).first()
        if interview is not None and created % 2:
            services.interview_hold(interview=interview, actor=None,
                                    held_on=evaluation.evaluated_on + datetime.timedelta(days=10),
                                    interviewers="执法监督科负责人", attendees=f"{firm.principal}（主要负责人）",
                                    record="通报评价结果，指出安全管理、现场管理方面的主要问题，提出限期整改要求。",
                                    commitments="一个月内完成整改并书面报告")
    log(f"全要素评价：新建 {created} 条，共 {len(plans)} 条")

    # This year's plans: the city's and each county's, in different states.
    states = ["filed", "filed", "filed", "filed", "approved", "submitted"]
    bureaus = [context["city"], *context["counties"]]
    plans_by_region = {}
    all_counts = [{**{f"key_q{q}": rng.randint(4, 12) for q in range(1, 5)},
                   **{f"random_q{q}": rng.randint(5, 8) for q in range(1, 5)}} for _region in bureaus]
    for region, state, counts in zip(bureaus, states, all_counts, strict=True):
        plan = AnnualPlan.objects.filter(region=region, year=year).first()
        if plan is None:
            plan = services.plan_create(actor=None, region=region, year=year,
                                        title=f"{region.name}{year}年度安全生产监督检查计划",
                                        description="按照“双随机、一公开”要求，重点检查与随机抽查相结合。", **counts)
            for action in {"submitted": ["submit"], "approved": ["submit", "approve"],
                           "filed": ["submit", "approve", "file"]}[state]:
                plan = services.plan_act(plan=plan, actor=None, action=action)
        plans_by_region[region.code] = plan

    # A draw per county for each quarter so far, and the inspections made from the past quarters' draws.
    current_quarter = (today.month - 1) // 3 + 1
    draws_made = inspections_made = 0
    for county in context["counties"]:
        plan = plans_by_region[county.code]
        if plan.status not in ("approved", "filed"):
            continue
        for quarter in range(1, current_quarter + 1):
            quarter_start = datetime.date(year, 3 * quarter - 2, 1)
            seed_value = str(rng.randrange(10**12))
            offsets = [rng.randrange(60) for _ in range(8)]
            draw = Draw.objects.filter(plan=plan, quarter=quarter, is_current=True).first()
            if draw is None:
                drawn_at = timezone.make_aware(datetime.datetime.combine(quarter_start, datetime.time(10, 0)))
                draw = services.draw_inspection(
                    actor=None, region=county, title=f"{county.name}{year}年第{quarter}季度双随机抽查",
                    count=plan.quarter(quarter)[1], plan=plan, quarter=quarter, seed=seed_value,
                    drawn_at=min(drawn_at, timezone.now()))
                draws_made += 1
            if quarter == current_quarter:
                continue
            for target, offset in zip(draw.target_ids, offsets, strict=False):
                if Inspection.objects.filter(draw=draw, enterprise_id=target).exists():
                    continue
                _inspect(rng, context, draw, plan, target, quarter_start + datetime.timedelta(days=5 + offset))
                inspections_made += 1
    inspections_made += _key_inspections(rng, context, enterprises, plans_by_region, today)
    log(f"双随机抽取：新建 {draws_made} 次；执法检查：新建 {inspections_made} 次")


def _key_inspections(rng: random.Random, context: dict[str, Any], enterprises: list, plans_by_region: dict,
                     today: datetime.date) -> int:
    """重点检查 of the enterprises rated 差 and of the demo's managed enterprises (so their users see some)."""
    managed = set(User.objects.filter(scope_enterprise__isnull=False).values_list("scope_enterprise_id", flat=True))
    poor = set(Evaluation.objects.filter(result="poor").values_list("enterprise_id", flat=True))
    chosen = [firm for firm in enterprises if firm.pk in managed or firm.pk in poor][:15]
    specs = [(firm, rng.randrange(20, 120), rng.random()) for firm in chosen]
    made = 0
    for firm, days_ago, roll in specs:
        plan = plans_by_region.get(firm.region_id[:6] + "000000")
        if plan is None or plan.status not in ("approved", "filed"):
            plan = None
        if Inspection.objects.filter(enterprise=firm, kind="key").exists():
            continue
        county = firm.region_id[:6] + "000000"
        team = list(Inspector.objects.filter(region_id=county).order_by("certificate_no")[:2])
        day = today - datetime.timedelta(days=days_ago)
        inspection = services.inspection_create(
            actor=None, enterprise=firm, kind="key", inspected_on=day, inspectors=team, plan=plan,
            checklist=Checklist.objects.filter(category=firm.category, is_active=True).first(),
            place="生产经营场所", conclusion="重点检查，发现问题已责令整改")
        category, place, text = FINDINGS[int(roll * len(FINDINGS))]
        finding = services.finding_add(actor=None, inspection=inspection, description=text, place=place,
                                       hazard_category=category, hazard_level="general",
                                       rectify_by=day + datetime.timedelta(days=15), is_violation=roll < 0.5,
                                       legal_basis=VIOLATIONS[0][1] if roll < 0.5 else "")
        if roll < 0.5:
            case = services.case_open(actor=None, inspection=inspection, finding=finding, title=VIOLATIONS[0][0],
                                      facts=text, legal_basis=VIOLATIONS[0][1], filed_on=day + datetime.timedelta(2))
            _advance_case(case, (VIOLATIONS[0], CASE_STATES[int(roll * 16)], roll, 10000), day)
        made += 1
    return made


def _inspect(rng: random.Random, context: dict[str, Any], draw: Draw, plan: AnnualPlan, target: int,
             day: datetime.date) -> None:
    firm = Enterprise.objects.get(pk=target)
    checklist = Checklist.objects.filter(category=firm.category, is_active=True).first()
    team = list(Inspector.objects.filter(pk__in=draw.teams[target]))
    findings = rng.choices([0, 0, 1, 2], k=1)[0]
    violation = findings and rng.random() < 0.45
    results = {}
    if checklist:
        results = {str(item["code"]): rng.choice(["pass", "pass", "pass", "fail", "na"]) for item in checklist.items}
    picks = rng.sample(FINDINGS, findings)
    case_plan = (rng.choice(VIOLATIONS), rng.choice(CASE_STATES), rng.random(), rng.choice([5000, 20000, 50000]))
    inspection = services.inspection_create(
        actor=None, enterprise=firm, kind="random", inspected_on=day, inspectors=team, plan=plan, draw=draw,
        checklist=checklist, item_results=results, place="生产经营场所",
        conclusion="发现问题已责令整改" if findings else "未发现明显问题")
    title, basis, _penalty_basis = case_plan[0]
    for index, (category, place, text) in enumerate(picks):
        is_violation = bool(violation) and index == 0
        finding = services.finding_add(
            actor=None, inspection=inspection, description=text, place=place, hazard_category=category,
            hazard_level="general", rectify_by=day + datetime.timedelta(days=15), is_violation=is_violation,
            legal_basis=basis if is_violation else "")
        if is_violation:
            case = services.case_open(actor=None, inspection=inspection, finding=finding, title=title, facts=text,
                                      legal_basis=basis, filed_on=min(timezone.localdate(),
                                                                      day + datetime.timedelta(days=2)))
            _advance_case(case, case_plan, day)


def _advance_case(case, case_plan, day: datetime.date) -> None:
    (_title, _basis, penalty_basis), state, roll, fine = case_plan
    path = ["investigate", "notify", "decide", "execute", "close"]
    stop = {"filed": 0, "investigating": 1, "notified": 2, "decided": 3, "executing": 4, "closed": 5}[state]
    for action in path[:stop]:
        if action == "decide":
            case = services.case_decide(
                case=case, actor=None, decision_no=f"青应急罚〔{day.year}〕{case.pk}号", order_rectify=True,
                rectify_deadline=day + datetime.timedelta(days=30), order_suspend=roll < 0.2, order_close=roll > 0.95,
                fine_yuan=Decimal(fine), penalty_basis=penalty_basis,
                decided_on=max(case.filed_on, min(timezone.localdate(), day + datetime.timedelta(days=20))))
        else:
            case = services.case_act(case=case, actor=None, action=action, reason="按程序办理")
