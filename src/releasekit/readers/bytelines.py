"""Cut a stream of bytes into lines a chunk at a time, as ``bytes.splitlines`` cuts them whole.

JSON Lines members of a folder or archive used to be read whole and cut with
``data.splitlines()``: at LF, CRLF or CR, line ends removed. :func:`byte_lines`
gives the same lines, numbered from 1, from the member read as a stream, so a
member of any size is read in constant memory: a line of more than its limit is
read past without being held (a :class:`~releasekit.readers.base.Rejected` with
its length), and a read that fails (the archive cut or corrupt inside the member)
ends the lines with a ``Rejected`` that holds the cut-off line.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Rejected, clip
from .memberstream import ARCHIVE_ERRORS

#: The most bytes of a line kept in a rejected record's raw text.
SHOWN = 8000


def byte_lines(chunks: Iterator[bytes], name: str, limit: int) -> Iterator[tuple[int, bytes] | Rejected]:
    """``(number, line)`` for each line of the bytes ``chunks`` yields, or a :class:`Rejected` in its place.

    :param name: used in locators (``name:line``).
    :param limit: the most bytes of one line, its line end included.
    """
    number = 0
    pending: list[bytes] = []  # the line being read: no line end yet, or a CR that may be the first half of a CRLF
    held = 0                   # its bytes
    over = 0                   # > 0: the line being read is over the limit; its bytes so far, not held
    shown = b""                # the start of that line
    while True:
        try:
            chunk = next(chunks, None)
        except ARCHIVE_ERRORS as e:
            yield cut(name, number + 1, e, shown if over else b"".join(pending))
            return
        if chunk is None:
            break
        if not chunk:
            continue
        if b"\n" not in chunk and b"\r" not in chunk and not (pending and pending[-1].endswith(b"\r")):
            if over:
                over += len(chunk)
            else:
                pending.append(chunk)
                held += len(chunk)
        else:
            lines = (b"".join(pending) + chunk).splitlines(keepends=True)
            last = lines.pop()
            if last.endswith(b"\n"):
                lines.append(last)
                pending, held = [], 0
            else:
                pending, held = [last], len(last)
            for line in lines:
                number += 1
                if over:
                    yield _too_long(name, number, over + len(line), shown, limit)
                    over = 0
                elif len(line) > limit:
                    yield _too_long(name, number, len(line), line, limit)
                else:
                    yield number, line.rstrip(b"\r\n")
        if held > limit and not over:  # no line end in sight: count the line's bytes without keeping them
            line = b"".join(pending)
            cr = line.endswith(b"\r")  # (kept: a LF may follow it, which ends the line with it)
            shown, over = line[:SHOWN], len(line) - cr
            pending, held = ([b"\r"], 1) if cr else ([], 0)
    if over or pending:
        number += 1
        line = b"".join(pending)
        if over or len(line) > limit:
            yield _too_long(name, number, over + len(line), shown if over else line, limit)
        else:
            yield number, line.rstrip(b"\r\n")


def cut(name: str, number: int, error: BaseException, start: bytes = b"") -> Rejected:
    """The rejected record of a read that failed in line ``number`` (``start``: what was read of that line)."""
    return truncated(name, number, error, clip(start[:SHOWN]) if start else None)


def truncated(name: str, number: int, error: BaseException, raw: str | None) -> Rejected:
    """The rejected record of a read that failed in line ``number`` (``raw``: what was read of it, clipped)."""
    return Rejected(f"{name}:{number}", f"the file is truncated or corrupt from line {number} on "
                    f"({type(error).__name__}: {error}); the rest of it cannot be read", raw)


def too_long(name: str, number: int, size: int, limit: int, raw: str | None) -> Rejected:
    """The rejected record of line ``number``, of ``size`` bytes, over ``limit`` (``raw``: its start, clipped)."""
    return Rejected(f"{name}:{number}", f"line is {size:,} bytes long, over the limit of {limit:,}; not read", raw)


def _too_long(name: str, number: int, size: int, start: bytes, limit: int) -> Rejected:
    return too_long(name, number, size, limit, clip(start[:SHOWN]))
