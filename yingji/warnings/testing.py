"""Warnings, responsible persons and people for tests, made through the services like any other."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.core import roles
from yingji.core.services import user_create
from yingji.core.testing import PASSWORD, World
from yingji.warnings import services
from yingji.warnings.models import Warning

# The shared secret tests configure for the gateway callback (settings.WARNING_GATEWAY_TOKEN).
GATEWAY_TOKEN = "test-gateway-token-0123456789abcdef"


def gateway_post(client: Any, payload: Any, *, token: str | None = GATEWAY_TOKEN) -> Any:
    """POST to the gateway callback as the gateway does: JSON (a dict or list is encoded, str/bytes sent as
    they are) with the bearer token, or with no Authorization header when `token` is None."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post("/warnings/gateway/", body, content_type="application/json", **headers)


def add_person(world: World, username: str, role: str, scope) -> object:
    user = user_create(actor=None, username=username, password=PASSWORD, real_name=username, roles=[role],
                       scope_region=scope)
    world.users[username] = user
    return user


def add_warning_staff(world: World) -> World:
    """A duty officer who drafts and a leader who signs, in county 1 and county 2."""
    if "county1_duty" not in world.users:
        add_person(world, "county1_duty", roles.DUTY_OFFICER, world.county1)
        add_person(world, "county2_duty", roles.DUTY_OFFICER, world.county2)
        add_person(world, "county1_signer", roles.LEADER, world.county1)
    return world


def make_warning(world: World, *, region=None, areas=None, actor=None, **fields) -> Warning:
    now = timezone.now()
    region = region or world.county1
    values = {
        "region": region, "kind": "weather", "event_type": "11B03", "level": "red",
        "headline": f"{region.name}应急管理局发布暴雨红色预警", "description": "未来3小时降雨量将达100毫米以上。",
        "instructions": "停止户外作业，转移低洼地带人员。", "onset": now, "expires": now + timedelta(hours=12),
        "source": "测试市气象台",
    }
    values.update(fields)
    if areas is None:
        areas = [r for r in world.regions.values() if r.code.startswith(region.prefix) and r.level == "township"]
    return services.warning_create(actor=actor, area_regions=areas, **values)


def publish(world: World, warning: Warning, signer=None) -> Warning:
    add_warning_staff(world)
    services.warning_submit(warning=warning, actor=None)
    return services.warning_approve(warning=warning, actor=signer or world.county1_signer)


def published_for(world: World, region, person_region, name: str, phone: str, **person) -> Warning:
    """A published warning of `region` addressing one responsible person of `person_region`."""
    add_warning_staff(world)
    services.person_create(actor=None, region=person_region, role="village_cadre", name=name, phone=phone, **person)
    signer = world.county1_signer if region.code.startswith(world.county1.prefix) else _county2_signer(world)
    warning = make_warning(world, region=region, areas=[person_region], headline=f"{region.name}暴雨红色预警")
    return publish(world, warning, signer=signer)


def _county2_signer(world: World):
    if "county2_signer" not in world.users:
        add_person(world, "county2_signer", roles.LEADER, world.county2)
    return world.county2_signer
