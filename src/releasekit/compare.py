"""Compare two snapshots row by row: a sorted streaming merge on ``kode_tps``.

Both sides arrive as streams of TPS in ascending ``kode_tps`` order (the primary-key
order of ``hasil_tps``/``suara`` in the database and in every package CSV), so the
comparison walks them side by side like ``comm``: one pass, memory flat in the
number of TPS, no dictionary of every row. Values are compared in one
representation, the text a package CSV holds (``''`` for NULL, ``1``/``0`` for
flags): the database streams cast in SQL, CSV streams need no conversion, and a
published release compares with a new build cell for cell. Only a TPS whose row
differs is unpacked field by field.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .errors import ReleasekitError, UsageError, did_you_mean
from .tables import HASIL_TPS, HASIL_TPS_VALUES, HASIL_WILAYAH, HASIL_WILAYAH_VALUES, register_sources

# (HASIL_TPS_VALUES are compared TPS by TPS; HASIL_WILAYAH_VALUES area by area: releasekit.areadiff)
#: The values of an absent TPS.
EMPTY: tuple[str, ...] = ("",) * len(HASIL_TPS_VALUES)
#: Columns whose changes carry a numeric ``delta``.
COUNT_COLUMNS = frozenset(f.name for table in (HASIL_TPS, HASIL_WILAYAH) for f in table.fields if f.type == "integer")
STATUS_INDEX = HASIL_TPS_VALUES.index("status_suara")
INDEX = {c: i for i, c in enumerate(HASIL_TPS_VALUES)}
#: The field name of a candidate's votes: ``suara/<nomor_urut>``.
VOTES_PREFIX = "suara/"
#: The field name recording that a TPS appeared or disappeared.
TPS_FIELD = "kode_tps"

#: (kode_tps, values as CSV text in HASIL_TPS_VALUES order, source path)
HasilRow = tuple[str, tuple[str, ...], str]
#: (kode_tps, nomor_urut as text, suara as CSV text)
SuaraRow = tuple[str, str, str]
#: (kode_tps, values, votes ((nomor_urut, suara), …) in ballot order, source path)
TpsRow = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...], str]


#: A TPS code in a quarantined record's locator or raw text (13 characters, not inside a longer code or number).
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Z])(?:[0-9]{13}|99[0-9A-Z]{11})(?![0-9A-Z])")


def codes_named(records: Iterable[tuple[str, str | None, str | None]]) -> frozenset[str]:
    """The TPS codes quarantined records name, in their locator (a per-TPS member's name) or raw text.

    A TPS added by a snapshot whose previous snapshot quarantined a record naming it is not new, only
    unreadable the day before: the changelog and ``releasekit diff`` say so. A record set aside as a second
    copy of a key its snapshot loaded (:data:`COPY`) names none: that TPS was read, from the copy kept.

    :param records: (locator, raw, reason) of each quarantined record.
    """
    named: set[str] = set()
    for locator, raw, reason in records:
        if not (reason or "").startswith(COPY):
            named.update(_CODE_IN_TEXT.findall(f"{locator}\n{raw or ''}"))
    return frozenset(named)


#: How the reason of a record that repeats a key its snapshot already loaded starts (the first copy is kept).
COPY = "duplicate-key:"


@dataclass
class Tally:
    """One comparison of an election's OLD snapshot with its NEW one (of TPS, or of published areas): what is
    compared, and how many rows were unchanged, added, removed and changed."""

    kode_pemilu: str
    old_snapshot: str
    new_snapshot: str
    unchanged: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def count_old(self) -> int:
        """Rows (TPS, areas) in the OLD snapshot."""
        return self.unchanged + self.changed + self.removed

    @property
    def count_new(self) -> int:
        """Rows in the NEW snapshot."""
        return self.unchanged + self.changed + self.added

    @property
    def differs(self) -> bool:
        """Whether anything differs."""
        return bool(self.added or self.removed or self.changed)


class UnsortedError(ReleasekitError):
    """A stream is not in ``kode_tps`` order, so it cannot be merged."""


class FieldChange(NamedTuple):
    """One field of one TPS that differs; ``before``/``after`` are CSV text, None when empty.

    (A named tuple: a national diff makes millions of them.)
    """

    field: str
    kind: str
    before: str | None
    after: str | None
    nomor_urut: int | None = None

    @property
    def delta(self) -> int | None:
        """``after - before`` for a count present on both sides, else None (also when one is not a number)."""
        if self.before is None or self.after is None:
            return None
        if self.nomor_urut is None and self.field not in COUNT_COLUMNS:
            return None
        try:
            return int(self.after) - int(self.before)
        except ValueError:  # text in a database's count column (a package's are checked as read, in sides.py)
            return None


class TpsChange:
    """A TPS that differs between the two snapshots.

    Its :attr:`fields` are built only when asked for (a report lists a few TPS, a national
    diff finds hundreds of thousands); :attr:`names` and :attr:`vote_deltas` are the cheap
    views the summary needs.
    """

    __slots__ = ("_comparer", "_fields", "_new", "_old", "is_complete", "kind", "kode_tps", "names", "source",
                 "votes_after", "votes_before", "votes_changed", "was_complete", "was_quarantined")

    def __init__(self, comparer: Comparer, kind: str, old: TpsRow | None, new: TpsRow | None,
                 names: tuple[str, ...], votes_changed: bool) -> None:
        row = new if new is not None else old
        assert row is not None
        self._comparer = comparer
        self._old, self._new = old, new
        self._fields: tuple[FieldChange, ...] | None = None
        self.kode_tps, self.kind, self.source = row[0], kind, row[3]
        self.was_complete = None if old is None else _flag(old[1][STATUS_INDEX])
        self.is_complete = None if new is None else _flag(new[1][STATUS_INDEX])
        #: every candidate's votes on each side ((nomor_urut, suara), …), empty when the TPS is absent
        self.votes_before = () if old is None else old[2]
        self.votes_after = () if new is None else new[2]
        #: the names of the fields that differ (without the ``kode_tps`` marker)
        self.names = names
        #: whether any candidate's votes differ
        self.votes_changed = votes_changed
        #: an added TPS that a record OLD's sources quarantined names (not new, unreadable before), or a removed one
        #: that a record NEW's sources quarantined names (not gone, unreadable after)
        self.was_quarantined = False

    @property
    def fields(self) -> tuple[FieldChange, ...]:
        """Every field that differs, in column order then ballot order (a ``kode_tps`` marker first when the
        TPS appears or disappears)."""
        if self._fields is None:
            self._fields = self._comparer.fields(self)
        return self._fields

    @property
    def vote_deltas(self) -> list[tuple[int, int]]:
        """(nomor_urut, what the TPS adds to the candidate's total) for every non-zero change."""
        if not self.votes_changed:
            return []
        before = {n: int(v) for n, v in self.votes_before if v} if self.votes_before else {}
        after = {n: int(v) for n, v in self.votes_after if v} if self.votes_after else {}
        out = []
        for n in sorted(before.keys() | after.keys(), key=int):
            if VOTES_PREFIX + n in self.names:
                delta = after.get(n, 0) - before.get(n, 0)
                if delta:
                    out.append((int(n), delta))
        return out


def _flag(text: str) -> bool | None:
    return None if text == "" else text == "1"


def tps_rows(hasil: Iterable[HasilRow], suara: Iterable[SuaraRow], label: str = "",
             totals: dict[int, int | None] | None = None,
             names: tuple[str, str, str] = ("hasil_tps", "suara", "kode_tps")
             ) -> Iterator[TpsRow]:
    """Zip a ``hasil_tps`` stream with its ``suara`` stream into one row per TPS (``names``: the tables and key, for
    errors; :mod:`releasekit.areadiff` zips ``hasil_wilayah`` with ``suara_wilayah`` so).

    Vote rows whose TPS has no result row are skipped (they belong to another
    register or snapshot). With ``totals``, Σ votes per ballot number are added up
    on the way (for sides that cannot sum in SQL), as SQL's ``sum`` and ``snapshot_votes``
    add them up: an empty figure is left out, and a candidate whose every figure is
    empty is there with None, never 0.

    :raises UnsortedError: when either stream is not in ``kode_tps`` order.
    """
    votes = iter(suara)
    pending = next(votes, None)
    last = last_vote = ""
    rows, vote_rows, key = names
    for kode, values, source in hasil:
        if kode == last:  # (a package releasekit wrote has one row a TPS a snapshot: validate names the rows)
            raise UnsortedError(f"{label}: {rows} holds {key} {kode} twice in one snapshot",
                                hint="keep one row per TPS and snapshot; 'releasekit validate' names the rows")
        if kode < last:
            raise UnsortedError(f"{label}: {rows} rows are not in {key} order at {kode}",
                                hint=f"sort them by kode_pemilu, snapshot, {key} as releasekit writes them")
        last = kode
        mine: list[tuple[str, str]] = []
        while pending is not None and pending[0] <= kode:
            if pending[0] < last_vote:
                raise UnsortedError(f"{label}: {vote_rows} rows are not in {key} order at {pending[0]}",
                                    hint=f"sort them by kode_pemilu, snapshot, {key}, nomor_urut")
            last_vote = pending[0]
            if pending[0] == kode:
                mine.append((pending[1], pending[2]))
                if totals is not None:
                    nomor = int(pending[1])
                    if pending[2] != "":
                        totals[nomor] = (totals.get(nomor) or 0) + int(pending[2])
                    elif nomor not in totals:
                        totals[nomor] = None
            pending = next(votes, None)
        yield kode, values, tuple(mine), source


class Comparer:
    """Compares two TPS streams; ``ignore`` names fields left out (``ts``, ``suara`` or ``suara/2``)."""

    def __init__(self, ignore: Iterable[str] = ()) -> None:
        # suara/01 is suara/1 (a candidate's number, as the changes name it), not a field nothing matches
        self.ignore = frozenset(f"{VOTES_PREFIX}{int(f[len(VOTES_PREFIX):])}" if f.startswith(VOTES_PREFIX)
                                and f[len(VOTES_PREFIX):].isdecimal() else f for f in ignore)
        unknown = self.ignore - set(HASIL_TPS_VALUES) - set(HASIL_WILAYAH_VALUES) - {"suara"} - {
            f for f in self.ignore if f.startswith(VOTES_PREFIX) and f[len(VOTES_PREFIX):].isdecimal()}
        if unknown:
            names = sorted(unknown)
            area_only = [c for c in HASIL_WILAYAH_VALUES if c not in HASIL_TPS_VALUES]
            guess = did_you_mean(names[0], (*HASIL_TPS_VALUES, *area_only, "suara")) if len(names) == 1 else ""
            raise UsageError(f"ignore: unknown field(s) {', '.join(names)}",
                             hint=f"{guess}use hasil_tps columns ({', '.join(HASIL_TPS_VALUES)}), hasil_wilayah's "
                                  f"({', '.join(area_only)}), suara or suara/N")
        self.kept = tuple(i for i, c in enumerate(HASIL_TPS_VALUES) if c not in self.ignore)
        self.vote_fields = "suara" not in self.ignore
        #: the candidates named by ``suara/N``
        self.ignored_candidates = frozenset(int(f[len(VOTES_PREFIX):]) for f in self.ignore
                                            if f.startswith(VOTES_PREFIX))

    def ignores_votes_of(self, nomor_urut: int) -> bool:
        """Whether the votes of candidate ``nomor_urut`` are left out (``suara``, or ``suara/N``)."""
        return not self.vote_fields or f"{VOTES_PREFIX}{nomor_urut}" in self.ignore

    def _vote_names(self, before: tuple[tuple[str, str], ...], after: tuple[tuple[str, str], ...]) -> list[str]:
        if not self.vote_fields or before == after:
            return []
        x, y = dict(before), dict(after)
        return [VOTES_PREFIX + n for n in sorted(x.keys() | y.keys(), key=int)
                if (x.get(n) or "") != (y.get(n) or "") and VOTES_PREFIX + n not in self.ignore]

    def _change(self, kind: str, old: TpsRow | None, new: TpsRow | None) -> TpsChange | None:
        """The change from ``old`` to ``new`` (either may be absent), or None when nothing compared differs."""
        a = old[1] if old is not None else EMPTY
        b = new[1] if new is not None else EMPTY
        names = [HASIL_TPS_VALUES[i] for i in self.kept if a[i] != b[i]]
        votes = self._vote_names(old[2] if old is not None else (), new[2] if new is not None else ())
        if not names and not votes:
            return None if kind == "changed" else TpsChange(self, kind, old, new, (), False)
        return TpsChange(self, kind, old, new, tuple(names + votes) if votes else tuple(names), bool(votes))

    def fields(self, change: TpsChange) -> tuple[FieldChange, ...]:
        """The :class:`FieldChange` of every field of ``change`` that differs."""
        old, new = change._old, change._new
        kind = change.kind
        out = []
        if old is None or new is None:
            out.append(FieldChange(TPS_FIELD, kind, None if old is None else change.kode_tps,
                                   None if new is None else change.kode_tps))
        a = old[1] if old is not None else EMPTY
        b = new[1] if new is not None else EMPTY
        x, y = (dict(change.votes_before), dict(change.votes_after)) if change.votes_changed else ({}, {})
        same = kind != "changed"
        for name in change.names:
            i = INDEX.get(name)
            if i is None:
                n = name[len(VOTES_PREFIX):]
                before, after, nomor = x.get(n) or None, y.get(n) or None, int(n)
            else:
                before, after, nomor = a[i] or None, b[i] or None, None
            out.append(FieldChange(name, kind if same else ("filled" if before is None else "cleared" if after is None
                                                            else "changed"), before, after, nomor))
        return tuple(out)

    def compare(self, old: Iterator[TpsRow], new: Iterator[TpsRow]) -> Iterator[TpsChange | None]:
        """Yield a :class:`TpsChange` per TPS that differs, and None per TPS that is the same on both sides."""
        a = next(old, None)
        b = next(new, None)
        while a is not None or b is not None:
            if b is None or (a is not None and a[0] < b[0]):
                yield self._change("removed", a, None)
                a = next(old, None)
            elif a is None or b[0] < a[0]:
                yield self._change("added", None, b)
                b = next(new, None)
            else:
                yield None if a[1] == b[1] and a[2] == b[2] else self._change("changed", a, b)
                a = next(old, None)
                b = next(new, None)


# --------------------------------------------------------------------------- database streams


def text_sql(column: str, alias: str = "") -> str:
    """SQL for a column's value as the text a package CSV holds (``''`` for NULL); ``alias`` names its table."""
    return f"coalesce(CAST({alias + '.' if alias else ''}[{column}] AS TEXT), '')"


_TEXT = ", ".join(text_sql(c) for c in HASIL_TPS_VALUES)


def db_hasil(conn: sqlite3.Connection, kode_pemilu: str, snapshot: str, register: str | None = None
             ) -> Iterator[HasilRow]:
    """A snapshot's ``hasil_tps`` rows in ``kode_tps`` order (the primary-key index), as CSV text; with
    ``register``, only the rows of its sources (tests/test_changes.py compares a build's ``changes`` this way)."""
    where = "" if register is None else f"AND sumber IN {register_sources('?')}"
    params: tuple[str, ...] = (kode_pemilu, snapshot) + (() if register is None else (register,))
    for row in conn.execute(f"SELECT kode_tps, {_TEXT}, sumber FROM hasil_tps WHERE kode_pemilu = ? "
                            f"AND snapshot = ? {where} ORDER BY kode_tps", params):
        yield row[0], row[1:-1], row[-1]


def db_suara(conn: sqlite3.Connection, kode_pemilu: str, snapshot: str) -> Iterator[SuaraRow]:
    """A snapshot's ``suara`` rows in (``kode_tps``, ``nomor_urut``) order, as CSV text."""
    # the cursor itself, not a generator over it: closing a generator would close the cursor, whose
    # connection may be closed already when a diff stops on an error in the other side
    cursor: Iterator[SuaraRow] = conn.execute(
        f"SELECT kode_tps, CAST(nomor_urut AS TEXT), {text_sql('suara')} FROM suara "
        "WHERE kode_pemilu = ? AND snapshot = ? ORDER BY kode_tps, nomor_urut", (kode_pemilu, snapshot))
    return cursor


def db_rows(conn: sqlite3.Connection, kode_pemilu: str, snapshot: str, register: str | None = None,
            label: str = "") -> Iterator[TpsRow]:
    """One snapshot of a database as a TPS stream."""
    return tps_rows(db_hasil(conn, kode_pemilu, snapshot, register), db_suara(conn, kode_pemilu, snapshot), label)
