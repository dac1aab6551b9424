"""Incidents, their report chain (首报 → 续报 → 终报), the response and dispatch of teams and materials."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Organization, Region, User
from yingji.core.scoping import ScopedQuerySet
from yingji.standards import accident


class Category(models.TextChoices):
    ACCIDENT = "accident", _("事故灾难")
    NATURAL = "natural", _("自然灾害")
    HEALTH = "health", _("公共卫生事件")
    SOCIAL = "social", _("社会安全事件")


SUBTYPES: dict[str, list[str]] = {
    Category.ACCIDENT: ["工矿商贸生产安全事故", "危险化学品事故", "火灾事故", "道路交通事故", "建筑施工事故",
                        "特种设备事故", "燃气事故", "环境污染事故", "其他事故"],
    Category.NATURAL: ["洪涝灾害", "干旱灾害", "气象灾害", "地震灾害", "地质灾害", "森林草原火灾", "其他自然灾害"],
    Category.HEALTH: ["传染病疫情", "群体性不明原因疾病", "食品安全事件", "职业中毒", "其他公共卫生事件"],
    Category.SOCIAL: ["群体性事件", "恐怖袭击事件", "涉外突发事件", "其他社会安全事件"],
}
SUBTYPE_CHOICES = [(s, s) for subtypes in SUBTYPES.values() for s in subtypes]


class Grade(models.TextChoices):
    ESPECIALLY_MAJOR = accident.ESPECIALLY_MAJOR, _("特别重大")
    MAJOR = accident.MAJOR, _("重大")
    LARGER = accident.LARGER, _("较大")
    GENERAL = accident.GENERAL, _("一般")


GRADE_COLORS = {Grade.ESPECIALLY_MAJOR: "#d62728", Grade.MAJOR: "#ff7f0e", Grade.LARGER: "#e6b800",
                Grade.GENERAL: "#1f77b4"}


class ReportKind(models.TextChoices):
    FIRST = "first", _("首报")
    FOLLOW_UP = "follow_up", _("续报")
    FINAL = "final", _("终报")


class IncidentQuerySet(ScopedQuerySet):
    """Incidents; `real()` leaves out drills run in exercise mode, `exercises()` keeps only them."""

    def real(self) -> IncidentQuerySet:
        return self.filter(is_exercise=False)

    def exercises(self) -> IncidentQuerySet:
        return self.filter(is_exercise=True)


class IncidentRelatedQuerySet(ScopedQuerySet):
    """Rows hanging off an incident (reports, responses, tasks, allocations) with the same real/exercise split."""

    def real(self) -> IncidentRelatedQuerySet:
        return self.filter(incident__is_exercise=False)

    def exercises(self) -> IncidentRelatedQuerySet:
        return self.filter(incident__is_exercise=True)


class Incident(models.Model):
    code = models.CharField(_("事件编号"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("事件名称"), max_length=200)
    category = models.CharField(_("事件类型"), max_length=10, choices=Category.choices)
    subtype = models.CharField(_("事件子类"), max_length=30, choices=SUBTYPE_CHOICES)
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    place = models.CharField(_("发生地点"), max_length=200)
    longitude = models.FloatField(_("经度"), validators=[MinValueValidator(73), MaxValueValidator(136)])
    latitude = models.FloatField(_("纬度"), validators=[MinValueValidator(3), MaxValueValidator(54)])
    region = models.ForeignKey(Region, verbose_name=_("发生地区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("涉事企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    missing = models.PositiveIntegerField(_("失踪人数"), default=0)
    serious_injuries = models.PositiveIntegerField(_("重伤人数（含急性工业中毒）"), default=0)
    light_injuries = models.PositiveIntegerField(_("轻伤人数"), default=0)
    direct_loss_yuan = models.DecimalField(_("直接经济损失（元）"), max_digits=16, decimal_places=2, default=0,
                                           validators=[MinValueValidator(0)])
    description = models.TextField(_("事件概况"))
    source = models.CharField(_("信息来源"), max_length=100)
    grade = models.CharField(_("事件等级"), max_length=10, choices=Grade.choices, editable=False)
    reported_by = models.ForeignKey(User, verbose_name=_("接报人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    created_at = models.DateTimeField(_("接报时间"), auto_now_add=True)
    # The report deadline the sweep watches: what is due next and by when (None once the 终报 is in).
    next_report_kind = models.CharField(_("待报类型"), max_length=10, blank=True, editable=False,
                                        choices=ReportKind.choices)
    next_report_due = models.DateTimeField(_("报送时限"), null=True, blank=True, editable=False, db_index=True)
    overdue_since = models.DateTimeField(_("超时时间"), null=True, blank=True, editable=False)
    closed = models.BooleanField(_("已终报"), default=False, editable=False)
    # A drill run in exercise mode (plans app) uses the real incident and dispatch screens; the flag keeps it out
    # of every real list and statistic.
    is_exercise = models.BooleanField(_("演练"), default=False, editable=False, db_index=True)
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["region", "-occurred_at"]), models.Index(fields=["latitude", "longitude"]),
                   # The command map and its feed read only the open incidents, newest first: a few among many.
                   models.Index(fields=["-occurred_at"], condition=Q(closed=False), name="incident_open_recent"),
                   # The real incidents of a region, newest first: the default list and its count.
                   models.Index(fields=["is_exercise", "region", "-occurred_at"], name="incident_real_region")]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_color(self) -> str:
        return GRADE_COLORS.get(self.grade, "#555")

    def clean(self) -> None:
        if self.category and self.subtype and self.subtype not in SUBTYPES.get(self.category, []):
            raise ValidationError({"subtype": _("事件子类与事件类型不符")})
        if self.direct_loss_yuan is not None and self.direct_loss_yuan < 0:
            raise ValidationError({"direct_loss_yuan": _("直接经济损失不能为负数")})
        self.grade = accident.grade(self.deaths or 0, self.serious_injuries or 0, self.direct_loss_yuan or 0)


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已报送")
    SIGNED = "signed", _("已签收")
    # The reporting level is the platform's top: the report goes up outside the platform and nobody here signs it.
    TOP_LEVEL = "top_level", _("本级为最高层级")


class IncidentReport(models.Model):
    """One submitted version of an incident report; its content is a frozen snapshot, never edited."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("报告类型"), max_length=10, choices=ReportKind.choices)
    sequence = models.PositiveIntegerField(_("序号"))
    snapshot = models.JSONField(_("报告内容"), default=dict)
    measures = models.TextField(_("已采取的措施"), blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey(Region, verbose_name=_("报送至"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED,
                              editable=False)
    submitted_by = models.ForeignKey(User, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"))
    due_at = models.DateTimeField(_("报送时限"), null=True, blank=True)
    late = models.BooleanField(_("超时报送"), default=False)
    signed_by = models.ForeignKey(User, verbose_name=_("签收人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = IncidentRelatedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("事件报告")
        verbose_name_plural = _("事件报告")
        ordering = ["incident_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["incident", "sequence"], name="incident_report_sequence")]

    def __str__(self) -> str:
        return f"{self.incident.code} {self.get_kind_display()}（第{self.sequence}次）"


class ResponseLevel(models.TextChoices):
    I = "1", _("Ⅰ级")  # noqa: E741 - the level's name
    II = "2", _("Ⅱ级")
    III = "3", _("Ⅲ级")
    IV = "4", _("Ⅳ级")


class ResponseStatus(models.TextChoices):
    ACTIVE = "active", _("响应中")
    ENDED = "ended", _("已终止")


class EmergencyResponse(models.Model):
    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="responses")
    level = models.CharField(_("响应级别"), max_length=1, choices=ResponseLevel.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    commander = models.CharField(_("指挥长"), max_length=50, blank=True)
    started_by = models.ForeignKey(User, verbose_name=_("启动人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("启动时间"))
    status = models.CharField(_("状态"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.ACTIVE,
                              editable=False)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(User, verbose_name=_("终止人"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    end_summary = models.TextField(_("终止理由与处置总结"), blank=True, editable=False)
    history = HistoricalRecords()

    objects = IncidentRelatedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("应急响应")
        verbose_name_plural = _("应急响应")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["incident"], condition=Q(ended_at__isnull=True),
                                               name="one_active_response_per_incident"),
                       models.CheckConstraint(condition=Q(status="active", ended_at__isnull=True)
                                              | Q(status="ended", ended_at__isnull=False),
                                              name="response_ended_has_time")]

    def __str__(self) -> str:
        return f"{self.incident.code} {self.get_level_display()}响应"


class TaskStatus(models.TextChoices):
    ISSUED = "issued", _("已下达")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("执行中")
    COMPLETED = "completed", _("已完成")


class DispatchTask(models.Model):
    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey("resources.RescueTeam", verbose_name=_("救援队伍"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("责任单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    instruction = models.TextField(_("任务内容"))
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ISSUED,
                              editable=False)
    distance_km = models.FloatField(_("距离（km）"), null=True, blank=True)
    feedback = models.TextField(_("执行反馈"), blank=True)
    issued_by = models.ForeignKey(User, verbose_name=_("下达人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("下达时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = IncidentRelatedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("调度任务")
        verbose_name_plural = _("调度任务")
        ordering = ["-issued_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(team__isnull=False) | Q(organization__isnull=False),
                                              name="dispatch_task_has_assignee")]

    def __str__(self) -> str:
        return f"{self.incident.code} → {self.team or self.organization}"


class MaterialAllocation(models.Model):
    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT, related_name="allocations")
    warehouse = models.ForeignKey("resources.Warehouse", verbose_name=_("仓库"), on_delete=models.PROTECT,
                                  related_name="+")
    material = models.ForeignKey("resources.Material", verbose_name=_("物资"), on_delete=models.PROTECT,
                                 related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    document_number = models.CharField(_("调拨单号"), max_length=40)
    destination = models.CharField(_("送达地点"), max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(User, verbose_name=_("调拨人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    allocated_at = models.DateTimeField(_("调拨时间"))
    history = HistoricalRecords()

    objects = IncidentRelatedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("物资调拨")
        verbose_name_plural = _("物资调拨")
        ordering = ["-allocated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.document_number} {self.material.name} {self.quantity}"


class DutyPosition(models.TextChoices):
    LEADER = "leader", _("带班领导")
    CHIEF = "chief", _("值班长")
    OFFICER = "officer", _("值班员")
    DRIVER = "driver", _("驾驶员")


class DutyShift(models.Model):
    """One person on duty for one organisation on one day (24-hour duty, 1+1+3+N)."""

    organization = models.ForeignKey(Organization, verbose_name=_("值班单位"), on_delete=models.PROTECT,
                                     related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    date = models.DateField(_("值班日期"), db_index=True)
    position = models.CharField(_("岗位"), max_length=10, choices=DutyPosition.choices)
    person_name = models.CharField(_("值班人员"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["-date", "organization_id", "position"]
        constraints = [models.UniqueConstraint(fields=["organization", "date", "position", "person_name"],
                                               name="duty_shift_unique_person")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_position_display()} {self.person_name}"


class DutyLog(models.Model):
    """The duty log of one organisation for one day; open items carry over to the next log at handover."""

    organization = models.ForeignKey(Organization, verbose_name=_("值班单位"), on_delete=models.PROTECT,
                                     related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    date = models.DateField(_("日期"))
    content = models.TextField(_("值班记录"))
    open_items = models.TextField(_("待办事项"), blank=True, help_text=_("每行一项；交接班时转入下一班"))
    officer = models.ForeignKey(User, verbose_name=_("值班人"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", editable=False)
    handed_over_to = models.ForeignKey(User, verbose_name=_("接班人"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", editable=False)
    handed_over_at = models.DateTimeField(_("交接时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization} {self.date:%Y-%m-%d} 值班日志"


class RollCall(models.Model):
    """点名: an upper level calls a lower level's duty room; the answer's delay is recorded."""

    caller = models.ForeignKey(Organization, verbose_name=_("点名单位"), on_delete=models.PROTECT, related_name="+")
    callee = models.ForeignKey(Organization, verbose_name=_("被点名单位"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    called_by = models.ForeignKey(User, verbose_name=_("点名人"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    called_at = models.DateTimeField(_("点名时间"))
    answered_by = models.ForeignKey(User, verbose_name=_("应答人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("应答时间"), null=True, blank=True)
    response_seconds = models.PositiveIntegerField(_("响应用时（秒）"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("值班点名")
        verbose_name_plural = _("值班点名")
        ordering = ["-called_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.caller} 点名 {self.callee}"
