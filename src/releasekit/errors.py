"""The exceptions releasekit raises when it cannot continue.

Data problems are never exceptions: they become quarantined records or findings.
Everything here is a reason to stop, carrying a one-line message that names the
file and place, plus an optional one-sentence ``hint``. The CLI turns every
:class:`ReleasekitError` into ``Error: <message>`` and exit code 1 (exit code 2 for a
:class:`UsageError`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ReleasekitError(Exception):
    """Base class: a message naming the file and place, and an optional hint."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        from .privacy import mask_niks  # late: privacy raises PrivacyError

        message = super().__str__()
        # Whatever a message quotes from a source, a NIK in it is masked before anyone sees it.
        return mask_niks(f"{message} (hint: {self.hint})" if self.hint else message)


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
    """An argument names something that does not exist (an unknown field); the CLI exits 2."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest option to a misspelt ``word``, or ``""`` (hints start with it)."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean '{close[0]}'? " if close else ""
