"""Demo natural-disaster data: weather stations with 30 days of observations (and their FWI), the 灾害信息员 of
every village and township, two disaster events with their reports, and consultations with judgements and tasks.

Everything random is drawn from `context["random"]` before anything is written, so the stream is the same
whether or not the rows exist; rows are matched by natural keys (站号, station and day, mobile, event and
consultation names), so a second run creates nothing. Dates are relative to today.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yingji.core.demo import mobile_number, person_name
from yingji.core.models import Organization
from yingji.disasters import services
from yingji.disasters.models import (
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    FireDanger,
    HazardType,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)

DAYS = 30
STATION_TOWNSHIPS = 10  # one station in each of this many townships, spread over the counties


def _weather(rng: random.Random, dry_spell: bool) -> dict[str, float]:
    if not dry_spell and rng.random() < 0.25:
        return {"temperature": round(rng.uniform(3, 12), 1), "humidity": round(rng.uniform(65, 95)),
                "wind_speed": round(rng.uniform(3, 15), 1), "precipitation": round(rng.uniform(1, 18), 1)}
    return {"temperature": round(rng.uniform(10, 24 if dry_spell else 18), 1),
            "humidity": round(rng.uniform(12 if dry_spell else 25, 55)),
            "wind_speed": round(rng.uniform(8, 40 if dry_spell else 28), 1), "precipitation": 0.0}


def _stations(rng: random.Random, townships: list) -> list[dict[str, Any]]:
    today = timezone.localdate()
    chosen = [t for t in townships if t.longitude is not None][::max(1, len(townships) // STATION_TOWNSHIPS)]
    plans = []
    for index, township in enumerate(chosen[:STATION_TOWNSHIPS], start=1):
        # The last ten days are a dry, windy spell in the hill counties: the map shows 四级/五级 there.
        hilly = township.code[:6] in ("390121", "390123")
        days = []
        for offset in range(DAYS - 1, -1, -1):
            date = today - datetime.timedelta(days=offset)
            days.append((date, _weather(rng, dry_spell=hilly and offset < 10)))
        plans.append({"code": f"QH{index:03d}", "name": f"{township.name}气象站", "region": township,
                      "longitude": round(township.longitude + rng.uniform(-0.02, 0.02), 5),
                      "latitude": round(township.latitude + rng.uniform(-0.02, 0.02), 5),
                      "elevation": round(rng.uniform(20, 600)), "days": days})
    return plans


def _seed_fire(rng: random.Random, context: dict, log) -> None:
    plans = _stations(rng, context["townships"])
    created = 0
    for plan in plans:
        days = plan.pop("days")
        station = WeatherStation.objects.filter(code=plan["code"]).first()
        if station is None:
            station = services.station_create(actor=None, **plan)
        have = set(WeatherObservation._base_manager.filter(station=station).values_list("date", flat=True))
        first_new = None
        for date, weather in days:
            if date in have:
                continue
            services.observation_record(actor=None, station=station, date=date, recompute=False,
                                        source="automatic", **weather)
            first_new = first_new or date
            created += 1
        if first_new is not None:
            services.fire_danger_recompute(station=station, from_date=first_new)
    log(f"森林火险：气象站 {len(plans)} 个，新建观测 {created} 条，火险记录共 {FireDanger.objects.count()} 条")


def _seed_informants(rng: random.Random, context: dict, log) -> dict[str, DisasterInformant]:
    regions = [r for r in context["townships"] + context["villages"]]
    plan = [(region, person_name(rng), mobile_number(rng, "137"), rng.random()) for region in regions]
    # One demo informant per township and village: the region is the natural key here.
    existing = {i.region_id: i for i in DisasterInformant._base_manager.order_by("-pk")}
    grid = context["users"].get("grid1")
    by_region: dict[str, DisasterInformant] = {}
    created = 0
    for region, name, mobile, luck in plan:
        informant = existing.get(region.code)
        if informant is None:
            trained = luck < 0.8
            informant = services.informant_create(
                actor=None, name=name, mobile=mobile, region=region,
                organization=f"{region.name}{'村（居）委会' if region.level == 'village' else '办事处'}",
                user=grid if grid is not None and grid.scope_region_id == region.code else None,
                training_status="trained" if trained else "untrained",
                trained_on=timezone.localdate() - datetime.timedelta(days=int(luck * 300)) if trained else None,
                certified=luck < 0.5, certificate_no=f"ZHXXY{region.code[-6:]}" if luck < 0.5 else "")
            created += 1
        by_region[region.code] = informant
    log(f"灾害信息员：新建 {created} 名，共 {len(plan)} 名")
    return by_region


def _figures(rng: random.Random, scale: float) -> dict[str, Any]:
    affected = int(rng.randint(80, 600) * scale)
    crops = _tenths(rng.uniform(5, 60) * scale)
    disaster = _tenths(float(crops) * rng.uniform(0.3, 0.8))
    return {"affected_population": affected, "deaths": 0, "missing": 0,
            "relocated": int(affected * rng.uniform(0.05, 0.3)), "needing_relief": int(affected * rng.uniform(0, 0.1)),
            "houses_collapsed": rng.randint(0, 3), "houses_severely_damaged": rng.randint(0, 6),
            "houses_damaged": rng.randint(2, 20), "crops_affected_ha": crops, "crops_disaster_ha": disaster,
            "crops_lost_ha": _tenths(float(disaster) * rng.uniform(0, 0.4)),
            "direct_loss_10k_yuan": _tenths(rng.uniform(10, 300) * scale)}


def _tenths(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _seed_events(rng: random.Random, context: dict, informants: dict, log) -> None:
    counties = context["counties"]
    villages_of: dict[str, list] = {}
    for village in context["villages"]:
        villages_of.setdefault(village.parent_id, []).append(village)
    townships_of = {c.code: [t for t in context["townships"] if t.parent_id == c.code] for c in counties}
    users = context["users"]
    now = timezone.now()
    specs = [
        # name, county, hazard, days ago, townships affected, stage
        ("11月青湖区暴雨洪涝", counties[0], "flood", 3, 2, "reporting"),
        ("10月北山县风雹灾害", counties[2], "wind_hail", 25, 2, "verifying"),
    ]
    plans = []
    for name, county, hazard, days_ago, township_count, stage in specs:
        affected = [v for t in townships_of[county.code][:township_count] for v in villages_of.get(t.code, [])]
        reports = []
        for village in affected:
            roll = rng.random()
            reports.append((village, roll, _figures(rng, 1.0), _figures(rng, 1.3), rng.random()))
        plans.append((name, county, hazard, days_ago, stage, affected, reports))
    for name, county, hazard, days_ago, stage, affected, reports in plans:
        if DisasterEvent.objects.filter(name=name).exists():
            continue
        event = services.event_create(
            actor=None, name=name, hazard_type=hazard, region=county, affected_regions=affected,
            occurred_at=now - datetime.timedelta(days=days_ago), description=f"{name}，多个村庄受灾。")
        reviewer = users.get("county1_duty") if county == counties[0] else None
        for village, roll, first, later, review_roll in reports:
            if roll < 0.2:
                continue  # 未报: these villages show up on the county's and city's missing list
            informant = informants.get(village.code)
            report = services.report_create(actor=None, event=event, region=village, kind="initial",
                                            informant=informant, submit=True, **first)
            if review_roll < 0.6:
                services.report_act(report=report, actor=reviewer, action="accept")
            if roll > 0.5:
                merged = {k: max(v, first[k]) for k, v in later.items()}
                merged["crops_disaster_ha"] = min(merged["crops_disaster_ha"], merged["crops_affected_ha"])
                merged["crops_lost_ha"] = min(merged["crops_lost_ha"], merged["crops_disaster_ha"])
                services.report_create(actor=None, event=event, region=village, kind="followup",
                                       informant=informant, submit=True, **merged)
        if stage == "verifying":
            event = services.event_act(event=event, actor=None, action="verify", reason="灾情稳定，转入核报")
            for village, roll, _first, later, _review in reports:
                if 0.2 <= roll < 0.7:
                    services.report_create(actor=None, event=event, region=village, kind="verification",
                                           informant=informants.get(village.code), submit=True, **later)
    log(f"灾害事件：共 {DisasterEvent.objects.count()} 起，灾情报告 {DisasterReport.objects.count()} 份")


def _seed_consultations(rng: random.Random, context: dict, log) -> None:
    today = timezone.localdate()
    city, counties = context["city"], context["counties"]
    organizations = context["organizations"]
    month_start = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    hazards = ["forest_fire", "drought", "snow", "cold", "geological"]
    specs = [
        {"topic": f"{month_start.year}年{month_start.month}月自然灾害风险形势会商", "kind": "regular",
         "period": "monthly", "region": city, "held_at": timezone.now() - datetime.timedelta(days=2),
         "period_start": month_start, "period_end": month_end, "place": "市应急指挥中心会商室",
         "host": organizations.get("青禾市应急管理局"), "status": "issued",
         "departments": ["青禾市自然资源和规划局", "青禾市水利局", "青禾市农业农村局", "青禾市交通运输局"],
         "participants": "陈国栋 青禾市应急管理局 局长\n孙文博 风险监测和综合减灾科 科长\n水利、自然资源、农业农村、气象部门负责同志",
         "conclusions": "预计下月全市降水偏少、气温偏高，森林火险等级总体偏高，北山县、东岭县山区局地可达四级以上；"
                        "寒潮、低温冷冻可能对设施农业造成影响。\n各部门要加强火源管控和值班值守。",
         "judgements": [(c, rng.choice(hazards), rng.randint(1, 4)) for c in counties],
         "tasks": [("青禾市自然资源和规划局", "组织重点林区防火巡查和隐患排查", 10),
                   ("青禾市农业农村局", "指导设施农业做好寒潮防御", 7),
                   ("青禾市水利局", "开展冬季水库安全检查", 14)]},
        {"topic": "今冬明春森林防火期火险形势会商", "kind": "regular", "period": "fire_season", "region": counties[2],
         "held_at": timezone.now() - datetime.timedelta(days=20), "period_start": today.replace(day=1),
         "period_end": today.replace(day=1) + datetime.timedelta(days=150), "place": "视频会商",
         "host": None, "status": "held", "departments": [],
         "participants": "北山县应急管理局、县自然资源局、各乡镇分管负责同志",
         "conclusions": "防火期内全县森林火险偏高，重点时段为冬季晴好大风天气和春节、清明前后。",
         "judgements": [(t, "forest_fire", rng.randint(2, 4)) for t in context["townships"]
                        if t.parent_id == counties[2].code][:4],
         "tasks": []},
        {"topic": "寒潮天气专题会商", "kind": "special", "period": "", "region": city,
         "held_at": timezone.now() + datetime.timedelta(days=3), "period_start": today,
         "period_end": today + datetime.timedelta(days=7), "place": "市应急指挥中心", "host": None,
         "status": "planned", "departments": ["青禾市交通运输局"], "participants": "", "conclusions": "",
         "judgements": [], "tasks": []},
    ]
    created = 0
    for spec in specs:
        if Consultation.objects.filter(topic=spec["topic"]).exists():
            continue
        status, judgements, tasks = spec.pop("status"), spec.pop("judgements"), spec.pop("tasks")
        departments = [organizations[name] for name in spec.pop("departments") if name in organizations]
        consultation = services.consultation_create(actor=None, departments=departments, **spec)
        for region, hazard, level in judgements:
            services.judgement_create(actor=None, consultation=consultation, region=region, hazard_type=hazard,
                                      level=level, description=f"{region.name}{dict(_hazard_labels())[hazard]}"
                                                               f"风险{'较高' if level >= 3 else '一般'}，注意防范。")
        for index, (name, title, days) in enumerate(tasks):
            organization = organizations.get(name) or Organization.objects.filter(name=name).first()
            if organization is None:
                continue
            task = services.task_create(actor=None, consultation=consultation, organization=organization,
                                        title=title, due_date=today + datetime.timedelta(days=days))
            for step in [["start", "submit", "confirm"], ["start"], []][index % 3]:
                task = services.task_act(task=task, actor=None, action=step, result="已按要求完成并报送情况")
        if status in ("held", "issued"):
            consultation = services.consultation_act(consultation=consultation, actor=None, action="hold")
        if status == "issued":
            services.consultation_act(consultation=consultation, actor=None, action="issue")
        created += 1
    log(f"会商：新建 {created} 次；风险研判 {RiskJudgement.objects.count()} 条，任务 {ConsultationTask.objects.count()} 项")


def _hazard_labels():
    return HazardType.choices


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    _seed_fire(rng, context, log)
    informants = _seed_informants(rng, context, log)
    _seed_events(rng, context, informants, log)
    _seed_consultations(rng, context, log)
