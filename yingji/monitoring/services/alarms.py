"""The alarm lifecycle: raised and updated by the engine and the offline sweep, acknowledged, disposed
and closed by people, escalated county then city by the sweep while nobody acknowledges."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yingji.core import display, live, roles
from yingji.core.models import User
from yingji.core.notifications import notify
from yingji.core.services import attachment_store, save_with_history
from yingji.core.workflow import InvalidTransition, transition, unknown_action_message
from yingji.monitoring import ingest
from yingji.monitoring.models import Alarm, AlarmEvent, AlarmKind, AlarmStatus, Gateway, MonitoringPoint
from yingji.monitoring.states import WORKFLOW

ESCALATION_STEPS = (
    (0, _lazy("企业值班人员")),
    (1, _lazy("县级应急管理局监测预警员")),
    (2, _lazy("市级应急管理局监测预警员")),
)


def escalation_minutes() -> tuple[int, int]:
    """Minutes after the start at which an unacknowledged alarm goes to the county, then the city bureau."""
    county, city = getattr(settings, "MONITORING_ESCALATION_MINUTES", (5, 15))
    return int(county), int(city)


def alarm_recipients(alarm: Alarm, step: int) -> list[User]:
    """Step 0: the enterprise's own alarm handlers; 1: the county bureau's 监测预警员; 2: the city bureau's."""
    users = User.objects.filter(is_active=True)
    if step == 0:
        candidates = users.filter(scope_enterprise_id=alarm.enterprise_id)
        return [u for u in candidates if u.has_perm("monitoring.change_alarm")]
    code = alarm.region_id
    bureau = code[:6] + "000000" if step == 1 else code[:4] + "00000000"
    return list(users.filter(scope_region_id=bureau, groups__name=roles.MONITOR).distinct())


def _event(alarm: Alarm, kind: str, at, note: str = "", step: int | None = None) -> AlarmEvent:
    return AlarmEvent.objects.create(alarm=alarm, enterprise_id=alarm.enterprise_id, region_id=alarm.region_id,
                                     kind=kind, note=note[:300], step=step, at=at)


def _announce(alarm: Alarm, action: str) -> None:
    """Tell the live boards (on commit) that an alarm changed; the event carries ids and jurisdiction only."""
    live.publish("monitoring.alarm", {"id": alarm.pk, "action": action, "region": alarm.region_id,
                                      "enterprise": alarm.enterprise_id})


def duty_room(alarm: Alarm, step: int) -> list[User]:
    """The 值班员 of the bureau a step reaches (the county for steps 0 and 1, the city for 2)."""
    code = alarm.region_id
    bureau = code[:4] + "00000000" if step == 2 else code[:6] + "000000"
    return list(User.objects.filter(is_active=True, scope_region_id=bureau, groups__name=roles.DUTY_OFFICER)
                .distinct())


def _step_note(alarm: Alarm, step: int, count: int) -> str:
    """The timeline's note of a step; one that reached nobody says so and goes to the duty room instead."""
    who = ESCALATION_STEPS[step][1]
    if count:
        return _("通知%(who)s %(n)d 人") % {"who": who, "n": count}
    room = duty_room(alarm, step)
    notify(recipients=room, kind=_("监测报警"),
           title=_("【无人可达】%(enterprise)s 报警未能通知%(who)s") % {"enterprise": alarm.enterprise.name, "who": who},
           body=_("报警编号 %(code)s：未找到可接收通知的%(who)s，请值班室电话联系处置。") % {"code": alarm.code, "who": who},
           url=reverse("monitoring:alarm_detail", args=[alarm.pk]), subject=alarm)
    return _("升级通知无人可达：未找到%(who)s，已转值班室 %(n)d 人") % {"who": who, "n": len(room)}


def _notify_step(alarm: Alarm, step: int) -> int:
    recipients = alarm_recipients(alarm, step)
    subject = alarm.subject_label or alarm.enterprise.name
    title = _("【%(level)s】%(enterprise)s %(subject)s %(kind)s") % {
        "level": alarm.get_level_display().split("（")[0], "enterprise": alarm.enterprise.name, "subject": subject,
        "kind": alarm.get_kind_display()}
    if step:
        title = _("（未确认，逐级上报）") + title
    notify(recipients=recipients, kind=_("监测报警"), title=title,
           body=_("报警编号 %(code)s，报警值 %(value)s") % {"code": alarm.code,
                                                          "value": display.field_text(alarm, "start_value")},
           url=reverse("monitoring:alarm_detail", args=[alarm.pk]), subject=alarm)
    return len(recipients)


def alarm_raise(*, kind: str, level: int, at_ms: int, value: float | None = None, threshold: float | None = None,
                point_id: int | None = None, gateway_id: int | None = None) -> Alarm:
    """Open an alarm, or fold a recurrence or a higher level into the one still open for the point and kind.

    Called by the engine and the offline sweep inside their transaction; the enterprise's handlers are told
    at once, the bureaus later by the sweep if nobody acknowledges.
    """
    at = ingest.datetime_from_ms(at_ms)
    target = {"point_id": point_id} if point_id else {"gateway_id": gateway_id}
    existing = (Alarm._base_manager.select_for_update().filter(kind=kind, **target)
                .exclude(status=AlarmStatus.CLOSED).first())
    if existing is not None:
        changed = []
        if existing.recovered_at is not None:
            existing.recovered_at = None
            existing.occurrences += 1
            changed.append(("recurred", _("再次超限，数值 %(v)s") % {"v": value}))
        if level < existing.level:
            existing.level = level
            existing.threshold = threshold
            changed.append(("level_up", _("升为%(level)s，数值 %(v)s") % {"level": existing.get_level_display(),
                                                                          "v": value}))
        if value is not None:
            existing.last_value = value
            if existing.peak_value is None or _more_extreme(kind, value, existing.peak_value):
                existing.peak_value = value
        save_with_history(existing, actor=None, reason=_("报警更新"))
        for event_kind, note in changed:
            _event(existing, event_kind, at, note)
        _announce(existing, "updated")
        return existing
    if point_id:
        point = MonitoringPoint._base_manager.select_related("source").get(pk=point_id)
        owner = {"point": point, "source_id": point.source_id, "enterprise_id": point.enterprise_id,
                 "region_id": point.region_id}
    else:
        gateway = Gateway._base_manager.get(pk=gateway_id)
        owner = {"gateway": gateway, "enterprise_id": gateway.enterprise_id, "region_id": gateway.region_id}
    county_minutes, _city = escalation_minutes()
    alarm = Alarm(code=f"BJ{timezone.localtime(at):%Y%m%d%H%M%S}{secrets.token_hex(3).upper()}", kind=kind,
                  level=level, started_at=at, start_value=value, peak_value=value, last_value=value,
                  threshold=threshold, escalation_step=0, next_escalation_at=at + timedelta(minutes=county_minutes),
                  **owner)
    save_with_history(alarm, actor=None, reason=_("报警产生"))
    count = _notify_step(alarm, 0)
    _event(alarm, AlarmEvent.Kind.RAISED, at, _step_note(alarm, 0, count), step=0)
    _announce(alarm, "raised")
    return alarm


def _more_extreme(kind: str, value: float, peak: float) -> bool:
    return value < peak if kind == AlarmKind.LOW else value > peak


def alarm_track(*, point_id: int, kind: str, value: float) -> None:
    """Record a new peak of an open alarm (called by the engine only when the value is more extreme)."""
    alarm = Alarm._base_manager.filter(point_id=point_id, kind=kind).exclude(status=AlarmStatus.CLOSED).first()
    if alarm is not None and (alarm.peak_value is None or _more_extreme(kind, value, alarm.peak_value)):
        Alarm._base_manager.filter(pk=alarm.pk).update(peak_value=value, last_value=value)
        _announce(alarm, "updated")


def alarm_recover(*, kind: str, at_ms: int, value: float | None = None, point_id: int | None = None,
                  gateway_id: int | None = None) -> Alarm | None:
    """Mark the open alarm of a point (or gateway) as back to normal; it stays open until disposed and closed."""
    target = {"point_id": point_id} if point_id else {"gateway_id": gateway_id}
    alarm = (Alarm._base_manager.select_for_update().filter(kind=kind, recovered_at__isnull=True, **target)
             .exclude(status=AlarmStatus.CLOSED).first())
    if alarm is None:
        return None
    at = ingest.datetime_from_ms(at_ms)
    alarm.recovered_at = at
    if value is not None:
        alarm.last_value = value
    save_with_history(alarm, actor=None, reason=_("恢复正常"))
    _event(alarm, AlarmEvent.Kind.RECOVERED, at, _("数值 %(v)s") % {"v": value} if value is not None else "")
    _announce(alarm, "recovered")
    return alarm


@transaction.atomic
def alarm_acknowledge(*, alarm: Alarm, actor: User | None, reason: str = "") -> Alarm:
    """确认报警: stops the escalation."""
    changed = transition(alarm, workflow=WORKFLOW, action="acknowledge", actor=actor, reason=reason,
                         changes={"acknowledged_at": timezone.now(), "acknowledged_by": actor,
                                  "next_escalation_at": None})
    _announce(changed, "acknowledged")
    return changed


@dataclass
class BatchOutcome:
    """What a move made on several records did: the records moved, and (code, reason) of each one refused."""

    done: list[Alarm] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def alarm_acknowledge_many(*, alarms: Iterable[Alarm], actor: User, reason: str = "") -> BatchOutcome:
    """确认报警 for several alarms in one transaction, each through `alarm_acknowledge` (its own row lock, history,
    timeline row and announcement). One the table, the rules or the actor's jurisdiction refuses is reported by its
    code with the reason, and the others are still acknowledged: a savepoint per alarm undoes only its own part."""
    outcome = BatchOutcome()
    for alarm in alarms:
        try:
            with transaction.atomic():
                outcome.done.append(alarm_acknowledge(alarm=alarm, actor=actor, reason=reason))
        except ValidationError as exc:
            outcome.refused.append((alarm.code, "；".join(exc.messages)))
        except PermissionDenied as exc:
            outcome.refused.append((alarm.code, str(exc) or _("无权办理")))
    return outcome


@transaction.atomic
def alarm_dispose(*, alarm: Alarm, actor: User | None, measures: str, photos: list | tuple = (),
                  reason: str = "") -> Alarm:
    """处置反馈: the measures taken (required; the timeline records them) and photos; can be given again while the
    alarm is being handled."""
    measures = measures.strip()
    if not measures:
        # The measures are this move's statement on the timeline, required as a reason is.
        raise InvalidTransition(_("“%(action)s”需要填写原因。") % {"action": _("处置反馈")})
    stamp = timezone.localtime().strftime("%m-%d %H:%M")
    combined = f"{alarm.measures}\n[{stamp}] {measures}".strip()
    note = f"{measures}；{reason.strip()}" if reason.strip() else measures
    changed = transition(alarm, workflow=WORKFLOW, action="dispose", actor=actor, reason=note,
                         changes={"measures": combined})
    for photo in photos:
        attachment_store(actor=actor, uploaded_file=photo, owner=changed, description=_("处置照片"))
    _announce(changed, "disposed")
    return changed


@transaction.atomic
def alarm_close(*, alarm: Alarm, actor: User | None, reason: str = "") -> Alarm:
    """消警: only once the value is back to normal and the disposal is recorded."""
    changed = transition(alarm, workflow=WORKFLOW, action="close", actor=actor, reason=reason,
                         changes={"closed_at": timezone.now(), "next_escalation_at": None})
    _announce(changed, "closed")
    return changed


def alarm_act(*, alarm: Alarm, actor: User | None, action: str, reason: str = "", measures: str = "",
              photos=None) -> Alarm:
    """One move of the loop by name, with the fields its row of `WORKFLOW` declares (pages, API): a disposal
    takes its measures and a photo."""
    if action == "acknowledge":
        return alarm_acknowledge(alarm=alarm, actor=actor, reason=reason)
    if action == "dispose":
        return alarm_dispose(alarm=alarm, actor=actor, measures=measures, reason=reason,
                             photos=[photos] if photos else [])
    if action == "close":
        return alarm_close(alarm=alarm, actor=actor, reason=reason)
    raise InvalidTransition(unknown_action_message(action))


def alarm_escalate(*, alarm: Alarm, now: datetime) -> int:
    """Send an unacknowledged alarm one step up (county, then city); call with the row locked."""
    if alarm.status != AlarmStatus.UNACKNOWLEDGED or alarm.escalation_step >= 2:
        return 0
    step = alarm.escalation_step + 1
    _county, city_minutes = escalation_minutes()
    alarm.escalation_step = step
    alarm.next_escalation_at = alarm.started_at + timedelta(minutes=city_minutes) if step == 1 else None
    save_with_history(alarm, actor=None, reason=_("未确认，逐级上报"))
    count = _notify_step(alarm, step)
    _event(alarm, AlarmEvent.Kind.ESCALATED, now, _step_note(alarm, step, count), step=step)
    _announce(alarm, "escalated")
    return 1
