"""The ``changes`` table: every field that differs between consecutive snapshots.

Register 001 publishes the real count once a day, and in 2024 the numbers moved
daily (OCR misreads corrected, TPS filled in, figures edited after the recap).
This writes each difference as a row: ``changes?kode_tps=X`` in Datasette is the
history of TPS X, ``nomor_urut`` not null and ``was_complete = 1`` lists votes
edited after the TPS was marked complete. Snapshots are consecutive within one
register and election, so each package's changes stay within its own sources.
The comparison is :mod:`releasekit.compare`'s streaming merge over the
primary-key index, so it costs one ordered pass over each snapshot.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from . import forked
from .compare import Comparer, TpsChange, db_rows
from .database import insert_sql
from .tables import CHANGES

INSERT = insert_sql(CHANGES)
_COLUMNS = ", ".join(f"[{c}]" for c in CHANGES.columns)


class PairFiles(Protocol):
    """Where pairs' changes are kept between builds (:class:`releasekit.buildcache.PairCache`)."""

    def pair_file(self, register: str, kode_pemilu: str, previous: str, snapshot: str, previous_source: str,
                  source: str) -> Path | None:
        """The file of one pair's rows (it may not exist yet), or None when the pair is not kept."""


def change_rows(kode_pemilu: str, previous: str, snapshot: str, change: TpsChange
                ) -> list[tuple[object, ...]]:
    """The ``changes`` rows of one TPS (columns in :data:`~releasekit.tables.CHANGES` order)."""
    was = None if change.was_complete is None else int(change.was_complete)
    return [(kode_pemilu, snapshot, change.kode_tps, f.field, previous, f.nomor_urut, f.kind, f.before, f.after,
             f.delta, was, change.source) for f in change.fields]


def write_changes(conn: sqlite3.Connection, register: str, kode_pemilu: str, previous: str, snapshot: str, *,
                  schema: str = "main") -> int:
    """Compare ``previous`` with ``snapshot`` (the register's rows only) and insert the changes; return TPS changed.

    :param schema: the database the ``changes`` table written is in (``main``, or an attached one).
    """
    insert = INSERT if schema == "main" else insert_sql(CHANGES, schema=schema)
    label = f"register {register} {kode_pemilu}"
    changes = Comparer().compare(db_rows(conn, kode_pemilu, previous, register, label),
                                 db_rows(conn, kode_pemilu, snapshot, register, label))
    count = 0
    batch: list[tuple[object, ...]] = []
    for change in changes:
        if change is None:
            continue
        count += 1
        batch += change_rows(kode_pemilu, previous, snapshot, change)
        if len(batch) >= 10_000:
            conn.executemany(insert, batch)
            batch.clear()
    conn.executemany(insert, batch)
    return count


def record_changes(conn: sqlite3.Connection, cache: PairFiles | None = None) -> None:
    """Fill ``changes`` for every consecutive pair in ``snapshots``.

    The table's secondary indexes are dropped during the load and rebuilt after it, which
    is cheaper than updating them row by row when a day changes millions of fields.

    :param cache: keeps each pair's rows between builds when each of its two days comes from one source.
        A pair's rows are then always compared into the pair's file first and copied from it, whether
        the file was written now or by an earlier build: the same statements, so the same bytes.
    """
    pairs = conn.execute(
        "SELECT DISTINCT src.register, s.kode_pemilu, s.previous_snapshot, s.snapshot FROM snapshots s "
        "JOIN sources src ON src.path = s.source WHERE s.previous_snapshot IS NOT NULL ORDER BY 1, 2, 4"
    ).fetchall()
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL ORDER BY name", (CHANGES.name,)).fetchall() if pairs else []
    files = [_pair_file(conn, cache, *pair) if cache is not None else None for pair in pairs]
    # Whether pairs are compared here (into their files) or were kept, the database sees the same statements
    # in the same transactions from here on: so the same bytes. (And a forked child reads the database through
    # a connection of its own.)
    conn.commit()
    _compare_missing(conn, [(pair, path) for pair, path in zip(pairs, files, strict=True)
                            if path is not None and not path.is_file()])
    for name, _ in indexes:
        conn.execute(f"DROP INDEX [{name}]")
    for pair, path in zip(pairs, files, strict=True):
        if path is None:
            write_changes(conn, *pair)
            continue
        if not path.is_file():  # its share's child failed
            _compare_into(conn, path, *pair)
        _copy_from(conn, path)
    for _, sql in indexes:
        conn.execute(sql)


Pair = tuple[str, str, str, str]


def _compare_missing(conn: sqlite3.Connection, todo: list[tuple[Pair, Path]]) -> None:
    """Compare pairs into their files, half of them in a forked child where one can run beside this process.

    The caller has committed. Each pair's comparison reads only the loaded results and writes only its own
    file, so the pairs split cleanly (a clean build of a register with 10 days compares 9 pairs). A child that
    fails leaves its files missing; :func:`record_changes` compares those here.
    """
    if len(todo) < 2 or not forked.available():
        for pair, path in todo:
            _compare_into(conn, path, *pair)
        return
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    share = todo[1::2]
    child = forked.Forked(lambda: _compare_share(database, share))
    try:
        for pair, path in todo[::2]:
            _compare_into(conn, path, *pair)
    except BaseException:
        child.cancel()
        raise
    child.result()


def _compare_share(database: str, share: list[tuple[Pair, Path]]) -> bool:
    """In a child process: compare ``share`` on a new connection to the build's database."""
    conn = sqlite3.connect(database)
    try:
        for pair, path in share:
            _compare_into(conn, path, *pair)
    finally:
        conn.close()
    return True


def _pair_file(conn: sqlite3.Connection, cache: PairFiles, register: str, kode_pemilu: str, previous: str,
               snapshot: str) -> Path | None:
    """The cache file of a pair whose two days each come from one source, else None."""
    days = conn.execute("SELECT snapshot, count(*), min(source) FROM snapshots WHERE kode_pemilu = ? "
                        "AND snapshot IN (?, ?) GROUP BY snapshot", (kode_pemilu, previous, snapshot)).fetchall()
    sources = {day: source for day, n, source in days if n == 1}
    if len(sources) != 2:
        return None
    return cache.pair_file(register, kode_pemilu, previous, snapshot, sources[previous], sources[snapshot])


@contextmanager
def _attached(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """``path`` attached as schema ``pair`` for the block; whatever the block did not commit is rolled back.

    (SQLite attaches and detaches outside a transaction only: a failing statement leaves one open, and the
    detach would then raise "database pair is locked" in place of the failure.)
    """
    conn.commit()
    conn.execute("ATTACH DATABASE ? AS pair", (str(path),))
    try:
        yield
    finally:
        conn.rollback()
        conn.execute("DETACH DATABASE pair")


def _compare_into(conn: sqlite3.Connection, path: Path, register: str, kode_pemilu: str, previous: str,
                  snapshot: str) -> None:
    """Compare the pair into a new file of its own (moved into place when complete)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                             (CHANGES.name,)).fetchone()[0]
    side = sqlite3.connect(tmp)
    try:
        side.execute(table_sql)  # the table as the release has it (its references are only text here)
    finally:
        side.close()
    with _attached(conn, tmp):
        conn.execute("PRAGMA pair.journal_mode = OFF")
        conn.execute("PRAGMA pair.synchronous = OFF")
        write_changes(conn, register, kode_pemilu, previous, snapshot, schema="pair")
        conn.commit()
    os.replace(tmp, path)


def _copy_from(conn: sqlite3.Connection, path: Path) -> None:
    """Insert a pair's rows from its file, in the order they were compared."""
    with _attached(conn, path):
        conn.execute(f"INSERT OR IGNORE INTO main.[{CHANGES.name}] ({_COLUMNS}) "
                     f"SELECT {_COLUMNS} FROM pair.[{CHANGES.name}] ORDER BY rowid")
        conn.commit()
