"""Incidents and duty-room people for tests, created through the services."""

from datetime import timedelta

import factory
from django.utils import timezone

from yingji.core import roles
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, World
from yingji.incidents import services
from yingji.incidents.models import Incident


def add_duty_people(world: World) -> World:
    """A duty officer in each county and in the city, and a rescue-team leader in county 1."""
    for username, role, region in [("county1_duty", roles.DUTY_OFFICER, world.county1),
                                   ("county2_duty", roles.DUTY_OFFICER, world.county2),
                                   ("city_duty", roles.DUTY_OFFICER, world.city),
                                   ("county1_rescue", roles.RESCUE_LEADER, world.county1)]:
        if username not in world.users:
            world.users[username] = user_create(actor=None, username=username, password=PASSWORD,
                                                real_name=username, roles=[role], scope_region=region)
    return world


class IncidentFactory(factory.Factory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"测试化工厂爆炸事故{n:04d}")
    category = "accident"
    subtype = "危险化学品事故"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=10))
    place = "甲一社区化工路8号"
    longitude = 118.5
    latitude = 36.4
    deaths = 0
    serious_injuries = 0
    direct_loss_yuan = 0
    description = "储罐区发生爆炸，现场起火。"
    source = "企业报告"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.incident_create(actor=kwargs.pop("actor", None), **kwargs)
