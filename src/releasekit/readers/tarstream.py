"""A streaming reader for plain and gzipped tar archives, for archives of many small members.

A national Sirekap scrape is one ``.tar.gz`` of 823,378 JSON files of about 700 bytes. The
standard library's :mod:`tarfile` spends more time per member on its ``TarInfo`` objects than
``json.loads`` spends on the member, so this module reads the same archives with less work per
member: the gzip stream is inflated in large blocks with :mod:`zlib` (the multi-member gzip
files some tools write included; bzip2 and xz with their own inflaters) and each 512-byte header
is parsed with a few slices.

It reads what :mod:`tarfile` reads (ustar and GNU names, pax ``path`` and ``linkpath`` records, GNU
long names, base-256 sizes), yields regular files and, named by what they are, the members that are
no file (links, devices, pipes: :class:`NotAFile`) or too large to hold (:class:`TooLarge`, read past
in constant memory) in archive order, and checks every header's checksum. A file the caller reads
as a stream (a text table, read line by line) is a :class:`Section`, read from the archive a buffer
at a time as it is used, whatever its size. Anything it cannot read
raises :class:`TarError` (a :class:`tarfile.TarError`), so callers report a truncated or corrupt
archive the same way whatever its compression.

Damage that :mod:`tarfile` reads as a clean end is not taken for one. An archive whose bytes end
without its end-of-archive marker (two zero blocks) was cut short, at a member's boundary: that
raises :class:`TarError` after the members before it. A lone zero block where a header belongs
(a member's header zeroed by a bad disk or copy; GNU tar warns "A lone zero block") ends
nothing: the blocks after it are read past up to the next header, that gap is yielded as a
:class:`Gap` (the caller quarantines it), and the members after it are read.
"""

from __future__ import annotations

import bz2
import lzma
import re
import tarfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from .inflate import corrupt

BLOCK = 512
CHUNK = 1 << 20           # compressed bytes read at a time
MAX_INFLATE = 16 << 20    # inflated bytes per step (a zip bomb cannot blow the buffer up)
SECTION_STEP = 1 << 16    # bytes of a Section read at a time
REGULAR = (b"0", b"\0", b"7")
GNU_LONGNAME, GNU_LONGLINK, PAX_HEADER, PAX_GLOBAL = b"L", b"K", b"x", b"g"
ZERO_BLOCK = bytes(BLOCK)
#: A header's checksum field as tar writers write it (octal digits, NUL or space after): a block whose field is
#: not one is no header, whatever its sum (the cheap test, before the sum, of blocks read past after a zero block).
CHECKSUM_FIELD = re.compile(rb" *[0-7]{1,8}[\0 ]*")
#: The first bytes of a gzip, bzip2 or xz stream (bzip2's "BZh" only with a block size and a block's or the end's
#: magic after it: a plain tar starts with a member's name, which may start with "BZh").
MAGIC = re.compile(rb"(\x1f\x8b)|(BZh[1-9](?:1AY&SY|\x17rE8P\x90))|(\xfd7zXZ\x00)")
#: The bytes :func:`compression_of` looks at.
MAGIC_BYTES = 10
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


@dataclass(frozen=True, slots=True)
class Gap:
    """Bytes read past where a header belongs: a zero block (a header zeroed) and what follows it up to the next
    header (that member's bytes), ``size`` bytes from byte ``offset`` of the tar (inflated)."""

    offset: int
    size: int

    def __str__(self) -> str:
        return (f"a zero block where a member's header belongs, at byte {self.offset:,} of the tar: the {self.size:,} "
                "bytes from there to the next header (a member whose header was zeroed; GNU tar: 'A lone zero "
                "block') are not read, the members after them are")


class TarError(tarfile.TarError):
    """The archive is truncated or corrupt (the message says where)."""


class MemberCut(TarError):
    """The archive is truncated or corrupt inside the data of the regular file ``member``, whose header was read: what
    reading it raised is ``cause`` (the message is its)."""

    def __init__(self, member: str, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.member = member
        self.cause = cause


def compression_of(head: bytes) -> str | None:
    """The compression a stream starting with ``head`` is in (a key of :data:`INFLATERS`), None for a plain tar."""
    found = MAGIC.match(head)
    return ("gzip", "bzip2", "xz")[found.lastindex - 1] if found is not None and found.lastindex else None


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
            data = self.stream.read_some(min(self.left, SECTION_STEP))  # (the bytes before a cut come first)
            self.left -= len(data)
            if self.progress is not None:
                self.progress(self.stream.tell())
            yield data


if TYPE_CHECKING:
    Inflater = zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor

#: A new inflater of each compression :func:`compression_of` names.
INFLATERS: dict[str, Callable[[], Inflater]] = {
    "gzip": lambda: zlib.decompressobj(31), "bzip2": bz2.BZ2Decompressor, "xz": lzma.LZMADecompressor}


def _held(inflate: Inflater) -> bytes | None:
    """What to give ``inflate`` again for the output it holds back (zlib hands back the input it did not take;
    bzip2 and xz keep theirs, and take b""), or None when it needs more input."""
    if isinstance(inflate, (bz2.BZ2Decompressor, lzma.LZMADecompressor)):
        return None if inflate.needs_input else b""
    return inflate.unconsumed_tail or None


class _Bytes:
    """The archive's bytes, inflated when compressed, served in exact-size reads from a large buffer."""

    def __init__(self, raw: BinaryIO, compression: str | None) -> None:
        self.raw = raw
        self.kind = compression
        self.new = INFLATERS[compression] if compression is not None else None
        self.inflate = self.new() if self.new is not None else None
        #: The bytes of the tar put in the buffer so far (inflated, when compressed).
        self.inflated = 0
        self.buf = bytearray()
        self.pos = 0

    @property
    def offset(self) -> int:
        """Where the next read starts in the tar (its inflated bytes)."""
        return self.inflated - (len(self.buf) - self.pos)

    def _more(self) -> bool:
        """Append more bytes to the buffer; False at the end of the input."""
        if self.inflate is None or self.new is None:
            chunk = self.raw.read(CHUNK)
            self.buf += chunk
            self.inflated += len(chunk)
            return bool(chunk)
        while True:
            if self.inflate.eof:
                rest = self._next_stream()
                if not rest:
                    return False
                self.inflate = self.new()  # the next member of a multi-member gzip (bzip2, xz) file
                data = self._inflate(rest)
            elif (tail := _held(self.inflate)) is not None:
                data = self._inflate(tail)
            else:
                chunk = self.raw.read(CHUNK)
                # (a step that ended at MAX_INFLATE may have left output inside the inflater: b"" drains it)
                data = self._inflate(chunk)
                if not chunk and not data:
                    raise TarError("compressed file ended before the end-of-stream marker was reached")
            if data:
                self.buf += data
                self.inflated += len(data)
                return True

    def _inflate(self, data: bytes) -> bytes:
        """A step of inflated bytes (:class:`~.inflate.CorruptStreamError` when the gzip stream is corrupt; bzip2's and
        xz's corrupt data is a :class:`TarError`, the records before it loaded, as :mod:`tarfile` had them)."""
        assert self.inflate is not None
        try:
            return self.inflate.decompress(data, MAX_INFLATE)
        except zlib.error as e:
            raise corrupt(e, self.inflated) from e
        except (OSError, lzma.LZMAError) as e:  # (bz2: "Invalid data stream"; lzma: "Corrupt input data")
            raise TarError(f"the {self.kind} data is corrupt ({e}), {self.inflated:,} bytes into its inflated "
                           "data") from None

    def _next_stream(self) -> bytes:
        """The start of the compressed stream after the one that ended (b"" at the end of the file), past the zero
        padding some tools write after a stream (as :mod:`gzip` reads past it)."""
        assert self.inflate is not None
        rest = self.inflate.unused_data.lstrip(b"\0")
        while not rest:
            chunk = self.raw.read(CHUNK)
            if not chunk:
                return b""
            rest = chunk.lstrip(b"\0")
        return rest

    def _fill(self, size: int) -> bool:
        """Buffer ``size`` bytes past the read position; False when the input ends before."""
        while len(self.buf) - self.pos < size:
            if self.pos > CHUNK:
                del self.buf[: self.pos]
                self.pos = 0
            if not self._more():
                return False
        return True

    def read(self, size: int) -> bytes | None:
        """Exactly ``size`` bytes, or None at a clean end of input; :class:`TarError` when it ends inside."""
        if not self._fill(size):
            if len(self.buf) == self.pos:
                return None
            raise TarError("unexpected end of data")
        data = bytes(self.buf[self.pos:self.pos + size])
        self.pos += size
        return data

    def read_some(self, size: int) -> bytes:
        """``size`` bytes, or fewer where the input ends or breaks: the bytes before a cut are given, and the next
        read raises :class:`TarError` (an exact read that fails would lose them, and a streamed member the lines in
        them)."""
        try:
            self._fill(size)
        except TarError:
            if len(self.buf) == self.pos:
                raise
        if len(self.buf) == self.pos:
            raise TarError("unexpected end of data")
        data = bytes(self.buf[self.pos:self.pos + size])
        self.pos += len(data)
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

    def finish(self) -> None:
        """Inflate the rest of the compressed stream the tar's end-of-archive marker lies in, keeping none of it, so
        that the stream's own checks run (gzip's CRC-32 and length at its end): the marker is not the end of the
        stream, and a stream cut in its trailer, or corrupt in bytes inflated so far, passed unchecked. What follows
        that stream (another stream, bytes after it) is data after the archive, not read, as GNU tar does not.

        :raises TarError: the input ends before the stream does (cut short: its data cannot be checked).
        :raises CorruptStreamError: the stream fails its checks.
        """
        if self.inflate is None:
            return
        del self.buf[:]
        self.pos = 0
        while not self.inflate.eof:
            if (tail := _held(self.inflate)) is not None:
                self._inflate(tail)
                continue
            chunk = self.raw.read(CHUNK)
            if not self._inflate(chunk) and not chunk:
                raise TarError(f"the {self.kind} stream is cut short after the tar's end-of-archive marker: its end, "
                               "which checks every byte inflated from it, is missing (download or export it again)")

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


def _is_header(block: bytes) -> bool:
    """Whether ``block`` holds a tar header: its checksum field is one and gives its sum (member data seldom
    passes; a tar stored inside the archive does)."""
    field = block[148:156]
    return (CHECKSUM_FIELD.fullmatch(field) is not None
            and int(field.strip(b" \0"), 8) == sum(block) - sum(field) + 256)


def _past_zeros(stream: _Bytes, at: int) -> Generator[tuple[str, Gap], None, bytes | None]:
    """After a zero block at byte ``at``: return None when it starts the end-of-archive marker (another zero block
    or the end of the input follows), else the next header, once the blocks up to it are read past and yielded as
    a :class:`Gap` (a lone zero block: a member's header zeroed; what follows it up to a header is that member's
    data, a block at a time).

    :raises TarError: the archive ends, or is cut, before another header or its end-of-archive marker (after the
        gap is yielded).
    """
    where = stream.offset  # where ``block`` starts
    block = stream.read(BLOCK)
    if block is None or block == ZERO_BLOCK:
        return None
    try:
        while not _is_header(block):
            where = stream.offset
            block = stream.read(BLOCK)
            if block is None:
                raise TarError(_no_end(where))
            if block == ZERO_BLOCK:
                following = stream.read(BLOCK)
                if following is None or following == ZERO_BLOCK:  # the end-of-archive marker, after the gap
                    yield "", Gap(at, where - at)
                    return None
                where, block = where + BLOCK, following
    except TarError:
        yield "", Gap(at, stream.offset - at)
        raise
    yield "", Gap(at, where - at)
    return block


def _no_end(at: int) -> str:
    """Why a tar whose bytes end at byte ``at``, where a header belongs, is truncated."""
    return (f"the archive ends at byte {at:,} of the tar without its end-of-archive marker (two zero blocks): it "
            "was cut short at a member's boundary (download or export it again)")


def iter_tar(raw: BinaryIO, gzipped: bool = False, progress: Callable[[int], None] | None = None,
             limit: int = 1 << 62, streamed: Callable[[str], bool] | None = None, *, compression: str | None = None
             ) -> Iterator[tuple[str, bytes | Section | NotAFile | TooLarge | Gap]]:
    """Yield ``(name, data)`` for each regular file of the tar archive read from ``raw``, ``(name, NotAFile)``
    for each link, device or pipe, ``(name, TooLarge)`` for a file of more than ``limit`` bytes (directories
    and headers are read past), and ``("", Gap)`` for the bytes read past after a lone zero block.

    :param gzipped: the bytes are a gzip stream.
    :param compression: the bytes are in this compression (a key of :data:`INFLATERS`; :func:`compression_of`
        tells it), whatever ``gzipped`` says.
    :param progress: called with the compressed bytes consumed so far, after each member (and as a
        :class:`Section` is read).
    :param limit: the most bytes of one member (or of a GNU long name or pax header) held in memory.
    :param streamed: whether the file of a name is read as a stream: it comes as a :class:`Section`, valid until
        the next member is asked for, whatever its size (``limit`` does not apply).
    :raises TarError: at the first place the archive is truncated or corrupt.
    """
    stream = _Bytes(raw, compression if compression is not None else "gzip" if gzipped else None)
    next_name: str | None = None  # a GNU long name or pax path for the next member
    next_link: str | None = None  # a GNU long link name or pax linkpath for the next member
    first = True
    while True:
        header = stream.read(BLOCK)
        if header is None:  # (tarfile takes it for the end: a tar cut at a member's boundary loaded as whole)
            raise TarError("empty file" if first else _no_end(stream.offset))
        if header == ZERO_BLOCK:
            header = yield from _past_zeros(stream, stream.offset - BLOCK)
            if header is None:
                stream.finish()
                return
            next_name = next_link = None  # (a long name read before the gap named the member lost in it)
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
            try:
                data = stream.read(size) if size else b""
            except TarError as e:  # (the compressed stream cut short: a corrupt one stops the build)
                raise MemberCut(name, e) from e
            if data is None:
                raise MemberCut(name, TarError("unexpected end of data"))
            yield name, data  # (before its padding is read past: a cut there loses none of it)
            stream.skip(padded - size)
            if progress is not None:
                progress(stream.tell())
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
