"""What ``releasekit diff`` compares: a built database, a package folder or ``.zip``, or a project's snapshot.

Every side offers the same three things: which (election, snapshot) pairs it
holds with their TPS counts, a stream of one snapshot's TPS in ``kode_tps``
order (:mod:`releasekit.compare`), and, when it can give them cheaply, the
snapshot's totals per candidate. A package is read straight from its CSVs (from
the zip without unpacking), in the primary-key order ``releasekit build``
writes them, so a published release and a new build are compared without
loading either into a database.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Protocol, TextIO

from .compare import VALUE_COLUMNS, HasilRow, SuaraRow, TpsRow, db_rows, tps_rows
from .errors import ReleasekitError

DESCRIPTOR = "datapackage.json"
#: (kode_pemilu, snapshot)
SnapshotKey = tuple[str, str]
#: nomor_urut → Σ votes
Totals = dict[int, int]


class DiffError(ReleasekitError):
    """A side of a diff cannot be opened or holds no such snapshot."""


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

    def close(self) -> None:
        """Release files."""


def _select(found: dict[SnapshotKey, int | None], only: str | None, label: str) -> dict[SnapshotKey, int | None]:
    if only is None:
        return found
    chosen = {k: n for k, n in found.items() if k[1] == only}
    if not chosen:
        known = ", ".join(sorted({k[1] for k in found})) or "none"
        raise DiffError(f"{label}: no snapshot '{only}'", hint=f"snapshots here: {known}")
    return chosen


class DatabaseSide:
    """A SQLite database with releasekit's tables (``build/release.db``), opened read-only."""

    def __init__(self, path: Path, label: str, only: str | None = None) -> None:
        self.label = label
        self.only = only
        try:
            self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as e:
            raise DiffError(f"{label}: not a SQLite database ({e})", hint="give build/release.db or a package") from e
        if not {"hasil_tps", "suara"} <= tables:
            raise DiffError(f"{label}: no hasil_tps/suara tables", hint="is this a releasekit release.db?")
        self.tables = tables

    def snapshots(self) -> dict[SnapshotKey, int | None]:
        found: dict[SnapshotKey, int | None] = {}
        if "snapshots" in self.tables:  # counted at build time
            found = {(k, s): n for k, s, n in self.conn.execute(
                "SELECT kode_pemilu, snapshot, sum(tps) FROM snapshots GROUP BY 1, 2 ORDER BY 1, 2")}
        if not found:  # a database from an older build, or one loaded by other means
            found = {(k, s): n for k, s, n in self.conn.execute(
                "SELECT kode_pemilu, snapshot, count(*) FROM hasil_tps GROUP BY 1, 2 ORDER BY 1, 2")}
        return _select(found, self.only, self.label)

    def count(self, key: SnapshotKey) -> int:
        return int(self.conn.execute("SELECT count(*) FROM hasil_tps WHERE kode_pemilu = ? AND snapshot = ?",
                                     key).fetchone()[0])

    def rows(self, key: SnapshotKey, totals: Totals | None = None) -> Iterator[TpsRow]:
        return db_rows(self.conn, key[0], key[1], label=self.label)

    def totals(self, key: SnapshotKey) -> Totals | None:
        found: Totals = {}
        if "snapshot_votes" in self.tables:
            found = {n: s or 0 for n, s in self.conn.execute(
                "SELECT nomor_urut, sum(suara) FROM snapshot_votes WHERE kode_pemilu = ? AND snapshot = ? "
                "GROUP BY nomor_urut", key)}
        return found or {n: s or 0 for n, s in self.conn.execute(
            "SELECT nomor_urut, sum(suara) FROM suara WHERE kode_pemilu = ? AND snapshot = ? "
            "GROUP BY nomor_urut", key)}

    def close(self) -> None:
        self.conn.close()


class PackageSide:
    """A data package, as a folder or a ``.zip``: its CSV resources streamed in primary-key order."""

    def __init__(self, path: Path, label: str, only: str | None = None) -> None:
        self.label = label
        self.only = only
        self.zip: zipfile.ZipFile | None = None
        if path.is_file() and path.name != DESCRIPTOR:
            try:
                self.zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile as e:
                raise DiffError(f"{label}: not a zip archive ({e})", hint="download the package again") from e
            names = sorted((n for n in self.zip.namelist() if PurePosixPath(n).name == DESCRIPTOR),
                           key=lambda n: (n.count("/"), n))
            if not names:
                raise DiffError(f"{label}: no {DESCRIPTOR} inside", hint="is this a data package zip?")
            self.root = str(PurePosixPath(names[0]).parent)
            text = self.zip.read(names[0]).decode("utf-8")
        else:
            folder = path.parent if path.name == DESCRIPTOR else path
            self.folder = folder
            text = (folder / DESCRIPTOR).read_text(encoding="utf-8")
        try:
            descriptor = json.loads(text)
            self.paths = {r["name"]: r["path"] for r in descriptor["resources"]
                          if isinstance(r, dict) and isinstance(r.get("path"), str)}
        except (ValueError, KeyError, TypeError) as e:
            raise DiffError(f"{label}: {DESCRIPTOR} is not a data package descriptor ({e})",
                            hint="run 'releasekit validate' on it") from e
        self._totals: dict[SnapshotKey, Totals] | None = None
        self._handles: list[TextIO] = []

    def _open(self, resource: str) -> TextIO:
        path = self.paths[resource]
        if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts or "://" in path:
            raise DiffError(f"{self.label}: resource {resource} has an unsafe path {path!r}",
                            hint="validate the package first")
        if self.zip is not None:
            member = path if self.root in ("", ".") else f"{self.root}/{path}"
            return io.TextIOWrapper(self.zip.open(member), encoding="utf-8", newline="")
        handle: TextIO = (self.folder / path).open(encoding="utf-8", newline="")
        return handle

    def _reader(self, resource: str) -> Iterator[list[str]]:
        if resource not in self.paths:
            return iter(())
        handle = self._open(resource)
        self._handles.append(handle)
        return csv.reader(handle)

    def _columns(self, resource: str, rows: Iterator[list[str]], needed: tuple[str, ...]) -> dict[str, int]:
        header = next(rows, None) or []
        index = {name: i for i, name in enumerate(header)}
        missing = [c for c in needed if c not in index]
        if missing:
            raise DiffError(f"{self.label}: {resource}.csv has no column {', '.join(missing)}",
                            hint="is this a releasekit real-count package?")
        return index

    def _from_sources(self) -> SnapshotKey | None:
        """The one (election, snapshot) every source with an election describes, if there is one.

        Every ``hasil_tps`` row takes its source's election and snapshot, so a package whose
        sources name a single pair holds that snapshot or none: no pass over the results.
        """
        if "sources" not in self.paths:
            return None
        rows = self._reader("sources")
        index = self._columns("sources", rows, ("election", "snapshot"))
        pairs = {(row[index["election"]], row[index["snapshot"]]) for row in rows if row[index["election"]]}
        return next(iter(pairs)) if len(pairs) == 1 else None

    def count(self, key: SnapshotKey) -> int:
        rows = self._reader("hasil_tps")
        index = self._columns("hasil_tps", rows, ("kode_pemilu", "snapshot"))
        k, s = index["kode_pemilu"], index["snapshot"]
        return sum(1 for row in rows if row[s] == key[1] and row[k] == key[0])

    def snapshots(self) -> dict[SnapshotKey, int | None]:
        counts: Counter[SnapshotKey] = Counter()
        if "snapshots" in self.paths:  # counted at build time
            rows = self._reader("snapshots")
            index = self._columns("snapshots", rows, ("kode_pemilu", "snapshot", "tps"))
            k, s, n = index["kode_pemilu"], index["snapshot"], index["tps"]
            for row in rows:
                counts[(row[k], row[s])] += int(row[n] or 0)
        else:  # an older package
            single = self._from_sources()
            if single is not None:
                return _select({single: None}, self.only, self.label)
            rows = self._reader("hasil_tps")
            index = self._columns("hasil_tps", rows, ("kode_pemilu", "snapshot"))
            k, s = index["kode_pemilu"], index["snapshot"]
            for row in rows:
                counts[(row[k], row[s])] += 1
        return _select(dict(sorted(counts.items())), self.only, self.label)

    def _hasil(self, key: SnapshotKey) -> Iterator[HasilRow]:
        rows = self._reader("hasil_tps")
        index = self._columns("hasil_tps", rows, ("kode_pemilu", "snapshot", "kode_tps"))
        k, s, t, src = index["kode_pemilu"], index["snapshot"], index["kode_tps"], index.get("sumber")
        positions = [index.get(c) for c in VALUE_COLUMNS]
        if None in positions:  # an older package: a column it lacks compares as empty
            def values(row: list[str]) -> tuple[str, ...]:
                return tuple("" if i is None else row[i] for i in positions)
        else:
            values = itemgetter(*positions)  # type: ignore[assignment]
        for row in rows:
            if row[s] == key[1] and row[k] == key[0]:
                yield row[t], values(row), "" if src is None else row[src]

    def _suara(self, key: SnapshotKey) -> Iterator[SuaraRow]:
        if "suara" not in self.paths:
            return
        rows = self._reader("suara")
        index = self._columns("suara", rows, ("kode_pemilu", "snapshot", "kode_tps", "nomor_urut", "suara"))
        k, s, t, n, v = (index[c] for c in ("kode_pemilu", "snapshot", "kode_tps", "nomor_urut", "suara"))
        for row in rows:
            if row[s] == key[1] and row[k] == key[0]:
                yield row[t], row[n], row[v]

    def rows(self, key: SnapshotKey, totals: Totals | None = None) -> Iterator[TpsRow]:
        if "hasil_tps" not in self.paths:
            raise DiffError(f"{self.label}: no hasil_tps resource", hint="this package holds no per-TPS results")
        return tps_rows(self._hasil(key), self._suara(key), self.label, totals)

    def totals(self, key: SnapshotKey) -> Totals | None:
        if "snapshot_votes" not in self.paths:
            return None
        if self._totals is None:
            self._totals = {}
            rows = self._reader("snapshot_votes")
            # tps is not read, but a resource without it is not releasekit's snapshot_votes
            index = self._columns("snapshot_votes", rows, ("kode_pemilu", "snapshot", "nomor_urut", "suara", "tps"))
            for row in rows:
                found = self._totals.setdefault((row[index["kode_pemilu"]], row[index["snapshot"]]), {})
                nomor = int(row[index["nomor_urut"]])
                found[nomor] = found.get(nomor, 0) + int(row[index["suara"]] or 0)
        return self._totals.get(key, {})

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        if self.zip is not None:
            self.zip.close()


def _open_path(path: Path, label: str, only: str | None) -> Side:
    if path.is_dir():
        if (path / DESCRIPTOR).is_file():
            return PackageSide(path, label, only)
        if (path / "metadata.yml").is_file():
            db = path / "build" / "release.db"
            if not db.is_file():
                raise DiffError(f"{label}: no build/release.db in this project", hint="run 'releasekit build' first")
            return DatabaseSide(db, label, only)
        raise DiffError(f"{label}: neither a package folder nor a project",
                        hint=f"give a folder with {DESCRIPTOR} or metadata.yml, a .zip, or a .db")
    if path.name == DESCRIPTOR or path.suffix == ".zip":
        return PackageSide(path, label, only)
    with path.open("rb") as handle:
        magic = handle.read(16)
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
        return _open_path(Path(base), spec, snapshot)
    if "/" in spec or "\\" in spec or spec.endswith((".zip", ".json", ".db")):  # never a snapshot id
        raise DiffError(f"{spec}: no such file or folder", hint="check the path")
    db = Path(project) / "build" / "release.db"
    if not db.is_file():
        where = "this folder" if str(project) == "." else str(project)
        raise DiffError(f"{spec}: not a path, and {where} has no build/release.db to find the snapshot in",
                        hint="give a package folder or .zip, or run 'releasekit build' (or pass --project)")
    return DatabaseSide(db, f"{spec} ({db})", spec)
