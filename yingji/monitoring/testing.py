"""Hazard sources and monitoring points for tests, created through the services like any other."""

import itertools

from yingji.core import roles
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, World
from yingji.enterprises.testing import EnterpriseFactory
from yingji.monitoring import services
from yingji.monitoring.models import MajorHazardSource, MonitoringPoint

_serial = itertools.count(1)


def add_monitor(world: World, username: str, region) -> object:
    """A 监测预警员 of a bureau (the role that runs the alarm loop)."""
    user = user_create(actor=None, username=username, password=PASSWORD, real_name=username,
                       roles=[roles.MONITOR], scope_region=region)
    world.users[username] = user
    return user


def make_source(region, *, name: str | None = None, enterprise=None, chemicals=(), exposed_population: int = 120,
                unit_kind: str = "storage") -> MajorHazardSource:
    number = next(_serial)
    enterprise = enterprise or EnterpriseFactory(region=region)
    source = services.hazard_source_create(
        actor=None, enterprise=enterprise, code=f"HS-T{number:04d}", name=name or f"测试储罐区{number:04d}",
        unit_kind=unit_kind, exposed_population=exposed_population,
    )
    for chemical, quantity in chemicals:
        services.hazard_chemical_set(source=source, actor=None, chemical=chemical, quantity=quantity)
    source.refresh_from_db()
    return source


def make_point(source: MajorHazardSource, **overrides) -> MonitoringPoint:
    number = next(_serial)
    fields = {
        "source": source, "tag": f"LT-{number:04d}", "name": f"储罐液位{number:04d}", "kind": "level", "unit": "m",
        "range_low": 0.0, "range_high": 20.0, "low_low": 1.0, "low": 2.0, "high": 15.0, "high_high": 18.0,
        "deadband": 0.5, "alarm_delay_seconds": 0, "report_period_seconds": 60,
    }
    fields.update(overrides)
    return services.monitoring_point_create(actor=None, **fields)
