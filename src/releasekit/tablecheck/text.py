"""CSV text as the checker reads it: records across line ends, and bytes that are not UTF-8; and the NIKs of a
resource's records, also as Frictionless reads them (:mod:`.asread`)."""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

# The csv module's cell limit is one for the process, and Frictionless's CSV parser raises it to 2**31 when it is first
# imported (which a validation did midway): imported first here, it sets its own once, before releasekit reads.
import frictionless.formats.csv.parser  # noqa: F401

from ..piigate import may_hold_nik, may_hold_nik_in_file
from ..privacy import may_hold_spread_nik, record_niks
from .asread import UNREADABLE, CsvReading, csv_reading, dialect_records, resource_text

#: The ``errors`` handler resource files are read with (see :func:`_undecodable`).
UNDECODABLE = "releasekit-undecodable"

#: How many undecodable byte runs :func:`_undecodable` has met, per thread (a file is read by one thread).
_undecodable_seen = threading.local()


def undecodable_count() -> int:
    """How many undecodable byte runs this thread has read so far (compared before and after a file)."""
    count: int = getattr(_undecodable_seen, "count", 0)
    return count


def _undecodable(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as U+FFFD, so the rest of the file is still checked, and counted,
    so the resource gets one ``encoding-error`` (a clean file never calls this: it costs nothing)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _undecodable_seen.count = undecodable_count() + 1
    return "\ufffd", error.end


codecs.register_error(UNDECODABLE, _undecodable)


def first_undecodable(path: Path) -> str:
    """Where a file's first bytes that are not UTF-8 are, and why (a line break never ends a UTF-8 sequence)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as e:
                return f"byte 0x{line[e.start]:02x} at line {number}: {e.reason}"
    return "bytes that are not UTF-8"


#: A carriage return that is no part of a CRLF (one at the end of the text read so far may yet be).
STRAY_CR = re.compile(r"\r(?!\n|\Z)")


def rejoin(carry: str, handle: Iterable[str]) -> Iterator[str]:
    """The lines of ``carry`` followed by the file's, both read as the file is (``newline=""``: ended by LF, CRLF or
    a carriage return alone, as a CSV reader ends them), the piece cut at the block boundary made whole again."""
    piece = ""  # the start of a line: carry's last, or one that a CR ends whose LF may come next
    for line in chain(io.StringIO(carry, newline=""), handle):
        if piece.endswith("\r") and not line.startswith("\n"):
            yield piece  # a line that really ended with a lone CR
            piece = ""
        line, piece = piece + line, ""
        if not line.endswith("\n"):
            piece = line
            continue
        yield line
    if piece:
        yield piece


def parsed(text: str) -> list[str]:
    """The cells of one CSV record's ``text`` (:raises csv.Error: it cannot be read as one)."""
    return next(csv.reader([text]), [])


def labels_of(header: str) -> list[str]:
    """A header line's labels, as Frictionless reads them (past a BOM: it reads such a file as UTF-8 too; spaces
    around a label dropped)."""
    return [label.strip() for label in parsed(header.removeprefix("\ufeff"))]


def header_labels(path: Path) -> list[str]:
    """The labels of ``path``'s first line (:func:`labels_of`)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return labels_of(handle.readline())


def parsed_or_none(text: str) -> list[str]:
    """:func:`parsed`, or no cells when ``text`` cannot be read as one record (a stray quote ran it on to the end)."""
    try:
        return parsed(text)
    except csv.Error:
        return []


def opens_cell(line: str, inside: bool = False) -> bool:
    """Whether a record's ``line`` (with its line end) leaves a quoted cell open, as a CSV reader reads it (``inside``:
    the line starts inside one, a line before having left it open). A quote inside an unquoted cell (``layar 5"
    rusak``) opens none, and one after a cell's closing quote (``"abc"x" more``) closes none: the reader keeps them
    as characters of the cell. Quote counts tell neither; the reader keeps the line end in a cell left open."""
    if '"' not in line:
        return inside
    return _left_open(parsed_or_none('"' + line if inside else line))


def _left_open(cells: list[str]) -> bool:
    """Whether a CSV reader that read ``cells`` out of one line was still inside a quoted cell at its end."""
    return bool(cells) and cells[-1].endswith(("\n", "\r"))


def records_from(lines: Iterable[str], number: int = 0, cells_of: Callable[[str], list[str]] = parsed
                 ) -> Iterator[tuple[int, str, list[str] | None]]:
    """Yield ``(row number, text, cells)``: a plain line's text (no line end) and None, or a quoted record's text
    and its cells as ``cells_of`` reads them (the text too: the PII gate reads it)."""
    pending: list[str] = []
    for line in lines:
        if pending or '"' in line or line.endswith("\r\n"):
            cells = None if pending or '"' not in line else parsed_or_none(line)  # (a first line: read once)
            pending.append(line)
            if _left_open(cells) if cells is not None else opens_cell(line, inside=len(pending) > 1):
                continue  # a quoted cell goes on over the line end (each line read once: linear)
            text = "".join(pending)
            number += 1
            yield number, text, cells or cells_of(text)
            pending.clear()
            continue
        number += 1
        yield number, line[:-1] if line.endswith(("\n", "\r")) else line, None
    if pending:
        text = "".join(pending)
        number += 1
        yield number, text, cells_of(text)


def record_end(text: str, start: int, stop: int | None = None, *, inside: bool = False) -> int:
    """Where the record starting at ``start`` ends (after its line break), or -1 when a quote runs past ``text[:stop]``
    (``inside``: ``start`` is inside a quoted cell that lines before it left open)."""
    pos, stop = start, len(text) if stop is None else stop
    while True:
        newline = text.find("\n", pos, stop)
        if newline < 0:
            return -1
        if not opens_cell(text[pos:newline + 1], inside=inside or pos > start):
            return newline + 1
        pos = newline + 1


def niks_by_record(path: Path, res: Mapping[str, Any] | None = None, *, decoded: bool = False
                   ) -> Iterator[tuple[int, str | None]]:
    """Every NIK-like value of a CSV file, record by record (a quoted cell may go on over line ends): ``(record
    number, the label of the column holding it)``, or ``(record number, None)`` when no cell holds it but the
    record's text does (:func:`~releasekit.privacy.record_niks`). The header is record 1, its cells named ``column
    N``. Bytes that are not UTF-8 are read as U+FFFD. A file whose bytes hold no NIK-like run (most) is read once,
    by a byte scan, and not decoded.

    :param res: the resource whose file it is: its records are read as its ``dialect`` says, as Frictionless reads
        them (:func:`csv_reading`; a ``'``-quoted ``'5202'014501900001`` is a cell of 16 digits to it; a dialect
        given by path: :func:`with_dialect_read` first), and without a header row, its cells are named by its
        schema's fields.
    :param decoded: read the file's text as Frictionless reads it (:func:`resource_text`: unpacked, decoded) rather
        than its bytes as UTF-8 text; a stream that breaks off is read up to the break (its bytes, read as they
        are, are the engines')."""
    reading = csv_reading(res)
    if decoded:
        try:
            with resource_text(path, res) as handle:  # (first a screen in constant memory: a small compressed file
                if not _may_hold_nik_in_text(handle, reading):  # may inflate to a quoted cell of gigabytes)
                    return
            with resource_text(path, res) as handle:
                yield from _record_niks(handle, reading)
        except UNREADABLE:
            return
        return
    if reading.options is None and not may_hold_nik_in_file(path):  # (the byte screen knows '"' as the quote only)
        return
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        yield from _record_niks(handle, reading)


#: Characters of text screened at a time (:func:`_may_hold_nik_in_text`), and the end of each kept for the next: a NIK
#: written across two chunks is seen whole.
_TEXT_CHUNK = 1 << 20
_TEXT_OVERLAP = 256


def _may_hold_nik_in_text(handle: TextIO, reading: CsvReading) -> bool:
    """Whether text may hold a NIK written any way (:func:`~releasekit.privacy.may_hold_spread_nik`), read a chunk
    at a time in constant memory, the dialect's quote and escape characters dropped first (``'5202'014501900001``): a
    screen before the records are read (one record may be a quoted cell of any length)."""
    options = reading.options or {}
    dropped = {ord(c): None for c in (options.get("quotechar"), options.get("escapechar"), '"') if c}
    tail = ""
    while chunk := handle.read(_TEXT_CHUNK):
        text = tail + chunk.translate(dropped)
        if may_hold_spread_nik(text):
            return True
        tail = text[-_TEXT_OVERLAP:]
    return False


def _record_niks(handle: Iterable[str], reading: CsvReading) -> Iterator[tuple[int, str | None]]:
    """:func:`niks_by_record` over the lines of a text ``handle`` (``newline=""``), read as ``reading`` says."""
    labels, label_row = reading.names, reading.label_row
    records: Iterable[tuple[int, str, list[str] | None]]
    if reading.options is None:
        records = records_from(handle, cells_of=parsed_or_none)
    else:
        records = dialect_records(handle, reading.options)
    for number, text, cells in records:
        if number != label_row and not may_hold_nik(text) and (  # (an escape or a quote other than '"' splits one)
                reading.options is None or not cells or not may_hold_spread_nik("\0".join(cells))):
            continue
        cells = parsed_or_none(text) if cells is None else cells
        if number == label_row:
            labels = cells
        for index in record_niks(text, cells):
            yield number, None if index is None else (
                labels[index] if number > label_row and index < len(labels) else f"column {index + 1}")
