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

Damage is set aside as narrowly as it can be told, and reading goes on at the next
tuple (a ``(`` that a quote follows), so every intact tuple loads: text between two
tuples where a ``,`` belongs (or after a ``,`` where a tuple belongs) is quarantined
with its ``file:line``; a tuple that lost its ``)`` ends where the next one starts;
an ``INSERT`` whose head is damaged (``VALUEX``, ``INSRT``, a column list
``(kode, nxma)``) has the head quarantined and its tuples read as ``(kode, nama, …)``
(or its column list, when that can still be read); tuples after a ``;`` where a
``,`` belongs read on as that ``INSERT``'s; a lost ``;`` does not hide the ``INSERT``
on the next line; a comment that holds a tuple (a byte damaged into ``#``) is
quarantined. Where nothing is lost (a ``,`` missing between two tuples, a ``;`` in
its place) the tuple loads and its ``catatan`` says what was read past.

A dump that is not UTF-8 (or is UTF-16, or no text at all) stops the build naming
the file, line and byte, as the other region lists do: its regions cannot be told.

The path may be a ``.sql`` file (or ``.sql.gz``) or a folder or archive of them.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from collections.abc import Generator, Iterator

from ..privacy import brief
from .base import ReadContext, Reader, Record, Region, Rejected, clip
from .members import holds_members, members_named
from .textio import decode_error, refuse_utf16, without_encoding_option

DOTTED = re.compile(r"^[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?$")
#: Whitespace and comments (``-- …``, ``# …``, ``/* … */``) between tokens.
GAP = re.compile(r"(?:\s+|--[^\n]*|#[^\n]*|/\*.*?\*/)*", re.S)
INSERT = re.compile(
    r"(?:INSERT|REPLACE)(?:\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*\s+(?:INTO\s+)?"
    r"((?:[`\"]?[\w$]+[`\"]?\.)?[`\"]?[\w$]+[`\"]?)\s*(?:\(([^()]*)\))?\s*VALUES?\b", re.I)
#: Statements a dump holds besides its data: read past without a record.
PLUMBING = re.compile(r"(?:CREATE|DROP|SET|LOCK|UNLOCK|START|BEGIN|COMMIT|USE|ALTER|ROLLBACK)\b|/\*!", re.I)
#: A line that starts a data statement: where a statement whose ``;`` was lost or damaged ends at the latest.
INSERT_LINE = re.compile(r"\n[ \t]*(?=(?:INSERT|REPLACE)\b)", re.I)
#: A comment (see GAP).
COMMENT = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?\*/", re.S)
#: What tells a comment among the tuples of an INSERT that holds (part of) a tuple.
QUOTE = re.compile(r"['\"]")
#: Where a tuple starts: a ``(`` that a quote follows (a column list's ``(`` has a name or a back-quote after it).
TUPLE_START = re.compile(r"""\((?=\s*['"])""")
#: Damage between tuples, read past up to what reads on: a tuple's ``(``, the statement's ``;``, or a line that
#: starts an ``INSERT`` (quotes are not paired: a stray one would pair with the next tuple's).
JUNK = re.compile(r"""(?:--[^\n]*|[^;(\n]|\((?!\s*['"])|\n(?![ \t]*(?:INSERT|REPLACE)\b))*""", re.I)
#: The end of a tuple (``)`` and ``,``) at the end of the text before a statement's first tuple.
TUPLE_TAIL = re.compile(r"\)\s*,\s*$")
#: The words of a statement's head (up to its first tuple), and its column list when it has one.
WORD = re.compile(r"""[^\s(),'";]+""")
COLUMNS = re.compile(r"""\(([^()'";]*)\)""")
#: A value inside a tuple; a quoted string never spans a raw line end (dumps escape them as ``\\n``).
VALUE = re.compile(r"""'((?:[^'\\\n]|\\.|'')*)'|"((?:[^"\\\n]|\\.|"")*)"|([^'"(),\s]+)""")
#: The common tuple, read in one match: two quoted strings without escapes (``('34.71','KOTA YOGYAKARTA')``).
PAIR = re.compile(r"""\(\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*,\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*\)""")
#: The rest of a statement up to its ``;`` (quotes, back-quotes and comments may hold a ``;``).
REST = re.compile(r"""(?:[^;'"`\-#/]|'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`|--[^\n]*|#[^\n]*"""
                  r"""|/\*.*?\*/|[-/'"`])*;?""", re.S)
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
            # Bytes that are not UTF-8 stop the build, naming the file, line and byte, as the other region lists do:
            # a dump is small enough to fix by hand, and one set aside would leave its regions unnamed.
            label = f"{ctx.label}: {member.name}" if holds_members(ctx.path) else ctx.label
            yield from _Dump(_text(member.data, label), member.name).records()


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
        #: The table and columns of the INSERT just read: tuples that a damaged ';' cut from it read on with them.
        last: tuple[str, list[str] | None] | None = None
        while True:
            gap = GAP.match(text, pos).end()  # type: ignore[union-attr]
            if TUPLE_START.search(text, pos, gap):
                yield from self._commented(pos, gap, TUPLE_START)
            pos = gap
            if pos >= len(text):
                break
            insert = INSERT.match(text, pos)
            if insert:
                table, listed = insert.group(1), insert.group(2)
                columns = _columns(listed)
                if columns is not None and ("" in columns or not {"kode", "nama"} <= set(columns) and _damaged(listed)):
                    named = [column for column in columns if column]
                    columns = named if {"kode", "nama"} <= set(named) else None
                    yield Rejected(self.locator(pos), f"column list ({listed.strip()}) damaged; the tuples after it "
                                   f"are read as ({', '.join(columns) if columns else 'kode, nama, …'})",
                                   clip(text[pos:insert.end()]))
                last = table, columns
                pos = yield from self._tuples(insert.end(), table, columns)
                continue
            end = max(REST.match(text, pos).end(), pos + 1)  # type: ignore[union-attr]
            # A statement whose ';' was lost or damaged ends before the INSERT on a line of its own that follows it.
            cut = INSERT_LINE.search(text, pos, end)
            if cut and INSERT.match(text, cut.end()):
                end = cut.start()
            if PLUMBING.match(text, pos) or not text[pos:end].strip(" \t\r\n;"):
                last, pos = None, end
                continue
            first = TUPLE_START.search(text, pos, end)
            head = text[pos:first.start() if first else end]
            words = WORD.findall(head)
            damaged = _damaged_insert(head, words)
            if first and damaged:
                # An INSERT whose head is damaged (a byte of INSERT, INTO, VALUES or the column list; the line
                # before it run into it): the head is set aside, its tuples read on.
                table, columns = damaged
                yield Rejected(self.locator(pos), "not an INSERT … VALUES statement head (a damaged one?); the tuples "
                               f"after it are read as ({', '.join(columns) if columns else 'kode, nama, …'})",
                               clip(head.strip()))
                last = damaged
                pos = yield from self._tuples(first.start(), table, columns)
                continue
            if first and (last or not head.strip()) and (all(word.upper() in "VALUES" for word in words)
                                                         or TUPLE_TAIL.search(head)):
                # Tuples after a ';' where a ',' belongs (or a damaged tuple or VALUES, then ';'): read on as the
                # INSERT's; or tuples with no INSERT before them (its line turned into a comment): (kode, nama, …).
                note = None
                if head.strip():
                    yield Rejected(self.locator(pos), "not a tuple, after a ';' that ended the INSERT before it (a "
                                   "damaged ',' or '('?); the tuples after it are read as that INSERT's",
                                   clip(head.strip()))
                elif last:
                    ended = self.locator(text.rfind(";", 0, pos))
                    note = f"repaired: a ';' ended the INSERT before this tuple ({ended}); read as one of its tuples"
                else:
                    note = "repaired: no INSERT … VALUES before this tuple (a damaged one?); read as (kode, nama, …)"
                pos = yield from self._tuples(first.start(), *(last or ("", None)), note=note)
                continue
            yield Rejected(self.locator(pos), "not an INSERT … VALUES statement of region rows; nothing read "
                           "from it", clip(text[pos:end]))
            last = damaged  # (an INSERT head that a damaged ';' cut from its tuples)
            pos = end
        if self.tuples == 0:
            yield Rejected(self.name, "no INSERT … VALUES tuples found: not a Kemendagri region dump")

    def _tuples(self, pos: int, table: str, columns: list[str] | None, note: str | None = None
                ) -> Generator[Record, None, int]:
        """Read the tuples of one statement (``columns`` None: no column list; ``note``: the ``catatan`` of its first
        tuple); return the position after it."""
        text, size = self.text, len(self.text)
        while True:
            pos = yield from self._past_gap(pos)
            if pos >= size or text[pos] != "(":
                if pos >= size or text[pos] == ";":
                    return min(pos + 1, size)
                if INSERT.match(text, pos) or PLUMBING.match(text, pos):  # the statement lost its ';'
                    return pos
                pos, ended = yield from self._damage(pos, "no tuple where one belongs after VALUES or a ',' (a lost "
                                                          "'('?)")
                if ended:
                    return pos
                continue
            start = pos
            self.tuples += 1
            pair = PAIR.match(text, pos) if columns is None or columns == ["kode", "nama"] else None
            if pair:
                a, b, c, d = pair.groups()
                values, pos, problem = [a if a is not None else b, c if c is not None else d], pair.end(), None
            else:
                values, pos, problem = self._values(pos + 1)
            if problem:
                if TUPLE_START.match(text, pos):  # the next tuple starts where this one's ')' belongs
                    end, problem = pos, "broken tuple: no ')' before the next tuple"
                    ended = False
                else:
                    # (from the start: a quote the damage left open may pair with one after the tuple's end)
                    end, pos, ended = self._resume(start + 1)
                yield Rejected(self.locator(start), problem, clip(text[start:end].strip()))
                if ended:
                    return pos
                continue
            record = self._region(values, columns, table, start, clip(text[start:pos]))
            if note is not None:
                if isinstance(record, Region):
                    record.catatan = note
                note = None
            yield record
            pos = yield from self._past_gap(pos)
            if pos < size:
                char = text[pos]
                if char == ",":
                    pos += 1
                    continue
                if char == ";":
                    return pos + 1
                if char == "(":  # no ',' between two tuples: nothing is lost, and the next one says so
                    note = (f"repaired: no ',' between this tuple and the one before it ({self.locator(start)}); "
                            "read as if it were there")
                    continue
            if pos >= size or INSERT.match(text, pos) or PLUMBING.match(text, pos):  # (a lost ';')
                return pos
            pos, ended = yield from self._damage(pos, "not a ',' or ';' after a tuple (a damaged ','?)")
            if ended:
                return pos

    def _past_gap(self, pos: int) -> Generator[Record, None, int]:
        """Read past the spaces and comments between tuples from ``pos``, each comment holding a quoted value set
        aside (:meth:`_commented`); return where they end."""
        gap = GAP.match(self.text, pos).end()  # type: ignore[union-attr]
        if gap - pos > 3 and QUOTE.search(self.text, pos, gap):
            yield from self._commented(pos, gap, QUOTE)
        return gap

    def _commented(self, pos: int, end: int, held: re.Pattern[str]) -> Iterator[Record]:
        """Quarantine each comment between ``pos`` and ``end`` that holds a tuple (``held``: what tells one): a byte
        damaged into ``#`` (or ``--``) turns the rest of its line into a comment."""
        for comment in COMMENT.finditer(self.text, pos, end):
            if held.search(comment.group()):
                yield Rejected(self.locator(comment.start()), "a comment that holds a tuple (or its quoted values: a "
                               "byte damaged into '#' or '--'?); nothing read from it", clip(comment.group().strip()))

    def _damage(self, pos: int, what: str) -> Generator[Record, None, tuple[int, bool]]:
        """Quarantine the damage between tuples that starts at ``pos``, up to the next tuple, the statement's ``;``
        or the next ``INSERT`` line; return where reading goes on, and whether the statement has ended."""
        text = self.text
        end = JUNK.match(text, pos).end()  # type: ignore[union-attr]
        if end < len(text) and text[end] == "(":
            where, resume, ended = "the next tuple", end, False
        elif end < len(text) and text[end] == ";":
            where, resume, ended = "the end of the statement", end + 1, True
        else:
            where, resume, ended = "the next INSERT" if end < len(text) else "the end of the file", end, True
        yield Rejected(self.locator(pos), f"{what}; read past up to {where}", clip(text[pos:end].strip()))
        return resume, ended

    def _resume(self, pos: int) -> tuple[int, int, bool]:
        """Where a broken tuple (``pos``: just after its ``(``) ends, where reading goes on, and whether its statement
        has ended: after the first ``),`` on its line that a ``(`` follows (the next tuple) or ``);`` (the
        statement's end); else before the next tuple on its line (its ``)`` lost); else at the end of the line."""
        end = self.line_end(pos)
        following = TUPLE_START.search(self.text, pos, end)
        for match in TUPLE_END.finditer(self.text, pos, following.start() if following else end):
            after = GAP.match(self.text, match.end()).end()  # type: ignore[union-attr]
            if match.group().endswith(";") or self.text.startswith("(", after):
                return match.start() + 1, match.end(), match.group().endswith(";")
        return (following.start(), following.start(), False) if following else (end, end, False)

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


def _text(data: bytes, label: str) -> str:
    """A dump's bytes as text (a UTF-8 byte-order mark dropped).

    :raises TextDecodeError: the bytes are no UTF-8 text (UTF-16, a ZIP, NUL bytes …), or one of them is not UTF-8:
        ``<label>: line 3, byte 36: not valid utf-8 (bytes e9 65 75 64)``, with a hint naming the ``iconv`` that
        converts them (the message of the other region lists, :mod:`releasekit.readers.textio`).
    """
    refuse_utf16(data[:256], label, what="an SQL dump", export="export the dump again as .sql text (UTF-8)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        start = data.rfind(b"\n", 0, e.start) + 1
        stop = data.find(b"\n", e.start)
        line = data[start:stop if stop >= 0 else len(data)]
        error = decode_error(label, data.count(b"\n", 0, e.start) + 1, line, e.start - start, "utf-8")
        raise without_encoding_option(error) from None


def _damaged_insert(head: str, words: list[str]) -> tuple[str, list[str] | None] | None:
    """The table and columns of an INSERT whose head (``words``: its words) is damaged but can be told: its first
    word is INSERT or REPLACE, or its last VALUES, but for a byte; None if it is no INSERT head."""
    if not 0 < len(words) <= 12 or not (_like(words[0], ("INSERT", "REPLACE"), 1)
                                        or _like(words[-1], ("VALUES", "VALUE"), -1)):
        return None
    listed = COLUMNS.search(head)
    columns = _columns(listed.group(1)) if listed else None
    if columns is not None and not {"kode", "nama"} <= set(columns):
        columns = None
    table = ([*words[:1], *WORD.findall(head[:listed.start()])] if listed else words[:-1] or words)[-1]
    return table, columns


def _damaged(listed: str) -> bool:
    """Whether a column list without ``kode`` and ``nama`` is ``(kode, nama, …)`` but for a byte."""
    squashed = re.sub(r"[\s`\",]", "", listed).lower()
    return any(_near(squashed[:size], "kodenama") for size in (7, 8, 9))


def _columns(listed: str | None) -> list[str] | None:
    """The names of a column list (``listed``: its text inside the parentheses), in lower case."""
    return [c.strip().strip("`\"").lower() for c in listed.split(",")] if listed else None


def _like(word: str, targets: tuple[str, ...], side: int) -> bool:
    """Whether ``word`` is one of ``targets`` but for one byte (:func:`_near`), or one that lost the space on its
    ``side`` (1: after it, ``INSERTINTO``; -1: before it, ``wilayahVALUES``)."""
    word = word.upper()
    return any(_near(word, target) or (word.startswith(target) if side > 0 else word.endswith(target))
               for target in targets)


def _near(word: str, target: str) -> bool:
    """Whether ``word`` is ``target`` (in any case) but for at most one byte changed, lost or added."""
    word, target = word.upper(), target.upper()
    if len(word) == len(target):
        return sum(a != b for a, b in zip(word, target, strict=True)) <= 1
    short, long = sorted((word, target), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))
