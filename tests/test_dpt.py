"""The voter list (issue 6): reader, counts per TPS, the voter-list rules, against planted and recomputed truth."""

from __future__ import annotations

import csv
import datetime
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import ProjectFactory, query
from releasekit import build, dpt, load_release
from releasekit.cli import cli
from releasekit.nik import LEAP_DDMM, VALID_DDMM
from releasekit.privacy import PROVINCES
from releasekit.synthetic_dpt import Planted, Rates, Station, national_stations, write_voter_list
from releasekit.validate import validate_paths
from voters import HEADER, voter_source

POLLING = datetime.date(2024, 2, 14)
RULES = ("duplicate-nik", "invalid-nik", "nik-region-mismatch", "underage-unmarried")
#: High rates so a small list carries every kind of problem many times.
RATES = Rates(duplicate=0.01, invalid=0.006, region_mismatch=0.02, underage=0.004, underage_married=0.002,
              broken=0.004, disability=0.05)


def findings_by_rule(project: Path) -> dict[str, int]:
    return dict(query(project, "SELECT rule, count(*) FROM findings WHERE rule IN (?, ?, ?, ?) GROUP BY rule",
                      RULES))


@pytest.fixture(scope="module")
def planted_project(make_project: ProjectFactory, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Planted]:
    """A 12,000-voter list over many provinces with every kind of problem planted, built once."""
    stations, districts = national_stations(12_000, seed=3)
    raw = tmp_path_factory.mktemp("raw") / "dpt.csv"
    planted = write_voter_list(raw, stations, seed=11, rates=RATES, districts=districts)
    project = make_project({"voter-list": [voter_source(raw)]})
    build(load_release(project))
    return project, planted


def test_rule_counts_equal_the_planted_counts(planted_project: tuple[Path, Planted]) -> None:
    project, planted = planted_project
    assert planted.duplicate_nik > 20 and planted.invalid_nik > 20 and planted.underage_unmarried > 10
    assert findings_by_rule(project) == {
        "duplicate-nik": planted.duplicate_nik, "invalid-nik": planted.invalid_nik,
        "nik-region-mismatch": planted.nik_region_mismatch, "underage-unmarried": planted.underage_unmarried,
    }


def test_rekap_sums_equal_the_rows_per_tps_and_sex(planted_project: tuple[Path, Planted]) -> None:
    project, planted = planted_project
    rows = query(project, "SELECT kode_tps, pemilih_l, pemilih_p, pemilih_j, umur_lt17 + umur_17_20 + umur_21_30 "
                          "+ umur_31_40 + umur_41_50 + umur_51_60 + umur_61_plus, umur_lt17 FROM dpt_rekap")
    assert {r[0]: [r[1], r[2]] for r in rows} == planted.by_tps
    assert all(j == men + women == bands for _, men, women, j, bands, _ in rows)
    assert sum(r[5] for r in rows) == planted.underage_unmarried + planted.underage_married


def test_every_row_is_loaded_or_quarantined(planted_project: tuple[Path, Planted]) -> None:
    project, planted = planted_project
    ((records_in, loaded, quarantined),) = query(
        project, "SELECT records_in, records_loaded, records_quarantined FROM sources")
    assert (records_in, loaded, quarantined) == (planted.rows, planted.voters, planted.broken)
    reasons = Counter(r.split(" ", 1)[0] for (r,) in query(project, "SELECT reason FROM quarantine"))
    assert sum(reasons.values()) == planted.broken and len(reasons) == 4  # date, sex, field count, TPS code


def reference_findings(raw: Path) -> set[tuple[str, str, int]]:
    """What the four rules must find, recomputed from the raw file with nothing from releasekit."""
    found: set[tuple[str, str, int]] = set()
    first_seen: set[str] = set()
    with raw.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            line = reader.line_num
            if len(row) != 13 or not re.fullmatch(r"[0-9]{13}", row[0]) or row[6] not in ("L", "P"):
                continue
            try:
                born = datetime.datetime.strptime(row[5], "%Y-%m-%d" if row[5][4] == "-" else "%d-%m-%Y").date()
            except ValueError:
                continue
            tps, nik = row[0], row[2]
            age = POLLING.year - born.year - ((POLLING.month, POLLING.day) < (born.month, born.day))
            if age < 17 and row[7] == "B":
                found.add(("underage-unmarried", tps, line))
            if re.fullmatch(r"[0-9]{16}", nik):  # any 16 digits are compared, a wrong NIK's too
                if nik in first_seen:
                    found.add(("duplicate-nik", tps, line))
                first_seen.add(nik)
            if not valid_nik(nik):
                found.add(("invalid-nik", tps, line))
            elif nik[:2] != tps[:2]:
                found.add(("nik-region-mismatch", tps, line))
    return found


def valid_nik(nik: str) -> bool:
    """16 digits, a province code, non-zero regency and district, a real DDMMYY (+40 on the day for women)."""
    if not re.fullmatch(r"[0-9]{16}", nik) or nik[:2] not in PROVINCES or "00" in (nik[2:4], nik[4:6]):
        return False
    day = int(nik[6:8])
    try:  # 2000 + YY is a leap year exactly when YY is divisible by 4, as the NIK rule wants
        datetime.date(2000 + int(nik[10:12]), int(nik[8:10]), day - 40 if day > 40 else day)
    except ValueError:
        return False
    return True


def test_the_fast_nik_expression_passes_exactly_the_birth_dates_the_careful_check_does() -> None:
    """``dpt._NIK_LINES`` spells :data:`releasekit.nik.VALID_DDMM` out; 29 February is left to the careful check."""
    passed = {f"{ddmm:04d}" for ddmm in range(10_000) if dpt._NIK_LINES.fullmatch(f"317101{ddmm:04d}900001")}
    assert passed == VALID_DDMM - LEAP_DDMM


def test_findings_are_the_voters_a_plain_recount_finds(planted_project: tuple[Path, Planted]) -> None:
    project, _ = planted_project
    got = set()
    for rule, key, detail in query(project, "SELECT rule, key, detail FROM findings"):
        line = int(re.findall(r":([0-9]+)\)?$", detail)[-1])  # the row's own line is always the last locator
        got.add((rule, key.split("/")[0], line))
    assert got == reference_findings(project / "raw" / "dpt.csv")


def test_findings_name_a_tps_and_a_number_never_a_nik(planted_project: tuple[Path, Planted]) -> None:
    project, _ = planted_project
    numbers = {(t, n) for t, n in query(project, "SELECT kode_tps, pemilih_j FROM dpt_rekap")}
    limits = dict(numbers)
    for rule, key, detail in query(project, "SELECT rule, key, detail FROM findings"):
        tps, nomor = key.split("/")
        assert 1 <= int(nomor) <= limits[tps], key
        assert not re.search(r"[0-9]{16}", detail), (rule, detail)


AGES = [  # (birth date, status, band column, flagged as underage-unmarried)
    ("2007-02-14", "B", "umur_17_20", False),   # 17 on polling day itself
    ("2007-02-15", "B", "umur_lt17", True),     # 17 the day after
    ("15-02-2007", "S", "umur_lt17", False),    # under 17 but married: lawful
    ("2008-06-01", "P", "umur_lt17", False),    # under 17, previously married: lawful
    ("2003-02-14", "B", "umur_21_30", False),   # 21 today
    ("2003-02-15", "B", "umur_17_20", False),   # 20
    ("1963-02-14", "S", "umur_61_plus", False),
    ("1963-02-15", "S", "umur_51_60", False),
    ("1983-02-15", "S", "umur_31_40", False),   # 40
    ("1983-02-14", "S", "umur_41_50", False),   # 41
]


def test_age_bands_on_polling_day(make_project: ProjectFactory) -> None:
    lines = [f"3171012001001,,31710145129000{i:02d},A,B,{born},L,{status},,,,,\n"
             for i, (born, status, _, _) in enumerate(AGES)]
    project = make_project({"voter-list": [voter_source({"dpt.csv": HEADER + "".join(lines)}, name="dpt")]})
    build(load_release(project))
    (row,) = query(project, "SELECT umur_lt17, umur_17_20, umur_21_30, umur_31_40, umur_41_50, umur_51_60, "
                            "umur_61_plus, pemilih_j FROM dpt_rekap")
    bands = Counter(band for _, _, band, _ in AGES)
    assert list(row) == [bands[c] for c in [b[0] for b in dpt.AGE_BANDS]] + [len(AGES)]
    flagged = {int(k.split("/")[1]) for (k,) in query(project, "SELECT key FROM findings "
                                                               "WHERE rule = 'underage-unmarried'")}
    assert flagged == {i + 1 for i, (_, _, _, under) in enumerate(AGES) if under}


def test_an_election_without_a_date_leaves_the_age_bands_null(make_project: ProjectFactory) -> None:
    text = HEADER + "3171012001001,,3171014512900001,A,B,14-12-1990,P,S,,,,,\n"
    project = make_project({"voter-list": [voter_source({"dpt.csv": text}, name="dpt", election="pilkada-x")]},
                           {"elections": [{"kode_pemilu": "pilkada-x", "jenis": "pilkada"}]})
    build(load_release(project))
    assert query(project, "SELECT pemilih_j, umur_lt17, umur_61_plus FROM dpt_rekap") == [(1, None, None)]


def test_options_rename_columns_and_read_other_text(make_project: ProjectFactory) -> None:
    """A cp1252 file, ';'-separated, with its own column names and words for the codes, is read."""
    text = ("NO_TPS;NIK;NKK;NAMA;TGL_LAHIR;JK;KAWIN;ALAMAT;DIFABEL\r\n"
            "3171012001001;3171014512900001;3171010101100001;ANDRÉ;14-12-1990;Laki-laki;sudah kawin;JL. A;0\r\n"
            "3171012001001; 3171015512900002 ;3171010101100001;SITI;1990-12-15;P;B;JL. B;2\r\n"
            "3171012001002;3171011212900003;3171010101100002;EKO;12/12/1990;L;P;JL. C;\r\n")
    mapping = {"fields": {"kode_tps": "NO_TPS", "nik": "NIK", "nkk": "NKK", "nama": "NAMA", "tanggal_lahir":
                          "TGL_LAHIR", "jenis_kelamin": "JK", "status_kawin": "KAWIN", "alamat": "ALAMAT",
                          "disabilitas": "DIFABEL"}, "encoding": "cp1252", "delimiter": ";"}
    project = make_project({"voter-list": [voter_source({"dpt.csv": text.encode("cp1252")}, name="dpt",
                                                        dpt=mapping)]})
    build(load_release(project))
    assert query(project, "SELECT kode_tps, pemilih_l, pemilih_p, disabilitas FROM dpt_rekap ORDER BY 1") == [
        ("3171012001001", 1, 1, 1), ("3171012001002", 1, 0, 0)]
    assert query(project, "SELECT count(*) FROM findings") == [(0,)]  # the spaced NIK is stripped, not invalid


def test_a_gzipped_folder_of_files_numbers_on_across_files(make_project: ProjectFactory) -> None:
    row = "3171012001001,,{nik},A,B,14-12-1990,P,S,,,,,\n"
    one = HEADER + row.format(nik="3171015412900001") + row.format(nik="3171015412900002")
    two = HEADER + row.format(nik="3171015412900003") + row.format(nik="3171015412900001")
    project = make_project({"voter-list": [voter_source({"a.csv.gz": gzip.compress(one.encode(), mtime=0),
                                                         "b.csv": two}, name="dpt")]})
    build(load_release(project))
    assert query(project, "SELECT pemilih_j FROM dpt_rekap") == [(4,)]
    assert query(project, "SELECT key, detail FROM findings") == [
        ("3171012001001/4", "NIK already registered at this TPS as no. 1 (a.csv.gz:2); this row: b.csv:3")]


def test_results_mismatch_compares_the_list_with_the_results(make_project: ProjectFactory, tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "sirekap_tps" / "31" / "3101"
    adm = json.loads((fixtures / "3101011001001.json").read_text())["administrasi"]
    stations = [Station("3101011001001", adm["pemilih_dpt_l"] + 1, adm["pemilih_dpt_p"]),  # one voter more
                Station("3101011001002", 100, 100)]  # its results have no DPT figure: nothing to compare
    write_voter_list(tmp_path / "dpt.csv", stations, seed=1, rates=Rates(0, 0, 0, 0, 0, 0, 0))
    project = make_project({"voter-list-and-results": [
        {"raw": fixtures, "name": "tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
         "snapshot": "2024-02-16"},
        voter_source(tmp_path / "dpt.csv")]})
    build(load_release(project))
    rows = query(project, "SELECT key, expected, actual FROM findings WHERE rule = 'dpt-results-mismatch'")
    assert rows == [("3101011001001", adm["pemilih_dpt_j"] + 1, adm["pemilih_dpt_j"])]


def test_voter_list_thresholds_are_percentages_of_the_voters_and_of_the_list_tps(
        make_project: ProjectFactory) -> None:
    """``error_if: "> x%"`` of a voter-list rule weighs its findings against its own population, not the results rows.

    The register holds 3 results rows and a list of 2 TPS and ~550 voters, 2 of them registered twice and 1 TPS
    disagreeing with its results: 2 duplicates are 0.36 % of the voters (67 % of the results rows) and 1
    mismatch is 50 % of the list's TPS (33 % of the results rows).
    """
    fixtures = Path(__file__).parent / "fixtures" / "sirekap_tps" / "31" / "3101"
    adm = json.loads((fixtures / "3101011001001.json").read_text())["administrasi"]
    sizes = {"3101011001001": adm["pemilih_dpt_j"] + 1, "3101011002001": 300}
    niks = [f"3101014512{90 + i // 10_000:02d}{i % 10_000:04d}" for i in range(sum(sizes.values()))]
    niks[-2:] = niks[:2]  # the last two voters have the first two's NIKs
    tps = [code for code, size in sizes.items() for _ in range(size)]
    text = HEADER + "".join(f"{code},,{nik},A,B,05-12-1990,P,S,,,,,\n" for code, nik in zip(tps, niks, strict=True))

    def problems(rules: dict[str, Any]) -> list[str]:
        project = make_project({"voter-list-and-results": {"rules": rules, "sources": [
            {"raw": fixtures, "name": "tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
             "snapshot": "2024-02-16"},
            voter_source({"dpt.csv": text}, name="dpt")]}})
        build(load_release(project))
        assert query(project, "SELECT count(*) FROM hasil_tps") == [(3,)]
        assert {r: n for r, n in query(project, "SELECT rule, count(*) FROM findings GROUP BY rule")
                if r in ("duplicate-nik", "dpt-results-mismatch")} == {"duplicate-nik": 2, "dpt-results-mismatch": 1}
        report = validate_paths([project]).to_dict()
        return [e["message"] for e in report["packages"][0]["errors"] if e["type"] == "rule-threshold"]

    voters = len(niks)
    assert problems({"duplicate-nik": {"severity": "error", "error_if": "> 0.5%"},
                     "dpt-results-mismatch": {"severity": "error", "error_if": "> 40%"}}) == [
        "dpt-results-mismatch: 1 error finding(s) in 2 TPS on the voter list break the threshold '> 40%' "
        "/ temuan melewati ambang batas"]
    assert problems({"duplicate-nik": {"severity": "error", "error_if": "> 0.3%"},
                     "dpt-results-mismatch": {"severity": "error", "error_if": "> 60%"}}) == [
        f"duplicate-nik: 2 error finding(s) in {voters} voter(s) on the list break the threshold '> 0.3%' "
        "/ temuan melewati ambang batas"]


def test_flushing_counters_and_unsorted_input_change_nothing_but_numbers(
        make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Counts are added into the database in pieces (flat memory): the pieces must add up exactly."""
    stations, districts = national_stations(3000, seed=5)
    raw = tmp_path / "dpt.csv"
    write_voter_list(raw, stations, seed=2, rates=RATES, districts=districts)
    lines = raw.read_text().splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.csv"
    body = lines[1:]
    body.sort(key=lambda line: hash_free_order(line))
    shuffled.write_text(lines[0] + "".join(body))

    def result(path: Path, flush: int) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        monkeypatch.setattr(dpt, "FLUSH_TPS", flush)
        project = make_project({"voter-list": [voter_source(path)]})
        build(load_release(project))
        return query(project, "SELECT * FROM dpt_rekap ORDER BY kode_tps"), findings_by_rule(project)

    expected = result(raw, 20_000)
    assert result(raw, 2) == expected
    rekap, counts = result(shuffled, 3)
    assert [r[:-1] for r in rekap] == [r[:-1] for r in expected[0]] and counts == expected[1]


def test_quoted_cells_and_quoted_newlines_read_like_plain_cells(make_project: ProjectFactory, tmp_path: Path) -> None:
    """Plain rows are cut in runs (textio's fast path), quoted ones one by one: counts and findings agree."""
    stations, districts = national_stations(3000, seed=7)
    raw = tmp_path / "dpt.csv"
    write_voter_list(raw, stations, seed=4, rates=RATES, districts=districts)
    header, *body = raw.read_text().splitlines(keepends=True)
    quoted = []
    for i, line in enumerate(body):
        cells = line.rstrip("\n").split(",")
        if i % 7 == 0 and len(cells) == 13:
            cells[8] = f'"{cells[8]},\nBLOK {i}"' if i % 21 == 0 else f'"{cells[8]}"'  # alamat, some on two lines
        quoted.append(",".join(cells) + "\n")
    (tmp_path / "quoted.csv").write_text(header + "".join(quoted))

    def result(path: Path) -> tuple[list[tuple[Any, ...]], ...]:
        project = make_project({"voter-list": [voter_source(path, name="dpt.csv")]})
        build(load_release(project))
        return (query(project, "SELECT * FROM dpt_rekap ORDER BY kode_tps"),
                query(project, "SELECT rule, key FROM findings ORDER BY rule, key"),
                query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources"))

    plain, with_quotes = result(raw), result(tmp_path / "quoted.csv")
    assert with_quotes == plain and plain[1] and plain[2][0][2] > 0


def hash_free_order(line: str) -> str:
    """A deterministic shuffle: order rows by their reversed text."""
    return line[::-1]


def test_build_is_byte_identical_although_the_hash_key_is_new_each_time(
        planted_project: tuple[Path, Planted], tmp_path: Path, make_project: ProjectFactory) -> None:
    project, _ = planted_project
    again = make_project({"voter-list": [voter_source(project / "raw" / "dpt.csv")]})
    build(load_release(again))
    for name in ("dpt_rekap.csv", "findings.csv", "quarantine.csv"):
        a = (project / "datapackages" / "voter-list" / "data" / name).read_bytes()
        b = (again / "datapackages" / "voter-list" / "data" / name).read_bytes()
        assert a == b, name
    assert (project / "datapackages" / "voter-list.zip").read_bytes() == \
        (again / "datapackages" / "voter-list.zip").read_bytes()


def test_a_list_without_a_required_column_stops_with_a_hint(make_project: ProjectFactory, cli_runner: Any) -> None:
    text = "kode_tps,nik,nama,jenis_kelamin,status_kawin\n3171012001001,3171015412900001,A,P,S\n"
    project = make_project({"voter-list": [voter_source({"dpt.csv": text}, name="dpt")]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert "dpt.csv: the header has no column 'tanggal_lahir'" in result.output
    assert "dpt: fields:" in result.output and "3171015412900001" not in result.output


def test_bytes_in_another_encoding_stop_with_a_hint(make_project: ProjectFactory, cli_runner: Any) -> None:
    text = HEADER + "3171012001001,,3171015412900001,ANDRÉ,B,14-12-1990,P,S,,,,,\n"
    project = make_project({"voter-list": [voter_source({"dpt.csv": text.encode("cp1252")}, name="dpt")]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert "dpt.csv: line 2" in result.output and "cp1252" in result.output
    assert not (project / "build" / "release.db").exists()


def test_unknown_dpt_option_and_dpt_on_another_reader_are_refused(make_project: ProjectFactory,
                                                                  cli_runner: Any) -> None:
    text = HEADER
    bad_field = make_project({"v": [voter_source({"dpt.csv": text}, name="dpt", dpt={"fields": {"nikk": "NIK"}})]})
    result = cli_runner.invoke(cli, ["build", str(bad_field)])
    assert result.exit_code == 1 and "sources/0/dpt/fields/nikk: not a voter-list column" in result.output
    wrong_reader = make_project({"v": [{"raw": {"a.csv": "11,X\n"}, "name": "w", "format": "kpu-wilayah-csv",
                                        "dpt": {"delimiter": ";"}}]})
    result = cli_runner.invoke(cli, ["build", str(wrong_reader)])
    assert result.exit_code == 1 and "takes no dpt options" in result.output
    generic = make_project({"v": [{"raw": {"a.csv": "kode,nama\n11,X\n"}, "name": "g", "format": "csv",
                                   "csv": {"table": "wilayah", "fields": {"kode_wilayah": "kode", "nama": "nama"}},
                                   "dpt": {"fields": {"nik": "NIK"}}}]})  # the generic reader ignored them
    result = cli_runner.invoke(cli, ["build", str(generic)])
    assert result.exit_code == 1 and "sources/0/dpt: the 'csv' reader takes no dpt options" in result.output


def test_keyed_hashes_match_equal_niks_only_and_change_with_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    niks = ["3171014512900001", "3171014512900002", "3171014512900001"]
    for randomised in (1, 0):  # Python's keyed SipHash, and BLAKE2b when PYTHONHASHSEED fixes that key
        monkeypatch.setattr(dpt, "sys", type("S", (), {"flags": type("F", (), {"hash_randomization": randomised})}))
        a, b, c = dpt.keyed_hashes(bytes(64), niks)
        assert a == c != b and all(isinstance(h, int) for h in a)
        assert dpt.keyed_hashes(bytes([1]) * 64, niks)[0] != a


def test_a_numeric_pythonhashseed_is_no_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTHONHASHSEED=123 leaves hash randomisation on, under a key anyone can derive: BLAKE2b then."""
    monkeypatch.setattr(dpt, "sys", type("S", (), {"flags": type("F", (), {"hash_randomization": 1})}))
    monkeypatch.setenv("PYTHONHASHSEED", "123")
    assert not dpt._start_up_key_is_secret()
    monkeypatch.setenv("PYTHONHASHSEED", "random")
    assert dpt._start_up_key_is_secret()
    monkeypatch.delenv("PYTHONHASHSEED")
    assert dpt._start_up_key_is_secret()


def test_a_fixed_pythonhashseed_finds_the_same(planted_project: tuple[Path, Planted], tmp_path: Path) -> None:
    project, _ = planted_project
    copy = tmp_path / "again"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build", "datapackages"))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run([sys.executable, "-m", "releasekit", "build", str(copy)], check=True, env=env,
                   capture_output=True)
    for name in ("findings.csv", "dpt_rekap.csv"):
        assert (copy / "datapackages" / "voter-list" / "data" / name).read_bytes() == \
            (project / "datapackages" / "voter-list" / "data" / name).read_bytes()


def test_a_list_without_a_disability_column_leaves_that_count_null(make_project: ProjectFactory) -> None:
    text = "kode_tps,nik,tanggal_lahir,jenis_kelamin,status_kawin\n3171012001001,3171014512900001,14-12-1990,P,S\n"
    project = make_project({"voter-list": {"sources": [voter_source({"dpt.csv": text}, name="dpt")],
                                           "publish_individuals": "masked"}})
    build(load_release(project))
    assert query(project, "SELECT pemilih_j, disabilitas FROM dpt_rekap") == [(1, None)]
    assert query(project, "SELECT nik, nkk, tahun_lahir, disabilitas, nama FROM dpt_pemilih") == [
        ("317101**********", None, 1990, None, None)]


def test_one_nik_on_thousands_of_rows_is_a_finding_per_extra_row(make_project: ProjectFactory) -> None:
    """A placeholder NIK typed for every voter of a list: every registration after the first is a duplicate."""
    row = "3171012{tps:03d}001,,3171014512900001,A,B,14-12-1990,P,S,,,,,\n"
    text = HEADER + "".join(row.format(tps=1 + i // 300) for i in range(1200))
    project = make_project({"voter-list": [voter_source({"dpt.csv": text}, name="dpt")]})
    build(load_release(project))
    assert findings_by_rule(project) == {"duplicate-nik": 1199}
    assert query(project, "SELECT detail FROM findings WHERE key = '3171012004001/300'") == [
        ("NIK already registered at TPS 3171012001001 as no. 1 (dpt.csv:2); this row: dpt.csv:1201",)]
