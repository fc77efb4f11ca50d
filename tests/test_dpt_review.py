"""The voter list after review E: identity numbers written to be read, odd digits, split lists, partial region lists."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ProjectFactory, query
from releasekit import build, load_release
from releasekit.cli import cli
from releasekit.nik import RegionPrefixes, nik_problem
from releasekit.privacy import mask_id, mask_long_numbers
from voters import HEADER, voter_source

TPS = "5202012001001"


def voter(nik: str, *, nama: str = "A", lahir: str = "31-07-2004", sex: str = "P", alamat: str = "JL",
          tps: str = TPS) -> str:
    return f'{tps},5202011512200001,{nik},{nama},X,{lahir},{sex},S,{alamat},1,1,,\n'


def voter_project(make_project: ProjectFactory, text: str, **register: Any) -> Path:
    return make_project({"voter-list": {"sources": [voter_source({"dpt.csv": text}, name="dpt")], **register}})


def findings(project: Path) -> list[tuple[str, str]]:
    return query(project, "SELECT rule, key FROM findings WHERE rule LIKE '%nik%' ORDER BY key, rule")


def published(project: Path, table: str) -> list[dict[str, str]]:
    path = project / "datapackages" / "voter-list" / "data" / f"{table}.csv"
    return list(csv.DictReader(path.open(newline="", encoding="utf-8")))


# 1. An error message never quotes a voter.

FIRST_VOTER = (f"{TPS},5202011512200001,3201 0145 0190 0001,DEWI SUSANTI,MEKARSARI,31-07-2004,P,B,JL. MERDEKA,"
               "009,007,,\n")


@pytest.mark.parametrize("dpt", [{}, {"fields": {"nik": "NOMOR"}}, {"skip_lines": 1}],
                         ids=["no header", "wrong fields", "wrong skip_lines"])
def test_a_first_line_that_is_a_voter_is_never_quoted(dpt: dict[str, Any], make_project: ProjectFactory) -> None:
    text = (HEADER if dpt.get("skip_lines") else "") + FIRST_VOTER * 2
    source = voter_source({"dpt.csv": text}, name="dpt", **({"dpt": dpt} if dpt else {}))
    result = CliRunner().invoke(cli, ["build", str(make_project({"voter-list": [source]}))])
    assert result.exit_code == 1 and "internal error" not in result.output  # a one-line error, not a bug
    assert "dpt.csv: the header has no column" in result.output
    assert "the first line looks like a voter, not a header" in result.output and "skip_lines" in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert error.endswith("(for this voter list: under 'dpt:'))")
    for cell in (*FIRST_VOTER.split(",")[1:6], "JL. MERDEKA", "0190"):
        assert cell not in result.output, cell


def test_a_header_read_with_the_wrong_delimiter_is_quoted_and_the_delimiter_named(make_project: ProjectFactory
                                                                                 ) -> None:
    """Review AF #6: a comma file declared ``delimiter: ';'`` is one column of names over 60 characters long, which
    read as a voter: 'the first line looks like a voter, not a header (hint: is the header missing?)'."""
    source = voter_source({"dpt.csv": HEADER + FIRST_VOTER}, name="dpt", dpt={"delimiter": ";"})
    result = CliRunner().invoke(cli, ["build", str(make_project({"voter-list": [source]}))])
    assert result.exit_code == 1 and "internal error" not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert f"(found: {HEADER.strip()})" in error
    assert "(hint: the names are one column with ',' between them: set delimiter: ','" in error
    assert "looks like a voter" not in error


def test_a_header_with_other_names_is_quoted(make_project: ProjectFactory) -> None:
    project = voter_project(make_project, "TPS;NO_KK;NIK;NAMA;TGL LAHIR (DD/MM/YYYY);L/P;STATUS\n")
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    assert "(found: TPS, NO_KK, NIK, NAMA, TGL LAHIR (DD/MM/YYYY), L/P, STATUS)" in result.output


def test_a_header_naming_a_column_twice_is_refused(make_project: ProjectFactory) -> None:
    """Which of two 'nik' columns holds the NIKs? The csv reader refuses the same question."""
    project = voter_project(make_project, HEADER.replace(",nama,", ",NIK,"))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "the header has column 'nik' 2 times" in error and "dpt: fields: {nik: <column>}" in error


# 2. Identity numbers broken up by spaces, dots or dashes are masked in free text.

def test_free_text_masks_identity_numbers_written_with_separators() -> None:
    assert mask_long_numbers("AHMAD 3201 0145 0190 0001") == "AHMAD 320101**********"
    assert mask_long_numbers("JL. 3201.0145.0190.0002") == "JL. 320101**********"
    assert mask_long_numbers("KK 3201-0145-0190-0003 LAMA") == "KK 320101********** LAMA"
    assert mask_long_numbers("NIK3201014501900004") == "NIK320101**********"
    for text in ("JL. MAWAR NO. 12 RT 001 RW 002", "LAHIR 12-12-1970", "TELP 0812 3456", "NO. 12 - 14 - 16"):
        assert mask_long_numbers(text) == text


def test_a_name_or_address_with_a_spaced_nik_is_published_masked(make_project: ProjectFactory) -> None:
    text = HEADER + voter("5202017107040001", nama="AHMAD 3201 0145 0190 0001", alamat="JL. 3201.0145.0190.0002")
    project = voter_project(make_project, text, publish_individuals="masked", individual_fields=["nama", "alamat"])
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    (row,) = published(project, "dpt_pemilih")
    assert (row["nama"], row["alamat"]) == ("AHMAD 320101**********", "JL. 320101**********")
    assert query(project, "SELECT nama, alamat FROM dpt_pemilih") == [(row["nama"], row["alamat"])]



def test_a_name_or_address_with_a_birth_date_is_published_with_its_year_only(make_project: ProjectFactory) -> None:
    """A birth date in a free-text field the register publishes is reduced to its year, whatever word is before it
    or none (review PII #4: ``born 05-01-1990``, ``tgl lhr 05–01–1990`` passed whole): a voter's name or address
    needs no date, so every whole date is (an address's other numbers stay)."""
    text = HEADER + voter("5202017107040001", nama="AHMAD TTL MATARAM 1-5-1980",
                          alamat="JL. MAWAR 12 (TGL LAHIR 31 Juli 2004) 12-12-2012")
    project = voter_project(make_project, text, publish_individuals="masked", individual_fields=["nama", "alamat"])
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    (row,) = published(project, "dpt_pemilih")
    assert (row["nama"], row["alamat"]) == ("AHMAD TTL MATARAM *-*-1980",
                                            "JL. MAWAR 12 (TGL LAHIR ** **** 2004) **-**-2012")
    assert query(project, "SELECT nama, alamat FROM dpt_pemilih") == [(row["nama"], row["alamat"])]


@pytest.mark.parametrize(("written", "shown"), [
    ("BUDI born 05-01-1990", "BUDI born **-**-1990"),
    ("BUDI tgl lhr 05–01–1990", "BUDI tgl lhr **–**–1990"),
    ("BUDI 05 01 1990", "BUDI ** ** 1990"),
    ("BUDI 3273 – 0145 – 0190 – 0001", "BUDI *************************"),
    ("BUDI 3273\u200b0145\u200b0190\u200b0001", "BUDI *******************"),
    ("CITRA 3174\u200e0567\u200e0885\u200e0003", "CITRA *******************"),  # (review AD #1)
    ("NAMA 12 Nopember 1980", "NAMA ** ******** 1980"),  # (review AD #3)
    # Review AF #2: a date before a number was one run with it, whose visible prefix was the date's DDMMYY; such a
    # run keeps no digit, the date's year neither (review AH #3: a "date" inside a NIK's digits may be them)
    ('"SITI 05-01-1990, 5202014501900001"', "SITI **-**-****, ****************"),
    ("JL MAWAR 05.01.1990 0821-3456-7890", "JL MAWAR **.**.**** ****-****-****"),
    ("SITI 3174056708850003 12-05-1980", "SITI **************** **-**-****"),
    ("SITI 320101 2005 85 00 01", "SITI 320101**********"),  # (no date: 85 is no month)
    ("SITI 320101 2005 08 05 01", "SITI ****** **** ** ** **"),  # (a date: 2005 08 05, inside the NIK)
    ("SITI lahir 1990 01 05", "SITI lahir 1990 ** **"),  # (review AF #3: year first, spaces between)
    ("BUDI ³¹⁷⁴⁰⁵⁶⁷⁰⁸⁸⁵⁰⁰⁰³ RT²", "BUDI 317405********** RT²"),  # (superscripts read as digits)
])
def test_a_name_shows_no_date_nor_identity_number_however_written(make_project: ProjectFactory, written: str,
                                                                  shown: str) -> None:
    """Review PII #4: the masked voter table published NIKs written with commas, dashes of other kinds or invisible
    characters between their groups, and birth dates after another word than ``lahir``/``TTL`` or none."""
    text = HEADER + voter("5202017107040001", nama=written)
    project = voter_project(make_project, text, publish_individuals="masked", individual_fields=["nama"])
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    (row,) = published(project, "dpt_pemilih")
    assert row["nama"] == shown


def test_a_name_masks_a_number_whose_groups_commas_set_apart() -> None:
    """Review PII #4, the masking itself (a comma would end the cell of the CSV line the test above writes)."""
    assert mask_long_numbers("BUDI 3273,0145,0190,0001") == "BUDI *******************"


# 3. NIK and NKK cells are read as their digits; only a prefix of 6 ASCII digits stays visible.

def test_mask_id_keeps_a_prefix_of_six_ascii_digits_only() -> None:
    assert mask_id("3201 0145 0190 0004") == "320101**********"
    assert mask_id(" 3201.0145.0190.0004 ") == "320101**********"
    assert mask_id("32O1014501900004") == "*" * 16
    assert mask_id("٣٢٠١٠١4501900004") == "*" * 16
    assert mask_id("12345") == "*****" and mask_id("  ") is None and mask_id(None) is None


def test_a_nik_written_with_spaces_is_one_person_and_validates(make_project: ProjectFactory) -> None:
    text = HEADER + voter("3201 0145 0190 0004") + voter("3201014501900004") + voter("32O1014501900005") + \
        voter("5202017107040001").replace("5202011512200001", "5202 0115 1220 0002")
    project = voter_project(make_project, text, publish_individuals="masked")
    assert CliRunner().invoke(cli, ["build", str(project)]).exit_code == 0
    assert findings(project) == [("nik-region-mismatch", f"{TPS}/1"), ("duplicate-nik", f"{TPS}/2"),
                                 ("nik-region-mismatch", f"{TPS}/2"), ("invalid-nik", f"{TPS}/3")]
    rows = published(project, "dpt_pemilih")
    assert [r["nik"] for r in rows] == ["320101**********", "320101**********", "*" * 16, "520201**********"]
    assert rows[3]["nkk"] == "520201**********"
    validated = CliRunner().invoke(cli, ["validate", str(project)])
    assert validated.exit_code == 0, validated.output


# 4. A NIK cell holding a line break is one invalid NIK, and the rest of its batch is checked as before.

def test_a_nik_cell_with_a_line_break_is_invalid_and_shifts_nothing(make_project: ProjectFactory) -> None:
    text = HEADER + voter('"5202017107040001\n5202017107040002"') + voter("5202017107040003") + \
        voter("3201017107040004") + voter("5202017107040005") + voter("5202017107040003")
    project = voter_project(make_project, text, publish_individuals="masked")
    assert CliRunner().invoke(cli, ["build", str(project)]).exit_code == 0
    assert findings(project) == [("invalid-nik", f"{TPS}/1"), ("nik-region-mismatch", f"{TPS}/3"),
                                 ("duplicate-nik", f"{TPS}/5")]
    assert "\n" not in published(project, "dpt_pemilih")[0]["nik"]


def test_a_tps_code_with_a_line_break_is_read_as_the_code(make_project: ProjectFactory) -> None:
    project = voter_project(make_project, HEADER + voter("5202017107040001") + voter("5202017107040002",
                                                                                       tps=f'"{TPS}\n"'))
    build(load_release(project))
    assert query(project, "SELECT kode_tps, pemilih_j FROM dpt_rekap") == [(TPS, 2)]


# 5. Only ASCII digits are digits.

def test_other_digits_make_a_nik_invalid_not_a_crash(make_project: ProjectFactory) -> None:
    assert nik_problem("5202010101800٠٠1", RegionPrefixes()) == "NIK has 16 characters, not all digits, not 16 digits"
    text = HEADER + voter("5202012902²²0001", lahir="29-02-2000", sex="L") + voter("5202017107040001")
    project = voter_project(make_project, text)
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert findings(project) == [("invalid-nik", f"{TPS}/1")]


def test_a_birth_date_in_other_digits_is_quarantined(make_project: ProjectFactory) -> None:
    project = voter_project(make_project, HEADER + voter("5202017107040001", lahir="٣١-٠٧-٢٠٠٤"))
    build(load_release(project))
    assert query(project, "SELECT reason FROM quarantine") == [
        ("tanggal_lahir is not a date written DD-MM-YYYY or YYYY-MM-DD",)]


# 6. A region list covers the regencies it has districts of, not their whole province.

def test_a_region_list_of_one_regency_judges_that_regency_only(make_project: ProjectFactory) -> None:
    prefixes = RegionPrefixes(["520201"])
    assert prefixes.known("520201") and not prefixes.known("520202")  # a regency of the list: its districts only
    assert prefixes.known("520101") and prefixes.known("320101")      # other regencies: the structural test
    regions = {"provinces.csv": "52,NUSA TENGGARA BARAT\n", "regencies.csv": "5202,52,LOMBOK TENGAH\n",
               "districts.csv": "520201,5202,PRAYA\n"}
    text = HEADER + voter("5202017107040001") + voter("5201014101800002") + voter("5202094101800003")
    project = make_project({"voter-list": [
        {"raw": regions, "name": "wilayah", "format": "kpu-wilayah-csv"},
        voter_source({"dpt.csv": text}, name="dpt")]})
    build(load_release(project))
    assert query(project, "SELECT rule, key, detail FROM findings WHERE rule = 'invalid-nik'") == [
        ("invalid-nik", f"{TPS}/3", "NIK region prefix 52.02.09 is not a known district (dpt.csv:4)")]


# 7. One voter list per election: its parts add up, another day's list is refused.

def two_lists(make_project: ProjectFactory, snapshots: tuple[str, str]) -> Path:
    text = HEADER + voter("5202017107040001") + voter("5202010101800003", lahir="01-01-1980", sex="L")
    return make_project({"voter-list": [voter_source({"dpt.csv": text}, name=f"dpt{i}", snapshot=snapshot)
                                        for i, snapshot in enumerate(snapshots, start=1)]})


def test_two_snapshots_of_one_election_stop_the_build(make_project: ProjectFactory) -> None:
    project = two_lists(make_project, ("2023-07-02", "2024-01-15"))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output  # a one-line error, not a bug
    assert ("sources/1: 'raw/dpt2' (snapshot 2024-01-15) and 'raw/dpt1' (snapshot 2023-07-02, "
            "registers/0/sources/0) are voter lists of the same election ppwp-2024") in result.output
    assert "build the other snapshot in a project of its own" in result.output
    assert not (project / "build" / "release.db").exists()


def test_parts_of_one_list_in_two_registers_stop_the_build(make_project: ProjectFactory) -> None:
    """Review AF #5: a TPS in parts of one election's list in two registers was one ``dpt_rekap`` row of the first
    register's (summed), so the first package's counts exceeded its sources and the second's voters pointed at a
    TPS its ``dpt_rekap`` lacked: build exit 0, the second package invalid."""
    first = HEADER + voter("5202017107040001") + voter("5202010101800002", tps=TPS[:-1] + "2")
    second = HEADER + voter("5202010101800003", tps=TPS[:-1] + "2") + voter("5202010101800004", tps=TPS[:-1] + "3")
    project = make_project({"voter-list": [voter_source({"dpt.csv": first}, name="a")],
                            "masked": {"publish_individuals": "masked",
                                       "sources": [voter_source({"dpt.csv": second}, name="b")]}})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert error.startswith(f"Error: {project / 'metadata.yml'}: registers/1/sources/0: 'raw/b' (register 002) and "
                            "'raw/a' (register "
                            "001, registers/0/sources/0) are parts of the voter list of the same election ppwp-2024 "
                            "in two registers")
    assert error.endswith("(hint: list every part of the voter list under one register)")
    assert not (project / "build" / "release.db").exists()


def test_parts_of_one_list_add_up_and_are_checked_together(make_project: ProjectFactory) -> None:
    project = two_lists(make_project, ("2023-07-02", "2023-07-02"))
    build(load_release(project))
    assert query(project, "SELECT pemilih_j FROM dpt_rekap") == [(4,)]
    assert findings(project) == [("duplicate-nik", f"{TPS}/3"), ("duplicate-nik", f"{TPS}/4")]


# Duplicates: a wrong NIK of 16 digits on two voters is a duplicate too; empty or short ones are not compared.

def test_the_same_invalid_nik_twice_is_a_duplicate(make_project: ProjectFactory) -> None:
    text = HEADER + voter("5202019907040001") * 2 + voter("") * 2 + voter("520201") * 2
    project = voter_project(make_project, text)
    build(load_release(project))
    assert findings(project) == [("invalid-nik", f"{TPS}/1"), ("duplicate-nik", f"{TPS}/2"),
                                 ("invalid-nik", f"{TPS}/2")] + [("invalid-nik", f"{TPS}/{n}") for n in range(3, 7)]


def test_a_nik_a_spreadsheet_wrote_as_a_float_is_its_digits(make_project: ProjectFactory) -> None:
    """Review AF (suspicion): ``5202017107040001.0`` (a dataframe's float) read as 17 digits, 'NIK has 17 digits', and
    was no duplicate of ``5202017107040001``; nor was ``5.202017107040001E+15``. A float holds these 16 digits
    exactly: they are the NIK. One beyond 2**53 may have lost its last digit, and one with 15 digits in e-notation has
    (``5.20201710704000E+15``): both stay invalid, never read as another voter's NIK."""
    text = HEADER + "".join(voter(nik) for nik in (
        "5202017107040001", "5202017107040001.0", "5.202017107040001E+15", "5.20201710704000E+15",
        "9271017107040001.0"))
    project = voter_project(make_project, text, publish_individuals="masked")
    build(load_release(project))
    assert findings(project) == [("duplicate-nik", f"{TPS}/2"), ("duplicate-nik", f"{TPS}/3"),
                                 ("invalid-nik", f"{TPS}/4"), ("invalid-nik", f"{TPS}/5")]
    assert [row["nik"] for row in published(project, "dpt_pemilih")][:3] == ["520201**********"] * 3


# 6. 29 February only in a year divisible by 4.

def test_29_february_is_a_birth_date_only_in_a_leap_year() -> None:
    impossible = "NIK birth date (DDMMYY, +40 on the day for women) is impossible"
    prefixes = RegionPrefixes()
    assert nik_problem("3171012902010001", prefixes) == impossible  # a man born 29-02-(20)01
    assert nik_problem("3171016902010001", prefixes) == impossible  # a woman (day + 40)
    assert nik_problem("3171012902040001", prefixes) is None  # (20)04
    assert nik_problem("3171016902000001", prefixes) is None  # (20)00 or (19)00: divisible by 4 either way
    assert nik_problem("3171012802010001", prefixes) is None  # 28 February, any year


# 7. Overseas voters are not checked against their TPS's province.

def test_a_nik_of_another_province_is_a_finding_except_overseas(make_project: ProjectFactory) -> None:
    nik = "3171017107040001"  # issued in DKI Jakarta (31)
    overseas = "99BE010001001"
    project = voter_project(make_project, HEADER + voter(nik) + voter("3171017107040002", tps=overseas))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert findings(project) == [("nik-region-mismatch", f"{TPS}/1")]
    assert query(project, "SELECT kode_tps, pemilih_j FROM dpt_rekap ORDER BY 1") == [(TPS, 1), (overseas, 1)]


def test_a_tps_in_a_district_the_region_list_lacks_has_every_nik_checked(make_project: ProjectFactory) -> None:
    """Review BR D11: at a TPS whose district a region list of its regency does not name, no NIK can share the TPS's
    district, so each is checked on its own: another province's is a mismatch, one of the unlisted district is not a
    known district. (Skipping them, the mutant, found neither.)"""
    regions = {"provinces.csv": "52,NUSA TENGGARA BARAT\n", "regencies.csv": "5202,52,LOMBOK TENGAH\n",
               "districts.csv": "520201,5202,PRAYA\n"}
    unlisted = "5202092001001"  # district 52.02.09: its regency is in the list, the district is not
    text = HEADER + voter("3201014101800001", tps=unlisted) + voter("5202094101800002", tps=unlisted)
    project = make_project({"voter-list": [
        {"raw": regions, "name": "wilayah", "format": "kpu-wilayah-csv"},
        voter_source({"dpt.csv": text}, name="dpt")]})
    build(load_release(project))
    assert findings(project) == [("nik-region-mismatch", f"{unlisted}/1"), ("invalid-nik", f"{unlisted}/2")]
