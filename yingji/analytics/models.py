"""Roll-ups for the leaders' cockpit and the generated monthly risk-analysis reports."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from yingji.core.models import Region, User
from yingji.core.scoping import ScopedQuerySet


class Tally(models.Model):
    """How many open rows of one kind lie in one township (or, for rows kept at county or city level, that region).

    The cockpit adds these up over a region prefix instead of counting the source tables (DESIGN §6). Kept current
    by on-commit hooks on the source models (`yingji.analytics.rollups`) and fully recomputed by the sweep.
    """

    region = models.ForeignKey(Region, verbose_name=_("乡镇（街道）"), on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("指标"), max_length=40)
    value = models.IntegerField(_("数值"), default=0)
    updated_at = models.DateTimeField(_("更新时间"))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("汇总指标")
        verbose_name_plural = _("汇总指标")
        permissions = [("open_cockpit", _("查看指挥大屏"))]
        constraints = [models.UniqueConstraint(fields=["metric", "region"], name="analytics_tally_unique")]
        indexes = [models.Index(fields=["metric", "region"], name="analytics_tally_lookup", include=["value"])]

    def __str__(self) -> str:
        return f"{self.region_id} {self.metric}={self.value}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


REPORT_STATUS_COLORS = {ReportStatus.QUEUED: "#7f7f7f", ReportStatus.RUNNING: "#1f77b4",
                        ReportStatus.DONE: "#2ca02c", ReportStatus.FAILED: "#d62728"}


def report_path(instance: "MonthlyReport", filename: str) -> str:
    return f"analytics/reports/{instance.month:%Y/%m}/{uuid.uuid4().hex}.docx"


class MonthlyReport(models.Model):
    """The monthly risk-analysis report (月度风险分析报告) of one region for one month, as a Word file."""

    region = models.ForeignKey(Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED,
                              editable=False)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, editable=False)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True, editable=False)
    automatic = models.BooleanField(_("自动生成"), default=False, editable=False)
    requested_by = models.ForeignKey(User, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    requested_at = models.DateTimeField(_("申请时间"), editable=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)
    file = models.FileField(_("报告文件"), upload_to=report_path, max_length=200, blank=True, editable=False)
    figures = models.JSONField(_("报告数据"), default=dict, blank=True, editable=False)
    error = models.TextField(_("错误信息"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["progress", "step", "figures"])

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"
    scope_enterprise_field = None

    class Meta:
        verbose_name = _("月度风险分析报告")
        verbose_name_plural = _("月度风险分析报告")
        ordering = ["-month", "region_id", "-requested_at"]
        indexes = [models.Index(fields=["region", "month"]), models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.region.name}{self.month:%Y年%m月}风险分析报告"

    @property
    def status_color(self) -> str:
        return REPORT_STATUS_COLORS.get(self.status, "#555")

    @property
    def file_name(self) -> str:
        return f"{self.region.name}{self.month:%Y年%m月}风险分析报告.docx"
