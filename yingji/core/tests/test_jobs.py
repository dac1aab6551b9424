"""Large exports and imports run as background jobs: progress page, download or report, the owner's scope only."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from yingji.core import job_runner
from yingji.core.models import BackgroundJob, JobStatus, StateChange
from yingji.core.tasks import run_waiting_jobs
from yingji.core.testing import xlsx_file, xlsx_rows
from yingji.resources.importing import WAREHOUSE_IMPORTER
from yingji.resources.models import Warehouse
from yingji.resources.testing import WarehouseFactory

pytestmark = pytest.mark.django_db
LIST = "/resources/warehouses/"


def test_a_large_export_runs_in_the_background_and_downloads_the_owners_rows_only(client, world, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    mine = [WarehouseFactory(region=world.county1, name=f"甲区物资库{n}") for n in range(3)]
    WarehouseFactory(region=world.county2, name="乙区物资库")
    client.force_login(world.county1_admin)
    response = client.get(LIST, {"export": "xlsx", "q": "甲区"})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and "job-download" not in page
    job_runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    moves = StateChange.objects.filter(subject_id=str(job.pk), subject_type__model="backgroundjob")
    assert [c.action for c in moves.order_by("pk")] == ["start", "finish"]
    panel = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "job-download" in panel and "hx-get" not in panel  # finished: no more polling
    download = client.get(reverse("core:job_download", args=[job.pk]))
    rows = xlsx_rows(b"".join(download.streaming_content))
    assert rows[0] == WAREHOUSE_IMPORTER.headings()
    assert sorted(r[0] for r in rows[1:]) == sorted(w.name for w in mine)
    # Another person, whatever their jurisdiction, never sees someone else's job.
    client.force_login(world.city_admin)
    for name in ("core:job_detail", "core:job_progress", "core:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def _file(rows: list[list]) -> bytes:
    return xlsx_file(WAREHOUSE_IMPORTER.headings(), rows)


def test_a_large_import_runs_in_the_background_and_reports_each_bad_row(client, world, settings):
    settings.IMPORT_BACKGROUND_BYTES = 1
    good = ["甲区新建物资库", "县级", world.county1.code, "孙库管", "13900001111", 500, "甲区滨河路2号", 118.5, 36.4]
    outside = ["越界物资库", "县级", world.county2.code, "周库管", "13900002222", 300, "乙区", 118.6, 36.5]
    client.force_login(world.county1_admin)
    upload = SimpleUploadedFile("warehouses.xlsx", _file([good, outside]))
    response = client.post(f"{LIST}import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and job.source
    assert not Warehouse.objects.filter(name="甲区新建物资库").exists()  # nothing written in the request
    job_runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.report["created"], job.report["updated"]) == (1, 0)
    assert [number for number, _reason in job.report["errors"]] == [3]
    assert Warehouse.objects.filter(name="甲区新建物资库", region=world.county1).exists()
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "新增 1 条" in page and "1 行未导入" in page


def test_a_file_that_cannot_be_read_fails_the_job_with_its_reason(client, world, settings):
    settings.IMPORT_BACKGROUND_BYTES = 1
    client.force_login(world.county1_admin)
    client.post(f"{LIST}import/", {"file": SimpleUploadedFile("broken.xlsx", b"not a workbook at all")})
    job = job_runner.run_job(BackgroundJob.objects.get().pk)
    assert job.status == JobStatus.FAILED and "Excel" in job.error
    assert job.error in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


def test_the_sweep_runs_a_job_no_worker_took(world):
    job = BackgroundJob.objects.create(kind="export", model_label="resources.Warehouse", title="物资库",
                                       owner=world.county1_admin, region=world.county1)
    assert run_waiting_jobs() == 0  # just queued: a worker has it
    BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert run_waiting_jobs() == 1
    assert BackgroundJob.objects.get(pk=job.pk).status == JobStatus.DONE
    assert job_runner.run_job(job.pk) is None  # never twice
