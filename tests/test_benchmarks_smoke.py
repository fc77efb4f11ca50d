"""Smoke test of the validate benchmark at a tiny scale: no timing assertions.

The generator (``benchmarks/national.py``) must write a package that both engines call
valid, byte for byte the same for the same seed; the runner's measurement and RESULTS.md
update must work end to end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import load_benchmark
from releasekit.tables import CODE_TPS, CODE_WILAYAH
from releasekit.validate import validate_paths


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "national"
    rows = load_benchmark("national").generate(folder, tps=300, seed=7)
    assert rows["tps"] == rows["hasil_tps"] == 300
    return folder


def test_generator_is_deterministic_and_shaped(package: Path, tmp_path: Path) -> None:
    national = load_benchmark("national")
    again = tmp_path / "again"
    national.generate(again, tps=300, seed=7)
    files = sorted(p.relative_to(package) for p in package.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (package / name).read_bytes() == (again / name).read_bytes(), name

    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["pemilu", "peserta", "wilayah", "tps", "hasil_tps", "suara", "findings", "quarantine",
                     "sources"]
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in descriptor["resources"])
    src = descriptor["releasekit"]["sources"][0]
    assert src["records_in"] == src["records_loaded"] + src["records_quarantined"] == 300

    import csv
    import re

    with (package / "data" / "tps.csv").open(encoding="utf-8", newline="") as handle:
        tps = list(csv.DictReader(handle))
    assert all(re.fullmatch(CODE_TPS, t["kode_tps"]) and t["kode_tps"][:10] == t["kode_wilayah"] for t in tps)
    provinces = {t["kode_tps"][:2] for t in tps}
    assert len(provinces) == 39 and "99" in provinces  # 38 provinces + overseas, at least 1 TPS each
    with (package / "data" / "wilayah.csv").open(encoding="utf-8", newline="") as handle:
        wilayah = list(csv.DictReader(handle))
    assert all(re.fullmatch(CODE_WILAYAH, w["kode_wilayah"]) for w in wilayah)
    assert [w["kode_wilayah"] for w in wilayah] == sorted(w["kode_wilayah"] for w in wilayah)
    assert {len(w["kode_wilayah"]) for w in wilayah} == {2, 4, 6, 10}


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_both_engines_call_it_valid(package: Path, engine: str) -> None:
    report = validate_paths([package], engine=engine)
    assert report.valid, report.render("text")


def test_several_snapshots(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    rows = load_benchmark("national").generate(folder, tps=300, seed=7, snapshots=3)
    assert rows["tps"] == 300 and rows["hasil_tps"] == 900 and rows["sources"] == 3
    for engine in ("releasekit", "frictionless"):
        report = validate_paths([folder], engine=engine)
        assert report.valid, report.render("text")


def test_runner_end_to_end(package: Path, tmp_path: Path) -> None:
    bench = load_benchmark("bench_validate")
    run = bench.measure([sys.executable, "-m", "releasekit", "validate", "--format", "json", str(package)])
    assert run.returncode == 0 and not run.timed_out
    assert run.peak_rss > 0 and run.seconds > 0
    assert bench.verdict(run)["valid"] is True and bench.verdict(run)["errors"] == 0

    results = tmp_path / "RESULTS.md"
    results.write_text(bench.HEADER + "\n<!-- notes -->\nhand-written\n", encoding="utf-8")
    for tps, snapshots in ((500, 1), (100, 1), (500, 2), (500, 1)):
        ident = bench.section_id(tps, 1, snapshots)
        bench.update_results(results, f"<!-- bench:{ident} -->\nsection {ident}\n<!-- /bench -->", tps, 1, snapshots)
    text = results.read_text(encoding="utf-8")
    assert text.count("section tps=500:seed=1\n") == 1
    assert text.index("tps=100:") < text.index("tps=500:seed=1\n") < text.index("tps=500:seed=1:snapshots=2")
    assert text.rstrip().endswith("hand-written")


def test_the_serving_benchmark_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Review AZ #1: bench_serve.py stopped at every scale (write_site refused its project, a database without
    packages: "datapackages/real-count.zip: missing"), and no test ran its main."""
    national, bench = load_benchmark("national"), load_benchmark("bench_serve")
    monkeypatch.setattr(national, "WORK", tmp_path / "work")
    monkeypatch.setattr(bench, "HERE", tmp_path)
    assert bench.main(["--tps", "300", "--seed", "7", "--requests", "2", "--no-write"]) == 0
    printed = capsys.readouterr().out
    assert "## Issue 8: pages at national scale" in printed and "totals_province" in printed
    assert not (tmp_path / "RESULTS_serve.md").exists()


def test_a_childs_peak_memory_is_its_own_not_the_runners() -> None:
    """Review AZ #3: ru_maxrss counts the runner's peak from before the child's exec: `python -c pass` measured by a
    runner holding 400 MB read 452 MB, so the floor and start-up rows showed the runner's memory."""
    bench = load_benchmark("bench_validate")
    held = bytearray(200 * 1024 * 1024)
    held[:: 4096] = b"\1" * len(held[:: 4096])  # (resident, page by page)
    run = bench.measure([sys.executable, "-c", "import time; time.sleep(0.1)"])
    assert run.returncode == 0 and 0 < run.peak_rss < 100e6, run.peak_rss
    del held
