"""Every write to resources goes through here: registers, the team status, and the stock ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import roles
from yingji.core.models import Organization, OrganizationKind, Region, User
from yingji.core.notifications import notify_after_commit
from yingji.core.scoping import ensure_in_scope, ensure_perm, is_in_scope
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import transition
from yingji.resources.models import (
    Expert,
    Material,
    MovementKind,
    RescueTeam,
    ResourcePoint,
    Shelter,
    StockBalance,
    StockMinimum,
    StockMovement,
    StockReminder,
    TeamMember,
    Warehouse,
    amount_text,
)
from yingji.resources.states import WORKFLOW
from yingji.standards.division import parent_code, significant_prefix


def _guard_status(obj: models.Model, fields: dict[str, Any]) -> None:
    if "status" in fields and fields["status"] != obj.status:
        raise ValidationError({"status": _("队伍状态须通过“出动/收队休整/恢复待命”办理")})
    fields.pop("status", None)


def _register(model: type[models.Model], label: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    def create(*, actor: User | None, **fields: Any):
        with transaction.atomic():
            m2m = {k: fields.pop(k) for k in list(fields) if k == "conflict_enterprises"}
            obj = scoped_create(model, actor=actor, reason=_("新建%(name)s") % {"name": label}, **fields)
            for name, values in m2m.items():
                getattr(obj, name).set(values)
            return obj

    def update(*, obj, actor: User | None, **fields: Any):
        with transaction.atomic():
            if model is RescueTeam:
                _guard_status(obj, fields)
            m2m = {k: fields.pop(k) for k in list(fields) if k == "conflict_enterprises"}
            updated = scoped_update(obj, actor=actor, reason=_("修改%(name)s") % {"name": label}, **fields)
            for name, values in m2m.items():
                getattr(updated, name).set(values)
            return updated

    create.__doc__ = f"Register a {model.__name__} inside the actor's jurisdiction."
    update.__doc__ = f"Change a {model.__name__}; it stays inside the actor's jurisdiction."
    return create, update


rescue_team_create, rescue_team_update = _register(RescueTeam, _("救援队伍"))
warehouse_create, warehouse_update = _register(Warehouse, _("物资仓库"))
shelter_create, shelter_update = _register(Shelter, _("避难场所"))
expert_create, expert_update = _register(Expert, _("专家"))
resource_point_create, resource_point_update = _register(ResourcePoint, _("应急资源点"))


# Shared catalogues -------------------------------------------------------------------------------


def top_bureau_region() -> Region | None:
    """The region of the deployment's top bureau: the 应急管理局 highest in the tree, else the top-most region."""
    bureaus = Organization._base_manager.filter(kind=OrganizationKind.BUREAU).values_list("region_id", flat=True)
    codes = list(bureaus) or list(Region._base_manager.filter(parent__isnull=True).values_list("code", flat=True))
    if not codes:
        return None
    return Region._base_manager.get(pk=min(codes, key=lambda code: (len(significant_prefix(code)), code)))


def catalogue_owner(actor: User | None, region: Region | None = None) -> Region:
    """Who keeps a new shared record: the region given, else the actor's own jurisdiction.

    The system (no actor) and a superuser without a scope write for the top bureau. An enterprise keeps no shared
    records. The caller's `ensure_in_scope` after the write refuses an owner outside the actor's own jurisdiction.
    """
    if region is not None:
        return region
    if actor is not None and actor.scope_enterprise_id:
        raise PermissionDenied(_("企业用户不能维护上级发布的目录和模板。"))
    if actor is not None and actor.scope_region_id:
        return actor.scope_region
    top = top_bureau_region()
    if top is None:
        raise ValidationError(_("尚未设置行政区划，无法确定编制单位。"))
    return top


@transaction.atomic
def material_create(*, actor: User | None, region: Region | None = None, **fields: Any) -> Material:
    """A catalogue entry kept by the actor's own jurisdiction (the system's go to the top bureau)."""
    return scoped_create(Material, actor=actor, reason=_("新建物资"), region=catalogue_owner(actor, region),
                         **fields)


@transaction.atomic
def material_update(*, obj: Material, actor: User | None, **fields: Any) -> Material:
    """Change an entry the actor's own jurisdiction keeps; one shared from above can only be read."""
    fields.pop("region", None)  # the owner of an entry does not change
    return scoped_update(obj, actor=actor, reason=_("修改物资"), **fields)


@transaction.atomic
def rescue_team_change_status(*, team: RescueTeam, actor: User | None, action: str, reason: str = "",
                              data: dict[str, Any] | None = None) -> RescueTeam:
    """出动 / 收队休整 / 恢复待命 / 转入休整 through the table in states.py."""
    return transition(team, workflow=WORKFLOW, action=action, actor=actor, reason=reason, data=data)


def rescue_team_act(*, obj: RescueTeam, actor: User | None, action: str, reason: str = "") -> RescueTeam:
    """One move of the team's status by name, under the spec's object argument (pages, API)."""
    return rescue_team_change_status(team=obj, actor=actor, action=action, reason=reason)


@transaction.atomic
def team_member_add(*, team: RescueTeam, actor: User | None, **fields: Any) -> TeamMember:
    """Add a member to a team the actor may change."""
    if actor is not None:
        ensure_perm(actor, RescueTeam, "change")
        ensure_in_scope(actor, team)
    member = TeamMember(team=team, region_id=team.region_id, **fields)
    member.full_clean()
    return save_with_history(member, actor=actor, reason=_("新增队员"))


@transaction.atomic
def team_member_remove(*, member: TeamMember, actor: User | None) -> None:
    if actor is not None:
        ensure_perm(actor, RescueTeam, "change")
        ensure_in_scope(actor, member.team)
    member._history_user = actor
    member.delete()


# The stock ledger -------------------------------------------------------------------------------


def _quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"quantity": _("数量无效")}) from exc
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError({"quantity": _("数量必须大于0")})
    if quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationError({"quantity": _("数量最多保留两位小数")})
    return quantity


def _check_warehouse(actor: User | None, warehouse: Warehouse) -> None:
    if actor is None:
        return
    ensure_perm(actor, Warehouse, "change")
    if not is_in_scope(actor, warehouse):
        raise PermissionDenied(_("该仓库不在您的管辖范围内。"))


def _check_catalogue(warehouse: Warehouse, material: Material) -> None:
    """A warehouse stocks entries of the catalogue its place sees: kept at or above its region, never a sibling's."""
    if not warehouse.region_id.startswith(significant_prefix(material.region_id)):
        raise ValidationError({"material": _("%(material)s不在%(warehouse)s可用的物资目录中") % {
            "material": material.name, "warehouse": warehouse.name}})


def _locked_balance(warehouse: Warehouse, material: Material, batch: str, *, create: bool,
                    expiry_date: date | None = None) -> StockBalance | None:
    # The row lock serialises two issues of the same batch, so neither can take stock the other already took.
    balance = StockBalance.objects.select_for_update().filter(warehouse=warehouse, material=material,
                                                             batch=batch).first()
    if balance is None and create:
        _check_catalogue(warehouse, material)
        StockBalance.objects.get_or_create(warehouse=warehouse, material=material, batch=batch,
                                           defaults={"region_id": warehouse.region_id, "expiry_date": expiry_date})
        balance = StockBalance.objects.select_for_update().get(warehouse=warehouse, material=material, batch=batch)
    return balance


def _move(balance: StockBalance, *, kind: str, delta: Decimal, document_number: str, actor: User | None,
          counterpart: str = "", purpose: str = "") -> StockMovement:
    """Change one locked balance and write its ledger line; refuse a negative result with a clear message."""
    new_quantity = balance.quantity + delta
    if new_quantity < 0:
        raise ValidationError({"quantity": _("库存不足：%(warehouse)s 的 %(material)s%(batch)s 现有 %(have)s%(unit)s，"
                                             "不能出库 %(want)s%(unit)s") % {
            "warehouse": balance.warehouse.name, "material": balance.material.name,
            "batch": f"（批次 {balance.batch}）" if balance.batch else "", "have": amount_text(balance.quantity),
            "want": amount_text(-delta), "unit": balance.material.unit}})
    balance.quantity = new_quantity
    balance.save(update_fields=["quantity", "updated_at"])
    return StockMovement.objects.create(
        kind=kind, document_number=document_number, warehouse=balance.warehouse, material=balance.material,
        batch=balance.batch, expiry_date=balance.expiry_date, quantity=delta, balance_after=new_quantity,
        counterpart=counterpart[:200], purpose=purpose[:200], region_id=balance.region_id, actor=actor,
        at=timezone.now(),
    )


def _document(document_number: str) -> str:
    document_number = (document_number or "").strip()
    if not document_number:
        raise ValidationError({"document_number": _("请填写单据号")})
    return document_number[:40]


@transaction.atomic
def stock_receive(*, warehouse: Warehouse, material: Material, quantity: Any, document_number: str,
                  actor: User | None, batch: str = "", expiry_date: date | None = None,
                  counterpart: str = "", purpose: str = "") -> StockMovement:
    """入库: a receipt with its document; a batch keeps the expiry it was first received with."""
    _check_warehouse(actor, warehouse)
    amount = _quantity(quantity)
    if expiry_date is None and material.shelf_life_days:
        expiry_date = timezone.localdate() + timezone.timedelta(days=material.shelf_life_days)
    balance = _locked_balance(warehouse, material, (batch or "").strip(), create=True, expiry_date=expiry_date)
    return _move(balance, kind=MovementKind.RECEIPT, delta=amount, document_number=_document(document_number),
                 actor=actor, counterpart=counterpart, purpose=purpose)


def _take(warehouse: Warehouse, material: Material, amount: Decimal, batch: str | None) -> list[tuple[StockBalance,
                                                                                                       Decimal]]:
    """Which balances an issue takes from: the named batch, or the earliest-expiring batches first."""
    if batch is not None:
        balance = _locked_balance(warehouse, material, batch.strip(), create=False)
        if balance is None:
            raise ValidationError({"batch": _("%(warehouse)s 没有 %(material)s 的批次“%(batch)s”") % {
                "warehouse": warehouse.name, "material": material.name, "batch": batch}})
        return [(balance, amount)]
    balances = list(StockBalance.objects.select_for_update().filter(warehouse=warehouse, material=material,
                                                                    quantity__gt=0)
                    .order_by(models.F("expiry_date").asc(nulls_last=True), "pk"))
    available = sum((b.quantity for b in balances), Decimal(0))
    if available < amount:
        raise ValidationError({"quantity": _("库存不足：%(warehouse)s 的 %(material)s 现有 %(have)s%(unit)s，"
                                             "不能出库 %(want)s%(unit)s") % {
            "warehouse": warehouse.name, "material": material.name, "have": amount_text(available),
            "want": amount_text(amount), "unit": material.unit}})
    plan, left = [], amount
    for balance in balances:
        if left <= 0:
            break
        part = min(balance.quantity, left)
        plan.append((balance, part))
        left -= part
    return plan


def stock_ensure_available(*, warehouse: Warehouse, material: Material, quantity: Any) -> Decimal:
    """Refuse, as an issue would, an amount the warehouse does not hold; moves nothing (a drill's allocation)."""
    amount = _quantity(quantity)
    available = StockBalance.objects.filter(warehouse=warehouse, material=material).aggregate(
        total=models.Sum("quantity"))["total"] or Decimal(0)
    if available < amount:
        raise ValidationError({"quantity": _("库存不足：%(warehouse)s 的 %(material)s 现有 %(have)s%(unit)s，"
                                             "不能出库 %(want)s%(unit)s") % {
            "warehouse": warehouse.name, "material": material.name, "have": amount_text(available),
            "want": amount_text(amount), "unit": material.unit}})
    return amount


@transaction.atomic
def stock_issue(*, warehouse: Warehouse, material: Material, quantity: Any, document_number: str,
                actor: User | None, batch: str | None = None, counterpart: str = "",
                purpose: str = "", recorded_actor: User | None = None) -> list[StockMovement]:
    """出库: never more than the warehouse holds; without a batch the earliest-expiring stock goes first.

    `recorded_actor` is the person a system-authorised issue is made for (an incident allocation), kept on the ledger.
    """
    _check_warehouse(actor, warehouse)
    amount = _quantity(quantity)
    document = _document(document_number)
    return [_move(balance, kind=MovementKind.ISSUE, delta=-part, document_number=document,
                  actor=actor or recorded_actor,
                  counterpart=counterpart, purpose=purpose)
            for balance, part in _take(warehouse, material, amount, batch)]


@transaction.atomic
def stock_transfer(*, source: Warehouse, target: Warehouse, material: Material, quantity: Any,
                   document_number: str, actor: User | None, batch: str | None = None,
                   purpose: str = "") -> list[StockMovement]:
    """调拨: out of one warehouse and into another under one document, batches and expiry kept."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("调入仓库不能与调出仓库相同")})
    _check_warehouse(actor, source)
    _check_warehouse(actor, target)
    amount = _quantity(quantity)
    document = _document(document_number)
    movements = []
    for balance, part in _take(source, material, amount, batch):
        movements.append(_move(balance, kind=MovementKind.TRANSFER_OUT, delta=-part, document_number=document,
                               actor=actor, counterpart=target.name, purpose=purpose))
        incoming = _locked_balance(target, material, balance.batch, create=True, expiry_date=balance.expiry_date)
        movements.append(_move(incoming, kind=MovementKind.TRANSFER_IN, delta=part, document_number=document,
                               actor=actor, counterpart=source.name, purpose=purpose))
    return movements


@transaction.atomic
def stocktake(*, warehouse: Warehouse, material: Material, counted: Any, document_number: str,
              actor: User | None, batch: str = "", purpose: str = "") -> StockMovement | None:
    """盘点: set a batch to the counted quantity; the difference is recorded as a movement (none if equal)."""
    _check_warehouse(actor, warehouse)
    try:
        counted_quantity = Decimal(str(counted))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"counted": _("盘点数量无效")}) from exc
    if not counted_quantity.is_finite() or counted_quantity < 0:
        raise ValidationError({"counted": _("盘点数量不能为负数")})
    balance = _locked_balance(warehouse, material, (batch or "").strip(), create=True)
    delta = counted_quantity - balance.quantity
    if delta == 0:
        return None
    return _move(balance, kind=MovementKind.STOCKTAKE, delta=delta, document_number=_document(document_number),
                 actor=actor, purpose=purpose)


@transaction.atomic
def stock_minimum_set(*, warehouse: Warehouse, material: Material, minimum: Any, actor: User | None) -> StockMinimum:
    """Set this warehouse's minimum of a material (0: none here); the sweep raises 低于最低储备 against it."""
    _check_warehouse(actor, warehouse)
    try:
        value = Decimal(str(minimum))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"minimum": _("最低储备无效")}) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError({"minimum": _("最低储备不能为负数")})
    _check_catalogue(warehouse, material)
    existing = StockMinimum._base_manager.filter(warehouse=warehouse, material=material).first()
    if existing is None:
        return scoped_create(StockMinimum, actor=actor, reason=_("设定最低储备"), warehouse=warehouse,
                             material=material, minimum=value, region_id=warehouse.region_id)
    return scoped_update(existing, actor=actor, reason=_("调整最低储备"), minimum=value)


@transaction.atomic
def shelter_set_occupancy(*, shelter: Shelter, actor: User | None, occupancy: int) -> Shelter:
    """Record how many people a shelter holds now; never more than it can take."""
    return scoped_update(shelter, actor=actor, reason=_("更新安置人数"), occupancy=occupancy)


def stock_reminder_raise(*, kind: str, warehouse: Warehouse, material: Material, batch: str, detail: str) -> int:
    """Open a reminder unless one is open already; tell the warehouse's administrators. Returns 1 if raised."""
    from django.urls import reverse

    if StockReminder.objects.filter(kind=kind, warehouse=warehouse, material=material, batch=batch,
                                    resolved_at__isnull=True).exists():
        return 0
    reminder = StockReminder.objects.create(kind=kind, warehouse=warehouse, material=material, batch=batch,
                                            detail=detail[:200], region_id=warehouse.region_id,
                                            raised_at=timezone.now())
    recipients = _region_people(warehouse.region_id, roles.ADMIN)
    notify_after_commit(
        recipients=recipients, kind=_("库存提醒"),
        title=_("%(warehouse)s：%(material)s%(kind)s") % {"warehouse": warehouse.name, "material": material.name,
                                                          "kind": reminder.get_kind_display()},
        body=detail, url=reverse("resources:warehouse_detail", args=[warehouse.pk]), subject=warehouse)
    return 1


def stock_reminder_resolve(*, reminder) -> None:
    reminder.resolved_at = timezone.now()
    reminder.save(update_fields=["resolved_at"])


def _region_people(region_code: str, role: str) -> list[User]:
    """Active users of a role whose jurisdiction contains the region (its own level and every level above)."""
    codes = []
    code: str | None = region_code
    while code:
        codes.append(code)
        code = parent_code(code)
    return list(User.objects.filter(scope_region_id__in=codes, groups__name=role, is_active=True).distinct())
