"""Demo risk points: a few for each of the first ~120 demo enterprises, more for hazardous chemicals.

Everything is planned from `context["random"]` before anything is written, so the random stream is
consumed the same way on every run; rows are matched by (enterprise, name), so a second run creates nothing.
"""

from __future__ import annotations

import datetime
import itertools
import random

import shapely
from django.utils import timezone
from shapely.geometry import Point, shape

from yingji.core.demo import mobile_number, person_name
from yingji.enterprises.models import Category
from yingji.risks.models import RiskPoint
from yingji.risks.services import risk_point_create
from yingji.standards import risk

ENTERPRISE_COUNT = 120

# (name, kind, place, severity 0..3: how bad it usually grades, 3 = often 重大)
COMMON = [
    ("配电室", "area", "动力车间配电室", 1),
    ("动火作业", "activity", "全厂区", 2),
    ("有限空间作业", "activity", "污水池、储罐内部", 2),
    ("叉车作业", "activity", "仓库及装卸区", 1),
    ("消防泵房", "equipment", "厂区北侧", 0),
    ("高处作业", "activity", "厂房屋面及钢平台", 1),
    ("临时用电作业", "activity", "检修现场", 1),
]
BY_CATEGORY = {
    "hazchem": [
        ("液氨储罐区", "equipment", "东罐区", 3), ("甲醇储罐区", "equipment", "西罐区", 3),
        ("液氯钢瓶库", "area", "危化品库区", 3), ("硝化反应釜", "equipment", "合成车间二层", 3),
        ("精馏塔", "equipment", "精馏工段", 2), ("危险化学品仓库", "area", "甲类仓库", 2),
        ("装卸栈台", "equipment", "汽车装卸区", 2), ("导热油炉", "equipment", "锅炉房", 2),
        ("盲板抽堵作业", "activity", "工艺管廊", 2), ("污水处理站", "area", "厂区南侧", 1),
    ],
    Category.NON_COAL_MINE: [
        ("采场边坡", "area", "露天采场", 3), ("爆破作业", "activity", "采场作业面", 3), ("炸药库", "area", "库区", 3),
        ("破碎车间", "equipment", "破碎筛分区", 1), ("排土场", "area", "排土场", 2), ("矿用汽车运输", "activity", "运输道路", 2),
    ],
    Category.FIREWORKS: [
        ("药物混合工房", "area", "危险品生产区", 3), ("装药工房", "area", "危险品生产区", 3),
        ("成品仓库", "area", "总库区", 2), ("烘干房", "equipment", "晾晒烘干区", 2),
    ],
    Category.METALLURGY: [
        ("高炉煤气区域", "area", "炼铁厂", 3), ("转炉炼钢", "equipment", "炼钢车间", 3), ("铁水包吊运", "activity", "炼钢跨", 3),
        ("煤气柜", "equipment", "能源中心", 3), ("除尘系统", "equipment", "除尘区", 1),
    ],
    Category.NONFERROUS: [
        ("熔炼炉", "equipment", "熔铸车间", 3), ("铝液浇铸", "activity", "铸造车间", 3), ("铝粉尘除尘系统", "equipment", "抛光车间", 2),
    ],
    Category.BUILDING_MATERIALS: [
        ("水泥回转窑", "equipment", "烧成车间", 2), ("煤粉制备系统", "equipment", "煤磨房", 2), ("筒型储库清库作业", "activity", "生料库", 2),
    ],
    Category.MACHINERY: [
        ("冲压机", "equipment", "冲压车间", 1), ("焊接作业", "activity", "焊装车间", 1), ("喷漆房", "area", "涂装车间", 2),
        ("桥式起重机吊装", "activity", "总装车间", 2), ("砂轮机", "equipment", "机加工车间", 0),
    ],
    Category.LIGHT_INDUSTRY: [
        ("淀粉粉尘爆炸危险区", "area", "干燥包装车间", 2), ("酒精储罐", "equipment", "储酒区", 2), ("锅炉房", "equipment", "动力车间", 1),
        ("液氨制冷机房", "equipment", "冷库", 3),
    ],
    Category.TEXTILE: [
        ("纺纱车间", "area", "纺纱车间", 1), ("定型机", "equipment", "印染车间", 1), ("锅炉房", "equipment", "动力车间", 1),
    ],
    Category.TOBACCO: [
        ("烟叶仓库", "area", "原料库", 1), ("制丝线", "equipment", "制丝车间", 1), ("锅炉房", "equipment", "动力车间", 1),
    ],
    Category.COMMERCE: [
        ("营业大厅（人员密集场所）", "area", "一至三层卖场", 2), ("厨房燃气", "equipment", "餐饮区", 2),
        ("自动扶梯", "equipment", "卖场", 1), ("货架仓储区", "area", "后场仓库", 1),
    ],
    Category.OTHER: [
        ("危险货物运输车辆", "activity", "停车场", 2), ("锅炉房", "equipment", "动力车间", 1), ("汽轮机组", "equipment", "主厂房", 2),
    ],
}
MEASURES = {
    "measure_engineering": ["设置可燃有毒气体报警仪并与紧急切断联锁", "设置防护栏杆和安全警示标志", "安装紧急停车按钮和防护罩",
                            "设置机械通风和防爆电气"],
    "measure_management": ["执行作业许可制度，专人监护", "每班巡检并做好记录", "定期检测检验，建立设备台账",
                           "落实领导带班和隐患排查制度"],
    "measure_training": ["岗前安全培训，持证上岗", "每季度开展专项培训"],
    "measure_protection": ["佩戴安全帽、防护手套", "佩戴正压式空气呼吸器", "穿防静电工作服"],
    "measure_emergency": ["配备应急救援器材，每半年演练一次", "发生泄漏立即启动喷淋并疏散人员"],
}
CONTROL_BY_LEVEL = {"重大": "company", "较大": "workshop", "一般": "team", "低": "post"}


def _lec_combos() -> dict[str, list[tuple[str, str, str]]]:
    combos: dict[str, list[tuple[str, str, str]]] = {level: [] for level in risk.LEVELS}
    for l_value, e_value, c_value in itertools.product(
        [v for v, _t in risk.LEC_L_TABLE if float(v) >= 0.5], [v for v, _t in risk.LEC_E_TABLE if float(v) >= 1],
        [v for v, _t in risk.LEC_C_TABLE],
    ):
        combos[risk.lec_level(risk.lec(float(l_value), float(e_value), float(c_value)))].append(
            (l_value, e_value, c_value))
    return combos


def _matrix_combos() -> dict[str, list[tuple[int, int]]]:
    combos: dict[str, list[tuple[int, int]]] = {level: [] for level in risk.LEVELS}
    for l_value, s_value in itertools.product(range(1, 6), range(1, 6)):
        combos[risk.matrix_level(l_value, s_value)].append((l_value, s_value))
    return combos


# Chance of each level (重大, 较大, 一般, 低) by severity.
LEVEL_WEIGHTS = {3: (25, 40, 25, 10), 2: (5, 30, 45, 20), 1: (0, 10, 45, 45), 0: (0, 0, 30, 70)}


def _templates(category: str) -> list[tuple[str, str, str, int]]:
    key = "hazchem" if category.startswith("hazchem") else category
    return BY_CATEGORY.get(key, []) + COMMON


def _site_point(rng: random.Random, enterprise, polygon) -> tuple[float | None, float | None]:
    if enterprise.longitude is None:
        return None, None
    for _attempt in range(5):
        lon = round(enterprise.longitude + rng.uniform(-0.0015, 0.0015), 6)
        lat = round(enterprise.latitude + rng.uniform(-0.0012, 0.0012), 6)
        if polygon is None or polygon.contains(Point(lon, lat)):
            return lon, lat
    return enterprise.longitude, enterprise.latitude


def plan(rng: random.Random, enterprises: list, shapes: dict, today: datetime.date) -> list[dict]:
    lec_combos, matrix_combos = _lec_combos(), _matrix_combos()
    records = []
    for enterprise in enterprises[:ENTERPRISE_COUNT]:
        templates = _templates(enterprise.category)
        hazchem = enterprise.category.startswith("hazchem")
        count = min(len(templates), rng.randint(6, 9) if hazchem else rng.randint(3, 5))
        for name, kind, place, severity in rng.sample(templates, count):
            level = rng.choices(risk.LEVELS, weights=LEVEL_WEIGHTS[severity])[0]
            record = {"enterprise": enterprise, "name": name, "place": place, "kind": kind,
                      "control_level": CONTROL_BY_LEVEL[level], "responsible_person": person_name(rng),
                      "responsible_phone": mobile_number(rng),
                      "next_review": today + datetime.timedelta(days=rng.randint(-45, 365))}
            if rng.random() < 0.7 or not matrix_combos[level]:
                record["method"] = "lec"
                record["lec_l"], record["lec_e"], record["lec_c"] = rng.choice(lec_combos[level])
            else:
                record["method"] = "matrix"
                record["matrix_l"], record["matrix_s"] = rng.choice(matrix_combos[level])
            for field, texts in MEASURES.items():
                if field in ("measure_engineering", "measure_management") or rng.random() < 0.5:
                    record[field] = rng.choice(texts)
            record["longitude"], record["latitude"] = _site_point(rng, enterprise, shapes.get(enterprise.region_id))
            records.append(record)
    return records


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    enterprises = context.get("enterprises", [])
    shapes = {}
    for village in context.get("villages", []):
        if village.boundary:
            shapes[village.code] = shape(village.boundary)
            shapely.prepare(shapes[village.code])
    records = plan(rng, enterprises, shapes, timezone.localdate())
    existing = set(RiskPoint.objects.filter(enterprise__in=[e.pk for e in enterprises[:ENTERPRISE_COUNT]])
                   .values_list("enterprise_id", "name"))
    created = 0
    for record in records:
        if (record["enterprise"].pk, record["name"]) in existing:
            continue
        risk_point_create(actor=None, **record)
        created += 1
    context["log"](f"风险点：新建 {created} 个，共 {len(records)} 个")
