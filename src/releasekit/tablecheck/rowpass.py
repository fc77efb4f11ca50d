"""One resource's pass over its rows: blocks through the expression, other records one by one."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..keycheck import DistinctKeys, KeyIndex, increasing, integer_order, key_cells, key_text, runs_collapsed
from ..piigate import may_hold_nik, nik_line_offsets
from ..privacy import record_niks
from ..report import Problem, pii_problem
from .fields import NAN_TEXTS, FieldRule, ResourceCheck, cell_expression, key_text_of
from .layout import Layout, View, blank_key, small_target
from .text import STRAY_CR, UNDECODABLE, labels_of, parsed, record_end, records_from, rejoin

if TYPE_CHECKING:
    from .checker import Checker

#: Characters read at a time: a block of whole lines is checked by one ``findall``.
CHUNK = 1 << 20
Key = Any  # one canonical string, or a tuple of them ("" = missing)
#: The most keys the line-by-line path holds before handing them on (:meth:`RowPass._flush`).
PENDING = 1 << 14


def _missing(key: Key) -> bool:
    return key == "" if isinstance(key, str) else all(k == "" for k in key)


class Translated:
    """A foreign key's target holding keys of another kind (integers, for boolean cells): each key asked of it is
    translated first (:func:`~.fields.key_translation`), and one that equals no key of that kind is missing."""

    def __init__(self, index: KeyIndex | None, translate: Callable[[str], str | None]) -> None:
        self.index, self.translate = index, translate

    def missing(self, keys: Collection[str], ordered: bool | None = None) -> set[str]:
        """The keys (as asked) whose translation is not in the target, or that have none."""
        asked: dict[str, list[str]] = {}
        lost: set[str] = set()
        for key in keys:
            found = self.translate(key)
            if found is None:
                lost.add(key)
            else:
                asked.setdefault(found, []).append(key)
        gone = set(asked) if self.index is None else self.index.missing(sorted(asked), True)
        return lost.union(*(asked[found] for found in gone))


def _target(index: KeyIndex | None, translate: Callable[[str], str | None] | None) -> KeyIndex | Translated | None:
    """A foreign key's target as its keys are looked up: the index itself, or translated (see :class:`Translated`)."""
    return index if translate is None else Translated(index, translate)


def _blank(cells: list[str], fields: int) -> bool:
    """Whether a record is a blank row: every cell of the ``fields`` read empty, as Frictionless has it (cells past
    them are not looked at)."""
    return not any(cells[:fields])


def _cell(cells: list[str], field: FieldRule) -> str:
    """The text of ``field`` in a record's ``cells`` (a missing cell is read as missing)."""
    return cells[field.number - 1] if field.number <= len(cells) else ""


def _key_cell(cells: list[str], field: FieldRule) -> str:
    """A key cell's canonical text, as :meth:`RowPass.slow` gives it ("" = missing, or not read as the type)."""
    text = _cell(cells, field)
    return key_text_of(field.check(text)[0], text)


class RowPass:
    """One resource's pass over its rows (:meth:`run`): its block expression, exact checks of the other records,
    key checks, and the keys it hands to other resources; problems go to the :class:`Checker`."""

    def __init__(self, checker: Checker, check: ResourceCheck, wanted: list[tuple[str, ...]]) -> None:
        self.checker, self.check = checker, check
        index = check.index

        def view(names: Iterable[str]) -> View:
            return tuple(index[n] for n in names)

        def present(names: Iterable[str]) -> bool:
            return all(n in index for n in names)

        self.pk: View = check.primary_key
        self.numbers = frozenset(i for i, f in enumerate(check.fields) if f.type == "number")
        integers = [p for p, i in enumerate(self.pk) if check.fields[i].type == "integer"]
        self.distinct = DistinctKeys(integer_order(integers, len(self.pk))) if self.pk else None
        self.pk_blank = blank_key(self.pk)
        self.pk_nullable = any(not check.fields[i].required for i in self.pk)
        self.collect = [(view(fields), checker.keys.setdefault((check.name, fields), KeyIndex()))
                        for fields in wanted if present(fields)]
        self.fks: list[tuple[View, dict[str, Any], KeyIndex | Translated | None]] = []
        self.deferred: list[tuple[View, KeyIndex]] = []  # keys asked of a resource still being checked
        # Keys are text; a target this resource fills itself must see the rows before each lookup.
        own = {id(target) for _, target in self.collect}
        self.fills_target = False
        # (a reference to the resource by its own name is one to itself: looked up once every key is known)
        own_name = {"", check.name}
        for fk, translate in zip(check.foreign_keys, check.translations, strict=True):
            into = fk["reference"]["resource"]
            if into not in own_name and into not in checker.unread and present(fk["fields"]):
                target = (into, tuple(fk["reference"]["fields"]))
                if target in checker.deferred:  # (never one translated: Checker._aside)
                    self.deferred.append((view(fk["fields"]), checker.asked.setdefault(target, KeyIndex())))
                else:
                    keys = checker.keys.get(target)
                    self.fills_target |= id(keys) in own
                    self.fks.append((view(fk["fields"]), fk, _target(keys, translate)))
        self.self_fks = [(view(fk["fields"]), fk, translate)
                         for fk, translate in zip(check.foreign_keys, check.translations, strict=True)
                         if fk["reference"]["resource"] in own_name and present(fk["fields"])]
        self.self_refs: list[tuple[int, str, int]] = []
        # Unique fields need an index of their values (rare: releasekit's own schemas use primary keys).
        self.unique: list[tuple[int, str, dict[int, int]]] = [
            (f.number - 1, f.name, {}) for f in check.fields if f.unique]
        # Keys the line-by-line path found, handed on in file order before the next block's.
        self.pending_pk: list[str] = []
        self.held = 0  # records whose keys are pending
        self.pk_ordered: bool | None = None
        self.lines_matched = 0
        #: The last row checked.
        self.last_row = 1
        self.pending: list[list[str]] = [[] for _ in self.collect]
        self.pending_asked: list[list[str]] = [[] for _ in self.deferred]
        cells = self._embed_small_targets()
        views = [self.pk] if self.pk else []
        views += [v for v, _ in self.collect] + [v for n, (v, _, _) in enumerate(self.fks) if n not in self.embedded]
        views += [v for v, _, _ in self.self_fks] + [(i,) for i, _, _ in self.unique] + [v for v, _ in self.deferred]
        checked = [i for n, (v, _, _) in enumerate(self.fks) if n in self.embedded for i in v]  # not captured
        self.layout = Layout(check.fields, [v for v in views if v], cells, checked)
        self.line = self.layout.line(check.fields)

    def _embed_small_targets(self) -> dict[int, str]:
        """Cell expressions for foreign keys into a handful of keys, which the block expression then checks."""
        allowed: dict[int, set[str]] = {}
        self.embedded: set[int] = set()
        for n, (view, _, target) in enumerate(self.fks):
            values = None if isinstance(target, Translated) else small_target(view, target, self.check.fields)
            if values is None:
                continue
            self.embedded.add(n)
            for column, accepted in values.items():
                allowed[column] = allowed[column] & accepted if column in allowed else accepted
        cells = {}
        for column, accepted in allowed.items():
            field = self.check.fields[column]
            assert field.core is not None
            valid = sorted((v for v in accepted if field.core.fullmatch(v)), key=lambda v: (-len(v), v))
            body = "|".join(map(re.escape, valid)) or "(?!)"
            cells[column] = cell_expression(body, field.required)
        return cells

    def run(self) -> None:
        """Read the resource in blocks of whole lines (LF or CRLF); a carriage return alone sends the rest of the file
        line by line, ended where a CSV reader ends them (:func:`~.text.rejoin`).

        Reading stops after the row (or the block) at which the resource reaches the error limit
        (:meth:`Checker.open`); see :meth:`at_limit`.
        """
        check = self.check
        with check.path.open(encoding="utf-8", errors=UNDECODABLE, newline="") as handle:
            header = handle.readline()
            labels = labels_of(header)
            if labels:  # (a blank first line: Frictionless checks no label, as it reads none)
                self._labels(labels)
            self.pii(1, labels, header)  # a header is published too
            if not self.checker.open(check.name):
                return
            row, text, searched = 2, "", 0  # searched: text[:searched] holds no carriage return alone
            opened: list[str] = []  # the lines read so far of a record whose quoted cell goes on past them
            while data := handle.read(CHUNK):
                text += data
                if text.find("\r", searched) >= 0 and STRAY_CR.search(text, searched):
                    break  # (CRLF line ends are read in blocks: plain() reads them as LF)
                searched = max(len(text) - 1, 0)  # (a last CR may be a CRLF's)
                cut = text.rfind("\n") + 1
                if not cut:
                    continue
                start = 0
                if opened:  # (its new lines alone are read: linear however long the record)
                    start = record_end(text, 0, cut, inside=True)
                    if start < 0:
                        opened.append(text[:cut])
                        text, searched = text[cut:], max(len(text) - cut - 1, 0)
                        continue
                    record = "".join(opened) + text[:start]
                    opened.clear()
                    if not self.record(row, record, parsed(record)):
                        return self.at_limit()
                    row += 1
                done = self._region(text, start, cut, row)
                if done is None:
                    return self.at_limit()
                used, row = done
                if used < cut:  # a quoted cell goes on past the last line
                    opened.append(text[used:cut])
                    used = cut
                text, searched = text[used:], max(len(text) - used - 1, 0)
            for number, line, cells in records_from(rejoin("".join(opened) + text, handle), row - 1):
                if not self.record(number, line, cells):
                    return self.at_limit()
        self.finish()

    def at_limit(self) -> None:
        """The resource reached the error limit at row :attr:`last_row`: the keys read line by line are handed on
        (lookups a second process deferred among them), and the duplicates of its primary key up to there, which
        frictionless finds row by row and this pass only at the end, are reported (the checker then keeps the
        first problems in row order). References to its own rows are looked up once its keys are read whole
        (:meth:`Checker.read_keys_whole`), as frictionless looks them up row by row in the whole file's keys.
        """
        self._flush()
        if self.self_refs:
            self.checker.read_keys_whole(self.check.name)
            self._self_lookups()
        if self.distinct is not None and not self.distinct.proven:
            self.primary_key_pass(until=self.last_row)

    def _region(self, text: str, pos: int, stop: int, row: int) -> tuple[int, int] | None:
        """Check the whole lines of ``text[pos:stop]`` (row ``row`` first): plain stretches as blocks, quoted records
        alone.

        Returns where the lines used end (the start of a quoted record that goes on past ``stop``, or ``stop``) and
        the next row number; None once the error limit is reached.
        """
        while pos < stop:
            quote = text.find('"', pos, stop)
            newline = text.rfind("\n", pos, quote) if quote >= 0 else stop - 1
            if newline >= pos:  # whole plain lines before the quoted record (or to the end)
                checked = self.plain(text[pos:newline + 1], row)
                if checked is None:
                    return None
                row += checked
                pos = newline + 1
            if quote < 0:
                break
            end = record_end(text, pos, stop)
            if end < 0:
                break
            record = text[pos:end]
            if not self.record(row, record, parsed(record)):
                return None
            row, pos = row + 1, end
        return pos, row

    #: The steps of :meth:`block`, in order (benchmarks time each one).
    BLOCK_STEPS = ("_block_match", "_block_pii", "_block_primary_key", "_block_unique", "_block_collect",
                   "_block_foreign_keys", "_block_self_refs")

    def plain(self, chunk: str, first_row: int) -> int | None:
        """Check whole plain lines (no quotes): as one block if it can, else line by line.

        Returns how many lines were checked; None once the error limit is reached.
        """
        if "\r" in chunk:  # CRLF line ends (no cell of a plain line holds one; a lone CR never reaches here)
            chunk = chunk.replace("\r\n", "\n")
        checked = self.block(chunk, first_row)
        if checked is not None:
            return checked if self.checker.open(self.check.name) else None
        lines = chunk.split("\n")[:-1]
        return len(lines) if self.lines(lines, first_row) else None

    def block(self, chunk: str, first_row: int) -> int | None:
        """Check a block of plain lines in a few C-level calls: its line count, or None for the line-by-line path."""
        if self.check.python_fields:
            return None
        columns = self._block_match(chunk)
        if columns is None:
            return None
        pk_keys = self.layout.keys(columns, self.pk) if self.pk else ()
        if self.pk_nullable and self.pk_blank in pk_keys:
            return None  # the line-by-line path reports the missing key
        self._flush()
        self._block_pii(chunk, first_row)
        self._block_primary_key(pk_keys)
        self._block_unique(columns, first_row)
        self._block_collect(columns)
        self._block_foreign_keys(columns, first_row)
        self._block_self_refs(columns, first_row)
        self.last_row = first_row + self.lines_matched - 1
        return self.lines_matched

    def _block_match(self, chunk: str) -> Sequence[Sequence[str]] | None:
        """Every cell checked and every key column captured, in one ``findall``; None when a line is not plain."""
        rows = self.layout.match(chunk)
        if rows is None:
            return None
        self.lines_matched = len(rows)
        return self.layout.columns(rows)

    def _block_pii(self, chunk: str, first_row: int) -> None:
        # nik_line_offsets screens the bytes at C speed and searches only the lines it picks (pii() reports every NIK
        # of a line); the chunk is split into lines only when one holds a NIK.
        data = chunk.encode()
        lines: list[str] = []
        for offset in nik_line_offsets(data, len(data)):
            lines = lines or chunk.split("\n")
            self.pii(first_row + offset, lines[offset].split(","), lines[offset])

    def _block_primary_key(self, keys: Sequence[str]) -> None:
        self.pk_ordered = increasing(keys) if self.pk else None  # also tells the key index on the same columns
        if self.distinct is not None:
            self.distinct.add(keys, self.pk_ordered)

    def _block_unique(self, columns: Sequence[Sequence[str]], first_row: int) -> None:
        for i, name, seen in self.unique:
            for offset, value in enumerate(self.layout.keys(columns, (i,))):
                self._unique(first_row + offset, value, name, seen)

    def _block_collect(self, columns: Sequence[Sequence[str]]) -> None:
        for view, target in self.collect:
            target.add(self.layout.keys(columns, view), self.pk_ordered if view == self.pk else None)

    def _block_foreign_keys(self, columns: Sequence[Sequence[str]], first_row: int) -> None:
        """Each foreign key's distinct keys looked up at once; dangling ones reported in row order, all of them,
        past the error limit too (as every other check of the block is: the checker cuts in row order)."""
        dangling: list[tuple[int, int, str]] = []
        for n, (view, _, target) in enumerate(self.fks):
            if n in self.embedded:
                continue
            keys = self.layout.keys(columns, view)
            asked, ordered = self._asked(keys, view)
            lost = set(asked) if target is None else target.missing(asked, ordered)
            if lost:
                dangling += [(offset, n, key) for offset, key in enumerate(keys) if key in lost]
        for offset, n, key in sorted(dangling):
            self.fk_problem(first_row + offset, key, self.fks[n][1])
        for view, index in self.deferred:  # looked up at the end, when the target is known
            index.add(*self._asked(self.layout.keys(columns, view), view))

    def _asked(self, keys: Sequence[str], view: View) -> tuple[Sequence[str], bool | None]:
        """A block's keys to look up, and True when they increase (None: not known to).

        Keys that increase are distinct already; else repeats sit side by side, in file (key) order,
        and are asked once. A key whose cells may all be missing is not asked when they are (a
        required cell is never empty in a block).
        """
        ordered = increasing(keys)
        asked = keys if ordered else runs_collapsed(keys)
        if not all(self.check.fields[i].required for i in view):
            blank = blank_key(view)
            asked = [k for k in asked if k != blank]
        return asked, ordered or None

    def _block_self_refs(self, columns: Sequence[Sequence[str]], first_row: int) -> None:
        for n, (view, _, _) in enumerate(self.self_fks):
            blank = blank_key(view)
            self.self_refs += [(first_row + offset, key, n)
                               for offset, key in enumerate(self.layout.keys(columns, view)) if key != blank]

    def _flush(self) -> None:
        """Hand on the keys the line-by-line path collected since the last block."""
        self.held = 0
        if self.pending_pk:
            assert self.distinct is not None
            self.distinct.add(self.pending_pk)
            self.pending_pk = []
        for n, (_, target) in enumerate(self.collect):
            if self.pending[n]:
                target.add(self.pending[n])
                self.pending[n] = []
        for n, (_, asked) in enumerate(self.deferred):
            if self.pending_asked[n]:
                asked.add(self.pending_asked[n])
                self.pending_asked[n] = []

    def lines(self, lines: list[str], first_row: int) -> bool:
        """The line-by-line path for plain lines (no quotes); False once the error limit is reached."""
        return all(self.record(first_row + offset, line) for offset, line in enumerate(lines))

    def record(self, number: int, text: str, cells: list[str] | None = None) -> bool:
        """Check one record exactly: a plain line (``cells`` None), or a quoted record's text and parsed cells; False
        once the error limit is reached."""
        check, checker = self.check, self.checker
        self.last_row = number
        values: tuple[str, ...] | None
        if may_hold_nik(text):
            self.pii(number, parsed(text) if cells is None else cells, text)
        if cells is None:
            match = self.line.fullmatch(text)
            values = match.groups() if match is not None else None
            if values is not None and check.python_fields:
                values = values if check.exact(values) else None
            if values is None:
                values = self.slow(number, parsed(text))
        else:
            values = self.slow(number, cells)
        if self.pk:
            key = key_text([values[i] for i in self.pk]) if values is not None else self.pk_blank
            if key == self.pk_blank:
                checker.add(Problem("primary-key", 'cells composing the primary keys are all "None"',
                                    resource=check.name, row=number))
            elif not self._nan(values, self.pk):  # (a key holding NaN repeats none: NaN equals nothing)
                self.pending_pk.append(key)
        if values is None:
            return checker.open(check.name)
        for i, name, seen in self.unique:
            if not self._nan(values, (i,)):
                self._unique(number, values[i], name, seen)
        for n, (view, _) in enumerate(self.collect):
            if not self._nan(values, view):  # (no foreign key finds it)
                self.pending[n].append(key_text([values[i] for i in view]))
        if self.fills_target:
            self._flush()
        for view, fk, target in self.fks:
            key = key_text([values[i] for i in view])
            if key != blank_key(view) and (target is None or target.missing((key,))):
                self.fk_problem(number, key, fk)  # (the row is read to its end: the limit keeps its problems in order)
        for n, (view, _, _) in enumerate(self.self_fks):
            key = key_text([values[i] for i in view])
            if key != blank_key(view):
                self.self_refs.append((number, key, n))
        for n, (view, _) in enumerate(self.deferred):
            key = key_text([values[i] for i in view])
            if key != blank_key(view):
                self.pending_asked[n].append(key)
        self.held += 1
        if self.held >= PENDING:
            self._flush()  # (a file read line by line to its end: its keys are handed on as it goes, not held)
        return checker.open(check.name)

    def _nan(self, values: Sequence[str] | None, view: View) -> bool:
        """Whether a key of the record's ``values`` holds a NaN number (only the line-by-line path reads one)."""
        return values is not None and any(values[i] in NAN_TEXTS for i in view if i in self.numbers)

    def _unique(self, number: int, value: str, name: str, seen: dict[int, int]) -> None:
        if value == "":
            return
        digest = hash(value)
        if digest in seen:
            self.checker.add(Problem("unique-error", f"the same as in the row at position {seen[digest]}",
                                     resource=self.check.name, row=number, field=name))
        else:
            seen[digest] = number

    def finish(self) -> None:
        """Self-references (checked once every key is known) and, for keys not proven unique, the key index."""
        self._flush()
        self._self_lookups()
        if self.distinct is not None and not self.distinct.proven:
            self.primary_key_pass()

    def _self_lookups(self) -> None:
        """Report the references to its own rows that no row's key matches."""
        name = self.check.name
        lost = []
        for _, fk, translate in self.self_fks:
            target = _target(self.checker.keys.get((name, tuple(fk["reference"]["fields"]))), translate)
            refs = {key for _, key, n in self.self_refs if self.self_fks[n][1] is fk}
            lost.append(refs if target is None else target.missing(refs))
        for number, key, n in self.self_refs:
            if key in lost[n]:
                self.fk_problem(number, key, self.self_fks[n][1])

    def _labels(self, labels: list[str]) -> None:
        """The header's problems, as Frictionless finds them and in its order: extra labels, missing ones, then each
        labelled field's label blank, a repeat of an earlier one, or not its name."""
        check, add = self.check, self.checker.add
        expected = check.labels
        for position, label in enumerate(labels[len(expected):], start=len(expected) + 1):
            add(Problem("extra-label", f'"{label}" at position "{position}"', resource=check.name, field=""))
        for name in expected[len(labels):]:
            add(Problem("missing-label", f'"{name}"', resource=check.name, field=name))
        for i, (label, name) in enumerate(zip(labels, expected, strict=False), start=1):
            before = [str(n) for n, seen in enumerate(labels[:i - 1], start=1) if seen == label]
            if not label:
                add(Problem("blank-label", f'Label in the header in field at position "{i}" is blank',
                            resource=check.name, field=name))
            elif before:
                add(Problem("duplicate-label", f'at position "{", ".join(before)}"', resource=check.name, field=name))
            elif label != name:
                add(Problem("incorrect-label", f'"{label}" expected "{name}"', resource=check.name, field=name))

    def pii(self, number: int, cells: list[str], text: str = "") -> None:
        """The PII gate on one record (the header included): each NIK-like cell named by its field, or the record
        when only its ``text`` holds one (:func:`~releasekit.privacy.record_niks`)."""
        fields = self.check.fields
        for i in record_niks(text, cells):
            field = None if i is None else fields[i].name if i < len(fields) else f"column {i + 1}"
            self.checker.add(pii_problem(self.check.name, number, field))

    def slow(self, number: int, cells: list[str], quiet: bool = False) -> tuple[str, ...] | None:
        """Frictionless's rules cell by cell; returns canonical key text ("" = missing), None for a blank row."""
        check = self.check
        add = (lambda problem: True) if quiet else self.checker.add
        if _blank(cells, len(check.fields)):
            add(Problem("blank-row", "", resource=check.name, row=number))
            return None
        out = []
        for f in check.fields:  # in Frictionless's order: each cell's type and constraints, extra cells, missing ones
            text = _cell(cells, f)
            value, errors = f.check(text)
            for kind, note in errors:
                add(Problem(kind, note, resource=check.name, row=number, field=f.name))
            out.append(key_text_of(value, text))
        for position in range(len(check.fields) + 1, len(cells) + 1):
            add(Problem("extra-cell", f"column {position}", resource=check.name, row=number, field=""))
        for f in check.fields[len(cells):]:
            add(Problem("missing-cell", "", resource=check.name, row=number, field=f.name))
        return tuple(out)

    def fk_problem(self, number: int, key: str, fk: dict[str, Any]) -> bool:
        """Report a key not found in the resource a foreign key points at; False once the error limit is reached."""
        name = self.check.name
        target = fk["reference"]["resource"] or name
        note = (f'for "{", ".join(fk["fields"])}": values "{", ".join(key_cells(key))}" not found in '
                f'the lookup table "{target}" as "{", ".join(fk["reference"]["fields"])}"')
        return self.checker.add(Problem("foreign-key", note, resource=name, row=number))

    def primary_key_pass(self, until: int | None = None) -> None:
        """A file whose keys could not be proven unique in order: index every key to find the duplicates (in rows up
        to ``until`` only, all of them, when the resource stopped at the error limit there)."""
        check, checker = self.check, self.checker
        fields = [check.fields[i] for i in check.primary_key]
        seen: dict[int, int] = {}
        # The first pass's problems of later rows count toward the limit only once this pass reaches their rows (it
        # stopped at the limit they made, and the checker then kept those later rows' problems in place of these).
        earlier = checker.problem_rows(check.name) if until is None else []
        found = 0
        with check.path.open(encoding="utf-8", errors="replace", newline="") as handle:  # bad bytes: reported
            for number, line, cells in records_from(handle):
                if number == 1:
                    continue
                if until is not None and number > until:
                    return
                cells = parsed(line) if cells is None else cells
                if _blank(cells, len(check.fields)):  # (reported by the first pass, no key)
                    continue
                key = tuple(_key_cell(cells, f) for f in fields)  # (the key's cells alone are read: as slow() reads)
                if _missing(key) or any(f.type == "number" and k in NAN_TEXTS
                                        for f, k in zip(fields, key, strict=True)):
                    continue  # (a key holding NaN repeats none)
                digest = hash(key)
                if digest in seen:
                    checker.add(Problem("primary-key", f"the same as in the row at position {seen[digest]}",
                                        resource=check.name, row=number))
                    found += 1
                    if until is None and bisect_right(earlier, number) + found >= checker.limit:
                        return
                else:
                    seen[digest] = number
