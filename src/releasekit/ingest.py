"""Load readers' records into the canonical tables, accounting for every one.

Each raw record ends up in exactly one place: a canonical table or the
``quarantine`` (with its locator and reason), and each source's
``records_in = records_loaded + records_quarantined`` is written to ``sources``.
TPS and region rows that no region list provides are derived from the codes
afterwards, in SQL, so the loader keeps no per-TPS state in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from . import tables
from .config import Release
from .database import insert_sql
from .elections import Election
from .provenance import SourceFile
from .readers import READERS, AreaResult, ReadContext, Region, Rejected, Station, TpsResult
from .readers.base import clip

ProgressCallback = Callable[[int], None]


@dataclass
class Accounting:
    """Record counts of one source."""

    records_in: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0


def jenis_tps(kode_tps: str) -> str:
    """``luar-negeri`` for overseas codes (province 99), ``khusus`` for 9xx numbers, else ``reguler``."""
    if kode_tps.startswith("99"):
        return "luar-negeri"
    return "khusus" if kode_tps[10] == "9" else "reguler"


class Loader:
    """Writes records into an open database created by :func:`~releasekit.database.create_schema`."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.sql = {t.name: insert_sql(t) for t in tables.TABLES}

    def load_elections(self, elections: list[Election]) -> None:
        """Write ``pemilu`` and ``peserta`` rows for the elections the sources use."""
        with self.conn:
            for e in elections:
                self.conn.execute(self.sql["pemilu"], (e.kode_pemilu, e.jenis, e.tahun, e.putaran, e.tanggal,
                                                       e.nama))
                self.conn.executemany(self.sql["peserta"], [
                    (e.kode_pemilu, p.nomor_urut, p.id_sumber, p.nama) for p in e.peserta
                ])

    def load_source(self, release: Release, file: SourceFile,
                    progress: ProgressCallback | None = None) -> Accounting:
        """Read one source with its reader and load every record; return the accounting."""
        source = file.source
        reader = READERS[source.format]
        election = release.elections[source.election] if source.election else None
        ctx = ReadContext(file.path, source.path, election, progress)
        acc = Accounting()
        cur = self.conn.cursor()
        with self.conn:
            for record in reader.read(ctx):
                acc.records_in += 1
                reason = self._load(cur, record, source.path, election, source.snapshot)
                if reason is None:
                    acc.records_loaded += 1
                else:
                    acc.records_quarantined += 1
                    raw = record.raw if isinstance(record, (Rejected, TpsResult)) else None
                    self._quarantine(cur, source.path, record.locator, reason, clip(raw))
            self.conn.execute(self.sql["sources"], (
                source.register, source.path, file.sha256, file.bytes, source.format, reader.version,
                source.election, source.snapshot, source.title, source.origin, source.retrieved,
                source.synthetic, acc.records_in, acc.records_loaded, acc.records_quarantined,
            ))
        return acc

    def _load(self, cur: sqlite3.Cursor, record: object, path: str, election: Election | None,
              snapshot: str | None) -> str | None:
        """Load one record; return None when loaded, else the quarantine reason."""
        if isinstance(record, Rejected):
            return record.reason
        if isinstance(record, TpsResult):
            assert election is not None
            key = (election.kode_pemilu, snapshot, record.kode_tps)
            cur.execute(self.sql["hasil_tps"], (*key, *record.values, path))
            if cur.rowcount == 0:
                return self._duplicate_result(key, record)
            if record.votes:
                cur.executemany(self.sql["suara"], [(*key, n, v) for n, v in sorted(record.votes.items())])
            return None
        if isinstance(record, AreaResult):
            assert election is not None
            return self._load_area(cur, record, election.kode_pemilu, snapshot, path)
        if isinstance(record, Region):
            row = (record.kode_wilayah, record.tingkat, record.nama, record.kode_induk, record.id_sumber, path)
            cur.execute(self.sql["wilayah"], row)
            if cur.rowcount == 0:
                first = self.conn.execute("SELECT sumber FROM wilayah WHERE kode_wilayah = ?",
                                          (record.kode_wilayah,)).fetchone()[0]
                return f"duplicate-key: region {record.kode_wilayah} is already listed by {first}"
            return None
        if isinstance(record, Station):
            kode = record.kode_tps
            cur.execute(self.sql["tps"], (kode, kode[:10], kode[10:], jenis_tps(kode), record.nama,
                                          record.id_sumber, path))
            if cur.rowcount == 0:
                first = self.conn.execute("SELECT sumber FROM tps WHERE kode_tps = ?", (kode,)).fetchone()[0]
                return f"duplicate-key: TPS {kode} is already listed by {first}"
            return None
        raise TypeError(f"unknown record type {type(record).__name__}")

    def _load_area(self, cur: sqlite3.Cursor, record: AreaResult, kode_pemilu: str, snapshot: str | None,
                   path: str) -> str | None:
        """An area's own totals replace totals its parent's table gave; children never replace anything."""
        key = (kode_pemilu, snapshot, record.kode_wilayah)
        cols = tables.HASIL_WILAYAH.columns
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols[3:])
        cur.execute(
            self.sql["hasil_wilayah"].replace("INSERT OR IGNORE", "INSERT")
            + f" ON CONFLICT DO UPDATE SET {updates} WHERE hasil_wilayah.asal = 'table'",
            (*key, *record.values, path),
        )
        if cur.rowcount == 0:
            first = self.conn.execute("SELECT sumber FROM hasil_wilayah WHERE kode_pemilu = ? AND snapshot = ? "
                                      "AND kode_wilayah = ?", key).fetchone()[0]
            return (f"duplicate-key: area {record.kode_wilayah} already loaded for {kode_pemilu} {snapshot} "
                    f"from {first}; the first one is kept")
        cur.execute("DELETE FROM suara_wilayah WHERE kode_pemilu = ? AND snapshot = ? AND kode_wilayah = ?", key)
        cur.executemany(self.sql["suara_wilayah"], [(*key, n, v) for n, v in sorted((record.votes or {}).items())])
        for child, values, votes in record.children:
            ckey = (kode_pemilu, snapshot, child)
            cur.execute(self.sql["hasil_wilayah"], (*ckey, *values, path))
            if cur.rowcount:
                cur.executemany(self.sql["suara_wilayah"], [(*ckey, n, v) for n, v in sorted((votes or {}).items())])
        return None

    def _duplicate_result(self, key: tuple[object, ...], record: TpsResult) -> str:
        cols = ", ".join(f"[{c}]" for c in tables.HASIL_TPS.columns[3:])
        row = self.conn.execute(
            f"SELECT {cols} FROM hasil_tps WHERE kode_pemilu = ? AND snapshot = ? AND kode_tps = ?", key
        ).fetchone()
        stored_votes = dict(self.conn.execute(
            "SELECT nomor_urut, suara FROM suara WHERE kode_pemilu = ? AND snapshot = ? AND kode_tps = ?", key
        ).fetchall())
        same = tuple(row[:-1]) == tuple(_as_stored(v) for v in record.values) and (
            stored_votes == (record.votes or {}))
        kind = "an identical copy" if same else "a different record"
        return (f"duplicate-key: TPS {record.kode_tps} already loaded for {key[0]} {key[1]} from {row[-1]}; "
                f"this is {kind}, the first one is kept")

    def _quarantine(self, cur: sqlite3.Cursor, path: str, locator: str, reason: str, raw: str | None) -> None:
        cur.execute(self.sql["quarantine"], (path, locator, reason, raw))
        n = 2
        while cur.rowcount == 0:  # the same locator twice (a tar may repeat a member name)
            cur.execute(self.sql["quarantine"], (path, f"{locator}#{n}", reason, raw))
            n += 1

    def derive_places(self) -> None:
        """Add ``tps`` and ``wilayah`` rows implied by codes but listed by no region list.

        Derived rows have NULL ``nama`` and ``sumber``: the code is known, the name is not.
        """
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO tps (kode_tps, kode_wilayah, nomor_tps, jenis_tps) "
                "SELECT DISTINCT kode_tps, substr(kode_tps, 1, 10), substr(kode_tps, 11), "
                "CASE WHEN substr(kode_tps, 1, 2) = '99' THEN 'luar-negeri' "
                "WHEN substr(kode_tps, 11, 1) = '9' THEN 'khusus' ELSE 'reguler' END "
                "FROM hasil_tps ORDER BY kode_tps"
            )
            self.conn.execute(
                "INSERT OR IGNORE INTO wilayah (kode_wilayah, tingkat, kode_induk) "
                "SELECT DISTINCT kode_wilayah, 4, substr(kode_wilayah, 1, 6) FROM tps ORDER BY kode_wilayah"
            )
            for level, length in ((4, 6), (3, 4), (2, 2)):
                parent_length = {6: 4, 4: 2, 2: 0}[length]
                self.conn.execute(
                    "INSERT OR IGNORE INTO wilayah (kode_wilayah, tingkat, kode_induk) "
                    f"SELECT DISTINCT kode_induk, {level - 1}, "
                    f"CASE WHEN {parent_length} = 0 THEN NULL ELSE substr(kode_induk, 1, {parent_length}) END "
                    f"FROM wilayah WHERE tingkat = {level} AND kode_induk IS NOT NULL ORDER BY kode_induk"
                )


def _as_stored(value: object) -> object:
    return int(value) if isinstance(value, bool) else value
