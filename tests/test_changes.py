"""The build's ``changes`` table, compared in SQL, holds what :class:`releasekit.compare.Comparer` finds.

``releasekit diff`` compares packages and CSV streams with the Python :class:`~releasekit.compare.Comparer`;
a build compares its days in SQLite (:func:`releasekit.changes.write_changes`). These tests hold the two to
the same rows: on random pairs of days with every awkward value (NULL and empty text, flags other than 0/1,
text and fractions in count columns, votes without a result row, TPS that appear and disappear, two
registers sharing days), and on the real DKI Jakarta captures (in ``test_diff.py``).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest

from releasekit.changes import write_changes
from releasekit.compare import Comparer, db_rows
from releasekit.database import create_schema, open_database
from releasekit.tables import CHANGES, HASIL_TPS_VALUES
from twodays import DAY1, DAY2

K = "ppwp-2024"
#: The random pairs of days compared.
SEEDS = range(40)
REGISTERS = {"001": ("raw/a1", "raw/a2"), "002": ("raw/b1",)}


def comparer_rows(conn: sqlite3.Connection, register: str, previous: str, snapshot: str
                  ) -> Iterator[tuple[object, ...]]:
    """The ``changes`` rows of a pair as Comparer finds them (the columns of :data:`CHANGES`)."""
    for change in Comparer().compare(db_rows(conn, K, previous, register), db_rows(conn, K, snapshot, register)):
        if change is None:
            continue
        was = None if change.was_complete is None else int(change.was_complete)
        for f in change.fields:
            yield (K, snapshot, change.kode_tps, f.field, previous, f.nomor_urut, f.kind, f.before, f.after, f.delta,
                   was, change.source)


def value(rng: random.Random, column: str) -> object:
    """A cell as a loader or a damaged database might hold it: mostly small numbers, so days often agree."""
    roll = rng.random()
    if roll < 0.2:
        return None
    if column == "ts":
        return rng.choice(("2024-02-15 10:00:00", "2024-02-16 09:00:00", ""))
    if column == "psu":
        return rng.choice(("", "ulang", "susulan"))
    if column in ("status_suara", "status_adm"):
        return rng.choice((0, 1, 1, 2))
    if roll < 0.25:
        return rng.choice(("abc", 2.5, -3, " 4"))  # what affinity leaves in an INTEGER column, or negative
    return rng.randint(0, 2)


def random_days(seed: int) -> sqlite3.Connection:
    """Two days of results in a fresh database: TPS present on either day or both, under either register."""
    rng = random.Random(seed)
    db = open_database(":memory:")
    create_schema(db, indexes=False)
    conn = db.conn
    for register, paths in REGISTERS.items():
        for path in paths:
            conn.execute("INSERT INTO sources (register, path, sha256, bytes, format, records_in, records_loaded, "
                         "records_quarantined) VALUES (?, ?, '', 0, 'x', 0, 0, 0)", (register, path))
    paths = [p for ps in REGISTERS.values() for p in ps]
    for n in range(40):
        tps = f"3101011001{n:03d}"
        for day in (DAY1, DAY2):
            if rng.random() < 0.85:  # a result row this day
                conn.execute(f"INSERT INTO hasil_tps (kode_pemilu, snapshot, kode_tps, sumber, "
                             f"{', '.join(HASIL_TPS_VALUES)}) VALUES (?, ?, ?, ?{', ?' * len(HASIL_TPS_VALUES)})",
                             (K, day, tps, rng.choice(paths), *(value(rng, c) for c in HASIL_TPS_VALUES)))
            for nomor in (1, 2, 3, 10):  # votes, sometimes without a result row, 10 sorting after 2
                if rng.random() < 0.8:
                    conn.execute("INSERT INTO suara (kode_pemilu, snapshot, kode_tps, nomor_urut, suara) "
                                 "VALUES (?, ?, ?, ?, ?)", (K, day, tps, nomor, value(rng, "suara")))
    conn.commit()
    return conn


def key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(repr(v) for v in row)


@pytest.mark.parametrize("seed", SEEDS)
def test_sql_changes_are_the_comparers(seed: int) -> None:
    with closing(random_days(seed)) as conn:
        found = 0
        for register in REGISTERS:
            for previous, snapshot in ((DAY1, DAY2), (DAY2, DAY1)):
                conn.execute("DELETE FROM changes")
                write_changes(conn, register, K, previous, snapshot)
                got = conn.execute(f"SELECT {', '.join(CHANGES.columns)} FROM changes ORDER BY rowid").fetchall()
                want = list(comparer_rows(conn, register, previous, snapshot))
                assert sorted(map(key, got)) == sorted(map(key, want))  # (repr: 1, 1.0 and True differ)
                found += len(got)
        assert found  # random days always differ somewhere


def test_every_kind_and_value_shape_is_covered() -> None:
    """The random days above reach every kind of change and every shape of delta (else they prove little)."""
    kinds: set[object] = set()
    deltas: set[str] = set()
    for seed in SEEDS:
        with closing(random_days(seed)) as conn:
            for register in REGISTERS:
                rows = list(comparer_rows(conn, register, DAY1, DAY2))
                kinds |= {r[6] for r in rows}
                deltas |= {"none" if r[9] is None else "negative" if r[9] < 0 else "positive"  # type: ignore[operator]
                           for r in rows}
                fields = {r[3] for r in rows}
                assert "suara/10" in fields
    assert kinds == {"added", "removed", "filled", "cleared", "changed"}
    assert deltas == {"none", "negative", "positive"}
