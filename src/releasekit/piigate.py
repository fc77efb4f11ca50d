"""The PII gate on artefacts: every byte of a file, every member of a zip, every value of a database.

``build`` scans everything it is about to publish before moving it into place
(:func:`refuse_niks_in_tree`, :func:`refuse_niks_in_database`); ``validate`` finds the
lines of a package's files that hold one (:func:`nik_lines`, :func:`nik_lines_in`,
:func:`wrapped_nik_lines`); the table checks screen a CSV file or record before reading it
closely (:func:`may_hold_nik_in_file`, :func:`may_hold_nik`). What counts as a NIK, however
it is written, is :func:`releasekit.privacy.holds_nik`; a C-speed screen of the bytes picks
the few lines worth decoding. Nothing here returns or prints the value it found: only where.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from .database import read_only
from .errors import PrivacyError
from .privacy import holds_nik, may_hold_spread_nik

# The byte-level scan: every byte of a file, in C-speed chunks; only a line holding a run of 16 bytes a NIK can be
# written with is decoded and searched with the expressions.
_CHUNK = 1 << 22
#: How long a line :func:`nik_lines_in` keeps whole before cutting it (where no number can be).
_LONGEST_LINE = 1 << 24
#: A ``bytes.translate`` table for the screen of published bytes: 1 for each byte a NIK can be written with (an
#: ASCII digit; a space, tab, vertical tab, form feed, 0x1c to 0x1f, dot or dash between digits: :data:`SPREAD`; any
#: byte of a character beyond ASCII, which may be a digit of another script or a no-break space), 0 for every other
#: byte.
#: Sixteen ones in a row are needed for a NIK; a CSV's commas, a time's colons and letters break the runs.
_SCREEN = bytes(1 if (48 <= c <= 57 or c in b" \t\v\f\x1c\x1d\x1e\x1f.-" or c >= 0x80) else 0 for c in range(256))
_SCREEN_ONES = b"\x01" * 16
_SCREEN_RUN = re.compile(b"\x01{16,}")


def may_hold_nik_bytes(data: bytes) -> bool:
    """Whether ``data`` (UTF-8) may hold a NIK written any way (:func:`holds_nik`): a C-speed screen."""
    return _SCREEN_ONES in data.translate(_SCREEN)


def may_hold_nik(text: str) -> bool:
    """A screen before :func:`record_niks`: whether a CSV record's ``text`` may hold a NIK, also one that quotes
    split (``"31710145"06890001`` is one cell of 16 digits to a CSV reader)."""
    return may_hold_spread_nik(text) or ('"' in text and may_hold_spread_nik(text.replace('"', "")))


def may_hold_nik_in_file(path: Path) -> bool:
    """:func:`may_hold_nik` over a whole CSV file's bytes, at C speed (most files hold no such run). A record's digits
    may go on over a line break inside a quoted cell: lines where a cell may do so (:func:`_cell_may_span_lines`), and
    those after them, are screened with line breaks as separators too; the records then decide."""
    line = b""  # the start of a line a chunk cut
    tail, spanning = b"", False  # the last bytes screened, quotes dropped; whether a quoted cell may span them
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            lines, line = _whole_lines(line + chunk) if chunk else (line, b"")
            if lines:
                plain = tail + lines.translate(None, b'"')
                now = _cell_may_span_lines(lines)
                if may_hold_nik_bytes(plain) or (
                        (now or spanning) and _SCREEN_ONES in plain.translate(_SCREEN_LINES)):
                    return True
                tail, spanning = plain[-15:], now
            if not chunk:
                return False


def _whole_lines(data: bytes) -> tuple[bytes, bytes]:
    """``data`` cut after its last line break: its whole lines, and the start of the next (all of ``data`` when no
    line ends in it and it is longer than :data:`_LONGEST_LINE`)."""
    end = data.rfind(b"\n") + 1
    if not end and len(data) <= _LONGEST_LINE:
        return b"", data
    return (data[:end], data[end:]) if end else (data, b"")


#: A carriage return that ends no line (in a quoted cell, one of a number's separators).
_LONE_CR = re.compile(rb"\r(?!\n)")
#: :data:`_SCREEN` with a line break as one of a NIK's separators (:data:`SPREAD` takes any white space).
_SCREEN_LINES = bytes(1 if c in b"\r\n" else _SCREEN[c] for c in range(256))


def _cell_may_span_lines(lines: bytes) -> bool:
    """Whether a quoted cell of whole CSV lines may go on over a line end or hold a carriage return: a line holds an
    odd number of quotes (a cell left open, or a quote inside an unquoted cell: told apart by the records, not here),
    or a carriage return ends no line."""
    return b'"' in lines and (_LONE_CR.search(lines) is not None
                              or any(line.count(b'"') & 1 for line in lines.split(b"\n")))


def nik_lines(path: Path) -> Iterator[int]:
    """Yield the 1-based line number of every NIK-like value in a file's bytes, any format.

    Binary files (a SQLite database) are scanned the same way: line numbers then only
    say that something was found.
    """
    with path.open("rb") as handle:
        yield from nik_lines_in(handle)


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def nik_lines_in(handle: _Readable) -> Iterator[int]:
    """:func:`nik_lines` over an open binary stream (a file, or a zip member being inflated): line by line, each
    line that :func:`nik_line_offsets` finds a NIK in, however it is written."""
    lines = 0  # newlines before data[0]
    tail = b""
    while True:
        chunk = handle.read(_CHUNK)
        data = tail + chunk
        end = len(data) if not chunk else data.rfind(b"\n") + 1
        if not end and len(data) > _LONGEST_LINE:  # (no line end in sight: cut where no number can be)
            end = data.translate(_SCREEN).rfind(b"\x00") + 1 or len(data)
        for offset in nik_line_offsets(data, end):
            yield lines + offset + 1
        lines += data.count(b"\n", 0, end)
        tail = data[end:]
        if not chunk:
            return


def nik_line_offsets(data: bytes, end: int) -> Iterator[int]:
    """The 0-based offset (in lines) of each line of ``data[:end]`` (UTF-8 text, lines ended by ``\\n``) holding a NIK
    however it is written (:func:`holds_nik`: 16 digits in a row, spread out, in digits of another script). A C-speed
    screen (:data:`_SCREEN`) picks the lines worth decoding; a carriage return ends a line too."""
    translated = data.translate(_SCREEN)
    if _SCREEN_ONES not in translated:
        return
    checked = 0  # data[:checked] was looked at already
    counted, newlines = 0, 0  # newlines in data[:counted]
    for run in _SCREEN_RUN.finditer(translated, 0, end):
        if run.start() < checked:
            continue
        start = data.rfind(b"\n", 0, run.start()) + 1
        stop = data.find(b"\n", run.end(), end)
        checked = stop = end if stop < 0 else stop
        line = data[start:stop].decode("utf-8", errors="replace")
        if any(holds_nik(part) for part in line.split("\r")):
            newlines += data.count(b"\n", counted, start)
            counted = start
            yield newlines


#: Files a reader sees rendered, where a line break inside a paragraph shows as a space (Markdown's soft break).
WRAPPED_TEXT = (".md", ".markdown", ".txt")
#: Digits (and what may stand between them) ending a line, and starting the next (a blockquote's ``>`` before them).
_DIGITS_AT_END = re.compile(rb"[\d\s.\-]{1,40}$")
_DIGITS_AT_START = re.compile(rb"[\s>]*[\d\s.\-]{1,40}")


def wrapped_nik_lines(handle: Iterable[bytes]) -> Iterator[int]:
    """The 1-based number of each line of a text file (:data:`WRAPPED_TEXT`) where a NIK starts that only lines
    joined hold, as a rendered page joins them (``NIK 3174 0145`` then ``0590 0003``, or over three lines): each line
    alone passes :func:`nik_lines`. Lines end at LF, CRLF or a carriage return alone (Markdown reads each so)."""
    run, first = "", 0  # the digits that end the lines so far, and the line they start on
    number = 0
    for raw in handle:
        for line in raw.splitlines():  # (bytes: at LF, CRLF and CR alone)
            number += 1
            start = _DIGITS_AT_START.match(line) if run else None
            head = start.group().decode("ascii").lstrip(" \t>") if start else ""
            if head and holds_nik(f"{run} {head}") and not holds_nik(head):
                yield first
                run = ""
                continue
            whole = start is not None and start.end() == len(line.rstrip())
            if whole and head:  # (a line of digits alone: the number may go on to the next)
                run = f"{run} {head.strip()}"[-80:]
                continue
            end = _DIGITS_AT_END.search(line)
            run, first = (end.group().decode("ascii").strip(), number) if end else ("", 0)


#: A JSON string on one line (a line break inside one is no JSON).
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _json_decoded(match: re.Match[str]) -> str:
    try:
        value = json.loads(match.group())
    except ValueError:
        return match.group()
    return value if isinstance(value, str) else match.group()


def json_strings_decoded(line: str) -> str:
    r"""A line of JSON with each string on it as a JSON reader shows it (``\u0033``, ``\u00a0``, ``\t`` written
    as themselves), for the PII gate alone: a NIK spelled with escapes, its digits or what stands between them, is
    found there (the line is no longer JSON)."""
    return _JSON_STRING.sub(_json_decoded, line) if "\\" in line else line


#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
_REFUSED_HINT = ("a source carries identity numbers into a published column: mask them at its reader or leave "
                 "the column out (the value is not shown here, on purpose)")


def refuse_niks_in_tree(root: Path, *, scanned_already: tuple[Path, ...] = ()) -> None:
    """The build's PII gate: scan every byte of every file under ``root`` before it is moved into place.

    Zip archives are scanned member by member, inflated, except a member that is a copy of a
    file scanned already (a package's ``<slug>.zip`` holds its ``<slug>/`` folder, which sorts
    before it): same size and CRC-32 as the file of that name in the folder. A SQLite database
    is checked value by value (:func:`refuse_niks_in_database`). Messages name the file
    relative to ``root`` (where it would have gone) and never show the value.

    :param scanned_already: files the caller has just scanned itself (the build scans its database while
        the packages are still being written) and that have not changed since.
    :raises PrivacyError: at the first NIK-like value.
    """
    scanned: dict[str, tuple[int, int]] = {}  # name → (size, CRC-32) of each plain file found clean
    for file in sorted(p for p in root.rglob("*") if p.is_file() and p not in scanned_already):
        name = file.relative_to(root).as_posix()
        with file.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
        if magic == SQLITE_MAGIC:
            refuse_niks_in_database(file, name)
        elif magic.startswith(b"PK\x03\x04"):
            folder = name.removesuffix(".zip")
            with zipfile.ZipFile(file) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if scanned.get(f"{folder}/{info.filename}") == (info.file_size, info.CRC):
                        continue  # the bytes of a file already found clean
                    with archive.open(info) as member:
                        for line in nik_lines_in(member):
                            raise PrivacyError(f"{name}: {info.filename}: line {line}: an unmasked NIK-like value; "
                                               "nothing was published", hint=_REFUSED_HINT)
        else:
            with file.open("rb") as handle:
                stream = _Crc32(handle)
                for line in nik_lines_in(stream):
                    raise PrivacyError(f"{name}: line {line}: an unmasked NIK-like value; nothing was published",
                                       hint=_REFUSED_HINT)
            if file.suffix.lower() in WRAPPED_TEXT:  # (a README: a NIK wrapped over two lines shows as one)
                with file.open("rb") as handle:
                    for line in wrapped_nik_lines(handle):
                        raise PrivacyError(f"{name}: lines {line}-{line + 1}: an unmasked NIK-like value wrapped "
                                           "over two lines; nothing was published", hint=_REFUSED_HINT)
            scanned[name] = (stream.size, stream.crc)


def _refused(shown_as: str, table: str, column: str, rowid: int | None) -> PrivacyError:
    """The refusal of a database holding a NIK-like value: where (the row, when the table has row ids), never what."""
    place = f", rowid {rowid}" if rowid is not None else ""
    return PrivacyError(f"{shown_as}: table {table}, column {column}{place}: an unmasked NIK-like value; nothing was "
                        "published", hint=_REFUSED_HINT)


def _leading_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The text columns of ``table`` an index starts with (its primary key's included), compared byte by byte
    (``BINARY``): two of their values are one distinct value only when they are the same text. (In a column of
    numbers, 1 and 1.0 are one value, whose texts differ.)"""
    text = {name for name, declared in conn.execute("SELECT name, upper(type) FROM pragma_table_info(?)", (table,))
            if "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))}  # (SQLite's rule)
    leading = set()
    for (index,) in conn.execute("SELECT name FROM pragma_index_list(?)", (table,)).fetchall():
        first = conn.execute("SELECT name, upper(coll) FROM pragma_index_xinfo(?) WHERE seqno = 0",
                             (index,)).fetchone()
        if first is not None and first[0] in text and first[1] == "BINARY":  # (an expression names no column)
            leading.add(first[0])
    return leading


def _full_text_index_tables(conn: sqlite3.Connection) -> set[str]:
    """The tables where FTS5 keeps a full-text index (``x_data``, ``x_idx``, ``x_docsize``, ``x_config`` of a
    virtual table ``x``): tokens and positions of text whose own table is scanned (the content table, or
    ``x_content``), in binary blobs that would only give the scan false alarms."""
    indexes = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage = 0 "
                           "AND upper(sql) LIKE 'CREATE VIRTUAL TABLE%USING FTS5%'").fetchall()
    return {f"{name}_{part}" for (name,) in indexes for part in ("data", "idx", "docsize", "config")}


def _as_text(conn: sqlite3.Connection, value: object) -> str | None:
    """A stored value as ``CAST(value AS TEXT)`` gives it (as the scan of the other columns reads them)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    cast: str | None = conn.execute("SELECT CAST(? AS TEXT)", (value,)).fetchone()[0]
    return cast


class _Crc32:
    """A binary stream read through, keeping the CRC-32 and size of what was read (what a zip stores of a member)."""

    def __init__(self, handle: _Readable) -> None:
        self.handle, self.crc, self.size = handle, 0, 0

    def read(self, size: int, /) -> bytes:
        data = self.handle.read(size)
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)
        return data


_GLOB16 = "'*" + "[0-9]" * 16 + "*'"


def _suspect(text: str) -> str:
    """SQL: whether the text ``text`` may hold a NIK written any way (:func:`holds_nik`), a screen whose values are
    searched in Python: 16 ASCII digits in a row once spaces, dots and dashes are dropped; a character beyond ASCII
    (a no-break space, a digit of another script: its UTF-8 is longer than its length); a tab or line break. A value
    that is a date and time alone (every result row's ``ts``) is passed over at once."""
    squeezed = f"replace(replace(replace({text}, ' ', ''), '.', ''), '-', '')"
    breaks = " OR ".join(f"instr({text}, char({code}))" for code in _CONTROL_SEPARATORS)
    return (f"(NOT {text} GLOB {_DATE_TIME} AND ({squeezed} GLOB {_GLOB16} "
            f"OR length(CAST({text} AS BLOB)) <> length({text}) OR {breaks}))")


#: A date and time as the tables write them: 14 digits, no NIK.
_DATE_TIME = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'"
#: Tab, line feed, vertical tab, form feed, carriage return, and the file, group, record and unit separators (0x1c to
#: 0x1f, white space to ``str.isspace``, shown as nothing): separators :data:`SPREAD` allows between digits.
_CONTROL_SEPARATORS = (9, 10, 11, 12, 13, 28, 29, 30, 31)


def refuse_niks_in_database(path: Path, shown_as: str, conn: sqlite3.Connection | None = None) -> None:
    """Every value of every table of a SQLite file, indexes included by content, as text.

    Checked value by value, not byte by byte: SQLite stores a row's values side by side
    without separators, so the end of a snapshot date, a 13-digit TPS code and a one-byte
    row id can sit together as 16 digits that look like a NIK without being one.

    :param conn: an open connection to ``path`` to read through (else one is opened, read-only).
    :raises PrivacyError: naming table, column and (where the table has one) rowid of the first NIK-like value.
    """
    own = conn is None
    if conn is None:
        conn = read_only(path)
    try:
        tables = conn.execute("SELECT name, upper(sql) LIKE '%WITHOUT ROWID%' FROM sqlite_master "
                              "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                              "ORDER BY name").fetchall()  # ('_' alone is any character: sqlitedata is a table)
        derived = _full_text_index_tables(conn)
        for table, without_rowid in tables:
            if table in derived:
                continue
            rowid = "NULL" if without_rowid else "rowid"  # (a WITHOUT ROWID table is named without a place)
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            # A column an index starts with is read value by distinct value, from the index: a source's path repeats
            # on every row of changes and hasil_tps, and the screen of each row's copy was half the scan (4 of 10 s
            # on the 100,000-TPS benchmark's 6 days, in a one-off measurement). Distinct as bytes (COLLATE BINARY,
            # whatever the column's collation: NOCASE would make one value of two texts that differ in case) and as
            # type (a real and an integer of one number are one value otherwise); only long values (in bytes:
            # length() stops at a NUL), as the other columns are screened.
            indexed = _leading_columns(conn, table) & set(columns)
            for column in sorted(indexed):
                for value, _ in conn.execute(
                        f"SELECT DISTINCT [{column}] COLLATE BINARY, typeof([{column}]) FROM [{table}] "
                        f"WHERE length(CAST([{column}] AS BLOB)) >= 16"):
                    text = _as_text(conn, value)
                    if text is not None and holds_nik(text):
                        row = conn.execute(f"SELECT {rowid} FROM [{table}] WHERE [{column}] IS ? COLLATE BINARY "
                                           f"AND typeof([{column}]) = typeof(?) LIMIT 1", (value, value)).fetchone()
                        raise _refused(shown_as, table, column, None if row is None else row[0])
            columns = [c for c in columns if c not in indexed]
            if not columns:
                continue
            texts = [f"CAST([{c}] AS TEXT)" for c in columns]
            # length() of a number is the length of its text, so only long values are cast (the cast of every
            # value was the larger part of the scan at national scale, in a one-off measurement).
            # (in bytes: length() of a text stops at a NUL, and 'x' NUL then a NIK is 1 character long to it)
            suspect = " OR ".join(f"(length(CAST([{c}] AS BLOB)) >= 16 AND {_suspect(text)})"
                                  for c, text in zip(columns, texts, strict=True))
            for row in conn.execute(f"SELECT {rowid}, {', '.join(texts)} FROM [{table}] WHERE {suspect}"):
                for column, value in zip(columns, row[1:], strict=True):
                    if value is not None and holds_nik(value):
                        raise _refused(shown_as, table, column, row[0])
    finally:
        if own:
            conn.close()
