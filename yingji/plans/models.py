"""Emergency plans (预案) and their structure, drills (演练) with their improvement tasks, and grassroots readiness
(基层应急能力标准化: the township "六有" and the village "三有")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Organization, Region, User
from yingji.core.scoping import ScopedQuerySet
from yingji.incidents.models import SUBTYPE_CHOICES, ResponseLevel

# -- plans ------------------------------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    GENERAL = "general", _("总体应急预案")
    SPECIAL = "special", _("专项应急预案")
    DEPARTMENT = "department", _("部门应急预案")
    COUNTY = "county", _("区县应急预案")
    TOWNSHIP = "township", _("乡镇（街道）应急预案")
    VILLAGE = "village", _("村（社区）应急预案")
    ENTERPRISE = "enterprise", _("企业应急预案")


# The "1+9+N" system: which kinds may sit under which (a unit plan under a special plan, ...).
PARENT_KINDS = {
    PlanKind.GENERAL: {PlanKind.GENERAL},
    PlanKind.SPECIAL: {PlanKind.GENERAL, PlanKind.COUNTY, PlanKind.TOWNSHIP},
    PlanKind.DEPARTMENT: {PlanKind.GENERAL, PlanKind.SPECIAL},
    PlanKind.COUNTY: {PlanKind.GENERAL, PlanKind.SPECIAL},
    PlanKind.TOWNSHIP: {PlanKind.GENERAL, PlanKind.SPECIAL, PlanKind.COUNTY},
    PlanKind.VILLAGE: {PlanKind.TOWNSHIP, PlanKind.COUNTY, PlanKind.SPECIAL},
    PlanKind.ENTERPRISE: {PlanKind.SPECIAL, PlanKind.COUNTY, PlanKind.TOWNSHIP, PlanKind.GENERAL},
}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    REVIEWING = "reviewing", _("评审中")
    REVIEWED = "reviewed", _("已评审")
    FILED = "filed", _("已备案")
    SUPERSEDED = "superseded", _("已修订替代")
    ABOLISHED = "abolished", _("已废止")


PLAN_STATUS_COLORS = {
    PlanStatus.DRAFT: "#7f7f7f", PlanStatus.REVIEWING: "#ff7f0e", PlanStatus.REVIEWED: "#1f77b4",
    PlanStatus.FILED: "#2ca02c", PlanStatus.SUPERSEDED: "#8c564b", PlanStatus.ABOLISHED: "#d62728",
}


class Plan(models.Model):
    """One version of an emergency plan. A new version is a new row; the one it replaces is kept, superseded."""

    code = models.CharField(_("预案编号"), max_length=30, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    previous = models.ForeignKey("self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    name = models.CharField(_("预案名称"), max_length=200)
    kind = models.CharField(_("预案类别"), max_length=20, choices=PlanKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级预案"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", help_text=_("“1+9+N”体系中本预案所属的总体或专项预案"))
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("编制单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    event_types = models.CharField(_("适用事件类型"), max_length=200, blank=True)
    summary = models.TextField(_("适用范围与工作原则"), blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    revision_years = models.PositiveSmallIntegerField(
        _("修订周期（年）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("备案后每隔此年数应评估修订"))
    status = models.CharField(_("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT,
                              editable=False)
    submitted_by = models.ForeignKey(User, verbose_name=_("提交评审人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", editable=False)
    review_opinion = models.TextField(_("评审意见"), blank=True, editable=False)
    filing_number = models.CharField(_("备案编号"), max_length=40, blank=True, editable=False)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True, editable=False)
    next_revision_due = models.DateField(_("下次修订期限"), null=True, blank=True, editable=False, db_index=True)
    revision_reminded_on = models.DateField(_("修订提醒日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["region_id", "kind", "code", "-version"]
        permissions = [("review_plan", "评审预案"), ("file_plan", "预案备案"), ("activate_plan", "启动预案响应")]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="plan_code_version")]
        indexes = [models.Index(fields=["region", "kind", "status"], name="plan_region_kind_status")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def status_color(self) -> str:
        return PLAN_STATUS_COLORS.get(self.status, "#555")

    @property
    def in_force(self) -> bool:
        return self.status == PlanStatus.FILED

    def clean(self) -> None:
        errors = {}
        if self.kind == PlanKind.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = _("企业应急预案须选择所属企业")
        if self.enterprise_id and self.kind != PlanKind.ENTERPRISE:
            errors["kind"] = _("填写了所属企业的预案，类别应为企业应急预案")
        if self.enterprise_id and self.region_id and self.enterprise.region_id != self.region_id:
            errors["region"] = _("企业预案的所属区划应与企业所在区划一致")
        if self.region_id and self.kind == PlanKind.TOWNSHIP and self.region.level != "township":
            errors["region"] = _("乡镇（街道）应急预案的所属区划应为乡镇（街道）")
        if self.region_id and self.kind == PlanKind.VILLAGE and self.region.level != "village":
            errors["region"] = _("村（社区）应急预案的所属区划应为村（社区）")
        if self.region_id and self.kind == PlanKind.COUNTY and self.region.level != "county":
            errors["region"] = _("区县应急预案的所属区划应为区县")
        if self.parent_id:
            if self.parent_id == self.pk:
                errors["parent"] = _("上级预案不能是本预案")
            elif self.kind and self.parent.kind not in PARENT_KINDS.get(self.kind, set()):
                errors["parent"] = _("%(kind)s不能隶属于%(parent)s") % {
                    "kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
            elif self.region_id and not self.region_id.startswith(self.parent.region.prefix):
                errors["parent"] = _("上级预案应为本区划或上级区划的预案")
        if errors:
            raise ValidationError(errors)


class PlanLevel(models.Model):
    """A response level the plan defines: when it starts and who commands."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(_("响应级别"), max_length=1, choices=ResponseLevel.choices)
    condition = models.TextField(_("启动条件"))
    commander = models.CharField(_("指挥长"), max_length=100, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("响应分级")
        verbose_name_plural = _("响应分级")
        ordering = ["plan_id", "level"]
        constraints = [models.UniqueConstraint(fields=["plan", "level"], name="plan_level_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.get_level_display()}响应"


class CommandRole(models.TextChoices):
    HEADQUARTERS = "headquarters", _("指挥部")
    OFFICE = "office", _("指挥部办公室")
    LEAD = "lead", _("牵头单位")
    MEMBER = "member", _("成员单位")
    WORKING_GROUP = "working_group", _("工作组")


class PlanOrganization(models.Model):
    """An organisation in the plan's command structure, with its standing responsibilities."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="organizations")
    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.PROTECT,
                                     related_name="+")
    role = models.CharField(_("组织角色"), max_length=20, choices=CommandRole.choices)
    responsibilities = models.TextField(_("职责"))
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("组织指挥体系")
        verbose_name_plural = _("组织指挥体系")
        ordering = ["plan_id", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="plan_organization_unique")]

    def __str__(self) -> str:
        return f"{self.organization.name}（{self.get_role_display()}）"


class PlanTask(models.Model):
    """What one organisation of the plan does at one response level; activation turns it into a dispatch task."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="tasks")
    level = models.CharField(_("响应级别"), max_length=1, choices=ResponseLevel.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                     related_name="+")
    task = models.TextField(_("响应任务"))
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("响应任务")
        verbose_name_plural = _("响应任务")
        ordering = ["plan_id", "level", "pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.organization.name}：{self.task[:30]}"

    def clean(self) -> None:
        if self.plan_id and self.organization_id and not PlanOrganization._base_manager.filter(
                plan_id=self.plan_id, organization_id=self.organization_id).exists():
            raise ValidationError({"organization": _("责任单位须先列入本预案的组织指挥体系")})


class PlanActivation(models.Model):
    """Which plan, at which level, started which response for which incident, and the tasks it dispatched."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.PROTECT, related_name="activations")
    level = models.CharField(_("响应级别"), max_length=1, choices=ResponseLevel.choices)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("事件"), on_delete=models.PROTECT,
                                 related_name="+")
    response = models.ForeignKey("incidents.EmergencyResponse", verbose_name=_("应急响应"), on_delete=models.PROTECT,
                                 related_name="+")
    dispatch_tasks = models.ManyToManyField("incidents.DispatchTask", verbose_name=_("下达的任务"), blank=True,
                                            related_name="+")
    is_exercise = models.BooleanField(_("演练"), default=False)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    activated_by = models.ForeignKey(User, verbose_name=_("启动人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    activated_at = models.DateTimeField(_("启动时间"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("预案启动记录")
        verbose_name_plural = _("预案启动记录")
        ordering = ["-activated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.get_level_display()}响应 → {self.incident.code}"


# -- drills -----------------------------------------------------------------------------------------------------


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("桌面推演")
    FIELD = "field", _("实战演练")
    COMBINED = "combined", _("综合演练")


class DrillStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("实施中")
    CONDUCTED = "conducted", _("已实施")
    EVALUATED = "evaluated", _("已评估")
    CLOSED = "closed", _("已闭环")
    CANCELLED = "cancelled", _("已取消")


DRILL_STATUS_COLORS = {
    DrillStatus.PLANNED: "#7f7f7f", DrillStatus.IN_PROGRESS: "#d62728", DrillStatus.CONDUCTED: "#ff7f0e",
    DrillStatus.EVALUATED: "#1f77b4", DrillStatus.CLOSED: "#2ca02c", DrillStatus.CANCELLED: "#8c564b",
}

# A drill counts for "every team drilled this year" once it has been held.
HELD_STATUSES = (DrillStatus.CONDUCTED, DrillStatus.EVALUATED, DrillStatus.CLOSED)


class DrillRating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Drill(models.Model):
    """An emergency drill, planned and then recorded; it may run in exercise mode through the incident screens."""

    code = models.CharField(_("演练编号"), max_length=30, unique=True, editable=False)
    name = models.CharField(_("演练名称"), max_length=200)
    kind = models.CharField(_("演练形式"), max_length=10, choices=DrillKind.choices)
    plan = models.ForeignKey(Plan, verbose_name=_("检验的预案"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="drills")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(Organization, verbose_name=_("组织单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    scenario = models.TextField(_("演练情景"))
    event_subtype = models.CharField(_("模拟事件类型"), max_length=30, choices=SUBTYPE_CHOICES, blank=True,
                                     help_text=_("以演练模式运行时生成的演练事件的类型"))
    place = models.CharField(_("演练地点"), max_length=200)
    longitude = models.FloatField(_("经度"), null=True, blank=True,
                                  validators=[MinValueValidator(73), MaxValueValidator(136)])
    latitude = models.FloatField(_("纬度"), null=True, blank=True,
                                 validators=[MinValueValidator(3), MaxValueValidator(54)])
    planned_on = models.DateField(_("计划日期"))
    participants = models.TextField(_("参演单位和人员"), blank=True)
    participant_count = models.PositiveIntegerField(_("参演人数"), default=0, validators=[MaxValueValidator(100_000)])
    teams = models.ManyToManyField("resources.RescueTeam", verbose_name=_("参演救援队伍"), blank=True,
                                   related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=DrillStatus.choices, default=DrillStatus.PLANNED,
                              editable=False)
    held_on = models.DateField(_("实施日期"), null=True, blank=True, editable=False, db_index=True)
    exercise_incident = models.ForeignKey("incidents.Incident", verbose_name=_("演练事件"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+", editable=False)
    summary = models.TextField(_("实施情况"), blank=True, editable=False)
    rating = models.CharField(_("评估结论"), max_length=10, choices=DrillRating.choices, blank=True, editable=False)
    evaluation = models.TextField(_("评估意见"), blank=True, editable=False)
    evaluated_by = models.ForeignKey(User, verbose_name=_("评估人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["region", "planned_on"], name="drill_region_planned")]

    def __str__(self) -> str:
        return self.name

    @property
    def status_color(self) -> str:
        return DRILL_STATUS_COLORS.get(self.status, "#555")

    def clean(self) -> None:
        errors = {}
        if self.enterprise_id and self.region_id and self.enterprise.region_id != self.region_id:
            errors["region"] = _("企业演练的所属区划应与企业所在区划一致")
        if self.plan_id and self.region_id:
            plan_prefix = self.plan.region.prefix
            if not (self.region_id.startswith(plan_prefix) or plan_prefix.startswith(self.region.prefix)):
                errors["plan"] = _("检验的预案应为本区划或上级区划的预案")
            elif self.enterprise_id and self.plan.enterprise_id not in (None, self.enterprise_id):
                errors["plan"] = _("企业演练只能检验本企业或政府的预案")
        if errors:
            raise ValidationError(errors)


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待验收")
    CLOSED = "closed", _("已销号")


class DrillImprovement(models.Model):
    """A problem the evaluation found and the improvement task that closes it."""

    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="improvements")
    problem = models.TextField(_("发现的问题"))
    measure = models.TextField(_("改进措施"))
    responsible_unit = models.CharField(_("责任单位"), max_length=100)
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=ImprovementStatus.choices,
                              default=ImprovementStatus.OPEN, editable=False)
    result = models.TextField(_("整改结果"), blank=True, editable=False)
    submitted_by = models.ForeignKey(User, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("演练改进任务")
        verbose_name_plural = _("演练改进任务")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.drill.name}：{self.problem[:30]}"


# -- grassroots readiness ------------------------------------------------------------------------------------------


class ReadinessItemKey(models.TextChoices):
    LEADERSHIP = "leadership", _("有班子")
    MECHANISM = "mechanism", _("有机制")
    PLAN = "plan", _("有预案")
    TEAM = "team", _("有队伍")
    TRAINING = "training", _("有培训")
    DRILL = "drill", _("有演练")
    SITE = "site", _("有场地")
    EQUIPMENT = "equipment", _("有装备物资")
    RULES = "rules", _("有工作制度")


TOWNSHIP_ITEMS = [ReadinessItemKey.LEADERSHIP, ReadinessItemKey.MECHANISM, ReadinessItemKey.PLAN,
                  ReadinessItemKey.TEAM, ReadinessItemKey.TRAINING, ReadinessItemKey.DRILL]
VILLAGE_ITEMS = [ReadinessItemKey.SITE, ReadinessItemKey.EQUIPMENT, ReadinessItemKey.RULES]
ITEM_REQUIREMENTS = {
    ReadinessItemKey.LEADERSHIP: _("成立应急管理工作领导小组，明确分管领导和工作人员"),
    ReadinessItemKey.MECHANISM: _("建立风险隐患排查、监测预警、信息报告、应急值守等工作机制"),
    ReadinessItemKey.PLAN: _("编制乡镇（街道）总体应急预案并报县级备案"),
    ReadinessItemKey.TEAM: _("组建基层应急救援队伍，落实人员和装备"),
    ReadinessItemKey.TRAINING: _("每年组织应急管理培训"),
    ReadinessItemKey.DRILL: _("每年至少组织一次应急演练"),
    ReadinessItemKey.SITE: _("有固定的应急工作和避难场地"),
    ReadinessItemKey.EQUIPMENT: _("储备必要的应急装备和物资"),
    ReadinessItemKey.RULES: _("建立应急值守、信息报告、隐患巡查等工作制度"),
}


class ReadinessStatus(models.TextChoices):
    DRAFT = "draft", _("自评中")
    SUBMITTED = "submitted", _("待县级复核")
    PASSED = "passed", _("达标")
    FAILED = "failed", _("未达标")


READINESS_STATUS_COLORS = {
    ReadinessStatus.DRAFT: "#7f7f7f", ReadinessStatus.SUBMITTED: "#ff7f0e", ReadinessStatus.PASSED: "#2ca02c",
    ReadinessStatus.FAILED: "#d62728",
}


class ReadinessAssessment(models.Model):
    """One year's readiness self-assessment of a township ("六有") or village ("三有") and its county review."""

    region = models.ForeignKey(Region, verbose_name=_("乡镇（街道）/村（社区）"), on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("状态"), max_length=10, choices=ReadinessStatus.choices,
                              default=ReadinessStatus.DRAFT, editable=False)
    self_assessed_by = models.ForeignKey(User, verbose_name=_("自评提交人"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(User, verbose_name=_("复核人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True, editable=False)
    review_opinion = models.TextField(_("复核意见"), blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("基层应急能力评估")
        verbose_name_plural = _("基层应急能力评估")
        ordering = ["-year", "region_id"]
        permissions = [("review_readinessassessment", "复核基层应急能力评估")]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="readiness_region_year")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year}年{self.standard_name}"

    @property
    def standard_name(self) -> str:
        return "“六有”" if self.region.level == "township" else "“三有”"

    @property
    def status_color(self) -> str:
        return READINESS_STATUS_COLORS.get(self.status, "#555")

    def clean(self) -> None:
        if self.region_id and self.region.level not in ("township", "village"):
            raise ValidationError({"region": _("基层应急能力评估的对象应为乡镇（街道）或村（社区）")})


class ReadinessItem(models.Model):
    """One checklist item of an assessment: the self-assessment, its evidence and the county's finding."""

    assessment = models.ForeignKey(ReadinessAssessment, verbose_name=_("评估"), on_delete=models.CASCADE,
                                   related_name="items")
    key = models.CharField(_("项目"), max_length=12, choices=ReadinessItemKey.choices)
    self_met = models.BooleanField(_("自评具备"), default=False)
    description = models.TextField(_("自评说明"), blank=True)
    hint = models.TextField(_("系统核查提示"), blank=True, editable=False)
    review_met = models.BooleanField(_("复核认定"), null=True, blank=True, editable=False)
    review_note = models.CharField(_("复核说明"), max_length=500, blank=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("评估项目")
        verbose_name_plural = _("评估项目")
        ordering = ["assessment_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="readiness_item_unique")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.get_key_display()}"

    @property
    def requirement(self) -> str:
        return str(ITEM_REQUIREMENTS.get(self.key, ""))
