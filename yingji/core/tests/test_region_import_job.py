"""The confirmed region import is a background job (issue 19): queued by the button, written all or nothing by the
worker as the owner, its progress visible on the job page while its transaction is still open; and large people
files go to a job with a larger row cap."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yingji.core import division_import, job_runner, jobs
from yingji.core.models import BackgroundJob, JobStatus, Region, StagedImport, User
from yingji.core.people_import import USER_IMPORTER
from yingji.core.testing import build_world, xlsx_file

CITY_TABLE = """统计用区划代码,名称,城乡分类代码
390100000000,测试市,
390102000000,甲区,
390102001000,甲一街道,
390102001001,甲一社区,111
390102001002,甲二社区,111
390102001003,甲三社区,111
390102001004,甲四社区,111
390103000000,乙区,
390103100000,乙一镇,
390103100201,乙一新村,220
"""
NEW_CODES = ["390102001003", "390102001004"]
USER_IMPORT = "core:user_import"


def preview(client: Client, text: str) -> StagedImport:
    response = client.post(reverse("core:region_import"), {"file": SimpleUploadedFile("table.csv", text.encode())})
    assert response.status_code == 200
    return StagedImport.objects.filter(kind="regions").latest("pk")


def confirm(client: Client, staged: StagedImport) -> BackgroundJob:
    response = client.post(reverse("core:region_import_confirm", args=[staged.pk]))
    job = BackgroundJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    return job


@pytest.mark.django_db
def test_the_confirmation_queues_a_job_that_writes_the_table_and_reports_it(client):
    world = build_world()
    client.force_login(world.city_admin)
    staged = preview(client, CITY_TABLE)
    job = confirm(client, staged)
    assert job.status == JobStatus.QUEUED and job.owner == world.city_admin and job.region_id == "390100000000"
    assert not Region.objects.filter(code__in=NEW_CODES).exists()  # nothing written in the request
    assert "排队中" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert confirm(client, staged).pk == job.pk  # a second press shows the same job

    job = job_runner.run_job(job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert (job.report["created"], job.report["renamed"], job.report["retired"]) == (2, 1, 1)
    new = Region.objects.get(code="390102001003")
    assert (new.name, new.level, new.parent_id, new.urban_rural_code) == ("甲三社区", "village", "390102001000", "111")
    created = Region.history.get(code="390102001003")
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+", world.city_admin, "导入区划代码表")
    assert Region.objects.get(code="390103100201").name == "乙一新村"
    assert Region.objects.get(code="390103100202").retired_at is not None
    staged.refresh_from_db()
    assert staged.applied_at is not None
    panel = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "区划已导入：新增 2，更名 1，撤销 1" in panel and "hx-get" not in panel
    assert client.post(reverse("core:region_import_confirm", args=[staged.pk])).status_code == 404  # once


@pytest.mark.django_db
def test_a_failure_half_way_leaves_no_region_written(client, monkeypatch):
    world = build_world()
    client.force_login(world.city_admin)
    job = confirm(client, preview(client, CITY_TABLE))
    monkeypatch.setattr(division_import, "WRITE_BATCH", 1)
    insert_new = division_import._insert_new
    calls = []

    def failing_second_batch(rows, **kwargs):
        calls.append(rows[0].code)
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")
        insert_new(rows, **kwargs)

    monkeypatch.setattr(division_import, "_insert_new", failing_second_batch)
    job = job_runner.run_job(job.pk)
    assert calls == NEW_CODES  # the first batch was written before the failure...
    assert job.status == JobStatus.FAILED and "磁盘已满" in job.error
    assert not Region.objects.filter(code__in=NEW_CODES).exists()  # ...and undone with the rest
    assert not Region.history.filter(code__in=NEW_CODES).exists()
    assert Region.objects.get(code="390103100201").name == "乙一村"
    assert StagedImport.objects.get().applied_at is None
    assert "磁盘已满" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_job_page_shows_the_progress_while_the_import_is_uncommitted(client, monkeypatch):
    world = build_world()
    client.force_login(world.city_admin)
    job = confirm(client, preview(client, CITY_TABLE))
    monkeypatch.setattr(division_import, "WRITE_BATCH", 1)
    insert_new = division_import._insert_new
    seen: list[tuple[str, bool]] = []

    def look_from_the_web_process() -> None:
        # Another connection, as the web process has: it sees what is committed, and the progress.
        other = Client()
        other.cookies = client.cookies
        try:
            panel = other.get(reverse("core:job_progress", args=[job.pk])).content.decode()
            seen.append((panel, Region.objects.filter(code__in=NEW_CODES).exists()))
        finally:
            connection.close()

    def insert_and_look(rows, **kwargs):
        insert_new(rows, **kwargs)
        thread = threading.Thread(target=look_from_the_web_process)
        thread.start()
        thread.join(timeout=30)

    monkeypatch.setattr(division_import, "_insert_new", insert_and_look)
    job = job_runner.run_job(job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert len(seen) == 2
    first, second = seen
    # 6 changes: 2 new, 1 renamed, 2 given their 城乡分类代码, 1 retired; the new ones are written first, each
    # batch's progress reported after it (each look comes before that report).
    assert "已写入 0 / 6 个区划" in first[0] and 'aria-valuenow="10"' in first[0] and not first[1]
    assert "已写入 1 / 6 个区划" in second[0] and 'aria-valuenow="24"' in second[0] and not second[1]
    assert Region.objects.filter(code__in=NEW_CODES).count() == 2


@pytest.mark.django_db
def test_only_the_owner_sees_the_job(client):
    world = build_world()
    client.force_login(world.city_admin)
    job = confirm(client, preview(client, CITY_TABLE))
    for other in (world.county1_admin, world.county2_admin):
        client.force_login(other)
        for name in ("core:job_detail", "core:job_progress"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_county_administrator_writes_only_his_subtree_through_the_job(client):
    world = build_world()
    client.force_login(world.county1_admin)
    staged = preview(client, CITY_TABLE.replace("乙一新村", "乙一改村"))
    assert staged.payload["root"] == world.county1.code and staged.summary["ignored"] == 3
    job = job_runner.run_job(confirm(client, staged).pk)
    assert job.status == JobStatus.DONE and job.report["created"] == 2
    assert Region.objects.get(code="390103100201").name == "乙一村"  # the neighbour's village is untouched
    assert Region.objects.get(code="390103100202").retired_at is None
    assert Region.objects.get(code="390100000000").name == "测试市"

    # A staged import aimed at the neighbouring county: refused by the button, and by the job if queued anyway.
    outside = StagedImport.objects.create(
        kind="regions", file_name="t.csv", created_by=world.county1_admin, created_at=timezone.now(),
        payload={"root": world.county2.code, "rows": [[2, "390103100203", "越界村", "220"]]},
        summary={"rows": 1, "new": 1, "renamed": 0, "reclassified": 0, "restored": 0, "retired": 1, "unchanged": 0,
                 "errors": 0, "ignored": 0})
    assert client.post(reverse("core:region_import_confirm", args=[outside.pk])).status_code == 403
    job = jobs.region_import_request(user=world.county1_admin, staged=outside, root=world.county1)
    job = job_runner.run_job(job.pk)
    assert job.status == JobStatus.FAILED and "辖区" in job.error
    assert not Region.objects.filter(code="390103100203").exists()
    # Nor may a person whose rights were withdrawn after queueing.
    staged = preview(client, CITY_TABLE.replace("甲四社区", "甲四新社区"))
    queued = confirm(client, staged)
    world.county1_admin.groups.clear()
    job = job_runner.run_job(queued.pk)
    assert job.status == JobStatus.FAILED and "只有系统管理员" in job.error
    assert Region.objects.get(code="390102001004").name == "甲四社区"


def _people_file(rows: list[list]) -> bytes:
    return xlsx_file(USER_IMPORTER.headings(), rows)


@pytest.mark.django_db
def test_a_people_file_over_the_request_cap_is_imported_by_a_job_with_its_own_cap(client, settings):
    world = build_world()
    settings.IMPORT_BACKGROUND_BYTES = 1
    settings.IMPORT_MAX_ROWS = 2
    settings.IMPORT_BACKGROUND_MAX_ROWS = 3
    people = [[f"jh{n}", f"网格员{n}", "", "", "网格员/灾害信息员", "390102001001", "", "Jh@2026Start"]
              for n in range(3)]
    people[2][7] = ""
    client.force_login(world.city_admin)
    response = client.post(reverse(USER_IMPORT), {"file": SimpleUploadedFile("people.xlsx", _people_file(people))})
    assert response.status_code == 302
    job = job_runner.run_job(BackgroundJob.objects.latest("pk").pk)
    assert job.status == JobStatus.DONE and (job.report["created"], job.report["errors"]) == (3, [])
    first, second, third = (User.objects.get(username=f"jh{n}") for n in range(3))
    assert first.check_password("Jh@2026Start") and second.check_password("Jh@2026Start")
    assert first.must_set_password and second.must_set_password
    assert not third.has_usable_password() and not third.must_set_password
    assert [g.name for g in first.groups.all()] == ["网格员/灾害信息员"]
    # One more row than the background cap: the file is refused whole.
    people.append(["jh9", "网格员9", "", "", "网格员/灾害信息员", "390102001001", "", ""])
    client.post(reverse(USER_IMPORT), {"file": SimpleUploadedFile("people.xlsx", _people_file(people))})
    job = job_runner.run_job(BackgroundJob.objects.latest("pk").pk)
    assert job.status == JobStatus.FAILED and "3 行" in job.error
    assert not User.objects.filter(username="jh9").exists()
