"""Large exports and imports as background jobs: 排队中 → 处理中 → 已完成 / 失败.

A list export of more than EXPORT_BACKGROUND_ROWS rows and an import file larger than IMPORT_BACKGROUND_BYTES are
not built in the request: a `BackgroundJob` is stored with the list's filters or the uploaded file, a worker runs it
(`yingji.core.job_runner`, through the outbox and Celery, or the sweep if no worker took it), and the job's page
shows the progress until the download or the import report is there. The job runs with its owner's jurisdiction
and only its owner sees it.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import outbox
from yingji.core.models import BackgroundJob, JobKind, JobStatus, Region, User
from yingji.core.specs import ModelSpec
from yingji.core.workflow import Transition, Workflow, system_rule, transition

S = JobStatus


@system_rule
def _worker_only(user, job) -> bool:
    return False  # the worker (actor None) moves a job; nobody presses a button for it


JOB_WORKFLOW = Workflow(
    choices=JobStatus,
    todo=False,
    transitions=[
        Transition(S.QUEUED, "start", S.RUNNING, _("开始处理"), who=_worker_only),
        Transition(S.RUNNING, "finish", S.DONE, _("处理完成"), who=_worker_only),
        Transition(S.RUNNING, "fail", S.FAILED, _("处理失败"), who=_worker_only),
    ],
)


def _label(spec: ModelSpec) -> str:
    return spec.model._meta.label


def _region_of(user: User) -> Region:
    if user.scope_region_id:
        return user.scope_region
    if user.scope_enterprise_id:
        return user.scope_enterprise.region
    return Region.objects.filter(parent__isnull=True).order_by("code").first()


@transaction.atomic
def export_request(*, user: User, spec: ModelSpec, query: str, title: str) -> BackgroundJob:
    job = BackgroundJob.objects.create(kind=JobKind.EXPORT, model_label=_label(spec), title=title, owner=user,
                                       region=_region_of(user), query=query, step=str(_("等待处理")))
    outbox.emit("core.run_job", {"job": job.pk})
    return job


@transaction.atomic
def import_request(*, user: User, spec: ModelSpec, uploaded: UploadedFile, title: str) -> BackgroundJob:
    job = BackgroundJob(kind=JobKind.IMPORT, model_label=_label(spec), title=title, owner=user,
                        region=_region_of(user), step=str(_("等待处理")))
    job.source.save(uploaded.name or "import.xlsx", uploaded, save=False)
    job.save()
    outbox.emit("core.run_job", {"job": job.pk})
    return job


def jobs_of(user: User):
    """A person's own jobs: nobody else's, whatever their jurisdiction."""
    return BackgroundJob.objects.filter(owner=user)


def report_progress(job_id: int, percent: int, step: str) -> None:
    """Bookkeeping of a running job (not a state change): the percentage and the step its page shows."""
    BackgroundJob.objects.filter(pk=job_id, status=S.RUNNING).update(progress=max(0, min(percent, 99)), step=step)


def start(job: BackgroundJob) -> BackgroundJob | None:
    """The worker takes a queued job; None if another worker took it first."""
    with transaction.atomic():
        locked = BackgroundJob.objects.select_for_update().filter(pk=job.pk, status=S.QUEUED).first()
        if locked is None:
            return None
        return transition(locked, workflow=JOB_WORKFLOW, action="start", actor=None,
                          changes={"progress": 1, "step": str(_("开始处理"))})


@transaction.atomic
def finish(job: BackgroundJob, *, result: bytes | None = None, result_name: str = "", report: dict | None = None
           ) -> BackgroundJob:
    if result is not None:
        job.result.save(result_name, ContentFile(result), save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(result=job.result.name)
    return transition(job, workflow=JOB_WORKFLOW, action="finish", actor=None,
                      changes={"progress": 100, "step": str(_("完成")), "finished_at": timezone.now(),
                               "report": report or {}})


@transaction.atomic
def fail(job: BackgroundJob, error: str) -> BackgroundJob:
    return transition(job, workflow=JOB_WORKFLOW, action="fail", actor=None, reason=error[:500],
                      changes={"error": error[:2000], "step": str(_("失败")), "finished_at": timezone.now()})
