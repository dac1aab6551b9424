"""Safety training: question banks by industry and post, enterprise staff as trainees, supervised exams.

Banks and exams belong to the bureau that made them (its region) and are shared downwards: every bureau and
enterprise below may read them, only the owner's jurisdiction may change them (`SharedDownward`). Trainees,
candidates and attempts belong to an enterprise and its region, like any other enterprise record.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region
from yingji.core.scoping import ScopedQuerySet, SharedDownward, is_in_scope
from yingji.standards import division, resident_id


class Industry(models.TextChoices):
    HAZCHEM = "hazchem", _("危险化学品")
    NON_COAL_MINE = "non_coal_mine", _("非煤矿山")
    INDUSTRY_TRADE = "industry_trade", _("工贸")
    FIREWORKS = "fireworks", _("烟花爆竹")
    GENERAL = "general", _("通用")


class Post(models.TextChoices):
    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
    SPECIAL_OPERATOR = "special_operator", _("特种作业人员")
    EMPLOYEE = "employee", _("一般从业人员")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    JUDGE = "judge", _("判断题")


OPTION_LETTERS = "ABCDEF"
TRUE, FALSE = "T", "F"
JUDGE_LABELS = {TRUE: _("正确"), FALSE: _("错误")}


def owns(user, obj) -> bool:
    """The user's own jurisdiction holds the record (may change it, not only read it); no user is the system."""
    return user is None or is_in_scope(user, obj, "change")


EXAM_ADMIN_PERMISSION = "training.change_question"


def is_exam_administrator(user, region_id: str) -> bool:
    """Whether `user` administers exams for the region `region_id`: may read answer keys and full ID numbers there.

    An exam administrator is a bureau user (never an enterprise account) holding `training.change_question`
    (系统管理员 and 监管人员/执法人员 by the role table) whose jurisdiction contains the region: the owning region
    of a bank, question or exam, or the region of a trainee's enterprise. A superuser without a scope counts too.
    Everyone else who may view training records (leaders, duty officers, enterprise managers) sees questions
    without their answers and ID numbers masked.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.scope_enterprise_id or not user.has_perm(EXAM_ADMIN_PERMISSION):
        return False
    if not user.scope_region_id:
        return user.is_superuser
    return str(region_id or "").startswith(division.significant_prefix(user.scope_region_id))


class QuestionBank(SharedDownward, models.Model):
    """A bank of questions for one industry and post, kept by a bureau."""

    name = models.CharField(_("题库名称"), max_length=100)
    industry = models.CharField(_("行业领域"), max_length=20, choices=Industry.choices)
    post = models.CharField(_("适用岗位"), max_length=20, choices=Post.choices)
    region = models.ForeignKey(Region, verbose_name=_("编制单位所在区划"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["industry", "post", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="training_bank_name_unique")]

    def __str__(self) -> str:
        return self.name


class Question(SharedDownward, models.Model):
    """One question with its answer and explanation. Its region follows its bank."""

    code = models.CharField(_("题目编号"), max_length=20, unique=True, blank=True,
                            help_text=_("留空将自动生成；导入时填写已有编号则更新该题"))
    bank = models.ForeignKey(QuestionBank, verbose_name=_("所属题库"), on_delete=models.PROTECT,
                             related_name="questions")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    stem = models.TextField(_("题干"))
    option_a = models.CharField(_("选项A"), max_length=300, blank=True)
    option_b = models.CharField(_("选项B"), max_length=300, blank=True)
    option_c = models.CharField(_("选项C"), max_length=300, blank=True)
    option_d = models.CharField(_("选项D"), max_length=300, blank=True)
    option_e = models.CharField(_("选项E"), max_length=300, blank=True)
    option_f = models.CharField(_("选项F"), max_length=300, blank=True)
    answer = models.CharField(_("标准答案"), max_length=6,
                              help_text=_("单选填一个字母，多选填多个字母（如 ACD），判断填“正确”或“错误”"))
    explanation = models.TextField(_("答案解析"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用的题目不再进入练习和新组的试卷"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank_id", "kind", "pk"]
        indexes = [models.Index(fields=["bank", "kind", "is_active"])]

    def __str__(self) -> str:
        return self.code

    @property
    def options(self) -> list[tuple[str, str]]:
        """(letter, text) of the filled options; a judge question has 正确/错误."""
        if self.kind == QuestionKind.JUDGE:
            return [(TRUE, str(JUDGE_LABELS[TRUE])), (FALSE, str(JUDGE_LABELS[FALSE]))]
        return [(letter, text) for letter in OPTION_LETTERS
                if (text := getattr(self, f"option_{letter.lower()}").strip())]

    def answer_display(self) -> str:
        if self.kind == QuestionKind.JUDGE:
            return str(JUDGE_LABELS.get(self.answer, self.answer))
        return self.answer

    def clean(self) -> None:
        self.answer = normalise_answer(self.kind, self.answer)
        letters = [letter for letter, _text in self.options]
        errors = {}
        if self.kind == QuestionKind.JUDGE:
            if any(getattr(self, f"option_{c.lower()}").strip() for c in OPTION_LETTERS):
                errors["option_a"] = _("判断题不填选项")
            if self.answer not in (TRUE, FALSE):
                errors["answer"] = _("判断题答案应为“正确”或“错误”")
        elif self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            filled = "".join(c for c in OPTION_LETTERS if getattr(self, f"option_{c.lower()}").strip())
            if filled != OPTION_LETTERS[: len(filled)]:
                errors["option_a"] = _("选项应从A开始连续填写")
            minimum = 2 if self.kind == QuestionKind.SINGLE else 3
            if len(letters) < minimum:
                errors["option_a"] = _("%(kind)s至少需要%(n)d个选项") % {"kind": self.get_kind_display(), "n": minimum}
            if not self.answer or any(c not in letters for c in self.answer):
                errors["answer"] = _("答案应为已填写选项的字母（%(letters)s）") % {"letters": "".join(letters) or "—"}
            elif self.kind == QuestionKind.SINGLE and len(self.answer) != 1:
                errors["answer"] = _("单选题只能有一个正确答案")
            elif self.kind == QuestionKind.MULTIPLE and len(self.answer) < 2:
                errors["answer"] = _("多选题至少有两个正确答案")
        if errors:
            raise ValidationError(errors)


def normalise_answer(kind: str, value) -> str:
    """An answer as stored: sorted option letters ("ACD"), or T/F for a judge question.

    Accepts what people type in Excel: "a,c,d", "A、C、D", "正确", "对", "√", "错误", "×"...
    """
    text = str(value or "").strip().upper()
    if kind == QuestionKind.JUDGE:
        if text in ("T", "TRUE", "正确", "对", "√", "是", "Y"):
            return TRUE
        if text in ("F", "FALSE", "错误", "错", "×", "X", "否", "N"):
            return FALSE
        return text[:6]
    letters = sorted({c for c in text if c.isalpha() and c.isascii()})
    if any(c not in OPTION_LETTERS for c in letters):
        return text[:6]
    return "".join(letters)


class Trainee(models.Model):
    """A person working in an enterprise, registered by the enterprise to sit exams (no login account needed)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所在企业"), on_delete=models.PROTECT,
                                   related_name="trainees")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("公民身份号码"), max_length=18)
    industry = models.CharField(_("行业领域"), max_length=20, choices=Industry.choices)
    post = models.CharField(_("岗位"), max_length=20, choices=Post.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["enterprise_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_number"], name="training_trainee_unique"),
        ]
        indexes = [models.Index(fields=["region", "post"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return resident_id.mask_resident_id(self.id_number)

    def id_number_for(self, user) -> str:
        """The ID number in full for an exam administrator of the trainee's region, masked for anyone else."""
        return self.id_number if is_exam_administrator(user, self.region_id) else self.masked_id_number

    def clean(self) -> None:
        self.id_number = (self.id_number or "").strip().upper()
        problem = resident_id.problem(self.id_number)
        if problem:
            raise ValidationError({"id_number": problem})


class Exam(SharedDownward, models.Model):
    """A supervised exam: its banks, the paper rule, the attempt window and the time limit."""

    code = models.CharField(_("考试编号"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("考试名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("组织单位所在区划"), on_delete=models.PROTECT, related_name="+")
    banks = models.ManyToManyField(QuestionBank, verbose_name=_("题库"), related_name="exams")
    single_count = models.PositiveSmallIntegerField(_("单选题数量"), default=0)
    single_score = models.DecimalField(_("单选题每题分值"), max_digits=5, decimal_places=1, default=Decimal("1"),
                                       validators=[MinValueValidator(Decimal("0"))])
    multiple_count = models.PositiveSmallIntegerField(_("多选题数量"), default=0)
    multiple_score = models.DecimalField(_("多选题每题分值"), max_digits=5, decimal_places=1, default=Decimal("2"),
                                         validators=[MinValueValidator(Decimal("0"))])
    judge_count = models.PositiveSmallIntegerField(_("判断题数量"), default=0)
    judge_score = models.DecimalField(_("判断题每题分值"), max_digits=5, decimal_places=1, default=Decimal("1"),
                                      validators=[MinValueValidator(Decimal("0"))])
    pass_mark = models.DecimalField(_("合格分数线"), max_digits=6, decimal_places=1,
                                    validators=[MinValueValidator(Decimal("0"))])
    duration_minutes = models.PositiveSmallIntegerField(_("考试时长（分钟）"),
                                                        validators=[MinValueValidator(1), MaxValueValidator(600)])
    opens_at = models.DateTimeField(_("开考时间"))
    closes_at = models.DateTimeField(_("截止时间"), help_text=_("此后不能再开始考试，进行中的答卷到此时刻自动交卷"))
    instructions = models.TextField(_("考试须知"), blank=True)
    # The question ids the papers are drawn from, fixed when the exam is saved, so a paper can be drawn again from
    # its seed however the banks change later.
    question_pool = models.JSONField(_("试题池"), default=dict, editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["-opens_at", "pk"]
        indexes = [models.Index(fields=["region", "opens_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def rule(self) -> dict[str, tuple[int, Decimal]]:
        return {
            QuestionKind.SINGLE: (self.single_count, self.single_score),
            QuestionKind.MULTIPLE: (self.multiple_count, self.multiple_score),
            QuestionKind.JUDGE: (self.judge_count, self.judge_score),
        }

    @property
    def total_score(self) -> Decimal:
        return sum((count * score for count, score in self.rule.values()), Decimal("0"))

    @property
    def question_count(self) -> int:
        return sum(count for count, _score in self.rule.values())

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("截止时间应晚于开考时间")
        elif (self.opens_at and self.closes_at and self.duration_minutes
              and (self.closes_at - self.opens_at).total_seconds() < self.duration_minutes * 60):
            errors["duration_minutes"] = _("考试时长不能超过开考至截止的时间")
        if self.question_count == 0:
            errors["single_count"] = _("试卷至少需要一道题")
        elif self.pass_mark is not None and self.pass_mark > self.total_score:
            errors["pass_mark"] = _("合格分数线不能高于试卷总分（%(total)s分）") % {"total": self.total_score}
        if errors:
            raise ValidationError(errors)


class Candidate(models.Model):
    """A trainee enrolled in an exam, with the admission ticket number they log in with."""

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.PROTECT, related_name="candidates")
    trainee = models.ForeignKey(Trainee, verbose_name=_("考生"), on_delete=models.PROTECT, related_name="candidacies")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所在企业"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    ticket_number = models.CharField(_("准考证号"), max_length=12, unique=True, editable=False)
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    # The one-time entry code (入场码) the invigilator hands over after checking the identity card; only its
    # SHA-256 is kept, and it is cleared when used, so whoever enrolled the candidate cannot enter in their place.
    room_code_hash = models.CharField(_("入场码摘要"), max_length=64, blank=True, editable=False)
    room_code_issued_at = models.DateTimeField(_("入场码发放时间"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["room_code_hash", "room_code_issued_at"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("考生报名")
        verbose_name_plural = _("考生报名")
        ordering = ["exam_id", "enterprise_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["exam", "trainee"], name="training_candidate_unique")]
        indexes = [models.Index(fields=["exam", "region"])]

    def __str__(self) -> str:
        return f"{self.ticket_number} {self.trainee.name}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    TIMED_OUT = "timed_out", _("超时自动交卷")


class Attempt(models.Model):
    """A candidate's one attempt: the paper drawn from the seed, the answers, and the score."""

    candidate = models.OneToOneField(Candidate, verbose_name=_("考生"), on_delete=models.PROTECT,
                                     related_name="attempt")
    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.PROTECT, related_name="attempts")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("所在企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField(_("组卷种子"))
    paper = models.JSONField(_("试卷题目"), default=list)
    answers = models.JSONField(_("作答"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=AttemptStatus.choices,
                              default=AttemptStatus.IN_PROGRESS, editable=False)
    started_at = models.DateTimeField(_("开始时间"))
    deadline_at = models.DateTimeField(_("答题截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(_("答对题数"), null=True, blank=True)
    passed = models.BooleanField(_("是否合格"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["answers"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("考试成绩")
        verbose_name_plural = _("考试成绩")
        ordering = ["exam_id", "-score", "pk"]
        indexes = [
            models.Index(fields=["exam", "region"]),
            models.Index(fields=["status", "deadline_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.candidate.trainee.name}（{self.exam.name}）"
