"""Public tip-offs (有奖举报): what a member of the public reports, and how the bureau handles it."""

import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, User, phone_validator
from yingji.core.scoping import ScopedQuerySet


class TipOffStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("核查中")
    SUBSTANTIATED = "substantiated", _("属实")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实")
    INVALID = "invalid", _("不予受理")
    REWARD_PROPOSED = "reward_proposed", _("奖励待审批")
    REWARD_APPROVED = "reward_approved", _("奖励已批准")
    REWARD_PAID = "reward_paid", _("奖励已发放")


class TipOffCategory(models.TextChoices):
    HAZARD = "hazard", _("事故隐患")
    ILLEGAL_PRODUCTION = "illegal_production", _("非法违法生产经营")
    HAZCHEM = "hazchem", _("危险化学品")
    FIRE = "fire", _("消防安全")
    MINE = "mine", _("矿山安全")
    CONCEALED_ACCIDENT = "concealed_accident", _("瞒报谎报事故")
    OTHER = "other", _("其他")


# The hazard category a substantiated tip-off becomes, unless the officer chooses another.
HAZARD_CATEGORY_OF = {
    TipOffCategory.HAZARD: "other",
    TipOffCategory.ILLEGAL_PRODUCTION: "basic_management",
    TipOffCategory.HAZCHEM: "hazchem",
    TipOffCategory.FIRE: "fire",
    TipOffCategory.MINE: "work_environment",
    TipOffCategory.CONCEALED_ACCIDENT: "basic_management",
    TipOffCategory.OTHER: "other",
}


class TipOffCounter(models.Model):
    """The last 举报编号 sequence given out per year, locked while a number is generated."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TipOff(models.Model):
    """One report from the public. The reporter's identity is shown only to those who handle tip-offs."""

    number = models.CharField(_("举报编号"), max_length=20, unique=True, editable=False)
    # Only a hash is kept: the code is shown once to the reporter and cannot be read back from the database.
    tracking_hash = models.CharField(max_length=64, unique=True, editable=False)
    description = models.TextField(_("举报内容"), max_length=2000)
    category = models.CharField(_("举报类别"), max_length=30, choices=TipOffCategory.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地点描述"), max_length=200, blank=True)
    longitude = models.FloatField(
        _("经度"), null=True, blank=True, validators=[MinValueValidator(73), MaxValueValidator(136)]
    )
    latitude = models.FloatField(_("纬度"), null=True, blank=True, validators=[MinValueValidator(3), MaxValueValidator(54)])
    reporter_name = models.CharField(_("举报人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("举报人电话"), max_length=30, blank=True, validators=[phone_validator])
    submitted_at = models.DateTimeField(_("举报时间"))
    status = models.CharField(
        _("办理状态"), max_length=20, choices=TipOffStatus.choices, default=TipOffStatus.RECEIVED, editable=False
    )
    handling_note = models.TextField(_("核查情况（内部）"), blank=True, editable=False)
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("关联隐患"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tipoffs", editable=False,
    )
    reward_amount = models.DecimalField(
        _("建议奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False,
        validators=[MinValueValidator(0)],
    )
    reward_proposed_by = models.ForeignKey(
        User, verbose_name=_("奖励提出人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    reward_approved_by = models.ForeignKey(
        User, verbose_name=_("奖励审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    reward_paid_amount = models.DecimalField(
        _("实发奖励金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False,
        validators=[MinValueValidator(0)],
    )
    reward_paid_on = models.DateField(_("奖励发放日期"), null=True, blank=True, editable=False)
    # The history shown on the detail page must not carry the identity to those who may not see it.
    history = HistoricalRecords(excluded_fields=["reporter_name", "reporter_phone", "tracking_hash"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-submitted_at", "-id"]
        permissions = [("view_reporter", "查看举报人身份")]
        indexes = [
            models.Index(fields=["region", "submitted_at"], name="tipoff_region_submitted"),
            models.Index(fields=["status"], name="tipoff_status"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("新举报"))

    @property
    def is_anonymous(self) -> bool:
        return not (self.reporter_name or self.reporter_phone)

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level not in ("village", "township"):
            errors["region"] = _("所在区划应选择到乡镇（街道）或村（社区）一级")
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude" if self.latitude is None else "longitude"] = _("经度和纬度应同时填写")
        if errors:
            raise ValidationError(errors)


def photo_path(instance: "TipOffPhoto", filename: str) -> str:
    # Random names: nothing the public sends as a file name reaches the disk.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"tipoffs/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class TipOffPhoto(models.Model):
    """A photo sent with a tip-off. Kept apart from Attachment, which requires an uploading user."""

    tipoff = models.ForeignKey(TipOff, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("举报照片")
        verbose_name_plural = _("举报照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tipoff} #{self.pk}"


class PublicHit(models.Model):
    """One request from a client address to a public tip-off page, counted for the rate limits.

    In the database so every web process sees the same counts; the address is stored hashed.
    """

    kind = models.CharField(max_length=20)
    client_key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "client_key", "at"], name="tipoff_hit_lookup"),
                   models.Index(fields=["at"], name="tipoff_hit_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class UsedChallenge(models.Model):
    """The nonce of a public-form challenge that has been answered once (right or wrong), so it cannot be replayed.

    The unique nonce makes consuming it one INSERT that only the first of several concurrent requests wins.
    Rows older than the challenge's lifetime are purged with the rate-limit counters.
    """

    nonce = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.nonce} {self.used_at:%Y-%m-%d %H:%M}"
