"""A small, known set of records in both counties of the test world, made through each app's services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from yingji.core import roles
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, World
from yingji.hazards.tasks import flag_overdue_hazards
from yingji.hazards.testing import HazardFactory, bring_to
from yingji.incidents.testing import IncidentFactory
from yingji.monitoring import services as monitoring_services
from yingji.monitoring.testing import make_point, make_source
from yingji.resources.testing import RescueTeamFactory

# The month the report tests look at: a whole month in the past.
MONTH = datetime.date(2026, 10, 1)


def add_cockpit_people(world: World) -> World:
    """A leader and a duty officer of the city, and a duty officer of county 2."""
    for username, role, region in [("city_leader", roles.LEADER, world.city),
                                   ("city_duty", roles.DUTY_OFFICER, world.city),
                                   ("county2_duty", roles.DUTY_OFFICER, world.county2)]:
        if username not in world.users:
            world.users[username] = user_create(actor=None, username=username, password=PASSWORD,
                                                real_name=username, roles=[role], scope_region=region)
    return world


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class Counts:
    """What was made in one county, to compare the figures against."""

    hazards_found: int = 0
    hazards_closed: int = 0
    major_found: int = 0
    major_open: int = 0
    overdue: int = 0
    incidents: int = 0
    larger_incidents: int = 0
    open_incidents: int = 0
    deaths: int = 0
    open_alarms: int = 0
    teams_standby: int = 0
    extra: dict = field(default_factory=dict)


def fill_county(world: World, village, *, general: int, major: int, closed: int, incidents: int,
                larger: int, alarms: int, teams: int, month: datetime.date = MONTH) -> Counts:
    """Hazards and incidents in `month`, alarms and teams now, in the county of `village`; returns what it made."""
    counts = Counts()
    day = month.replace(day=10)
    made = []
    for index in range(general + major):
        level = "major" if index >= general else "general"
        # The closed ones get a deadline they can still be assigned with; the open ones are past theirs.
        deadline = timezone.localdate() + datetime.timedelta(days=10) if index < closed else day + datetime.timedelta(
            days=5)
        made.append(HazardFactory(region=village, found_at=at(day), level=level, deadline=deadline))
    for hazard in made[:closed]:
        bring_to(hazard, "closed")
    flag_overdue_hazards()
    counts.overdue = general + major - closed
    counts.hazards_found = general + major
    counts.hazards_closed = closed
    counts.major_found = major
    counts.major_open = sum(1 for h in made[closed:] if h.level == "major")
    for index in range(incidents):
        deaths = 3 if index < larger else 0
        IncidentFactory(region=village, occurred_at=at(day, 9), deaths=deaths)
        counts.deaths += deaths
    counts.incidents = incidents
    counts.larger_incidents = larger
    counts.open_incidents = incidents
    # A drill is never counted anywhere.
    drill = IncidentFactory(region=village, occurred_at=at(day, 11), deaths=5)
    type(drill)._base_manager.filter(pk=drill.pk).update(is_exercise=True)
    if alarms:
        source = make_source(village)
        at_ms = int(at(day, 12).timestamp() * 1000)
        for _index in range(alarms):
            point = make_point(source)
            with transaction.atomic():  # the engine raises alarms inside its batch transaction
                monitoring_services.alarm_raise(kind="high", level=2, at_ms=at_ms, value=16.0, threshold=15.0,
                                                point_id=point.pk)
    counts.open_alarms = alarms
    for _index in range(teams):
        RescueTeamFactory(region=village, status="standby")
    counts.teams_standby = teams
    return counts

