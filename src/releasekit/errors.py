"""The exceptions releasekit raises when it cannot continue.

Data problems are never exceptions: they become quarantined records or findings.
Everything here is a reason to stop, carrying a one-line message that names the
file and place, plus an optional one-sentence ``hint``. The CLI turns every
:class:`ReleasekitError` into ``Error: <message>`` and exit code 1 (exit code 2 for a
:class:`UsageError`).
"""

from __future__ import annotations

import difflib
import errno
import sqlite3
from collections.abc import Iterable

#: SQLite's result codes for the machine failing a write, not for a query: a full disk, an I/O error (a
#: file-size limit, a quota, a failing disk), a file it cannot open or may not write.
SQLITE_MACHINE_CODES = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")
#: A hint per kind of operating-system error (``errno``): the machine, not releasekit.
OS_HINTS: dict[int, str] = {
    **dict.fromkeys((errno.ENOSPC, errno.EDQUOT, errno.EFBIG),
                    "check that the disk has room and that no quota or file-size limit (ulimit -f) stops the write"),
    **dict.fromkeys((errno.EACCES, errno.EPERM, errno.EROFS),
                    "check the permissions of the file and its folder, and that the disk is not read-only"),
    errno.ELOOP: "a symbolic link that leads back to itself: point it at the file itself",
    errno.EISDIR: "a folder stands where a file is expected: move it away",
    errno.ENOTDIR: "a file stands where a folder is expected: move it away",
    errno.EIO: "the disk failed to read or write: check it, then run the command again",
}
#: The hint for any other operating-system error.
OS_HINT = "check the file and the disk, then run the command again"


def sqlite_machine_failure(error: BaseException) -> bool:
    """Whether a SQLite error is the machine failing (:data:`SQLITE_MACHINE_CODES`), not a query or a bug."""
    name = getattr(error, "sqlite_errorname", None) or ""
    return isinstance(error, sqlite3.Error) and (
        name.startswith(SQLITE_MACHINE_CODES) or "disk is full" in str(error) or "disk I/O error" in str(error))


#: Line breaks and other control characters a message may quote from a file (a cell, an archive member's name), shown
#: escaped wherever a message is one line of a report or an error (one could otherwise write a line of its own, one
#: that reads ``pkg: valid / lolos validasi`` or ``Error: …``).
CONTROLS = {c: repr(chr(c))[1:-1] for c in (*range(0, 32), 127, 0x85, 0x2028, 0x2029) if chr(c) != "\t"}


def one_line_text(text: str) -> str:
    """``text`` with its line breaks and other control characters escaped (:data:`CONTROLS`)."""
    return text.translate(CONTROLS)


class ReleasekitError(Exception):
    """Base class: a message naming the file and place, and an optional hint."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        from .privacy import mask_niks  # late: privacy raises PrivacyError

        # Whatever a message quotes from a source, a NIK in it is masked before anyone sees it: in ``str``, ``repr``
        # and ``args`` alike (review CE L2: a task runner logging ``repr(e)`` showed the number).
        super().__init__(mask_niks(message))
        self.hint = mask_niks(hint) if hint else hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} (hint: {self.hint})" if self.hint else message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({super().__str__()!r}" + (f", hint={self.hint!r})" if self.hint else ")")


class MachineError(ReleasekitError):
    """The machine failed a write or a child process: a full disk, a quota, a killed process."""


class ConfigError(ReleasekitError):
    """``metadata.yml`` is missing, unreadable or does not match its schema."""


class SourceError(ReleasekitError):
    """A raw source cannot be used: missing, checksum mismatch, unknown reader."""


class PackageError(ReleasekitError):
    """A package path cannot be opened for validation (not a package at all)."""


class PrivacyError(ReleasekitError):
    """An artefact would carry an unmasked personal identifier."""


class DiffError(ReleasekitError):
    """A side of a diff cannot be opened or read, or holds no such snapshot."""


class UsageError(ReleasekitError):
    """A call the library cannot carry out as asked, whatever the data: an argument that names nothing there (an
    unknown field, format or engine), a path that is empty or none, a place it may not write; the CLI exits 2."""


def refuse_empty_paths(*given: object, what: str = "path", hint: str = "give '.' for the current folder") -> None:
    """Raise :class:`UsageError` when one of ``given`` is ``""``: ``Path("")`` is ".", so a variable left unset would
    name the current folder (the command line refuses it, exit 2)."""
    if any(isinstance(path, str) and not path for path in given):
        raise UsageError(f"an empty {what} (a variable left unset?)", hint=hint)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest option to a misspelt ``word``, or ``""`` (hints start with it)."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean '{close[0]}'? " if close else ""
