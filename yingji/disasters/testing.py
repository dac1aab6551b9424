"""Disaster test data, made through the services like any other."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from yingji.core import roles
from yingji.core.models import Organization, Region, User
from yingji.core.services import organization_create, region_update, user_create
from yingji.core.testing import PASSWORD, World
from yingji.disasters import services
from yingji.disasters.models import (
    Consultation,
    ConsultationKind,
    ConsultationPeriod,
    ConsultationTask,
    DisasterEvent,
    DisasterReport,
    HazardType,
    ReportKind,
    WeatherStation,
)

TOWNSHIP1 = "390102001000"  # 甲一街道, county 1
TOWNSHIP2 = "390103100000"  # 乙一镇, county 2
CENTROIDS = {TOWNSHIP1: (118.50, 36.50), TOWNSHIP2: (118.80, 36.30)}


def add_people(world: World) -> World:
    """Duty officers of both counties, a village 灾害信息员, and a department user who receives tasks."""
    if "county1_duty" in world.users:
        return world
    for code, (lon, lat) in CENTROIDS.items():
        world.regions[code] = region_update(region=world.regions[code], actor=None, longitude=lon, latitude=lat)
    world.users["county1_duty"] = _user("county1_duty", roles.DUTY_OFFICER, world.county1)
    world.users["county2_duty"] = _user("county2_duty", roles.DUTY_OFFICER, world.county2)
    world.users["village1_grid"] = _user("village1_grid", roles.GRID_MEMBER, world.village1)
    world.users["village2_grid"] = _user("village2_grid", roles.GRID_MEMBER, world.village2)
    department = organization_create(actor=None, name="甲区水利局", kind="industry", region=world.county1)
    world.users["county1_water"] = _user("county1_water", roles.INDUSTRY_OFFICER, world.county1, department)
    world.users["city_duty"] = _user("city_duty", roles.DUTY_OFFICER, world.city)
    return world


def _user(username: str, role: str, region: Region, organization: Organization | None = None) -> User:
    return user_create(actor=None, username=username, password=PASSWORD, real_name=username, roles=[role],
                       scope_region=region, organization=organization)


def make_station(region: Region, code: str, lon: float, lat: float) -> WeatherStation:
    return services.station_create(actor=None, code=code, name=f"{region.name}气象站{code}", region=region,
                                   longitude=lon, latitude=lat)


def observe(station: WeatherStation, date: datetime.date, **values: Any):
    weather = {"temperature": 25.0, "humidity": 20.0, "wind_speed": 30.0, "precipitation": 0.0, **values}
    return services.observation_record(actor=None, station=station, date=date, **weather)


def make_event(region: Region, affected: list[Region], name: str = "测试暴雨洪涝", **fields: Any) -> DisasterEvent:
    return services.event_create(actor=None, name=name, hazard_type=HazardType.FLOOD, region=region,
                                 occurred_at=fields.pop("occurred_at", timezone.now()), affected_regions=affected,
                                 **fields)


def make_report(event: DisasterEvent, region: Region, kind: str = ReportKind.INITIAL, actor: User | None = None,
                submit: bool = True, **figures: Any) -> DisasterReport:
    values = {"affected_population": 100, "deaths": 0, "relocated": 20, "houses_collapsed": 2,
              "crops_affected_ha": 10, "crops_disaster_ha": 5, "crops_lost_ha": 1, "direct_loss_10k_yuan": 50,
              **figures}
    return services.report_create(actor=actor, event=event, region=region, kind=kind, submit=submit, **values)


def make_consultation(region: Region, topic: str = "十二月自然灾害风险会商") -> Consultation:
    today = timezone.localdate()
    return services.consultation_create(
        actor=None, topic=topic, kind=ConsultationKind.REGULAR, period=ConsultationPeriod.MONTHLY, region=region,
        held_at=timezone.now(), period_start=today.replace(day=1),
        period_end=(today.replace(day=1) + datetime.timedelta(days=40)).replace(day=1) - datetime.timedelta(days=1),
        conclusions="本月森林火险偏高。")


def make_task(consultation: Consultation, organization: Organization, title: str = "开展防火巡查") -> ConsultationTask:
    return services.task_create(actor=None, consultation=consultation, organization=organization, title=title,
                                due_date=timezone.localdate() + datetime.timedelta(days=7))
