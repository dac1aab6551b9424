"""The stock ledger: every change is a movement with its document, and the balance never goes negative."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yingji.core.models import Notification
from yingji.resources import services
from yingji.resources.models import MovementKind, ReminderKind, StockBalance, StockMinimum, StockMovement, StockReminder
from yingji.resources.tasks import stock_reminders
from yingji.resources.testing import MaterialFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(world):
    return WarehouseFactory(region=world.county1, name="甲区物资库")


def total(warehouse, material) -> Decimal:
    return sum((b.quantity for b in StockBalance.objects.filter(warehouse=warehouse, material=material)), Decimal(0))


def test_a_receipt_adds_stock_and_records_the_document(world, store):
    tents = MaterialFactory(name="帐篷", unit="顶")
    movement = services.stock_receive(warehouse=store, material=tents, quantity=100, document_number="RK-001",
                                      actor=world.county1_admin, batch="B1")
    assert (movement.kind, movement.quantity, movement.balance_after, movement.actor) == (
        MovementKind.RECEIPT, 100, 100, world.county1_admin)
    assert total(store, tents) == 100


def test_an_issue_beyond_the_stock_is_refused_and_writes_nothing(world, store):
    tents = MaterialFactory(name="帐篷", unit="顶")
    services.stock_receive(warehouse=store, material=tents, quantity=10, document_number="RK-1", actor=None)
    with pytest.raises(ValidationError, match="库存不足.*现有 10顶"):
        services.stock_issue(warehouse=store, material=tents, quantity="10.01", document_number="CK-1",
                             actor=world.county1_admin)
    assert total(store, tents) == 10
    assert StockMovement.objects.count() == 1


def test_an_issue_takes_the_earliest_expiring_batch_first(world, store):
    water = MaterialFactory(name="饮用水", unit="箱")
    today = timezone.localdate()
    services.stock_receive(warehouse=store, material=water, quantity=5, document_number="RK-1", actor=None,
                           batch="LATE", expiry_date=today + timedelta(days=300))
    services.stock_receive(warehouse=store, material=water, quantity=5, document_number="RK-2", actor=None,
                           batch="EARLY", expiry_date=today + timedelta(days=30))
    movements = services.stock_issue(warehouse=store, material=water, quantity=7, document_number="CK-1",
                                     actor=world.county1_admin)
    assert [(m.batch, m.quantity) for m in movements] == [("EARLY", -5), ("LATE", -2)]
    assert StockBalance.objects.get(batch="LATE").quantity == 3


def test_bad_quantities_and_missing_documents_are_refused(world, store):
    rope = MaterialFactory()
    for quantity in (0, -1, "abc", "1.001"):
        with pytest.raises(ValidationError):
            services.stock_receive(warehouse=store, material=rope, quantity=quantity, document_number="RK",
                                   actor=None)
    with pytest.raises(ValidationError, match="单据号"):
        services.stock_receive(warehouse=store, material=rope, quantity=1, document_number=" ", actor=None)
    assert not StockMovement.objects.exists()


def test_a_transfer_moves_stock_between_warehouses_under_one_document(world, store):
    other = WarehouseFactory(region=world.village1, name="甲一社区物资点", level="township")
    rope = MaterialFactory(name="救援绳")
    services.stock_receive(warehouse=store, material=rope, quantity=8, document_number="RK-1", actor=None, batch="A")
    movements = services.stock_transfer(source=store, target=other, material=rope, quantity=3,
                                        document_number="DB-1", actor=world.county1_admin)
    assert [m.kind for m in movements] == [MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN]
    assert {m.document_number for m in movements} == {"DB-1"}
    assert (total(store, rope), total(other, rope)) == (5, 3)
    assert StockBalance.objects.get(warehouse=other).batch == "A"


def test_a_stocktake_records_the_difference(world, store):
    rope = MaterialFactory()
    services.stock_receive(warehouse=store, material=rope, quantity=8, document_number="RK-1", actor=None)
    movement = services.stocktake(warehouse=store, material=rope, counted=6, document_number="PD-1",
                                  actor=world.county1_admin)
    assert (movement.kind, movement.quantity, movement.balance_after) == (MovementKind.STOCKTAKE, -2, 6)
    assert services.stocktake(warehouse=store, material=rope, counted=6, document_number="PD-2", actor=None) is None
    with pytest.raises(ValidationError):
        services.stocktake(warehouse=store, material=rope, counted=-1, document_number="PD-3", actor=None)


def test_another_countys_officer_cannot_touch_the_warehouse(world, store):
    rope = MaterialFactory()
    with pytest.raises(PermissionDenied):
        services.stock_receive(warehouse=store, material=rope, quantity=1, document_number="RK", actor=world.county2_admin)
    with pytest.raises(PermissionDenied):
        services.stock_receive(warehouse=store, material=rope, quantity=1, document_number="RK",
                               actor=world.county1_leader)
    assert not StockMovement.objects.exists()


def test_the_database_refuses_a_negative_balance(world, store):
    from django.db import IntegrityError, transaction

    rope = MaterialFactory()
    services.stock_receive(warehouse=store, material=rope, quantity=1, document_number="RK", actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(warehouse=store).update(quantity=-1)


def test_the_sweep_raises_low_stock_and_expiry_reminders_once_and_clears_them(world, store,
                                                                             django_capture_on_commit_callbacks):
    masks = MaterialFactory(name="口罩", unit="只", minimum_stock=100)
    services.stock_receive(warehouse=store, material=masks, quantity=50, document_number="RK-1", actor=None,
                           batch="M1", expiry_date=timezone.localdate() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert stock_reminders() == 2
    assert set(StockReminder.objects.values_list("kind", flat=True)) == {ReminderKind.LOW_STOCK, ReminderKind.EXPIRING}
    assert Notification.objects.filter(recipient=world.county1_admin, kind="库存提醒").count() == 2
    assert Notification.objects.filter(recipient=world.city_admin).count() == 2
    assert not Notification.objects.filter(recipient=world.county2_admin).exists()
    assert stock_reminders() == 0
    services.stock_issue(warehouse=store, material=masks, quantity=50, document_number="CK-1", actor=None)
    services.stock_receive(warehouse=store, material=masks, quantity=200, document_number="RK-2", actor=None,
                           batch="M2", expiry_date=timezone.localdate() + timedelta(days=365))
    stock_reminders()
    assert not StockReminder.objects.filter(resolved_at__isnull=True).exists()


def test_a_warehouse_minimum_overrides_the_catalogue_default(world, store, client):
    central = WarehouseFactory(region=world.county1, name="甲区中心库")
    tents = MaterialFactory(name="帐篷", unit="顶", minimum_stock=10)
    for warehouse in (store, central):
        services.stock_receive(warehouse=warehouse, material=tents, quantity=20, document_number="RK", actor=None)
    assert stock_reminders() == 0
    services.stock_minimum_set(warehouse=central, material=tents, minimum=50, actor=world.county1_admin)
    assert stock_reminders() == 1
    assert StockReminder.objects.get(resolved_at__isnull=True).warehouse == central
    services.stock_minimum_set(warehouse=central, material=tents, minimum=0, actor=world.county1_admin)
    stock_reminders()
    assert not StockReminder.objects.filter(resolved_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="不能为负数"):
        services.stock_minimum_set(warehouse=central, material=tents, minimum=-1, actor=world.county1_admin)
    with pytest.raises(PermissionDenied):
        services.stock_minimum_set(warehouse=central, material=tents, minimum=5, actor=world.county2_admin)


def test_the_warehouse_page_sets_and_shows_its_minimum(world, store, client):
    from django.urls import reverse

    tents = MaterialFactory(name="帐篷", unit="顶")
    client.force_login(world.county1_admin)
    client.post(reverse("resources:warehouse_minimum", args=[store.pk]),
                {"minimum-material": tents.pk, "minimum-minimum": "30"})
    assert StockMinimum.objects.get(warehouse=store).minimum == 30
    page = client.get(reverse("resources:warehouse_detail", args=[store.pk])).content.decode()
    assert "本库设定" in page and "低于最低储备" in page
    client.force_login(world.county2_admin)
    assert client.post(reverse("resources:warehouse_minimum", args=[store.pk]),
                       {"minimum-material": tents.pk, "minimum-minimum": "1"}).status_code == 404
