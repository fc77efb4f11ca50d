"""Deterministic SYNTHETIC national-scale RAW inputs for the build benchmark (issue 8).

``python benchmarks/national_raw.py [--tps N] [--seed S] [--days K] [--out FOLDER]`` writes the raw
files a release team would feed to ``releasekit build``, for one made-up presidential election
(``ppwp-2024``) over the real geography's proportions (the province table, code structure and
overseas ``99`` codes of :mod:`national`):

* ``wilayah_kpu/`` -- the headerless KPU region CSVs (FORMATS.md section 11): ``provinces.csv``,
  ``regencies.csv``, ``districts.csv``, ``villages.csv``.
* ``ppwp_tps_<day>.tar.gz`` -- the last day's Sirekap per-TPS JSON (FORMATS.md section 1), one
  compact member per TPS at ``pemilu/hhcw/ppwp/{p}/{kab}/{kec}/{desa}/{tps}.json``.
* ``ppwp_tps_<day>.jsonl`` -- the same objects as JSON Lines (one line per TPS with ``kode_tps``).
* ``ppwp_tps_<day>.csv`` -- the same data as one flat CSV with a header, one row per TPS, votes in
  three wide columns (what a spreadsheet export looks like).
* ``days/ppwp_tps_<day>.jsonl.gz`` -- with ``--days K`` (K ≥ 2), K daily snapshots ending on the last
  day, gzipped JSON Lines: a TPS stays empty until the day it is complete. ``ts`` is, as in Sirekap,
  the time of the TPS's last update, on the day of it: the first day, the day the TPS is complete,
  and any later day an operator edits it again (:data:`EDIT_RATE` a day; the edit rewrites the
  same figures). The last one holds the same objects as the ``.jsonl`` file above.

About 25 % of TPS are still empty on the last day (``chart`` and ``administrasi`` null, as Sirekap
publishes them), and a few have a deliberate ``ballots-sum-mismatch``. Every figure and every name
below province level is made up.

Deterministic (``random.Random(seed)``, no clock, gzip without time or name, fixed tar metadata) and
streaming: members and lines go straight to their files; memory holds the region list only.
A marker file records what was generated, so a second call with the same arguments does nothing.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import (  # noqa: E402 - a sibling script, not a package
    BROKEN_RATE,
    DEFAULT_SEED,
    EMPTY_RATE,
    KHUSUS_RATE,
    NATIONAL_TPS,
    PROVINCES,
    WORK,
    name,
    national_tps,
    province_shape,
    tps_figures,
)

GENERATOR_VERSION = "3"
MARKER = ".generator"
LAST_DAY = date(2024, 3, 10)
CANDIDATE_IDS = ("100025", "100026", "100027")
TAR_MTIME = 1710000000
#: The share of complete TPS edited again on a given later day (a new ``ts``). In the two real captures of
#: Aceh Selatan (``sirekap2024_tps_snapshots_aceh1101``, 4 to 7 days apart in February 2024) 3 of 7 TPS kept
#: their ``ts`` and 4 had a later one (a one-off count of the two captures' ``ts`` fields, no script repeats it):
#: about 10 % a day in the week after the vote; lower later on.
EDIT_RATE = 0.05
IMAGE_HOST = "https://sirekap-obj-formc.synthetic.invalid"
ADM_ORDER = (
    "suara_sah", "suara_total", "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
    "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p", "pengguna_dptb_j", "pengguna_dptb_l", "pengguna_dptb_p",
    "suara_tidak_sah", "pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
    "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p",
)
#: Flat CSV columns: the TPS code, the update time, the hasil_tps figures, the flags and the votes.
FIGURES = tuple(f"{t}_{s}" for t in ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt",
                                     "pengguna_total") for s in "jlp") + ("suara_sah", "suara_tidak_sah",
                                                                         "suara_total")
CSV_HEADER = ("kode_tps", "ts", *FIGURES, "status_suara", "status_adm", "psu", "jumlah_foto",
              "paslon_1", "paslon_2", "paslon_3")


def day_name(day: date) -> str:
    return day.strftime("%Y%m%d")


def days(count: int) -> list[date]:
    """``count`` consecutive days ending on :data:`LAST_DAY`."""
    return [LAST_DAY - timedelta(days=count - 1 - i) for i in range(count)]


@dataclass(frozen=True)
class Layout:
    """Where the generator puts things (relative to the output folder)."""

    tps: int
    days: int

    @property
    def last(self) -> str:
        return day_name(LAST_DAY)

    @property
    def tar(self) -> str:
        return f"ppwp_tps_{self.last}.tar.gz"

    @property
    def jsonl(self) -> str:
        return f"ppwp_tps_{self.last}.jsonl"

    @property
    def csv(self) -> str:
        return f"ppwp_tps_{self.last}.csv"

    def daily(self) -> list[tuple[date, str]]:
        """``(day, path)`` of each daily gzipped JSON Lines snapshot (none with one day)."""
        return [(d, f"days/ppwp_tps_{day_name(d)}.jsonl.gz") for d in days(self.days)] if self.days > 1 else []


def regions_and_stations(tps: int, rng: random.Random) -> tuple[list[tuple[str, str]], Iterator[str]]:
    """Every region ``(code, name)`` and an iterator of TPS codes in code order.

    The region rows are made first (they are small); TPS codes are yielded afterwards from the
    per-village counts, so the caller can stream TPS records.
    """
    rows: list[tuple[str, str]] = []
    villages: list[tuple[str, list[str]]] = []
    for index, count in enumerate(national_tps(tps)):
        code, prov_name, _, real_kab, real_desa = PROVINCES[index]
        overseas = code == "99"
        rows.append((code, prov_name))
        if count == 0:
            continue
        shape = province_shape(code, real_kab, real_desa, count, tps / NATIONAL_TPS, rng)
        kec_per_kab, desa_per_kec, tps_per_desa = shape.kec_per_kab, shape.desa_per_kec, shape.tps_per_desa
        kec_i = desa_i = 0
        for a, kab in enumerate(shape.kab_codes):
            kota = shape.is_kota(a) and not overseas
            kab_name = name(rng)
            rows.append((kab, f"KOTA {kab_name}" if kota else kab_name))
            for c in range(kec_per_kab[a]):
                kec = f"{kab}{c + 1:02d}"
                rows.append((kec, kab_name if overseas else name(rng)))
                for d in range(desa_per_kec[kec_i]):
                    desa = f"{kec}{d + 1:04d}" if overseas else f"{kec}{(1001 if kota else 2001) + d}"
                    rows.append((desa, name(rng)))
                    n_tps = tps_per_desa[desa_i]
                    khusus = not overseas and n_tps >= 2 and rng.random() < KHUSUS_RATE
                    numbers = [f"{n:03d}" for n in range(1, n_tps + (0 if khusus else 1))] + (["901"] if khusus else [])
                    villages.append((desa, numbers))
                    desa_i += 1
                kec_i += 1

    def codes() -> Iterator[str]:
        for desa, numbers in villages:
            for number in numbers:
                yield desa + number
    return rows, codes()


@dataclass
class Station:
    """One TPS: its final figures, the first day it is complete, and its photo names."""

    code: str
    adm: dict[str, int] | None
    votes: list[int] | None
    first: int  # index of the first day with figures; == number of days when never complete
    photos: int
    seed: int


def station(rng: random.Random, code: str, n_days: int) -> Station:
    """A consistent Sirekap record (or an empty one) for ``code``."""
    empty = rng.random() < EMPTY_RATE
    first = n_days if empty else (n_days - 1 if n_days == 1 else rng.randrange(n_days))
    (dpt_j, dpt_l, dpt_p, used_j, used_l, used_p, b_j, b_l, b_p, k_j, k_l, k_p, total, tot_l, tot_p, valid, invalid,
     _), votes = tps_figures(rng)  # (the draws of the flat CSV's record, in the same order)
    adm = {"suara_sah": valid, "suara_total": total + (7 if rng.random() < BROKEN_RATE else 0),
           "pemilih_dpt_j": dpt_j, "pemilih_dpt_l": dpt_l, "pemilih_dpt_p": dpt_p,
           "pengguna_dpt_j": used_j, "pengguna_dpt_l": used_l, "pengguna_dpt_p": used_p,
           "pengguna_dptb_j": b_j, "pengguna_dptb_l": b_l, "pengguna_dptb_p": b_p,
           "suara_tidak_sah": invalid, "pengguna_total_j": total, "pengguna_total_l": tot_l,
           "pengguna_total_p": tot_p, "pengguna_non_dpt_j": k_j, "pengguna_non_dpt_l": k_l,
           "pengguna_non_dpt_p": k_p}
    return Station(code, adm, votes, first, rng.randint(1, 3), rng.getrandbits(32))


def update_days(st: Station, count: int) -> list[int]:
    """For each day index ``0 .. count - 1``, the day (index) of the TPS's last update on or before it: the day it got
    its figures (``st.first``), or a later day an operator edited it (each later day with probability
    :data:`EDIT_RATE`, drawn as the first draw of ``random.Random(st.seed * 64 + day)``); 0 before it is complete.
    One pass over the days."""
    out: list[int] = []
    last = 0
    for day in range(count):
        if day == st.first or (day > st.first and random.Random(st.seed * 64 + day).random() < EDIT_RATE):
            last = day
        out.append(last)
    return out


def sirekap_object(st: Station, day_index: int, last_update: int, dates: list[date]) -> dict[str, Any]:
    """The Sirekap object of ``st`` on day ``day_index`` (``dates[day_index]``; keys in Sirekap's order), whose last
    update is day ``last_update`` (:func:`update_days`)."""
    rng = random.Random(st.seed * 64 + last_update)
    rng.random()  # the edit draw of day last_update (update_days; not drawn on st.first and before): the ts follows it
    ts = (f"{dates[last_update].isoformat()} "
          f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")
    if day_index < st.first or st.adm is None or st.votes is None:
        return {"chart": None, "images": [None, None, None], "administrasi": None, "psu": None, "ts": ts,
                "status_suara": False, "status_adm": False}
    folders = "/".join((st.code[:2], st.code[2:4], st.code[4:6], st.code[6:8], st.code[8:10]))
    images = [f"{IMAGE_HOST}/{(st.seed >> (4 * i)) & 0xffff:04x}/pemilu/ppwp/{folders}/{st.code}-{i}.jpg"
              if i < st.photos else None for i in range(3)]
    chart: dict[str, int | None] = dict(zip(CANDIDATE_IDS, st.votes, strict=True))
    chart["null"] = None
    return {"chart": chart, "images": images, "administrasi": {k: st.adm[k] for k in ADM_ORDER}, "psu": None,
            "ts": ts, "status_suara": True, "status_adm": True}


def csv_row(code: str, obj: dict[str, Any]) -> list[object]:
    """The flat CSV row of one Sirekap object (empty cells for missing figures)."""
    adm = obj["administrasi"] or {}
    chart = obj["chart"] or {}
    photos = sum(1 for i in obj["images"] if i)
    return [code, obj["ts"], *(adm.get(k, "") for k in FIGURES), int(obj["status_suara"]),
            int(obj["status_adm"]), "", photos, *(chart.get(i, "") for i in CANDIDATE_IDS)]


def member_path(code: str) -> str:
    return f"pemilu/hhcw/ppwp/{code[:2]}/{code[:4]}/{code[:6]}/{code[:10]}/{code}.json"


def _gzip(path: Path) -> IO[bytes]:
    return gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0, compresslevel=6)


def write_regions(folder: Path, rows: list[tuple[str, str]]) -> None:
    """The four headerless KPU region CSVs: ``code,name`` for provinces, ``code,parent,name`` below."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, length in (("provinces", 2), ("regencies", 4), ("districts", 6), ("villages", 10)):
        with (folder / f"{file}.csv").open("w", encoding="utf-8", newline="") as handle:
            for code, text in rows:
                if len(code) == length:
                    parent = {2: "", 4: code[:2], 6: code[:4], 10: code[:6]}[length]
                    handle.write(f"{code},{parent},{text}\n" if parent else f"{code},{text}\n")


def generate(out: Path, tps: int = NATIONAL_TPS, seed: int = DEFAULT_SEED, n_days: int = 1) -> Layout:
    """Write every raw input into ``out`` (skipped when a complete run with the same arguments is there)."""
    layout = Layout(tps, n_days)
    stamp = f"{GENERATOR_VERSION} {tps} {seed} {n_days}"
    marker = out / MARKER
    if marker.exists() and marker.read_text() == stamp:
        return layout
    out.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    rng = random.Random(seed)
    rows, codes = regions_and_stations(tps, rng)
    write_regions(out / "wilayah_kpu", rows)
    daily = layout.daily()
    if daily:
        (out / "days").mkdir(exist_ok=True)
    last = max(n_days - 1, 0)
    dates = days(max(n_days, 1))
    with (out / layout.tar).open("wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar, \
            (out / layout.jsonl).open("w", encoding="utf-8", newline="\n") as jsonl, \
            (out / layout.csv).open("w", encoding="utf-8", newline="") as flat:
        day_files = [_gzip(out / path) for _, path in daily]
        writer = csv.writer(flat, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        try:
            for code in codes:
                st = station(rng, code, max(n_days, 1))
                updates = update_days(st, len(dates))
                obj = sirekap_object(st, last, updates[last], dates)
                data = json.dumps(obj, separators=(",", ":")).encode()
                info = tarfile.TarInfo(member_path(code))
                info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
                info.uname = info.gname = ""
                tar.addfile(info, io.BytesIO(data))
                line = json.dumps({"kode_tps": code, **obj}, separators=(",", ":")) + "\n"
                jsonl.write(line)
                writer.writerow(csv_row(code, obj))
                # A day's object depends only on its last update and on whether the TPS is complete yet, so days
                # that share both share one line; the last day's is the line just written.
                lines = {(updates[last], last >= st.first): line.encode()}
                for j, handle in enumerate(day_files):
                    key = (updates[j], j >= st.first)
                    if key not in lines:
                        lines[key] = (json.dumps({"kode_tps": code, **sirekap_object(st, j, updates[j], dates)},
                                                 separators=(",", ":")) + "\n").encode()
                    handle.write(lines[key])
        finally:
            for handle in day_files:
                fileobj = handle.fileobj  # type: ignore[attr-defined]
                handle.close()
                fileobj.close()
    marker.write_text(stamp)
    return layout


def default_folder(tps: int, seed: int, n_days: int) -> Path:
    return WORK / f"raw-tps{tps}-seed{seed}-days{n_days}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tps", type=int, default=NATIONAL_TPS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=1, help="daily JSON Lines snapshots to write (default 1)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or default_folder(args.tps, args.seed, args.days)
    generate(out, args.tps, args.seed, args.days)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
