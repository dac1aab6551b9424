"""Demo hazard sources, monitoring points, gateways, a day of readings and alarms in every state.

Deterministic (context["random"]) and idempotent: records are found by their codes, and readings and
alarms are only added to points that have none.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yingji.core.models import User
from yingji.enterprises.models import Enterprise
from yingji.monitoring import ingest, services
from yingji.monitoring.alarms import AlarmEngine
from yingji.monitoring.models import (
    Alarm,
    Gateway,
    GatewayActivity,
    LatestReading,
    MajorHazardSource,
    MonitoringPoint,
    Patrol,
)

HAZCHEM = {"hazchem_production", "hazchem_trade", "hazchem_use"}
DEMO_ENTERPRISES = 12

# (unit name, kind, chemicals [(catalog key, low, high tonnes)], points [(tag prefix, name, kind, unit, range,
#  thresholds (ll, l, h, hh), deadband, normal band)])
UNITS = [
    ("液氯储罐区", "storage", [("T1-12", 8, 40)], [
        ("LT", "液氯储罐液位", "level", "m", (0, 12), (0.5, 1.0, 9.5, 10.5), 0.2, (5.0, 8.5)),
        ("PT", "液氯储罐压力", "pressure", "MPa", (0, 2.5), (None, None, 1.2, 1.5), 0.05, (0.6, 1.0)),
        ("AT", "氯气泄漏浓度", "toxic_gas", "ppm", (0, 20), (None, None, 1.0, 3.0), 0.2, (0.0, 0.3)),
    ]),
    ("液氨储罐区", "storage", [("T1-01", 15, 80)], [
        ("LT", "液氨储罐液位", "level", "m", (0, 15), (0.8, 1.5, 12.0, 13.5), 0.3, (6.0, 10.0)),
        ("TT", "液氨储罐温度", "temperature", "℃", (-40, 60), (None, None, 38.0, 45.0), 1.0, (15.0, 28.0)),
        ("AT", "氨气泄漏浓度", "toxic_gas", "ppm", (0, 100), (None, None, 25.0, 50.0), 2.0, (0.0, 5.0)),
    ]),
    ("甲醇罐区", "storage", [("T1-65", 300, 2000)], [
        ("LT", "甲醇储罐液位", "level", "m", (0, 18), (1.0, 2.0, 15.0, 16.5), 0.3, (7.0, 13.0)),
        ("GT", "罐区可燃气体浓度", "flammable_gas", "%LEL", (0, 100), (None, None, 25.0, 50.0), 2.0, (0.0, 6.0)),
    ]),
    ("液化石油气储罐区", "storage", [("T1-52", 30, 200)], [
        ("PT", "球罐压力", "pressure", "MPa", (0, 2.5), (None, 0.2, 1.5, 1.7), 0.05, (0.7, 1.2)),
        ("TT", "球罐温度", "temperature", "℃", (-30, 60), (None, None, 40.0, 50.0), 1.0, (10.0, 30.0)),
        ("GT", "罐区可燃气体浓度", "flammable_gas", "%LEL", (0, 100), (None, None, 25.0, 50.0), 2.0, (0.0, 5.0)),
    ]),
    ("氯化反应生产单元", "production", [("T1-12", 2, 8), ("T1-57", 10, 60)], [
        ("TT", "氯化釜温度", "temperature", "℃", (0, 200), (None, 60.0, 95.0, 110.0), 2.0, (75.0, 88.0)),
        ("PT", "氯化釜压力", "pressure", "MPa", (0, 1.6), (None, None, 0.6, 0.8), 0.02, (0.2, 0.45)),
        ("FT", "氯气进料流量", "flow", "m³/h", (0, 500), (None, 50.0, 380.0, 450.0), 10.0, (150.0, 300.0)),
    ]),
]


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    enterprises = [e for e in context.get("enterprises", []) if e.category in HAZCHEM and e.longitude is not None]
    enterprises = enterprises[:DEMO_ENTERPRISES]
    existing_sources = {s.code: s for s in MajorHazardSource.objects.all()}
    existing_gateways = set(Gateway.objects.values_list("code", flat=True))
    created_sources = created_points = 0
    points: list[tuple[MonitoringPoint, tuple[float, float]]] = []
    for number, enterprise in enumerate(enterprises, start=1):
        units = rng.sample(UNITS, k=2 if number % 3 else 1)
        gateway_code = f"GW-{enterprise.credit_code[-8:]}"
        if gateway_code not in existing_gateways:
            services.gateway_create(actor=None, enterprise=enterprise, code=gateway_code,
                                    name=f"{enterprise.name[:20]}数据采集网关", report_period_seconds=30)
        for unit_number, (name, kind, chemicals, point_specs) in enumerate(units, start=1):
            code = f"HS-{enterprise.credit_code[-8:]}-{unit_number:02d}"
            population = rng.choice([0, 12, 36, 80, 150, 420])
            quantities = [(key, round(rng.uniform(low, high), 1)) for key, low, high in chemicals]
            source = existing_sources.get(code)
            if source is None:
                source = services.hazard_source_create(actor=None, enterprise=enterprise, code=code, name=name,
                                                       unit_kind=kind, exposed_population=population)
                for key, quantity in quantities:
                    services.hazard_chemical_set(source=source, actor=None, chemical=key, quantity=str(quantity))
                created_sources += 1
            existing_points = {p.tag: p for p in MonitoringPoint.objects.filter(source=source)}
            for index, (prefix, label, point_kind, unit, (low, high), limits, deadband, band) in enumerate(
                    point_specs, start=1):
                tag = f"{prefix}-{unit_number}{index:02d}"
                point = existing_points.get(tag)
                if point is None:
                    ll, lo, hi, hh = limits
                    point = services.monitoring_point_create(
                        actor=None, source=source, tag=tag, name=label, kind=point_kind, unit=unit,
                        range_low=low, range_high=high, low_low=ll, low=lo, high=hi, high_high=hh, deadband=deadband,
                        alarm_delay_seconds=5, report_period_seconds=30,
                    )
                    created_points += 1
                points.append((point, band))
    log(f"重大危险源：新建 {created_sources} 个；监测点：新建 {created_points} 个")
    _seed_history(rng, points, log)
    context["monitoring_points"] = [p for p, _band in points]


def _seed_history(rng: random.Random, points, log) -> None:
    """A day of readings every 10 minutes, with a few excursions, run through the real alarm engine."""
    if not points or Alarm.objects.exists():
        return
    with_history = set(ingest_points_with_history([p.pk for p, _band in points]))
    todo = [(p, band) for p, band in points if p.pk not in with_history]
    if not todo:
        return
    now = ingest.now_ms()
    step = 30 * 1000  # the demo points' reporting period
    start = now - 24 * 3600 * 1000
    rows = []
    excursions = {p.pk for p, _band in rng.sample(todo, k=min(5, len(todo)))}
    # Dropouts, so the online rate has something to show: one enterprise's gateway silent for a few hours,
    # and every point missing a reading now and then.
    silent_enterprise = rng.choice(sorted({p.enterprise_id for p, _band in todo}))
    silent_from = rng.randrange(300, 2000)
    silent = range(silent_from, silent_from + rng.randrange(240, 600))
    heard: dict[int, set[int]] = {}
    for point, (low, high) in todo:
        value = (low + high) / 2
        for n in range(24 * 3600 * 1000 // step):
            value = min(high, max(low, value + rng.uniform(-0.02, 0.02) * (high - low)))
            if (point.enterprise_id == silent_enterprise and n in silent) or rng.random() < 0.02:
                continue
            reading = value
            if point.pk in excursions and 2400 <= n <= 2410 and point.high is not None:
                reading = min(point.range_high, point.high + (point.high - high) * 0.3 + 0.01)
            rows.append((point.pk, start + n * step, round(reading, 3)))
            heard.setdefault(point.enterprise_id, set()).add((start + n * step) // 60_000)
    table = ingest.PointTable()
    table.refresh()
    engine = AlarmEngine()
    gateways = dict(Gateway.objects.filter(enterprise_id__in=list(heard)).values_list("enterprise_id", "pk"))
    with transaction.atomic():
        new_rows = ingest.store(rows, received_at=now)
        engine(new_rows, table, now)
        GatewayActivity.objects.bulk_create(
            [GatewayActivity(gateway_id=gateways[e], minute=m) for e, minutes in heard.items() if e in gateways
             for m in sorted(minutes)], batch_size=5000, ignore_conflicts=True)
    today = timezone.localdate()
    for day in (today - timedelta(days=1), today):
        services.online_rates_rollup(day=day, now_ms=now)
    alarms = list(Alarm.objects.order_by("started_at"))
    # Leave one alarm of each later state for the pages: acknowledged, being disposed, closed.
    for alarm, target in zip(alarms, ["closed", "disposing", "acknowledged"], strict=False):
        _advance(alarm, target)
    log(f"监测数据：写入 {len(new_rows)} 条；报警 {len(alarms)} 条")
    _seed_patrols(rng, [p for p, _band in points], log)


def _seed_patrols(rng: random.Random, points: list[MonitoringPoint], log) -> None:
    """Today's online patrol of the city's 监测预警员 over the monitored enterprises, with findings and one
    hazard raised from a finding."""
    officer = User.objects.filter(username="city_monitor", is_active=True).first()
    if officer is None or Patrol.objects.exists():
        return
    enterprise_ids = sorted({p.enterprise_id for p in points})
    chosen = Enterprise.objects.filter(pk__in=rng.sample(enterprise_ids, k=min(6, len(enterprise_ids))))
    patrol = services.patrol_create(actor=officer, day=timezone.localdate(), enterprises=list(chosen),
                                    summary="按日开展线上巡查：查看企业在线率、离线监测点和未消警报警情况。")
    entries = list(patrol.entries.order_by("-open_alarms", "pk"))
    for entry in entries:
        if entry.open_alarms:
            finding = f"存在 {entry.open_alarms} 条未消警报警（{entry.alarm_codes}），已电话提醒企业值班人员处置。"
        elif entry.online_rate is not None and entry.online_rate < 0.9:
            finding = f"当日在线率 {entry.online_rate:.0%}，低于 90%，要求企业排查网关与通信线路。"
        else:
            finding = "数据上传正常，无报警。"
        services.patrol_finding_record(entry=entry, actor=officer, finding=finding)
    if entries and entries[0].open_alarms:
        hazard = services.patrol_hazard_raise(
            entry=entries[0], actor=officer, description="监测报警长时间未确认处置，报警闭环管理制度落实不到位",
            place="重大危险源监控中心", category="basic_management", level="general")
        log(f"线上巡查：1 次，巡查企业 {len(entries)} 家，登记隐患 {hazard.code}")
    else:
        log(f"线上巡查：1 次，巡查企业 {len(entries)} 家")


def ingest_points_with_history(point_ids: list[int]) -> list[int]:
    return list(LatestReading.objects.filter(point_id__in=point_ids).values_list("point_id", flat=True))


def _advance(alarm: Alarm, target: str) -> None:
    # Moved by the system (actor None): demo data holds no references to people, so it can be reset freely.
    services.alarm_acknowledge(alarm=alarm, actor=None)
    if target in ("disposing", "closed"):
        alarm = services.alarm_dispose(alarm=Alarm.objects.get(pk=alarm.pk), actor=None,
                                       measures="通知企业现场核查，关闭进料阀并降低液位，复核仪表正常")
    if target == "closed" and alarm.recovered_at is not None:
        services.alarm_close(alarm=Alarm.objects.get(pk=alarm.pk), actor=None, reason="数值已恢复正常")
