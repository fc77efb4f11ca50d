"""The members of a zip cut off before its end, read from their local headers.

:mod:`zipfile` reads an archive from its central directory, the last bytes of the file: a
download cut short has none, and :mod:`zipfile` then reads nothing at all. Every member is also
preceded by a local header (name, method, sizes, CRC-32), so the members before the cut can
still be read front to back, as a cut-off ``.tar.gz`` is. This does that, in archive order,
for the methods Python reads (stored and deflated), sizes in the header or, for deflated
members, in a data descriptor after the data (the inflater finds the end); each member's CRC-32
is checked. It stops at the first member it cannot read whole, saying why; a member whose
method or encryption it cannot read, but whose size it knows, is skipped with a reason.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

LOCAL = b"PK\x03\x04"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
_DESCRIPTOR = b"PK\x07\x08"
ENCRYPTED, DESCRIPTOR, UTF8 = 0x1, 0x8, 0x800
STORED, DEFLATED = 0, 8
CHUNK = 1 << 20
FIRST_STEP = 4096
ZIP64_EXTRA, ZIP64_MARK = 0x0001, 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Salvaged:
    """A member read whole (``data``), or one skipped (``skipped``: why)."""

    name: str
    data: bytes = b""
    skipped: str = ""


class Stop(Exception):
    """Where reading ends: the cut, or bytes that are no member (the message says which)."""


def salvage(raw: BinaryIO) -> Iterator[Salvaged]:
    """Yield every member before the archive's end or cut, in archive order; raise :class:`Stop` at a cut.

    A file whose next bytes are not a local header ends the members (the central directory, when
    the archive is whole, starts there); a header, name or data cut short raises :class:`Stop`.
    """
    while True:
        head = raw.read(_HEADER.size)
        if not head:
            return
        if len(head) < _HEADER.size and LOCAL.startswith(head[:4]):
            raise Stop("the archive ends inside a member's header")
        if head[:4] != LOCAL:
            if head[:2] == b"PK":
                return  # the central directory (or its end record) follows the last member
            raise Stop(f"bytes that are no zip member at offset {raw.tell() - len(head)}")
        _, _, flags, method, _, _, crc, csize, _, name_length, extra_length = _HEADER.unpack(head)
        name_bytes, extra = raw.read(name_length), raw.read(extra_length)
        if len(name_bytes) < name_length or len(extra) < extra_length:
            raise Stop("the archive ends inside a member's header")
        name = name_bytes.decode("utf-8" if flags & UTF8 else "cp437", errors="replace")
        if csize == ZIP64_MARK:
            csize = _zip64_size(extra, csize)
        sized = not flags & DESCRIPTOR or csize
        if flags & ENCRYPTED or method not in (STORED, DEFLATED):
            if not sized:
                raise Stop(f"{name}: a member that is encrypted or in a method Python cannot read, of unknown size")
            _skip(raw, csize, name)
            why = "zip member is encrypted" if flags & ENCRYPTED else f"zip member uses an unsupported compression " \
                                                                     f"(method {method})"
            yield Salvaged(name, skipped=f"{why}; nothing read from it")
            continue
        if method == STORED and not sized:
            raise Stop(f"{name}: a stored member whose size only a data descriptor gives")
        data = _inflate(raw, csize if sized else None, name) if method == DEFLATED else _read(raw, csize, name)
        if flags & DESCRIPTOR:
            crc = _descriptor_crc(raw, name)
        if zlib.crc32(data) != crc:
            raise Stop(f"{name}: its bytes do not match their CRC-32")
        if not name.endswith("/"):
            yield Salvaged(name, data)


def _zip64_size(extra: bytes, csize: int) -> int:
    """The compressed size a ZIP64 extra field gives (after the uncompressed size)."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == ZIP64_EXTRA and size >= 16 and at + 20 <= len(extra):
            return int(struct.unpack_from("<Q", extra, at + 12)[0])
        at += 4 + size
    return csize


def _read(raw: BinaryIO, size: int, name: str) -> bytes:
    data = raw.read(size)
    if len(data) < size:
        raise Stop(f"{name}: the archive ends inside this member")
    return data


def _skip(raw: BinaryIO, size: int, name: str) -> None:
    while size:
        got = len(raw.read(min(size, CHUNK)))
        if not got:
            raise Stop(f"{name}: the archive ends inside this member")
        size -= got


def _inflate(raw: BinaryIO, size: int | None, name: str) -> bytes:
    """A deflated member's bytes: ``size`` compressed bytes, or as many as the deflate stream takes (its end then
    known from the stream itself; what the inflater read past it is given back to ``raw``)."""
    inflater = zlib.decompressobj(-15)
    out: list[bytes] = []
    left = size
    step = FIRST_STEP  # (a member of unknown size is read a little at a time: most are small, the rest given back)
    try:
        while not inflater.eof:
            chunk = raw.read(step if left is None else min(left, CHUNK))
            step = min(step * 2, CHUNK)
            if not chunk:
                raise Stop(f"{name}: the archive ends inside this member")
            if left is not None:
                left -= len(chunk)
            out.append(inflater.decompress(chunk))
    except zlib.error as e:
        raise Stop(f"{name}: its deflated bytes are corrupt ({e})") from None
    if inflater.unused_data:
        raw.seek(-len(inflater.unused_data), 1)
    elif left:
        raw.seek(left, 1)
    return b"".join(out)


def _descriptor_crc(raw: BinaryIO, name: str) -> int:
    """The CRC-32 of a data descriptor (signature optional; the sizes after it, 32 or 64 bits, are skipped)."""
    first = raw.read(4)
    if first == _DESCRIPTOR:
        first = raw.read(4)
    if len(first) < 4:
        raise Stop(f"{name}: the archive ends inside this member's data descriptor")
    sizes = raw.read(16)  # 8 bytes of 32-bit sizes, or 16 of ZIP64 ones: what follows tells
    if len(sizes) < 8:
        raise Stop(f"{name}: the archive ends inside this member's data descriptor")
    if len(sizes) < 16 or sizes[8:10] == b"PK":  # the next header, or the central directory, starts there
        raw.seek(8 - len(sizes), 1)
    return int.from_bytes(first, "little")
