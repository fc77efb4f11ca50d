"""What readers yield: canonical records, or rejects with a locator and a reason.

A reader turns one raw source into a stream of records. Every raw record comes
out exactly once, either as a canonical record or as a :class:`Rejected`, so the
build can prove ``records_in = records_loaded + records_quarantined``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..elections import Election

RAW_LIMIT = 2000


@dataclass(slots=True)
class Rejected:
    """A raw record that cannot be loaded: where it is and why."""

    locator: str
    reason: str
    raw: str | None = None


@dataclass(slots=True)
class Region:
    """A ``wilayah`` row read from a region list."""

    locator: str
    kode_wilayah: str
    tingkat: int
    nama: str | None
    kode_induk: str | None
    id_sumber: str | None = None


@dataclass(slots=True)
class Station:
    """A ``tps`` row read from a region list (Sirekap ``tingkat`` 5)."""

    locator: str
    kode_tps: str
    nama: str | None
    id_sumber: str | None = None


@dataclass(slots=True)
class TpsResult:
    """One TPS's results: ``hasil_tps`` values and votes by ballot number.

    ``values`` holds the ``hasil_tps`` columns after the key (``ts`` …
    ``jumlah_foto``) in :data:`releasekit.tables.HASIL_TPS` order. ``votes`` is
    ``None`` when the source has no votes yet, else ``{nomor_urut: votes}``.
    """

    locator: str
    kode_tps: str
    values: tuple[object, ...]
    votes: dict[int, int | None] | None
    #: The raw record (a reference, not a copy), kept for the quarantine if it turns out a duplicate.
    raw: bytes | str | None = None


@dataclass(slots=True)
class AreaResult:
    """Published totals of one area (``hasil_wilayah``) and of its child areas.

    ``values`` are the ``hasil_wilayah`` columns after the key (``ts`` … ``asal``);
    ``children`` are ``(kode_wilayah, values, votes)`` from the file's table.
    """

    locator: str
    kode_wilayah: str
    values: tuple[object, ...]
    votes: dict[int, int] | None
    children: list[tuple[str, tuple[object, ...], dict[int, int] | None]]


Record = Rejected | Region | Station | TpsResult | AreaResult


@dataclass(frozen=True)
class ReadContext:
    """What a reader knows about the source besides its path."""

    path: Path
    label: str
    election: Election | None
    #: Called with the number of bytes of the source consumed so far.
    progress: Callable[[int], None] | None = None


class Reader:
    """Base class of every reader. Subclasses set the class attributes and ``read``."""

    #: The contract name used as ``format:`` in metadata.yml.
    name: ClassVar[str]
    #: Bumped whenever the reader's output for the same bytes changes.
    version: ClassVar[str] = "1"
    #: Whether the source must name an election (and so a snapshot).
    needs_election: ClassVar[bool] = False
    #: One line for the README and error hints.
    summary: ClassVar[str] = ""
    #: Region lists load before results, so results find their places named.
    provides_places: ClassVar[bool] = False

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield every record of the source, loaded or rejected, in a stable order."""
        raise NotImplementedError


def clip(text: str | bytes | None) -> str | None:
    """A raw record as text, cut to :data:`RAW_LIMIT` characters for the quarantine."""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text[: RAW_LIMIT * 4].decode("utf-8", errors="replace")
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"
