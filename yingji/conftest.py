import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from yingji.core.testing import World, build_world


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Login throttling is switched on by the tests that exercise it.
    settings.AXES_ENABLED = False
    # Hashing with production strength costs ~0.3 s per user created; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    # A test that flushes the database (the demo tests) gets new content-type ids; raw-SQL writers take the id from
    # Django's per-process content-type cache, which must not outlive them.
    ContentType.objects.clear_cache()


@pytest.fixture
def world(db) -> World:
    """A small fictional city with two counties and the people of every test."""
    return build_world()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium, never a downloaded browser; tests run as root.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }



@pytest.fixture
def page(page):
    """pytest-playwright's page, failing the test on a CSP violation, an uncaught exception or a console error."""
    # Imported here: the module allows the ORM in Playwright's event loop, which only browser tests need.
    from yingji.core.browser_testing import watch_for_page_errors

    yield from watch_for_page_errors(page)
