"""The menu: grouped into areas, and showing each role exactly the pages that let it in."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from yingji.core import roles
from yingji.core.navigation import AREAS, MenuItem, may_open, menu, menu_for, menu_items
from yingji.core.testing import add_role_users
from yingji.warnings.services import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """A person of every role (the administrator the city's); also one without a role."""
    return {**add_role_users(world), roles.ADMIN: world.city_admin, "无角色": world.county1_no_role}


@pytest.mark.parametrize("role", [*roles.ROLE_PERMISSIONS, "无角色"])
def test_every_page_the_menu_shows_opens_for_that_user(people, role):
    """Each entry answers neither 403 nor 404 nor 500 (a redirect, such as an enterprise's own risk map, is fine)."""
    user = people[role]
    client = Client()
    client.force_login(user)
    refused = []
    for entry in menu_items(user):
        status = client.get(entry["url"]).status_code
        if status in (403, 404) or status >= 500:
            refused.append((entry["label"], entry["url"], status))
    assert refused == []


@pytest.mark.parametrize("role", [roles.GRID_MEMBER, roles.ENTERPRISE_MANAGER, roles.INDUSTRY_OFFICER])
def test_the_pages_the_menu_hides_refuse_that_user(people, role):
    """The menu leaves out no page the user may open: the entries it hides answer 403 or 404."""
    user = people[role]
    client = Client()
    client.force_login(user)
    hidden = [item for group in menu() for item in group.items if not item.beside and not may_open(user, item)]
    assert hidden, "a narrow role sees a shorter menu"
    opened = [(item.label, client.get(reverse(item.url_name)).status_code) for item in hidden]
    assert [(label, status) for label, status in opened if status not in (403, 404)] == []


def test_the_grid_member_sees_his_own_pages_and_no_bureau_pages(people, world):
    grid = people[roles.GRID_MEMBER]
    labels = {entry["label"] for entry in menu_items(grid)}
    assert {"报送灾情", "灾情报告", "隐患台账"} <= labels
    # 我的叫应 is for the responsible people (责任人) warnings are addressed to: a grid member once registered as one.
    assert "我的叫应" not in labels
    person_create(actor=None, region=world.village1, role="grid_member", name="网格员", phone="13900000009", user=grid)
    assert "我的叫应" in {entry["label"] for entry in menu_items(grid)}
    assert not labels & {"接口文档", "队伍演练覆盖", "用户", "预警信息", "公众预警页"}


def test_the_enterprise_manager_reaches_his_hazards_but_not_the_bureau_tools(people):
    labels = {entry["label"] for entry in menu_items(people[roles.ENTERPRISE_MANAGER])}
    assert {"隐患台账", "风险点", "企业档案"} <= labels
    assert not labels & {"接口文档", "队伍演练覆盖", "指挥大屏", "公众举报页", "用户", "值班安排"}


def test_a_public_page_is_listed_beside_the_staff_page_it_belongs_with(people):
    handler, duty = people[roles.SUPERVISOR], people[roles.INDUSTRY_OFFICER]
    assert "公众举报页" in {e["label"] for e in menu_items(handler)}
    assert "公众举报页" not in {e["label"] for e in menu_items(duty)}


def test_the_api_docs_are_for_the_roles_that_integrate(people):
    for role, user in people.items():
        assert ("接口文档" in {e["label"] for e in menu_items(user)}) is (role in (roles.ADMIN, roles.MONITOR)), role
    for role, answer in [(roles.MONITOR, 200), (roles.GRID_MEMBER, 403), (roles.ENTERPRISE_MANAGER, 403),
                         (roles.INDUSTRY_OFFICER, 403)]:
        client = Client()
        client.force_login(people[role])
        assert client.get("/api/docs/").status_code == answer, role
        assert client.get("/api/schema/").status_code == answer, role


def test_the_menu_is_grouped_in_areas_with_only_the_current_one_open(world):
    areas = menu_for(world.city_admin, "/hazards/major/")
    assert [a["key"] for a in areas] == [a.key for a in AREAS if a.key in {x["key"] for x in areas}]
    assert [a["label"] for a in areas if a["open"]] == ["风险与隐患"]
    active = [e["label"] for a in areas for e in a["items"] if e["active"]]
    assert active == ["重大隐患督办"], "the longest matching entry, not 隐患台账 as well"
    home = menu_for(world.city_admin, "/")
    assert [a["key"] for a in home if a["open"]] == ["workbench"]
    assert max(len(a["items"]) for a in areas) < 20, "no area is a menu of its own"


def test_an_entry_whose_page_declares_no_check_is_refused_loudly(world, monkeypatch):
    from yingji.core import navigation

    navigation._entry.cache_clear()
    monkeypatch.setattr(navigation, "FIRST", [navigation.MenuGroup("x", (MenuItem("登录", "login"),))])
    try:
        with pytest.raises(ImproperlyConfigured, match="login"):
            menu_for(world.city_admin)
    finally:
        navigation._entry.cache_clear()


def test_the_sidebar_has_a_search_box_collapsible_areas_and_a_menu_button(client, world):
    client.force_login(world.county1_officer)
    page = client.get("/hazards/").content.decode()
    assert 'data-testid="menu-search"' in page and 'data-testid="menu-button"' in page
    assert page.count('data-area="') >= 3
    assert page.count("nav-area open") == 1
