"""The members of a zip cut off before its end, read from their local headers.

:mod:`zipfile` reads an archive from its central directory, the last bytes of the file: a
download cut short has none, and :mod:`zipfile` then reads nothing at all. Every member is also
preceded by a local header (name, method, sizes, CRC-32), so the members before the cut can
still be read front to back, as a cut-off ``.tar.gz`` is. This does that, in archive order,
for the methods Python reads (stored and deflated), sizes in the header or in a data
descriptor after the data (a deflated member's end is found by the inflater, a stored one's by
the descriptor whose CRC-32 and size match the bytes before it); each member's CRC-32 is
checked. It stops at the first member it cannot read whole, saying why; a member whose
method or encryption it cannot read, but whose size it knows, is skipped with a reason, and so
is one that inflates to more than the caller's limit (read past, a step at a time).

A member the caller reads as a stream (a text table, read line by line) is not held: it is read
through once to check its CRC-32, a step at a time, then handed on as chunks read again from the
archive (:attr:`Salvaged.chunks`), whatever its size.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

LOCAL = b"PK\x03\x04"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
_DESCRIPTOR = b"PK\x07\x08"
ENCRYPTED, DESCRIPTOR, UTF8 = 0x1, 0x8, 0x800  # general purpose flag bits
STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
#: Why an encrypted member is a rejected record (here and when :mod:`zipfile` reads the archive).
ENCRYPTED_REASON = "zip member is encrypted; nothing read from it"
CHUNK = 1 << 20
FIRST_STEP = 4096
#: Inflated bytes per step of a deflated member (so one over the limit is read past in constant memory).
INFLATE_STEP = 1 << 20
ZIP64_EXTRA, ZIP64_MARK = 0x0001, 0xFFFFFFFF


def too_large(size: int, limit: int) -> str:
    """Why a member over the limit is a rejected record (here and for every container: :mod:`.members`)."""
    return f"member is {size:,} bytes, over the limit of {limit:,}; not read"


@dataclass(frozen=True, slots=True)
class Salvaged:
    """A member read whole (``data``), one read as a stream (``chunks``), or one skipped (``skipped``: why)."""

    name: str
    data: bytes = b""
    skipped: str = ""
    #: Its bytes, inflated a step at a time as they are asked for; valid until the next member is asked for.
    chunks: Iterator[bytes] | None = None


class Stop(Exception):
    """Where reading ends: the cut, or bytes that are no member (the message says which)."""


def salvage(raw: BinaryIO, limit: int = 1 << 62, streamed: Callable[[str], bool] | None = None
            ) -> Iterator[Salvaged]:
    """Yield every member before the archive's end or cut, in archive order; raise :class:`Stop` at a cut.

    A file whose next bytes are not a local header ends the members (the central directory, when
    the archive is whole, starts there); a header, name or data cut short raises :class:`Stop`.

    :param limit: the most bytes of one member held in memory; a member that inflates to more is skipped.
    :param streamed: whether the member of a name is read as a stream (``chunks``, whatever its size), when its
        end is known without reading it whole (deflated, or stored with its size in its header).
    """
    end = raw.seek(0, io.SEEK_END)  # no size a header claims is believed past the file's end
    raw.seek(0)
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
        zip64 = _zip64_size(extra)
        if csize == ZIP64_MARK and zip64 is not None:
            csize = zip64
        if csize > end - raw.tell():
            raise Stop(f"{name}: the archive ends inside this member")
        sized = not flags & DESCRIPTOR or csize > 0
        if flags & ENCRYPTED or method not in (STORED, DEFLATED):
            if not sized:
                raise Stop(f"{name}: a member that is encrypted or in a method Python cannot read, of unknown size")
            _skip(raw, csize, name, flags, zip64 is not None)
            yield Salvaged(name, skipped=ENCRYPTED_REASON if flags & ENCRYPTED else
                           f"zip member uses an unsupported compression (method {method}); nothing read from it")
            continue
        if streamed is not None and streamed(name) and (method == DEFLATED or sized):
            yield from _checked(raw, name, flags, method, crc, csize if sized else None, zip64 is not None)
            continue
        if method == STORED and sized and csize > limit:
            _skip(raw, csize, name, flags, zip64 is not None)
            yield Salvaged(name, skipped=too_large(csize, limit))
            continue
        if method == DEFLATED:
            data, size, crc_read = _inflate(raw, csize if sized else None, name, limit)
        else:
            data = _read(raw, csize, name) if sized else _stored_until_descriptor(raw, name, zip64 is not None, limit)
            size, crc_read = len(data), zlib.crc32(data)
        if flags & DESCRIPTOR:
            crc = _descriptor_crc(raw, name, zip64 is not None)
        if crc_read != crc:
            raise Stop(f"{name}: its bytes do not match their CRC-32")
        if name.endswith("/"):
            continue
        yield Salvaged(name, data) if data is not None else Salvaged(name, skipped=too_large(size, limit))


def _checked(raw: BinaryIO, name: str, flags: int, method: int, crc: int, size: int | None, zip64: bool
             ) -> Iterator[Salvaged]:
    """A member read through once to check its CRC-32 (nothing kept), then given as the chunks of a second
    read (:func:`_again`); ``size``: its compressed size, or None when only the deflate stream's end gives it."""
    start = raw.tell()
    if method == DEFLATED:
        _, _, crc_read = _inflate(raw, size, name, -1)
    else:
        assert size is not None
        crc_read, left = 0, size
        while left:
            chunk = raw.read(min(CHUNK, left))
            if not chunk:
                raise Stop(f"{name}: the archive ends inside this member")
            left -= len(chunk)
            crc_read = zlib.crc32(chunk, crc_read)
    end = raw.tell()
    if flags & DESCRIPTOR:
        crc = _descriptor_crc(raw, name, zip64)
    if crc_read != crc:
        raise Stop(f"{name}: its bytes do not match their CRC-32")
    if name.endswith("/"):
        return
    after = raw.tell()
    yield Salvaged(name, chunks=_again(raw, start, end, method == DEFLATED))
    raw.seek(after)


def _again(raw: BinaryIO, start: int, end: int, deflated: bool) -> Iterator[bytes]:
    """A member's bytes read again from ``raw`` (after :func:`_checked` read them once), inflated when
    ``deflated``, a step at a time; ``raw`` is read from where the member lies, wherever it was left.

    :raises OSError: the file no longer holds what was read (it changed since).
    """
    inflater = zlib.decompressobj(-15) if deflated else None
    at = start
    while at < end and (inflater is None or not inflater.eof):
        raw.seek(at)
        chunk = raw.read(min(CHUNK, end - at))
        if not chunk:
            raise OSError("the archive ends inside this member")
        at += len(chunk)
        if inflater is None:
            yield chunk
            continue
        try:
            while True:
                data = inflater.decompress(chunk, INFLATE_STEP)
                if data:
                    yield data
                chunk = inflater.unconsumed_tail
                if not chunk and len(data) < INFLATE_STEP:  # (a full step may leave output inside the inflater)
                    break
        except zlib.error as e:
            raise OSError(f"the member's deflated bytes changed since they were read ({e})") from None


def _skip(raw: BinaryIO, csize: int, name: str, flags: int, zip64: bool) -> None:
    """Read past a member of known size that is not read, and its data descriptor if it has one."""
    raw.seek(csize, io.SEEK_CUR)
    if flags & DESCRIPTOR:
        _descriptor_crc(raw, name, zip64)


def _zip64_size(extra: bytes) -> int | None:
    """The compressed size a ZIP64 extra field gives (after the uncompressed size), or None without one."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == ZIP64_EXTRA and size >= 16 and at + 20 <= len(extra):
            return int(struct.unpack_from("<Q", extra, at + 12)[0])
        at += 4 + size
    return None


def _read(raw: BinaryIO, size: int, name: str) -> bytes:
    data = raw.read(size)
    if len(data) < size:
        raise Stop(f"{name}: the archive ends inside this member")
    return data


def _stored_until_descriptor(raw: BinaryIO, name: str, zip64: bool, limit: int) -> bytes:
    """A stored member whose size only its data descriptor gives (a zip written to a stream): its bytes end where a
    descriptor signature follows whose CRC-32 and size are theirs (within ``limit`` bytes, else :class:`Stop`)."""
    size_format = "<Q" if zip64 else "<I"
    after = 8 + struct.calcsize(size_format)  # signature, CRC-32, then the compressed size
    data = bytearray()
    step, at = FIRST_STEP, 0  # ``at``: where the next signature is looked for
    while chunk := raw.read(step):
        data += chunk
        step = min(step * 2, CHUNK)
        while (at := data.find(_DESCRIPTOR, at)) >= 0 and at + after <= len(data):
            if (int.from_bytes(data[at + 4: at + 8], "little") == zlib.crc32(data[:at])
                    and struct.unpack_from(size_format, data, at + 8)[0] == at):
                raw.seek(at - len(data), io.SEEK_CUR)  # back to the descriptor, which the caller reads
                return bytes(data[:at])
            at += 1
        if at < 0:  # none in the bytes read: the next one may begin in their last three
            at = max(len(data) - 3, 0)
        if at > limit:
            raise Stop(f"{name}: a stored member of unknown size, over the limit of {limit:,} bytes for one member")
    raise Stop(f"{name}: the archive ends inside this member")


def _inflate(raw: BinaryIO, size: int | None, name: str, limit: int) -> tuple[bytes | None, int, int]:
    """A deflated member's bytes (None when they are more than ``limit``), their length and CRC-32: ``size``
    compressed bytes, or as many as the deflate stream takes (its end then known from the stream itself; what the
    inflater read past it is given back to ``raw``)."""
    inflater = zlib.decompressobj(-15)
    out: list[bytes] | None = []
    total = crc = 0
    start, left = raw.tell(), size
    step = FIRST_STEP  # (a member of unknown size is read a little at a time: most are small, the rest given back)
    try:
        while not inflater.eof:
            chunk = raw.read(step if left is None else min(left, CHUNK))
            step = min(step * 2, CHUNK)
            if not chunk:
                raise Stop(f"{name}: the archive ends inside this member")
            if left is not None:
                left -= len(chunk)
            while True:
                data = inflater.decompress(chunk, INFLATE_STEP)
                total += len(data)
                crc = zlib.crc32(data, crc)
                if out is not None:
                    out.append(data)
                    if total > limit:
                        out = None  # over the limit: read on to the member's end, keeping nothing
                chunk = inflater.unconsumed_tail
                if not chunk and len(data) < INFLATE_STEP:  # (a full step may leave output inside the inflater)
                    break
    except zlib.error as e:
        raise Stop(f"{name}: its deflated bytes are corrupt ({e})") from None
    if size is not None:
        raw.seek(start + size)  # the next header follows the size the header gave, wherever the stream ended
    elif inflater.unused_data:
        raw.seek(-len(inflater.unused_data), io.SEEK_CUR)
    return (None if out is None else b"".join(out)), total, crc


def _descriptor_crc(raw: BinaryIO, name: str, zip64: bool) -> int:
    """The CRC-32 of a data descriptor (its signature optional), past its two sizes (64-bit after a ZIP64 header)."""
    first = raw.read(4)
    if first == _DESCRIPTOR:
        first = raw.read(4)
    sizes = raw.read(16 if zip64 else 8)
    if len(first) < 4 or len(sizes) < (16 if zip64 else 8):
        raise Stop(f"{name}: the archive ends inside this member's data descriptor")
    return int.from_bytes(first, "little")
