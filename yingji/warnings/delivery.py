"""Fan-out, sending, 叫应 (acknowledgement) and escalation: the hot paths of a warning, all set-based.

Publishing resolves the recipients with one query over the responsibility lists and queues their messages in
bulk, inside the publishing transaction; `send_queued` hands queued rows to the channel adapters in batches
(rows locked with SKIP LOCKED on PostgreSQL, so several workers share the work); the sweep escalates the
unanswered by the timetable stored with the warning. Every function here is called from services, tasks
or the gateway callbacks, never from a template.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.db import lock_due_rows
from yingji.core.models import Region, StateChange
from yingji.core.scoping import code_prefix_q
from yingji.warnings import bulk
from yingji.warnings.config import config
from yingji.warnings.models import (
    LEVEL_WORDS,
    AckChannel,
    Channel,
    Delivery,
    DeliveryStatus,
    Recipient,
    RecipientStatus,
    ResponsiblePerson,
    Warning,
)
from yingji.warnings.states import RECIPIENT_WORKFLOW

BULK = 5000
STEP_CHANNEL = {"sms": Channel.SMS, "voice": Channel.VOICE}


# -- who is addressed -----------------------------------------------------------------------------------------


def regions_in_polygon(polygon_geojson: dict, within_prefix: str) -> list[str]:
    """Townships and villages under `within_prefix` that the drawn polygon covers.

    A region with a boundary is in when the polygon overlaps it (touching along an edge is not enough); a
    region known only by its centre is in when the centre lies inside. Erring towards inclusion is deliberate:
    a person warned needlessly costs a message, one missed may cost a life.
    """
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    polygon = shape(polygon_geojson)
    prepared = prep(polygon)
    inside = []
    candidates = (Region._base_manager.filter(code_prefix_q("code", within_prefix), level__in=["township", "village"])
                  .values_list("code", "longitude", "latitude", "boundary"))
    for code, lon, lat, boundary in candidates:
        outline = None
        if boundary:
            try:
                outline = shape(boundary)
            except Exception:  # a malformed stored boundary falls back to the centre
                outline = None
        if outline is not None and not outline.is_empty:
            if prepared.intersects(outline) and not polygon.touches(outline):
                inside.append(code)
        elif lon is not None and lat is not None and prepared.contains(Point(lon, lat)):
            inside.append(code)
    return inside


def area_q(warning: Warning, path: str = "region__code") -> Q:
    """Regions in the warning's area: the chosen regions' subtrees, plus the regions the drawn polygon covers."""
    condition = Q(pk__in=[])
    for region in warning.area_regions.all():
        condition |= code_prefix_q(path, region.prefix)
    if warning.area_polygon:
        inside = regions_in_polygon(warning.area_polygon, warning.region.prefix)
        if inside:
            condition |= Q(**{f"{path.rsplit('__', 1)[0]}__in": inside})
    return condition


def resolve_recipients(warning: Warning) -> QuerySet:
    """Every active responsible person of the area (of the chosen roles, if any), plus every active person of the
    chosen organisations within the issuer's jurisdiction. One query; persons are never listed twice."""
    in_area = area_q(warning)
    if warning.target_roles:
        in_area &= Q(role__in=warning.target_roles)
    condition = in_area
    if warning.pk:
        organizations = list(warning.target_organizations.values_list("pk", flat=True))
        if organizations:
            condition |= Q(organization_id__in=organizations) & code_prefix_q("region__code", warning.region.prefix)
    return ResponsiblePerson._base_manager.filter(condition, active=True)


def message_text(warning: Warning, reply_code: str = "", token: str = "") -> str:
    base = config("WARNING_CALLBACK_BASE_URL")
    text = _("【%(level)s预警】%(headline)s。%(instructions)s") % {
        "level": LEVEL_WORDS.get(warning.level, ""), "headline": warning.headline,
        "instructions": warning.instructions[:80]}
    if reply_code:
        text += _("请回复%(code)s确认收到") % {"code": reply_code}
    if token:
        text += _("，或点击 %(url)s") % {"url": f"{base}/warnings/ack/{token}/"}
    return text


def reply_code_of(warning: Warning) -> str:
    """One code per warning: a person who answers SMS is found by phone number and this code."""
    return f"{warning.pk % 10000:04d}"


TOKEN_MARK = "\x00"
RECIPIENT_FIELDS = ("warning", "person", "region", "township", "name", "phone", "role", "status", "token",
                    "reply_code", "step", "next_step_at", "superior_called_at", "created_at", "acknowledged_at",
                    "ack_channel", "people_transferred", "places_closed", "measures", "measures_at")
DELIVERY_COLUMNS = ("warning", "recipient", "region", "channel", "to_superior", "to_name", "to_address", "text",
                    "status", "reason", "external_id", "created_at", "sent_at", "delivered_at")


def _delivery_columns() -> str:
    return ", ".join(bulk.column(Delivery, name) for name in DELIVERY_COLUMNS)


def _text_around_token(warning: Warning, code: str) -> tuple[str, str]:
    """The personal message is the same text for everyone but the token in the link: (before, after) it."""
    before, after = message_text(warning, code, TOKEN_MARK).split(TOKEN_MARK)
    return before, after


def fan_out(warning: Warning) -> int:
    """Create the recipients and their first messages. Call inside the publishing transaction.

    One read of the responsibility lists, the recipients streamed in (COPY on PostgreSQL), then each channel's
    messages written by one INSERT … SELECT from the recipients: no model instance per person.
    """
    now = timezone.now()
    timetable = warning.escalation or []
    first_step = now + timedelta(minutes=timetable[0]["after_minutes"]) if timetable else None
    code = reply_code_of(warning)
    # Read before COPY starts: a connection cannot run a query while it streams a COPY.
    people = list(resolve_recipients(warning).values_list("pk", "region_id", "region__parent_id", "region__level",
                                                           "name", "phone", "role"))

    def rows():
        for pk, region_id, parent_id, level, name, phone, role in people:
            yield (warning.pk, pk, region_id, region_id if level == "township" else parent_id, name, phone, role,
                   RecipientStatus.PENDING, secrets.token_urlsafe(18)[:24], code, 0, first_step, None, now, None,
                   "", None, None, "", None)

    created = bulk.insert_rows(Recipient, RECIPIENT_FIELDS, rows())
    r, p = bulk.table(Recipient), bulk.table(ResponsiblePerson)
    before, after = _text_around_token(warning, code)
    text = "CAST(%s AS TEXT) || r.token || CAST(%s AS TEXT)"
    bulk.execute(
        f"INSERT INTO {bulk.table(Delivery)} ({_delivery_columns()}) "
        f"SELECT r.warning_id, r.id, r.region_id, %s, %s, r.name, r.phone, {text}, %s, '', '', %s, NULL, NULL "
        f"FROM {r} r WHERE r.warning_id = %s ORDER BY r.id",
        [Channel.SMS, False, before, after, DeliveryStatus.QUEUED, bulk.when(now), warning.pk])
    bulk.execute(
        f"INSERT INTO {bulk.table(Delivery)} ({_delivery_columns()}) "
        f"SELECT r.warning_id, r.id, r.region_id, %s, %s, r.name, 'user:' || CAST(p.user_id AS TEXT), {text}, %s, "
        f"'', '', %s, NULL, NULL FROM {r} r JOIN {p} p ON p.id = r.person_id "
        f"WHERE r.warning_id = %s AND p.user_id IS NOT NULL ORDER BY r.id",
        [Channel.IN_APP, False, before, after, DeliveryStatus.QUEUED, bulk.when(now), warning.pk])
    broadcast = [Delivery(warning=warning, region=region, channel=Channel.BROADCAST, to_name=region.name,
                          to_address=region.code, text=message_text(warning), created_at=now)
                 for region in warning.area_regions.all()]
    Delivery.objects.bulk_create(broadcast)
    return created


def schedule_fan_out(warning: Warning) -> None:
    """Queue every message of a just-published warning, and hand them to the channels after commit."""
    fan_out(warning)
    transaction.on_commit(kick_sender)


def kick_sender() -> None:
    """Ask a worker to send now; if no worker is reachable the next sweep sends them anyway."""
    from yingji.warnings.tasks import send_deliveries

    try:
        send_deliveries.delay()
    except Exception:  # a broker outage must not fail the request that published the warning
        pass


# -- sending -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """What a channel adapter needs of one queued message (the hot path reads no model instances)."""

    pk: int
    warning_id: int
    channel: str
    to_address: str
    text: str


SEND_STAGE = "warnings_send_stage"


def send_queued(limit: int = 20000) -> int:
    """Hand up to `limit` queued messages to their channels and record what each channel answered.

    The rows are locked with SKIP LOCKED on PostgreSQL, so several workers share the queue; the answers are
    written back by one UPDATE … FROM a scratch table filled by COPY.
    """
    from yingji.warnings.channels import adapters

    with transaction.atomic():
        queued = [Outgoing(*row) for row in lock_due_rows(
            Delivery._base_manager.filter(status=DeliveryStatus.QUEUED).order_by("id")[:limit]
        ).values_list("id", "warning_id", "channel", "to_address", "text")]
        if not queued:
            return 0
        by_channel: dict[str, list[Outgoing]] = defaultdict(list)
        for delivery in queued:
            by_channel[delivery.channel].append(delivery)
        results = []
        for channel, rows in by_channel.items():
            results += [(r.delivery_id, r.status, r.reason[:200], r.external_id[:64])
                        for r in adapters()[channel].send(rows)]
        now = bulk.when(timezone.now())
        bulk.fill_stage(SEND_STAGE, "id bigint, status varchar(10), reason varchar(200), external_id varchar(64)",
                        results)
        d = bulk.table(Delivery)
        bulk.execute(
            f"UPDATE {d} SET status = s.status, reason = s.reason, external_id = s.external_id, sent_at = %s, "
            f"delivered_at = CASE WHEN s.status = %s THEN %s ELSE NULL END "
            f"FROM {SEND_STAGE} s WHERE {d}.id = s.id",
            [now, DeliveryStatus.DELIVERED, now])
    return len(queued)


def record_delivery_reports(reports: list[dict]) -> int:
    """A gateway's delivery reports: [{"id": delivery id, "status": "delivered"|"failed", "reason"}]."""
    now = timezone.now()
    done = 0
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for report in reports:
        status = report.get("status")
        if status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED) and str(report.get("id", "")).isdigit():
            groups[(status, str(report.get("reason", ""))[:200])].append(int(report["id"]))
    with transaction.atomic():
        for (status, reason), ids in groups.items():
            changes = {"status": status, "reason": reason}
            if status == DeliveryStatus.DELIVERED:
                changes["delivered_at"] = now
            done += Delivery.objects.filter(pk__in=ids).exclude(status=status).update(**changes)
    return done


# -- 叫应 -----------------------------------------------------------------------------------------------------


def record_steps(rows: list[tuple[int, str]], *, action: str, label: str, source: str, target: str, at: datetime,
                 actor_id: int | None = None, reason: str = "", data: dict | None = None) -> None:
    """The recipients' timeline: one StateChange row per (recipient id, region) moved by a set-based step."""
    if not rows:
        return
    subject_type = ContentType.objects.get_for_model(Recipient).pk
    bulk.insert_rows(StateChange, STATE_CHANGE_FIELDS, (
        (subject_type, str(pk), region_id, None, action, label, source, target, actor_id, at, reason, data or {})
        for pk, region_id in rows))


STATE_CHANGE_FIELDS = ("subject_type", "subject_id", "region", "enterprise", "action", "action_label", "from_state",
                       "to_state", "actor", "at", "reason", "data")


def _acknowledge_sql(where: str) -> str:
    r = bulk.table(Recipient)
    return (f"UPDATE {r} SET status = %s, acknowledged_at = %s, ack_channel = %s, next_step_at = NULL "
            f"WHERE status = %s AND {where} RETURNING id, region_id")


def acknowledge(recipient: Recipient, *, channel: str, at: datetime | None = None,
                actor_id: int | None = None) -> Recipient:
    """Record one person's answer; answering twice changes nothing. Call inside a transaction.

    One UPDATE guarded by the source state of RECIPIENT_WORKFLOW (two answers at once cannot both win) and one
    INSERT of the timeline row: no full save, no copy of the whole row into the history table.
    """
    now = at or timezone.now()
    RECIPIENT_WORKFLOW.check(Recipient(status=RecipientStatus.PENDING), "acknowledge", None)
    with connection.cursor() as cursor:
        cursor.execute(_acknowledge_sql("id = %s"), [RecipientStatus.ACKNOWLEDGED, bulk.when(now), channel,
                                                      RecipientStatus.PENDING, recipient.pk])
        moved = cursor.fetchall()
        if not moved:
            return Recipient._base_manager.get(pk=recipient.pk)
        # One plain INSERT: COPY's setup costs more than it saves for a single row.
        columns = ", ".join(bulk.column(StateChange, name) for name in STATE_CHANGE_FIELDS)
        cursor.execute(
            f"INSERT INTO {bulk.table(StateChange)} ({columns}) "
            f"VALUES (%s, %s, %s, NULL, %s, %s, %s, %s, %s, %s, '', {bulk.json_param()})",
            [ContentType.objects.get_for_model(Recipient).pk, str(recipient.pk), moved[0][1], "acknowledge",
             ack_label(channel), RecipientStatus.PENDING, RecipientStatus.ACKNOWLEDGED, actor_id, bulk.when(now),
             json.dumps({"channel": channel})])
    recipient.status, recipient.acknowledged_at = RecipientStatus.ACKNOWLEDGED, now
    recipient.ack_channel, recipient.next_step_at = channel, None
    return recipient


def ack_label(channel: str) -> str:
    return _("应答（%(channel)s）") % {"channel": AckChannel(channel).label}


def acknowledge_many(answers: list[tuple[str, str]], *, channel: str = Channel.SMS) -> int:
    """SMS replies in bulk, as a gateway delivers them: (phone, text) pairs; the text carries the reply code.

    One UPDATE … RETURNING per batch and the timeline rows in one COPY.
    """
    now = timezone.now()
    phones_by_code: dict[str, set[str]] = defaultdict(set)
    for phone, text in answers:
        code = "".join(ch for ch in text if ch.isdigit())[:6]
        if phone and code:
            phones_by_code[code].add(phone)
    moved: list[tuple[int, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for code, phones in phones_by_code.items():
            ordered = sorted(phones)
            for start in range(0, len(ordered), 2000):
                chunk = ordered[start:start + 2000]
                where = f"reply_code = %s AND phone IN ({', '.join(['%s'] * len(chunk))})"
                cursor.execute(_acknowledge_sql(where), [RecipientStatus.ACKNOWLEDGED, bulk.when(now), channel,
                                                         RecipientStatus.PENDING, code, *chunk])
                moved += cursor.fetchall()
        record_steps(moved, action="acknowledge", label=ack_label(channel), source=RecipientStatus.PENDING,
                     target=RecipientStatus.ACKNOWLEDGED, at=now, data={"channel": channel})
    return len(moved)


# -- escalation ----------------------------------------------------------------------------------------------

ESCALATION_STAGE = "warnings_escalation_stage"


def escalate_due(limit: int = 50000) -> int:
    """The unanswered whose deadline has passed move one step down their warning's timetable.

    A step is a new message on another channel (sms/voice) or a message to the person's superior. The due rows
    are locked (SKIP LOCKED on PostgreSQL) and their ids staged; then per (warning, step) group one INSERT …
    SELECT writes the messages, one UPDATE moves the rows (all of a warning were addressed at the same moment,
    so a group shares its next deadline), and one INSERT … SELECT writes each person's timeline row.
    """
    now = timezone.now()
    with transaction.atomic():
        due = list(lock_due_rows(
            Recipient._base_manager.filter(status=RecipientStatus.PENDING, next_step_at__lte=now)
            .order_by("next_step_at", "id")[:limit]
        ).values_list("id", "warning_id", "step"))
        if not due:
            return 0
        bulk.fill_stage(ESCALATION_STAGE, "id bigint, warning_id bigint, step integer", due)
        groups = sorted({(warning_id, step) for _pk, warning_id, step in due})
        warnings = Warning._base_manager.in_bulk({warning_id for warning_id, _step in groups})
        queued = False
        for warning_id, step in groups:
            queued |= _escalate_group(warnings[warning_id], step, now)
        if queued:
            transaction.on_commit(kick_sender)
    return len(due)


def _escalate_group(warning: Warning, step: int, now: datetime) -> bool:
    """One step for the staged recipients of one warning at one step; True if messages were queued."""
    from yingji.warnings.escalation import STEPS

    r, p, d = bulk.table(Recipient), bulk.table(ResponsiblePerson), bulk.table(Delivery)
    stage = f"(SELECT id FROM {ESCALATION_STAGE} WHERE warning_id = %s AND step = %s)"
    group = [warning.pk, step]
    timetable = warning.escalation or []
    action = timetable[step]["step"] if step < len(timetable) else None
    queued = 0
    at = bulk.when(now)
    if action in STEP_CHANNEL:
        before, after = _text_around_token(warning, reply_code_of(warning))
        queued = bulk.execute(
            f"INSERT INTO {d} ({_delivery_columns()}) "
            f"SELECT r.warning_id, r.id, r.region_id, %s, %s, r.name, r.phone, "
            f"CAST(%s AS TEXT) || r.token || CAST(%s AS TEXT), %s, '', '', %s, NULL, NULL "
            f"FROM {r} r WHERE r.id IN {stage} ORDER BY r.id",
            [STEP_CHANNEL[action], False, before, after, DeliveryStatus.QUEUED, at, *group])
    elif action == "superior":
        before, between, after = (_("【叫应提醒】%(name)s（%(phone)s）未应答预警：%(headline)s，请督促落实。") % {
            "name": TOKEN_MARK, "phone": TOKEN_MARK, "headline": warning.headline}).split(TOKEN_MARK)
        text = "CAST(%s AS TEXT) || r.name || CAST(%s AS TEXT) || r.phone || CAST(%s AS TEXT)"
        superior = (f"FROM {r} r JOIN {p} p ON p.id = r.person_id JOIN {p} s ON s.id = p.superior_id "
                    f"WHERE r.id IN {stage}")
        queued = bulk.execute(
            f"INSERT INTO {d} ({_delivery_columns()}) "
            f"SELECT r.warning_id, r.id, r.region_id, %s, %s, s.name, s.phone, {text}, %s, '', '', %s, NULL, NULL "
            f"{superior} ORDER BY r.id",
            [Channel.SMS, True, before, between, after, DeliveryStatus.QUEUED, at, *group])
        queued += bulk.execute(
            f"INSERT INTO {d} ({_delivery_columns()}) "
            f"SELECT r.warning_id, r.id, r.region_id, %s, %s, s.name, 'user:' || CAST(s.user_id AS TEXT), {text}, "
            f"%s, '', '', %s, NULL, NULL {superior} AND s.user_id IS NOT NULL ORDER BY r.id",
            [Channel.IN_APP, True, before, between, after, DeliveryStatus.QUEUED, at, *group])
        bulk.execute(f"UPDATE {r} SET superior_called_at = %s WHERE id IN (SELECT r.id {superior})",
                     [at, *group])
    created = next(iter(Recipient._base_manager.filter(pk__in=RawSQL(stage, group)).order_by()
                        .values_list("created_at", flat=True)[:1]), None)
    following = (created + timedelta(minutes=timetable[step + 1]["after_minutes"])
                 if step + 1 < len(timetable) and created else None)
    moved = bulk.execute(f"UPDATE {r} SET step = step + 1, next_step_at = %s WHERE id IN {stage}",
                         [bulk.when(following), *group])
    label = _("叫应升级：%(step)s") % {"step": STEPS.get(action, _("时间表已执行完毕"))}
    reason = _("发出后 %(minutes)s 分钟仍未应答") % {"minutes": timetable[step]["after_minutes"]} if action else ""
    state_change = bulk.table(StateChange)
    columns = ", ".join(bulk.column(StateChange, name) for name in STATE_CHANGE_FIELDS)
    bulk.execute(
        f"INSERT INTO {state_change} ({columns}) "
        f"SELECT %s, CAST(r.id AS TEXT), r.region_id, NULL, %s, %s, %s, %s, NULL, %s, %s, {bulk.json_param()} "
        f"FROM {r} r WHERE r.id IN {stage}",
        [ContentType.objects.get_for_model(Recipient).pk, "escalate", label, RecipientStatus.PENDING,
         RecipientStatus.PENDING, at, reason, json.dumps({"step": step + 1, "action": action}), *group])
    StateChange.objects.create(
        subject_type=ContentType.objects.get_for_model(Warning), subject_id=str(warning.pk),
        region_id=warning.region_id, action="escalate", action_label=label, from_state=warning.status,
        to_state=warning.status, at=now, data={"step": step + 1, "action": action, "recipients": moved},
        reason=_("%(count)s 人%(reason)s，已升级") % {"count": moved, "reason": reason})
    return bool(queued)
