"""A restart never fails because people used the platform; an empty start leads the first administrator through
the bureau's configuration; the login page shows the bureau."""

import io
import types

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from yingji.core import bureau as bureau_services
from yingji.core import demo as core_demo
from yingji.core.management.commands import seed_demo
from yingji.core.models import Bureau, Organization, Region, User
from yingji.core.onboarding import checklist
from yingji.core.services import organization_create, region_update
from yingji.core.testing import PNG

pytestmark = pytest.mark.django_db
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def collide(context: dict) -> None:
    """A demo module that creates a record by natural key, as monitoring's does with point LT-201."""
    if Organization.objects.filter(name="LT-201").exists():
        raise ValueError("本企业已有位号为'LT-201'的监测点")
    organization_create(actor=None, name="LT-201", kind="other", region=context["city"])


@pytest.fixture
def demo_modules(monkeypatch):
    """The core demo (the real one) and a module that fails on a natural key users took, instead of every app's."""
    modules = [(apps.get_app_config("core"), core_demo), (apps.get_app_config("core"), types.SimpleNamespace(seed=collide))]
    monkeypatch.setattr(seed_demo, "app_modules", lambda name: modules)


def start() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", "--startup", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict:
    return {
        "regions": list(Region.objects.order_by("code").values_list("code", "name")),
        "organizations": sorted(Organization.objects.values_list("region_id", "name", "kind")),
        "users": sorted(User.objects.values_list("username", "real_name", "is_active")),
    }


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_a_restart_after_a_day_of_use_changes_nothing_and_never_fails(demo_modules):
    out, _err = start()
    assert "演示数据已载入" in out
    assert Bureau.objects.get().demo_loaded_at is not None
    # A day of use: a renamed region, a deleted demo organisation, and a new record with a demo natural key.
    region_update(region=Region.objects.get(code=core_demo.COUNTIES[0][0] + "000000"), actor=None, name="新青湖区")
    Organization.objects.filter(name="LT-201").delete()
    organization_create(actor=None, name="LT-201", kind="other", region=Region.objects.get(code=core_demo.CITY_CODE))
    User.objects.filter(username="grid1").update(is_active=False)
    before = snapshot()
    out, err = start()
    assert "不再重复载入" in out and err == ""
    assert snapshot() == before


def failing(context: dict) -> None:
    raise RuntimeError("磁盘已满")


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_a_failing_seed_is_reported_rolled_back_and_the_start_goes_on(monkeypatch, caplog):
    modules = [(apps.get_app_config("core"), core_demo), (apps.get_app_config("core"), types.SimpleNamespace(seed=failing))]
    monkeypatch.setattr(seed_demo, "app_modules", lambda name: modules)
    out, err = start()
    assert "演示数据载入失败" in err and "磁盘已满" in err
    assert "startup seeding failed" in caplog.text
    assert not Region.objects.exists() and not Bureau.objects.exists()  # nothing half-written


def test_a_database_in_use_from_before_the_marker_is_marked_not_reseeded():
    region = Region.objects.create(code="390000000000", name="江海省", level="province")
    Region.objects.create(code=core_demo.CITY_CODE, name="青禾市", level="city", parent=region)
    out, err = start()
    assert "不再载入演示数据" in out and err == ""
    assert Bureau.objects.get().name == core_demo.BUREAU
    assert Region.objects.count() == 2


@override_settings(DEMO_ENABLED=False)
def test_demo_off_starts_empty_and_says_how_to_set_up():
    out, _err = start()
    assert "YINGJI_DEMO=0" in out and "setup_link" in out
    assert not Region.objects.exists()


# The empty start ----------------------------------------------------------------------------------------------

def setup_data(**extra) -> dict:
    data = {"username": "chief", "real_name": "李主任", "password": "Bureau#2026x", "password2": "Bureau#2026x",
            "name": "江海市应急管理局", "root_code": "390200000000", "root_name": "江海市",
            "ancestor_names": "江海省", "platform_name": "江海市应急管理综合应用平台"}
    return {**data, **extra}


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_the_setup_link_configures_the_bureau_and_its_first_administrator_once(client, tmp_path):
    assert bureau_services.setup_needed()
    out = io.StringIO()
    call_command("setup_link", stdout=out)
    path = out.getvalue().split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert client.get(path).status_code == 200
    response = client.post(path, setup_data(password2="different"))
    assert "两次输入的密码不一致" in response.content.decode()
    emblem = tmp_path / "emblem.png"
    emblem.write_bytes(PNG)
    with emblem.open("rb") as handle:
        response = client.post(path, {**setup_data(), "emblem": handle})
    assert response.status_code == 302 and response["Location"] == reverse("core:setup_checklist")
    bureau = Bureau.objects.get()
    assert bureau.root_region.parent.name == "江海省" and bureau.emblem_type == "image/png"
    chief = User.objects.get(username="chief")
    assert chief.is_superuser and chief.scope_region_id == "390200000000" and not chief.must_set_password
    # The link worked once; the checklist now leads on.
    assert client.get(path).status_code == 404
    page = client.get(reverse("core:setup_checklist")).content.decode()
    assert "江海市应急管理局" in page and page.count("已完成") >= 1
    assert [s["key"] for s in checklist() if s["done"]] == ["bureau"]
    with pytest.raises(CommandError):
        call_command("setup_link", stdout=io.StringIO())
    # The login page shows the bureau's name, emblem and the platform's name.
    client.logout()
    login = client.get(reverse("login")).content.decode()
    assert "江海市应急管理局" in login and "江海市应急管理综合应用平台" in login
    emblem_url = bureau_services.bureau_identity().emblem_url
    assert emblem_url in login.replace("&amp;", "&")
    assert client.get(emblem_url).content == PNG


def test_a_forged_or_old_setup_link_is_refused(client):
    bureau_services.setup_link_create()
    assert client.get(reverse("core:setup", args=["forged"])).status_code == 404
    assert client.post(reverse("core:setup", args=["forged"]), setup_data()).status_code == 404
    assert not Bureau.objects.exists()


def test_an_emblem_that_is_not_an_image_is_refused(tmp_path):
    region = Region.objects.create(code="390000000000", name="江海省", level="province")
    fake = tmp_path / "emblem.png"
    fake.write_bytes(b"<svg onload=alert(1)>")
    with fake.open("rb") as handle, pytest.raises(ValidationError, match="PNG"):
        bureau_services.bureau_configure(actor=None, name="局", root_code=region.code, root_name="江海省",
                                         emblem_file=File(handle, name="emblem.png"))
