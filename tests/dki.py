"""DKI Jakarta at scale: turn the gigit-derived CSV into a Sirekap-layout archive.

``shared/data/sirekap2024_full_province_gigit_dki/derived_tps_pilpres_snapshot_20240317.csv.gz``
(FORMATS.md section 4c; 30,766 TPS) holds every TPS of DKI Jakarta on 17 March 2024, but
releasekit reads Sirekap per-TPS JSON (FORMATS.md section 1). :func:`write_sirekap_tar`
rewrites the CSV as a ``.tar.gz`` of ``pemilu/hhcw/ppwp/{prov}/{kab}/{kec}/{desa}/{tps}.json``
members, streaming: one row in, one member out, so memory stays flat.

:func:`expected_totals` computes what a correct build must contain straight from the
CSV, with nothing but the standard library (it never imports releasekit), so the
real-data tests compare releasekit against an independent count.

Conventions of the CSV: every value is a string; an empty string means "not present in
the source" and becomes JSON ``null`` (and so NULL in the database, never 0).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The CSV, relative to ``shared/data``.
DKI_CSV = "sirekap2024_full_province_gigit_dki/derived_tps_pilpres_snapshot_20240317.csv.gz"
#: The same province on 20 February 2024 (v1 layout: slug names, no ts), for snapshot diffs.
DKI_CSV_20240220 = "sirekap2024_full_province_gigit_dki/derived_tps_pilpres_snapshot_20240220_v1layout.csv.gz"

#: Sirekap candidate ids of Pilpres 2024 → the CSV column holding their votes.
CANDIDATES = {"100025": "paslon_1", "100026": "paslon_2", "100027": "paslon_3"}
#: Ballot number of each CSV vote column.
NOMOR_URUT = {"paslon_1": 1, "paslon_2": 2, "paslon_3": 3}

_TRIPLES_CSV_TO_SIREKAP = {
    "dpt": "pemilih_dpt",
    "pengguna_dpt": "pengguna_dpt",
    "pengguna_dptb": "pengguna_dptb",
    "pengguna_dpk": "pengguna_non_dpt",
    "pengguna_total": "pengguna_total",
}
#: The 18 ``administrasi`` keys of FORMATS.md section 1 → their CSV column (section 4c).
ADMINISTRASI = {
    **{f"{sirekap}_{s}": f"{csv_}_{s}" for csv_, sirekap in _TRIPLES_CSV_TO_SIREKAP.items() for s in "jlp"},
    "suara_sah": "suara_sah",
    "suara_tidak_sah": "suara_tidak_sah",
    "suara_total": "suara_total",
}
#: The same figures as ``hasil_tps`` columns (DESIGN.md section 5: DPK users are ``pengguna_dpk``).
HASIL_COLUMN = {
    **{f"{hasil}_{s}": f"{csv_}_{s}" for csv_, hasil in {
        "dpt": "pemilih_dpt", "pengguna_dpt": "pengguna_dpt", "pengguna_dptb": "pengguna_dptb",
        "pengguna_dpk": "pengguna_dpk", "pengguna_total": "pengguna_total"}.items() for s in "jlp"},
    "suara_sah": "suara_sah",
    "suara_tidak_sah": "suara_tidak_sah",
    "suara_total": "suara_total",
}
#: A fixed member time, so the archive is the same bytes on every run.
MEMBER_MTIME = 1710665093  # 2024-03-17T15:44:53+07:00, the gigit commit the CSV comes from


def _int(text: str) -> int | None:
    return None if text == "" else int(text)


def iter_rows(csv_gz: Path) -> Iterator[dict[str, str]]:
    """Stream the CSV rows as dicts of strings."""
    with gzip.open(csv_gz, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def member_name(row: dict[str, str]) -> str:
    """The Sirekap path of a row's TPS file."""
    return "pemilu/hhcw/ppwp/{kode_prov}/{kode_kab}/{kode_kec}/{kode_desa}/{kode_tps}.json".format(**row)


def sirekap_record(row: dict[str, str]) -> dict[str, object]:
    """One CSV row as the Sirekap per-TPS object (FORMATS.md section 1)."""
    votes = {cid: _int(row[col]) for cid, col in CANDIDATES.items()}
    chart: dict[str, int | None] | None = None
    if any(v is not None for v in votes.values()):
        chart = {**votes, "null": None}
    figures = {key: _int(row[col]) for key, col in ADMINISTRASI.items()}
    administrasi = figures if any(v is not None for v in figures.values()) else None
    images = row["images"].split("|") if row["images"] else None
    return {
        "chart": chart,
        "images": images,
        "administrasi": administrasi,
        "psu": None,
        "ts": row.get("ts") or None,  # the 20 Feb (v1 layout) CSV has no ts column
        "status_suara": chart is not None,
        "status_adm": administrasi is not None,
    }


def write_sirekap_tar(csv_gz: Path, out: Path, *, compresslevel: int = 1) -> Path:
    """Write every CSV row as a Sirekap JSON member of the ``.tar.gz`` at ``out``; return ``out``.

    Streams: one member is built, written and dropped at a time. The archive is
    deterministic (fixed mtimes, owners and gzip header time).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                              compresslevel=compresslevel) as gz, \
            tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for row in iter_rows(csv_gz):
            data = json.dumps(sirekap_record(row), separators=(", ", ": ")).encode("utf-8")
            info = tarfile.TarInfo(member_name(row))
            info.size = len(data)
            info.mtime = MEMBER_MTIME
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return out


@dataclass
class Expected:
    """What a build of the whole CSV must hold, counted from the CSV alone."""

    rows: int = 0
    tps: set[str] = field(default_factory=set)
    #: Σ votes by ballot number (empty cells skipped).
    votes: dict[int, int] = field(default_factory=lambda: dict.fromkeys(NOMOR_URUT.values(), 0))
    #: non-empty vote cells by ballot number (= non-NULL ``suara`` rows expected).
    vote_cells: dict[int, int] = field(default_factory=lambda: dict.fromkeys(NOMOR_URUT.values(), 0))
    #: TPS with at least one vote cell (= TPS with ``suara`` rows).
    tps_with_votes: int = 0
    #: TPS with at least one administration figure.
    tps_with_administrasi: int = 0
    #: ``hasil_tps`` column → (Σ, number of non-empty cells).
    columns: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Σ ``n_images`` over rows that have images (= Σ ``jumlah_foto``).
    photos: int = 0
    #: TPS with no images (``jumlah_foto`` NULL).
    tps_without_photos: int = 0


def expected_totals(csv_gz: Path) -> Expected:
    """Count the TPS, per-candidate vote sums and figure totals straight from the CSV."""
    exp = Expected()
    sums = dict.fromkeys(HASIL_COLUMN, 0)
    cells = dict.fromkeys(HASIL_COLUMN, 0)
    for row in iter_rows(csv_gz):
        exp.rows += 1
        exp.tps.add(row["kode_tps"])
        has_votes = False
        for col, nomor in NOMOR_URUT.items():
            if row[col] != "":
                exp.votes[nomor] += int(row[col])
                exp.vote_cells[nomor] += 1
                has_votes = True
        exp.tps_with_votes += has_votes
        has_adm = False
        for hasil, col in HASIL_COLUMN.items():
            if row[col] != "":
                sums[hasil] += int(row[col])
                cells[hasil] += 1
                has_adm = True
        exp.tps_with_administrasi += has_adm
        if row["images"]:
            exp.photos += len(row["images"].split("|"))
        else:
            exp.tps_without_photos += 1
    exp.columns = {c: (sums[c], cells[c]) for c in HASIL_COLUMN}
    return exp
