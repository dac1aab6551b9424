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
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import bulk, outbox
from yingji.core.db import lock_due_rows
from yingji.core.models import Region, StateChange
from yingji.core.scoping import code_prefix_q
from yingji.core.workflow import guard_sql, record_moves, target_of, timeline_insert_sql, transition_many
from yingji.warnings import links
from yingji.warnings.channels import adapters
from yingji.warnings.config import config
from yingji.warnings.escalation import STEPS
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
    WarningStatus,
)
from yingji.warnings.states import DELIVERY_ACTION, DELIVERY_WORKFLOW, RECIPIENT_WORKFLOW

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


def message_text(warning: Warning, reply_code: str = "", link_key: str = "") -> str:
    """The message to a person; with `link_key`, their answer link (stored with the key hidden, see `links`)."""
    base = config("WARNING_CALLBACK_BASE_URL")
    text = _("【%(level)s预警】%(headline)s。%(instructions)s") % {
        "level": LEVEL_WORDS.get(warning.level, ""), "headline": warning.headline,
        "instructions": warning.instructions[:80]}
    if reply_code:
        text += _("请回复%(code)s确认收到") % {"code": reply_code}
    if link_key:
        text += _("，或点击 %(url)s") % {"url": f"{base}{links.PATH}{link_key}/"}
    return text


def reply_code_of(warning: Warning) -> str:
    """The code an SMS reply carries; assigned at publication, unique among the warnings open for answers."""
    return warning.reply_code


REPLY_CODES = range(1, 10000)


def assign_reply_code(warning: Warning) -> str:
    """The smallest 4-digit code no other published warning holds. Call inside the publishing transaction.

    Publications take turns here (an advisory lock on PostgreSQL, held to commit; SQLite has one writer), so
    two signers cannot both take the same free code; the partial unique constraint on published warnings'
    codes is the database's proof.
    """
    if bulk.is_postgresql():
        bulk.execute("SELECT pg_advisory_xact_lock(%s)", [REPLY_CODE_LOCK])
    taken = set(Warning._base_manager.filter(status=WarningStatus.PUBLISHED).exclude(pk=warning.pk)
                .values_list("reply_code", flat=True))
    for number in REPLY_CODES:
        code = f"{number:04d}"
        if code not in taken:
            return code
    raise ValidationError(_("已发布的预警过多，短信回复码已用尽；请先解除或等待部分预警失效。"))


# Any fixed 64-bit number, the same in every process: the key of the reply-code lock.
REPLY_CODE_LOCK = 7_202_612_020


TOKEN_MARK = "\x00"
RECIPIENT_FIELDS = ("warning", "person", "region", "township", "name", "phone", "role", "status", "token",
                    "reply_code", "step", "next_step_at", "superior_called_at", "created_at", "acknowledged_at",
                    "ack_channel", "people_transferred", "places_closed", "measures", "measures_at")
DELIVERY_COLUMNS = ("warning", "recipient", "region", "channel", "to_superior", "to_name", "to_address", "text",
                    "status", "reason", "external_id", "created_at", "sent_at", "delivered_at")


def _delivery_columns() -> str:
    return ", ".join(bulk.column(Delivery, name) for name in DELIVERY_COLUMNS)


def _text_around_token(warning: Warning, code: str) -> tuple[str, str]:
    """The personal message is the same text for everyone but the link's key, stored hidden (written in SQL
    by `links.hidden_key_sql`, made whole by `links.reveal` only when sent): (before, after) it."""
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
    text = f"CAST(%s AS TEXT) || {links.hidden_key_sql('r')} || CAST(%s AS TEXT)"
    bulk.execute(
        f"INSERT INTO {bulk.table(Delivery)} ({_delivery_columns()}) "
        f"SELECT r.warning_id, r.id, r.region_id, %s, %s, r.name, r.phone, {text}, %s, '', '', %s, NULL, NULL "
        f"FROM {r} r WHERE r.warning_id = %s ORDER BY r.id",
        [Channel.SMS, False, before, after, DeliveryStatus.QUEUED, bulk.when(now), warning.pk])
    # In the app the person answers with the button on 我的叫应: the in-app message (a notification row)
    # carries no link at all.
    bulk.execute(
        f"INSERT INTO {bulk.table(Delivery)} ({_delivery_columns()}) "
        f"SELECT r.warning_id, r.id, r.region_id, %s, %s, r.name, 'user:' || CAST(p.user_id AS TEXT), %s, %s, "
        f"'', '', %s, NULL, NULL FROM {r} r JOIN {p} p ON p.id = r.person_id "
        f"WHERE r.warning_id = %s AND p.user_id IS NOT NULL ORDER BY r.id",
        [Channel.IN_APP, False, message_text(warning, code), DeliveryStatus.QUEUED, bulk.when(now), warning.pk])
    broadcast = [Delivery(warning=warning, region=region, channel=Channel.BROADCAST, to_name=region.name,
                          to_address=region.code, text=message_text(warning), created_at=now)
                 for region in warning.area_regions.all()]
    Delivery.objects.bulk_create(broadcast)
    return created


def schedule_fan_out(warning: Warning) -> None:
    """Queue every message of a just-published warning, and hand them to the channels after commit."""
    fan_out(warning)
    outbox.emit("warnings.send_deliveries")


# -- sending -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """What a channel adapter needs of one queued message (the hot path reads no model instances)."""

    pk: int
    warning_id: int
    channel: str
    to_address: str
    text: str


# The channels of a person's own message that carries their answer link.
LINK_CHANNELS = (Channel.SMS, Channel.VOICE)


def _with_links(queued: list[tuple]) -> list[Outgoing]:
    """The queued rows as sent: the hidden answer link of a person's own SMS or call made whole with their
    token (read here, never stored in the text), so the link exists only on the way to that person."""
    personal = {row[5] for row in queued if row[2] in LINK_CHANNELS and not row[6] and row[5] is not None
                and links.PATH in row[4]}
    tokens: dict[int, str] = {}
    ordered = sorted(personal)
    for start in range(0, len(ordered), BULK):
        tokens.update(Recipient._base_manager.filter(pk__in=ordered[start:start + BULK]).values_list("pk", "token"))
    return [Outgoing(pk, warning_id, channel, to_address,
                     links.reveal(text, recipient_id, tokens[recipient_id]) if recipient_id in tokens else text)
            for pk, warning_id, channel, to_address, text, recipient_id, _to_superior in queued]


SEND_STAGE = "warnings_send_stage"


def send_queued(limit: int = 20000) -> int:
    """Hand up to `limit` queued messages to their channels and record what each channel answered.

    The rows are locked with SKIP LOCKED on PostgreSQL, so several workers share the queue; the answers are
    written back by one UPDATE … FROM a scratch table filled by COPY.
    """
    with transaction.atomic():
        queued = _with_links(list(lock_due_rows(
            Delivery._base_manager.filter(status=DeliveryStatus.QUEUED).order_by("id")[:limit]
        ).values_list("id", "warning_id", "channel", "to_address", "text", "recipient_id", "to_superior")))
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
        # An answer the table does not know is a failure of that message, with the answer as its reason.
        results = [(pk, status, reason, external_id) if status in DELIVERY_ACTION
                   else (pk, DeliveryStatus.FAILED, _("通道返回未知状态：%(status)s") % {"status": status}, external_id)
                   for pk, status, reason, external_id in results]
        bulk.fill_stage(SEND_STAGE, "id bigint, status varchar(10), reason varchar(200), external_id varchar(64)",
                        results)
        d = bulk.table(Delivery)
        for status in sorted({status for _pk, status, _reason, _external_id in results}):
            action = DELIVERY_ACTION[status]
            guard, sources = guard_sql(DELIVERY_WORKFLOW, action, f"{d}.status")
            bulk.execute(
                f"UPDATE {d} SET status = %s, reason = s.reason, external_id = s.external_id, sent_at = %s, "
                f"delivered_at = %s FROM {SEND_STAGE} s WHERE {d}.id = s.id AND s.status = %s AND {guard}",
                [target_of(DELIVERY_WORKFLOW, action), now, now if status == DeliveryStatus.DELIVERED else None,
                 status, *sources])
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
            changes = {"reason": reason, **({"delivered_at": now} if status == DeliveryStatus.DELIVERED else {})}
            done += transition_many(Delivery._base_manager.filter(pk__in=ids), workflow=DELIVERY_WORKFLOW,
                                    action=DELIVERY_ACTION[status], changes=changes, timeline=False)
    return done


# -- 叫应 -----------------------------------------------------------------------------------------------------


def _acknowledge_sql(where: str, source: str = "") -> tuple[str, list[str]]:
    """The UPDATE that moves answered recipients, guarded by the sources of "acknowledge" in RECIPIENT_WORKFLOW;
    its parameters are the target, the answer's time and channel, the guard's states, then `where`'s."""
    r = bulk.table(Recipient)
    guard, sources = guard_sql(RECIPIENT_WORKFLOW, "acknowledge", f"{r}.status")
    return (f"UPDATE {r} SET status = %s, acknowledged_at = %s, ack_channel = %s, next_step_at = NULL {source}"
            f"WHERE {guard} AND {where} RETURNING {r}.id, {r}.region_id"), sources


def acknowledge(recipient: Recipient, *, channel: str, at: datetime | None = None,
                actor_id: int | None = None, token: str | None = None) -> Recipient | None:
    """Record one person's answer; answering twice changes nothing.

    One UPDATE guarded by the source state of RECIPIENT_WORKFLOW (two answers at once cannot both win) and one
    INSERT of the timeline row: no full save, no copy of the whole row into the history table. Atomic by itself:
    on PostgreSQL both are one statement, so outside a transaction it needs no BEGIN and COMMIT round trips; on
    SQLite the two statements run in a transaction. The commit is durable like any other: answers arriving
    together share the disk flush (group commit), which is what lets many answers a second be recorded.

    With `token` (PostgreSQL only: the answer link), the row moves only if its token is that one, and None is
    returned when nothing moved: the link is then looked at again by the caller. The tokens are compared as their
    SHA-256 digests, so the comparison's time tells nothing about the token (as `hmac.compare_digest` would not).
    """
    now = at or timezone.now()
    r = bulk.table(Recipient)
    where = f"{r}.id = %s"
    if token is not None:
        if not bulk.is_postgresql():
            raise ValueError("acknowledge(token=…) is for PostgreSQL; look the link up with recipient_by_link")
        where += f" AND sha256(convert_to({r}.token, 'UTF8')) = sha256(convert_to(%s, 'UTF8'))"
    update, sources = _acknowledge_sql(where)
    target = target_of(RECIPIENT_WORKFLOW, "acknowledge")
    update_params = [target, bulk.when(now), channel, *sources, recipient.pk, *([token] if token is not None else [])]
    # The timeline row comes from the moved row itself, so it exists exactly when the answer was taken.
    insert = timeline_insert_sql(f"SELECT %s, CAST(moved.id AS TEXT), moved.region_id, NULL, %s, %s, %s, %s, %s, %s, "
                                 f"'', {bulk.json_param()} FROM moved")
    insert_params = [ContentType.objects.get_for_model(Recipient).pk, "acknowledge", ack_label(channel),
                     sources[0], target, actor_id, bulk.when(now), json.dumps({"channel": channel})]
    with connection.cursor() as cursor:
        if bulk.is_postgresql():
            # One round trip: on a busy server each costs about as much as the writes.
            cursor.execute(f"WITH moved AS ({update}), logged AS ({insert}) SELECT moved.id FROM moved",
                           update_params + insert_params)
            moved = cursor.fetchall()
        else:
            with transaction.atomic():
                cursor.execute(update, update_params)
                moved = cursor.fetchall()
                if moved:
                    cursor.execute(f"WITH moved(id, region_id) AS (VALUES (%s, %s)) {insert}",
                                   [*moved[0], *insert_params])
    if not moved:
        return None if token is not None else Recipient._base_manager.get(pk=recipient.pk)
    recipient.status, recipient.acknowledged_at = target, now
    recipient.ack_channel, recipient.next_step_at = channel, None
    return recipient


def reply_code_in(text: str) -> str:
    """The reply code in an SMS answer: its digits (people add words such as 收到)."""
    return "".join(ch for ch in text if ch.isdigit())[:6]


def ack_label(channel: str) -> str:
    return _("应答（%(channel)s）") % {"channel": AckChannel(channel).label}


def acknowledge_many(answers: list[tuple[str, str]], *, channel: str = Channel.SMS) -> int:
    """SMS replies in bulk, as a gateway delivers them: (phone, text) pairs; the text carries the reply code.

    The code names one published warning (`assign_reply_code`); its recipients are found through the
    person's unique phone and the (warning, person) constraint, and must still have that phone (the number
    the message went to). One UPDATE … RETURNING per warning and batch, the timeline rows in one COPY.
    """
    now = timezone.now()
    phones_by_code: dict[str, set[str]] = defaultdict(set)
    for phone, text in answers:
        code = reply_code_in(text)
        if phone and code:
            phones_by_code[code].add(phone)
    warning_of = dict(Warning._base_manager.filter(status=WarningStatus.PUBLISHED, reply_code__in=phones_by_code)
                      .values_list("reply_code", "pk"))
    r, p = bulk.table(Recipient), bulk.table(ResponsiblePerson)
    moved: list[tuple[int, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for code, warning_id in warning_of.items():
            ordered = sorted(phones_by_code[code])
            for start in range(0, len(ordered), 2000):
                chunk = ordered[start:start + 2000]
                where = (f"{r}.warning_id = %s AND p.id = {r}.person_id AND {r}.phone = p.phone "
                         f"AND p.phone IN ({', '.join(['%s'] * len(chunk))})")
                update, sources = _acknowledge_sql(where, f"FROM {p} p ")
                cursor.execute(update, [target_of(RECIPIENT_WORKFLOW, "acknowledge"), bulk.when(now), channel,
                                        *sources, warning_id, *chunk])
                moved += cursor.fetchall()
        record_moves(Recipient, moved, workflow=RECIPIENT_WORKFLOW, action="acknowledge", label=ack_label(channel),
                     at=now, data={"channel": channel})
    return len(moved)


# -- escalation ----------------------------------------------------------------------------------------------

ESCALATION_STAGE = "warnings_escalation_stage"
STAGE_COLUMNS = ("id bigint, warning_id bigint, step integer, region_id varchar(12), name varchar(50), "
                 "phone varchar(11), person_id bigint")
ESCALATION_PLAN = "warnings_escalation_plan"
PLAN_COLUMNS = ("warning_id bigint, step integer, action varchar(10), channel varchar(10), part1 text, part2 text, "
                "part3 text, label text, reason text, data text")


def _claim_sql(limit: int) -> str:
    """Claim and move the due rows in one write: the deadline of the next step and the superior's call time
    are computed in SQL from each warning's timetable, so nothing is looked up per group and no row is
    written twice. The due rows are locked with SKIP LOCKED (PostgreSQL), so concurrent sweeps take disjoint rows."""
    r, w, p = bulk.table(Recipient), bulk.table(Warning), bulk.table(ResponsiblePerson)
    timetable = f"w.{bulk.column(Warning, 'escalation')}"
    action = bulk.json_list_item(timetable, f"{r}.step", "step")
    following = bulk.json_list_item(timetable, f"{r}.step + 1", "after_minutes")
    # The due rows are chosen in a WITH, which PostgreSQL runs exactly once: as an IN (subquery) the planner
    # may rescan it, and each rescan would skip the rows just locked and claim more than `limit`.
    due, _sources = guard_sql(RECIPIENT_WORKFLOW, "escalate", "status")
    guard, _sources = guard_sql(RECIPIENT_WORKFLOW, "escalate", f"{r}.status")
    return (
        f"WITH due AS (SELECT id FROM {r} WHERE {due} AND next_step_at IS NOT NULL AND next_step_at <= %s "
        f"ORDER BY next_step_at LIMIT {int(limit)}{bulk.skip_locked()}) "
        f"UPDATE {r} SET step = {r}.step + 1, next_step_at = {bulk.plus_minutes(f'{r}.created_at', following)}, "
        f"superior_called_at = CASE WHEN {action} = 'superior' AND p.superior_id IS NOT NULL THEN %s "
        f"ELSE {r}.superior_called_at END "
        f"FROM due, {w} w, {p} p WHERE {r}.id = due.id AND w.id = {r}.warning_id AND p.id = {r}.person_id "
        f"AND {guard} "
        f"RETURNING {r}.id, {r}.warning_id, {r}.step - 1, {r}.region_id, {r}.name, {r}.phone, {r}.person_id")


def escalate_due(limit: int = 50000) -> int:
    """The unanswered whose deadline has passed move one step down their warning's timetable.

    A step is a new message on another channel (sms/voice) or a message to the person's superior. One
    UPDATE … RETURNING claims and moves the due rows into a scratch table; then, for all (warning, step) groups
    at once (a small plan table holds each group's texts), one INSERT … SELECT per kind writes the messages and
    one the person's timeline rows, and one summary row per group goes on the warning's timeline.
    """
    now = timezone.now()
    at = bulk.when(now)
    with transaction.atomic():
        _guard, sources = guard_sql(RECIPIENT_WORKFLOW, "escalate", "status")
        claimed = bulk.stage_returning(ESCALATION_STAGE, STAGE_COLUMNS, _claim_sql(limit),
                                       [*sources, at, at, *sources])
        if not claimed:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT warning_id, step, COUNT(*) FROM {ESCALATION_STAGE} GROUP BY warning_id, step")
            groups = cursor.fetchall()
        warnings = Warning._base_manager.in_bulk({warning_id for warning_id, _step, _count in groups})
        plans = [_plan(warnings[warning_id], step) for warning_id, step, _count in groups]
        bulk.fill_stage(ESCALATION_PLAN, PLAN_COLUMNS, [plan.row() for plan in plans])
        queued = _write_steps(at)
        _record_groups(plans, [count for _w, _s, count in groups], now)
        if queued:
            outbox.emit("warnings.send_deliveries")
    return claimed


@dataclass(frozen=True)
class _Plan:
    """What one step of one warning's timetable does, with its texts split around the per-person parts."""

    warning: Warning
    step: int
    action: str | None
    parts: tuple[str, str, str]
    label: str
    reason: str

    def row(self) -> tuple:
        return (self.warning.pk, self.step, self.action or "", STEP_CHANNEL.get(self.action or "", ""),
                *self.parts, self.label, self.reason, json.dumps({"step": self.step + 1, "action": self.action}))


def _plan(warning: Warning, step: int) -> _Plan:
    timetable = warning.escalation or []
    action = timetable[step]["step"] if step < len(timetable) else None
    parts = ("", "", "")
    if action in STEP_CHANNEL:
        before, after = _text_around_token(warning, reply_code_of(warning))
        parts = (before, after, "")
    elif action == "superior":
        before, between, after = (_("【叫应提醒】%(name)s（%(phone)s）未应答预警：%(headline)s，请督促落实。") % {
            "name": TOKEN_MARK, "phone": TOKEN_MARK, "headline": warning.headline}).split(TOKEN_MARK)
        parts = (before, between, after)
    label = _("叫应升级：%(step)s") % {"step": STEPS.get(action, _("时间表已执行完毕"))}
    reason = _("发出后 %(minutes)s 分钟仍未应答") % {"minutes": timetable[step]["after_minutes"]} if action else ""
    return _Plan(warning, step, action, parts, label, reason)


def _write_steps(at) -> int:
    """The messages and timeline rows of every staged recipient, from the plan of its (warning, step)."""
    p, d = bulk.table(ResponsiblePerson), bulk.table(Delivery)
    joined = f"FROM {ESCALATION_STAGE} s JOIN {ESCALATION_PLAN} pl ON pl.warning_id = s.warning_id AND pl.step = s.step"
    queued = bulk.execute(
        f"INSERT INTO {d} ({_delivery_columns()}) "
        f"SELECT s.warning_id, s.id, s.region_id, pl.channel, %s, s.name, s.phone, "
        f"pl.part1 || {links.hidden_key_sql('s')} || pl.part2, %s, '', '', %s, NULL, NULL {joined} "
        f"WHERE pl.channel <> '' ORDER BY s.id",
        [False, DeliveryStatus.QUEUED, at])
    text = "pl.part1 || s.name || pl.part2 || s.phone || pl.part3"
    superior = (f"{joined} JOIN {p} p ON p.id = s.person_id JOIN {p} sup ON sup.id = p.superior_id "
                f"WHERE pl.action = 'superior'")
    queued += bulk.execute(
        f"INSERT INTO {d} ({_delivery_columns()}) "
        f"SELECT s.warning_id, s.id, s.region_id, %s, %s, sup.name, sup.phone, {text}, %s, '', '', %s, NULL, NULL "
        f"{superior} ORDER BY s.id",
        [Channel.SMS, True, DeliveryStatus.QUEUED, at])
    queued += bulk.execute(
        f"INSERT INTO {d} ({_delivery_columns()}) "
        f"SELECT s.warning_id, s.id, s.region_id, %s, %s, sup.name, 'user:' || CAST(sup.user_id AS TEXT), {text}, "
        f"%s, '', '', %s, NULL, NULL {superior} AND sup.user_id IS NOT NULL ORDER BY s.id",
        [Channel.IN_APP, True, DeliveryStatus.QUEUED, at])
    escalated = target_of(RECIPIENT_WORKFLOW, "escalate")
    bulk.execute(timeline_insert_sql(
        f"SELECT %s, CAST(s.id AS TEXT), s.region_id, NULL, %s, pl.label, %s, %s, NULL, %s, pl.reason, "
        f"{bulk.json_param().replace('%s', 'pl.data')} {joined}"),
        [ContentType.objects.get_for_model(Recipient).pk, "escalate", escalated, escalated, at])
    return queued


def _record_groups(plans: list[_Plan], counts: list[int], now: datetime) -> None:
    """One summary row per (warning, step) on the warning's own timeline."""
    subject_type = ContentType.objects.get_for_model(Warning)
    StateChange.objects.bulk_create([
        StateChange(subject_type=subject_type, subject_id=str(plan.warning.pk), region_id=plan.warning.region_id,
                    action="escalate", action_label=plan.label, from_state=plan.warning.status,
                    to_state=plan.warning.status, at=now,
                    data={"step": plan.step + 1, "action": plan.action, "recipients": count},
                    reason=_("%(count)s 人%(reason)s，已升级") % {"count": count, "reason": plan.reason})
        for plan, count in zip(plans, counts, strict=True)])
