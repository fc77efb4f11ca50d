"""Smoke test of the voter-list benchmark at a tiny scale: it runs end to end and checks what it built."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_dpt.py"


def test_bench_dpt_runs_and_finds_what_it_planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_dpt", BENCHMARK)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_dpt", bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "WORK", tmp_path / "work")
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "RESULTS_dpt.md")
    result = bench.bench(3000, seed=5, repeat=1, masked=True)
    assert result.problems == [] and result.voters == 3000 and result.rows >= 3000
    assert result.build.runs[0].returncode == 0 and result.masked.runs[0].peak_mb > 0
    other = dataclasses.replace(result, voters=4000)
    bench.write_results([result, other])
    bench.write_results([result])  # a re-run replaces its section, and keeps the blank line before the next
    text = (tmp_path / "RESULTS_dpt.md").read_text()
    assert text.count("## 3,000 voters (seed 5)") == 1 and "Found as planted: **yes**" in text
    assert text.count("\n\n## ") == 2 and text.endswith(").\n")
