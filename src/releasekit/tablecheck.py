"""A streaming Table Schema checker that reports what Frictionless reports, an order of magnitude faster.

It checks a package's CSV resources against their Table Schemas: ``hash`` and
``bytes``, header labels, row length (``extra-cell``/``missing-cell``), blank
rows, types, constraints (required, pattern, enum, minimum), primary keys and
foreign keys, in Frictionless's error types, row positions (header = row 1) and
notes; and, in the same pass, the PII gate (``pii-nik``, value never shown).

Why it is fast: every line is matched by one compiled regular expression built
from the schema, which accepts only cells that are certainly valid in their
canonical form: ``-?(0|[1-9][0-9]*)`` for an integer, the true/false values for
a boolean, the field's own pattern or enum for a constrained string, unquoted
text otherwise. A line it rejects (quoted cells, unusual but valid numbers such
as ``+7``, or a real error) takes the slow path, which applies Frictionless's
own casting rules cell by cell. Keys are handled as canonical text.

Memory stays flat: a primary key is proven unique by checking that rows come in
strictly increasing key order (releasekit writes them so); only a file out of
order is re-read with a key index. Foreign-key lookups keep 64-bit hashes of the
referenced keys (SipHash, randomised per process), not the keys themselves.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from .privacy import SIXTEEN, contains_nik
from .report import Problem

ERROR_LIMIT = 1000
CHUNK = 1 << 20
#: A bytes.translate table: ASCII digits become 1, every other byte 0.
DIGITS = bytes(1 if 48 <= c <= 57 else 0 for c in range(256))
SIXTEEN_DIGITS = b"\x01" * 16
PII_MESSAGE = "unmasked NIK-like value (16 digits: region code + birth date) / NIK tanpa sensor"
PLAIN = r'[^,"\r\n]'
Key = Any  # one canonical string, or a tuple of them ("" = missing)


class _Invalid(Exception):
    pass


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _Invalid from None


def _num(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise _Invalid from None


def _date(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise _Invalid from None


def _embeddable(pattern: str) -> str | None:
    """The pattern as a part of the line expression, or None when it might match across cells."""
    core = pattern.removeprefix("^").removesuffix("$")
    if any(token in core for token in (".", "\\S", "\\W", "\\D", "\\s", "[^", "\\(", ",", '"', "^", "$", "\\n")):
        return None
    core = re.sub(r"\((?!\?)", "(?:", core)
    try:
        return core if re.compile(core).groups == 0 else None
    except re.error:
        return None


@dataclass
class FieldRule:
    """One schema field, compiled: its part of the line expression and its exact (slow-path) checks."""

    name: str
    number: int
    type: str
    cast: Callable[[str], Any]
    required: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_text: str | None = None
    enum: list[Any] | None = None
    minimum: Any = None
    unique: bool = False
    fast: str = ""
    needs_python: bool = False

    def check(self, text: str) -> tuple[Any, tuple[str, str] | None]:
        """Cast one cell (missing = empty) and check its constraints: ``(value, (error type, note) | None)``."""
        if text == "":
            return None, ("constraint-error", 'constraint "required" is "True"') if self.required else None
        try:
            value = self.cast(text)
        except _Invalid:
            return None, ("type-error", f'type is "{self.type}/default"')
        if self.pattern is not None and not self.pattern.match(str(value)):
            return value, ("constraint-error", f'constraint "pattern" is "{self.pattern_text}"')
        if self.enum is not None and value not in self.enum:
            return value, ("constraint-error", f'constraint "enum" is "{self.enum}"')
        if self.minimum is not None and value < self.minimum:
            return value, ("constraint-error", f'constraint "minimum" is "{self.minimum}"')
        return value, None


def compile_field(descriptor: dict[str, Any], number: int) -> FieldRule:
    """Compile a Table Schema field descriptor."""
    kind = descriptor.get("type", "string")
    cons = descriptor.get("constraints", {})
    rule = FieldRule(descriptor["name"], number, kind, str, required=bool(cons.get("required")),
                     unique=bool(cons.get("unique")))
    if "pattern" in cons:
        rule.pattern_text, rule.pattern = cons["pattern"], re.compile(f"^{cons['pattern']}$")
    if "enum" in cons:
        rule.enum = list(cons["enum"])
    if "minimum" in cons:
        rule.minimum = cons["minimum"]
    if kind == "integer":
        rule.cast = _int
        rule.fast = {0: "0|[1-9][0-9]*", 1: "[1-9][0-9]*", None: "-?(?:0|[1-9][0-9]*)"}.get(rule.minimum, "")
        rule.needs_python = not rule.fast or rule.enum is not None or rule.pattern is not None
    elif kind == "number":
        rule.cast, rule.fast = _num, r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
        rule.needs_python = rule.minimum is not None or rule.enum is not None or rule.pattern is not None
    elif kind == "boolean":
        mapping = {**{v: True for v in descriptor.get("trueValues", ["true", "True", "TRUE", "1"])},
                   **{v: False for v in descriptor.get("falseValues", ["false", "False", "FALSE", "0"])}}

        def boolean(text: str) -> bool:
            if text not in mapping:
                raise _Invalid
            return mapping[text]

        rule.cast = boolean
        rule.fast = "|".join(re.escape(v) for v in sorted(mapping, key=len, reverse=True) if v)
    elif kind == "string" and descriptor.get("format", "default") == "default":
        embedded = _embeddable(rule.pattern_text) if rule.pattern_text else None
        if rule.enum is not None and rule.pattern is None:
            rule.fast = "|".join(re.escape(str(v)) for v in sorted(rule.enum, key=len, reverse=True) if v)
        elif embedded is not None and rule.enum is None:
            rule.fast = embedded
        else:
            rule.fast, rule.needs_python = PLAIN + "+", rule.pattern is not None or rule.enum is not None
    else:  # dates and other types are always checked exactly
        rule.cast = _date if kind == "date" else str
        rule.fast, rule.needs_python = PLAIN + "+", True
    rule.fast = f"(?:{rule.fast})" if rule.required else f"(?:{rule.fast})?"
    return rule


def _getter(indexes: tuple[int, ...]) -> Callable[[Any], Key]:
    return itemgetter(*indexes)


def _missing(key: Key) -> bool:
    return key == "" if isinstance(key, str) else all(k == "" for k in key)


def _order_function(check: ResourceCheck) -> Callable[[Key], Any]:
    """How to compare primary keys in file order; None from it means "cannot tell, index the keys"."""
    parts = check.int_key_parts
    if len(check.primary_key) == 1:
        if not parts:
            return lambda key: key or None
        return lambda key: (len(key), key) if key and key[0] != "-" else None

    def order(key: tuple[str, ...]) -> Any:
        if "" in key:
            return None
        if not parts:
            return key
        out = list(key)
        for p in parts:
            if key[p][0] == "-":
                return None
            out[p] = (len(key[p]), key[p])  # type: ignore[call-overload]
        return out

    return order


def _rejoin(carry: str, handle: Iterable[str]) -> Iterator[str]:
    """The lines of ``carry`` followed by the file's, the piece cut at the block boundary made whole again."""
    piece = ""
    for line in io.StringIO(carry, newline=""):
        if piece:
            line, piece = piece + line, ""
        if line.endswith("\n"):
            yield line
        else:
            piece = line
    for line in handle:
        if piece.endswith("\r") and not line.startswith("\n"):
            yield piece  # a line that really ended with a lone CR
            piece = ""
        if piece:
            line, piece = piece + line, ""
        if line.endswith("\r"):  # its "\n" may be the next line's first character
            piece = line
            continue
        yield line
    if piece:
        yield piece


def _records_from(lines: Iterable[str], number: int = 0) -> Iterator[tuple[int, str | list[str]]]:
    """Yield ``(row number, line or parsed cells)``: plain lines stay text, quoted records are parsed."""
    pending = ""
    for line in lines:
        if pending or '"' in line or line.endswith("\r\n"):
            pending += line
            if pending.count('"') % 2:
                continue  # a quoted cell goes on over the line end
            number += 1
            yield number, next(csv.reader([pending]), [])
            pending = ""
            continue
        number += 1
        yield number, line[:-1] if line.endswith("\n") else line
    if pending:
        number += 1
        yield number, next(csv.reader([pending]), [])


@dataclass
class ResourceCheck:
    """The compiled checks of one CSV resource."""

    name: str
    path: Path
    fields: list[FieldRule]
    primary_key: tuple[int, ...]
    foreign_keys: list[dict[str, Any]]

    def __post_init__(self) -> None:
        self.line = re.compile(",".join(f"({f.fast})" for f in self.fields))
        # A block of whole valid lines, matched in one call; possessive, so no backtracking state piles up.
        self.block = re.compile("(?:" + ",".join(f.fast for f in self.fields) + "\n)*+")
        self.python_fields = [f for f in self.fields if f.needs_python]
        self.index = {f.name: f.number - 1 for f in self.fields}
        # Integer key parts compare by (length, text): numeric order for canonical non-negative integers.
        self.int_key_parts = tuple(p for p, i in enumerate(self.primary_key) if self.fields[i].type == "integer")


class Checker:
    """Checks every CSV resource of one package; collects :class:`Problem` records."""

    def __init__(self, folder: Path, descriptor: dict[str, Any]) -> None:
        self.folder = folder
        self.descriptor = descriptor
        self.problems: list[Problem] = []
        self.keys: dict[tuple[str, tuple[str, ...]], set[int]] = {}
        self.counts: dict[str | None, int] = {}

    def run(self) -> list[Problem]:
        """Check every resource, referenced resources first."""
        wanted: dict[str, list[tuple[str, ...]]] = {}
        resources = [r for r in self.descriptor.get("resources", []) if isinstance(r, dict)]
        for res in resources:
            for fk in (res.get("schema") or {}).get("foreignKeys", []):
                target = fk["reference"]["resource"] or res["name"]
                wanted.setdefault(target, []).append(tuple(fk["reference"]["fields"]))
        for res in _dependency_order(resources):
            self._resource(res, wanted.get(res.get("name", ""), []))
        return self.problems

    def _add(self, problem: Problem) -> bool:
        """Record a problem; False once the resource has :data:`ERROR_LIMIT` of them."""
        self.problems.append(problem)
        self.counts[problem.resource] = self.counts.get(problem.resource, 0) + 1
        return self.counts[problem.resource] < ERROR_LIMIT

    def _resource(self, res: dict[str, Any], wanted: list[tuple[str, ...]]) -> None:
        name = res.get("name", "")
        path = self.folder / res["path"]
        if not path.is_file():
            self._add(Problem("scheme-error", f"file not found: {res['path']}", resource=name))
            return
        self._baseline(res, path)
        schema = res.get("schema") or {}
        fields = [compile_field(f, i) for i, f in enumerate(schema.get("fields", []), start=1)]
        pk = tuple(i for i, f in enumerate(fields) if f.name in (schema.get("primaryKey") or []))
        self._rows(ResourceCheck(name, path, fields, pk, schema.get("foreignKeys", [])), wanted)

    def _baseline(self, res: dict[str, Any], path: Path) -> None:
        declared = res.get("hash")
        algo, _, expected = declared.rpartition(":") if isinstance(declared, str) else ("", "", None)
        digest, size = hashlib.new(algo or "md5"), 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        if expected and digest.hexdigest() != expected:
            self._add(Problem("hash-count", f'expected is "{expected}" and actual is "{digest.hexdigest()}"',
                              resource=res["name"]))
        if "bytes" in res and res["bytes"] != size:
            self._add(Problem("byte-count", f'expected is "{res["bytes"]}" and actual is "{size}"',
                              resource=res["name"]))

    def _rows(self, check: ResourceCheck, wanted: list[tuple[str, ...]]) -> None:
        """Read the resource in blocks of lines; a block that is not plainly valid is read line by line."""
        state = _Pass(self, check, wanted)
        with check.path.open(encoding="utf-8", newline="") as handle:
            header = handle.readline()
            self._labels(check, next(csv.reader([header]), []))
            row, carry = 2, ""
            while True:
                data = handle.read(CHUNK)
                if not data:
                    break
                data = carry + data
                cut = data.rfind("\n") + 1
                chunk, carry = data[:cut], data[cut:]
                if not chunk:
                    continue
                if '"' in chunk or "\r" in chunk:  # quoted cells may span lines: the rest goes line by line
                    carry = chunk + carry
                    break
                if not state.block(chunk, row) and not state.lines(chunk.split("\n")[:-1], row):
                    return
                row += chunk.count("\n")
            rest = _records_from(_rejoin(carry, handle), row - 1)
            for number, record in rest:
                if not state.record(number, record):
                    return
        state.finish()

    def _labels(self, check: ResourceCheck, labels: list[str]) -> None:
        expected = [f.name for f in check.fields]
        for i, label in enumerate(labels, start=1):
            if i > len(expected):
                self._add(Problem("extra-label", f'"{label}"', resource=check.name, field=label))
            elif label != expected[i - 1]:
                self._add(Problem("incorrect-label", f'"{label}" expected "{expected[i - 1]}"',
                                  resource=check.name, field=expected[i - 1]))
        for name in expected[len(labels):]:
            self._add(Problem("missing-label", f'"{name}"', resource=check.name, field=name))

    def _pii(self, check: ResourceCheck, number: int, cells: list[str]) -> None:
        for i, cell in enumerate(cells):
            if contains_nik(cell):
                field = check.fields[i].name if i < len(check.fields) else f"column {i + 1}"
                self._add(Problem("pii-nik", PII_MESSAGE, resource=check.name, row=number, field=field))

    def _python_fields(self, check: ResourceCheck, number: int, groups: tuple[str, ...]) -> tuple[str, ...] | None:
        """Exact checks of the fields the expression cannot decide; None sends the row to the slow path."""
        for f in check.python_fields:
            if f.check(groups[f.number - 1])[1] is not None:
                return None
        return groups

    def _slow(self, check: ResourceCheck, number: int, cells: list[str], quiet: bool = False
              ) -> tuple[str, ...] | None:
        """Frictionless's rules cell by cell; returns canonical key text ("" = missing), None for a blank row."""
        add = (lambda problem: True) if quiet else self._add
        if not any(cells):
            add(Problem("blank-row", "", resource=check.name, row=number))
            return None
        out = []
        for f in check.fields:
            if f.number > len(cells):
                add(Problem("missing-cell", "", resource=check.name, row=number, field=f.name))
                out.append("")
                continue
            text = cells[f.number - 1]
            value, error = f.check(text)
            if error:
                add(Problem(error[0], error[1], resource=check.name, row=number, field=f.name))
            out.append("" if value is None else str(value) if type(value) is int else text)
        for position in range(len(check.fields) + 1, len(cells) + 1):
            add(Problem("extra-cell", f"column {position}", resource=check.name, row=number, field=""))
        return tuple(out)

    def _fk_problem(self, name: str, number: int, cells: Key, fk: dict[str, Any]) -> bool:
        target = fk["reference"]["resource"] or name
        shown = cells if isinstance(cells, str) else ", ".join(cells)
        note = (f'for "{", ".join(fk["fields"])}": values "{shown}" not found in '
                f'the lookup table "{target}" as "{", ".join(fk["reference"]["fields"])}"')
        return self._add(Problem("foreign-key", note, resource=name, row=number))

    def _primary_key_pass(self, check: ResourceCheck, pk_get: Callable[[Any], Key]) -> None:
        """A file whose keys are not in increasing order: index every key to find the duplicates."""
        seen: dict[int, int] = {}
        with check.path.open(encoding="utf-8", newline="") as handle:
            for number, record in _records_from(handle):
                if number == 1:
                    continue
                cells = next(csv.reader([record]), []) if isinstance(record, str) else record
                values = self._slow(check, number, cells, quiet=True)
                key = pk_get(values) if values is not None else ""
                if _missing(key):
                    continue
                digest = hash(key)
                if digest in seen:
                    if not self._add(Problem("primary-key", f"the same as in the row at position {seen[digest]}",
                                             resource=check.name, row=number)):
                        return
                else:
                    seen[digest] = number


class _Pass:
    """The state of one resource's pass: key order, collected keys, foreign keys to check."""

    def __init__(self, checker: Checker, check: ResourceCheck, wanted: list[tuple[str, ...]]) -> None:
        self.checker, self.check = checker, check
        index = check.index
        keys = checker.keys
        self.collect = [(_getter(tuple(index[k] for k in fields)), keys.setdefault((check.name, fields), set()))
                        for fields in wanted if all(k in index for k in fields)]
        self.fks = [(_getter(tuple(index[n] for n in fk["fields"])), fk,
                     keys.get((fk["reference"]["resource"], tuple(fk["reference"]["fields"]))),
                     "" if len(fk["fields"]) == 1 else ("",) * len(fk["fields"]))
                    for fk in check.foreign_keys
                    if fk["reference"]["resource"] and all(n in index for n in fk["fields"])]
        self.self_fks = [(_getter(tuple(index[n] for n in fk["fields"])), fk) for fk in check.foreign_keys
                         if not fk["reference"]["resource"] and all(n in index for n in fk["fields"])]
        self.self_refs: list[tuple[int, Key, dict[str, Any]]] = []
        # Unique fields need an index of their values (rare: releasekit's own schemas use primary keys).
        self.unique: list[tuple[int, str, dict[int, int]]] = [
            (f.number - 1, f.name, {}) for f in check.fields if f.unique]
        self.pk_get = _getter(check.primary_key) if check.primary_key else None
        self.blank_pk: Key = "" if len(check.primary_key) == 1 else ("",) * len(check.primary_key)
        self.order_of = _order_function(check)
        self.previous: Any = None
        self.ordered = True
        needed = [i for i in check.primary_key] + [i for fk in check.foreign_keys for i in
                                                   (index.get(n, 0) for n in fk["fields"])]
        needed += [index[k] for fields in wanted for k in fields if k in index]
        needed += [i for i, _, _ in self.unique]
        width = max(max(needed, default=0) + 1, 2)
        self.columns = None
        if width <= len(check.fields):
            tail = "" if width == len(check.fields) else "(?:,[^\n]*)?"
            self.columns = re.compile("^" + ",".join(["([^,\n]*)"] * width) + tail + "$", re.M)

    #: The steps of :meth:`block` after the validity match, in order (benchmarks time each one).
    BLOCK_STEPS = ("_block_keys", "_block_pii", "_block_unique", "_block_collect", "_block_foreign_keys",
                   "_block_self_refs")

    def block(self, chunk: str, first_row: int) -> bool:
        """Check a block of plain lines in a few C-level calls; False when it needs the line-by-line path."""
        if self.columns is None or self.check.python_fields or self.check.block.fullmatch(chunk) is None:
            return False
        rows = self.columns.findall(chunk)
        if not self._block_keys(rows):
            return False
        self._block_pii(chunk, first_row)
        self._block_unique(rows, first_row)
        self._block_collect(rows)
        if self._block_foreign_keys(rows, first_row):
            self._block_self_refs(rows, first_row)
        return True

    def _block_keys(self, rows: list[Any]) -> bool:
        """Primary-key order; False when a key is missing (the line-by-line path reports it)."""
        if self.pk_get is not None:
            keys = list(map(self.pk_get, rows))
            if self.blank_pk in keys:
                return False
            if self.ordered:
                self._check_order(keys)
        return True

    def _block_pii(self, chunk: str, first_row: int) -> None:
        # A C-speed screen first (digits become 1, all else 0; look for sixteen 1s), the exact search after.
        suspects = SIXTEEN.finditer(chunk) if SIXTEEN_DIGITS in chunk.encode().translate(DIGITS) else ()
        for match in suspects:
            if contains_nik(match.group()):
                line_start = chunk.rfind("\n", 0, match.start()) + 1
                line = chunk[line_start:chunk.index("\n", match.start())]
                self.checker._pii(self.check, first_row + chunk.count("\n", 0, line_start), line.split(","))

    def _block_unique(self, rows: list[Any], first_row: int) -> None:
        for i, name, seen in self.unique:
            for offset, value in enumerate(map(operator.itemgetter(i), rows)):
                self._unique(first_row + offset, value, name, seen)

    def _block_collect(self, rows: list[Any]) -> None:
        for get, collected in self.collect:
            collected.update(map(hash, map(get, rows)))

    def _block_foreign_keys(self, rows: list[Any], first_row: int) -> bool:
        """Foreign keys by set inclusion; row by row only when a block has a dangling one."""
        for get, fk, refs, blank in self.fks:
            cells = list(map(get, rows))
            if isinstance(blank, str):
                distinct = set(cells)  # text caches its hash: repeated values cost nothing more
                distinct.discard(blank)
                digests = set(map(hash, distinct))
            else:
                digests = set(map(hash, cells))
                digests.discard(hash(blank))
            if refs is None or not digests <= refs:
                for offset, value in enumerate(cells):
                    if value != blank and (refs is None or hash(value) not in refs):
                        if not self.checker._fk_problem(self.check.name, first_row + offset, value, fk):
                            return False
        return True

    def _block_self_refs(self, rows: list[Any], first_row: int) -> None:
        for get, fk in self.self_fks:
            for offset, value in enumerate(map(get, rows)):
                if not _missing(value):
                    self.self_refs.append((first_row + offset, value, fk))

    def _check_order(self, keys: list[Key]) -> None:
        parts = self.check.int_key_parts
        if parts and isinstance(keys[0], str):  # a single integer key
            columns = [keys]
        else:
            columns = [list(map(operator.itemgetter(p), keys)) for p in parts]
        # Integers of one length, none negative, compare as text exactly as they compare as numbers.
        plain = all(len(set(map(len, c))) == 1 and min(c)[:1] not in ("-", "") for c in columns)
        if plain:
            if all(map(operator.lt, keys, keys[1:])):
                first = self.order_of(keys[0])
                if self.previous is not None and (first is None or not first > self.previous):
                    self.ordered = False
                self.previous = self.order_of(keys[-1])
                return
            self.ordered = False
            return
        for key in keys:
            order = self.order_of(key)
            if order is None or (self.previous is not None and not order > self.previous):
                self.ordered = False
                return
            self.previous = order

    def lines(self, lines: list[str], first_row: int) -> bool:
        """The line-by-line path for plain lines (no quotes); False once the error limit is reached."""
        return all(self.record(first_row + offset, line) for offset, line in enumerate(lines))

    def record(self, number: int, record: str | list[str]) -> bool:
        """Check one record exactly; False once the error limit is reached."""
        check, checker = self.check, self.checker
        values: tuple[str, ...] | None
        if isinstance(record, str):
            if SIXTEEN.search(record):
                checker._pii(check, number, next(csv.reader([record]), []))
            match = check.line.fullmatch(record)
            values = match.groups() if match is not None else None
            if values is not None and check.python_fields:
                values = checker._python_fields(check, number, values)
            if values is None:
                values = checker._slow(check, number, next(csv.reader([record]), []))
        else:
            if any(SIXTEEN.search(cell) for cell in record):
                checker._pii(check, number, record)
            values = checker._slow(check, number, record)
        if self.pk_get is not None:
            key = self.pk_get(values) if values is not None else self.blank_pk
            if key == self.blank_pk:
                checker._add(Problem("primary-key", 'cells composing the primary keys are all "None"',
                                     resource=check.name, row=number))
                self.ordered = False
            elif self.ordered:
                order = self.order_of(key)
                if order is None or (self.previous is not None and not order > self.previous):
                    self.ordered = False
                self.previous = order
        if values is None:
            return True
        for i, name, seen in self.unique:
            self._unique(number, values[i], name, seen)
        for get, collected in self.collect:
            collected.add(hash(get(values)))
        for get, fk, refs, blank in self.fks:
            cells = get(values)
            if cells != blank and (refs is None or hash(cells) not in refs):
                if not checker._fk_problem(check.name, number, cells, fk):
                    return False
        for get, fk in self.self_fks:
            cells = get(values)
            if not _missing(cells):
                self.self_refs.append((number, cells, fk))
        return True

    def _unique(self, number: int, value: str, name: str, seen: dict[int, int]) -> None:
        if value == "":
            return
        digest = hash(value)
        if digest in seen:
            self.checker._add(Problem("unique-error", f"the same as in the row at position {seen[digest]}",
                                      resource=self.check.name, row=number, field=name))
        else:
            seen[digest] = number

    def finish(self) -> None:
        """Self-references (checked once every key is known) and, for an unordered file, the key index."""
        name = self.check.name
        for number, cells, fk in self.self_refs:
            if hash(cells) not in self.checker.keys.get((name, tuple(fk["reference"]["fields"])), set()):
                self.checker._fk_problem(name, number, cells, fk)
        if self.pk_get is not None and not self.ordered:
            self.checker._primary_key_pass(self.check, self.pk_get)


def _dependency_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resources ordered so every referenced resource comes before those that reference it."""
    pending: list[dict[str, Any]] = list(resources)
    done: set[Any] = set()
    out: list[dict[str, Any]] = []
    while pending:
        for res in pending:
            targets = {fk["reference"]["resource"] for fk in (res.get("schema") or {}).get("foreignKeys", [])}
            if targets - {"", res.get("name")} <= done:
                break
        else:  # a reference cycle: keep the declared order for the rest
            res = pending[0]
        pending.remove(res)
        done.add(res.get("name"))
        out.append(res)
    return out


def check_package(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """Check every CSV resource of the package in ``folder`` against its Table Schema (and the PII gate)."""
    return Checker(folder, descriptor).run()
