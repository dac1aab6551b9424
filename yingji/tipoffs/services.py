"""Every write to tip-offs goes through here: the public submission, its photos, the rate-limit counters and
the bureau's handling (受理 → 核查 → 属实/不属实 → 奖励提出、审批、发放)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.notifications import notify_after_commit
from yingji.core.services import save_with_history, scoped_create, sniff_content_type
from yingji.core.workflow import InvalidTransition, transition
from yingji.hazards.models import HazardSource
from yingji.hazards.services import hazard_create
from yingji.standards.division import ancestor_codes
from yingji.tipoffs.models import HAZARD_CATEGORY_OF, PublicHit, TipOff, TipOffCounter, TipOffPhoto, UsedChallenge
from yingji.tipoffs.states import WORKFLOW

# No 0/O, 1/I/L: a code read out over the phone or copied by hand survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def photo_limits() -> tuple[int, int, tuple[str, ...]]:
    """(most photos, most bytes per photo, allowed content types)."""
    return (int(setting("TIPOFF_MAX_PHOTOS", 3)), int(setting("TIPOFF_PHOTO_MAX_BYTES", 5 * 1024 * 1024)),
            tuple(setting("TIPOFF_PHOTO_TYPES", ("image/jpeg", "image/png", "image/webp"))))


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_tracking_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_tracking_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def tracking_hash(code: str) -> str:
    return hashlib.sha256(f"tipoff:{normalise_tracking_code(code)}".encode()).hexdigest()


def client_key(address: str) -> str:
    """The client address, hashed with the site secret: counted, never stored in clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


@transaction.atomic
def throttle_hit(*, kind: str, client: str, limit: int, window: datetime.timedelta) -> bool:
    """Count one request of `kind` from `client`; False when it is over `limit` within `window`."""
    now = timezone.now()
    recent = PublicHit.objects.filter(kind=kind, client_key=client, at__gte=now - window).count()
    if recent >= limit:
        return False
    PublicHit.objects.create(kind=kind, client_key=client, at=now)
    return True


def throttle_blocked(*, kind: str, client: str, limit: int, window: datetime.timedelta) -> bool:
    """Whether `client` has used up `limit` requests of `kind` (nothing is counted)."""
    return PublicHit.objects.filter(kind=kind, client_key=client, at__gte=timezone.now() - window).count() >= limit


def challenge_max_age() -> int:
    """Seconds a public-form challenge may be answered after it was issued."""
    return int(setting("TIPOFF_CHALLENGE_MAX_AGE", 3600))


def challenge_consume(*, nonce: str) -> bool:
    """Mark a challenge used; False when it was used before. Called before its answer is checked, so a wrong
    answer burns it too and every challenge gets exactly one try."""
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(nonce=nonce[:32], used_at=timezone.now())
    except IntegrityError:
        return False
    return True


@transaction.atomic
def throttle_purge(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Forget rate-limit hits older than `older_than`, and used challenges that could no longer be answered."""
    deleted, _details = PublicHit.objects.filter(at__lt=timezone.now() - older_than).delete()
    # A nonce is needed only while its token is unexpired; a day's margin covers clock steps.
    expired = timezone.now() - datetime.timedelta(seconds=challenge_max_age()) - datetime.timedelta(days=1)
    used, _details = UsedChallenge.objects.filter(used_at__lt=expired).delete()
    return deleted + used


def check_photo(uploaded: UploadedFile) -> str:
    """The photo's content type from its bytes, or a Chinese ValidationError for a wrong type or size."""
    _count, max_bytes, types = photo_limits()
    if uploaded.size > max_bytes:
        raise ValidationError(_("照片“%(name)s”过大：%(size).1f MB，上限 %(limit).0f MB")
                              % {"name": uploaded.name[:50], "size": uploaded.size / 2**20, "limit": max_bytes / 2**20})
    uploaded.seek(0)
    content_type = sniff_content_type(uploaded.read(8192))
    uploaded.seek(0)
    if content_type not in types:
        raise ValidationError(_("照片“%(name)s”不是允许的图片格式（仅限 JPG、PNG、WebP）") % {"name": uploaded.name[:50]})
    return content_type


def _next_number(year: int) -> str:
    TipOffCounter.objects.get_or_create(year=year)
    counter = TipOffCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"JB-{year}-{counter.last:06d}"


def handlers_of(region_id: str) -> list[User]:
    """Bureau users who handle tip-offs at the region's county or any level above it."""
    codes = ancestor_codes(region_id)
    return list(
        User.objects.filter(
            scope_region_id__in=codes, is_active=True, groups__permissions__codename="change_tipoff",
            groups__permissions__content_type__app_label="tipoffs",
        ).distinct()
    )


def _tell(recipients: Iterable[User], tipoff: TipOff, title: str) -> None:
    notify_after_commit(recipients=recipients, kind=_("举报"), title=title,
                        url=reverse("tipoffs:tipoff_detail", args=[tipoff.pk]), subject=tipoff)


@transaction.atomic
def tipoff_submit(
    *,
    description: str,
    category: str,
    region: Region,
    address: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: list[UploadedFile] | None = None,
    submitted_at: datetime.datetime | None = None,
) -> tuple[TipOff, str]:
    """Record a tip-off from the public (no actor) with its photos; returns it and its tracking code.

    Every photo is checked before anything is written, so a bad photo leaves nothing behind.
    """
    photos = photos or []
    max_photos, _bytes, _types = photo_limits()
    if len(photos) > max_photos:
        raise ValidationError({"photos": _("最多上传 %(n)d 张照片") % {"n": max_photos}})
    types = [check_photo(photo) for photo in photos]
    code = new_tracking_code()
    submitted_at = submitted_at or timezone.now()
    fields = {
        "description": description.strip(), "category": category, "region": region, "address": address.strip(),
        "longitude": longitude, "latitude": latitude, "reporter_name": reporter_name.strip(),
        "reporter_phone": reporter_phone.strip(), "submitted_at": submitted_at, "tracking_hash": tracking_hash(code),
    }
    TipOff(number="JB-0", **fields).full_clean(exclude=["number"])
    number = _next_number(timezone.localtime(submitted_at).year)
    tipoff = scoped_create(TipOff, actor=None, reason=_("群众举报"), number=number, **fields)
    for photo, content_type in zip(photos, types, strict=True):
        _store_photo(tipoff, photo, content_type)
    _tell(handlers_of(tipoff.region_id), tipoff, _("收到新的群众举报 %(number)s") % {"number": tipoff.number})
    return tipoff, code


def _store_photo(tipoff: TipOff, uploaded: UploadedFile, content_type: str) -> TipOffPhoto:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    photo = TipOffPhoto(tipoff=tipoff, content_type=content_type, size=uploaded.size, sha256=digest.hexdigest(),
                        region_id=tipoff.region_id, uploaded_at=timezone.now())
    photo.file.save(uploaded.name, uploaded, save=False)
    try:
        save_with_history(photo, actor=None, reason=_("举报照片"))
    except Exception:
        # A file whose row was not written must not linger on disk.
        photo.file.delete(save=False)
        raise
    return photo


def tipoff_by_code(code: str) -> TipOff | None:
    """The tip-off a tracking code belongs to, for the public tracking page."""
    normalised = normalise_tracking_code(code)
    if len(normalised) != CODE_LENGTH:
        return None
    return TipOff._base_manager.filter(tracking_hash=tracking_hash(normalised)).first()


# Handling -------------------------------------------------------------------------------------------------


def _move(tipoff: TipOff, *, action: str, actor: User | None, reason: str = "", changes: dict | None = None,
          data: dict | None = None) -> TipOff:
    return transition(tipoff, workflow=WORKFLOW, action=action, actor=actor, reason=reason, changes=changes,
                      data=data)


def _note(tipoff: TipOff, text: str) -> dict[str, Any]:
    text = (text or "").strip()
    if not text:
        return {}
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return {"handling_note": (tipoff.handling_note + "\n" if tipoff.handling_note else "") + f"[{stamp}] {text}"}


@transaction.atomic
def tipoff_accept(*, tipoff: TipOff, actor: User | None, reason: str = "") -> TipOff:
    """受理: the bureau takes the tip-off on."""
    return _move(tipoff, action="accept", actor=actor, reason=reason, changes=_note(tipoff, reason))


@transaction.atomic
def tipoff_reject(*, tipoff: TipOff, actor: User | None, reason: str) -> TipOff:
    """不予受理 (abusive, duplicate, outside the bureau's remit), with the reason on record."""
    return _move(tipoff, action="reject", actor=actor, reason=reason, changes=_note(tipoff, reason))


@transaction.atomic
def tipoff_investigate(*, tipoff: TipOff, actor: User | None, reason: str = "") -> TipOff:
    """开始核查."""
    return _move(tipoff, action="investigate", actor=actor, reason=reason, changes=_note(tipoff, reason))


@transaction.atomic
def tipoff_substantiate(
    *,
    tipoff: TipOff,
    actor: User | None,
    reason: str = "",
    hazard_category: str = "",
    hazard_level: str = "general",
    place: str = "",
    enterprise=None,
    deadline: datetime.date | None = None,
) -> TipOff:
    """核查属实: a hazard (source 群众举报) is created through the hazards service and linked to the tip-off.

    The reporter's identity never goes into the hazard. Refused moves are refused before the hazard is made.
    """
    locked = TipOff._base_manager.select_for_update().get(pk=tipoff.pk)
    WORKFLOW.check(locked, "substantiate", actor)
    hazard = hazard_create(
        actor=actor, region=locked.region, enterprise=enterprise, description=locked.description,
        place=(place or locked.address or locked.region.name)[:200],
        category=hazard_category or HAZARD_CATEGORY_OF.get(locked.category, "other"), level=hazard_level or "general",
        source=HazardSource.PUBLIC_REPORT, found_by_name=_("群众举报"), found_at=locked.submitted_at,
        deadline=deadline,
    )
    return _move(locked, action="substantiate", actor=actor, reason=reason,
                 changes={"hazard": hazard, **_note(locked, reason)}, data={"hazard": hazard.code})


@transaction.atomic
def tipoff_dismiss(*, tipoff: TipOff, actor: User | None, reason: str) -> TipOff:
    """核查不属实, with the finding on record (never shown to the public)."""
    return _move(tipoff, action="dismiss", actor=actor, reason=reason, changes=_note(tipoff, reason))


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({field: _("请输入有效的金额")}) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("100000000"):
        raise ValidationError({field: _("金额应大于0且小于1亿元")})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def tipoff_propose_reward(*, tipoff: TipOff, actor: User | None, amount: Any, reason: str = "") -> TipOff:
    """提出奖励: the amount proposed; someone else approves it."""
    value = _amount(amount, "reward_amount")
    proposed = _move(tipoff, action="propose_reward", actor=actor, reason=reason,
                     changes={"reward_amount": value, "reward_proposed_by": actor, "reward_approved_by": None},
                     data={"amount": str(value)})
    others = [u for u in handlers_of(proposed.region_id) if actor is None or u.pk != actor.pk]
    _tell(others, proposed, _("举报 %(number)s 奖励 %(amount)s 元待审批") % {"number": proposed.number, "amount": value})
    return proposed


@transaction.atomic
def tipoff_approve_reward(*, tipoff: TipOff, actor: User | None, reason: str = "") -> TipOff:
    """批准奖励, by someone other than the proposer."""
    return _move(tipoff, action="approve_reward", actor=actor, reason=reason,
                 changes={"reward_approved_by": actor}, data={"amount": str(tipoff.reward_amount)})


@transaction.atomic
def tipoff_return_reward(*, tipoff: TipOff, actor: User | None, reason: str) -> TipOff:
    """退回奖励建议 to be proposed again, with the reason."""
    return _move(tipoff, action="return_reward", actor=actor, reason=reason)


@transaction.atomic
def tipoff_pay(*, tipoff: TipOff, actor: User | None, amount: Any = None, paid_on: datetime.date | None = None,
               reason: str = "") -> TipOff:
    """发放奖励: the amount actually paid and the date are recorded."""
    value = _amount(amount if amount not in (None, "") else tipoff.reward_amount, "reward_paid_amount")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"reward_paid_on": _("发放日期不能晚于今天")})
    return _move(tipoff, action="pay", actor=actor, reason=reason,
                 changes={"reward_paid_amount": value, "reward_paid_on": paid_on},
                 data={"amount": str(value), "paid_on": paid_on.isoformat()})


ACTION_SERVICES = {
    "accept": tipoff_accept, "reject": tipoff_reject, "investigate": tipoff_investigate,
    "substantiate": tipoff_substantiate, "dismiss": tipoff_dismiss, "propose_reward": tipoff_propose_reward,
    "approve_reward": tipoff_approve_reward, "return_reward": tipoff_return_reward, "pay": tipoff_pay,
}
# What each move takes besides its reason: the fields its row of the table declares.
EXTRA_ARGUMENTS = {t.action: {f.name for f in t.action_fields()} for t in WORKFLOW.transitions}


def tipoff_act(*, tipoff: TipOff, actor: User | None, action: str, reason: str = "", **extra: Any) -> TipOff:
    """Dispatch one handling action by name (pages, API); unknown actions are refused in Chinese."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})
    allowed = EXTRA_ARGUMENTS.get(action, set())
    arguments = {k: v for k, v in extra.items() if k in allowed and v not in (None, "")}
    if action == "propose_reward" and "amount" not in arguments:
        raise ValidationError({"amount": _("请填写建议奖励金额")})
    return service(tipoff=tipoff, actor=actor, reason=reason, **arguments)
