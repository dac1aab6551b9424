"""Demo resources of the demo city: teams, warehouses with stock, shelters, experts and hospitals in every county.

Everything is generated from `context["random"]` before anything is written (the same draws on every run), and
rows are matched by keys that do not depend on the draws (codes, names made of region names, "has this county got
its teams yet"), so a second run creates nothing even if the shared stream reaches here in another state.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from yingji.core.demo import mobile_number, person_name
from yingji.resources import services
from yingji.resources.models import (
    Expert,
    Material,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockMovement,
    Warehouse,
)

MATERIALS = [
    ("WZ-SH-001", "救灾帐篷", "living", "12m²单帐篷", "顶", None, 50),
    ("WZ-SH-002", "折叠床", "living", "", "张", None, 100),
    ("WZ-SH-003", "棉被", "living", "", "床", None, 200),
    ("WZ-SH-004", "瓶装饮用水", "living", "550ml×24", "箱", 365, 100),
    ("WZ-SH-005", "方便食品", "living", "", "箱", 180, 50),
    ("WZ-JY-001", "救生衣", "flood", "", "件", None, 100),
    ("WZ-JY-002", "冲锋舟", "flood", "", "艘", None, 2),
    ("WZ-JY-003", "编织袋", "flood", "", "条", None, 2000),
    ("WZ-JY-004", "发电机", "rescue", "5kW", "台", None, 5),
    ("WZ-FH-001", "防毒面具", "protection", "", "套", 1095, 50),
    ("WZ-FH-002", "医用口罩", "medical", "", "只", 730, 1000),
    ("WZ-MH-001", "风力灭火机", "fire", "", "台", None, 10),
]
TEAM_KINDS = [("综合应急救援大队", "comprehensive", "综合救援"), ("危化品应急救援队", "professional", "危险化学品"),
              ("矿山救护队", "professional", "矿山救援"), ("蓝天救援队", "social", "水域、山地搜救"),
              ("应急志愿服务队", "volunteer", "群众转移、物资发放")]
EXPERT_FIELDS = ["hazchem", "mining", "fire", "geology", "flood", "forest_fire", "construction", "medical"]
TITLES = ["高级工程师", "正高级工程师", "教授", "副教授", "主任医师"]


def _near(rng: random.Random, region, spread: float = 0.03) -> tuple[float, float]:
    lon = (region.longitude or 118.6) + rng.uniform(-spread, spread)
    lat = (region.latitude or 36.4) + rng.uniform(-spread, spread)
    return round(lon, 6), round(lat, 6)


def _build(rng: random.Random, context: dict) -> dict[str, list[dict]]:
    city, counties, townships = context["city"], context["counties"], context["townships"]
    teams, warehouses, shelters, experts, points = [], [], [], [], []
    lon, lat = _near(rng, city, 0.02)
    warehouses.append({"name": f"{city.name}应急物资储备库", "level": "city", "region": city, "manager": person_name(rng),
                       "phone": mobile_number(rng, "138"), "area_m2": 5000, "address": f"{city.name}物流园1号",
                       "longitude": lon, "latitude": lat})
    for county in counties:
        for label, kind, specialty in rng.sample(TEAM_KINDS, 3):
            lon, lat = _near(rng, county)
            teams.append({"name": f"{county.name}{label}", "kind": kind, "specialty": specialty, "region": county,
                          "leader": person_name(rng), "phone": mobile_number(rng, "139"),
                          "member_count": rng.randint(12, 80), "equipment": "抢险救援车、照明设备、破拆工具",
                          "address": f"{county.name}应急路{rng.randint(1, 99)}号", "longitude": lon, "latitude": lat})
        lon, lat = _near(rng, county)
        warehouses.append({"name": f"{county.name}应急物资储备库", "level": "county", "region": county,
                           "manager": person_name(rng), "phone": mobile_number(rng, "138"),
                           "area_m2": rng.randint(800, 2000), "address": f"{county.name}仓储路{rng.randint(1, 50)}号",
                           "longitude": lon, "latitude": lat})
        lon, lat = _near(rng, county)
        points.append({"name": f"{county.name}人民医院", "kind": "medical", "region": county,
                       "phone": mobile_number(rng, "137"), "description": "二级甲等综合医院", "address": "",
                       "longitude": lon, "latitude": lat})
    for township in townships:
        lon, lat = _near(rng, township, 0.01)
        shelters.append({"name": f"{township.name}应急避难场所", "kind": rng.choice(["emergency", "fixed", "fixed"]),
                         "region": township, "effective_area_m2": rng.randint(3, 40) * 500,
                         "facilities": "应急供水、应急供电、应急厕所", "manager": person_name(rng),
                         "phone": mobile_number(rng, "136"), "address": f"{township.name}文化广场",
                         "longitude": lon, "latitude": lat})
    for index in range(24):
        lon, lat = _near(rng, city, 0.15)
        experts.append({"name": person_name(rng), "field": EXPERT_FIELDS[index % len(EXPERT_FIELDS)],
                        "title": rng.choice(TITLES), "organization": f"{city.name}应急管理专家组",
                        "phone": mobile_number(rng, "135"), "region": city, "longitude": lon, "latitude": lat})
    lon, lat = _near(rng, city, 0.05)
    points.append({"name": f"{city.name}航空应急救援起降点", "kind": "helipad", "region": city, "phone": "",
                   "description": "可起降中型直升机", "address": "", "longitude": lon, "latitude": lat})
    return {"teams": teams, "warehouses": warehouses, "shelters": shelters, "experts": experts, "points": points}


def _per_region(model, create, records: list[dict]) -> tuple[list, int]:
    """Create a region's records only if the region has none of this kind yet (their names come from the draws)."""
    seeded = set(model.objects.filter(region__in={r["region"] for r in records}).values_list("region_id", flat=True))
    created, rows = 0, []
    for record in records:
        if record["region"].pk in seeded:
            continue
        rows.append(create(actor=None, **record))
        created += 1
    return rows, created


def _ensure(model, create, records: list[dict], key: str = "name") -> tuple[list, int]:
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": [r[key] for r in records]})}
    created, rows = 0, []
    for record in records:
        obj = existing.get(record[key])
        if obj is None:
            obj = create(actor=None, **record)
            existing[record[key]] = obj
            created += 1
        rows.append(obj)
    return rows, created


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    records = _build(rng, context)
    quantities = [[rng.randint(1, 6) for _ in MATERIALS] for _ in records["warehouses"]]
    materials, created = _ensure(Material, services.material_create, [
        {"code": code, "name": name, "category": category, "specification": spec, "unit": unit,
         "shelf_life_days": shelf, "minimum_stock": minimum, "region": context["city"]}
        for code, name, category, spec, unit, shelf, minimum in MATERIALS], key="code")
    log(f"物资目录：新建 {created} 种")
    _teams, created = _per_region(RescueTeam, services.rescue_team_create, records["teams"])
    teams = list(RescueTeam.objects.filter(region__in=context["counties"]).order_by("region_id", "pk"))
    log(f"救援队伍：新建 {created} 支，共 {len(teams)} 支")
    warehouses, created = _ensure(Warehouse, services.warehouse_create, records["warehouses"])
    log(f"物资仓库：新建 {created} 个")
    today = timezone.localdate()
    for warehouse, amounts in zip(warehouses, quantities, strict=True):
        if StockMovement.objects.filter(warehouse=warehouse).exists():
            continue
        for material, factor in zip(materials, amounts, strict=True):
            minimum = max(int(material.minimum_stock), 1)
            expiry = today + timedelta(days=material.shelf_life_days * factor // 6) if material.shelf_life_days else None
            services.stock_receive(warehouse=warehouse, material=material, quantity=minimum * factor // 3 or 1,
                                   document_number=f"RK-DEMO-{warehouse.pk:04d}", actor=None, batch="2026-01",
                                   expiry_date=expiry, counterpart="年度采购")
    _shelters, created = _ensure(Shelter, services.shelter_create, records["shelters"])
    log(f"避难场所：新建 {created} 个")
    _experts, created = _per_region(Expert, services.expert_create, records["experts"])
    log(f"专家：新建 {created} 名")
    _points, created = _ensure(ResourcePoint, services.resource_point_create, records["points"])
    log(f"医疗机构/起降点：新建 {created} 个")
    context["rescue_teams"] = teams
    context["warehouses"] = warehouses
    context["materials"] = materials
