"""The demo seed: hazard sources, points, gateways, a day of history and alarms; a second run adds nothing."""

import random

import pytest

from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import demo
from yingji.monitoring.models import Alarm, Gateway, MajorHazardSource, MonitoringPoint, Reading

pytestmark = pytest.mark.django_db


def test_seed_is_deterministic_and_idempotent(world):
    enterprises = [EnterpriseFactory(region=world.village1, category="hazchem_production") for _ in range(3)]
    context = {"random": random.Random(7), "log": lambda *args: None, "enterprises": enterprises}
    demo.seed(context)
    counts = (MajorHazardSource.objects.count(), MonitoringPoint.objects.count(), Gateway.objects.count(),
              Reading.objects.count(), Alarm.objects.count())
    assert counts[0] >= 3 and counts[1] >= 6 and counts[2] == 3 and counts[3] == counts[1] * 144
    assert MajorHazardSource.objects.filter(is_major=True).exists()
    demo.seed({**context, "random": random.Random(7)})
    assert (MajorHazardSource.objects.count(), MonitoringPoint.objects.count(), Gateway.objects.count(),
            Reading.objects.count(), Alarm.objects.count()) == counts
