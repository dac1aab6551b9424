"""The stock sweep: minimum-stock and expiry reminders raised once, notified, and closed when they clear."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.resources.models import (
    Material,
    ReminderKind,
    StockBalance,
    StockMinimum,
    StockReminder,
    Warehouse,
    amount_text,
)
from yingji.resources.services import stock_reminder_raise, stock_reminder_resolve

BATCH = 500


def expiry_warning_days() -> int:
    return int(getattr(settings, "STOCK_EXPIRY_WARNING_DAYS", 30))


@sweeper
def stock_reminders() -> int:
    """Raise reminders for low stock and (nearly) expired batches; resolve those whose condition cleared."""
    today = timezone.localdate()
    soon = today + timedelta(days=expiry_warning_days())
    raised = 0
    with transaction.atomic():
        expiring = lock_due_rows(StockBalance.objects.filter(quantity__gt=0, expiry_date__lte=soon)
                                 .select_related("warehouse", "material").order_by("expiry_date", "pk"))[:BATCH]
        for balance in expiring:
            kind = ReminderKind.EXPIRED if balance.expiry_date < today else ReminderKind.EXPIRING
            raised += stock_reminder_raise(kind=kind, warehouse=balance.warehouse, material=balance.material,
                                           batch=balance.batch,
                                           detail=f"批次{balance.batch or '（无）'} {amount_text(balance.quantity)}"
                                                  f"{balance.material.unit}，失效日期{balance.expiry_date:%Y-%m-%d}")
        totals = {(row["warehouse"], row["material"]): row["total"] for row in
                  StockBalance.objects.values("warehouse", "material").annotate(total=Sum("quantity")).order_by()}
        minimums = effective_minimums()
        warehouses = Warehouse.objects.in_bulk({w for w, _m in minimums})
        materials = Material.objects.in_bulk({m for _w, m in minimums})
        for (warehouse_id, material_id), minimum in minimums.items():
            total = totals.get((warehouse_id, material_id), 0)
            if total < minimum:
                raised += stock_reminder_raise(
                    kind=ReminderKind.LOW_STOCK, warehouse=warehouses[warehouse_id], material=materials[material_id],
                    batch="", detail=f"现有{amount_text(total) if total else 0}{materials[material_id].unit}，"
                                     f"最低储备{amount_text(minimum)}")
        for reminder in lock_due_rows(StockReminder.objects.filter(resolved_at__isnull=True))[:BATCH]:
            if not _still_holds(reminder, today, soon, totals, minimums):
                stock_reminder_resolve(reminder=reminder)
    return raised


def effective_minimums() -> dict[tuple[int, int], Decimal]:
    """{(warehouse, material): minimum > 0}: a warehouse's own minimum where set, else the catalogue's default."""
    defaults = dict(Material.objects.filter(minimum_stock__gt=0).values_list("pk", "minimum_stock"))
    result = {(w, m): minimum for w in Warehouse.objects.values_list("pk", flat=True)
              for m, minimum in defaults.items()}
    for warehouse_id, material_id, minimum in StockMinimum.objects.values_list("warehouse_id", "material_id",
                                                                                "minimum"):
        result[(warehouse_id, material_id)] = minimum
    return {key: minimum for key, minimum in result.items() if minimum > 0}


def _still_holds(reminder: StockReminder, today, soon, totals, minimums) -> bool:
    if reminder.kind == ReminderKind.LOW_STOCK:
        minimum = minimums.get((reminder.warehouse_id, reminder.material_id))
        return minimum is not None and totals.get((reminder.warehouse_id, reminder.material_id), 0) < minimum
    balance = StockBalance.objects.filter(warehouse_id=reminder.warehouse_id, material_id=reminder.material_id,
                                          batch=reminder.batch).first()
    return balance is not None and balance.quantity > 0 and balance.expiry_date is not None \
        and balance.expiry_date <= soon
