import uuid
from pathlib import PurePosixPath

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.scoping import ScopedQuerySet, code_prefix_q
from yingji.standards import division

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位手机号码"))
# A mobile (11 digits), a landline with its area code (and extension), a local number without it (7-8 digits, never
# starting with 0 or 1), or a service number such as 110, 12350 or 95598. "1390000" is a mobile cut short: refused.
phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|[2-9]\d{6,7}|1\d{2,4}|9\d{4})$",
    _("请输入11位手机号码、带区号的固定电话或服务号码（如12350）")
)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class Region(models.Model):
    """An administrative division keyed by its 12-digit 统计用区划代码.

    The code is the primary key, so a foreign key to a region *is* the code and
    scoping a child table is a prefix match on its own column, with no join.
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    longitude = models.FloatField(_("中心经度"), null=True, blank=True)
    latitude = models.FloatField(_("中心纬度"), null=True, blank=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    area_km2 = models.FloatField(_("面积（平方公里）"), null=True, blank=True)
    # 城乡分类代码 of the statistics table (111 主城区 ... 220 村庄), given for villages.
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True, db_default="")
    # A code dropped from a later year's table stays (records still point to it), marked retired.
    retired_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("由此代替"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "code"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_for_enterprise(cls, enterprise) -> Q:
        return Q(code=enterprise.region_id)

    @property
    def prefix(self) -> str:
        return division.significant_prefix(self.code)

    def clean(self) -> None:
        if not division.is_well_formed(self.code):
            raise ValidationError({"code": _("区划代码应为12位数字")})
        expected_level = division.level_of(self.code)
        if self.level and self.level != expected_level:
            raise ValidationError({"level": _("级别与区划代码不一致")})
        self.level = expected_level
        expected_parent = division.parent_code(self.code)
        if (self.parent_id or None) != expected_parent and expected_parent is not None:
            raise ValidationError({"parent": _("上级区划应为 %(code)s") % {"code": expected_parent}})

    def ancestors(self) -> list["Region"]:
        codes = division.ancestor_codes(self.code)
        by_code = Region.objects.in_bulk(codes)
        return [by_code[c] for c in reversed(codes) if c in by_code]


class OrganizationKind(models.TextChoices):
    BUREAU = "bureau", _("应急管理局")
    BUREAU_DEPARTMENT = "bureau_department", _("局内科室")
    INDUSTRY = "industry", _("行业部门")
    TOWNSHIP_OFFICE = "township_office", _("乡镇（街道）办")
    VILLAGE_COMMITTEE = "village_committee", _("村（居）委会")
    OTHER = "other", _("其他")


class Organization(models.Model):
    """A government body: a bureau, one of its departments, an industry department, a township office."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganizationKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    phone = models.CharField(_("值班电话"), max_length=30, blank=True, validators=[phone_validator])
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="organization_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class RoleTemplate(models.Model):
    """The roles a new person of an organisation of this kind gets when an import names none (a township office's
    staff: 网格员/灾害信息员). Data the administrator edits, one row per kind."""

    kind = models.CharField(_("组织机构类型"), max_length=20, choices=OrganizationKind.choices, unique=True)
    roles = models.ManyToManyField("auth.Group", verbose_name=_("默认角色"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("角色模板")
        verbose_name_plural = _("角色模板")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Scope: a region (and everything under it) or one enterprise."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True, validators=[mobile_validator])
    organization = models.ForeignKey(
        Organization, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    scope_region = models.ForeignKey(
        Region, verbose_name=_("管辖区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # Set for people an import created with an initial password: they choose their own at first login.
    must_set_password = models.BooleanField(_("首次登录须设置密码"), default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = ScopedUserManager()
    scope_region_field = "scope_region"
    scope_enterprise_field = "scope_enterprise"

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope_region__isnull=True) | Q(scope_enterprise__isnull=True),
                name="user_single_scope",
            )
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @classmethod
    def scope_for_region(cls, prefix: str) -> Q:
        # Bureau users by their region; enterprise users by where their enterprise is.
        return code_prefix_q("scope_region__code", prefix) | code_prefix_q("scope_enterprise__region__code", prefix)

    @property
    def scope_label(self) -> str:
        if self.scope_enterprise_id:
            return str(self.scope_enterprise)
        if self.scope_region_id:
            return str(self.scope_region)
        return _("全部") if self.is_superuser else _("无")

    @property
    def role_names(self) -> list[str]:
        return [g.name for g in self.groups.all()]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names: nothing about the uploader's file name reaches the disk.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to any record; checked by content type and size when stored."""

    # The address of the file: unguessable, unlike the sequential id.
    key = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    owner_id = models.CharField(max_length=64, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(User, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_url(self) -> str:
        return reverse("core:attachment_download", args=[self.key])


class StateChange(models.Model):
    """One move of a workflow: who moved what from which state to which, when and why.

    The timeline of a record (Healthchecks' Flip), written only by `yingji.core.workflow.transition`. Its side
    effects travel separately, as `OutboxMessage` rows written in the same transaction (`yingji.core.outbox`).
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40)
    action_label = models.CharField(_("操作名称"), max_length=60)
    from_state = models.CharField(_("原状态"), max_length=40)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(User, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("原因/说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action_label}：{self.from_state} → {self.to_state}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        """A person's notifications are theirs alone, whatever their jurisdiction."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person; other channels (SMS, voice) deliver the same rows."""

    recipient = models.ForeignKey(User, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(_("发送时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # The outbox message that stored it (`notify_after_commit`): a message run twice still notifies each person once.
    outbox_message = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["recipient", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["outbox_message", "recipient"], condition=Q(outbox_message__isnull=False),
                                    name="core_notification_once_per_message"),
        ]

    def __str__(self) -> str:
        return self.title


class LiveEvent(models.Model):
    """A short-lived notice that something changed, for live pages when no Redis carries them (`yingji.core.live`).

    Writers insert it in their own transaction, so it becomes visible exactly when the change commits; every web
    process polls the table for new ids. It carries ids and the jurisdiction only, and is pruned after minutes.
    """

    topic = models.CharField(max_length=64)
    region_code = models.CharField(max_length=12, blank=True)
    enterprise_ref = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("实时事件")
        verbose_name_plural = _("实时事件")

    def __str__(self) -> str:
        return f"{self.topic} {self.data}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class OutboxMessage(models.Model):
    """A side effect of a change, written in the change's own transaction (`yingji.core.outbox`).

    It names a registered handler and carries a JSON payload of ids and values. A worker claims it when it is due,
    runs the handler and marks it done; so the effect happens if and only if the change committed, even when the
    process that made the change dies right after its commit.
    """

    name = models.CharField(_("处理程序"), max_length=100)
    payload = models.JSONField(_("内容"), default=dict)
    # Emitting twice with one key stores one message (e.g. "remind this plan for this due date").
    key = models.CharField(_("幂等键"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("写入时间"))
    # When the message is next due: its first run, the next retry, or, while a worker holds it, the end of that
    # worker's lease (so a message whose worker died becomes due again by itself).
    available_at = models.DateTimeField(_("下次处理时间"))
    claimed_by = models.CharField(_("处理进程"), max_length=80, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办副作用")
        verbose_name_plural = _("待办副作用")
        indexes = [
            models.Index(fields=["available_at"], condition=Q(status="pending"), name="core_outbox_due"),
            models.Index(fields=["status", "done_at"], name="core_outbox_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class Bureau(models.Model):
    """The bureau that runs this platform: its name, its root region and its identity (one row).

    Read through `yingji.core.bureau.bureau_identity()`; the login page and generated documents show it.
    """

    name = models.CharField(_("单位名称"), max_length=100)
    root_region = models.ForeignKey(Region, verbose_name=_("辖区根区划"), on_delete=models.PROTECT, related_name="+")
    platform_name = models.CharField(_("平台名称"), max_length=100, blank=True)
    emblem = models.BinaryField(_("徽标"), null=True, blank=True, editable=True)
    emblem_type = models.CharField(_("徽标类型"), max_length=40, blank=True)
    emblem_sha256 = models.CharField(max_length=64, blank=True)
    configured_at = models.DateTimeField(_("配置时间"))
    # Set when the demo city was loaded into this database: later starts never load it again.
    demo_loaded_at = models.DateTimeField(_("演示数据载入时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["emblem"])

    class Meta:
        verbose_name = _("本局信息")
        verbose_name_plural = _("本局信息")

    def __str__(self) -> str:
        return self.name


class SetupLink(models.Model):
    """A one-time link that lets the first administrator configure an empty platform; only its hash is kept."""

    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("首次设置链接")
        verbose_name_plural = _("首次设置链接")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class StagedImport(models.Model):
    """A checked import waiting for its confirmation: the rows as read, and the preview the user saw.

    Confirming re-plans the rows against the database and writes them in one transaction, or nothing.
    """

    kind = models.CharField(_("类别"), max_length=20)
    file_name = models.CharField(_("文件名"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict)
    summary = models.JSONField(_("预览"), default=dict)
    created_by = models.ForeignKey(User, verbose_name=_("上传人"), null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("上传时间"))
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待确认导入")
        verbose_name_plural = _("待确认导入")

    def __str__(self) -> str:
        return self.file_name


class DocumentNumber(models.Model):
    """发文字号 given out: one sequence per organisation, kind of document and year (GB/T 9704-2012 §7.2.4); a
    record's document keeps the number it got first (`yingji.core.documents.next_document_number`)."""

    organization = models.ForeignKey(Organization, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("文种"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年份"))
    serial = models.PositiveIntegerField(_("序号"))
    text = models.CharField(_("发文字号"), max_length=60)
    owner_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    owner_id = models.CharField(max_length=40, blank=True)
    issued_at = models.DateTimeField(_("编号时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发文字号")
        verbose_name_plural = _("发文字号")
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year", "serial"], name="document_number_unique"),
            models.UniqueConstraint(fields=["kind", "owner_type", "owner_id"], condition=~models.Q(owner_id=""),
                                    name="document_number_one_per_record"),
        ]

    def __str__(self) -> str:
        return self.text


class JobKind(models.TextChoices):
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def job_path(instance: "BackgroundJob", filename: str) -> str:
    return f"jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix[:10]}"


class BackgroundJob(models.Model):
    """A large export or import a worker carries out while its page shows the progress (`yingji.core.jobs`).

    A job belongs to the person who asked for it: only they see it, and it runs with their jurisdiction."""

    kind = models.CharField(_("类型"), max_length=10, choices=JobKind.choices, editable=False)
    model_label = models.CharField(_("数据"), max_length=100, editable=False)  # app_label.ModelName
    title = models.CharField(_("名称"), max_length=100, editable=False)
    owner = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+",
                              editable=False)
    # The owner's region when it was asked for: the job's state changes are recorded on the timeline there.
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    query = models.TextField(_("筛选条件"), blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED,
                              editable=False)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, editable=False)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True, editable=False)
    source = models.FileField(_("导入文件"), upload_to=job_path, max_length=200, blank=True, editable=False)
    result = models.FileField(_("结果文件"), upload_to=job_path, max_length=200, blank=True, editable=False)
    report = models.JSONField(_("导入结果"), default=dict, blank=True, editable=False)
    error = models.TextField(_("错误信息"), blank=True, editable=False)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title}{self.get_kind_display()}"
