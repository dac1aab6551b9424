"""Major hazard sources (重大危险源) and their chemicals: registration and GB 18218 identification and grading."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import User
from yingji.core.scoping import ensure_in_scope, ensure_perm
from yingji.core.services import save_with_history, scoped_create, scoped_update
from yingji.monitoring.models import HazardGradeChange, HazardSourceChemical, MajorHazardSource
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
