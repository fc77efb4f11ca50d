"""Totals of the registers that load published area figures only (review BQ L4): the ``totals_published`` canned
query and the register page's table of totals summed from published areas, on the real 2014, 2019 and 2024 files."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_DATA, needs_real_data, page_context, write_metadata
from releasekit import build, load_release
from releasekit.pages import render_register_page
from releasekit.queries import CANNED_QUERIES

VOICES = SHARED_DATA / "pemiluapi_2014_2015_2004" / "perolehan-suara-pemilu" / "voices.csv"
KAWAL = SHARED_DATA / "kawalpemilu2019_csv_josefmtd"
KAWAL_FILES = ("DKI JAKARTA.csv", "KALIMANTAN UTARA.csv", "Luar Negeri.csv")
API = SHARED_DATA / "sirekap2024_raw_api_ridwaanhall" / "pemilu" / "hhcw"
#: pemiluAPI's category ids of the two 2014 tickets (``FORMATS.md``): Prabowo–Hatta no. 1, Jokowi–Kalla no. 2.
CATEGORIES = {"54": 1, "55": 2}


def _published(root: Path, snapshot: str = "") -> list[dict[str, Any]]:
    with closing(sqlite3.connect(root / "build" / "release.db")) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(CANNED_QUERIES["totals_published"]["sql"], {"snapshot": snapshot})]


def _project(root: Path, registers: list[dict[str, Any]]) -> Path:
    meta = {"title": "T", "publisher": {"name": "P"}, "licenses": [{"name": "CC-BY-4.0"}], "registers": registers}
    build(load_release(write_metadata(root, meta)))
    return root


def _register(id_: str, slug: str, sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": id_, "slug": slug, "title": slug, "status": "open", "sources": sources}


@pytest.fixture(scope="module")
def older(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pemiluAPI 2014 (regencies, own ids) in register 001, KawalPemilu 2019's three files (villages) in 002."""
    if not VOICES.is_file() or not KAWAL.is_dir():
        pytest.skip("needs ../shared/data")
    root = tmp_path_factory.mktemp("older")
    (root / "raw").mkdir()
    shutil.copy(VOICES, root / "raw" / "voices.csv")
    for name in KAWAL_FILES:
        shutil.copy(KAWAL / name, root / "raw" / name)
    return _project(root, [
        _register("001", "pilpres-2014", [{"path": "raw/voices.csv", "format": "pemiluapi-2014-csv",
                                           "election": "ppwp-2014", "snapshot": "2014-07-22"}]),
        _register("002", "pilpres-2019", [{"path": f"raw/{name}", "format": "kawalpemilu2019-csv",
                                           "election": "ppwp-2019", "snapshot": "2019-05-23"}
                                          for name in KAWAL_FILES])])


def _voices_by_ticket() -> dict[int, tuple[int, set[str]]]:
    """Votes and regencies of each 2014 ticket in the raw file (a cell that is no number, ``i9``, left out)."""
    out: dict[int, tuple[int, set[str]]] = {}
    with VOICES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["category_id"] in CATEGORIES and row["value"].isdigit():
                votes, areas = out.get(CATEGORIES[row["category_id"]], (0, set()))
                out[CATEGORIES[row["category_id"]]] = (votes + int(row["value"]), areas | {row["wilayah_id"]})
    return out


def test_pemiluapi_2014_regencies_are_summed_and_a_partial_sum_says_so(older: Path) -> None:
    expected = _voices_by_ticket()  # 59,602,084 over 465 regencies; 68,444,262 over 466
    every = set().union(*(areas for _, areas in expected.values()))
    rows = [r for r in _published(older) if r["kode_pemilu"] == "ppwp-2014"]
    assert [(r["nomor_urut"], r["suara"], r["wilayah_dengan_suara"], r["wilayah"], r["dijumlahkan"], r["sumber"])
            for r in rows] == [(n, votes, len(areas), len(every), 1, "raw/voices.csv")
                               for n, (votes, areas) in sorted(expected.items())]
    assert rows[0]["wilayah_dengan_suara"] < rows[0]["wilayah"]  # the i9 cell: one regency short for no. 1
    total = sum(votes for votes, _ in expected.values())
    assert [r["persen"] for r in rows] == [round(100 * votes / total, 2) for votes, _ in
                                           (expected[1], expected[2])]
    assert _published(older, "2014-07-22") == rows and _published(older, "2014-07-23") == []


def test_kawalpemilu_2019_files_are_each_summed_over_their_villages(older: Path) -> None:
    rows = [r for r in _published(older) if r["kode_pemilu"] == "ppwp-2019"]
    for name in KAWAL_FILES:
        with (KAWAL / name).open(encoding="utf-8", newline="") as f:
            raw = list(csv.DictReader(f))
        villages = {r["Link KawalPemilu"] for r in raw}
        mine = [(r["nomor_urut"], r["suara"], r["wilayah"], r["wilayah_dengan_suara"], r["dijumlahkan"])
                for r in rows if r["sumber"] == f"raw/{name}"]
        assert mine == [(n, sum(int(r[f"Suara 0{n}"]) for r in raw), len(villages), len(villages), 1)
                        for n in (1, 2)], name


def test_the_register_page_shows_the_summed_totals(older: Path) -> None:
    release = load_release(older)
    context = page_context(release, "001")
    assert context["published"] == [] and context["totals"] == []
    assert [(r["nomor_urut"], r["suara"]) for r in context["summed"]] == [
        (n, votes) for n, (votes, _) in sorted(_voices_by_ticket().items())]
    page = render_register_page(context)
    section = page[page.index('<section id="published">'):page.index('<section id="sources">')]
    assert "Totals summed from published areas" in section and "Published national totals" not in section
    assert f"{context['summed'][0]['suara']:,}" in section and "465 / 466" in section, section
    assert 'href="/release/totals_published"' in section
    # register 002's page holds its own three sources, not register 001's
    assert {r["sumber"] for r in page_context(release, "002")["summed"]} == {f"raw/{n}" for n in KAWAL_FILES}


@needs_real_data(API)
@pytest.mark.parametrize("national", [True, False], ids=["national-file", "regencies-only"])
def test_sirekap_aggregates_are_not_counted_at_two_levels(tmp_path: Path, national: bool) -> None:
    """A Sirekap tree holds an area and the areas inside it (112 regencies of six provinces, districts, villages):
    with the national file the total is that file's, as published; without it, the regencies' own files are summed,
    each vote once."""
    agg = tmp_path / "raw" / "agg" / "hhcw"
    shutil.copytree(API / "ppwp", agg / "ppwp")
    if national:
        shutil.copy(API / "ppwp.json", agg / "ppwp.json")
    root = _project(tmp_path, [_register("001", "real-count", [{
        "path": "raw/agg", "format": "sirekap-aggregate-json", "election": "ppwp-2024", "snapshot": "2024-03-07"}])])
    rows = _published(root)
    files = [API / "ppwp.json"] if national else sorted((API / "ppwp").glob("*/*.json"))
    charts = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    assert len(files) == (1 if national else 112)
    assert [(r["nomor_urut"], r["suara"], r["wilayah"], r["dijumlahkan"]) for r in rows] == [
        (n, sum(c["chart"][key] for c in charts), len(files), 0 if national else 1)
        for n, key in enumerate(("100025", "100026", "100027"), start=1)]
    assert {(r["tps_masuk"], r["tps_total"]) for r in rows} == {
        (sum(c["progres"]["progres"] for c in charts), sum(c["progres"]["total"] for c in charts))}
    context = page_context(load_release(root))
    assert (len(context["published"]), len(context["summed"])) == ((3, 0) if national else (0, 3))
