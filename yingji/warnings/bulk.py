"""Set-based writes for the fan-out, sending and escalation hot paths.

PostgreSQL gets COPY (rows streamed, no statement per row); SQLite gets `executemany`. Raw SQL here is limited
to INSERT … SELECT / UPDATE … FROM statements whose syntax both databases share (SQLite ≥ 3.33).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[models.Model], field: str) -> str:
    return quote(model._meta.get_field(field).column)


def when(value: datetime | None) -> Any:
    """A datetime as the backend stores it (SQLite keeps naive UTC text, so comparisons stay textual)."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def json_param() -> str:
    """The placeholder of a JSON value passed as text."""
    return "CAST(%s AS jsonb)" if is_postgresql() else "%s"


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert many rows of `model` (values in the order of `fields`) without building model instances."""
    meta_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(quote(f.column) for f in meta_fields)
    count = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            as_json = [isinstance(f, models.JSONField) for f in meta_fields]
            with cursor.cursor.copy(f"COPY {table(model)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(v, ensure_ascii=False) if j and v is not None else v
                                    for v, j in zip(row, as_json, strict=True)])
                    count += 1
        else:
            prepared = [[f.get_db_prep_value(value, connection) for f, value in zip(meta_fields, row, strict=True)]
                        for row in rows]
            placeholders = ", ".join(["%s"] * len(meta_fields))
            cursor.executemany(f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders})", prepared)
            count = len(prepared)
    return count


def fill_stage(name: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """A per-connection scratch table holding `rows`, emptied first (a test's rolled-back transaction may
    have left rows in it, and PostgreSQL's ON COMMIT DELETE ROWS only empties it at commit)."""
    names = ", ".join(part.split()[0] for part in columns.split(","))
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DELETE ROWS")
            cursor.execute(f"TRUNCATE {name}")
            with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")  # temporary tables get no statistics otherwise
        else:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
            cursor.execute(f"DELETE FROM {name}")
            placeholders = ", ".join(["%s"] * len(names.split(", ")))
            cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({placeholders})", [list(r) for r in rows])


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def skip_locked() -> str:
    """The locking clause of a claim subquery: PostgreSQL workers skip each other's rows; SQLite has one writer."""
    return " FOR UPDATE SKIP LOCKED" if is_postgresql() else ""


def json_list_item(document: str, index: str, key: str) -> str:
    """`document[index][key]` of a JSON list of objects, as text (NULL past the end); arguments are SQL."""
    if is_postgresql():
        return f"({document} -> CAST({index} AS integer) ->> '{key}')"
    return f"json_extract({document}, '$[' || ({index}) || '].{key}')"


def plus_minutes(moment: str, minutes: str) -> str:
    """SQL for the datetime `moment` plus a whole number of `minutes` (NULL when minutes is NULL).

    SQLite keeps Django's text 'YYYY-MM-DD HH:MM:SS.ffffff'; its date functions keep only milliseconds, so
    the minutes are added to the 'YYYY-MM-DD HH:MM' head and the seconds and fraction copied unchanged.
    """
    if is_postgresql():
        return f"({moment} + make_interval(mins => CAST({minutes} AS integer)))"
    return f"(strftime('%%Y-%%m-%%d %%H:%%M', {moment}, '+' || ({minutes}) || ' minutes') || substr({moment}, 17))"


def stage_returning(name: str, columns: str, statement: str, params: Sequence[Any] = ()) -> int:
    """Run an UPDATE … RETURNING and keep the rows it returns in the scratch table `name`; returns their count.

    PostgreSQL writes them straight in with a data-modifying WITH (no round trip through Python); SQLite,
    which cannot put RETURNING in a WITH, fetches them and inserts them.
    """
    names = ", ".join(part.split()[0] for part in columns.split(","))
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DELETE ROWS")
            cursor.execute(f"TRUNCATE {name}")
            cursor.execute(f"WITH moved AS ({statement}) INSERT INTO {name} ({names}) SELECT * FROM moved",
                           list(params))
            # No ANALYZE (0.1–0.2 s per 50,000 rows): without statistics the planner sizes the table by its
            # pages, which is close enough for the joins that read it (checked with EXPLAIN ANALYZE).
            return cursor.rowcount
        cursor.execute(statement, list(params))
        rows = cursor.fetchall()
    fill_stage(name, columns, rows)
    return len(rows)
