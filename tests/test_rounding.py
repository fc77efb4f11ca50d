"""Shares are rounded alike by every SQLite: the same sources build the same bytes on any machine.

``round(100.0 * part / whole, 2)`` rounds the nearest double, and SQLite versions round it apart: 201 of 20,000 is
1.005, ``round(1.005, 2)`` is 1.01 in SQLite 3.40 and 1.0 in 3.51 (each rounds half away from zero, 3.40 on a 16-digit
decimal of the double, 3.51 on the double's exact value, 1.00499999999999989…). The tests give the database the
newer ``round()`` (an application-defined function overrides the built-in one) and expect the exact answer still.
"""

from __future__ import annotations

import sqlite3
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sqlite_utils

from releasekit.database import create_schema, percent
from releasekit.queries import CANNED_QUERIES, SNAPSHOT_QUERIES
from releasekit.summaries import summarize


def exact(part: int, whole: int) -> float:
    """The share in hundredths, rounded half away from zero on the fraction itself."""
    share = Fraction(100 * abs(part), whole)
    hundredths = int(share * 100 + Fraction(1, 2))
    return (-1 if part < 0 else 1) * hundredths / 100


def newer_round(value: float | None, digits: int) -> float | None:
    """SQLite 3.51's ``round()``: half away from zero on the double's exact binary value."""
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def with_newer_round(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.create_function("round", 2, newer_round, deterministic=True)
    assert conn.execute("SELECT round(1.005, 2)").fetchone()[0] == 1.0  # (the override is the one called)
    return conn


@pytest.mark.parametrize(("part", "whole"), [(201, 20000), (1, 32), (2675, 100000), (1, 3), (2, 3), (0, 7), (7, 7),
                                             (-201, 20000), (-1, 8), (123456789, 987654321)])
def test_percent_is_the_exact_share_rounded_half_away_from_zero(part: int, whole: int) -> None:
    conn = with_newer_round(sqlite3.connect(":memory:"))
    assert conn.execute(f"SELECT {percent(str(part), str(whole))}").fetchone()[0] == exact(part, whole)


def test_percent_of_nothing_is_null() -> None:
    conn = sqlite3.connect(":memory:")
    assert conn.execute(f"SELECT {percent('1', '0')}, {percent('NULL', '3')}, {percent('1', 'NULL')}").fetchone() \
        == (None, None, None)


def test_every_small_share_matches_the_exact_fraction() -> None:
    conn = sqlite3.connect(":memory:")
    pairs = [(part, whole) for whole in range(1, 120) for part in range(-whole, whole + 1)]
    for start in range(0, len(pairs), 400):  # (a compound SELECT of at most 500 terms)
        chunk = pairs[start:start + 400]
        got = conn.execute(" UNION ALL ".join(f"SELECT {percent(str(p), str(w))}" for p, w in chunk)).fetchall()
        assert [g for (g,) in got] == [exact(p, w) for p, w in chunk]


def test_shares_in_the_summaries_and_canned_queries_do_not_depend_on_sqlites_round(tmp_path: Path) -> None:
    """A TPS of 20,000 registered voters of whom 201 voted, and 201 of its 20,000 votes for candidate 1: turnout and
    the candidate's share are 1.005 %, published as 1.01 by any SQLite (1.0 where ``round()`` rounds the double); the
    other candidate's 98.995 % is 99.0."""
    db = sqlite_utils.Database(with_newer_round(sqlite3.connect(tmp_path / "r.db")))
    create_schema(db)
    day = {"kode_pemilu": "ppwp-2024", "snapshot": "2024-02-15", "kode_tps": "1101012001001"}
    db["hasil_tps"].insert({**day, "pemilih_dpt_j": 20000, "pengguna_total_j": 201})
    db["suara"].insert_all([{**day, "nomor_urut": 1, "suara": 201}, {**day, "nomor_urut": 2, "suara": 19799}])
    summarize(db)
    assert {row[0] for row in db.execute("SELECT partisipasi FROM rekap_wilayah")} == {exact(201, 20000)} == {1.01}
    totals = db.execute(CANNED_QUERIES["totals_national"]["sql"]).fetchall()
    assert [(row[4], row[6], row[7]) for row in totals] == [(1, 201, 1.01), (2, 19799, 99.0)], totals


def test_no_canned_query_rounds_with_sqlites_round() -> None:
    for name, query in {**CANNED_QUERIES, **SNAPSHOT_QUERIES}.items():
        assert "round(" not in query["sql"].lower(), name
