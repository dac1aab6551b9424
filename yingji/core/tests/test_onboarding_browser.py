"""The region import as an administrator does it in the browser: upload, see the preview, confirm, watch the job."""

import pytest
from playwright.sync_api import Page, expect

from yingji.core import job_runner
from yingji.core.browser_testing import log_in
from yingji.core.bureau import bureau_configure
from yingji.core.models import BackgroundJob, Region
from yingji.core.testing import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = ("统计用区划代码,名称,城乡分类代码\n390100000000,测试市,\n390102000000,甲区,\n390102001000,甲一街道,\n"
         "390102001001,甲一社区,111\n390102001002,甲二社区,111\n390102001003,甲三社区,111\n"
         "390103000000,乙区,\n390103100000,乙一镇,\n390103100201,乙一新村,220\n")


def test_a_region_table_is_previewed_then_confirmed(page: Page, live_server, transactional_db):
    build_world()
    bureau_configure(actor=None, name="测试市应急管理局", root_code="390100000000", root_name="测试市")
    log_in(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/regions/import/")
    page.get_by_label("文件").set_input_files(
        {"name": "regions.csv", "mimeType": "text/csv", "buffer": TABLE.encode()})
    page.get_by_role("button", name="上传并预览").click()
    preview = page.get_by_test_id("import-preview")
    expect(preview).to_contain_text("新增 1")
    expect(page.get_by_test_id("count-renamed")).to_have_text("1")
    expect(page.get_by_test_id("count-retired")).to_have_text("1")  # 乙二村 is no longer in the table
    expect(page.get_by_role("cell", name="乙一新村")).to_be_visible()
    assert not Region.objects.filter(code="390102001003").exists()  # nothing written before the confirmation
    page.get_by_test_id("confirm-import").click()
    # The confirmation queues a background job; its page polls the progress until the worker has written it.
    expect(page.get_by_test_id("job-status")).to_have_text("排队中")
    job_runner.run_job(BackgroundJob.objects.latest("pk").pk)
    expect(page.get_by_test_id("job-report")).to_contain_text("新增 1，更名 1，撤销 1")
    assert Region.objects.get(code="390102001003").name == "甲三社区"
    assert Region.objects.get(code="390103100202").retired_at is not None
