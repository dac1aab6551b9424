"""Issue 19 done-when, in Debian's chromium: a bureau's day one from an empty platform to a county duty officer signed
in through the bureau's directory, seeing only his county.

Only the shipped example files of docs/onboarding.md are used (docs/examples/onboarding/): the setup link as
`manage.py setup_link` prints it; the division table through its preview; the boundaries; the organisations and the
people through their import pages; then the group-to-role mapping and region attribute of sso.env, against a real
slapd holding the directory account of users.xlsx's beishan_duty (北山县). The other county of the table, 青湖区,
has its own bureau in organizations.xlsx and never reaches him.
"""

import importlib
import io
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

import yingji.core.browser_testing  # noqa: F401  (lets the test set up data beside Playwright's event loop)
from yingji.core import job_runner, roles
from yingji.core.bureau import setup_needed
from yingji.core.models import Organization, Region, RoleTemplate, User
from yingji.core.signon.testing import Person, directory_settings, running_directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(django_settings.BASE_DIR) / "docs" / "examples" / "onboarding"
CITY = "390100000000"
COUNTY = "390121000000"  # 北山县
OTHER_COUNTY = "390102000000"  # 青湖区
ADMIN_USERNAME, ADMIN_NAME, ADMIN_PASSWORD = "qinghe_admin", "陈志远", "Bureau#Setup-2026"
# beishan_duty of users.xlsx as the directory knows him: his own directory password (not the initial one of the
# sheet), the duty room's group of sso.env and his county's 6-digit code in the region attribute.
DUTY = Person("beishan_duty", "Zhou-directory-2026", "周海涛", ("yjj-zhiban",), region_code="390121")


@pytest.fixture
def empty_platform(transactional_db):
    """A freshly migrated database: the organisation kinds' default roles are there (a data migration installs
    them; an earlier transactional test's flush took them), and nothing else."""
    if not RoleTemplate.objects.exists():
        migration = importlib.import_module("yingji.core.migrations.0007_onboarding_bureau_region_retirement")
        migration.add_role_templates(django_apps, None)
    assert setup_needed() and not Region.objects.exists() and not User.objects.exists()


def sso_env() -> dict[str, str]:
    """The variables of the example sso.env (comments and empty lines left out)."""
    lines = (EXAMPLES / "sso.env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def open_step(page: Page, base: str, key: str) -> None:
    """From the checklist (平台设置), follow a step's 去设置 link."""
    page.goto(f"{base}/setup/")
    page.locator(f'tr[data-step="{key}"]').get_by_role("link", name="去设置").click()


def expect_done(page: Page, base: str, keys: list[str]) -> None:
    page.goto(f"{base}/setup/")
    for key in keys:
        expect(page.locator(f'tr[data-step="{key}"]').get_by_test_id("step-done")).to_be_visible()


def import_sheet(page: Page, name: str, summary: str) -> None:
    page.locator('input[type="file"][name="file"]').set_input_files(str(EXAMPLES / name))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_test_id("import-summary")).to_have_text(summary)


def test_an_empty_platform_is_set_up_from_the_examples_and_a_directory_user_sees_only_his_county(
        page: Page, live_server, settings, empty_platform):
    base = live_server.url

    # The one-time link, as the platform prints it.
    out = io.StringIO()
    call_command("setup_link", "--base-url", base, stdout=out)
    link = out.getvalue().splitlines()[0]
    assert link.startswith(f"{base}/setup/link/")
    page.goto(link)
    page.get_by_label("管理员用户名").fill(ADMIN_USERNAME)
    page.get_by_label("管理员姓名").fill(ADMIN_NAME)
    page.locator("#id_password").fill(ADMIN_PASSWORD)
    page.locator("#id_password2").fill(ADMIN_PASSWORD)
    page.get_by_label("单位名称").fill("青禾市应急管理局")
    page.get_by_label("辖区区划代码").fill(CITY)
    page.get_by_label("辖区名称").fill("青禾市")
    page.get_by_label("上级区划名称").fill("江海省")
    page.get_by_role("button", name="保存并继续").click()
    expect(page).to_have_url(f"{base}/setup/")
    expect(page.get_by_test_id("current-user")).to_have_text(ADMIN_NAME)
    expect(page.locator('tr[data-step="bureau"]').get_by_test_id("step-done")).to_be_visible()
    expect(page.locator('tr[data-step="regions"]')).to_contain_text("未完成")

    # 1. The division table: a preview first, nothing written before the confirmation.
    open_step(page, base, "regions")
    expect(page).to_have_url(f"{base}/regions/import/")
    page.get_by_label("文件").set_input_files(str(EXAMPLES / "regions.csv"))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("count-new")).to_have_text("8")  # two counties, their townships and villages
    expect(page.get_by_test_id("count-errors")).to_have_text("0")
    expect(page.get_by_role("cell", name="王家庄村委会")).to_be_visible()
    assert not Region.objects.filter(code=COUNTY).exists()
    page.get_by_test_id("confirm-import").click()
    # The confirmation queues a background job and opens its page, which follows it until the worker is done.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/jobs/\d+/$"))
    expect(page.get_by_test_id("job-status")).to_have_text("排队中")
    job_runner.run_job(int(page.url.rstrip("/").rsplit("/", 1)[1]))  # as the worker does
    expect(page.get_by_test_id("job-report")).to_contain_text("区划已导入：新增 8，更名 0，撤销 0")
    assert Region.objects.filter(code__startswith="3901").count() == 9
    assert Region.objects.get(code="390121100201").parent_id == "390121100000"

    # 2. Boundaries: the city and 青湖区 by their codes, 北山县 by its name among the city's children.
    open_step(page, base, "boundaries")
    page.get_by_label("文件").set_input_files(str(EXAMPLES / "boundaries.geojson"))
    page.get_by_label("按名称匹配时的上级区划代码").fill(CITY)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("匹配 3 个区划，未匹配 0 个要素，错误 0")
    page.get_by_test_id("confirm-import").click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 3 个区划的边界")
    expect(page.locator("#region-map .region-label")).to_have_text(["青湖区", "北山县"])
    assert Region.objects.get(code=COUNTY).boundary is not None

    # 3 and 4. Organisations, then people, from their import pages.
    open_step(page, base, "organizations")
    expect(page).to_have_url(f"{base}/organizations/import/")
    import_sheet(page, "organizations.xlsx", "新增 4 条，更新 0 条，失败 0 条。")
    open_step(page, base, "users")
    expect(page).to_have_url(f"{base}/users/import/")
    import_sheet(page, "users.xlsx", "新增 2 条，更新 0 条，失败 0 条。")
    duty = User.objects.get(username=DUTY.uid)
    assert (duty.scope_region_id, duty.role_names, duty.must_set_password) == (COUNTY, [roles.DUTY_OFFICER], True)
    grid = User.objects.get(username="shiqiao_grid")  # no roles in the sheet: his township office's defaults
    assert (grid.role_names, grid.has_usable_password()) == ([roles.GRID_MEMBER], False)
    expect_done(page, base, ["bureau", "regions", "boundaries", "organizations", "users"])
    expect(page.locator('tr[data-step="sign_on"]')).to_contain_text("未完成")

    # 5. The bureau's directory, configured as the example sso.env maps its groups and its region attribute.
    env = sso_env()
    with running_directory([DUTY]) as directory:
        directory_settings(settings, directory.uri, SSO_GROUP_ROLES=env["SSO_GROUP_ROLES"],
                           SSO_REGION_ATTRIBUTE=env["SSO_REGION_ATTRIBUTE"], LDAP_TIMEOUT=float(env["LDAP_TIMEOUT"]))
        expect_done(page, base, ["sign_on"])

        # The imported duty officer signs in on the login page with his directory password.
        page.context.clear_cookies()
        page.goto(f"{base}/login/")
        page.get_by_label("用户名").fill(DUTY.uid)
        page.get_by_label("密码").fill(DUTY.password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_test_id("current-user")).to_have_text("周海涛")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("workbench-title")).to_have_text("北山县 工作台")
    duty.refresh_from_db()
    assert (duty.scope_region_id, duty.role_names) == (COUNTY, [roles.DUTY_OFFICER])
    assert not duty.must_set_password and not duty.has_usable_password()  # the directory holds his password now

    # His lists hold his county only; 青湖区 of the same table, its bureau and the city's never appear.
    page.goto(f"{base}/regions/list/")
    regions = page.locator("table.list-table")
    for name in ("北山县", "石桥镇", "石桥社区居委会", "王家庄村委会"):
        expect(regions).to_contain_text(name)
    expect(page.get_by_test_id("total")).to_have_text("4")
    expect(page.locator("main")).not_to_contain_text("青湖")

    page.goto(f"{base}/organizations/")
    organizations = page.locator("table.list-table")
    expect(organizations).to_contain_text("北山县应急管理局")
    expect(organizations).to_contain_text("石桥镇人民政府")
    expect(page.get_by_test_id("total")).to_have_text("2")
    expect(organizations).not_to_contain_text("青湖区应急管理局")
    expect(organizations).not_to_contain_text("青禾市应急管理局")

    page.goto(f"{base}/regions/")
    expect(page.locator("main h1")).to_contain_text("北山县")
    expect(page.locator(".region-children")).to_contain_text("石桥镇")
    expect(page.locator("main")).not_to_contain_text("青湖")

    # Another county's pages are refused, though he can open his own.
    assert page.goto(f"{base}/regions/{COUNTY}/").status == 200
    for path in (f"/regions/{OTHER_COUNTY}/", f"/regions/tree/{OTHER_COUNTY}/",
                 f"/organizations/{Organization.objects.get(name='青湖区应急管理局').pk}/"):
        assert page.goto(f"{base}{path}").status == 404, path
