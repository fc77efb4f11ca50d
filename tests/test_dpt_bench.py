"""Smoke test of the voter-list benchmark at a tiny scale: it runs end to end and checks what it built."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import load_benchmark


def test_bench_dpt_runs_and_finds_what_it_planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load_benchmark("bench_dpt")
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
