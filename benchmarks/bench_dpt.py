"""Benchmark: ``releasekit build`` of a national-style voter list (DPT), against a bare ``csv.reader`` pass.

``python benchmarks/bench_dpt.py --voters 1000000 5000000 [--repeat 3] [--seed S] [--masked]``

1. Generates (or reuses, cached by size and seed in ``benchmarks/work/``) a synthetic voter
   list with :mod:`releasekit.synthetic_dpt` (TPS of 150–300 voters over every province,
   the default planted rates: repeated NIKs, invalid NIKs, other-province NIKs, under-17
   voters, broken rows) and a one-register project around it (``format: dpt-csv``, no
   region list, counts only; ``--masked`` adds a second project that also publishes the
   masked individual table).
2. In one run, in alternation, each in a fresh child process:

   * ``floor``: ``csv.reader`` over every row of the same file, nothing else: what any
     Python reader of the file must at least spend;
   * ``build``: ``python -m releasekit build PROJECT``: read, count, check, hash, find the
     repeated NIKs, run every rule, write the database and the package, scan every
     artefact for NIKs. The whole command, start-up included.

   Wall time is measured around spawn → exit, CPU time and peak RSS come from
   ``os.wait4`` on that very child (the build does not fork).
3. Checks that the build found exactly what was planted (findings per rule, records in =
   loaded + quarantined), prints voters/s, the ratio to the floor and the peak memory, and
   updates ``benchmarks/RESULTS_dpt.md`` (one section per size and seed, replaced on re-run).

Absolute times drift ±30 % on shared machines (DESIGN.md section 10), and more when other
work runs: read the ratio, measured side by side in one run, and the CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "RESULTS_dpt.md"
TARGET_RATE = 150_000
MEMORY_LIMIT_MB = 300.0
RULES = ("duplicate-nik", "invalid-nik", "nik-region-mismatch", "underage-unmarried")

FLOOR = r"""
import csv, sys
rows = 0
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    for _ in csv.reader(handle):
        rows += 1
print(rows)
"""

GENERATE = r"""
import dataclasses, json, sys
from pathlib import Path
from releasekit.synthetic_dpt import national_stations, write_voter_list
raw, manifest, voters, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
stations, districts = national_stations(voters, seed=seed)
planted = write_voter_list(raw, stations, seed=seed, districts=districts)
counts = {k: v for k, v in dataclasses.asdict(planted).items() if isinstance(v, int)}
manifest.write_text(json.dumps(counts, indent=2) + "\n")
"""

METADATA = """title: DPT benchmark (SYNTHETIC)
publisher: {{name: releasekit benchmarks}}
licenses: [{{name: CC-BY-4.0}}]
registers:
  - id: "003"
    slug: voter-list
    title: Voter list (synthetic)
    status: open{extra}
    sources:
      - path: raw/dpt.csv
        format: dpt-csv
        election: ppwp-2024
        snapshot: "2023-07-02"
        synthetic: true
"""


@dataclass
class Run:
    """One child process."""

    seconds: float
    cpu: float
    peak_mb: float
    returncode: int
    stderr: str = ""


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def prepare(voters: int, seed: int) -> tuple[Path, Path, dict[str, int]]:
    """The cached raw list and its project(s); returns (project, masked project, planted counts)."""
    folder = WORK / f"dpt-{voters}-seed{seed}"
    raw = folder / "dpt.csv"
    manifest = folder / "planted.json"
    if not manifest.exists():
        # In a child, so this process stays small: a child's peak RSS counts the parent's pages until exec.
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", GENERATE, str(raw), str(manifest), str(voters), str(seed)],
                       check=True, cwd=ROOT)
        print(f"generated {raw} ({raw.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
              flush=True)
    projects = []
    for name, extra in (("project", ""), ("project-masked", "\n    publish_individuals: masked")):
        project = folder / name
        (project / "raw").mkdir(parents=True, exist_ok=True)
        link = project / "raw" / "dpt.csv"
        if not link.exists():
            link.symlink_to(raw)
        (project / "metadata.yml").write_text(METADATA.format(extra=extra), encoding="utf-8")
        projects.append(project)
    return projects[0], projects[1], json.loads(manifest.read_text())


def measure(command: list[str]) -> Run:
    """Run ``command`` in a fresh child: wall seconds, CPU seconds and peak RSS from ``os.wait4``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace")[-2000:]
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Run(seconds, usage.ru_utime + usage.ru_stime, rss / 2**20, proc.returncode, stderr)


def check(project: Path, planted: dict[str, int]) -> list[str]:
    """What the build found that differs from what was planted (empty when all is as planted)."""
    with sqlite3.connect(project / "build" / "release.db") as conn:
        found = dict(conn.execute("SELECT rule, count(*) FROM findings GROUP BY rule"))
        accounting = conn.execute("SELECT records_in, records_loaded, records_quarantined FROM sources").fetchone()
        rekap = conn.execute("SELECT sum(pemilih_j) FROM dpt_rekap").fetchone()[0]
    problems = [f"{rule}: found {found.get(rule, 0)}, planted {planted[rule.replace('-', '_')]}"
                for rule in RULES if found.get(rule, 0) != planted[rule.replace("-", "_")]]
    expected = (planted["rows"], planted["voters"], planted["broken"])
    if tuple(accounting) != expected:
        problems.append(f"accounting {tuple(accounting)} != planted {expected}")
    if rekap != planted["voters"]:
        problems.append(f"dpt_rekap sums to {rekap}, {planted['voters']} voters planted")
    return problems


@dataclass
class Result:
    """One size's figures."""

    voters: int
    rows: int
    seed: int
    repeat: int
    bytes: int
    planted: dict[str, int]
    problems: list[str]
    floor: Series
    build: Series
    masked: Series | None = None

    @property
    def rate(self) -> float:
        return self.voters / self.build.median

    @property
    def ratio(self) -> float:
        return self.build.median / self.floor.median


def bench(voters: int, seed: int, repeat: int, masked: bool) -> Result:
    project, masked_project, planted = prepare(voters, seed)
    raw = project / "raw" / "dpt.csv"
    commands = {"floor": [sys.executable, "-c", FLOOR, str(raw)],
                "build": [sys.executable, "-m", "releasekit", "build", str(project)]}
    if masked:
        commands["masked"] = [sys.executable, "-m", "releasekit", "build", str(masked_project)]
    series = {label: Series(label) for label in commands}
    for round_ in range(repeat):
        for label, command in commands.items():
            run = measure(command)
            if run.returncode != 0:
                raise SystemExit(f"{label} failed ({run.returncode}):\n{run.stderr}")
            series[label].runs.append(run)
            print(f"  {voters:>9,} round {round_ + 1} {label:<7} {run.seconds:7.2f} s  cpu {run.cpu:7.2f} s  "
                  f"peak {run.peak_mb:6.1f} MB", flush=True)
    return Result(voters, planted["rows"], seed, repeat, raw.stat().st_size, planted, check(project, planted),
                  series["floor"], series["build"], series.get("masked"))


def section(r: Result) -> str:
    """The RESULTS_dpt.md section of one size."""
    p = r.planted
    lines = [
        f"## {r.voters:,} voters (seed {r.seed})",
        "",
        f"File: {r.rows:,} rows, {r.bytes / 1e6:.0f} MB of CSV; {r.repeat} rounds in alternation, medians. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}.",
        "",
        "| measurement | wall s | CPU s | voters/s (wall) | voters/s (CPU) | ratio to floor | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| floor: `csv.reader` pass | {r.floor.median:.2f} | {r.floor.cpu:.2f} | | | 1.0× | "
        f"{r.floor.peak_mb:.0f} MB |",
        f"| `releasekit build`, counts only | {r.build.median:.2f} | {r.build.cpu:.2f} | {r.rate:,.0f} | "
        f"{r.voters / r.build.cpu:,.0f} | {r.ratio:.1f}× | {r.build.peak_mb:.0f} MB |",
    ]
    if r.masked:
        lines.append(f"| `releasekit build` + masked table | {r.masked.median:.2f} | {r.masked.cpu:.2f} | "
                     f"{r.voters / r.masked.median:,.0f} | {r.voters / r.masked.cpu:,.0f} | "
                     f"{r.masked.median / r.floor.median:.1f}× | {r.masked.peak_mb:.0f} MB |")
    lines += [
        "",
        f"Target ≥ {TARGET_RATE:,} voters/s (wall): **{'met' if r.rate >= TARGET_RATE else 'NOT met'}**. "
        f"Peak memory < {MEMORY_LIMIT_MB:.0f} MB: **{'met' if r.build.peak_mb < MEMORY_LIMIT_MB else 'NOT met'}**.",
        "",
        "Found as planted: " + ("**yes**" if not r.problems else "**NO**: " + "; ".join(r.problems))
        + f" (duplicate-nik {p['duplicate_nik']:,}, invalid-nik {p['invalid_nik']:,}, nik-region-mismatch "
        f"{p['nik_region_mismatch']:,}, underage-unmarried {p['underage_unmarried']:,}, quarantined {p['broken']:,}).",
        "",
    ]
    return "\n".join(lines)


def write_results(results: list[Result]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else (
        "# Voter-list (DPT) ingest benchmark\n\nWritten by `benchmarks/bench_dpt.py`; method in its docstring.\n\n")
    for r in results:
        heading = f"## {r.voters:,} voters (seed {r.seed})"
        new = section(r)
        pattern = re.compile(re.escape(heading) + r".*?(?=\n## |\Z)", re.S)
        match = pattern.search(text)
        # The match ends before the blank line and heading of the next section: the blank line stays.
        text = text[:match.start()] + new.rstrip("\n") + "\n" + text[match.end():] if match else text + new + "\n"
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--seed", type=int, default=20230702)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--masked", action="store_true", help="also build with the masked individual table")
    parser.add_argument("--no-results", action="store_true", help="do not update RESULTS_dpt.md")
    args = parser.parse_args(argv)
    results = []
    for voters in args.voters:
        r = bench(voters, args.seed, args.repeat, args.masked)
        results.append(r)
        print(f"{voters:,} voters: build {r.build.median:.2f} s = {r.rate:,.0f} voters/s ({r.ratio:.1f}× the "
              f"csv.reader floor of {r.floor.median:.2f} s), peak {r.build.peak_mb:.0f} MB; "
              + ("found as planted" if not r.problems else f"PROBLEMS: {r.problems}"), flush=True)
    if not args.no_results:
        write_results(results)
    return 0 if all(not r.problems for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
