"""Large exports and imports as background jobs: 排队中 → 处理中 → 已完成 / 失败.

A list export of more than EXPORT_BACKGROUND_ROWS rows and an import file larger than IMPORT_BACKGROUND_BYTES are
not built in the request: a `BackgroundJob` is stored with the list's filters or the uploaded file, a worker runs it
(`yingji.core.job_runner`, through the outbox and Celery, or the sweep if no worker took it), and the job's page
shows the progress until the download or the import report is there. The job runs with its owner's jurisdiction
and only its owner sees it.

The confirmed import of a region table (`yingji.core.division_import`) is a job too: it writes in one transaction
(all or nothing) for minutes, so its progress is recorded outside that transaction (`JobProgress`).
"""

from __future__ import annotations

import logging

from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import outbox
from yingji.core.models import BackgroundJob, JobKind, JobStatus, Region, StagedImport, User
from yingji.core.specs import ModelSpec
from yingji.core.workflow import Transition, Workflow, system_rule, transition

S = JobStatus
log = logging.getLogger(__name__)
# The model label of a region table's import job; its `query` names the staged import it confirms.
REGION_IMPORT = "core.Region"


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


@transaction.atomic
def region_import_request(*, user: User, staged: StagedImport, root: Region) -> BackgroundJob:
    """Queue the import of a previewed region table (`staged`) under `root`, the user's own import root."""
    job = BackgroundJob.objects.create(kind=JobKind.IMPORT, model_label=REGION_IMPORT, title=str(_("行政区划")),
                                       owner=user, region=root, query=f"staged={staged.pk}", step=str(_("等待处理")))
    outbox.emit("core.run_job", {"job": job.pk})
    return job


def region_import_pending(*, user: User, staged: StagedImport) -> BackgroundJob | None:
    """The job already queued or running for this staged import: a second press of the button shows it."""
    return jobs_of(user).filter(model_label=REGION_IMPORT, query=f"staged={staged.pk}",
                                status__in=[S.QUEUED, S.RUNNING]).first()


def jobs_of(user: User):
    """A person's own jobs: nobody else's, whatever their jurisdiction."""
    return BackgroundJob.objects.filter(owner=user)


def report_progress(job_id: int, percent: int, step: str) -> None:
    """Bookkeeping of a running job (not a state change): the percentage and the step its page shows."""
    BackgroundJob.objects.filter(pk=job_id, status=S.RUNNING).update(progress=max(0, min(percent, 99)), step=step)


def _progress_key(job_id: int) -> str:
    # The database's name too: a Redis (or the test runs' shared var/) may serve several databases.
    return f"progress:{connection.settings_dict['NAME']}:{job_id}"


class JobProgress:
    """The progress of a running job, recorded where its page sees it even while the job's own transaction is open.

    Outside a transaction it is `report_progress`. Inside one (a region table is written all or nothing, in one
    transaction of minutes) an UPDATE through that transaction would show nothing until the end, so:

    - PostgreSQL: the UPDATE goes through a second connection of the worker's, in autocommit. The job row is not
      locked by the long transaction (it was started, and committed, before), and a lock timeout makes sure a
      progress write never waits on it: a lost progress step is better than a stuck job.
    - SQLite: one writer only, and the long transaction is it; another connection's UPDATE would wait for the
      commit. The progress goes to the "jobs" cache instead (Redis, or without it files under var/, which the web
      and worker processes share), and `live` reads it back for a running job.

    Use as a context manager: leaving closes the second connection and forgets the cached progress.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._side = None

    def __enter__(self) -> JobProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __call__(self, percent: int, step: str) -> None:
        percent = max(0, min(percent, 99))
        if not connection.in_atomic_block:
            report_progress(self.job_id, percent, step)
        elif connection.vendor == "postgresql":
            self._update_outside(percent, step)
        else:
            caches["jobs"].set(_progress_key(self.job_id), (percent, step[:100]), timeout=24 * 3600)

    def _update_outside(self, percent: int, step: str) -> None:
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            table = BackgroundJob._meta.db_table
            with self._side.cursor() as cursor:
                cursor.execute(f'UPDATE "{table}" SET progress = %s, step = %s WHERE id = %s AND status = %s',
                               [percent, step[:100], self.job_id, S.RUNNING])
        except DatabaseError:
            log.warning("progress of background job %s not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        caches["jobs"].delete(_progress_key(self.job_id))


def live(job: BackgroundJob) -> BackgroundJob:
    """The job with the progress a running job keeps outside the database (`JobProgress` on SQLite)."""
    if job.status == S.RUNNING:
        cached = caches["jobs"].get(_progress_key(job.pk))
        if cached is not None and cached[0] >= job.progress:
            job.progress, job.step = cached
    return job


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
