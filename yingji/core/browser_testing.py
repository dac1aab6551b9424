"""Shared pieces of the browser tests (Playwright driving Debian's chromium)."""

import os

from playwright.sync_api import Page, expect

from yingji.core.testing import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def log_in(page: Page, base: str, username: str) -> None:
    """Log in through the login form as a test persona, leaving any earlier session."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def square(lon: float, lat: float, size: float) -> dict:
    """A square GeoJSON polygon, for region boundaries in browser tests."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}
