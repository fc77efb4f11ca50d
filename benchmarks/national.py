"""A deterministic SYNTHETIC national-scale real-count package for the validate benchmark.

``python benchmarks/national.py [--tps N] [--seed S] [--out FOLDER]`` writes a register-001
("real count") data package directly as CSV resources plus ``datapackage.json``, exactly as
``releasekit build`` would write it (same tables, column order, CSV conventions, row order,
Table Schemas, ``hash``/``bytes`` and a ``releasekit`` provenance block), without going
through ingest or SQLite: this benchmarks ``validate``, not ``build``.

* Scale: ``--tps`` polling stations (default 823,378, the 2024 national total including
  overseas) spread over the 38 provinces with their real KPU codes plus ``99`` (overseas),
  in rough 2024 proportions (Java is most of it). Regency, district and village counts per
  province follow the real ones scaled to ``--tps``; codes have the real structure
  (kab 4, kec 6, desa 10, TPS 13 = desa + 3-digit number; overseas codes go alphanumeric,
  ``99AA0100011``-style, as in Sirekap). About 2 % of villages have a TPS khusus (``9xx``).
  Every name below province level is made up.
* Tables: ``pemilu`` (ppwp-2024), ``peserta`` (3 pairs), ``wilayah`` (every province /
  kab / kec / desa referenced, with ``kode_induk``), ``tps``, ``hasil_tps`` (one snapshot;
  about 25 % empty records with NULL figures, as Sirekap publishes them), ``suara`` (3 rows
  per TPS that has votes), ``findings`` (a few ``ballots-sum-mismatch`` warnings for the few
  TPS where the generator deliberately breaks ``sah + tidak_sah = total``), ``quarantine``
  (header only) and ``sources`` (one source, records in = loaded + quarantined).
* Deterministic: a seeded :class:`random.Random`, no clock, no set iteration; same
  ``--tps``/``--seed`` ⇒ byte-identical files on any machine.
* Streaming: rows go straight to the CSV writers, province by province, in primary-key
  order; only per-province size lists are held in memory.

The descriptor is built with releasekit's own code: :func:`releasekit.package._resource`
(which calls :func:`releasekit.package.table_schema`) for every table of
:data:`releasekit.tables.TABLES`, in that order.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path
from typing import Any, NamedTuple

from releasekit import __version__
from releasekit.artefacts import write_json
from releasekit.package import ALWAYS, _resource, table_schema
from releasekit.rules import RULES, setting
from releasekit.tables import BY_NAME, TABLES

#: Bump when the generator's output changes, so cached packages are regenerated.
GENERATOR_VERSION = "2"
MARKER = ".generator"  # in the package folder, outside its resources: "<version> <tps> <seed>"
NATIONAL_TPS = 823_378
DEFAULT_SEED = 20240214
WORK = Path(__file__).resolve().parent / "work"
#: The tables this generator writes (register 001 from per-TPS results only). Any other canonical
#: table (e.g. aggregate tables) has no rows here and, like ``releasekit build``, gets no resource.
GENERATED = ("pemilu", "peserta", "wilayah", "tps", "hasil_tps", "suara", "findings", "quarantine", "sources")

ELECTION = "ppwp-2024"
SNAPSHOT = "2024-03-10"
REGISTER = "001"
SLUG = "real-count"
TITLE = "Real count (Sirekap) results per TPS (SYNTHETIC, national benchmark)"
SOURCE_PATH = "raw/ppwp_tps_20240310.tar.gz"
CANDIDATES = ((1, "100025", "H. Anies Rasyid Baswedan, Ph.D. – Dr. (H.C.) H. A. Muhaimin Iskandar"),
              (2, "100026", "H. Prabowo Subianto – Gibran Rakabuming Raka"),
              (3, "100027", "H. Ganjar Pranowo, S.H., M.I.P. – Prof. Dr. H. M. Mahfud MD"))
SHARES = (0.2495, 0.5885, 0.1620)  # rough national shares, jittered per TPS
EMPTY_RATE = 0.25                   # Sirekap records with no figures yet
KHUSUS_RATE = 0.02                  # villages with one TPS khusus (9xx)
BROKEN_RATE = 2e-5                  # TPS whose sah + tidak_sah != total (published as findings)

#: (KPU code, name, approx. 2024 TPS, regencies/cities, villages) — rough, from KPU/Kemendagri
#: 2023-2024 totals; used only as proportions.
PROVINCES: tuple[tuple[str, str, int, int, int], ...] = (
    ("11", "ACEH", 16046, 23, 6497),
    ("12", "SUMATERA UTARA", 45875, 33, 6110),
    ("13", "SUMATERA BARAT", 17569, 19, 1265),
    ("14", "RIAU", 19366, 12, 1862),
    ("15", "JAMBI", 11160, 11, 1585),
    ("16", "SUMATERA SELATAN", 26090, 17, 3258),
    ("17", "BENGKULU", 6142, 10, 1513),
    ("18", "LAMPUNG", 25824, 15, 2651),
    ("19", "KEPULAUAN BANGKA BELITUNG", 4346, 7, 393),
    ("21", "KEPULAUAN RIAU", 7643, 7, 419),
    ("31", "DKI JAKARTA", 29083, 6, 267),
    ("32", "JAWA BARAT", 140457, 27, 5957),
    ("33", "JAWA TENGAH", 117299, 35, 8562),
    ("34", "DAERAH ISTIMEWA YOGYAKARTA", 11951, 5, 438),
    ("35", "JAWA TIMUR", 120666, 38, 8494),
    ("36", "BANTEN", 33324, 8, 1552),
    ("51", "BALI", 12288, 9, 716),
    ("52", "NUSA TENGGARA BARAT", 16215, 10, 1166),
    ("53", "NUSA TENGGARA TIMUR", 16764, 22, 3442),
    ("61", "KALIMANTAN BARAT", 15886, 14, 2146),
    ("62", "KALIMANTAN TENGAH", 8176, 14, 1576),
    ("63", "KALIMANTAN SELATAN", 13162, 13, 2019),
    ("64", "KALIMANTAN TIMUR", 11442, 10, 1038),
    ("65", "KALIMANTAN UTARA", 2290, 5, 482),
    ("71", "SULAWESI UTARA", 8010, 15, 1839),
    ("72", "SULAWESI TENGAH", 9633, 13, 2020),
    ("73", "SULAWESI SELATAN", 26290, 24, 3059),
    ("74", "SULAWESI TENGGARA", 9271, 17, 2303),
    ("75", "GORONTALO", 3659, 6, 734),
    ("76", "SULAWESI BARAT", 4829, 6, 650),
    ("81", "MALUKU", 5894, 11, 1235),
    ("82", "MALUKU UTARA", 4598, 10, 1202),
    ("91", "PAPUA", 3800, 9, 1000),
    ("92", "PAPUA BARAT", 1900, 7, 1000),
    ("93", "PAPUA SELATAN", 2300, 4, 700),
    ("94", "PAPUA TENGAH", 4800, 8, 1200),
    ("95", "PAPUA PEGUNUNGAN", 5200, 8, 2600),
    ("96", "PAPUA BARAT DAYA", 1700, 6, 800),
    ("99", "LUAR NEGERI", 3217, 128, 128),  # overseas: city (tingkat 2) → one kec → one "desa"
)
SYLLABLES = ("ba", "bu", "ci", "da", "di", "ga", "ja", "ka", "ke", "la", "lo", "ma", "mu", "na", "ni",
             "pa", "pu", "ra", "ri", "sa", "si", "ta", "tu", "wa", "wi", "ya", "ng", "ran", "jo", "sem")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties by position)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def split(total: int, parts: int, rng: random.Random, spread: float = 0.5) -> list[int]:
    """``parts`` random sizes, each ≥ 1, summing to ``total`` (needs ``total >= parts``)."""
    extra = apportion(total - parts, [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)])
    return [1 + e for e in extra]


def national_tps(tps: int) -> list[int]:
    """TPS per province: proportional, at least 1 each when there are enough."""
    if tps >= len(PROVINCES):
        return [1 + n for n in apportion(tps - len(PROVINCES), [float(p[2]) for p in PROVINCES])]
    return apportion(tps, [float(p[2]) for p in PROVINCES])


def name(rng: random.Random) -> str:
    """A made-up place name."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper()


def overseas_code(index: int) -> str:
    """Second-level overseas code suffix: 01…99, then alphanumeric AA, AB, … (as in Sirekap 2024)."""
    if index < 99:
        return f"{index + 1:02d}"
    index -= 99
    return chr(65 + index // 26) + chr(65 + index % 26)


class Shape(NamedTuple):
    """One province's regencies and how districts, villages and TPS spread over them."""

    kab_codes: list[str]
    #: how many of the last ``kab_codes`` are cities (``KOTA``, codes 71…)
    n_kota: int
    kec_per_kab: list[int]
    desa_per_kec: list[int]
    tps_per_desa: list[int]

    def is_kota(self, a: int) -> bool:
        """Whether regency number ``a`` is a city."""
        return a >= len(self.kab_codes) - self.n_kota


def province_shape(code: str, real_kab: int, real_desa: int, tps: int, scale: float, rng: random.Random) -> Shape:
    """The layout of a province with ``tps`` TPS, its real village and regency counts scaled by ``scale``."""
    overseas = code == "99"
    n_desa = max(1, min(tps, round(real_desa * scale)))
    if overseas:
        n_kec = n_kab = n_desa
    else:
        n_kec = max(1, min(n_desa, round(n_desa / 11.5)))
        n_kab = max(1, min(real_kab, n_kec))
    kec_per_kab = split(n_kec, n_kab, rng)
    desa_per_kec = split(n_desa, n_kec, rng)
    tps_per_desa = split(tps, n_desa, rng, spread=0.6)
    n_kota = 0 if overseas else n_kab // 5
    kab_codes = ([code + overseas_code(i) for i in range(n_kab)] if overseas else
                 [f"{code}{i + 1:02d}" for i in range(n_kab - n_kota)] + [f"{code}{71 + i:02d}" for i in range(n_kota)])
    return Shape(kab_codes, n_kota, kec_per_kab, desa_per_kec, tps_per_desa)


class Writers:
    """One csv.writer per resource, in releasekit's CSV convention (UTF-8, ``\\n``, minimal quoting)."""

    def __init__(self, data: Path, snapshots: int = 1) -> None:
        self.data = data
        self.snapshots = snapshots
        self.handles = {n: (data / f"{n}.csv").open("w", encoding="utf-8", newline="") for n in GENERATED}
        self.writers = {n: csv.writer(h, lineterminator="\n") for n, h in self.handles.items()}
        self.rows = dict.fromkeys(GENERATED, 0)
        self.per_snapshot = [0] * snapshots  # hasil_tps rows per snapshot
        for n in GENERATED:
            self.writers[n].writerow(BY_NAME[n].columns)
        # With several snapshots, rows in key order are (snapshot, kode_tps): one part file per snapshot,
        # concatenated at the end.
        self.parts = {(n, j): (data / f".{n}.{j}.part").open("w", encoding="utf-8", newline="")
                      for n in ("hasil_tps", "suara") for j in range(snapshots)} if snapshots > 1 else {}
        self.part_writers = {k: csv.writer(h, lineterminator="\n") for k, h in self.parts.items()}

    def row(self, table: str, values: list[Any] | tuple[Any, ...], snapshot: int = 0) -> None:
        writer = self.part_writers[(table, snapshot)] if self.parts and table in ("hasil_tps", "suara") else \
            self.writers[table]
        writer.writerow(["" if v is None else v for v in values])
        self.rows[table] += 1
        if table == "hasil_tps":
            self.per_snapshot[snapshot] += 1

    def close(self) -> set[str]:
        """Close every file; drop empty ones releasekit would not publish; return the present tables."""
        for part in self.parts.values():
            part.close()
        for (table, _), part in self.parts.items():
            with open(part.name, encoding="utf-8", newline="") as handle:
                shutil.copyfileobj(handle, self.handles[table], 1 << 20)
            os.unlink(part.name)
        for handle in self.handles.values():
            handle.close()
        present = {n for n, count in self.rows.items() if count or n in ALWAYS}
        for n in set(GENERATED) - present:
            (self.data / f"{n}.csv").unlink()
        return present


def tps_figures(rng: random.Random) -> tuple[list[int], list[int]]:
    """A consistent hasil_tps record (pemilih_dpt_j … suara_total) and its three candidate votes."""
    dpt_l = rng.randint(60, 160)
    dpt_p = dpt_l + rng.randint(-12, 12)
    used_l = round(dpt_l * rng.uniform(0.70, 0.92))
    used_p = round(dpt_p * rng.uniform(0.70, 0.92))
    b_l, b_p = rng.choice((0, 0, 0, 1, 2)), rng.choice((0, 0, 0, 1, 2))
    k_l, k_p = rng.choice((0, 0, 0, 0, 1)), rng.choice((0, 0, 0, 0, 1))
    tot_l, tot_p = used_l + b_l + k_l, used_p + b_p + k_p
    total = tot_l + tot_p
    invalid = min(total, rng.randint(0, max(1, total // 25)))
    valid = total - invalid
    votes = apportion(valid, [s * rng.uniform(0.5, 1.5) for s in SHARES]) if valid else [0, 0, 0]
    return [dpt_l + dpt_p, dpt_l, dpt_p, used_l + used_p, used_l, used_p, b_l + b_p, b_l, b_p,
            k_l + k_p, k_l, k_p, total, tot_l, tot_p, valid, invalid, total], votes


def _province(out: Writers, rng: random.Random, index: int, tps: int, scale: float,
              findings: list[tuple[Any, ...]], snapshots: list[tuple[str, str]]) -> None:
    """Write one province's wilayah, tps, hasil_tps and suara rows, in primary-key order."""
    code, prov_name, _, real_kab, real_desa = PROVINCES[index]
    overseas = code == "99"
    out.row("wilayah", (code, 1, prov_name, None, str(index + 1), "kpu", None, None))
    if tps == 0:
        return
    shape = province_shape(code, real_kab, real_desa, tps, scale, rng)
    kec_per_kab, desa_per_kec, tps_per_desa = shape.kec_per_kab, shape.desa_per_kec, shape.tps_per_desa
    kec_i = desa_i = 0
    for a, kab in enumerate(shape.kab_codes):
        kota = shape.is_kota(a) and not overseas
        kab_name = name(rng)
        out.row("wilayah", (kab, 2, (f"KOTA {kab_name}" if kota else kab_name), code, f"{kab}0", "kpu", None, None))
        for c in range(kec_per_kab[a]):
            kec = f"{kab}{c + 1:02d}"
            kec_name = kab_name if overseas else name(rng)
            out.row("wilayah", (kec, 3, kec_name, kab, f"{kec}0", "kpu", None, None))
            for d in range(desa_per_kec[kec_i]):
                desa = f"{kec}{d + 1:04d}" if overseas else f"{kec}{(1001 if kota else 2001) + d}"
                desa_name = kec_name if overseas else name(rng)
                out.row("wilayah", (desa, 4, desa_name, kec, f"{desa}0", "kpu", None, None))
                n_tps = tps_per_desa[desa_i]
                khusus = not overseas and n_tps >= 2 and rng.random() < KHUSUS_RATE
                numbers = [f"{n:03d}" for n in range(1, n_tps + (0 if khusus else 1))] + (["901"] if khusus else [])
                for number in numbers:
                    _tps(out, rng, desa + number, desa, number,
                         "luar-negeri" if overseas else ("khusus" if number[0] == "9" else "reguler"),
                         findings, snapshots)
                desa_i += 1
            kec_i += 1


def _ts(rng: random.Random) -> str:
    return (f"2024-{rng.choice(('02', '03'))}-{rng.randint(1, 28):02d} "
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")


def _tps_snapshots(out: Writers, rng: random.Random, kode: str, findings: list[tuple[Any, ...]],
                   snapshots: list[tuple[str, str]]) -> None:
    """Several daily snapshots: a record is empty until the day it is complete (about 25 % never are)."""
    figures, votes = tps_figures(rng)
    first = len(snapshots) if rng.random() < EMPTY_RATE else rng.randrange(len(snapshots))
    broken = rng.random() < BROKEN_RATE
    if broken:
        figures[17] += 7
    adm, photos = rng.choice((0, 1, 1, 1)), rng.randint(1, 4)
    for j, (snapshot, source) in enumerate(snapshots):
        ts = _ts(rng)
        if j < first:
            out.row("hasil_tps", (ELECTION, snapshot, kode, ts, *([None] * 18), 0, 0, None, 0, source), j)
            continue
        if broken:
            findings.append(("ballots-sum-mismatch", ELECTION, snapshot, kode, "warning", figures[17],
                             figures[15] + figures[16], f"suara_sah {figures[15]} + suara_tidak_sah {figures[16]} "
                             f"<> suara_total {figures[17]}", REGISTER))
        out.row("hasil_tps", (ELECTION, snapshot, kode, ts, *figures, 1, adm, None, photos, source), j)
        for (nomor, _, _), count in zip(CANDIDATES, votes, strict=True):
            out.row("suara", (ELECTION, snapshot, kode, nomor, count), j)


def _tps(out: Writers, rng: random.Random, kode: str, desa: str, number: str, jenis: str,
         findings: list[tuple[Any, ...]], snapshots: list[tuple[str, str]]) -> None:
    out.row("tps", (kode, desa, number, jenis, None, None, None))
    if len(snapshots) > 1:
        _tps_snapshots(out, rng, kode, findings, snapshots)
        return
    ts = _ts(rng)
    if rng.random() < EMPTY_RATE:
        out.row("hasil_tps", (ELECTION, SNAPSHOT, kode, ts, *([None] * 18), 0, 0, None, 0, SOURCE_PATH))
        return
    figures, votes = tps_figures(rng)
    if rng.random() < BROKEN_RATE:  # a data finding, published as a warning (not a structural error)
        figures[17] += 7
        expected, actual = figures[17], figures[15] + figures[16]
        findings.append(("ballots-sum-mismatch", ELECTION, SNAPSHOT, kode, "warning", expected, actual,
                         f"suara_sah {figures[15]} + suara_tidak_sah {figures[16]} <> suara_total {expected}",
                         REGISTER))
    out.row("hasil_tps", (ELECTION, SNAPSHOT, kode, ts, *figures, 1, rng.choice((0, 1, 1, 1)), None,
                          rng.randint(1, 4), SOURCE_PATH))
    for (nomor, _, _), count in zip(CANDIDATES, votes, strict=True):
        out.row("suara", (ELECTION, SNAPSHOT, kode, nomor, count))


def provenance(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``releasekit`` block, shaped like :func:`releasekit.package.provenance` writes it."""
    rules = {}
    for rule in RULES:
        s = setting({}, rule.slug)
        rules[rule.slug] = {"severity": s.severity, **({"error_if": s.error_if} if s.error_if else {}),
                            "table": rule.table, "title": rule.title}
    return {
        "releasekit_version": __version__,
        "inputs_sha256": hashlib.sha256("".join(s["sha256"] for s in sources).encode()).hexdigest(),
        "register": {"id": REGISTER, "slug": SLUG, "title": TITLE, "status": "open",
                     "basis": {"request": {"reference": "BENCHMARK-PPID-2024-001 (synthetic reference)",
                                           "date": "2024-02-26", "office": "PPID KPU RI"},
                               "note": "Synthetic benchmark data generated by benchmarks/national.py; "
                                       "not KPU figures."}},
        "sources": [{k: v for k, v in s.items() if v is not None and k != "register"} for s in sources],
        "rules": rules,
    }


def snapshot_days(count: int) -> list[tuple[str, str]]:
    """``(snapshot day, source path)`` of ``count`` daily snapshots ending on :data:`SNAPSHOT`."""
    if count == 1:
        return [(SNAPSHOT, SOURCE_PATH)]
    last = datetime.date.fromisoformat(SNAPSHOT)
    days = [(last - datetime.timedelta(days=count - 1 - j)).isoformat() for j in range(count)]
    return [(day, f"raw/ppwp_tps_{day.replace('-', '')}.tar.gz") for day in days]


def generate(folder: Path, tps: int = NATIONAL_TPS, seed: int = DEFAULT_SEED, snapshots: int = 1) -> dict[str, int]:
    """Write the package into ``folder`` (replaced atomically); return rows per table."""
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    rng = random.Random(seed)
    days = snapshot_days(snapshots)
    out = Writers(tmp / "data", snapshots)
    findings: list[tuple[Any, ...]] = []
    sources: list[dict[str, Any]] = []
    try:
        out.row("pemilu", (ELECTION, "ppwp", 2024, 1, "2024-02-14", "Pemilihan Presiden dan Wakil Presiden 2024"))
        for nomor, id_sumber, nama in CANDIDATES:
            out.row("peserta", (ELECTION, nomor, id_sumber, nama))
        scale = tps / NATIONAL_TPS
        for index, count in enumerate(national_tps(tps)):
            _province(out, rng, index, count, scale, findings, days)
        for row in sorted(findings):
            out.row("findings", row)
        for (day, path), loaded in zip(days, out.per_snapshot, strict=True):
            label = f"tps={tps} seed={seed}" + (f" snapshot={day}" if snapshots > 1 else "")
            sources.append({
                "register": REGISTER, "path": path,
                "sha256": hashlib.sha256(f"releasekit benchmark national {label}".encode()).hexdigest(),
                "bytes": 1180 * loaded, "format": "sirekap-tps-json", "reader_version": "1", "election": ELECTION,
                "snapshot": day, "title": f"Sirekap per-TPS JSON, {day} (synthetic, national benchmark)",
                "origin": "generated by benchmarks/national.py", "retrieved": f"{day}T23:59:59+07:00",
                "synthetic": 1, "records_in": loaded, "records_loaded": loaded, "records_quarantined": 0,
            })
        for source in sorted(sources, key=lambda s: (s["register"], s["path"])):
            out.row("sources", tuple(source.values()))
    finally:
        present = out.close()
    resources = [_resource(t, tmp, present) for t in TABLES if t.name in present]
    for source in sources:
        source["synthetic"] = True
    what = "snapshot" if snapshots == 1 else f"{snapshots} daily snapshots"
    descriptor = {
        "profile": "tabular-data-package",
        "name": SLUG,
        "title": TITLE,
        "description": f"Synthetic national-scale Sirekap {what} ({tps} TPS, seed {seed}) for benchmarking "
                       "'releasekit validate'. Not KPU data.",
        "keywords": ["indonesia", "election", "pemilu", "kpu", SLUG],
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0 International"}],
        "contributors": [{"title": "releasekit benchmark", "role": "publisher"}],
        "sources": [{"title": s["title"], "path": s["origin"]} for s in sources],
        "releasekit": provenance(sources),
        "resources": resources,
    }
    write_json(tmp / "datapackage.json", descriptor)
    (tmp / MARKER).write_text(" ".join(_marker(tps, seed, snapshots)) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return out.rows


def _marker(tps: int, seed: int, snapshots: int) -> list[str]:
    return [GENERATOR_VERSION, str(tps), str(seed)] + ([f"snapshots={snapshots}"] if snapshots > 1 else [])


def is_current(folder: Path, tps: int, seed: int, snapshots: int = 1) -> bool:
    """Whether ``folder`` holds this generator's package for ``tps``/``seed`` with today's releasekit schemas."""
    try:
        marker = (folder / MARKER).read_text(encoding="utf-8").split()
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if marker != _marker(tps, seed, snapshots):
        return False
    resources = descriptor.get("resources", [])
    present = {r.get("name") for r in resources}
    expected = [t for t in TABLES if t.name in present]
    return [r.get("name") for r in resources] == [t.name for t in expected] and all(
        r.get("schema") == table_schema(t, present) for r, t in zip(resources, expected, strict=True))


def default_folder(tps: int, seed: int = DEFAULT_SEED, snapshots: int = 1) -> Path:
    """Where the runner caches the package for ``tps``, ``seed`` (and ``snapshots`` when more than 1)."""
    return WORK / (f"national-tps{tps}-seed{seed}" + (f"-snapshots{snapshots}" if snapshots > 1 else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tps", type=int, default=NATIONAL_TPS, help="number of TPS (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--snapshots", type=int, default=1,
                        help="daily snapshots in hasil_tps/suara (default 1; the register publishes one per day)")
    parser.add_argument("--out", type=Path, help="package folder (default benchmarks/work/national-tps<N>-seed<S>)")
    parser.add_argument("--if-stale", action="store_true",
                        help="keep an existing package made by this generator version with the current schemas")
    args = parser.parse_args(argv)
    if args.tps < 1:
        parser.error("--tps must be at least 1")
    if args.snapshots < 1:
        parser.error("--snapshots must be at least 1")
    folder = args.out or default_folder(args.tps, args.seed, args.snapshots)
    if args.if_stale and is_current(folder, args.tps, args.seed, args.snapshots):
        print(f"{folder}: up to date")
        return 0
    rows = generate(folder, args.tps, args.seed, args.snapshots)
    print(f"{folder}: " + ", ".join(f"{n} {c}" for n, c in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
