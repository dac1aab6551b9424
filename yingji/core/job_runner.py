"""Runs a background job (`yingji.core.jobs`): the export as its list would give it, the import as its page would
run it, both as the job's owner, reporting progress on the way."""

from __future__ import annotations

import io
import logging

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import excel, jobs
from yingji.core.models import BackgroundJob, JobKind, JobStatus
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
        return jobs.finish(job, report=_import(job))
    except excel.ImportFileError as exc:
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

    report = spec.importer.run(uploaded, actor=job.owner, progress=progress)
    return {"created": report.created, "updated": report.updated,
            "errors": [[number, message] for number, message in report.errors]}
