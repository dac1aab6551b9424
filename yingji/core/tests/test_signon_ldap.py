"""Sign-in through a real OpenLDAP directory (Debian's slapd, started for this module on a loopback port)."""

import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from yingji.core import roles
from yingji.core.models import User
from yingji.core.signon import UNAVAILABLE_MESSAGE
from yingji.core.signon.profile import check_group_roles, directory_source, group_roles, is_directory_managed
from yingji.core.signon.testing import GROUPS, Person, directory_settings, free_port, running_directory
from yingji.core.testing import PASSWORD
from yingji.enterprises.testing import EnterpriseFactory

PEOPLE = [
    Person("zhangsan", "Zs-directory-1", "张三", ("yjj-duty",), region_code="390102", mobile="13800000001"),
    Person("lisi", "Ls-directory-1", "李四", ("yjj-leader", "yjj-duty"), region_code="390103100"),
    Person("wangwu", "Ww-directory-1", "王五", ("yjj-admin",)),
    Person("qiye", "Qy-directory-1", "企业安全员", ("enterprise-safety",), credit_code="91390102MA00000015"),
    Person("county1_officer", "Officer-directory-1", "甲区监管员"),
    Person("nobody", "Nb-directory-1", "无组人员", region_code="399999"),
]
GROUP_ROLES = {
    "yjj-duty": roles.DUTY_OFFICER,
    "yjj-leader": [roles.LEADER],
    f"cn=yjj-admin,{GROUPS}": roles.ADMIN,
    "enterprise-safety": roles.ENTERPRISE_MANAGER,
}


@pytest.fixture(scope="module")
def directory():
    with running_directory(PEOPLE) as running:
        yield running


@pytest.fixture
def signon(settings, directory, world):
    directory_settings(settings, directory.uri, SSO_GROUP_ROLES=json.dumps(GROUP_ROLES), LDAP_TIMEOUT=1.0)
    return directory


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_directory_account_signs_in_and_gets_its_roles_and_county(client, signon, world):
    response = sign_in(client, "zhangsan", "Zs-directory-1")
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert response.wsgi_request.user == user
    assert user.role_names == [roles.DUTY_OFFICER]
    assert user.scope_region == world.county1
    assert (user.real_name, user.mobile) == ("张三", "13800000001")


def test_an_account_the_directory_creates_has_no_local_password(client, signon):
    sign_in(client, "zhangsan", "Zs-directory-1")
    user = User.objects.get(username="zhangsan")
    assert is_directory_managed(user) and directory_source(user) == "ldap"
    assert not user.has_usable_password()
    client.logout()
    assert sign_in(client, "zhangsan", "").status_code == 200


def test_several_groups_give_several_roles_and_a_township_code_scopes_to_the_township(client, signon, world):
    sign_in(client, "lisi", "Ls-directory-1")
    user = User.objects.get(username="lisi")
    assert sorted(user.role_names) == sorted([roles.LEADER, roles.DUTY_OFFICER])
    assert user.scope_region_id == "390103100000"


def test_a_group_can_be_named_by_its_dn(client, signon):
    sign_in(client, "wangwu", "Ww-directory-1")
    assert User.objects.get(username="wangwu").role_names == [roles.ADMIN]


def test_a_credit_code_scopes_to_the_enterprise(client, signon, world):
    enterprise = EnterpriseFactory(region=world.village1, credit_code="91390102MA00000015")
    sign_in(client, "qiye", "Qy-directory-1")
    user = User.objects.get(username="qiye")
    assert (user.scope_enterprise, user.scope_region) == (enterprise, None)
    assert user.role_names == [roles.ENTERPRISE_MANAGER]


def test_an_existing_account_is_matched_by_username_and_keeps_what_the_directory_does_not_say(client, signon, world):
    officer = world.users["county1_officer"]
    assert sign_in(client, "county1_officer", "Officer-directory-1").status_code == 302
    officer.refresh_from_db()
    assert officer.role_names == [roles.SUPERVISOR]
    assert officer.scope_region == world.county1
    assert User.objects.filter(username="county1_officer").count() == 1
    # Its local password still works too: a local account stays a local account.
    client.logout()
    assert sign_in(client, "county1_officer", PASSWORD).status_code == 302


def test_groups_the_directory_drops_take_the_roles_away_at_the_next_sign_in(client, settings, signon):
    sign_in(client, "lisi", "Ls-directory-1")
    client.logout()
    settings.SSO_GROUP_ROLES = {"yjj-leader": roles.LEADER}
    sign_in(client, "lisi", "Ls-directory-1")
    assert User.objects.get(username="lisi").role_names == [roles.LEADER]


def test_a_region_code_unknown_here_leaves_the_account_without_scope(client, signon):
    assert sign_in(client, "nobody", "Nb-directory-1").status_code == 302
    user = User.objects.get(username="nobody")
    assert (user.scope_region, user.scope_enterprise, user.role_names) == (None, None, [])


def test_a_wrong_password_is_refused_as_any_wrong_password(client, signon):
    response = sign_in(client, "zhangsan", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_an_unknown_user_is_refused(client, signon):
    response = sign_in(client, "nosuchperson", "whatever-1")
    assert "用户名或密码错误" in response.content.decode()
    assert not User.objects.filter(username="nosuchperson").exists()


def test_a_directory_that_is_down_fails_at_once_with_the_fallback_message(client, settings, signon):
    directory_settings(settings, f"ldap://127.0.0.1:{free_port()}")
    started = time.monotonic()
    response = sign_in(client, "zhangsan", "Zs-directory-1")
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert str(UNAVAILABLE_MESSAGE) in response.content.decode()


def test_a_directory_that_hangs_times_out_with_the_fallback_message(client, signon):
    with signon.hung():
        started = time.monotonic()
        response = sign_in(client, "zhangsan", "Zs-directory-1")
        elapsed = time.monotonic() - started
    assert elapsed < 4, elapsed
    assert str(UNAVAILABLE_MESSAGE) in response.content.decode()


def test_local_accounts_sign_in_while_the_directory_is_down(client, settings, signon, world):
    directory_settings(settings, f"ldap://127.0.0.1:{free_port()}")
    assert sign_in(client, "county1_admin", PASSWORD).status_code == 302


def test_a_directory_account_deactivated_here_is_refused(client, signon):
    sign_in(client, "zhangsan", "Zs-directory-1")
    client.logout()
    User.objects.filter(username="zhangsan").update(is_active=False)
    response = sign_in(client, "zhangsan", "Zs-directory-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_mapping_to_an_unknown_role_is_a_configuration_error(settings):
    settings.SSO_GROUP_ROLES = '{"g": "不存在的角色"}'
    with pytest.raises(ImproperlyConfigured):
        group_roles()
    assert [error.id for error in check_group_roles()] == ["core.E120"]
    settings.SSO_GROUP_ROLES = json.dumps(GROUP_ROLES)
    assert check_group_roles() == []


def test_an_imported_initial_password_goes_once_the_directory_signs_the_person_in(client, signon, world):
    officer = world.users["county1_officer"]
    User.objects.filter(pk=officer.pk).update(must_set_password=True)
    assert sign_in(client, "county1_officer", "Officer-directory-1").status_code == 302
    officer.refresh_from_db()
    assert not officer.must_set_password and not officer.has_usable_password()
    client.logout()
    assert sign_in(client, "county1_officer", PASSWORD).status_code == 200
