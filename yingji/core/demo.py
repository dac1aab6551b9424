"""The fictional demo city 青禾市 of 江海省 (province code 39, unassigned in GB/T 2260).

Everything is generated first from `context["random"]` (so the random stream is
consumed identically on every run), then only the rows whose natural key is
missing are created, through the services. Boundaries nest exactly and siblings
never overlap: the villages are split out of the city top-down with Voronoi
diagrams, then all of their edges are snapped to a 1e-5° grid together and
re-assembled into faces; townships, counties and the city are unions of those
faces, so every level shares the very same vertices.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from django.conf import settings
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.polygon import orient

from yingji.core import roles
from yingji.core.models import Organization, OrganizationKind, Region, User
from yingji.core.services import organization_create, region_create, user_create
from yingji.standards import division

PROVINCE_CODE = "390000000000"
PROVINCE_NAME = "江海省"
CITY_CODE = "390100000000"
CITY_NAME = "青禾市"
CITY_SHORT = "青禾"
AREA_CODE = "0549"

CENTER_LON, CENTER_LAT = 118.6, 36.4
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320 * math.cos(math.radians(CENTER_LAT))
GRID = 1e-5  # degrees; boundaries are stored with 5 decimals
CITY_RADIUS_KM = 30.0

# GB/T 2260 county code, name, and how many 街道 / 镇 / 乡 it has. Districts come
# first: they get the Voronoi cells nearest the city centre.
COUNTIES: list[tuple[str, str, tuple[int, int, int]]] = [
    ("390102", "青湖区", (5, 1, 0)),
    ("390103", "禾丰区", (3, 2, 0)),
    ("390121", "北山县", (1, 3, 2)),
    ("390122", "南河县", (1, 3, 1)),
    ("390123", "东岭县", (1, 2, 2)),
]

STREET_STEMS = ["文昌", "和平", "东关", "西湖", "南苑", "北辰", "滨河", "望湖", "新华", "锦华", "丰乐", "清源"]
TOWN_STEMS = [
    "石桥", "柳河", "白马", "双庙", "黄岗", "杨集", "马坊", "高庄", "桃庄", "新集", "官庄", "青石",
    "长岭", "三河", "大店", "古城", "河口", "金沟", "枣林", "云台",
]
XIANG_STEMS = ["柏树", "杏花", "岭后", "大峪", "松岭", "金岗", "夏庄", "洪山", "青龙", "白云", "石门", "梨园"]
COMMUNITY_FIRST = "文和光新锦滨翠康福兴华安丰惠明金春长荣泰"
COMMUNITY_SECOND = "苑园华城泽庭湖里坊阳馨悦景源岸溪林枫桥晖"
VILLAGE_FIRST = [
    "王家", "李家", "张家", "刘家", "陈家", "赵家", "孙家", "周家", "吴家", "郑家", "冯家", "韩家", "前", "后",
    "东", "西", "南", "北", "上", "下", "大", "小", "新", "老", "高", "柳", "杨", "桃", "杏", "枣", "石", "沙",
    "马", "龙", "凤", "双", "三", "黄", "白", "红", "槐", "榆",
]
VILLAGE_SECOND = [
    "庄", "屯", "营", "店", "楼", "坡", "洼", "沟", "峪", "集", "寨", "岗", "堡", "湾", "桥", "口", "园", "林",
    "河", "泉", "岭", "头", "坊", "庙", "井", "峪口", "河沿", "树村",
]

# Names of real prefecture-level cities that the generators above could produce.
REAL_CITY_NAMES = ["安阳", "金华", "东营"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国红玉兰志文斌凤春海峰辉成鹏飞燕宇新立东亮晶雪梅林婷"
    "俊浩博瑞子晨欣宁佳琳瑶涵晓振鑫永福庆德祥宏波荣胜利元忠秀云光彬坤宏兵清"
)
MOBILE_PREFIXES = ["139", "138", "137", "136", "135", "158", "159", "186", "187", "188", "150", "151", "133", "189"]


@dataclass
class RegionSpec:
    code: str
    name: str
    parent_code: str | None
    polygon: Polygon
    population: int = 0


@dataclass
class OrganizationSpec:
    region_code: str
    name: str
    kind: str
    parent: tuple[str, str] | None
    phone: str


@dataclass
class UserSpec:
    username: str
    real_name: str
    role: str
    description: str
    scope_region: str | None
    organization: tuple[str, str] | None
    mobile: str = ""
    is_superuser: bool = False


def person_name(rng: random.Random) -> str:
    """A plausible (fictional) Chinese personal name."""
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.65:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def mobile_number(rng: random.Random, prefix: str | None = None) -> str:
    return (prefix or rng.choice(MOBILE_PREFIXES)) + "".join(rng.choice("0123456789") for _ in range(8))


def landline(rng: random.Random) -> str:
    return f"{AREA_CODE}-{rng.randint(2, 8)}{rng.randint(0, 999999):06d}"


def short_name(name: str) -> str:
    """The stem of a county, township or village name: 北山县 → 北山, 石桥镇 → 石桥."""
    for suffix in ("社区居委会", "村委会", "街道", "镇", "乡", "区", "县"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def place_name(name: str) -> str:
    """How a village is written in an address: 柳营村委会 → 柳营村, 文苑社区居委会 → 文苑社区."""
    if name.endswith("居委会"):
        return name[: -len("居委会")]
    if name.endswith("村委会"):
        return name[: -len("委会")]
    return name


# Geometry ------------------------------------------------------------------

def _noisy_outline(rng: random.Random, radius: float, center: tuple[float, float] = (0.0, 0.0)) -> Polygon:
    """A star-shaped irregular outline in km: a circle with a few random harmonics."""
    harmonics = [(k, rng.uniform(0.03, 0.16) / k**0.6, rng.uniform(0, 2 * math.pi)) for k in range(2, 9)]
    vertices = 120
    points = []
    for i in range(vertices):
        theta = 2 * math.pi * i / vertices
        factor = 1 + sum(a * math.cos(k * theta + phase) for k, a, phase in harmonics) + rng.uniform(-0.012, 0.012)
        r = radius * max(factor, 0.5)
        points.append((center[0] + r * math.cos(theta), center[1] + r * math.sin(theta)))
    return Polygon(points)


def _sample_seeds(rng: random.Random, polygon: Polygon, count: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = polygon.bounds
    spacing = 0.55 * math.sqrt(polygon.area / count)
    shapely.prepare(polygon)
    seeds: list[tuple[float, float]] = []
    attempts = 0
    while len(seeds) < count:
        attempts += 1
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not polygon.contains(Point(x, y)):
            continue
        if attempts < 20_000 and any(math.hypot(x - sx, y - sy) < spacing for sx, sy in seeds):
            continue
        seeds.append((x, y))
    return seeds


def _polygons(geometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    return [g for part in geometry.geoms for g in _polygons(part)]


def _largest(geometry) -> Polygon:
    return max(_polygons(geometry), key=lambda p: p.area)


def _absorb_fragments(pieces: list[Polygon], fragments: list[Polygon]) -> None:
    """Give each stray fragment to the piece it shares most border with, so the pieces still tile the parent."""
    for fragment in sorted(fragments, key=lambda f: -f.area):
        grown = fragment.buffer(1e-7)
        best = max(range(len(pieces)), key=lambda i: grown.intersection(pieces[i]).area)
        pieces[best] = _largest(shapely.make_valid(pieces[best].union(grown)))


def _voronoi_pieces(polygon: Polygon, seeds: list[tuple[float, float]]) -> list[Polygon]:
    """The Voronoi cells of the seeds clipped to the polygon, one single polygon per seed, in seed order."""
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=polygon, ordered=True)
    pieces: list[Polygon] = []
    fragments: list[Polygon] = []
    for cell in cells.geoms:
        # A convex cell clipped to a non-convex parent can fall apart.
        parts = sorted(_polygons(shapely.make_valid(cell.intersection(polygon))), key=lambda p: -p.area)
        pieces.append(parts[0])
        fragments.extend(parts[1:])
    _absorb_fragments(pieces, fragments)
    return pieces


def _inner_point(polygon: Polygon) -> tuple[float, float]:
    point = polygon.centroid if polygon.contains(polygon.centroid) else polygon.representative_point()
    return point.x, point.y


def _split(rng: random.Random, polygon: Polygon, count: int) -> list[Polygon]:
    """Split a polygon into `count` Voronoi cells, relaxed twice (Lloyd) so they come out evenly sized."""
    pieces = _voronoi_pieces(polygon, _sample_seeds(rng, polygon, count))
    for _ in range(2):
        pieces = _voronoi_pieces(polygon, [_inner_point(p) for p in pieces])
    return pieces


def _distance_order(pieces: list[Polygon], origin: Point) -> list[Polygon]:
    return sorted(pieces, key=lambda p: (p.centroid.distance(origin), p.centroid.x, p.centroid.y))


def _km_to_lonlat(geometry):
    return shapely.transform(
        geometry, lambda xy: xy / [KM_PER_DEG_LON, KM_PER_DEG_LAT] + [CENTER_LON, CENTER_LAT]
    )


def _coverage(polygons: list[Polygon]) -> list[Polygon]:
    """Snap a tiling to the grid so neighbours share exact vertices; returns one polygon per input, same order."""
    lines = shapely.unary_union([p.exterior for p in polygons], grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0]
    tree = shapely.STRtree(polygons)
    owned: list[list[Polygon]] = [[] for _ in polygons]
    for face in faces:
        candidates = tree.query(face)
        if len(candidates) == 0:
            candidates = range(len(polygons))
        owner = max(candidates, key=lambda i: (face.intersection(polygons[i]).area, -i))
        owned[owner].append(face)
    result = []
    for index, group in enumerate(owned):
        merged = shapely.unary_union(group, grid_size=GRID)
        parts = _polygons(merged)
        if len(parts) != 1 or parts[0].interiors:
            raise ValueError(f"demo region #{index} did not come out as one simple polygon")
        result.append(parts[0])
    return result


def _lonlat_area_km2(polygon: Polygon) -> float:
    return round(polygon.area * KM_PER_DEG_LON * KM_PER_DEG_LAT, 2)


def geojson(polygon: Polygon) -> dict:
    """A GeoJSON Polygon (exterior counter-clockwise) with coordinates rounded to 5 decimals."""
    polygon = orient(polygon, 1.0)
    rings = [polygon.exterior, *polygon.interiors]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring.coords] for ring in rings]}


# Plan ----------------------------------------------------------------------

def _pick_unique(make: Callable[[], str], used: set[str]) -> str:
    while True:
        name = make()
        if name not in used:
            used.add(name)
            return name


def build_regions(rng: random.Random) -> list[RegionSpec]:
    """Every region of the demo city, parents before children, with final lon/lat polygons."""
    city_km = _noisy_outline(rng, CITY_RADIUS_KM)
    province_km = _noisy_outline(rng, 150.0, center=(-45.0, 25.0))
    county_pieces = _distance_order(_split(rng, city_km, len(COUNTIES)), Point(0, 0))

    # (county index, township kind, polygon) and (township index, polygon), all in km.
    townships_km: list[tuple[int, str, Polygon]] = []
    for county_index, (_code, _name, (streets, towns, xiangs)) in enumerate(COUNTIES):
        county = county_pieces[county_index]
        kinds = ["街道"] * streets + ["镇"] * towns + ["乡"] * xiangs
        pieces = _distance_order(_split(rng, county, len(kinds)), county.centroid)
        townships_km.extend((county_index, kind, piece) for kind, piece in zip(kinds, pieces, strict=True))
    villages_km: list[tuple[int, Polygon]] = []
    for township_index, (_county, _kind, township) in enumerate(townships_km):
        pieces = _distance_order(_split(rng, township, rng.randint(4, 6)), township.centroid)
        villages_km.extend((township_index, piece) for piece in pieces)

    villages = _coverage([_km_to_lonlat(piece) for _t, piece in villages_km])
    province = shapely.set_precision(_km_to_lonlat(province_km), GRID)

    specs = [RegionSpec(PROVINCE_CODE, PROVINCE_NAME, None, province)]
    city = RegionSpec(CITY_CODE, CITY_NAME, PROVINCE_CODE, shapely.unary_union(villages, grid_size=GRID))
    specs.append(city)
    # Township stems are reserved so no village repeats one (a town's seat community takes its stem).
    used_villages: set[str] = {short_name(name) for _c, name, _n in COUNTIES} | set(
        STREET_STEMS + TOWN_STEMS + XIANG_STEMS + REAL_CITY_NAMES
    )
    street_stems = rng.sample(STREET_STEMS, len(STREET_STEMS))
    town_stems = rng.sample(TOWN_STEMS, len(TOWN_STEMS))
    xiang_stems = rng.sample(XIANG_STEMS, len(XIANG_STEMS))
    for county_index, (county_code, county_name, _counts) in enumerate(COUNTIES):
        county_code12 = county_code + "000000"
        county_spec = RegionSpec(county_code12, county_name, CITY_CODE, Polygon())
        specs.append(county_spec)
        county_townships: list[RegionSpec] = []
        numbers = {"街道": 1, "镇": 100, "乡": 200}
        for township_index, (owner, kind, _piece) in enumerate(townships_km):
            if owner != county_index:
                continue
            if kind == "街道" and numbers["街道"] == 1:
                stem = short_name(county_name)
            else:
                stem = {"街道": street_stems, "镇": town_stems, "乡": xiang_stems}[kind].pop()
            township_code = county_code + f"{numbers[kind]:03d}" + "000"
            numbers[kind] += 1
            members = [v for (t, _p), v in zip(villages_km, villages, strict=True) if t == township_index]
            township_polygon = shapely.unary_union(members, grid_size=GRID)
            township = RegionSpec(township_code, stem + kind, county_code12, township_polygon)
            county_townships.append(township)
            specs.append(township)
            community_numbers, village_numbers = iter(range(1, 200)), iter(range(201, 400))
            children = []
            for position, polygon in enumerate(members):
                is_community = kind == "街道" or (kind == "镇" and position == 0)
                if kind == "镇" and position == 0:
                    name = stem + "社区居委会"
                elif is_community:
                    name = _pick_unique(
                        lambda: rng.choice(COMMUNITY_FIRST) + rng.choice(COMMUNITY_SECOND), used_villages
                    ) + "社区居委会"
                else:
                    name = _pick_unique(
                        lambda: rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND), used_villages
                    ) + "村委会"
                number = next(community_numbers) if is_community else next(village_numbers)
                population = rng.randint(2000, 4000) if is_community else rng.randint(800, 2500)
                village = RegionSpec(township_code[:9] + f"{number:03d}", name, township_code, polygon, population)
                children.append(village)
                specs.append(village)
            township.population = sum(v.population for v in children)
        county_spec.polygon = shapely.unary_union([t.polygon for t in county_townships], grid_size=GRID)
        county_spec.population = sum(t.population for t in county_townships)
    city.population = sum(s.population for s in specs if s.parent_code == CITY_CODE)
    # The rest of the (fictional) province is not modelled: scale the city's density to its area.
    specs[0].population = round(city.population * province.area / city.polygon.area * 0.9, -3)
    return sorted(specs, key=lambda s: s.code)


def _region_fields(spec: RegionSpec) -> dict:
    longitude, latitude = _inner_point(spec.polygon)
    return {
        "code": spec.code,
        "name": spec.name,
        "level": division.level_of(spec.code),
        "longitude": round(longitude, 5),
        "latitude": round(latitude, 5),
        "boundary": geojson(spec.polygon),
        "population": int(spec.population),
        "area_km2": _lonlat_area_km2(spec.polygon),
    }


BUREAU = "青禾市应急管理局"
BUREAU_DEPARTMENTS = [
    "办公室", "应急指挥中心", "风险监测和综合减灾科", "安全生产基础科", "危险化学品安全监督管理科",
    "安全生产执法监督科", "防汛抗旱科", "救灾和物资保障科", "政策法规科",
]
INDUSTRY_DEPARTMENTS = [
    "青禾市住房和城乡建设局", "青禾市交通运输局", "青禾市工业和信息化局", "青禾市市场监督管理局",
    "青禾市自然资源和规划局", "青禾市水利局", "青禾市农业农村局", "青禾市商务局",
]
RESCUE_TEAM = "青禾市综合应急救援支队"


def county_bureau(county_name: str) -> str:
    return f"{county_name}应急管理局"


def township_office(township_name: str) -> str:
    return f"{township_name}办事处" if township_name.endswith("街道") else f"{township_name}人民政府"


def build_organizations(rng: random.Random, regions: list[RegionSpec]) -> list[OrganizationSpec]:
    bureau_key = (CITY_CODE, BUREAU)
    specs = [OrganizationSpec(CITY_CODE, BUREAU, OrganizationKind.BUREAU, None, landline(rng))]
    specs += [
        OrganizationSpec(CITY_CODE, name, OrganizationKind.BUREAU_DEPARTMENT, bureau_key, landline(rng))
        for name in BUREAU_DEPARTMENTS
    ]
    specs += [OrganizationSpec(CITY_CODE, name, OrganizationKind.INDUSTRY, None, landline(rng))
              for name in INDUSTRY_DEPARTMENTS]
    specs.append(OrganizationSpec(CITY_CODE, RESCUE_TEAM, OrganizationKind.OTHER, bureau_key, landline(rng)))
    for code, name, _counts in COUNTIES:
        specs.append(OrganizationSpec(
            code + "000000", county_bureau(name), OrganizationKind.BUREAU, bureau_key, landline(rng)
        ))
    for spec in regions:
        if division.level_of(spec.code) == "township":
            specs.append(OrganizationSpec(
                spec.code, township_office(spec.name), OrganizationKind.TOWNSHIP_OFFICE, None, landline(rng)
            ))
    return specs


def _county(index: int) -> tuple[str, str]:
    code, name, _counts = COUNTIES[index]
    return code + "000000", name


def _user_table() -> list[UserSpec]:
    first_county_code, first_county = _county(0)
    grid_township = first_county_code[:6] + "001000"
    users = [
        UserSpec("admin", "林志远", roles.ADMIN, "系统管理员（青禾市，超级管理员）", CITY_CODE, (CITY_CODE, "办公室"),
                 is_superuser=True),
        UserSpec("city_leader", "陈国栋", roles.LEADER, "局领导（青禾市应急管理局）", CITY_CODE, (CITY_CODE, BUREAU)),
        UserSpec("city_duty", "王晓燕", roles.DUTY_OFFICER, "值班员（市应急指挥中心）", CITY_CODE,
                 (CITY_CODE, "应急指挥中心")),
        UserSpec("city_supervisor", "赵立新", roles.SUPERVISOR, "监管人员/执法人员（市危险化学品安全监督管理科）",
                 CITY_CODE, (CITY_CODE, "危险化学品安全监督管理科")),
        UserSpec("city_monitor", "孙文博", roles.MONITOR, "监测预警员（市风险监测和综合减灾科）", CITY_CODE,
                 (CITY_CODE, "风险监测和综合减灾科")),
        UserSpec("city_industry", "刘建华", roles.INDUSTRY_OFFICER, "行业部门人员（青禾市住房和城乡建设局）",
                 CITY_CODE, (CITY_CODE, "青禾市住房和城乡建设局")),
        UserSpec("rescue_leader", "马振宇", roles.RESCUE_LEADER, f"救援队伍负责人（{RESCUE_TEAM}）", CITY_CODE,
                 (CITY_CODE, RESCUE_TEAM)),
    ]
    supervisors = ["周海涛", "吴俊峰", "郑雅琴", "何春生", "高明辉"]
    for index, real_name in enumerate(supervisors):
        code, name = _county(index)
        users.append(UserSpec(f"county{index + 1}_supervisor", real_name, roles.SUPERVISOR,
                              f"监管人员/执法人员（{county_bureau(name)}）", code, (code, county_bureau(name))))
    users.append(UserSpec("county1_duty", "许丽娜", roles.DUTY_OFFICER, f"值班员（{county_bureau(first_county)}）",
                          first_county_code, (first_county_code, county_bureau(first_county))))
    grid_street = short_name(first_county) + "街道"
    users.append(UserSpec("grid1", "杨永福", roles.GRID_MEMBER, f"网格员/灾害信息员（{first_county}{grid_street}）",
                          grid_township[:9] + "001", (grid_township, township_office(grid_street))))
    return users


USERS = _user_table()
DEMO_ACCOUNTS: list[tuple[str, str]] = [(u.username, u.description) for u in USERS]


def build_users(rng: random.Random) -> list[UserSpec]:
    users = [UserSpec(**vars(u)) for u in USERS]
    for user in users:
        user.mobile = mobile_number(rng, "139")
    return users


# Writing -------------------------------------------------------------------

def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    region_specs = build_regions(rng)
    organization_specs = build_organizations(rng, region_specs)
    user_specs = build_users(rng)

    regions = Region.objects.in_bulk([s.code for s in region_specs])
    created = 0
    for spec in region_specs:  # sorted by code, so parents come first
        if spec.code not in regions:
            parent = regions[spec.parent_code] if spec.parent_code else None
            regions[spec.code] = region_create(actor=None, parent=parent, **_region_fields(spec))
            created += 1
    log(f"行政区划：新建 {created} 个，共 {len(region_specs)} 个")

    organizations = {
        (o.region_id, o.name): o
        for o in Organization.objects.filter(region_id__in=[s.region_code for s in organization_specs])
    }
    created = 0
    for spec in organization_specs:
        key = (spec.region_code, spec.name)
        if key not in organizations:
            organizations[key] = organization_create(
                actor=None, name=spec.name, kind=spec.kind, region=regions[spec.region_code],
                parent=organizations[spec.parent] if spec.parent else None, phone=spec.phone,
            )
            created += 1
    log(f"组织机构：新建 {created} 个，共 {len(organization_specs)} 个")

    existing = User.objects.in_bulk([u.username for u in user_specs], field_name="username")
    created = 0
    users = {}
    for spec in user_specs:
        user = existing.get(spec.username)
        if user is None:
            user = user_create(
                actor=None, username=spec.username, password=settings.DEMO_PASSWORD, real_name=spec.real_name,
                roles=[spec.role], scope_region=regions[spec.scope_region] if spec.scope_region else None,
                organization=organizations[spec.organization] if spec.organization else None,
                mobile=spec.mobile, is_superuser=spec.is_superuser,
            )
            created += 1
        users[spec.username] = user
    log(f"用户：新建 {created} 个，共 {len(user_specs)} 个")

    context["regions"] = {spec.code: regions[spec.code] for spec in region_specs}
    context["province"] = regions[PROVINCE_CODE]
    context["city"] = regions[CITY_CODE]
    context["counties"] = [regions[code + "000000"] for code, _name, _counts in COUNTIES]
    context["townships"] = [regions[s.code] for s in region_specs if division.level_of(s.code) == "township"]
    context["villages"] = [regions[s.code] for s in region_specs if division.level_of(s.code) == "village"]
    context["organizations"] = {spec.name: organizations[(spec.region_code, spec.name)] for spec in organization_specs}
    context["users"] = users
