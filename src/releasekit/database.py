"""The sqlite-utils layer: the canonical schema, bulk loading, and a canonical dump.

Tables are created from :mod:`releasekit.tables` with explicit column types,
primary keys, single-column foreign keys (the ones Datasette renders as links),
derived columns for serving (never in a package) and indexes; nothing is
inferred from data. Rows go in through prepared statements on the same
connection so every record's fate is known: a repeated natural key is caught
by the primary key (``insert or ignore`` + rowcount) and quarantined, without
holding a set of seen keys in memory.

Every statement that inserts starts with ``insert`` in lower case: Python 3.11's
:mod:`sqlite3` tells a statement that changes rows (it then opens a transaction and
counts ``rowcount``) by its first word, compared case-insensitively through the C
library's locale, and in a Turkish locale ``I`` does not fold to ``i``: an ``INSERT``
had rowcount -1, so a repeated key read as loaded (tests/test_acceptance.py builds
under ``tr_TR.UTF-8``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from .tables import TABLES, Table


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open (or create) a database file for a build: no journal, no fsync, FKs off.

    The build writes to a temporary file and renames it into place at the end,
    so a crash never leaves a half-written ``release.db``; journalling and sync
    would only slow the load down.
    """
    db = sqlite_utils.Database(connect(path))
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA foreign_keys = OFF")
    return db


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection by Python's own ``sqlite3``: sqlite-utils, given a path, connects with ``pysqlite3`` where that is
    installed (as Datasette's documentation suggests for a newer SQLite), whose errors are not ``sqlite3.Error``: a
    full disk was then an internal error, not the machine's failure."""
    return sqlite3.connect(str(path))


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file at ``path``, by a ``file:`` URI that names it whatever its folder
    is called (an f-string URI loses what follows a ``#`` or ``?`` in a folder's name, and reads ``%41`` as ``A``:
    SQLite then opens, or makes, another file)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def open_reader(path: Path | str) -> sqlite_utils.Database:
    """A second connection to a build's database that only reads (it leaves the journal mode alone)."""
    return sqlite_utils.Database(connect(path))


def create_schema(db: sqlite_utils.Database, tables: tuple[Table, ...] = TABLES, *, indexes: bool = True) -> None:
    """Create every canonical table with explicit types, keys and indexes (derived columns last).

    :param indexes: also the secondary indexes; a bulk load leaves them out and calls
        :func:`create_indexes` when the rows are in (building an index once is faster than keeping
        it up to date row by row).
    """
    for table in tables:
        db[table.name].create(  # type: ignore[union-attr]
            {f.name: f.sqlite_type for f in (*table.fields, *(d.field for d in table.derived))},
            pk=table.primary_key if len(table.primary_key) > 1 else table.primary_key[0],
            not_null={f.name for f in table.fields if f.required},
            foreign_keys=[
                (fk.fields[0], fk.table, fk.reference_fields[0])
                for fk in table.foreign_keys
                if len(fk.fields) == 1
            ] + [(d.field.name, *d.references) for d in table.derived if d.references],
        )
    if indexes:
        create_indexes(db, tables)


def create_indexes(db: sqlite_utils.Database, tables: tuple[Table, ...] = TABLES) -> None:
    """Create the secondary indexes of ``tables`` (the primary keys come with the tables)."""
    for table in tables:
        for columns in table.indexes:
            db[table.name].create_index(columns)  # type: ignore[union-attr]


#: The full-text indexes made at build time, as (table, columns): Datasette offers a search box on the table
#: (``?_search=menteng``) and finds a region's code by its name. Tokenized ``unicode61``, SQLite's default (no
#: English stemming of Indonesian names).
SEARCHABLE = (("wilayah", ("nama",)),)


def create_search(db: sqlite_utils.Database) -> None:
    """(Re)make the FTS5 index of each :data:`SEARCHABLE` table, once its rows are final (no triggers: the
    release is read-only)."""
    if "ENABLE_FTS5" not in {option for (option,) in db.execute("PRAGMA compile_options")}:
        return  # an SQLite built without FTS5 (rare): the release is the same, without the search box
    for table, columns in SEARCHABLE:
        db[table].enable_fts(columns, fts_version="FTS5", replace=True)  # type: ignore[union-attr]


def percent(part: str, whole: str) -> str:
    """SQL for ``part`` as a percentage of ``whole``, to two decimals, rounded half away from zero.

    Rounded on the exact fraction with integer division, not by ``round()``: ``round(100.0 * part / whole, 2)`` rounds
    the nearest double, and SQLite versions round it apart (``round(1.005, 2)``, 201 of 20,000, is 1.01 in SQLite
    3.40 and 1.0 in 3.51), so the same sources built another release's bytes on another machine. Both expressions are
    SQL integers (``whole`` is evaluated once: a window or a subquery costs nothing more); a zero or NULL ``whole``, or
    a NULL ``part``, is NULL. Hundredths are ⌊(⌊20000·|part| / whole⌋ + 1) / 2⌋, which is ⌊10000·|part| / whole + ½⌋.
    """
    return (f"((CASE WHEN {part} < 0 THEN -1 ELSE 1 END) * (((20000 * abs({part})) / ({whole}) + 1) / 2) "
            "/ 100.0)")


def insert_sql(table: Table, *, verb: str = "insert or ignore") -> str:
    """A prepared ``INSERT`` taking every column of ``table``; derived columns are computed from them."""
    params = {c: f"?{i}" for i, c in enumerate(table.columns, 1)}  # after the plain "?"s: the same parameters
    cols = ", ".join(f"[{c}]" for c in (*table.columns, *(d.field.name for d in table.derived)))
    marks = ", ".join((*("?" for _ in table.columns), *(d.expression.format(**params) for d in table.derived)))
    return f"{verb} INTO main.[{table.name}] ({cols}) VALUES ({marks})"


def fill_derived(db: sqlite_utils.Database) -> None:
    """Compute the derived columns an insert naming its own columns left empty (:class:`~.tables.Derived`)."""
    for table in TABLES:
        for d in table.derived:
            value = d.expression.format(**{c: f"[{table.name}].[{c}]" for c in table.columns})  # (in subqueries too)
            db.execute(f"UPDATE [{table.name}] SET [{d.field.name}] = {value} WHERE [{d.field.name}] IS NULL")


def iter_rows(db: sqlite_utils.Database, table: Table, where: str = "",
              params: tuple[object, ...] | dict[str, object] = ()) -> Iterator[tuple[object, ...]]:
    """Rows of ``table`` in primary-key order, optionally filtered by a SQL ``where``."""
    cols = ", ".join(f"[{c}]" for c in table.columns)
    order = ", ".join(f"[{c}]" for c in table.primary_key)
    sql = f"SELECT {cols} FROM [{table.name}] {where} ORDER BY {order}"
    return db.execute(sql, params)  # the cursor itself: no generator between SQLite and the CSV writer


def table_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows per canonical table."""
    return {t.name: db.execute(f"SELECT count(*) FROM [{t.name}]").fetchone()[0] for t in TABLES
            if t.name in db.table_names()}


def canonical_dump(db: sqlite_utils.Database) -> Iterator[str]:
    """A dump that depends only on content: schema, then every table's rows in key order.

    Two builds of the same inputs give the same lines whatever the page layout
    of the file; compare builds with this, never with the ``.db`` bytes. A database another releasekit version built
    is dumped too (its schema lines differ; of its rows, the columns this version's tables have), where it raised
    ``no such column`` (review BY L1).
    """
    for _name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
    ):
        yield f"{sql};"
    names = set(db.table_names())
    for table in TABLES:
        if table.name not in names:
            continue
        have = {column.name for column in db[table.name].columns}
        if not set(table.columns) <= have or not set(table.primary_key) <= have:
            table = replace(table, fields=tuple(f for f in table.fields if f.name in have),
                            primary_key=tuple(c for c in table.primary_key if c in have) or ("rowid",))
        for row in iter_rows(db, table):
            yield f"{table.name}\t" + "\t".join("\\N" if v is None else repr(v) for v in row)


def dump_sha256(db: sqlite_utils.Database) -> str:
    """SHA-256 of :func:`canonical_dump`."""
    digest = hashlib.sha256()
    for line in canonical_dump(db):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
