"""``releasekit diff`` of two packages of many days (review BK M1): each resource is read about twice, not once a day.

A package side reads a snapshot's rows from ``hasil_tps.csv`` and ``suara.csv``; it read each from the start for
every snapshot it compared, so two packages of D days cost D passes over each (23 s for 40 days of 5,000 TPS in the
reviewer's run, against 2 s between the two databases). The reports must stay those of the databases, for a package
written as releasekit writes it (each snapshot's rows in one run) and for one whose snapshots are interleaved.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke
from releasekit import build, load_release
from releasekit import sides as sides_module
from twodays import T, record

DAYS = tuple(f"2024-02-{day:02}" for day in range(15, 23))  # 8 days


def _sources(shift: int) -> list[dict[str, Any]]:
    """8 daily captures of one village's 6 TPS, a vote changing somewhere each day (``shift`` moves where)."""
    out = []
    for n, day in enumerate(DAYS):
        raw = {}
        for tps in range(1, 7):
            if (tps + n) % 5 == 0:  # a TPS missing that day
                continue
            votes = (10 * tps + (n if (tps + n + shift) % 3 == 0 else 0), 20, tps)
            raw[f"{T}{tps}.json"] = record(None if (tps, n) == (2, 0) else votes, f"{day} 10:00:00")
        out.append({"raw": raw, "name": f"tps_{day}", "format": "sirekap-tps-json", "election": "ppwp-2024",
                    "snapshot": day})
    return out


@pytest.fixture(scope="module")
def two_builds(make_project: Any) -> tuple[Path, Path]:
    """Two projects of the same 8 days whose votes differ on some days."""
    projects = []
    for shift in (0, 1):
        project = make_project({"real-count": _sources(shift)})
        build(load_release(project))
        projects.append(project)
    return projects[0], projects[1]


def _report(old: Path, new: Path) -> dict[str, Any]:
    result = invoke("diff", old, new, "--format", "json", "--limit", "0")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    del data["old"], data["new"]  # (the sides' names differ; what they hold must not)
    return data


class _Counted:
    """Counts the CSV rows package sides read (every row of every resource opened)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        real = sides_module._Csv.__iter__

        def counted(table: Any) -> Iterator[list[str]]:
            for row in real(table):
                self.rows += 1
                yield row

        monkeypatch.setattr(sides_module._Csv, "__iter__", counted)


def _rows_in(package: Path, *resources: str) -> int:
    total = 0
    for resource in resources:
        with (package / "data" / f"{resource}.csv").open(encoding="utf-8", newline="") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def test_two_packages_of_many_days_report_what_their_databases_do(two_builds: tuple[Path, Path],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = two_builds
    from_databases = _report(old / "build" / "release.db", new / "build" / "release.db")
    assert len(from_databases["comparisons"]) == len(DAYS) and from_databases["differs"] is True
    assert sum(p["votes_changed"] for p in from_databases["comparisons"]) > 0
    counted = _Counted(monkeypatch)
    folders = old / "datapackages" / "real-count", new / "datapackages" / "real-count"
    assert _report(*folders) == from_databases
    # each side reads hasil_tps and suara about twice (the first day's read goes through every row, and one more
    # pass goes on from day to day), with the small tables besides; from the start each day, it was 8 times
    results = sum(_rows_in(folder, "hasil_tps", "suara") for folder in folders)
    others = sum(_rows_in(folder, "snapshots", "sources", "snapshot_votes", "quarantine") for folder in folders)
    assert counted.rows <= 2 * results + 3 * others, (counted.rows, results, others)
    counted.rows = 0
    zips = old / "datapackages" / "real-count.zip", new / "datapackages" / "real-count.zip"
    assert _report(*zips) == from_databases
    assert counted.rows <= 2 * results + 3 * others


def _interleave(package: Path, into: Path) -> Path:
    """A copy of ``package`` whose ``hasil_tps`` and ``suara`` rows are sorted by TPS first, snapshot second: each
    snapshot's rows still in TPS order, but the snapshots interleaved."""
    shutil.copytree(package, into)
    for resource in ("hasil_tps", "suara"):
        path = into / "data" / f"{resource}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        t, s = header.index("kode_tps"), header.index("snapshot")
        rows.sort(key=lambda row: (row[t], row[s], row))
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return into


def test_a_package_whose_snapshots_are_interleaved_is_read_whole_for_each(two_builds: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    """A package written by another tool may hold its snapshots' rows in any order, each day's in TPS order: every
    snapshot is still found whole (read from the start for each, as before)."""
    old, new = two_builds
    from_databases = _report(old / "build" / "release.db", new / "build" / "release.db")
    mixed_old = _interleave(old / "datapackages" / "real-count", tmp_path / "old")
    mixed_new = _interleave(new / "datapackages" / "real-count", tmp_path / "new")
    assert _report(mixed_old, mixed_new) == from_databases
    assert _report(mixed_old, new / "datapackages" / "real-count") == from_databases


def test_days_compared_out_of_order_or_one_of_them_are_found_whole(two_builds: tuple[Path, Path]) -> None:
    """A side asked for an earlier snapshot after a later one reads from the start again; ``PATH@SNAPSHOT`` reads
    one day."""
    from releasekit.sides import open_side

    old, _ = two_builds
    folder = old / "datapackages" / "real-count"
    side, database = open_side(str(folder)), open_side(str(old / "build" / "release.db"))
    try:
        keys = list(side.snapshots())
        assert keys == list(database.snapshots()) and len(keys) == len(DAYS)
        for key in (keys[3], keys[5], keys[1], keys[1], keys[7], keys[0]):
            assert list(side.rows(key)) == list(database.rows(key)), key
    finally:
        side.close()
        database.close()
    for day in (DAYS[0], DAYS[4], DAYS[-1]):
        at_day = _report(Path(f"{folder}@{day}"), Path(f"{old / 'build' / 'release.db'}@{day}"))
        assert at_day["differs"] is False and len(at_day["comparisons"]) == 1
