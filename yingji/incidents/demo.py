"""Demo incidents and duty of the demo city: a roster for the coming week in every bureau, a duty log, and a few
incidents with their first reports. Rows are matched by natural keys, so a second run creates nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from yingji.core.demo import person_name
from yingji.core.models import Organization
from yingji.incidents import duty, services
from yingji.incidents.models import DutyLog, DutyShift, Incident

INCIDENTS_SEED = 20260107

INCIDENTS = [
    ("化工企业储罐泄漏", "accident", "危险化学品事故", 0, 2, 800_000, "储罐阀门泄漏，已关阀堵漏，周边群众疏散"),
    ("货车侧翻道路交通事故", "accident", "道路交通事故", 1, 3, 200_000, "一辆货车侧翻，1人死亡3人重伤"),
    ("山体滑坡", "natural", "地质灾害", 0, 0, 3_000_000, "强降雨引发山体滑坡，阻断县道"),
    ("厂房火灾", "accident", "火灾事故", 3, 5, 12_000_000, "仓库起火，3人死亡"),
]


def seed(context: dict) -> None:
    # Its own stream: the shared one is consumed differently by earlier apps on a second run, and the rows here
    # are matched by names drawn from it.
    rng = random.Random(INCIDENTS_SEED)
    log = context["log"]
    counties = context["counties"]
    rotations = {c.code: {"leader": [person_name(rng) for _ in range(3)], "chief": [person_name(rng) for _ in range(3)],
                          "officer": [person_name(rng) for _ in range(6)], "driver": [person_name(rng)]}
                 for c in [context["city"], *counties]}
    places = [(rng.choice(counties), rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03)) for _ in INCIDENTS]
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
        if Incident.objects.filter(title=full_title).exists():
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
