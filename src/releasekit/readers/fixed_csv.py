"""Helpers for readers of CSV formats with a fixed, known header (``kawalpemilu2019-csv``, ``pemiluapi-2004-csv``).

A source is one CSV (plain or gzipped, streamed) or a folder or archive of them;
each file must carry the format's columns (by name, in any order, others
ignored), or the build stops with one line naming the file and the columns
it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import SourceError
from .base import ReadContext, Rejected
from .members import is_tar, members_named

CSV_SUFFIXES = (".csv", ".csv.gz")


def csv_files(ctx: ReadContext) -> Iterator[tuple[Path | bytes, str, str] | Rejected]:
    """``(source, name, label)`` of each CSV to read: the file itself, or each member of a folder or archive.

    ``name`` goes into locators (``name:line``), ``label`` into error messages.
    """
    path = ctx.path
    if path.is_dir() or path.name.lower().endswith(".zip") or is_tar(path):
        for member in members_named(path, ctx.progress, CSV_SUFFIXES, "CSV"):
            yield member if isinstance(member, Rejected) else (member.data, member.name,
                                                                f"{ctx.label}: {member.name}")
    else:
        yield path, path.name, ctx.label


def positions(header: tuple[str, ...], expected: tuple[str, ...], label: str, line: int | None,
              reader: str) -> dict[str, int]:
    """Where each expected column is in ``header``.

    :raises SourceError: a column is missing (this is not the format the source declares).
    """
    found = {h.strip(): i for i, h in reversed(list(enumerate(header)))}
    missing = [c for c in expected if c not in found]
    if missing:
        raise SourceError(f"{label}: line {line}: no column '{missing[0]}', so this is not what '{reader}' reads",
                          hint="its columns are: " + ", ".join(h or "(empty)" for h in header)[:300])
    return {c: found[c] for c in expected}
