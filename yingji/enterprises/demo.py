"""Demo enterprises of 青禾市: a few hundred supervised enterprises spread over the villages.

Runs after `yingji.core.demo` and uses its regions from the shared context. All
data is generated before anything is written, so the random stream is consumed
the same way whether or not the rows already exist; rows are matched by credit
code (enterprises) and username (their managers).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import shapely
from django.conf import settings
from shapely.geometry import Point, shape

from yingji.core import roles
from yingji.core.demo import CITY_SHORT, landline, mobile_number, person_name, place_name, short_name
from yingji.core.models import Region, User
from yingji.core.services import user_create
from yingji.enterprises.models import Category, Enterprise, ScaleType, Size, Status, SupervisionClass
from yingji.enterprises.services import enterprise_create
from yingji.standards import division, uscc

# GB/T 4754-2017 classes that fit each supervision category, with words used in company names.
INDUSTRIES: dict[str, list[tuple[str, str, list[str]]]] = {
    Category.HAZCHEM_PRODUCTION: [
        ("C2614", "有机化学原料制造", ["化工", "石化", "化学"]),
        ("C2611", "无机酸制造", ["化工", "化学"]),
        ("C2612", "无机碱制造", ["碱业", "化工"]),
        ("C2619", "其他基础化学原料制造", ["化工", "化学"]),
        ("C2621", "氮肥制造", ["化肥", "化工"]),
        ("C2631", "化学农药制造", ["农药", "农化"]),
        ("C2641", "涂料制造", ["涂料", "化工"]),
        ("C2651", "初级形态塑料及合成树脂制造", ["树脂", "新材料"]),
        ("C2661", "化学试剂和助剂制造", ["精细化工", "化学试剂"]),
        ("C2511", "原油加工及石油制品制造", ["石化", "石油化工"]),
    ],
    Category.HAZCHEM_TRADE: [
        ("F5162", "石油及制品批发", ["石油化工销售", "石化贸易", "能源"]),
        ("F5169", "其他化工产品批发", ["化工贸易", "化工销售", "化工物资"]),
        ("F5167", "农药批发", ["农资", "农药经营"]),
        ("F5265", "机动车燃油零售", ["石油销售", "加油站"]),
        ("F5266", "机动车燃气零售", ["燃气", "加气站"]),
        ("G5942", "危险化学品仓储", ["化工仓储", "危化品仓储"]),
    ],
    Category.HAZCHEM_USE: [
        ("C3360", "金属表面处理及热处理加工", ["电镀", "表面处理"]),
        ("C2710", "化学药品原料药制造", ["制药", "药业"]),
        ("C2929", "塑料零件及其他塑料制品制造", ["塑业", "塑胶制品"]),
        ("C2221", "机制纸及纸板制造", ["纸业"]),
        ("C3982", "电子电路制造", ["电子"]),
        ("C1361", "水产品冷冻加工", ["冷链食品", "冷冻食品"]),
    ],
    Category.NON_COAL_MINE: [
        ("B1019", "黏土及其他土砂石开采", ["砂石", "石料"]),
        ("B1011", "石灰石、石膏开采", ["矿业", "石灰石矿"]),
        ("B1012", "建筑装饰用石开采", ["石材", "矿业"]),
        ("B0810", "铁矿采选", ["矿业", "铁矿"]),
    ],
    Category.FIREWORKS: [
        ("C2672", "焰火、鞭炮产品制造", ["烟花爆竹", "花炮"]),
    ],
    Category.METALLURGY: [
        ("C3110", "炼铁", ["钢铁"]),
        ("C3120", "炼钢", ["钢铁", "特钢"]),
        ("C3130", "钢压延加工", ["钢材", "型钢"]),
        ("C3140", "铁合金冶炼", ["铁合金"]),
        ("C3391", "黑色金属铸造", ["铸造", "铸业"]),
    ],
    Category.NONFERROUS: [
        ("C3216", "铝冶炼", ["铝业"]),
        ("C3211", "铜冶炼", ["铜业"]),
        ("C3212", "铅锌冶炼", ["冶炼"]),
        ("C3252", "铝压延加工", ["铝材", "铝业"]),
        ("C3251", "铜压延加工", ["铜材"]),
        ("C3392", "有色金属铸造", ["精密铸造"]),
    ],
    Category.BUILDING_MATERIALS: [
        ("C3011", "水泥制造", ["水泥"]),
        ("C3012", "石灰和石膏制造", ["石灰", "建材"]),
        ("C3021", "水泥制品制造", ["管桩", "建材"]),
        ("C3031", "黏土砖瓦及建筑砌块制造", ["新型墙材", "建材"]),
        ("C3041", "平板玻璃制造", ["玻璃"]),
        ("C3071", "建筑陶瓷制品制造", ["陶瓷"]),
        ("C3032", "建筑用石加工", ["石材"]),
    ],
    Category.MACHINERY: [
        ("C3411", "锅炉及辅助设备制造", ["锅炉"]),
        ("C3421", "金属切削机床制造", ["机床"]),
        ("C3443", "阀门和旋塞制造", ["阀门"]),
        ("C3441", "泵及真空设备制造", ["泵业"]),
        ("C3571", "拖拉机制造", ["农业装备", "拖拉机"]),
        ("C3572", "机械化农业及园艺机具制造", ["农机"]),
        ("C3670", "汽车零部件及配件制造", ["汽车配件", "汽车零部件"]),
        ("C3311", "金属结构制造", ["钢结构"]),
        ("C3484", "机械零部件加工", ["机械制造", "机械"]),
        ("C3511", "矿山机械制造", ["重工", "矿山机械"]),
        ("C3453", "齿轮及齿轮减、变速箱制造", ["齿轮", "传动"]),
    ],
    Category.LIGHT_INDUSTRY: [
        ("C1512", "白酒制造", ["酒业", "酿酒"]),
        ("C1391", "淀粉及淀粉制品制造", ["淀粉", "生物科技"]),
        ("C1331", "食用植物油加工", ["油脂", "粮油"]),
        ("C2110", "木质家具制造", ["家具"]),
        ("C2231", "纸和纸板容器制造", ["包装", "纸制品"]),
        ("C1910", "皮革鞣制加工", ["皮革"]),
        ("C2021", "胶合板制造", ["木业"]),
    ],
    Category.TEXTILE: [
        ("C1711", "棉纺纱加工", ["纺织", "棉纺"]),
        ("C1712", "棉织造加工", ["织造", "纺织"]),
        ("C1713", "棉印染精加工", ["印染"]),
        ("C1819", "其他机织服装制造", ["服饰", "服装"]),
        ("C1761", "针织或钩针编织物织造", ["针织"]),
        ("C1781", "非织造布制造", ["无纺布"]),
    ],
    Category.COMMERCE: [
        ("F5211", "百货零售", ["百货", "商厦"]),
        ("F5212", "超级市场零售", ["超市", "购物中心"]),
        ("F5219", "其他综合零售", ["商贸"]),
        ("F5123", "果品、蔬菜批发", ["农产品批发市场", "农贸"]),
        ("F5165", "建材批发", ["建材商贸"]),
        ("F5174", "五金产品批发", ["五金"]),
        ("F5172", "汽车及零配件批发", ["汽贸"]),
    ],
    Category.OTHER: [
        ("G5431", "普通货物道路运输", ["物流", "运输"]),
        ("D4430", "热力生产和供应", ["热力"]),
        ("D4412", "热电联产", ["热电"]),
        ("G5951", "谷物仓储", ["粮食储备", "粮库"]),
        ("D4620", "污水处理及其再生利用", ["水务", "污水处理"]),
        ("C4220", "非金属废料和碎屑加工处理", ["再生资源"]),
    ],
}

# Tobacco is a state monopoly: a few enterprises with fixed names, (industry code, name, county index).
TOBACCO = [
    ("C1620", "卷烟制造", "江海中烟工业有限责任公司青禾卷烟厂", 1),
    ("C1610", "烟叶复烤", "青禾市烟叶复烤有限责任公司", 4),
    ("F5128", "烟草制品批发", "江海省烟草公司青禾市公司物流中心", 0),
    ("C1610", "烟叶复烤", "江海中烟工业有限责任公司北山烟叶复烤厂", 2),
]

# How many enterprises of each category (more hazchem, machinery and commerce; few fireworks and tobacco).
CATEGORY_COUNTS = {
    Category.HAZCHEM_PRODUCTION: 36,
    Category.HAZCHEM_TRADE: 34,
    Category.HAZCHEM_USE: 28,
    Category.NON_COAL_MINE: 16,
    Category.FIREWORKS: 6,
    Category.METALLURGY: 14,
    Category.NONFERROUS: 12,
    Category.BUILDING_MATERIALS: 26,
    Category.MACHINERY: 60,
    Category.LIGHT_INDUSTRY: 30,
    Category.TEXTILE: 20,
    Category.TOBACCO: len(TOBACCO),
    Category.COMMERCE: 60,
    Category.OTHER: 18,
}

# Weights of (large, medium, small, micro) by category.
SIZE_WEIGHTS = {
    Category.HAZCHEM_PRODUCTION: (20, 35, 35, 10),
    Category.HAZCHEM_TRADE: (3, 17, 50, 30),
    Category.HAZCHEM_USE: (10, 30, 45, 15),
    Category.NON_COAL_MINE: (5, 25, 50, 20),
    Category.FIREWORKS: (0, 20, 50, 30),
    Category.METALLURGY: (30, 40, 25, 5),
    Category.NONFERROUS: (25, 40, 30, 5),
    Category.BUILDING_MATERIALS: (10, 30, 45, 15),
    Category.MACHINERY: (8, 22, 50, 20),
    Category.LIGHT_INDUSTRY: (5, 20, 50, 25),
    Category.TEXTILE: (8, 25, 47, 20),
    Category.TOBACCO: (50, 50, 0, 0),
    Category.COMMERCE: (3, 12, 45, 40),
    Category.OTHER: (5, 20, 50, 25),
}
EMPLOYEES = {Size.LARGE: (1000, 3500), Size.MEDIUM: (300, 999), Size.SMALL: (20, 299), Size.MICRO: (3, 19)}
HAZARDOUS = {
    Category.HAZCHEM_PRODUCTION, Category.HAZCHEM_TRADE, Category.HAZCHEM_USE, Category.NON_COAL_MINE,
    Category.FIREWORKS, Category.METALLURGY, Category.NONFERROUS,
}

BRANDS = [
    "宏达", "鑫源", "华泰", "金盛", "恒信", "瑞丰", "昌盛", "远大", "永安", "润德", "中诚", "盛华", "鼎力", "泰和",
    "隆昌", "汇通", "天利", "聚鑫", "德润", "兴业", "万通", "正阳", "海川", "晟达", "华宇", "新元", "康达", "利民",
    "锦程", "博远", "信诚", "长丰", "东升", "福源", "安泰", "宏图", "金鼎", "同力", "伟业", "立信", "众合", "嘉禾",
    "九州", "龙腾", "凯达", "春晖", "圣源", "明德", "天成", "广厦", "亿丰", "恒通", "宝丰", "时代", "荣昌", "华盛",
]
ROADS = [
    "工业路", "创业大道", "兴业路", "经一路", "经二路", "纬三路", "纬五路", "建设路", "人民路", "解放路", "黄河路",
    "长江路", "泰山路", "发展大道", "富民路", "振兴路",
]
MA_BODY = uscc.CHARSET  # 主体标识码 characters: digits and capitals except I, O, S, V, Z


@dataclass(frozen=True)
class ManagedEnterprise:
    username: str
    real_name: str
    name: str
    category: str
    industry_code: str
    industry_name: str
    county_index: int


# The enterprises whose managers get demo accounts; created first so they stay the same.
MANAGED = [
    ManagedEnterprise("enterprise1_manager", "韩立强", "青禾东方化工有限公司", Category.HAZCHEM_PRODUCTION,
                      "C2614", "有机化学原料制造", 2),
    ManagedEnterprise("enterprise2_manager", "曹文静", "南河恒泰石油化工有限公司", Category.HAZCHEM_TRADE,
                      "F5162", "石油及制品批发", 3),
    ManagedEnterprise("enterprise3_manager", "彭志刚", "禾丰华瑞制药有限公司", Category.HAZCHEM_USE,
                      "C2710", "化学药品原料药制造", 1),
]
ENTERPRISE_ACCOUNTS: list[tuple[str, str]] = [
    (m.username, f"企业安全管理员（{m.name}）") for m in MANAGED
]


def organization_code(rng: random.Random) -> str:
    """A 9-character 主体标识码 with its GB 11714 check character (new codes start with MA)."""
    if rng.random() < 0.6:
        body = "MA" + "".join(rng.choice(MA_BODY) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(ch, 36) * w for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, county_code: str) -> str:
    """A valid 统一社会信用代码 of a company (9 工商, 1 企业) registered in the county."""
    first17 = "91" + county_code[:6] + organization_code(rng)
    return first17 + uscc.check_character(first17)


def _random_point(rng: random.Random, polygon) -> tuple[float, float]:
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        lon, lat = round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6)
        if polygon.contains(Point(lon, lat)):
            return lon, lat


def _size(rng: random.Random, category: str) -> str:
    return rng.choices([Size.LARGE, Size.MEDIUM, Size.SMALL, Size.MICRO], weights=SIZE_WEIGHTS[category])[0]


def _supervision_class(category: str, size: str) -> str:
    """甲类 (city-supervised): large industrial enterprises and medium ones of the most hazardous kinds."""
    if size == Size.LARGE and category not in (Category.COMMERCE, Category.OTHER):
        return SupervisionClass.A
    if size == Size.MEDIUM and category in HAZARDOUS:
        return SupervisionClass.A
    return SupervisionClass.B


class Planner:
    """Generates the enterprise records from the regions; consumes `rng` in a fixed order."""

    def __init__(self, rng: random.Random, regions: dict[str, Region], villages: list[Region]):
        self.rng = rng
        self.regions = regions
        self.villages = villages
        self.shapes = {v.code: shape(v.boundary) for v in villages}
        for polygon in self.shapes.values():
            shapely.prepare(polygon)
        self.codes: set[str] = set()
        self.names: set[str] = set()

    def village_for(self, category: str, county_index: int | None = None) -> Region:
        rng = self.rng
        pool = self.villages if county_index is None else self.villages_by_county()[county_index]
        communities = [v for v in pool if v.name.endswith("社区居委会")]
        rural = [v for v in pool if v.name.endswith("村委会")]
        if category in (Category.COMMERCE, Category.OTHER):
            preferred = communities
            chance = 0.7
        else:
            preferred = rural
            chance = 0.85
        if preferred and rng.random() < chance:
            return rng.choice(preferred)
        return rng.choice(pool)

    def villages_by_county(self) -> list[list[Region]]:
        counties = sorted({v.code[:6] for v in self.villages})
        return [[v for v in self.villages if v.code[:6] == c] for c in counties]

    def unique_code(self, county_code: str) -> str:
        while True:
            code = credit_code(self.rng, county_code)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def unique_name(self, village: Region, words: list[str], size: str) -> str:
        rng = self.rng
        township = self.regions[division.parent_code(village.code)]
        county = self.regions[division.parent_code(township.code)]
        while True:
            prefix = rng.choice([CITY_SHORT, short_name(county.name), short_name(county.name), short_name(township.name)])
            form = "股份有限公司" if size == Size.LARGE and rng.random() < 0.4 else "有限公司"
            name = f"{prefix}{rng.choice(BRANDS)}{rng.choice(words)}{form}"
            if name not in self.names:
                self.names.add(name)
                return name

    def address(self, village: Region, category: str) -> str:
        rng = self.rng
        township = self.regions[division.parent_code(village.code)]
        county = self.regions[division.parent_code(township.code)]
        if category == Category.HAZCHEM_PRODUCTION and rng.random() < 0.5:
            street = f"化工园区{rng.choice('一二三四五六')}号路"
        else:
            street = rng.choice(ROADS)
        return f"{county.name}{township.name}{place_name(village.name)}{street}{rng.randint(1, 299)}号"

    def record(self, *, name: str | None, category: str, industry: tuple[str, str, list[str]],
               village: Region, size: str | None = None, status: str | None = None) -> dict:
        rng = self.rng
        code, industry_name, words = industry
        size = size or _size(rng, category)
        low, high = EMPLOYEES[size]
        if size == Size.SMALL:
            scale = ScaleType.ABOVE if rng.random() < 0.4 else ScaleType.BELOW
        else:
            scale = ScaleType.BELOW if size == Size.MICRO else ScaleType.ABOVE
        legal = person_name(rng)
        principal = legal if rng.random() < 0.6 else person_name(rng)
        lon, lat = _random_point(rng, self.shapes[village.code])
        roll = rng.random()
        status = status or (Status.OPERATING if roll < 0.88 else Status.SUSPENDED if roll < 0.96 else Status.CLOSED)
        return {
            "name": name or self.unique_name(village, words, size),
            "credit_code": self.unique_code(village.code),
            "region": village,
            "address": self.address(village, category),
            "longitude": lon,
            "latitude": lat,
            "industry_code": code,
            "industry_name": industry_name,
            "category": category,
            "scale_type": scale,
            "size": size,
            "supervision_class": _supervision_class(category, size),
            "legal_representative": legal,
            "legal_representative_phone": mobile_number(rng) if rng.random() < 0.8 else "",
            "principal": principal,
            "principal_phone": mobile_number(rng),
            "safety_director": person_name(rng),
            "safety_director_phone": mobile_number(rng) if rng.random() < 0.7 else landline(rng),
            "employee_count": rng.randint(low, high),
            "status": status,
        }

    def plan(self) -> list[dict]:
        rng = self.rng
        records = []
        for managed in MANAGED:
            self.names.add(managed.name)
            village = self.village_for(managed.category, managed.county_index)
            industry = (managed.industry_code, managed.industry_name, [])
            records.append(self.record(name=managed.name, category=managed.category, industry=industry,
                                       village=village, size=Size.LARGE, status=Status.OPERATING))
        for code, industry_name, name, county_index in TOBACCO:
            self.names.add(name)
            village = self.village_for(Category.TOBACCO, county_index)
            records.append(self.record(name=name, category=Category.TOBACCO, industry=(code, industry_name, []),
                                       village=village))
        fixed = Counter(r["category"] for r in records)
        categories = [c for c, n in CATEGORY_COUNTS.items() for _ in range(n - fixed[c])]
        rng.shuffle(categories)
        for category in categories:
            village = self.village_for(category)
            records.append(self.record(name=None, category=category, industry=rng.choice(INDUSTRIES[category]),
                                       village=village))
        return records


def build_enterprises(rng: random.Random, regions: dict[str, Region], villages: list[Region]) -> list[dict]:
    return Planner(rng, regions, villages).plan()


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    records = build_enterprises(rng, context["regions"], context["villages"])
    mobiles = [mobile_number(rng, "139") for _ in MANAGED]

    existing = Enterprise.objects.in_bulk([r["credit_code"] for r in records], field_name="credit_code")
    enterprises = []
    created = 0
    for record in records:
        enterprise = existing.get(record["credit_code"])
        if enterprise is None:
            enterprise = enterprise_create(actor=None, **record)
            created += 1
        enterprises.append(enterprise)
    log(f"企业：新建 {created} 家，共 {len(records)} 家")

    users = User.objects.in_bulk([m.username for m in MANAGED], field_name="username")
    created = 0
    # The managed enterprises are the first records.
    for managed, mobile, enterprise in zip(MANAGED, mobiles, enterprises, strict=False):
        if managed.username not in users:
            users[managed.username] = user_create(
                actor=None, username=managed.username, password=settings.DEMO_PASSWORD, real_name=managed.real_name,
                roles=[roles.ENTERPRISE_MANAGER], scope_enterprise=enterprise, mobile=mobile,
            )
            created += 1
    log(f"企业用户：新建 {created} 个，共 {len(MANAGED)} 个")

    context["enterprises"] = enterprises
    context.setdefault("users", {}).update(users)
