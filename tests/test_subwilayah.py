"""How much of an area its TPS cover (review BQ L2): ``rekap_wilayah.subwilayah_tps`` of ``subwilayah``, the areas one
level down that hold a TPS known, of those the region list gives, on the real KPU region list and Aceh's TPS."""

from __future__ import annotations

import csv
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_DATA, needs_real_data
from releasekit import build, load_release
from releasekit.queries import CANNED_QUERIES

REGIONS = SHARED_DATA / "wilayah_kpu2024_robbypambudi"
ACEH_TPS = SHARED_DATA / "sirekap2024_tps_snapshots_aceh1101" / "ridwaanhall_repo"
pytestmark = needs_real_data(REGIONS, ACEH_TPS)


def _children(name: str) -> dict[str, int]:
    """Rows of a headerless region file per parent code (its second field)."""
    out: dict[str, int] = {}
    with (REGIONS / name).open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if row:
                out[row[1]] = out.get(row[1], 0) + 1
    return out


@pytest.fixture(scope="module")
def aceh(make_project: Any) -> Path:
    """The whole country's region list and the TPS of one Aceh regency's capture."""
    project = make_project({"real-count": [
        {"raw": REGIONS, "name": "wilayah", "format": "kpu-wilayah-csv"},
        {"raw": ACEH_TPS, "name": "tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
         "snapshot": "2024-02-22"}]})
    build(load_release(project))
    return project


def _areas(project: Path, tingkat: str, kode_induk: str = "") -> dict[str, tuple[Any, ...]]:
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(CANNED_QUERIES["completeness"]["sql"],
                          {"tingkat": tingkat, "kode_induk": kode_induk, "snapshot": ""}).fetchall()
    return {row["kode_wilayah"]: (row["kelengkapan"], row["subwilayah_tps"], row["subwilayah"]) for row in rows}


def test_a_province_whose_tps_lie_in_one_regency_says_so(aceh: Path) -> None:
    codes = sorted(p.stem for p in ACEH_TPS.glob("*.json"))
    with (REGIONS / "provinces.csv").open(encoding="utf-8") as f:
        provinces = sum(1 for line in f if line.strip())
    regencies, districts = _children("regencies.csv"), _children("districts.csv")
    assert {code[:4] for code in codes} == {"1101"}
    # complete over the TPS it knows, but in one of Aceh's 23 regencies, one of the country's 38 provinces
    (national,) = _areas(aceh, "0").values()
    assert national[1:] == (1, provinces) == (1, 38)
    assert _areas(aceh, "1")["11"][1:] == (1, regencies["11"]) == (1, 23)
    assert _areas(aceh, "2", "11")["1101"][1:] == (len({c[:6] for c in codes}), districts["1101"])
    # a village's areas below are TPS: it has no subwilayah
    assert {parts[1:] for parts in _areas(aceh, "4", codes[0][:6]).values()} == {(None, None)}


def test_without_a_region_list_the_areas_below_are_unknown_not_zero(make_project: Any) -> None:
    project = make_project({"real-count": [
        {"raw": ACEH_TPS, "name": "tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
         "snapshot": "2024-02-22"}]})
    build(load_release(project))
    assert _areas(project, "1")["11"][1:] == (1, None)
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        assert db.execute("SELECT count(*) FROM rekap_wilayah WHERE subwilayah IS NOT NULL").fetchone() == (0,)


def test_the_register_pages_completeness_bar_says_the_tps_list_covers_one_regency(aceh: Path) -> None:
    from conftest import page_context

    context = page_context(load_release(aceh))
    svg = context["charts"]["completeness"]
    # 7 TPS captured, 7 known: Aceh's bar reads 100 %, and says of how much of Aceh
    assert "100.00% (7 / 7; TPS known in 1 of 23 regencies / TPS tercatat di 1 dari 23 kabupaten/kota)" in svg, svg
