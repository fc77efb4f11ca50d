"""Incremental builds: reuse the sources an earlier build already loaded (``build/cache/``).

Sources load one after another into the release database, in :func:`releasekit.build.load_order`.
After the last source that may be cached, the build keeps a copy of the database as it is at that
moment (plus the locators of its rows, which point duplicates at the record kept, and each
source's accounting) under ``build/cache/`` (staged, and moved there once the release passed the PII
gate: :meth:`SourceCache.commit`), named by a key that chains, source by source:

* the code that loads (a fingerprint of ``ingest`` and every module it imports, the readers … and
  the releasekit version; Python, SQLite, zlib, orjson and sqlite-utils versions), the elections the release uses;
* each source's ``sha256``, its reader's name and version, and its declaration in
  ``metadata.yml`` (path, election, snapshot, titles, the ``csv``/``dpt`` mapping …).

The next build finds the longest run of leading sources whose key has a copy, starts from that
copy, and loads only the sources after it. Adding a daily snapshot to a project therefore reads
only that snapshot. Loading is a sequence of transactions that depends only on what was loaded
before, so a build that starts from a copy writes the same bytes as a build from nothing (the
tests compare the two). ``releasekit build --clean`` (``fresh``) reads nothing from the cache, and
its commit replaces all of it: a clean build that is refused or fails leaves the cache as it was.

Each consecutive pair of snapshots' ``changes`` rows (the slowest step after loading: a comparison of
two days TPS by TPS) is kept too, under ``build/cache/changes/``, when each of the two days comes from one
source: named by the two sources' declarations (as above), the register, the election and the code that
loads and compares. Adding a day then compares only the new pair.

Every file the cache keeps is checked against the SHA-256 recorded when it was kept before it is used: a file
damaged on disk or edited (``sqlite3 build/cache/….db "UPDATE …"``) is read again from the sources, never published.

A source whose reader is not ``cacheable`` (the voter list, ``dpt-csv``: its duplicate-NIK checks
use a secret made for each build, which must not outlive it) is never cached, nor anything after it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
import zlib
from contextlib import closing
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .elections import Election
from .ingest import Accounting
from .links import own_folder
from .piigate import SQLITE_MAGIC
from .provenance import SourceFile, sha256_file
from .readers import READERS

CACHE_DIR = "cache"
#: Code whose change makes every cached database stale (modules and packages of releasekit): ``ingest`` and
#: everything it imports (a test walks the imports to keep this complete), the build that drives it and this cache.
LOADING_CODE = ("ingest.py", "config.py", "csvlimit.py", "metadatafile.py", "links.py", "database.py", "tables.py",
                "dpt.py", "nik.py", "elections.py", "errors.py", "forked.py", "piigate.py", "privacy.py",
                "provenance.py", "readahead.py", "readers", "rules", "build.py", "buildcache.py")
#: Code whose change makes every cached pair of snapshots' changes stale.
CHANGES_CODE = (*LOADING_CODE, "compare.py", "changes.py", "snapshots.py")
CHANGES_DIR = "changes"
#: The suffix of the file beside each pair's file that records its SHA-256.
DIGEST_SUFFIX = ".sha256"
#: Bytes read at a time by :func:`copy_hashed`.
_BLOCK = 1 << 22
#: The names of the files each cache writes: a build deletes no other file in its folders (where ``build/``, or the
#: cache, is a link to a folder of other files, those files stay: review BB #1).
ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.(?:db|lokasi\.db|json)")
PAIR_NAME = re.compile(r"[0-9a-f]{64}\.db(?:\.sha256(?:\.tmp)?)?")



def copy_hashed(source: Path, target: Path) -> str:
    """The SHA-256 of ``source``, copied to ``target`` on the way (one read of the file)."""
    digest = hashlib.sha256()
    buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    with source.open("rb") as reader, target.open("wb") as writer:
        while size := reader.readinto(buffer):
            digest.update(view[:size])
            writer.write(view[:size])
    return digest.hexdigest()


def runtime() -> str:
    """What besides releasekit's code decides the bytes loaded: Python (its ``json`` error texts go into the
    quarantine), SQLite (it lays out the pages), zlib (its error texts, for damaged archives) and the libraries
    that read and write."""
    versions = [f"python {sys.version}", f"sqlite {sqlite3.sqlite_version}", f"zlib {zlib.ZLIB_RUNTIME_VERSION}"]
    versions += [f"{name} {metadata.version(name)}" for name in ("orjson", "sqlite-utils")]
    return "\0".join(versions)


def code_fingerprint(code: tuple[str, ...] = LOADING_CODE) -> str:
    """SHA-256 over the source files of the code that loads records (or of other modules and packages), and
    the :func:`runtime` it runs on."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\0{runtime()}".encode())  # (this module is fingerprinted: no format number)
    for name in code:
        path = here / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(here).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


#: What a source's declaration holds that does not change what it loads: where it is listed and how the project was
#: given; its pin (a guard: the hash read is ``SourceFile.sha256``, in the key) and its licences (written into the
#: packages, never into the database). Pinning a file, as the README advises, kept every source read again and every
#: pair compared again (review BT M2).
NOT_LOADED = ("index", "register_index", "config", "sha256", "licenses")


def _declaration(file: SourceFile) -> dict[str, Any]:
    declared = dataclasses.asdict(file.source)
    for name in NOT_LOADED:
        declared.pop(name, None)
    reader = READERS[file.source.format]
    return {"sha256": file.sha256, "bytes": file.bytes, "reader": [reader.name, reader.version],
            "source": declared}


def chain_keys(files: list[SourceFile], elections: list[Election]) -> list[str]:
    """``keys[i]``: the key of the database after loading ``files[: i + 1]`` (in load order)."""
    head = json.dumps({"code": code_fingerprint(), "elections": [dataclasses.asdict(e) for e in elections]},
                      sort_keys=True, default=str)
    key = hashlib.sha256(head.encode()).hexdigest()
    keys = []
    for file in files:
        link = json.dumps(_declaration(file), sort_keys=True, default=str)
        key = hashlib.sha256(f"{key}\0{link}".encode()).hexdigest()
        keys.append(key)
    return keys


class SourceCache:
    """The cached databases of one project (``build/cache/``).

    What a build stores is written into its staging folder (``staged``) and moved into ``build/cache/`` by
    :meth:`commit`, after the PII gate passed the release: a build that is refused, fails or is killed keeps
    nothing for the next one (a copy of what it loaded could hold the very values the gate refuses).
    """

    def __init__(self, build_dir: Path, files: list[SourceFile], elections: list[Election], staged: Path,
                 *, fresh: bool = False) -> None:
        self.dir = own_folder(build_dir / CACHE_DIR)
        self.staged = staged
        self.files = files
        #: ``--clean``: nothing cached is used, and :meth:`commit` drops every entry this build did not write.
        self.fresh = fresh
        self.keys = chain_keys(files, elections)
        cacheable = [READERS[f.source.format].cacheable for f in files]
        #: Sources ``files[:limit]`` may be cached; nothing from the first voter list on.
        self.limit = cacheable.index(False) if False in cacheable else len(files)
        #: The key :meth:`store` wrote into the staging folder in this build, if any.
        self.stored: str | None = None

    def _paths(self, key: str, folder: Path | None = None) -> tuple[Path, Path, Path]:
        folder = folder or self.dir
        return folder / f"{key}.db", folder / f"{key}.lokasi.db", folder / f"{key}.json"

    def longest(self) -> tuple[int, dict[str, Accounting]]:
        """How many leading sources a cached database holds (0: none, and always 0 when :attr:`fresh`), and their
        accounting."""
        if not self.fresh:
            for n in range(self.limit, 0, -1):
                saved = self._saved(self.keys[n - 1])
                if saved is not None:
                    return n, saved[0]
        return 0, {}

    def _saved(self, key: str) -> tuple[dict[str, Accounting], tuple[str, str]] | None:
        """The sources' accounting an entry records and the SHA-256 of its two databases, or None unless its three
        files are whole (they are not synced to disk: after a power cut a database may be shorter than written, the
        ``.json`` cut short)."""
        db_file, lokasi_file, meta = self._paths(key)
        if not (whole_sqlite_file(db_file) and whole_sqlite_file(lokasi_file)):
            return None
        try:
            saved = json.loads(meta.read_text(encoding="utf-8"))
            digests = (str(saved["sha256"]["db"]), str(saved["sha256"]["lokasi"]))
            return {path: Accounting(**counts) for path, counts in saved["accounting"].items()}, digests
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def restore(self, n: int, database: Path, lokasi: Path) -> bool:
        """Copy the database after the first ``n`` sources (:meth:`longest`) into place; False (nothing copied)
        when a file is not the one stored, byte for byte: damaged on disk, or edited."""
        key = self.keys[n - 1]
        saved = self._saved(key)
        db_file, lokasi_file, _ = self._paths(key)
        if saved is not None and (copy_hashed(db_file, database), copy_hashed(lokasi_file, lokasi)) == saved[1] \
                and _accounted(database, saved[0], [f.source.path for f in self.files[:n]]):
            return True
        database.unlink(missing_ok=True)
        lokasi.unlink(missing_ok=True)
        return False

    def store(self, n: int, database: Path, lokasi: Path, accounting: dict[str, Accounting]) -> None:
        """Stage the database after the first ``n`` sources, to replace every cached one at :meth:`commit`."""
        key = self.keys[n - 1]
        self.staged.mkdir(parents=True, exist_ok=True)
        targets = self._paths(key, self.staged)
        digests = {"db": copy_hashed(database, targets[0]), "lokasi": copy_hashed(lokasi, targets[1])}
        meta = {"sources": [f.source.path for f in self.files[:n]], "sha256": digests,
                "accounting": {path: dataclasses.asdict(acc) for path, acc in accounting.items()}}
        targets[2].write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        self.stored = key

    def staged_copies(self) -> list[Path]:
        """The staged files :meth:`store` wrote that the PII gate need not read again: the database as loaded (all
        of it is in the release database, which the gate reads) and the loaded rows' locators (member paths and
        line numbers of the project's own raw files, never published; one per loaded row, so seconds of scanning
        at national scale)."""
        return list(self._paths(self.stored, self.staged)[:2]) if self.stored else []

    def commit(self) -> None:
        """Move what :meth:`store` staged into ``build/cache/``, in place of every other cached database (a build
        that stored nothing keeps the cache it used; a :attr:`fresh` one removes every other entry). Only files named
        as this cache names them (:data:`ENTRY_NAME`) are removed."""
        if self.stored is None and not self.fresh:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        targets: tuple[Path, ...] = ()
        if self.stored is not None:
            targets = self._paths(self.stored)
            for staged, target in zip(self._paths(self.stored, self.staged), targets, strict=True):
                os.replace(staged, target)  # the .json last: longest() trusts a key only with all three files
        for old in sorted(self.dir.iterdir()):  # (the pairs' folder: PairCache.commit)
            if old not in targets and ENTRY_NAME.fullmatch(old.name) and old.is_file():
                old.unlink(missing_ok=True)


def _accounted(database: Path, accounting: dict[str, Accounting], paths: list[str]) -> bool:
    """Whether an entry's accounting (its ``.json``, which no digest guards) is that of its sources: the counts the
    restored database's ``sources`` table holds (the build's summary prints them: an edited ``.json`` changed it)."""
    if sorted(accounting) != sorted(paths):
        return False
    with closing(sqlite3.connect(database)) as db:
        held = {path: (records_in, loaded, quarantined) for path, records_in, loaded, quarantined in db.execute(
            "SELECT path, records_in, records_loaded, records_quarantined FROM sources")}
    return all(held.get(path) == (a.records_in, a.records_loaded, a.records_quarantined)
               and 0 <= a.identical_duplicates <= a.records_quarantined for path, a in accounting.items())


def whole_sqlite_file(path: Path) -> bool:
    """Whether ``path`` is an SQLite database as long as its header says (cache files are not synced to disk:
    after a power cut one may be shorter than written, or empty, which SQLite would read as a database without
    tables). Both caches guard their databases with it.

    The header's page count is valid when its "version-valid-for" number equals its change counter
    (https://www.sqlite.org/fileformat.html#in_header_database_size); it always is in the files this cache
    writes, and a file whose count cannot be trusted is not either.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # (opening a pipe put there would wait for a writer for ever)
            return False
        with path.open("rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC) or header[24:28] != header[92:96]:
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    return size == page_size * int.from_bytes(header[28:32], "big")


class PairCache:
    """The cached ``changes`` rows of pairs of snapshots (``build/cache/changes/``), one SQLite file a pair.

    :meth:`pair_file` names the file of a pair: the kept one, or a new one in the staging folder
    (:func:`releasekit.changes.record_changes` writes it); :meth:`commit` moves the new ones into the cache
    (after the PII gate, as :class:`SourceCache` does) and drops the files of pairs the build no longer has.
    """

    def __init__(self, build_dir: Path, files: list[SourceFile], elections: list[Election], staged: Path,
                 *, fresh: bool = False) -> None:
        self.dir = own_folder(own_folder(build_dir / CACHE_DIR) / CHANGES_DIR)
        #: ``--clean``: every pair is compared again (and replaces its kept file at :meth:`commit`).
        self.fresh = fresh
        self.staged = staged / CHANGES_DIR
        self.files = {f.source.path: f for f in files}
        self.head = json.dumps({"code": code_fingerprint(CHANGES_CODE),
                                "elections": [dataclasses.asdict(e) for e in elections]}, sort_keys=True, default=str)
        #: Names of the pairs' files this build uses.
        self.used: set[str] = set()
        #: Each source's declaration, as pair_file names pairs by them (made once a source).
        self.declarations: dict[str, dict[str, Any]] = {}

    def pair_file(self, register: str, kode_pemilu: str, previous: str, snapshot: str, previous_source: str,
                  source: str, consulted: tuple[tuple[str, str], ...] = ()) -> Path | None:
        """The file of the changes from day ``previous`` (all of it from ``previous_source``) to ``snapshot``
        (all from ``source``), with each ``consulted`` province compared with an earlier day, all of it from the
        source given (:func:`releasekit.changes.plans`): kept (when whole: :func:`whole_sqlite_file`), or to write
        in the staging folder; None when a source is not one of the project's."""
        paths = [previous_source, source, *(path for _, path in consulted)]
        if any(path not in self.files for path in paths):
            return None
        for path in paths:
            if path not in self.declarations:
                self.declarations[path] = _declaration(self.files[path])
        link = json.dumps([self.head, register, kode_pemilu, previous, snapshot, self.declarations[previous_source],
                           self.declarations[source],
                           *([province, self.declarations[path]] for province, path in consulted)],
                          sort_keys=True, default=str)
        name = f"{hashlib.sha256(link.encode()).hexdigest()}.db"
        self.used.update((name, name + DIGEST_SUFFIX))
        if not self.fresh and self._kept(self.dir / name):
            return self.dir / name
        self.staged.mkdir(parents=True, exist_ok=True)
        return self.staged / name

    @staticmethod
    def _kept(path: Path) -> bool:
        """Whether a pair's file is whole and the one stored, byte for byte (:meth:`commit` wrote its SHA-256)."""
        digest = path.with_name(path.name + DIGEST_SUFFIX)
        try:
            return whole_sqlite_file(path) and digest.read_text(encoding="ascii").strip() == sha256_file(path)[0]
        except (OSError, ValueError):
            return False

    def staged_copies(self) -> list[Path]:
        """The pairs' files written in this build (their rows are all in the release database's ``changes``)."""
        return sorted(self.staged.glob("*.db")) if self.staged.is_dir() else []

    def commit(self) -> None:
        """Move the pairs' files written in this build into the cache; delete those of pairs no longer used."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for staged in self.staged_copies():
            digest = sha256_file(staged)[0]
            os.replace(staged, self.dir / staged.name)
            record = self.dir / (staged.name + DIGEST_SUFFIX + ".tmp")
            record.write_text(digest + "\n", encoding="ascii")
            os.replace(record, record.with_suffix(""))  # (last: a pair's file without it is not kept)
        for old in sorted(self.dir.iterdir()):
            if old.name not in self.used and PAIR_NAME.fullmatch(old.name) and not old.is_dir():
                old.unlink(missing_ok=True)
