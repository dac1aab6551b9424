"""Natural disasters: fire danger (FWI), disaster information reports (灾情报送) and consultations (会商)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Organization, Region, User, mobile_validator
from yingji.core.scoping import ScopedQuerySet
from yingji.standards.division import ancestor_codes
from yingji.standards.fwi import DANGER_COLORS, DANGER_LABELS


class HazardType(models.TextChoices):
    """自然灾害类别 as the bureaus' statistics group them."""

    FLOOD = "flood", _("洪涝")
    DROUGHT = "drought", _("干旱")
    TYPHOON = "typhoon", _("台风")
    WIND_HAIL = "wind_hail", _("风雹")
    COLD = "cold", _("低温冷冻")
    SNOW = "snow", _("雪灾")
    EARTHQUAKE = "earthquake", _("地震")
    GEOLOGICAL = "geological", _("地质灾害")
    FOREST_FIRE = "forest_fire", _("森林草原火灾")
    OTHER = "other", _("其他")


# ---------------------------------------------------------------------------------------------------------------
# Fire danger


class WeatherStation(models.Model):
    """A weather station whose noon observations drive the FWI of its area."""

    code = models.CharField(_("站号"), max_length=20, unique=True)
    name = models.CharField(_("站名"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    longitude = models.FloatField(_("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    latitude = models.FloatField(_("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    elevation = models.FloatField(_("海拔（米）"), null=True, blank=True)
    automatic = models.BooleanField(_("自动站"), default=True, help_text=_("自动站通过接口按日上传观测数据"))
    active = models.BooleanField(_("在用"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("气象站")
        verbose_name_plural = _("气象站")
        ordering = ["region_id", "code"]

    def __str__(self) -> str:
        return self.name


class ObservationSource(models.TextChoices):
    MANUAL = "manual", _("人工录入")
    IMPORT = "import", _("Excel 导入")
    AUTOMATIC = "automatic", _("自动站上传")


class WeatherObservation(models.Model):
    """A station's weather at local noon of one day (the FWI System's inputs, Van Wagner 1987)."""

    station = models.ForeignKey(WeatherStation, verbose_name=_("气象站"), on_delete=models.PROTECT,
                                related_name="observations")
    # Copied from the station so scoping is a range on this table's own column.
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    date = models.DateField(_("观测日期"))
    temperature = models.FloatField(_("气温（℃）"), validators=[MinValueValidator(-60), MaxValueValidator(60)])
    humidity = models.FloatField(_("相对湿度（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    wind_speed = models.FloatField(_("风速（km/h）"), validators=[MinValueValidator(0), MaxValueValidator(250)],
                                   help_text=_("10 米高度平均风速，单位千米/小时"))
    precipitation = models.FloatField(_("24小时降水量（mm）"),
                                      validators=[MinValueValidator(0), MaxValueValidator(1000)])
    source = models.CharField(_("来源"), max_length=10, choices=ObservationSource.choices,
                              default=ObservationSource.MANUAL)
    received_at = models.DateTimeField(_("接收时间"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("气象观测")
        verbose_name_plural = _("气象观测")
        ordering = ["-date", "station_id"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="observation_one_per_station_day")]
        indexes = [models.Index(fields=["region", "date"])]

    def __str__(self) -> str:
        return f"{self.station.name} {self.date:%Y-%m-%d}" if self.station_id and self.date else "气象观测"


class FireDanger(models.Model):
    """The FWI System's codes and the danger level of one station on one day, computed from its observations.

    Written only by `fire_danger_recompute`; `gap_days` says how many days before this one had no observation
    (the codes were carried over them), `restarted` that the codes started again from 85 / 6 / 15.
    """

    station = models.ForeignKey(WeatherStation, verbose_name=_("气象站"), on_delete=models.CASCADE,
                                related_name="danger_days")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    ffmc = models.FloatField(_("细小可燃物湿度码 FFMC"))
    dmc = models.FloatField(_("腐殖质湿度码 DMC"))
    dc = models.FloatField(_("干旱码 DC"))
    isi = models.FloatField(_("初始蔓延指数 ISI"))
    bui = models.FloatField(_("累积指数 BUI"))
    fwi = models.FloatField(_("火险天气指数 FWI"))
    level = models.PositiveSmallIntegerField(_("火险等级"), choices=sorted(DANGER_LABELS.items()))
    gap_days = models.PositiveSmallIntegerField(_("前缺测天数"), default=0)
    restarted = models.BooleanField(_("重新起算"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("森林火险等级")
        verbose_name_plural = _("森林火险等级")
        ordering = ["-date", "station_id"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="fire_danger_one_per_station_day")]
        indexes = [models.Index(fields=["date", "region"])]

    def __str__(self) -> str:
        return f"{self.station.name} {self.date:%Y-%m-%d} {DANGER_LABELS[self.level]}"

    @property
    def color(self) -> str:
        return DANGER_COLORS[self.level]


# ---------------------------------------------------------------------------------------------------------------
# Disaster information reports


class TrainingStatus(models.TextChoices):
    UNTRAINED = "untrained", _("未培训")
    TRAINED = "trained", _("已培训")
    EXPIRED = "expired", _("培训过期")


class DisasterInformant(models.Model):
    """A 灾害信息员 of a village, township or county."""

    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号"), max_length=11)
    region = models.ForeignKey(Region, verbose_name=_("负责区划"), on_delete=models.PROTECT, related_name="+")
    organization = models.CharField(_("工作单位"), max_length=100, blank=True)
    user = models.ForeignKey(User, verbose_name=_("平台账号"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    training_status = models.CharField(_("培训情况"), max_length=10, choices=TrainingStatus.choices,
                                       default=TrainingStatus.UNTRAINED)
    trained_on = models.DateField(_("最近培训日期"), null=True, blank=True)
    certified = models.BooleanField(_("已持证"), default=False)
    certificate_no = models.CharField(_("证书编号"), max_length=40, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("灾害信息员")
        verbose_name_plural = _("灾害信息员")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "mobile"], name="informant_unique_mobile")]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return {"county": "县级", "township": "乡级", "village": "村级"}.get(self.region.level, "")

    def clean(self) -> None:
        errors = {}
        if self.mobile:
            try:
                mobile_validator(self.mobile)
            except ValidationError as exc:
                errors["mobile"] = exc.messages
        if self.region_id and self.region.level not in ("county", "township", "village"):
            errors["region"] = _("灾害信息员应落实到县、乡（镇、街道）或村（社区）")
        if self.training_status == TrainingStatus.TRAINED and not self.trained_on:
            errors["trained_on"] = _("已培训的信息员请填写培训日期")
        if self.certified and not self.certificate_no.strip():
            errors["certificate_no"] = _("已持证的信息员请填写证书编号")
        if errors:
            raise ValidationError(errors)


class EventStatus(models.TextChoices):
    REPORTING = "reporting", _("灾情发展中")
    VERIFYING = "verifying", _("核报阶段")
    CLOSED = "closed", _("已结束")


class DisasterEvent(models.Model):
    """One disaster (灾害过程) that the affected villages and townships report on."""

    code = models.CharField(_("灾害编号"), max_length=24, unique=True, editable=False)
    name = models.CharField(_("灾害名称"), max_length=100)
    hazard_type = models.CharField(_("灾害类别"), max_length=20, choices=HazardType.choices)
    region = models.ForeignKey(Region, verbose_name=_("发生区划"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("灾害涉及的县（市、区）或市"))
    affected_regions = models.ManyToManyField(Region, verbose_name=_("受灾乡镇/村"), related_name="+", blank=True,
                                              help_text=_("须报送灾情的乡镇（街道）和村（社区）"))
    occurred_at = models.DateTimeField(_("发生时间"))
    description = models.TextField(_("灾情概述"), blank=True)
    initial_hours = models.PositiveSmallIntegerField(_("初报时限（小时）"), default=2,
                                                     validators=[MinValueValidator(1), MaxValueValidator(72)])
    followup_hours = models.PositiveSmallIntegerField(_("续报间隔（小时）"), default=24,
                                                      validators=[MinValueValidator(1), MaxValueValidator(24 * 7)])
    verification_days = models.PositiveSmallIntegerField(_("核报时限（天）"), default=5,
                                                         validators=[MinValueValidator(1), MaxValueValidator(60)])
    status = models.CharField(_("状态"), max_length=10, choices=EventStatus.choices, default=EventStatus.REPORTING,
                              editable=False)
    verification_started_at = models.DateTimeField(_("进入核报时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("灾害事件")
        verbose_name_plural = _("灾害事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["region", "occurred_at"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def shared_from_above(cls, prefix: str) -> Q:
        # An event of the county (or the city) is seen by the townships and villages under it, which report on it;
        # only the county (or the city) changes it.
        return Q(region_id__in=ancestor_codes(prefix.ljust(12, "0")))

    def clean(self) -> None:
        if self.region_id and self.region.level not in ("city", "county"):
            raise ValidationError({"region": _("灾害事件的发生区划应为市或县（市、区）")})


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("初报")
    FOLLOWUP = "followup", _("续报")
    VERIFICATION = "verification", _("核报")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    ACCEPTED = "accepted", _("已审核")
    RETURNED = "returned", _("已退回")


# The national statistics fields (自然灾害情况统计调查制度), in the order of the report form.
STAT_FIELDS = (
    "affected_population", "deaths", "missing", "relocated", "needing_relief",
    "houses_collapsed", "houses_severely_damaged", "houses_damaged",
    "crops_affected_ha", "crops_disaster_ha", "crops_lost_ha", "direct_loss_10k_yuan",
)
AREA_FIELDS = ("crops_affected_ha", "crops_disaster_ha", "crops_lost_ha", "direct_loss_10k_yuan")


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


def _area(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)])


class DisasterReport(models.Model):
    """One 初报, 续报 or 核报 of a village or township for an event; the figures are cumulative to its time."""

    event = models.ForeignKey(DisasterEvent, verbose_name=_("灾害事件"), on_delete=models.PROTECT,
                              related_name="reports")
    region = models.ForeignKey(Region, verbose_name=_("报送区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("报告类型"), max_length=12, choices=ReportKind.choices)
    informant = models.ForeignKey(DisasterInformant, verbose_name=_("灾害信息员"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="reports")
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True, editable=False)
    affected_population = _count(_("受灾人口（人）"))
    deaths = _count(_("因灾死亡（人）"))
    missing = _count(_("因灾失踪（人）"))
    relocated = _count(_("紧急转移安置（人）"))
    needing_relief = _count(_("需紧急生活救助（人）"))
    houses_collapsed = _count(_("倒塌房屋（间）"))
    houses_severely_damaged = _count(_("严重损坏房屋（间）"))
    houses_damaged = _count(_("一般损坏房屋（间）"))
    crops_affected_ha = _area(_("农作物受灾面积（公顷）"))
    crops_disaster_ha = _area(_("农作物成灾面积（公顷）"))
    crops_lost_ha = _area(_("农作物绝收面积（公顷）"))
    direct_loss_10k_yuan = _area(_("直接经济损失（万元）"))
    note = models.TextField(_("灾情描述"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT,
                              editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("填报人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("灾情报告")
        verbose_name_plural = _("灾情报告")
        ordering = ["-created_at", "-pk"]
        permissions = [("review_disasterreport", _("审核灾情报告"))]
        indexes = [models.Index(fields=["event", "region", "status"])]

    def __str__(self) -> str:
        if not self.event_id or not self.region_id:
            return str(_("灾情报告"))
        return f"{self.region.name}{self.get_kind_display()}（{self.event.code}）"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.region_id and self.region.level not in ("township", "village"):
            errors["region"] = _("灾情由乡镇（街道）或村（社区）报送")
        if self.crops_disaster_ha > self.crops_affected_ha:
            errors["crops_disaster_ha"] = _("农作物成灾面积不能大于受灾面积")
        if self.crops_lost_ha > self.crops_disaster_ha:
            errors["crops_lost_ha"] = _("农作物绝收面积不能大于成灾面积")
        for name, label in (("deaths", _("因灾死亡")), ("missing", _("因灾失踪")),
                            ("relocated", _("紧急转移安置")), ("needing_relief", _("需紧急生活救助"))):
            if getattr(self, name) > self.affected_population:
                errors[name] = _("%(label)s人数不能大于受灾人口") % {"label": label}
        if errors:
            raise ValidationError(errors)


class ReportDuty(models.Model):
    """A report a village or township owes for an event, with its deadline: the rows the overdue sweep reads."""

    event = models.ForeignKey(DisasterEvent, verbose_name=_("灾害事件"), on_delete=models.CASCADE,
                              related_name="duties")
    region = models.ForeignKey(Region, verbose_name=_("应报区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("报告类型"), max_length=12, choices=ReportKind.choices)
    due_at = models.DateTimeField(_("报送时限"))
    report = models.ForeignKey(DisasterReport, verbose_name=_("报告"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    fulfilled_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    overdue_since = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("报送任务")
        verbose_name_plural = _("报送任务")
        ordering = ["due_at", "region_id"]
        indexes = [
            models.Index(fields=["due_at"], name="report_duty_due",
                         condition=Q(fulfilled_at__isnull=True, cancelled=False, overdue_since__isnull=True)),
            models.Index(fields=["event", "region", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.get_kind_display()}"

    @property
    def open(self) -> bool:
        return self.fulfilled_at is None and not self.cancelled


# ---------------------------------------------------------------------------------------------------------------
# Consultations


class ConsultationKind(models.TextChoices):
    REGULAR = "regular", _("定期会商")
    SPECIAL = "special", _("专题会商")


class ConsultationPeriod(models.TextChoices):
    YEARLY = "yearly", _("年度")
    QUARTERLY = "quarterly", _("季度")
    FLOOD_SEASON = "flood_season", _("汛期")
    FIRE_SEASON = "fire_season", _("防火期")
    MONTHLY = "monthly", _("月度")


class ConsultationStatus(models.TextChoices):
    PLANNED = "planned", _("计划召开")
    HELD = "held", _("已召开")
    ISSUED = "issued", _("已印发评估报告")


class Consultation(models.Model):
    """A disaster risk consultation (会商) and its conclusions."""

    code = models.CharField(_("会商编号"), max_length=24, unique=True, editable=False)
    topic = models.CharField(_("会商主题"), max_length=200)
    kind = models.CharField(_("会商类型"), max_length=10, choices=ConsultationKind.choices)
    period = models.CharField(_("定期会商周期"), max_length=15, choices=ConsultationPeriod.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("会商时间"))
    place = models.CharField(_("地点/方式"), max_length=100, blank=True)
    host = models.ForeignKey(Organization, verbose_name=_("组织单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    departments = models.ManyToManyField(Organization, verbose_name=_("参会部门"), related_name="+", blank=True)
    participants = models.TextField(_("参会人员"), blank=True, help_text=_("每行一人：姓名、单位、职务"))
    period_start = models.DateField(_("研判期起"))
    period_end = models.DateField(_("研判期止"))
    conclusions = models.TextField(_("会商结论"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.PLANNED, editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("会商")
        verbose_name_plural = _("会商")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.topic

    def clean(self) -> None:
        errors = {}
        if self.kind == ConsultationKind.REGULAR and not self.period:
            errors["period"] = _("定期会商请选择周期（年度、季度、汛期、防火期或月度）")
        if self.kind == ConsultationKind.SPECIAL and self.period:
            errors["period"] = _("专题会商不选择定期周期")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("研判期止不能早于研判期起")
        if self.region_id and self.region.level not in ("city", "county", "township"):
            errors["region"] = _("会商由市、县或乡镇组织")
        if errors:
            raise ValidationError(errors)


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("低风险（蓝）")
    MODERATE = 2, _("一般风险（黄）")
    HIGH = 3, _("较大风险（橙）")
    SEVERE = 4, _("重大风险（红）")


RISK_COLORS = {1: "#1f77b4", 2: "#e6c200", 3: "#ff7f0e", 4: "#d62728"}


class RiskJudgement(models.Model):
    """A risk the consultation judged for its coming period, for one region and hazard type."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("会商"), on_delete=models.CASCADE,
                                     related_name="judgements")
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    hazard_type = models.CharField(_("灾害类别"), max_length=20, choices=HazardType.choices)
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices)
    description = models.TextField(_("研判意见"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("风险研判")
        verbose_name_plural = _("风险研判")
        ordering = ["-level", "region_id"]

    def __str__(self) -> str:
        return f"{self.region.name}{self.get_hazard_type_display()}{self.get_level_display()}"

    def clean(self) -> None:
        if self.consultation_id and self.region_id and not self.region_id.startswith(self.consultation.region.prefix):
            raise ValidationError({"region": _("研判区划应在会商组织区划之内")})


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    SUBMITTED = "submitted", _("待确认")
    DONE = "done", _("已办结")


class ConsultationTask(models.Model):
    """A task the consultation assigned to an organisation, tracked to done."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("会商"), on_delete=models.CASCADE,
                                     related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("承办单位"), on_delete=models.PROTECT,
                                     related_name="+")
    # The assignee's region, so the organisation's own people see their task.
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    due_date = models.DateField(_("办理时限"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED,
                              editable=False)
    result = models.TextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("会商任务")
        verbose_name_plural = _("会商任务")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (self.consultation_id and self.organization_id
                and not self.organization.region_id.startswith(self.consultation.region.prefix)):
            raise ValidationError({"organization": _("承办单位应在会商组织区划之内")})
