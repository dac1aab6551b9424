from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, phone_validator
from yingji.core.scoping import ScopedQuerySet
from yingji.standards import uscc


def validate_credit_code(value: str) -> None:
    problem = uscc.problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")


# GB/T 4754-2017: a section letter A-T, then the division (2 digits), group (3) or class (4).
industry_code_validator = RegexValidator(
    r"^[A-T](\d{2}|\d{3}|\d{4})?$", _("行业代码应为 GB/T 4754 门类字母加2至4位数字，如 C2614")
)


class Category(models.TextChoices):
    HAZCHEM_PRODUCTION = "hazchem_production", _("危险化学品生产")
    HAZCHEM_TRADE = "hazchem_trade", _("危险化学品经营")
    HAZCHEM_USE = "hazchem_use", _("危险化学品使用")
    NON_COAL_MINE = "non_coal_mine", _("非煤矿山")
    FIREWORKS = "fireworks", _("烟花爆竹")
    METALLURGY = "metallurgy", _("冶金")
    NONFERROUS = "nonferrous", _("有色")
    BUILDING_MATERIALS = "building_materials", _("建材")
    MACHINERY = "machinery", _("机械")
    LIGHT_INDUSTRY = "light_industry", _("轻工")
    TEXTILE = "textile", _("纺织")
    TOBACCO = "tobacco", _("烟草")
    COMMERCE = "commerce", _("商贸")
    OTHER = "other", _("其他")


CATEGORY_COLORS = {
    Category.HAZCHEM_PRODUCTION: "#d62728",
    Category.HAZCHEM_TRADE: "#ff7f0e",
    Category.HAZCHEM_USE: "#e377c2",
    Category.NON_COAL_MINE: "#8c564b",
    Category.FIREWORKS: "#bcbd22",
    Category.METALLURGY: "#1f77b4",
    Category.NONFERROUS: "#17becf",
    Category.BUILDING_MATERIALS: "#7f7f7f",
    Category.MACHINERY: "#2ca02c",
    Category.LIGHT_INDUSTRY: "#9467bd",
    Category.TEXTILE: "#aec7e8",
    Category.TOBACCO: "#98df8a",
    Category.COMMERCE: "#ffbb78",
    Category.OTHER: "#555555",
}


class ScaleType(models.TextChoices):
    ABOVE = "above", _("规模以上")
    BELOW = "below", _("规模以下")


class Size(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class SupervisionClass(models.TextChoices):
    """甲类 enterprises are supervised by the city bureau, 乙类 by the county bureau."""

    A = "A", _("甲类（市级监管）")
    B = "B", _("乙类（县级监管）")


class Status(models.TextChoices):
    OPERATING = "operating", _("在产")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭")


# How the bureau supervises an enterprise, and who it is: kept by the bureau, never by the enterprise's own users.
BUREAU_KEPT_FIELDS = ("name", "credit_code", "region", "category", "supervision_class", "status")


class Enterprise(models.Model):
    """一企一档: the basic record of a supervised enterprise."""

    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("该统一社会信用代码已登记")},
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="enterprises",
        limit_choices_to={"level": "village"},
    )
    address = models.CharField(_("详细地址"), max_length=200)
    longitude = models.FloatField(
        _("经度"), null=True, blank=True, validators=[MinValueValidator(73), MaxValueValidator(136)]
    )
    latitude = models.FloatField(_("纬度"), null=True, blank=True, validators=[MinValueValidator(3), MaxValueValidator(54)])
    industry_code = models.CharField(_("行业代码"), max_length=5, validators=[industry_code_validator])
    industry_name = models.CharField(_("行业名称"), max_length=100)
    category = models.CharField(_("监管类别"), max_length=30, choices=Category.choices, db_index=True)
    scale_type = models.CharField(_("规模类型"), max_length=10, choices=ScaleType.choices)
    size = models.CharField(_("企业规模"), max_length=10, choices=Size.choices)
    supervision_class = models.CharField(_("监管分级"), max_length=1, choices=SupervisionClass.choices)
    legal_representative = models.CharField(_("法定代表人"), max_length=50)
    legal_representative_phone = models.CharField(
        _("法定代表人电话"), max_length=30, blank=True, validators=[phone_validator]
    )
    principal = models.CharField(_("主要负责人"), max_length=50)
    principal_phone = models.CharField(_("主要负责人电话"), max_length=30, validators=[phone_validator])
    safety_director = models.CharField(_("安全负责人"), max_length=50, blank=True)
    safety_director_phone = models.CharField(_("安全负责人电话"), max_length=30, blank=True, validators=[phone_validator])
    employee_count = models.PositiveIntegerField(_("从业人数"), validators=[MaxValueValidator(10_000_000)])
    # Changed only by the moves of `states.WORKFLOW` (责令停产 / 恢复生产 / 关闭取缔).
    status = models.CharField(_("生产状态"), max_length=10, choices=Status.choices, default=Status.OPERATING,
                              editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "pk"

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["region", "category"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(longitude__isnull=True, latitude__isnull=True)
                | Q(longitude__isnull=False, latitude__isnull=False),
                name="enterprise_coordinates_pair",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def category_color(self) -> str:
        return CATEGORY_COLORS.get(self.category, "#555555")

    @property
    def supervising_level(self) -> str:
        return _("市级") if self.supervision_class == SupervisionClass.A else _("县级")

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level != "village":
            errors["region"] = _("所在区划应选择到村（社区）一级")
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude" if self.latitude is None else "longitude"] = _("经度和纬度应同时填写")
        if errors:
            raise ValidationError(errors)
