"""Benchmark: the Datasette site at national scale — canned queries and pages over loopback HTTP.

``python benchmarks/bench_serve.py --tps N [--seed S] [--requests R]``

1. Takes the synthetic national package of :mod:`national` (generated and cached in
   ``benchmarks/work/`` like ``bench_validate.py`` does) and loads its CSVs into a
   releasekit database with releasekit's own schema (``database.create_schema``), then runs
   ``summaries.summarize`` — the build-time step the canned queries rely on — and times it.
2. Serves that database the way ``releasekit serve`` does (immutable, releasekit's
   ``settings.json`` and canned queries) in a child ``datasette serve`` process on a free
   loopback port.
3. For each URL — every canned query, a ``suara`` page filtered by ``kode_tps``, a
   ``hasil_tps`` page filtered by snapshot, the register-style totals — sends ``R`` requests
   one after another (a bounded loop: no concurrency, so the figure is the latency a reader
   sees) and reports the median, p95 and max. The floor is ``/-/versions.json`` (Datasette
   answering without touching the database).

Prints a table and writes ``benchmarks/RESULTS_serve.md``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import national  # noqa: E402

from releasekit.database import create_schema, insert_sql, open_database  # noqa: E402
from releasekit.publish import SETTINGS  # noqa: E402
from releasekit.queries import CANNED_QUERIES  # noqa: E402
from releasekit.summaries import summarize  # noqa: E402
from releasekit.tables import BY_NAME  # noqa: E402

TARGET_MS = 1000  # issue 4: every canned query answers in under a second at national scale


def load_package(folder: Path, db_path: Path) -> dict[str, float]:
    """Load a package's CSVs into a fresh releasekit database and summarise it; seconds per step."""
    db_path.unlink(missing_ok=True)
    db = open_database(db_path)
    create_schema(db)
    started = time.perf_counter()
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        table = BY_NAME[resource["name"]]
        types = [f.type for f in table.fields]
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = ([None if v == "" else int(v) if t in ("integer", "boolean") else float(v) if t == "number"
                     else v for v, t in zip(row, types, strict=True)] for row in reader)
            db.conn.executemany(insert_sql(table, verb="INSERT"), rows)
    db.conn.commit()
    loaded = time.perf_counter()
    summarize(db)
    summarised = time.perf_counter()
    db.conn.execute("ANALYZE")
    db.conn.commit()
    db.close()
    return {"load": loaded - started, "summarize": summarised - loaded}


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(site: Path, db_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``datasette serve`` of the database, immutable, with releasekit's settings and queries."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "metadata.json").write_text(json.dumps({"databases": {"release": {"queries": CANNED_QUERIES}}}))
    (site / "settings.json").write_text(json.dumps(SETTINGS))
    port = free_port()
    cmd = [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "-m", str(site / "metadata.json"),
           "--port", str(port), *[a for k, v in SETTINGS.items() for a in ("--setting", k, json.dumps(v).strip('"'))]]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"datasette did not start: {proc.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.3)


def measure(url: str, requests: int) -> dict[str, float]:
    """Latency in ms of ``requests`` sequential GETs (the first one is a warm-up, not counted)."""
    times = []
    for i in range(requests + 1):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{url}: HTTP {error.code}: {error.read()[:500]!r}") from None
        if i:
            times.append((time.perf_counter() - started) * 1000)
    if b'"ok": false' in body:
        raise SystemExit(f"{url}: query failed: {body[:300]!r}")
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1]}


def urls(db_path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(db_path)) as conn:
        kode_tps = conn.execute("SELECT kode_tps FROM suara ORDER BY kode_tps "
                                "LIMIT 1 OFFSET (SELECT count(*) / 2 FROM suara)").fetchone()[0]
        snapshot = conn.execute("SELECT max(snapshot) FROM hasil_tps").fetchone()[0]
    prov, kab, kec = kode_tps[:2], kode_tps[:4], kode_tps[:6]
    out = {
        "floor: /-/versions.json": "/-/versions.json",
        "totals_national": "/release/totals_national.json",
        "totals_province": f"/release/totals_province.json?snapshot={snapshot}",
        "totals_kabkota": f"/release/totals_kabkota.json?provinsi={prov}&snapshot=",
        "totals_kecamatan": f"/release/totals_kecamatan.json?kabkota={kab}&snapshot=",
        "totals_desa": f"/release/totals_desa.json?kecamatan={kec}&snapshot=",
        "findings_by_rule": "/release/findings_by_rule.json",
        "tps_with_findings": "/release/tps_with_findings.json?rule=",
        "completeness (provinces)": "/release/completeness.json?tingkat=1&kode_induk=&snapshot=",
        "completeness (villages of a district)": f"/release/completeness.json?tingkat=4&kode_induk={kec}&snapshot=",
        "turnout (regencies)": "/release/turnout.json?tingkat=2&kode_induk=&snapshot=",
        "suara page, one TPS": f"/release/suara?kode_tps={kode_tps}",
        "hasil_tps page, one snapshot": f"/release/hasil_tps?snapshot={snapshot}",
    }
    assert set(CANNED_QUERIES) <= {u.split("/release/")[-1].split(".json")[0] for u in out.values()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tps", type=int, default=national.NATIONAL_TPS)
    parser.add_argument("--seed", type=int, default=national.DEFAULT_SEED)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="reuse the database of a previous run")
    args = parser.parse_args(argv)
    package = national.default_folder(args.tps, args.seed)
    if not national.is_current(package, args.tps, args.seed):
        print(f"generating {package} …", flush=True)
        national.generate(package, args.tps, args.seed)
    work = HERE / "work" / f"serve-tps{args.tps}-seed{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "release.db"
    if args.reuse and db_path.is_file():
        steps = json.loads((work / "steps.json").read_text())
    else:
        print(f"loading {package.name} into {db_path} …", flush=True)
        steps = load_package(package, db_path)
        (work / "steps.json").write_text(json.dumps(steps))
    with closing(sqlite3.connect(db_path)) as conn:
        rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("tps", "hasil_tps", "suara", "rekap_wilayah", "rekap_suara")}
    proc, base = serve(work / "site", db_path)
    try:
        results = {name: measure(base + url, args.requests) for name, url in urls(db_path).items()}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    lines = [
        "# Benchmark results: the Datasette site at national scale",
        "",
        f"Written by `python benchmarks/bench_serve.py --tps {args.tps} --requests {args.requests}` "
        "(method in its docstring). The database is the national package of `benchmarks/national.py` loaded with "
        "releasekit's schema; canned queries read the build-time summary tables.",
        "",
        f"Rows: {', '.join(f'{t} {n:,}' for t, n in rows.items())}; database {db_path.stat().st_size / 1e6:,.0f} MB.",
        f"Build-time summary (`summaries.summarize`): **{steps['summarize']:.1f} s** "
        f"(loading the CSVs for the benchmark took {steps['load']:.1f} s).",
        "",
        f"{args.requests} sequential requests per URL over loopback, after one warm-up; milliseconds.",
        "",
        "| URL | median | p95 | max | under 1 s |",
        "|---|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['median']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
                     f"{'yes' if r['max'] < TARGET_MS else '**no**'} |")
    lines += ["", f"Machine: nproc {os.cpu_count()}, {platform.system()} {platform.release()}, "
              f"python {platform.python_version()}.", ""]
    text = "\n".join(lines)
    print(text)
    (HERE / "RESULTS_serve.md").write_text(text, encoding="utf-8")
    return 0 if all(r["max"] < TARGET_MS for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
