"""Smoke test of the diff benchmark's inputs at a tiny scale (no timing assertions).

``benchmarks/bench_diff.py`` splits a two-snapshot package from ``benchmarks/national.py`` into
two one-snapshot packages; both must be valid packages, and diffing them must give exactly
what diffing the two snapshots inside the original package gives.
"""

from __future__ import annotations

from pathlib import Path

from conftest import load_benchmark
from releasekit.diff import diff, to_dict
from releasekit.validate import validate_paths


def test_split_packages_diff_like_the_snapshots_they_come_from(tmp_path: Path) -> None:
    national, bench = load_benchmark("national"), load_benchmark("bench_diff")
    both = tmp_path / "both"
    national.generate(both, tps=400, seed=11, snapshots=2)
    bench.split(both, bench.OLD, tmp_path / "old")
    bench.split(both, bench.NEW, tmp_path / "new")
    assert validate_paths([tmp_path / "old", tmp_path / "new"]).valid
    split = to_dict(diff(tmp_path / "old", tmp_path / "new", limit=None))
    inside = to_dict(diff(f"{both}@{bench.OLD}", f"{both}@{bench.NEW}", limit=None))
    assert split["comparisons"] == inside["comparisons"]
    (pair,) = split["comparisons"]
    assert pair["tps"]["old"] == pair["tps"]["new"] == 400
    assert pair["status_suara"]["false_to_true"] > 0  # records filled in on the second day
    assert pair["candidates"][0]["old"] is not None  # summed while streaming: no snapshot_votes resource
