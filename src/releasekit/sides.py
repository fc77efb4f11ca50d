"""What ``releasekit diff`` compares: a built database, a package folder or ``.zip``, or a project's snapshot.

Every side offers the same things: which (election, snapshot) pairs it
holds with their TPS counts, a stream of one snapshot's TPS in ``kode_tps``
order (:mod:`releasekit.compare`), and, when it can give them cheaply, the
snapshot's totals per candidate; and the same for published area totals
(:mod:`releasekit.areadiff`): their snapshots, and one snapshot's areas in
``kode_wilayah`` order. A package is read straight from its CSVs (from
the zip without unpacking), in the primary-key order ``releasekit build``
writes them, so a published release and a new build are compared without
loading either into a database. Every cell diff relies on is checked against its
declared type on the way (:func:`_problem`), cheaply: a damaged package is an error naming
the file, line and column, never a result.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import product
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol, TextIO

from .areadiff import AreaRow, AreaValues, AreaVotes, area_rows, db_area_rows
from .compare import (
    COUNT_COLUMNS,
    HasilRow,
    SuaraRow,
    TpsRow,
    codes_named,
    db_rows,
    tps_rows,
)
from .config import snapshot_id
from .database import read_only
from .errors import DiffError
from .metadatafile import FORMATS, METADATA_FILE
from .packagefiles import DESCRIPTOR, too_large_descriptor
from .staging import BUILD_DIR, DATABASE_FILE
from .tables import (
    FALSE_VALUES,
    HASIL_TPS,
    HASIL_TPS_VALUES,
    HASIL_WILAYAH,
    HASIL_WILAYAH_VALUES,
    KODE_PEMILU,
    SNAPSHOT_PATTERN,
    SUARA,
    SUARA_WILAYAH,
    TRUE_VALUES,
    Field,
)

#: (kode_pemilu, snapshot)
SnapshotKey = tuple[str, str]
#: nomor_urut → Σ votes, None when no TPS has a figure for the candidate (as SQL's ``sum`` and ``snapshot_votes``
#: add up: a total is NULL, never 0, when every figure is)
Totals = dict[int, int | None]


class Side(Protocol):
    """One side of a diff."""

    label: str
    #: Restrict to this snapshot (``PATH@SNAPSHOT`` or a project snapshot id).
    only: str | None

    def snapshots(self) -> dict[SnapshotKey, int | None]:
        """(kode_pemilu, snapshot) → TPS (None when counting them would cost a pass), sorted."""

    def count(self, key: SnapshotKey) -> int:
        """TPS in one snapshot."""

    def rows(self, key: SnapshotKey, totals: Totals | None = None) -> Iterator[TpsRow]:
        """One snapshot's TPS in ``kode_tps`` order (adding up ``totals`` on the way when given)."""

    def totals(self, key: SnapshotKey) -> Totals | None:
        """Totals per candidate when the side has them at hand, else None."""

    def area_snapshots(self) -> dict[SnapshotKey, int]:
        """(kode_pemilu, snapshot) → areas, of the published area totals (``hasil_wilayah``), sorted."""

    def area_rows(self, key: SnapshotKey) -> Iterator[AreaRow]:
        """One snapshot's published area totals in ``kode_wilayah`` order."""

    def quarantined_codes(self, key: SnapshotKey) -> frozenset[str]:
        """The TPS codes records of the snapshot's sources that were quarantined name (none when the side does
        not say what it quarantined)."""

    def quarantined_records(self, key: SnapshotKey) -> int | None:
        """How many records the snapshot's sources quarantined, as their ``sources`` rows count them (None when the
        side does not say)."""

    def area_formats(self, key: SnapshotKey) -> frozenset[str]:
        """The readers (``sources.format``) of the sources of a snapshot's published area totals: what numbers its
        areas (none when the side does not say)."""

    def close(self) -> None:
        """Release files."""


class NothingHeldError(DiffError):
    """A side holds no per-TPS results, or not of the snapshot asked for (it may still hold area totals)."""


#: The name it had before its name ended in ``Error`` (STYLE.md 2.10), kept for the code that uses it.
NothingHeld = NothingHeldError


def _select(found: dict[SnapshotKey, int | None], only: str | None, label: str,
            unread: Callable[[str], int] = lambda snapshot: 0) -> dict[SnapshotKey, int | None]:
    """The snapshots ``found``, or the one ``only`` names.

    :param unread: how many records the sources declaring a snapshot quarantined when they loaded none (asked only
        when the snapshot is not found): such a day is said to be unreadable, not missing.
    """
    if only is None:
        return found
    chosen = {k: n for k, n in found.items() if k[1] == only}
    if not chosen:
        known = ", ".join(sorted({k[1] for k in found}))
        quarantined = unread(only)
        if quarantined:
            raise NothingHeldError(f"{label}: snapshot '{only}' holds no TPS: all {quarantined} records of "
                                   "its sources were quarantined", hint="see the quarantine table for why each was set "
                                   "aside" + (f"; snapshots here: {known}" if known else ""))
        raise NothingHeldError(f"{label}: no snapshot '{only}'", hint=f"snapshots here: {known}" if known else (
            "it holds no snapshot of per-TPS results at all: a source declared with a 'snapshot:' in metadata.yml "
            "makes one"))
    return chosen


def _areas(found: Iterable[tuple[str, str, int]], only: str | None) -> dict[SnapshotKey, int]:
    return {(k, s): n for k, s, n in sorted(found) if only is None or s == only}


#: The columns diff reads from a database, per table.
DB_COLUMNS = {"hasil_tps": ("kode_pemilu", "snapshot", "kode_tps", *HASIL_TPS_VALUES, "sumber"),
              "suara": ("kode_pemilu", "snapshot", "kode_tps", "nomor_urut", "suara")}
NOT_RELEASEKIT_DB = "is this a releasekit release.db? build it again with 'releasekit build'"


class DatabaseSide:
    """A SQLite database with releasekit's tables (``build/release.db``), opened read-only."""

    def __init__(self, path: Path, label: str, only: str | None = None) -> None:
        self.label = label
        self.only = only
        try:
            self.conn = read_only(path)
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not set(DB_COLUMNS) <= tables:
                raise DiffError(f"{label}: no hasil_tps/suara tables", hint="is this a releasekit release.db?")
            for table, needed in DB_COLUMNS.items():
                have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
                missing = [c for c in needed if c not in have]
                if missing:
                    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                    raise DiffError(f"{label}: table {table} has no column {', '.join(missing[:3])}{more}",
                                    hint=NOT_RELEASEKIT_DB)
        except sqlite3.DatabaseError as e:
            raise DiffError(f"{label}: not a SQLite database ({e})", hint="give build/release.db or a package") from e
        self.tables = tables
        self._totals: dict[SnapshotKey, Totals] = {}

    def area_snapshots(self) -> dict[SnapshotKey, int]:
        if not {"hasil_wilayah", "suara_wilayah"} <= self.tables:
            return {}
        with self._reading():
            return _areas(self.conn.execute(
                "SELECT kode_pemilu, snapshot, count(*) FROM hasil_wilayah GROUP BY 1, 2"), self.only)

    def area_rows(self, key: SnapshotKey) -> Iterator[AreaRow]:
        with self._reading():
            yield from db_area_rows(self.conn, key, self.label)

    def quarantined_codes(self, key: SnapshotKey) -> frozenset[str]:
        if not {"quarantine", "snapshots"} <= self.tables:
            return frozenset()
        with self._reading():
            return codes_named(self.conn.execute(
                "SELECT locator, raw, reason FROM quarantine WHERE source IN (SELECT source FROM snapshots "
                "WHERE kode_pemilu = ? AND snapshot = ?)", key))

    def quarantined_records(self, key: SnapshotKey) -> int | None:
        if not {"sources", "snapshots"} <= self.tables:
            return None
        with self._reading():  # (a path is one source, whatever registers list it)
            return int(self.conn.execute(
                "SELECT coalesce(sum(q), 0) FROM (SELECT max(records_quarantined) AS q FROM sources WHERE path IN "
                "(SELECT source FROM snapshots WHERE kode_pemilu = ? AND snapshot = ?) GROUP BY path)",
                key).fetchone()[0])

    def area_formats(self, key: SnapshotKey) -> frozenset[str]:
        if not {"sources", "hasil_wilayah"} <= self.tables:
            return frozenset()
        with self._reading():
            return frozenset(f for (f,) in self.conn.execute(
                "SELECT DISTINCT format FROM sources WHERE path IN (SELECT DISTINCT sumber FROM hasil_wilayah "
                "WHERE kode_pemilu = ? AND snapshot = ?)", key))

    def _unread(self, snapshot: str) -> int:
        """Records quarantined by the sources declaring ``snapshot`` when none of them loaded a record."""
        if "sources" not in self.tables:
            return 0
        with self._reading():
            loaded, quarantined = self.conn.execute(
                "SELECT sum(l), sum(q) FROM (SELECT max(records_loaded) AS l, max(records_quarantined) AS q "
                "FROM sources WHERE snapshot = ? AND election IS NOT NULL GROUP BY path)", (snapshot,)).fetchone()
        return 0 if loaded else int(quarantined or 0)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A database that opened but fails a query (damaged, or tables of another shape) is a DiffError."""
        try:
            yield
        except sqlite3.Error as e:
            raise DiffError(f"{self.label}: cannot be read ({e})", hint=NOT_RELEASEKIT_DB) from e

    def snapshots(self) -> dict[SnapshotKey, int | None]:
        found: dict[SnapshotKey, int | None] = {}
        with self._reading():
            if "snapshots" in self.tables:  # counted at build time
                found = {(k, s): n for k, s, n in self.conn.execute(
                    "SELECT kode_pemilu, snapshot, sum(tps) FROM snapshots GROUP BY 1, 2 ORDER BY 1, 2")}
            if not found:  # a database from an older build, or one loaded by other means
                found = {(k, s): n for k, s, n in self.conn.execute(
                    "SELECT kode_pemilu, snapshot, count(*) FROM hasil_tps GROUP BY 1, 2 ORDER BY 1, 2")}
        return _select(found, self.only, self.label, self._unread)

    def count(self, key: SnapshotKey) -> int:
        with self._reading():
            return int(self.conn.execute("SELECT count(*) FROM hasil_tps WHERE kode_pemilu = ? AND snapshot = ?",
                                         key).fetchone()[0])

    def rows(self, key: SnapshotKey, totals: Totals | None = None) -> Iterator[TpsRow]:
        with self._reading():
            yield from db_rows(self.conn, key[0], key[1], label=self.label)

    def totals(self, key: SnapshotKey) -> Totals | None:
        if key not in self._totals:  # (asked again for each pair when --ignore names a candidate)
            self._totals[key] = self._read_totals(key)
        return self._totals[key]

    def _read_totals(self, key: SnapshotKey) -> Totals:
        found: Totals = {}
        with self._reading():
            if "snapshot_votes" in self.tables:
                found = dict(self.conn.execute(
                    "SELECT nomor_urut, sum(suara) FROM snapshot_votes WHERE kode_pemilu = ? AND snapshot = ? "
                    "GROUP BY nomor_urut", key).fetchall())
            # (sum: NULL when every figure is, as snapshot_votes holds a candidate no TPS has a figure for)
            return found or dict(self.conn.execute(
                "SELECT nomor_urut, sum(suara) FROM suara WHERE kode_pemilu = ? AND snapshot = ? "
                "GROUP BY nomor_urut", key).fetchall())

    def close(self) -> None:
        self.conn.close()


#: What reading a damaged package raises: an unreadable file, a corrupt or cut zip member, bytes that
#: are not UTF-8, a line the csv module refuses.
_UNREADABLE = (OSError, EOFError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile, zlib.error)
DAMAGED = "the package is damaged: build or download it again; 'releasekit validate' shows what is wrong"


def _reason(error: Exception) -> str:
    """Why a file cannot be read, in a few words."""
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8: byte 0x{error.object[error.start]:02x}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _unreadable(where: str, error: Exception) -> DiffError:
    return DiffError(f"{where}: cannot be read ({_reason(error)})", hint=DAMAGED)


# --------------------------------------------------------------------------- declared types

#: The form of a snapshot id, as metadata.yml's schema declares it: a day, or a day and a local time (the
#: Table Schemas' pattern of ``snapshot``).
SNAPSHOT_FORM = SNAPSHOT_PATTERN
#: The fields of hasil_tps and suara diff relies on, as releasekit declares them (:mod:`releasekit.tables`);
#: ``election`` is the column of ``sources`` holding a kode_pemilu.
FIELDS: dict[str, Field] = {**{f.name: f for table in (SUARA_WILAYAH, HASIL_WILAYAH, SUARA, HASIL_TPS)
                               for f in table.fields}, "election": KODE_PEMILU}
#: What picks a snapshot's rows out of a resource.
KEY_COLUMNS = ("kode_pemilu", "snapshot")
#: The hasil_tps columns checked on every row of a compared snapshot.
HASIL_CHECKED = ("kode_tps", *(c for c in HASIL_TPS_VALUES if FIELDS[c].type in ("integer", "boolean")))
#: The hasil_wilayah columns checked on every row of a compared snapshot.
AREA_CHECKED = ("kode_wilayah",
                *(c for c in HASIL_WILAYAH_VALUES if FIELDS[c].type in ("integer", "boolean", "number")))
#: Flags as releasekit writes them (the Table Schema's trueValues and falseValues), or empty.
FLAGS = ("", *FALSE_VALUES, *TRUE_VALUES)
_PATTERNS = {name: re.compile(f.pattern) for name, f in FIELDS.items() if f.pattern}


def _is_snapshot(text: str) -> bool:
    """Whether ``text`` is a real day, or a day and time (not 2024-02-30), in the declared form: the checks
    ``metadata.yml``'s schema makes of a snapshot id (its pattern, and its ``iso8601`` format)."""
    return _PATTERNS["snapshot"].fullmatch(text) is not None and FORMATS.conforms(text, "iso8601")


def _not_whole(text: str) -> str:
    return f"is {text!r}, not a whole number"


def _problem(column: str, text: str) -> str | None:
    """What is wrong with ``text`` as a value of ``column`` (None when nothing is, or diff does not check it)."""
    field = FIELDS.get(column)
    if field is None:
        return None
    if text == "":
        return "is empty, but required" if field.required else None
    if field.type == "integer":
        try:
            int(text)
        except ValueError:
            return _not_whole(text)
        return None
    if field.type == "number":
        try:
            float(text)
        except ValueError:
            return f"is {text!r}, not a number"
        return None
    if field.type == "boolean":
        return None if text in FLAGS else f"is {text!r}, not 1 (true), 0 (false) or empty"
    if column == "snapshot":
        return None if _is_snapshot(text) else f"is {text!r}, not a date or date-time (YYYY-MM-DD[ HH:MM[:SS]])"
    pattern = _PATTERNS.get(column)
    if pattern is not None and pattern.fullmatch(text) is None:
        return f"is {text!r}, which does not match its pattern {pattern.pattern}"
    return None


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """The cells at ``indexes`` as a tuple (``itemgetter`` gives a bare cell for one index)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda row: tuple(row[i] for i in indexes)


#: The fast check of a compared hasil_tps row, a few calls into C per row (:meth:`PackageSide._hasil`; the
#: exact one, cell by cell, only when it fails): its counts joined are digits, its flags one of FLAGS each,
#: its kode_tps matches the pattern.
_COUNTS = _getter([i for i, c in enumerate(HASIL_TPS_VALUES) if c in COUNT_COLUMNS])
_FLAG_INDEXES = [i for i, c in enumerate(HASIL_TPS_VALUES) if FIELDS[c].type == "boolean"]
_FLAGS = _getter(_FLAG_INDEXES)
_FLAG_SETS = frozenset(product(FLAGS, repeat=len(_FLAG_INDEXES)))
_IS_CODE = _PATTERNS["kode_tps"].fullmatch


class _Csv:
    """One CSV resource read row by row; damage becomes a :class:`DiffError` naming the file and line."""

    def __init__(self, where: str, handle: TextIO, needed: tuple[str, ...]) -> None:
        self.where = where
        self.reader = csv.reader(handle)
        with self._reading():
            header = next(self.reader, None) or []
        if header and header[0].startswith("\ufeff"):  # (a UTF-8 BOM, which Frictionless and validate read past)
            header[0] = header[0][1:]
        self.index = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        twice = next((name for name in header if header.count(name) > 1), None)
        if twice is not None:  # (which of the two holds the column cannot be told: validate's duplicate-label)
            raise DiffError(f"{where}: the header names column {twice} {header.count(twice)} times", hint=DAMAGED)
        missing = [c for c in needed if c not in self.index]
        if missing:
            raise DiffError(f"{where}: no column {', '.join(missing)}", hint="is this a releasekit real-count package?")

    def error(self, problem: str) -> DiffError:
        """A problem with the line just read."""
        return DiffError(f"{self.where}, line {self.reader.line_num}: {problem}", hint=DAMAGED)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except _UNREADABLE as e:
            line = self.reader.line_num
            raise _unreadable(f"{self.where}, after line {line}" if line else self.where, e) from e

    def __iter__(self) -> Iterator[list[str]]:
        """Every row after the header, each as wide as the header."""
        with self._reading():
            for row in self.reader:
                if len(row) != self.width:
                    raise self.error(f"{len(row)} fields where the header has {self.width}" if row else "a blank line")
                yield row

    def check(self, row: list[str], columns: Iterable[str]) -> None:
        """Raise on the first cell of ``columns`` (those the header has) that is not of its declared type."""
        for column in columns:
            i = self.index.get(column)
            problem = None if i is None else _problem(column, row[i])
            if problem is not None:
                raise self.error(f"column {column} {problem}")

    def check_key(self, row: list[str]) -> SnapshotKey:
        """Check the (kode_pemilu, snapshot) of ``row`` against their declared types, and return it.

        Where a resource is read for one snapshot, only the first row of each run of another snapshot's
        rows is checked: the caller compares its key with the last one checked, inline (the per-row path).
        """
        self.check(row, KEY_COLUMNS)
        return row[self.index["kode_pemilu"]], row[self.index["snapshot"]]

    def number(self, row: list[str], column: str, *, blank: int | None = None) -> int:
        """The whole number in ``column`` of ``row`` (``blank`` for an empty cell, when given)."""
        text = row[self.index[column]]
        if text == "" and blank is not None:
            return blank
        try:
            return int(text)
        except ValueError:
            raise self.error(f"column {column} {_not_whole(text)}") from None


class _Runs:
    """A resource's rows for one (kode_pemilu, snapshot) at a time, the resource read once, not once a snapshot.

    The first read goes through the whole resource (its snapshots' rows may be anywhere in it), noting the order
    its snapshots come in. Where each snapshot's rows came in one run, as releasekit writes them (in key order),
    later reads go on from where the last one stopped, and a snapshot the resource does not hold is read not at
    all: comparing two packages of D days reads each resource about twice, where a read from the start each day
    read it D times (review BK M1: 23 s for two packages of 40 days of 5,000 TPS). A resource whose snapshots are
    interleaved is read from the start for each, as before; so is a snapshot asked for out of order.
    """

    def __init__(self, open_table: Callable[[], _Csv]) -> None:
        self.open = open_table
        #: The snapshots in the order of their runs, once a read went through every row and found one run each.
        self.order: dict[SnapshotKey, int] | None = None
        self.interleaved = False
        #: Where the last read stopped: the table, its rows, the first row of the next run, and that run's place.
        self.cursor: tuple[_Csv, Iterator[list[str]], list[str] | None, int] | None = None

    def select(self, key: SnapshotKey) -> tuple[_Csv, Iterator[list[str]]]:
        """The table (its header read) and an iterator over the rows of ``key``."""
        if self.order is None:
            table = self.open()
            return table, self._scan(table, key)
        place = self.order.get(key)
        if place is None:  # (the whole resource was read: it holds no row of this snapshot)
            return self.cursor[0] if self.cursor else self.open(), iter(())
        if self.cursor is None or self.cursor[3] > place:
            table = self.open()
            rows = iter(table)
            self.cursor = (table, rows, next(rows, None), 0)
        return self.cursor[0], self._from_cursor(key, place)

    def _scan(self, table: _Csv, key: SnapshotKey) -> Iterator[list[str]]:
        """Every row of ``key`` in the whole table; the order of the snapshots' runs noted when it is read to the
        end; each other snapshot's key checked once per run of its rows."""
        k, s = table.index["kode_pemilu"], table.index["snapshot"]
        runs: list[SnapshotKey] = []
        other: SnapshotKey | None = None
        for row in table:
            if row[s] == key[1] and row[k] == key[0]:
                if other != key:
                    other = key
                    runs.append(key)
                yield row
            elif other is None or row[s] != other[1] or row[k] != other[0]:  # another run: checked once
                other = table.check_key(row)
                runs.append(other)
        if not self.interleaved:
            order = {run: place for place, run in enumerate(runs)}
            if len(order) == len(runs):
                self.order = order
            else:
                self.interleaved = True

    def _from_cursor(self, key: SnapshotKey, place: int) -> Iterator[list[str]]:
        """The rows of ``key``, from where the last read stopped: the runs before its own skipped (their keys were
        checked by the first read), the first row of the next run kept for the next read."""
        assert self.cursor is not None
        table, rows, row, _ = self.cursor
        self.cursor = None  # (a read left part-way, by an error in the other side, is not gone on from)
        k, s = table.index["kode_pemilu"], table.index["snapshot"]
        while row is not None and (row[s] != key[1] or row[k] != key[0]):
            row = next(rows, None)
        while row is not None and row[s] == key[1] and row[k] == key[0]:
            yield row
            row = next(rows, None)
        self.cursor = (table, rows, row, place + 1)


def _rows_per_snapshot(table: _Csv) -> Counter[SnapshotKey]:
    """The rows of a resource per (kode_pemilu, snapshot), each snapshot's key checked once."""
    counts: Counter[SnapshotKey] = Counter()
    k, s = table.index["kode_pemilu"], table.index["snapshot"]
    for row in table:
        pair = (row[k], row[s])
        if pair not in counts:
            table.check_key(row)
        counts[pair] += 1
    return counts


class PackageSide:
    """A data package, as a folder or a ``.zip``: its CSV resources streamed in primary-key order."""

    def __init__(self, path: Path, label: str, only: str | None = None) -> None:
        self.label = label
        self.only = only
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self._handles: list[IO[Any]] = []
        self._totals: dict[SnapshotKey, Totals] | None = None
        self._runs: dict[str, _Runs] = {}
        if path.is_file() and path.name != DESCRIPTOR:
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as e:
                raise DiffError(f"{label}: not a zip archive ({_reason(e)})", hint="download the package again") from e
            names = sorted((n for n in self.zip.namelist() if PurePosixPath(n).name == DESCRIPTOR),
                           key=lambda n: (n.count("/"), n))
            if not names:
                raise DiffError(f"{label}: no {DESCRIPTOR} inside", hint="is this a data package zip?")
            self.root = str(PurePosixPath(names[0]).parent)
            where = f"{path}: {names[0]}"
            self._refuse_large(self.zip.getinfo(names[0]).file_size, where)
            try:
                data = self._member(names[0], where).read()
            except _UNREADABLE as e:
                raise _unreadable(where, e) from e
        else:
            self.folder = path.parent if path.name == DESCRIPTOR else path
            where = str(self.folder / DESCRIPTOR)
            try:
                self._refuse_large((self.folder / DESCRIPTOR).stat().st_size, where)
                data = (self.folder / DESCRIPTOR).read_bytes()
            except OSError as e:
                raise _unreadable(where, e) from e
        try:
            descriptor = json.loads(data.decode("utf-8"))
            self.paths = {r["name"]: r["path"] for r in descriptor["resources"]
                          if isinstance(r, dict) and isinstance(r.get("path"), str)}
        except UnicodeDecodeError as e:
            raise DiffError(f"{where}: {_reason(e)} at offset {e.start}",
                            hint="save it as UTF-8, or build or download the package again") from e
        except (ValueError, KeyError, TypeError) as e:
            raise DiffError(f"{where}: not a data package descriptor ({e})",
                            hint="run 'releasekit validate' on it") from e
        except RecursionError as e:  # (review CB L3: an internal error; validate says the same)
            raise DiffError(f"{where}: nested too deep", hint="run 'releasekit validate' on it") from e

    @staticmethod
    def _refuse_large(size: int, where: str) -> None:
        """A descriptor too large to read (review CB M1: a gigabyte of one, a megabyte zipped, took 2.2 GB)."""
        if why := too_large_descriptor(size):
            raise DiffError(f"{where}: {why}", hint="run 'releasekit validate' on it")

    def _member(self, member: str, where: str) -> IO[bytes]:
        """A member of the zip, opened for reading; a missing or unreadable one is a DiffError."""
        assert self.zip is not None
        try:
            handle = self.zip.open(member)
        except KeyError:
            raise DiffError(f"{where}: no such member in the zip", hint=DAMAGED) from None
        except (*_UNREADABLE, NotImplementedError, RuntimeError) as e:  # + unknown compression, encrypted
            raise _unreadable(where, e) from e
        self._handles.append(handle)
        return handle

    def _table(self, resource: str, needed: tuple[str, ...]) -> _Csv:
        """A resource's CSV, opened and its header checked for the ``needed`` columns."""
        path = self.paths[resource]  # (every caller has made sure the package has it)
        if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts or "://" in path:
            raise DiffError(f"{self.label}: resource {resource} has an unsafe path {path!r}",
                            hint="validate the package first")
        if self.zip is not None:
            member = path if self.root in ("", ".") else f"{self.root}/{path}"
            where = f"{self.path}: {member}"
            handle: TextIO = io.TextIOWrapper(self._member(member, where), encoding="utf-8", newline="")
        else:
            where = str(self.folder / path)
            if (self.folder / path).exists() and not (self.folder / path).is_file():
                raise DiffError(f"{where}: not a file (resource {resource} of {DESCRIPTOR}) but a folder, a pipe, "
                                "a socket or a device", hint=DAMAGED)  # (a pipe would be waited on forever)
            try:
                handle = (self.folder / path).open(encoding="utf-8", newline="")
            except FileNotFoundError:
                raise DiffError(f"{where}: no such file (resource {resource} of {DESCRIPTOR})", hint=DAMAGED) from None
            except OSError as e:
                raise _unreadable(where, e) from e
        self._handles.append(handle)
        return _Csv(where, handle, needed)

    def _rows(self, resource: str, needed: tuple[str, ...], key: SnapshotKey) -> tuple[_Csv, Iterator[list[str]]]:
        """A resource's table (header checked for ``needed``) and its rows of one snapshot (:class:`_Runs`)."""
        runs = self._runs.get(resource)
        if runs is None:
            runs = self._runs[resource] = _Runs(lambda: self._table(resource, needed))
        return runs.select(key)

    def _results(self) -> None:
        """Raise unless the package has per-TPS results (an exempted register's package has none)."""
        if "hasil_tps" not in self.paths:
            held = ", ".join(self.paths) or "none"
            raise NothingHeldError(f"{self.label}: no hasil_tps resource",
                                   hint=f"this package holds no per-TPS results (its resources: {held}); "
                                        "compare packages of a register with results")

    def _from_sources(self) -> SnapshotKey | None:
        """The one (election, snapshot) every source with an election describes, if there is one.

        Every ``hasil_tps`` row takes its source's election and snapshot, so a package whose
        sources name a single pair holds that snapshot or none: no pass over the results.
        """
        if "sources" not in self.paths:
            return None
        table = self._table("sources", ("election", "snapshot"))
        e, s = table.index["election"], table.index["snapshot"]
        pairs: set[SnapshotKey] = set()
        for row in table:
            if row[e]:
                table.check(row, ("election", "snapshot"))
                pairs.add((row[e], row[s]))
        return next(iter(pairs)) if len(pairs) == 1 else None

    def count(self, key: SnapshotKey) -> int:
        self._results()
        table = self._table("hasil_tps", KEY_COLUMNS)
        k, s = table.index["kode_pemilu"], table.index["snapshot"]
        found, other = 0, key
        for row in table:
            if row[s] == key[1] and row[k] == key[0]:
                found += 1
            elif row[s] != other[1] or row[k] != other[0]:  # another snapshot: checked once per run of rows
                other = table.check_key(row)
        return found

    def snapshots(self) -> dict[SnapshotKey, int | None]:
        self._results()
        counts: Counter[SnapshotKey] = Counter()
        if "snapshots" in self.paths:  # counted at build time
            table = self._table("snapshots", (*KEY_COLUMNS, "tps"))
            for row in table:
                counts[table.check_key(row)] += table.number(row, "tps", blank=0)
        else:  # an older package
            single = self._from_sources()
            if single is not None:
                return _select({single: None}, self.only, self.label)
            counts = _rows_per_snapshot(self._table("hasil_tps", KEY_COLUMNS))
        return _select(dict(sorted(counts.items())), self.only, self.label, self._unread)

    def _unread(self, snapshot: str) -> int:
        """Records quarantined by the sources declaring ``snapshot`` when none of them loaded a record."""
        if "sources" not in self.paths:
            return 0
        table = self._table("sources", ("election", "snapshot", "records_loaded", "records_quarantined"))
        e, s = table.index["election"], table.index["snapshot"]
        loaded = quarantined = 0
        for row in table:
            if row[s] == snapshot and row[e]:
                loaded += table.number(row, "records_loaded")
                quarantined += table.number(row, "records_quarantined")
        return 0 if loaded else quarantined

    def _hasil(self, key: SnapshotKey) -> Iterator[HasilRow]:
        """The snapshot's rows, each checked cheaply: its code, counts and flags (per cell only when that fails)."""
        table, rows = self._rows("hasil_tps", (*KEY_COLUMNS, "kode_tps"), key)
        index = table.index
        t, src = index["kode_tps"], index.get("sumber")
        positions = [index.get(c) for c in HASIL_TPS_VALUES]
        if None in positions:  # an older package: a column it lacks compares as empty
            def values(row: list[str]) -> tuple[str, ...]:
                return tuple("" if i is None else row[i] for i in positions)
        else:
            values = itemgetter(*positions)  # type: ignore[assignment]
        is_code, counts, flags, flag_sets = _IS_CODE, _COUNTS, _FLAGS, _FLAG_SETS
        for row in rows:
            cells = values(row)
            digits = "".join(counts(cells))
            if not ((digits.isdecimal() or not digits) and flags(cells) in flag_sets and is_code(row[t])):
                table.check(row, HASIL_CHECKED)  # rare: say which cell, if any (-1 is a whole number)
            yield row[t], cells, "" if src is None else row[src]

    def _suara(self, key: SnapshotKey) -> Iterator[SuaraRow]:
        if "suara" not in self.paths:
            return
        table, rows = self._rows("suara", (*KEY_COLUMNS, "kode_tps", "nomor_urut", "suara"), key)
        t, n, v = (table.index[c] for c in ("kode_tps", "nomor_urut", "suara"))
        code = ""
        for row in rows:
            if not (row[n].isdecimal() and (row[v].isdecimal() or row[v] == "")):  # rare: say which, if any
                table.check(row, ("nomor_urut", "suara"))
            if row[t] != code:  # checked once per TPS
                code = row[t]
                if _IS_CODE(code) is None:
                    table.check(row, ("kode_tps",))
            yield row[t], row[n], row[v]

    def rows(self, key: SnapshotKey, totals: Totals | None = None) -> Iterator[TpsRow]:
        self._results()
        return tps_rows(self._hasil(key), self._suara(key), self.label, totals)

    def area_snapshots(self) -> dict[SnapshotKey, int]:
        if "hasil_wilayah" not in self.paths:  # (a package holds a table only when it has rows)
            return {}
        counts = _rows_per_snapshot(self._table("hasil_wilayah", (*KEY_COLUMNS, "kode_wilayah")))
        return _areas(((k, s, n) for (k, s), n in counts.items()), self.only)

    def area_rows(self, key: SnapshotKey) -> Iterator[AreaRow]:
        return area_rows(self._area_values(key), self._area_votes(key), self.label)

    def _area_values(self, key: SnapshotKey) -> Iterator[AreaValues]:
        table, rows = self._rows("hasil_wilayah", (*KEY_COLUMNS, "kode_wilayah"), key)
        w = table.index["kode_wilayah"]
        positions = [table.index.get(c) for c in HASIL_WILAYAH_VALUES]
        for row in rows:
            table.check(row, AREA_CHECKED)
            yield row[w], tuple("" if i is None else row[i] for i in positions)

    def _area_votes(self, key: SnapshotKey) -> Iterator[AreaVotes]:
        if "suara_wilayah" not in self.paths:
            return
        table, rows = self._rows("suara_wilayah", (*KEY_COLUMNS, "kode_wilayah", "nomor_urut", "suara"), key)
        w, n, v = (table.index[c] for c in ("kode_wilayah", "nomor_urut", "suara"))
        for row in rows:
            table.check(row, ("nomor_urut", "suara"))
            yield row[w], row[n], row[v]

    def quarantined_codes(self, key: SnapshotKey) -> frozenset[str]:
        if not {"quarantine", "snapshots"} <= self.paths.keys():
            return frozenset()
        table = self._table("snapshots", (*KEY_COLUMNS, "source"))
        sources = {row[table.index["source"]] for row in table if table.check_key(row) == key}
        if not sources:
            return frozenset()
        table = self._table("quarantine", ("source", "locator", "raw", "reason"))
        s, locator, raw, reason = (table.index[c] for c in ("source", "locator", "raw", "reason"))
        return codes_named((row[locator], row[raw], row[reason]) for row in table if row[s] in sources)

    def quarantined_records(self, key: SnapshotKey) -> int | None:
        if not {"sources", "snapshots"} <= self.paths.keys():
            return None
        table = self._table("snapshots", (*KEY_COLUMNS, "source"))
        sources = {row[table.index["source"]] for row in table if table.check_key(row) == key}
        table = self._table("sources", ("path", "records_quarantined"))
        path = table.index["path"]
        return sum(table.number(row, "records_quarantined") for row in table if row[path] in sources)

    def area_formats(self, key: SnapshotKey) -> frozenset[str]:
        if "sources" not in self.paths:
            return frozenset()
        table = self._table("sources", ("path", "format", "election", "snapshot"))
        k, s, f = (table.index[c] for c in ("election", "snapshot", "format"))
        return frozenset(row[f] for row in table if (row[k], row[s]) == key)

    def totals(self, key: SnapshotKey) -> Totals | None:
        if "snapshot_votes" not in self.paths:
            return None
        if self._totals is None:
            self._totals = {}
            # tps is not read, but a resource without it is not releasekit's snapshot_votes
            table = self._table("snapshot_votes", (*KEY_COLUMNS, "nomor_urut", "suara", "tps"))
            for row in table:
                found = self._totals.setdefault(table.check_key(row), {})
                nomor = table.number(row, "nomor_urut")
                # an empty cell is no figure (NULL): a total is None only when every source's is, as SQL sums
                votes = None if row[table.index["suara"]] == "" else table.number(row, "suara")
                before = found.get(nomor)
                found[nomor] = votes if before is None else before if votes is None else before + votes
        return self._totals.get(key, {})

    def close(self) -> None:
        for handle in reversed(self._handles):
            handle.close()
        if self.zip is not None:
            self.zip.close()


def _open_path(path: Path, label: str, only: str | None) -> Side:
    if path.is_dir():
        if (path / DESCRIPTOR).is_file():
            return PackageSide(path, label, only)
        if (path / METADATA_FILE).is_file():
            db = path / BUILD_DIR / DATABASE_FILE
            if not db.is_file():
                raise DiffError(f"{label}: no build/release.db in this project", hint="run 'releasekit build' first")
            return DatabaseSide(db, label, only)
        raise DiffError(f"{label}: neither a package folder nor a project",
                        hint=f"give a folder with {DESCRIPTOR} or metadata.yml, a .zip, or a .db")
    if path.name == DESCRIPTOR or path.suffix == ".zip":
        return PackageSide(path, label, only)
    try:
        with path.open("rb") as handle:
            magic = handle.read(16)
    except OSError as e:
        raise DiffError(f"{label}: cannot be read ({_reason(e)})", hint="check the file's permissions") from e
    if magic.startswith(b"SQLite format 3"):
        return DatabaseSide(path, label, only)
    raise DiffError(f"{label}: not a package, a .zip or a SQLite database",
                    hint=f"give a package folder, {DESCRIPTOR}, a .zip, a .db, or a snapshot id")


def open_side(spec: str, project: str | Path = ".") -> Side:
    """Open one side from what the user typed.

    ``spec`` is a path (package folder, ``datapackage.json``, ``.zip``, SQLite
    database, or a project folder: its ``build/release.db``), optionally with
    ``@SNAPSHOT`` to pick one snapshot; anything else is a snapshot id of the
    project ``project`` (its ``build/release.db``).

    :raises DiffError: when nothing can be opened.
    """
    path = Path(spec)
    if path.exists():
        return _open_path(path, spec, None)
    base, at, snapshot = spec.rpartition("@")
    if at and base and Path(base).exists():
        return _open_path(Path(base), spec, snapshot_id(snapshot))
    if "/" in spec or "\\" in spec or spec.endswith((".zip", ".json", ".db")):  # never a snapshot id
        raise DiffError(f"{spec}: no such file or folder", hint="check the path")
    db = Path(project) / BUILD_DIR / DATABASE_FILE
    if not Path(project).is_dir():
        raise DiffError(f"{spec}: not a path, and the project folder {project} does not exist",
                        hint="give a package folder or .zip, or pass --project a built project's folder")
    if not db.is_file():
        where = "this folder" if str(project) == "." else str(project)
        raise DiffError(f"{spec}: not a path, and {where} has no build/release.db to find the snapshot in",
                        hint="give a package folder or .zip, or run 'releasekit build' (or pass --project)")
    return DatabaseSide(db, f"{spec} ({db})", snapshot_id(spec))  # (2024-02-20 13:00 as built: …T13:00)
