"""Read queries: nearest resources, shelter coverage, map points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cos, Power, Radians, Sin
from django.utils.translation import gettext

from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q
from yingji.resources.models import (
    TEAM_STATUS_COLORS,
    Expert,
    Material,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockBalance,
    StockMinimum,
    TeamStatus,
    Warehouse,
    amount_text,
)
from yingji.standards.accident import DEFAULT_AREA_PER_PERSON

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.32
# When only "the N nearest" is asked, the box starts small and doubles until N candidates lie inside the circle.
FIRST_RADIUS_KM = 5.0
MAX_RADIUS_KM = 2000.0

KINDS = ("team", "warehouse", "shelter", "expert", "point")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> Q:
    """A box that contains the circle; a range on the indexed (latitude, longitude) columns."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(radius_km / (KM_PER_DEGREE_LAT * cos_lat), 180.0)
    return Q(latitude__gte=lat - dlat, latitude__lte=lat + dlat, longitude__gte=lon - dlon, longitude__lte=lon + dlon)


@dataclass
class Nearby:
    obj: Any
    distance_km: float
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.obj.pk, "name": str(self.obj), "distance_km": round(self.distance_km, 2),
                "longitude": self.obj.longitude, "latitude": self.obj.latitude, "note": self.note}


def _haversine_term(lat: float, lon: float):
    """hav(θ) of the angle between (lat, lon) and each row, as SQL: it grows with the distance, so ranking by it in
    the database ranks by distance and the row limit applies there. Django provides the trigonometric functions on
    SQLite too, so the same query runs on both databases."""
    lat_r = math.radians(lat)
    row_lat = Radians(F("latitude"))
    half_dlat = (row_lat - Value(lat_r)) / Value(2.0)
    half_dlon = (Radians(F("longitude")) - Value(math.radians(lon))) / Value(2.0)
    return ExpressionWrapper(Power(Sin(half_dlat), 2) + Value(math.cos(lat_r)) * Cos(row_lat)
                             * Power(Sin(half_dlon), 2), output_field=FloatField())


def _haversine_of_km(distance_km: float) -> float:
    return math.sin(min(distance_km / EARTH_RADIUS_KM, math.pi) / 2) ** 2


def _ranked(queryset: QuerySet, lat: float, lon: float, radius_km: float | None, limit: int) -> list[Nearby]:
    if radius_km is not None:
        # The bounding box on the indexed coordinates picks the candidates; the database ranks them by distance and
        # returns only the `limit` nearest, whose exact distances are computed here.
        ranked = (queryset.filter(bounding_box(lat, lon, radius_km)).annotate(_hav=_haversine_term(lat, lon))
                  .filter(_hav__lte=_haversine_of_km(radius_km) * (1 + 1e-9)).order_by("_hav", "pk")[:limit])
        found = [Nearby(obj, haversine_km(lat, lon, obj.latitude, obj.longitude)) for obj in ranked]
        return [n for n in found if n.distance_km <= radius_km]
    radius = FIRST_RADIUS_KM
    while True:
        found = _ranked(queryset, lat, lon, radius, limit)
        if len(found) >= limit or radius >= MAX_RADIUS_KM:
            return found
        radius *= 4


def nearest(user: User, *, kind: str, latitude: float, longitude: float, radius_km: float | None = None,
            limit: int = 10, material: Material | None = None, quantity: Decimal | None = None,
            field: str | None = None, free_capacity: int = 1) -> list[Nearby]:
    """The nearest resources of one kind the user may see, within `radius_km` or the `limit` nearest.

    Teams on standby; warehouses holding `quantity` of `material` (any batch, not expired); shelters with at least
    `free_capacity` places; experts of `field`; other points. Distances are exact (haversine) on the few candidates
    a bounding box on the indexed coordinates leaves.
    """
    limit = max(1, min(int(limit), 200))
    if kind == "team":
        queryset = RescueTeam.objects.restrict(user, "view").filter(status=TeamStatus.STANDBY)
        found = _ranked(queryset, latitude, longitude, radius_km, limit)
        for n in found:
            n.note = f"{n.obj.get_kind_display()}·{n.obj.member_count}人"
        return found
    if kind == "warehouse":
        queryset = Warehouse.objects.restrict(user, "view")
        if material is not None:
            from django.utils import timezone

            usable = (Q(balances__expiry_date__isnull=True) | Q(balances__expiry_date__gte=timezone.localdate()))
            queryset = (queryset.filter(usable, balances__material=material)
                        .annotate(stock=Sum("balances__quantity"))
                        .filter(stock__gte=quantity if quantity is not None else Decimal("0.01")))
        found = _ranked(queryset, latitude, longitude, radius_km, limit)
        if material is not None:
            for n in found:
                n.note = f"{material.name} {amount_text(n.obj.stock)}{material.unit}"
        return found
    if kind == "shelter":
        from django.db.models import F

        queryset = Shelter.objects.restrict(user, "view").filter(capacity__gte=F("occupancy") + max(free_capacity, 1))
        found = _ranked(queryset, latitude, longitude, radius_km, limit)
        for n in found:
            n.note = f"可安置 {n.obj.free_capacity} 人"
        return found
    if kind == "expert":
        queryset = Expert.objects.restrict(user, "view").filter(latitude__isnull=False)
        if field:
            queryset = queryset.filter(field=field)
        found = _ranked(queryset, latitude, longitude, radius_km, limit)
        for n in found:
            n.note = f"{n.obj.get_field_display()} {n.obj.title}".strip()
        return found
    if kind == "point":
        found = _ranked(ResourcePoint.objects.restrict(user, "view"), latitude, longitude, radius_km, limit)
        for n in found:
            n.note = n.obj.get_kind_display()
        return found
    raise ValueError(f"unknown resource kind {kind!r}")


def shelter_coverage(user: User, root: Region | None) -> list[dict[str, Any]]:
    """Per township under the user's scope: shelter area and capacity against the resident population."""
    if root is None:
        return []
    townships = Region.objects.restrict(user, "view").filter(code_prefix_q("code", root.prefix), level="township")
    shelters = Shelter.objects.restrict(user, "view").filter(code_prefix_q("region__code", root.prefix))
    by_township: dict[str, dict[str, int]] = {}
    for region_id, area, capacity in shelters.values_list("region_id", "effective_area_m2", "capacity"):
        key = region_id[:9]
        entry = by_township.setdefault(key, {"area": 0, "capacity": 0, "count": 0})
        entry["area"] += area
        entry["capacity"] += capacity
        entry["count"] += 1
    rows = []
    for township in townships.select_related("parent").order_by("code"):
        entry = by_township.get(township.code[:9], {"area": 0, "capacity": 0, "count": 0})
        population = township.population or 0
        per_person = Decimal(entry["area"]) / population if population else None
        rows.append({
            "code": township.code, "name": township.name, "county": township.parent.name if township.parent else "",
            "population": population, "shelters": entry["count"], "area": entry["area"],
            "capacity": entry["capacity"],
            "area_per_person": per_person.quantize(Decimal("0.01")) if per_person is not None else None,
            "meets": per_person is None or per_person >= DEFAULT_AREA_PER_PERSON,
        })
    return rows


def resource_geojson(user: User, layers: list[str] | None = None) -> dict[str, Any]:
    """Every resource the user may see as GeoJSON points, one `layer` property per kind."""
    layers = layers or list(KINDS)
    features = []

    def add(layer: str, pk: int, name: str, lon: float, lat: float, color: str, label: str) -> None:
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": {"layer": layer, "id": pk, "name": name, "color": color, "label": label}})

    if "team" in layers:
        labels = dict(TeamStatus.choices)
        for pk, name, lon, lat, status in RescueTeam.objects.restrict(user, "view").values_list(
                "pk", "name", "longitude", "latitude", "status"):
            add("team", pk, name, lon, lat, TEAM_STATUS_COLORS.get(status, "#555"), f"救援队伍·{labels.get(status)}")
    if "warehouse" in layers:
        for pk, name, lon, lat in Warehouse.objects.restrict(user, "view").values_list("pk", "name", "longitude",
                                                                                         "latitude"):
            add("warehouse", pk, name, lon, lat, "#1f77b4", "物资仓库")
    if "shelter" in layers:
        for pk, name, lon, lat, capacity, occupancy in Shelter.objects.restrict(user, "view").values_list(
                "pk", "name", "longitude", "latitude", "capacity", "occupancy"):
            rate = occupancy / capacity if capacity else 0
            color = "#d62728" if rate >= 0.9 else "#ff7f0e" if rate >= 0.5 else "#17becf"
            add("shelter", pk, name, lon, lat, color,
                f"避难场所·已安置{occupancy}/{capacity}人·可安置{max(capacity - occupancy, 0)}人")
    if "expert" in layers:
        for pk, name, lon, lat in Expert.objects.restrict(user, "view").filter(latitude__isnull=False).values_list(
                "pk", "name", "longitude", "latitude"):
            add("expert", pk, name, lon, lat, "#9467bd", "专家")
    if "point" in layers:
        for pk, name, lon, lat, kind in ResourcePoint.objects.restrict(user, "view").values_list(
                "pk", "name", "longitude", "latitude", "kind"):
            add("point", pk, name, lon, lat, "#8c564b", "医疗机构" if kind == "medical" else "应急资源点")
    return {"type": "FeatureCollection", "features": features}


def stock_of(user: User, warehouse: Warehouse) -> QuerySet:
    return (StockBalance.objects.restrict(user, "view").filter(warehouse=warehouse, quantity__gt=0)
            .select_related("material").order_by("material__code", "expiry_date", "batch"))


def _float(value, name, low, high):
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(gettext("%(name)s无效") % {"name": name}) from exc
    if not low <= number <= high:
        raise ValidationError(gettext("%(name)s超出范围") % {"name": name})
    return number


def nearest_query(user, params) -> tuple[dict, list]:
    """Parse a nearest-resource query (page and API share it); raises ValidationError with a Chinese message."""
    kind = params.get("kind") or "team"
    if kind not in KINDS:
        raise ValidationError(gettext("资源类型无效"))
    latitude = _float(params.get("latitude"), gettext("纬度"), 3, 54)
    longitude = _float(params.get("longitude"), gettext("经度"), 73, 136)
    radius = params.get("radius_km")
    radius_km = _float(radius, gettext("半径"), 0.01, 2000) if radius not in (None, "") else None
    limit = int(_float(params.get("limit") or 10, gettext("数量"), 1, 200))
    material = None
    if params.get("material"):
        material = Material.objects.restrict(user, "view").filter(pk=params.get("material")).first()
        if material is None:
            raise ValidationError(gettext("物资不存在"))
    quantity = Decimal(str(_float(params.get("quantity") or 0.01, gettext("需求数量"), 0, 1e12)))
    query = {"kind": kind, "latitude": latitude, "longitude": longitude, "radius_km": radius_km, "limit": limit,
             "material": material, "quantity": quantity, "field": params.get("field") or None}
    return query, nearest(user, **query)


def minimum_rows(user: User, warehouse: Warehouse) -> list[dict[str, Any]]:
    """Per material with a minimum here (own or the catalogue's default): the minimum, where it comes from, the stock."""
    own = {m.material_id: m.minimum for m in StockMinimum.objects.restrict(user, "view").filter(warehouse=warehouse)}
    totals = dict(StockBalance.objects.restrict(user, "view").filter(warehouse=warehouse).values_list("material_id")
                  .annotate(total=Sum("quantity")).order_by())
    materials = Material.objects.restrict(user, "view").filter(Q(minimum_stock__gt=0) | Q(pk__in=list(own)))
    rows = []
    for material in materials.order_by("code"):
        minimum = own.get(material.pk, material.minimum_stock)
        stock = totals.get(material.pk) or Decimal(0)
        rows.append({"material": material, "minimum": minimum, "own": material.pk in own, "stock": stock,
                     "low": minimum > 0 and stock < minimum})
    return rows
