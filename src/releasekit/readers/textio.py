"""Open raw text tables the way real KPU exports arrive, and cut them into CSV records.

Exports come as UTF-8 with or without a byte-order mark, as cp1252 from old
spreadsheets, gzipped or not, with LF, CRLF or classic-Mac CR-only line ends,
with ``#`` comment lines or a ``#HEADER:`` line, with quoted fields that hold
newlines, and sometimes truncated or with garbage in them. This module turns
all of that into two streams that readers build on:

* :func:`iter_lines` — decoded physical lines, numbered from 1, read in chunks
  (constant memory) from a file, a member's bytes, or a binary stream (a member
  read from its archive as it is used). A line longer than :data:`LINE_LIMIT` bytes
  is not held in memory: it becomes a :class:`~releasekit.readers.base.Rejected`
  with its length. A truncated or corrupt gzip stream or archive ends with a
  ``Rejected`` that holds the cut-off last line. Bytes that do not decode raise
  :class:`TextDecodeError` naming the line, the byte and the encoding the bytes look like.
* :func:`open_table` — the same lines cut into CSV records (:class:`TextRow`,
  with the line each record starts on and its raw text) after skipped lines,
  comment lines and the header. A record with broken quoting, a NUL byte, or
  an unclosed quote is rejected by itself and reading goes on with the next
  line, so one bad cell never swallows the records after it. Plain one-line
  records (nearly all) are cut :data:`RUN` at a time by one ``csv.reader`` pass
  (:meth:`TextTable.runs`), and come out exactly as line by line.

Readers decide what a record means; this module only guarantees that every
line of the file ends up in exactly one record, one reject, or is a blank,
comment, skipped or header line. A "comment" line after the header that has the
header's number of fields is a record commented out (or a ``comment:`` text data
lines start with): it is rejected, so it is counted, not skipped unseen.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from pathlib import Path
from typing import Protocol

from ..csvlimit import bounded_cells
from ..errors import SourceError
from .base import Rejected, clip
from .bytelines import SHOWN, too_long, truncated
from .inflate import corrupt
from .memberstream import ARCHIVE_ERRORS

#: Bytes read from the file at a time.
CHUNK = 1 << 20
#: A physical line longer than this many bytes is rejected without being held in memory.
LINE_LIMIT = 1 << 20
#: A record spanning more physical lines than this is taken for an unclosed quote.
RECORD_LINE_LIMIT = 10_000
#: Nor may a record of several lines hold more characters than this: 10,000 lines of 1 MiB each would be held in
#: memory several times over (a 1 MB gzipped file took 5 GB; review BB #3).
RECORD_SIZE_LIMIT = 4 * LINE_LIMIT
#: Plain one-line records cut together (:meth:`TextTable.runs`): few enough for their objects to stay in
#: the CPU cache (measured: 128 records cut 1.9 times faster per record than 9,000 at once).
RUN = 128
#: Delimiters :func:`sniff_delimiter` chooses from, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
GZIP_MAGIC = b"\x1f\x8b"

Progress = Callable[[int], None]


class Readable(Protocol):
    """A binary file to read from: an open file, or a member streamed from its archive
    (:class:`~releasekit.readers.memberstream.MemberStream`; ``tell`` is only asked for with ``progress``)."""

    def read(self, size: int = ..., /) -> bytes: ...

    def tell(self) -> int: ...


class TextDecodeError(SourceError):
    """The bytes of a text source are not in the declared encoding.

    :param likely: the encoding the bytes look like (:func:`guess_encoding`), when that is known.
    """

    def __init__(self, message: str, *, hint: str | None = None, likely: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.likely = likely


def without_encoding_option(error: TextDecodeError) -> TextDecodeError:
    """The same error for a reader that has no ``encoding`` option: its hint says to re-encode the file (and how),
    not to declare an option the schema refuses."""
    likely = error.likely
    if likely is None or likely in ("utf-8", "utf-16"):
        return error
    return TextDecodeError(error.args[0], hint=f"re-encode the file as UTF-8 (its bytes look like {likely}: "
                                               f"iconv -f {likely} -t utf-8)", likely=likely)


#: The first bytes of files that are no text table, however they are named (a workbook saved as ``.csv``).
BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .ods workbook is one)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xfe\x00\x00", "UTF-32 text"),
    (b"\x00\x00\xfe\xff", "UTF-32 text"),
)


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is, when it is plainly no text: a ZIP, a workbook, a PDF, NUL bytes."""
    for magic, kind in BINARY_KINDS:
        if head.startswith(magic):
            return kind
    return "only NUL bytes (a download or copy that never finished?)" if head and not head.strip(b"\x00") else None


@dataclass(frozen=True)
class TextOptions:
    """How to read a text table; every field has a default that suits a plain UTF-8 CSV.

    :param encoding: a Python codec name; ``utf-8`` also accepts a byte-order mark.
        Only ASCII-compatible encodings (utf-8, cp1252, latin-1 …) are supported.
    :param delimiter: one character, or None to sniff it from the first line.
    :param header: whether the first record (after skipped and comment lines) names the columns.
    :param names: the column names, for a file without a header (or to replace its header).
    :param comment: lines starting with this text, between records, are skipped.
    :param header_prefix: the header line starts with this text (``#HEADER:``), which is removed.
    :param skip_lines: physical lines to skip at the start (titles above the table).
    """

    encoding: str = "utf-8"
    delimiter: str | None = None
    header: bool = True
    names: tuple[str, ...] = ()
    comment: str | None = None
    header_prefix: str | None = None
    skip_lines: int = 0


@dataclass(slots=True)
class Line:
    """A decoded physical line, with its line end kept (CSV needs it inside quoted fields)."""

    number: int
    text: str


@dataclass(slots=True)
class TextRow:
    """One CSV record: the line it starts on, its cells, and its raw text for the quarantine."""

    line: int
    cells: list[str]
    raw: str


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; :class:`ValueError` when unknown or not ASCII-compatible.

    Lines are split on ``\\n``/``\\r`` bytes before decoding, which is only right
    for encodings where those bytes mean nothing else (not UTF-16 or UTF-32).
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding '{encoding}'") from None
    if info.name == "utf-8-sig":  # (UTF-8 with a byte-order mark: what utf-8 reads, with or without the mark)
        return "utf-8"
    probe = "a,;\t|\"#\r\n0"
    try:
        ok = probe.encode(info.name) == probe.encode("ascii") and not info.name.startswith(("utf-16", "utf-32"))
    except (UnicodeError, LookupError):
        ok = False
    if not ok:
        raise ValueError(f"encoding '{encoding}' is not ASCII-compatible; re-encode the file as UTF-8")
    return info.name


def guess_encoding(data: bytes) -> str:
    """The encoding some bytes most likely are in: utf-8, cp1252, latin-1, or utf-16."""
    if looks_utf16(data):
        return "utf-16"
    for candidate in ("utf-8", "cp1252"):
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin-1"


def looks_utf16(data: bytes) -> bool:
    """Whether the start of a file looks like UTF-16 text (a UTF-16 byte-order mark, or every other byte a NUL)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = data[:256]
    return len(head) >= 8 and head.count(0) >= len(head) // 3


def refuse_utf16(head: bytes, label: str, encoding: str = "UTF-8", *, what: str = "a text table",
                 export: str = "export the data as CSV (UTF-8)") -> None:
    """Refuse a text file whose first bytes ``head`` look like UTF-16 (:func:`looks_utf16`), or like no text at all
    (:func:`binary_kind`: a ZIP or workbook saved under a ``.csv`` name, a PDF, UTF-32, NUL bytes).

    :param what: what the file should be, and ``export`` how to make one, named when it is no text.
    :raises TextDecodeError: ``<label>: line 1: the file looks like UTF-16, not <encoding>``, or
        ``<label>: the file is a ZIP archive (…), not <what>``.
    """
    kind = binary_kind(head)
    if kind is not None:
        raise TextDecodeError(f"{label}: the file is {kind}, not {what}",
                              hint=f"{export}, or declare the file as what it is")
    if looks_utf16(head):
        raise TextDecodeError(f"{label}: line 1: the file looks like UTF-16, not {encoding}",
                              hint="re-encode the file as UTF-8", likely="utf-16")


def decode_error(name: str, number: int, line: bytes, at: int, encoding: str) -> TextDecodeError:
    """The error for line ``number`` of ``name``, whose bytes ``line`` are not ``encoding`` from offset ``at`` on,
    with a hint from what they look like (:func:`guess_encoding`)."""
    likely = guess_encoding(line)
    if likely == "utf-16":
        hint = "the file looks like UTF-16; re-encode it as UTF-8"
    elif likely == encoding:
        hint = "the file is damaged here; re-export it"
    else:
        hint = f"the bytes look like {likely}; declare 'encoding: {likely}' for this source"
    bad = line[at:at + 4].hex(" ")
    return TextDecodeError(f"{name}: line {number}, byte {at + 1}: not valid {encoding} (bytes {bad})",
                           hint=hint, likely=likely if likely != encoding else None)


def _chunks(raw: Readable, progress: Progress | None) -> Iterator[bytes]:
    """The bytes of ``raw`` in chunks, gunzipped when they start like gzip.

    Decompression is incremental with bounded output, so a truncated stream
    gives up every byte before the cut (then raises :class:`EOFError`) and a
    zip bomb never sits in memory whole. A corrupt stream raises
    :class:`~releasekit.readers.inflate.CorruptStreamError`.
    """
    data = raw.read(CHUNK)
    if not data.startswith(GZIP_MAGIC):
        while data:
            if progress is not None:
                progress(raw.tell())
            yield data
            data = raw.read(CHUNK)
        return
    inflate = zlib.decompressobj(wbits=31)
    inflated = 0
    while True:
        if progress is not None:
            progress(raw.tell())
        try:
            out = inflate.decompress(data, CHUNK)
        except zlib.error as e:
            raise corrupt(e, inflated) from e
        if out:
            inflated += len(out)
            yield out
        if inflate.eof:
            data = inflate.unused_data or raw.read(CHUNK)
            if not data.strip(b"\0"):  # end of file, or the zero padding some tools add
                if raw.read(1):
                    raise gzip.BadGzipFile("data after the zero padding of the compressed stream")
                return
            if not data.startswith(GZIP_MAGIC):
                raise gzip.BadGzipFile("data after the end of the compressed stream")
            inflate = zlib.decompressobj(wbits=31)  # the next member of a multi-member gzip
        elif inflate.unconsumed_tail:
            data = inflate.unconsumed_tail
        else:
            data = raw.read(CHUNK)
            if not data:
                raise EOFError("the compressed stream ends before its end marker")


def iter_lines(source: Path | bytes | Readable, name: str, encoding: str = "utf-8", progress: Progress | None = None,
               label: str | None = None) -> Generator[Line | Rejected, None, None]:
    """Yield every physical line of ``source`` (a file, a member's bytes, or a binary stream, left open), decoded.

    Line ends may be ``\\n``, ``\\r\\n`` or ``\\r`` (mixed, too) and are kept on
    the text. A UTF-8 byte-order mark is removed from line 1. ``.gz`` content is
    recognised by its magic bytes.

    :param name: used in locators (``name:line``).
    :param progress: called with the bytes of the (compressed) source read so far.
    :param label: names the file in error messages (default ``name``), e.g. its path in the project.
    :raises TextDecodeError: a line is not valid in ``encoding`` (naming line and byte).
    :raises SourceError: the file cannot be read at all.
    """
    for item in _iter_blocks(source, name, encoding, progress, label):
        if isinstance(item, Rejected):
            yield item
        else:
            yield from map(Line, count(item.first), item.texts)


@dataclass(slots=True)
class _Block:
    """Consecutive decoded physical lines (line ends kept), the first one numbered ``first``."""

    first: int
    texts: list[str]
    #: Whether a NUL byte may be in one of them.
    nul: bool


def _iter_blocks(source: Path | bytes | Readable, name: str, encoding: str, progress: Progress | None,
                 label: str | None) -> Generator[_Block | Rejected, None, None]:
    """The lines of :func:`iter_lines` a read chunk at a time (a line that cannot be read is a ``Rejected``)."""
    codec = check_encoding(encoding)
    label = label or name
    if not isinstance(source, (Path, bytes)):  # a stream: the caller's to close
        yield from _split(_chunks(source, progress), name, label, encoding, codec)
        return
    try:
        raw = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    except OSError as e:
        raise SourceError(f"{label}: cannot be read: {e}", hint="check the file and its permissions") from e
    with raw:
        yield from _split(_chunks(raw, progress), name, label, encoding, codec)


def _split(chunks: Iterator[bytes], name: str, label: str, encoding: str, codec: str
           ) -> Iterator[_Block | Rejected]:
    number = 0
    pending = b""
    skipping = 0  # > 0 while inside an over-long line: the bytes of it seen so far
    head = b""
    while True:
        try:
            chunk = next(chunks, b"")
        except ARCHIVE_ERRORS as e:  # (the bytes cut or corrupt: a gzip stream, an archive streamed from)
            where = number + 1
            yield truncated(name, where, e, clip(pending.decode(codec, errors="replace")) if pending else None)
            return
        if not chunk:
            break
        if skipping and b"\n" not in chunk and b"\r" not in chunk:
            skipping += len(chunk)  # still inside the over-long line
            continue
        if number == 0 and not pending and not skipping:
            chunk = _start(chunk, label, encoding, codec)
        data = pending + chunk if pending else chunk
        lines = data.splitlines(keepends=True)
        pending = lines.pop() if lines else b""
        if pending.endswith(b"\n"):
            lines.append(pending)
            pending = b""  # else: incomplete, or a \r that may be the first half of \r\n
        if skipping and lines:  # the first line is the end of the over-long one
            number += 1
            yield _too_long(name, number, skipping + len(lines[0]), head, codec)
            skipping = 0
            del lines[0]
        if lines:
            yield from _blocks(lines, number + 1, name, label, encoding, codec, b"\x00" in data)
            number += len(lines)
        if len(pending) > LINE_LIMIT:  # no line end in sight: count the line's bytes without keeping them
            if not skipping:
                head = pending[:SHOWN]
            skipping += len(pending)
            pending = b""
    if skipping or pending:
        number += 1
        if skipping:
            yield _too_long(name, number, skipping + len(pending), head, codec)
            return
        yield from _blocks([pending], number, name, label, encoding, codec, b"\x00" in pending)


def _blocks(lines: list[bytes], first: int, name: str, label: str, encoding: str, codec: str, nul: bool
            ) -> Iterator[_Block | Rejected]:
    """Lines numbered from ``first`` decoded in one C-level pass; an over-long line rejected in their midst.

    Bytes that do not decode raise once the lines before them are handed on, as line by line.
    """
    if max(map(len, lines)) > LINE_LIMIT:  # rare: cut around the over-long lines
        start = 0
        for i in compress(range(len(lines)), map(LINE_LIMIT.__lt__, map(len, lines))):
            if i > start:
                yield from _blocks(lines[start:i], first + start, name, label, encoding, codec, nul)
            yield _too_long(name, first + i, len(lines[i]), lines[i][:SHOWN], codec)
            start = i + 1
        if start < len(lines):
            yield from _blocks(lines[start:], first + start, name, label, encoding, codec, nul)
        return
    try:
        texts = list(map(bytes.decode, lines, repeat(codec)))
    except UnicodeDecodeError:
        texts = []
        for line in lines:
            try:
                texts.append(line.decode(codec))
            except UnicodeDecodeError as e:
                if texts:
                    yield _Block(first, texts, nul)
                raise decode_error(label, first + len(texts), line, e.start, encoding) from None
    yield _Block(first, texts, nul)


def _start(chunk: bytes, label: str, encoding: str, codec: str) -> bytes:
    """The first chunk of a file, without its UTF-8 byte-order mark; refuse UTF-16 and a mismatched mark."""
    refuse_utf16(chunk, label, encoding)
    if chunk.startswith(codecs.BOM_UTF8):
        if codec != "utf-8":
            raise TextDecodeError(f"{label}: line 1: starts with a UTF-8 byte-order mark but the declared "
                                  f"encoding is {encoding}", hint="declare 'encoding: utf-8' for this source")
        return chunk[len(codecs.BOM_UTF8):]
    return chunk


def _too_long(name: str, number: int, size: int, head: bytes, codec: str) -> Rejected:
    return too_long(name, number, size, LINE_LIMIT, clip(head.decode(codec, errors="replace")))


def sniff_delimiter(line: str, fields: int | None = None) -> str:
    """The delimiter of a CSV line: the candidate found most often outside quotes.

    :param fields: when the number of columns is known (declared names), a
        candidate giving exactly that many fields wins.
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    if fields is not None:
        for delimiter in DELIMITERS:
            if counts[delimiter] == fields - 1 and fields > 1:
                return delimiter
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


class _Break(Exception):
    """Raised inside the line feed to stop the CSV parser at a line it must not read."""

    def __init__(self, item: Rejected | None) -> None:
        super().__init__()
        self.item = item


@dataclass
class _Feed:
    """The line source the CSV parser pulls from; remembers the lines of the record in progress.

    Lines come a block (a read chunk) at a time; :meth:`TextTable.runs` takes the plain
    lines of the current block straight from ``texts``, the parser the others one by one.
    """

    blocks: Iterator[_Block | Rejected]
    comment: str | None
    #: Once the header is known: its number of fields, the delimiter and the name locators use. A comment
    #: line that splits into as many fields is a record commented out, set aside (not silently skipped).
    width: int = 0
    delimiter: str = ","
    name: str = ""
    taken: list[Line] = field(default_factory=list)
    #: The characters of the lines :attr:`taken`.
    taken_size: int = 0
    again: deque[Line | Rejected] = field(default_factory=deque)
    #: The current block: its lines, the number of the first, and the index of the next one to hand out.
    texts: list[str] = field(default_factory=list)
    first: int = 0
    at: int = 0
    #: Indices of the current block's lines that only the parser may read (blank, comment, NUL).
    stops: list[int] = field(default_factory=list)
    #: Lines of the current block before this index are left to the parser (a fast read failed there).
    slow_until: int = 0

    def __iter__(self) -> _Feed:
        return self

    def pull(self) -> Line | Rejected:
        if self.again:
            return self.again.popleft()
        while self.at >= len(self.texts):
            item = next(self.blocks)
            if isinstance(item, Rejected):
                return item
            self.texts, self.first, self.at, self.slow_until = item.texts, item.first, 0, 0
            self.stops = _stops(item, self.comment)
        self.at += 1
        return Line(self.first + self.at - 1, self.texts[self.at - 1])

    def __next__(self) -> str:
        while True:
            item = self.pull()
            if isinstance(item, Rejected):
                raise _Break(item)
            if not self.taken and not item.text.strip():
                continue  # blank lines between records are not records
            if not self.taken and self.comment and item.text.startswith(self.comment):
                if self.width > 1 and _fields(item.text, self.delimiter) == self.width:
                    raise _Break(Rejected(
                        f"{self.name}:{item.number}", f"a line that starts with the comment text {self.comment!r} "
                        f"but has the header's {self.width} fields, like a record: set aside, not skipped as a "
                        "comment (is the source's 'comment:' a text data lines start with?)", clip(item.text)))
                continue  # comment lines between records are not records
            self.taken.append(item)
            self.taken_size += len(item.text)
            if len(self.taken) > RECORD_LINE_LIMIT or self.taken_size > RECORD_SIZE_LIMIT:
                raise _Break(None)
            return item.text


def _fields(text: str, delimiter: str) -> int:
    """How many fields a line splits into (0 when it is not one whole CSV record)."""
    try:
        records = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return 0
    return len(records[0]) if len(records) == 1 else 0


def _stops(block: _Block, comment: str | None) -> list[int]:
    """The lines of a block the fast path must leave to the parser: blank, comment and NUL-bearing ones."""
    texts = block.texts
    found: set[int] = set()
    if any(map(str.isspace, texts)):  # a line's text is never empty: it has its line end, or is the last
        found.update(compress(range(len(texts)), map(str.isspace, texts)))
    if comment:
        found.update(compress(range(len(texts)), map(str.startswith, texts, repeat(comment))))
    if block.nul:
        found.update(compress(range(len(texts)), map(str.__contains__, texts, repeat("\x00"))))
    return sorted(found)


@dataclass(slots=True)
class TextRun:
    """Consecutive records of one physical line each (the common case), cut in one C-level pass."""

    #: The line of each record.
    lines: range
    cells: list[list[str]]
    #: Each record's raw text (its line, line end included).
    raw: list[str]


@dataclass
class TextTable:
    """An open text table: its column names, its delimiter, and its records (iterate it once)."""

    name: str
    header: tuple[str, ...]
    #: The physical line the header was read from (None when the names were declared).
    header_line: int | None
    delimiter: str
    _feed: _Feed

    def __iter__(self) -> Iterator[TextRow | Rejected]:
        """Every record after the header: a :class:`TextRow`, or a :class:`Rejected` with its line."""
        for item in self.runs():
            if isinstance(item, TextRun):
                yield from map(TextRow, item.lines, item.cells, item.raw)
            else:
                yield item

    def runs(self) -> Iterator[TextRun | TextRow | Rejected]:
        """The records of :meth:`__iter__`, with runs of plain one-line records as :class:`TextRun` batches.

        Lines without a line-ending quoted field (nearly all) are cut by one ``csv.reader`` pass
        over up to :data:`RUN` of them at a time. The pass is taken only when it gives one record
        per line without error, so it gives exactly what reading line by line gives; any
        other line (blank, comment, NUL, broken or multi-line quoting) is read line by line.
        """
        feed, delimiter = self._feed, self.delimiter
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        while True:
            feed.taken, feed.taken_size = [], 0
            if not feed.again and feed.at >= feed.slow_until:
                at, texts = feed.at, feed.texts
                i = bisect_left(feed.stops, at)
                end = min(feed.stops[i] if i < len(feed.stops) else len(texts), at + RUN)
                if end > at:
                    run = self._fast(feed, texts[at:end])
                    if run is not None:
                        yield run
                        continue
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, _Break) as e:
                item = e.item if isinstance(e, _Break) else None
                if feed.taken:
                    first = feed.taken[0]
                    why = str(e) if isinstance(e, csv.Error) else (
                        f"no closing quote within {RECORD_LINE_LIMIT:,} lines or {RECORD_SIZE_LIMIT >> 20} MiB"
                        if item is None else "the record runs into a line that cannot be read")
                    yield Rejected(f"{self.name}:{first.number}", f"malformed CSV record: {why}; only this line "
                                   "is set aside, reading goes on with the next one", clip(first.text))
                    # Re-read the lines after the first one: an unclosed quote must not swallow them.
                    feed.again.extendleft(reversed([*feed.taken[1:], *([item] if item else [])]))
                elif item is not None:
                    yield item
                reader = csv.reader(feed, delimiter=delimiter, strict=True)
                continue
            raw = "".join(line.text for line in feed.taken)
            first_line = feed.taken[0].number
            if "\x00" in raw:
                yield Rejected(f"{self.name}:{first_line}", "the record contains a NUL byte (binary data or a "
                               "wrong encoding); not read", clip(raw.replace("\x00", "\\0")))
                continue
            yield TextRow(first_line, cells, raw)

    def _fast(self, feed: _Feed, texts: list[str]) -> TextRun | None:
        """The next lines of the block as one-line records, or None (then the parser reads from here).

        When the pass fails (a record over several lines, broken quoting), the records before the
        first one that is not one whole line are taken, and the parser reads that one.
        """
        cells: list[list[str]] = []
        try:
            cells.extend(csv.reader(texts, delimiter=self.delimiter, strict=True))
        except csv.Error:
            pass
        if len(cells) != len(texts):
            cells = self._whole_lines(texts)
            feed.slow_until = feed.at + len(cells) + 1
            if not cells:
                return None
        at, n = feed.at, len(cells)
        feed.at += n
        return TextRun(range(feed.first + at, feed.first + at + n), cells, texts[:n] if n < len(texts) else texts)

    def _whole_lines(self, texts: list[str]) -> list[list[str]]:
        """The records of ``texts`` before the first one that is not one whole line (read record by record)."""
        out: list[list[str]] = []
        reader = csv.reader(texts, delimiter=self.delimiter, strict=True)
        try:
            for record in reader:
                if reader.line_num != len(out) + 1:
                    break
                out.append(record)
        except csv.Error:
            pass
        return out


def _first_line(feed: _Feed, options: TextOptions) -> tuple[Line | None, int]:
    """The header line (its prefix removed), or the first data line: after skipped, blank and comment lines; and
    the number of lines skipped (``skip_lines``) before it.

    None when the file ends first, or when a line that cannot be read comes first (it is put back).
    """
    skipped = 0
    while True:
        try:
            item = feed.pull()
        except StopIteration:
            return None, skipped
        if isinstance(item, Rejected):
            feed.again.append(item)
            return None, skipped
        if skipped < options.skip_lines:
            skipped += 1
        elif options.header_prefix and item.text.startswith(options.header_prefix):
            return Line(item.number, item.text[len(options.header_prefix):]), skipped
        elif item.text.strip() and not (options.comment and item.text.startswith(options.comment)):
            return item, skipped


class DamagedError(SourceError):
    """A table whose header line cannot be read (cut short, undecodable): the file is damaged, no option helps."""


#: The name it had before its name ended in ``Error`` (STYLE.md 2.10), kept for the code that uses it.
Damaged = DamagedError


@contextmanager
def open_table(source: Path | bytes | Readable, name: str, options: TextOptions = TextOptions(),
               progress: Progress | None = None, label: str | None = None) -> Iterator[TextTable]:
    """Open a CSV-like text table: skip leading lines, find the header and the delimiter.

    Usage::

        with open_table(path, "villages.csv", TextOptions(header=False, names=("id", "name"))) as table:
            for row in table:            # TextRow or Rejected
                ...

    A quoted cell is read up to :data:`~releasekit.csvlimit.CELL_LIMIT` while the table is open, whoever opened it
    (a test of a reader alone read it up to the process's limit, 128 KiB unless raised).

    :param name: used in locators (``name:line``); ``label`` names the file in error messages.
    :raises SourceError: the file is empty, or has no header line when one is expected.
    :raises TextDecodeError: bytes that are not in ``options.encoding`` (when reached).
    """
    with bounded_cells(), _opened_table(source, name, options, progress, label) as table:
        yield table


@contextmanager
def _opened_table(source: Path | bytes | Readable, name: str, options: TextOptions, progress: Progress | None,
                  label: str | None) -> Iterator[TextTable]:
    label = label or name
    blocks = _iter_blocks(source, name, options.encoding, progress, label)
    feed = _Feed(blocks, options.comment)
    first, skipped = _first_line(feed, options)
    if first is None and not feed.again and skipped:
        raise SourceError(f"{label}: no line with data after the {skipped:,} line(s) skipped "
                          f"('skip_lines: {options.skip_lines:,}')",
                          hint="set 'skip_lines' to the number of title lines above the table")
    if first is None and not feed.again:
        raise SourceError(f"{label}: the file is empty (no line with data)",
                          hint="check that the export was complete, or remove the source")
    delimiter = options.delimiter or sniff_delimiter(first.text if first else "",
                                                     len(options.names) if options.names else None)
    header_line: int | None = None
    header: tuple[str, ...] = options.names
    if options.header and first is not None:
        try:
            cells = next(csv.reader([first.text], delimiter=delimiter, strict=True))
        except (csv.Error, StopIteration) as e:
            raise SourceError(f"{label}: line {first.number}: the header line is not valid CSV: {e}",
                              hint="check the quoting of the first line") from e
        header_line = first.number
        if not header:
            header = tuple(cell.strip() for cell in cells)
    elif options.header:
        stop = feed.again[0]  # (the line that cannot be read, which _first_line put back: cut short, undecodable …)
        assert isinstance(stop, Rejected)
        raise DamagedError(f"{label}: line {stop.locator.rsplit(':', 1)[-1]}: the header line cannot be read: "
                           f"{stop.reason}", hint="check the start of the file, or export it again")
    elif first is not None:
        feed.again.appendleft(first)
    if not header:
        raise SourceError(f"{label}: no column names", hint="declare 'names' for a file without a header line")
    feed.width, feed.delimiter, feed.name = len(header), delimiter, name
    try:
        yield TextTable(name, header, header_line, delimiter, feed)
    finally:
        blocks.close()
