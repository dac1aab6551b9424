"""Every write of the analytics app: requesting, building and retrying monthly reports."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.analytics import report as report_module
from yingji.analytics.models import MonthlyReport, ReportStatus
from yingji.analytics.states import WORKFLOW
from yingji.core import outbox
from yingji.core.models import Region, User
from yingji.core.scoping import ensure_perm
from yingji.core.services import scoped_create
from yingji.core.workflow import InvalidTransition, transition, unknown_action_message

log = logging.getLogger(__name__)

REPORT_LEVELS = ("province", "city", "county", "township")


@transaction.atomic
def monthly_report_request(*, actor: User | None, region: Region, month: datetime.date,
                           automatic: bool = False) -> MonthlyReport:
    """Queue the report of `region` for `month`; the actor must be allowed to request it for that region."""
    if actor is not None:
        ensure_perm(actor, MonthlyReport, "add")
        if not Region.objects.restrict(actor, "view").filter(pk=region.pk).exists():
            raise PermissionDenied(_("该区域不在您的管辖范围内。"))
    if region.level not in REPORT_LEVELS:
        raise ValidationError({"region": _("月度风险分析报告按乡镇（街道）及以上区域生成")})
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("不能生成未来月份的报告")})
    report = scoped_create(MonthlyReport, actor=actor, reason=_("申请生成月度风险分析报告"), region=region, month=month,
                           automatic=automatic, requested_by=actor, requested_at=timezone.now())
    outbox.emit("analytics.build_report", {"report": report.pk})
    return report


def _progress(report_id: int, percent: int, step: str) -> None:
    # Progress is not a state change: a plain UPDATE, committed at once, so the polling page sees it move.
    MonthlyReport._base_manager.filter(pk=report_id).update(progress=percent, step=step)


def monthly_report_build(*, report_id: int) -> MonthlyReport | None:
    """Build a queued report: figures, charts, Word file. Returns None if someone else took it first."""
    with transaction.atomic():
        report = MonthlyReport._base_manager.filter(pk=report_id).first()
        if report is None or report.status != ReportStatus.QUEUED:
            return None
        try:
            report = transition(report, workflow=WORKFLOW, action="start", actor=None,
                                changes={"progress": 1, "step": "开始"})
        except InvalidTransition:  # another worker started it between the read and the lock
            return None
    try:
        figures = report_module.report_figures(report.region, report.month,
                                               progress=lambda percent, step: _progress(report.pk, percent, step))
        _progress(report.pk, 80, "生成 Word 文档与图表")
        content = report_module.report_docx(figures, requested_by=report.requested_by)
        stored = MonthlyReport(month=report.month)
        stored.file.save("report.docx", ContentFile(content), save=False)
    except Exception as exc:
        log.exception("monthly report %s failed", report.pk)
        with transaction.atomic():
            return transition(report, workflow=WORKFLOW, action="fail", actor=None, reason=str(exc)[:500],
                              changes={"error": f"{type(exc).__name__}: {exc}"[:2000], "step": "失败"})
    with transaction.atomic():
        return transition(report, workflow=WORKFLOW, action="finish", actor=None, changes={
            "file": stored.file.name, "figures": figures, "progress": 100, "step": "完成",
            "finished_at": timezone.now(), "error": ""})


@transaction.atomic
def monthly_report_retry(*, report: MonthlyReport, actor: User | None, reason: str = "") -> MonthlyReport:
    """Put a failed report back in the queue."""
    retried = transition(report, workflow=WORKFLOW, action="retry", actor=actor, reason=reason,
                         changes={"progress": 0, "step": "", "error": ""})
    outbox.emit("analytics.build_report", {"report": retried.pk})
    return retried


@transaction.atomic
def monthly_report_act(*, report: MonthlyReport, actor: User | None, action: str, reason: str = "") -> MonthlyReport:
    """A person's move on a report by name (pages): 重新生成. Starting, finishing and failing a build are the
    worker's (`monthly_report_build`); the table refuses them to anyone else."""
    if action == "retry":
        return monthly_report_retry(report=report, actor=actor, reason=reason)
    WORKFLOW.check(report, action, actor)
    raise InvalidTransition(unknown_action_message(action))


def schedule_monthly_reports(*, today: datetime.date | None = None) -> int:
    """On the first days of a month, queue last month's report of the city and of every county (once each)."""
    today = today or timezone.localdate()
    # The first three days, so a worker down on the 1st still produces the reports when it is back.
    if today.day > 3:
        return 0
    month = report_module.previous_month(today.replace(day=1))
    done = set(MonthlyReport._base_manager.filter(month=month, automatic=True).values_list("region_id", flat=True))
    created = 0
    for region in Region._base_manager.filter(level__in=("city", "county")).exclude(pk__in=done).order_by("code"):
        monthly_report_request(actor=None, region=region, month=month, automatic=True)
        created += 1
    return created
