"""Every write to the monitoring app goes through here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
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


def readings_ingest_many(*, messages: list[IngestMessage], points: PointTable,
                         now: int | None = None) -> list[IngestResult]:
    """Several gateway messages in one transaction (one COPY, one upsert, one commit), each with its own result.

    The MQTT worker hands over whatever arrived together, so a busy stream costs one commit per batch,
    not one per message.
    """
    now = ingest.now_ms() if now is None else now
    results = []
    rows: list[tuple[int, int, float]] = []
    owners: list[tuple[IngestResult, set[tuple[int, int]]]] = []
    seen: set[tuple[int, int]] = set()
    for message in messages:
        batch = ingest.parse(message.body, enterprise_id=message.enterprise_id, points=points,
                             gateway_code=message.gateway_code, now=now)
        result = IngestResult(received=batch.received, rejected=batch.rejected, error=batch.error,
                              message_id=batch.message_id)
        results.append(result)
        keys = set()
        for row in batch.rows:
            key = (row[0], row[1])
            keys.add(key)
            if key not in seen:  # the same reading in two messages of one batch is stored once
                seen.add(key)
                rows.append(row)
        owners.append((result, keys))
        result.duplicates = len(batch.rows)
    gateways = {m.gateway_id for m, r in zip(messages, results, strict=True) if not r.error}
    with transaction.atomic():
        new_rows = ingest.store(rows, received_at=now)
        if gateways:
            Gateway._base_manager.filter(pk__in=gateways).update(last_seen_at=datetime.fromtimestamp(now / 1000, tz=UTC))
        for hook in INGEST_HOOKS:
            hook(new_rows, points, now, gateways)
    new_keys = {(p, t) for p, t, _v in new_rows}
    for result, keys in owners:
        fresh = keys & new_keys
        new_keys -= fresh
        result.accepted = len(fresh)
        result.duplicates -= len(fresh)
        result.new_rows = [r for r in new_rows if (r[0], r[1]) in fresh] if len(messages) == 1 else []
    return results


# Called inside the ingest transaction with the new readings (oldest first), the point table, the time and
# the ids of the gateways heard from; the alarm engine registers itself here (apps.py).
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
    return alarm


def _more_extreme(kind: str, value: float, peak: float) -> bool:
    return value < peak if kind == AlarmKind.LOW else value > peak


def alarm_track(*, point_id: int, kind: str, value: float) -> None:
    """Record a new peak of an open alarm (called by the engine only when the value is more extreme)."""
    alarm = Alarm._base_manager.filter(point_id=point_id, kind=kind).exclude(status=AlarmStatus.CLOSED).first()
    if alarm is not None and (alarm.peak_value is None or _more_extreme(kind, value, alarm.peak_value)):
        Alarm._base_manager.filter(pk=alarm.pk).update(peak_value=value, last_value=value)


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
    return alarm


@transaction.atomic
def alarm_acknowledge(*, alarm: Alarm, actor: User | None) -> Alarm:
    """确认报警: stops the escalation."""
    return transition(alarm, workflow=WORKFLOW, action="acknowledge", actor=actor,
                      changes={"acknowledged_at": timezone.now(), "acknowledged_by": actor,
                               "next_escalation_at": None})


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
    return changed


@transaction.atomic
def alarm_close(*, alarm: Alarm, actor: User | None, reason: str = "") -> Alarm:
    """消警: only once the value is back to normal and the disposal is recorded."""
    return transition(alarm, workflow=WORKFLOW, action="close", actor=actor, reason=reason,
                      changes={"closed_at": timezone.now(), "next_escalation_at": None})


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
    return 1
