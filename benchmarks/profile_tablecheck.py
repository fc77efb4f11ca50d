"""Where ``releasekit validate`` spends its time on a package: per resource and per step.

``python benchmarks/profile_tablecheck.py FOLDER [--cprofile]``

The block path of :mod:`releasekit.tablecheck.rowpass` does its work in a few C-level calls per
1 MiB block (one regex ``findall`` that checks every cell and captures the key columns,
``map`` over rows, set operations), which cProfile lumps into one ``RowPass.block`` line. This
script wraps each step ``RowPass.BLOCK_STEPS`` names with a clock at run time (the block line
itself includes its steps). The file's hash is computed in a thread beside the pass; its line
is the time the pass waited for that thread at the end of a resource. If tablecheck no longer
names its steps, it says so and falls back to cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from releasekit import validate as v
from releasekit.tablecheck import checker as tc
from releasekit.tablecheck.rowpass import RowPass

T: dict[tuple[str, str], float] = defaultdict(float)
ROWS: dict[str, int] = defaultdict(int)


def _timer(method: Callable[..., Any], step: str) -> Callable[..., Any]:
    """Wrap one of tablecheck's own methods with a clock (no copy of its logic)."""

    def timed(self: Any, *args: Any) -> Any:
        start = time.thread_time()
        result = method(self, *args)
        T[(self.check.name, step)] += time.thread_time() - start
        return result

    return timed


def _instrument() -> bool:
    """Wrap the checker's steps with clocks; False when tablecheck no longer names them."""
    steps = getattr(RowPass, "BLOCK_STEPS", None)
    if not steps or not all(hasattr(RowPass, n) for n in (*steps, "block", "record")):
        return False
    block = RowPass.block

    def timed_block(self: Any, chunk: str, first_row: int) -> Any:
        start = time.thread_time()
        handled = block(self, chunk, first_row)
        T[(self.check.name, "block (all steps)")] += time.thread_time() - start
        if handled:
            ROWS[self.check.name] += chunk.count("\n")
        return handled

    RowPass.block = timed_block
    for number, step in enumerate(steps, start=1):
        setattr(RowPass, step, _timer(getattr(RowPass, step), f"{number} {step.removeprefix('_block_')}"))
    RowPass.record = _timer(RowPass.record, "9 line-by-line records")
    baseline, rows = tc.Checker._baseline, RowPass.run

    def timed_baseline(self: Any, name: str) -> None:
        start = time.thread_time()
        baseline(self, name)
        T[(name, "0 wait for the hash thread")] += time.thread_time() - start

    def timed_rows(self: Any) -> None:
        start = time.thread_time()
        rows(self)
        T[(self.check.name, "total (rows pass)")] += time.thread_time() - start

    tc.Checker._baseline = timed_baseline
    RowPass.run = timed_rows
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of the step timings")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    # One process: the clocks (and cProfile) cannot see into the second process validate may start.
    tc.ASIDE_BYTES = sys.maxsize
    if args.cprofile or not _instrument():
        if not args.cprofile:
            print("tablecheck internals changed: falling back to cProfile")
        profile = cProfile.Profile()
        profile.enable()
        report = v.validate_descriptor(folder / "datapackage.json")
        profile.disable()
        print(f"valid={report.valid} problems={len(report.problems)}")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(20)
        return 0
    start = time.thread_time()
    problems = v._descriptor_problems(descriptor)
    T[("(package)", "descriptor check (frictionless)")] = time.thread_time() - start
    start = time.thread_time()
    problems += tc.check_package(folder, descriptor)
    total = T[("(package)", "check_package")] = time.thread_time() - start
    start = time.thread_time()
    v._threshold_problems(folder, descriptor, v._findings(folder, descriptor))
    v._provenance_problems(descriptor)
    T[("(package)", "findings + thresholds + provenance")] = time.thread_time() - start
    print(f"problems {len(problems)}; check_package {total:.2f} s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6:.0f} MB")
    print(f"{'resource':<11} {'step':<36} {'seconds':>8} {'share':>6} {'µs/row':>7}")
    steps: dict[str, float] = defaultdict(float)
    for (res, step), seconds in sorted(T.items()):
        if seconds < 0.0005:
            continue
        per_row = f"{1e6 * seconds / ROWS[res]:7.2f}" if ROWS.get(res) else ""
        print(f"{res:<11} {step:<36} {seconds:8.3f} {100 * seconds / total:5.1f}% {per_row}")
        if res != "(package)" and not step.startswith(("total", "block")):
            steps[step] += seconds
    print("\nall resources, per step:")
    for step, seconds in sorted(steps.items()):
        print(f"  {step:<36} {seconds:8.3f} s {100 * seconds / total:5.1f}%")
    accounted = sum(steps.values())
    rest = total - accounted
    print(f"  {'(reading, decoding, loop)':<36} {rest:8.3f} s {100 * rest / total:5.1f}%")
    print(f"rows: {dict(ROWS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
