"""Risk points (风险点) of an enterprise, graded by LEC or the risk matrix (yingji.standards.risk)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, phone_validator
from yingji.core.scoping import ScopedQuerySet
from yingji.standards import risk


class RiskKind(models.TextChoices):
    EQUIPMENT = "equipment", _("设备设施")
    ACTIVITY = "activity", _("作业活动")
    AREA = "area", _("场所区域")


class Method(models.TextChoices):
    LEC = "lec", _("LEC法（作业条件危险性评价法）")
    MATRIX = "matrix", _("风险矩阵法（L×S）")


class RiskLevel(models.TextChoices):
    MAJOR = "major", _("重大风险")
    LARGER = "larger", _("较大风险")
    GENERAL = "general", _("一般风险")
    LOW = "low", _("低风险")


# The standards module speaks in the four Chinese level names; the database in stable keys.
LEVEL_BY_NAME = {risk.MAJOR: RiskLevel.MAJOR, risk.LARGER: RiskLevel.LARGER, risk.GENERAL: RiskLevel.GENERAL,
                 risk.LOW: RiskLevel.LOW}
NAME_BY_LEVEL = {value: name for name, value in LEVEL_BY_NAME.items()}
LEVEL_COLORS = {value: risk.COLORS[name] for name, value in LEVEL_BY_NAME.items()}
LEVEL_COLOR_NAMES = {value: risk.COLOR_NAMES[name] for name, value in LEVEL_BY_NAME.items()}
# Most severe first: the order of legends, charts and "worst level" comparisons.
LEVEL_ORDER = [RiskLevel.MAJOR, RiskLevel.LARGER, RiskLevel.GENERAL, RiskLevel.LOW]


class ControlLevel(models.TextChoices):
    COMPANY = "company", _("公司级")
    WORKSHOP = "workshop", _("车间级")
    TEAM = "team", _("班组级")
    POST = "post", _("岗位级")


class RiskPointStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    RETIRED = "retired", _("已停用")


def _decimal_choices(table: tuple[tuple[str, str], ...]) -> list[tuple[Decimal, str]]:
    # One decimal place, as the column stores it, so a saved value matches its choice when shown again.
    return [(Decimal(value).quantize(Decimal("0.1")), f"{value} — {text}") for value, text in table]


LEC_L_CHOICES = _decimal_choices(risk.LEC_L_TABLE)
LEC_E_CHOICES = _decimal_choices(risk.LEC_E_TABLE)
LEC_C_CHOICES = _decimal_choices(risk.LEC_C_TABLE)
MATRIX_L_CHOICES = [(value, f"{value} — {text}") for value, text in risk.MATRIX_L_TABLE]
MATRIX_S_CHOICES = [(value, f"{value} — {text}") for value, text in risk.MATRIX_S_TABLE]

# How far a risk point may lie from the enterprise's registered position: large plants and mines span a few km.
SITE_RADIUS_KM = 3

# (field, label) of the five kinds of control measures (管控措施).
MEASURE_FIELDS = [
    ("measure_engineering", _("工程技术措施")),
    ("measure_management", _("管理措施")),
    ("measure_training", _("培训教育措施")),
    ("measure_protection", _("个体防护措施")),
    ("measure_emergency", _("应急处置措施")),
]


class RiskPoint(models.Model):
    """A risk point of an enterprise: where it is, how it was assessed, and how it is controlled.

    The value and level are computed by the service from the method's inputs, never entered.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.CASCADE, related_name="risk_points"
    )
    # Indexed by the composite indexes below, which all start with the region.
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False, db_index=False)
    name = models.CharField(_("风险点名称"), max_length=100)
    place = models.CharField(_("所在位置"), max_length=200)
    kind = models.CharField(_("风险点类型"), max_length=20, choices=RiskKind.choices)
    method = models.CharField(_("评价方法"), max_length=10, choices=Method.choices)
    lec_l = models.DecimalField(_("L 事故发生可能性"), max_digits=5, decimal_places=1, null=True, blank=True,
                                choices=LEC_L_CHOICES)
    lec_e = models.DecimalField(_("E 暴露频繁程度"), max_digits=5, decimal_places=1, null=True, blank=True,
                                choices=LEC_E_CHOICES)
    lec_c = models.DecimalField(_("C 后果严重程度"), max_digits=5, decimal_places=1, null=True, blank=True,
                                choices=LEC_C_CHOICES)
    matrix_l = models.PositiveSmallIntegerField(_("L 可能性"), null=True, blank=True, choices=MATRIX_L_CHOICES)
    matrix_s = models.PositiveSmallIntegerField(_("S 严重性"), null=True, blank=True, choices=MATRIX_S_CHOICES)
    risk_value = models.DecimalField(_("风险值（D/R）"), max_digits=9, decimal_places=2, editable=False)
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, editable=False)
    measure_engineering = models.TextField(_("工程技术措施"), blank=True)
    measure_management = models.TextField(_("管理措施"), blank=True)
    measure_training = models.TextField(_("培训教育措施"), blank=True)
    measure_protection = models.TextField(_("个体防护措施"), blank=True)
    measure_emergency = models.TextField(_("应急处置措施"), blank=True)
    control_level = models.CharField(_("管控层级"), max_length=10, choices=ControlLevel.choices)
    responsible_person = models.CharField(_("责任人"), max_length=50)
    responsible_phone = models.CharField(_("责任人电话"), max_length=30, validators=[phone_validator])
    next_review = models.DateField(_("下次评审日期"))
    longitude = models.FloatField(_("经度"), null=True, blank=True,
                                  validators=[MinValueValidator(73), MaxValueValidator(136)])
    latitude = models.FloatField(_("纬度"), null=True, blank=True,
                                 validators=[MinValueValidator(3), MaxValueValidator(54)])
    # The review date the keepers were last reminded of; a new date brings a new reminder.
    review_reminded_for = models.DateField(_("已提醒的评审日期"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=RiskPointStatus.choices,
                              default=RiskPointStatus.ACTIVE, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["region_id", "enterprise_id", "name"]
        indexes = [
            # The scope range and the list's ORDER BY in one index scan, without sorting the county's rows.
            models.Index(fields=["region", "enterprise", "name"], name="risks_region_order"),
            models.Index(fields=["region", "level"], name="risks_region_level"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="risk_point_unique_name",
                                    violation_error_message=_("该企业已有同名风险点")),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True, latitude__isnull=True)
                | Q(longitude__isnull=False, latitude__isnull=False),
                name="risk_point_coordinates_pair",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_color(self) -> str:
        return LEVEL_COLORS.get(self.level, "#999999")

    @property
    def level_color_name(self) -> str:
        return LEVEL_COLOR_NAMES.get(self.level, "")

    @property
    def review_overdue(self) -> bool:
        return self.status == RiskPointStatus.ACTIVE and self.next_review < timezone.localdate()

    @property
    def measures(self) -> list[tuple[str, str]]:
        return [(str(label), getattr(self, name)) for name, label in MEASURE_FIELDS if getattr(self, name)]

    @property
    def inputs_display(self) -> str:
        if self.method == Method.LEC:
            return f"L={_plain(self.lec_l)}，E={_plain(self.lec_e)}，C={_plain(self.lec_c)}"
        return f"L={self.matrix_l}，S={self.matrix_s}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.method == Method.LEC:
            for name in ("lec_l", "lec_e", "lec_c"):
                if getattr(self, name) is None:
                    errors[name] = _("采用LEC法时须选择L、E、C三项取值")
        elif self.method == Method.MATRIX:
            for name in ("matrix_l", "matrix_s"):
                if getattr(self, name) is None:
                    errors[name] = _("采用风险矩阵法时须选择L、S两项取值")
        if not any(getattr(self, name, "").strip() for name, _label in MEASURE_FIELDS):
            errors["measure_engineering"] = _("至少填写一类管控措施")
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude" if self.latitude is None else "longitude"] = _("经度和纬度应同时填写")
        elif self.longitude is not None and not self._near_the_enterprise():
            errors["longitude"] = _("风险点应位于企业厂区内（距企业登记位置不超过%(km)s公里）") % {"km": SITE_RADIUS_KM}
        if errors:
            raise ValidationError(errors)

    def _near_the_enterprise(self) -> bool:
        enterprise = self.enterprise if self.enterprise_id else None
        if enterprise is None or enterprise.longitude is None:
            return True
        # An equirectangular distance is exact enough at the scale of a plant site.
        dx = (self.longitude - enterprise.longitude) * 111.32 * math.cos(math.radians(enterprise.latitude))
        dy = (self.latitude - enterprise.latitude) * 110.57
        return math.hypot(dx, dy) <= SITE_RADIUS_KM


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


class RiskLevelCount(models.Model):
    """Active risk points of one enterprise at one level: the roll-up the region statistics and maps read.

    Kept current by the risk point services in the same transaction as the change (and rebuilt from the risk
    points by `rebuild_level_counts`). It is derived data, not a record anyone edits, so it has no history of
    its own: the risk points' history is the audit trail.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    total = models.IntegerField(_("在用风险点数"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("风险点分级计数")
        verbose_name_plural = _("风险点分级计数")
        constraints = [models.UniqueConstraint(fields=["enterprise", "level"], name="risk_level_count_unique")]
        indexes = [models.Index(fields=["region", "level", "enterprise", "total"], name="risks_count_region_level")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.level} {self.total}"
