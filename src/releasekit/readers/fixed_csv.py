"""Helpers for readers of CSV formats with a fixed, known header (``kawalpemilu2019-csv``, ``pemiluapi-2004-csv``,
``pemiluapi-2014-csv``).

A source is one CSV (plain or gzipped, streamed) or a folder or archive of them (each streamed from it);
each file must carry the format's columns (by name, in any order, others
ignored), or the build stops with one line naming the file and the columns
it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import SourceError
from ..privacy import RECORD_NOT_QUOTED, looks_like_a_record, shorten
from .base import ReadContext, Rejected, clip
from .members import EVERY, MemberStream, Streamed, holds_members, members_named
from .textio import TextDecodeError, TextOptions, open_table, without_encoding_option

CSV_SUFFIXES = (".csv", ".csv.gz")


def csv_files(ctx: ReadContext) -> Iterator[tuple[Path | bytes | MemberStream, str, str] | Rejected]:
    """``(source, name, label)`` of each CSV to read: the file itself, or each member of a folder or archive (a
    stream, to be read before the next is asked for).

    ``name`` goes into locators (``name:line``), ``label`` into error messages.
    """
    path = ctx.path
    if holds_members(path):
        for member in members_named(ctx, CSV_SUFFIXES, "CSV", streamed=EVERY):
            yield member if isinstance(member, Rejected) else (
                member.stream if isinstance(member, Streamed) else member.data, member.name,
                f"{ctx.label}: {member.name}")
    else:
        yield path, path.name, ctx.label


def positions(header: tuple[str, ...], expected: tuple[str, ...], label: str, line: int | None,
              reader: str) -> dict[str, int]:
    """Where each expected column is in ``header``.

    :raises SourceError: a column is missing (this is not the format the source declares), or one appears twice
        (which of its cells is meant cannot be told).
    """
    found: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        found.setdefault(h.strip(), []).append(i)
    missing = [c for c in expected if c not in found]
    if missing:
        raise SourceError(f"{label}: line {line}: no column '{missing[0]}', so this is not what '{reader}' reads",
                          hint=RECORD_NOT_QUOTED if looks_like_a_record(header) else
                          "its columns are: " + shorten(", ".join(h or "(empty)" for h in header), 300, ""))
    repeated = [c for c in expected if len(found[c]) > 1]
    if repeated:
        raise SourceError(f"{label}: line {line}: column '{repeated[0]}' appears {len(found[repeated[0]])} times "
                          f"(columns {', '.join(str(i + 1) for i in found[repeated[0]])}), so which of its cells "
                          "is meant cannot be told", hint="remove or rename the copy, then build again")
    return {c: found[c][0] for c in expected}


class FixedRow(NamedTuple):
    """One row of a fixed-header CSV with as many cells as its header."""

    locator: str
    cells: list[str]
    #: column name → position in ``cells``
    at: dict[str, int]
    #: the row as read, cut for the quarantine
    raw: str | None


def fixed_rows(ctx: ReadContext, options: TextOptions, columns: tuple[str, ...], reader: str
               ) -> Iterator[FixedRow | Rejected]:
    """Every row of every CSV of the source (:func:`csv_files`), or the reason it cannot be read.

    A row whose number of cells differs from its header's is a :class:`Rejected` (``ragged row``).

    :raises SourceError: a file lacks one of ``columns`` (:func:`positions`).
    """
    for item in csv_files(ctx):
        if isinstance(item, Rejected):
            yield item
            continue
        source, name, label = item
        try:
            yield from _rows(source, name, label, columns, reader, options, ctx)
        except TextDecodeError as e:  # (these readers have no encoding option: the hint says what to do instead)
            raise without_encoding_option(e) from None


def _rows(source: Path | bytes | MemberStream, name: str, label: str, columns: tuple[str, ...], reader: str,
          options: TextOptions, ctx: ReadContext) -> Iterator[FixedRow | Rejected]:
    with open_table(source, name, options, ctx.progress if isinstance(source, Path) else None, label) as table:
        at = positions(table.header, columns, label, table.header_line, reader)
        width = len(table.header)
        for row in table:
            if isinstance(row, Rejected):
                yield row
                continue
            locator = f"{name}:{row.line}"
            if len(row.cells) != width:
                yield Rejected(locator, f"ragged row: {len(row.cells)} fields where the header has {width}",
                               clip(row.raw))
                continue
            yield FixedRow(locator, row.cells, at, clip(row.raw))
