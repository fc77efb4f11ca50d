"""Benchmark: ``releasekit diff`` of two national snapshots against loading one of them.

``python benchmarks/bench_diff.py [--tps N] [--seed S] [--repeat R]``

The claim under test (issue 5): diffing two national snapshots (≈ 823,000 TPS each) takes
no more than **three times** as long as loading one of them.

1. Inputs (deterministic, cached in ``benchmarks/work/diff-tps<N>-seed<S>/``):

   * :mod:`national` (``benchmarks/national.py --snapshots 2``) writes one SYNTHETIC package
     with two daily snapshots, 2024-03-09 and 2024-03-10: about a quarter of the TPS stay
     empty, the others are complete on the first day or get filled in on the second, and
     every TPS gets a new ``ts`` each day (so every TPS differs: the heaviest case for the
     report; ``--ignore ts`` leaves the realistic "filled in" changes).
   * ``old/`` and ``new/``: that package split into two one-snapshot packages (each resource
     rewritten with its own ``hash`` and ``bytes``), and ``old.zip`` / ``new.zip`` of them,
     as a published release and a new build would be.
   * ``project/build/release.db``: both snapshots loaded into releasekit's canonical schema
     (the same loader as the baseline below) and their ``snapshots``/``changes`` recorded as
     ``releasekit build`` does, for the snapshot-id form of ``diff``.

2. In one run, in alternation, each measurement in a fresh child process (wall time from
   spawn to exit, peak RSS of that child via ``os.wait4``; :func:`bench_validate.measure`):

   * ``load`` (the baseline): one snapshot's ``hasil_tps.csv`` and ``suara.csv`` (and its one
     ``sources`` row) into SQLite with releasekit's schema (``database.create_schema``:
     primary keys and indexes), by
     ``csv.reader`` + ``executemany`` in one transaction with journal and sync off: the fast
     path of DESIGN.md section 10 (1.9x the C floor). A real ``releasekit build`` parses
     Sirekap JSON and is slower, so this baseline is the strict one.
   * ``diff`` of the two package folders, of the two zips, and of the two snapshot ids in the
     project database (``--limit 50`` text report, the default); the folders again with
     ``--ignore ts``, and with ``--format csv`` writing every changed field.
   * ``changes table``: the build step (``snapshots.record``) on a copy of the loaded
     database (both snapshots, nothing recorded yet), which writes ``snapshots``,
     ``snapshot_votes`` and ``changes``.

   Every child runs a private copy of releasekit (the working tree copied when the run starts,
   or ``--rev COMMIT``), so edits landing during a long run cannot change what is measured.

3. Prints the medians and ratios to ``load`` and writes ``benchmarks/RESULTS_diff.md`` (one
   section per ``--tps``/``--seed``, replaced on re-run).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import national  # noqa: E402
from bench_validate import Run, machine, measure, pin_code, src_fingerprint  # noqa: E402

from releasekit.artefacts import write_csv, write_json, write_zip  # noqa: E402
from releasekit.package import _resource  # noqa: E402
from releasekit.tables import BY_NAME, TABLES  # noqa: E402

RESULTS = HERE / "RESULTS_diff.md"
TARGET = 3.0
OLD, NEW = (day for day, _ in national.snapshot_days(2))

#: The baseline and the project database: package CSVs → SQLite with releasekit's canonical schema.
LOAD = r"""
import csv, sys
from releasekit.database import create_schema, insert_sql, open_database
from releasekit.tables import HASIL_TPS, SOURCES, SUARA
folder, target = sys.argv[1], sys.argv[2]
db = open_database(target)
create_schema(db)
conn = db.conn
rows = 0
with conn:
    for table in (HASIL_TPS, SUARA, SOURCES):
        with open(f"{folder}/data/{table.name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            batch = []
            for row in reader:
                batch.append([None if v == "" else v for v in row])
                if len(batch) == 20000:
                    conn.executemany(insert_sql(table), batch)
                    rows += len(batch)
                    batch.clear()
            conn.executemany(insert_sql(table), batch)
            rows += len(batch)
db.close()
print(rows)
"""

#: The build step that writes snapshots, snapshot_votes and changes (on a copy of the database).
RECORD = r"""
import shutil, sys
from releasekit.database import open_database
from releasekit import snapshots
shutil.copyfile(sys.argv[1], sys.argv[2])
db = open_database(sys.argv[2])
snapshots.record(db)
print(db.execute("SELECT count(*) FROM changes").fetchone()[0])
db.close()
"""


def split(package: Path, day: str, out: Path) -> None:
    """Write the one-snapshot package of ``day`` from the two-snapshot ``package`` (rows filtered, hashes redone)."""
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    present = {r["name"] for r in descriptor["resources"]}
    resources = []
    for res in descriptor["resources"]:
        table = BY_NAME[res["name"]]
        with (package / res["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            snap = header.index("snapshot") if "snapshot" in header else None
            write_csv(tmp / res["path"], header, (r for r in reader if snap is None or r[snap] == day))
        resources.append(_resource(table, tmp, present))
    descriptor["resources"] = resources
    descriptor["releasekit"]["sources"] = [s for s in descriptor["releasekit"]["sources"] if s["snapshot"] == day]
    write_json(tmp / "datapackage.json", descriptor)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


def prepare(tps: int, seed: int, env: dict[str, str] | None = None) -> Path:
    """Generate or reuse every input; return the work folder."""
    package = national.default_folder(tps, seed, 2)
    if not national.is_current(package, tps, seed, 2):
        print(f"generating {package} …", flush=True)
        national.generate(package, tps, seed, 2)
    work = national.WORK / f"diff-tps{tps}-seed{seed}"
    schema = hashlib.sha256(json.dumps([[t.name, *t.columns] for t in TABLES]).encode()).hexdigest()[:12]
    stamp = f"{(package / national.MARKER).read_text(encoding='utf-8').strip()} schema {schema} inputs 2"
    marker = work / ".inputs"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name, day in (("old", OLD), ("new", NEW)):
        print(f"writing {work / name} …", flush=True)
        split(package, day, work / name)
        names = ["datapackage.json", *(r["path"] for r in json.loads(
            (work / name / "datapackage.json").read_text(encoding="utf-8"))["resources"])]
        write_zip(work / f"{name}.zip", work / name, names)
    (work / "project" / "build").mkdir(parents=True)
    print("loading the project database …", flush=True)
    loaded, db = work / "loaded.db", work / "project" / "build" / "release.db"
    run = measure([sys.executable, "-c", LOAD, str(package), str(loaded)], env=env)
    if run.returncode:
        raise SystemExit(run.stderr)
    print("recording its snapshots and changes, as a build does …", flush=True)
    run = measure([sys.executable, "-c", RECORD, str(loaded), str(db)], env=env)
    if run.returncode:
        raise SystemExit(run.stderr)
    marker.write_text(stamp, encoding="utf-8")
    return work


def pin(rev: str | None) -> tuple[dict[str, str], str]:
    """Children's environment running a private copy of releasekit; and its label.

    ``rev``: a git commit (:func:`bench_validate.pin_code`); default: the working tree as it is
    now, copied to ``benchmarks/work/code-wt-<fingerprint>/``. Either way, edits landing in the
    working tree during a long run cannot change (or break) the code being measured.
    """
    if rev:
        src, label = pin_code(rev)
    else:
        fingerprint = src_fingerprint()
        src = national.WORK / f"code-wt-{fingerprint}"
        if not (src / "releasekit" / "__init__.py").is_file():
            tmp = src.with_name(src.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(ROOT / "src" / "releasekit", tmp / "releasekit",
                            ignore=shutil.ignore_patterns("__pycache__"))
            os.replace(tmp, src)
        label = f"working tree, src fingerprint {fingerprint} (pinned copy)"
    env = {**os.environ, "PYTHONPATH": str(src)}
    check = subprocess.run([sys.executable, "-c", "import releasekit.cli, releasekit.snapshots"], env=env,
                           capture_output=True, text=True)
    if check.returncode:
        raise SystemExit(f"the code to measure does not import: {check.stderr.strip().splitlines()[-1]}")
    return env, label


def commands(work: Path) -> dict[str, list[str]]:
    rk = [sys.executable, "-m", "releasekit", "diff"]
    return {
        "load one snapshot (baseline)": [sys.executable, "-c", LOAD, str(work / "old"), str(work / "load.db")],
        "diff old/ new/ (package folders)": [*rk, str(work / "old"), str(work / "new")],
        "diff old.zip new.zip": [*rk, str(work / "old.zip"), str(work / "new.zip")],
        f"diff {OLD} {NEW} (snapshot ids, release.db)": [*rk, "--project", str(work / "project"), OLD, NEW],
        "diff old/ new/ --ignore ts": [*rk, "--ignore", "ts", str(work / "old"), str(work / "new")],
        # to /dev/null inside the child (sh execs python): a national CSV is ~1 GB, and reading it back into
        # this process would inflate the peak RSS every later child inherits at fork
        "diff old/ new/ --format csv (every field)": ["sh", "-c", 'exec "$0" "$@" > /dev/null', *rk, "--format", "csv",
                                                      str(work / "old"), str(work / "new")],
        "changes table at build (snapshots.record)": [sys.executable, "-c", RECORD, str(work / "loaded.db"),
                                                      str(work / "record.db")],
    }


def run_all(work: Path, repeat: int, env: dict[str, str]) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {label: [] for label in commands(work)}
    for round_ in range(repeat):
        for label, command in commands(work).items():
            for stale in ("load.db", "record.db"):
                (work / stale).unlink(missing_ok=True)
            run = measure(command, env=env)
            if run.returncode:
                raise SystemExit(f"{label} failed ({run.returncode}): {run.stderr}")
            runs[label].append(run)
            print(f"round {round_ + 1}: {label}: {run.seconds:.2f} s, {run.peak_rss / 1e6:.0f} MB", flush=True)
    return runs


def summary(work: Path, env: dict[str, str]) -> dict[str, Any]:
    """What the diff reports (from one JSON run), to show the workload."""
    run = measure([sys.executable, "-m", "releasekit", "diff", "--format", "json", "--limit", "1",
                   str(work / "old"), str(work / "new")], env=env)
    (pair,) = json.loads(run.stdout)["comparisons"]
    ignore = measure([sys.executable, "-m", "releasekit", "diff", "--format", "json", "--limit", "1",
                      "--ignore", "ts", str(work / "old"), str(work / "new")], env=env)
    (pair_ts,) = json.loads(ignore.stdout)["comparisons"]
    return {"tps": pair["tps"], "changed_ignoring_ts": pair_ts["tps"]["changed"],
            "completed": pair["status_suara"]["false_to_true"], "votes_changed": pair["votes_changed"]}


def section(tps: int, seed: int, work: Path, runs: dict[str, list[Run]], shape: dict[str, Any], repeat: int,
            code: str) -> str:
    loads = runs["load one snapshot (baseline)"]
    base = statistics.median(r.seconds for r in loads)
    base_cpu = statistics.median(r.cpu for r in loads)
    rows = []
    ratios: dict[str, tuple[float, float, float]] = {}
    for label, items in runs.items():
        med = statistics.median(r.seconds for r in items)
        cpu = statistics.median(r.cpu for r in items)
        # each run over the load run of the same round: adjacent runs share the machine's state
        rounds = statistics.median(r.seconds / b.seconds for r, b in zip(items, loads, strict=True))
        ratios[label] = (med / base, rounds, cpu / base_cpu)
        each = ", ".join(f"{r.seconds:.1f}" for r in items)
        rows.append(f"| {label} | {med:.1f} s | {each} | {med / base:.2f}× | {rounds:.2f}× | {cpu:.1f} s | "
                    f"{cpu / base_cpu:.2f}× | {max(r.peak_rss for r in items) / 1e6:,.0f} MB |")
    diffs = {label: r for label, r in ratios.items() if label.startswith("diff")}
    worst = max(max(r) for r in diffs.values())
    size = sum(p.stat().st_size for p in (work / "old" / "data").glob("*.csv"))
    info = machine(code)
    t = shape["tps"]
    return "\n".join([
        f"<!-- bench-diff:tps={tps}:seed={seed} -->",
        f"## {tps:,} TPS per snapshot (seed {seed})",
        "",
        f"Two one-snapshot packages split from `national.py --tps {tps} --seed {seed} --snapshots 2` "
        f"({OLD} → {NEW}; {size / 1e6:,.0f} MB of CSV each). What the diff finds: {t['old']:,} → {t['new']:,} TPS, "
        f"{t['changed']:,} changed ({shape['changed_ignoring_ts']:,} ignoring `ts`), {t['added']:,} added, "
        f"{t['removed']:,} removed; {shape['completed']:,} TPS became complete, votes changed at "
        f"{shape['votes_changed']:,} TPS.",
        "",
        f"Command: `python benchmarks/bench_diff.py --tps {tps} --seed {seed} --repeat {repeat}`",
        "",
        "| measurement | median wall | runs (s) | wall / load | round by round | median CPU | CPU / load "
        "| peak RSS |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- **Slowest diff / load, by any of the three ratios: {worst:.2f}×** (target ≤ {TARGET:.0f}×: "
        f"**{'met' if worst <= TARGET else 'not met'}**). Default report (package folders): "
        + " / ".join(f"{x:.2f}×" for x in diffs["diff old/ new/ (package folders)"])
        + " (wall, round by round, CPU).",
        f"- Machine: {info['nproc']} CPU ({info['cpu']}), {info['memory']}, {info['os']}, Python {info['python']}; "
        f"releasekit {info['releasekit']}.",
        "",
    ])


def write_results(text: str, tps: int, seed: int) -> None:
    head = ("# Benchmark results: `releasekit diff` against loading one snapshot\n\n"
            "Written by `benchmarks/bench_diff.py` (method in its docstring). One section per scale, replaced\n"
            "when that scale is re-run. Times are wall-clock medians of fresh child processes run in alternation\n"
            "in one run; MB = 10^6 bytes. Absolute times drift ±30 % between runs on these shared machines:\n"
            "read the ratios.\n\n")
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else head
    marker = f"<!-- bench-diff:tps={tps}:seed={seed} -->"
    parts = old.split("<!-- bench-diff:")
    kept = [p for p in parts[1:] if not ("<!-- bench-diff:" + p).startswith(marker)]
    RESULTS.write_text(parts[0] + "".join("<!-- bench-diff:" + p for p in kept) + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tps", type=int, default=national.NATIONAL_TPS, help="TPS per snapshot (default %(default)s)")
    parser.add_argument("--seed", type=int, default=national.DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default %(default)s)")
    parser.add_argument("--rev", help="measure this git commit (default: the working tree, pinned at start)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS_diff.md")
    parser.add_argument("--prepare-only", action="store_true", help="only generate or check the inputs")
    args = parser.parse_args(argv)
    env, code = pin(args.rev)
    if args.prepare_only:
        prepare(args.tps, args.seed, env)
        return 0
    # In a child: splitting national CSVs grows this process, and every measured child would
    # inherit that peak RSS at fork.
    subprocess.run([sys.executable, __file__, "--prepare-only", "--tps", str(args.tps), "--seed", str(args.seed),
                    *(["--rev", args.rev] if args.rev else [])], check=True)
    work = national.WORK / f"diff-tps{args.tps}-seed{args.seed}"
    runs = run_all(work, args.repeat, env)
    text = section(args.tps, args.seed, work, runs, summary(work, env), args.repeat, code)
    print(text)
    if not args.no_write:
        write_results(text, args.tps, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
