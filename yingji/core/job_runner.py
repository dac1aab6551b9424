"""Runs a background job (`yingji.core.jobs`): the export as its list would give it, the import as its page would
run it, both as the job's owner, reporting progress on the way; and the confirmed import of a region table, written
all or nothing as its preview showed it."""

from __future__ import annotations

import io
import logging

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import excel, jobs
from yingji.core.division_import import DivisionImportError, DivisionRow, apply_divisions, import_root_for
from yingji.core.models import BackgroundJob, JobKind, JobStatus, StagedImport
from yingji.core.specs import spec_for
from yingji.core.views.generic import view_for

log = logging.getLogger(__name__)


def run_job(job_id: int) -> BackgroundJob | None:
    """Take the job if it is still queued and carry it out; a failure is recorded on the job with its reason."""
    job = BackgroundJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None or (job := jobs.start(job)) is None:
        return None
    try:
        if job.kind == JobKind.EXPORT:
            content, name = _export(job)
            return jobs.finish(job, result=content, result_name=name)
        if job.model_label == jobs.REGION_IMPORT:
            return jobs.finish(job, report=_import_regions(job))
        return jobs.finish(job, report=_import(job))
    except (excel.ImportFileError, DivisionImportError, PermissionDenied) as exc:
        return jobs.fail(job, str(exc))
    except Exception as exc:
        log.exception("background job %s failed", job.pk)
        return jobs.fail(job, _("处理出错：%(error)s") % {"error": f"{type(exc).__name__}: {exc}"})


def _export(job: BackgroundJob) -> tuple[bytes, str]:
    spec = spec_for(apps.get_model(job.model_label))
    request = HttpRequest()  # the list's filters as its page received them, asked as the job's owner
    request.method, request.GET, request.user = "GET", QueryDict(job.query), job.owner
    view = view_for(spec, "list")()
    view.setup(request)
    _filterset, queryset = view.filtered(request)
    total = max(min(queryset.count(), excel.EXPORT_ROW_LIMIT), 1)

    def progress(rows: int) -> None:
        jobs.report_progress(job.pk, 5 + rows * 85 // total, _("已写入 %(rows)d / %(total)d 行") % {
            "rows": rows, "total": total})

    workbook = view.export_workbook(queryset, progress)
    jobs.report_progress(job.pk, 95, _("保存文件"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), f"{job.title}_{timezone.localtime():%Y%m%d%H%M}.xlsx"


def _import(job: BackgroundJob) -> dict:
    spec = spec_for(apps.get_model(job.model_label))
    job.source.open("rb")
    try:
        data = job.source.read()
    finally:
        job.source.close()
    uploaded = SimpleUploadedFile(job.source.name.rsplit("/", 1)[-1], data)

    def progress(done: int, total: int) -> None:
        jobs.report_progress(job.pk, 5 + done * 90 // max(total, 1), _("已处理 %(done)d / %(total)d 行") % {
            "done": done, "total": total})

    report = spec.importer.run(uploaded, actor=job.owner, progress=progress,
                               max_rows=settings.IMPORT_BACKGROUND_MAX_ROWS)
    return {"created": report.created, "updated": report.updated,
            "errors": [[number, message] for number, message in report.errors]}


def _import_regions(job: BackgroundJob) -> dict:
    """The staged region table written under the owner's import root as it is now, in one transaction."""
    staged_pk = int(QueryDict(job.query).get("staged", "0"))
    root = import_root_for(job.owner)
    with jobs.JobProgress(job.pk) as progress:
        progress(2, _("读取已预览的区划代码表"))
        with transaction.atomic():
            staged = (StagedImport.objects.select_for_update()
                      .filter(pk=staged_pk, kind="regions", created_by=job.owner, applied_at__isnull=True).first())
            if staged is None:
                raise DivisionImportError(_("该导入已完成或已失效，请重新上传预览"))
            if staged.payload["root"] != root.code:
                raise PermissionDenied(_("该导入不在您的辖区内，请重新上传预览"))
            rows = [DivisionRow(*values) for values in staged.payload["rows"]]
            progress(5, _("核对 %(rows)d 行区划代码") % {"rows": len(rows)})

            def written(done: int, total: int) -> None:
                progress(10 + done * 88 // max(total, 1), _("已写入 %(done)d / %(total)d 个区划") % {
                    "done": done, "total": total})

            plan = apply_divisions(rows, root_code=root.code, actor=job.owner, expected=staged.summary,
                                   progress=written)
            staged.applied_at = timezone.now()
            staged.save(update_fields=["applied_at"])
    return {"created": len(plan.new), "updated": len(plan.renamed) + len(plan.reclassified) + len(plan.restored),
            "renamed": len(plan.renamed), "reclassified": len(plan.reclassified), "restored": len(plan.restored),
            "retired": len(plan.retired), "errors": []}
