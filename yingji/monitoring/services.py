"""Every write to the monitoring app goes through here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yingji.core import roles
from yingji.core.models import User
from yingji.core.notifications import notify
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.services import attachment_store, save_with_history, scoped_create, scoped_update
from yingji.core.workflow import transition
from yingji.monitoring import ingest
from yingji.monitoring.ingest import IngestResult, PointTable
from yingji.monitoring.models import (
    Alarm,
    AlarmEvent,
    AlarmKind,
    AlarmStatus,
    Gateway,
    HazardGradeChange,
    HazardSourceChemical,
    MajorHazardSource,
    MonitoringPoint,
    OnlineProgress,
    OnlineRate,
    OnlineRecount,
    OnlineSubject,
    OnlineTally,
    Patrol,
    PatrolEntry,
)
from yingji.monitoring.states import WORKFLOW
from yingji.standards import gb18218

FOUR_PLACES = Decimal("0.0001")


def _decimal(value: Fraction, places: Decimal = FOUR_PLACES) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _recompute(source: MajorHazardSource, *, actor: User | None, reason: str) -> MajorHazardSource:
    """Re-identify and re-grade a locked source from its chemicals and population; log a grade change."""
    items = [(row.quantity, row.chemical) for row in HazardSourceChemical.objects.filter(source=source)]
    result = gb18218.assess(items, source.exposed_population)
    new = {
        "alpha": _decimal(result.alpha, Decimal("0.01")),
        "s_value": _decimal(result.s),
        "r_value": _decimal(result.r),
        "is_major": result.major,
        "grade": result.grade,
    }
    old_grade = source.grade
    if all(getattr(source, name) == value for name, value in new.items()):
        return source
    for name, value in new.items():
        setattr(source, name, value)
    save_with_history(source, actor=actor, reason=reason)
    if old_grade != source.grade:
        HazardGradeChange.objects.create(
            source=source, enterprise_id=source.enterprise_id, region_id=source.region_id, from_grade=old_grade,
            to_grade=source.grade, s_value=source.s_value, r_value=source.r_value, actor=actor, at=timezone.now(),
            reason=reason[:200],
        )
    return source


@transaction.atomic
def hazard_source_create(*, actor: User | None, **fields: Any) -> MajorHazardSource:
    """Register a unit of an enterprise in the actor's jurisdiction; it lies where its enterprise lies."""
    enterprise = fields.get("enterprise")
    if enterprise is not None:
        fields["region_id"] = enterprise.region_id
    population = fields.get("exposed_population")
    if isinstance(population, int) and population >= 0:
        # A new unit holds no chemicals yet: S = R = 0, only α follows from the population.
        fields["alpha"] = _decimal(gb18218.alpha_exact(population), Decimal("0.01"))
    return scoped_create(MajorHazardSource, actor=actor, reason=_("登记重大危险源"), **fields)


@transaction.atomic
def hazard_source_update(*, source: MajorHazardSource, actor: User | None, **fields: Any) -> MajorHazardSource:
    """Change a unit's record; a changed exposed population re-grades it."""
    enterprise = fields.get("enterprise")
    if enterprise is not None and enterprise.pk != source.enterprise_id:
        raise ValidationError({"enterprise": _("重大危险源的所属企业不能变更")})
    fields.pop("enterprise", None)
    updated = scoped_update(source, actor=actor, reason=_("修改重大危险源"), **fields)
    return _recompute(updated, actor=actor, reason=_("暴露人数变更，重新分级"))


def _locked_source_for_change(source: MajorHazardSource, actor: User | None) -> MajorHazardSource:
    if actor is not None:
        ensure_perm(actor, MajorHazardSource, "change")
    locked = MajorHazardSource._base_manager.select_for_update().get(pk=source.pk)
    if actor is not None:
        ensure_in_scope(actor, locked)
    return locked


@transaction.atomic
def hazard_chemical_set(
    *, source: MajorHazardSource, actor: User | None, chemical: str, quantity: Decimal | float | str
) -> HazardSourceChemical:
    """Set the maximum quantity of one chemical in a unit (adding it if new) and re-grade the unit."""
    locked = _locked_source_for_change(source, actor)
    try:
        quantity = Decimal(str(quantity))
    except ArithmeticError:
        raise ValidationError({"quantity": _("最大存在量应为数字")})
    if not quantity.is_finite() or quantity < 0:
        raise ValidationError({"quantity": _("最大存在量应为不小于0的数字")})
    if chemical not in gb18218.catalog():
        raise ValidationError({"chemical": _("未知的危险化学品或类别：%(key)s") % {"key": chemical}})
    row = HazardSourceChemical.objects.filter(source=locked, chemical=chemical).first()
    label = gb18218.catalog()[chemical].name
    if row is None:
        row = HazardSourceChemical(source=locked, enterprise_id=locked.enterprise_id, region_id=locked.region_id,
                                   chemical=chemical, quantity=quantity)
        row.full_clean()
        save_with_history(row, actor=actor, reason=_("登记危险化学品"))
    elif row.quantity != quantity:
        row.quantity = quantity
        row.full_clean()
        save_with_history(row, actor=actor, reason=_("修改最大存在量"))
    _recompute(locked, actor=actor, reason=_("%(name)s 最大存在量变更为 %(q)s 吨，重新辨识分级") % {
        "name": label, "q": quantity.normalize()})
    return row


@transaction.atomic
def hazard_chemical_remove(*, row: HazardSourceChemical, actor: User | None) -> MajorHazardSource:
    """Take a chemical out of a unit and re-grade the unit."""
    locked = _locked_source_for_change(row.source, actor)
    label = row.catalog_entry.name
    row._history_user = actor
    row._change_reason = _("移除危险化学品")
    row.delete()
    return _recompute(locked, actor=actor, reason=_("移除%(name)s，重新辨识分级") % {"name": label})


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
    transaction.on_commit(ingest.invalidate_point_tables)
    return updated


# -- gateways and telemetry -------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def gateway_for_token(token: str) -> Gateway | None:
    """The active gateway a token belongs to (the lookup of the gateways' own authentication)."""
    if not token:
        return None
    return Gateway._base_manager.filter(token_hash=_token_hash(token), is_active=True).first()


@transaction.atomic
def gateway_create(*, actor: User | None, **fields: Any) -> Gateway:
    """Register a gateway of an enterprise; its token is generated here and shown once as `gateway.token`."""
    enterprise = fields.get("enterprise")
    if enterprise is not None:
        fields["region_id"] = enterprise.region_id
    token = secrets.token_urlsafe(32)
    fields["token_hash"] = _token_hash(token)
    gateway = scoped_create(Gateway, actor=actor, reason=_("登记采集网关"), **fields)
    gateway.token = token
    return gateway


@transaction.atomic
def gateway_update(*, gateway: Gateway, actor: User | None, **fields: Any) -> Gateway:
    enterprise = fields.pop("enterprise", None)
    if enterprise is not None and enterprise.pk != gateway.enterprise_id:
        raise ValidationError({"enterprise": _("采集网关的所属企业不能变更")})
    return scoped_update(gateway, actor=actor, reason=_("修改采集网关"), **fields)


@transaction.atomic
def gateway_rotate_token(*, gateway: Gateway, actor: User | None) -> str:
    """Issue a new token for a gateway; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    scoped_update(gateway, actor=actor, reason=_("重置网关令牌"), token_hash=_token_hash(token))
    return token


def readings_ingest(*, gateway_id: int, enterprise_id: int, body: bytes, points: PointTable,
                    gateway_code: str = "", now: int | None = None) -> IngestResult:
    """Validate and store one gateway message; good readings are kept, each bad one reported with its reason.

    The gateway has been authenticated by the caller (token over HTTP, topic and broker ACL over MQTT),
    and only its own enterprise's points are looked up, so it cannot write anyone else's.
    """
    message = IngestMessage(gateway_id=gateway_id, enterprise_id=enterprise_id, body=body, gateway_code=gateway_code)
    return readings_ingest_many(messages=[message], points=points, now=now)[0]


@dataclass(frozen=True, slots=True)
class IngestMessage:
    gateway_id: int
    enterprise_id: int
    body: bytes
    gateway_code: str = ""


class SeenThrottle:
    """When this process last recorded each gateway as heard from. A busy gateway is written at most once a
    second (offline detection allows several reporting periods, and online time counts minutes), which
    keeps two statements out of most batches."""

    def __init__(self, interval_ms: int = 1000) -> None:
        self.interval_ms = interval_ms
        self._written: dict[int, int] = {}

    def due(self, gateway_ids: set[int], now: int) -> set[int]:
        due = {g for g in gateway_ids if not 0 <= now - self._written.get(g, -self.interval_ms) < self.interval_ms}
        for gateway_id in due:
            self._written[gateway_id] = now
        return due

    def reset(self) -> None:
        self._written.clear()


GATEWAYS_SEEN = SeenThrottle()


def readings_ingest_many(*, messages: list[IngestMessage], points: PointTable,
                         now: int | None = None) -> list[IngestResult]:
    """Several gateway messages in one transaction (one COPY, one upsert, one commit), each with its own result.

    The MQTT worker hands over whatever arrived together, so a busy stream costs one commit per batch,
    not one per message. A reading repeated within the batch or already stored counts as a duplicate of
    the message it came in.
    """
    now = ingest.now_ms() if now is None else now
    results = []
    parts = []
    for message in messages:
        batch = ingest.parse(message.body, enterprise_id=message.enterprise_id, points=points,
                             gateway_code=message.gateway_code, now=now)
        results.append(IngestResult(received=batch.received, rejected=batch.rejected, error=batch.error,
                                    message_id=batch.message_id))
        parts.append(batch.readings)
    readings = ingest.Readings.concat(parts)
    owner = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    first = readings.first_occurrences()
    unique, owner = readings.take(first), owner[first]
    gateways = {m.gateway_id for m, r in zip(messages, results, strict=True) if not r.error}
    with transaction.atomic():
        new = ingest.store_readings(unique, received_at=now)
        heard = GATEWAYS_SEEN.due(gateways, now)
        if heard:
            Gateway._base_manager.filter(pk__in=heard).update(last_seen_at=datetime.fromtimestamp(now / 1000, tz=UTC))
            ingest.record_gateway_activity(heard, now)
        fresh = unique.take(new)
        for hook in INGEST_HOOKS:
            hook(fresh, points, now, gateways)
    accepted = np.bincount(owner[new], minlength=len(parts)).tolist()
    for result, part, count in zip(results, parts, accepted, strict=True):
        result.accepted = count
        result.duplicates = len(part) - count
    return results


# Called inside the ingest transaction with the new readings (`ingest.Readings`, in no particular order), the
# point table, the time and the ids of the gateways heard from; the alarm engine registers itself here (apps.py).
INGEST_HOOKS: list = []


def readings_purge(*, older_than_days: int) -> int:
    """Retention: delete history older than the given number of days, in short transactions of a chunk each
    (latest values are kept)."""
    if older_than_days < 1:
        raise ValidationError(_("保留天数至少为1天"))
    return ingest.retention_delete(ingest.now_ms() - older_than_days * 86_400_000)


# -- alarms ------------------------------------------------------------------------------------------

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
    from yingji.core import live

    live.publish("monitoring.alarm", {"id": alarm.pk, "action": action, "region": alarm.region_id,
                                      "enterprise": alarm.enterprise_id})


def _notify_step(alarm: Alarm, step: int) -> int:
    recipients = alarm_recipients(alarm, step)
    subject = alarm.subject_label or alarm.enterprise.name
    title = _("【%(level)s】%(enterprise)s %(subject)s %(kind)s") % {
        "level": alarm.get_level_display().split("（")[0], "enterprise": alarm.enterprise.name, "subject": subject,
        "kind": alarm.get_kind_display()}
    if step:
        title = _("（未确认，逐级上报）") + title
    notify(recipients=recipients, kind=_("监测报警"), title=title,
           body=_("报警编号 %(code)s，报警值 %(value)s") % {"code": alarm.code, "value": alarm.start_value},
           url=reverse("monitoring:alarm_detail", args=[alarm.pk]), subject=alarm)
    return len(recipients)


def _to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def alarm_raise(*, kind: str, level: int, at_ms: int, value: float | None = None, threshold: float | None = None,
                point_id: int | None = None, gateway_id: int | None = None) -> Alarm:
    """Open an alarm, or fold a recurrence or a higher level into the one still open for the point and kind.

    Called by the engine and the offline sweep inside their transaction; the enterprise's handlers are told
    at once, the bureaus later by the sweep if nobody acknowledges.
    """
    at = _to_datetime(at_ms)
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
    alarm = Alarm(code=f"BJ{at.astimezone(UTC):%Y%m%d%H%M%S}{secrets.token_hex(3).upper()}", kind=kind,
                  level=level, started_at=at, start_value=value, peak_value=value, last_value=value,
                  threshold=threshold, escalation_step=0, next_escalation_at=at + timedelta(minutes=county_minutes),
                  **owner)
    save_with_history(alarm, actor=None, reason=_("报警产生"))
    count = _notify_step(alarm, 0)
    _event(alarm, AlarmEvent.Kind.RAISED, at, _("通知%(who)s %(n)d 人") % {"who": ESCALATION_STEPS[0][1], "n": count},
           step=0)
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
    at = _to_datetime(at_ms)
    alarm.recovered_at = at
    if value is not None:
        alarm.last_value = value
    save_with_history(alarm, actor=None, reason=_("恢复正常"))
    _event(alarm, AlarmEvent.Kind.RECOVERED, at, _("数值 %(v)s") % {"v": value} if value is not None else "")
    _announce(alarm, "recovered")
    return alarm


@transaction.atomic
def alarm_acknowledge(*, alarm: Alarm, actor: User | None) -> Alarm:
    """确认报警: stops the escalation."""
    changed = transition(alarm, workflow=WORKFLOW, action="acknowledge", actor=actor,
                         changes={"acknowledged_at": timezone.now(), "acknowledged_by": actor,
                                  "next_escalation_at": None})
    _announce(changed, "acknowledged")
    return changed


@transaction.atomic
def alarm_dispose(*, alarm: Alarm, actor: User | None, measures: str, photos: list | tuple = ()) -> Alarm:
    """处置反馈: the measures taken (and photos); can be given again while the alarm is being handled."""
    measures = measures.strip()
    stamp = timezone.localtime().strftime("%m-%d %H:%M")
    combined = f"{alarm.measures}\n[{stamp}] {measures}".strip() if measures else alarm.measures
    changed = transition(alarm, workflow=WORKFLOW, action="dispose", actor=actor, reason=measures,
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
    _event(alarm, AlarmEvent.Kind.ESCALATED, now,
           _("通知%(who)s %(n)d 人") % {"who": ESCALATION_STEPS[step][1], "n": count}, step=step)
    _announce(alarm, "escalated")
    return 1


# -- online rate ---------------------------------------------------------------------------------------

def day_bounds_ms(day: date) -> tuple[int, int]:
    """The local (Asia/Shanghai) day as [start, end) in milliseconds since the epoch."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    start_ms = int(start.timestamp() * 1000)
    return start_ms, start_ms + 86_400_000


ONLINE_SAFETY_MS = 60_000


def online_settle_ms() -> int:
    """How long after its time a reading may still arrive without being late (`MONITORING_ONLINE_SETTLE_MINUTES`,
    10). The roll-up re-reads this much of the recent past at every run; an older reading arriving is marked
    for a recount of its point's day by the ingest hook below."""
    return int(getattr(settings, "MONITORING_ONLINE_SETTLE_MINUTES", 10)) * 60_000


def _local_day(ms: int) -> date:
    return timezone.localtime(_to_datetime(ms)).date()


def online_late_mark(fresh: ingest.Readings, points: PointTable, now: int, gateways: set[int]) -> None:
    """Ingest hook: mark the (point, day) pairs that received a reading older than the settle time, so the
    roll-up counts that point's day again. Most batches carry none and cost one vectorised comparison."""
    if not len(fresh):
        return
    late = fresh.ts < now - online_settle_ms()
    if not late.any():
        return
    ids, stamps = fresh.point_id[late], fresh.ts[late]
    order = np.lexsort((stamps, ids))
    ids, stamps = ids[order], stamps[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)] - 1
    marks = []
    for point_id, low, high in zip(ids[starts].tolist(), stamps[starts].tolist(), stamps[ends].tolist(), strict=True):
        day, last = _local_day(low), _local_day(high)
        while day <= last:
            marks.append(OnlineRecount(point_id=point_id, day=day))
            day += timedelta(days=1)
    OnlineRecount.objects.bulk_create(marks)


@dataclass(slots=True)
class OnlineCount:
    """Reporting periods (slots) with data, readings, and the first and last slot of a stretch of time."""

    slots: int = 0
    readings: int = 0
    first: int | None = None
    last: int | None = None

    def plus(self, later: OnlineCount) -> OnlineCount:
        """This stretch followed by a later one; they share at most the slot on their boundary."""
        if later.last is None:
            return self
        if self.last is None:
            return later
        shared = 1 if self.last == later.first else 0
        return OnlineCount(self.slots + later.slots - shared, self.readings + later.readings, self.first, later.last)


# Per subject and stretch (0: before the split, 1: from it): slots with data, rows, first and last slot.
_POINT_SCAN = (
    "SELECT r.point_id, CASE WHEN r.ts >= %s THEN 1 ELSE 0 END, count(DISTINCT r.ts / p.period_ms), count(*), "
    "min(r.ts / p.period_ms), max(r.ts / p.period_ms) FROM monitoring_reading r JOIN "
    "(SELECT id, CAST(report_period_seconds AS BIGINT) * 1000 AS period_ms FROM monitoring_monitoringpoint) p "
    "ON p.id = r.point_id WHERE r.ts >= %s AND r.ts < %s {only} GROUP BY 1, 2"
)
_GATEWAY_SCAN = (
    "SELECT a.gateway_id, CASE WHEN a.minute >= %s THEN 1 ELSE 0 END, count(DISTINCT a.minute * 60 / g.period), "
    "count(*), min(a.minute * 60 / g.period), max(a.minute * 60 / g.period) FROM monitoring_gatewayactivity a JOIN "
    "(SELECT id, CASE WHEN report_period_seconds < 60 THEN 60 ELSE report_period_seconds END AS period "
    "FROM monitoring_gateway) g ON g.id = a.gateway_id WHERE a.minute >= %s AND a.minute < %s {only} GROUP BY 1, 2"
)


@dataclass(frozen=True, slots=True)
class _Kind:
    subject: str
    sql: str
    column: str
    unit_ms: int  # the scan's time unit: ms for readings, minutes for gateway activity


_KINDS = {
    OnlineSubject.POINT: _Kind(OnlineSubject.POINT, _POINT_SCAN, "r.point_id", 1),
    OnlineSubject.GATEWAY: _Kind(OnlineSubject.GATEWAY, _GATEWAY_SCAN, "a.gateway_id", 60_000),
}


def _online_scan(kind: _Kind, lower: int, split: int, upper: int,
                 ids: list[int] | None = None) -> tuple[dict[int, OnlineCount], dict[int, OnlineCount]]:
    """Counts per subject of [lower, split) and [split, upper) (ms), of all subjects or only of `ids`."""
    from django.db import connection

    before: dict[int, OnlineCount] = {}
    after: dict[int, OnlineCount] = {}
    chunks = [None] if ids is None else [ids[i:i + 1000] for i in range(0, len(ids), 1000)]
    unit = kind.unit_ms
    with connection.cursor() as cursor:
        for chunk in chunks:
            only = "" if chunk is None else f"AND {kind.column} IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(kind.sql.format(only=only), [split // unit, lower // unit, upper // unit, *(chunk or [])])
            for pk, is_after, slots, count, first, last in cursor.fetchall():
                (after if is_after else before)[pk] = OnlineCount(slots, count, first, last)
    return before, after


def _online_advance(kind: _Kind, *, day: date, periods: dict[int, int], start: int, settled: int, settle_to: int,
                    end: int, recount: set[int]) -> dict[int, OnlineCount]:
    """The day's counts per subject from the stored tallies plus a scan of the time not yet settled, and the
    tallies moved forward to `settle_to`. Subjects to recount (late readings, a changed period) are counted
    again from the start of the day, from the (point_id, ts) key of their own rows only."""
    tallies = {pk: (period, OnlineCount(slots, readings, None, last)) for pk, period, slots, readings, last in
               OnlineTally.objects.filter(day=day, subject=kind.subject).values_list(
                   "subject_id", "period_seconds", "slots", "readings", "last_slot")}
    recount = set(recount) | {pk for pk, (period, _count) in tallies.items() if period != periods.get(pk, period)}
    base = {pk: count for pk, (_period, count) in tallies.items() if pk not in recount}
    if recount and settled > start:
        again, _after = _online_scan(kind, start, settled, settled, ids=sorted(recount))
        base.update(again)
    before, after = _online_scan(kind, settled, settle_to, end)
    totals: dict[int, OnlineCount] = {}
    changed: dict[int, OnlineCount] = {}
    empty = OnlineCount()
    for pk in base.keys() | before.keys() | after.keys() | recount:
        now_settled = base.get(pk, empty).plus(before.get(pk, empty))
        if pk in before or pk in recount:
            changed[pk] = now_settled
        totals[pk] = now_settled.plus(after.get(pk, empty))
    gone = [pk for pk, count in changed.items() if count.last is None]
    if gone:
        OnlineTally.objects.filter(day=day, subject=kind.subject, subject_id__in=gone).delete()
    from django.db import connection

    on_day = connection.ops.adapt_datefield_value(day)
    _insert_rows(OnlineTally, [("day", "date"), ("subject", "text"), ("subject_id", "int8"), ("period_seconds", "int4"),
                               ("slots", "int4"), ("readings", "int4"), ("last_slot", "int8")],
                 [(on_day, kind.subject, pk, periods[pk], count.slots, count.readings, count.last)
                  for pk, count in changed.items() if count.last is not None and pk in periods],
                 upsert="ON CONFLICT (day, subject, subject_id) DO UPDATE SET period_seconds = excluded.period_seconds, "
                        "slots = excluded.slots, readings = excluded.readings, last_slot = excluded.last_slot")
    return totals


def _insert_rows(model: type, columns: list[tuple[str, str]], rows: list[tuple], upsert: str = "") -> None:
    """Insert many rows in one statement on PostgreSQL (arrays of the given types through unnest), with
    executemany elsewhere: the roll-up writes a row per point, and ORM objects would cost more than the scan."""
    from django.db import connection

    if not rows:
        return
    names = ", ".join(name for name, _type in columns)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {upsert}",
                           [list(column) for column in zip(*rows, strict=True)])
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))}) {upsert}",
                               rows)


def _online_full(kind: _Kind, start: int, end: int) -> dict[int, OnlineCount]:
    """The day's counts from all its rows, without the tallies (the reference the incremental runs match)."""
    before, _after = _online_scan(kind, start, end, end)
    return before


@transaction.atomic
def online_rates_rollup(*, day: date, now_ms: int | None = None, full: bool = False) -> int:
    """Bring the day's online rates of every active point, gateway and enterprise up to date; return the rows
    written.

    Time reporting: a point is online for a reporting period in which it sent at least one reading (so a
    burst does not make up for silence); a gateway for each minute (or period, if longer) in which it
    delivered a message. Time expected: the day so far (all of it, once it is over). An enterprise's rate
    is its points' online time over their expected time together.

    The work is proportional to what arrived since the last run: the periods counted up to a settled time
    are kept per point and gateway (OnlineTally), and each run scans only the readings after that time;
    a point that received a reading older than that is counted again (OnlineRecount). `full=True` counts
    the day from all its readings instead (the same figures, at the cost of the whole day), leaving the
    tallies as they are.
    """
    now_ms = ingest.now_ms() if now_ms is None else now_ms
    start, end = day_bounds_ms(day)
    expected = max(0, (min(end, now_ms) - start) // 1000)
    if not expected:
        return 0
    progress, _created = OnlineProgress.objects.select_for_update().get_or_create(
        day=day, defaults={"settled_until": start})
    points = list(MonitoringPoint._base_manager.values_list("pk", "enterprise_id", "region_id",
                                                            "report_period_seconds", "is_active"))
    gateways = list(Gateway._base_manager.values_list("pk", "enterprise_id", "region_id", "report_period_seconds",
                                                      "is_active"))
    if full:
        point_counts = _online_full(_KINDS[OnlineSubject.POINT], start, end)
        gateway_counts = _online_full(_KINDS[OnlineSubject.GATEWAY], start, end)
    else:
        settled = progress.settled_until
        horizon = now_ms - online_settle_ms() - ONLINE_SAFETY_MS
        settle_to = max(settled, min(end, horizon - horizon % 60_000))
        marks = list(OnlineRecount.objects.filter(day=day).values_list("pk", "point_id"))
        window = {"day": day, "start": start, "settled": settled, "settle_to": settle_to, "end": end}
        point_counts = _online_advance(_KINDS[OnlineSubject.POINT], periods={p[0]: p[3] for p in points},
                                       recount={pk for _mark, pk in marks}, **window)
        gateway_counts = _online_advance(_KINDS[OnlineSubject.GATEWAY], periods={g[0]: max(g[3], 60) for g in gateways},
                                         recount=set(), **window)
        if settle_to != settled:
            progress.settled_until = settle_to
            progress.save(update_fields=["settled_until"])
        ids = [mark for mark, _pk in marks]
        for i in range(0, len(ids), 1000):
            OnlineRecount.objects.filter(pk__in=ids[i:i + 1000]).delete()
    from django.db import connection

    on_day = connection.ops.adapt_datefield_value(day)
    computed_at = connection.ops.adapt_datetimefield_value(_to_datetime(now_ms))
    rows: list[tuple] = []
    totals: dict[int, list] = {}
    empty = OnlineCount()
    for pk, enterprise_id, region_id, period, active in points:
        if not active:
            continue
        count = point_counts.get(pk, empty)
        online = min(expected, count.slots * period)
        rows.append((on_day, OnlineSubject.POINT.value, pk, None, enterprise_id, region_id, expected, online,
                     count.readings, online / expected, computed_at))
        total = totals.setdefault(enterprise_id, [region_id, 0, 0, 0])
        total[1] += online
        total[2] += expected
        total[3] += count.readings
    for enterprise_id, (region_id, online, wanted, count) in totals.items():
        rows.append((on_day, OnlineSubject.ENTERPRISE.value, None, None, enterprise_id, region_id,
                     min(wanted, 2**31 - 1), min(online, 2**31 - 1), min(count, 2**31 - 1), online / wanted,
                     computed_at))
    for pk, enterprise_id, region_id, period, active in gateways:
        if not active:
            continue
        online = min(expected, gateway_counts.get(pk, empty).slots * max(period, 60))
        rows.append((on_day, OnlineSubject.GATEWAY.value, None, pk, enterprise_id, region_id, expected, online, 0,
                     online / expected, computed_at))
    OnlineRate.objects.filter(day=day).delete()
    _insert_rows(OnlineRate, [("day", "date"), ("subject", "text"), ("point_id", "int8"), ("gateway_id", "int8"),
                              ("enterprise_id", "int8"), ("region_id", "text"), ("expected_seconds", "int4"),
                              ("online_seconds", "int4"), ("readings", "int4"), ("rate", "float8"),
                              ("computed_at", "timestamptz")], rows)
    return len(rows)


# -- online patrol (线上巡查) ------------------------------------------------------------------------------

@transaction.atomic
def patrol_create(*, actor: User, day: date, enterprises: list, summary: str = "") -> Patrol:
    """Record an officer's online patrol of the day: the enterprises looked at, each with a snapshot of what
    the platform showed (online rate, points offline, open alarms). Only enterprises in the officer's
    jurisdiction; the patrol belongs to the officer's bureau."""
    from yingji.core.selectors import region_root_for
    from yingji.enterprises.models import Enterprise
    from yingji.monitoring import selectors

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
    from yingji.hazards import services as hazard_services
    from yingji.hazards.models import HazardSource

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
