"""The exceptions releasekit raises when it cannot continue.

Data problems are never exceptions: they become quarantined records or findings.
Everything here is a reason to stop, carrying a one-line message that names the
file and place, plus an optional one-sentence ``hint`` (and the file and place
as ``path`` and ``place``, where known). Every class is exported from
:mod:`releasekit`. The CLI turns every
:class:`ReleasekitError` into ``Error: <message>`` and exit code 1 (exit code 2 for a
:class:`UsageError`).
"""

from __future__ import annotations

import difflib
import errno
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

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


class _MaskedText:
    """An attribute of text whose NIKs are masked when it is set, whenever that is (:class:`ReleasekitError`'s
    ``path`` and ``place``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.stored = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> str | None:
        return getattr(instance, self.stored, None)

    def __set__(self, instance: object, value: str | None) -> None:
        setattr(instance, self.stored, None if value is None else _masked(value))


class ReleasekitError(Exception):
    """Base class: a message naming the file and place, and an optional hint.

    The file and the place are attributes too, where the code that raises the error knows them, so that a program
    need not read them out of the message (review CE M4); the message says the same.

    :param hint: one sentence on what to do.
    :param path: the file (or folder) the error is about, as the message names it: ``metadata.yml`` for a
        :class:`ConfigError`, the raw source as ``metadata.yml`` gives it for a :class:`SourceError`.
    :param place: where in ``path``: a key path in ``metadata.yml`` (``registers/0/sources/1/format``), a line
        (``line 3, column 5``), a byte (``byte 12``).

    A NIK in any of them is masked (:func:`~releasekit.privacy.mask_niks`), as in the message.
    """

    def __init__(self, message: str, *, hint: str | None = None, path: str | os.PathLike[str] | None = None,
                 place: str | None = None) -> None:
        # Whatever a message quotes from a source, a NIK in it is masked before anyone sees it: in ``str``, ``repr``
        # and ``args`` alike (review CE L2: a task runner logging ``repr(e)`` showed the number).
        super().__init__(_masked(message))
        self.hint = _masked(hint) if hint else hint
        self.path = None if path is None else os.fspath(path)
        self.place = place

    #: The file (or folder) the error is about, as the message names it; None when unknown or none.
    path = _MaskedText()
    #: Where in :attr:`path` (a key path, a line, a byte); None when unknown or the whole file.
    place = _MaskedText()

    def locate(self, *, path: str | None = None, place: str | None = None) -> ReleasekitError:
        """Set :attr:`path` and :attr:`place` when the error says neither yet (by code that knows them, as the error
        passes through); return the error."""
        if self.path is None and self.place is None:
            self.path, self.place = path, place
        return self

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} (hint: {self.hint})" if self.hint else message

    def __repr__(self) -> str:
        extra = "".join(f", {name}={value!r}" for name, value in (("hint", self.hint), ("path", self.path),
                                                                    ("place", self.place)) if value)
        return f"{type(self).__name__}({super().__str__()!r}{extra})"


def _masked(text: str) -> str:
    from .privacy import mask_niks  # late: privacy raises PrivacyError

    return mask_niks(text)


@contextmanager
def located(kind: type[ReleasekitError], *, path: str | None, place: str | None = None) -> Iterator[None]:
    """Give an error of ``kind`` raised within, if it says neither its :attr:`~ReleasekitError.path` nor its
    :attr:`~ReleasekitError.place`, this ``path`` and ``place`` (:meth:`ReleasekitError.locate`): for a caller that
    knows what its callees name only in their messages (the source a reader reads, where it is declared)."""
    try:
        yield
    except kind as e:
        e.locate(path=path, place=place)
        raise


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


class ReleaseFolderError(ReleasekitError):
    """The project's ``build/`` or ``datapackages/`` cannot take a new release, whatever the data: a file or a folder
    where the build writes, a mount point, ``build/`` on another file system, a swap a killed build left that cannot be
    finished here, or a new release that could not be put in place; :attr:`path` is that file or folder, as the
    message names it."""


class SiteFolderError(ReleasekitError):
    """A folder a site may not be written into: one that holds something other than a site releasekit wrote, or one
    inside what the project keeps (its raw sources, ``build/``, ``datapackages/``); :attr:`path` is the folder."""


class SiteLockedError(SiteFolderError):
    """Another ``serve`` or ``publish`` (in this process or another) is using the site folder: wait, stop it
    (:func:`~releasekit.publish.serving`'s handle, Ctrl-C), or give a folder of its own."""


class AddressError(ReleasekitError):
    """``serve`` cannot listen on the address asked for: the host does not resolve, the port is in use, the
    address is not this machine's, a privileged port.

    :param errno: the operating system's error number of the failed ``bind`` (``errno.EADDRINUSE`` for a port in
        use: another port may do), or None (the host does not resolve, no address to listen on).
    """

    def __init__(self, message: str, *, hint: str | None = None, errno: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.errno = errno


def refuse_empty_paths(*given: object, what: str = "path", hint: str = "give '.' for the current folder") -> None:
    """Raise :class:`UsageError` when one of ``given`` is ``""``: ``Path("")`` is ".", so a variable left unset would
    name the current folder (the command line refuses it, exit 2)."""
    if any(isinstance(path, str) and not path for path in given):
        raise UsageError(f"an empty {what} (a variable left unset?)", hint=hint)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest option to a misspelt ``word``, or ``""`` (hints start with it)."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean '{close[0]}'? " if close else ""
