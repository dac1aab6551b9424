"""Organisations and people from Excel; default roles by organisation kind; first-login password; deactivation;
the import pages (preview, confirm) for administrators only, never above their own subtree."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from yingji.core import job_runner, roles
from yingji.core.bureau import bureau_configure
from yingji.core.models import BackgroundJob, Organization, Region, RoleTemplate, User
from yingji.core.people_import import ORGANIZATION_IMPORTER, USER_IMPORTER
from yingji.core.services import organization_create
from yingji.core.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _role_templates():
    """The default templates its migration installs; a test that flushed the database before this one took them."""
    initial = importlib.import_module("yingji.core.migrations.0007_onboarding_bureau_region_retirement")
    if not RoleTemplate.objects.exists():
        initial.add_role_templates(django_apps, None)


@pytest.fixture
def world():
    world = build_world()
    bureau_configure(actor=None, name="测试市应急管理局", root_code="390100000000", root_name="测试市")
    return world


def sheet(importer, rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append([str(c.heading) for c in importer.columns])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("import.xlsx", buffer.getvalue())


def test_organisations_import_good_rows_and_report_bad_ones(world):
    report = ORGANIZATION_IMPORTER.run(sheet(ORGANIZATION_IMPORTER, [
        ["甲区应急管理局", "应急管理局", "390102000000", "", "0549-2345678"],
        ["甲一街道办事处", "乡镇（街道）办", "390102001000", "甲区应急管理局", ""],
        ["外省单位", "其他", "420100000000", "", ""],
        ["无类型单位", "不存在的类型", "390102000000", "", ""],
        ["孤儿单位", "其他", "390102000000", "没有的上级", ""],
        ["乙区应急管理局", "应急管理局", "390103000000", "", ""],
    ]), actor=world.county1_admin)
    assert report.created == 2
    reasons = dict(report.errors)
    assert "不存在" in reasons[4]
    assert "类型" in reasons[5]
    assert "单位“没有的上级”不存在" in reasons[6]
    assert 7 in reasons and not Organization.objects.filter(name="乙区应急管理局").exists()  # outside county 1
    street = Organization.objects.get(name="甲一街道办事处")
    assert street.parent.name == "甲区应急管理局" and street.kind == "township_office"


def test_organisations_outside_the_bureau_are_refused_with_the_reason(world):
    Region.objects.create(code="420000000000", name="外省", level="province")
    Region.objects.create(code="420100000000", name="外市", level="city", parent_id="420000000000")
    report = ORGANIZATION_IMPORTER.run(sheet(ORGANIZATION_IMPORTER, [["外省单位", "其他", "420100000000", "", ""]]),
                                       actor=None)
    assert "不在本局辖区" in report.errors[0][1]


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_people_get_their_organisation_kinds_roles_and_must_set_their_password(world, client):
    office = organization_create(actor=None, name="甲一街道办事处", kind="township_office",
                                 region=world.regions["390102001000"])
    assert [g.name for g in RoleTemplate.objects.get(kind="township_office").roles.all()] == [roles.GRID_MEMBER]
    Region.objects.create(code="420000000000", name="外省", level="province")
    report = USER_IMPORTER.run(sheet(USER_IMPORTER, [
        ["grid_a", "张网格", "13900000001", "甲一街道办事处", "", "390102001001", "", "Initial#2026"],
        ["sso_only", "李认证", "", "甲一街道办事处", "值班员", "390102001000", "", ""],
        ["outsider", "王外省", "", "", "值班员", "420000000000", "", ""],
        ["bad_role", "赵角色", "", "", "不存在的角色", "390102000000", "", ""],
        ["no_scope", "钱无范围", "", "", "值班员", "", "", ""],
        ["bad_phone", "孙手机", "12345", "", "值班员", "390102000000", "", ""],
        ["other_county", "周乙区", "", "", "值班员", "390103000000", "", ""],
    ]), actor=world.county1_admin)
    assert report.created == 2, report.errors
    reasons = dict(report.errors)
    assert "不在本局辖区" in reasons[4]
    assert "未知角色" in reasons[5]
    assert "管辖区划代码或所属企业" in reasons[6]
    assert "手机号" in reasons[7]
    assert "范围" in reasons[8]
    grid = User.objects.get(username="grid_a")
    assert grid.role_names == [roles.GRID_MEMBER] and grid.organization == office and grid.must_set_password
    assert not User.objects.get(username="sso_only").has_usable_password()
    # First login: every page leads to the password page until the person has chosen their own.
    assert client.login(username="grid_a", password="Initial#2026")
    assert client.get(reverse("home"))["Location"] == reverse("core:own_password")
    assert client.get("/api/me/").status_code == 403
    response = client.post(reverse("core:own_password"), {"password": "Initial#2026", "password2": "Initial#2026"})
    assert "不能与初始密码相同" in response.content.decode()
    response = client.post(reverse("core:own_password"), {"password": "Mine#Own2026", "password2": "Mine#Own2026"})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert not grid.must_set_password and grid.check_password("Mine#Own2026")
    assert client.get(reverse("home")).status_code == 200


def test_re_importing_a_person_updates_them(world):
    rows = [["dup", "旧名", "", "", "值班员", "390102000000", "", ""]]
    USER_IMPORTER.run(sheet(USER_IMPORTER, rows), actor=None)
    rows[0][1] = "新名"
    report = USER_IMPORTER.run(sheet(USER_IMPORTER, rows), actor=None)
    assert report.updated == 1 and User.objects.get(username="dup").real_name == "新名"


def test_the_commands_import_and_write_templates(world, tmp_path):
    template = tmp_path / "users.xlsx"
    call_command("import_users", str(template), "--template", stdout=io.StringIO())
    assert template.exists()
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(sheet(ORGANIZATION_IMPORTER, [["甲区应急管理局", "应急管理局", 390102000000, "", ""]]).read())
    out = io.StringIO()
    call_command("import_organizations", str(path), "--user", "city_admin", stdout=out)
    assert "新增 1 条" in out.getvalue()


def test_accounts_are_deactivated_not_deleted_and_never_ones_own(world, client):
    client.force_login(world.county1_admin)
    officer = world.county1_officer
    listing = client.get(reverse("core:user_list")).content.decode()
    assert f'data-testid="user-active-{officer.username}"' in listing
    client.post(reverse("core:user_active", args=[officer.pk]), {"active": "0"})
    officer.refresh_from_db()
    assert not officer.is_active
    client.post(reverse("core:user_active", args=[officer.pk]), {"active": "1"})
    officer.refresh_from_db()
    assert officer.is_active
    assert client.post(reverse("core:user_active", args=[world.county2_officer.pk]), {"active": "0"}).status_code == 404
    client.post(reverse("core:user_active", args=[world.county1_admin.pk]), {"active": "0"})
    assert User.objects.get(pk=world.county1_admin.pk).is_active


def test_role_templates_are_shown_and_edited_by_the_bureau_admin_only(world, client):
    client.force_login(world.county1_admin)
    page = client.get(reverse("core:organization_kinds")).content.decode()
    assert "乡镇（街道）办" in page and roles.GRID_MEMBER in page
    assert reverse("core:organization_kind_edit", args=["industry"]) not in page
    assert client.get(reverse("core:organization_kind_edit", args=["industry"])).status_code == 403
    client.force_login(world.city_admin)
    duty = Group.objects.get(name=roles.DUTY_OFFICER)
    client.post(reverse("core:organization_kind_edit", args=["bureau"]), {"roles": [duty.pk]})
    assert [g.name for g in RoleTemplate.objects.get(kind="bureau").roles.all()] == [roles.DUTY_OFFICER]


TABLE = "统计用区划代码,名称,城乡分类代码\n390102000000,甲区,\n390102001000,甲一街道,\n390102001001,甲一社区,111\n" \
        "390102001002,甲二社区,111\n390102001003,甲三社区,111\n"


def test_the_region_import_page_previews_then_writes_only_the_users_subtree(world, client):
    client.force_login(world.county1_officer)
    assert client.get(reverse("core:region_import")).status_code == 403
    client.force_login(world.county1_admin)
    upload = SimpleUploadedFile("table.csv", TABLE.encode())
    page = client.post(reverse("core:region_import"), {"file": upload})
    text = page.content.decode()
    assert 'data-testid="count-new">1<' in text and "确认导入" in text
    assert not Region.objects.filter(code="390102001003").exists()
    confirm = "/regions/import/" + text.split('action="/regions/import/')[1].split('"')[0]
    # Nobody else can confirm someone's staged import.
    client.force_login(world.county2_admin)
    assert client.post(confirm).status_code in (403, 404)
    client.force_login(world.county1_admin)
    assert client.post(confirm).status_code == 302  # a background job writes it (test_region_import_job.py)
    job_runner.run_job(BackgroundJob.objects.latest("pk").pk)
    assert Region.objects.get(code="390102001003").parent_id == "390102001000"
    assert client.post(confirm).status_code == 404  # once
    # Rows above or beside a county administrator's subtree are never written (the neighbour's reported as ignored).
    upload = SimpleUploadedFile("table.csv", ("统计用区划代码,名称\n390100000000,改名市\n390103000000,改名区\n"
                                              + TABLE.split("\n", 1)[1]).encode())
    text = client.post(reverse("core:region_import"), {"file": upload}).content.decode()
    assert "辖区外忽略 1 行" in text
    assert Region.objects.get(code="390100000000").name == "测试市"
    assert Region.objects.get(code="390103000000").name == "乙区"


def test_the_setup_pages_are_for_the_bureau_admin(world, client):
    client.force_login(world.county1_admin)
    assert client.get(reverse("core:setup_checklist")).status_code == 403
    client.force_login(world.city_admin)
    page = client.get(reverse("core:setup_checklist")).content.decode()
    assert "行政区划" in page and "数据备份" in page
    response = client.post(reverse("core:bureau_edit"), {"name": "测试市应急管理局（新）", "platform_name": "",
                                                        "root_code": "390102000000", "root_name": "x"})
    assert response.status_code == 302
    from yingji.core.bureau import bureau_identity
    identity = bureau_identity()
    assert identity.name == "测试市应急管理局（新）" and identity.root_region_code == "390100000000"


def test_login_works_for_people_without_the_flag(world, client):
    assert client.login(username="city_admin", password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
