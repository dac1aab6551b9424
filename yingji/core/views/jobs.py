"""The page of a background export or import: its progress, then the download or the import report."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from yingji.core.jobs import jobs_of, live
from yingji.core.models import BackgroundJob, JobKind, JobStatus
from yingji.core.specs import spec_for


def _context(job: BackgroundJob) -> dict:
    job = live(job)
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    errors = (job.report or {}).get("errors", [])
    return {"job": job, "finished": finished, "errors": errors,
            "progress_url": reverse("core:job_progress", args=[job.pk]),
            "download_url": reverse("core:job_download", args=[job.pk]) if job.result else None}


def _list_url(job: BackgroundJob) -> str | None:
    try:
        return reverse(spec_for(apps.get_model(job.model_label)).url_name("list"))
    except (LookupError, NoReverseMatch):
        return None


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    title = _("%(title)s%(kind)s") % {"title": job.title, "kind": job.get_kind_display()}
    list_url = _list_url(job)
    crumbs = [(_("首页"), reverse("home"))] + ([(job.title, list_url)] if list_url else []) + [(title, None)]
    return render(request, "core/job_detail.html", {**_context(job), "title": title, "breadcrumbs": crumbs,
                                                     "list_url": list_url, "is_import": job.kind == JobKind.IMPORT})


@login_required
def job_progress(request, pk: int):
    """The progress panel, polled by htmx until the job has finished."""
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    return render(request, "core/includes/job_progress.html", _context(job))


@login_required
def job_download(request, pk: int):
    job = get_object_or_404(jobs_of(request.user), pk=pk)
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    name = job.result.name.rsplit("/", 1)[-1]
    filename = f"{job.title}_{job.finished_at:%Y%m%d%H%M}.xlsx" if job.finished_at else name
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=filename)
