"""Fan-out, sending, 叫应 (acknowledgement) and escalation: the hot paths of a warning, all set-based.

Publishing resolves the recipients with one query over the responsibility lists and queues their messages in
bulk, inside the publishing transaction; `send_queued` hands queued rows to the channel adapters in batches
(rows locked with SKIP LOCKED on PostgreSQL, so several workers share the work); the sweep escalates the
unanswered by the timetable stored with the warning. Every function here is called from services, tasks
or the gateway callbacks, never from a template.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.db import lock_due_rows
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
from yingji.core.services import save_with_history
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

BULK = 5000
STEP_CHANNEL = {"sms": Channel.SMS, "voice": Channel.VOICE}


# -- who is addressed -----------------------------------------------------------------------------------------


def area_q(warning: Warning, path: str = "region__code") -> Q:
    """Regions in the warning's area: the chosen regions' subtrees, plus regions whose centre is in the polygon."""
    condition = Q(pk__in=[])
    for region in warning.area_regions.all():
        condition |= code_prefix_q(path, region.prefix)
    if warning.area_polygon:
        from shapely.geometry import Point, shape

        polygon = shape(warning.area_polygon)
        candidates = (Region.objects.filter(code_prefix_q("code", warning.region.prefix),
                                            level__in=["township", "village"], longitude__isnull=False)
                      .values_list("code", "longitude", "latitude"))
        inside = [code for code, lon, lat in candidates if polygon.contains(Point(lon, lat))]
        if inside:
            condition |= Q(**{f"{path.rsplit('__', 1)[0]}__in": inside})
    return condition


def resolve_recipients(warning: Warning) -> QuerySet:
    """Every active responsible person of every region in the area, limited to the chosen roles if any."""
    queryset = ResponsiblePerson._base_manager.filter(area_q(warning), active=True)
    if warning.target_roles:
        queryset = queryset.filter(role__in=warning.target_roles)
    return queryset


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


def fan_out(warning: Warning) -> int:
    """Create the recipients and their first messages. Call inside the publishing transaction."""
    now = timezone.now()
    timetable = warning.escalation or []
    first_step = now + timedelta(minutes=timetable[0]["after_minutes"]) if timetable else None
    code = reply_code_of(warning)
    rows = resolve_recipients(warning).values_list("pk", "region_id", "region__parent_id", "region__level", "name",
                                                   "phone", "role", "user_id")
    created = 0
    batch: list[tuple[Recipient, int | None]] = []

    def flush() -> None:
        recipients = Recipient.objects.bulk_create([r for r, _user in batch], batch_size=BULK)
        deliveries = []
        for recipient, user_id in zip(recipients, [u for _r, u in batch], strict=True):
            text = message_text(warning, code, recipient.token)
            deliveries.append(Delivery(warning=warning, recipient=recipient, region_id=recipient.region_id,
                                       channel=Channel.SMS, to_name=recipient.name, to_address=recipient.phone,
                                       text=text, created_at=now))
            if user_id:
                deliveries.append(Delivery(warning=warning, recipient=recipient, region_id=recipient.region_id,
                                           channel=Channel.IN_APP, to_name=recipient.name,
                                           to_address=f"user:{user_id}", text=text, created_at=now))
        Delivery.objects.bulk_create(deliveries, batch_size=BULK)
        batch.clear()

    for pk, region_id, parent_id, level, name, phone, role, user_id in rows.iterator(chunk_size=BULK):
        batch.append((Recipient(
            warning=warning, person_id=pk, region_id=region_id,
            township_id=region_id if level == "township" else parent_id, name=name, phone=phone, role=role,
            token=secrets.token_urlsafe(18)[:24], reply_code=code, next_step_at=first_step, created_at=now,
        ), user_id))
        created += 1
        if len(batch) >= BULK:
            flush()
    if batch:
        flush()
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


def send_queued(limit: int = 20000) -> int:
    """Hand up to `limit` queued messages to their channels and record what each channel answered."""
    from yingji.warnings.channels import adapters

    with transaction.atomic():
        queued = list(lock_due_rows(Delivery.objects.filter(status=DeliveryStatus.QUEUED).order_by("id")[:limit]))
        if not queued:
            return 0
        by_channel: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in queued:
            by_channel[delivery.channel].append(delivery)
        now = timezone.now()
        outcome: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        external: dict[int, str] = {}
        for channel, rows in by_channel.items():
            for result in adapters()[channel].send(rows):
                outcome[(result.status, result.reason, channel)].append(result.delivery_id)
                if result.external_id:
                    external[result.delivery_id] = result.external_id
        for (status, reason, _channel), ids in outcome.items():
            for start in range(0, len(ids), BULK):
                chunk = ids[start:start + BULK]
                changes = {"status": status, "reason": reason, "sent_at": now}
                if status == DeliveryStatus.DELIVERED:
                    changes["delivered_at"] = now
                Delivery.objects.filter(pk__in=chunk).update(**changes)
        if external:
            rows = Delivery.objects.in_bulk(list(external))
            for pk, value in external.items():
                rows[pk].external_id = value
            Delivery.objects.bulk_update(rows.values(), ["external_id"], batch_size=1000)
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


def acknowledge(recipient: Recipient, *, channel: str, at: datetime | None = None) -> Recipient:
    """Record one person's answer; answering twice changes nothing. Call inside a transaction."""
    locked = Recipient._base_manager.select_for_update().get(pk=recipient.pk)
    if locked.status == RecipientStatus.ACKNOWLEDGED:
        return locked
    locked.status = RecipientStatus.ACKNOWLEDGED
    locked.acknowledged_at = at or timezone.now()
    locked.ack_channel = channel
    locked.next_step_at = None
    save_with_history(locked, actor=None, reason=_("应答（%(channel)s）") % {"channel": AckChannel(channel).label})
    return locked


def acknowledge_many(answers: list[tuple[str, str]], *, channel: str = Channel.SMS) -> int:
    """SMS replies in bulk, as a gateway delivers them: (phone, text) pairs; the text carries the reply code.

    One UPDATE per batch: the rows' own acknowledged_at/ack_channel are the record of the answer.
    """
    now = timezone.now()
    phones_by_code: dict[str, set[str]] = defaultdict(set)
    for phone, text in answers:
        code = "".join(ch for ch in text if ch.isdigit())[:6]
        if phone and code:
            phones_by_code[code].add(phone)
    done = 0
    with transaction.atomic():
        for code, phones in phones_by_code.items():
            ordered = sorted(phones)
            for start in range(0, len(ordered), 2000):
                done += (Recipient.objects.filter(reply_code=code, phone__in=ordered[start:start + 2000],
                                                  status=RecipientStatus.PENDING)
                         .update(status=RecipientStatus.ACKNOWLEDGED, acknowledged_at=now, ack_channel=channel,
                                 next_step_at=None))
    return done


# -- escalation ----------------------------------------------------------------------------------------------


def escalate_due(limit: int = 20000) -> int:
    """The unanswered whose deadline has passed move one step down their warning's timetable.

    A step is a new message on another channel (sms/voice) or a message to the person's superior. Rows of one
    warning at one step share their next deadline (all were addressed at the same moment), so each group is
    one UPDATE and its messages one bulk INSERT.
    """
    now = timezone.now()
    with transaction.atomic():
        # Lock the recipient rows alone (PostgreSQL cannot lock the nullable side of the superior join).
        ids = list(lock_due_rows(
            Recipient.objects.filter(status=RecipientStatus.PENDING, next_step_at__lte=now)
            .order_by("next_step_at", "id")[:limit]
        ).values_list("id", flat=True))
        due = []
        for start in range(0, len(ids), BULK):
            due += list(Recipient._base_manager.filter(pk__in=ids[start:start + BULK]).values_list(
                "id", "warning_id", "step", "region_id", "name", "phone", "token", "reply_code", "created_at",
                "person__superior__name", "person__superior__phone", "person__superior__user_id"))
        if not due:
            return 0
        warnings = Warning._base_manager.in_bulk({row[1] for row in due})
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        called: set[int] = set()
        deliveries = []
        for pk, warning_id, step, region_id, name, phone, token, code, _created, sup_name, sup_phone, sup_user in due:
            warning = warnings[warning_id]
            timetable = warning.escalation or []
            groups[(warning_id, step)].append(pk)
            if step >= len(timetable):
                continue
            action = timetable[step]["step"]
            if action in STEP_CHANNEL:
                deliveries.append(Delivery(warning=warning, recipient_id=pk, region_id=region_id,
                                           channel=STEP_CHANNEL[action], to_name=name, to_address=phone,
                                           text=message_text(warning, code, token), created_at=now))
            elif action == "superior" and sup_phone:
                called.add(pk)
                text = _("【叫应提醒】%(name)s（%(phone)s）未应答预警：%(headline)s，请督促落实。") % {
                    "name": name, "phone": phone, "headline": warning.headline}
                deliveries.append(Delivery(warning=warning, recipient_id=pk, region_id=region_id, to_superior=True,
                                           channel=Channel.SMS, to_name=sup_name, to_address=sup_phone, text=text,
                                           created_at=now))
                if sup_user:
                    deliveries.append(Delivery(warning=warning, recipient_id=pk, region_id=region_id,
                                               to_superior=True, channel=Channel.IN_APP, to_name=sup_name,
                                               to_address=f"user:{sup_user}", text=text, created_at=now))
        for (warning_id, step), ids in groups.items():
            warning = warnings[warning_id]
            timetable = warning.escalation or []
            created = Recipient._base_manager.filter(pk=ids[0]).values_list("created_at", flat=True).get()
            following = (created + timedelta(minutes=timetable[step + 1]["after_minutes"])
                         if step + 1 < len(timetable) else None)
            changes = {"step": step + 1, "next_step_at": following}
            for start in range(0, len(ids), BULK):
                Recipient._base_manager.filter(pk__in=ids[start:start + BULK]).update(**changes)
            reached = [pk for pk in ids if pk in called]
            for start in range(0, len(reached), BULK):
                Recipient._base_manager.filter(pk__in=reached[start:start + BULK]).update(superior_called_at=now)
        Delivery.objects.bulk_create(deliveries, batch_size=BULK)
        if deliveries:
            transaction.on_commit(kick_sender)
    return len(due)
