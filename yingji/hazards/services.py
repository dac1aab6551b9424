"""Every write to hazards goes through here: creation, edits, the closed loop, 挂牌督办, photos, overdue flags."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Attachment, Organization, Region, User
from yingji.core.notifications import notify, notify_after_commit
from yingji.core.on_behalf import on_behalf_data
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.services import attachment_store, save_with_history, scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition
from yingji.hazards.models import (
    Hazard,
    HazardCounter,
    HazardLevel,
    HazardStat,
    HazardStatus,
    PhotoKind,
    StatDimension,
    SupervisionLevel,
)
from yingji.hazards.states import SUPERVISION_WORKFLOW, WORKFLOW

# Fields an edit may change; status, code, supervision and the loop's own records change only through actions.
EDITABLE_FIELDS = {
    "enterprise", "region", "description", "place", "category", "level", "source", "found_by_name", "found_at",
    "responsible_unit", "responsible_person", "responsible_user", "measures", "funds", "deadline",
    "plan_objectives", "plan_methods", "plan_funds_materials", "plan_organization", "plan_time_limits",
    "plan_safety_measures",
}


def next_code(region: Region, year: int) -> str:
    """隐患编号 YH-<county>-<year>-<sequence>. Call inside a transaction.

    The per-(county, year) counter row is locked, so concurrent reports in one county queue for a number
    instead of reading the same max() and colliding.
    """
    county = region.code[:6]
    HazardCounter.objects.get_or_create(county_code=county, year=year)
    counter = HazardCounter.objects.select_for_update().get(county_code=county, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"YH-{county}-{year}-{counter.last:06d}"


# -- the monthly roll-up (HazardStat) -------------------------------------------------------------------------------

Snapshot = tuple | None


def stat_snapshot(hazard: Hazard) -> Snapshot:
    """What a hazard contributes to the roll-up: where and when it counts, and as what."""
    if hazard.pk is None:
        return None
    month = timezone.localtime(hazard.found_at).date().replace(day=1)
    closed = hazard.status == HazardStatus.CLOSED
    return (month, township_code(hazard.region_id), hazard.level, hazard.source, hazard.enterprise_category,
            hazard.enterprise_id, int(closed), int(bool(hazard.overdue_since) and not closed))


def township_code(region_code: str) -> str:
    return region_code[:9] + "000"


def _stat_add(snapshot: Snapshot, sign: int) -> None:
    if snapshot is None:
        return
    month, township, level, source, category, enterprise_id, closed, overdue = snapshot
    keys = [(StatDimension.LEVEL, level, month), (StatDimension.SOURCE, source, month),
            (StatDimension.CATEGORY, category, month)]
    if enterprise_id is not None:
        keys.append((StatDimension.ENTERPRISE, str(enterprise_id), month))
        keys.append((StatDimension.ENTERPRISE_YEAR, str(enterprise_id), month.replace(month=1)))
    for dimension, key, row_month in keys:
        row = HazardStat.objects.filter(month=row_month, region_id=township, dimension=dimension, key=key)
        # An UPDATE with F() is atomic, so concurrent services never lose a count; the row is made on first use
        # (get_or_create survives a concurrent insert of the same key through the unique constraint).
        changes = {"found": F("found") + sign, "closed": F("closed") + sign * closed,
                   "overdue": F("overdue") + sign * overdue}
        if not row.update(**changes):
            HazardStat.objects.get_or_create(month=row_month, region_id=township, dimension=dimension, key=key)
            row.update(**changes)


def stat_follow_enterprise(*, enterprise, new_region_id: str, **kwargs: Any) -> None:
    """Move an enterprise's hazards' counts to its new township, before the hazards themselves move.

    Connected to `enterprises.services.enterprise_moving`; one grouped query and a few counter updates, however
    many hazards the enterprise has.
    """
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    closed = Q(status=HazardStatus.CLOSED)
    groups = (Hazard._base_manager.filter(enterprise=enterprise).exclude(region_id=new_region_id)
              .annotate(stat_month=TruncMonth("found_at"))
              .values("stat_month", "region_id", "level", "source", "enterprise_category")
              .annotate(n=Count("pk"), closed=Count("pk", filter=closed),
                        overdue=Count("pk", filter=Q(overdue_since__isnull=False) & ~closed))
              .order_by())
    for group in groups:
        month = group["stat_month"]
        month = (timezone.localtime(month) if timezone.is_aware(month) else month)
        month = month.date().replace(day=1) if hasattr(month, "date") else month
        # Split into open-overdue, open-in-time and closed hazards, so each part carries its flags.
        parts = ((0, 1, group["overdue"]), (0, 0, group["n"] - group["closed"] - group["overdue"]),
                 (1, 0, group["closed"]))
        for is_closed, overdue, count in parts:
            if not count:
                continue
            for township, sign in ((township_code(group["region_id"]), -count), (township_code(new_region_id), count)):
                _stat_add((month, township, group["level"], group["source"], group["enterprise_category"],
                           enterprise.pk, is_closed, overdue), sign)


def stat_move(before: Snapshot, after: Snapshot) -> None:
    """Keep the roll-up in step with one hazard's change. Call inside the service's transaction."""
    if before == after:
        return
    _stat_add(before, -1)
    _stat_add(after, +1)


@transaction.atomic
def rebuild_statistics() -> int:
    """Recompute the whole roll-up from the hazards (after a bulk load, or to repair it). Returns the row count."""
    from django.db.models import Count, Q, Value
    from django.db.models.functions import Concat, Substr, TruncMonth, TruncYear

    HazardStat.objects.all().delete()
    closed = Q(status=HazardStatus.CLOSED)
    overdue = Q(overdue_since__isnull=False) & ~closed
    base = Hazard._base_manager.annotate(township=Concat(Substr("region_id", 1, 9), Value("000"))).order_by()
    rows = []
    for dimension, field in ((StatDimension.LEVEL, "level"), (StatDimension.SOURCE, "source"),
                             (StatDimension.CATEGORY, "enterprise_category"),
                             (StatDimension.ENTERPRISE, "enterprise_id"),
                             (StatDimension.ENTERPRISE_YEAR, "enterprise_id")):
        queryset = base.filter(enterprise__isnull=False) if field == "enterprise_id" else base
        queryset = queryset.annotate(stat_month=TruncYear("found_at") if dimension == StatDimension.ENTERPRISE_YEAR
                                     else TruncMonth("found_at"))
        groups = queryset.values("stat_month", "township", field).annotate(
            n=Count("pk"), c=Count("pk", filter=closed), o=Count("pk", filter=overdue))
        for group in groups.iterator(chunk_size=5000):
            month = group["stat_month"]
            month = (timezone.localtime(month) if timezone.is_aware(month) else month)
            rows.append(HazardStat(month=month.date().replace(day=1) if hasattr(month, "date") else month,
                                   region_id=group["township"], dimension=dimension, key=str(group[field]),
                                   found=group["n"], closed=group["c"], overdue=group["o"]))
    HazardStat.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _prepare(fields: dict[str, Any]) -> dict[str, Any]:
    enterprise = fields.get("enterprise")
    if enterprise is not None:
        # A hazard of an enterprise lies where the enterprise is; the two cannot disagree.
        fields["region"] = enterprise.region
        fields["enterprise_category"] = enterprise.category
    else:
        fields["enterprise_category"] = ""
    return fields


@transaction.atomic
def hazard_create(
    *,
    actor: User | None,
    region: Region | None = None,
    description: str,
    place: str,
    category: str,
    level: str = HazardLevel.GENERAL,
    source: str,
    enterprise=None,
    found_by_name: str = "",
    found_at: datetime.datetime | None = None,
    deadline: datetime.date | None = None,
    **optional: Any,
) -> Hazard:
    """Record a hazard (status 已上报) with a new 隐患编号.

    `enterprise=None` means a public place; then `region` (township or village) is required. With an
    enterprise the region is the enterprise's. `optional` takes the other editable fields: responsible_unit,
    responsible_person, responsible_user, measures, funds and the six plan_* parts of a 重大隐患's 治理方案.
    The actor needs `hazards.add_hazard` and the hazard must land in their jurisdiction (an enterprise user:
    their own enterprise). Raises ValidationError (Chinese, by field) for bad input; nothing is written then.
    """
    unknown = set(optional) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(sorted(unknown))})
    if region is None and enterprise is None:
        raise ValidationError({"region": _("请选择隐患所在区划或所属企业")})
    fields = _prepare({
        "region": region, "description": description, "place": place, "category": category, "level": level,
        "source": source, "enterprise": enterprise, "found_by_name": found_by_name,
        "found_at": found_at or timezone.now(), "deadline": deadline, **optional,
    })
    if actor is not None:
        ensure_perm(actor, Hazard, "add")
        fields.setdefault("found_by", actor)
        if not fields["found_by_name"]:
            fields["found_by_name"] = str(actor)[:50]
    probe = Hazard(code="YH-0", **fields)
    probe.full_clean(exclude=["code"])
    code = next_code(fields["region"], timezone.localtime(fields["found_at"]).year)
    hazard = scoped_create(Hazard, actor=actor, reason=_("登记隐患"), code=code, **fields)
    stat_move(None, stat_snapshot(hazard))
    return hazard


@transaction.atomic
def hazard_update(*, hazard: Hazard, actor: User | None, **fields: Any) -> Hazard:
    """Change a hazard's details (not its status); a closed hazard is no longer edited."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("以下字段不能直接修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    if hazard.status == HazardStatus.CLOSED:
        raise ValidationError(_("隐患已销号，不能再修改"))
    if "enterprise" in fields:
        fields = _prepare(fields)
    if "deadline" in fields and fields["deadline"] != hazard.deadline and hazard.overdue_since:
        if fields["deadline"] is None or fields["deadline"] >= timezone.localdate():
            # A new deadline in the future lifts the overdue flag; the sweep sets it again if that one is missed.
            fields["overdue_since"] = None
    before = stat_snapshot(Hazard._base_manager.select_for_update().get(pk=hazard.pk))
    updated = scoped_update(hazard, actor=actor, reason=_("修改隐患信息"), **fields)
    stat_move(before, stat_snapshot(updated))
    return updated


def _tell(recipients, hazard: Hazard, title: str, body: str = "", *, send=notify_after_commit) -> None:
    send(recipients=recipients, kind=_("隐患"), title=title, body=body,
         url=reverse("hazards:hazard_detail", args=[hazard.pk]), subject=hazard)


def responsible_users(hazard: Hazard) -> list[User]:
    """Who rectifies: the named account, else the enterprise's active users."""
    if hazard.responsible_user_id:
        return [hazard.responsible_user]
    if hazard.enterprise_id:
        return list(User.objects.filter(scope_enterprise_id=hazard.enterprise_id, is_active=True))
    return []


def supervising_users(hazard: Hazard) -> list[User]:
    """Who supervises: the supervising unit's people, else the county's officers who may accept hazards."""
    if hazard.supervising_unit_id:
        return list(User.objects.filter(organization_id=hazard.supervising_unit_id, is_active=True))
    return list(
        User.objects.filter(
            scope_region_id=hazard.region_id[:6] + "000000", is_active=True,
            groups__permissions__codename="accept_hazard", groups__permissions__content_type__app_label="hazards",
        ).distinct()
    )


def _move(hazard: Hazard, *, action: str, actor: User | None, reason: str = "", changes: dict | None = None,
          data: dict | None = None) -> Hazard:
    before = stat_snapshot(Hazard._base_manager.select_for_update().get(pk=hazard.pk))
    moved = transition(hazard, workflow=WORKFLOW, action=action, actor=actor, reason=reason, changes=changes,
                       data=data)
    stat_move(before, stat_snapshot(moved))
    return moved


@transaction.atomic
def hazard_assign(*, hazard: Hazard, actor: User | None, deadline: datetime.date | None = None,
                  responsible_person: str | None = None, reason: str = "") -> Hazard:
    """下达整改 (or, for an enterprise's own hazard, start rectifying): a deadline is required from here on."""
    deadline = deadline or hazard.deadline
    if deadline is None:
        raise ValidationError({"deadline": _("下达整改须确定整改期限")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("整改期限不能早于今天")})
    changes: dict[str, Any] = {"deadline": deadline}
    if responsible_person:
        changes["responsible_person"] = responsible_person
    if hazard.overdue_since and deadline != hazard.deadline:
        changes["overdue_since"] = None
    moved = _move(hazard, action="assign", actor=actor, reason=reason, changes=changes)
    _tell(responsible_users(moved), moved,
          _("隐患 %(code)s 请于 %(deadline)s 前完成整改") % {"code": moved.code, "deadline": deadline}, reason)
    return moved


@transaction.atomic
def hazard_submit(*, hazard: Hazard, actor: User | None, measures: str = "", reason: str = "") -> Hazard:
    """提交验收: the rectifier reports the work done; they may not accept it themselves."""
    changes: dict[str, Any] = {"rectified_by": actor, "rectified_at": timezone.now()}
    if measures:
        changes["measures"] = measures
    moved = _move(hazard, action="submit", actor=actor, reason=reason, changes=changes)
    _tell(supervising_users(moved), moved, _("隐患 %(code)s 已整改，待验收") % {"code": moved.code}, reason)
    return moved


@transaction.atomic
def hazard_submit_for_enterprise(*, hazard: Hazard, actor: User | None, reason: str, measures: str = "",
                                 evidence: UploadedFile | None = None) -> Hazard:
    """提交验收（代企业操作）: the supervising officer reports the rectification of an enterprise that has no account,
    with a note (required) and optionally a photo or document as evidence; the timeline says it was done for the
    enterprise. The rectification stays the enterprise's (no `rectified_by`), so the officer may still accept it."""
    changes: dict[str, Any] = {"rectified_at": timezone.now()}
    if measures:
        changes["measures"] = measures
    data = on_behalf_data(actor=actor, owner=hazard, evidence=evidence)
    moved = _move(hazard, action="submit_for_enterprise", actor=actor, reason=reason, changes=changes, data=data)
    _tell(supervising_users(moved), moved, _("隐患 %(code)s 已整改（代企业提交），待验收") % {"code": moved.code},
          reason)
    return moved


@transaction.atomic
def hazard_accept(*, hazard: Hazard, actor: User | None, reason: str = "") -> Hazard:
    """验收销号 by someone other than the rectifier; a hazard under 挂牌督办 only by its supervising unit,
    and closing it delists it."""
    closed = _move(hazard, action="accept", actor=actor, reason=reason, changes={"closed_at": timezone.now()})
    _tell(responsible_users(closed), closed, _("隐患 %(code)s 已验收销号") % {"code": closed.code})
    if closed.is_supervised:
        closed = transition(closed, workflow=SUPERVISION_WORKFLOW, action="delist", actor=None,
                            reason=_("隐患销号，督办摘牌"), changes={"supervision_delisted_on": timezone.localdate()})
    return closed


@transaction.atomic
def hazard_reject(*, hazard: Hazard, actor: User | None, reason: str) -> Hazard:
    """验收不通过: back to rectifying, with the reason on record."""
    moved = _move(hazard, action="reject", actor=actor, reason=reason)
    _tell(responsible_users(moved), moved, _("隐患 %(code)s 验收未通过，请继续整改") % {"code": moved.code}, reason)
    return moved


ACTION_SERVICES = {"assign": hazard_assign, "submit": hazard_submit, "submit_for_enterprise": hazard_submit_for_enterprise,
                   "accept": hazard_accept, "reject": hazard_reject}


def hazard_act(*, hazard: Hazard, actor: User | None, action: str, reason: str = "", **fields: Any) -> Hazard:
    """One loop action by name, with the fields its row of `WORKFLOW` declares (pages, API, import)."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})
    return service(hazard=hazard, actor=actor, reason=reason, **fields)


def hazard_supervision_act(*, hazard: Hazard, actor: User | None, action: str, reason: str = "",
                           supervision_level: str = "", supervising_unit: Organization | None = None,
                           supervision_listed_on: datetime.date | None = None) -> Hazard:
    """挂牌督办 / 摘牌 by name, with the fields `SUPERVISION_WORKFLOW` declares."""
    if action == "list":
        return hazard_list_for_supervision(hazard=hazard, actor=actor, level=supervision_level,
                                           unit=supervising_unit, listed_on=supervision_listed_on, reason=reason)
    if action == "delist":
        return hazard_delist(hazard=hazard, actor=actor, reason=reason)
    raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})


@transaction.atomic
def hazard_list_for_supervision(
    *, hazard: Hazard, actor: User | None, level: str, unit: Organization, listed_on: datetime.date | None = None,
    reason: str = "",
) -> Hazard:
    """挂牌督办 a 重大隐患: the supervising level (市级/县级) and unit; from now on only that unit closes it."""
    if level not in SupervisionLevel.values:
        raise ValidationError({"supervision_level": _("请选择督办级别")})
    if unit is None:
        raise ValidationError({"supervising_unit": _("请选择督办单位")})
    if actor is not None and not Organization.objects.restrict(actor, "view").filter(pk=unit.pk).exists():
        raise PermissionDenied(_("督办单位不在您的管辖范围内。"))
    listed = transition(
        hazard, workflow=SUPERVISION_WORKFLOW, action="list", actor=actor, reason=reason,
        changes={"supervision_level": level, "supervising_unit": unit,
                 "supervision_listed_on": listed_on or timezone.localdate(), "supervision_delisted_on": None},
        data={"level": level, "unit": unit.name},
    )
    _tell(responsible_users(listed) + supervising_users(listed), listed,
          _("重大隐患 %(code)s 已由%(unit)s挂牌督办") % {"code": listed.code, "unit": unit.name}, reason)
    return listed


@transaction.atomic
def hazard_delist(*, hazard: Hazard, actor: User | None, reason: str = "") -> Hazard:
    """摘牌 a closed hazard that was listed (closing by the supervising unit does this itself)."""
    return transition(hazard, workflow=SUPERVISION_WORKFLOW, action="delist", actor=actor, reason=reason,
                      changes={"supervision_delisted_on": timezone.localdate()})


@transaction.atomic
def hazard_add_photo(*, hazard: Hazard, actor: User, uploaded_file: UploadedFile, kind: str) -> Attachment:
    """A photo before (整改前) or after (整改后) rectification, stored as an attachment of the hazard."""
    if kind not in PhotoKind.values:
        raise ValidationError(_("请选择照片类型（整改前/整改后）"))
    ensure_in_scope(actor, hazard)
    if hazard.status == HazardStatus.CLOSED:
        raise ValidationError(_("隐患已销号，办结后只读，不能再上传照片"))
    return attachment_store(actor=actor, uploaded_file=uploaded_file, owner=hazard, description=kind)


@transaction.atomic
def hazard_flag_overdue(*, hazard: Hazard, actor: User | None = None) -> bool:
    """Mark an open hazard past its deadline as overdue, once, and tell the responsible and supervising people.

    Returns False when there is nothing to do (closed, not due, already flagged), so a repeated sweep is harmless.
    """
    locked = Hazard._base_manager.select_for_update().get(pk=hazard.pk)
    today = timezone.localdate()
    if locked.status == HazardStatus.CLOSED or locked.overdue_since or not locked.deadline or locked.deadline >= today:
        return False
    before = stat_snapshot(locked)
    locked.overdue_since = timezone.now()
    save_with_history(locked, actor=actor, reason=_("整改逾期"))
    stat_move(before, stat_snapshot(locked))
    days = (today - locked.deadline).days
    # Stored in the sweep's own transaction, which commits with the flag.
    _tell(responsible_users(locked) + supervising_users(locked), locked,
          _("隐患 %(code)s 整改已逾期 %(days)d 天") % {"code": locked.code, "days": days},
          _("整改期限：%(deadline)s；隐患：%(text)s") % {"deadline": locked.deadline, "text": locked.description[:100]},
          send=notify)
    return True
