import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from yingji.celery import app
from yingji.core import outbox
from yingji.core.test_database import copy_template, flush_by_delete
from yingji.core.testing import World, build_world

SCRATCH_PREFIX = "yingji-test-"


def _scratch_directory() -> Path:
    """A directory of this test process's own, in memory (tmpfs) where the machine has one.

    Left behind only by a killed run; the next run removes those whose process is gone.
    """
    parent = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())
    for stale in parent.glob(f"{SCRATCH_PREFIX}*"):
        pid = stale.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))


@pytest.fixture(scope="session")
def _scratch():
    directory = _scratch_directory()
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, _scratch):
    """The SQLite test database in a file of this process's own, not in memory.

    Django's in-memory test database has a shared cache, which locks whole tables and fails at once ("database table
    is locked") when a thread the test started (the MQTT subscriber, a live stream's poll, the live server) and the
    test use a table together. A file in WAL mode behaves as in production: readers never wait, writers wait out the
    busy timeout. Each process (each xdist worker) has its own file, on tmpfs where there is one.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(_scratch / "test.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's test database setup, on a copy of the migrated template (`yingji.core.test_database`)."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    flush_by_delete()
    with django_db_blocker.unblock():
        copy_template(connections["default"])
        config = setup_databases(verbosity=0, interactive=False, keepdb=True, aliases={"default"},
                                 serialized_aliases=set())
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _private_task_queue(_scratch):
    """The embedded Celery queue (a folder) of this process's own, never the checkout's var/celery.

    A `make run` beside the tests would otherwise take the tasks the tests send, and two test runs each other's.
    """
    queue = _scratch / "celery"
    folders = {"data_folder_in": queue / "queue", "data_folder_out": queue / "queue",
               "processed_folder": queue / "processed", "control_folder": queue / "control"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    if app.conf.broker_url.startswith("filesystem://"):
        app.conf.broker_transport_options = {**app.conf.broker_transport_options,
                                             **{key: str(folder) for key, folder in folders.items()}}
    django_settings.CELERY_QUEUE_DIR = queue
    yield


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


@pytest.fixture(autouse=True)
def _outbox_worker_beside_the_live_server(request):
    """A test served by the live server has an outbox worker beside it, as `make run` has.

    The committing request runs its own messages at once; the worker retries one that failed there (a busy
    database on a loaded machine), so a browser test sees what a user would, not a message left for nobody.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    stop = threading.Event()
    worker = threading.Thread(target=outbox.work, kwargs={"stop": stop, "poll": 0.5}, daemon=True)
    worker.start()
    yield
    stop.set()
    worker.join(timeout=30)


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
