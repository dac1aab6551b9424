"""The pager of every list: 共 N 条, numbered pages, a page jump and a page size of 20, 50 or 100, keeping the
list's filters and sort in every link."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request: HttpRequest, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size the request asks for, when it is one of PAGE_SIZES; else `default`."""
    asked = request.GET.get("page_size", "")
    return int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else default


def paginate(request: HttpRequest, rows: QuerySet | list, default_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """The requested page of `rows` (the last page for a number past it, the first for anything else)."""
    return Paginator(rows, page_size(request, default_size)).get_page(request.GET.get("page"))


def page_numbers(page: Page, around: int = 2) -> list[int | None]:
    """The first, the last and the pages around the current one; None where pages are left out."""
    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def pager_context(request: HttpRequest, page: Page, default_size: int = DEFAULT_PAGE_SIZE) -> dict[str, Any]:
    """What core/includes/pager.html needs. `query` is the request's query without the page number (filters, sort,
    page size); `kept` the same without the page size, as hidden fields of the jump and size form."""
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    size = page_size(request, default_size)
    if size == default_size:
        query.pop("page_size", None)
    kept = [(key, value) for key, values in query.lists() if key != "page_size" for value in values]
    return {
        "page": page,
        "numbers": page_numbers(page),
        "query": query.urlencode(),
        "kept": kept,
        "size": size,
        "sizes": PAGE_SIZES,
    }
