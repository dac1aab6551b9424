"""Hazards (事故隐患) and the closed loop 发现 → 整改 → 验收 → 销号 (国家安监总局令第16号)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Organization, Region, User
from yingji.core.scoping import ScopedQuerySet


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("已上报")
    RECTIFYING = "rectifying", _("整改中")
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待验收")
    CLOSED = "closed", _("已销号")


STATUS_COLORS = {
    HazardStatus.REPORTED: "#d62728",
    HazardStatus.RECTIFYING: "#ff7f0e",
    HazardStatus.AWAITING_ACCEPTANCE: "#1f77b4",
    HazardStatus.CLOSED: "#2ca02c",
}


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class HazardSource(models.TextChoices):
    SELF_CHECK = "self_check", _("企业自查")
    DEPARTMENT_CHECK = "department_check", _("部门检查")
    ENFORCEMENT = "enforcement", _("执法检查")
    COVERT = "covert", _("暗查暗访")
    PUBLIC_REPORT = "public_report", _("群众举报")
    SPECIAL_CAMPAIGN = "special_campaign", _("专项整治")


# Found by the government rather than the enterprise itself: the "部门执法发现" share of the bureaus' reports.
ENFORCEMENT_SOURCES = (
    HazardSource.DEPARTMENT_CHECK, HazardSource.ENFORCEMENT, HazardSource.COVERT, HazardSource.SPECIAL_CAMPAIGN,
)


class HazardCategory(models.TextChoices):
    BASIC_MANAGEMENT = "basic_management", _("基础管理")
    EQUIPMENT = "equipment", _("设备设施")
    WORK_ENVIRONMENT = "work_environment", _("作业环境")
    HAZCHEM = "hazchem", _("危险化学品")
    FIRE = "fire", _("消防安全")
    ELECTRICAL = "electrical", _("用电安全")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    OTHER = "other", _("其他")


class SupervisionStatus(models.TextChoices):
    NONE = "none", _("未挂牌")
    LISTED = "listed", _("挂牌督办中")
    DELISTED = "delisted", _("已摘牌")


class SupervisionLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class PhotoKind(models.TextChoices):
    BEFORE = "整改前照片", _("整改前照片")
    AFTER = "整改后照片", _("整改后照片")


# 重大事故隐患治理方案 (令第16号 第十五条): all six parts are required before rectification starts.
PLAN_FIELDS = (
    "plan_objectives", "plan_methods", "plan_funds_materials", "plan_organization", "plan_time_limits",
    "plan_safety_measures",
)


class HazardCounter(models.Model):
    """The last sequence number given out per county and year, locked while a code is generated."""

    county_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_code", "year"], name="hazard_counter_unique")]

    def __str__(self) -> str:
        return f"{self.county_code}-{self.year}: {self.last}"


class Hazard(models.Model):
    """One 事故隐患, in an enterprise or (without one) in a public place."""

    code = models.CharField(_("隐患编号"), max_length=24, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="hazards",
    )
    # Copied from the enterprise at creation so statistics group by it without a join.
    enterprise_category = models.CharField(_("企业监管类别"), max_length=30, blank=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("隐患描述"))
    place = models.CharField(_("隐患部位/地点"), max_length=200)
    category = models.CharField(_("隐患类别"), max_length=30, choices=HazardCategory.choices)
    level = models.CharField(_("隐患级别"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    source = models.CharField(_("隐患来源"), max_length=20, choices=HazardSource.choices)
    found_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    found_by_name = models.CharField(_("发现人"), max_length=50, blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    responsible_unit = models.CharField(_("整改责任单位"), max_length=100, blank=True)
    responsible_person = models.CharField(_("整改责任人"), max_length=50, blank=True)
    responsible_user = models.ForeignKey(
        User, verbose_name=_("责任人账号"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("责任人有平台账号时选择，逾期提醒将发送给此人"),
    )
    measures = models.TextField(_("整改措施"), blank=True)
    funds = models.DecimalField(
        _("整改资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=HazardStatus.choices, default=HazardStatus.REPORTED, editable=False
    )
    rectified_by = models.ForeignKey(
        User, verbose_name=_("整改提交人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    overdue_since = models.DateTimeField(_("逾期标记时间"), null=True, blank=True, editable=False)

    plan_objectives = models.TextField(_("治理的目标和任务"), blank=True)
    plan_methods = models.TextField(_("采取的方法和措施"), blank=True)
    plan_funds_materials = models.TextField(_("经费和物资的落实"), blank=True)
    plan_organization = models.TextField(_("负责治理的机构和人员"), blank=True)
    plan_time_limits = models.TextField(_("治理的时限和要求"), blank=True)
    plan_safety_measures = models.TextField(_("安全措施和应急预案"), blank=True)

    supervision_status = models.CharField(
        _("挂牌督办"), max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.NONE,
        editable=False,
    )
    supervision_level = models.CharField(
        _("督办级别"), max_length=10, choices=SupervisionLevel.choices, blank=True, editable=False
    )
    supervising_unit = models.ForeignKey(
        Organization, verbose_name=_("督办单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    supervision_listed_on = models.DateField(_("挂牌日期"), null=True, blank=True, editable=False)
    supervision_delisted_on = models.DateField(_("摘牌日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_at", "-id"]
        permissions = [
            ("assign_hazard", "下达整改"),
            ("accept_hazard", "验收销号"),
            ("supervise_hazard", "挂牌督办"),
        ]
        indexes = [
            # Scoped lists newest first and the period statistics: a region range plus a time range.
            models.Index(fields=["region", "found_at"], name="hazard_region_found"),
            models.Index(fields=["enterprise", "found_at"], name="hazard_enterprise_found"),
            # Covering (PostgreSQL): the statistics count the partial months at a period's ends from the index alone.
            models.Index(fields=["found_at"], name="hazard_found",
                         include=["region", "enterprise", "level", "source", "enterprise_category", "status",
                                  "overdue_since"]),
            # The overdue sweep: open hazards with a deadline not yet flagged.
            models.Index(fields=["deadline"], name="hazard_overdue_due",
                         condition=models.Q(overdue_since__isnull=True) & ~models.Q(status="closed")),
            models.Index(fields=["level", "status"], name="hazard_level_status"),
        ]

    def __str__(self) -> str:
        return self.code or str(_("新隐患"))

    @property
    def status_color(self) -> str:
        return STATUS_COLORS.get(self.status, "#555555")

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_supervised(self) -> bool:
        return self.supervision_status == SupervisionStatus.LISTED

    @property
    def plan_complete(self) -> bool:
        return all((getattr(self, name) or "").strip() for name in PLAN_FIELDS)

    def missing_plan_parts(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in PLAN_FIELDS
                if not (getattr(self, name) or "").strip()]

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level not in ("village", "township"):
            errors["region"] = _("所在区划应选择到乡镇（街道）或村（社区）一级")
        if self.enterprise_id and self.region_id and self.enterprise.region_id != self.region_id:
            errors["region"] = _("企业隐患的所在区划应与企业所在区划一致")
        if self.deadline and self.found_at and self.deadline < timezone.localtime(self.found_at).date():
            errors["deadline"] = _("整改期限不能早于发现时间")
        if self.found_at and self.found_at > timezone.now() + FOUND_AT_SKEW:
            errors["found_at"] = _("发现时间不能晚于当前时间")
        if errors:
            raise ValidationError(errors)


# A device clock a few minutes ahead still registers its hazard; a discovery "in 2030" does not.
FOUND_AT_SKEW = datetime.timedelta(minutes=10)


class StatDimension(models.TextChoices):
    LEVEL = "level", _("隐患级别")
    SOURCE = "source", _("隐患来源")
    CATEGORY = "category", _("企业监管类别")
    ENTERPRISE = "enterprise", _("企业")
    # One row per enterprise and year (month = 1 January): the year-to-date ranking reads ~10,000 rows, not
    # one per enterprise and month.
    ENTERPRISE_YEAR = "ent_year", _("企业（全年）")


class HazardStat(models.Model):
    """Monthly roll-up of hazards per township, one dimension at a time, kept current by the services.

    A row counts the hazards found in `month` in `region` (a township) whose `dimension` has value `key`, how many
    of them are closed and how many are overdue and open. Period statistics read these few thousand rows for whole
    months instead of scanning millions of hazards; `rebuild_statistics()` recomputes them.
    """

    month = models.DateField(_("月份"))
    region = models.ForeignKey(Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(_("维度"), max_length=12, choices=StatDimension.choices)
    key = models.CharField(_("取值"), max_length=30)
    found = models.IntegerField(_("发现"), default=0)
    closed = models.IntegerField(_("已销号"), default=0)
    overdue = models.IntegerField(_("逾期未改"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("隐患统计")
        verbose_name_plural = _("隐患统计")
        constraints = [models.UniqueConstraint(fields=["month", "region", "dimension", "key"],
                                               name="hazard_stat_unique")]
        # Covering on PostgreSQL: a period's sums are read from the index alone.
        indexes = [models.Index(fields=["dimension", "month", "region"], name="hazard_stat_lookup",
                                include=["key", "found", "closed", "overdue"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} {self.dimension}={self.key}: {self.found}"
