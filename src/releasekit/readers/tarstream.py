"""A streaming reader for plain and gzipped tar archives, for archives of many small members.

A national Sirekap scrape is one ``.tar.gz`` of 823,378 JSON files of about 700 bytes. The
standard library's :mod:`tarfile` spends more time per member on its ``TarInfo`` objects than
``json.loads`` spends on the member, so this module reads the same archives with less work per
member: the gzip stream is inflated in large blocks with :mod:`zlib` (the multi-member gzip
files some tools write included) and each 512-byte header is parsed with a few slices.

It reads what :mod:`tarfile` reads (ustar and GNU names, pax ``path`` and ``linkpath`` records, GNU
long names, base-256 sizes), yields regular files and, named by what they are, the members that are
no file (links, devices, pipes: :class:`NotAFile`) or too large to hold (:class:`TooLarge`, read past
in constant memory) in archive order, and checks every header's checksum. A file the caller reads
as a stream (a text table, read line by line) is a :class:`Section`, read from the archive a buffer
at a time as it is used, whatever its size. Anything it cannot read
raises :class:`TarError` (a :class:`tarfile.TarError`), so callers report a truncated or corrupt
archive the same way for both readers.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .inflate import corrupt

BLOCK = 512
CHUNK = 1 << 20           # compressed bytes read at a time
MAX_INFLATE = 16 << 20    # inflated bytes per step (a zip bomb cannot blow the buffer up)
SECTION_STEP = 1 << 16    # bytes of a Section read at a time
REGULAR = (b"0", b"\0", b"7")
GNU_LONGNAME, GNU_LONGLINK, PAX_HEADER, PAX_GLOBAL = b"L", b"K", b"x", b"g"
#: Members with no content of their own, by type flag.
NOT_FILES = {b"1": "a hard link", b"2": "a symbolic link", b"3": "a character device", b"4": "a block device",
             b"6": "a named pipe"}


@dataclass(frozen=True, slots=True)
class NotAFile:
    """A member that is no file (a link, a device, a pipe): a source's records cannot be in it, nor silently not."""

    kind: str
    #: The member a link points to ("" for the others).
    target: str = ""

    def __str__(self) -> str:
        return f"{self.kind} to '{self.target}'" if self.target else self.kind


@dataclass(frozen=True, slots=True)
class TooLarge:
    """A regular file over the caller's limit: its bytes were read past, not kept."""

    size: int


class TarError(tarfile.TarError):
    """The archive is truncated or corrupt (the message says where)."""


class Section:
    """A regular file's bytes, read from the archive as they are asked for (:func:`iter_tar` reads past what is
    left of them when it is asked for the next member). Iterate it once: chunks of :data:`SECTION_STEP` bytes.

    :raises TarError: the archive is truncated or corrupt inside the file (when that place is reached).
    """

    def __init__(self, stream: _Bytes, size: int, progress: Callable[[int], None] | None) -> None:
        self.stream = stream
        #: The bytes not read yet.
        self.left = size
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        while self.left:
            step = min(self.left, SECTION_STEP)
            data = self.stream.read(step)
            if data is None:
                raise TarError("unexpected end of data")
            self.left -= step
            if self.progress is not None:
                self.progress(self.stream.tell())
            yield data


class _Bytes:
    """The archive's bytes, inflated when gzipped, served in exact-size reads from a large buffer."""

    def __init__(self, raw: BinaryIO, gzipped: bool) -> None:
        self.raw = raw
        self.inflate = zlib.decompressobj(31) if gzipped else None
        self.pending = b""
        self.inflated = 0
        self.buf = bytearray()
        self.pos = 0

    def _more(self) -> bool:
        """Append more bytes to the buffer; False at the end of the input (:class:`~.inflate.CorruptStream` when the
        gzip stream is corrupt)."""
        try:
            return self._append()
        except zlib.error as e:
            raise corrupt(e, self.inflated) from e

    def _append(self) -> bool:
        if self.inflate is None:
            chunk = self.raw.read(CHUNK)
            self.buf += chunk
            return bool(chunk)
        while True:
            if self.inflate.unconsumed_tail:
                data = self.inflate.decompress(self.inflate.unconsumed_tail, MAX_INFLATE)
            elif self.inflate.eof:
                rest = self.inflate.unused_data or self.raw.read(CHUNK)
                if not rest:
                    return False
                self.inflate = zlib.decompressobj(31)  # the next member of a multi-member gzip file
                data = self.inflate.decompress(rest, MAX_INFLATE)
            else:
                chunk = self.raw.read(CHUNK)
                # (a step that ended at MAX_INFLATE may have left output inside the inflater: b"" drains it)
                data = self.inflate.decompress(chunk, MAX_INFLATE)
                if not chunk and not data:
                    raise TarError("compressed file ended before the end-of-stream marker was reached")
            if data:
                self.buf += data
                self.inflated += len(data)
                return True

    def read(self, size: int) -> bytes | None:
        """Exactly ``size`` bytes, or None at a clean end of input; :class:`TarError` when it ends inside."""
        while len(self.buf) - self.pos < size:
            if self.pos > CHUNK:
                del self.buf[: self.pos]
                self.pos = 0
            if not self._more():
                if len(self.buf) == self.pos:
                    return None
                raise TarError("unexpected end of data")
        data = bytes(self.buf[self.pos:self.pos + size])
        self.pos += size
        return data

    def skip(self, size: int) -> None:
        """Read past ``size`` bytes without keeping them (a member over the limit: a buffer at a time)."""
        while True:
            step = min(size, len(self.buf) - self.pos)
            self.pos += step
            size -= step
            if not size:
                return
            del self.buf[: self.pos]
            self.pos = 0
            if not self._more():
                raise TarError("unexpected end of data")

    def tell(self) -> int:
        """Compressed bytes consumed so far (for progress)."""
        return self.raw.tell()


def _number(field: bytes, where: str) -> int:
    if field[:1] in (b"\x80", b"\xff"):  # GNU base-256
        value = int.from_bytes(field[1:], "big")
        return value - (1 << (8 * len(field) - 8)) if field[0] == 0xFF else value
    text = field.split(b"\0", 1)[0].strip(b" ")
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise TarError(f"{where}: invalid number in header") from None


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _name(header: bytes) -> str:
    """A member's name from its own header (ustar's prefix and name)."""
    name = _text(header[0:100])
    if header[257:262] == b"ustar" and header[345] != 0:
        name = f"{_text(header[345:500])}/{name}"
    return name


def _pax_path(data: bytes, record: bytes) -> str | None:
    """The ``record`` (``path``, ``linkpath``) of a pax extended header, if any."""
    path = None
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarError("invalid pax header") from None
        if length <= 0:
            raise TarError("invalid pax header")
        key, _, value = data[space + 1:pos + length - 1].partition(b"=")
        if key == record:
            path = value.decode("utf-8", "surrogateescape")
        pos += length
    return path


def iter_tar(raw: BinaryIO, gzipped: bool, progress: Callable[[int], None] | None = None, limit: int = 1 << 62,
             streamed: Callable[[str], bool] | None = None
             ) -> Iterator[tuple[str, bytes | Section | NotAFile | TooLarge]]:
    """Yield ``(name, data)`` for each regular file of the tar archive read from ``raw``, ``(name, NotAFile)``
    for each link, device or pipe, and ``(name, TooLarge)`` for a file of more than ``limit`` bytes (directories
    and headers are read past).

    :param gzipped: the bytes are a gzip stream.
    :param progress: called with the compressed bytes consumed so far, after each member (and as a
        :class:`Section` is read).
    :param limit: the most bytes of one member (or of a GNU long name or pax header) held in memory.
    :param streamed: whether the file of a name is read as a stream: it comes as a :class:`Section`, valid until
        the next member is asked for, whatever its size (``limit`` does not apply).
    :raises TarError: at the first place the archive is truncated or corrupt.
    """
    stream = _Bytes(raw, gzipped)
    next_name: str | None = None  # a GNU long name or pax path for the next member
    next_link: str | None = None  # a GNU long link name or pax linkpath for the next member
    first = True
    while True:
        header = stream.read(BLOCK)
        if header is None:
            if first:
                raise TarError("empty file")
            return  # a missing end-of-archive marker is tolerated, as tarfile does
        if header.count(0) == BLOCK:
            return
        first = False
        stored = _number(header[148:156], "checksum")
        if stored != sum(header) - sum(header[148:156]) + 256:
            raise TarError("bad checksum")
        size = _number(header[124:136], "size")
        if size < 0:
            raise TarError("negative size in header")
        kind = header[156:157]
        padded = (size + BLOCK - 1) // BLOCK * BLOCK
        if kind in REGULAR:
            name = next_name or _name(header)
            next_name = next_link = None
            if streamed is not None and streamed(name):
                section = Section(stream, size, progress)
                yield name, section
                stream.skip(section.left + padded - size)
                if progress is not None:
                    progress(stream.tell())
                continue
            if size > limit:
                stream.skip(padded)
                if progress is not None:
                    progress(stream.tell())
                yield name, TooLarge(size)
                continue
            data = stream.read(size) if size else b""
            if data is None:
                raise TarError("unexpected end of data")
            stream.skip(padded - size)
            if progress is not None:
                progress(stream.tell())
            yield name, data
        elif kind in (GNU_LONGNAME, GNU_LONGLINK, PAX_HEADER):
            if size > limit:
                raise TarError(f"a long name or pax header of {size:,} bytes, over the limit of {limit:,}")
            data = stream.read(size) if size else b""
            if data is None:
                raise TarError("unexpected end of data")
            stream.skip(padded - size)
            if kind == GNU_LONGNAME:
                next_name = _text(data)
            elif kind == GNU_LONGLINK:
                next_link = _text(data)
            else:
                next_name, next_link = _pax_path(data, b"path") or next_name, _pax_path(data, b"linkpath") or next_link
        elif kind == b"S":
            raise TarError("GNU sparse member: not supported; re-create the archive without --sparse")
        else:  # directories, links, devices, pipes, global pax headers: no file content to read
            if kind in NOT_FILES:
                target = (next_link or _text(header[157:257])) if kind in (b"1", b"2") else ""
                yield next_name or _name(header), NotAFile(NOT_FILES[kind], target)
            if kind != PAX_GLOBAL:
                next_name = next_link = None
            stream.skip(padded)
