"""Emergency resources: rescue teams, warehouses and their stock ledger, shelters, experts and other points."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, User, phone_validator
from yingji.core.scoping import ScopedQuerySet, SharedDownward
from yingji.standards.accident import DEFAULT_AREA_PER_PERSON, shelter_capacity

LONGITUDE_VALIDATORS = [MinValueValidator(73), MaxValueValidator(136)]
LATITUDE_VALIDATORS = [MinValueValidator(3), MaxValueValidator(54)]


def amount_text(value: Decimal | int) -> str:
    """A quantity as people write it: 30, 2.5 (never 3E+1 or 30.00)."""
    text = format(Decimal(value).normalize(), "f")
    return text


class Located(models.Model):
    """A resource with a place on the map; (latitude, longitude) is indexed for the nearest-resource search."""

    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.FloatField(_("经度"), validators=LONGITUDE_VALIDATORS)
    latitude = models.FloatField(_("纬度"), validators=LATITUDE_VALIDATORS)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        abstract = True


class TeamKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合")
    PROFESSIONAL = "professional", _("专业")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL = "social", _("社会")
    VOLUNTEER = "volunteer", _("志愿")


class TeamStatus(models.TextChoices):
    STANDBY = "standby", _("待命")
    DEPLOYED = "deployed", _("出动")
    RESTING = "resting", _("休整")


TEAM_STATUS_COLORS = {TeamStatus.STANDBY: "#2ca02c", TeamStatus.DEPLOYED: "#d62728", TeamStatus.RESTING: "#7f7f7f"}


class RescueTeam(Located):
    name = models.CharField(_("队伍名称"), max_length=100, db_index=True)
    kind = models.CharField(_("队伍类型"), max_length=20, choices=TeamKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    specialty = models.CharField(_("专业方向"), max_length=100, blank=True)
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    member_count = models.PositiveIntegerField(_("队员人数"), default=0, validators=[MaxValueValidator(100_000)])
    equipment = models.TextField(_("主要装备"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TeamStatus.choices, default=TeamStatus.STANDBY,
                              editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("救援队伍")
        verbose_name_plural = _("救援队伍")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"]), models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def status_color(self) -> str:
        return TEAM_STATUS_COLORS.get(self.status, "#555")


class TeamMember(models.Model):
    team = models.ForeignKey(RescueTeam, verbose_name=_("所属队伍"), on_delete=models.CASCADE, related_name="members")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    certificates = models.CharField(_("资格证书"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team_id", "pk"]

    def __str__(self) -> str:
        return self.name


class WarehouseLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")


class Warehouse(Located):
    name = models.CharField(_("仓库名称"), max_length=100, db_index=True)
    level = models.CharField(_("仓库级别"), max_length=10, choices=WarehouseLevel.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    manager = models.CharField(_("管理人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    area_m2 = models.PositiveIntegerField(_("库房面积（m²）"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物资仓库")
        verbose_name_plural = _("物资仓库")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name


class MaterialCategory(models.TextChoices):
    RESCUE = "rescue", _("抢险救援")
    LIVING = "living", _("生活保障")
    MEDICAL = "medical", _("医疗防疫")
    PROTECTION = "protection", _("个体防护")
    FLOOD = "flood", _("防汛抗旱")
    FIRE = "fire", _("森林防灭火")
    OTHER = "other", _("其他")


class Material(SharedDownward, models.Model):
    """An entry of the material catalogue, kept by a bureau (`region`) and shared downwards.

    Every bureau, warehouse and enterprise at or below the owner reads and stocks it; only the owner's jurisdiction
    changes it. A code names one material across the deployment (stock figures roll up by it), so codes are unique
    for everyone: a county adds its own entries under new codes.
    """

    code = models.CharField(_("物资编码"), max_length=30, unique=True,
                            error_messages={"unique": _("该物资编码已存在")})
    region = models.ForeignKey(Region, verbose_name=_("维护单位所在区划"), on_delete=models.PROTECT,
                               related_name="+", editable=False)
    name = models.CharField(_("物资名称"), max_length=100)
    category = models.CharField(_("物资类别"), max_length=20, choices=MaterialCategory.choices)
    specification = models.CharField(_("规格型号"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=10)
    shelf_life_days = models.PositiveIntegerField(_("保质期（天）"), null=True, blank=True,
                                                  help_text=_("不填表示无保质期"))
    minimum_stock = models.DecimalField(_("每库最低储备"), max_digits=14, decimal_places=2, default=0,
                                        validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资目录")
        verbose_name_plural = _("物资目录")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class StockBalance(models.Model):
    """What a warehouse holds of one material batch; written only by the ledger services, never negative."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="balances")
    material = models.ForeignKey(Material, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(_("批次"), max_length=40, blank=True)
    expiry_date = models.DateField(_("失效日期"), null=True, blank=True)
    quantity = models.DecimalField(_("库存数量"), max_digits=14, decimal_places=2, default=0)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["warehouse_id", "material_id", "expiry_date", "batch"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "material", "batch"], name="stock_balance_unique_batch"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["material", "warehouse"]), models.Index(fields=["expiry_date"])]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.material.name} {self.batch}".strip()


class StockMinimum(models.Model):
    """The minimum a particular warehouse must hold of a material, overriding the catalogue's default for it.

    A township store and the city's central store need different reserves; 0 here means "no minimum in this store".
    """

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.CASCADE, related_name="minimums")
    material = models.ForeignKey(Material, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    minimum = models.DecimalField(_("最低储备"), max_digits=14, decimal_places=2,
                                  validators=[MinValueValidator(0)])
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("仓库最低储备")
        verbose_name_plural = _("仓库最低储备")
        ordering = ["warehouse_id", "material_id"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "material"], name="stock_minimum_unique"),
                       models.CheckConstraint(condition=Q(minimum__gte=0), name="stock_minimum_not_negative")]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.material.name} 最低储备"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    ISSUE = "issue", _("出库")
    TRANSFER_OUT = "transfer_out", _("调拨出库")
    TRANSFER_IN = "transfer_in", _("调拨入库")
    STOCKTAKE = "stocktake", _("盘点调整")


class StockMovement(models.Model):
    """One line of the stock ledger: an immutable record of a change to one balance, with its document."""

    kind = models.CharField(_("类型"), max_length=20, choices=MovementKind.choices)
    document_number = models.CharField(_("单据号"), max_length=40, db_index=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="movements")
    material = models.ForeignKey(Material, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(_("批次"), max_length=40, blank=True)
    expiry_date = models.DateField(_("失效日期"), null=True, blank=True)
    quantity = models.DecimalField(_("变动数量"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("变动后结存"), max_digits=14, decimal_places=2)
    counterpart = models.CharField(_("来源/去向"), max_length=200, blank=True)
    purpose = models.CharField(_("用途/说明"), max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["warehouse", "material", "at"])]

    def __str__(self) -> str:
        return f"{self.document_number} {self.get_kind_display()} {self.material.name} {self.quantity}"


class ReminderKind(models.TextChoices):
    LOW_STOCK = "low_stock", _("低于最低储备")
    EXPIRING = "expiring", _("临近失效")
    EXPIRED = "expired", _("已失效")


class StockReminder(models.Model):
    """A standing reminder raised once by the sweep and closed when the condition clears."""

    kind = models.CharField(_("提醒类型"), max_length=20, choices=ReminderKind.choices)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("仓库"), on_delete=models.CASCADE, related_name="reminders")
    material = models.ForeignKey(Material, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(_("批次"), max_length=40, blank=True)
    detail = models.CharField(_("说明"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提醒时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("库存提醒")
        verbose_name_plural = _("库存提醒")
        ordering = ["-raised_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "warehouse", "material", "batch"],
                                               condition=Q(resolved_at__isnull=True), name="stock_reminder_one_open")]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.material.name}：{self.get_kind_display()}"


class ShelterKind(models.TextChoices):
    EMERGENCY = "emergency", _("紧急避难场所")
    FIXED = "fixed", _("固定避难场所")
    CENTER = "center", _("中心避难场所")


def area_per_person_for(kind: str) -> Decimal:
    """Per-person area of a shelter kind: settings.SHELTER_AREA_PER_PERSON overrides the 1.5 m² of GB 21734 §5.4."""
    configured = getattr(settings, "SHELTER_AREA_PER_PERSON", {}) or {}
    return Decimal(str(configured.get(kind, DEFAULT_AREA_PER_PERSON)))


class Shelter(Located):
    name = models.CharField(_("场所名称"), max_length=100, db_index=True)
    kind = models.CharField(_("场所类型"), max_length=20, choices=ShelterKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    effective_area_m2 = models.PositiveIntegerField(_("有效避难面积（m²）"), validators=[MaxValueValidator(10_000_000)])
    capacity = models.PositiveIntegerField(_("容纳人数"), editable=False, default=0)
    occupancy = models.PositiveIntegerField(_("当前安置人数"), default=0)
    facilities = models.CharField(_("配套设施"), max_length=300, blank=True)
    manager = models.CharField(_("管理人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("避难场所")
        verbose_name_plural = _("避难场所")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def free_capacity(self) -> int:
        return max(self.capacity - self.occupancy, 0)

    @property
    def occupancy_rate(self) -> float:
        return self.occupancy / self.capacity if self.capacity else 0.0

    def clean(self) -> None:
        if self.kind and self.effective_area_m2 is not None:
            self.capacity = shelter_capacity(self.effective_area_m2, area_per_person_for(self.kind))
        if self.occupancy is not None and self.occupancy > self.capacity:
            raise ValidationError({"occupancy": _("安置人数不能超过容纳人数（%(n)d人）") % {"n": self.capacity}})


class ExpertField(models.TextChoices):
    HAZCHEM = "hazchem", _("危险化学品")
    MINING = "mining", _("矿山")
    FIRE = "fire", _("消防")
    GEOLOGY = "geology", _("地质灾害")
    FLOOD = "flood", _("防汛抗旱")
    FOREST_FIRE = "forest_fire", _("森林防灭火")
    EARTHQUAKE = "earthquake", _("地震")
    CONSTRUCTION = "construction", _("建筑施工")
    MEDICAL = "medical", _("医疗救护")
    OTHER = "other", _("其他")


class Expert(models.Model):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    field = models.CharField(_("专业领域"), max_length=20, choices=ExpertField.choices)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    organization = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, validators=[phone_validator])
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    longitude = models.FloatField(_("经度"), null=True, blank=True, validators=LONGITUDE_VALIDATORS)
    latitude = models.FloatField(_("纬度"), null=True, blank=True, validators=LATITUDE_VALIDATORS)
    conflict_enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("利益关联企业"), blank=True, related_name="+",
        help_text=_("与专家存在任职、投资、亲属等利益关系、需回避的企业"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"]), models.Index(fields=["field"])]
        constraints = [models.CheckConstraint(
            condition=Q(longitude__isnull=True, latitude__isnull=True) | Q(longitude__isnull=False,
                                                                           latitude__isnull=False),
            name="expert_coordinates_pair")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.longitude is None) != (self.latitude is None):
            raise ValidationError({"latitude": _("经度和纬度应同时填写")})


class PointKind(models.TextChoices):
    MEDICAL = "medical", _("医疗机构")
    HELIPAD = "helipad", _("直升机起降点")
    FIRE_STATION = "fire_station", _("消防站")
    OTHER = "other", _("其他")


class ResourcePoint(Located):
    """Other places that matter in a response: hospitals, helipads, fire stations."""

    name = models.CharField(_("名称"), max_length=100, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    description = models.CharField(_("说明"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("其他应急资源点")
        verbose_name_plural = _("其他应急资源点")
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name
