"""The national build benchmark at a tiny scale: its generator is deterministic, its three raw formats
hold the same data, and its runner measures and renders every issue 8 target."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import load_benchmark
from releasekit.tables import BY_NAME


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_raw_generator_is_deterministic_and_shaped_like_sirekap(tmp_path: Path) -> None:
    raw = load_benchmark("national_raw")
    a = raw.generate(tmp_path / "a", 400, 7, 3)
    raw.generate(tmp_path / "b", 400, 7, 3)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    lines = (tmp_path / "a" / a.csv).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 401 and lines[0].split(",")[:2] == ["kode_tps", "ts"]
    assert [d for d, _ in a.daily()][-1] == raw.LAST_DAY and len(a.daily()) == 3
    provinces = (tmp_path / "a" / "wilayah_kpu" / "provinces.csv").read_text(encoding="utf-8").splitlines()
    assert len(provinces) == 39 and provinces[-1] == "99,LUAR NEGERI"


def test_daily_snapshots_move_ts_only_when_a_tps_is_updated(tmp_path: Path) -> None:
    """As in Sirekap, ``ts`` is the last update, on its day: a TPS left alone keeps it from one day to the next."""
    raw = load_benchmark("national_raw")
    layout = raw.generate(tmp_path, 3000, 7, 4)
    days = [(day, {row["kode_tps"]: row for row in map(json.loads, gzip.open(tmp_path / path, "rt"))})
            for day, path in layout.daily()]
    for (_, before), (day, after) in zip(days, days[1:], strict=False):
        assert all(r["ts"][:10] <= day.isoformat() for r in after.values())
        moved = {k for k, r in after.items() if r["ts"] != before[k]["ts"]}
        assert {k for k, r in after.items() if r["ts"][:10] == day.isoformat()} == moved  # a new ts is today's
        changed = {k for k, r in after.items() if r != before[k]}
        completed = {k for k, r in after.items() if r["chart"] != before[k]["chart"]}
        assert changed == moved and completed < moved  # completing moves ts; so do edits of the same figures
        complete = {k for k, r in before.items() if r["chart"] is not None}
        assert moved - completed <= complete and 0.03 < len(moved - completed) / len(complete) < 0.08  # EDIT_RATE


def test_runner_measures_every_target_and_formats_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load_benchmark("bench_build")
    national = load_benchmark("national")
    monkeypatch.setattr(bench, "WORK", tmp_path)
    monkeypatch.setattr(national, "WORK", tmp_path)
    monkeypatch.setattr(load_benchmark("national_raw"), "WORK", tmp_path)
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "RESULTS.md")
    (tmp_path / "RESULTS.md").write_text("# Benchmark results\n\nkept text\n", encoding="utf-8")
    assert bench.main(["--tps", "300", "--baseline-tps", "300", "--repeat", "1", "--incremental", "1",
                       "--incremental-tps", "300", "--requests", "3", "--code", "worktree"]) == 0
    results = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert results.startswith("# Benchmark results\n\n<!-- build-bench -->") and "kept text" in results
    for target in ("tar.gz build ÷ tarfile", "flat-CSV build ÷ `sqlite-utils insert`", "peak RSS of build tar",
                   "time per TPS, tar build", "add 1 day to 1", "incremental = clean build, byte for byte (N=1) | True",
                   "hasil_tps page, faceted by province"):
        assert target in results, target
    # Beside adding a day: the copy of the N-day release any swapping build must write, in MB and seconds.
    copy_row = next(line for line in results.splitlines() if line.startswith("| 1 | "))
    copied_mb, copy_s = (float(cell) for cell in copy_row.split("|")[2:4])
    assert copy_s > 0 and copied_mb > 0.5  # a one-day release of 300 TPS: its database and package files
    # The flat CSV and the .tar.gz hold the same results: both builds load the same rows.
    work = tmp_path / "build-tps300-seed20240214"
    dbs = [sqlite3.connect(work / kind / "build" / "release.db") for kind in ("tar", "csv")]
    columns = ", ".join(c for c in BY_NAME["hasil_tps"].columns if c != "sumber")
    hasil = [db.execute(f"SELECT {columns} FROM hasil_tps ORDER BY kode_tps").fetchall() for db in dbs]
    assert len(hasil[0]) == 300 and hasil[0] == hasil[1]
    votes = [db.execute("SELECT * FROM suara ORDER BY kode_tps, nomor_urut").fetchall() for db in dbs]
    assert votes[0] == votes[1] and len(votes[0]) > 0


def test_build_stages_times_every_stage_of_a_build(make_project: object) -> None:
    """``benchmarks/build_stages.py`` builds a project and prints a time for each stage a two-day build has."""
    import subprocess
    import sys

    import twodays
    project = make_project({"real-count": twodays.sources()})  # type: ignore[operator]
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "build_stages.py"
    done = subprocess.run([sys.executable, str(script), str(project), "--clean"], capture_output=True, text=True,
                          check=True)
    labels = [line.rsplit(maxsplit=2)[0] for line in done.stdout.splitlines()]
    assert labels == ["check sources", "load", "cache store", "indexes", "places", "snapshots + changes", "rules",
                      "packages (thread)", "summaries", "PII scan of the database", "PII scan of the other files",
                      "total"]
    assert (project / "build" / "release.db").is_file()
