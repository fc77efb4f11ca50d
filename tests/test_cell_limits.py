"""How long a quoted CSV cell build and diff read: up to releasekit's :data:`~releasekit.csvlimit.CELL_LIMIT`, whatever
the calling process's csv field limit is, and that limit is put back after.

The csv module's limit is the process's: 131,072 characters unless a program (or sqlite-utils' CSV insert, which sets
``sys.maxsize``) changed it. Read under it, a 200,000-character cell was a quarantined record in a build and a refused
side in a diff (review CF H3, M3); read under ``sys.maxsize``, a cell of any size was held whole. The cases of a cell
past the limit lower :data:`~releasekit.csvlimit.CELL_LIMIT` in this process rather than write 64 MiB: in a raw CSV a
line is cut at ``textio.LINE_LIMIT`` (1 MiB) and a record at ``textio.RECORD_SIZE_LIMIT`` (4 MiB) before the csv module
reads it, so a build never meets the real 64 MiB limit; a package CSV that diff reads has no such cut.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ProjectFactory, copy_package, edit_rows, query
from releasekit import build, csvlimit, load_release
from releasekit.diff import diff
from releasekit.errors import DiffError

#: Python's own csv field limit, which a fresh process starts with.
DEFAULT_LIMIT = 128 * 1024
#: Longer than :data:`DEFAULT_LIMIT`, far under :data:`~releasekit.csvlimit.CELL_LIMIT`.
LONG = 200_000
#: What the tests of a cell past the limit lower :data:`~releasekit.csvlimit.CELL_LIMIT` to (under :data:`LONG`).
LOWERED = 150_000
VILLAGE = "3401012001"


def fresh_process(code: str) -> Any:
    """What ``code`` prints (one JSON value), run by a new Python with the csv module's default limit."""
    done = subprocess.run([sys.executable, "-c", f"import csv; assert csv.field_size_limit() == {DEFAULT_LIMIT}\n"
                           + code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def region_list(make_project: ProjectFactory, name: str) -> Path:
    """A project whose one source is a KPU region list (headerless CSVs): village :data:`VILLAGE` is named by the
    quoted cell ``name``, the next village by a short one."""
    raw = {"provinces.csv": "34,SINTETIS NUSA KIDUL\n", "regencies.csv": "3401,34,RISOSO\n",
           "districts.csv": "340101,3401,RALINRA\n",
           "villages.csv": f'{VILLAGE},340101,"{name}"\n3401012002,340101,SIDORIPU\n'}
    return make_project({"regions": [{"raw": raw, "name": "wilayah", "format": "kpu-wilayah-csv"}]})


def test_a_build_in_a_fresh_process_loads_a_cell_longer_than_the_csv_modules_default_limit_whole(
        make_project: ProjectFactory) -> None:
    """Review CF H3: what a build loaded depended on the calling process's limit: a village named by 200,000
    characters was quarantined ("field larger than field limit (131072)") in a fresh process."""
    project = region_list(make_project, "A" * LONG)
    code = (f"import sqlite3; from releasekit import build, load_release; build(load_release({str(project)!r}))\n"
            f"db = sqlite3.connect({str(project / 'build' / 'release.db')!r})\n"
            "print(__import__('json').dumps({'limit': csv.field_size_limit(), "
            "'quarantined': db.execute('SELECT locator, reason FROM quarantine').fetchall(), "
            "'names': db.execute('SELECT kode_wilayah, length(nama) FROM wilayah WHERE tingkat = 4 "
            "ORDER BY kode_wilayah').fetchall()}))")
    assert fresh_process(code) == {"limit": DEFAULT_LIMIT, "quarantined": [],
                                   "names": [[VILLAGE, LONG], ["3401012002", 8]]}


def test_a_build_quarantines_a_cell_past_releasekits_limit_though_the_caller_allows_any_and_keeps_the_callers_limit(
        make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``csv.field_size_limit(sys.maxsize)`` set before (as sqlite-utils leaves it), a build held a cell of any
    size whole. A cell past releasekit's limit is a quarantined record that names the limit; the next record loads."""
    assert csvlimit.CELL_LIMIT == 64 << 20  # (lowered below: see the module's docstring)
    monkeypatch.setattr(csvlimit, "CELL_LIMIT", LOWERED)
    project = region_list(make_project, "A" * LONG)
    before = csv.field_size_limit(sys.maxsize)
    try:
        build(load_release(project))
        assert csv.field_size_limit() == sys.maxsize
    finally:
        csv.field_size_limit(before)
    assert query(project, "SELECT source, locator, reason FROM quarantine") == [
        ("raw/wilayah", "villages.csv:1", f"malformed CSV record: field larger than field limit ({LOWERED}); only this "
                                          "line is set aside, reading goes on with the next one")]
    assert query(project, "SELECT kode_wilayah, nama FROM wilayah WHERE tingkat = 4") == [("3401012002", "SIDORIPU")]


def long_ts(demo_project: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo's real-count package, and a copy of it whose first hasil_tps row's ``ts`` is :data:`LONG`
    characters longer (the file the copy's rows are in: ``data/hasil_tps.csv``)."""
    package = demo_project / "datapackages" / "real-count"
    copy = copy_package(package, tmp_path, "long-ts")

    def lengthen(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("ts")] += "x" * LONG

    edit_rows(copy, "hasil_tps", lengthen)
    return package, copy


def test_diff_in_a_fresh_process_reads_a_cell_longer_than_the_csv_modules_default_limit(demo_project: Path,
                                                                                       tmp_path: Path) -> None:
    """Review CF M3: in a fresh process, diff of the demo's package against a copy with one 200,000-character ``ts``
    was refused ("hasil_tps.csv, after line 2: cannot be read (field larger than field limit (131072))")."""
    package, copy = long_ts(demo_project, tmp_path)
    code = (f"from releasekit.diff import diff; result = diff({str(package)!r}, {str(copy)!r})\n"
            "print(__import__('json').dumps({'limit': csv.field_size_limit(), 'changed': "
            "[[f.field, len(f.before), len(f.after)] for p in result.pairs for e in p.examples for f in e.fields]}))")
    got = fresh_process(code)
    assert got["limit"] == DEFAULT_LIMIT
    assert [(field, after - was) for field, was, after in got["changed"]] == [("ts", LONG)], got  # (read whole)


def test_diff_refuses_a_cell_past_releasekits_limit_in_one_line_though_the_caller_allows_any(
        demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``csv.field_size_limit(sys.maxsize)`` set before, diff held a cell of any size whole (review CF M3). A
    cell past releasekit's limit is a one-line DiffError naming the file and the line, and the caller's limit is
    put back."""
    package, copy = long_ts(demo_project, tmp_path)
    assert csvlimit.CELL_LIMIT == 64 << 20  # (lowered below: see the module's docstring)
    monkeypatch.setattr(csvlimit, "CELL_LIMIT", LOWERED)
    before = csv.field_size_limit(sys.maxsize)
    try:
        with pytest.raises(DiffError) as refused:
            diff(str(package), str(copy))
        assert csv.field_size_limit() == sys.maxsize
    finally:
        csv.field_size_limit(before)
    assert str(refused.value) == (
        f"{copy / 'data' / 'hasil_tps.csv'}, after line 2: cannot be read (field larger than field limit ({LOWERED})) "
        "(hint: the package is damaged: build or download it again; 'releasekit validate' shows what is wrong)")
