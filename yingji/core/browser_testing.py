"""Shared pieces of the browser tests (Playwright driving Debian's chromium)."""

import os
from collections.abc import Iterator

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


# Chromium reports a blocked inline script or style on the console, but a listener in the page names the
# directive; installed before any page script runs (init scripts are not subject to the page's CSP).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} (${e.sourceFile}:${e.lineNumber})`);
}, true);
"""


def watch_for_page_errors(page: Page) -> Iterator[Page]:
    """Yield the page, then fail the test if the page hit a CSP violation, an uncaught exception or a console error.

    A console error "Failed to load resource" for a page the test itself opened with an error status (a 403 or
    404 it expects), or for the /favicon.ico the browser asks for by itself, is not a problem; any other failed
    load (a script, an image, a fetch) is.
    """
    problems: list[str] = []
    failed_pages: set[str] = set()
    page.add_init_script(_REPORT_CSP_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(
        f"console error: {message.text} at {message.location.get('url', '')}"))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.on("response", lambda response: response.request.is_navigation_request() and response.status >= 400
            and failed_pages.add(response.url))
    yield page
    problems = [p for p in problems if not (p.startswith("console error: Failed to load resource") and (
        p.rsplit(" at ", 1)[-1] in failed_pages or p.endswith("/favicon.ico")))]
    assert not problems, "the page reported:\n" + "\n".join(problems)
