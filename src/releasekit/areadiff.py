"""Published area totals in ``releasekit diff``: ``hasil_wilayah`` and ``suara_wilayah``, area by area.

The totals a source publishes per area (Sirekap's aggregates: the nation, provinces, regencies …
down to villages) change from one day to the next as the count goes on. They are compared as the
TPS are (:mod:`releasekit.compare`): both sides stream one snapshot's areas in ``kode_wilayah``
order, each area's values as the text a package CSV holds (``''`` for NULL), and a sorted merge
finds the areas added, removed and changed, with each field's before and after. The national
area ``0``, where a source publishes it, gives the candidate totals.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .compare import VOTES_PREFIX, Comparer, FieldChange, Tally, tps_rows
from .tables import HASIL_WILAYAH_VALUES, NATIONAL

#: (kode_wilayah, values as CSV text in HASIL_WILAYAH_VALUES order)
AreaValues = tuple[str, tuple[str, ...]]
#: (kode_wilayah, nomor_urut as text, suara as CSV text)
AreaVotes = tuple[str, str, str]
#: (kode_wilayah, values, votes ((nomor_urut, suara), …) in ballot order)
AreaRow = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]


@dataclass
class AreaChange:
    """An area whose published totals differ: ``added``, ``removed`` or ``changed``, and its fields."""

    kode_wilayah: str
    kind: str
    fields: tuple[FieldChange, ...]


@dataclass
class AreaDiff(Tally):
    """The comparison of one election's published area totals on OLD's day with NEW's."""

    #: field → areas (changed, not added or removed) where it differs
    fields: Counter[str] = field(default_factory=Counter)
    #: the national area's votes per candidate: (nomor_urut, old, new), None where a side has no figure
    national: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    #: the first areas that differ, up to the limit
    examples: list[AreaChange] = field(default_factory=list)


def area_rows(values: Iterable[AreaValues], votes: Iterable[AreaVotes], label: str = "") -> Iterator[AreaRow]:
    """Zip an area stream with its votes stream (both in ``kode_wilayah`` order) into one row per area.

    :raises UnsortedError: when either stream is out of order.
    """
    rows = tps_rows(((kode, cells, "") for kode, cells in values), votes, label,
                    names=("hasil_wilayah", "suara_wilayah", "kode_wilayah"))
    return ((kode, cells, mine) for kode, cells, mine, _ in rows)


def _text(value: object) -> str:
    """A database value as a package CSV writes it (Python's ``csv``: ``str``, and ``''`` for NULL)."""
    return "" if value is None else str(value)


def db_area_rows(conn: sqlite3.Connection, key: tuple[str, str], label: str = "") -> Iterator[AreaRow]:
    """One snapshot's published area totals in a database."""
    columns = ", ".join(f"[{c}]" for c in HASIL_WILAYAH_VALUES)
    values = ((row[0], tuple(map(_text, row[1:]))) for row in conn.execute(
        f"SELECT kode_wilayah, {columns} FROM hasil_wilayah WHERE kode_pemilu = ? AND snapshot = ? "
        "ORDER BY kode_wilayah", key))
    votes = ((k, str(n), _text(v)) for k, n, v in conn.execute(
        "SELECT kode_wilayah, nomor_urut, suara FROM suara_wilayah WHERE kode_pemilu = ? AND snapshot = ? "
        "ORDER BY kode_wilayah, nomor_urut", key))
    return area_rows(values, votes, label)


def _fields(kind: str, old: AreaRow | None, new: AreaRow | None, comparer: Comparer) -> tuple[FieldChange, ...]:
    """Every compared field of an area that differs (each one, for an area added or removed)."""
    a = old[1] if old is not None else ("",) * len(HASIL_WILAYAH_VALUES)
    b = new[1] if new is not None else ("",) * len(HASIL_WILAYAH_VALUES)
    out = []
    for name, before, after in zip(HASIL_WILAYAH_VALUES, a, b, strict=True):
        if before != after and name not in comparer.ignore:
            out.append(FieldChange(name, _kind(kind, before, after), before or None, after or None))
    x = dict(old[2]) if old is not None else {}
    y = dict(new[2]) if new is not None else {}
    for n in sorted(x.keys() | y.keys(), key=int):
        before, after = x.get(n, ""), y.get(n, "")
        if before != after and not comparer.ignores_votes_of(int(n)):
            out.append(FieldChange(VOTES_PREFIX + n, _kind(kind, before, after), before or None, after or None,
                                   int(n)))
    return tuple(out)


def _kind(kind: str, before: str, after: str) -> str:
    if kind != "changed":
        return kind
    return "filled" if before == "" else "cleared" if after == "" else "changed"


def compare_areas(pair: AreaDiff, old: Iterator[AreaRow], new: Iterator[AreaRow], comparer: Comparer,
                  limit: int | None = 50) -> AreaDiff:
    """Walk both streams side by side, counting into ``pair``; return it."""
    national: dict[str, list[str]] = {}
    old, new = _noting(old, 0, national), _noting(new, 1, national)
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            _count(pair, "removed", a, None, comparer, limit)
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            _count(pair, "added", None, b, comparer, limit)
            b = next(new, None)
        else:
            _count(pair, "changed", a, b, comparer, limit)
            a, b = next(old, None), next(new, None)
    pair.national = [(int(n), _number(old_new[0]), _number(old_new[1]))
                     for n, old_new in sorted(national.items(), key=lambda item: int(item[0]))]
    return pair


def _noting(rows: Iterator[AreaRow], side: int, national: dict[str, list[str]]) -> Iterator[AreaRow]:
    """``rows``, noting the national area's votes in ``national`` (nomor_urut → [old, new]) on the way."""
    for row in rows:
        if row[0] == NATIONAL:
            for n, votes in row[2]:
                national.setdefault(n, ["", ""])[side] = votes
        yield row


def _count(pair: AreaDiff, kind: str, old: AreaRow | None, new: AreaRow | None, comparer: Comparer,
           limit: int | None) -> None:
    changes = _fields(kind, old, new, comparer)
    if kind == "changed" and not changes:
        pair.unchanged += 1
        return
    if kind == "added":
        pair.added += 1
    elif kind == "removed":
        pair.removed += 1
    else:
        pair.changed += 1
        pair.fields.update(f.field for f in changes)
    if limit is None or len(pair.examples) < limit:
        row = new if old is None else old
        assert row is not None
        pair.examples.append(AreaChange(row[0], kind, changes))


def _number(text: str) -> int | None:
    return int(text) if text else None
