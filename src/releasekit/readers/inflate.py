"""Compressed streams that fail their own checks: nothing inflated from them can be trusted.

A gzip stream cut short gives up every byte before the cut, exact, and the readers load the
records before it (the rest is quarantined as truncated). A byte changed inside one is another
matter: inflating goes on turning out wrong bytes (well-formed rows with wrong numbers) until a
block no longer decodes or the stream's CRC-32 differs at its end, so the records read before
the error are no more trustworthy than the ones after it. Such a stream raises
:class:`CorruptStreamError`, which the readers' salvage of damaged archives lets through, and the
build refuses the source (:meth:`releasekit.ingest.Loader.load_source` names it).
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any

from ..errors import SourceError

#: What the gzip module says of a stream whose CRC-32 or length differs from its trailer's.
_CHECKS_FAILED = ("CRC check failed", "Incorrect length of data produced")
HINT = "the file is damaged: download or export it again (`gzip -t FILE` tests a .gz file)"


class CorruptStreamError(SourceError):
    """A gzip stream failed its own check (a block that does not decode, a CRC-32 or length that differs)."""


#: The name it had before its name ended in ``Error`` (STYLE.md 2.10), kept for the code that uses it.
CorruptStream = CorruptStreamError


def is_corrupt(error: BaseException) -> bool:
    """Whether ``error``, raised while inflating gzip, says the stream is corrupt (not cut short)."""
    return isinstance(error, zlib.error) or (
        isinstance(error, gzip.BadGzipFile) and str(error).startswith(_CHECKS_FAILED))


#: What zlib says of a stream whose CRC-32 or length differs from its trailer's (at the end of the stream).
_TRAILER_DIFFERS = ("incorrect data check", "incorrect length check")


def corrupt(error: BaseException, inflated: int | None = None) -> CorruptStreamError:
    """The :class:`CorruptStreamError` to raise for ``error`` (``inflated``: the bytes inflated before the step that
    raised it; a step inflates up to a few MiB, so a small file's error comes after 0 of them: no place said)."""
    at_end = str(error).startswith(_CHECKS_FAILED) or any(text in str(error) for text in _TRAILER_DIFFERS)
    where = (", at the end of the stream (its trailer's check)" if at_end
             else f", past {inflated:,} bytes of its inflated data" if inflated else "")
    return CorruptStreamError(f"the gzip data is corrupt ({error}){where}: no record read from it can be trusted, "
                              "so none is loaded", hint=HINT)


class CheckedGzipFile(gzip.GzipFile):
    """:class:`gzip.GzipFile` whose reads raise :class:`CorruptStreamError` when the stream is corrupt (a stream cut
    short still raises :class:`EOFError`, which the readers salvage)."""

    def read(self, size: int | None = -1) -> bytes:
        return self._checked(super().read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._checked(super().read1, size)

    def peek(self, n: int) -> bytes:
        return self._checked(super().peek, n)

    def readline(self, size: int | None = -1) -> bytes:
        return self._checked(super().readline, size)

    def _checked(self, read: Any, size: Any) -> bytes:
        try:
            data: bytes = read(size)
        except (zlib.error, gzip.BadGzipFile) as e:
            if is_corrupt(e):
                raise corrupt(e) from e
            raise
        return data
