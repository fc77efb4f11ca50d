"""Edges the suite did not hold: each test here fails on a mutant of the code that the rest of the suite let pass
(review BR, mutation testing): a day of 31, a value of exactly 16 characters, a lone carriage return, every province
code, a district ``00``, a package's own findings, a number of 13 digits, a sum no TPS reports, a JSON ``true`` as a
count, a zip member's mode, a declared byte count; then turnout over the TPS that report both figures, a candidate's
TPS with a figure, a TPS whose every vote is NULL, more records in than loaded and quarantined, one quarantine row
more than counted, an area of several raw rows quarantined, a place named by a bare NIK."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ProjectFactory, copy_package, edit_rows, invoke, query, read
from releasekit import build, load_release
from releasekit.elections import CATALOGUE
from releasekit.errors import PrivacyError
from releasekit.nik import RegionPrefixes, nik_problem
from releasekit.piigate import nik_lines_in, refuse_niks_in_database, refuse_niks_in_tree
from releasekit.privacy import holds_nik, is_nik_like, mask_niks, mask_numbers_and_dates
from releasekit.readers import Rejected
from test_validate_damage import _rehash, edit_descriptor, problems
from twodays import ADM, DAY1, T, record

#: The 38 provinces of 2024, written out here (not read from releasekit): Aceh to Papua Barat Daya.
PROVINCES_2024 = ("11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 76 81 82 "
                  "91 92 93 94 95 96").split()


@pytest.mark.parametrize("day", [1, 31, 41, 71])
@pytest.mark.parametrize("month", [1, 12])
def test_every_day_and_month_of_a_birth_date_is_a_nik(day: int, month: int) -> None:
    """Day 31 (71 for a woman) and months 1 and 12 are the edges of DDMMYY: a NIK born on the 31st was no NIK to a
    mutant that ended the month on the 30th, and nothing noticed."""
    nik = f"317405{day:02d}{month:02d}900001"
    assert is_nik_like(nik) and holds_nik(f"NIK {nik}")
    assert mask_niks(f"NIK {nik}") == "NIK 317405**********"


@pytest.mark.parametrize("nik", ["3174053205900001", "3174054005900001", "3174057205900001", "3174050113900001",
                                 "3174050100900001"])
def test_a_day_or_month_past_the_edge_is_no_nik(nik: str) -> None:
    assert not is_nik_like(nik)


@pytest.mark.parametrize("province", PROVINCES_2024)
def test_a_nik_of_every_province_is_found(province: str) -> None:
    nik = f"{province}0101" + "310190" + "0001"
    assert holds_nik(nik) and mask_niks(nik) == f"{province}0101**********"


def test_the_gate_refuses_a_file_holding_a_nik_born_on_the_31st(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("kode,catatan\n1,NIK 3174057105900001\n", encoding="utf-8")
    with pytest.raises(PrivacyError, match="data.csv: line 2"):
        refuse_niks_in_tree(tmp_path)


def test_a_nik_of_exactly_16_characters_in_an_indexed_text_column_is_refused(tmp_path: Path) -> None:
    """An indexed column is read value by distinct value from its index: a value of 16 characters, the NIK alone,
    is one to read (a mutant read only longer ones)."""
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (nama TEXT)")
        conn.execute("CREATE INDEX t_nama ON t (nama)")
        conn.executemany("INSERT INTO t VALUES (?)", [("BUDI",), ("3174053105900001",)])
    conn.close()
    with pytest.raises(PrivacyError, match="table t, column nama, rowid 2"):
        refuse_niks_in_database(path, "release.db")


def test_a_nik_after_a_lone_carriage_return_is_found() -> None:
    """Classic Mac line ends: a carriage return alone ends a line; the NIK on the second line is found (a mutant
    searched the text before the first carriage return only)."""
    assert list(nik_lines_in(io.BytesIO(b"name,x\rBUDI,3174050101900001\r"))) == [1]
    assert list(nik_lines_in(io.BytesIO(b"name,x\rBUDI,3174050101\r"))) == []


@pytest.mark.parametrize("digits", ["317405010190", "3174050101900", "31740501019000"])
def test_a_long_number_in_a_voters_text_is_masked(digits: str) -> None:
    """12 to 15 digits in a voter's name or address (a NIK or NKK typed short) are masked to their first six."""
    masked = mask_numbers_and_dates(f"JL MERDEKA {digits} RT 01")
    assert digits not in masked and masked.startswith("JL MERDEKA 317405*") and masked.endswith(" RT 01")


def test_each_package_holds_its_own_registers_findings(demo_project: Path) -> None:
    """A package's ``findings.csv`` holds the findings of its register alone: a mutant that published every
    register's findings in every package (the voter list's in the IT register's) passed validate and the suite."""
    assert len(query(demo_project, "SELECT DISTINCT register FROM findings")) >= 2  # (the demo's have two or more)
    for descriptor in sorted((demo_project / "datapackages").glob("*/datapackage.json")):
        own = json.loads(descriptor.read_text(encoding="utf-8"))["releasekit"]["register"]["id"]
        with (descriptor.parent / "data" / "findings.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected = query(demo_project, "SELECT count(*) FROM findings WHERE register = ?", (own,))[0][0]
        assert len(rows) == expected and {r["register"] for r in rows} <= {own}, descriptor


def test_a_sum_no_tps_reports_is_null_in_the_summaries(demo_project: Path) -> None:
    """A village whose TPS report no valid votes has ``suara_sah`` NULL in ``rekap_wilayah``, never 0 (a mutant
    wrote 0 and the suite passed)."""
    rows = query(demo_project, "SELECT kode_pemilu, snapshot, kode_wilayah, tps_hasil FROM rekap_wilayah "
                               "WHERE tingkat = 4 AND suara_sah IS NULL AND tps_hasil > 0")
    assert rows  # (the demo has such villages: 5202012003, say)
    for kode_pemilu, snapshot, kode, tps in rows:
        assert query(demo_project, "SELECT count(*), count(suara_sah) FROM hasil_tps WHERE kode_pemilu = ? "
                                   "AND snapshot = ? AND substr(kode_tps, 1, 10) = ?",
                     (kode_pemilu, snapshot, kode)) == [(tps, 0)]


@pytest.mark.parametrize("value", ["true", "false"])
def test_a_json_true_or_false_is_no_count(tmp_path: Path, value: str) -> None:
    """JSON ``true`` is 1 to Python's ``isinstance(value, int)``: a count written as a boolean is refused, not read
    as 1 or 0."""
    (tmp_path / "3101011001001.json").write_text(f'{{"chart": {{"100025": {value}}}, "ts": null}}')
    (record,) = read("sirekap-tps-json", tmp_path, CATALOGUE["ppwp-2024"])
    assert isinstance(record, Rejected) and "100025" in record.reason


@pytest.mark.parametrize(("nik", "valid"), [("3201014501900001", True), ("3200014501900001", False),
                                            ("3201004501900001", False)])
def test_a_nik_whose_regency_or_district_is_00_is_invalid(nik: str, valid: bool) -> None:
    """With no region list covering the regency, the structure is all there is: regency ``00`` and district ``00``
    are no region (a mutant let district ``00`` pass)."""
    assert (nik_problem(nik, RegionPrefixes()) is None) is valid


def test_every_zip_member_is_a_plain_file_readable_by_all(demo_project: Path) -> None:
    """Each member of a package's zip says it is a regular file of mode 0644, made on Unix: unpacked, a file anyone
    may read (without the mode, unzip makes it what the unpacking user's umask gives)."""
    for path in sorted((demo_project / "datapackages").glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                assert (info.create_system, info.external_attr >> 16) == (3, stat.S_IFREG | 0o644), info.filename


def test_a_declared_byte_count_alone_edited_is_found(fixture_package: Path, tmp_path: Path) -> None:
    """``bytes`` is checked on its own, not only through the hash (a mutant skipped it and the suite passed)."""
    pkg = copy_package(fixture_package, tmp_path)
    edit_descriptor(pkg, lambda d: next(r for r in d["resources"] if r["name"] == "hasil_tps").update(bytes=1))
    assert {e["type"] for e in problems(pkg)} == {"byte-count"}


# --------------------------------------------------------------------------- review BR, second round: SU02, SU03,
# S05 (the summaries and snapshots of one day), V01, V03 (a package's accounting), I04, I07 (the loader)

def _tps(chart: dict[str, int | None], adm: dict[str, int]) -> dict[str, Any]:
    """A Sirekap per-TPS record (:func:`twodays.record`) with this chart and administrasi."""
    return {**record((1, 1, 1)), "chart": {**chart, "null": None}, "administrasi": adm}


#: One village, one day, one source: TPS 1 reports every figure; TPS 2 registered voters and voters who voted but no
#: candidate's vote (each NULL); TPS 3 votes for candidates 2 and 3 (1's NULL) and 300 registered voters, but not how
#: many voted.
ONE_DAY = {T + "1": _tps({"100025": 50, "100026": 40, "100027": 8}, ADM),
           T + "2": _tps({"100025": None, "100026": None, "100027": None}, ADM),
           T + "3": _tps({"100025": None, "100026": 5, "100027": 5},
                         {k: v for k, v in ADM.items() if k != "pengguna_total_j"} | {"pemilih_dpt_j": 300})}


@pytest.fixture(scope="module")
def one_day(make_project: ProjectFactory) -> Path:
    """:data:`ONE_DAY` built: register 001 of one Sirekap per-TPS folder (so the snapshots take the by-day path)."""
    project = make_project({"real-count": [{"raw": {f"{code}.json": rec for code, rec in ONE_DAY.items()},
                                            "name": "tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": DAY1}]})
    build(load_release(project))
    return project


def test_turnout_is_over_the_tps_that_report_both_figures(one_day: Path) -> None:
    """``partisipasi`` is voters who voted / registered voters over the TPS that report both: TPS 3's 300 registered
    voters, with no count of who voted, are in ``pemilih_dpt_j`` but not in turnout's denominator (a mutant divided by
    every registered voter: 200 / 700)."""
    voted, registered = ADM["pengguna_total_j"], ADM["pemilih_dpt_j"]  # (TPS 1 and 2 each)
    rows = query(one_day, "SELECT tingkat, pemilih_dpt_j, pengguna_total_j, partisipasi, tps_partisipasi "
                          "FROM rekap_wilayah ORDER BY tingkat")
    assert [r[0] for r in rows] == [0, 1, 2, 3, 4]  # (the village and every area above it)
    for tingkat, dpt, pengguna, partisipasi, tps in rows:
        assert (dpt, pengguna, tps) == (2 * registered + 300, 2 * voted, 2), tingkat
        assert partisipasi == round(100 * voted / registered, 2), tingkat


def test_a_candidates_tps_are_those_with_a_figure_for_it(one_day: Path) -> None:
    """``rekap_suara.tps`` counts the TPS with a vote figure for the candidate, not its rows: candidate 1 has one
    (TPS 1), candidates 2 and 3 two each (TPS 1 and 3), though every TPS has a row of each (a mutant counted rows)."""
    assert query(one_day, "SELECT count(*) FROM suara GROUP BY nomor_urut") == [(3,)] * 3
    for tingkat in range(5):
        assert query(one_day, "SELECT nomor_urut, suara, tps FROM rekap_suara WHERE tingkat = ? ORDER BY nomor_urut",
                     (tingkat,)) == [(1, 50, 1), (2, 45, 2), (3, 13, 2)], tingkat


def test_a_tps_whose_every_vote_is_null_has_no_votes_in_its_snapshot(one_day: Path) -> None:
    """``snapshots.tps_with_votes`` counts a TPS once when a vote figure is there: TPS 2, whose three rows of
    ``suara`` are each NULL, is none (a mutant of the by-day path counted every TPS with a row)."""
    assert query(one_day, "SELECT count(DISTINCT kode_tps), count(DISTINCT CASE WHEN suara IS NOT NULL "
                          "THEN kode_tps END) FROM suara") == [(3, 2)]
    assert query(one_day, "SELECT snapshot, tps, tps_with_votes FROM snapshots") == [(DAY1, 3, 2)]
    assert query(one_day, "SELECT tps_suara FROM rekap_wilayah WHERE tingkat = 0") == [(2,)]


def _accounting(pkg: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """``change`` made to the first source's record counts in both ``datapackage.json`` and ``sources.csv`` (so the
    two agree), each resource's hash and size declared anew."""
    edit_descriptor(pkg, lambda d: change(d["releasekit"]["sources"][0]))
    def edit(rows: list[list[str]]) -> None:
        counts = {k: int(rows[1][rows[0].index(k)]) for k in ("records_in", "records_loaded", "records_quarantined")}
        change(counts)
        for key, value in counts.items():
            rows[1][rows[0].index(key)] = str(value)
    edit_rows(pkg, "sources", edit)
    _rehash(pkg)


def test_more_records_in_than_loaded_and_quarantined_is_its_own_problem(fixture_package: Path,
                                                                        tmp_path: Path) -> None:
    """records_in one more than loaded + quarantined, in ``datapackage.json`` and ``sources.csv`` alike, is the
    accounting problem itself (a mutant found only fewer records in; more passed but for ``sources.csv``
    disagreeing, when only one side was edited)."""
    pkg = copy_package(fixture_package, tmp_path)
    source = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["releasekit"]["sources"][0]
    loaded, quarantined = source["records_loaded"], source["records_quarantined"]
    _accounting(pkg, lambda counts: counts.update(records_in=counts["records_in"] + 1))
    assert [(e["type"], e["message"]) for e in problems(pkg)] == [
        ("provenance-error", f"{source['path']}: records in {loaded + quarantined + 1} != loaded {loaded} + "
                             f"quarantined {quarantined}")]


def test_one_quarantine_row_more_than_counted_is_a_problem(fixture_package: Path, tmp_path: Path) -> None:
    """``quarantine.csv`` holding a single row more of a source than its records_quarantined is invalid (a row
    copied once, under a locator of its own; a mutant let as many rows again pass)."""
    pkg = copy_package(fixture_package, tmp_path)
    source = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))["releasekit"]["sources"][0]
    path, counted = source["path"], source["records_quarantined"]
    assert counted >= 2  # (so that one row more is fewer than twice as many)
    def one_more(rows: list[list[str]]) -> None:
        source_at, locator_at = rows[0].index("source"), rows[0].index("locator")
        copy = list(next(r for r in rows[1:] if r[source_at] == path))
        copy[locator_at] += "#2"  # (as the loader names a locator read twice: the primary key holds)
        rows.append(copy)
    edit_rows(pkg, "quarantine", one_more)
    _rehash(pkg)
    assert [(e["type"], e["message"]) for e in problems(pkg)] == [
        ("provenance-error", f"{path}: quarantine.csv holds {counted + 1} row(s) of it, but datapackage.json says "
                             f"it quarantined {counted} record(s)")]


@pytest.mark.parametrize(("second", "kind"), [(10, "an identical copy"), (11, "a different record")])
def test_an_area_quarantined_counts_every_raw_row_it_sums(make_project: ProjectFactory, second: int, kind: str) -> None:
    """A KawalPemilu 2019 village sums its TPS rows into one area record; quarantined (a second source of the same
    day repeats it, as a copy or with other figures), it counts as the rows it stands for, so records_in = loaded +
    quarantined (a mutant counted the area once: 3 in, 0 loaded, 1 quarantined)."""
    header = "Link KawalPemilu,Nama Kelurahan,Nomor TPS,Suara 01,Suara 02,Suara Sah\n"
    def village(votes: int) -> str:
        return header + "".join(f'https://kawalpemilu.org#25826,"PULAU SATU, KEC SATU",{n},{votes},20,{votes + 20}\n'
                                for n in (1, 2, 3))
    day = {"format": "kawalpemilu2019-csv", "election": "ppwp-2019", "snapshot": "2019-05-01"}
    project = make_project({"real-count": [{"raw": {"a.csv": village(10)}, "name": "first", **day},
                                           {"raw": {"a.csv": village(second)}, "name": "second", **day}]})
    build(load_release(project))
    assert query(project, "SELECT path, records_in, records_loaded, records_quarantined FROM sources "
                          "ORDER BY path") == [("raw/first", 3, 3, 0), ("raw/second", 3, 0, 3)]
    (reason,), = query(project, "SELECT reason FROM quarantine WHERE source = 'raw/second'")
    assert reason.startswith("duplicate-key: area 25826 already loaded") and f"this is {kind}" in reason


#: A NIK (DI Yogyakarta, Kota Yogyakarta, a woman born 1 January 1990) and the name a region list gives it alone.
BARE_NIK = "3471014101900001"


@pytest.mark.parametrize(("reader", "raw"), [
    ("kpu-wilayah-csv", {"provinces.csv": "34,DI YOGYAKARTA\n", "regencies.csv": f"3471,34,{BARE_NIK}\n"}),
    ("sirekap-wilayah-json", {"0.json": [{"nama": "DI YOGYAKARTA", "id": 1, "kode": "34", "tingkat": 1},
                                         {"nama": BARE_NIK, "id": 2, "kode": "3471", "tingkat": 2}]})])
def test_a_place_named_by_a_bare_nik_is_quarantined(make_project: ProjectFactory, reader: str,
                                                    raw: dict[str, Any]) -> None:
    """A place name that is a NIK of exactly 16 characters, nothing around it, is quarantined by the loader and the
    build goes on (a mutant looked only at texts longer than 16: the NIK was loaded, and the PII gate refused the
    build)."""
    assert is_nik_like(BARE_NIK)
    project = make_project({"regions": [{"raw": raw, "name": "wilayah", "format": reader}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    assert query(project, "SELECT reason, raw FROM quarantine") == [
        ("cannot be stored: a text value holds a NIK-like number, which is never published", None)]
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [(2, 1, 1)]
