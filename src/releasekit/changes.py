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

import sqlite3

from .compare import Comparer, TpsChange, db_rows
from .database import insert_sql
from .tables import CHANGES

INSERT = insert_sql(CHANGES)


def change_rows(kode_pemilu: str, previous: str, snapshot: str, change: TpsChange
                ) -> list[tuple[object, ...]]:
    """The ``changes`` rows of one TPS (columns in :data:`~releasekit.tables.CHANGES` order)."""
    was = None if change.was_complete is None else int(change.was_complete)
    return [(kode_pemilu, snapshot, change.kode_tps, f.field, previous, f.nomor_urut, f.kind, f.before, f.after,
             f.delta, was, change.source) for f in change.fields]


def write_changes(conn: sqlite3.Connection, register: str, kode_pemilu: str, previous: str, snapshot: str) -> int:
    """Compare ``previous`` with ``snapshot`` (the register's rows only) and insert the changes; return TPS changed."""
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
            conn.executemany(INSERT, batch)
            batch.clear()
    conn.executemany(INSERT, batch)
    return count


def record_changes(conn: sqlite3.Connection) -> int:
    """Fill ``changes`` for every consecutive pair in ``snapshots``; return the TPS changed over all pairs.

    The table's secondary indexes are dropped during the load and rebuilt after it, which
    is cheaper than updating them row by row when a day changes millions of fields.
    """
    pairs = conn.execute(
        "SELECT DISTINCT src.register, s.kode_pemilu, s.previous_snapshot, s.snapshot FROM snapshots s "
        "JOIN sources src ON src.path = s.source WHERE s.previous_snapshot IS NOT NULL ORDER BY 1, 2, 4"
    ).fetchall()
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL ORDER BY name", (CHANGES.name,)).fetchall() if pairs else []
    for name, _ in indexes:
        conn.execute(f"DROP INDEX [{name}]")
    count = sum(write_changes(conn, *pair) for pair in pairs)
    for _, sql in indexes:
        conn.execute(sql)
    return count
