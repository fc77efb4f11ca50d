"""Damage in a Kemendagri SQL dump (review AC), ``kemendagri-wilayah-sql``.

One byte that is not UTF-8 used to set the whole dump aside as one quarantined record, exit 0 (the other region
lists stop the build naming file, line and byte); one lost ',' between two tuples turned the rest of the INSERT into
one quarantined record (on the real 2025 dump: all 6,809 Aceh regions, shown cut at 2,000 characters). Now damage is
set aside as narrowly as it can be told and every intact tuple loads. Dumps are small synthetic ones; the real-data
tests (skipped when ``../shared/data`` is absent) damage a copy of the real dump in ``tmp_path``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import query, read
from releasekit.cli import cli
from releasekit.errors import SourceError
from releasekit.readers import Region, Rejected

READER = "kemendagri-wilayah-sql"
#: The 2022-2025 layout: CRLF, a comment before each INSERT, one tuple a line.
DUMP = ("DROP TABLE IF EXISTS wilayah;\r\n"                                 # 1
        "CREATE TABLE wilayah (kode varchar(13), nama varchar(100));\r\n"   # 2
        "-- Provinsi\r\n"                                                   # 3
        "INSERT INTO wilayah (kode, nama)\r\n"                              # 4
        "VALUES\r\n"                                                        # 5
        "('11','Aceh'),\r\n"                                                # 6
        "('12','Sumatera Utara');\r\n"                                      # 7
        "-- Kabupaten\r\n"                                                  # 8
        "INSERT INTO wilayah (kode, nama)\r\n"                              # 9
        "VALUES\r\n"                                                        # 10
        "('11.01','Kab. Aceh Selatan'),\r\n"                                # 11
        "('11.02','Kab. Aceh Tenggara'),\r\n"                               # 12
        "('11.03','Kab. Aceh Timur'),\r\n"                                  # 13
        "('11.04','Kab. Aceh Tengah');\r\n")                                # 14
#: phpMyAdmin's extended inserts: the tuples of a statement on one line.
ONE_LINE = ("INSERT INTO `wilayah` (`kode`, `nama`) VALUES ('11','ACEH'),('11.01','KAB X'),('11.02','KAB Y'),"
            "('11.03','KAB Z');\n")
TUPLE = re.compile(r"\('([0-9.]+)','([^']*)'\)")


def tuples(dump: str) -> dict[str, str]:
    """Undotted code → name of each tuple of ``dump``, read with a plain regex."""
    return {m.group(1).replace(".", ""): m.group(2) for m in TUPLE.finditer(dump)}


def records(tmp_path: Path, dump: str) -> tuple[dict[str, Region], list[Rejected]]:
    """The regions (by code) and rejected records of ``dump`` read as ``raw/w.sql``."""
    (tmp_path / "w.sql").write_bytes(dump.encode())
    got = read(READER, tmp_path / "w.sql", label_prefix="raw/")
    assert all(isinstance(r, Region | Rejected) for r in got)
    regions = {r.kode_wilayah: r for r in got if isinstance(r, Region)}
    assert len(regions) == sum(isinstance(r, Region) for r in got)  # (no code twice)
    return regions, [r for r in got if isinstance(r, Rejected)]


# --------------------------------------------------------------------------- bytes that are not UTF-8

@pytest.mark.parametrize("folder", [False, True])
def test_a_byte_that_is_not_utf8_stops_the_build_naming_line_and_byte(folder: bool, make_project: Any,
                                                                       cli_runner: CliRunner, tmp_path: Path) -> None:
    """It was one quarantined record ('not UTF-8 at byte 1688') standing for the whole dump, 0 regions, exit 0."""
    (tmp_path / "w.sql").write_bytes(DUMP.encode().replace(b"Tenggara", "Tenggéra".encode("latin-1")))
    raw = tmp_path if folder else tmp_path / "w.sql"
    project = make_project({"wilayah": [{"raw": raw, "name": "kem" if folder else "w.sql", "format": READER}]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    where = "raw/kem: w.sql" if folder else "raw/w.sql"
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {where}: line 12, byte 26: not valid utf-8 (bytes e9 72 61 27) (hint: re-encode the file as UTF-8 "
        "(its bytes look like cp1252: iconv -f cp1252 -t utf-8))")
    assert not (project / "build" / "release.db").exists()


def test_a_utf16_dump_is_refused(tmp_path: Path) -> None:
    """UTF-16 (with its byte-order mark) was one quarantined record; without one it read as 'no INSERT … VALUES
    tuples found', exit 0 both ways."""
    for data in (DUMP.encode("utf-16"), DUMP.encode("utf-16-le")):
        (tmp_path / "w.sql").write_bytes(data)
        with pytest.raises(SourceError, match=r"^raw/w\.sql: line 1: the file looks like UTF-16, not UTF-8 "
                                              r"\(hint: re-encode the file as UTF-8\)$"):
            read(READER, tmp_path / "w.sql", label_prefix="raw/")


# --------------------------------------------------------------------------- a lost ',' between two tuples

def test_a_missing_comma_between_tuples_loses_no_tuple(tmp_path: Path) -> None:
    """It turned the rest of the INSERT into one record quarantined as 'not an INSERT … VALUES statement'."""
    regions, rejected = records(tmp_path, DUMP.replace("Tenggara'),", "Tenggara')"))
    assert rejected == []
    assert {kode: r.nama for kode, r in regions.items()} == tuples(DUMP)
    assert regions["1103"].catatan == ("repaired: no ',' between this tuple and the one before it (w.sql:12); read "
                                       "as if it were there")
    assert [kode for kode, r in regions.items() if r.catatan] == ["1103"]


# --------------------------------------------------------------------------- one byte damaged: only it is set aside

DAMAGE = {
    # name: (dump, what, damaged into, [(locator, reason starts with, raw)], codes not loaded)
    "a ',' damaged into '.'": (DUMP, "Tenggara'),", "Tenggara').", [
        ("w.sql:12", "not a ',' or ';' after a tuple (a damaged ','?); read past up to the next tuple", ".")], set()),
    "a ',' damaged into ';'": (DUMP, "Tenggara'),", "Tenggara');", [], set()),
    "VALUES damaged": (DUMP, "VALUES\r\n('11.01'", "VALUEZ\r\n('11.01'", [
        ("w.sql:9", "not an INSERT … VALUES statement head (a damaged one?); the tuples after it are read as (kode, "
         "nama)", "INSERT INTO wilayah (kode, nama)\r\nVALUEZ")], set()),
    "INSERT damaged": (DUMP, "INSERT INTO wilayah (kode, nama)\r\nVALUES\r\n('11.01'",
                       "INSERX INTO wilayah (kode, nama)\r\nVALUES\r\n('11.01'", [
        ("w.sql:9", "not an INSERT … VALUES statement head", "INSERX INTO wilayah (kode, nama)\r\nVALUES")], set()),
    "a column name damaged": (DUMP, "(kode, nama)\r\nVALUES\r\n('11.01'", "(kode, nxma)\r\nVALUES\r\n('11.01'", [
        ("w.sql:9", "column list (kode, nxma) damaged; the tuples after it are read as (kode, nama, …)",
         "INSERT INTO wilayah (kode, nxma)\r\nVALUES")], set()),
    "a tuple's '(' lost": (DUMP, "('11.02'", "'11.02'", [
        ("w.sql:12", "no tuple where one belongs after VALUES or a ','", "'11.02','Kab. Aceh Tenggara'),")],
        {"1102"}),
    "a tuple's ')' lost": (DUMP, "Tenggara'),", "Tenggara',", [
        ("w.sql:12", "broken tuple: no ')' before the next tuple", "('11.02','Kab. Aceh Tenggara',")], {"1102"}),
    "a line end damaged into '#'": (DUMP, ",\r\n('11.02'", ",\r#('11.02'", [
        ("w.sql:11", "a comment that holds a tuple", "#('11.02','Kab. Aceh Tenggara'),")], {"1102"}),
    "the ';' of CREATE TABLE lost": (DUMP, "varchar(100));", "varchar(100))", [], set()),
    "a quote left open, tuples on one line": (ONE_LINE, "'ACEH')", "'ACEH)", [
        ("w.sql:1", "broken tuple", "('11','ACEH)")], {"11"}),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_one_damaged_byte_sets_aside_only_the_damage(case: str, tmp_path: Path) -> None:
    dump, what, damaged, expected, lost = DAMAGE[case]
    assert dump.count(what) == 1
    regions, rejected = records(tmp_path, dump.replace(what, damaged))
    assert {kode: r.nama for kode, r in regions.items()} == {k: v for k, v in tuples(dump).items() if k not in lost}
    assert len(rejected) == len(expected)
    for got, (locator, reason, raw) in zip(rejected, expected, strict=True):
        assert (got.locator, got.raw) == (locator, raw) and got.reason.startswith(reason), got


def test_every_one_byte_damage_loses_only_what_it_touches(tmp_path: Path) -> None:
    """Each byte of two dumps deleted, or replaced by each of ``x'"(),;#`` or a space: reading never fails, every
    tuple the damage did not touch loads (or, behind a '#' that made its line a comment, is quarantined), and no
    quarantined text holds an untouched tuple but such a comment."""
    path = tmp_path / "w.sql"
    for dump in (DUMP, ONE_LINE):
        spans = [(m.start(), m.end(), m.group(1).replace(".", ""), m.group(2)) for m in TUPLE.finditer(dump)]
        for at in range(len(dump)):
            for into in ("", "x", "'", '"', "(", ")", ",", ";", "#", " "):
                if dump[at] == into:
                    continue
                path.write_bytes((dump[:at] + into + dump[at + 1:]).encode())
                got = read(READER, path, label_prefix="raw/")
                loaded = {(r.kode_wilayah, r.nama) for r in got if isinstance(r, Region)}
                rejected = [r for r in got if isinstance(r, Rejected)]
                assert len(rejected) <= 2, (at, into, rejected)
                for start, end, kode, nama in spans:
                    if start <= at < end or (kode, nama) in loaded:
                        continue
                    text = dump[start:end]
                    assert into == "#" and any(r.raw and text in r.raw and r.reason.startswith("a comment")
                                               for r in rejected), (at, into, kode, got)
                untouched = [dump[s:e] for s, e, _, _ in spans if not s <= at < e]
                assert not [r for r in rejected if r.raw and not r.reason.startswith("a comment")
                            and any(text in r.raw for text in untouched)], (at, into, rejected)


# --------------------------------------------------------------------------- a build: counts reconcile

@pytest.mark.parametrize(("damaged", "counts"), [("Tenggara')", (6, 6, 0)), ("Tenggara').", (7, 6, 1))])
def test_a_damaged_dump_builds_and_its_counts_reconcile(damaged: str, counts: tuple[int, int, int],
                                                        make_project: Any, cli_runner: CliRunner) -> None:
    project = make_project({"wilayah": [{"raw": {"w.sql": DUMP.replace("Tenggara'),", damaged)}, "name": "kem",
                                         "format": READER}]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [counts]
    assert query(project, "SELECT count(*) FROM wilayah") == [(6,)]
    if counts[2]:
        assert query(project, "SELECT locator, raw FROM quarantine") == [("w.sql:12", ".")]
    else:
        assert query(project, "SELECT kode_wilayah FROM wilayah WHERE catatan IS NOT NULL") == [("1103",)]


# --------------------------------------------------------------------------- the real 2025 dump

@pytest.mark.realdata
def test_real_dump_with_a_missing_comma_loads_every_tuple(shared_data: Path, tmp_path: Path) -> None:
    """Review AC r3b: all 6,809 Aceh regions after the lost ',' were one quarantined record (84,791 records)."""
    data = (shared_data / "wilayah_kemendagri_cahyadsn" / "wilayah.sql").read_bytes()
    at = data.index(b"('11.01.01.2003'")
    assert data[at - 3:at] == b",\r\n"
    regions, rejected = records(tmp_path, (data[:at - 3] + data[at - 2:]).decode())
    assert len(regions) == len(re.findall(rb"^\('", data, re.M)) == 91599 and rejected == []
    assert [k for k, r in regions.items() if r.catatan] == ["1101012003"]


@pytest.mark.realdata
def test_real_dump_with_a_latin1_byte_is_refused(shared_data: Path, tmp_path: Path) -> None:
    """Review AC r10: one latin-1 byte made the whole dump one quarantined record, 0 regions, exit 0."""
    data = (shared_data / "wilayah_kemendagri_cahyadsn" / "wilayah.sql").read_bytes()
    at = data.index(b"'Keude Bakongan'") + 1
    (tmp_path / "w.sql").write_bytes(data[:at] + b"\xe9" + data[at + 1:])
    line, byte = data.count(b"\n", 0, at) + 1, at - data.rfind(b"\n", 0, at)
    with pytest.raises(SourceError, match=rf"^raw/w\.sql: line {line}, byte {byte}: not valid utf-8 \(bytes e9 "):
        read(READER, tmp_path / "w.sql", label_prefix="raw/")
