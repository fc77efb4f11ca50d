"""Edges the suite did not hold: each test here fails on a mutant of the code that the rest of the suite let pass
(review BR, mutation testing): a day of 31, a value of exactly 16 characters, a lone carriage return, every province
code, a district ``00``, a package's own findings, a number of 13 digits, a sum no TPS reports, a JSON ``true`` as a
count, a zip member's mode, a declared byte count."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest

from conftest import copy_package, query, read
from releasekit.elections import CATALOGUE
from releasekit.errors import PrivacyError
from releasekit.nik import RegionPrefixes, nik_problem
from releasekit.piigate import nik_lines_in, refuse_niks_in_database, refuse_niks_in_tree
from releasekit.privacy import holds_nik, is_nik_like, mask_niks, mask_numbers_and_dates
from releasekit.readers import Rejected
from test_validate_damage import edit_descriptor, problems

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
