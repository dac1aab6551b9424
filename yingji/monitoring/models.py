"""Major hazard sources (GB 18218-2018) and their monitoring points."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, User
from yingji.core.scoping import ScopedQuerySet, code_prefix_q
from yingji.standards import gb18218


class UnitKind(models.TextChoices):
    PRODUCTION = "production", _("生产单元")
    STORAGE = "storage", _("储存单元")


class HazardGrade(models.IntegerChoices):
    FIRST = 1, _("一级")
    SECOND = 2, _("二级")
    THIRD = 3, _("三级")
    FOURTH = 4, _("四级")


GRADE_COLORS = {1: "#d62728", 2: "#ff7f0e", 3: "#e6c300", 4: "#1f77b4", None: "#7f7f7f"}


def chemical_choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in gb18218.catalog().values()]


code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("编号只能包含字母、数字、点、下划线和短横线"))


class MajorHazardSource(models.Model):
    """One unit (生产单元 or 储存单元) of an enterprise identified per GB 18218-2018.

    S, R, α and the grade are derived from the unit's chemicals and its exposed population;
    only the services recompute them, whenever either changes.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.PROTECT, related_name="hazard_sources"
    )
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    code = models.CharField(_("危险源编号"), max_length=40, unique=True, validators=[code_validator],
                            error_messages={"unique": _("该危险源编号已存在")})
    name = models.CharField(_("危险源名称"), max_length=100)
    unit_kind = models.CharField(_("单元类型"), max_length=12, choices=UnitKind.choices)
    exposed_population = models.PositiveIntegerField(
        _("暴露人数"), help_text=_("厂区边界向外扩展500米范围内常住人口数"), validators=[MaxValueValidator(10_000_000)]
    )
    alpha = models.DecimalField(_("校正系数α"), max_digits=4, decimal_places=2, editable=False, default=0)
    s_value = models.DecimalField(_("S值"), max_digits=14, decimal_places=4, editable=False, default=0)
    r_value = models.DecimalField(_("R值"), max_digits=14, decimal_places=4, editable=False, default=0)
    is_major = models.BooleanField(_("构成重大危险源"), editable=False, default=False)
    grade = models.PositiveSmallIntegerField(_("危险源等级"), choices=HazardGrade.choices, null=True, blank=True,
                                             editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("重大危险源")
        verbose_name_plural = _("重大危险源")
        ordering = ["region_id", "code"]
        indexes = [models.Index(fields=["region", "grade"])]

    def __str__(self) -> str:
        return self.name

    @property
    def grade_color(self) -> str:
        return GRADE_COLORS.get(self.grade, GRADE_COLORS[None])


class HazardSourceChemical(models.Model):
    """A hazardous chemical held in a unit, with its design maximum quantity q in tonnes."""

    source = models.ForeignKey(MajorHazardSource, verbose_name=_("重大危险源"), on_delete=models.CASCADE,
                               related_name="chemicals")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    chemical = models.CharField(_("危险化学品"), max_length=10, choices=chemical_choices)
    quantity = models.DecimalField(_("最大存在量（吨）"), max_digits=14, decimal_places=4,
                                   validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("危险化学品存量")
        verbose_name_plural = _("危险化学品存量")
        ordering = ["source_id", "chemical"]
        constraints = [models.UniqueConstraint(fields=["source", "chemical"], name="hazard_chemical_once_per_source")]

    def __str__(self) -> str:
        return f"{self.catalog_entry.name} {self.quantity}t"

    @property
    def catalog_entry(self) -> gb18218.Chemical:
        return gb18218.catalog()[self.chemical]

    @property
    def ratio(self) -> float:
        return round(float(gb18218.exact(str(self.quantity)) / self.catalog_entry.threshold), 4)


class HazardGradeChange(models.Model):
    """The grade history of a hazard source: written whenever a recomputation changes it."""

    source = models.ForeignKey(MajorHazardSource, verbose_name=_("重大危险源"), on_delete=models.CASCADE,
                               related_name="grade_changes")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    from_grade = models.PositiveSmallIntegerField(_("原等级"), choices=HazardGrade.choices, null=True, blank=True)
    to_grade = models.PositiveSmallIntegerField(_("新等级"), choices=HazardGrade.choices, null=True, blank=True)
    s_value = models.DecimalField(_("S值"), max_digits=14, decimal_places=4)
    r_value = models.DecimalField(_("R值"), max_digits=14, decimal_places=4)
    actor = models.ForeignKey(User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    reason = models.CharField(_("原因"), max_length=200)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("危险源等级变更")
        verbose_name_plural = _("危险源等级变更")
        ordering = ["source_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_grade_display() or '不构成'} → {self.get_to_grade_display() or '不构成'}"


class PointKind(models.TextChoices):
    LEVEL = "level", _("液位")
    TEMPERATURE = "temperature", _("温度")
    PRESSURE = "pressure", _("压力")
    FLOW = "flow", _("流量")
    FLAMMABLE_GAS = "flammable_gas", _("可燃气体浓度（%LEL）")
    TOXIC_GAS = "toxic_gas", _("有毒气体浓度（ppm）")
    OTHER = "other", _("其他")


tag_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$",
                               _("位号只能包含字母、数字及 _ . : / -，且以字母或数字开头"))


def _point_unit(point) -> str:
    return point.unit


def _alarm_unit(alarm) -> str:
    return alarm.point.unit if alarm.point_id else ""


class MonitoringPoint(models.Model):
    """A measured value of a hazard source, with its range and alarm thresholds (any may be absent)."""

    source = models.ForeignKey(MajorHazardSource, verbose_name=_("重大危险源"), on_delete=models.PROTECT,
                               related_name="points")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    tag = models.CharField(_("位号"), max_length=60, validators=[tag_validator])
    name = models.CharField(_("监测点名称"), max_length=100)
    kind = models.CharField(_("监测类型"), max_length=20, choices=PointKind.choices)
    unit = models.CharField(_("计量单位"), max_length=20)
    range_low = models.FloatField(_("量程下限"))
    range_high = models.FloatField(_("量程上限"))
    low_low = models.FloatField(_("低低报阈值"), null=True, blank=True)
    low = models.FloatField(_("低报阈值"), null=True, blank=True)
    high = models.FloatField(_("高报阈值"), null=True, blank=True)
    high_high = models.FloatField(_("高高报阈值"), null=True, blank=True)
    deadband = models.FloatField(_("回差（死区）"), default=0, validators=[MinValueValidator(0)])
    alarm_delay_seconds = models.PositiveIntegerField(_("报警延时（秒）"), default=0,
                                                      validators=[MaxValueValidator(86400)])
    report_period_seconds = models.PositiveIntegerField(_("上报周期（秒）"), default=60,
                                                        validators=[MinValueValidator(1), MaxValueValidator(86400)])
    rate_limit = models.FloatField(_("变化率阈值（每分钟）"), null=True, blank=True, validators=[MinValueValidator(0)],
                                   help_text=_("相邻两次读数的变化量折算到每分钟超过此值即报警；不填则不判变化率"))
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"
    # Range, thresholds and deadband are in the point's own unit (yingji.core.display).
    display_units = {name: _point_unit for name in ("range_low", "range_high", "low_low", "low", "high",
                                                     "high_high", "deadband")}

    class Meta:
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        ordering = ["region_id", "enterprise_id", "tag"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"], name="monitoring_point_tag_unique")]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    def thresholds(self) -> list[tuple[str, float]]:
        names = [("low_low", self.low_low), ("low", self.low), ("high", self.high), ("high_high", self.high_high)]
        return [(name, value) for name, value in names if value is not None]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.range_low is not None and self.range_high is not None and self.range_low >= self.range_high:
            errors["range_high"] = _("量程上限应大于量程下限")
        else:
            labels = {"low_low": _("低低报阈值"), "low": _("低报阈值"), "high": _("高报阈值"), "high_high": _("高高报阈值")}
            previous = None
            for name, value in self.thresholds():
                if self.range_low is not None and not (self.range_low <= value <= self.range_high):
                    errors[name] = _("%(label)s应在量程 %(low)g～%(high)g 之内") % {
                        "label": labels[name], "low": self.range_low, "high": self.range_high}
                elif previous is not None and value < previous[1]:
                    errors[name] = _("%(label)s不应小于%(previous)s") % {
                        "label": labels[name], "previous": labels[previous[0]]}
                previous = (name, value)
        if self.source_id and self.enterprise_id and self.source.enterprise_id != self.enterprise_id:
            errors["source"] = _("重大危险源不属于该企业")
        if errors:
            raise ValidationError(errors)


class Gateway(models.Model):
    """An enterprise's data-collection gateway; it authenticates with its own token and writes only its
    enterprise's points. Only a hash of the token is stored."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.PROTECT,
                                   related_name="gateways")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    code = models.CharField(_("网关编号"), max_length=40, unique=True, validators=[code_validator],
                            error_messages={"unique": _("该网关编号已存在")})
    name = models.CharField(_("网关名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    report_period_seconds = models.PositiveIntegerField(
        _("上报周期（秒）"), default=60, validators=[MinValueValidator(1), MaxValueValidator(86400)])
    is_active = models.BooleanField(_("启用"), default=True)
    last_seen_at = models.DateTimeField(_("最近上报时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_seen_at"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("采集网关")
        verbose_name_plural = _("采集网关")
        ordering = ["region_id", "code"]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One telemetry value, append-only. Written in bulk by the ingestion path (COPY on PostgreSQL), never
    one ORM object at a time; `ts` is the measuring time in milliseconds since the Unix epoch (UTC)."""

    # (point, ts) is the identity of a reading: a repeated one is a duplicate and is ignored on insert.
    pk = models.CompositePrimaryKey("point_id", "ts")
    point = models.ForeignKey(MonitoringPoint, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                              db_index=False)
    ts = models.BigIntegerField(_("采集时间（毫秒）"))
    value = models.FloatField(_("数值"))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "point__region"

    class Meta:
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")
        # The primary key's index serves per-point trend queries; the BRIN index on ts for retention and
        # period scans is created by migration 0002 on PostgreSQL.

    def __str__(self) -> str:
        return f"{self.point_id}@{self.ts}={self.value:g}"

    @classmethod
    def scope_for_enterprise(cls, enterprise) -> models.Q:
        return models.Q(point__enterprise=enterprise)

    @classmethod
    def scope_for_region(cls, prefix: str) -> models.Q:
        return code_prefix_q("point__region_id", prefix)


class LatestReading(models.Model):
    """The newest value of each point, upserted with every batch, for live views."""

    point = models.OneToOneField(MonitoringPoint, on_delete=models.CASCADE, primary_key=True, related_name="latest")
    ts = models.BigIntegerField(_("采集时间（毫秒）"))
    value = models.FloatField(_("数值"))
    received_at = models.BigIntegerField(_("接收时间（毫秒）"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("最新值")
        verbose_name_plural = _("最新值")

    def __str__(self) -> str:
        return f"{self.point_id}={self.value:g}"

    @classmethod
    def scope_for_enterprise(cls, enterprise) -> models.Q:
        return models.Q(point__enterprise=enterprise)

    @classmethod
    def scope_for_region(cls, prefix: str) -> models.Q:
        return code_prefix_q("point__region_id", prefix)


class AlarmKind(models.TextChoices):
    HIGH = "high", _("超上限")
    LOW = "low", _("超下限")
    RATE = "rate", _("变化率超限")
    POINT_OFFLINE = "point_offline", _("监测点离线")
    GATEWAY_OFFLINE = "gateway_offline", _("网关离线")


class AlarmLevel(models.IntegerChoices):
    FIRST = 1, _("一级（高高/低低）")
    SECOND = 2, _("二级（高/低/变化率）")
    THIRD = 3, _("三级（离线）")


ALARM_LEVEL_COLORS = {1: "#d62728", 2: "#ff7f0e", 3: "#e6c300", None: "#2ca02c"}


class AlarmStatus(models.TextChoices):
    UNACKNOWLEDGED = "unacknowledged", _("未确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    DISPOSING = "disposing", _("处置中")
    CLOSED = "closed", _("已消警")


class Alarm(models.Model):
    """An alarm raised by the engine or the offline sweep, handled through its closed loop (states.py).

    Recovery (the value back to normal, the point or gateway reporting again) is recorded but does not
    close the alarm: it is closed only after its disposal has been recorded.
    """

    code = models.CharField(_("报警编号"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("报警类型"), max_length=20, choices=AlarmKind.choices, editable=False)
    level = models.PositiveSmallIntegerField(_("报警级别"), choices=AlarmLevel.choices, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=AlarmStatus.choices,
                              default=AlarmStatus.UNACKNOWLEDGED, editable=False)
    point = models.ForeignKey(MonitoringPoint, verbose_name=_("监测点"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="alarms", editable=False)
    gateway = models.ForeignKey(Gateway, verbose_name=_("采集网关"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="alarms", editable=False)
    source = models.ForeignKey(MajorHazardSource, verbose_name=_("重大危险源"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="alarms", editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    threshold = models.FloatField(_("报警阈值"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("报警时间"), editable=False)
    start_value = models.FloatField(_("报警值"), null=True, blank=True, editable=False)
    peak_value = models.FloatField(_("峰值"), null=True, blank=True, editable=False)
    last_value = models.FloatField(_("最近值"), null=True, blank=True, editable=False)
    occurrences = models.PositiveIntegerField(_("发生次数"), default=1, editable=False)
    recovered_at = models.DateTimeField(_("恢复时间"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(User, verbose_name=_("确认人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+", editable=False)
    measures = models.TextField(_("处置措施"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("消警时间"), null=True, blank=True, editable=False)
    escalation_step = models.PositiveSmallIntegerField(_("已通知层级"), default=0, editable=False)
    next_escalation_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True, editable=False,
                                              db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"
    display_units = {name: _alarm_unit for name in ("threshold", "start_value", "peak_value", "last_value")}

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["status", "started_at"])]
        constraints = [
            # One open alarm of a kind per point (or gateway): a recurring excursion reuses it, so nothing flaps.
            models.UniqueConstraint(fields=["point", "kind"], condition=~models.Q(status="closed"),
                                    name="alarm_one_open_per_point_and_kind"),
            models.UniqueConstraint(fields=["gateway", "kind"], condition=~models.Q(status="closed"),
                                    name="alarm_one_open_per_gateway_and_kind"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def subject_label(self) -> str:
        if self.point_id:
            return f"{self.point.tag} {self.point.name}"
        return str(self.gateway) if self.gateway_id else ""

    @property
    def level_color(self) -> str:
        return ALARM_LEVEL_COLORS.get(self.level, "#7f7f7f")


class AlarmEvent(models.Model):
    """The timeline of an alarm beyond its status moves: escalations, level rises, recoveries, recurrences."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("报警产生")
        ESCALATED = "escalated", _("逐级上报")
        LEVEL_UP = "level_up", _("级别升高")
        RECOVERED = "recovered", _("数值恢复")
        RECURRED = "recurred", _("再次超限")

    alarm = models.ForeignKey(Alarm, verbose_name=_("报警"), on_delete=models.CASCADE, related_name="events")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(_("通知层级"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("报警事件")
        verbose_name_plural = _("报警事件")
        ordering = ["alarm_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.note}"


class GatewayActivity(models.Model):
    """The minutes in which a gateway delivered at least one message: the measure of its online time.
    Written in one statement per ingested batch; read only by the online-rate roll-up."""

    pk = models.CompositePrimaryKey("gateway_id", "minute")
    gateway = models.ForeignKey(Gateway, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                                db_index=False)
    minute = models.BigIntegerField(_("分钟（自1970年起）"))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "gateway__region"
    scope_enterprise_field = "gateway__enterprise"

    class Meta:
        verbose_name = _("网关在线记录")
        verbose_name_plural = _("网关在线记录")

    def __str__(self) -> str:
        return f"{self.gateway_id}@{self.minute}"


class OnlineSubject(models.TextChoices):
    POINT = "point", _("监测点")
    GATEWAY = "gateway", _("采集网关")
    ENTERPRISE = "enterprise", _("企业")


class OnlineRate(models.Model):
    """The online rate of one day (time reporting ÷ time expected) of a point, a gateway or an enterprise.

    Kept by the sweep (tasks.rollup_online_rates); the online-rate page, its rankings and the patrol
    snapshots read this table, never the readings.
    """

    day = models.DateField(_("日期"))
    subject = models.CharField(_("对象类型"), max_length=12, choices=OnlineSubject.choices)
    point = models.ForeignKey(MonitoringPoint, verbose_name=_("监测点"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    gateway = models.ForeignKey(Gateway, verbose_name=_("采集网关"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), on_delete=models.CASCADE,
                                   related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    expected_seconds = models.PositiveIntegerField(_("应在线时长（秒）"))
    online_seconds = models.PositiveIntegerField(_("在线时长（秒）"))
    readings = models.PositiveIntegerField(_("读数条数"), default=0)
    rate = models.FloatField(_("在线率"))
    computed_at = models.DateTimeField(_("统计时间"))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("在线率")
        verbose_name_plural = _("在线率")
        ordering = ["-day", "rate", "pk"]
        indexes = [models.Index(fields=["day", "subject", "region"])]
        constraints = [
            models.UniqueConstraint(fields=["day", "point"], condition=models.Q(subject="point"),
                                    name="online_rate_once_per_point_and_day"),
            models.UniqueConstraint(fields=["day", "gateway"], condition=models.Q(subject="gateway"),
                                    name="online_rate_once_per_gateway_and_day"),
            models.UniqueConstraint(fields=["day", "enterprise"], condition=models.Q(subject="enterprise"),
                                    name="online_rate_once_per_enterprise_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_subject_display()} {self.rate:.2%}"

    @property
    def percent(self) -> float:
        return round(self.rate * 100, 2)


class OnlineProgress(models.Model):
    """How far the online-rate roll-up of a day has settled: the readings (and gateway minutes) with a time
    before `settled_until` are counted in the day's OnlineTally rows; later ones are scanned at every run.
    Its row is also the lock that keeps two workers from rolling up the same day at once."""

    day = models.DateField(_("日期"), primary_key=True)
    settled_until = models.BigIntegerField(_("已结算至（毫秒）"))

    class Meta:
        verbose_name = _("在线率统计进度")
        verbose_name_plural = _("在线率统计进度")

    def __str__(self) -> str:
        return f"{self.day}@{self.settled_until}"


class OnlineTally(models.Model):
    """The settled part of one point's (or gateway's) day: reporting periods with a reading, the readings,
    and the last period counted, so the next run adds only what came after without counting a period twice."""

    day = models.DateField(_("日期"))
    subject = models.CharField(_("对象类型"), max_length=12, choices=OnlineSubject.choices)
    subject_id = models.BigIntegerField(_("对象编号"))
    period_seconds = models.PositiveIntegerField(_("统计周期（秒）"))
    slots = models.PositiveIntegerField(_("有数据的周期数"))
    readings = models.PositiveIntegerField(_("读数条数"))
    last_slot = models.BigIntegerField(_("最后计入的周期"))

    class Meta:
        verbose_name = _("在线率中间结果")
        verbose_name_plural = _("在线率中间结果")
        constraints = [models.UniqueConstraint(fields=["day", "subject", "subject_id"], name="online_tally_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.subject}:{self.subject_id} {self.slots}"


class OnlineRecount(models.Model):
    """A point whose day must be counted again: a reading arrived for a time the roll-up had already settled
    (a gateway sending its buffer after an outage). Written by the ingest hook, consumed by the roll-up."""

    point_id = models.BigIntegerField(_("监测点编号"))
    day = models.DateField(_("日期"), db_index=True)

    class Meta:
        verbose_name = _("在线率重算标记")
        verbose_name_plural = _("在线率重算标记")

    def __str__(self) -> str:
        return f"{self.day} {self.point_id}"


class Patrol(models.Model):
    """线上巡查: an officer's daily look, through the platform, at the enterprises' online state and alarms."""

    code = models.CharField(_("巡查编号"), max_length=30, unique=True, editable=False)
    officer = models.ForeignKey(User, verbose_name=_("巡查人"), on_delete=models.PROTECT, related_name="+",
                                editable=False)
    region = models.ForeignKey(Region, verbose_name=_("巡查单位所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    day = models.DateField(_("巡查日期"))
    summary = models.TextField(_("巡查情况"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None  # a bureau's working record

    class Meta:
        verbose_name = _("线上巡查")
        verbose_name_plural = _("线上巡查")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["region", "day"])]

    def __str__(self) -> str:
        return self.code


class PatrolEntry(models.Model):
    """One enterprise looked at in a patrol: what the platform showed then, what the officer found, and the
    hazard raised from the finding, if any."""

    patrol = models.ForeignKey(Patrol, verbose_name=_("线上巡查"), on_delete=models.CASCADE, related_name="entries")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    online_rate = models.FloatField(_("当日在线率"), null=True, blank=True, editable=False)
    points_total = models.PositiveIntegerField(_("监测点数"), default=0, editable=False)
    points_offline = models.PositiveIntegerField(_("离线监测点数"), default=0, editable=False)
    open_alarms = models.PositiveIntegerField(_("未消警报警数"), default=0, editable=False)
    worst_level = models.PositiveSmallIntegerField(_("最高报警级别"), choices=AlarmLevel.choices, null=True,
                                                   blank=True, editable=False)
    alarm_codes = models.CharField(_("报警编号"), max_length=300, blank=True, editable=False)
    finding = models.TextField(_("巡查发现"), blank=True)
    hazard = models.ForeignKey("hazards.Hazard", verbose_name=_("登记的隐患"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "patrol__region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("巡查企业")
        verbose_name_plural = _("巡查企业")
        ordering = ["patrol_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["patrol", "enterprise"], name="patrol_enterprise_once")]

    def __str__(self) -> str:
        return f"{self.patrol} {self.enterprise}"
