"""``releasekit build``: every source → ``build/release.db`` → one package per register.

The database is written to a temporary file and renamed into place only when
complete, so a failed build never leaves a half-written release behind.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .config import Release
from .database import create_schema, open_database, table_counts
from .ingest import Accounting, Loader
from .package import PackageResult, write_packages
from .provenance import SourceFile, check_sources, inputs_sha256
from .readers import READERS
from .rules import run_rules

BUILD_DIR = "build"
DATABASE_FILE = "release.db"


class BuildProgress(Protocol):
    """Receives progress while sources are read (the CLI draws a bar)."""

    def start(self, label: str, total_bytes: int) -> None:
        """A source of ``total_bytes`` starts."""

    def update(self, done_bytes: int) -> None:
        """``done_bytes`` of the current source have been read."""

    def finish(self) -> None:
        """The current source is done."""


class _Quiet:
    def start(self, label: str, total_bytes: int) -> None:
        pass

    def update(self, done_bytes: int) -> None:
        pass

    def finish(self) -> None:
        pass


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

    @property
    def quarantined(self) -> int:
        """Records quarantined across all sources."""
        return sum(a.records_quarantined for a in self.accounting.values())


def load_order(files: list[SourceFile]) -> list[SourceFile]:
    """Region lists first (so results find their places named), then results; each in declared order."""
    return sorted(files, key=lambda f: not READERS[f.source.format].provides_places)


def build(release: Release, *, progress: BuildProgress | None = None) -> BuildResult:
    """Build the release database and every register's package.

    :param release: a loaded project (:func:`releasekit.load_release`).
    :param progress: optional receiver of per-source progress.
    :raises ReleasekitError: when a source is missing or changed (nothing is written then).
    """
    started = time.perf_counter()
    report = progress or _Quiet()
    files = check_sources(release)
    inputs = inputs_sha256(release, files)
    build_dir = release.root / BUILD_DIR
    build_dir.mkdir(exist_ok=True)
    final = build_dir / DATABASE_FILE
    tmp = build_dir / f"{DATABASE_FILE}.tmp"
    tmp.unlink(missing_ok=True)
    db = open_database(tmp)
    try:
        create_schema(db)
        loader = Loader(db)
        used = sorted({s.election for s in release.sources if s.election}
                      | {e["kode_pemilu"] for e in release.raw.get("elections", [])})
        loader.load_elections([release.elections[k] for k in used])
        accounting = {}
        for file in load_order(files):
            report.start(file.source.path, file.bytes)
            accounting[file.source.path] = loader.load_source(release, file, report.update)
            report.finish()
        loader.derive_places()
        findings = run_rules(db, release)
        counts = table_counts(db)
        packages = write_packages(release, db, inputs)
    finally:
        db.close()
    os.replace(tmp, final)
    return BuildResult(final, packages, counts, accounting, inputs, findings, time.perf_counter() - started)
