"""A streaming Table Schema checker that reports what Frictionless reports, an order of magnitude faster.

It checks a package's CSV resources against their Table Schemas: ``hash`` and
``bytes``, header labels, row length (``extra-cell``/``missing-cell``), blank
rows, types, constraints (required, pattern, enum, minimum), primary keys and
foreign keys, in Frictionless's error types, row positions (header = row 1) and
notes; and, in the same pass, the PII gate (``pii-nik``, value never shown, header
included) and bytes that are not UTF-8 (one ``encoding-error``; the rest of the file
is still checked).

Why it is fast: a file is read in blocks of about 1 MiB, and each block of whole
lines is matched by one compiled regular expression built from the schema (one
``findall`` call), which accepts only cells that are certainly valid and, in the
same call, captures the key columns as text. Key cells must be in canonical form
(``0|-?[1-9][0-9]*`` for an integer), so equal text means equal value; other
integer cells only need to be digits. A block with a line the expression rejects
(unusual but valid numbers such as ``+7``, or a real error) is read line by line
with Frictionless's own casting rules; a quoted record takes that path alone, and
the block path resumes after it. The file's hash is computed in a thread beside
the pass (``hashlib`` releases the GIL).

Memory stays flat: keys are checked in the order releasekit writes rows, with
:mod:`releasekit.keycheck` (a primary key is unique when its keys increase; the
keys other resources reference are kept as compressed sorted runs, looked up run
by run). A foreign key whose target holds a handful of keys (an election, its
candidates) is checked inside the block expression itself.

Two cores: on Linux, the largest resource no other resource points at (``suara``)
is checked in a forked second process (:mod:`releasekit.forked`) while this one
checks the others; its lookups into resources not yet checked are deferred to the
end, and if one fails the resource is checked again here, so the report is the
one-process report.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import forked
from .keycheck import DistinctKeys, KeyIndex, increasing, key_cells, key_text, runs_collapsed
from .privacy import SIXTEEN, contains_nik, is_nik_like, nik_lines
from .report import Problem

ERROR_LIMIT = 1000
CHUNK = 1 << 20
#: Bytes the hashing thread reads at a time (it needs the GIL only between reads; 4 MB reads held about 15 MB more
#: of the peak, for no speed: runs G and H of benchmarks/bench_build.py in the README).
HASH_CHUNK = 1 << 20
#: A foreign key whose target holds at most this many keys is checked inside the block expression.
SMALL_TARGET = 64
#: The largest resource no other resource points at is checked in a second process when it is this big and
#: the others together are too (on Linux with two CPUs or more): the two halves then take about as long.
ASIDE_BYTES = 8 << 20
#: The second process starts just before the first resource this big (small ones first: their keys go with it).
START_BYTES = 1 << 20
#: A bytes.translate table: ASCII digits become 1, every other byte 0.
DIGITS = bytes(1 if 48 <= c <= 57 else 0 for c in range(256))
SIXTEEN_DIGITS = b"\x01" * 16
PII_MESSAGE = "unmasked NIK-like value (16 digits: region code + birth date) / NIK tanpa sensor"
#: The ``hash`` algorithms a resource may declare (``md5`` when it names none).
HASHES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
#: The ``errors`` handler resource files are read with (see :func:`_undecodable`).
UNDECODABLE = "releasekit-undecodable"
PLAIN = r'[^,"\r\n]'
Key = Any  # one canonical string, or a tuple of them ("" = missing)
View = tuple[int, ...]  # the field indexes (0-based) of a key, in the key's order


class _Invalid(Exception):
    pass


#: How many undecodable byte runs :func:`_undecodable` has met, per thread (a file is read by one thread).
_undecodable_seen = threading.local()


def _undecodable_count() -> int:
    count: int = getattr(_undecodable_seen, "count", 0)
    return count


def _undecodable(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as U+FFFD, so the rest of the file is still checked, and counted,
    so the resource gets one ``encoding-error`` (a clean file never calls this: it costs nothing)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _undecodable_seen.count = _undecodable_count() + 1
    return "\ufffd", error.end


codecs.register_error(UNDECODABLE, _undecodable)


def _first_undecodable(path: Path) -> str:
    """Where a file's first bytes that are not UTF-8 are, and why (a line break never ends a UTF-8 sequence)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as e:
                return f"byte 0x{line[e.start]:02x} at line {number}: {e.reason}"
    return "bytes that are not UTF-8"


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
    """One schema field, compiled: its parts of the line expressions and its exact (slow-path) checks.

    ``fast`` accepts only valid cells in canonical form (equal text means equal value), as keys
    need; ``loose`` accepts any cell it can tell is valid without Python (``007`` for an
    integer), which is all a cell outside every key needs and is cheaper to match.
    """

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
    loose: str = ""
    core: re.Pattern[str] | None = None
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


def _loose_integer(rule: FieldRule) -> str | None:
    """Digits for an integer outside keys (``int()`` takes leading zeros); None when only canonical text will do."""
    if rule.enum is not None or rule.pattern is not None or rule.minimum not in (None, 0):
        return None
    if rule.minimum == 0:
        return "[0-9]++" if rule.required else "[0-9]*+"
    return "-?+[0-9]++" if rule.required else "(?:[0-9]*+|-[0-9]++)"


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
    loose = None
    if kind == "integer":
        rule.cast = _int
        rule.fast = {0: "0|[1-9][0-9]*", 1: "[1-9][0-9]*", None: "0|-?[1-9][0-9]*"}.get(rule.minimum, "")
        rule.needs_python = not rule.fast or rule.enum is not None or rule.pattern is not None
        loose = _loose_integer(rule)
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
            rule.fast, rule.needs_python = PLAIN + "++", rule.pattern is not None or rule.enum is not None
            loose = PLAIN + ("++" if rule.required else "*+")
    else:  # dates and other types are always checked exactly
        rule.cast = _date if kind == "date" else str
        rule.fast, rule.needs_python = PLAIN + "+", True
    rule.core = re.compile(rule.fast)
    rule.fast = f"(?:{rule.fast})" if rule.required else f"(?:{rule.fast})?"
    rule.loose = loose or rule.fast
    return rule


def _foreign_keys(res: dict[str, Any]) -> list[dict[str, Any]]:
    """A resource descriptor's foreign keys (none when it has no schema), their field names as lists."""
    return [{**fk, "fields": _name_list(fk["fields"]),
             "reference": {**fk["reference"], "fields": _name_list(fk["reference"]["fields"])}}
            for fk in (res.get("schema") or {}).get("foreignKeys", [])]


def _name_list(value: object) -> list[str]:
    """Field names as a list: Table Schema also allows one name as a string (``"primaryKey": "id"``)."""
    return [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]


def _names(value: object) -> bool:
    return isinstance(value, str) or isinstance(value, list) and all(isinstance(name, str) for name in value)


def _schema_error(res: dict[str, Any]) -> str | None:
    """Why the checker cannot read a resource's Table Schema (shapes Frictionless's descriptor check lets by)."""
    schema = res.get("schema") or {}
    if not isinstance(schema, dict):
        return "the schema must be written into datapackage.json as an object"
    fields = schema.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                               and isinstance(f.get("constraints", {}), dict) for f in fields):
        return "schema.fields must be a list of field objects, each with a name"
    for f in fields:
        try:
            re.compile(f.get("constraints", {}).get("pattern", ""))
        except (re.error, TypeError) as e:
            return f"field {f['name']}: the pattern constraint is not a regular expression ({e})"
    if not _names(schema.get("primaryKey") or []):
        return "schema.primaryKey must be a field name or a list of them"
    foreign_keys = schema.get("foreignKeys", [])
    if not isinstance(foreign_keys, list) or not all(
            isinstance(fk, dict) and _names(fk.get("fields")) and isinstance(fk.get("reference"), dict)
            and isinstance(fk["reference"].get("resource"), str) and _names(fk["reference"].get("fields"))
            for fk in foreign_keys):
        return "schema.foreignKeys must be a list of {fields: [names], reference: {resource, fields: [names]}}"
    return None


def _missing(key: Key) -> bool:
    return key == "" if isinstance(key, str) else all(k == "" for k in key)


def _blank(view: View) -> str:
    """The key text of a key whose cells are all missing."""
    return "," * (len(view) - 1)


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


def _record_end(text: str, start: int) -> int:
    """Where the record starting at ``start`` ends (after its line break), or -1 when a quote runs past the text."""
    quotes, pos = 0, start
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return -1
        quotes += text.count('"', pos, newline)
        if quotes % 2 == 0:  # quotes inside a quoted cell come in pairs
            return newline + 1
        pos = newline + 1


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
        self.python_fields = [f for f in self.fields if f.needs_python]
        self.index = {f.name: f.number - 1 for f in self.fields}


class _Layout:
    """One resource's block expression: a line whose cells are checked and whose key columns are captured.

    Matched with ``findall`` over a block of lines: the block is valid when every line matched,
    and the result holds the captured key text of every row. A key over consecutive columns is
    one capture (the CSV's own commas join its cells); a key over scattered columns is joined
    from one capture per column.
    """

    def __init__(self, fields: list[FieldRule], views: list[View], cells: dict[int, str],
                 canonical: Iterable[int] = ()) -> None:
        groups = self._groups(set(views))
        keyed = {i for view in views for i in view} | set(canonical)
        parts = []
        for f in fields:
            i = f.number - 1
            cell = cells.get(i, f.fast if i in keyed else f.loose)
            opened = sum(1 for start, _ in groups if start == i)
            closed = sum(1 for _, end in groups if end == i)
            parts.append("(" * opened + cell + ")" * closed)
        self.pattern = re.compile("^" + ",".join(parts) + "\n", re.M)
        self.width = len(groups)
        self.getters = [itemgetter(n) for n in range(self.width)]
        number = {g: n for n, g in enumerate(groups)}
        self.groups: dict[View, tuple[int, ...]] = {}
        for view in views:
            whole = (view[0], view[-1])
            if _consecutive(view) and whole in number:
                self.groups[view] = (number[whole],)
            else:
                self.groups[view] = tuple(number[(i, i)] for i in view)

    @staticmethod
    def _groups(views: set[View]) -> list[tuple[int, int]]:
        """Capture groups (first, last column), nested or apart as regex groups must be, in group-number order."""
        wanted = []
        for view in views:
            if _consecutive(view):
                wanted.append((view[0], view[-1]))
            else:
                wanted += [(i, i) for i in view]
        chosen: list[tuple[int, int]] = []
        for start, end in sorted(set(wanted), key=lambda g: (g[1] - g[0] == 0, g)):
            if all(end < s or e < start or (s <= start and end <= e) or (start <= s and e <= end)
                   for s, e in chosen):
                chosen.append((start, end))
            else:  # overlaps a chosen group without nesting: capture its columns one by one
                chosen += [(i, i) for i in range(start, end + 1) if (i, i) not in chosen]
        return sorted(set(chosen), key=lambda g: (g[0], -g[1]))

    def match(self, chunk: str) -> list[Any] | None:
        """The captures of every line of ``chunk``, or None when a line is not plainly valid."""
        rows = self.pattern.findall(chunk)
        return rows if len(rows) == chunk.count("\n") else None

    def columns(self, rows: list[Any]) -> Sequence[Sequence[str]]:
        """The captures by group, each a sequence over the rows."""
        if self.width <= 1:
            return [rows] * self.width
        return [list(map(get, rows)) for get in self.getters]

    def keys(self, columns: Sequence[Sequence[str]], view: View) -> Sequence[str]:
        """The key text of ``view`` for every row."""
        numbers = self.groups[view]
        if len(numbers) == 1:
            return columns[numbers[0]]
        return list(map(",".join, zip(*(columns[n] for n in numbers), strict=True)))


def _consecutive(view: View) -> bool:
    return all(b == a + 1 for a, b in zip(view, view[1:], strict=False))


def _small_target(view: View, target: KeyIndex | None, fields: list[FieldRule]) -> dict[int, set[str]] | None:
    """The values each column of a foreign key may take, when that is the whole check; else None.

    True when the target holds a handful of keys and they are every combination of their columns'
    values (one election's candidates: ``ppwp-2024`` × ``1, 2, 3``): then a row's key is in the
    target exactly when each of its cells is among its column's values.
    """
    if target is None or len(set(view)) != len(view):
        return None
    keys = target.keys(SMALL_TARGET)
    if not keys or any(k.startswith("\r") for k in keys):
        return None
    if len(view) > 1 and not all(fields[i].required for i in view):
        return None  # a partly missing composite key is looked up, not skipped
    rows = [k.split(",") for k in keys]
    if any(len(r) != len(view) for r in rows):
        return None
    values = [{r[p] for r in rows} for p in range(len(view))]
    if math.prod(map(len, values)) != len(keys):
        return None
    return {view[p]: values[p] for p in range(len(view))}


class _Digest:
    """A resource file's hash and size, computed in a thread beside the row pass (``hashlib`` releases the GIL)."""

    def __init__(self, path: Path, algorithm: str) -> None:
        self.digest = hashlib.new(algorithm)
        self.size = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self.thread.start()

    def _run(self, path: Path) -> None:
        buffer = bytearray(HASH_CHUNK)  # one buffer, filled again and again: no allocation a read
        view = memoryview(buffer)
        try:
            with path.open("rb", buffering=0) as handle:
                while read := handle.readinto(buffer):
                    self.digest.update(view[:read])
                    self.size += read
        except BaseException as e:  # handed to the main thread by result()
            self.error = e

    def result(self) -> tuple[str, int]:
        """``(hex digest, bytes)``, once the thread is done."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.digest.hexdigest(), self.size


class Checker:
    """Checks every CSV resource of one package; collects :class:`Problem` records."""

    def __init__(self, folder: Path, descriptor: dict[str, Any]) -> None:
        self.folder = folder
        self.descriptor = descriptor
        self.problems: list[Problem] = []
        self.keys: dict[tuple[str, tuple[str, ...]], KeyIndex] = {}
        self.counts: dict[str | None, int] = {}
        #: Resources whose rows cannot be read (reported once): foreign keys into them are not looked up.
        self.unread: set[str] = set()
        #: Each resource's hashing thread, with the descriptor and the digest it declares (None: unchecked).
        self.baselines: dict[str, tuple[dict[str, Any], str | None, _Digest]] = {}
        # In the second process: foreign keys into resources not checked yet, and the keys they asked for.
        self.deferred: set[tuple[str, tuple[str, ...]]] = set()
        self.asked: dict[tuple[str, tuple[str, ...]], KeyIndex] = {}

    def run(self) -> list[Problem]:
        """Check every resource, referenced resources first; the largest unreferenced one beside the others."""
        wanted: dict[str, list[tuple[str, ...]]] = {}
        resources = []
        for res in (r for r in self.descriptor.get("resources", []) if isinstance(r, dict)):
            why = _schema_error(res)
            if why:
                self._add(Problem("schema-error", f"{why}; releasekit's checker cannot read it (check with "
                                  "--engine frictionless)", resource=res.get("name")))
                self.unread.add(res.get("name", ""))
                self._scan_unread(res)
            else:
                resources.append(res)
        for res in resources:
            for fk in _foreign_keys(res):
                target = fk["reference"]["resource"] or res["name"]
                fields = tuple(fk["reference"]["fields"])
                if fields not in wanted.setdefault(target, []):  # collected once, however many point at it
                    wanted[target].append(fields)
        order = _dependency_order(resources)
        aside = self._aside(order)
        child: forked.Forked | None = None
        started, slot, done = False, 0, set[str]()
        try:
            for res in order:
                name = res.get("name", "")
                if aside is not None and not started and (res is aside or self._size(res) >= START_BYTES):
                    started, child = True, self._start_aside(aside, wanted.get(aside.get("name", ""), []), done)
                if res is aside:
                    slot = len(self.problems)
                else:
                    self._resource(res, wanted.get(name, []))
                done.add(name)
        except BaseException:
            if child is not None:
                child.cancel()
            raise
        if aside is not None:
            self._finish_aside(aside, wanted.get(aside.get("name", ""), []), child, slot)
        return self.problems

    def _size(self, res: dict[str, Any]) -> int:
        path = self.folder / res["path"] if isinstance(res.get("path"), str) else None
        return path.stat().st_size if path is not None and path.is_file() else 0

    def _aside(self, order: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The resource to check in a second process: the largest that no other resource points at, if it pays."""
        if not forked.available():
            return None
        pointed = {fk["reference"]["resource"] for res in order for fk in _foreign_keys(res)
                   if fk["reference"]["resource"] not in ("", res.get("name"))}
        sizes = {id(res): self._size(res) for res in order}
        free = [res for res in order if res.get("name") not in pointed]
        if not free:
            return None
        aside = max(free, key=lambda res: sizes[id(res)])
        rest = sum(sizes.values()) - sizes[id(aside)]
        return aside if sizes[id(aside)] >= ASIDE_BYTES and rest >= ASIDE_BYTES else None

    def _start_aside(self, res: dict[str, Any], wanted: list[tuple[str, ...]], done: set[str]
                     ) -> forked.Forked | None:
        """Fork the second process (None if the system refuses); keys into resources not checked yet are deferred."""
        targets = [(fk["reference"]["resource"], tuple(fk["reference"]["fields"])) for fk in _foreign_keys(res)]
        deferred = {t for t in targets if t[0] and t[0] != res.get("name") and t[0] not in done}

        def check() -> tuple[list[Problem], int, dict[tuple[str, tuple[str, ...]], KeyIndex]]:
            self.problems, self.counts, self.deferred, self.asked = [], {}, deferred, {}
            self._resource(res, wanted)
            return self.problems, self.counts.get(res.get("name", ""), 0), self.asked

        try:
            return forked.Forked(check)
        except OSError:  # no process to spare: the resource is checked here, in its turn at the end
            return None

    def _finish_aside(self, res: dict[str, Any], wanted: list[tuple[str, ...]], child: forked.Forked | None,
                      slot: int) -> None:
        """Put the second process's problems in the resource's place, once its deferred keys are all found.

        A deferred key that is not found (or a failed child) means the resource is checked again here,
        in order, exactly as without a second process: dangling keys are then reported in their rows.
        """
        result = child.result() if child is not None else None
        if result is not None:
            problems, count, asked = result
            if all(index.within(self.keys.get(target)) for target, index in asked.items()):
                self.problems[slot:slot] = problems
                if count:
                    self.counts[res.get("name", "")] = count
                return
        after = self.problems[slot:]
        del self.problems[slot:]
        self._resource(res, wanted)
        self.problems += after

    def _add(self, problem: Problem) -> bool:
        """Record a problem; False once the resource has :data:`ERROR_LIMIT` of them."""
        if problem.resource in self.baselines:  # the file's hash and size come first, as they always have
            self._baseline(problem.resource)
        self.problems.append(problem)
        self.counts[problem.resource] = self.counts.get(problem.resource, 0) + 1
        return self.counts[problem.resource] < ERROR_LIMIT

    def _resource(self, res: dict[str, Any], wanted: list[tuple[str, ...]]) -> None:
        name = res.get("name", "")
        if isinstance(res.get("path"), list):  # parts of one table, legal in a Data Package
            self._add(Problem("resource-error", "multipart resources (a list of paths) are not checked by releasekit's "
                              "checker: check with --engine frictionless, or publish one file / "
                              "sumber data multi-berkas tidak diperiksa", resource=name))
            self.unread.add(name)  # (validate's PII gate reads its parts as the package's other files)
            return
        path = self.folder / res["path"]
        if not path.is_file():
            self._add(Problem("scheme-error", f"file not found: {res['path']}", resource=name))
            self.unread.add(name)
            return
        declared = res.get("hash")
        algorithm, _, expected = declared.rpartition(":") if isinstance(declared, str) else ("", "", "")
        if algorithm and algorithm not in HASHES:
            self._add(Problem("hash-count", f'cannot check hash "{declared}": unknown algorithm "{algorithm}" '
                              f"(use one of {', '.join(HASHES)}) / algoritma hash tidak dikenal", resource=name))
            algorithm, expected = "", ""
        self.baselines[name] = (res, expected or None, _Digest(path, algorithm or "md5"))
        schema = res.get("schema") or {}
        fields = [compile_field(f, i) for i, f in enumerate(schema.get("fields", []), start=1)]
        key_names = _name_list(schema.get("primaryKey") or [])
        pk = tuple(i for i, f in enumerate(fields) if f.name in key_names)
        undecodable = _undecodable_count()
        self._rows(ResourceCheck(name, path, fields, pk, _foreign_keys(res)), wanted)
        if _undecodable_count() != undecodable:
            self._add(Problem("encoding-error", f"'utf-8' codec can't decode {_first_undecodable(path)}; save the "
                              "file as UTF-8 / berkas bukan UTF-8", resource=name))
        if name in self.baselines:
            self._baseline(name)

    def _scan_unread(self, res: dict[str, Any]) -> None:
        """The PII gate on the file of a resource the checker cannot read otherwise, byte by byte, by line (the parts
        of a multipart resource are read by validate's gate on the package's other files)."""
        path = res.get("path")
        file = self.folder / path if isinstance(path, str) else None
        if file is not None and file.is_file():  # (validate refuses unsafe paths before the checker runs)
            for line in nik_lines(file):
                self._add(Problem("pii-nik", PII_MESSAGE, resource=res.get("name"), row=line))

    def _baseline(self, name: str) -> None:
        """The ``hash`` and ``bytes`` checks of a resource, once its hashing thread is done."""
        res, expected, digest = self.baselines.pop(name)
        actual, size = digest.result()
        if expected and actual != expected:
            self._add(Problem("hash-count", f'expected is "{expected}" and actual is "{actual}"',
                              resource=res["name"]))
        if "bytes" in res and res["bytes"] != size:
            self._add(Problem("byte-count", f'expected is "{res["bytes"]}" and actual is "{size}"',
                              resource=res["name"]))

    def _rows(self, check: ResourceCheck, wanted: list[tuple[str, ...]]) -> None:
        """Read the resource in blocks of whole lines; CR line ends send the rest of the file line by line."""
        state = _Pass(self, check, wanted)
        with check.path.open(encoding="utf-8", errors=UNDECODABLE, newline="") as handle:
            labels = next(csv.reader([handle.readline()]), [])
            self._labels(check, labels)
            self._pii(check, 1, labels)  # a header is published too
            row, text = 2, ""
            while data := handle.read(CHUNK):
                text += data
                cut = text.rfind("\n") + 1
                if not cut:
                    continue
                if text.find("\r", 0, cut) >= 0:
                    break
                done = self._region(state, text[:cut], row)
                if done is None:
                    return
                used, row = done
                text = text[used:]
            for number, record in _records_from(_rejoin(text, handle), row - 1):
                if not state.record(number, record):
                    return
        state.finish()

    def _region(self, state: _Pass, region: str, row: int) -> tuple[int, int] | None:
        """Check the whole lines of ``region`` (row ``row`` first): plain stretches as blocks, quoted records alone.

        Returns how many characters were used (a quoted cell may go on past the region) and the next
        row number; None once the error limit is reached.
        """
        pos = 0
        while pos < len(region):
            quote = region.find('"', pos)
            newline = region.rfind("\n", pos, quote) if quote >= 0 else len(region) - 1
            if newline >= pos:  # whole plain lines before the quoted record (or to the end)
                checked = state.plain(region[pos:newline + 1], row)
                if checked is None:
                    return None
                row += checked
                pos = newline + 1
            if quote < 0:
                break
            end = _record_end(region, pos)
            if end < 0:
                break
            if not state.record(row, next(csv.reader([region[pos:end]]), [])):
                return None
            row, pos = row + 1, end
        return pos, row

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

    def _fk_problem(self, name: str, number: int, key: str, fk: dict[str, Any]) -> bool:
        target = fk["reference"]["resource"] or name
        note = (f'for "{", ".join(fk["fields"])}": values "{", ".join(key_cells(key))}" not found in '
                f'the lookup table "{target}" as "{", ".join(fk["reference"]["fields"])}"')
        return self._add(Problem("foreign-key", note, resource=name, row=number))

    def _primary_key_pass(self, check: ResourceCheck) -> None:
        """A file whose keys could not be proven unique in order: index every key to find the duplicates."""
        pk_get = itemgetter(*check.primary_key)
        seen: dict[int, int] = {}
        with check.path.open(encoding="utf-8", errors="replace", newline="") as handle:  # bad bytes: reported
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
    """The state of one resource's pass: its block expression, key checks, and keys to hand to others."""

    def __init__(self, checker: Checker, check: ResourceCheck, wanted: list[tuple[str, ...]]) -> None:
        self.checker, self.check = checker, check
        index = check.index

        def view(names: Iterable[str]) -> View:
            return tuple(index[n] for n in names)

        def present(names: Iterable[str]) -> bool:
            return all(n in index for n in names)

        self.pk: View = check.primary_key
        self.distinct = DistinctKeys() if self.pk else None
        self.pk_blank = _blank(self.pk)
        self.pk_nullable = any(not check.fields[i].required for i in self.pk)
        self.collect = [(view(fields), checker.keys.setdefault((check.name, fields), KeyIndex()))
                        for fields in wanted if present(fields)]
        self.fks: list[tuple[View, dict[str, Any], KeyIndex | None]] = []
        self.deferred: list[tuple[View, KeyIndex]] = []  # keys asked of a resource still being checked
        for fk in check.foreign_keys:
            into = fk["reference"]["resource"]
            if into and into not in checker.unread and present(fk["fields"]):
                target = (into, tuple(fk["reference"]["fields"]))
                if target in checker.deferred:
                    self.deferred.append((view(fk["fields"]), checker.asked.setdefault(target, KeyIndex())))
                else:
                    self.fks.append((view(fk["fields"]), fk, checker.keys.get(target)))
        self.self_fks = [(view(fk["fields"]), fk) for fk in check.foreign_keys
                         if not fk["reference"]["resource"] and present(fk["fields"])]
        # Keys are text; a target this resource fills itself must see the rows before each lookup.
        own = {id(target) for _, target in self.collect}
        self.fills_target = any(id(target) in own for _, _, target in self.fks)
        self.self_refs: list[tuple[int, str, int]] = []
        # Unique fields need an index of their values (rare: releasekit's own schemas use primary keys).
        self.unique: list[tuple[int, str, dict[int, int]]] = [
            (f.number - 1, f.name, {}) for f in check.fields if f.unique]
        # Keys the line-by-line path found, handed on in file order before the next block's.
        self.pending_pk: list[str] = []
        self.pk_ordered: bool | None = None
        self.lines_matched = 0
        self.pending: list[list[str]] = [[] for _ in self.collect]
        self.pending_asked: list[list[str]] = [[] for _ in self.deferred]
        cells = self._embed_small_targets()
        views = [self.pk] if self.pk else []
        views += [v for v, _ in self.collect] + [v for n, (v, _, _) in enumerate(self.fks) if n not in self.embedded]
        views += [v for v, _ in self.self_fks] + [(i,) for i, _, _ in self.unique] + [v for v, _ in self.deferred]
        checked = [i for n, (v, _, _) in enumerate(self.fks) if n in self.embedded for i in v]  # not captured
        self.layout = _Layout(check.fields, [v for v in views if v], cells, checked)

    def _embed_small_targets(self) -> dict[int, str]:
        """Cell expressions for foreign keys into a handful of keys, which the block expression then checks."""
        allowed: dict[int, set[str]] = {}
        self.embedded: set[int] = set()
        for n, (view, _, target) in enumerate(self.fks):
            values = _small_target(view, target, self.check.fields)
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
            cells[column] = f"(?:{body})" if field.required else f"(?:{body})?"
        return cells

    #: The steps of :meth:`block`, in order (benchmarks time each one).
    BLOCK_STEPS = ("_block_match", "_block_pii", "_block_primary_key", "_block_unique", "_block_collect",
                   "_block_foreign_keys", "_block_self_refs")

    def plain(self, chunk: str, first_row: int) -> int | None:
        """Check whole plain lines (no quotes): as one block if it can, else line by line.

        Returns how many lines were checked; None once the error limit is reached.
        """
        checked = self.block(chunk, first_row)
        if checked is not None:
            return checked
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
        if self._block_foreign_keys(columns, first_row):
            self._block_self_refs(columns, first_row)
        return self.lines_matched

    def _block_match(self, chunk: str) -> Sequence[Sequence[str]] | None:
        """Every cell checked and every key column captured, in one ``findall``; None when a line is not plain."""
        rows = self.layout.match(chunk)
        if rows is None:
            return None
        self.lines_matched = len(rows)
        return self.layout.columns(rows)

    def _block_pii(self, chunk: str, first_row: int) -> None:
        # A C-speed screen first (digits become 1, all else 0; look for sixteen 1s), the exact search after.
        if SIXTEEN_DIGITS not in chunk.encode().translate(DIGITS):
            return
        reported = -1  # the start of the last line reported: _pii reports every NIK of a line at once
        for match in SIXTEEN.finditer(chunk):
            line_start = chunk.rfind("\n", 0, match.start()) + 1
            if line_start != reported and is_nik_like(match.group()):
                reported = line_start
                line = chunk[line_start:chunk.index("\n", match.start())]
                self.checker._pii(self.check, first_row + chunk.count("\n", 0, line_start), line.split(","))

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

    def _block_foreign_keys(self, columns: Sequence[Sequence[str]], first_row: int) -> bool:
        """Each foreign key's distinct keys looked up at once; dangling ones reported in row order."""
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
            if not self.checker._fk_problem(self.check.name, first_row + offset, key, self.fks[n][1]):
                return False
        for view, index in self.deferred:  # looked up at the end, when the target is known
            index.add(*self._asked(self.layout.keys(columns, view), view))
        return True

    def _asked(self, keys: Sequence[str], view: View) -> tuple[Sequence[str], bool | None]:
        """A block's keys to look up, and True when they increase (None: not known to).

        Keys that increase are distinct already; else repeats sit side by side, in file (key) order,
        and are asked once. A key whose cells may all be missing is not asked when they are (a
        required cell is never empty in a block).
        """
        ordered = increasing(keys)
        asked = keys if ordered else runs_collapsed(keys)
        if not all(self.check.fields[i].required for i in view):
            blank = _blank(view)
            asked = [k for k in asked if k != blank]
        return asked, ordered or None

    def _block_self_refs(self, columns: Sequence[Sequence[str]], first_row: int) -> None:
        for n, (view, _) in enumerate(self.self_fks):
            blank = _blank(view)
            self.self_refs += [(first_row + offset, key, n)
                               for offset, key in enumerate(self.layout.keys(columns, view)) if key != blank]

    def _flush(self) -> None:
        """Hand on the keys the line-by-line path collected since the last block."""
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
        if self.pk:
            key = key_text([values[i] for i in self.pk]) if values is not None else self.pk_blank
            if key == self.pk_blank:
                checker._add(Problem("primary-key", 'cells composing the primary keys are all "None"',
                                     resource=check.name, row=number))
            else:
                self.pending_pk.append(key)
        if values is None:
            return True
        for i, name, seen in self.unique:
            self._unique(number, values[i], name, seen)
        for n, (view, _) in enumerate(self.collect):
            self.pending[n].append(key_text([values[i] for i in view]))
        if self.fills_target:
            self._flush()
        for view, fk, target in self.fks:
            key = key_text([values[i] for i in view])
            if key != _blank(view) and (target is None or target.missing((key,))):
                if not checker._fk_problem(check.name, number, key, fk):
                    return False
        for n, (view, _) in enumerate(self.self_fks):
            key = key_text([values[i] for i in view])
            if key != _blank(view):
                self.self_refs.append((number, key, n))
        for n, (view, _) in enumerate(self.deferred):
            key = key_text([values[i] for i in view])
            if key != _blank(view):
                self.pending_asked[n].append(key)
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
        """Self-references (checked once every key is known) and, for keys not proven unique, the key index."""
        self._flush()
        name = self.check.name
        lost = []
        for _, fk in self.self_fks:
            target = self.checker.keys.get((name, tuple(fk["reference"]["fields"])))
            refs = {key for _, key, n in self.self_refs if self.self_fks[n][1] is fk}
            lost.append(refs if target is None else target.missing(refs))
        for number, key, n in self.self_refs:
            if key in lost[n]:
                self.checker._fk_problem(name, number, key, self.self_fks[n][1])
        if self.distinct is not None and not self.distinct.proven:
            self.checker._primary_key_pass(self.check)


def _dependency_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resources ordered so every referenced resource comes before those that reference it."""
    pending: list[dict[str, Any]] = list(resources)
    done: set[Any] = set()
    out: list[dict[str, Any]] = []
    while pending:
        for res in pending:
            targets = {fk["reference"]["resource"] for fk in _foreign_keys(res)}
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
