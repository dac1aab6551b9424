"""The list pager: numbered pages, a page jump and a page size of 20, 50 or 100, keeping the list's filters."""

import re

import pytest
from django.test import RequestFactory

from yingji.core.paging import page_numbers, page_size, pager_context, paginate
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = pytest.mark.django_db


def request(query: str):
    return RequestFactory().get(f"/enterprises/?{query}")


@pytest.mark.parametrize(("asked", "size"), [("20", 20), ("50", 50), ("100", 100), ("25", 20), ("1000", 20),
                                             ("-1", 20), ("abc", 20), ("", 20)])
def test_the_page_size_is_one_of_the_choices(asked, size):
    assert page_size(request(f"page_size={asked}")) == size


def test_the_pages_offered_are_the_ends_and_the_neighbours():
    rows = list(range(500))
    assert page_numbers(paginate(request("page=7"), rows)) == [1, None, 5, 6, 7, 8, 9, None, 25]
    assert page_numbers(paginate(request("page=1"), rows)) == [1, 2, 3, None, 25]
    assert page_numbers(paginate(request("page=99"), rows)) == [1, None, 23, 24, 25], "past the end: the last page"


def test_the_pager_keeps_the_filters_and_the_size_but_not_the_page():
    req = request("q=化工&category=hazardous&page=3&page_size=50")
    context = pager_context(req, paginate(req, list(range(500))))
    assert "page=" not in context["query"].replace("page_size=", "")
    assert "page_size=50" in context["query"] and "category=hazardous" in context["query"]
    assert ("q", "化工") in context["kept"] and all(key != "page_size" for key, _value in context["kept"])


def test_a_list_pages_by_the_chosen_size_and_its_links_keep_the_search(client, world):
    for n in range(23):
        EnterpriseFactory(region=world.village1, name=f"翻页测试企业{n:02d}")
    client.force_login(world.county1_officer)
    first = client.get("/enterprises/", {"q": "翻页测试"}).content.decode()
    assert first.count("翻页测试企业") == 20
    assert re.search(r'href="\?q=%E7%BF%BB%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;page=2"', first), "page 2 keeps the search"
    assert 'name="page_size"' in first and 'data-testid="page-jump"' in first
    assert '<input type="hidden" name="q" value="翻页测试">' in first, "the jump form keeps the search"
    second = client.get("/enterprises/", {"q": "翻页测试", "page": 2}).content.decode()
    assert second.count("翻页测试企业") == 3
    bigger = client.get("/enterprises/", {"q": "翻页测试", "page_size": 50}).content.decode()
    assert bigger.count("翻页测试企业") == 23 and 'data-testid="page-jump"' not in bigger
