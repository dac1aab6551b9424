from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Organization, Region, User, mobile_validator
from yingji.core.scoping import ScopedQuerySet, code_prefix_q
from yingji.standards.division import ancestor_codes
from yingji.warnings.cap import event_types


class WarningKind(models.TextChoices):
    WEATHER = "weather", _("气象")
    GEOLOGICAL = "geological", _("地质灾害")
    FLOOD = "flood", _("洪涝")
    FOREST_FIRE = "forest_fire", _("森林火险")
    WORK_SAFETY = "work_safety", _("安全生产")
    OTHER = "other", _("其他")


# CAP category of each kind, for the OASIS export.
KIND_CATEGORY = {"weather": "Met", "geological": "Geo", "flood": "Met", "forest_fire": "Fire",
                 "work_safety": "Safety", "other": "Other"}


class Level(models.TextChoices):
    """《突发事件应对法》: 一级 (红) is the highest."""

    RED = "red", _("红色（一级）")
    ORANGE = "orange", _("橙色（二级）")
    YELLOW = "yellow", _("黄色（三级）")
    BLUE = "blue", _("蓝色（四级）")


LEVEL_COLOURS = {"red": "#d62728", "orange": "#ff7f0e", "yellow": "#e6c200", "blue": "#1f77b4"}
LEVEL_WORDS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}


class MsgType(models.TextChoices):
    ALERT = "Alert", _("首发")
    UPDATE = "Update", _("更新")
    CANCEL = "Cancel", _("解除")


class WarningStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待签发")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已更新")
    CANCELLED = "cancelled", _("已解除")
    EXPIRED = "expired", _("已过期")


def default_timetable() -> list[dict]:
    """叫应 escalation: minutes after the first message, and what happens then if nobody answered."""
    return [{"after_minutes": 10, "step": "voice"}, {"after_minutes": 20, "step": "superior"}]


class Warning(models.Model):
    """One warning message (首发, 更新 or 解除); an update or cancel is a new row referencing the previous one."""

    region = models.ForeignKey(Region, verbose_name=_("发布单位区划"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("预警类型"), max_length=20, choices=WarningKind.choices)
    event_type = models.CharField(_("事件类型代码"), max_length=5, blank=True,
                                  help_text=_("国家预警信息发布系统事件代码，如 11B03 暴雨"))
    level = models.CharField(_("预警级别"), max_length=10, choices=Level.choices)
    headline = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("预警内容"))
    instructions = models.TextField(_("防御指南"), blank=True)
    area_regions = models.ManyToManyField(Region, verbose_name=_("预警区域"), related_name="+", blank=True)
    area_polygon = models.JSONField(_("预警范围（GeoJSON 多边形）"), null=True, blank=True)
    onset = models.DateTimeField(_("开始时间"))
    expires = models.DateTimeField(_("失效时间"), db_index=True)
    source = models.CharField(_("信息来源"), max_length=100, blank=True)
    msg_type = models.CharField(_("消息类型"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT)
    previous = models.ForeignKey("self", verbose_name=_("引用的上一条预警"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="followers")
    identifier = models.CharField(_("预警编号"), max_length=40, unique=True, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.DRAFT,
                              editable=False)
    drafted_by = models.ForeignKey(User, verbose_name=_("拟稿人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    approved_by = models.ForeignKey(User, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    cap_xml = models.TextField(_("CAP 1.2 文档"), blank=True)
    national_xml = models.TextField(_("国家预警平台格式文档"), blank=True)
    reply_code = models.CharField(_("短信回复码"), max_length=4, blank=True, editable=False,
                                  help_text=_("签发时分配，在已发布（可应答）的预警中唯一"))
    escalation = models.JSONField(_("叫应升级时间表"), default=default_timetable, blank=True,
                                  help_text=_("未应答时按分钟依次执行：voice 语音电话、sms 短信重发、superior 通知上级责任人"))
    target_roles = models.JSONField(_("叫应责任类型"), default=list, blank=True,
                                    help_text=_("为空表示区域内全部责任人"))
    target_organizations = models.ManyToManyField(
        Organization, verbose_name=_("叫应单位"), related_name="+", blank=True,
        help_text=_("这些单位登记的全部在岗责任人也会收到预警，不论其责任区划"))
    upstream = models.ForeignKey("UpstreamMessage", verbose_name=_("转发自"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="forwards")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["cap_xml", "national_xml"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("预警信息")
        verbose_name_plural = _("预警信息")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_warning", _("签发预警"))]
        indexes = [models.Index(fields=["status", "expires"])]
        # An SMS reply names its warning by this code alone, so no two warnings open for answers share one.
        constraints = [models.UniqueConstraint(fields=["reply_code"], condition=models.Q(status="published"),
                                               name="warning_reply_code_open_unique")]

    def __str__(self) -> str:
        return self.headline

    @classmethod
    def covering(cls, prefix: str) -> Q:
        """Warnings whose area reaches the region of `prefix`: a chosen area region inside it or above it (a
        city-wide warning covers each county), or a person addressed inside it (a drawn polygon's area is
        resolved to people at publication). Drafts and those awaiting signature stay with their issuer."""
        area = Q(region_id__in=ancestor_codes(prefix.ljust(12, "0"))) | code_prefix_q("region_id", prefix)
        reaches = (Q(pk__in=cls.area_regions.through.objects.filter(area).values("warning_id"))
                   | Q(pk__in=Recipient._base_manager.filter(code_prefix_q("region_id", prefix)).values("warning_id")))
        return reaches & ~Q(status__in=[WarningStatus.DRAFT, WarningStatus.REVIEW])

    @classmethod
    def shared_from_above(cls, prefix: str) -> Q:
        """The people of a region read the warnings issued above it for their area."""
        return cls.covering(prefix)

    @classmethod
    def concerning(cls, prefix: str) -> Q:
        """Warnings issued inside the region of `prefix` or in force for it: what a region's list shows."""
        return code_prefix_q("region__code", prefix) | cls.covering(prefix)

    @classmethod
    def in_force(cls) -> Q:
        """Published and not yet expired (the sweep marks expired ones a little later)."""
        return Q(status=WarningStatus.PUBLISHED, expires__gt=timezone.now())

    @property
    def level_colour(self) -> str:
        return LEVEL_COLOURS.get(self.level, "#555555")

    def clean(self) -> None:
        errors = {}
        if self.onset and self.expires and self.expires <= self.onset:
            errors["expires"] = _("失效时间应晚于开始时间")
        if self.msg_type != MsgType.ALERT and not self.previous_id:
            errors["previous"] = _("更新或解除预警须引用上一条预警")
        if self.event_type:
            if self.event_type not in event_types():
                errors["event_type"] = _("未知的事件类型代码：%(code)s") % {"code": self.event_type}
        if self.area_polygon is not None and not _is_polygon(self.area_polygon):
            errors["area_polygon"] = _("预警范围应为 GeoJSON Polygon 或 MultiPolygon")
        if errors:
            raise ValidationError(errors)


def _is_polygon(value) -> bool:
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        return False
    try:
        from shapely.geometry import shape

        return shape(value).is_valid
    except Exception:  # shapely raises several kinds for malformed coordinates
        return False


class UpstreamFormat(models.TextChoices):
    CAP = "cap", _("OASIS CAP 1.2")
    NATIONAL = "national", _("国家预警信息发布系统")


class UpstreamSource(models.TextChoices):
    UPLOAD = "upload", _("上传")
    FOLDER = "folder", _("监视目录")


class UpstreamMessage(models.Model):
    """A warning received from a meteorological or other agency, validated before it was stored."""

    region = models.ForeignKey(Region, verbose_name=_("接收单位区划"), on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("原预警标识"), max_length=200)
    sender = models.CharField(_("发布单位"), max_length=200)
    sent = models.DateTimeField(_("发布时间"))
    msg_type = models.CharField(_("消息类型"), max_length=10)
    format = models.CharField(_("格式"), max_length=10, choices=UpstreamFormat.choices)
    event = models.CharField(_("事件"), max_length=100, blank=True)
    event_type = models.CharField(_("事件类型代码"), max_length=5, blank=True)
    level = models.CharField(_("预警级别"), max_length=10, choices=Level.choices, blank=True)
    headline = models.CharField(_("标题"), max_length=300, blank=True)
    description = models.TextField(_("预警内容"), blank=True)
    instruction = models.TextField(_("防御指南"), blank=True)
    area_desc = models.CharField(_("区域"), max_length=300, blank=True)
    onset = models.DateTimeField(_("开始时间"), null=True, blank=True)
    expires = models.DateTimeField(_("失效时间"), null=True, blank=True)
    xml = models.TextField(_("原文"))
    source = models.CharField(_("接收方式"), max_length=10, choices=UpstreamSource.choices)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    imported_by = models.ForeignKey(User, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["xml"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("上级预警")
        verbose_name_plural = _("上级预警")
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["sender", "identifier"], name="upstream_unique_message")]

    def __str__(self) -> str:
        return self.headline or self.identifier


class ResponsibleRole(models.TextChoices):
    GUARANTOR = "guarantor", _("包保责任人")
    VILLAGE_CADRE = "village_cadre", _("村（社区）干部")
    GRID_MEMBER = "grid_member", _("网格员")
    DISASTER_INFORMANT = "disaster_informant", _("灾害信息员")
    ENTERPRISE_HEAD = "enterprise_head", _("重点企业负责人")


class ResponsiblePerson(models.Model):
    """责任人清单: a named person responsible for a township, village or grid, and whom to tell above them."""

    region = models.ForeignKey(Region, verbose_name=_("责任区划"), on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"level__in": ["township", "village"]})
    grid = models.CharField(_("网格"), max_length=50, blank=True)
    role = models.CharField(_("责任类型"), max_length=20, choices=ResponsibleRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=11, unique=True, validators=[mobile_validator],
                             error_messages={"unique": _("该手机号已登记为责任人")})
    position = models.CharField(_("职务"), max_length=50, blank=True)
    superior = models.ForeignKey("self", verbose_name=_("上级责任人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="subordinates")
    organization = models.ForeignKey(Organization, verbose_name=_("所在单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, verbose_name=_("平台账号"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    active = models.BooleanField(_("在岗"), default=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人清单")
        ordering = ["region_id", "role", "name"]
        indexes = [models.Index(fields=["region", "role"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level not in ("township", "village"):
            errors["region"] = _("责任区划应选择乡镇（街道）或村（社区）")
        if self.superior_id and self.pk and self.superior_id == self.pk:
            errors["superior"] = _("上级责任人不能是本人")
        elif self.superior_id and self.pk:
            seen, current = {self.pk}, self.superior
            while current is not None:
                if current.pk in seen:
                    errors["superior"] = _("上级责任人形成了循环")
                    break
                seen.add(current.pk)
                current = current.superior
        if errors:
            raise ValidationError(errors)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    VOICE = "voice", _("语音电话")
    BROADCAST = "broadcast", _("应急广播")


class AckChannel(models.TextChoices):
    LINK = "link", _("短信链接")
    SMS = "sms", _("短信回复")
    VOICE = "voice", _("语音按键")
    IN_APP = "in_app", _("平台内确认")


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("未应答")
    ACKNOWLEDGED = "acknowledged", _("已应答")


class Recipient(models.Model):
    """One responsible person addressed by one published warning, and their 叫应 state.

    The escalation deadline (`next_step_at`) lives on the row, so the sweep finds due rows with one
    indexed range scan and nothing is lost when a worker restarts.
    """

    # Every index is rewritten by each escalation UPDATE of 100,000 rows, so none is kept that another serves:
    # the (warning, person) constraint serves the warning look-ups; townships are only grouped within a warning;
    # the answer link carries the row's id (`link_key`), so the token needs no index; an SMS reply is found
    # through the person's unique phone and the (warning, person) constraint, so the phone needs none either.
    warning = models.ForeignKey(Warning, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="recipients",
                                db_index=False)
    person = models.ForeignKey(ResponsiblePerson, verbose_name=_("责任人"), on_delete=models.PROTECT,
                               related_name="receipts")
    region = models.ForeignKey(Region, verbose_name=_("责任区划"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    township = models.ForeignKey(Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=11)
    role = models.CharField(_("责任类型"), max_length=20, choices=ResponsibleRole.choices)
    status = models.CharField(_("叫应状态"), max_length=12, choices=RecipientStatus.choices,
                              default=RecipientStatus.PENDING)
    token = models.CharField(_("应答链接令牌"), max_length=32)
    reply_code = models.CharField(_("短信回复码"), max_length=6)
    step = models.PositiveSmallIntegerField(_("已执行的升级步数"), default=0)
    next_step_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True)
    superior_called_at = models.DateTimeField(_("通知上级时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("下发时间"))
    acknowledged_at = models.DateTimeField(_("应答时间"), null=True, blank=True)
    ack_channel = models.CharField(_("应答方式"), max_length=10, choices=AckChannel.choices, blank=True)
    people_transferred = models.PositiveIntegerField(_("转移人数"), null=True, blank=True)
    places_closed = models.PositiveIntegerField(_("关闭场所数"), null=True, blank=True)
    measures = models.TextField(_("采取的措施"), blank=True)
    measures_at = models.DateTimeField(_("措施报告时间"), null=True, blank=True)
    # The token is the person's proof of identity (see `links`): no copy of it in the history table.
    history = HistoricalRecords(excluded_fields=["token"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("叫应对象")
        verbose_name_plural = _("叫应对象")
        ordering = ["township_id", "region_id", "pk"]
        # Declared here rather than on the fields so PostgreSQL gets no extra LIKE (varchar_pattern_ops) indexes.
        constraints = [models.UniqueConstraint(fields=["warning", "person"], name="recipient_once_per_warning")]
        indexes = [models.Index(fields=["region"], name="recipient_region"),
                   models.Index(fields=["next_step_at"], name="recipient_due",
                                condition=models.Q(status="pending", next_step_at__isnull=False))]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def unanswered(cls) -> Q:
        """People who have not answered a warning in force after its first escalation step (超时未应答)."""
        return Q(status=RecipientStatus.PENDING, step__gte=1, warning__status=WarningStatus.PUBLISHED,
                 warning__expires__gt=timezone.now())

    @property
    def link_key(self) -> str:
        """What the answer link carries: the row's id (found by primary key) and its secret token."""
        return f"{self.pk}-{self.token}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class Delivery(models.Model):
    """One message on one channel to one person (or one broadcast to an area), with the channel's answer."""

    # The keys are copied from the row the message is made from (INSERT … SELECT from the recipient, whose own
    # foreign keys hold, or the warning's area regions), so the database does not check them again: at 100,000
    # messages per escalation step those deferred checks cost more than writing the rows. Django still
    # cascades and protects (its deletion collector does not rely on database constraints).
    warning = models.ForeignKey(Warning, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="deliveries",
                                db_index=False, db_constraint=False)
    recipient = models.ForeignKey(Recipient, verbose_name=_("叫应对象"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="deliveries", db_constraint=False)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    to_superior = models.BooleanField(_("通知上级"), default=False)
    to_name = models.CharField(_("接收人"), max_length=50, blank=True)
    to_address = models.CharField(_("号码/地址"), max_length=200, blank=True)
    # Stored with the answer link's token hidden (`links.hidden_key`); `delivery.send_queued` reveals it.
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    reason = models.CharField(_("渠道说明"), max_length=200, blank=True)
    external_id = models.CharField(_("渠道流水号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        # The queue is the rows still queued; sending takes them out of this small index.
        indexes = [models.Index(fields=["id"], name="delivery_queued", condition=models.Q(status="queued")),
                   models.Index(fields=["warning", "channel"]), models.Index(fields=["region"], name="delivery_region")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to_name or self.to_address}"
