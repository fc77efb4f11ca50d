"""Voter lists (DPT): counts per TPS, checks on every voter, and a masked table only when asked.

A raw voter list holds personal data, so nothing from it is written per person by
default. While a ``dpt-csv`` source streams past, each voter is:

* counted into ``dpt_rekap`` (sex, age band on polling day, disability), in a small
  in-memory table of TPS counters that is added into the database whenever it grows
  past :data:`FLUSH_TPS` TPS, so memory stays flat however long the list is;
* checked: ``invalid-nik``, ``nik-region-mismatch`` and ``underage-unmarried`` are
  decided on the spot and kept as flags in a ``TEMP`` table (never in ``release.db``);
* keyed-hashed for ``duplicate-nik`` (:func:`keyed_hashes`: a 128-bit keyed hash under a
  secret made fresh for each build and never written) into a ``TEMP`` table that SQLite
  sorts on disk once every source is in (:meth:`VoterLists.finish`). The hash never leaves
  the process's temporary files and differs on every build, so nothing published depends
  on it: findings name a TPS and the voter's number in it.

Voters are numbered per TPS in reading order (``nomor``, like the numbers on KPU's printed
lists); findings use ``kode_tps/nomor`` as their key, and so does the masked table
(``dpt_pemilih``) when a register sets ``publish_individuals: masked``.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import struct
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress, repeat
from operator import add, is_, itemgetter, methodcaller, ne, or_, sub
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .metadatafile import file_of
from .nik import RegionPrefixes, nik_problem
from .privacy import VISIBLE_DIGITS, mask_id, mask_numbers_and_dates, normalise_id
from .readers.base import VoterRows
from .readers.dpt_csv import polling_day

if TYPE_CHECKING:
    from .config import Release, Source
    from .elections import Election

#: The age bands of ``dpt_rekap``, as (column, lowest age, highest age or None).
AGE_BANDS = (("umur_lt17", 0, 16), ("umur_17_20", 17, 20), ("umur_21_30", 21, 30), ("umur_31_40", 31, 40),
             ("umur_41_50", 41, 50), ("umur_51_60", 51, 60), ("umur_61_plus", 61, None))
#: Counter positions: men, women, the age bands (oldest first: see :class:`_Ages`), disability, then the
#: number base, voters seen, and voters read from a file without a disability column (their TPS's count
#: is then unknown: NULL).
_L, _P, _BAND0, _DIS = 0, 1, 2, 2 + len(AGE_BANDS)
_BASE, _SEEN, _NO_DIS = _DIS + 1, _DIS + 2, _DIS + 3
#: The lowest age of every age band but the youngest, oldest first (61, 51, 41, 31, 21, 17).
_LOWEST_AGES = tuple(lo for _, lo, _ in reversed(AGE_BANDS[1:]))
#: The age band under 17, counted from the oldest.
_UNDER_17 = len(AGE_BANDS) - 1
_UNPACK_FROM = struct.Struct("<qq").unpack_from
_is_none = partial(is_, None)
_DIGEST = methodcaller("digest")
#: A day of any month (1–28, +40 for women), then the 29th and 30th (not in February) and the 31st.
_D28 = "(?:0[1-9]|1[0-9]|2[0-8]|4[1-9]|5[0-9]|6[0-8])"
#: One well-formed NIK: 16 digits whose DDMM is a possible day (29 February excepted: it needs the year).
#: The common case, a day from 1 to 28, is the first alternative, so the expression seldom backtracks.
_NIK = (f"[0-9]{{6}}(?:{_D28}(?:0[1-9]|1[0-2])|[26]9(?:0[13-9]|1[0-2])|[37]0(?:0[13-9]|1[0-2])"
        "|[37]1(?:0[13578]|1[02]))[0-9]{6}")
_NIK_LINES = re.compile(f"(?:{_NIK}\n)*{_NIK}")
_NIK_ONE = re.compile(_NIK)
#: 16 ASCII digits: a number that can be someone's NIK or NKK, valid or not (``[0-9]``, never ``\d``: '²').
_SIXTEEN_DIGITS = re.compile("[0-9]{16}")
_SIXTEEN_DIGIT_LINES = re.compile("(?:[0-9]{16}\n)*[0-9]{16}")
#: What follows a TPS's district in the stand-in for a malformed NIK (:meth:`VoterLists._screen`).
_STAND_IN = "0" * 10
#: TPS counters held in memory before they are added into the database.
FLUSH_TPS = 20_000

_TEMP_TABLES = (
    # rowid = the voter's sequence number in this build; h1/h2 NULL when the NIK is not 16 digits.
    "CREATE TEMP TABLE IF NOT EXISTS dpt_nik (h1 INTEGER, h2 INTEGER)",
    # Runs of consecutive voters of one TPS and file: rowid range → TPS, number and line.
    "CREATE TEMP TABLE IF NOT EXISTS dpt_run (seq INTEGER PRIMARY KEY, kode_pemilu TEXT, snapshot TEXT, "
    "kode_tps TEXT, nomor INTEGER, sumber TEXT, berkas TEXT, baris INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS dpt_flag (rule TEXT, kode_pemilu TEXT, snapshot TEXT, kode_tps TEXT, "
    "nomor INTEGER, detail TEXT, sumber TEXT)",
)


@dataclass(frozen=True)
class ListSettings:
    """What one source's register allows, and the election it counts for."""

    kode_pemilu: str
    snapshot: str | None
    sumber: str
    #: Polling day as ``YYYYMMDD``, 0 when the election has no date (age bands then stay NULL).
    polling_day: int
    #: Whether the register publishes the masked individual table.
    masked: bool = False
    #: Extra fields it allows in that table (``individual_fields``: nama, alamat; rt and rw come with alamat).
    fields: tuple[str, ...] = ()


def list_settings(release: Release, source: Source, election: Election) -> ListSettings:
    """The settings of one ``dpt-csv`` source, from its register and election."""
    register = release.register_by_id(source.register)
    refuse_two_lists(release, source)
    return ListSettings(election.kode_pemilu, source.snapshot, source.path, polling_day(election),
                        register.publish_individuals == "masked", register.individual_fields)


def refuse_two_lists(release: Release, source: Source) -> None:
    """Refuse a voter list of an election that another source gives at another snapshot, or in another register.

    ``dpt_rekap`` holds one list per election, counted per TPS: the parts of one list (a file
    per province) add up and are checked for duplicate NIKs together, which is right for
    parts of one list and wrong for two lists of different days (every voter twice). Each
    register's package holds the TPS its own sources counted first: a TPS in parts of two
    registers was one row of the first one's, so neither package's counts were its sources'
    and the second's voters pointed at a TPS its ``dpt_rekap`` lacks (invalid).

    :raises ConfigError: naming both sources and their snapshots (registers), with a hint.
    """
    for other in release.sources:
        if other.format != "dpt-csv" or other.election != source.election:
            continue
        first, second = sorted((other, source), key=lambda s: (s.register_index, s.index))
        if other.snapshot != source.snapshot:
            raise ConfigError(
                f"{second.where}: '{second.path}' (snapshot {second.snapshot}) and '{first.path}' "
                f"(snapshot {first.snapshot}, {first.key_path}) are voter lists of the same election "
                f"{source.election} on different days; voter lists of one election are counted together",
                hint="build the other snapshot in a project of its own, or give the parts of one list the same "
                     "snapshot", path=file_of(second.config), place=second.key_path)
        if other.register != source.register:
            raise ConfigError(
                f"{second.where}: '{second.path}' (register {second.register}) and '{first.path}' "
                f"(register {first.register}, {first.key_path}) are parts of the voter list of the same election "
                f"{source.election} in two registers; the parts of one list are counted together, in one register",
                hint="list every part of the voter list under one register", path=file_of(second.config),
                place=second.key_path)


class _Ages:
    """The age band on polling day of birth dates ``YYYYMMDD``, counted from the oldest (0: 61+ … 6: under 17).

    The age is ``(polling_day - lahir) // 10000``, so a voter is at least ``age`` years old exactly
    when born on or before ``polling_day - 10000 * age``: a band is the number of those limits
    (one per band's lowest age, in ascending order) that come before the birth date, a C-level
    ``bisect`` per voter.
    """

    def __init__(self, polling_day: int) -> None:
        self.limits = tuple(polling_day - 10000 * age for age in _LOWEST_AGES)

    def bands(self, lahir: list[int]) -> list[int]:
        """The band of every birth date, in one C-level pass."""
        return list(map(bisect_left, repeat(self.limits, len(lahir)), lahir))


class VoterLists:
    """Receives :class:`~releasekit.readers.base.VoterRows` batches from the loader, source by source.

    Each batch is counted, numbered, checked and hashed with C-level passes over its
    columns (``map``, ``zip``, ``compress``, regular expressions): a national list is 200 million
    voters, and a Python statement per voter and check would cost minutes. Only the
    rare voters with something to report are looked at one by one.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # Made fresh for each build and never written anywhere: hashes of NIKs cannot be
        # compared across builds, nor reversed by trying every possible NIK.
        self._secret = secrets.token_bytes(32)
        for sql in _TEMP_TABLES:
            conn.execute(sql)
        self.seq = conn.execute("SELECT coalesce(max(rowid), 0) FROM temp.dpt_nik").fetchone()[0]
        self.settings: ListSettings | None = None

    # Per source

    def begin(self, settings: ListSettings) -> None:
        """Start a source: its election, register settings and the region prefixes known so far."""
        self.settings = settings
        # The secret is per election too: the same person on two elections' lists is no duplicate.
        self.key = hashlib.blake2b(settings.kode_pemilu.encode(), key=self._secret).digest()
        districts = (r[0] for r in self.conn.execute("SELECT kode_wilayah FROM wilayah WHERE tingkat = 3"))
        self.prefixes = RegionPrefixes(districts)
        self.ages = _Ages(settings.polling_day)
        self.counters: dict[str, list[int]] = {}

    def add(self, batch: VoterRows) -> int:
        """Count, number, check and hash a batch of voters, in order; return how many were loaded.

        Every voter is loaded: a bad NIK or an age is a finding about the record, not a reject.
        """
        s = self.settings
        assert s is not None
        n = len(batch.lines)
        if len(self.counters) >= FLUSH_TPS:
            self._flush_counters()
        seq0, self.seq = self.seq, self.seq + n
        bands = self.ages.bands(batch.lahir) if s.polling_day else None
        starts, nomors = self._runs(batch, seq0, bands)
        niks, tps = batch.nik, batch.kode_tps
        hashes = keyed_hashes(self.key, niks)
        flags: list[tuple[str, int, str]] = []
        doubtful, elsewhere = self._screen(batch, starts)
        invalid = set()
        for i in doubtful:  # the rare NIK the fast tests leave in doubt
            nik = normalise_id(niks[i])  # '3201 0145 0190 0001' is 3201014501900001, for every check and the mask
            if nik != niks[i]:
                niks[i] = nik
                hashes[i] = keyed_hashes(self.key, [nik])[0]
            problem = nik_problem(nik, self.prefixes)
            if problem is not None:
                invalid.add(i)
                flags.append(("invalid-nik", i, problem))
                if not _SIXTEEN_DIGITS.fullmatch(nik):  # 16 digits, even wrong ones, are compared for duplicates
                    hashes[i] = (None, None)
        for i in sorted({*elsewhere, *doubtful}):
            if niks[i][:2] != tps[i][:2] and i not in invalid and tps[i][:2] != "99":
                nik = niks[i]
                flags.append(("nik-region-mismatch", i, f"NIK region {nik[:2]}.{nik[2:4]}.{nik[4:6]} is in another "
                              f"province than the TPS ({tps[i][:2]})"))
        if bands is not None and _UNDER_17 in bands:
            for i in compress(range(n), map(_UNDER_17.__eq__, bands)):
                if batch.status_kawin[i] == "B":
                    age = (s.polling_day - batch.lahir[i]) // 10000
                    flags.append(("underage-unmarried", i, f"{age} years old on polling day and never married "
                                  "(status B)"))
        _INSERT_NIK(self.conn, hashes)
        if flags:
            self.conn.executemany("insert into temp.dpt_flag VALUES (?, ?, ?, ?, ?, ?, ?)", [
                (rule, s.kode_pemilu, s.snapshot, tps[i], _nomor(starts, nomors, i),
                 f"{detail} ({batch.file}:{batch.lines[i]})", s.sumber) for rule, i, detail in flags])
        if s.masked:
            self._people(batch, starts, nomors)
        return n

    def end(self) -> None:
        """Finish a source: write the counters still held in memory."""
        self._flush_counters()
        self.settings = None

    # After every source

    def finish(self) -> None:
        """Find NIKs registered more than once (per election) and flag every registration after the first.

        One sort of the keyed hashes, on disk in SQLite's temporary files; only the
        repeated ones come back to Python.
        """
        # Sorting on one 64-bit half is faster; the rare groups it finds are split on the other half.
        candidates = self.conn.execute(
            "SELECT group_concat(rowid) FROM temp.dpt_nik WHERE h1 IS NOT NULL GROUP BY h1 HAVING count(*) > 1"
        ).fetchall()
        groups: dict[tuple[int, int], list[int]] = {}
        for number, (rowids,) in enumerate(candidates):
            seqs = rowids.split(",")
            for at in range(0, len(seqs), 500):  # a placeholder NIK may repeat thousands of times
                part = seqs[at:at + 500]
                for seq, h2 in self.conn.execute(f"SELECT rowid, h2 FROM temp.dpt_nik WHERE rowid IN "
                                                 f"({', '.join('?' * len(part))})", part):
                    groups.setdefault((number, h2), []).append(seq)
        flags = []
        for seqs in groups.values():
            if len(seqs) < 2:
                continue
            first, *others = sorted(seqs)
            origin = self._locate(first)
            for seq in others:
                here = self._locate(seq)
                place = "this TPS" if here[3] == origin[3] else f"TPS {origin[3]}"
                flags.append(("duplicate-nik", here[1], here[2], here[3], here[4],
                              f"NIK already registered at {place} as no. {origin[4]} ({origin[6]}); "
                              f"this row: {here[6]}", here[5]))
        self.conn.executemany("insert into temp.dpt_flag VALUES (?, ?, ?, ?, ?, ?, ?)", sorted(flags))

    # Internals

    def _runs(self, batch: VoterRows, seq0: int, bands: list[int] | None) -> tuple[list[int], list[int]]:
        """Cut the batch where the TPS changes or a line is skipped; count and number each run's voters.

        A list comes TPS by TPS, so a run is a TPS's voters and its counts are a few C-level
        ``count`` calls on slices.

        :returns: each run's first index in the batch, and the number (``nomor``) of its first voter.
        """
        s = self.settings
        assert s is not None
        tps, lines, n = batch.kode_tps, batch.lines, len(batch.lines)
        starts = _run_starts(tps, lines)
        nomors, runs = [], []
        for start, end in zip(starts, [*starts[1:], n], strict=True):
            counter = self._counter(tps[start])
            nomor = counter[_BASE] + counter[_SEEN] + 1
            counter[_SEEN] += end - start
            men = batch.jenis_kelamin[start:end].count("L")
            counter[_L] += men
            counter[_P] += end - start - men
            if "disabilitas" in batch.positions:
                counter[_DIS] += batch.disabilitas[start:end].count(True)
            else:
                counter[_NO_DIS] += end - start
            if bands is not None:
                run = bands[start:end]
                for band in set(run):
                    counter[_BAND0 + band] += run.count(band)
            nomors.append(nomor)
            runs.append((seq0 + start + 1, s.kode_pemilu, s.snapshot, tps[start], nomor, s.sumber, batch.file,
                         lines[start]))
        self.conn.executemany("insert into temp.dpt_run VALUES (?, ?, ?, ?, ?, ?, ?, ?)", runs)
        return starts, nomors

    def _screen(self, batch: VoterRows, starts: list[int]) -> tuple[Sequence[int], Sequence[int]]:
        """The NIKs to check one by one, and those whose region is not their TPS's district.

        Nearly every NIK is 16 digits with a possible DDMMYY and its TPS's own district as
        prefix, so the batch's NIKs are joined one per line: one regular expression and the
        joined length (a NIK holding a line break would pass the expression as two) tell
        whether all are well formed (C speed), and as they are then 17 characters apart, one
        strided slice per prefix position and run of a TPS finds the NIKs that start with
        another district. Only those come back to Python. A malformed NIK is in doubt; it is
        found NIK by NIK (one C-level ``map``) and stood in for by its TPS's district for the rest.

        :returns: (indices of NIKs in doubt, indices of well-formed NIKs from another district).
        """
        niks, tps, n = batch.nik, batch.kode_tps, len(batch.nik)
        joined = "\n".join(niks)
        doubtful: set[int] = set()
        if len(joined) != 17 * n - 1 or _NIK_LINES.fullmatch(joined) is None:
            doubtful = set(compress(range(n), map(_is_none, map(_NIK_ONE.fullmatch, niks))))
            stand_ins = list(niks)
            for i in doubtful:
                stand_ins[i] = tps[i][:6] + _STAND_IN
            joined = "\n".join(stand_ins)
        elsewhere = []
        for start, end in zip(starts, [*starts[1:], n], strict=True):
            for i in self._other_prefix(joined, tps[start][:6], start, end):
                if i not in doubtful:
                    if self.prefixes.known(niks[i][:6]):
                        elsewhere.append(i)
                    else:
                        doubtful.add(i)
        return sorted(doubtful), elsewhere

    def _other_prefix(self, joined: str, district: str, start: int, end: int) -> Iterable[int]:
        """Rows ``start``–``end`` of the joined 16-character NIKs whose prefix is not ``district`` (all when unknown).

        The NIKs are 17 characters apart, so each prefix position of the run is one strided
        slice, compared with the district's character in one C-level pass.
        """
        if not self.prefixes.known(district):
            return range(start, end)
        rows: set[int] = set()
        for k, char in enumerate(district):
            column = joined[17 * start + k:17 * end:17]
            if column.count(char) != end - start:
                rows.update(compress(range(start, end), map(char.__ne__, column)))
        return sorted(rows)

    def _counter(self, tps: str) -> list[int]:
        """The counters of ``tps``; its numbers continue from the counts already in the database."""
        counter = self.counters.get(tps)
        if counter is None:
            row = self.conn.execute("SELECT pemilih_j FROM dpt_rekap WHERE kode_pemilu = ? AND kode_tps = ?",
                                    (self.settings.kode_pemilu if self.settings else "", tps)).fetchone()
            counter = self.counters[tps] = [0] * (_NO_DIS + 1)
            counter[_BASE] = row[0] if row else 0
        return counter

    def _people(self, batch: VoterRows, starts: list[int], nomors: list[int]) -> None:
        """The masked table's rows of a batch (DESIGN.md section 7): only for ``publish_individuals: masked``.

        Column by column in C-level passes, as the counts are; only names and addresses a
        register allows are looked at one by one.
        """
        s = self.settings
        assert s is not None
        n, at, rows = len(batch.lines), batch.positions.get, batch.rows
        ends = [*starts[1:], n]
        numbers = chain.from_iterable(map(range, nomors, map(add, nomors, map(sub, ends, starts))))
        nothing = [None] * n

        def column(name: str, allowed: bool = True) -> list[Any]:
            position = at(name)
            if not allowed or position is None:
                return nothing
            return [_public(text) for text in map(itemgetter(position), rows)]

        nkk = masked_ids(list(map(itemgetter(at("nkk")), rows))) if at("nkk") is not None else nothing
        named, addressed = "nama" in s.fields, "alamat" in s.fields
        _INSERT_PERSON(self.conn, list(zip(
            repeat(s.kode_pemilu, n), batch.kode_tps, numbers, masked_ids(batch.nik), nkk,
            map((10000).__rfloordiv__, batch.lahir), batch.jenis_kelamin, batch.status_kawin,
            map(int, batch.disabilitas) if at("disabilitas") is not None else nothing, column("nama", named),
            column("alamat", addressed),
            column("rt", addressed), column("rw", addressed), repeat(s.sumber, n), strict=True)))

    def _flush_counters(self) -> None:
        """Add the counters held in memory into ``dpt_rekap`` (a TPS met again later adds up)."""
        s = self.settings
        assert s is not None
        bands = bool(s.polling_day)
        rows = []
        for tps, c in sorted(self.counters.items()):
            ages = c[_BAND0:_DIS][::-1] if bands else [None] * len(AGE_BANDS)  # youngest first, as AGE_BANDS
            rows.append((s.kode_pemilu, tps, c[_L] + c[_P], c[_L], c[_P], *ages, None if c[_NO_DIS] else c[_DIS],
                         s.sumber))
        self.conn.executemany(_UPSERT, rows)
        self.counters = {}

    def _locate(self, seq: int) -> Sequence[object]:
        """(seq, kode_pemilu, snapshot, kode_tps, nomor, sumber, locator) of the voter with sequence ``seq``."""
        run = self.conn.execute("SELECT * FROM temp.dpt_run WHERE seq <= ? ORDER BY seq DESC LIMIT 1",
                                (seq,)).fetchone()
        offset = seq - run[0]
        return (seq, run[1], run[2], run[3], run[4] + offset, run[5], f"{run[6]}:{run[7] + offset}")


class _Insert:
    """An ``INSERT`` of a batch's rows as one statement per :attr:`per` rows, the rest row by row.

    One statement with many ``VALUES`` rows is one step of SQLite's machine instead of one per
    row (measured: 3.3 times faster than ``executemany`` for the keyed hashes). ``per`` is
    a power of two, 128 at most, with at most 999 parameters (the oldest SQLite's limit).
    """

    def __init__(self, head: str, width: int) -> None:
        self.per = 128
        while self.per * width > 999:
            self.per //= 2
        row = f"({', '.join('?' * width)})"
        self.many, self.one = f"{head} VALUES {', '.join([row] * self.per)}", f"{head} VALUES {row}"

    def __call__(self, conn: sqlite3.Connection, rows: Sequence[Sequence[object]]) -> None:
        per, n = self.per, len(rows)
        full = n - n % per
        for at in range(0, full, per):
            conn.execute(self.many, list(chain.from_iterable(rows[at:at + per])))
        if full < n:
            conn.executemany(self.one, rows[full:])


_INSERT_NIK = _Insert("insert into temp.dpt_nik (h1, h2)", 2)
_INSERT_PERSON = _Insert("insert into dpt_pemilih", 14)


def _start_up_key_is_secret() -> bool:
    """Whether Python drew its hash key at random (``PYTHONHASHSEED`` unset or ``random``; any number fixes it)."""
    return bool(sys.flags.hash_randomization) and os.environ.get("PYTHONHASHSEED", "random") == "random"


def keyed_hashes(key: bytes, niks: list[str]) -> list[tuple[int | None, int | None]]:
    """A 128-bit keyed hash of each NIK, computed in C-level passes; the same NIK gives the same pair.

    Python hashes text with SipHash, a keyed function made for exactly this, under 128 random
    bits drawn when the process starts; two salts from ``key`` (secret, made for this build,
    never written) widen it to 128 bits. When ``PYTHONHASHSEED`` fixes that start-up key, it
    is no secret, and keyed BLAKE2b (a MAC, like HMAC: BLAKE2b of secret + NIK) is used instead,
    three times slower.
    """
    if _start_up_key_is_secret():
        first, second = key[:32].hex().__add__, key[32:].hex().__add__
        return list(zip(map(hash, map(first, niks)), map(hash, map(second, niks)), strict=True))
    return list(map(_UNPACK_FROM, map(_DIGEST, map(hashlib.blake2b, map(key.__add__, map(str.encode, niks))))))


def _run_starts(tps: list[str], lines: list[int]) -> list[int]:
    """Where a batch's runs start: at 0, and wherever the TPS changes or a line is skipped.

    Most batches hold one TPS or the end of one and the start of the next, with no line
    skipped: a few C-level ``count`` calls tell, before comparing row with row.
    """
    n = len(tps)
    if lines[-1] - lines[0] == n - 1:  # no line skipped (lines only go up)
        head = tps[0]
        first = tps.count(head)
        if first == n:
            return [0]
        if tps[:first].count(head) == first and tps[first:].count(tps[first]) == n - first:
            return [0, first]
    return [0, *compress(range(1, n), map(or_, map(ne, tps[1:], tps), map(ne, lines[1:], map((1).__add__, lines))))]


def _nomor(starts: list[int], nomors: list[int], i: int) -> int:
    """The number in its TPS of the batch's voter ``i``."""
    run = bisect_right(starts, i) - 1
    return nomors[run] + i - starts[run]


_ALL = ("pemilih_j", "pemilih_l", "pemilih_p", *(band[0] for band in AGE_BANDS), "disabilitas")
_UPSERT = (
    f"insert into dpt_rekap (kode_pemilu, kode_tps, {', '.join(_ALL)}, sumber) "
    f"VALUES (?, ?, {', '.join('?' for _ in _ALL)}, ?) "
    "ON CONFLICT (kode_pemilu, kode_tps) DO UPDATE SET "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in _ALL)
)


def _public(text: str) -> str | None:
    """A free-text field a register allowed: trimmed, any identity-number-like run masked and any date reduced to its
    year, whatever word is before it (:func:`releasekit.privacy.mask_numbers_and_dates`), NULL when empty."""
    text = text.strip()
    return mask_numbers_and_dates(text) if text else None


_STARS = "*" * (16 - VISIBLE_DIGITS)


def masked_ids(values: list[str]) -> list[str | None]:
    """NIKs or NKKs as published (:func:`releasekit.privacy.mask_id`): a batch of 16 digits each in C-level passes."""
    out: list[str | None] = list(map(str.__add__, map(itemgetter(slice(0, VISIBLE_DIGITS)), values),
                                     repeat(_STARS, len(values))))
    joined = "\n".join(values)
    if len(joined) != 17 * len(values) - 1 or _SIXTEEN_DIGIT_LINES.fullmatch(joined) is None:
        for i in compress(range(len(values)), map(_is_none, map(_SIXTEEN_DIGITS.fullmatch, values))):
            out[i] = mask_id(values[i])
    return out
