"""``releasekit diff OLD NEW``: compare two snapshots or two releases, row by row.

OLD and NEW are each a snapshot id of a project, a package folder, a ``.zip``
package, a ``release.db`` or a project (see :func:`releasekit.sides.open_side`).
Per election, when each side holds one snapshot (or ``@SNAPSHOT`` picks one),
those two are compared; when they hold several, snapshots with the same id are
compared and the others are listed as only on one side. Each comparison keys
TPS on ``kode_tps`` and votes on ``nomor_urut`` (:mod:`releasekit.compare`) and
reports TPS added, removed and changed with each field's before and after,
vote changes per candidate and per region level, and how many TPS became
complete. The published area totals (``hasil_wilayah``) of each pair of snapshots are
compared area by area too (:mod:`releasekit.areadiff`). It reports; it does not judge: any
outcome is a result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .areadiff import AreaDiff, compare_areas
from .compare import Comparer, Tally, TpsChange, TpsRow
from .csvlimit import bounded_cells
from .errors import DiffError, UsageError, refuse_empty_paths
from .readers import READERS
from .readers.codes import FAMILY_NAMES, SYSTEMS
from .sides import NothingHeldError, Side, SnapshotKey, Totals, open_side

#: Region levels for vote roll-ups: (name, code length). National is the candidate totals.
LEVELS = (("provinsi", 2), ("kabupaten/kota", 4), ("kecamatan", 6), ("desa/kelurahan", 10))
#: Receives every changed TPS as it is found: (pair, change).
ChangeCallback = Callable[["PairDiff", TpsChange], None]


@dataclass
class Candidate:
    """A candidate's totals on both sides and the change.

    A total is None where the side has no figure for the candidate at any TPS (a NULL total, as ``snapshot_votes``
    sums: never 0) or cannot tell; the change is then None too (as the published area totals' is), never a number
    read off a 0. With a figure at some TPS, the total is theirs and the change a number."""

    nomor_urut: int
    old: int | None
    new: int | None
    delta: int | None
    #: the change over the provinces both sides hold TPS in (:attr:`PairDiff.coverage_differs`): ``delta`` when
    #: they hold the same, None when they share none, the candidate's votes were left out of the comparison or
    #: ``delta`` is None
    delta_common: int | None = None


@dataclass
class PairDiff(Tally):
    """The comparison of one election's OLD snapshot with its NEW snapshot."""

    votes_changed: int = 0
    changed_after_complete: int = 0
    #: TPS added that a record the OLD snapshot's sources quarantined names (:func:`~releasekit.compare.codes_named`)
    added_after_quarantine: int = 0
    completed: int = 0
    uncompleted: int = 0
    #: TPS whose votes changed with no status_suara in OLD: whether after complete is unknown (review AM #4: they
    #: read as none after complete)
    after_complete_unknown: int = 0
    #: changed TPS with no status_suara on one side or both: whether it became complete (or not) is unknown
    completion_unknown: int = 0
    #: field → TPS (changed, not added or removed) where it differs
    fields: Counter[str] = field(default_factory=Counter)
    candidates: list[Candidate] = field(default_factory=list)
    #: level name → {(kode_wilayah, nomor_urut): change of the region's total}, non-zero only
    regions: dict[str, dict[tuple[str, int], int]] = field(default_factory=lambda: {n: {} for n, _ in LEVELS})
    #: the first changed TPS, up to the limit
    examples: list[TpsChange] = field(default_factory=list)
    #: records the sources of the OLD / NEW snapshot quarantined when it holds no TPS (every record unreadable: a
    #: day listed with 0 TPS), else 0
    unreadable_old: int = 0
    unreadable_new: int = 0
    #: the TPS codes records the OLD snapshot's sources quarantined name
    quarantined: frozenset[str] = field(default_factory=frozenset, repr=False)
    #: TPS removed that a record the NEW snapshot's sources quarantined names: not gone, unreadable there
    removed_in_quarantine: int = 0
    #: the TPS codes records the NEW snapshot's sources quarantined name
    quarantined_new: frozenset[str] = field(default_factory=frozenset, repr=False)
    #: the provinces (first two digits of ``kode_tps``; ``99`` abroad) OLD and NEW hold TPS in
    provinces_old: tuple[str, ...] = ()
    provinces_new: tuple[str, ...] = ()
    #: TPS removed in a province NEW holds no TPS in (not covered by NEW rather than removed from it), and TPS
    #: added in a province OLD held none in (newly covered)
    removed_uncovered: int = 0
    added_uncovered: int = 0
    _removed_in: Counter[str] = field(default_factory=Counter, repr=False)
    _added_in: Counter[str] = field(default_factory=Counter, repr=False)
    _quarantined_in: Counter[str] = field(default_factory=Counter, repr=False)
    _deltas: Counter[int] = field(default_factory=Counter, repr=False)
    _name_sets: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)

    def add(self, change: TpsChange, limit: int | None) -> None:
        """Count one changed TPS in."""
        if change.kind == "added":
            self.added += 1
            self._added_in[change.kode_tps[:2]] += 1
            if change.kode_tps in self.quarantined:
                change.was_quarantined = True
                self.added_after_quarantine += 1
        elif change.kind == "removed":
            self.removed += 1
            self._removed_in[change.kode_tps[:2]] += 1
            if change.kode_tps in self.quarantined_new:  # (counted in finish: where NEW holds TPS at all)
                change.was_quarantined = True
                self._quarantined_in[change.kode_tps[:2]] += 1
        else:
            self.changed += 1
            # TPS mostly change the same sets of fields: count the sets, expand them at the end
            self._name_sets[change.names] = self._name_sets.get(change.names, 0) + 1
            if change.votes_changed:
                self.votes_changed += 1
                if change.was_complete:
                    self.changed_after_complete += 1
                self.after_complete_unknown += change.was_complete is None
            self.completion_unknown += change.was_complete is None or change.is_complete is None
            if change.was_complete is False and change.is_complete:
                self.completed += 1
            elif change.was_complete and change.is_complete is False:
                self.uncompleted += 1
        kode = change.kode_tps
        for nomor, delta in change.vote_deltas:
            self._deltas[nomor] += delta
            for name, length in LEVELS:
                level = self.regions[name]
                key = (kode[:length], nomor)
                level[key] = level.get(key, 0) + delta
        if limit is None or len(self.examples) < limit:
            self.examples.append(change)

    @property
    def coverage_differs(self) -> bool:
        """Whether OLD and NEW hold TPS in different provinces (a sample of DKI, then Aceh only)."""
        return self.provinces_old != self.provinces_new

    def finish(self, old: Totals | None, new: Totals | None, ignored: Callable[[int], bool] = lambda n: False,
               provinces: tuple[set[str], set[str]] = (set(), set())) -> None:
        """Settle candidate totals and field counts, and drop regions whose changes cancel out.

        :param ignored: whether a candidate's votes were left out of the comparison (``--ignore suara``): its change
            is then its totals' (no TPS was compared on it), never a 0 beside totals that moved.
        :param provinces: the provinces OLD and NEW hold TPS in."""
        for names, count in self._name_sets.items():
            for name in names:
                self.fields[name] += count
        self.provinces_old, self.provinces_new = (tuple(sorted(side)) for side in provinces)
        self.removed_uncovered = sum(n for code, n in self._removed_in.items() if code not in provinces[1])
        self.added_uncovered = sum(n for code, n in self._added_in.items() if code not in provinces[0])
        # A TPS removed in a province NEW holds none in is not covered (as the changelog counts it), whatever NEW's
        # quarantine names: counted once.
        self.removed_in_quarantine = sum(n for code, n in self._quarantined_in.items() if code in provinces[1])
        for change in self.examples:
            if change.kind == "removed" and change.kode_tps[:2] not in provinces[1]:
                change.was_quarantined = False
        shared = provinces[0] & provinces[1]
        common = self._deltas_in(shared) if self.coverage_differs and shared else None
        numbers = sorted(set(old or {}) | set(new or {}) | set(self._deltas))
        self.candidates = []
        for n in numbers:
            # (a candidate a side's totals lack has no figure there, as one whose total is NULL)
            before, after = None if old is None else old.get(n), None if new is None else new.get(n)
            delta: int | None
            if (old is not None and before is None) or (new is not None and after is None):
                delta = None  # a total with no figure: no change to give (5 → ∅ is no -5)
            elif ignored(n) and before is not None and after is not None:
                delta = after - before
            else:
                delta = self._deltas[n]
            if not self.coverage_differs or delta is None:
                in_common: int | None = delta
            else:
                in_common = None if common is None or ignored(n) else common[n]
            self.candidates.append(Candidate(n, before, after, delta, in_common))
        self.regions = {name: dict(sorted((k, d) for k, d in level.items() if d))
                        for name, level in self.regions.items()}

    def _deltas_in(self, provinces: set[str]) -> Counter[int]:
        """Each candidate's change summed over ``provinces`` (from the province roll-up)."""
        deltas: Counter[int] = Counter()
        for (province, nomor), delta in self.regions[LEVELS[0][0]].items():
            if province in provinces:
                deltas[nomor] += delta
        return deltas


@dataclass
class DiffResult:
    """Everything ``releasekit diff`` found."""

    old: str
    new: str
    pairs: list[PairDiff]
    #: (kode_pemilu, snapshot, TPS) held only by OLD / only by NEW
    only_old: list[tuple[str, str, int]]
    only_new: list[tuple[str, str, int]]
    ignored: tuple[str, ...] = ()
    #: (side ``old``/``new``, kode_pemilu, snapshot, records quarantined) of each snapshot (compared or not) that
    #: holds no TPS because its sources' every record was quarantined: unreadable, not missing
    unreadable: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: the comparisons of published area totals, and their snapshots (kode_pemilu, snapshot, areas) held only by
    #: OLD / only by NEW
    areas: list[AreaDiff] = field(default_factory=list)
    areas_only_old: list[tuple[str, str, int]] = field(default_factory=list)
    areas_only_new: list[tuple[str, str, int]] = field(default_factory=list)

    def render(self, fmt: str = "text") -> str:
        """This result as ``releasekit diff --format`` prints it (:func:`releasekit.diffreport.render`), as
        :meth:`releasekit.Report.render` renders a validation.

        :param fmt: ``text``, ``json`` or ``markdown`` (``csv`` streams through :class:`~releasekit.CsvChanges`).
        :raises UsageError: ``fmt`` is none of them.
        """
        from .diffreport import render  # (diffreport reads this module's types)

        return render(self, fmt)

    @property
    def differs(self) -> bool:
        """Whether the two sides differ at all: per-TPS results or published area totals."""
        return bool(self.only_old or self.only_new or any(p.differs for p in self.pairs)
                    or self.areas_only_old or self.areas_only_new or any(p.differs for p in self.areas))


def pair_snapshots(old: dict[SnapshotKey, int | None], new: dict[SnapshotKey, int | None], election: str | None = None
                   ) -> tuple[list[tuple[SnapshotKey, SnapshotKey]], list[SnapshotKey], list[SnapshotKey]]:
    """Which OLD snapshot is compared with which NEW one, per election; and those left on each side.

    One snapshot per side (per election): those two. Otherwise: the same snapshot ids.
    """
    pairs: list[tuple[SnapshotKey, SnapshotKey]] = []
    only_old: list[SnapshotKey] = []
    only_new: list[SnapshotKey] = []
    elections = sorted({k for k, _ in old} | {k for k, _ in new})
    for kode in elections:
        if election is not None and kode != election:
            continue
        a = sorted(k for k in old if k[0] == kode)
        b = sorted(k for k in new if k[0] == kode)
        if len(a) == 1 and len(b) == 1:
            pairs.append((a[0], b[0]))
            continue
        pairs += [(k, k) for k in a if k in b]
        only_old += [k for k in a if k not in b]
        only_new += [k for k in b if k not in a]
    return pairs, only_old, only_new


def compare_pair(old: Side, new: Side, key_old: SnapshotKey, key_new: SnapshotKey, comparer: Comparer,
                 limit: int | None = 50, on_change: ChangeCallback | None = None) -> PairDiff:
    """Compare one snapshot of OLD with one snapshot of NEW."""
    pair = PairDiff(key_old[0], key_old[1], key_new[1], quarantined=old.quarantined_codes(key_old),
                    quarantined_new=new.quarantined_codes(key_new))
    old_totals, new_totals = old.totals(key_old), new.totals(key_new)
    # a side without totals at hand adds them up while its rows stream by
    sums_old: Totals | None = {} if old_totals is None else None
    sums_new: Totals | None = {} if new_totals is None else None
    provinces: tuple[set[str], set[str]] = (set(), set())
    for change in comparer.compare(_provinces(old.rows(key_old, sums_old), provinces[0]),
                                   _provinces(new.rows(key_new, sums_new), provinces[1])):
        if change is None:
            pair.unchanged += 1
            continue
        pair.add(change, limit)
        if on_change is not None:
            on_change(pair, change)
    pair.finish(sums_old if old_totals is None else old_totals, sums_new if new_totals is None else new_totals,
                comparer.ignores_votes_of, provinces)
    pair.unreadable_old = _unreadable(old, key_old, pair.count_old)
    pair.unreadable_new = _unreadable(new, key_new, pair.count_new)
    return pair


def _unreadable(side: Side, key: SnapshotKey, tps: int) -> int:
    """Records the snapshot's sources quarantined when it holds no TPS (every record unreadable), else 0."""
    return (side.quarantined_records(key) or 0) if tps == 0 else 0


def _provinces(rows: Iterator[TpsRow], into: set[str]) -> Iterator[TpsRow]:
    """``rows`` as they are, the province of each TPS (its code's first two digits) added to ``into`` on the way
    (rows come in ``kode_tps`` order: a province's TPS one after another)."""
    last = ""
    for row in rows:
        if row[0][:2] != last:
            last = row[0][:2]
            into.add(last)
        yield row


def diff(old: str | Path, new: str | Path, *, project: str | Path = ".", election: str | None = None,
         ignore: Iterable[str] = (), limit: int | None = 50, on_change: ChangeCallback | None = None) -> DiffResult:
    """Compare OLD with NEW row by row (see the module docstring for what each may be).

    :param old: the earlier side: a package folder, ``datapackage.json``, ``.zip`` package or ``release.db``
        (``PATH@SNAPSHOT`` picks one of its snapshots), or a snapshot id of ``project``'s release
        (:func:`releasekit.sides.open_side`).
    :param new: the later side, as ``old``.

    :param project: where snapshot ids are looked up (its ``build/release.db``): its folder, or its ``metadata.yml``.
    :param election: compare only this election.
    :param ignore: fields left out of the comparison (``ts``, ``jumlah_foto``, ``suara``, ``suara/2`` …); one field
        may be given as a string.
    :param limit: changed TPS kept per comparison for the report: None keeps all (the command line's ``--limit 0``),
        0 none (stream them with ``on_change``); counts always cover all.
    :param on_change: called with every changed TPS as it is found (for streaming output).
    :raises DiffError: when a side cannot be opened or has no such snapshot.
    :raises UsageError: ``election`` or ``ignore`` names what neither side holds.
    """
    # (review AY #4, #9: as the command line takes them: a project's metadata.yml, one field to ignore)
    refuse_empty_paths(old, new, project)
    project = Path(project).parent if Path(project).is_file() else project
    comparer = Comparer((ignore,) if isinstance(ignore, str) else ignore)
    with bounded_cells(), closing(open_side(str(old), project)) as a, closing(open_side(str(new), project)) as b:
        (snaps_a, areas_a), (snaps_b, areas_b) = _held(a), _held(b)
        known = sorted({k for k, _ in (*snaps_a, *snaps_b, *areas_a, *areas_b)})
        if election is not None and election not in known:
            raise UsageError(f"election: neither side holds results of '{election}'",
                             hint="elections here: " + (", ".join(known) or "none"))
        pairs, only_a, only_b = pair_snapshots(snaps_a, snaps_b, election)
        _check_candidates(comparer, a, b, pairs)
        results = DiffResult(a.label, b.label, [compare_pair(a, b, ka, kb, comparer, limit, on_change)
                                                for ka, kb in pairs],
                             [_counted(a, snaps_a, k) for k in only_a], [_counted(b, snaps_b, k) for k in only_b],
                             tuple(sorted(comparer.ignore)))
        results.unreadable = _unreadable_snapshots(results, a, b)
        pairs, only_a, only_b = pair_snapshots(dict(areas_a), dict(areas_b), election)
        for ka, kb in pairs:
            _refuse_other_numbering(a, ka, b, kb)
        results.areas = [compare_areas(AreaDiff(ka[0], ka[1], kb[1]), a.area_rows(ka), b.area_rows(kb), comparer,
                                       limit) for ka, kb in pairs]
        results.areas_only_old = [(*k, areas_a[k]) for k in only_a]
        results.areas_only_new = [(*k, areas_b[k]) for k in only_b]
        if not results.pairs and any(area.national for area in results.areas):
            _refuse_unknown(comparer, {n for area in results.areas for n, _, _ in area.national})
    return results


def _numbering(formats: frozenset[str]) -> tuple[str, str] | None:
    """How areas are numbered by sources of these readers: (family, the reader when it is one of its own numbering),
    or None when they do not say one way (none known, or several)."""
    ways = {(family, fmt if family == "own" else "") for fmt in formats if fmt in READERS
            for family in (SYSTEMS[READERS[fmt].code_system],)}
    return next(iter(ways)) if len(ways) == 1 else None


def _refuse_other_numbering(a: Side, ka: SnapshotKey, b: Side, kb: SnapshotKey) -> None:
    """Refuse to compare published area totals whose sources number areas in different ways: KPU 2014's hourly feed's
    kecamatan ``222`` is pemiluAPI's kabupaten ``222`` (Sleman), and 26 areas were reported changed between the two
    systems, 6,878 added and 440 removed (review BD D1; ``build`` refuses them within one snapshot)."""
    old, new = _numbering(a.area_formats(ka)), _numbering(b.area_formats(kb))
    if old is None or new is None or old == new:
        return
    said = [FAMILY_NAMES[family] + (f" ({fmt})" if fmt else "") for family, fmt in (old, new)]
    raise DiffError(f"{a.label}: {ka[0]} {ka[1]} numbers its published areas in {said[0]}, {b.label}: {kb[0]} "
                    f"{kb[1]} in {said[1]}: the same code names different areas, so their totals cannot be "
                    "compared", hint="compare each with a snapshot whose areas are numbered alike")


def _held(side: Side) -> tuple[dict[SnapshotKey, int | None], dict[SnapshotKey, int]]:
    """The side's snapshots of per-TPS results, and of published area totals: a side may hold either, or both
    (a register of Sirekap's per-TPS files and its aggregates)."""
    areas = side.area_snapshots()
    try:
        return side.snapshots(), areas
    except NothingHeldError:
        if areas:
            return {}, areas
        raise


def _check_candidates(comparer: Comparer, a: Side, b: Side, pairs: list[tuple[SnapshotKey, SnapshotKey]]) -> None:
    """Refuse ``--ignore suara/N`` for a number no compared snapshot holds votes of (a typo would leave everything
    compared, silently); a side without totals at hand cannot tell, and is not asked to read its votes twice."""
    wanted = comparer.ignored_candidates
    if not wanted or not pairs:
        return
    held: set[int] = set()
    for ka, kb in pairs:
        totals = (a.totals(ka), b.totals(kb))
        if totals[0] is None or totals[1] is None:
            return
        held.update(totals[0], totals[1])
    _refuse_unknown(comparer, held)


def _refuse_unknown(comparer: Comparer, held: set[int]) -> None:
    """Refuse the ``--ignore suara/N`` whose candidate is not among those ``held``: votes of the snapshots compared
    (or of the national area, where only published area totals are)."""
    unknown = sorted(comparer.ignored_candidates - held)
    if unknown:
        numbers = ", ".join(f"suara/{n}" for n in sorted(held)) or "none"
        raise UsageError(f"ignore: no candidate {', '.join(f'suara/{n}' for n in unknown)} in the snapshots "
                         "compared", hint=f"candidates with votes here: {numbers}")


def _unreadable_snapshots(result: DiffResult, a: Side, b: Side) -> list[tuple[str, str, str, int]]:
    """(side, kode_pemilu, snapshot, records quarantined) of each snapshot holding no TPS whose sources quarantined
    records: of the pairs compared, then of those only on one side."""
    found = [(name, p.kode_pemilu, day, n) for p in result.pairs
             for name, day, n in (("old", p.old_snapshot, p.unreadable_old), ("new", p.new_snapshot, p.unreadable_new))
             if n]
    for name, side, only in (("old", a, result.only_old), ("new", b, result.only_new)):
        found += [(name, kode, day, n) for kode, day, tps in only if (n := _unreadable(side, (kode, day), tps))]
    return found


def _counted(side: Side, snapshots: dict[SnapshotKey, int | None], key: SnapshotKey) -> tuple[str, str, int]:
    """(kode_pemilu, snapshot, TPS), counting the TPS when the side did not list them."""
    tps = snapshots[key]
    return (*key, side.count(key) if tps is None else tps)


def to_dict(result: DiffResult) -> dict[str, Any]:
    """The JSON form: stable keys, no timings."""
    return {
        "old": result.old,
        "new": result.new,
        "differs": result.differs,
        "ignored": list(result.ignored),
        "comparisons": [_pair_dict(p) for p in result.pairs],
        "only_old": [{"kode_pemilu": k, "snapshot": s, "tps": n} for k, s, n in result.only_old],
        "only_new": [{"kode_pemilu": k, "snapshot": s, "tps": n} for k, s, n in result.only_new],
        "area_comparisons": [_area_dict(p) for p in result.areas],
        "areas_only_old": [{"kode_pemilu": k, "snapshot": s, "areas": n} for k, s, n in result.areas_only_old],
        "areas_only_new": [{"kode_pemilu": k, "snapshot": s, "areas": n} for k, s, n in result.areas_only_new],
        "unreadable_snapshots": [{"side": side, "kode_pemilu": k, "snapshot": s, "records_quarantined": n}
                                 for side, k, s, n in result.unreadable],
    }


def _area_dict(p: AreaDiff) -> dict[str, Any]:
    return {
        "kode_pemilu": p.kode_pemilu,
        "old_snapshot": p.old_snapshot,
        "new_snapshot": p.new_snapshot,
        "areas": {"old": p.count_old, "new": p.count_new, "added": p.added, "removed": p.removed,
                  "changed": p.changed, "unchanged": p.unchanged},
        "fields": dict(sorted(p.fields.items())),
        "national": [{"nomor_urut": n, "old": old, "new": new,
                      "delta": None if old is None or new is None else new - old} for n, old, new in p.national],
        "areas_listed": len(p.examples),
        "changes": [{"kode_wilayah": c.kode_wilayah, "kind": c.kind,
                     "fields": [{"field": f.field, "kind": f.kind, "before": f.before, "after": f.after,
                                 "delta": f.delta} for f in c.fields]} for c in p.examples],
    }


def _votes(votes: tuple[tuple[str, str], ...]) -> dict[str, int | None]:
    return {n: int(v) if v else None for n, v in votes}


def _pair_dict(p: PairDiff) -> dict[str, Any]:
    return {
        "kode_pemilu": p.kode_pemilu,
        "old_snapshot": p.old_snapshot,
        "new_snapshot": p.new_snapshot,
        "tps": {"old": p.count_old, "new": p.count_new, "added": p.added, "removed": p.removed, "changed": p.changed,
                "unchanged": p.unchanged, "added_after_quarantine": p.added_after_quarantine,
                "removed_in_quarantine": p.removed_in_quarantine,
                "removed_uncovered": p.removed_uncovered, "added_uncovered": p.added_uncovered},
        "provinces": {"old": list(p.provinces_old), "new": list(p.provinces_new), "differ": p.coverage_differs},
        "votes_changed": p.votes_changed,
        "changed_after_complete": p.changed_after_complete,
        "changed_after_complete_unknown": p.after_complete_unknown,
        "status_suara": {"false_to_true": p.completed, "true_to_false": p.uncompleted,
                         "unknown": p.completion_unknown},
        "fields": dict(sorted(p.fields.items())),
        "candidates": [{"nomor_urut": c.nomor_urut, "old": c.old, "new": c.new, "delta": c.delta,
                        "delta_common": c.delta_common} for c in p.candidates],
        "regions": {name: [{"kode_wilayah": k, "nomor_urut": n, "delta": d} for (k, n), d in level.items()]
                    for name, level in p.regions.items()},
        "tps_listed": len(p.examples),
        "changes": [
            {"kode_tps": c.kode_tps, "kind": c.kind, "was_quarantined": c.was_quarantined,
             "was_complete": c.was_complete, "is_complete": c.is_complete,
             "votes_before": _votes(c.votes_before), "votes_after": _votes(c.votes_after),
             "fields": [{"field": f.field, "kind": f.kind, "before": f.before, "after": f.after, "delta": f.delta}
                        for f in c.fields]}
            for c in p.examples
        ],
    }
