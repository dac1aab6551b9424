"""Import of region boundaries from GeoJSON or a zipped Shapefile, matched to regions by code or by name.

Like the division table (`yingji.core.division_import`): read, plan (matched, unmatched with the reason, bad
geometry with the reason; nothing written), then apply a plan without errors in one transaction.

A feature names its region by a code property (统计用区划代码 / 区划代码 / code / adcode…; a 6-digit county code is
padded) or, failing that, by a name property matched among the children of a parent region the user chooses.
Coordinates are longitude/latitude (WGS 84 or CGCS2000, which differ by centimetres); a Shapefile whose .prj
declares a projected system is refused rather than guessed at.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any

import shapefile
import shapely
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity
from simple_history.utils import bulk_update_with_history

from yingji.core.division_import import DivisionImportError, normalize_code
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.standards import division

CODE_PROPERTIES = ("统计用区划代码", "区划代码", "行政区划代码", "code", "CODE", "adcode", "ADCODE", "QHDM", "PAC", "gb")
NAME_PROPERTIES = ("名称", "区划名称", "name", "NAME", "QHMC")
# A boundary may stick out of its parent's by this share of its area (two surveys never agree to the metre).
OUTSIDE_PARENT_TOLERANCE = 0.01
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_AT_EQUATOR = 111.320
COORDINATE_DIGITS = 6


@dataclass
class BoundaryFeature:
    number: int  # 1-based position in the file
    code: str
    name: str
    geometry: dict  # GeoJSON as read
    closed: bool


@dataclass
class BoundaryPlan:
    root_code: str
    matched: list[tuple[BoundaryFeature, str, str, bool]] = field(default_factory=list)  # (feature, code, name, had)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)
    without_boundary: list[tuple[str, str]] = field(default_factory=list)  # regions still lacking one

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.matched)

    def summary(self) -> dict[str, int]:
        return {"matched": len(self.matched), "replaced": sum(1 for m in self.matched if m[3]),
                "unmatched": len(self.unmatched), "errors": len(self.errors), "ignored": len(self.ignored)}


# Reading ------------------------------------------------------------------------------------------------------

def _ring_closed(ring: list) -> bool:
    return len(ring) >= 4 and list(ring[0])[:2] == list(ring[-1])[:2]


def _rings_closed(geometry: dict) -> bool:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return all(_ring_closed(ring) for ring in coordinates)
    if kind == "MultiPolygon":
        return all(_ring_closed(ring) for polygon in coordinates for ring in polygon)
    return True


def _property(properties: dict, names: tuple[str, ...]) -> Any:
    for name in names:
        if properties.get(name) not in (None, ""):
            return properties[name]
    return None


def _feature(number: int, properties: dict, geometry: dict) -> BoundaryFeature:
    code = _property(properties, CODE_PROPERTIES)
    name = _property(properties, NAME_PROPERTIES)
    return BoundaryFeature(number, normalize_code(code) if code is not None else "", str(name or "").strip(),
                           geometry, _rings_closed(geometry))


def _read_geojson(data: bytes) -> list[BoundaryFeature]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DivisionImportError(_("不是有效的 GeoJSON 文件：%(error)s") % {"error": exc}) from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise DivisionImportError(_("GeoJSON 应为 FeatureCollection（每个要素带区划代码或名称属性）"))
    features = []
    for number, item in enumerate(document.get("features") or [], start=1):
        if not isinstance(item, dict):
            continue
        features.append(_feature(number, item.get("properties") or {}, item.get("geometry") or {}))
    return features


def _read_shapefile(data: bytes) -> list[BoundaryFeature]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DivisionImportError(_("不是有效的 ZIP 文件")) from None
    names = {n.lower(): n for n in archive.namelist()}
    shp = next((n for n in names if n.endswith(".shp")), None)
    if shp is None:
        raise DivisionImportError(_("压缩包中没有 .shp 文件"))
    stem = shp[:-4]
    parts = {}
    for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
        real = names.get(f"{stem}.{suffix}")
        parts[suffix] = archive.read(real) if real else None
    if parts["dbf"] is None:
        raise DivisionImportError(_("压缩包中缺少 .dbf 属性文件"))
    if archive.infolist() and sum(i.file_size for i in archive.infolist()) > settings.DIVISION_IMPORT_MAX_BYTES:
        raise DivisionImportError(_("压缩包解压后过大"))
    prj = (parts["prj"] or b"").decode("latin-1").upper()
    if prj.startswith("PROJCS") or "PROJCRS" in prj[:20]:
        raise DivisionImportError(_("Shapefile 使用投影坐标系，请先转换为经纬度坐标（WGS 84 或 CGCS2000）后导入"))
    encoding = (parts["cpg"] or b"").decode("ascii", "ignore").strip() or "utf-8"
    features = []
    for attempt in (encoding, "gb18030"):
        try:
            reader = shapefile.Reader(shp=io.BytesIO(parts["shp"]), shx=io.BytesIO(parts["shx"]) if parts["shx"] else None,
                                      dbf=io.BytesIO(parts["dbf"]), encoding=attempt)
            features = [_feature(number, dict(record.record.as_dict()), record.shape.__geo_interface__)
                        for number, record in enumerate(reader.iterShapeRecords(), start=1)]
            break
        except UnicodeDecodeError:
            continue
        except Exception as exc:
            raise DivisionImportError(_("无法读取 Shapefile：%(error)s") % {"error": exc}) from None
    return features


def read_boundary_file(data: bytes, file_name: str) -> list[BoundaryFeature]:
    """The features of a GeoJSON file or of a zipped Shapefile (.shp + .shx + .dbf, optionally .prj and .cpg)."""
    if len(data) > settings.DIVISION_IMPORT_MAX_BYTES:
        raise DivisionImportError(_("文件过大，上限 %(mb).0f MB") % {"mb": settings.DIVISION_IMPORT_MAX_BYTES / 2**20})
    if file_name.lower().endswith(".zip") or data[:2] == b"PK":
        return _read_shapefile(data)
    return _read_geojson(data)


# Planning -----------------------------------------------------------------------------------------------------

def _geometry_problem(feature: BoundaryFeature) -> tuple[str, Any]:
    """(reason, None) for a boundary that cannot be stored, ("", shapely geometry) otherwise."""
    if feature.geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return _("边界应为面（Polygon 或 MultiPolygon），实为 %(type)s") % {"type": feature.geometry.get("type") or "空"}, None
    if not feature.closed:
        return _("边界未闭合（首尾坐标不一致）"), None
    try:
        geometry = shape(feature.geometry)
    except Exception as exc:
        return _("边界坐标无法读取：%(error)s") % {"error": exc}, None
    if geometry.is_empty:
        return _("边界为空"), None
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return _("坐标不是经纬度（超出 ±180°/±90°），请先转换为经纬度坐标"), None
    if not geometry.is_valid:
        return _("边界无效：%(why)s") % {"why": explain_validity(geometry)}, None
    return "", geometry


def plan_boundaries(features: list[BoundaryFeature], *, root_code: str, parent_code: str | None = None) -> BoundaryPlan:
    """Match each feature to a region of the bureau's subtree and check its geometry; writes nothing."""
    plan = BoundaryPlan(root_code=root_code)
    prefix = division.significant_prefix(root_code)
    regions = {r.code: r for r in Region.objects.filter(code_prefix_q("code", prefix), retired_at__isnull=True)
               .only("code", "name", "parent_id", "boundary")}
    by_name: dict[str, list[str]] = {}
    if parent_code:
        for region in regions.values():
            if region.parent_id == parent_code:
                by_name.setdefault(region.name, []).append(region.code)
    candidates: list[tuple[BoundaryFeature, str, Any]] = []
    seen: dict[str, int] = {}
    for feature in features:
        code = feature.code
        if code and not division.is_well_formed(code):
            plan.errors.append((feature.number, _("要素 %(name)s 的区划代码“%(code)s”应为12位数字")
                                % {"name": feature.name or feature.number, "code": code}))
            continue
        if code and not code.startswith(prefix):
            plan.ignored.append((feature.number, _("%(code)s 不在本局辖区（%(root)s）内，已忽略") % {"code": code, "root": root_code}))
            continue
        if code and code not in regions:
            plan.unmatched.append((feature.number, _("区划代码 %(code)s（%(name)s）在系统中不存在，请先导入区划代码表")
                                   % {"code": code, "name": feature.name or "—"}))
            continue
        if not code:
            named = by_name.get(feature.name, [])
            if not parent_code:
                plan.unmatched.append((feature.number, _("要素“%(name)s”没有区划代码；按名称匹配时请选择上级区划")
                                       % {"name": feature.name or feature.number}))
                continue
            if len(named) != 1:
                reason = _("在上级区划下找不到名为“%(name)s”的区划") if not named else _("上级区划下有多个名为“%(name)s”的区划")
                plan.unmatched.append((feature.number, reason % {"name": feature.name or "—"}))
                continue
            code = named[0]
        if code in seen:
            plan.errors.append((feature.number, _("%(code)s 与第%(n)d个要素重复") % {"code": code, "n": seen[code]}))
            continue
        seen[code] = feature.number
        reason, geometry = _geometry_problem(feature)
        if reason:
            plan.errors.append((feature.number, f"{code} {regions[code].name}：{reason}"))
            continue
        candidates.append((feature, code, geometry))
    # Each boundary must lie inside its nearest ancestor's: the one in this file, or else the one stored.
    in_file = {code: geometry for _f, code, geometry in candidates}
    stored: dict[str, Any] = {}
    for feature, code, geometry in candidates:
        ancestor, outer = None, None
        for above in division.ancestor_codes(code):
            if above in in_file:
                ancestor, outer = above, in_file[above]
                break
            boundary = regions[above].boundary if above in regions else None
            if boundary is None and above not in regions:
                boundary = Region.objects.filter(code=above).values_list("boundary", flat=True).first()
            if boundary:
                if above not in stored:
                    stored[above] = shape(boundary)
                ancestor, outer = above, stored[above]
                break
        if outer is not None:
            outside = geometry.difference(outer).area / geometry.area
            if outside > OUTSIDE_PARENT_TOLERANCE:
                name = regions[ancestor].name if ancestor in regions else ancestor
                plan.errors.append((feature.number, _("%(code)s %(name)s：边界有 %(share).0f%% 超出上级区划 %(parent)s 的边界")
                                    % {"code": code, "name": regions[code].name, "share": outside * 100,
                                       "parent": name}))
                continue
        plan.matched.append((feature, code, regions[code].name, bool(regions[code].boundary)))
    plan.errors.sort()
    matched = {code for _f, code, _n, _h in plan.matched}
    scope = [r for r in regions.values() if r.parent_id == parent_code] if parent_code else []
    plan.without_boundary = sorted((r.code, r.name) for r in scope if not r.boundary and r.code not in matched)
    return plan


def _stored(geometry) -> dict:
    """GeoJSON with exteriors counter-clockwise and coordinates rounded to about 0.1 m."""
    geometry = shapely.set_precision(geometry, 10 ** -COORDINATE_DIGITS)
    if geometry.geom_type == "Polygon":
        geometry = orient(geometry, 1.0)
    elif geometry.geom_type == "MultiPolygon":
        geometry = shapely.MultiPolygon([orient(p, 1.0) for p in geometry.geoms])
    return json.loads(json.dumps(mapping(geometry)))


def _area_km2(geometry) -> float:
    latitude = geometry.centroid.y
    return round(geometry.area * KM_PER_DEG_LAT * KM_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(latitude)), 2)


def apply_boundaries(features: list[BoundaryFeature], *, root_code: str, parent_code: str | None,
                     actor: User | None, expected: dict[str, int] | None = None) -> BoundaryPlan:
    """Plan again and store every matched boundary (with its centre and area) in one transaction."""
    if actor is not None:
        if not Region.objects.restrict(actor, "change").filter(code=parent_code or root_code).exists():
            raise DivisionImportError(_("您没有修改该区划及其下级区划的权限"))
    with transaction.atomic():
        Region.objects.select_for_update().filter(code=root_code).first()
        plan = plan_boundaries(features, root_code=root_code, parent_code=parent_code)
        if plan.errors:
            raise DivisionImportError(_("文件有 %(count)d 处错误，未导入任何边界") % {"count": len(plan.errors)})
        if expected is not None and plan.summary() != expected:
            raise DivisionImportError(_("预览之后区划数据已有变化，请重新上传预览"))
        if actor is not None:
            allowed = set(Region.objects.restrict(actor, "change").filter(
                code__in=[code for _f, code, _n, _h in plan.matched]).values_list("code", flat=True))
            outside = [code for _f, code, _n, _h in plan.matched if code not in allowed]
            if outside:
                raise DivisionImportError(_("%(codes)s 不在您可修改的范围内") % {"codes": "、".join(outside[:5])})
        regions = Region.objects.in_bulk([code for _f, code, _n, _h in plan.matched])
        for feature, code, _name, _had in plan.matched:
            geometry = shape(feature.geometry)
            region = regions[code]
            point = geometry.centroid if geometry.contains(geometry.centroid) else geometry.representative_point()
            region.boundary = _stored(geometry)
            region.longitude, region.latitude = round(point.x, 5), round(point.y, 5)
            region.area_km2 = _area_km2(geometry)
        bulk_update_with_history(list(regions.values()), Region, ["boundary", "longitude", "latitude", "area_km2"],
                                 batch_size=500, default_user=actor, default_change_reason=_("导入区划边界"))
    return plan
