"""The demo seed: hazard sources, points, gateways, a day of history and alarms, the online rates and a patrol;
a second run adds nothing."""

import random

import pytest

from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import demo
from yingji.monitoring.models import (
    Alarm,
    Gateway,
    MajorHazardSource,
    MonitoringPoint,
    OnlineRate,
    Patrol,
    PatrolEntry,
    Reading,
)
from yingji.monitoring.testing import add_monitor

pytestmark = pytest.mark.django_db


def test_seed_is_deterministic_and_idempotent(world):
    add_monitor(world, "city_monitor", world.city)
    enterprises = [EnterpriseFactory(region=world.village1, category="hazchem_production") for _ in range(3)]
    context = {"random": random.Random(7), "log": lambda *args: None, "enterprises": enterprises}
    demo.seed(context)
    counts = (MajorHazardSource.objects.count(), MonitoringPoint.objects.count(), Gateway.objects.count(),
              Reading.objects.count(), Alarm.objects.count(), OnlineRate.objects.count(), Patrol.objects.count(),
              PatrolEntry.objects.exclude(finding="").count())
    assert counts[0] >= 3 and counts[1] >= 6 and counts[2] == 3
    assert counts[1] * 2000 < counts[3] < counts[1] * 2880  # a reading every 30 s, with dropouts
    assert MajorHazardSource.objects.filter(is_major=True).exists()
    assert counts[5] > 0 and OnlineRate.objects.filter(rate__lt=0.9).exists()
    assert counts[6] == 1 and counts[7] == 3
    demo.seed({**context, "random": random.Random(7)})
    assert (MajorHazardSource.objects.count(), MonitoringPoint.objects.count(), Gateway.objects.count(),
            Reading.objects.count(), Alarm.objects.count(), OnlineRate.objects.count(), Patrol.objects.count(),
            PatrolEntry.objects.exclude(finding="").count()) == counts
