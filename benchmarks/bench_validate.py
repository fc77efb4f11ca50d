"""Benchmark: ``releasekit validate`` vs ``frictionless validate`` on the same package, same schema.

``python benchmarks/bench_validate.py --tps N [--seed S] [--repeat R] [--fl-repeat F]``

1. Generates (or reuses, cached by ``N`` and ``S`` in ``benchmarks/work/``) a synthetic
   national-scale real-count package with :mod:`national` (``benchmarks/national.py``).
2. In one run, in alternation (floor, releasekit, frictionless, floor, releasekit, …), runs each
   measurement in a fresh child process:

   * ``releasekit``:   ``python -m releasekit validate --engine releasekit --format json FOLDER``
   * ``frictionless``: ``python -m releasekit validate --engine frictionless --format json FOLDER``
     (the same command, same descriptor and Table Schemas, same PII/provenance/threshold
     checks; only the table checker differs: ``frictionless.validate`` instead of
     :mod:`releasekit.tablecheck`)
   * ``bare``: ``frictionless.validate(datapackage.json)`` alone in a Python child (no releasekit
     code, no PII/provenance checks): the same schema check without anything releasekit adds,
     so the ratio to it is the conservative one.
   * ``floor``: a bare Python pass over the same package: SHA-256 of every resource file plus
     ``csv.reader`` over every row (no type checks at all): what any CSV validator written
     in Python must at least spend.
   * ``startup``: ``python -m releasekit --version`` (interpreter + imports, paid by both engines).

   Wall time is ``time.perf_counter`` around spawn → exit. Peak memory is the larger of the
   child's own ``ru_maxrss``, read with ``os.wait4(pid)`` on that very child (no wrapper process
   in between, no dependency on ``/usr/bin/time``), and the *summed* resident sets of the child
   and every process below it, sampled every 10 ms from ``/proc``: ``releasekit validate`` may
   check one resource in a second process, and ``ru_maxrss`` would only give the larger of the
   two, not what they hold together. (The ``getrusage(RUSAGE_CHILDREN)`` delta does not work:
   it is a running *maximum* over all children ever waited for, so a smaller child after a
   larger one reads as the larger one.)
3. Prints medians, the ratio frictionless / releasekit, each against the floor, peak RSS, and
   whether both engines reported the package valid with the same error count; updates
   ``benchmarks/RESULTS.md`` (one section per ``--tps``/``--seed``, replaced on re-run).

Absolute times drift ±30 % between runs on shared machines (DESIGN.md section 10): read the
ratios, which are measured side by side in one run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import national  # noqa: E402

RESULTS = HERE / "RESULTS.md"
MEMORY_LIMIT_MB = 300.0
TARGET_RATIO = 10.0

#: The floor: SHA-256 of each resource file and csv.reader over every row, nothing else.
FLOOR = r"""
import csv, hashlib, json, sys
from pathlib import Path
folder = Path(sys.argv[1])
descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
rows = 0
for res in descriptor["resources"]:
    path = folder / res["path"]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            rows += 1
print(json.dumps({"rows": rows}))
"""

#: frictionless on its own: ``frictionless.validate(datapackage.json)``, no releasekit code at all.
BARE = r"""
import json, sys
from frictionless import validate
report = validate(sys.argv[1])
errors = [{"type": e.type} for e in report.errors] + [{"type": e.type} for t in report.tasks for e in t.errors]
print(json.dumps({"valid": report.valid, "packages": [{"errorCount": len(errors), "errors": errors}]}))
"""


@dataclass
class Run:
    """One child process: wall seconds, CPU seconds, peak RSS (bytes), exit code, stdout."""

    seconds: float
    cpu: float
    peak_rss: int
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    source: str = ""  # src_fingerprint() when the run started
    peak_pss: int = 0  # Σ PSS of the process tree at its largest sample (bench_build.py), bytes


@dataclass
class Series:
    """All runs of one command."""

    label: str
    command: list[str]
    runs: list[Run] = field(default_factory=list)

    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if not r.timed_out]

    @property
    def median(self) -> float | None:
        runs = self.ok_runs()
        return statistics.median(r.seconds for r in runs) if runs else None

    @property
    def peak_rss(self) -> int | None:
        runs = self.ok_runs()
        return max(r.peak_rss for r in runs) if runs else None


def tree_rss(pid: int) -> int:
    """Resident set of ``pid`` and every process below it, summed, in bytes (0 without ``/proc``)."""
    return tree_status(pid, "VmRSS:")


def tree_status(pid: int, key: str, file: str = "status") -> int:
    """A memory figure of ``/proc/<pid>/<file>`` (``key`` such as ``VmRSS:`` in ``status``, ``Pss:`` in
    ``smaps_rollup``) of ``pid`` and every process below it, summed, in bytes (0 without ``/proc``)."""
    total, stack = 0, [pid]
    while stack:
        proc = Path("/proc") / str(stack.pop())
        try:
            status = (proc / file).read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith(key))
            for task in (proc / "task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError, StopIteration):
            continue  # gone, a zombie, or no /proc: what is left still counts
    return total


class TreeSampler(threading.Thread):
    """Samples the process tree's Σ ``VmHWM`` (each process's own peak resident set so far) every 10 ms until
    stopped; ``peak`` is the largest sum seen. ``VmHWM`` only grows, so a sample misses no peak but one reached in
    the last 10 ms of a process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak = max(self.peak, tree_status(self.pid, "VmHWM:"))

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def measure(command: list[str], timeout: float | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in a fresh child; wall time, and peak RSS: its process tree's (:class:`TreeSampler`), or, for a
    child gone before the first sample, its ``os.wait4`` figure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT, start_new_session=True, env=env)
        sampler = TreeSampler(proc.pid)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        tree_peak = sampler.stop()
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        # Not ru_maxrss where the tree was sampled: the child's counts the runner's own peak from before its exec
        # (review AZ #3: `python -c pass` read 452 MB once the runner held 400 MB). Linux: KiB; macOS: bytes.
        peak = tree_peak or (usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024)
        return Run(seconds, usage.ru_utime + usage.ru_stime, peak, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")[-4000:],
                   timed_out.is_set())


def src_fingerprint(src: Path = ROOT / "src") -> str:
    """SHA-256 over releasekit's source files: to notice code changing under a long benchmark."""
    digest = hashlib.sha256()
    for path in sorted((src / "releasekit").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def pin_code(rev: str) -> tuple[Path, str]:
    """A private copy of ``src/releasekit`` at git ``rev`` under benchmarks/work/: (its src dir, label).

    Children run with ``PYTHONPATH`` set to it, so commits landing in the working tree during a
    long benchmark cannot change the code being measured.
    """
    try:
        sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    except (OSError, subprocess.CalledProcessError) as e:  # (review AZ #8: a bare CalledProcessError, git's words lost)
        said = (e.stderr if isinstance(e, subprocess.CalledProcessError) else str(e)).strip()
        raise SystemExit(f"--code {rev}: not a commit of a git checkout here ({said or e}); measure the files as they "
                         "are with --code worktree") from e
    dest = national.WORK / f"code-{sha[:12]}"
    if not (dest / "src" / "releasekit" / "__init__.py").is_file():
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha, "src/releasekit"], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    return dest / "src", f"commit {sha[:12]} (pinned copy of src/releasekit)"


def overlay(src: Path, label: str, files: list[Path]) -> tuple[Path, str]:
    """A copy of the pinned ``src`` with ``files`` from the working tree laid over it: (its src dir, label).

    For measuring uncommitted work on a few modules against a committed base, pinned like the rest:
    the copy is named by the overlaid files' fingerprint, so later edits cannot leak into a run.
    """
    digest = hashlib.sha256()
    relative = []
    for file in sorted(files):
        path = (ROOT / file).resolve() if not file.is_absolute() else file
        rel = path.relative_to(ROOT / "src")
        if rel.parts[0] != "releasekit":
            raise SystemExit(f"--overlay {file}: not a file of src/releasekit")
        digest.update(str(rel).encode() + b"\0" + path.read_bytes())
        relative.append((path, rel))
    dest = src.parent.with_name(f"{src.parent.name}-overlay-{digest.hexdigest()[:12]}") / "src"
    if not (dest / "releasekit" / "__init__.py").is_file():
        tmp = dest.parent.with_name(dest.parent.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp / "src", ignore=shutil.ignore_patterns("__pycache__"))
        for path, rel in relative:
            (tmp / "src" / rel).parent.mkdir(parents=True, exist_ok=True)  # a module new since the base
            shutil.copyfile(path, tmp / "src" / rel)
        shutil.rmtree(dest.parent, ignore_errors=True)
        os.replace(tmp, dest.parent)
    names = ", ".join(str(rel.relative_to("releasekit")) for _, rel in relative)
    return dest, label.replace(" (pinned copy", f" + working-tree {names} ({digest.hexdigest()[:12]}; pinned copy")


def verdict(run: Run) -> dict[str, Any]:
    """Validity and error counts from ``validate --format json`` output."""
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return {"valid": None, "errors": None, "types": {}, "note": (run.stderr or run.stdout)[-500:]}
    types: Counter[str] = Counter()
    for pkg in report["packages"]:
        types.update(e["type"] for e in pkg["errors"])
    return {"valid": report["valid"], "errors": sum(p["errorCount"] for p in report["packages"]),
            "types": dict(sorted(types.items())), "exit": run.returncode}


def mb(value: int | None) -> str:
    return "—" if value is None else f"{value / 1e6:,.0f} MB"


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.1f}×"


def machine(code_label: str) -> dict[str, str]:
    """The machine and software the figures were measured on."""
    import importlib.metadata

    import releasekit

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        memory = f"{mem / 2**30:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(cpus),
        "cpu": model or platform.processor() or "?",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "frictionless": importlib.metadata.version("frictionless"),
        "releasekit": f"{releasekit.__version__}, {code_label}",
    }


def package_stats(folder: Path) -> tuple[dict[str, int], int]:
    """Rows per resource (lines − header) and total bytes of the resource files."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    rows, size = {}, 0
    for res in descriptor["resources"]:
        path = folder / res["path"]
        with path.open("rb") as handle:
            rows[res["name"]] = sum(1 for _ in handle) - 1
        size += path.stat().st_size
    return rows, size


def ensure_package(tps: int, seed: int, snapshots: int, env: dict[str, str]) -> Path:
    """The cached package for ``tps``/``seed``, (re)generated with the measured code when missing or stale."""
    folder = national.default_folder(tps, seed, snapshots)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "national.py"), "--tps", str(tps), "--seed", str(seed),
                    "--snapshots", str(snapshots), "--if-stale"], cwd=ROOT, env=env, check=True)
    print(f"  ({time.perf_counter() - start:.1f} s)", flush=True)
    return folder


def render(args: argparse.Namespace, folder: Path, series: dict[str, Series], checks: dict[str, dict[str, Any]],
           info: dict[str, str], stats: tuple[dict[str, int], int], command: str, sources: list[str]) -> str:
    """The Markdown section of RESULTS.md for this scale."""
    ours, fl, floor, start, bare = (series[k] for k in ("releasekit", "frictionless", "floor", "startup", "bare"))
    rows, size = stats

    def pair_ratios(other: Series) -> list[float]:
        """``other`` / releasekit for each round's runs, made side by side (the drift between rounds cancels)."""
        return [b.seconds / a.seconds for a, b in zip(ours.runs, other.runs, strict=False)
                if not (a.timed_out or b.timed_out)]

    pairs = pair_ratios(fl)
    speedup = statistics.median(pairs) if pairs else None
    fast_ok = speedup is not None and speedup >= TARGET_RATIO
    verdict_fast = "met" if fast_ok else ("not measured" if speedup is None else "**not met**")
    mem_ok = ours.peak_rss is not None and ours.peak_rss / 1e6 < MEMORY_LIMIT_MB
    compared = [k for k in ("frictionless", "bare") if series[k].ok_runs()]
    same = bool(compared) and all(checks[k].get("valid") == checks["releasekit"].get("valid")
                                  and checks[k].get("errors") == checks["releasekit"].get("errors") for k in compared)
    lines = [
        f"<!-- bench:{section_id(args.tps, args.seed, args.snapshots)} -->",
        f"## {args.tps:,} TPS (seed {args.seed})"
        + (f", {args.snapshots} daily snapshots" if args.snapshots > 1 else ""),
        "",
        f"Package `{folder.relative_to(ROOT)}`: {size / 1e6:,.0f} MB of CSV, "
        + ", ".join(f"{n} {c:,}" for n, c in rows.items()) + f" rows ({sum(rows.values()):,} in all).",
        "",
        f"Command: `{command}`",
        "",
        "| measurement | runs | median wall | min wall | median CPU | peak RSS | vs floor | valid | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key in ("floor", "startup", "releasekit", "frictionless", "bare"):
        s = series[key]
        ok = s.ok_runs()
        check = checks.get(key, {})
        ran = key in checks and bool(ok)
        valid = {True: "yes", False: "**no**", None: "?"}[check.get("valid")] if ran else ""
        errors = str(check.get("errors", "")) if ran else ""
        timeouts = len(s.runs) - len(ok)
        lines.append(
            f"| {s.label} | {len(ok)}" + (f" (+{timeouts} timed out)" if timeouts else "")
            + f" | {secs(s.median)} | {secs(min((r.seconds for r in ok), default=None))} "
            f"| {secs(statistics.median(r.cpu for r in ok) if ok else None)} | {mb(s.peak_rss)} "
            f"| {ratio(s.median, floor.median) if key != 'floor' else '1.0×'} | {valid} | {errors} |")

    def paired(other: Series) -> str:
        """The round-by-round ratios: their median, then each."""
        pairs = pair_ratios(other)
        if not pairs:
            return "—"
        return f"{statistics.median(pairs):.1f}× (" + ", ".join(f"{p:.1f}×" for p in pairs) + ")"

    floor_pairs = [a.seconds / f.seconds for a, f in zip(ours.runs, floor.runs, strict=False) if not a.timed_out]
    lines += [
        "",
        f"- **frictionless / releasekit: {paired(fl)}**, round by round (runs made side by side, so the "
        f"machine's drift cancels); target ≥ {TARGET_RATIO:.0f}×: {verdict_fast}.",
        f"- frictionless alone (no PII/provenance pass) / releasekit, round by round: {paired(bare)}.",
        f"- Ratios of medians: frictionless / releasekit {ratio(fl.median, ours.median)}, frictionless alone / "
        f"releasekit {ratio(bare.median, ours.median)}; without the interpreter start-up "
        f"({secs(start.median)}, paid by both): "
        + (ratio(fl.median - (start.median or 0), ours.median - (start.median or 0))
           if fl.median and ours.median else "—") + ".",
        f"- releasekit / floor, round by round: "
        f"{f'{statistics.median(floor_pairs):.1f}×' if floor_pairs else '—'}; frictionless / floor "
        f"{ratio(fl.median, floor.median)}.",
        f"- releasekit peak RSS {mb(ours.peak_rss)} (limit {MEMORY_LIMIT_MB:.0f} MB: "
        f"{'met' if mem_ok else '**not met**'}); frictionless {mb(fl.peak_rss)} "
        f"(alone {mb(bare.peak_rss)}).",
        "- Same verdict from both engines: "
        + ("yes" if same else ("not compared" if not compared else "**no**")) + " ("
        + "; ".join(f"{label}: valid={checks[k].get('valid')}, errors={checks[k].get('errors')}"
                    + (f" {checks[k]['types']}" if checks[k].get("types") else "")
                    for k, label in (("releasekit", "releasekit"), ("frictionless", "frictionless"),
                                     ("bare", "alone")) if k == "releasekit" or k in compared) + ").",
        "- Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + f"; src fingerprint {', '.join(sources)}.",
        *([f"- **WARNING: src/releasekit changed during this run ({', '.join(sources)}); the figures mix "
           "code versions.**"] if len(sources) > 1 else []),
        "",
        "<!-- /bench -->",
    ]
    return "\n".join(lines)


HEADER = """# Benchmark results: `releasekit validate` vs `frictionless validate`

Written by `benchmarks/bench_validate.py` (see `benchmarks/README.md` for the method). One
section per scale, replaced when that scale is re-run. Times are wall-clock medians of fresh
child processes run in alternation in one run; peak RSS is the larger of the child's own
`ru_maxrss` (`os.wait4`) and its process tree's summed resident set (sampled every 10 ms), the
largest over its runs; MB = 10^6 bytes. The *floor* is a bare Python pass
(SHA-256 of every file + `csv.reader` over every row, no checks). Absolute times drift ±30 %
between runs on shared machines: compare the ratios.
"""


def section_id(tps: int, seed: int, snapshots: int = 1) -> str:
    return f"tps={tps}:seed={seed}" + (f":snapshots={snapshots}" if snapshots > 1 else "")


def update_results(path: Path, section: str, tps: int, seed: int, snapshots: int = 1) -> None:
    """Replace (or add) this scale's section in RESULTS.md, keeping sections ordered by TPS."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(r"<!-- bench:tps=(\d+):seed=(\d+)(?::snapshots=(\d+))? -->.*?<!-- /bench -->", re.S)
    sections = {(int(m[1]), int(m[3] or 1), int(m[2])): m[0] for m in pattern.finditer(text)}
    sections[(tps, snapshots, seed)] = section
    rest = pattern.sub("", text)
    marker = "<!-- notes -->"  # hand-written notes below this marker are kept, after the sections
    prefix, _, notes = rest.partition(marker)
    body = "\n\n".join(sections[k] for k in sorted(sections))
    out = prefix.rstrip() + "\n\n" + body + "\n"
    if notes.strip():
        out += "\n" + marker + "\n" + notes.strip() + "\n"
    path.write_text(out, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tps", type=int, default=50_000, help="TPS in the package (default %(default)s; "
                        f"national scale is {national.NATIONAL_TPS})")
    parser.add_argument("--seed", type=int, default=national.DEFAULT_SEED)
    parser.add_argument("--snapshots", type=int, default=1,
                        help="daily snapshots in the package (default 1); more grow the foreign-key index")
    parser.add_argument("--repeat", type=int, default=3, help="runs of releasekit, floor and start-up (default 3)")
    parser.add_argument("--fl-repeat", type=int, default=None,
                        help="runs of frictionless (default: 3 up to 200,000 TPS, else 2; it is slow)")
    parser.add_argument("--timeout", type=float, default=45 * 60,
                        help="seconds before a run is killed and reported as timed out (default 2700)")
    parser.add_argument("--code", default="HEAD",
                        help="git revision of src/releasekit to measure, run from a private copy (default HEAD), "
                             "or 'worktree' for the working tree as it is (guarded against changes mid-run)")
    parser.add_argument("--overlay", type=Path, nargs="+", default=[], metavar="FILE",
                        help="files of src/releasekit taken from the working tree over the pinned --code copy "
                             "(to measure uncommitted work on a few modules, pinned all the same)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to update")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    fl_repeat = args.fl_repeat if args.fl_repeat is not None else (3 if args.tps <= 200_000 else 2)

    env = dict(os.environ)
    if args.code == "worktree":
        src = ROOT / "src"
        dirty = git("status", "--porcelain", "--", "src")
        code_label = (f"working tree at {git('rev-parse', '--short=12', 'HEAD')}"
                      + (" + uncommitted changes" if dirty else ""))
    else:
        src, code_label = pin_code(args.code)
        if args.overlay:
            src, code_label = overlay(src, code_label, args.overlay)
        env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    where = subprocess.run([sys.executable, "-c", "import releasekit; print(releasekit.__file__)"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(src.resolve()):
        raise SystemExit(f"children would import releasekit from {where}, not from {src}")
    print(f"measuring releasekit {code_label}: {where}", flush=True)
    folder = ensure_package(args.tps, args.seed, args.snapshots, env)
    stats = package_stats(folder)
    py = sys.executable
    series = {
        "floor": Series("floor (sha256 + csv.reader)", [py, "-c", FLOOR, str(folder)]),
        "startup": Series("start-up (`python -m releasekit --version`)", [py, "-m", "releasekit", "--version"]),
        "releasekit": Series("**releasekit validate**", [py, "-m", "releasekit", "validate", "--engine",
                                                         "releasekit", "--format", "json", str(folder)]),
        "frictionless": Series("**frictionless validate**", [py, "-m", "releasekit", "validate", "--engine",
                                                             "frictionless", "--format", "json", str(folder)]),
        "bare": Series("frictionless alone (`frictionless.validate`)",
                       [py, "-c", BARE, str(folder / "datapackage.json")]),
    }
    checks: dict[str, dict[str, Any]] = {}
    print(f"package {folder} ({stats[1] / 1e6:,.0f} MB, {sum(stats[0].values()):,} rows); "
          f"{args.repeat} × releasekit/floor/start-up, {fl_repeat} × frictionless, alternating", flush=True)
    for i in range(max(args.repeat, fl_repeat)):
        plan = ["floor", "startup", "releasekit"] if i < args.repeat else []
        plan += ["frictionless", "bare"] if i < fl_repeat else []
        for key in plan:
            s = series[key]
            fingerprint = src_fingerprint(src)
            run = measure(s.command, args.timeout, env)
            run.source = fingerprint
            s.runs.append(run)
            note = " TIMED OUT" if run.timed_out else ""
            if key in ("releasekit", "frictionless", "bare") and not run.timed_out:
                v = verdict(run)
                if key in checks and checks[key] != v:
                    note += f" (verdict differs from run 1: {v})"
                checks.setdefault(key, v)
                note += f" valid={v['valid']} errors={v['errors']}"
            print(f"  run {i + 1}: {key:<13} {run.seconds:9.2f} s  cpu {run.cpu:9.2f} s  "
                  f"peak {run.peak_rss / 1e6:8.1f} MB  exit {run.returncode}{note}", flush=True)
    for key in ("releasekit", "frictionless", "bare"):
        checks.setdefault(key, {"valid": None, "errors": None, "types": {}})

    sources = sorted({r.source for s in series.values() for r in s.runs} | {src_fingerprint(src)})
    changed = len(sources) > 1
    if changed:
        print(f"\nWARNING: src/releasekit changed during this run ({', '.join(sources)}): the figures mix "
              "code versions; run again.", flush=True)
    command = "python benchmarks/bench_validate.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    section = render(args, folder, series, checks, machine(code_label), stats, command.strip(), sources)
    print()
    print(section.split("\n", 1)[1].rsplit("\n<!--", 1)[0])
    if not args.no_results:
        update_results(args.results, section, args.tps, args.seed, args.snapshots)
        print(f"\nupdated {args.results}")
    return 3 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
