"""Many rows written at once, the same way on every database (PostgreSQL speedups behind a portable
interface). Used by the hot paths that must not build an ORM object per row: the warnings' fan-out, sending and
escalation, and telemetry's history, latest values and roll-ups.

Rows come either as Python sequences (values in the order of the fields) or, for telemetry, as `Arrays`: numpy
columns of integers and floats, which PostgreSQL receives in its binary format built by numpy, with no Python
object per value.

| function | PostgreSQL | SQLite |
|---|---|---|
| `insert_rows` | COPY (text rows, or binary from `Arrays`) | `executemany` |
| `upsert_rows` | one INSERT … SELECT FROM unnest(one array per column) ON CONFLICT | `executemany` … ON CONFLICT |
| `fill_stage` | a temporary table (ON COMMIT DELETE ROWS) filled by COPY | a temporary table, `executemany` |
| `stage_returning` | UPDATE … RETURNING into a temporary table in one statement | the same in two |

Values are passed to the driver as they are for numbers and text; dates, times, decimals and JSON are converted
per field (JSON is written as text on PostgreSQL). Raw SQL beside these functions sticks to INSERT … SELECT and
UPDATE … FROM, whose syntax both databases share (SQLite ≥ 3.33), with the fragments below where they differ.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from django.db import connection, models
from psycopg import pq
from psycopg.adapt import Dumper

# -- naming and dialect -------------------------------------------------------------------------------------


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


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


# -- rows ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class Arrays:
    """Rows as numpy columns of integers or floats, one value per row in each and no NULLs."""

    columns: tuple[np.ndarray, ...]

    def __init__(self, *columns: np.ndarray) -> None:
        if len({len(c) for c in columns}) > 1:
            raise ValueError("all columns must have the same length")
        object.__setattr__(self, "columns", columns)

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[tuple]:
        return list(zip(*(c.tolist() for c in self.columns), strict=True))


Rows = Iterable[Sequence[Any]] | Arrays

# PostgreSQL's binary formats of the column types `Arrays` can fill: numpy's big-endian dtype, the element's
# type oid and the oid of an array of it.
_BINARY = {
    "bigint": (">i8", 20, 1016),
    "integer": (">i4", 23, 1007),
    "smallint": (">i2", 21, 1005),
    "double precision": (">f8", 701, 1022),
    "real": (">f4", 700, 1021),
}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = b"\xff\xff"


def _binary_type(db_type: str) -> tuple[str, int, int]:
    try:
        return _BINARY[db_type.lower()]
    except KeyError:
        raise TypeError(f"Arrays can fill only {', '.join(_BINARY)} columns, not {db_type}") from None


def _copy_binary(arrays: Arrays, db_types: Sequence[str]) -> bytes:
    """PostgreSQL's binary COPY stream of `arrays`, built by numpy in one pass."""
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    for i, db_type in enumerate(db_types):
        layout += [(f"length{i}", ">i4"), (f"value{i}", _binary_type(db_type)[0])]
    rows = np.empty(len(arrays), dtype=layout)
    rows["fields"] = len(db_types)
    for i, values in enumerate(arrays.columns):
        rows[f"length{i}"] = rows.dtype[f"value{i}"].itemsize
        rows[f"value{i}"] = values
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


class _BinaryArrayDumper(Dumper):
    """Passes bytes already in PostgreSQL's binary array format; one subclass per array type (its oid)."""

    format = pq.Format.BINARY

    def dump(self, obj: bytes) -> bytes:
        return obj


_ARRAY_TYPES = {
    array_oid: (type(f"BinaryArray{array_oid}", (bytes,), {}),
                type(f"BinaryArray{array_oid}Dumper", (_BinaryArrayDumper,), {"oid": array_oid}))
    for _dtype, _oid, array_oid in _BINARY.values()
}


def _binary_array(values: np.ndarray, db_type: str) -> bytes:
    """One column as a binary array parameter (header, then a length and a value per element), built by numpy:
    psycopg would otherwise dump a Python list element by element."""
    dtype, oid, array_oid = _binary_type(db_type)
    elements = np.empty(len(values), dtype=[("length", ">i4"), ("value", dtype)])
    elements["length"], elements["value"] = np.dtype(dtype).itemsize, values
    value_type, _dumper = _ARRAY_TYPES[array_oid]
    return value_type(struct.pack(">iiiii", 1, 0, oid, len(values), 1) + elements.tobytes())


def _plain(field: models.Field) -> bool:
    """Whether the driver takes the field's Python values as they are (numbers and text)."""
    target = field.target_field if field.is_relation else field
    return isinstance(target, models.IntegerField | models.FloatField | models.CharField | models.TextField
                      | models.BooleanField)


def _converters(fields: Sequence[models.Field]) -> list[Callable[[Any], Any] | None]:
    """Per field, how a Python value becomes a parameter (None: unchanged)."""
    if is_postgresql():
        return [_json_text if isinstance(f, models.JSONField) else None for f in fields]
    return [None if _plain(f) else (lambda value, f=f: f.get_db_prep_value(value, connection)) for f in fields]


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _prepared(rows: Iterable[Sequence[Any]], converters: list[Callable[[Any], Any] | None]) -> Iterable[list]:
    if not any(converters):
        return (list(row) for row in rows)
    return ([value if convert is None else convert(value) for value, convert in zip(row, converters, strict=True)]
            for row in rows)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Rows) -> int:
    """Insert many new rows of `model` (values in the order of `fields`); returns their number.

    `rows` may be a generator, streamed into the COPY; it must not query the database meanwhile (the COPY holds
    the connection, and the query would wait for it forever). On PostgreSQL a unique violation raises (from psycopg, not wrapped by Django) and, inside a
    savepoint, leaves the transaction usable; use `upsert_rows` where rows may already exist.
    """
    meta_fields = _fields(model, fields)
    columns = ", ".join(quote(f.column) for f in meta_fields)
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table(model)} ({columns}) FROM STDIN"
                                    + (" (FORMAT BINARY)" if isinstance(rows, Arrays) else "")) as copy:
                if isinstance(rows, Arrays):
                    copy.write(_copy_binary(rows, [f.db_type(connection) for f in meta_fields]))
                    return len(rows)
                count = 0
                for row in _prepared(rows, _converters(meta_fields)):
                    copy.write_row(row)
                    count += 1
                return count
        prepared = rows.rows() if isinstance(rows, Arrays) else list(_prepared(rows, _converters(meta_fields)))
        placeholders = ", ".join(["%s"] * len(meta_fields))
        cursor.executemany(f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders})", prepared)
        return len(prepared)


def upsert_rows(model: type[models.Model], fields: Sequence[str], rows: Rows, *, conflict: Sequence[str],
                update: Sequence[str] = (), where: str = "") -> int:
    """Insert rows of `model`, or, for a row whose `conflict` fields match an existing one (a unique constraint
    over exactly those fields), set its `update` fields to the new values when the SQL condition `where` holds
    (`excluded.<column>` is the new value); with no `update`, leave the existing row. Returns the rows written.

    Each row's key must appear at most once in `rows`.
    """
    meta_fields = _fields(model, fields)
    columns = ", ".join(quote(f.column) for f in meta_fields)
    target = ", ".join(quote(f.column) for f in _fields(model, conflict))
    if update:
        assignments = ", ".join(f"{c} = excluded.{c}" for c in (quote(f.column) for f in _fields(model, update)))
        action = f"DO UPDATE SET {assignments}" + (f" WHERE {where}" if where else "")
    else:
        action = "DO NOTHING"
    on_conflict = f"ON CONFLICT ({target}) {action}"
    if not is_postgresql():
        prepared = rows.rows() if isinstance(rows, Arrays) else list(_prepared(rows, _converters(meta_fields)))
        if not prepared:
            return 0
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(meta_fields))
            cursor.executemany(f"INSERT INTO {table(model)} ({columns}) VALUES ({placeholders}) {on_conflict}",
                               prepared)
            return cursor.rowcount
    db_types = [f.db_type(connection) for f in meta_fields]
    if isinstance(rows, Arrays):
        if not len(rows):
            return 0
        # Binary array parameters need a server-binding cursor (Django's binds on the client): one round trip,
        # no Python object per value.
        connection.ensure_connection()
        unnest = ", ".join(f"%b::{db_type}[]" for db_type in db_types)
        with psycopg.Cursor(connection.connection) as cursor:
            for value_type, dumper in _ARRAY_TYPES.values():
                cursor.adapters.register_dumper(value_type, dumper)
            cursor.execute(f"INSERT INTO {table(model)} ({columns}) SELECT * FROM unnest({unnest}) {on_conflict}",
                           [_binary_array(values, db_type) for values, db_type in zip(rows.columns, db_types,
                                                                                       strict=True)])
            return cursor.rowcount
    prepared = list(_prepared(rows, _converters(meta_fields)))
    if not prepared:
        return 0
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in db_types)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table(model)} ({columns}) SELECT * FROM unnest({unnest}) {on_conflict}",
                       [list(values) for values in zip(*prepared, strict=True)])
        return cursor.rowcount


# -- scratch tables -----------------------------------------------------------------------------------------


def _column_names(columns: str) -> list[str]:
    return [part.split()[0] for part in columns.split(",")]


def _create_stage(cursor: Any, name: str, columns: str) -> None:
    """The per-connection scratch table `name`, empty (a test's rolled-back transaction may have left rows in it,
    and PostgreSQL's ON COMMIT DELETE ROWS only empties it at commit)."""
    if is_postgresql():
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DELETE ROWS")
        cursor.execute(f"TRUNCATE {name}")
    else:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
        cursor.execute(f"DELETE FROM {name}")


def fill_stage(name: str, columns: str, rows: Rows, *, analyze: bool = True) -> None:
    """A per-connection scratch table `name` ("column type, …" in SQL both databases read) holding `rows`.

    PostgreSQL gives a temporary table no statistics until it is analysed (`analyze`), which the joins that
    read a large one need; a batch read once by a plain INSERT … SELECT does not.
    """
    names = ", ".join(_column_names(columns))
    with connection.cursor() as cursor:
        _create_stage(cursor, name, columns)
        if is_postgresql():
            binary = isinstance(rows, Arrays)
            statement = f"COPY {name} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
            with cursor.cursor.copy(statement) as copy:
                if binary:
                    copy.write(_copy_binary(rows, [part.split(None, 1)[1].strip() for part in columns.split(",")]))
                else:
                    for row in rows:
                        copy.write_row(row)
            if analyze:
                cursor.execute(f"ANALYZE {name}")
        else:
            placeholders = ", ".join(["%s"] * len(_column_names(columns)))
            cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({placeholders})",
                               rows.rows() if isinstance(rows, Arrays) else [list(r) for r in rows])


def stage_returning(name: str, columns: str, statement: str, params: Sequence[Any] = ()) -> int:
    """Run an UPDATE … RETURNING and keep the rows it returns in the scratch table `name`; returns their count.

    PostgreSQL writes them straight in with a data-modifying WITH (no round trip through Python); SQLite,
    which cannot put RETURNING in a WITH, fetches them and inserts them.
    """
    names = ", ".join(_column_names(columns))
    with connection.cursor() as cursor:
        if is_postgresql():
            _create_stage(cursor, name, columns)
            cursor.execute(f"WITH moved AS ({statement}) INSERT INTO {name} ({names}) SELECT * FROM moved",
                           list(params))
            # No ANALYZE (0.1–0.2 s per 50,000 rows): without statistics the planner sizes the table by its
            # pages, which is close enough for the joins that read it (checked with EXPLAIN ANALYZE).
            return cursor.rowcount
        cursor.execute(statement, list(params))
        rows = cursor.fetchall()
    fill_stage(name, columns, rows)
    return len(rows)
