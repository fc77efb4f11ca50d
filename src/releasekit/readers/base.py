"""What readers yield: canonical records, or rejects with a locator and a reason.

A reader turns one raw source into a stream of records. Every raw record comes
out exactly once, either as a canonical record or as a :class:`Rejected`, so the
build can prove ``records_in = records_loaded + records_quarantined``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError
from ..privacy import cut, shorten
from ..tables import TS

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

RAW_LIMIT = 2000
#: SQLite integers are 64-bit: a count outside this range cannot be stored.
INT64 = 1 << 63
#: What ``json.loads`` raises on bytes that are no JSON document: JSONDecodeError, bad UTF-8 and
#: numbers too long to convert (ValueError), nesting too deep (RecursionError).
JSON_ERRORS = (ValueError, RecursionError)
#: orjson decodes arrays and objects nested up to 1024 levels, but encoding (``json.dumps``) or printing so deep a
#: value can exhaust the stack: a value nested deeper than this is described, not printed (:func:`show`), and a
#: region-list element that deep is refused. No real record nests beyond 3.
MAX_DEPTH = 64
#: The most characters of an area code (a village, 10; the country, ``0``). Results per area may also be keyed on a
#: TPS code (13: a village's published table lists its TPS); any other length is no KPU code (16 digits may be a NIK).
MAX_AREA_CODE = 10
TPS_CODE_LENGTH = 13
#: A text that a spreadsheet opening the published CSV would run as a formula (CSV injection): ``=``, ``+``, ``@``, or
#: ``-`` before anything but a number, or before a number an operator follows (``-1+1+cmd|' /C calc'!A0``: review
#: BB #6; a negative number, ``-5`` or ``-1.234``, and ``-5 ribu`` are text).
FORMULA = re.compile(r"^(?:[=+@]|-[^0-9\s.]|-[0-9.][^-+*/^&|!=<>(;]*[-+*/^&|!=<>(;])")
FORMULA_STARTS = frozenset("=+@-")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet opening a published CSV would run ``text`` (a cell's whole text) as a formula."""
    return bool(text) and text[0] in FORMULA_STARTS and FORMULA.match(text) is not None


#: What a ``duplicate-key`` reason calls a record that holds what the kept one loaded (its raw text may differ in
#: what is not loaded: review BD D3), and one that does not.
IDENTICAL, DIFFERENT = "an identical copy in every value loaded", "a different record"
#: Sirekap's update time, ``ts`` (``2024-02-15 23:29:50``, every real file's form; the calendar checks the rest), as
#: the packages declare it (``tables.TS``).
TIMESTAMP_TEXT = "a date and time 'YYYY-MM-DD HH:MM:SS'"


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
    raw: bytes | str | None = None
    #: The code system of ``kode_wilayah`` (:data:`releasekit.readers.codes.SYSTEMS`): ``kpu``, ``kemendagri``, ``bps``.
    sistem_kode: str = "kpu"
    #: How the row was read when that differs from its raw text (a repair), for ``wilayah.catatan``.
    catatan: str | None = None


@dataclass(slots=True)
class Station:
    """A ``tps`` row read from a region list (Sirekap ``tingkat`` 5)."""

    locator: str
    kode_tps: str
    nama: str | None
    id_sumber: str | None = None
    raw: bytes | str | None = None
    #: The TPS's number as the list gives it (a ``csv`` mapping's ``nomor_tps``), else None: made from the code and
    #: the name (:func:`releasekit.ingest.nomor_tps`).
    nomor_tps: str | None = None


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
    votes: Mapping[int, int | None] | None
    children: list[tuple[str, tuple[object, ...], Mapping[int, int | None] | None]]
    raw: bytes | str | None = None
    #: Raw records this result stands for, in the source's accounting: more than 1 when a reader
    #: sums several raw rows into one area (the TPS rows of a village, ``kawalpemilu2019-csv``).
    records: int = 1


@dataclass(slots=True)
class ResultPart:
    """One row of a long-layout result table: one candidate's votes at a TPS or area.

    Rows of the same place merge into one ``hasil_tps`` (or ``hasil_wilayah``)
    row: ``values`` holds the figures this row carries (by column name), and a
    figure or a candidate's votes that an earlier row already gave differently
    makes this row a ``duplicate-key``.
    """

    locator: str
    kode: str
    #: False: a TPS (``hasil_tps``/``suara``); True: an area (``hasil_wilayah``/``suara_wilayah``).
    area: bool
    values: dict[str, object]
    nomor_urut: int
    suara: int | None
    raw: bytes | str | None = None


@dataclass(slots=True)
class VoterRows:
    """Consecutive clean rows of an individual voter list (``dpt-csv``), one column per list.

    A voter list has millions of rows, so its clean rows travel in batches, column by
    column, and are counted and checked with C-level passes (:mod:`releasekit.dpt`);
    each row is one record of the source's accounting (``len(self)`` of them). ``lahir``
    is the birth date as the integer ``YYYYMMDD``. ``rows`` are the parsed cells, kept
    for the masked table only; nothing here is ever written as it is.
    """

    #: The file (or member) the rows were read from, and each row's line.
    file: str
    lines: list[int]
    kode_tps: list[str]
    nik: list[str]
    lahir: list[int]
    jenis_kelamin: list[str]
    status_kawin: list[str]
    #: Whether a disability is recorded.
    disabilitas: list[bool]
    rows: list[list[str]]
    #: Canonical column → position in ``rows`` (optional columns may be missing).
    positions: dict[str, int]

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def locator(self) -> str:
        """``file:line`` of the first row, like every other record's locator."""
        return f"{self.file}:{self.lines[0]}"

    @property
    def raw(self) -> None:
        """A voter's raw row is never kept as text, so nothing of it can reach the published quarantine."""
        return None


Record = Rejected | Region | Station | TpsResult | AreaResult | ResultPart | VoterRows


@dataclass(frozen=True)
class ReadContext:
    """What a reader knows about the source besides its path."""

    path: Path
    label: str
    election: Election | None
    #: Called with the number of bytes of the source consumed so far.
    progress: Callable[[int], None] | None = None
    #: The source as declared (readers with options, such as ``csv``, read them here).
    source: Source | None = None


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
    #: Whether :func:`releasekit.readahead.read_ahead` may run it in a second process. Off where the records
    #: cost more to send between processes than to make (a voter list's wide row batches).
    read_ahead: ClassVar[bool] = True
    #: Whether the database after loading its sources may be kept for the next build
    #: (:mod:`releasekit.buildcache`); off for a reader whose loading uses a secret of this build.
    cacheable: ClassVar[bool] = True
    #: The region code system of the codes this reader writes or joins on (:mod:`releasekit.readers.codes`).
    code_system: ClassVar[str] = "kpu"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield every record of the source, loaded or rejected, in a stable order."""
        raise NotImplementedError

    def preflight(self, ctx: ReadContext) -> None:
        """Refuse, before any source is loaded, what a moment's read of this source shows :meth:`read` would refuse
        (a ``csv`` mapping's column missing from the file's header): a mistake in ``metadata.yml`` fails in a
        second, not after every source before it has been read again (review BT L7). Default: nothing to check.

        :raises SourceError: as :meth:`read` would, with the same message.
        """

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """Refuse, before any work, a source this reader cannot read as declared.

        :param where: ``<metadata.yml>: registers/i/sources/j``, the start of every message.
        :raises ConfigError: naming the key path, with a hint.
        """
        if source.csv is not None:
            raise ConfigError(f"{where}/csv: the '{self.name}' reader takes no csv mapping",
                              hint="remove 'csv', or read the file with format: csv")
        self.refuse_dpt_options(source, where)

    def refuse_dpt_options(self, source: Source, where: str) -> None:
        """Refuse ``dpt`` options on a reader that is not the voter lists' (they would be ignored).

        :raises ConfigError: naming ``<where>/dpt``.
        """
        if source.dpt is not None:
            raise ConfigError(f"{where}/dpt: the '{self.name}' reader takes no dpt options",
                              hint="remove 'dpt', or read the voter list with format: dpt-csv")

    @staticmethod
    def refuse_other_pilpres(election: Election, where: str, year: int, holds: str, columns: str,
                             hint: str) -> None:
        """Refuse for a file of one presidential election's two pairs (``year``'s) another election, whose candidates
        its votes would load as (KawalPemilu 2019 under ppwp-2024, exit 0), or one without candidates 1 and 2.

        :param holds: what the file holds, said after the election refused; ``columns``: where its two pairs' votes
            are; ``hint``: the hint for an election without candidates 1 and 2.
        :raises ConfigError: naming ``<where>/election``.
        """
        if election.jenis != "ppwp" or election.tahun != year:
            raise ConfigError(f"{where}/election: {election.kode_pemilu} is not the {year} presidential election "
                              f"(jenis '{election.jenis}', tahun {election.tahun}); {holds}",
                              hint=f"use election: ppwp-{year}")
        if not {1, 2} <= {p.nomor_urut for p in election.peserta}:
            raise ConfigError(f"{where}/election: {election.kode_pemilu} has no candidates 1 and 2 ({columns})",
                              hint=hint)

    def places_first(self, source: Source) -> bool:
        """Whether this source lists places (regions, TPS) and so loads before results."""
        return self.provides_places


def is_count(value: object) -> bool:
    """Whether a decoded JSON value is an integer SQLite can store (not a bool, within 64 bits)."""
    return type(value) is int and -INT64 <= value < INT64


def is_timestamp(value: object) -> bool:
    """Whether ``value`` is a ``ts`` (:data:`releasekit.tables.TS`) that names a real moment (not ``2024-02-30``, not
    ``24:00:00``)."""
    if not isinstance(value, str) or TS.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def clip(text: str | bytes | None) -> str | None:
    """A raw record as text, cut to :data:`RAW_LIMIT` characters for the quarantine."""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text[: (RAW_LIMIT + 64) * 4].decode("utf-8", errors="replace")  # (+ 64: a number cut at RAW_LIMIT
        # is seen whole)
    return cut(text, RAW_LIMIT)  # (not masked here: the loader withholds a raw record holding a NIK whole)


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether a decoded JSON value nests arrays or objects deeper than ``limit`` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def show(value: object, width: int = 40) -> str:
    """A decoded JSON value as short JSON text for a message; one nested too deep to print and a number beyond 64 bits
    (which orjson reads as a float: ``1.2345678901234568e+29`` was not what the file says) are described. (An integer
    of :mod:`~releasekit.readers.jsontext` has at most 20 digits: beyond 64 bits it is a float.)"""
    if too_deep(value):
        return f"a value nested deeper than {MAX_DEPTH} levels"
    if type(value) is float and value == value and not -INT64 <= value < INT64:  # (±Infinity too: 1E400)
        return "a number beyond 64 bits"
    text = json.dumps(value)
    if type(value) is int and not -INT64 <= value < INT64:
        return f"{text} (beyond 64 bits)"
    return shorten(text, width, "")


def invalid_json(locator: str, error: Exception, raw: bytes | str) -> Rejected:
    """The reject for a record that :data:`JSON_ERRORS` said is not JSON, with its raw text clipped."""
    return Rejected(locator, shorten(f"invalid JSON: {error}", 300, ""), clip(raw))
