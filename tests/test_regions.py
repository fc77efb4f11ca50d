"""Region code systems: Kemendagri SQL dumps, BPS CSVs, ``wilayah.sistem_kode``, the BPS↔KPU refusal.

Fixture tests read tiny synthetic files (``tests/fixtures/kemendagri``, ``tests/fixtures/bps``);
real-data tests build ``../shared/data/wilayah_kemendagri_cahyadsn`` and
``wilayah_bps2018_edwardsamuel`` (skipped when absent) and compare with what this module
computes from the raw files with ``re``/``csv`` alone, never through releasekit.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import query, read
from releasekit.cli import cli
from releasekit.readers import Region, Rejected

FIXTURES = Path(__file__).parent / "fixtures"
KEMENDAGRI = FIXTURES / "kemendagri"
BPS = FIXTURES / "bps"
KEMENDAGRI_REAL = "wilayah_kemendagri_cahyadsn"
BPS_REAL = "wilayah_bps2018_edwardsamuel"
KPU_REAL = "wilayah_kpu2024_robbypambudi"
#: A TPS of Kricak (Kota Yogyakarta), in KPU codes: the Kemendagri village 34.71.01.1001.
RESULTS_CSV = "kode_tps,sah,p1,p2,p3\n3471011001001,200,50,100,50\n3471011001002,10,1,2,7\n"
RESULTS = {"raw": {"hasil.csv": RESULTS_CSV}, "name": "hasil", "format": "csv", "election": "ppwp-2024",
           "snapshot": "2024-02-16",
           "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
                   "votes": {1: "p1", 2: "p2", 3: "p3"}}}


def build_ok(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output


def validate_ok(runner: CliRunner, project: Path) -> None:
    result = runner.invoke(cli, ["validate", "--format", "json", str(project)])
    assert result.exit_code == 0, result.output[:3000]
    assert json.loads(result.output)["valid"] is True


# --------------------------------------------------------------------------- kemendagri-wilayah-sql (fixtures)

def test_kemendagri_dialects_normalise_dotted_codes() -> None:
    regions = {}
    for path in sorted(KEMENDAGRI.glob("v*.sql")):
        regions.update({r.kode_wilayah: r for r in read("kemendagri-wilayah-sql", path) if isinstance(r, Region)})
    kricak = regions["3471011001"]
    assert (kricak.tingkat, kricak.nama, kricak.kode_induk, kricak.id_sumber, kricak.sistem_kode) == (
        4, "Kricak", "347101", "34.71.01.1001", "kemendagri")
    assert (regions["34"].tingkat, regions["34"].kode_induk) == (1, None)
    assert regions["3471"].kode_induk == "34" and regions["347101"].kode_induk == "3471"
    # Every vintage's escaping: \" and \' in double quotes (2016), \' (2018), '' (2020), a curly apostrophe (2025).
    assert regions["3471011002"].nama == "Say \"Hi\" Ba'u"
    assert regions["1101072015"].nama == "Sawang Ba'u"
    assert regions["1101022018"].nama == "Pasi Kuala Ba'u"
    assert regions["5307012021"].nama == "Regapu\u2019u" and regions["5307012021"].locator == "v2025_crlf.sql:5"
    assert regions["1101072017"].nama == "Gampong; Baro"  # a ';' inside a string ends nothing
    assert regions["110102"].nama is None  # NULL stays NULL


def test_kemendagri_broken_tuples_and_statements_are_quarantined_one_by_one() -> None:
    records = read("kemendagri-wilayah-sql", KEMENDAGRI / "v2020_phpmyadmin.sql")
    reasons = {r.locator: r.reason for r in records if isinstance(r, Rejected)}
    assert reasons == {
        "v2020_phpmyadmin.sql:14": "3 values where the column list has 2",
        "v2020_phpmyadmin.sql:15": "kode '0' (the whole country, not a region) is not a dotted Kemendagri region "
                                   "code like 34.71.01.1001",
        "v2020_phpmyadmin.sql:16": "kode '3471' is not a dotted Kemendagri region code like 34.71.01.1001",
        "v2020_phpmyadmin.sql:17": "not an INSERT … VALUES statement of region rows; nothing read from it",
    }
    broken = read("kemendagri-wilayah-sql", KEMENDAGRI / "v2018_adminer.sql")
    kinds = [(type(r).__name__, r.locator) for r in broken]  # type: ignore[attr-defined]
    # An unescaped quote breaks only its own line; the next tuple reads on.
    assert kinds[-2:] == [("Rejected", "v2018_adminer.sql:17"), ("Region", "v2018_adminer.sql:18")]
    assert "unescaped quote" in broken[-2].reason  # type: ignore[attr-defined]


def test_kemendagri_population_dump_reads_kode_and_nama(tmp_path: Path) -> None:
    records = read("kemendagri-wilayah-sql", KEMENDAGRI / "penduduk.sql")
    assert [type(r).__name__ for r in records] == ["Rejected", "Region"]
    assert records[1].nama == "Daerah Istimewa Yogyakarta"  # type: ignore[attr-defined]
    (tmp_path / "notes.sql").write_text("-- nothing here\n")
    assert [r.reason for r in read("kemendagri-wilayah-sql", tmp_path / "notes.sql")] == [  # type: ignore[attr-defined]
        "no INSERT … VALUES tuples found: not a Kemendagri region dump"]


def test_kemendagri_list_names_the_places_of_kpu_results(make_project: Any, cli_runner: CliRunner) -> None:
    project = make_project({"wilayah": [{"raw": KEMENDAGRI / "v2016_double_quotes.sql",
                                         "format": "kemendagri-wilayah-sql"}],
                            "real-count": [RESULTS]})
    build_ok(cli_runner, project)
    rows = dict((r[0], r[1:]) for r in query(project, "SELECT kode_wilayah, nama, sistem_kode, id_sumber, sumber "
                                                       "FROM wilayah"))
    assert rows["3471011001"] == ("Kricak", "kemendagri", "34.71.01.1001", "raw/v2016_double_quotes.sql")
    assert query(project, "SELECT DISTINCT t.kode_wilayah, w.sumber IS NOT NULL FROM tps t "
                          "JOIN wilayah w USING (kode_wilayah)") == [("3471011001", 1)]
    assert query(project, "SELECT count(*) FROM findings WHERE rule = 'unknown-region'") == [(0,)]
    validate_ok(cli_runner, project)


# --------------------------------------------------------------------------- bps-wilayah-csv (fixtures)

def test_bps_codes_have_seven_digit_districts() -> None:
    records = read("bps-wilayah-csv", BPS)
    regions = {r.kode_wilayah: r for r in records if isinstance(r, Region)}
    assert {k: (r.tingkat, r.kode_induk) for k, r in regions.items() if k.startswith("3471")} == {
        "3471": (2, "34"), "3471010": (3, "3471"), "3471010001": (4, "3471010"), "3471010002": (4, "3471010")}
    assert {r.sistem_kode for r in regions.values()} == {"bps"}
    assert regions["1101"].nama == "KABUPATEN SIMEULUE"
    assert regions["3471010001"].nama == "GEDONGKIWO, ATAS" and regions["3471010001"].catatan is None
    assert regions["3471010002"].nama == "KAMPUNG I,II" and "repaired" in (regions["3471010002"].catatan or "")
    (rejected,) = [r for r in records if isinstance(r, Rejected)]
    assert (rejected.locator, rejected.reason) == (
        "districts.csv:3", "'347101' is not a BPS region code of 2, 4, 7 or 10 characters")


def test_bps_list_builds_alone_and_validates(make_project: Any, cli_runner: CliRunner) -> None:
    project = make_project({"wilayah-bps": [{"raw": BPS, "format": "bps-wilayah-csv"}]})
    build_ok(cli_runner, project)
    assert query(project, "SELECT sistem_kode, count(*) FROM wilayah GROUP BY 1") == [("bps", 9)]
    validate_ok(cli_runner, project)


# --------------------------------------------------------------------------- code systems never mix

@pytest.mark.parametrize("other", ["results", "kpu-list", "kemendagri-list"])
def test_bps_list_with_kpu_codes_is_refused(other: str, make_project: Any, cli_runner: CliRunner) -> None:
    others = {"results": RESULTS,
              "kpu-list": {"raw": {"provinces.csv": "34,DI YOGYAKARTA\n"}, "name": "kpu", "format": "kpu-wilayah-csv"},
              "kemendagri-list": {"raw": KEMENDAGRI / "v2025_crlf.sql", "format": "kemendagri-wilayah-sql"}}
    project = make_project({"wilayah-bps": [{"raw": BPS, "format": "bps-wilayah-csv"}], "other": [others[other]]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1, result.output
    message = result.output.strip()
    assert "\n" not in message and message.startswith("Error: ") and "internal error" not in message
    assert "registers/0/sources/0: 'raw/bps' (bps-wilayah-csv) holds BPS region codes" in message
    assert "KPU/Kemendagri codes of 'raw/" in message and "registers/1/sources/0" in message
    assert "BPS 1101 is KABUPATEN SIMEULUE, KPU 1101 is ACEH SELATAN" in message
    assert "(hint: releasekit reads no BPS-KPU crosswalk" in message
    assert not (project / "build" / "release.db").exists()


@pytest.mark.parametrize("other", [{"format": "kawalpemilu2019-csv", "election": "ppwp-2019", "snapshot": "2019-05-21"},
                                   {"format": "pemiluapi-2014-csv", "election": "ppwp-2014", "snapshot": "2014-07-22"}])
def test_bps_list_with_a_sources_own_area_ids_is_refused_in_those_words(
        other: dict[str, str], make_project: Any, cli_runner: CliRunner) -> None:
    """Review T #4: the refusal called KawalPemilu 2019's and pemiluAPI's ids "KPU/Kemendagri codes", which the README
    says they are not."""
    project = make_project({"wilayah-bps": [{"raw": BPS, "format": "bps-wilayah-csv"}],
                            "other": [{"raw": {"x.csv": ""}, "name": "x", **other}]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1, result.output
    assert (f"which cannot be joined to the area ids of its own (no KPU codes) of 'raw/x' ({other['format']}, "
            "registers/1/sources/0): each numbers regions its own way (hint: releasekit reads no BPS-KPU crosswalk"
            ) in result.output
    assert "KPU/Kemendagri" not in result.output


def test_every_wilayah_row_records_its_code_system(make_project: Any, cli_runner: CliRunner) -> None:
    kpu_villages = "3101011001,310101,PULAU PANGGANG\n1207281007,120728,LUBUK PAKAM I,II\n"
    results = {**RESULTS, "raw": {"hasil.csv": RESULTS_CSV + "3101011001001,3,1,1,1\n3201011001001,3,1,1,1\n"}}
    project = make_project({"wilayah": [
        {"raw": {"villages.csv": kpu_villages}, "name": "kpu", "format": "kpu-wilayah-csv"},
        {"raw": KEMENDAGRI / "v2018_adminer.sql", "format": "kemendagri-wilayah-sql"}],
        "real-count": [results]})
    build_ok(cli_runner, project)
    assert query(project, "SELECT count(*) FROM wilayah WHERE sistem_kode IS NULL") == [(0,)]
    by_source = Counter(query(project, "SELECT sumber, sistem_kode FROM wilayah"))
    assert by_source[("raw/kpu", "kpu")] == 2 and by_source[("raw/v2018_adminer.sql", "kemendagri")] == 5
    # Derived rows (from TPS codes, and parents of listed villages) take the system of the codes they come from.
    derived = dict(query(project, "SELECT kode_wilayah, sistem_kode FROM wilayah WHERE sumber IS NULL"))
    assert derived["3201011001"] == derived["3201"] == derived["310101"] == derived["120728"] == "kpu"
    assert derived.keys() >= {"3471011001", "347101", "3471", "34", "3101", "31", "1207", "12"}
    validate_ok(cli_runner, project)


def test_kpu_wilayah_repair_is_recorded_in_catatan(make_project: Any, cli_runner: CliRunner) -> None:
    villages = ("1207281007,120728,LUBUK PAKAM I,II\n1402092010,140209,LAMBANG SARI I, II, III\n"
                "1207281008,120728,PLAIN\n")
    project = make_project({"wilayah": [{"raw": {"villages.csv": villages}, "name": "kpu",
                                         "format": "kpu-wilayah-csv"}]})
    build_ok(cli_runner, project)
    notes = dict(query(project, "SELECT kode_wilayah, catatan FROM wilayah WHERE sumber IS NOT NULL"))
    assert notes == {
        "1207281007": "repaired: the name held 1 unquoted comma(s), so the row had 4 fields where 3 belong; "
                      "read as code, parent code, then the rest as the name",
        "1402092010": "repaired: the name held 2 unquoted comma(s), so the row had 5 fields where 3 belong; "
                      "read as code, parent code, then the rest as the name",
        "1207281008": None,
    }
    with (project / "datapackages" / "wilayah" / "data" / "wilayah.csv").open(encoding="utf-8", newline="") as f:
        published = {r["kode_wilayah"]: r for r in csv.DictReader(f)}
    assert published["1207281007"]["nama"] == "LUBUK PAKAM I,II"
    assert published["1207281007"]["catatan"].startswith("repaired: ")
    assert published["1207281007"]["sistem_kode"] == "kpu"


# --------------------------------------------------------------------------- real data (../shared/data)

SQL_TUPLE = re.compile(r"""^\s*\((['"])(.*?)\1\s*,\s*(['"])(.*?)\3(?:\s*,[^)]*)?\)\s*[,;]\s*$""")


def raw_kemendagri(path: Path) -> dict[str, str]:
    """Undotted code → name, parsed from the dump's one-tuple-per-line layout with a plain regex."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = SQL_TUPLE.match(line)
        if match and match.group(2) != "0":
            name = match.group(4).replace("\\'", "'").replace('\\"', '"').replace("''", "'")
            out[match.group(2).replace(".", "")] = name.strip()
    return out


@pytest.fixture(scope="module")
def kemendagri_2025(shared_data: Path, make_project: Any) -> Path:
    project = make_project({"wilayah": [{"raw": shared_data / KEMENDAGRI_REAL / "wilayah.sql",
                                         "format": "kemendagri-wilayah-sql"}]})
    build_ok(CliRunner(), project)
    return project


@pytest.mark.realdata
def test_real_kemendagri_2025_loads_every_tuple(kemendagri_2025: Path, shared_data: Path) -> None:
    expected = raw_kemendagri(shared_data / KEMENDAGRI_REAL / "wilayah.sql")
    assert len(expected) == 91599  # FORMATS.md section 18
    assert query(kemendagri_2025, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [
        (91599, 91599, 0)]
    got = dict(query(kemendagri_2025, "SELECT kode_wilayah, nama FROM wilayah"))
    assert got == expected
    levels = Counter(len(k) for k in expected)
    assert dict(query(kemendagri_2025, "SELECT tingkat, count(*) FROM wilayah GROUP BY 1")) == {
        1: levels[2], 2: levels[4], 3: levels[6], 4: levels[10]}
    assert query(kemendagri_2025, "SELECT nama, id_sumber, kode_induk, sistem_kode FROM wilayah "
                                  "WHERE kode_wilayah = '3471011001'") == [("Kricak", "34.71.01.1001", "347101",
                                                                            "kemendagri")]
    assert query(kemendagri_2025, "SELECT count(*) FROM wilayah w WHERE kode_induk IS NOT NULL AND NOT EXISTS "
                                  "(SELECT 1 FROM wilayah p WHERE p.kode_wilayah = w.kode_induk)") == [(0,)]


@pytest.mark.realdata
def test_real_kemendagri_package_validates(kemendagri_2025: Path, cli_runner: CliRunner) -> None:
    validate_ok(cli_runner, kemendagri_2025)


@pytest.mark.realdata
@pytest.mark.parametrize(("vintage", "rows", "provinces"), [
    ("archive/wilayah_2016.sql", 90892, 34), ("archive/wilayah_2018.sql", 91185, 34),
    ("archive/wilayah_2020.sql", 91227, 34), ("archive/wilayah_2022.sql", 91281, 34),
    ("archive/wilayah_2023.sql", 91591, 37), ("wilayah_penduduk.sql", 552, 38)])
def test_real_kemendagri_every_vintage_reads(shared_data: Path, vintage: str, rows: int, provinces: int) -> None:
    path = shared_data / KEMENDAGRI_REAL / vintage
    records = read("kemendagri-wilayah-sql", path)
    regions = {r.kode_wilayah: r.nama for r in records if isinstance(r, Region)}
    rejected = [r for r in records if isinstance(r, Rejected)]
    assert len(regions) == rows and sum(1 for k in regions if len(k) == 2) == provinces
    assert regions == raw_kemendagri(path)
    # Only the population dump's national row ('0', INDONESIA) is no region.
    assert [r.reason.split(" (")[0] for r in rejected] == (["kode '0'"] if "penduduk" in vintage else [])


@pytest.mark.realdata
def test_real_kemendagri_and_kpu_2024_share_their_numbering(kemendagri_2025: Path, shared_data: Path) -> None:
    kpu = {row[0] for f in ("provinces", "regencies", "districts", "villages")
           for row in csv.reader((shared_data / KPU_REAL / f"{f}.csv").open(encoding="utf-8"))}
    kemendagri = {k for (k,) in query(kemendagri_2025, "SELECT kode_wilayah FROM wilayah")}
    assert len(kpu & kemendagri) > 0.99 * len(kpu)  # the same codes, undotted (villages differ by vintage)
    assert query(kemendagri_2025, "SELECT nama FROM wilayah WHERE kode_wilayah = '1101'") == [
        ("Kabupaten Aceh Selatan",)]


@pytest.fixture(scope="module")
def bps_2018(shared_data: Path, make_project: Any) -> Path:
    project = make_project({"wilayah-bps": [{"raw": shared_data / BPS_REAL, "format": "bps-wilayah-csv"}]})
    build_ok(CliRunner(), project)
    return project


@pytest.mark.realdata
def test_real_bps_loads_every_row_as_bps_codes(bps_2018: Path, shared_data: Path) -> None:
    expected: dict[str, str] = {}
    repeated: dict[str, int] = {}
    rows = 0
    for f in ("provinces", "regencies", "districts", "villages"):
        with (shared_data / BPS_REAL / f"{f}.csv").open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                rows += 1
                if row[0] in expected:
                    repeated[f"{f}.csv:{number}"] = number
                else:
                    expected[row[0]] = row[-1]
    assert rows == 34 + 514 + 7215 + 80534  # SOURCES.md
    # Two village codes are listed twice with different names (9107182005 KAMLIN/KWARI, 9109070015): the first is kept.
    assert len(repeated) == 2
    # The folder's licence file is a record too: quarantined as no CSV, nothing read from it.
    assert query(bps_2018, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [
        (rows + 1, rows - 2, 3)]
    assert sorted(query(bps_2018, "SELECT locator, substr(reason, 1, 24) FROM quarantine")) == [
        ("LICENSE.data.odbl-10.md", "not a .csv member; nothi"),
        *((locator, "duplicate-key: region 91") for locator in sorted(repeated))]
    assert dict(query(bps_2018, "SELECT kode_wilayah, nama FROM wilayah")) == expected
    assert expected["9107182005"] == "KAMLIN"
    assert dict(query(bps_2018, "SELECT tingkat, count(*) FROM wilayah GROUP BY 1")) == {1: 34, 2: 514, 3: 7215,
                                                                                      4: 80534 - 2}
    assert query(bps_2018, "SELECT DISTINCT sistem_kode FROM wilayah") == [("bps",)]
    assert query(bps_2018, "SELECT nama, kode_induk FROM wilayah WHERE kode_wilayah IN ('1101', '3471010') "
                           "ORDER BY 1") == [("KABUPATEN SIMEULUE", "11"), ("MANTRIJERON", "3471")]


@pytest.mark.realdata
def test_real_bps_package_validates(bps_2018: Path, cli_runner: CliRunner) -> None:
    validate_ok(cli_runner, bps_2018)


@pytest.mark.realdata
def test_real_bps_list_with_kpu_results_is_refused(shared_data: Path, make_project: Any,
                                                   cli_runner: CliRunner) -> None:
    project = make_project({
        "wilayah-bps": [{"raw": shared_data / BPS_REAL, "format": "bps-wilayah-csv"}],
        "real-count": [{"raw": shared_data / "sirekap2024_tps_snapshots_aceh1101" / "ridwaanhall_repo",
                        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-20"}]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "holds BPS region codes, which cannot be joined to the KPU/Kemendagri codes" in result.output
