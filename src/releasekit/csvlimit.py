"""How long a cell the csv module reads while releasekit reads: :func:`bounded_cells`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager

#: A quoted cell may be longer than the csv module's default limit (128 KiB), up to 64 MiB: no cell releasekit writes
#: comes near (a quarantined record's raw text is cut at 2,000 characters), and a longer one is unreadable, reported,
#: rather than held in memory several times over (a package's 2 GiB cell ran validate out of memory: review BB #7).
CELL_LIMIT = 64 << 20


@contextmanager
def bounded_cells() -> Iterator[None]:
    """The csv module reads a cell up to :data:`CELL_LIMIT` while the block runs; then its limit is as it was. The
    limit is the process's: another library may have raised it (sqlite-utils' CSV insert sets ``sys.maxsize``, when a
    cell of any length would be held whole), and a program using releasekit keeps the one it set (review CE M1: the
    import and every validation left it at 64 MiB, and a notebook's own 80 MiB cell failed after)."""
    previous = csv.field_size_limit(CELL_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
