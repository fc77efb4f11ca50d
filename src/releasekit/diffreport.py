"""Renderings of a :class:`~releasekit.diff.DiffResult`: text, JSON, Markdown and CSV.

``text`` for people at a terminal, ``json`` with stable keys, ``markdown`` for a
CI step summary or an issue comment, and ``csv``: every changed field as a row in
the columns of the ``changes`` table, streamed while the comparison runs so a
national diff never has to sit in memory. NIK-like values are masked in all four.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, TextIO

from .areadiff import AreaChange, AreaDiff
from .artefacts import json_text, md_cell
from .compare import FieldChange, TpsChange
from .diff import Candidate, DiffResult, PairDiff, to_dict
from .errors import UsageError, did_you_mean, one_line_text
from .privacy import mask_niks
from .tables import CHANGES

FORMATS = ("text", "json", "markdown", "csv")
#: Regions listed per level in text and Markdown (largest changes first).
REGIONS_SHOWN = 5


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _change(value: int | None) -> str:
    """A change, or ∅ where there is none to give (a total with no figure on a side)."""
    return "∅" if value is None else _signed(value)


def _value(f: FieldChange, text: str | None) -> str:
    """A value as the text report shows it: a number as it is, other text quoted (its line breaks escaped, so masked
    before: ``'NIK 32010145\\n01900001'`` is no NIK to :func:`~releasekit.privacy.mask_niks` once escaped)."""
    if text is None:
        return "∅"
    if f.field in ("status_suara", "status_adm", "status_progress"):
        return _flat({"1": "true", "0": "false"}.get(text, text))
    return _flat(text) if text.lstrip("-").isdigit() or f.field == "persen" else repr(mask_niks(text))


def _flat(text: str) -> str:
    """A value shown on one line of the text report: its line breaks as spaces (the report is masked line by line,
    :func:`render`; a space between a NIK's digits is one it finds)."""
    return text.replace("\n", " ")


def _field(f: FieldChange) -> str:
    return f"{f.field} {_value(f, f.before)} → {_value(f, f.after)}"


def _votes(votes: tuple[tuple[str, str], ...]) -> str:
    """``186/44/8`` (ballot order; ∅ for an empty count), or ∅ when there are none."""
    return _flat("/".join(v or "∅" for _, v in votes)) or "∅"


def _tps_line(change: TpsChange) -> str:
    if change.kind in ("added", "removed"):
        votes = change.votes_after if change.kind == "added" else change.votes_before
        return f"{_flat(change.kode_tps)}  {_kind(change)}: votes {_votes(votes)}"
    parts = [f"votes {_votes(change.votes_before)} → {_votes(change.votes_after)}"] if change.votes_changed else []
    parts += [_field(f) for f in change.fields if f.nomor_urut is None]
    flag = ", after complete" if change.was_complete and change.votes_changed else ""
    return f"{_flat(change.kode_tps)}  changed{flag}: " + "; ".join(parts)


def _kind(change: TpsChange) -> str:
    if not change.was_quarantined:
        return change.kind
    return f"{change.kind} (quarantined in {'NEW' if change.kind == 'removed' else 'OLD'})"


def _unknown(count: int) -> str:
    """A Markdown cell's note of the TPS whose status_suara one side lacks (the count beside it leaves them out)."""
    return f" (+{count} unknown)" if count else ""


def _added(p: PairDiff) -> str:
    return f"{p.added} ({p.added_after_quarantine} quarantined in OLD)" if p.added_after_quarantine else str(p.added)


def _removed(p: PairDiff) -> str:
    notes = ([f"{p.removed_in_quarantine} quarantined in NEW"] if p.removed_in_quarantine else []) + (
        [f"{p.removed_uncovered} not covered by NEW"] if p.removed_uncovered else [])
    return f"{p.removed} ({'; '.join(notes)})" if notes else str(p.removed)


def _provinces(codes: tuple[str, ...]) -> str:
    return ", ".join(codes) or "none"


def coverage_line(p: PairDiff) -> str:
    """Where OLD and NEW hold TPS in different provinces: which, and what that makes of TPS removed and added."""
    parts = [f"provinces with TPS differ: OLD {_provinces(p.provinces_old)}, NEW {_provinces(p.provinces_new)}"]
    if p.removed_uncovered:
        parts.append(f"{p.removed_uncovered} of the {p.removed} TPS removed are in provinces NEW holds no TPS in "
                     "(not covered rather than removed)")
    if p.added_uncovered:
        parts.append(f"{p.added_uncovered} of the {p.added} TPS added are in provinces OLD held none in (newly "
                     "covered)")
    common = set(p.provinces_old) & set(p.provinces_new)
    parts.append("each candidate's change is also given over the provinces both hold" if common else
                 "the two hold no province in common: no change is given over provinces both hold")
    return "; ".join(parts) + " / cakupan provinsi berbeda"


def _largest(level: dict[tuple[str, int], int]) -> list[tuple[str, int, int]]:
    return sorted(((k, n, d) for (k, n), d in level.items()), key=lambda r: (-abs(r[2]), r[0], r[1]))[:REGIONS_SHOWN]


def _pair_text(p: PairDiff) -> list[str]:
    out = [f"{p.kode_pemilu}: {p.old_snapshot} → {p.new_snapshot}"]
    if not p.differs:
        return out + [f"  no change: the {p.count_old} TPS are identical / tidak ada perubahan"] + [
            f"  {line}" for line in unreadable_lines(p)]
    out += [
        f"  TPS: {p.count_old} → {p.count_new}   added {_added(p)}   removed {_removed(p)}   changed {p.changed}   "
        f"unchanged {p.unchanged}",
        f"  votes changed at {p.votes_changed} TPS, {p.changed_after_complete} of them after status_suara was "
        "already true (changed-after-complete)" + (f", {p.after_complete_unknown} where OLD has no status_suara "
                                                   "(unknown)" if p.after_complete_unknown else ""),
        f"  status_suara false → true: {p.completed} TPS   true → false: {p.uncompleted} TPS"
        + (f"   unknown at {p.completion_unknown} changed TPS (no status_suara on a side)"
           if p.completion_unknown else ""),
    ]
    out += [f"  {line}" for line in unreadable_lines(p)]
    if p.coverage_differs:
        out.append(f"  {coverage_line(p)}")
    if p.candidates:
        out.append("  votes per candidate: old → new (change" + ("; over the provinces both hold)"
                                                                  if p.coverage_differs else ")"))
        for c in p.candidates:
            common = f"; {_common(c)}" if p.coverage_differs else ""
            old, new = _figure(c.old), _figure(c.new)
            out.append(f"    {c.nomor_urut:>3}  {old:>12} → {new:<12} ({_change(c.delta)}{common})")
    rows, marked = _regions(p)
    if rows:
        out.append("  regions whose totals changed (region/candidate change, largest first):")
        out += [f"    {name:<15} {up} up, {down} down: {shown}" for name, up, down, shown in rows]
        if marked:
            out.append(f"    {ONE_SIDE}")
    if p.fields:
        out.append(f"  fields changed (TPS): {_fields(p)}")
    if p.changed and not p.unchanged and p.fields.get("ts") == p.changed:
        # (review AM: a side without ts made every TPS both hold 'changed', if only in ts)
        out.append("  (ts differs at every TPS both hold: --ignore ts compares the rest)")
    total = p.added + p.removed + p.changed
    out.append(f"  TPS added, removed or changed ({len(p.examples)} of {total} listed):")
    out += [f"    {_tps_line(c)}" for c in p.examples]
    return out


#: What a ``*`` after a region's change means.
ONE_SIDE = "* in a province only one side holds TPS in: not covered there, rather than changed"


def _regions(p: PairDiff) -> tuple[list[tuple[str, int, int, str]], bool]:
    """Each level whose regions' totals changed: (level, regions up, down, the largest changes, ``*`` after one in a
    province only one side holds TPS in), and whether any is so marked."""
    one_side = set(p.provinces_old) ^ set(p.provinces_new)  # (a change there is coverage, not votes)
    rows, marked = [], False
    for name, level in p.regions.items():
        if not level:
            continue
        up = sum(1 for d in level.values() if d > 0)
        shown = []
        for k, n, d in _largest(level):
            star = "*" if k[:2] in one_side else ""
            marked = marked or bool(star)
            shown.append(f"{k}/{n} {_signed(d)}{star}")
        rows.append((name, up, len(level) - up, ", ".join(shown) + (" …" if len(level) > REGIONS_SHOWN else "")))
    return rows, marked


def _starred(text: str) -> str:
    """A table cell whose ``*`` marks show as stars, not as emphasis."""
    return md_cell(text).replace("*", "\\*")


def _fields(p: PairDiff) -> str:
    return ", ".join(f"{f} {n}" for f, n in sorted(p.fields.items()))


def _common(c: Candidate) -> str:
    if c.delta is None:
        return "∅"
    return "?" if c.delta_common is None else _signed(c.delta_common)


def unreadable_lines(p: PairDiff) -> list[str]:
    """A line for each side of the pair that holds no TPS because its sources' every record was quarantined."""
    return [f"{name} {day} holds no readable TPS: all {n} records of its sources were quarantined (see its "
            f"quarantine table), so it covers no province{what if other else ''} / semua rekaman {name} dikarantina"
            for name, day, n, other, what in (
                ("OLD", p.old_snapshot, p.unreadable_old, p.count_new, ": NEW's TPS were unreadable there, not new"),
                ("NEW", p.new_snapshot, p.unreadable_new, p.count_old, ": OLD's TPS are unreadable there, not gone"))
            if n]


def _only(result: DiffResult) -> list[str]:
    out = []
    unread = {(side, kode, day): n for side, kode, day, n in result.unreadable}
    for side, label, items in (("old", "only in OLD", result.only_old), ("new", "only in NEW", result.only_new)):
        for kode, snapshot, tps in items:
            n = unread.get((side, kode, snapshot))
            why = f": all {n} records of its sources were quarantined, none readable" if n else ""
            out.append(f"{kode}: snapshot {snapshot} {label} ({tps} TPS{why})")
    for label, items in (("only in OLD", result.areas_only_old), ("only in NEW", result.areas_only_new)):
        for kode, snapshot, areas in items:
            out.append(f"{kode}: published area totals of {snapshot} {label} ({areas} areas)")
    return out


def text(result: DiffResult) -> str:
    """For people at a terminal."""
    lines = [f"old: {one_line_text(result.old)}", f"new: {one_line_text(result.new)}"]  # (a label is a path: one line)
    if result.ignored:
        lines.append("ignored fields: " + ", ".join(result.ignored))
    if not (result.pairs or result.only_old or result.only_new or result.areas or result.areas_only_old
            or result.areas_only_new):
        lines.append("no per-TPS results or published area totals on either side / tidak ada hasil")
    for pair in result.pairs:
        lines += _pair_text(pair)
    for areas in result.areas:
        lines += _areas_text(areas)
    lines += _only(result)
    lines += [f"({note})" for note in quarantine_notes(result)]
    note = unpaired_note(result)
    if note:
        lines.append(f"({note})")
    return "\n".join(lines) + "\n"


def _areas_text(p: AreaDiff) -> list[str]:
    out = [f"{p.kode_pemilu}, published area totals (hasil_wilayah): {p.old_snapshot} → {p.new_snapshot}"]
    if not p.differs:
        return out + [f"  no change: the {p.count_old} areas are identical / tidak ada perubahan"]
    out.append(f"  areas: {p.count_old} → {p.count_new}   added {p.added}   removed {p.removed}   "
               f"changed {p.changed}   unchanged {p.unchanged}")
    if p.national:
        out.append("  national votes per candidate (area 0): old → new (change)")
        for n, old, new in p.national:
            change = "" if old is None or new is None else f" ({_signed(new - old)})"
            out.append(f"    {n:>3}  {_figure(old):>12} → {_figure(new):<12}{change}")
    if p.fields:
        out.append("  fields changed (areas): " + ", ".join(f"{f} {n}" for f, n in sorted(p.fields.items())))
    out.append(f"  areas added, removed or changed ({len(p.examples)} of {p.added + p.removed + p.changed} listed):")
    out += [f"    {_area_line(c)}" for c in p.examples]
    return out


def _figure(value: int | None) -> str:
    return "∅" if value is None else str(value)


def _area_line(change: AreaChange) -> str:
    if change.kind == "changed":
        return f"{_flat(change.kode_wilayah)}  changed: " + "; ".join(_field(f) for f in change.fields)
    votes = _flat("/".join(f.before or f.after or "∅" for f in change.fields if f.nomor_urut is not None)) or "∅"
    return f"{_flat(change.kode_wilayah)}  {change.kind}: votes {votes}"


#: What "quarantined in OLD" means.
QUARANTINED = ("quarantined in OLD: a TPS added whose record the OLD snapshot's sources held but quarantined "
               "(see its quarantine table): not new, unreadable there / sudah ada, dikarantina di OLD")
#: What "quarantined in NEW" means.
QUARANTINED_NEW = ("quarantined in NEW: a TPS removed whose record the NEW snapshot's sources held but quarantined "
                   "(see its quarantine table): not gone, unreadable there / masih ada, dikarantina di NEW")


def quarantine_notes(result: DiffResult) -> list[str]:
    """What "quarantined in OLD" and "in NEW" mean, where a pair says either."""
    return ([QUARANTINED] if any(p.added_after_quarantine for p in result.pairs) else []) + (
        [QUARANTINED_NEW] if any(p.removed_in_quarantine for p in result.pairs) else [])


def notes(result: DiffResult) -> list[str]:
    """What the CSV format, which holds changed fields only, says on stderr."""
    found = [(p, p.added_after_quarantine) for p in result.pairs if p.added_after_quarantine]
    out = [f"{p.kode_pemilu} {p.old_snapshot} → {p.new_snapshot}: {n} of the {p.added} TPS added were "
           "quarantined in OLD" for p, n in found]
    out += [QUARANTINED] if found else []
    gone = [(p, p.removed_in_quarantine) for p in result.pairs if p.removed_in_quarantine]
    out += [f"{p.kode_pemilu} {p.old_snapshot} → {p.new_snapshot}: {n} of the {p.removed} TPS removed were "
            "quarantined in NEW" for p, n in gone]
    out += [QUARANTINED_NEW] if gone else []
    out += [f"{p.kode_pemilu} {p.old_snapshot} → {p.new_snapshot}: {line}" for p in result.pairs
            for line in unreadable_lines(p)]
    out += [f"{p.kode_pemilu} {p.old_snapshot} → {p.new_snapshot}: {coverage_line(p)}" for p in result.pairs
            if p.coverage_differs]
    changed = sum(a.added + a.removed + a.changed for a in result.areas)
    if changed:
        out.append(f"published area totals differ too ({changed} areas added, removed or changed): the CSV holds "
                   "per-TPS fields only; --format json or text lists them")
    note = unpaired_note(result)
    return out + ([note] if note else [])


def unpaired_note(result: DiffResult) -> str | None:
    """Why snapshots were left unpaired, and what would pair them (None when nothing is left so)."""
    old = {kode for kode, _, _ in result.only_old}
    new = {kode for kode, _, _ in result.only_new}
    if old & new:
        return ("snapshots are paired by id when a side holds several: to compare two different days, pick one on "
                "each side with PATH@SNAPSHOT")
    if old and new:  # (PATH@SNAPSHOT would not help: only one election's snapshots are ever compared)
        return (f"nothing compared: OLD holds {', '.join(sorted(old))}, NEW {', '.join(sorted(new))}, and only "
                "snapshots of one election are compared / pemilu berbeda tidak dibandingkan")
    return None



def _code_span(label: str) -> str:
    """A side's label as one Markdown code span on one line, whatever backticks it holds."""
    label = one_line_text(label)
    if "`" not in label:
        return f"`{label}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", label)) + 1)
    return f"{fence} {label} {fence}"


def markdown(result: DiffResult) -> str:
    """A CI step summary or an issue comment."""
    lines = ["## releasekit diff", "", f"- old: {_code_span(result.old)}", f"- new: {_code_span(result.new)}"]
    if result.ignored:
        lines.append("- ignored fields: " + ", ".join(f"`{f}`" for f in result.ignored))
    if result.pairs or not result.areas:
        lines += ["", "| election | old → new | TPS old | TPS new | added | removed | changed | votes changed | "
                  "changed after complete | status_suara false → true | status_suara true → false |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in result.pairs:
        lines.append(f"| {p.kode_pemilu} | {p.old_snapshot} → {p.new_snapshot} | {p.count_old} | {p.count_new} | "
                     f"{_added(p)} | {_removed(p)} | {p.changed} | {p.votes_changed} | {p.changed_after_complete}"
                     f"{_unknown(p.after_complete_unknown)} | {p.completed}{_unknown(p.completion_unknown)} | "
                     f"{p.uncompleted}{_unknown(p.completion_unknown)} |")
    for p in result.pairs:
        if not p.differs:
            continue
        lines += ["", f"### {p.kode_pemilu}: {p.old_snapshot} → {p.new_snapshot}", ""]
        lines += [line for text_ in unreadable_lines(p) for line in (md_cell(text_), "")]
        if p.coverage_differs:
            lines += [md_cell(coverage_line(p)), ""]
        common = " change over the provinces both hold |" if p.coverage_differs else ""
        lines += [f"| candidate | old | new | change |{common}", "|---:|---:|---:|---:|" + "---:|" * bool(common)]
        lines += [f"| {c.nomor_urut} | {'' if c.old is None else c.old} | {'' if c.new is None else c.new} | "
                  f"{'' if c.delta is None else _signed(c.delta)} |"
                  + (f" {'' if c.delta is None else _common(c)} |" if common else "") for c in p.candidates]
        rows, marked = _regions(p)
        if rows:
            lines += ["", "Regions whose totals changed (region/candidate change, largest first):", "",
                      "| level | up | down | largest changes |", "|---|---:|---:|---|"]
            lines += [f"| {name} | {up} | {down} | {_starred(shown)} |" for name, up, down, shown in rows]
            lines += ["", _starred(ONE_SIDE)] if marked else []
        if p.fields:
            lines += ["", f"Fields changed (TPS): {md_cell(_fields(p))}"]
        if p.examples:
            lines += ["", f"{len(p.examples)} of {p.added + p.removed + p.changed} TPS added, removed or changed:", "",
                      "| kode_tps | kind | changes |", "|---|---|---|"]
            lines += [f"| `{c.kode_tps}` | {_kind(c)} | {md_cell(_tps_line(c).split(': ', 1)[-1])} |"
                      for c in p.examples]
    for a in result.areas:
        lines += ["", f"### {a.kode_pemilu}, published area totals: {a.old_snapshot} → {a.new_snapshot}", "",
                  "| areas old | areas new | added | removed | changed |", "|---:|---:|---:|---:|---:|",
                  f"| {a.count_old} | {a.count_new} | {a.added} | {a.removed} | {a.changed} |"]
        if a.national:
            lines += ["", "| candidate (national) | old | new | change |", "|---:|---:|---:|---:|"]
            lines += [f"| {n} | {'' if old is None else old} | {'' if new is None else new} | "
                      f"{'' if old is None or new is None else _signed(new - old)} |" for n, old, new in a.national]
        if a.examples:
            lines += ["", f"{len(a.examples)} of {a.added + a.removed + a.changed} changed areas:", "",
                      "| kode_wilayah | kind | changes |", "|---|---|---|"]
            lines += [f"| `{c.kode_wilayah}` | {c.kind} | {md_cell(_area_line(c).split(': ', 1)[-1])} |"
                      for c in a.examples]
    only = _only(result)
    if only:
        lines += [""] + [f"- {line}" for line in only]
    for note in quarantine_notes(result):
        lines += ["", note]
    return "\n".join(lines) + "\n"


def render(result: DiffResult, fmt: str) -> str:
    """Render as ``text``, ``json`` or ``markdown`` (``csv`` streams through :class:`CsvChanges`).

    Values come from whatever package was given: any NIK-like value is masked on the way out.

    :param result: what :func:`~releasekit.diff.diff` found.
    :param fmt: ``text``, ``json`` or ``markdown``.
    :raises UsageError: ``fmt`` is none of them.
    """
    if fmt not in ("text", "json", "markdown"):
        raise UsageError(f"format {fmt!r}: a diff renders as text, json or markdown (csv streams through CsvChanges)",
                         hint=did_you_mean(fmt, FORMATS) + "give one of them")
    if fmt == "json":  # (each text masked before JSON escapes its line breaks: 'NIK 32010145\\n01900001' hides one)
        return mask_niks(json_text(_masked(to_dict(result))))
    if fmt == "markdown":
        return mask_niks(markdown(result))
    # Line by line: a line ending in a figure, the line break and the next line's indent, then a 13-digit TPS code
    # read as a NIK spread over 16 digits (``166`` + ``1101012001003``), and the code was masked (review BQ M1). A
    # value's own line breaks are spaces in the text (:func:`_flat`), or escaped after masking (:func:`_value`).
    return "\n".join(map(mask_niks, text(result).split("\n")))


def _masked(value: Any) -> Any:
    """``value`` (what :func:`to_dict` gives) with every text in it, keys too, masked (:func:`mask_niks`)."""
    if isinstance(value, str):
        return mask_niks(value)
    if isinstance(value, dict):
        return {_masked(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


class CsvChanges:
    """Writes every changed field as it is found, in the ``changes`` table's columns.

    A national diff can list millions of fields, so lines are formatted directly (the
    ``csv`` module only for a line whose values need quoting) and go out in blocks of
    about :attr:`BLOCK` characters, each screened for NIK-like values in one pass: use it
    in a ``with`` block, or call :meth:`flush` at the end, to write out the last block::

        with open("changes.csv", "w", encoding="utf-8", newline="") as out, CsvChanges(out) as stream:
            diff("2024-02-15", "2024-02-20", on_change=stream, limit=0)
    """

    BLOCK = 1 << 20
    COMMAS = len(CHANGES.columns) - 1

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lines = [",".join(CHANGES.columns) + "\n"]
        self.size = 0
        self.quoted = io.StringIO()
        self.writer = csv.writer(self.quoted, lineterminator="\n")

    def _quote(self, row: tuple[object, ...]) -> str:
        self.quoted.seek(0)
        self.quoted.truncate()
        self.writer.writerow(row)
        return self.quoted.getvalue()

    def __call__(self, pair: PairDiff, change: TpsChange) -> None:
        was = "" if change.was_complete is None else int(change.was_complete)
        head = f"{pair.kode_pemilu},{pair.new_snapshot},{change.kode_tps},"
        mid = f",{pair.old_snapshot},"
        tail = f",{was},{change.source}\n"
        for f in change.fields:
            delta = f.delta
            line = (f"{head}{f.field}{mid}{'' if f.nomor_urut is None else f.nomor_urut},{f.kind},{f.before or ''},"
                    f"{f.after or ''},{'' if delta is None else delta}{tail}")
            if line.count(",") != self.COMMAS or '"' in line or "\r" in line or line.index("\n") != len(line) - 1:
                line = self._quote((pair.kode_pemilu, pair.new_snapshot, change.kode_tps, f.field, pair.old_snapshot,
                                    f.nomor_urut, f.kind, f.before, f.after, delta, was, change.source))
            self.lines.append(line)
            self.size += len(line)
        if self.size > self.BLOCK:
            self.flush()

    def __enter__(self) -> CsvChanges:
        return self

    def __exit__(self, *exc: object) -> None:
        """Writes out the last block (review AY #2: a caller who did not know to flush got a CSV cut at the last
        full block, or only its header)."""
        self.flush()

    def flush(self) -> None:
        """Write out what is buffered."""
        self.out.write(mask_niks("".join(self.lines)))
        self.lines.clear()
        self.size = 0
