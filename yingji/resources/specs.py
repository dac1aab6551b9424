"""How the resource registers are wired to pages, API, import and URLs (see `yingji.core.specs`).

Each register is one spec: its services, importer, list columns, detail fields, form, filter set and API fields.
The pages and viewsets are generated from them; `views.py` registers its own classes only where a page does more
(a team's members, a warehouse's stock) and `api.py` adds the read-only ledger.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.resources import filters, forms, importing, services
from yingji.resources.models import (
    Expert,
    Material,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockBalance,
    StockMovement,
    StockReminder,
    Warehouse,
)
from yingji.resources.states import WORKFLOW

NS = "resources"
LOCATED = ["region", "address", "longitude", "latitude"]


def breadcrumbs() -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home")), (_("应急资源"), reverse("resources:resource_map"))]


def _located_fields(*names: str) -> list[Column]:
    return [*(Column(n) for n in names), Column("region", gettext_lazy("所属区划"), accessor=lambda o: o.region.name),
            Column("address"), Column("longitude"), Column("latitude")]


RESCUE_TEAM = ModelSpec(
    RescueTeam, namespace=NS, prefix="teams",
    create=services.rescue_team_create, update=services.rescue_team_update,
    importer=importing.RESCUE_TEAM_IMPORTER, flows=[Flow(WORKFLOW, act=services.rescue_team_act)],
    columns=[Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所属区划")),
             Column("specialty"), Column("leader"), Column("phone", orderable=False), Column("member_count"),
             Column("status"), Column("longitude", export=True), Column("latitude", export=True)],
    fields=[*_located_fields("name", "kind", "specialty", "leader", "phone", "member_count", "equipment", "status"),
            Column("enterprise")],
    form=forms.RescueTeamForm, filterset=filters.RescueTeamFilterSet, breadcrumbs=breadcrumbs,
    detail_template="resources/rescueteam_detail.html", with_attachments=True,
    api_fields=["name", "kind", "enterprise", "specialty", "leader", "phone", "member_count", "equipment", "status",
                *LOCATED],
    api_read_only=["status"], search=["name", "specialty"],
    doc="Rescue teams in the caller's jurisdiction; their status moves through `transition`.",
)

WAREHOUSE = ModelSpec(
    Warehouse, namespace=NS, prefix="warehouses",
    create=services.warehouse_create, update=services.warehouse_update, importer=importing.WAREHOUSE_IMPORTER,
    columns=[Column("name", link=True), Column("level"), Column("region.name", gettext_lazy("所属区划")),
             Column("manager"), Column("phone", orderable=False), Column("area_m2"), Column("longitude"),
             Column("latitude")],
    fields=_located_fields("name", "level", "manager", "phone", "area_m2"),
    form=forms.WarehouseForm, filterset=filters.WarehouseFilterSet, breadcrumbs=breadcrumbs,
    detail_template="resources/warehouse_detail.html",
    api_fields=["name", "level", "manager", "phone", "area_m2", *LOCATED], search=["name"],
    doc="Material warehouses in the caller's jurisdiction.",
)

MATERIAL = ModelSpec(
    Material, namespace=NS, prefix="materials",
    create=services.material_create, update=services.material_update, importer=importing.MATERIAL_IMPORTER,
    columns=[Column("code", link=True), Column("name", link=True), Column("category"), Column("specification"),
             Column("unit"), Column("shelf_life_days"), Column("minimum_stock"),
             Column("region.name", gettext_lazy("维护单位区划"))],
    fields=[*(Column(n) for n in ("code", "name", "category", "specification", "unit", "shelf_life_days",
                                  "minimum_stock")),
            Column("region.name", gettext_lazy("维护单位区划"))],
    form=forms.MaterialForm, filterset=filters.MaterialFilterSet, breadcrumbs=breadcrumbs,
    api_fields=["code", "name", "category", "specification", "unit", "shelf_life_days", "minimum_stock", "region"],
    api_read_only=["region"], search=["code", "name"],
    doc="The material catalogue: entries kept by the caller's jurisdiction and those shared from above (read only); "
        "new entries are kept by the caller's jurisdiction.",
)

SHELTER = ModelSpec(
    Shelter, namespace=NS, prefix="shelters",
    create=services.shelter_create, update=services.shelter_update, importer=importing.SHELTER_IMPORTER,
    columns=[Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所在区划")),
             Column("effective_area_m2"), Column("capacity"), Column("occupancy"),
             Column("facilities", orderable=False), Column("manager"), Column("phone", orderable=False),
             Column("longitude"), Column("latitude")],
    fields=_located_fields("name", "kind", "effective_area_m2", "capacity", "occupancy", "facilities", "manager",
                           "phone"),
    form=forms.ShelterForm, filterset=filters.ShelterFilterSet, breadcrumbs=breadcrumbs,
    api_fields=["name", "kind", "effective_area_m2", "capacity", "occupancy", "facilities", "manager", "phone",
                *LOCATED],
    api_read_only=["capacity"], search=["name"],
    doc="Emergency shelters; capacity follows the per-person area.",
)

EXPERT = ModelSpec(
    Expert, namespace=NS, prefix="experts",
    create=services.expert_create, update=services.expert_update, importer=importing.EXPERT_IMPORTER,
    columns=[Column("name", link=True), Column("field"), Column("title"), Column("organization"),
             Column("phone", orderable=False), Column("region.name", gettext_lazy("所属区划"))],
    fields=[*(Column(n) for n in ("name", "field", "title", "organization", "phone", "longitude", "latitude")),
            Column("conflict_enterprises", gettext_lazy("利益关联企业（回避）"),
                   accessor=lambda e: "、".join(x.name for x in e.conflict_enterprises.all()) or "无")],
    form=forms.ExpertForm, filterset=filters.ExpertFilterSet, breadcrumbs=breadcrumbs,
    api_fields=["name", "field", "title", "organization", "phone", "region", "longitude", "latitude",
                "conflict_enterprises"],
    search=["name", "organization"],
    doc="Experts with their conflict-of-interest enterprises.",
)

RESOURCE_POINT = ModelSpec(
    ResourcePoint, namespace=NS, prefix="points",
    create=services.resource_point_create, update=services.resource_point_update,
    importer=importing.RESOURCE_POINT_IMPORTER,
    columns=[Column("name", link=True), Column("kind"), Column("region.name", gettext_lazy("所属区划")),
             Column("phone", orderable=False), Column("description", orderable=False), Column("longitude"),
             Column("latitude")],
    fields=_located_fields("name", "kind", "phone", "description"),
    form=forms.ResourcePointForm, filterset=filters.ResourcePointFilterSet, breadcrumbs=breadcrumbs,
    api_fields=["name", "kind", "phone", "description", *LOCATED], search=["name"],
    doc="Hospitals, helipads and other points.",
)

# The stock ledger is written only by the ledger services: lists, no edit pages.
STOCK_BALANCE = ModelSpec(
    StockBalance, namespace=NS, prefix="stock",
    columns=[Column("warehouse.name", gettext_lazy("仓库")), Column("material.code", gettext_lazy("物资编码")),
             Column("material.name", gettext_lazy("物资名称")), Column("material.unit", gettext_lazy("单位")),
             Column("batch"), Column("expiry_date"), Column("quantity"), Column("updated_at")],
    filterset=filters.StockBalanceFilterSet, breadcrumbs=breadcrumbs,
)

STOCK_MOVEMENT = ModelSpec(
    StockMovement, namespace=NS, prefix="movements",
    columns=[Column("at"), Column("document_number"), Column("kind"), Column("warehouse.name", gettext_lazy("仓库")),
             Column("material.name", gettext_lazy("物资")), Column("batch"), Column("quantity"),
             Column("balance_after"), Column("counterpart"), Column("purpose", orderable=False),
             Column("actor.real_name", gettext_lazy("经办人"))],
    filterset=filters.StockMovementFilterSet, breadcrumbs=breadcrumbs,
)

STOCK_REMINDER = ModelSpec(
    StockReminder, namespace=NS, prefix="reminders",
    columns=[Column("raised_at"), Column("kind"), Column("warehouse.name", gettext_lazy("仓库")),
             Column("material.name", gettext_lazy("物资")), Column("batch"), Column("detail", orderable=False),
             Column("resolved_at")],
    filterset=filters.StockReminderFilterSet, breadcrumbs=breadcrumbs,
)

REGISTERS = [RESCUE_TEAM, WAREHOUSE, MATERIAL, SHELTER, EXPERT, RESOURCE_POINT]
