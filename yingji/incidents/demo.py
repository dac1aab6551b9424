"""Demo incidents and duty of the demo city: a roster for the coming week in every bureau, a duty log, a roll-call,
a few incidents with their first reports, a response, a dispatched team, an allocation and one drill (演练).

Everything random is drawn from `context["random"]` before anything is written (the same draws on every run), and
rows are matched by keys that do not depend on the draws (a bureau's roster for today, an incident's title ending),
so a second run creates nothing even if the shared stream reaches here in another state.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from yingji.core.demo import person_name
from yingji.core.models import Organization
from yingji.incidents import duty, services
from yingji.incidents.models import DispatchTask, DutyLog, DutyShift, Incident, MaterialAllocation, RollCall

INCIDENTS = [
    ("化工企业储罐泄漏", "accident", "危险化学品事故", 0, 2, 800_000, "储罐阀门泄漏，已关阀堵漏，周边群众疏散"),
    ("货车侧翻道路交通事故", "accident", "道路交通事故", 1, 3, 200_000, "一辆货车侧翻，1人死亡3人重伤"),
    ("山体滑坡", "natural", "地质灾害", 0, 0, 3_000_000, "强降雨引发山体滑坡，阻断县道"),
    ("厂房火灾", "accident", "火灾事故", 3, 5, 12_000_000, "仓库起火，3人死亡"),
]


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    counties = context["counties"]
    rotations = {c.code: {"leader": [person_name(rng) for _ in range(3)], "chief": [person_name(rng) for _ in range(3)],
                          "officer": [person_name(rng) for _ in range(6)], "driver": [person_name(rng)]}
                 for c in [context["city"], *counties]}
    places = [(rng.choice(counties), rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03)) for _ in INCIDENTS]
    drill_place = (rng.choice(counties), rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03))
    today = timezone.localdate()
    created = 0
    for code, rotation in rotations.items():
        bureau = Organization.objects.filter(region_id=code, kind="bureau").order_by("pk").first()
        if bureau is None:
            continue
        if not DutyShift.objects.filter(organization=bureau, date=today).exists():
            created += duty.duty_roster_generate(organization=bureau, actor=None, start=today, days=7,
                                                 rotation=rotation)
        if not DutyLog.objects.filter(organization=bureau).exists():
            duty.duty_log_create(actor=None, organization=bureau, content="夜间值班平稳，无重大突发事件。",
                                 open_items="跟进防汛物资补充")
    log(f"值班排班：新建 {created} 条")
    created = 0
    for (title, category, subtype, deaths, injuries, loss, description), (county, dlon, dlat) in zip(
            INCIDENTS, places, strict=True):
        full_title = f"{county.name}{title}"
        if Incident.objects.filter(title__endswith=title, is_exercise=False).exists():
            continue
        incident = services.incident_create(
            actor=None, title=full_title, category=category, subtype=subtype,
            occurred_at=timezone.now() - timedelta(hours=created + 1), place=f"{county.name}境内",
            longitude=round((county.longitude or 118.6) + dlon, 6), latitude=round((county.latitude or 36.4) + dlat, 6),
            region=county, deaths=deaths, serious_injuries=injuries, direct_loss_yuan=loss, description=description,
            source="企业报告")
        services.report_submit(incident=incident, actor=None, kind="first", measures="已调派救援力量赶赴现场")
        created += 1
    log(f"突发事件：新建 {created} 起")
    _respond(context)
    _drill(drill_place)
    _rollcall(context)


def _respond(context: dict) -> None:
    """The most serious demo incident gets a response, a team on its way and tents from its county's store."""
    incident = Incident.objects.real().filter(title__endswith=INCIDENTS[3][0]).first()
    if incident is None or DispatchTask.objects.filter(incident=incident).exists():
        return
    services.response_start(incident=incident, actor=None, level="3", commander="市应急管理局局长")
    team = next((t for t in context.get("rescue_teams", []) if t.region_id == incident.region_id
                 and t.status == "standby"), None)
    if team is not None:
        task = services.task_dispatch(incident=incident, actor=None, team=team, instruction="赶赴现场开展灭火救援")
        services.task_advance(task=task, actor=None, action="accept", feedback="已出发")
    warehouse = next((w for w in context.get("warehouses", []) if w.region_id == incident.region_id), None)
    tents = next((m for m in context.get("materials", []) if m.code == "WZ-SH-001"), None)
    if warehouse is not None and tents is not None and not MaterialAllocation.objects.filter(incident=incident).exists():
        services.material_allocate(incident=incident, actor=None, warehouse=warehouse, material=tents, quantity=2,
                                   destination=incident.place)
    context["log"]("应急响应与调度：新建 1 起")


def _drill(place) -> None:
    """One drill in exercise mode, so the 演练 filter shows what a drill looks like."""
    title = "危险化学品泄漏应急演练"
    if Incident.objects.exercises().filter(title__endswith=title).exists():
        return
    county, dlon, dlat = place
    incident = services.incident_create(
        actor=None, is_exercise=True, title=f"{county.name}{title}", category="accident", subtype="危险化学品事故",
        occurred_at=timezone.now() - timedelta(hours=3), place=f"{county.name}化工园区",
        longitude=round((county.longitude or 118.6) + dlon, 6), latitude=round((county.latitude or 36.4) + dlat, 6),
        region=county, deaths=0, serious_injuries=0, direct_loss_yuan=0, description="模拟储罐泄漏，检验信息报送和调度",
        source="演练导调组")
    services.report_submit(incident=incident, actor=None, kind="first", measures="演练：启动企业预案，疏散周边人员")


def _rollcall(context: dict) -> None:
    city_bureau = Organization.objects.filter(region=context["city"], kind="bureau").order_by("pk").first()
    counties = [c.code for c in context["counties"]]
    callee = Organization.objects.filter(region_id__in=counties, kind="bureau").order_by("region_id", "pk").first()
    if city_bureau is None or callee is None or RollCall.objects.filter(caller=city_bureau).exists():
        return
    call = duty.rollcall_send(actor=None, caller=city_bureau, callee=callee)
    duty.rollcall_answer(call=call, actor=None)
