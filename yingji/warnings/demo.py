"""Demo 责任人清单, warnings and 叫应 for 青禾市: created through the services, deterministic and idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from yingji.core.demo import person_name, township_office
from yingji.warnings import services
from yingji.warnings.delivery import acknowledge_many
from yingji.warnings.models import ResponsiblePerson, UpstreamMessage, Warning

VILLAGE_ROLES = ["village_cadre", "grid_member", "disaster_informant"]
DEMO_UPSTREAM = Path(__file__).resolve().parent / "data" / "demo_upstream_rainstorm.xml"


def _phone(serial: int) -> str:
    # A reserved-looking block, so demo numbers never collide with generated user mobiles (139…).
    return f"1370{serial:07d}"


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    users = context["users"]
    counties = context["counties"]
    townships = [t for t in context["townships"] if t.parent_id in {c.code for c in counties[:2]}]
    villages_by_township: dict[str, list] = {}
    for village in context["villages"]:
        villages_by_township.setdefault(village.parent_id, []).append(village)
    plan = []
    serial = 0
    for township in townships:
        serial += 1
        plan.append((serial, township, "guarantor", person_name(rng), "包镇（街道）领导", None, ""))
        chief_serial = serial
        for village in villages_by_township.get(township.code, []):
            for role in VILLAGE_ROLES[: 2 + rng.randint(0, 1)]:
                serial += 1
                grid = f"第{rng.randint(1, 4)}网格" if role == "grid_member" else ""
                plan.append((serial, village, role, person_name(rng), "", chief_serial, grid))
    existing = set(ResponsiblePerson._base_manager.values_list("phone", flat=True))
    by_serial: dict[int, ResponsiblePerson] = {}
    grid_user = users.get("grid1") if isinstance(users, dict) else None
    duty_user = users.get("county1_duty") if isinstance(users, dict) else None
    created = 0
    for number, region, role, name, position, chief, grid in plan:
        phone = _phone(number)
        if phone in existing:
            by_serial[number] = ResponsiblePerson._base_manager.get(phone=phone)
            continue
        account = None
        if number == 1:
            account = duty_user
        elif role == "grid_member" and grid_user is not None and region.parent_id == getattr(
                grid_user.scope_region, "parent_id", None) and not any(
                p.user_id == grid_user.pk for p in by_serial.values()):
            account = grid_user
        by_serial[number] = services.person_create(
            actor=None, region=region, role=role, name=name, phone=phone, position=position,
            grid=grid,
            superior=by_serial.get(chief) if chief else None, user=account)
        created += 1
    log(f"责任人 {created} 名（清单共 {len(plan)} 名）")
    _seed_warnings(context, townships, rng)


def _seed_warnings(context: dict, townships: list, rng: random.Random) -> None:
    # Drawn whether or not the rows exist, so later apps see the same random stream on a second run.
    local = random.Random(rng.random())
    users = context["users"]
    city = context["city"]
    drafter, signer = users["city_duty"], users["city_leader"]
    now = timezone.now().replace(second=0, microsecond=0)
    headline = f"{city.name}应急管理局发布暴雨红色预警"
    if not Warning._base_manager.filter(headline=headline).exists():
        warning = services.warning_create(
            actor=None, drafted_by=drafter, region=city, kind="weather", event_type="11B03", level="red",
            headline=headline, description="受强对流天气影响，预计未来6小时内将出现100毫米以上强降雨，局地伴有雷暴大风。",
            instructions="停止户外作业和集会，转移低洼地带、危旧房屋和地质灾害隐患点人员，做好防汛排涝准备。",
            onset=now, expires=now + timedelta(hours=24), source="青禾市气象台", area_regions=townships[:2])
        services.warning_submit(warning=warning, actor=None)
        warning = services.warning_approve(warning=warning, actor=None)
        Warning._base_manager.filter(pk=warning.pk).update(approved_by=signer)
        recipients = list(warning.recipients.values_list("phone", "reply_code"))
        acknowledge_many([pair for pair in recipients if local.random() < 0.6])
        services.warning_create(
            actor=None, drafted_by=drafter, region=city, kind="geological", event_type="11D01", level="yellow",
            headline=f"{city.name}应急管理局发布地质灾害气象风险黄色预警", description="山区累计降雨较多，地质灾害风险较高。",
            instructions="加强隐患点巡查。", onset=now, expires=now + timedelta(hours=48), source="青禾市自然资源局",
            area_regions=townships[2:4])
    _seed_drawn_area_warning(context, townships, local)
    if not UpstreamMessage._base_manager.exists():
        message = services.upstream_import(actor=None, data=DEMO_UPSTREAM.read_bytes(), region=city)
        services.upstream_forward(message=message, actor=None, region=city, area_regions=townships[:1],
                                  local_instructions="各乡镇（街道）立即启动防汛值班，组织低洼地带群众转移。",
                                  onset=now, expires=now + timedelta(hours=12))
    context["warnings"] = list(Warning._base_manager.order_by("pk"))


def _seed_drawn_area_warning(context: dict, townships: list, local: random.Random) -> None:
    """A 森林火险 warning addressed by a polygon drawn over part of one township and by organisations: the
    township governments of two others, whose guarantors are reached wherever their own area lies."""
    city = context["city"]
    headline = f"{city.name}应急管理局发布森林火险橙色预警"
    if len(townships) < 3 or Warning._base_manager.filter(headline=headline).exists():
        return
    from shapely.geometry import MultiPoint, mapping

    drawn_over, *by_organization = townships[-3:]
    villages = [v for v in context["villages"] if v.parent_id == drawn_over.code and v.longitude is not None]
    corners = local.sample(villages, min(3, len(villages)))
    polygon = MultiPoint([(v.longitude, v.latitude) for v in corners]).convex_hull.buffer(0.01)
    offices = [context["organizations"][township_office(t.name)] for t in by_organization
               if township_office(t.name) in context["organizations"]]
    guarantors = ResponsiblePerson._base_manager.filter(region__in=by_organization, role="guarantor")
    for person in guarantors.filter(organization__isnull=True).order_by("pk"):
        office = next((o for o in offices if o.region_id == person.region_id), None)
        if office is not None:
            services.person_update(person=person, actor=None, organization=office)
    users = context["users"]
    now = timezone.now().replace(second=0, microsecond=0)
    warning = services.warning_create(
        actor=None, drafted_by=users["city_duty"], region=city, kind="forest_fire", event_type="11B25", level="orange",
        headline=headline, description="近期持续晴热少雨，林区可燃物干燥，森林火险气象等级达四级（高度危险）。",
        instructions="严禁野外用火，加强林区巡护和入山管控，扑火队伍靠前驻防。", onset=now,
        expires=now + timedelta(hours=48), source="青禾市林业局", area_polygon=mapping(polygon),
        target_organizations=offices)
    services.warning_submit(warning=warning, actor=None)
    warning = services.warning_approve(warning=warning, actor=None)
    Warning._base_manager.filter(pk=warning.pk).update(approved_by=users["city_leader"])
    answers = list(warning.recipients.values_list("phone", "reply_code"))
    acknowledge_many([pair for pair in answers if local.random() < 0.5])
