"""A member of a folder or archive read as a stream: :class:`MemberStream`, given to a reader as a :class:`Streamed`.

:mod:`.members` hands a member the reader reads line by line (a text table, JSON Lines) on as
a binary file whose reads give the member's bytes as they come from the folder, zip or tar,
a buffer at a time, so a member of any size is read in constant memory. Each read gives (part
of) the next chunk, never several: a read that fails where the archive is cut or corrupt
loses nothing given before it, and the reader sets aside the line it cut.
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: What reading an archive raises where it is truncated or corrupt.
ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError)
#: The bytes of a member read before it is handed on (all of a smaller one): a break there sets the member aside
#: whole, as for a member read whole.
HEAD = 1 << 20
#: Bytes read from a folder's file or an archive's member at a time (small: zipfile's reads of more cost copies).
BUFFER = 1 << 16


class MemberStream(io.RawIOBase):
    """A member's bytes as a binary file read as the reader asks: each read gives the next chunk read from the archive
    (or part of it), so a read that fails (the archive cut or corrupt: one of :data:`ARCHIVE_ERRORS`) loses nothing
    given before it. Remembers that error (``error``)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self.chunks = iter(chunks)
        self.chunk = b""
        self.at = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        if size <= 0:
            return b"".join(iter(partial(self.read, BUFFER), b"")) if size else b""
        while self.at >= len(self.chunk):
            try:
                self.chunk, self.at = next(self.chunks), 0
            except StopIteration:
                self.chunk, self.at = b"", 0
                return b""
            except ARCHIVE_ERRORS as e:
                self.error = e
                raise
        data = self.chunk if self.at == 0 and size >= len(self.chunk) else self.chunk[self.at:self.at + size]
        self.at += len(data)
        return data

    def readinto(self, buffer: WriteableBuffer) -> int:
        out = memoryview(buffer).cast("B")
        data = self.read(len(out))
        out[:len(data)] = data
        return len(data)


@dataclass(slots=True)
class Streamed:
    """A file inside a source read as it is used: its name, and its bytes (read them before asking for the next
    member)."""

    name: str
    stream: MemberStream


def chunks_of(handle: IO[bytes] | io.BufferedIOBase) -> Iterator[bytes]:
    """The bytes of an open file or member, up to :data:`BUFFER` at a time, each from one read of what lies under
    it (``read1``, where the file has it): a buffered ``read`` gathers several, and one that fails (a gzip stream
    cut short, or bytes after it that are no gzip member) throws away those it had gathered, and the lines in them."""
    read = getattr(handle, "read1", None) or handle.read
    return iter(partial(read, BUFFER), b"")


def streamed_from(name: str, chunks: Iterable[bytes]) -> Streamed:
    """A :class:`Streamed` member of these bytes (its ``stream`` says whether a read failed)."""
    return Streamed(name, MemberStream(chunks))


def primed(name: str, chunks: Iterator[bytes]) -> Streamed:
    """:func:`streamed_from` once its first :data:`HEAD` bytes are read (all of them, when fewer): what a read of those
    raises is raised here, before the member is handed on."""
    head, size = [], 0
    while size < HEAD and (chunk := next(chunks, b"")):
        head.append(chunk)
        size += len(chunk)
    return streamed_from(name, chain(head, chunks))
