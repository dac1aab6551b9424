"""Monitoring points: registration and changes (the ingest point tables reload after each)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.services import scoped_create, scoped_update
from yingji.monitoring import ingest
from yingji.monitoring.models import MonitoringPoint


def _point_fields(fields: dict[str, Any]) -> dict[str, Any]:
    source = fields.get("source")
    if source is not None:
        fields["enterprise_id"] = source.enterprise_id
        fields["region_id"] = source.region_id
    if isinstance(fields.get("tag"), str):
        fields["tag"] = fields["tag"].strip()
    return fields


@transaction.atomic
def monitoring_point_create(*, actor: User | None, **fields: Any) -> MonitoringPoint:
    """Register a monitoring point on a hazard source in the actor's jurisdiction."""
    fields = _point_fields(fields)
    if MonitoringPoint._base_manager.filter(enterprise_id=fields.get("enterprise_id"), tag=fields.get("tag")).exists():
        raise ValidationError({"tag": _("本企业已有位号为“%(tag)s”的监测点") % {"tag": fields.get("tag")}})
    point = scoped_create(MonitoringPoint, actor=actor, reason=_("新建监测点"), **fields)
    # A cache invalidation, not an outbox effect: lost with this process's cache, other processes reload by age.
    transaction.on_commit(ingest.invalidate_point_tables)
    return point


@transaction.atomic
def monitoring_point_update(*, point: MonitoringPoint, actor: User | None, **fields: Any) -> MonitoringPoint:
    """Change a point's range, thresholds or timing; it stays with its enterprise."""
    source = fields.get("source")
    if source is not None and source.enterprise_id != point.enterprise_id:
        raise ValidationError({"source": _("监测点只能调整到本企业的重大危险源")})
    fields = _point_fields(fields)
    tag = fields.get("tag", point.tag)
    if MonitoringPoint._base_manager.filter(enterprise_id=point.enterprise_id, tag=tag).exclude(pk=point.pk).exists():
        raise ValidationError({"tag": _("本企业已有位号为“%(tag)s”的监测点") % {"tag": tag}})
    updated = scoped_update(point, actor=actor, reason=_("修改监测点"), **fields)
    # A cache invalidation, not an outbox effect: lost with this process's cache, other processes reload by age.
    transaction.on_commit(ingest.invalidate_point_tables)
    return updated
