"""The synthetic voter-list generator and the demo's voter list (register 003)."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import yaml

from releasekit import build, load_release, synthetic_dpt
from releasekit.nik import VALID_DDMM
from releasekit.provenance import sha256_file

ROOT = Path(__file__).resolve().parents[1]


def test_generator_is_deterministic_and_builds_niks_like_dukcapil(tmp_path: Path) -> None:
    stations, districts = synthetic_dpt.national_stations(3000, seed=2)
    rates = synthetic_dpt.Rates(invalid=0, duplicate=0, region_mismatch=0, broken=0)
    a, b = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    planted = synthetic_dpt.write_voter_list(a, stations, seed=5, rates=rates, districts=districts)
    synthetic_dpt.write_voter_list(b, stations, seed=5, rates=rates, districts=districts)
    assert a.read_bytes() == b.read_bytes()
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(a.read_bytes()).decode())))
    assert len(rows) == planted.rows == planted.voters == 3000 == sum(s.men + s.women for s in stations)
    for row in rows:
        nik, born = row["nik"], row["tanggal_lahir"]
        date = datetime.date.fromisoformat(born) if born[4] == "-" else datetime.datetime.strptime(
            born, "%d-%m-%Y").date()
        day = int(nik[6:8])
        assert (day > 40) == (row["jenis_kelamin"] == "P"), row
        assert (day - 40 if day > 40 else day, int(nik[8:10]), int(nik[10:12])) == (
            date.day, date.month, date.year % 100), row
        assert nik[6:10] in VALID_DDMM and nik[:2] == row["kode_tps"][:2]
    assert len({r["nik"] for r in rows}) == len(rows)  # no duplicate unless planted
    assert 0.4 < Counter(r["jenis_kelamin"] for r in rows)["P"] / len(rows) < 0.6


def test_the_demo_voter_list_is_what_the_generator_writes(tmp_path: Path) -> None:
    path, planted = synthetic_dpt.write_demo(tmp_path)
    meta = yaml.safe_load((ROOT / "metadata.yml").read_text())
    (source,) = [s for r in meta["registers"] for s in r.get("sources", []) if s["format"] == "dpt-csv"]
    assert source["path"] == f"raw/{path.name}" and source["sha256"] == sha256_file(path)[0]
    assert (ROOT / source["path"]).read_bytes() == path.read_bytes()
    assert planted.duplicate_nik and planted.invalid_nik and planted.underage_unmarried and planted.broken


def test_building_the_demo_shows_the_voter_list_as_counts(tmp_path: Path) -> None:
    shutil.copy(ROOT / "metadata.yml", tmp_path / "metadata.yml")
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    result = build(load_release(tmp_path))
    _, planted = synthetic_dpt.write_demo(tmp_path / "again")
    stations, _ = synthetic_dpt.demo_stations()
    with sqlite3.connect(result.database) as conn:
        rekap = {t: (men, women) for t, men, women in conn.execute(
            "SELECT kode_tps, pemilih_l, pemilih_p FROM dpt_rekap")}
        counts = dict(conn.execute("SELECT rule, count(*) FROM findings WHERE register = '003' GROUP BY rule"))
    assert rekap == {s.kode_tps: tuple(planted.by_tps[s.kode_tps]) for s in stations}
    assert {rule: counts.get(rule, 0) for rule in ("duplicate-nik", "invalid-nik", "nik-region-mismatch",
                                                    "underage-unmarried", "dpt-results-mismatch")} == {
        "duplicate-nik": planted.duplicate_nik, "invalid-nik": planted.invalid_nik,
        "nik-region-mismatch": planted.nik_region_mismatch, "underage-unmarried": planted.underage_unmarried,
        "dpt-results-mismatch": 2}  # the two TPS the demo gives one voter more than their results
    package = tmp_path / "datapackages" / "voter-list-and-results" / "data"
    assert (package / "dpt_rekap.csv").exists() and not (package / "dpt_pemilih.csv").exists()


def test_the_voter_list_s_package_says_how_its_columns_were_read(demo_project: Path) -> None:
    """Review BZ H2: a dpt-csv source with no ``dpt:`` block was read with the defaults, which the package names."""
    descriptor = demo_project / "datapackages" / "voter-list-and-results" / "datapackage.json"
    sources = {s["path"]: s for s in json.loads(descriptor.read_text(encoding="utf-8"))["releasekit"]["sources"]}
    assert sources["raw/dpt_5202_20230702.csv.gz"]["reader_options"] == {"dpt": {"fields": {}, "text": {
        "encoding": "utf-8", "delimiter": None, "header": True, "names": [], "comment": None, "header_prefix": None,
        "skip_lines": 0}}}
    assert "reader_options" not in sources["raw/ppwp_tps_20240320.zip"]
