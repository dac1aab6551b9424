"""Duty (值班值守): rosters from a rotation, the duty log with handover, and roll-call. Every write is here."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Organization, User
from yingji.core.notifications import notify_after_commit
from yingji.core.scoping import ensure_in_scope, ensure_perm, is_in_scope
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.incidents.models import DutyLog, DutyPosition, DutyShift, RollCall
from yingji.incidents.services import duty_people

MAX_ROSTER_DAYS = 366


@transaction.atomic
def duty_shift_create(*, actor: User | None, **fields: Any) -> DutyShift:
    organization = fields["organization"]
    return scoped_create(DutyShift, actor=actor, reason=_("排班"), region_id=organization.region_id, **fields)


@transaction.atomic
def duty_shift_update(*, obj: DutyShift, actor: User | None, **fields: Any) -> DutyShift:
    if "organization" in fields:
        fields["region_id"] = fields["organization"].region_id
    return scoped_update(obj, actor=actor, reason=_("调整排班"), **fields)


@transaction.atomic
def duty_roster_generate(*, organization: Organization, actor: User | None, start: date, days: int,
                         rotation: dict[str, list[str]]) -> int:
    """Fill `days` days from `start` with people taken in turn from each position's rotation; existing days stay.

    `rotation` maps a position (leader, chief, officer, driver) to names, optionally "姓名 电话". For 值班员 two
    people a day are taken (the 1+1+3+N model's duty officers).
    """
    if not 1 <= days <= MAX_ROSTER_DAYS:
        raise ValidationError({"days": _("天数应在1至%(n)d之间") % {"n": MAX_ROSTER_DAYS}})
    if not any(rotation.values()):
        raise ValidationError(_("请至少为一个岗位填写轮换人员"))
    for position in rotation:
        if position not in DutyPosition.values:
            raise ValidationError(_("未知岗位：%(p)s") % {"p": position})
    created = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        if DutyShift.objects.filter(organization=organization, date=day).exists():
            continue
        for position, people in rotation.items():
            per_day = 2 if position == DutyPosition.OFFICER else 1
            for slot in range(min(per_day, len(people))):
                entry = people[(offset * per_day + slot) % len(people)].split()
                duty_shift_create(actor=actor, organization=organization, date=day, position=position,
                                  person_name=entry[0], phone=entry[1] if len(entry) > 1 else "")
                created += 1
    return created


def today_duty(user: User) -> list[DutyShift]:
    """Today's people on duty in the user's own bureau (the organisations of exactly their region)."""
    if not user.is_authenticated or not user.scope_region_id or not user.has_perm("incidents.view_dutyshift"):
        return []
    return list(DutyShift.objects.restrict(user, "view").filter(region_id=user.scope_region_id,
                                                                date=timezone.localdate())
                .select_related("organization").order_by("organization_id", "position", "pk"))


def _open_items(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def duty_log_create(*, actor: User | None, organization: Organization, content: str, open_items: str = "",
                    date: date | None = None) -> DutyLog:
    """Start the day's log; open items of the last handed-over log come along so nothing is dropped."""
    previous = (DutyLog.objects.filter(organization=organization, handed_over_at__isnull=False)
                .order_by("-handed_over_at").first())
    items = _open_items(open_items)
    if previous is not None:
        items = [i for i in _open_items(previous.open_items) if i not in items] + items
    log = scoped_create(DutyLog, actor=actor, reason=_("值班日志"), organization=organization,
                        region_id=organization.region_id, date=date or timezone.localdate(), content=content,
                        open_items="\n".join(items), officer=actor)
    return log


@transaction.atomic
def duty_log_update(*, obj: DutyLog, actor: User | None, **fields: Any) -> DutyLog:
    if obj.handed_over_at is not None:
        raise ValidationError(_("已交班的日志不能修改"))
    fields.pop("organization", None)
    return scoped_update(obj, actor=actor, reason=_("修改值班日志"), **fields)


@transaction.atomic
def duty_handover(*, log: DutyLog, actor: User | None, successor: User) -> DutyLog:
    """交接班: the log is closed and its open items wait for the successor's log."""
    if log.handed_over_at is not None:
        raise ValidationError(_("该日志已交班"))
    if actor is not None and not is_in_scope(actor, successor):
        raise ValidationError(_("接班人不在您的管辖范围内"))
    return scoped_update(log, actor=actor, reason=_("交接班"), handed_over_to=successor,
                         handed_over_at=timezone.now())


@transaction.atomic
def rollcall_send(*, actor: User | None, caller: Organization, callee: Organization) -> RollCall:
    """点名 from an upper level to a lower level's duty room, who are told at once."""
    if not callee.region_id.startswith(caller.region.prefix) or callee.region_id == caller.region_id:
        raise ValidationError(_("只能对下级单位点名"))
    call = scoped_create(RollCall, actor=actor, reason=_("点名"), caller=caller, callee=callee,
                         region_id=callee.region_id, called_by=actor, called_at=timezone.now())
    recipients = duty_people(callee.region_id)
    url = reverse("incidents:rollcall_list")
    notify_after_commit(recipients=recipients, kind=_("值班点名"), url=url, subject=call,
                        title=_("%(caller)s 点名，请立即应答") % {"caller": caller.name})
    return call


@transaction.atomic
def rollcall_answer(*, call: RollCall, actor: User | None) -> RollCall:
    """应答: the lower level's duty room answers; the delay in seconds is recorded."""
    if actor is not None:
        ensure_perm(actor, RollCall, "change")
        ensure_in_scope(actor, call)
        if actor.scope_region_id != call.callee.region_id:
            raise ValidationError(_("只有被点名单位的值班人员可以应答"))
    call = RollCall._base_manager.select_for_update().get(pk=call.pk)
    if call.answered_at is not None:
        raise ValidationError(_("该点名已应答"))
    now = timezone.now()
    call.answered_at, call.answered_by = now, actor
    call.response_seconds = int((now - call.called_at).total_seconds())
    return save_with_history(call, actor=actor, reason=_("应答点名"))
