"""``releasekit build``: every source → ``build/release.db`` → one package per register.

The whole release (database and packages) is written into a staging folder and
swapped into place only when complete (:mod:`releasekit.staging`), so a failed or
killed build never leaves a half-written release behind; a lock keeps two builds
of one project from running at once.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from .artefacts import source_date_epoch
from .buildcache import CACHE_DIR, PairCache, SourceCache
from .config import Register, Release, Source
from .csvlimit import bounded_cells
from .database import create_indexes, create_schema, create_search, open_database, open_reader, table_counts
from .errors import OS_HINTS, MachineError, SourceError, located, one_line_text, sqlite_machine_failure
from .ingest import Accounting, Loader, preflight
from .legalstatus import RELEASING
from .package import PACKAGES_DIR, PackageResult, write_packages
from .piigate import refuse_niks_in_database, refuse_niks_in_tree
from .privacy import mask_niks
from .provenance import STAMPS_FILE, SourceFile, check_sources, check_unchanged, inputs_sha256, write_stamps
from .readers import READERS
from .rules import run_rules
from .snapshots import record as record_snapshots
from .snapshots import unreadable_tps
from .staging import BUILD_DIR as BUILD_DIR  # re-exported: publish finds the release here
from .staging import DATABASE_FILE as DATABASE_FILE
from .staging import STAGING, Stage, release_lock
from .summaries import summarize


class BuildProgress(Protocol):
    """Receives progress while sources are read (the CLI draws a bar)."""

    def start(self, label: str, total_bytes: int) -> None:
        """A source of ``total_bytes`` starts.

        :param label: the source's path, as ``metadata.yml`` gives it.
        :param total_bytes: its size.
        """

    def update(self, done_bytes: int) -> None:
        """``done_bytes`` of the current source have been read.

        :param done_bytes: bytes read so far, of :meth:`start`'s ``total_bytes``.
        """

    def finish(self) -> None:
        """The current source is done."""


class _Quiet:
    def start(self, label: str, total_bytes: int) -> None:
        pass

    def update(self, done_bytes: int) -> None:
        pass

    def finish(self) -> None:
        pass


#: The tables whose rows are a register's data (the rest describe it: places, parties, provenance, findings).
_DATA_TABLES = ("hasil_tps", "hasil_wilayah", "dpt_rekap", "dpt_pemilih")


@dataclass
class BuildResult:
    """What a build produced (``seconds`` is for the terminal only, never an artefact)."""

    database: Path
    packages: list[PackageResult]
    counts: dict[str, int]
    accounting: dict[str, Accounting]
    inputs_sha256: str
    findings: dict[str, int]
    seconds: float = field(default=0.0)
    #: How many sources (the first ones, in load order) came from the build cache rather than being read again.
    cached: int = 0
    #: Whether this build first finished putting in place the release of a build killed during that (its swap).
    recovered: bool = False
    #: Whether Ctrl-C came while this build put its release in place (it finished doing so).
    interrupted: bool = False
    #: The first file of the release this build replaced that it could not remove, if any (masked).
    not_removed: str | None = None

    @property
    def quarantined(self) -> int:
        """Records quarantined across all sources."""
        return sum(a.records_quarantined for a in self.accounting.values())

    @property
    def identical_duplicates(self) -> int:
        """Quarantined records that are identical copies of a record kept (part of :attr:`quarantined`)."""
        return sum(a.identical_duplicates for a in self.accounting.values())

    def unloaded(self) -> list[str]:
        """A line for each source that loaded no record though it read some: every one quarantined, or a copy of one
        another source loaded (a source declared twice, or two captures given one snapshot: review AM, where the
        summary said only how many records were quarantined)."""
        lines = []
        for path, acc in self.accounting.items():
            if acc.records_in and not acc.records_loaded:
                why = ("each is an identical copy of a record another source loaded (the same export declared twice, "
                       "or two captures given one snapshot?)" if acc.identical_duplicates == acc.records_in else
                       "each was quarantined (the quarantine table says why)")
                lines.append(f"{path}: loaded none of its {acc.records_in:,} records: {why}")
        return lines

    def stamped_later(self, sources: Iterable[Source]) -> list[str]:
        """A line for each dated source whose results are stamped (``ts``) on a day after its snapshot: the day
        ``metadata.yml`` says it describes is likely not the day it was captured (review AM: a capture of 20 February
        declared as 15 February built without a word, its changes compared with the wrong day).

        :param sources: the release's sources (:attr:`Release.sources`).
        """
        lines = []
        for source in sources:
            latest = self.accounting[source.path].latest_ts if source.path in self.accounting else None
            if source.snapshot and latest is not None and latest[:10] > source.snapshot:
                lines.append(f"{source.path}: its results are stamped up to {latest} (ts), after its snapshot "
                             f"{source.snapshot}: is the snapshot the day it was captured?")
        return lines

    def summary(self, release: Release, *, named: str = "") -> list[str]:
        """The lines ``releasekit build`` prints: what was built, each package, the rows, the quarantine, the notes
        (``note:``, each on one line), the findings and the database (review CE L4: a program had to copy them from
        the CLI).

        :param release: the release this result is of (its notes name its sources and registers).
        :param named: how to name the project in the first line (``" in <folder>"``), or ``""`` for none.
        :returns: the lines, without line breaks.
        """
        reused = f" ({self.cached} from build/cache/, read by an earlier build)" if self.cached else ""
        findings = ", ".join(f"{rule} {n}" for rule, n in self.findings.items()) or "none"
        return [f"built {len(self.packages)} register package(s) from {len(self.accounting)} source(s){named}{reused}:",
                *(f"  {pkg.register.id} {pkg.register.slug:<24} {pkg.register.status:<15} "
                  f"{pkg.zip_path.relative_to(release.root)}" for pkg in self.packages),
                "rows: " + ", ".join(f"{name} {count}" for name, count in self.counts.items()),
                f"quarantined records: {self.quarantined} ({self.identical_duplicates} identical duplicates)",
                *(f"note: {one_line_text(line)}" for line in self.notes(release)),
                f"findings: {findings}",
                f"database: {self.database.relative_to(release.root)}  ({self.seconds:.1f} s)"]

    def notes(self, release: Release) -> list[str]:
        """Every ``note:`` line of the build's summary: :meth:`unloaded`, :meth:`stamped_later`,
        :meth:`retrieved_earlier`, :meth:`withheld_published` and :meth:`no_origin`, in that order, after
        :meth:`interruptions`.

        :param release: the release this result is of.
        """
        return (self.interruptions() + self.unloaded() + self.stamped_later(release.sources)
                + self.retrieved_earlier(release.sources) + self.withheld_published(release.registers)
                + self.no_origin(release.sources))

    def interruptions(self) -> list[str]:
        """A line when an earlier build was killed while it put its release in place, which this one finished first,
        and one when this build was interrupted (Ctrl-C) while it put its own in place (review BX L1: both went
        unsaid; the second said "Aborted!" over a release in place)."""
        lines = []
        if self.recovered:
            lines.append("an earlier build was stopped while it put its release in place: this build finished that "
                         "first, then built its own")
        if self.interrupted:
            lines.append("interrupted (Ctrl-C) while the new release was put in place: that was finished, and the "
                         "new release is in place")
        if self.not_removed:
            lines.append(f"{self.not_removed}: could not be removed with the release this build replaced (in "
                         f"{BUILD_DIR}/{STAGING}/): remove it with the account that owns it; the next build sets "
                         "what is left aside")
        return lines

    @staticmethod
    def no_origin(sources: Iterable[Source]) -> list[str]:
        """A line for each source, not synthetic, that names no ``origin``: the register page and the package give
        its origin blank, and a reader cannot tell where the figures came from (review BZ M4: the README's own first
        release published third-party scrapes so, and the build said nothing)."""
        return [f"{source.path}: no origin recorded, so the site and the package say nothing of where it came from: "
                "give it 'origin:' (where the file was obtained: a web address, a request's reference) and "
                "'retrieved:' in metadata.yml" for source in sources if not source.synthetic and not source.origin]

    def withheld_published(self, registers: Iterable[Register]) -> list[str]:
        """A line for each exempted or pending register whose package publishes data: the sources it lists (which it
        may: independent observations) are published whatever its status. A team recording a ruling that upheld an
        exemption may mean to withdraw the data; the build said nothing (review BT M1).

        :param registers: the release's registers (:attr:`Release.registers`).
        """
        rows = {p.register.id: p.rows for p in self.packages}
        lines = []
        for register in registers:
            held = {t: n for t in _DATA_TABLES if (n := rows.get(register.id, {}).get(t, 0))}
            if register.status not in RELEASING and held:
                data = ", ".join(f"{n:,} {table} rows" for table, n in held.items())
                lines.append(f"register {register.id} is {register.status} but publishes the data of its "
                             f"{len(register.sources)} source(s) ({data}): remove them from metadata.yml to withhold "
                             "it")
        return lines

    @staticmethod
    def retrieved_earlier(sources: Iterable[Source]) -> list[str]:
        """A line for each source whose ``snapshot`` is a day after the day it was ``retrieved`` (in the offset
        ``retrieved`` is written in): an export cannot describe a day after it was fetched; most likely the snapshot
        was corrected to the wrong day (review BT L4)."""
        return [f"{source.path}: its snapshot {source.snapshot} is after the day it was retrieved "
                f"({source.retrieved}): is the snapshot the day it was captured?"
                for source in sources if source.snapshot and source.retrieved
                and source.snapshot[:10] > str(source.retrieved)[:10]]


class _Cancelled(Exception):
    """The build failed while the packages waited for a table."""


class _FindingsGate:
    """The packaging thread starts before the rules have written ``findings``: it waits here for them."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.cancelled = False

    def open(self) -> None:
        """The rules have committed ``findings``."""
        self.ready.set()

    def cancel(self) -> None:
        """The build failed: let the thread through, raising."""
        self.cancelled = True
        self.ready.set()

    def wait(self, table: str) -> None:
        """Return once ``table`` is final (:data:`releasekit.package.Ready`)."""
        if table == "findings":
            self.ready.wait()
        if self.cancelled:
            raise _Cancelled(table)


class _Packaging(threading.Thread):
    """:func:`~releasekit.package.write_packages` in a thread, on its own connection to the staged database."""

    def __init__(self, release: Release, database: Path, inputs: str, out_dir: Path, gate: _FindingsGate) -> None:
        super().__init__(name="releasekit-packages", daemon=True)
        self.args = (release, database, inputs, out_dir)
        self.gate = gate
        self.packages: list[PackageResult] = []
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        release, database, inputs, out_dir = self.args
        try:
            db = open_reader(database)
            try:
                self.packages = write_packages(release, db, inputs, out_dir, self.gate.wait)
            finally:
                db.close()
        except BaseException as e:  # noqa: BLE001 - handed to the build thread by result()
            self.error = e

    def result(self) -> list[PackageResult]:
        """The packages written (after :meth:`join`), or the thread's error raised here."""
        if self.error is not None:
            raise self.error
        return self.packages


def load_order(files: list[SourceFile]) -> list[SourceFile]:
    """Region lists first (so results find their places named), then results; each in declared order."""
    return sorted(files, key=lambda f: not READERS[f.source.format].places_first(f.source))


#: What an operating-system error that names no file means when a build writes: the disk, not releasekit.
WRITE_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def build(release: Release, *, progress: BuildProgress | None = None, clean: bool = False) -> BuildResult:
    """Build the release database and every register's package.

    Sources an earlier build loaded are taken from its cache (:mod:`releasekit.buildcache`); the
    result is the same, byte for byte.

    :param release: a loaded project (:func:`releasekit.load_release`).
    :param progress: optional receiver of per-source progress.
    :param clean: load every source and compare every pair of days again; the cache is replaced only when the
        build succeeds.
    :raises ReleasekitError: when a source is missing or changed (nothing is written then).
    """
    try:
        with bounded_cells():  # (a raw CSV's quoted cell is read up to 64 MiB, as validate reads a package's)
            return _build_staged(release, progress or _Quiet(), clean)
    except (sqlite3.Error, OSError) as e:
        if not (sqlite_machine_failure(e) or isinstance(e, OSError) and e.filename is None
                and e.errno in WRITE_FAILURES):
            raise
        # The machine failed a write (a full disk, a quota, a file-size limit) where the error names no file:
        # every file a build writes is in its staging folder, thrown away with the failed build.
        if isinstance(e, OSError):
            code, reason = errno.errorcode.get(e.errno or 0), e.strerror or str(e)
        else:
            code, reason = getattr(e, "sqlite_errorname", None), str(e)
        raise MachineError(f"{BUILD_DIR}/{STAGING}: {reason}{f' ({code})' if code else ''} while building the "
                           "new release; the previous release is untouched",
                           hint=OS_HINTS[errno.ENOSPC] + ", then build again") from e


def _build_staged(release: Release, progress: BuildProgress, clean: bool) -> BuildResult:
    with release_lock(release.root), Stage(release.root) as stage:
        result, caches = _build(release, stage, progress, clean)
        # The PII gate (DESIGN.md section 7): a refused stage is thrown away, with what the build would have
        # kept in its cache. _build scanned the database; the staged copies of the database as loaded and the
        # new pairs' changes hold only rows that are in it (rows loaded stay; a pair's rows are all copied in);
        # the locators name places in the project's raw files (buildcache.SourceCache.staged_copies).
        copies = [copy for cache in caches for copy in cache.staged_copies()]
        refuse_niks_in_tree(stage.dir, scanned_already=(stage.database, *copies))
        # The caches move out of the staging folder once the journal says this release wins, before the swap
        # (which throws the staging folder away): a build killed or failing before it keeps nothing.
        stage.commit(keep=lambda: _keep(caches))
        result.recovered, result.interrupted = stage.recovered, stage.interrupted
        if stage.not_removed is not None:
            result.not_removed = mask_niks(release.named(Path(stage.not_removed)))
    packages_dir = release.root / PACKAGES_DIR
    result.packages = [replace(p, folder=packages_dir / p.folder.name, zip_path=packages_dir / p.zip_path.name)
                       for p in result.packages]
    return result


def _keep(caches: tuple[SourceCache, PairCache]) -> None:
    """Move what the build caches for the next one into ``build/cache/``, if it can: the new release has won (its
    journal is written), and a cache that cannot be kept (a full disk) costs the next build a read of its sources,
    never a wrong byte (each file is checked against its SHA-256 before use); the failure is not the build's."""
    for cache in caches:
        try:
            cache.commit()
        except OSError:
            return


def _build(release: Release, stage: Stage, report: BuildProgress, clean: bool
           ) -> tuple[BuildResult, tuple[SourceCache, PairCache]]:
    """Everything a build writes, written into ``stage``; the result, and the build caches it staged entries in."""
    started = time.perf_counter()
    source_date_epoch()  # a malformed one stops the build before anything is read
    declared = check_sources(release)
    inputs = inputs_sha256(release, declared)
    files = load_order(declared)
    final = release.root / BUILD_DIR / DATABASE_FILE
    used = sorted({s.election for s in release.sources if s.election}
                  | {e["kode_pemilu"] for e in release.raw.get("elections", [])})
    elections = [release.elections[k] for k in used]
    cache = SourceCache(release.root / BUILD_DIR, files, elections, stage.dir / CACHE_DIR, fresh=clean)
    lokasi = stage.dir / "lokasi.db"
    cached, accounting = cache.longest()
    for file in files[cached:]:  # (a mapping's typo fails now, not after the sources before it are read again)
        with located(SourceError, path=file.source.path, place=file.source.key_path):
            preflight(release, file)
    if cached and not cache.restore(cached, stage.database, lokasi):
        cached, accounting = 0, {}  # (a cached file damaged or edited: every source is read again)
    db = open_database(stage.database)
    try:
        if not cached:
            create_schema(db, indexes=False)
        loader = Loader(db, lokasi)
        if not cached:
            loader.load_elections(elections)
        for n, file in enumerate(files[cached:], start=cached + 1):
            report.start(file.source.path, file.bytes)
            try:
                with located(SourceError, path=file.source.path, place=file.source.key_path):
                    accounting[file.source.path] = loader.load_source(release, file, report.update)
            finally:  # (a failure or Ctrl-C too: a terminal's bar gives its cursor and its line back, review BU M1)
                report.finish()
            if n == cache.limit:
                cache.store(n, stage.database, lokasi, accounting)
        loader.forget_locators()  # only the loading needed them; they are not part of the release
        lokasi.unlink()
        create_indexes(db)
        loader.derive_places()
        pairs = PairCache(release.root / BUILD_DIR, files, elections, stage.dir / CACHE_DIR, fresh=clean)
        record_snapshots(db, pairs)  # before the packaging thread starts: every package holds the changes
        # Every table but the findings is final: a thread writes the packages (Python formatting CSV, zlib
        # compressing) from here on, on a connection of its own, waiting for the rules' findings (_FindingsGate),
        # while SQLite runs the rules, makes the summaries and scans for NIKs here; the build uses both
        # cores. In WAL mode a reader and a writer do not wait for each other.
        db.execute("PRAGMA journal_mode = WAL")
        gate = _FindingsGate()
        packaging = _Packaging(release, stage.database, inputs, stage.packages, gate)
        try:
            # (total-decreased leaves out the TPS a day quarantined the records of)
            findings = run_rules(db, release, database=stage.database, unreadable=unreadable_tps(db.conn))
            gate.open()
            summarize(db)
            create_search(db)
            counts = table_counts(db)
            # The database is final: the gate's scan of it runs here, beside the packaging (SQLite and
            # Python's CSV writer, one core each); build() scans every other staged file afterwards.
            refuse_niks_in_database(stage.database, stage.database.relative_to(stage.dir).as_posix(), db.conn)
        except BaseException:
            gate.cancel()
            raise
        finally:
            packaging.join()  # never leave it writing into a stage that is about to be thrown away
        packages = packaging.result()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode = DELETE")  # one self-contained file again
    finally:
        db.close()
    check_unchanged(declared)  # what was loaded is what was hashed
    write_stamps(declared, stage.build_dir / STAMPS_FILE)  # (moved into build/ with release.db)
    result = BuildResult(final, packages, counts, accounting, inputs, findings, time.perf_counter() - started,
                         cached)
    return result, (cache, pairs)
