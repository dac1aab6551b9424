"""Enforcement (执法检查): graded evaluation, annual plans, 双随机 draws, inspections, findings, cases, roll-ups."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, User
from yingji.core.scoping import ScopedQuerySet, SharedDownward
from yingji.enterprises.models import Category, SupervisionClass

# Templates, checklists and the frequency matrix belong to the bureau that keeps them (`region`, the owner) and are
# shared downwards (`SharedDownward`): every bureau and enterprise at or below the owner reads and uses them, only
# the owner's own jurisdiction changes them.
OWNER_LABEL = _("编制单位所在区划")


# -- codes ------------------------------------------------------------------------------------------------------------

class CodeCounter(models.Model):
    """The last number given out per kind, county and year; locked while a code is generated."""

    kind = models.CharField(max_length=4)
    county_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "county_code", "year"], name="inspection_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind}-{self.county_code}-{self.year}: {self.last}"


# -- 1. full-element evaluation ------------------------------------------------------------------------------------

class EvaluationResult(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


RESULT_COLORS = {"good": "#2ca02c", "fair": "#ff7f0e", "poor": "#d62728"}


class EvaluationTemplate(SharedDownward, models.Model):
    """全要素量化评价 template: elements → items → maximum scores. A version in use is never changed.

    Versions are numbered per owner and name: a county may keep its own template under the city's name.
    """

    name = models.CharField(_("模板名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=OWNER_LABEL, on_delete=models.PROTECT, related_name="+",
                               editable=False)
    version = models.PositiveIntegerField(_("版本"), editable=False)
    elements = models.JSONField(
        _("评价要素"),
        help_text=_('[{"name": "要素", "items": [{"code": "1.1", "name": "评价项", "max_score": 10}]}]'),
    )
    good_from = models.DecimalField(_("“好”的最低得分率（%）"), max_digits=5, decimal_places=2, default=Decimal(85),
                                    validators=[MinValueValidator(0), MaxValueValidator(100)])
    fair_from = models.DecimalField(_("“中”的最低得分率（%）"), max_digits=5, decimal_places=2, default=Decimal(60),
                                    validators=[MinValueValidator(0), MaxValueValidator(100)])
    is_active = models.BooleanField(_("当前启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价模板")
        verbose_name_plural = _("评价模板")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "name", "version"],
                                               name="evaluation_template_version")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def items(self) -> list[dict]:
        return [item for element in self.elements or [] for item in element.get("items", [])]

    @property
    def max_total(self) -> Decimal:
        return sum((Decimal(str(item["max_score"])) for item in self.items()), Decimal(0))

    def clean(self) -> None:
        if not isinstance(self.elements, list) or not self.elements:
            raise ValidationError({"elements": _("请至少设置一个评价要素")})
        codes: set[str] = set()
        for element in self.elements:
            if not isinstance(element, dict) or not str(element.get("name", "")).strip() or not element.get("items"):
                raise ValidationError({"elements": _("每个评价要素须有名称和至少一个评价项")})
            for item in element["items"]:
                code = str(item.get("code", "")).strip()
                try:
                    score = Decimal(str(item.get("max_score")))
                except Exception:
                    score = Decimal(-1)
                if not code or code in codes or not str(item.get("name", "")).strip() or score <= 0:
                    raise ValidationError({"elements": _("评价项“%(code)s”须有唯一编号、名称和大于0的分值")
                                           % {"code": code or "?"}})
                codes.add(code)
        if self.fair_from is not None and self.good_from is not None and self.fair_from > self.good_from:
            raise ValidationError({"fair_from": _("“中”的最低得分率不能高于“好”的最低得分率")})

    def grade(self, total: Decimal) -> str:
        """好/中/差 from the score as a share of the maximum (boundaries belong to the better grade)."""
        maximum = self.max_total
        rate = total * 100 / maximum if maximum else Decimal(0)
        if rate >= self.good_from:
            return EvaluationResult.GOOD
        if rate >= self.fair_from:
            return EvaluationResult.FAIR
        return EvaluationResult.POOR


class Evaluation(models.Model):
    """One enterprise's yearly 全要素量化评价."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    year = models.PositiveSmallIntegerField(_("评价年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    template = models.ForeignKey(EvaluationTemplate, verbose_name=_("评价模板"), on_delete=models.PROTECT,
                                 related_name="evaluations")
    scores = models.JSONField(_("各项得分"), default=dict)
    total_score = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, editable=False)
    result = models.CharField(_("评价结果"), max_length=8, choices=EvaluationResult.choices, editable=False)
    evaluated_on = models.DateField(_("评价日期"))
    evaluator = models.CharField(_("评价人员"), max_length=100)
    note = models.TextField(_("评价意见"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("全要素评价")
        verbose_name_plural = _("全要素评价")
        ordering = ["-year", "region_id", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="evaluation_one_per_year",
                                               violation_error_message=_("该企业本年度已有评价"))]
        indexes = [models.Index(fields=["year", "result"], name="evaluation_year_result")]

    def __str__(self) -> str:
        name = self.enterprise.name if self.enterprise_id else ""
        return f"{name} {self.year}年度评价"

    @property
    def result_color(self) -> str:
        return RESULT_COLORS.get(self.result, "#555555")


class InterviewStatus(models.TextChoices):
    PENDING = "pending", _("待约谈")
    HELD = "held", _("已约谈")


class WarningInterview(models.Model):
    """警示约谈 of an enterprise rated 差, with its record."""

    evaluation = models.OneToOneField(Evaluation, verbose_name=_("评价"), on_delete=models.PROTECT,
                                      related_name="interview", editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=InterviewStatus.choices, default=InterviewStatus.PENDING,
                              editable=False)
    held_on = models.DateField(_("约谈日期"), null=True, blank=True)
    interviewers = models.CharField(_("约谈人"), max_length=200, blank=True)
    attendees = models.CharField(_("被约谈人"), max_length=200, blank=True)
    record = models.TextField(_("约谈记录"), blank=True)
    commitments = models.TextField(_("整改承诺"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("警示约谈")
        verbose_name_plural = _("警示约谈")
        ordering = ["status", "-id"]

    def __str__(self) -> str:
        return _("%(name)s警示约谈") % {"name": self.enterprise.name}


class FrequencyRule(SharedDownward, models.Model):
    """How often an enterprise of a supervision class and evaluation result must be inspected each year.

    One matrix for the deployment, kept by the top bureau (part of its 分类分级监管 rules): every county inspects and
    draws by the same minimum frequency, so risk weights and plan loads compare across counties.
    """

    region = models.ForeignKey(Region, verbose_name=OWNER_LABEL, on_delete=models.PROTECT, related_name="+",
                               editable=False)
    supervision_class = models.CharField(_("监管分级"), max_length=1, choices=SupervisionClass.choices)
    result = models.CharField(_("评价结果"), max_length=8, choices=EvaluationResult.choices)
    per_year = models.PositiveSmallIntegerField(_("年检查次数"), validators=[MaxValueValidator(52)])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查频次")
        verbose_name_plural = _("检查频次矩阵")
        ordering = ["supervision_class", "result"]
        constraints = [models.UniqueConstraint(fields=["supervision_class", "result"], name="frequency_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_supervision_class_display()} × {self.get_result_display()}：{self.per_year}"


# -- 2. annual plans, officers, draws --------------------------------------------------------------------------------

class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    FILED = "filed", _("已备案")


class AnnualPlan(models.Model):
    """年度监督检查计划 of one bureau: key and random inspections per quarter."""

    region = models.ForeignKey(Region, verbose_name=_("编制单位所在区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("计划年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("计划名称"), max_length=200)
    key_q1 = models.PositiveIntegerField(_("一季度重点检查"), default=0)
    key_q2 = models.PositiveIntegerField(_("二季度重点检查"), default=0)
    key_q3 = models.PositiveIntegerField(_("三季度重点检查"), default=0)
    key_q4 = models.PositiveIntegerField(_("四季度重点检查"), default=0)
    random_q1 = models.PositiveIntegerField(_("一季度双随机抽查"), default=0)
    random_q2 = models.PositiveIntegerField(_("二季度双随机抽查"), default=0)
    random_q3 = models.PositiveIntegerField(_("三季度双随机抽查"), default=0)
    random_q4 = models.PositiveIntegerField(_("四季度双随机抽查"), default=0)
    description = models.TextField(_("计划说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT,
                              editable=False)
    submitted_by = models.ForeignKey(User, verbose_name=_("报批人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("年度执法计划")
        verbose_name_plural = _("年度执法计划")
        ordering = ["-year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="plan_one_per_region_year",
                                               violation_error_message=_("该区划本年度已有执法计划"))]
        permissions = [("approve_annualplan", "审批执法计划")]

    def __str__(self) -> str:
        return self.title

    def quarter(self, number: int) -> tuple[int, int]:
        return getattr(self, f"key_q{number}"), getattr(self, f"random_q{number}")

    @property
    def total_key(self) -> int:
        return sum(self.quarter(q)[0] for q in range(1, 5))

    @property
    def total_random(self) -> int:
        return sum(self.quarter(q)[1] for q in range(1, 5))

    def clean(self) -> None:
        if self.region_id and self.region.level not in ("province", "city", "county"):
            raise ValidationError({"region": _("执法计划由市、县（区）应急管理部门编制")})


class Inspector(models.Model):
    """A certified enforcement officer (执法人员名录) and the enterprises they must avoid."""

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    certificate_no = models.CharField(_("执法证号"), max_length=30, unique=True,
                                      error_messages={"unique": _("该执法证号已登记")})
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    organization = models.CharField(_("所在单位"), max_length=100)
    user = models.OneToOneField(User, verbose_name=_("平台账号"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="inspector")
    is_active = models.BooleanField(_("在岗可抽取"), default=True)
    conflict_enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("申报回避企业"), blank=True, related_name="+",
        help_text=_("与执法人员有亲属、任职、投资等利害关系，须回避的企业"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("执法人员")
        verbose_name_plural = _("执法人员名录")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class DrawKind(models.TextChoices):
    INSPECTION = "inspection", _("双随机检查抽取")
    EXPERT = "expert", _("专家抽取")


class ExpertPurpose(models.TextChoices):
    CONSULTATION = "consultation", _("会商咨询")
    REVIEW = "review", _("评审")
    ACCEPTANCE = "acceptance", _("验收")


class Draw(models.Model):
    """One reproducible draw: seed, canonical inputs and algorithm version, and the result they give."""

    code = models.CharField(_("抽取编号"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("抽取类型"), max_length=12, choices=DrawKind.choices, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("抽取单位所在区划"), on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(AnnualPlan, verbose_name=_("年度计划"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="draws")
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(4)])
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("涉及企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=20, choices=ExpertPurpose.choices, blank=True)
    title = models.CharField(_("事项"), max_length=200)
    seed = models.CharField(_("随机种子"), max_length=40, editable=False)
    algorithm_version = models.CharField(_("算法版本"), max_length=40, editable=False)
    inputs = models.JSONField(_("输入快照"), editable=False)
    inputs_digest = models.CharField(_("输入摘要（SHA-256）"), max_length=64, editable=False)
    result = models.JSONField(_("抽取结果"), editable=False)
    result_digest = models.CharField(_("结果摘要（SHA-256）"), max_length=64, editable=False)
    drawn_by = models.ForeignKey(User, verbose_name=_("抽取人"), null=True, on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    drawn_at = models.DateTimeField(_("抽取时间"), editable=False)
    replaces = models.OneToOneField("self", verbose_name=_("重新抽取自"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by", editable=False)
    redraw_reason = models.TextField(_("重新抽取原因"), blank=True, editable=False)
    is_current = models.BooleanField(_("有效"), default=True, editable=False)
    # The snapshot can hold 100,000 candidates and never changes; history keeps the rest of the row.
    history = HistoricalRecords(excluded_fields=["inputs", "result"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("随机抽取记录")
        verbose_name_plural = _("随机抽取记录")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def target_ids(self) -> list[int]:
        return list(self.result.get("targets", []))

    @property
    def teams(self) -> dict[int, list[int]]:
        return {int(k): v for k, v in self.result.get("teams", {}).items()}


# -- 3. checklists, inspections, findings, cases ---------------------------------------------------------------------

class Checklist(SharedDownward, models.Model):
    """检查表 for one enterprise category, kept by a bureau (a county may keep its own next to the city's)."""

    region = models.ForeignKey(Region, verbose_name=OWNER_LABEL, on_delete=models.PROTECT, related_name="+",
                               editable=False)
    category = models.CharField(_("适用企业类别"), max_length=30, choices=Category.choices)
    name = models.CharField(_("检查表名称"), max_length=100)
    items = models.JSONField(_("检查项"), help_text=_('[{"code": "1", "text": "检查内容", "basis": "依据"}]'))
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.items, list) or not self.items:
            raise ValidationError({"items": _("请至少设置一个检查项")})
        codes = [str(item.get("code", "")).strip() if isinstance(item, dict) else "" for item in self.items]
        if "" in codes or len(set(codes)) != len(codes):
            raise ValidationError({"items": _("每个检查项须有唯一编号")})
        if any(not str(item.get("text", "")).strip() for item in self.items):
            raise ValidationError({"items": _("每个检查项须有检查内容")})


class InspectionKind(models.TextChoices):
    RANDOM = "random", _("双随机抽查")
    KEY = "key", _("重点检查")
    SPECIAL = "special", _("专项检查")
    COMPLAINT = "complaint", _("举报核查")


class ItemResult(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NA = "na", _("不涉及")


class Inspection(models.Model):
    """One enforcement inspection of an enterprise (现场检查)."""

    code = models.CharField(_("检查编号"), max_length=24, unique=True, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("被检查单位"), on_delete=models.PROTECT,
                                   related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    kind = models.CharField(_("检查类型"), max_length=12, choices=InspectionKind.choices)
    plan = models.ForeignKey(AnnualPlan, verbose_name=_("年度计划"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")
    draw = models.ForeignKey(Draw, verbose_name=_("抽取记录"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections", limit_choices_to={"kind": DrawKind.INSPECTION})
    checklist = models.ForeignKey(Checklist, verbose_name=_("检查表"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("执法人员"), related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    place = models.CharField(_("检查场所"), max_length=200, blank=True)
    item_results = models.JSONField(_("检查项结果"), default=dict, blank=True)
    conclusion = models.TextField(_("检查结论"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("执法检查")
        verbose_name_plural = _("执法检查")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["region", "inspected_on"], name="inspection_region_date"),
            models.Index(fields=["enterprise", "inspected_on"], name="inspection_enterprise_date"),
            models.Index(fields=["inspected_on"], name="inspection_date", include=["region", "enterprise"]),
        ]

    def __str__(self) -> str:
        return self.code or str(_("新检查"))

    def clean(self) -> None:
        if self.draw_id and self.draw.kind != DrawKind.INSPECTION:
            raise ValidationError({"draw": _("请选择双随机检查抽取记录")})
        if self.checklist_id and self.enterprise_id and self.checklist.category != self.enterprise.category:
            raise ValidationError({"checklist": _("检查表的适用类别与企业类别不一致")})
        if self.checklist_id and self.item_results:
            codes = {str(item["code"]) for item in self.checklist.items}
            unknown = set(self.item_results) - codes
            bad = {v for v in self.item_results.values() if v not in ItemResult.values}
            if unknown or bad:
                raise ValidationError({"item_results": _("检查项结果有误")})


class Finding(models.Model):
    """A problem found in an inspection: it becomes a hazard, and a violation may open a case."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("执法检查"), on_delete=models.PROTECT,
                                   related_name="findings", editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    item_code = models.CharField(_("检查项编号"), max_length=20, blank=True)
    description = models.TextField(_("问题描述"))
    place = models.CharField(_("部位"), max_length=200)
    hazard_category = models.CharField(_("隐患类别"), max_length=30)
    hazard_level = models.CharField(_("隐患级别"), max_length=10)
    is_violation = models.BooleanField(_("涉嫌违法行为"), default=False)
    legal_basis = models.CharField(_("违反的规定"), max_length=300, blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    hazard = models.OneToOneField("hazards.Hazard", verbose_name=_("隐患"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class CaseStatus(models.TextChoices):
    FILED = "filed", _("立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("告知")
    DECIDED = "decided", _("决定")
    EXECUTING = "executing", _("执行")
    CLOSED = "closed", _("结案")


CASE_COLORS = {"filed": "#d62728", "investigating": "#ff7f0e", "notified": "#bcbd22", "decided": "#1f77b4",
               "executing": "#9467bd", "closed": "#2ca02c"}


class Case(models.Model):
    """执法案件 opened from a violation found in an inspection."""

    code = models.CharField(_("案件编号"), max_length=24, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, verbose_name=_("来源检查"), on_delete=models.PROTECT,
                                   related_name="cases", editable=False)
    finding = models.OneToOneField(Finding, verbose_name=_("违法事实来源"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="case", editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("当事单位"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    title = models.CharField(_("案由"), max_length=200)
    facts = models.TextField(_("违法事实"))
    legal_basis = models.CharField(_("违反的规定"), max_length=300, blank=True)
    penalty_basis = models.CharField(_("处罚依据"), max_length=300, blank=True)
    filed_on = models.DateField(_("立案日期"), editable=False)
    status = models.CharField(_("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.FILED,
                              editable=False)
    order_rectify = models.BooleanField(_("责令限期整改"), default=False, editable=False)
    rectify_deadline = models.DateField(_("整改期限"), null=True, blank=True, editable=False)
    order_suspend = models.BooleanField(_("责令停产整顿"), default=False, editable=False)
    order_close = models.BooleanField(_("关闭取缔"), default=False, editable=False)
    fine_yuan = models.DecimalField(_("罚款（元）"), max_digits=14, decimal_places=2, default=Decimal(0),
                                    validators=[MinValueValidator(0)], editable=False)
    decision_no = models.CharField(_("决定书文号"), max_length=50, blank=True, editable=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["region", "filed_on"], name="case_region_filed"),
                   models.Index(fields=["region", "decided_on"], name="case_region_decided")]

    def __str__(self) -> str:
        return self.code or str(_("新案件"))

    @property
    def status_color(self) -> str:
        return CASE_COLORS.get(self.status, "#555555")

    @property
    def is_penalty(self) -> bool:
        """An administrative penalty: a fine, a suspension or a closure (an order to rectify alone is not one)."""
        return self.fine_yuan > 0 or self.order_suspend or self.order_close

    def orders_display(self) -> str:
        names = [label for flag, label in ((self.order_rectify, _("责令限期整改")), (self.order_suspend, _("责令停产整顿")),
                                           (self.order_close, _("关闭取缔"))) if flag]
        return "、".join(str(n) for n in names)


# -- statistics roll-ups -----------------------------------------------------------------------------------------------

class EnforcementStat(models.Model):
    """Monthly enforcement figures per township, kept current by the services.

    Inspections count in the month of their 检查日期, cases in the month of 立案, penalties, suspensions, closures
    and fines in the month of the 处罚决定.
    """

    month = models.DateField(_("月份"))
    region = models.ForeignKey(Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="+")
    inspections = models.IntegerField(_("检查次数"), default=0)
    cases = models.IntegerField(_("立案数"), default=0)
    penalties = models.IntegerField(_("行政处罚次数"), default=0)
    suspensions = models.IntegerField(_("责令停产整顿"), default=0)
    closures = models.IntegerField(_("关闭取缔"), default=0)
    fines_yuan = models.DecimalField(_("罚款（元）"), max_digits=16, decimal_places=2, default=Decimal(0))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("执法统计")
        verbose_name_plural = _("执法统计")
        constraints = [models.UniqueConstraint(fields=["month", "region"], name="enforcement_stat_unique")]
        indexes = [models.Index(fields=["month", "region"], name="enforcement_stat_lookup",
                                include=["inspections", "cases", "penalties", "suspensions", "closures",
                                         "fines_yuan"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id}"


class InspectedUnit(models.Model):
    """The months of a year in which an enterprise was inspected (bit m-1 for month m).

    "执法检查生产经营单位N个" counts distinct enterprises, which monthly sums cannot give; one row per enterprise
    and year with a month mask answers it for whole months with one range scan.
    """

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month_mask = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("受检单位")
        verbose_name_plural = _("受检单位")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="inspected_unit_unique")]
        indexes = [models.Index(fields=["year", "region"], name="inspected_unit_lookup",
                                include=["enterprise", "month_mask"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}: {self.month_mask:012b}"
