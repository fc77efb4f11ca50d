"""Load readers' records into the canonical tables, accounting for every one.

Each raw record ends up in exactly one place: a canonical table or the
``quarantine`` (with its locator and reason), and each source's
``records_in = records_loaded + records_quarantined`` is written to ``sources``.
TPS and region rows that no region list provides are derived from the codes
afterwards, in SQL, so the loader keeps no per-TPS state in memory.

A repeated natural key keeps the first record. The others are quarantined as
``duplicate-key`` with a pointer to the kept record (its source and locator,
remembered in a temporary table beside the database, never in Python memory)
and say whether they are an identical copy; identical copies are counted.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from . import tables
from .config import Release
from .database import insert_sql
from .dpt import VoterLists, list_settings
from .elections import Election
from .errors import SourceError, one_line_text
from .privacy import contains_nik, escapes_read, holds_birth_date, holds_nik, mask_niks, unescape_digits
from .provenance import SourceFile
from .readahead import read_ahead
from .readers import READERS, AreaResult, ReadContext, Region, Rejected, ResultPart, Station, TpsResult
from .readers.base import DIFFERENT, IDENTICAL, Record, VoterRows, clip, runs_as_formula
from .readers.csv_table import NIK_CELL
from .readers.inflate import CorruptStreamError
from .readers.numbers import COUNT_LIMIT, NIK_NUMBER, no_count

ProgressCallback = Callable[[int], None]
#: Locators of loaded rows are written to the temporary table in batches of this size.
LOCATOR_BATCH = 5000
#: Where ``status_progress`` is in an area's values.
_PROGRESS = tables.HASIL_WILAYAH.columns.index("status_progress") - 3
#: TPS results are checked for taken keys and inserted this many at a time: the query for taken keys binds one
#: parameter per result and two more, within the 999 an SQLite before 3.32 allows (Ubuntu 20.04's 3.31).
RESULT_BATCH = 997
#: A source stops the build once it has set aside this many records and more than :data:`JUNK_RATIO` times as many
#: as it loaded: the wrong reader, mapping or encoding, or junk (a zip of a few MB can inflate to billions of short
#: lines, each a quarantine row), not a register to publish.
QUARANTINE_LIMIT = 100_000
JUNK_RATIO = 10


@dataclass
class Accounting:
    """Record counts of one source."""

    records_in: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0
    #: Quarantined duplicates that are identical copies of the kept record (part of records_quarantined: raw rows
    #: too, where a reader sums rows into one area).
    identical_duplicates: int = 0
    #: The latest ``ts`` of the results it loaded (TPS and areas; None: none has one), for the build's note on a
    #: source whose records are stamped after the snapshot it is declared to describe.
    latest_ts: str | None = None

    def stamped(self, ts: object) -> None:
        """Count ``ts``, a loaded result's, toward :attr:`latest_ts`."""
        if type(ts) is str and (self.latest_ts is None or ts > self.latest_ts):
            self.latest_ts = ts


@dataclass(frozen=True)
class Refusal:
    """Why a record was not loaded; ``identical`` for an exact copy of a record already kept."""

    reason: str
    identical: bool = False


#: The number a TPS's name ends with (``TPS 001``, ``KSK 001``, ``POS 001``).
_NAMED_NUMBER = re.compile(r"(\d+)\s*$")


def nomor_tps(kode_tps: str, nama: str | None, given: str | None = None) -> str | None:
    """The TPS's number within its village: its code's last three digits; but overseas (province 99), where Sirekap's
    codes count a country's TPS, KSK (mobile boxes) and POS together (``…001`` POS 001, ``…002`` TPS 001, ``…010``
    KSK 001: review BD D2), the number its list gives (``given``), else the number its name ends with; a name without
    one (``KSK``: a list whose codes number each kind apart, review BE #1) keeps the code's digits, and a TPS no list
    names (known from its results alone) has none (None)."""
    if not kode_tps.startswith("99"):
        return kode_tps[10:]
    if given is not None:
        return given
    if nama is None:
        return None
    found = _NAMED_NUMBER.search(nama)
    return found.group(1) if found else kode_tps[10:]


def jenis_tps(kode_tps: str) -> str:
    """``luar-negeri`` for overseas codes (province 99), ``khusus`` for 9xx numbers, else ``reguler``."""
    if kode_tps.startswith("99"):
        return "luar-negeri"
    return "khusus" if kode_tps[10] == "9" else "reguler"


_NIK_TEXT = "a text value holds a NIK-like number, which is never published"
_BIRTH_DATE = "a text value holds a birth date (after 'lahir' or 'TTL'): personal data, which is never published"
#: What :func:`unstorable` says of a value that is personal data: the record's raw text is withheld from the quarantine
#: (:func:`withheld`), the rest of it may be a person's too.
PERSONAL_DATA = (NIK_NUMBER, _NIK_TEXT, _BIRTH_DATE, NIK_CELL)



#: The control characters no text value may hold: C0's but tab, line feed and carriage return, and DEL (a NUL
#: published in a CSV cell, an ESC that a terminal showing the file obeys). The CSV readers set a record with a NUL
#: aside themselves; JSON (``"a\u0000b"``) and SQL text reach the loader with theirs.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def unstorable(values: Iterable[object]) -> str | None:
    """Why these values cannot be stored (None when they can): a last guard behind the readers.

    SQLite cannot hold an integer beyond 64 bits or an unpaired surrogate; a NIK-like number in a text value
    (a place name, a Sirekap ``psu`` note; also ``3174-0567-0885-0003``, in fullwidth digits or glued to an NKK) or as
    a number (a count: the packages write it as 16 digits) must not be
    published, so its record is quarantined here instead of the database's PII gate refusing the whole build.
    """
    for value in values:
        kind = type(value)
        if kind is int:
            number: int = value  # type: ignore[assignment]
            if number >= COUNT_LIMIT or number <= -COUNT_LIMIT:  # (a count is smaller: two comparisons)
                return no_count(number)
        elif kind is str:
            text: str = value  # type: ignore[assignment]  # (type() is faster than isinstance on the hot path)
            if len(text) >= 16 and holds_nik(text):  # (written any way: privacy.SPREAD)
                return _NIK_TEXT
            if len(text) >= 11 and holds_birth_date(text):  # (the shortest: ttl1-1-1980)
                return _BIRTH_DATE
            if runs_as_formula(text):  # (the csv reader says it per cell)
                return "a text value looks like a spreadsheet formula, which is never published (CSV injection risk)"
            if not text.isprintable() and (control := CONTROL.search(text)):  # (isprintable: C speed, most texts)
                return (f"a text value holds the control character U+{ord(control[0]):04X}, which is never published "
                        "(binary data, or a terminal escape)")
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return "a text value holds an unpaired surrogate (a broken \\u escape)"
        elif kind is float:
            if not math.isfinite(value):  # type: ignore[arg-type]
                return "a number is not finite"
            text = repr(value)  # as the packages write it: 16 digits after the point are 16 digits too
            if len(text) >= 16 and contains_nik(text):  # (0.7194244604316546: 100 * 1 / 139)
                return NIK_NUMBER
    return None


def withheld(reason: str, raw: str) -> bool:
    r"""Whether a quarantined record's raw text is withheld (``quarantine.raw`` NULL): the record holds personal data.

    Its refusal says so (:data:`PERSONAL_DATA`: the loader found a NIK or a birth date in a value, as read), its
    reason quotes one (``got 3273014501900001.0``), or its raw text holds one once its escapes are read as the
    reader read them (``"3273\t0145\t0190\t0001"``, ``12\/05\/1980``: :func:`~releasekit.privacy.escapes_read`).
    """
    if any(said in reason for said in PERSONAL_DATA) or holds_nik(reason) or holds_birth_date(reason):
        return True
    text = escapes_read(raw)
    return len(text) >= 11 and (holds_nik(text) or holds_birth_date(text))


def safe_text(text: str) -> str:
    r"""``text`` that SQLite can store and that shows no NIK: surrogates replaced, NIK-like values masked.

    A digit that raw JSON spells as an escape (``\u0033``, fullwidth ``\uff13``) is written as itself first (the
    same JSON value), so that a NIK spelled so is masked too. A :data:`CONTROL` character is written as its escape
    (``\x1b``): a quarantined record keeps its raw text, which the quarantine publishes."""
    if not text.isascii():
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    if not text.isprintable():
        text = CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)
    return mask_niks(unescape_digits(text))


def _unended(raw: str) -> str:
    """``raw`` without the line ending a record read from a text file ends with (LF, CRLF or a CR alone)."""
    return raw[:-2] if raw.endswith("\r\n") else raw[:-1] if raw.endswith(("\n", "\r")) else raw


def _as_stored(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


def _corrupt(error: CorruptStreamError, path: str) -> SourceError:
    """The refusal of a source holding a corrupt compressed stream (:mod:`releasekit.readers.inflate`), naming it."""
    return SourceError(f"{path}: {error.args[0]}", hint=error.hint)


def _named(records: Iterator[Record], path: str) -> Iterator[Record]:
    """``records``, a corrupt compressed stream in the source refused naming it: the records loaded from it so far go
    with the refused build."""
    try:
        yield from records
    except CorruptStreamError as e:
        raise _corrupt(e, path) from e


def _read_context(release: Release, file: SourceFile, progress: ProgressCallback | None) -> ReadContext:
    """What the reader of ``file`` is given: its path, label, election and source."""
    source = file.source
    election = release.elections[source.election] if source.election else None
    return ReadContext(file.path, source.path, election, progress, source)


def preflight(release: Release, file: SourceFile) -> None:
    """What its reader can check of ``file`` in a moment (:meth:`~releasekit.readers.base.Reader.preflight`), before
    any source is loaded.

    :raises SourceError: as loading it would."""
    try:
        READERS[file.source.format].preflight(_read_context(release, file, None))
    except CorruptStreamError as e:
        raise _corrupt(e, file.source.path) from e


class Loader:
    """Writes records into an open database created by :func:`~releasekit.database.create_schema`."""

    def __init__(self, db: sqlite_utils.Database, lokasi: Path | None = None) -> None:
        """:param lokasi: a database file beside the release for the loaded rows' locators (kept with a
        cached build, :mod:`releasekit.buildcache`); without one they live in a temporary table."""
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.sql = {t.name: insert_sql(t) for t in tables.TABLES}
        # An aggregate's own file of an area replaces what its parent's table gave (but for status_progress, which only
        # a table gives); a row from any other reader repeats the area (review AS: a CSV's province rows replaced a
        # Sirekap table's, each loaded, nothing quarantined, the rows mixed from two sources).
        updates = ", ".join(f"[{c}] = coalesce(excluded.[{c}], hasil_wilayah.[{c}])" if c == "status_progress"
                            else f"[{c}] = excluded.[{c}]" for c in tables.HASIL_WILAYAH.columns[3:])
        self.sql["hasil_wilayah_upsert"] = (self.sql["hasil_wilayah"].replace("insert or ignore", "insert") +
                                            f" ON CONFLICT DO UPDATE SET {updates} WHERE hasil_wilayah.asal = 'table'"
                                            " AND excluded.asal = 'chart'")
        schema = "temp"
        if lokasi is not None:
            self.conn.execute("ATTACH DATABASE ? AS lokasi", (str(lokasi),))
            self.conn.execute("PRAGMA lokasi.journal_mode = OFF")
            self.conn.execute("PRAGMA lokasi.synchronous = OFF")
            schema = "lokasi"
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}._lokasi (tbl TEXT NOT NULL, rid INTEGER NOT NULL, "
            "sumber TEXT NOT NULL, locator TEXT NOT NULL, PRIMARY KEY (tbl, rid)) WITHOUT ROWID"
        )
        self._pending: list[tuple[str, int, str, str]] = []
        self.voters = VoterLists(self.conn)

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
        ctx = _read_context(release, file, progress)
        election = ctx.election
        acc = Accounting()
        cur = self.conn.cursor()
        with self.conn:
            if source.format == "dpt-csv":
                assert election is not None
                self.voters.begin(list_settings(release, source, election))
            batch: list[TpsResult] = []  # TPS results are loaded in batches (the common record at national scale)
            for record in _named(read_ahead(reader, ctx), source.path):
                if type(record) is TpsResult and election is not None:
                    batch.append(record)
                    if len(batch) >= RESULT_BATCH:
                        self._load_results(cur, batch, source.path, election, source.snapshot, acc)
                    continue
                if batch:  # keep the records' order: the batch goes in before anything read after it
                    self._load_results(cur, batch, source.path, election, source.snapshot, acc)
                if type(record) is VoterRows:  # a voter list's clean rows come in batches: one record per row
                    loaded = self.voters.add(record)
                    acc.records_in += loaded
                    acc.records_loaded += loaded
                    continue
                weight = record.records if type(record) is AreaResult else 1  # raw rows summed into one area
                acc.records_in += weight
                refusal = self._load(cur, record, source.path, election, source.snapshot)
                self._account(cur, acc, record, refusal, source.path, weight)
            if batch:
                self._load_results(cur, batch, source.path, election, source.snapshot, acc)
            self._flush()
            if source.format == "dpt-csv":
                self.voters.end()
            self.conn.execute(self.sql["sources"], (
                source.register, source.path, file.sha256, file.bytes, source.format, reader.version,
                source.election, source.snapshot, source.title, source.origin, source.retrieved,
                source.synthetic, acc.records_in, acc.records_loaded, acc.records_quarantined,
            ))
        return acc

    def _account(self, cur: sqlite3.Cursor, acc: Accounting, record: Record, refusal: Refusal | None, path: str,
                 weight: int = 1) -> None:
        """Count a record read and loaded (``refusal`` None) or quarantine it with the refusal's reason."""
        if refusal is None:
            acc.records_loaded += weight
            if type(record) is TpsResult or type(record) is AreaResult:
                acc.stamped(record.values[0])
            return
        acc.records_quarantined += weight
        acc.identical_duplicates += weight if refusal.identical else 0  # (raw rows, as records_quarantined counts)
        self._quarantine(cur, path, record.locator, refusal.reason, clip(record.raw))
        if acc.records_quarantined >= QUARANTINE_LIMIT and acc.records_quarantined > JUNK_RATIO * acc.records_loaded:
            locator, reason = self.conn.execute(  # (as stored: masked)
                "SELECT locator, reason FROM quarantine WHERE source = ? ORDER BY rowid LIMIT 1", (path,)).fetchone()
            raise SourceError(
                f"{path}: {acc.records_quarantined:,} records set aside and {acc.records_loaded:,} loaded so far, so "
                f"the rest is not read (the first set aside, {locator}: {reason})",
                hint="check the source's format, mapping and encoding; a source this far from its reader is "
                     "not loaded")

    # Load

    def _load_results(self, cur: sqlite3.Cursor, batch: list[TpsResult], path: str, election: Election | None,
                      snapshot: str | None, acc: Accounting) -> None:
        """Load a batch of TPS results with one query for keys already loaded and one insert per table.

        The outcome is the one :meth:`_load` gives record by record: a record whose key is taken (earlier in
        the batch or before it) or that cannot be stored goes through :meth:`_load` after everything before it
        is in, so it is quarantined with a pointer to the record kept. Empties ``batch``.
        """
        assert election is not None  # results are read only for sources with an election
        kode_pemilu = election.kode_pemilu
        marks = ", ".join("?" * len(batch))
        taken = {code for (code,) in self.conn.execute(
            f"SELECT kode_tps FROM hasil_tps WHERE kode_pemilu = ? AND snapshot IS ? AND kode_tps IN ({marks})",
            (kode_pemilu, snapshot, *(r.kode_tps for r in batch)))}
        clean: list[TpsResult] = []
        for record in batch:
            acc.records_in += 1
            if record.kode_tps in taken or unstorable(record.values) or (
                    record.votes and unstorable(record.votes.values())):
                self._insert_results(cur, clean, kode_pemilu, snapshot, path, acc)
                self._account(cur, acc, record, self._load(cur, record, path, election, snapshot), path)
                continue
            clean.append(record)
            taken.add(record.kode_tps)
            acc.records_loaded += 1
        self._insert_results(cur, clean, kode_pemilu, snapshot, path, acc)
        batch.clear()

    def _insert_results(self, cur: sqlite3.Cursor, clean: list[TpsResult], kode_pemilu: str, snapshot: str | None,
                        path: str, acc: Accounting) -> None:
        """Insert TPS results whose keys are known to be free (and empty ``clean``); their latest ``ts`` counts
        toward ``acc``'s."""
        if not clean:
            return
        acc.stamped(max((ts for r in clean if type(ts := r.values[0]) is str), default=None))
        # A rowid table gives new rows max(rowid) + 1, + 2, …: the rows' ids for the locators, without a query each.
        first = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM hasil_tps").fetchone()[0] + 1
        cur.executemany(self.sql["hasil_tps"], [(kode_pemilu, snapshot, r.kode_tps, *r.values, path) for r in clean])
        if cur.rowcount != len(clean):
            raise RuntimeError(f"{path}: {len(clean) - cur.rowcount} checked TPS results were not inserted")
        cur.executemany(self.sql["suara"], [(kode_pemilu, snapshot, r.kode_tps, n, v) for r in clean if r.votes
                                            for n, v in sorted(r.votes.items())])
        self._pending.extend(("hasil_tps", first + i, path, r.locator) for i, r in enumerate(clean))
        if len(self._pending) >= LOCATOR_BATCH:
            self._flush()
        clean.clear()

    def _load(self, cur: sqlite3.Cursor, record: object, path: str, election: Election | None,
              snapshot: str | None) -> Refusal | None:
        """Load one record; return None when loaded, else why not."""
        if isinstance(record, Rejected):
            return Refusal(record.reason)
        if isinstance(record, TpsResult):
            assert election is not None
            problem = unstorable(record.values) or unstorable((record.votes or {}).values())
            if problem:
                return Refusal(f"cannot be stored: {problem}")
            key = (election.kode_pemilu, snapshot, record.kode_tps)
            cur.execute(self.sql["hasil_tps"], (*key, *record.values, path))
            if cur.rowcount == 0:
                return self._duplicate_result("hasil_tps", "suara", key, record.values, record.votes,
                                              f"TPS {record.kode_tps}")
            self._remember("hasil_tps", cur.lastrowid, path, record.locator)
            if record.votes:
                cur.executemany(self.sql["suara"], [(*key, n, v) for n, v in sorted(record.votes.items())])
            return None
        if isinstance(record, AreaResult):
            assert election is not None
            problem = unstorable(record.values) or unstorable((record.votes or {}).values()) or unstorable(
                v for _, values, votes in record.children for v in (*values, *(votes or {}).values()))
            if problem:
                return Refusal(f"cannot be stored: {problem}")
            return self._load_area(cur, record, election.kode_pemilu, snapshot, path)
        if isinstance(record, ResultPart):
            assert election is not None
            problem = unstorable((*record.values.values(), record.suara))
            if problem:
                return Refusal(f"cannot be stored: {problem}")
            return self._load_part(cur, record, (election.kode_pemilu, snapshot, record.kode), path)
        if isinstance(record, Region):
            row = (record.kode_wilayah, record.tingkat, record.nama, record.kode_induk, record.id_sumber,
                   record.sistem_kode, record.catatan)
            problem = unstorable(row)
            if problem:
                return Refusal(f"cannot be stored: {problem}")
            cur.execute(self.sql["wilayah"], (*row, path))
            if cur.rowcount == 0:
                return self._duplicate_place("wilayah", "kode_wilayah", row, "region")
            self._remember("wilayah", cur.lastrowid, path, record.locator)
            return None
        if isinstance(record, Station):
            kode = record.kode_tps
            station = (kode, kode[:10], nomor_tps(kode, record.nama, record.nomor_tps), jenis_tps(kode), record.nama,
                       record.id_sumber)
            problem = unstorable(station)
            if problem:
                return Refusal(f"cannot be stored: {problem}")
            cur.execute(self.sql["tps"], (*station, path))
            if cur.rowcount == 0:
                return self._duplicate_place("tps", "kode_tps", station, "TPS")
            self._remember("tps", cur.lastrowid, path, record.locator)
            return None
        raise TypeError(f"unknown record type {type(record).__name__}")

    def _load_area(self, cur: sqlite3.Cursor, record: AreaResult, kode_pemilu: str, snapshot: str | None,
                   path: str) -> Refusal | None:
        """An area's own totals replace totals its parent's table gave (but for ``status_progress``, which only a
        parent's table gives); children never replace anything, and a child another record gave other figures for
        keeps the whole record out (:meth:`_table_clash`)."""
        key = (kode_pemilu, snapshot, record.kode_wilayah)
        clash = self._table_clash(record, kode_pemilu, snapshot)
        if clash is not None:
            return clash
        cur.execute(self.sql["hasil_wilayah_upsert"], (*key, *record.values, path))
        if cur.rowcount == 0:
            return self._duplicate_result("hasil_wilayah", "suara_wilayah", key, record.values, record.votes,
                                          f"area {record.kode_wilayah}")
        rid = self.conn.execute("SELECT rowid FROM hasil_wilayah WHERE kode_pemilu = ? AND snapshot = ? "
                                "AND kode_wilayah = ?", key).fetchone()[0]
        self._remember("hasil_wilayah", rid, path, record.locator)
        cur.execute("DELETE FROM suara_wilayah WHERE kode_pemilu = ? AND snapshot = ? AND kode_wilayah = ?", key)
        cur.executemany(self.sql["suara_wilayah"], [(*key, n, v) for n, v in sorted((record.votes or {}).items())])
        for child, values, votes in record.children:
            ckey = (kode_pemilu, snapshot, child)
            cur.execute(self.sql["hasil_wilayah"], (*ckey, *values, path))
            if cur.rowcount:
                self._remember("hasil_wilayah", cur.lastrowid, path, f"{record.locator} (table.{child})")
                cur.executemany(self.sql["suara_wilayah"], [(*ckey, n, v) for n, v in sorted((votes or {}).items())])
            else:  # the child's own file came first (a tar's order): it has no status_progress, the table has
                cur.execute("UPDATE hasil_wilayah SET status_progress = ? WHERE kode_pemilu = ? AND snapshot = ? "
                            "AND kode_wilayah = ? AND asal = 'chart' AND status_progress IS NULL",
                            (values[_PROGRESS], *ckey))
        return None

    def _table_clash(self, record: AreaResult, kode_pemilu: str, snapshot: str | None) -> Refusal | None:
        """The refusal of ``record`` when a row of its table (a child area's totals) was loaded before, other than by
        the child's own file, with other figures: a child's row is kept as it is, so loading the record would drop
        its figures for that child unsaid (a CSV of province totals, then Sirekap's national file)."""
        for child, values, votes in record.children:
            ckey = (kode_pemilu, snapshot, child)
            row = self.conn.execute("SELECT asal FROM hasil_wilayah WHERE kode_pemilu = ? AND snapshot = ? "
                                    "AND kode_wilayah = ?", ckey).fetchone()
            if row is None or row[0] == "chart":  # (none yet, or its own file's, which a table never replaces)
                continue
            kept, same = self._stored_result("hasil_wilayah", "suara_wilayah", ckey, values, votes)
            if not same:
                return Refusal(f"duplicate-key: area {child} already loaded for {kode_pemilu} {snapshot} from {kept}; "
                               "this record's table gives it other figures, so the record is not loaded (the first "
                               "one is kept)")
        return None

    def _load_part(self, cur: sqlite3.Cursor, part: ResultPart, key: tuple[str, str | None, str],
                   path: str) -> Refusal | None:
        """Merge one long-layout row into its place's row; refuse it if it contradicts an earlier row."""
        table, votes_table, key_col = (("hasil_wilayah", "suara_wilayah", "kode_wilayah") if part.area
                                       else ("hasil_tps", "suara", "kode_tps"))
        place = f"{'area' if part.area else 'TPS'} {part.kode}"
        where = f"kode_pemilu = ? AND snapshot = ? AND {key_col} = ?"
        cols = list(part.values)
        picked = "".join(f", [{c}]" for c in cols)
        row = self.conn.execute(f"SELECT rowid, sumber{picked} FROM {table} WHERE {where}", key).fetchone()
        if row is not None:
            if row[1] != path:
                return Refusal(f"duplicate-key: {place} already loaded for {key[0]} {key[1]} from "
                               f"{self._kept(table, row[0])}; rows of a long layout merge only within one source")
            for col, stored in zip(cols, row[2:], strict=True):
                new = _as_stored(part.values[col])
                if stored is not None and new is not None and stored != new:
                    return Refusal(f"duplicate-key: {place} {col} is {new} here but {stored} in the row kept "
                                   f"from {self._kept(table, row[0])}; the first one is kept")
        vote = self.conn.execute(f"SELECT rowid, suara FROM {votes_table} WHERE {where} AND nomor_urut = ?",
                                 (*key, part.nomor_urut)).fetchone()
        if vote is not None:
            same = vote[1] == part.suara
            return Refusal(f"duplicate-key: votes for {part.nomor_urut} at {place} already loaded for {key[0]} "
                           f"{key[1]} from {self._kept(votes_table, vote[0])}; this is "
                           f"{IDENTICAL if same else DIFFERENT}, the first one is kept", same)
        if row is None:
            names = "".join(f", [{c}]" for c in cols)
            marks = ", ?" * len(cols)
            cur.execute(f"insert into {table} (kode_pemilu, snapshot, {key_col}{names}, sumber) "
                        f"VALUES (?, ?, ?{marks}, ?)", (*key, *(part.values[c] for c in cols), path))
            self._remember(table, cur.lastrowid, path, part.locator)
        else:
            fill = [c for c, stored in zip(cols, row[2:], strict=True) if stored is None and part.values[c] is not None]
            if fill:
                cur.execute(f"UPDATE {table} SET {', '.join(f'[{c}] = ?' for c in fill)} WHERE rowid = ?",
                            (*(part.values[c] for c in fill), row[0]))
        cur.execute(self.sql[votes_table], (*key, part.nomor_urut, part.suara))
        self._remember(votes_table, cur.lastrowid, path, part.locator)
        return None

    def forget_locators(self) -> None:
        """Detach the locators' file (when there is one): no more records are loaded after this."""
        self._flush()
        if self.conn.execute("SELECT 1 FROM pragma_database_list WHERE name = 'lokasi'").fetchone():
            self.conn.execute("DETACH DATABASE lokasi")

    # Duplicates

    def _remember(self, table: str, rowid: int | None, path: str, locator: str) -> None:
        """Note where a loaded row came from, so a later duplicate can point at it."""
        if rowid is None:
            return
        self._pending.append((table, rowid, path, locator))
        if len(self._pending) >= LOCATOR_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.conn.executemany("insert or replace into _lokasi VALUES (?, ?, ?, ?)",
                                  [(t, r, p, safe_text(loc)) for t, r, p, loc in self._pending])
            self._pending.clear()

    def _kept(self, table: str, rowid: int) -> str:
        """``<source> at <locator>`` of the record that made a row."""
        self._flush()
        found = self.conn.execute("SELECT sumber, locator FROM _lokasi WHERE tbl = ? AND rid = ?",
                                  (table, rowid)).fetchone()
        return f"{found[0]} at {found[1]}" if found else "(derived)"

    def _duplicate_result(self, table: str, votes_table: str, key: tuple[object, ...], values: tuple[object, ...],
                          votes: Mapping[int, int | None] | None, place: str) -> Refusal:
        """A repeated TPS or area result: point at the kept record and say whether this one is a copy of it."""
        kept, same = self._stored_result(table, votes_table, key, values, votes)
        kind = IDENTICAL if same else DIFFERENT
        return Refusal(f"duplicate-key: {place} already loaded for {key[0]} {key[1]} from {kept}; this is {kind}, "
                       "the first one is kept", same)

    def _stored_result(self, table: str, votes_table: str, key: tuple[object, ...], values: tuple[object, ...],
                       votes: Mapping[int, int | None] | None) -> tuple[str, bool]:
        """The record that loaded the result row at ``key`` (:meth:`_kept`), and whether it holds ``values`` and
        ``votes``."""
        columns = tables.BY_NAME[table].columns
        cols = ", ".join(f"[{c}]" for c in tables.RESULT_VALUES[table])
        where = f"kode_pemilu = ? AND snapshot = ? AND {columns[2]} = ?"
        row = self.conn.execute(f"SELECT rowid, {cols} FROM {table} WHERE {where}", key).fetchone()
        stored_votes = dict(self.conn.execute(f"SELECT nomor_urut, suara FROM {votes_table} WHERE {where}",
                                              key).fetchall())
        same = tuple(row[1:]) == tuple(_as_stored(v) for v in values) and stored_votes == (votes or {})
        return self._kept(table, row[0]), same

    def _duplicate_place(self, table: str, key_col: str, row: tuple[object, ...], what: str) -> Refusal:
        cols = tables.BY_NAME[table].columns[:len(row)]
        stored = self.conn.execute(f"SELECT rowid, {', '.join(f'[{c}]' for c in cols)} FROM {table} "
                                   f"WHERE [{key_col}] = ?", (row[0],)).fetchone()
        same = tuple(stored[1:]) == row
        kind = IDENTICAL if same else DIFFERENT
        return Refusal(f"duplicate-key: {what} {row[0]} is already listed by {self._kept(table, stored[0])}; "
                       f"this is {kind}, the first one is kept", same)

    def _quarantine(self, cur: sqlite3.Cursor, path: str, locator: str, reason: str, raw: str | None) -> None:
        if raw is not None and withheld(reason, raw):
            raw = None  # the rest of a record with an identity number or a birth date in it (a name, an address) may
            # well be a person's too, and masking the number alone would publish them
        elif raw and runs_as_formula(raw.lstrip("\t\r")):
            raw = None  # a spreadsheet opening quarantine.csv would run it (review BB #6: =HYPERLINK(…) published)
        # (a locator names a place: a line break in a member's name is shown escaped, as in a message: review BB #8)
        locator, reason = one_line_text(safe_text(locator)), safe_text(reason)
        if runs_as_formula(locator.lstrip("\t\r")):  # (a member named =HYPERLINK(…).json: the same path, as no
            # spreadsheet runs it)
            locator = "./" + locator
        # (a CSV record's text as read ends with its line's LF or CRLF: a CR in a file whose lines end with LF, and a
        # cell that line-based tools count as two lines: review AX #5)
        raw = None if raw is None else safe_text(_unended(raw))
        cur.execute(self.sql["quarantine"], (path, locator, reason, raw))
        n = 2
        while cur.rowcount == 0:  # the same locator twice (a tar may repeat a member name)
            cur.execute(self.sql["quarantine"], (path, f"{locator}#{n}", reason, raw))
            n += 1

    # Places

    def derive_places(self) -> None:
        """Add ``tps`` and ``wilayah`` rows implied by codes but listed by no region list.

        Derived rows have NULL ``nama`` and ``sumber``: the code is known, the name is not. They come
        from TPS codes (``sistem_kode`` ``kpu``) or are the parents of listed regions (their child's system).
        Voter lists are finished first (duplicate NIKs across all of them), and their TPS count too.
        """
        with self.conn:
            self.voters.finish()
            self.conn.execute(
                "insert or ignore into tps (kode_tps, kode_wilayah, nomor_tps, jenis_tps) "
                "SELECT DISTINCT kode_tps, substr(kode_tps, 1, 10), "
                "CASE WHEN substr(kode_tps, 1, 2) = '99' THEN NULL ELSE substr(kode_tps, 11) END, "
                "CASE WHEN substr(kode_tps, 1, 2) = '99' THEN 'luar-negeri' "
                "WHEN substr(kode_tps, 11, 1) = '9' THEN 'khusus' ELSE 'reguler' END "
                "FROM (SELECT kode_tps FROM hasil_tps UNION SELECT kode_tps FROM dpt_rekap) ORDER BY kode_tps"
            )
            self.conn.execute(
                "insert or ignore into wilayah (kode_wilayah, tingkat, kode_induk, sistem_kode) "
                "SELECT DISTINCT kode_wilayah, 4, substr(kode_wilayah, 1, 6), 'kpu' FROM tps ORDER BY kode_wilayah"
            )
            for level, length in ((4, 6), (3, 4), (2, 2)):
                parent_length = {6: 4, 4: 2, 2: 0}[length]
                self.conn.execute(
                    "insert or ignore into wilayah (kode_wilayah, tingkat, kode_induk, sistem_kode) "
                    f"SELECT DISTINCT kode_induk, {level - 1}, "
                    f"CASE WHEN {parent_length} = 0 THEN NULL ELSE substr(kode_induk, 1, {parent_length}) END, "
                    "sistem_kode "
                    f"FROM wilayah WHERE tingkat = {level} AND kode_induk IS NOT NULL ORDER BY kode_induk"
                )
