"""Several sweep workers share the escalation: on PostgreSQL a row another worker holds is skipped, not waited for,
and is taken by the next sweep; nothing is lost or done twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from yingji.core.services import region_create
from yingji.warnings import services
from yingji.warnings.delivery import escalate_due
from yingji.warnings.models import Channel, Delivery, Recipient
from yingji.warnings.testing import make_warning, publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sweep_skips_the_rows_another_worker_holds_and_the_next_sweep_takes_them(world):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL; SQLite has a single writer")
    township = region_create(actor=None, code="390102002000", name="甲二街道", level="township", parent=world.county1)
    for number in range(5):
        services.person_create(actor=None, region=world.village1, role="village_cadre", name=f"村干部{number}",
                               phone=f"1380000030{number}")
    warning = publish(world, make_warning(world, areas=[world.regions["390102001000"], township]))
    Recipient.objects.filter(warning=warning).update(next_step_at=timezone.now() - timedelta(seconds=1))
    held = list(Recipient.objects.filter(warning=warning).order_by("pk").values_list("pk", flat=True)[:2])
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(Recipient.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert locked.wait(10)
        assert escalate_due() == 3
        assert set(Recipient.objects.filter(warning=warning, step=0).values_list("pk", flat=True)) == set(held)
    finally:
        release.set()
        worker.join(10)
    assert escalate_due() == 2
    assert escalate_due() == 0
    assert set(Recipient.objects.filter(warning=warning).values_list("step", flat=True)) == {1}
    assert Delivery.objects.filter(warning=warning, channel=Channel.VOICE).count() == 5
