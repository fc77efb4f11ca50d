"""Reader ``kemendagri-wilayah-sql``: Kemendagri region SQL dumps (FORMATS.md section 18).

MySQL dumps of one table ``(kode, nama)`` with dotted Kemendagri codes
(``('34.71.01.1001','Kricak')``), in the dialects of every vintage: double-quoted
tuples (2016), back-quoted names (Adminer 2018, phpMyAdmin 2020), plain
``INSERT … VALUES`` blocks with ``-- Provinsi`` comments (2022, 2023), CRLF and
curly apostrophes (2025); strings escaped either way (``Ba\\'u`` or ``Ba''u``).
``wilayah_penduduk.sql`` (``kode, nama, pria, wanita, total``) reads the same way:
only ``kode`` and ``nama`` are read.

Each tuple of an ``INSERT`` (or ``REPLACE``) statement is one record: a
``wilayah`` row whose code is the Kemendagri code without its dots — the undotted
form KPU uses (``34.71.01.1001`` → ``3471011001``) — with ``tingkat`` from the
number of segments, the parent from the code, ``sistem_kode`` ``kemendagri`` and
the dotted code as written in ``id_sumber``. A tuple that cannot be read (broken
quoting, a value count that does not fit the column list, a code that is not a
dotted Kemendagri code such as ``'0'`` INDONESIA) is quarantined with its
``file:line``; a statement other than the dump's own plumbing (``CREATE``,
``DROP``, ``SET``, ``LOCK`` …) is quarantined whole. A statement without a
column list is read as ``(kode, nama, …)``, the order of these dumps.

The path may be a ``.sql`` file (or ``.sql.gz``) or a folder or archive of them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Generator, Iterator

from ..privacy import brief
from .base import ReadContext, Reader, Record, Region, Rejected, clip
from .members import members_named

DOTTED = re.compile(r"^[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?$")
#: Whitespace and comments (``-- …``, ``# …``, ``/* … */``) between tokens.
GAP = re.compile(r"(?:\s+|--[^\n]*|#[^\n]*|/\*.*?\*/)*", re.S)
INSERT = re.compile(
    r"(?:INSERT|REPLACE)(?:\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*\s+(?:INTO\s+)?"
    r"((?:[`\"]?[\w$]+[`\"]?\.)?[`\"]?[\w$]+[`\"]?)\s*(?:\(([^)]*)\))?\s*VALUES?\b", re.I)
#: Statements a dump holds besides its data: read past without a record.
PLUMBING = re.compile(r"(?:CREATE|DROP|SET|LOCK|UNLOCK|START|BEGIN|COMMIT|USE|ALTER|ROLLBACK)\b|/\*!", re.I)
#: A value inside a tuple; a quoted string never spans a raw line end (dumps escape them as ``\\n``).
VALUE = re.compile(r"""'((?:[^'\\\n]|\\.|'')*)'|"((?:[^"\\\n]|\\.|"")*)"|([^'"(),\s]+)""")
#: The common tuple, read in one match: two quoted strings without escapes (``('34.71','KOTA YOGYAKARTA')``).
PAIR = re.compile(r"""\(\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*,\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*\)""")
#: The rest of a statement up to its ``;`` (quotes, back-quotes and comments may hold a ``;``).
REST = re.compile(r"""(?:[^;'"`\-#/]|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`|--[^\n]*|#[^\n]*"""
                  r"""|/\*.*?\*/|[-/])*;?""", re.S)
#: Where a tuple may end, on the line of a broken one: ``)`` then ``,`` (another tuple follows) or ``;``.
TUPLE_END = re.compile(r"\)[ \t]*[,;]")
ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}


class KemendagriWilayahReader(Reader):
    """Kemendagri region SQL dumps (dotted codes, any vintage's dialect)."""

    name = "kemendagri-wilayah-sql"
    version = "1"
    provides_places = True
    code_system = "kemendagri"
    summary = "Kemendagri region SQL dumps, dotted codes loaded undotted (file, .sql.gz, folder or archive)"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`Region` or :class:`Rejected` per tuple (and per statement that is not data)."""
        for member in members_named(ctx, (".sql",), ".sql"):
            if isinstance(member, Rejected):
                yield member
                continue
            try:
                text = member.data.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                yield Rejected(member.name, f"not UTF-8 at byte {e.start}; try re-encoding the file as UTF-8")
                continue
            yield from _Dump(text, member.name).records()


class _Dump:
    """One SQL dump, scanned statement by statement."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tuples = 0

    def locator(self, pos: int) -> str:
        return f"{self.name}:{bisect_right(self.line_starts, pos)}"

    def column(self, pos: int) -> int:
        return pos - self.line_starts[bisect_right(self.line_starts, pos) - 1] + 1

    def line_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def records(self) -> Iterator[Record]:
        text, pos = self.text, 0
        while True:
            pos = GAP.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= len(text):
                break
            insert = INSERT.match(text, pos)
            if insert:
                table, listed = insert.group(1), insert.group(2)
                columns = [c.strip().strip("`\"").lower() for c in listed.split(",")] if listed else None
                pos = yield from self._tuples(insert.end(), table, columns)
                continue
            end = max(REST.match(text, pos).end(), pos + 1)  # type: ignore[union-attr]
            if not PLUMBING.match(text, pos) and text[pos:end].strip(" \t\r\n;"):
                yield Rejected(self.locator(pos), "not an INSERT … VALUES statement of region rows; nothing read "
                               "from it", clip(text[pos:end]))
            pos = end
        if self.tuples == 0:
            yield Rejected(self.name, "no INSERT … VALUES tuples found: not a Kemendagri region dump")

    def _tuples(self, pos: int, table: str, columns: list[str] | None) -> Generator[Record, None, int]:
        """Read the tuples of one statement (``columns`` None: no column list); return the position after it."""
        text = self.text
        while True:
            pos = GAP.match(text, pos).end()  # type: ignore[union-attr]
            if pos >= len(text) or text[pos] != "(":
                return pos
            start = pos
            self.tuples += 1
            pair = PAIR.match(text, pos) if columns is None or columns == ["kode", "nama"] else None
            if pair:
                a, b, c, d = pair.groups()
                values, pos, problem = [a if a is not None else b, c if c is not None else d], pair.end(), None
            else:
                values, pos, problem = self._values(pos + 1)
            if problem:
                end, pos = self._resume(pos)
                yield Rejected(self.locator(start), problem, clip(text[start:end].strip()))
                continue
            yield self._region(values, columns, table, start, clip(text[start:pos]))
            pos = GAP.match(text, pos).end()  # type: ignore[union-attr]
            if pos < len(text) and text[pos] == ",":
                pos += 1
            elif pos < len(text) and text[pos] == ";":
                return pos + 1
            else:
                return pos

    def _resume(self, pos: int) -> tuple[int, int]:
        """Where a broken tuple (its problem at ``pos``) ends, and where reading goes on: after the first ``),``
        on its line that a ``(`` follows (the next tuple) or ``);`` (the statement's end); else the whole rest of
        the line is the broken tuple."""
        end = self.line_end(pos)
        for match in TUPLE_END.finditer(self.text, pos, end):
            after = GAP.match(self.text, match.end()).end()  # type: ignore[union-attr]
            if match.group().endswith(";") or self.text.startswith("(", after):
                return match.start() + 1, match.end()
        return end, end

    def _values(self, pos: int) -> tuple[list[str | None], int, str | None]:
        """The values of a tuple whose ``(`` is just before ``pos``; a problem in words if it is broken."""
        text, values = self.text, list[str | None]()
        while True:
            pos = GAP.match(text, pos).end()  # type: ignore[union-attr]
            if pos < len(text) and text[pos] == ")" and not values:
                return values, pos + 1, None
            value = VALUE.match(text, pos)
            if value is None:
                what = "an unclosed quote" if text[pos:pos + 1] in ("'", '"') else "no value"
                return values, pos, f"broken tuple: {what} at column {self.column(pos)}"
            single, double, bare = value.groups()
            if single is not None:
                values.append(_unescape(single, "'"))
            elif double is not None:
                values.append(_unescape(double, '"'))
            else:
                values.append(None if bare.upper() == "NULL" else bare)
            pos = GAP.match(text, value.end()).end()  # type: ignore[union-attr]
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == ")":
                return values, pos + 1, None
            return values, pos, "broken tuple: expected ',' or ')' after a value (an unescaped quote in a string?)"

    def _region(self, values: list[str | None], columns: list[str] | None, table: str, pos: int,
                raw: str | None) -> Record:
        locator = self.locator(pos)
        if columns is None:  # no column list: (kode, nama, …) as in these dumps
            if len(values) < 2:
                return Rejected(locator, f"{len(values)} value(s) where kode and nama belong", raw)
            columns = ["kode", "nama"]
        elif "kode" not in columns or "nama" not in columns:
            return Rejected(locator, f"table {table} has no kode and nama columns (columns: {', '.join(columns)})",
                            raw)
        elif len(values) != len(columns):
            return Rejected(locator, f"{len(values)} values where the column list has {len(columns)}", raw)
        dotted, nama = values[columns.index("kode")], values[columns.index("nama")]
        if dotted is None or not DOTTED.fullmatch(dotted.strip()):
            shown = "NULL" if dotted is None else f"'{brief(dotted)}'"
            why = " (the whole country, not a region)" if dotted is not None and dotted.strip() == "0" else ""
            return Rejected(locator, f"kode {shown}{why} is not a dotted Kemendagri region code like 34.71.01.1001",
                            raw)
        parts = dotted.strip().split(".")
        kode = "".join(parts)
        parent = "".join(parts[:-1]) or None
        return Region(locator, kode, len(parts), (nama or "").strip() or None, parent, dotted.strip(), raw,
                      sistem_kode="kemendagri")


def _unescape(body: str, quote: str) -> str:
    """A MySQL string literal's text: backslash escapes and doubled quotes undone."""
    if "\\" not in body and quote * 2 not in body:
        return body
    return re.sub(r"\\(.)|" + quote * 2,
                  lambda m: quote if m.group(1) is None else ESCAPES.get(m.group(1), m.group(1)), body)
