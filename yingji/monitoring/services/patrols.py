"""Online patrols (线上巡查): an officer's look at enterprises, what was found, and hazards raised from it."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.selectors import region_root_for
from yingji.core.services import save_with_history, scoped_create
from yingji.enterprises.models import Enterprise
from yingji.hazards import services as hazard_services
from yingji.hazards.models import HazardSource
from yingji.monitoring import selectors
from yingji.monitoring.models import Patrol, PatrolEntry


@transaction.atomic
def patrol_create(*, actor: User, day: date, enterprises: list, summary: str = "") -> Patrol:
    """Record an officer's online patrol of the day: the enterprises looked at, each with a snapshot of what
    the platform showed (online rate, points offline, open alarms). Only enterprises in the officer's
    jurisdiction; the patrol belongs to the officer's bureau."""
    ensure_perm(actor, Patrol, "add")
    if actor.scope_enterprise_id:
        raise PermissionDenied(_("线上巡查由应急管理部门的人员登记"))
    ids = sorted({e.pk for e in enterprises})
    if not ids:
        raise ValidationError({"enterprises": _("请至少选择一家巡查的企业")})
    visible = set(Enterprise.objects.restrict(actor, "view").filter(pk__in=ids).values_list("pk", flat=True))
    if visible != set(ids):
        raise PermissionDenied(_("所选企业不在您的管辖范围内"))
    if day > timezone.localdate():
        raise ValidationError({"day": _("巡查日期不能晚于今天")})
    region = actor.scope_region or region_root_for(actor)
    stamp = timezone.localtime()
    code = f"XC{region.code[:6]}{stamp:%Y%m%d%H%M%S}{secrets.token_hex(2).upper()}"
    patrol = scoped_create(Patrol, actor=actor, reason=_("登记线上巡查"), code=code, officer=actor, region=region,
                           day=day, summary=summary.strip())
    snapshots = selectors.enterprise_snapshots(actor, ids, timezone.localdate())
    regions = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "region_id"))
    for enterprise_id in ids:
        snap = snapshots[enterprise_id]
        entry = PatrolEntry(patrol=patrol, enterprise_id=enterprise_id, region_id=regions[enterprise_id],
                            online_rate=snap["online_rate"], points_total=snap["points_total"],
                            points_offline=snap["points_offline"], open_alarms=snap["open_alarms"],
                            worst_level=snap["worst_level"], alarm_codes="、".join(snap["alarm_codes"])[:300])
        save_with_history(entry, actor=actor, reason=_("巡查快照"))
    return patrol


def _locked_entry(entry: PatrolEntry, actor: User) -> PatrolEntry:
    ensure_perm(actor, PatrolEntry, "change")
    locked = PatrolEntry._base_manager.select_for_update().select_related("patrol", "enterprise").get(pk=entry.pk)
    ensure_in_scope(actor, locked)
    return locked


@transaction.atomic
def patrol_finding_record(*, entry: PatrolEntry, actor: User, finding: str) -> PatrolEntry:
    """What the officer saw at one enterprise of the patrol."""
    locked = _locked_entry(entry, actor)
    finding = finding.strip()
    if not finding:
        raise ValidationError({"finding": _("请填写巡查发现")})
    locked.finding = finding
    save_with_history(locked, actor=actor, reason=_("记录巡查发现"))
    return locked


@transaction.atomic
def patrol_hazard_raise(*, entry: PatrolEntry, actor: User, description: str, place: str, category: str,
                        level: str = "general", deadline: date | None = None) -> Any:
    """Register a hazard (hazards app) from a patrol finding at an enterprise, and link it to the entry.
    The hazard service checks the actor may add hazards there; an entry raises one hazard at most."""
    locked = _locked_entry(entry, actor)
    if locked.hazard_id:
        raise ValidationError(_("该巡查记录已登记隐患 %(code)s") % {"code": locked.hazard.code})
    hazard = hazard_services.hazard_create(
        actor=actor, enterprise=locked.enterprise, description=description, place=place, category=category,
        level=level, source=HazardSource.DEPARTMENT_CHECK, deadline=deadline,
    )
    locked.hazard = hazard
    if not locked.finding:
        locked.finding = description.strip()
    save_with_history(locked, actor=actor, reason=_("由巡查发现登记隐患 %(code)s") % {"code": hazard.code})
    return hazard
