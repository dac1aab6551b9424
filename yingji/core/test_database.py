"""The test database of each test process, copied from one migrated template instead of migrated again.

Migrating an empty database takes over a minute of CPU (most of it Django rendering the migration states), and
every pytest-xdist worker of both halves of `make test` used to do it. Now the first worker of a half migrates a
template under a lock and every worker copies it: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL. Django's own `setup_databases(keepdb=True)` then finds its database there, applies nothing and runs
the post-migrate steps as usual; teardown drops the copy.

The template's name carries a digest of every migration and of the pinned requirements, so a changed migration
builds a new one. A template is built under a temporary name and renamed when complete, so a killed run never
leaves a half-migrated one behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())


def schema_digest() -> str:
    """What the migrated schema depends on: our migrations and the versions of the apps we install."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("yingji/*/migrations/*.py")) + [ROOT / "requirements.txt"]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with open(SHARED / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate_into(connection: BaseDatabaseWrapper, name: str) -> None:
    """Create and migrate the database `name` with Django's test machinery, then put the settings back."""
    saved = (connection.settings_dict["NAME"], settings.DATABASES[connection.alias]["NAME"],
             connection.settings_dict["TEST"].get("NAME"))
    connection.settings_dict["TEST"]["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
        connection.settings_dict["NAME"], settings.DATABASES[connection.alias]["NAME"] = saved[:2]
        connection.settings_dict["TEST"]["NAME"] = saved[2]


def _sqlite_copy(connection: BaseDatabaseWrapper, target: str) -> None:
    template = SHARED / f"yingji-testdb-{schema_digest()}.sqlite3"
    with _locked(template.name):
        if not template.exists():
            building = template.with_suffix(f".building-{os.getpid()}")
            _migrate_into(connection, str(building))
            os.replace(building, template)
            # Templates of schemas since changed (left a day, in case another checkout still copies one).
            for stale in SHARED.glob("yingji-testdb-*.sqlite3"):
                if stale != template and time.time() - stale.stat().st_mtime > 86400:
                    stale.unlink(missing_ok=True)
    for leftover in (target, f"{target}-wal", f"{target}-shm"):
        Path(leftover).unlink(missing_ok=True)
    shutil.copyfile(template, target)


def _postgresql_copy(connection: BaseDatabaseWrapper, target: str) -> None:
    template = f"{connection.settings_dict['NAME']}_tpl_{schema_digest()}"[:63]
    quote = connection.ops.quote_name
    with _locked(f"yingji-testdb-{template}"):
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
        if not exists:
            building = f"{template[:50]}_b{os.getpid()}"
            _migrate_into(connection, building)
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
                # Templates of schemas since changed are of no more use.
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                               [f"{connection.settings_dict['NAME']}\\_tpl\\_%", template])
                for (stale,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)} WITH (FORCE)")
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")


def copy_template(connection: BaseDatabaseWrapper) -> None:
    """Give this process's test database the migrated template's content (building the template if needed)."""
    target = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite" and not connection.creation.is_in_memory_db(target):
        _sqlite_copy(connection, target)
    elif connection.vendor == "postgresql":
        _postgresql_copy(connection, target)


# A flush after each transactional test (browser tests, live streams) emptied every table with one TRUNCATE of
# all ~200 of them: about a second on a quiet PostgreSQL and ten under load, most of it new files for tables that
# were empty anyway. DELETE empties the few that hold rows and costs nothing on the others; the foreign keys
# Django creates are DEFERRABLE INITIALLY DEFERRED, so the order of the deletes does not matter within the flush's
# transaction.
FLUSH_BY_DELETE = """DO $flush$
DECLARE name text;
BEGIN
  FOREACH name IN ARRAY ARRAY[{tables}]::text[] LOOP
    EXECUTE format('DELETE FROM %I', name);
  END LOOP;
END $flush$;"""


def flush_by_delete() -> None:
    """Make PostgreSQL's flush delete rows rather than truncate tables (not when sequences are to be reset)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        names = ", ".join("'" + table.replace("'", "''") + "'" for table in tables)
        return [FLUSH_BY_DELETE.format(tables=names)]

    DatabaseOperations.sql_flush = sql_flush
