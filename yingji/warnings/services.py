"""Every write to warnings goes through here."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import bulk
from yingji.core.models import Organization, Region, User
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.throttling import count_hit
from yingji.core.workflow import transition
from yingji.warnings import cap
from yingji.warnings.config import config
from yingji.warnings.delivery import acknowledge, assign_reply_code, reply_code_in, schedule_fan_out
from yingji.warnings.models import (
    KIND_CATEGORY,
    LEVEL_WORDS,
    Channel,
    Delivery,
    MsgType,
    Recipient,
    RecipientStatus,
    ResponsiblePerson,
    UpstreamMessage,
    UpstreamSource,
    Warning,
    WarningKind,
    WarningStatus,
)
from yingji.warnings.states import WORKFLOW

EDITABLE = (WarningStatus.DRAFT,)


def sender_name(region: Region) -> str:
    return config("WARNING_SENDER_NAME") or f"{region.name}应急管理局"


def _check_areas(warning: Warning, regions: list[Region]) -> None:
    prefix = warning.region.prefix
    outside = [r.name for r in regions if not r.code.startswith(prefix)]
    if outside:
        raise ValidationError({"area_regions": _("预警区域超出发布单位辖区：%(names)s") % {"names": "、".join(outside)}})


def _set_organizations(warning: Warning, organizations: list[Organization], actor: User | None) -> None:
    """叫应单位 must be visible to the drafter; their people are reached only inside the issuer's jurisdiction."""
    if actor is not None:
        visible = set(Organization.objects.restrict(actor, "view").filter(pk__in=[o.pk for o in organizations])
                      .values_list("pk", flat=True))
        hidden = [o.name for o in organizations if o.pk not in visible]
        if hidden:
            raise ValidationError({"target_organizations": _("叫应单位超出您的管辖范围：%(names)s")
                                   % {"names": "、".join(hidden)}})
    warning.target_organizations.set(organizations)


@transaction.atomic
def warning_create(*, actor: User | None, area_regions: list[Region] | None = None,
                   target_organizations: list[Organization] | None = None, **fields: Any) -> Warning:
    """Draft a warning (首发, or an update/cancel referencing a published one) inside the actor's jurisdiction.

    The area is `area_regions` (their subtrees) and/or `area_polygon` (GeoJSON drawn on the map); the people
    addressed are those of the area, limited to `target_roles` when given, plus the active persons of
    `target_organizations`. Other apps (e.g. 森林火险 from disasters) start drafts through this function.
    """
    fields.setdefault("drafted_by", actor)
    warning = scoped_create(Warning, actor=actor, reason=_("拟稿"), **fields)
    regions = list(area_regions or [])
    _check_areas(warning, regions)
    warning.area_regions.set(regions)
    if target_organizations:
        _set_organizations(warning, list(target_organizations), actor)
    return warning


@transaction.atomic
def warning_update(*, warning: Warning, actor: User | None, area_regions: list[Region] | None = None,
                   target_organizations: list[Organization] | None = None, **fields: Any) -> Warning:
    """Edit a draft. A published message is never edited: publish an update (更新) instead."""
    if warning.status not in EDITABLE:
        raise ValidationError(_("只有草稿可以修改；已发布的预警请发布“更新”或“解除”。"))
    for frozen in ("identifier", "cap_xml", "national_xml", "approved_by", "published_at", "drafted_by"):
        fields.pop(frozen, None)
    updated = scoped_update(warning, actor=actor, reason=_("修改草稿"), **fields)
    if area_regions is not None:
        regions = list(area_regions)
        _check_areas(updated, regions)
        updated.area_regions.set(regions)
    if target_organizations is not None:
        _set_organizations(updated, list(target_organizations), actor)
    return updated


@transaction.atomic
def warning_follow(*, warning: Warning, actor: User | None, msg_type: str, **fields: Any) -> Warning:
    """Draft an update (更新) or cancel (解除) of a published warning: a new message referencing it."""
    if msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        raise ValidationError(_("消息类型应为更新或解除"))
    if warning.status != WarningStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的预警可以更新或解除"))
    if actor is not None:
        ensure_in_scope(actor, warning)
    values = {
        "region": warning.region, "kind": warning.kind, "event_type": warning.event_type, "level": warning.level,
        "headline": warning.headline, "description": warning.description, "instructions": warning.instructions,
        "area_polygon": warning.area_polygon, "onset": warning.onset, "expires": warning.expires,
        "source": warning.source, "escalation": warning.escalation,
    }
    if msg_type == MsgType.CANCEL:
        values["headline"] = _("%(sender)s解除%(event)s%(level)s预警") % {
            "sender": sender_name(warning.region), "event": _event_name(warning), "level": LEVEL_WORDS[warning.level]}
    values["target_roles"] = warning.target_roles
    values.update(fields)
    return warning_create(actor=actor, area_regions=fields.pop("area_regions", list(warning.area_regions.all())),
                          target_organizations=fields.pop("target_organizations",
                                                          list(warning.target_organizations.all())),
                          msg_type=msg_type, previous=warning,
                          **{k: v for k, v in values.items() if k not in ("area_regions", "target_organizations")})


@transaction.atomic
def warning_submit(*, warning: Warning, actor: User | None, reason: str = "") -> Warning:
    return transition(warning, workflow=WORKFLOW, action="submit", actor=actor, reason=reason)


@transaction.atomic
def warning_withdraw(*, warning: Warning, actor: User | None, reason: str = "") -> Warning:
    return transition(warning, workflow=WORKFLOW, action="withdraw", actor=actor, reason=reason)


@transaction.atomic
def warning_reject(*, warning: Warning, actor: User | None, reason: str) -> Warning:
    return transition(warning, workflow=WORKFLOW, action="reject", actor=actor, reason=reason)


def _event_name(warning: Warning) -> str:
    known = cap.event_types().get(warning.event_type)
    return known.name if known else str(WarningKind(warning.kind).label)


def next_identifier(region: Region, sent) -> tuple[str, str]:
    """The national identifier `senderCode_time_N`, N counting messages sent in the same second."""
    code = cap.sender_code(region.code, config("WARNING_DEPARTMENT_CODE"))
    stem = cap.national_identifier(code, sent, 0)[:-1]
    taken = set(Warning._base_manager.filter(identifier__startswith=stem).values_list("identifier", flat=True))
    serial = next(n for n in range(1, 11) if f"{stem}{n % 10}" not in taken)
    return code, f"{stem}{serial % 10}"


def to_alert(warning: Warning, *, identifier: str, code: str, sent) -> cap.Alert:
    """The neutral CAP form of a warning, for both exports."""
    name = sender_name(warning.region)
    areas = [cap.Area(desc=r.name, geocodes=[("统计用区划代码", r.code)])
             for r in warning.area_regions.order_by("code")]
    polygons = cap.polygon_from_geojson(warning.area_polygon)
    if polygons:
        areas.append(cap.Area(desc=_("图上划定范围"), polygons=polygons))
    if not areas:
        areas = [cap.Area(desc=warning.region.name, geocodes=[("统计用区划代码", warning.region.code)])]
    previous = warning.previous
    references, entries = [], []
    if previous is not None and previous.identifier:
        references = [previous.identifier]
        entries = [f"{name},{previous.identifier},{cap.cap_time(previous.published_at)}"]
    info = cap.Info(
        event=_event_name(warning), level=warning.level, event_type=warning.event_type,
        categories=[KIND_CATEGORY.get(warning.kind, "Other")],
        urgency="Past" if warning.msg_type == MsgType.CANCEL else "Expected",
        certainty="Observed" if warning.msg_type == MsgType.CANCEL else "Likely",
        response_types=["AllClear"] if warning.msg_type == MsgType.CANCEL else ["Prepare"],
        headline=warning.headline, description=warning.description, instruction=warning.instructions,
        effective=sent, onset=warning.onset, expires=warning.expires, sender_name=name, areas=areas,
    )
    return cap.Alert(identifier=identifier, sender=name, sender_code=code, sent=sent, msg_type=warning.msg_type,
                     references=references, reference_entries=entries, note=warning.source,
                     channels=["SMS", "PHONE", "BROADCAST", "WEB"], infos=[info])


@transaction.atomic
def warning_approve(*, warning: Warning, actor: User | None, reason: str = "") -> Warning:
    """签发发布: build the CAP 1.2 document, refuse to publish unless it validates, then publish.

    Publishing an update or cancel moves the message it references out of the current warnings.
    """
    now = timezone.now().replace(microsecond=0)
    locked = Warning._base_manager.select_for_update().get(pk=warning.pk)
    WORKFLOW.check(locked, "approve", actor)
    if locked.expires <= now:
        raise ValidationError(_("失效时间已过，不能签发；请修改失效时间。"))
    code, identifier = next_identifier(locked.region, now)
    alert = to_alert(locked, identifier=identifier, code=code, sent=now)
    document = cap.build_cap(alert)
    try:
        cap.validate_cap(document)
    except cap.CapError as exc:
        raise ValidationError(_("CAP 1.2 文档未通过校验，未发布：%(problems)s") % {"problems": exc}) from None
    national = cap.build_national(alert)
    try:
        cap.validate_national(national)
    except cap.CapError as exc:
        raise ValidationError(_("国家预警平台格式文档未通过校验，未发布：%(problems)s") % {"problems": exc}) from None

    published = transition(
        locked, workflow=WORKFLOW, action="approve", actor=actor, reason=reason,
        changes={"identifier": identifier, "published_at": now, "approved_by": actor,
                 "reply_code": assign_reply_code(locked),
                 "cap_xml": document.decode("utf-8"), "national_xml": national.decode("utf-8")},
        data={"identifier": identifier},
    )
    previous = published.previous
    if previous is not None and previous.status == WarningStatus.PUBLISHED:
        action = "cancel" if published.msg_type == MsgType.CANCEL else "supersede"
        transition(previous, workflow=WORKFLOW, action=action, actor=None,
                   reason=_("由 %(id)s 取代") % {"id": identifier})
        stop_escalation(previous)
    schedule_fan_out(published)
    return published


@transaction.atomic
def warning_expire(*, warning: Warning) -> Warning:
    expired = transition(warning, workflow=WORKFLOW, action="expire", actor=None, reason=_("超过失效时间"))
    stop_escalation(expired)
    return expired


def stop_escalation(warning: Warning) -> int:
    """A message no longer current calls nobody again: its unanswered leave the sweep (the answers stay)."""
    return Recipient._base_manager.filter(warning=warning, status=RecipientStatus.PENDING,
                                          next_step_at__isnull=False).update(next_step_at=None)


TRANSITION_SERVICES = {
    "submit": warning_submit, "withdraw": warning_withdraw, "reject": warning_reject, "approve": warning_approve,
}


def warning_act(*, warning: Warning, actor: User, action: str, reason: str = "") -> Warning:
    """The detail page's buttons: one of the manual moves of the table."""
    service = TRANSITION_SERVICES.get(action)
    if service is None:
        WORKFLOW.check(warning, action, actor)
        raise ValidationError(_("该操作由系统办理"))
    return service(warning=warning, actor=actor, reason=reason)


# -- upstream messages ----------------------------------------------------------------------------------


@transaction.atomic
def upstream_import(*, actor: User | None, data: bytes, region: Region, source: str = UpstreamSource.UPLOAD,
                    file_name: str = "") -> UpstreamMessage:
    """Validate and store a received CAP 1.2 or national-format message; nothing is stored if it is invalid."""
    if actor is not None:
        ensure_perm(actor, UpstreamMessage, "add")
    try:
        alert = cap.parse(data)
    except cap.CapError as exc:
        raise ValidationError(_("预警消息无效，未导入：%(problems)s") % {"problems": exc}) from None
    if UpstreamMessage._base_manager.filter(sender=alert.sender[:200], identifier=alert.identifier[:200]).exists():
        raise ValidationError(_("该预警消息已导入过：%(id)s") % {"id": alert.identifier})
    info = alert.first_info or cap.Info(event="", level="")
    message = UpstreamMessage(
        region=region, identifier=alert.identifier[:200], sender=alert.sender[:200], sent=alert.sent,
        msg_type=alert.msg_type, format=alert.format, event=info.event[:100], event_type=info.event_type[:5],
        level=info.level, headline=info.headline[:300], description=info.description,
        instruction=info.instruction, area_desc="、".join(a.desc for a in info.areas)[:300],
        onset=info.onset or info.effective, expires=info.expires,
        xml=data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data,
        source=source, file_name=file_name[:200], imported_by=actor,
    )
    message.full_clean()
    save_with_history(message, actor=actor, reason=_("接收上级预警"))
    if actor is not None:
        ensure_in_scope(actor, message)
    return message


KIND_OF_EVENT_KIND = {"weather": WarningKind.WEATHER, "flood": WarningKind.FLOOD,
                      "geological": WarningKind.GEOLOGICAL, "forest_fire": WarningKind.FOREST_FIRE}


@transaction.atomic
def upstream_forward(*, message: UpstreamMessage, actor: User | None, region: Region,
                     local_instructions: str = "", area_regions: list[Region] | None = None,
                     **fields: Any) -> Warning:
    """转发: a local draft from a received warning, with the bureau's own instructions added."""
    if actor is not None:
        ensure_in_scope(actor, message)
    if not message.level:
        raise ValidationError(_("原预警未给出级别，请在转发时选择预警级别"))
    known = cap.event_types().get(message.event_type)
    instructions = "\n".join(part for part in [message.instruction, local_instructions.strip()] if part)
    values = {
        "region": region, "kind": KIND_OF_EVENT_KIND.get(known.kind, WarningKind.OTHER) if known else WarningKind.OTHER,
        "event_type": message.event_type if known else "", "level": message.level,
        "headline": _("转发：%(headline)s") % {"headline": message.headline or message.event}, "description":
        message.description or message.headline, "instructions": instructions,
        "onset": message.onset or message.sent,
        "expires": message.expires or (message.sent + timedelta(hours=24)),
        "source": message.sender[:100], "upstream": message,
    }
    values.update(fields)
    return warning_create(actor=actor, area_regions=area_regions or [], **values)


# -- responsibility lists ---------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, actor: User | None, **fields: Any) -> ResponsiblePerson:
    """Add a responsible person to a township or village in the actor's jurisdiction."""
    return scoped_create(ResponsiblePerson, actor=actor, reason=_("登记责任人"), **fields)


@transaction.atomic
def person_update(*, person: ResponsiblePerson, actor: User | None, **fields: Any) -> ResponsiblePerson:
    return scoped_update(person, actor=actor, reason=_("修改责任人"), **fields)


# -- 叫应 ---------------------------------------------------------------------------------------------------
# The answering services only read before their one write, `delivery.acknowledge`, which is atomic by itself;
# without a transaction around them an answer costs two round trips to PostgreSQL instead of four.


def recipient_acknowledge(*, recipient: Recipient, channel: str, actor: User | None = None) -> Recipient:
    """An answer in the app is accepted only from the person's own account."""
    if actor is not None and recipient.person.user_id != actor.pk:
        raise PermissionDenied(_("只能由责任人本人应答"))
    return acknowledge(recipient, channel=channel, actor_id=actor.pk if actor is not None else None)


def _link_parts(key: str) -> tuple[int, str] | None:
    """The recipient id and token an answer link (`Recipient.link_key`, "<id>-<token>") carries, or None."""
    pk, _dash, token = key.partition("-")
    return (int(pk), token) if pk.isdigit() and token else None


def recipient_by_link(key: str, *, only: tuple[str, ...] = (), with_warning: bool = False) -> Recipient | None:
    """The recipient an answer link (`Recipient.link_key`, "<id>-<token>") belongs to, or None.

    Found by primary key; the unguessable token is the proof of who answers, compared in constant time.
    `only` limits the columns read (the others load when first used); `with_warning` reads the warning in the
    same query.
    """
    parts = _link_parts(key)
    if parts is None:
        return None
    pk, token = parts
    queryset = Recipient._base_manager.only("token", *only) if only else Recipient._base_manager
    if with_warning:
        queryset = queryset.select_related("warning")
    try:
        recipient = queryset.get(pk=pk)
    except Recipient.DoesNotExist:
        return None
    return recipient if hmac.compare_digest(recipient.token.encode(), token.encode()) else None


def acknowledge_by_token(*, token: str) -> Recipient:
    """The link in the SMS (`token` is the link's key, see `recipient_by_link`)."""
    parts = _link_parts(token)
    if parts is not None and bulk.is_postgresql():
        # The usual case, a first answer through a valid link, in one round trip: the token is checked by the
        # statement that moves the row. Anything else (a second answer, a wrong key) is sorted out below.
        pk, secret = parts
        answered = acknowledge(Recipient(pk=pk), channel="link", token=secret)
        if answered is not None:
            return answered
    # Only the token is read: building and reading the whole row was a third of an answer's time.
    recipient = recipient_by_link(token, only=("token",))
    if recipient is None:
        raise ValidationError(_("应答链接无效或已过期"))
    return acknowledge(recipient, channel="link")


def acknowledge_by_reply(*, phone: str, text: str) -> Recipient | None:
    """An SMS reply: the code names one published warning; the phone, through the person, its recipient.

    The recipient must still have the number the message went to and the person that number today.
    """
    code = reply_code_in(text)
    recipient = (Recipient._base_manager.filter(
        warning__status=WarningStatus.PUBLISHED, warning__reply_code=code, person__phone=phone, phone=phone,
        status=RecipientStatus.PENDING).first()) if code and phone else None
    return acknowledge(recipient, channel=Channel.SMS) if recipient else None


def reply_limit() -> tuple[int, int]:
    """(replies, seconds): how many SMS replies one phone number may send in that window."""
    return int(config("WARNING_REPLY_LIMIT")), int(config("WARNING_REPLY_WINDOW"))


def reply_admitted(phone: str) -> bool:
    """Count one SMS reply from `phone`; False once the number has sent more than `reply_limit()` in the window.

    A reply code has four digits, so whoever can send replies from a number could try them one after another
    until one names a warning that number was sent. The count lives in the shared throttle cache (Redis in
    production), so every web worker sees the same one.
    """
    limit, window = reply_limit()
    return count_hit(f"warnings:reply:{phone}", window) <= limit


def replies_admitted(answers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """The (phone, text) replies within their numbers' limits, and the numbers refused (each once, in order)."""
    admitted, refused = [], []
    for phone, text in answers:
        if reply_admitted(phone):
            admitted.append((phone, text))
        elif phone not in refused:
            refused.append(phone)
    return admitted, refused


def acknowledge_by_voice(*, delivery_id: int, key: str) -> Recipient | None:
    """A voice call answered with key 1 acknowledges; any other key is ignored (the call may be retried)."""
    delivery = Delivery._base_manager.filter(pk=delivery_id, channel=Channel.VOICE).select_related("recipient").first()
    if delivery is None or delivery.recipient is None or str(key).strip() != "1" or delivery.to_superior:
        return None
    return acknowledge(delivery.recipient, channel=Channel.VOICE)


@transaction.atomic
def recipient_report_measures(*, recipient: Recipient, people_transferred: int | None, places_closed: int | None,
                              measures: str, actor: User | None = None) -> Recipient:
    """After answering, the person reports what was done (people transferred, places closed)."""
    locked = Recipient._base_manager.select_for_update().get(pk=recipient.pk)
    if actor is not None and locked.person.user_id != actor.pk:
        raise PermissionDenied(_("只能由责任人本人报告"))
    if locked.status != RecipientStatus.ACKNOWLEDGED:
        raise ValidationError(_("请先确认收到预警，再报告采取的措施"))
    for value in (people_transferred, places_closed):
        if value is not None and value < 0:
            raise ValidationError(_("人数和场所数不能为负数"))
    locked.people_transferred = people_transferred
    locked.places_closed = places_closed
    locked.measures = measures.strip()[:2000]
    locked.measures_at = timezone.now()
    save_with_history(locked, actor=actor, reason=_("报告采取的措施"))
    return locked
