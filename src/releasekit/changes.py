"""The ``changes`` table: every field that differs between consecutive snapshots.

Register 001 publishes the real count once a day, and in 2024 the numbers moved
daily (OCR misreads corrected, TPS filled in, figures edited after the recap).
This writes each difference as a row: ``changes?kode_tps=X`` in Datasette is the
history of TPS X, ``nomor_urut`` not null and ``was_complete = 1`` lists votes
edited after the TPS was marked complete. Snapshots are consecutive within one
register and election, so each package's changes stay within its own sources.
The comparison is SQL, one pass over each day's rows with a primary-key lookup
into the other day; it finds what :class:`releasekit.compare.Comparer` (the
comparison ``releasekit diff`` runs on packages) finds, row for row, when the two
days hold TPS in the same provinces.

Days may hold different provinces (a scrape of DKI, then of Aceh, then of DKI
again). A day is then compared province by province (:func:`plans`): each
province it holds with the last day before it that held that province (the
row's ``previous_snapshot``), or with the day before when none did (its TPS are
``added``); a province it holds no TPS in is not covered, and gives no row (its
TPS are not ``removed``). So the second DKI day's edits since the first are
changes, not TPS ``added`` after an Aceh day.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import sqlite_utils

from . import forked
from .compare import COUNT_COLUMNS, TPS_FIELD, VOTES_PREFIX, text_sql
from .database import connect
from .tables import CHANGES, HASIL_TPS_VALUES, REGISTER_SOURCES

_COLUMNS = ", ".join(f"[{c}]" for c in CHANGES.columns)


class PairFiles(Protocol):
    """Where pairs' changes are kept between builds (:class:`releasekit.buildcache.PairCache`)."""

    def pair_file(self, register: str, kode_pemilu: str, previous: str, snapshot: str, previous_source: str,
                  source: str, consulted: tuple[tuple[str, str], ...] = ()) -> Path | None:
        """The file of one pair's rows (it may not exist yet), or None when the pair is not kept; ``consulted``:
        (province, source) of each province compared with an earlier day, that day's source."""


#: How a day is compared when it holds TPS in other provinces than the day before: (province, the day its TPS are
#: compared with) for each province it holds, in code order. None: the whole day with the day before.
Plan = tuple[tuple[str, str], ...] | None

#: Past every text that starts with a given one (SQLite compares text byte by byte; U+10FFFF is the largest
#: character UTF-8 writes).
_PAST = "\U0010ffff"


def write_changes(conn: sqlite3.Connection, register: str, kode_pemilu: str, previous: str, snapshot: str, *,
                  schema: str = "main", plan: Plan = None) -> None:
    """Compare ``previous`` with ``snapshot`` (the register's rows only) and insert the changes.

    :param schema: the database the ``changes`` table written is in (``main``, or an attached one).
    :param plan: compare province by province (:func:`plans`), else the whole day.
    """
    params = {"register": register, "kode_pemilu": kode_pemilu, "previous": previous, "snapshot": snapshot}
    if plan is None:
        for statement in _STATEMENTS:
            conn.execute(statement.format(schema=schema), params)
        return
    for province, compared in plan:
        ranged = {**params, "previous": compared, "province": province, "past": province + _PAST}
        for statement in _PROVINCE_STATEMENTS:
            conn.execute(statement.format(schema=schema), ranged)


def provinces(conn: sqlite3.Connection, register: str, kode_pemilu: str, snapshot: str) -> tuple[str, ...]:
    """The provinces (a TPS code's first two characters) the register's rows of one day hold TPS in, in code
    order: one lookup in the key a province, skipping the rest of it."""
    found: list[str] = []
    after, strictly = "", False
    while True:
        row = conn.execute(
            f"SELECT kode_tps FROM hasil_tps WHERE kode_pemilu = :kode_pemilu AND snapshot = :snapshot "
            f"AND kode_tps {'>' if strictly else '>='} :after AND sumber IN {REGISTER_SOURCES} "
            "ORDER BY kode_tps LIMIT 1",
            {"kode_pemilu": kode_pemilu, "snapshot": snapshot, "after": after, "register": register}).fetchone()
        if row is None:
            return tuple(found)
        code = str(row[0])
        found.append(code[:2])
        # (a code shorter than a province's is its own: the next one may start with it)
        after, strictly = (code[:2] + _PAST, False) if len(code) >= 2 else (code, True)


def plans(conn: sqlite3.Connection, pairs: list[Pair]) -> list[tuple[Plan, tuple[tuple[str, str], ...]]]:
    """How each pair is compared (:data:`Plan`), and (province, day) for each province compared with a day other
    than the pair's two.

    A pair whose two days hold TPS in the same provinces compares the whole days (and reads no other). Else
    each province the later day holds is compared with the last day before it (in the register and election)
    that held TPS there, or with the day before when none did. The rows depend on the two days and on those
    earlier days alone (the plan, which they and the two days' provinces give, says which).
    """
    days: dict[tuple[str, str], list[str]] = {}
    for register, kode_pemilu, snapshot in conn.execute(
            "SELECT DISTINCT src.register, s.kode_pemilu, s.snapshot FROM snapshots s "
            "JOIN sources src ON src.path = s.source ORDER BY 1, 2, 3"):
        days.setdefault((register, kode_pemilu), []).append(snapshot)
    held: dict[tuple[str, str, str], tuple[str, ...]] = {}
    last: dict[tuple[str, str, str, str], str] = {}  # (register, election, province, day) → last day before holding it
    for (register, kode_pemilu), snapshots in days.items():
        seen: dict[str, str] = {}
        for snapshot in snapshots:
            held[register, kode_pemilu, snapshot] = provinces(conn, register, kode_pemilu, snapshot)
            for province in held[register, kode_pemilu, snapshot]:
                if province in seen:
                    last[register, kode_pemilu, province, snapshot] = seen[province]
            seen.update(dict.fromkeys(held[register, kode_pemilu, snapshot], snapshot))
    result: list[tuple[Plan, tuple[tuple[str, str], ...]]] = []
    for register, kode_pemilu, previous, snapshot in pairs:
        now, before = held[register, kode_pemilu, snapshot], held[register, kode_pemilu, previous]
        if now == before:
            result.append((None, ()))
            continue
        plan = tuple((p, last.get((register, kode_pemilu, p, snapshot), previous)) for p in now)
        result.append((plan, tuple((p, day) for p, day in plan if day != previous)))
    return result


def record_changes(conn: sqlite3.Connection, cache: PairFiles | None = None) -> None:
    """Fill ``changes`` for every consecutive pair in ``snapshots``.

    The table's secondary indexes are dropped during the load and rebuilt after it, which
    is cheaper than updating them row by row when a day changes millions of fields.

    :param cache: keeps each pair's rows between builds when each of its two days comes from one source.
        A pair's rows are then always compared into the pair's file first and copied from it, whether
        the file was written now or by an earlier build: the same statements, so the same bytes.
    """
    pairs: list[Pair] = conn.execute(
        "SELECT DISTINCT src.register, s.kode_pemilu, s.previous_snapshot, s.snapshot FROM snapshots s "
        "JOIN sources src ON src.path = s.source WHERE s.previous_snapshot IS NOT NULL ORDER BY 1, 2, 4"
    ).fetchall()
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL ORDER BY name", (CHANGES.name,)).fetchall() if pairs else []
    planned = plans(conn, pairs) if pairs else []
    files = [_pair_file(conn, cache, pair, consulted) if cache is not None else None
             for pair, (_, consulted) in zip(pairs, planned, strict=True)]
    # Whether pairs are compared here (into their files) or were kept, the database sees the same statements
    # in the same transactions from here on: so the same bytes. (And a forked child reads the database through
    # a connection of its own.)
    conn.commit()
    _compare_missing(conn, [(pair, plan, path) for pair, (plan, _), path in zip(pairs, planned, files, strict=True)
                            if path is not None and not path.is_file()])
    for name, _ in indexes:
        conn.execute(f"DROP INDEX [{name}]")
    for pair, (plan, _), path in zip(pairs, planned, files, strict=True):
        if path is None:
            write_changes(conn, *pair, plan=plan)
            continue
        if not path.is_file():  # its share's child failed
            _compare_into(conn, path, pair, plan)
        _copy_from(conn, path)
    for _, sql in indexes:
        conn.execute(sql)


#: (register, kode_pemilu, previous snapshot, snapshot)
Pair = tuple[str, str, str, str]


def _compare_missing(conn: sqlite3.Connection, todo: list[tuple[Pair, Plan, Path]]) -> None:
    """Compare pairs into their files, half of them in a forked child where one can run beside this process.

    The caller has committed. Each pair's comparison reads only the loaded results and writes only its own
    file, so the pairs split cleanly (a clean build of a register with 10 days compares 9 pairs). A child that
    fails leaves its files missing; :func:`record_changes` compares those here.
    """
    if len(todo) < 2 or not forked.available():
        for pair, plan, path in todo:
            _compare_into(conn, path, pair, plan)
        return
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    share = todo[1::2]
    child = forked.Forked(lambda: _compare_share(database, share))
    try:
        for pair, plan, path in todo[::2]:
            _compare_into(conn, path, pair, plan)
    except BaseException:
        child.cancel()
        raise
    child.result()


def _compare_share(database: str, share: list[tuple[Pair, Plan, Path]]) -> bool:
    """In a child process: compare ``share`` on a new connection to the build's database."""
    conn = connect(database)
    try:
        for pair, plan, path in share:
            _compare_into(conn, path, pair, plan)
    finally:
        conn.close()
    return True


def _pair_file(conn: sqlite3.Connection, cache: PairFiles, pair: Pair,
               consulted: tuple[tuple[str, str], ...]) -> Path | None:
    """The cache file of a pair whose two days, and the days ``consulted`` (province, day), each come from one
    source, else None."""
    register, kode_pemilu, previous, snapshot = pair
    wanted = tuple(dict.fromkeys((previous, snapshot, *(day for _, day in consulted))))
    days = conn.execute(f"SELECT snapshot, count(*), min(source) FROM snapshots WHERE kode_pemilu = ? "
                        f"AND snapshot IN ({', '.join('?' * len(wanted))}) GROUP BY snapshot",
                        (kode_pemilu, *wanted)).fetchall()
    sources = {day: source for day, n, source in days if n == 1}
    if len(sources) != len(wanted):
        return None
    return cache.pair_file(register, kode_pemilu, previous, snapshot, sources[previous], sources[snapshot],
                           tuple((province, sources[day]) for province, day in consulted))


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


def _compare_into(conn: sqlite3.Connection, path: Path, pair: Pair, plan: Plan) -> None:
    """Compare the pair into a new file of its own (moved into place when complete)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    side = sqlite_utils.Database(connect(tmp))
    try:  # the release's columns and types; no key to keep up (the release's table has it)
        side[CHANGES.name].create({f.name: f.sqlite_type for f in CHANGES.fields})  # type: ignore[union-attr]
    finally:
        side.close()
    with _attached(conn, tmp):
        conn.execute("PRAGMA pair.journal_mode = OFF")
        conn.execute("PRAGMA pair.synchronous = OFF")
        write_changes(conn, *pair, schema="pair", plan=plan)
        conn.commit()
    os.replace(tmp, path)


def _copy_from(conn: sqlite3.Connection, path: Path) -> None:
    """Insert a pair's rows from its file, in the order they were compared."""
    with _attached(conn, path):
        conn.execute(f"insert or ignore into main.[{CHANGES.name}] ({_COLUMNS}) "
                     f"SELECT {_COLUMNS} FROM pair.[{CHANGES.name}] ORDER BY rowid")
        conn.commit()


# --------------------------------------------------------------------------- the comparison, in SQL
#
# The same comparison as compare.Comparer (which `releasekit diff` runs on packages and CSV streams, and the
# tests hold this one to), done by SQLite: a national pair of days changes millions of fields, and making a
# Python tuple of each took 36.6 s on the benchmark's national pair where this takes 12 s. Values are compared
# as the CSV text compare.db_hasil/db_suara give Comparer ('' for NULL); a TPS's rows are those the register's
# sources hold that day, its votes the suara rows of a TPS that has one. Four statements, each in an explicit
# order: the fields of every TPS of the previous day (with the kode_tps marker first where it disappears),
# those of TPS that appear, then the votes likewise.

def _row(alias: str) -> str:
    """Every compared value of a hasil_tps row, as text: a row value to compare whole."""
    return ", ".join(text_sql(c, alias) for c in HASIL_TPS_VALUES)


def _pick(side: str) -> str:
    """The value of field ``f.i`` on one side (``a`` before, ``b`` after) of a TPS's row ``j``."""
    return "CASE f.i " + " ".join(f"WHEN {i} THEN j.{side}{i}" for i in range(len(HASIL_TPS_VALUES))) + " END"


#: status_suara of the previous day as compare._flag reads it: NULL when empty, 1 for '1', else 0.
_WAS = "CASE WHEN a.status_suara IS NULL THEN NULL WHEN CAST(a.status_suara AS TEXT) = '1' THEN 1 ELSE 0 END"
_WHOLE = "CAST(CAST({v} AS INTEGER) AS TEXT) = {v}"  # the text of an integer (int() in FieldChange.delta)
_DELTA = (f"CASE WHEN {{numeric}} AND x <> '' AND y <> '' AND {_WHOLE.format(v='x')} AND {_WHOLE.format(v='y')} "
          "THEN CAST(y AS INTEGER) - CAST(x AS INTEGER) END")
_KIND = "CASE WHEN kind <> 'changed' THEN kind WHEN x = '' THEN 'filled' WHEN y = '' THEN 'cleared' ELSE 'changed' END"
_FIELDS = ", ".join(f"({i}, '{c}', {int(c in COUNT_COLUMNS)})" for i, c in enumerate(HASIL_TPS_VALUES))
_INSERT = f"insert or ignore into {{schema}}.[{CHANGES.name}] ({_COLUMNS})"


def _in_province(alias: str, ranged: bool) -> str:
    """``ranged``: the condition that ``alias``'s TPS is in the province ``:province`` (a range of the key, so
    found through it; ``:past`` is past its codes), else none."""
    if not ranged:
        return ""
    return (f"AND {alias}.kode_tps >= :province AND {alias}.kode_tps < :past "
            f"AND substr({alias}.kode_tps, 1, 2) = :province")


def _hasil_changes(kept: bool, ranged: bool = False) -> str:
    """The hasil_tps fields of TPS on the previous day (``kept``), or of TPS only on the new day; ``ranged``: of one
    province's TPS."""
    if kept:
        values = ", ".join(f"{text_sql(c, 'a')} AS a{i}, {text_sql(c, 'b')} AS b{i}"
                           for i, c in enumerate(HASIL_TPS_VALUES))
        pairs = f"""SELECT a.kode_tps, CASE WHEN b.kode_tps IS NULL THEN 'removed' ELSE 'changed' END AS kind,
                {_WAS} AS was, coalesce(b.sumber, a.sumber) AS source, {values}
            FROM hasil_tps a LEFT JOIN hasil_tps b ON b.kode_pemilu = a.kode_pemilu AND b.snapshot = :snapshot
              AND b.kode_tps = a.kode_tps AND b.sumber IN {REGISTER_SOURCES}
            WHERE a.kode_pemilu = :kode_pemilu AND a.snapshot = :previous {_in_province('a', ranged)}
              AND a.sumber IN {REGISTER_SOURCES}
              AND (b.kode_tps IS NULL OR ({_row('a')}) <> ({_row('b')}))"""  # a TPS the same on both days: no row
    else:
        values = ", ".join(f"'' AS a{i}, {text_sql(c, 'b')} AS b{i}" for i, c in enumerate(HASIL_TPS_VALUES))
        pairs = f"""SELECT b.kode_tps, 'added' AS kind, NULL AS was, b.sumber AS source, {values}
            FROM hasil_tps b WHERE b.kode_pemilu = :kode_pemilu AND b.snapshot = :snapshot {_in_province('b', ranged)}
              AND b.sumber IN {REGISTER_SOURCES}
              AND NOT EXISTS (SELECT 1 FROM hasil_tps a WHERE a.kode_pemilu = :kode_pemilu
                AND a.snapshot = :previous AND a.kode_tps = b.kode_tps AND a.sumber IN {REGISTER_SOURCES})"""
    marker_before = "CASE WHEN j.kind = 'added' THEN '' ELSE j.kode_tps END"
    marker_after = "CASE WHEN j.kind = 'removed' THEN '' ELSE j.kode_tps END"
    return f"""{_INSERT}
        WITH j AS ({pairs}),
        f(i, name, numeric) AS (VALUES (-1, '{TPS_FIELD}', 0), {_FIELDS}),
        v AS (SELECT j.kode_tps, f.i, f.name, f.numeric, j.kind, j.was, j.source,
                CASE WHEN f.i < 0 THEN {marker_before} ELSE {_pick('a')} END AS x,
                CASE WHEN f.i < 0 THEN {marker_after} ELSE {_pick('b')} END AS y
              FROM j CROSS JOIN f WHERE f.i >= 0 OR j.kind <> 'changed')
        SELECT :kode_pemilu, :snapshot, kode_tps, name, :previous, NULL, {_KIND}, nullif(x, ''), nullif(y, ''),
               {_DELTA.format(numeric='numeric')}, was, source
        FROM v WHERE x <> y OR i < 0
        ORDER BY kode_tps, i"""


def _vote_changes(kept: bool, ranged: bool = False) -> str:
    """The votes of TPS with a suara row on the previous day (``kept``), or with one only on the new day; ``ranged``:
    of one province's TPS."""
    if kept:
        votes = f"""SELECT sa.kode_tps, sa.nomor_urut, {text_sql('suara', 'sa')} AS x, {text_sql('suara', 'sb')} AS y
            FROM suara sa LEFT JOIN suara sb ON sb.kode_pemilu = sa.kode_pemilu AND sb.snapshot = :snapshot
              AND sb.kode_tps = sa.kode_tps AND sb.nomor_urut = sa.nomor_urut
            WHERE sa.kode_pemilu = :kode_pemilu AND sa.snapshot = :previous {_in_province('sa', ranged)}"""
    else:
        votes = f"""SELECT sb.kode_tps, sb.nomor_urut, '' AS x, {text_sql('suara', 'sb')} AS y FROM suara sb
            WHERE sb.kode_pemilu = :kode_pemilu AND sb.snapshot = :snapshot {_in_province('sb', ranged)}
              AND NOT EXISTS (SELECT 1 FROM suara sa WHERE sa.kode_pemilu = :kode_pemilu AND sa.snapshot = :previous
                AND sa.kode_tps = sb.kode_tps AND sa.nomor_urut = sb.nomor_urut)"""
    return f"""{_INSERT}
        WITH w AS ({votes}),
        v AS (SELECT w.kode_tps, w.nomor_urut, {_WAS} AS was, coalesce(b.sumber, a.sumber) AS source,
                CASE WHEN a.kode_tps IS NULL THEN 'added' WHEN b.kode_tps IS NULL THEN 'removed'
                     ELSE 'changed' END AS kind,
                CASE WHEN a.kode_tps IS NULL THEN '' ELSE w.x END AS x,
                CASE WHEN b.kode_tps IS NULL THEN '' ELSE w.y END AS y
              FROM w LEFT JOIN hasil_tps a ON a.kode_pemilu = :kode_pemilu AND a.snapshot = :previous
                AND a.kode_tps = w.kode_tps AND a.sumber IN {REGISTER_SOURCES}
              LEFT JOIN hasil_tps b ON b.kode_pemilu = :kode_pemilu AND b.snapshot = :snapshot
                AND b.kode_tps = w.kode_tps AND b.sumber IN {REGISTER_SOURCES})
        SELECT :kode_pemilu, :snapshot, kode_tps, '{VOTES_PREFIX}' || nomor_urut, :previous, nomor_urut, {_KIND},
               nullif(x, ''), nullif(y, ''), {_DELTA.format(numeric='1')}, was, source
        FROM v WHERE x <> y
        ORDER BY kode_tps, nomor_urut"""


#: Every change of a pair, in the order written.
_STATEMENTS = (_hasil_changes(kept=True), _hasil_changes(kept=False), _vote_changes(kept=True),
               _vote_changes(kept=False))
#: The same, of one province's TPS.
_PROVINCE_STATEMENTS = (_hasil_changes(kept=True, ranged=True), _hasil_changes(kept=False, ranged=True),
                        _vote_changes(kept=True, ranged=True), _vote_changes(kept=False, ranged=True))
