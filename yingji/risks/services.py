"""Every write to risk points goes through here; the grade is always computed, never taken from input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.notifications import notify_after_commit
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.core.workflow import transition
from yingji.risks.models import LEVEL_BY_NAME, Method, RiskLevelCount, RiskPoint, RiskPointStatus
from yingji.risks.states import WORKFLOW
from yingji.standards import risk

COMPUTED = ("risk_value", "level", "region", "region_id", "status", "review_reminded_for")


def assessment(fields: dict[str, Any]) -> dict[str, Any]:
    """The value and level that follow from the method and its inputs, and the other method's inputs cleared."""
    method = fields.get("method")
    if method == Method.LEC:
        values = [fields.get(name) for name in ("lec_l", "lec_e", "lec_c")]
        if any(v is None for v in values):
            raise ValidationError({"lec_l": _("采用LEC法时须选择L、E、C三项取值")})
        d = risk.lec_exact(*(str(v) for v in values))
        return {"matrix_l": None, "matrix_s": None, "risk_value": d.quantize(Decimal("0.01")),
                "level": LEVEL_BY_NAME[risk.lec_level(d)]}
    if method == Method.MATRIX:
        l_value, s_value = fields.get("matrix_l"), fields.get("matrix_s")
        if l_value is None or s_value is None:
            raise ValidationError({"matrix_l": _("采用风险矩阵法时须选择L、S两项取值")})
        try:
            r = risk.matrix_value(int(l_value), int(s_value))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"matrix_l": str(exc)}) from None
        return {"lec_l": None, "lec_e": None, "lec_c": None, "risk_value": Decimal(r),
                "level": LEVEL_BY_NAME[risk.matrix_level(int(l_value), int(s_value))]}
    raise ValidationError({"method": _("请选择评价方法")})


def _without_computed(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name not in COMPUTED}


@transaction.atomic
def risk_point_create(*, actor: User | None, **fields: Any) -> RiskPoint:
    """Register a risk point of an enterprise in the actor's reach; it lies in the enterprise's region."""
    fields = _without_computed(fields)
    enterprise = fields.get("enterprise")
    if enterprise is None:
        raise ValidationError({"enterprise": _("请选择所属企业")})
    fields.update(assessment(fields))
    point = scoped_create(RiskPoint, actor=actor, reason=_("登记风险点"), region=enterprise.region, **fields)
    _recount(None, point)
    return point


@transaction.atomic
def risk_point_update(*, risk_point: RiskPoint, actor: User | None, **fields: Any) -> RiskPoint:
    """Change a risk point; the grade is assessed again from the (new) inputs."""
    fields = _without_computed(fields)
    # The inputs not being changed, and the roll-up bucket, come from the locked stored row, not from the
    # caller's possibly stale copy.
    current = RiskPoint._base_manager.select_for_update().get(pk=risk_point.pk)
    merged = {name: getattr(current, name) for name in
              ("enterprise", "method", "lec_l", "lec_e", "lec_c", "matrix_l", "matrix_s")}
    merged.update(fields)
    fields.update(assessment(merged))
    fields["region"] = merged["enterprise"].region
    before = _counted(current)
    point = scoped_update(risk_point, actor=actor, reason=_("修改风险点"), **fields)
    _recount(before, point)
    return point


@transaction.atomic
def risk_point_change_status(*, risk_point: RiskPoint, actor: User | None, action: str, reason: str) -> RiskPoint:
    """停用 / 重新启用 a risk point, with the reason on its timeline."""
    before = _counted(RiskPoint._base_manager.select_for_update().get(pk=risk_point.pk))
    point = transition(risk_point, workflow=WORKFLOW, action=action, actor=actor, reason=reason)
    _recount(before, point)
    return point


# The roll-up (RiskLevelCount) -----------------------------------------------------------------------------
# Every service above moves a point between (enterprise, region, level) buckets in its own transaction, so the
# statistics never scan the risk points themselves.

Bucket = tuple[int, str, str]


def _counted(point: RiskPoint) -> Bucket | None:
    if point.status != RiskPointStatus.ACTIVE:
        return None
    return (point.enterprise_id, point.region_id, point.level)


def _recount(before: Bucket | None, point: RiskPoint) -> None:
    after = _counted(point)
    if before == after:
        return
    if before is not None:
        _bump(before, -1)
    if after is not None:
        _bump(after, 1)


def _bump(bucket: Bucket, delta: int) -> None:
    enterprise_id, region_id, level = bucket
    rows = RiskLevelCount.objects.filter(enterprise_id=enterprise_id, level=level)
    # An increment in SQL, so two concurrent writers cannot lose one another's change.
    if rows.update(total=F("total") + delta, region_id=region_id):
        return
    try:
        with transaction.atomic():
            RiskLevelCount.objects.create(enterprise_id=enterprise_id, region_id=region_id, level=level, total=delta)
    except IntegrityError:  # created by a concurrent writer since the update above
        rows.update(total=F("total") + delta, region_id=region_id)


@transaction.atomic
def rebuild_level_counts() -> int:
    """Recount the roll-up from the risk points (after a bulk load, or to repair it); returns the rows written."""
    RiskLevelCount.objects.all().delete()
    rows = (
        RiskPoint._base_manager.filter(status=RiskPointStatus.ACTIVE)
        .values("enterprise_id", "region_id", "level")
        .annotate(total=Count("pk"))
        .order_by()
    )
    created = RiskLevelCount.objects.bulk_create(
        (RiskLevelCount(enterprise_id=r["enterprise_id"], region_id=r["region_id"], level=r["level"],
                        total=r["total"]) for r in rows.iterator()),
        batch_size=5000,
    )
    return len(created)


def risk_point_remind_review(*, risk_point: RiskPoint) -> RiskPoint:
    """Tell the enterprise's users that a risk point's review is overdue, once per review date.

    Call inside a transaction with the row locked (the sweeper does); the notification is stored on commit.
    """
    from django.urls import reverse

    risk_point.review_reminded_for = risk_point.next_review
    save_with_history(risk_point, actor=None, reason=_("评审逾期提醒"))
    notify_after_commit(recipients=risk_point.enterprise.users.filter(is_active=True), kind=_("风险点评审"),
                        title=_("风险点“%(name)s”评审已逾期（应于 %(date)s 前评审）")
                        % {"name": risk_point.name, "date": risk_point.next_review.isoformat()},
                        body=_("请重新评价该风险点并更新下次评审日期。"),
                        url=reverse("risks:riskpoint_detail", args=[risk_point.pk]), subject=risk_point)
    return risk_point
