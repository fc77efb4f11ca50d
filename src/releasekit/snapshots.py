"""Snapshots as first-class data: what each daily export holds, and how it changed.

Register 001 asks for the real count "as a CSV every day"; a register lists one
source per capture, each with its ``snapshot`` day, and all of them load side by
side into ``hasil_tps``/``suara``. At build time this module records each one in
``snapshots`` (TPS present, with votes, complete; summed figures) and
``snapshot_votes`` (totals per candidate), links each to the snapshot before it
in the same register and election, and has :mod:`releasekit.changes` write every
field that changed in between. :func:`changelog` gives the package README its
per-snapshot story; :data:`releasekit.queries.SNAPSHOT_QUERIES` answers "the results
as of day X" in Datasette.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlite_utils

from .changes import PairFiles, provinces, record_changes
from .compare import COPY, codes_named
from .tables import register_sources

#: The TPS with at least one candidate vote: per source (a lookup a row), or per day when each day has one source.
_WITH_VOTES = """sum(EXISTS (SELECT 1 FROM suara s WHERE s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot
                                AND s.kode_tps = h.kode_tps AND s.suara IS NOT NULL))"""
_WITH_VOTES_ONE_SOURCE = "coalesce(max(v.tps), 0)"
_SNAPSHOTS = """
    insert into snapshots (kode_pemilu, snapshot, source, sha256, tps, tps_with_votes, tps_complete,
                           suara_sah, suara_total)
    SELECT h.kode_pemilu, h.snapshot, h.sumber, src.sha256, count(*), {with_votes},
           sum(h.status_suara = 1), sum(h.suara_sah), sum(h.suara_total)
    FROM hasil_tps h JOIN sources src ON src.path = h.sumber {join}
    GROUP BY h.kode_pemilu, h.snapshot, h.sumber
    ORDER BY h.kode_pemilu, h.snapshot, h.sumber
"""
_VOTED_TPS = """
    LEFT JOIN (SELECT kode_pemilu, snapshot, count(DISTINCT kode_tps) AS tps FROM suara WHERE suara IS NOT NULL
               GROUP BY kode_pemilu, snapshot) v ON v.kode_pemilu = h.kode_pemilu AND v.snapshot = h.snapshot
"""

_VOTES = """
    insert into snapshot_votes (kode_pemilu, snapshot, source, nomor_urut, suara, tps)
    SELECT s.kode_pemilu, s.snapshot, h.sumber, s.nomor_urut, sum(s.suara), count(s.suara)
    FROM suara s JOIN hasil_tps h ON h.kode_pemilu = s.kode_pemilu AND h.snapshot = s.snapshot
      AND h.kode_tps = s.kode_tps
    GROUP BY s.kode_pemilu, s.snapshot, h.sumber, s.nomor_urut
    ORDER BY s.kode_pemilu, s.snapshot, h.sumber, s.nomor_urut
"""
#: Past this many candidates in one election, one CASE per candidate costs more than grouping by candidate.
_MAX_CASES = 16

#: Dated sources of per-TPS results that loaded no record and quarantined some for what they hold (not all as copies
#: of rows another source loaded, ``duplicate-key``: those TPS were read, the day is theirs): every record was
#: unreadable. Each is a snapshot of 0 TPS (:func:`_unread_sources`), listed rather than vanished.
#: ``sirekap-tps-json`` reads nothing else; a ``csv`` source maps into one table, known here only by what its
#: quarantined records name (a TPS code), so one into ``hasil_wilayah`` (area codes) or of another kind of table is
#: not taken for a day of TPS.
_UNREAD = f"""
    SELECT DISTINCT election, snapshot, path, sha256, format FROM sources
    WHERE election IS NOT NULL AND snapshot IS NOT NULL AND records_loaded = 0 AND records_quarantined > 0
      AND format IN ('sirekap-tps-json', 'csv')
      AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.source = sources.path)
      AND EXISTS (SELECT 1 FROM quarantine q WHERE q.source = sources.path AND q.reason NOT LIKE '{COPY}%')
    ORDER BY election, snapshot, path
"""

#: An earlier snapshot of the same election among the same register's sources (``{held}``: one holding TPS).
_EARLIER = """
        SELECT max(p.snapshot) FROM snapshots p JOIN sources ps ON ps.path = p.source
        WHERE ps.register = (SELECT register FROM sources WHERE path = snapshots.source)
          AND p.kode_pemilu = snapshots.kode_pemilu AND p.snapshot < snapshots.snapshot {held}"""
#: The previous snapshot: the last earlier one that holds TPS, else the one before. A day whose every record was
#: quarantined (:func:`_unread_sources`) holds none: it and the day after it are compared with the last day that
#: read TPS, as that day after was before such a day was listed (so the national total ``total-decreased`` sums,
#: and the changelog's change in votes, are still those since the last day read).
_PREVIOUS = f"""
    UPDATE snapshots SET previous_snapshot = coalesce(({_EARLIER.format(held="AND p.tps > 0")}),
                                                      ({_EARLIER.format(held="")}))
"""


def record(db: sqlite_utils.Database, cache: PairFiles | None = None) -> None:
    """Fill ``snapshots``, ``snapshot_votes`` and ``changes`` (a build step, before the rules run).

    :param cache: where pairs' changes are kept between builds (:func:`~releasekit.changes.record_changes`).
    """
    conn = db.conn
    with conn:
        fill(conn, one_source=_one_source_per_day(conn))
        conn.execute(_PREVIOUS)
        record_changes(conn, cache)


def fill(conn: sqlite3.Connection, *, one_source: bool) -> None:
    """Insert the ``snapshots`` and ``snapshot_votes`` rows; ``one_source``: by day (faster), not by source."""
    if one_source:
        conn.execute(_SNAPSHOTS.format(with_votes=_WITH_VOTES_ONE_SOURCE, join=_VOTED_TPS))
    else:
        conn.execute(_SNAPSHOTS.format(with_votes=_WITH_VOTES, join=""))
    votes = _votes_by_day(conn) if one_source else None
    if votes is None:
        conn.execute(_VOTES)
    else:
        conn.executemany("insert into snapshot_votes (kode_pemilu, snapshot, source, nomor_urut, suara, tps) "
                         "VALUES (?, ?, ?, ?, ?, ?)", votes)
    # (after the votes: _votes_by_day reads one source a day from the rows above)
    conn.executemany("insert into snapshots (kode_pemilu, snapshot, source, sha256, tps, tps_with_votes, "
                     "tps_complete) VALUES (?, ?, ?, ?, 0, 0, 0)", _unread_sources(conn))


def _unread_sources(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """(election, snapshot, path, sha256) of each dated source of per-TPS results whose every record was
    quarantined (:data:`_UNREAD`): a day a damaged export made unreadable is listed with 0 TPS, not dropped. It
    holds no TPS, so it covers no province (:func:`releasekit.changes.plans`): the TPS of the day it is compared with
    are not covered by it rather than removed, and it gives no change; it is no later day's previous snapshot while
    an earlier day holds TPS (:data:`_PREVIOUS`)."""
    found = []
    for election, snapshot, path, sha256, fmt in conn.execute(_UNREAD).fetchall():
        if fmt == "csv" and not codes_named(conn.execute("SELECT locator, raw, reason FROM quarantine WHERE source = ?",
                                                         (path,))):
            continue
        found.append((election, snapshot, path, sha256))
    return found


def _one_source_per_day(conn: sqlite3.Connection) -> bool:
    """Whether each election's day comes from one source (then a day's rows are that source's rows)."""
    return conn.execute("SELECT 1 FROM hasil_tps GROUP BY kode_pemilu, snapshot HAVING min(sumber) <> max(sumber) "
                        "LIMIT 1").fetchone() is None


def _votes_by_day(conn: sqlite3.Connection) -> list[tuple[object, ...]] | None:
    """``snapshot_votes`` rows, in :data:`_VOTES` order, by one ordered pass over ``suara`` per election.

    Only when every day has one source (:func:`_one_source_per_day`; the loader gives every ``suara`` row
    its ``hasil_tps`` row). ``GROUP BY`` candidate would sort the whole table; one ``CASE`` per candidate
    of ``peserta`` follows the primary key instead. None (use :data:`_VOTES`) when an election has too many
    candidates, or a vote for a number ``peserta`` does not list.
    """
    sources = {(k, d): src for k, d, src in conn.execute("SELECT kode_pemilu, snapshot, source FROM snapshots")}
    rows: list[tuple[object, ...]] = []
    for (kode_pemilu,) in conn.execute("SELECT DISTINCT kode_pemilu FROM snapshots ORDER BY 1").fetchall():
        numbers = [n for (n,) in conn.execute("SELECT nomor_urut FROM peserta WHERE kode_pemilu = ? "
                                              "ORDER BY nomor_urut", (kode_pemilu,))]
        if len(numbers) > _MAX_CASES:
            return None
        cases = "".join(f", sum(CASE WHEN nomor_urut = {n} THEN suara END), count(CASE WHEN nomor_urut = {n} "
                        f"THEN suara END), count(CASE WHEN nomor_urut = {n} THEN 1 END)" for n in numbers)
        for snapshot, total, *figures in conn.execute(
                f"SELECT snapshot, count(*){cases} FROM suara WHERE kode_pemilu = ? GROUP BY snapshot "
                "ORDER BY snapshot", (kode_pemilu,)):
            if sum(figures[2::3]) != total:
                return None
            source = sources[kode_pemilu, snapshot]
            rows += [(kode_pemilu, snapshot, source, n, votes, tps)
                     for n, votes, tps, present in zip(numbers, figures[::3], figures[1::3], figures[2::3],
                                                       strict=True) if present]
    return rows


# --------------------------------------------------------------------------- the package changelog

@dataclass
class Entry:
    """One snapshot of a register, and what changed since the previous one."""

    kode_pemilu: str
    snapshot: str
    previous: str | None
    sources: list[str]
    tps: int
    tps_with_votes: int
    #: None when no source of the day says whether a TPS is complete (a ``csv`` mapping without ``status_suara``)
    tps_complete: int | None
    #: TPS of the day's sources that do not say whether a TPS is complete, beside sources that do (review AN: a day
    #: of both counted its complete TPS as if every source said)
    tps_untold: int = 0
    #: :attr:`tps_complete` of the snapshot it is compared with (None: unknown, so are changes after complete)
    complete_before: int | None = None
    added: int = 0
    removed: int = 0
    changed: int = 0
    #: changed TPS where more than the update time ``ts`` differs
    changed_beyond_ts: int = 0
    votes_changed: int = 0
    completed: int = 0
    changed_after_complete: int = 0
    #: TPS added whose code a record of the previous snapshot names that its sources quarantined (in its locator, a
    #: per-TPS member's name, or its raw text): not new, but unreadable the day before
    added_after_quarantine: int = 0
    #: TPS removed whose code a record this snapshot's sources quarantined names: not gone, but unreadable this day
    #: (:func:`quarantined_codes`; ``total-decreased`` does not count their votes as lost)
    removed_in_quarantine: int = 0
    #: (nomor_urut, nama, votes, change since the previous snapshot or None)
    votes: list[tuple[int, str | None, int | None, int | None]] = field(default_factory=list)
    #: When this snapshot and the previous one have TPS results in different provinces (a sample of one province,
    #: then another): the province codes of each and of both, over which ``removed`` and the votes' changes count.
    coverage: Coverage | None = None
    #: TPS of the previous snapshot in a province this one has no result in: not covered, so not ``removed``
    removed_uncovered: int = 0
    #: (province, snapshot) for each province this snapshot holds that the previous one does not, compared with the
    #: last snapshot before that held TPS there (:func:`releasekit.changes.plans`)
    compared_earlier: tuple[tuple[str, str], ...] = ()
    #: Each candidate's part of its change at TPS one of the two snapshots could not read (:func:`_unreadable_votes`)
    unreadable_votes: dict[int, int] = field(default_factory=dict)
    #: Records this snapshot's sources quarantined (their ``sources`` rows): all they read when it holds no TPS
    records_quarantined: int = 0


@dataclass(frozen=True)
class Coverage:
    """The provinces (two-digit codes) two consecutive snapshots have TPS results in."""

    now: tuple[str, ...]
    before: tuple[str, ...]

    @property
    def both(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.now) & set(self.before)))


_REGISTER = f"source IN {register_sources('?')}"


def changelog(db: sqlite_utils.Database, register: str) -> list[Entry]:
    """Per snapshot of the register (by election, then day): its counts and the changes since the one before."""
    entries = []
    rows = db.execute(
        "SELECT kode_pemilu, snapshot, max(previous_snapshot), json_group_array(source), sum(tps), "
        "sum(tps_with_votes), sum(tps_complete), sum(CASE WHEN tps_complete IS NULL THEN tps ELSE 0 END) "
        f"FROM (SELECT * FROM snapshots WHERE {_REGISTER} "
        "ORDER BY source) GROUP BY kode_pemilu, snapshot ORDER BY kode_pemilu, snapshot", (register,)).fetchall()
    totals: dict[tuple[str, str], dict[int, int | None]] = {}
    by_day: dict[tuple[str, str], Entry] = {}
    names: dict[tuple[str, int], str | None] = {(k, n): nama for k, n, nama in db.execute(
        "SELECT kode_pemilu, nomor_urut, nama FROM peserta")}
    covered: dict[tuple[str, str], tuple[str, ...]] = {}
    last_held: dict[tuple[str, str], str] = {}  # (election, province) → the last snapshot so far with TPS there
    # (quarantined_codes of the register's sources of a day, each day's quarantine read once)
    named: Callable[[str, str], frozenset[str]] = functools.cache(
        lambda kode_pemilu, day: quarantined_codes(db, kode_pemilu, day, register))

    quarantined: dict[str, int] = dict(db.execute(
        "SELECT path, max(records_quarantined) FROM sources WHERE register = ? GROUP BY path", (register,)).fetchall())
    for kode_pemilu, snapshot, previous, sources, tps, with_votes, complete, untold in rows:
        entry = Entry(kode_pemilu, snapshot, previous, json.loads(sources), tps, with_votes or 0, complete)
        entry.tps_untold = untold if complete is not None else 0
        entry.records_quarantined = sum(quarantined.get(path, 0) for path in entry.sources)
        compared_with = by_day.get((kode_pemilu, previous or ""))
        entry.complete_before = compared_with.tps_complete if compared_with is not None else None
        key = (kode_pemilu, snapshot, register)
        covered[(kode_pemilu, snapshot)] = provinces(db.conn, register, kode_pemilu, snapshot)
        before_covered = covered.get((kode_pemilu, previous or ""), ())
        if previous and covered[(kode_pemilu, snapshot)] != before_covered:
            entry.coverage = Coverage(covered[(kode_pemilu, snapshot)], before_covered)
        (entry.added, entry.removed, entry.changed, entry.changed_beyond_ts,
         entry.votes_changed, entry.completed, entry.changed_after_complete) = db.execute(
            "SELECT count(DISTINCT CASE WHEN kind = 'added' THEN kode_tps END), "
            "count(DISTINCT CASE WHEN kind = 'removed' THEN kode_tps END), "
            "count(DISTINCT CASE WHEN kind NOT IN ('added', 'removed') THEN kode_tps END), "
            "count(DISTINCT CASE WHEN kind NOT IN ('added', 'removed') AND field <> 'ts' THEN kode_tps END), "
            "count(DISTINCT CASE WHEN kind NOT IN ('added', 'removed') AND nomor_urut IS NOT NULL THEN kode_tps END), "
            "count(CASE WHEN field = 'status_suara' AND before = '0' AND after = '1' THEN 1 END), "
            "count(DISTINCT CASE WHEN kind NOT IN ('added', 'removed') AND nomor_urut IS NOT NULL "
            "AND was_complete = 1 THEN kode_tps END) "
            f"FROM changes WHERE kode_pemilu = ? AND snapshot = ? AND {_REGISTER}", key).fetchone()
        if entry.coverage and previous:  # a province the day holds no TPS in is not covered: its TPS give no change
            entry.removed_uncovered = db.execute(
                "SELECT count(*) FROM hasil_tps WHERE kode_pemilu = ? AND snapshot = ? "
                "AND sumber IN (SELECT value FROM json_each(?)) "
                "AND substr(kode_tps, 1, 2) NOT IN (SELECT value FROM json_each(?))",
                (kode_pemilu, previous, json.dumps(by_day[(kode_pemilu, previous)].sources),
                 json.dumps(entry.coverage.now))).fetchone()[0]
            # (as changes.plans compares them: whether or not a province's TPS changed since)
            entry.compared_earlier = tuple((code, last_held[kode_pemilu, code]) for code in entry.coverage.now
                                           if code not in entry.coverage.before and (kode_pemilu, code) in last_held)
        if entry.added and previous:
            entry.added_after_quarantine = _added_after_quarantine(db, key, named)
        if entry.removed:  # (the few codes the day's quarantine names, each one lookup of the key)
            entry.removed_in_quarantine = sum(db.execute(
                f"SELECT count(*) FROM changes WHERE kode_pemilu = ? AND snapshot = ? AND kode_tps = ? "
                f"AND field = 'kode_tps' AND kind = 'removed' AND {_REGISTER}",
                (kode_pemilu, snapshot, code, register)).fetchone()[0]
                for code in sorted(named(kode_pemilu, snapshot)))
        if previous:
            entry.unreadable_votes = _unreadable_votes(db, key, entry, named)
        now: dict[int, int | None] = dict(db.execute(
            f"SELECT nomor_urut, sum(suara) FROM snapshot_votes WHERE kode_pemilu = ? AND snapshot = ? AND {_REGISTER} "
            "GROUP BY nomor_urut", key).fetchall())
        before = totals.get((kode_pemilu, previous or ""), {})
        compared_now: Mapping[int, int | None] = now
        compared_before: Mapping[int, int | None] = before
        if entry.coverage and previous:  # the change over the provinces both snapshots cover
            compared_now = _votes_in(db, kode_pemilu, snapshot, entry.sources, entry.coverage.both)
            compared_before = _votes_in(db, kode_pemilu, previous, by_day[(kode_pemilu, previous)].sources,
                                        entry.coverage.both)
        compared = previous is not None and (entry.coverage is None or bool(entry.coverage.both))
        for nomor in sorted(now.keys() | before.keys()):
            # No change beside a total with no figure (NULL: no TPS has one that day): 5 → none is no −5.
            given = compared and now.get(nomor) is not None and before.get(nomor) is not None
            delta = (compared_now.get(nomor) or 0) - (compared_before.get(nomor) or 0) if given else None
            entry.votes.append((nomor, names.get((kode_pemilu, nomor)), now.get(nomor), delta))
        totals[(kode_pemilu, snapshot)] = now
        by_day[(kode_pemilu, snapshot)] = entry
        last_held.update(((kode_pemilu, code), snapshot) for code in covered[(kode_pemilu, snapshot)])
        entries.append(entry)
    return entries


def _votes_in(db: sqlite_utils.Database, kode_pemilu: str, snapshot: str, sources: list[str],
              provinces: tuple[str, ...]) -> dict[int, int]:
    """Each candidate's votes at the TPS of the snapshot's ``sources`` in ``provinces`` (a range of the key each)."""
    totals: dict[int, int] = {}
    for province in provinces:
        for nomor, votes in db.execute(
                "SELECT s.nomor_urut, sum(s.suara) FROM suara s JOIN hasil_tps h ON h.kode_pemilu = s.kode_pemilu "
                "AND h.snapshot = s.snapshot AND h.kode_tps = s.kode_tps WHERE s.kode_pemilu = ? AND s.snapshot = ? "
                "AND s.kode_tps >= ? AND s.kode_tps < ? || '~' AND h.sumber IN (SELECT value FROM json_each(?)) "
                "GROUP BY s.nomor_urut", (kode_pemilu, snapshot, province, province, json.dumps(sources))):
            totals[nomor] = totals.get(nomor, 0) + (votes or 0)
    return totals


def quarantined_codes(db: sqlite_utils.Database | sqlite3.Connection, kode_pemilu: str, snapshot: str,
                      register: str | None = None) -> frozenset[str]:
    """The TPS codes records of a snapshot's sources (of ``register``'s, when given) quarantined name
    (:func:`~releasekit.compare.codes_named`): a TPS one names that the snapshot lacks was unreadable, not gone."""
    register_only = f"AND s.{_REGISTER}" if register is not None else ""
    return codes_named(db.execute(
        "SELECT q.locator, q.raw, q.reason FROM quarantine q WHERE q.source IN (SELECT s.source FROM snapshots s "
        f"WHERE s.kode_pemilu = ? AND s.snapshot = ? {register_only})",
        (kode_pemilu, snapshot, *((register,) if register is not None else ()))))


def unreadable_tps(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(kode_pemilu, snapshot, kode_tps) of each TPS a record of a snapshot's sources quarantined names
    (:func:`quarantined_codes`), in order, for ``total-decreased`` (a snapshot's quarantine is read only when it
    holds a record)."""
    days = conn.execute("SELECT DISTINCT s.kode_pemilu, s.snapshot FROM snapshots s WHERE EXISTS "
                        "(SELECT 1 FROM quarantine q WHERE q.source = s.source) ORDER BY 1, 2").fetchall()
    return [(kode_pemilu, snapshot, code) for kode_pemilu, snapshot in days
            for code in sorted(quarantined_codes(conn, kode_pemilu, snapshot))]


def _unreadable_votes(db: sqlite_utils.Database, key: tuple[str, str, str], entry: Entry,
                      named: Callable[[str, str], frozenset[str]]) -> dict[int, int]:
    """Each candidate's part of the change in votes at TPS one of the two snapshots could not read: a figure removed
    or cleared at a TPS a record this snapshot quarantined names, or added or filled at one a record of the snapshot it
    was compared with quarantined names, over the provinces the change counts (``total-decreased`` leaves the same
    figures out). The change stays that of the published totals; the changelog says how much of it is such."""
    kode_pemilu, snapshot, register = key
    # (the day whose quarantine names the TPS, and the kinds of change it explains)
    asked = [(snapshot, "removed", "cleared")]
    asked += [(day, "added", "filled") for day in sorted({entry.previous or "", *(
        day for _, day in entry.compared_earlier)} - {""})]
    both = set(entry.coverage.both) if entry.coverage else None
    out: dict[int, int] = {}
    for named_by, *kinds in asked:
        compared_with = "" if named_by == snapshot else "AND previous_snapshot = ?"
        for code in sorted(named(kode_pemilu, named_by)):
            if both is not None and code[:2] not in both:
                continue
            for nomor, change in db.execute(
                    "SELECT nomor_urut, coalesce(CAST(after AS INTEGER), 0) - coalesce(CAST(before AS INTEGER), 0) "
                    "FROM changes WHERE kode_pemilu = ? AND snapshot = ? AND kode_tps = ? AND nomor_urut IS NOT NULL "
                    f"AND kind IN (?, ?) {compared_with} AND {_REGISTER}",
                    (kode_pemilu, snapshot, code, *kinds, *([named_by] if compared_with else []), register)):
                out[nomor] = out.get(nomor, 0) + change
    return {nomor: change for nomor, change in sorted(out.items()) if change}


def _added_after_quarantine(db: sqlite_utils.Database, key: tuple[str, str, str],
                            named: Callable[[str, str], frozenset[str]]) -> int:
    """How many TPS the snapshot ``key`` added appear in a record that the sources of the snapshot each was compared
    with (its ``previous_snapshot``: the one before, or an earlier one for its province) quarantined."""
    kode_pemilu, _, register = key
    added: dict[str, set[str]] = {}
    for code, previous in db.execute(
            f"SELECT DISTINCT kode_tps, previous_snapshot FROM changes WHERE kode_pemilu = ? AND snapshot = ? "
            f"AND {_REGISTER} AND kind = 'added'", key):
        added.setdefault(previous, set()).add(code)
    # (none added: then the quarantine, read through every raw text, need not be)
    return sum(len(codes & named(kode_pemilu, previous))
               for previous, codes in sorted(added.items()))
