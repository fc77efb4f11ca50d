"""Where ``releasekit validate`` spends its time on a package: per resource and per step.

``python benchmarks/profile_tablecheck.py FOLDER [--cprofile]``

The block path of :mod:`releasekit.tablecheck` does its work in a few C-level calls per
1 MiB block (a regex ``fullmatch`` over the block, ``findall`` of the key columns, ``map``
over rows, set operations), which cProfile lumps into one ``_Pass.block`` line. This script
times those steps separately by running an instrumented copy of ``_Pass.block`` (written
against tablecheck as of commit 44997e4; if tablecheck's internals change, it says so and
falls back to cProfile). It changes nothing in ``src/``: the copy is patched in at run time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import operator
import pstats
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import releasekit.tablecheck as tc
from releasekit import validate as v
from releasekit.privacy import SIXTEEN, contains_nik

T: dict[tuple[str, str], float] = defaultdict(float)
ROWS: dict[str, int] = defaultdict(int)


def _timed_block(self: Any, chunk: str, first_row: int) -> bool:  # noqa: C901
    """``_Pass.block`` with a clock between its steps (same logic, same results)."""
    check, checker = self.check, self.checker
    name = check.name
    t0 = time.perf_counter()
    if self.columns is None or check.python_fields:
        return False
    ok = check.block.fullmatch(chunk) is not None
    t1 = time.perf_counter()
    T[(name, "1 validate cells: block regex")] += t1 - t0
    if not ok:
        return False
    rows = self.columns.findall(chunk)
    t2 = time.perf_counter()
    T[(name, "2 key columns: findall")] += t2 - t1
    ROWS[name] += len(rows)
    if self.pk_get is not None:
        keys = list(map(self.pk_get, rows))
        if self.blank_pk in keys:
            return False
        if self.ordered:
            self._check_order(keys)
    t3 = time.perf_counter()
    T[(name, "3 primary key: order")] += t3 - t2
    suspects = SIXTEEN.finditer(chunk) if tc.SIXTEEN_DIGITS in chunk.encode().translate(tc.DIGITS) else ()
    for match in suspects:
        if contains_nik(match.group()):
            line_start = chunk.rfind("\n", 0, match.start()) + 1
            line = chunk[line_start:chunk.index("\n", match.start())]
            checker._pii(check, first_row + chunk.count("\n", 0, line_start), line.split(","))
    for i, field, seen in getattr(self, "unique", []):
        for offset, value in enumerate(map(operator.itemgetter(i), rows)):
            self._unique(first_row + offset, value, field, seen)
    t4 = time.perf_counter()
    T[(name, "4 PII screen (+unique)")] += t4 - t3
    for get, collected in self.collect:
        collected.update(map(hash, map(get, rows)))
    t5 = time.perf_counter()
    T[(name, "5 keys others reference: collect")] += t5 - t4
    for get, fk, refs, blank in self.fks:
        cells = list(map(get, rows))
        if isinstance(blank, str):
            distinct = set(cells)
            distinct.discard(blank)
            digests = set(map(hash, distinct))
        else:
            digests = set(map(hash, cells))
            digests.discard(hash(blank))
        if refs is None or not digests <= refs:
            for offset, value in enumerate(cells):
                if value != blank and (refs is None or hash(value) not in refs):
                    if not checker._fk_problem(check.name, first_row + offset, value, fk):
                        return True
    t6 = time.perf_counter()
    T[(name, "6 foreign keys: lookups")] += t6 - t5
    for get, fk in self.self_fks:
        for offset, value in enumerate(map(get, rows)):
            if not tc._missing(value):
                self.self_refs.append((first_row + offset, value, fk))
    T[(name, "7 self-references")] += time.perf_counter() - t6
    return True


def _instrument() -> bool:
    """Patch the timed copies in; False when tablecheck no longer has the internals they copy."""
    needed = ("_Pass", "Checker", "SIXTEEN_DIGITS", "DIGITS", "_missing")
    if not all(hasattr(tc, n) for n in needed) or not hasattr(tc._Pass, "block"):
        return False
    baseline, rows = tc.Checker._baseline, tc.Checker._rows

    def timed_baseline(self: Any, res: dict[str, Any], path: Path) -> None:
        start = time.perf_counter()
        baseline(self, res, path)
        T[(res["name"], "0 sha256 + bytes")] += time.perf_counter() - start

    def timed_rows(self: Any, check: Any, wanted: Any) -> None:
        start = time.perf_counter()
        rows(self, check, wanted)
        T[(check.name, "total (rows pass)")] += time.perf_counter() - start

    tc._Pass.block = _timed_block
    tc.Checker._baseline = timed_baseline
    tc.Checker._rows = timed_rows
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of the step timings")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
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
    start = time.perf_counter()
    problems = v._descriptor_problems(descriptor)
    T[("(package)", "descriptor check (frictionless)")] = time.perf_counter() - start
    start = time.perf_counter()
    problems += tc.check_package(folder, descriptor)
    total = T[("(package)", "check_package")] = time.perf_counter() - start
    start = time.perf_counter()
    v._threshold_problems(folder, descriptor, v._findings(folder, descriptor))
    v._provenance_problems(descriptor)
    T[("(package)", "findings + thresholds + provenance")] = time.perf_counter() - start
    print(f"problems {len(problems)}; check_package {total:.2f} s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6:.0f} MB")
    print(f"{'resource':<11} {'step':<36} {'seconds':>8} {'share':>6} {'µs/row':>7}")
    steps: dict[str, float] = defaultdict(float)
    for (res, step), seconds in sorted(T.items()):
        if seconds < 0.0005:
            continue
        per_row = f"{1e6 * seconds / ROWS[res]:7.2f}" if ROWS.get(res) else ""
        print(f"{res:<11} {step:<36} {seconds:8.3f} {100 * seconds / total:5.1f}% {per_row}")
        if res != "(package)" and not step.startswith("total"):
            steps[step] += seconds
    print("\nall resources, per step:")
    for step, seconds in sorted(steps.items()):
        print(f"  {step:<36} {seconds:8.3f} s {100 * seconds / total:5.1f}%")
    accounted = sum(steps.values())
    rest = total - accounted
    print(f"  {'(reading, decoding, loop overhead)':<36} {rest:8.3f} s {100 * rest / total:5.1f}%")
    print(f"rows: {dict(ROWS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
