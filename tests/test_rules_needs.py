"""What each rule says it could not check (``releasekit.rules.not_checked``), need by need (review CF H2).

A rule run over no rows finds nothing, and its 0 reads as "checked, nothing wrong" (review CD H1). ``not_checked``
names what a rule lacked instead: the first of its ``needs`` the register has no row for, or, when the register has
no row of that table at all, the table ("no hasil_tps rows"); a rule with an ``area_sql`` is checked all the same
when the register publishes area totals its ``area_needs`` holds for. Review CF H2 found that most rules' needs and
the whole area-totals branch could be broken with no test failing: the demo has every hasil_tps column, no area
totals and no TPS list. Here the demo's ``release.db`` is copied and edited one way per case, and each register's
whole account is compared: what the edit takes away, and nothing else.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import query
from releasekit import build, load_release
from releasekit.rules import RULES, not_checked


def _says(en: str, id_: str) -> str:
    """A reason as ``not_checked`` gives it: English / Indonesian."""
    return f"{en} / {id_}"


NO_TPS_ROWS = _says("no hasil_tps rows", "tanpa baris hasil_tps")
NO_SNAPSHOT_ROWS = _says("no snapshots rows", "tanpa baris snapshots")
NO_TPS_LIST = _says("no list of TPS", "tanpa daftar TPS")
NO_AREAS = _says("no published area totals (hasil_wilayah)", "tanpa total wilayah yang dipublikasikan (hasil_wilayah)")
NO_VOTER_LIST = _says("no voter list (DPT)", "tanpa daftar pemilih (DPT)")
ONE_DAY = _says("one snapshot only: no pair of days to compare",
                "hanya satu snapshot: tidak ada pasangan hari untuk dibandingkan")
NO_SUARA_SAH = _says("no suara_sah", "tanpa suara_sah")
NO_BALLOT_COUNTS = _says("no suara_sah, suara_tidak_sah and suara_total together",
                         "tanpa suara_sah, suara_tidak_sah dan suara_total bersamaan")
NO_VOTERS_AND_BALLOTS = _says("no pengguna_total_j and suara_total together",
                              "tanpa pengguna_total_j dan suara_total bersamaan")
NO_SPLIT = _says("no count given for men and women apart (`_l`, `_p`)",
                 "tanpa angka laki-laki dan perempuan terpisah (`_l`, `_p`)")
NO_TURNOUT_COUNTS = _says("no suara_total, pemilih_dpt_j, pengguna_dptb_j and pengguna_dpk_j together",
                          "tanpa suara_total, pemilih_dpt_j, pengguna_dptb_j dan pengguna_dpk_j bersamaan")
NO_STATUS = _says("no status_suara", "tanpa status_suara")
NO_VILLAGES = _says("no region list naming villages", "tanpa daftar wilayah yang memuat desa/kelurahan")
NO_DPT_IN_RESULTS = _says("no results with pemilih_dpt_j", "tanpa hasil dengan pemilih_dpt_j")
NO_CANDIDATE_VOTES = _says("no candidate's votes (suara)", "tanpa suara peserta (suara)")
NO_TPS_VOTES = _says("no TPS votes in the release to add up (suara)",
                     "tanpa suara TPS dalam rilis untuk dijumlahkan (suara)")

#: The voter-list rules: the demo's voter list is register 003's.
VOTER_LIST_RULES = ("dpt-results-mismatch", "duplicate-nik", "invalid-nik", "nik-region-mismatch",
                    "underage-unmarried")
#: The rules that check the rows of hasil_tps only (their table, and no ``area_sql``).
TPS_ONLY_RULES = ("voters-ballots-mismatch", "sex-sum-mismatch", "turnout-exceeds-registered", "unknown-region",
                  "unknown-tps", "missing-tps")
#: The rules that check published area totals too (an ``area_sql``).
AREA_RULES = ("votes-sum-mismatch", "ballots-sum-mismatch", "negative-count")

#: The demo as built. 001: two Sirekap days, no voter list; 003: one Sirekap day, a voter list and the region list
#: (naming villages, which any register's results are checked against); no TPS list and no area totals in either.
AS_BUILT = {
    "001": {"unknown-tps": NO_TPS_LIST, "rollup-mismatch": NO_AREAS, "missing-tps": NO_TPS_LIST,
            **dict.fromkeys(VOTER_LIST_RULES, NO_VOTER_LIST)},
    "003": {"unknown-tps": NO_TPS_LIST, "rollup-mismatch": NO_AREAS, "missing-tps": NO_TPS_LIST,
            "changed-after-complete": ONE_DAY, "total-decreased": ONE_DAY},
}

#: A source of register 001 (Sirekap, 2024-02-15) and of register 003 (the region list).
OF_001, OF_003 = "raw/ppwp_tps_20240215.tar.gz", "raw/synthetic_wilayah_kpu"
OF_001_SOURCES = "sumber IN (SELECT path FROM sources WHERE register = '001')"
#: Register 001 without results: its TPS rows, their votes, its snapshots and what changed between them.
NO_RESULTS_IN_001 = ["DELETE FROM suara WHERE (kode_pemilu, snapshot) IN (SELECT kode_pemilu, snapshot FROM snapshots "
                     f"WHERE {OF_001_SOURCES.replace('sumber', 'source')})",  # (suara names no source: its days do)
                     f"DELETE FROM hasil_tps WHERE {OF_001_SOURCES}",
                     f"DELETE FROM snapshots WHERE {OF_001_SOURCES.replace('sumber', 'source')}",
                     f"DELETE FROM changes WHERE {OF_001_SOURCES.replace('sumber', 'source')}"]
#: No TPS results in the release at all (in 003 neither: a rule reading other registers' TPS has none to read).
NO_TPS_RESULTS = ["DELETE FROM hasil_tps", "DELETE FROM suara", "DELETE FROM snapshots", "DELETE FROM changes"]


def area_total(source: str, **counts: int) -> str:
    """An INSERT of one published area total (province 52 on 2024-02-15) read from ``source``, with ``counts``."""
    columns = ", ".join(counts)
    values = ", ".join(str(v) for v in counts.values())
    return (f"INSERT INTO hasil_wilayah (kode_pemilu, snapshot, kode_wilayah, asal, sumber, {columns}) "
            f"VALUES ('ppwp-2024', '2024-02-15', '52', 'chart', '{source}', {values})")


#: The candidates' totals of :func:`area_total`'s area (3 + 3 + 4 = its suara_sah of 10).
AREA_VOTES = ("INSERT INTO suara_wilayah (kode_pemilu, snapshot, kode_wilayah, nomor_urut, suara) VALUES "
              "('ppwp-2024', '2024-02-15', '52', 1, 3), ('ppwp-2024', '2024-02-15', '52', 2, 3), "
              "('ppwp-2024', '2024-02-15', '52', 3, 4)")


#: (register, edits of release.db, what the register's not_checked gains: rule → reason, or None when the rule is
#: now checked and its entry goes).
CASES = [
    pytest.param("001", [], {}, id="as-built-001"),
    pytest.param("003", [], {}, id="as-built-003"),
    # Each column a rule needs, missing from every row
    pytest.param("001", ["UPDATE hasil_tps SET suara_sah = NULL"],
                 {"votes-sum-mismatch": NO_SUARA_SAH, "ballots-sum-mismatch": NO_BALLOT_COUNTS}, id="no-suara_sah"),
    pytest.param("001", ["UPDATE hasil_tps SET suara_tidak_sah = NULL"],
                 {"ballots-sum-mismatch": NO_BALLOT_COUNTS}, id="no-suara_tidak_sah"),
    pytest.param("001", ["UPDATE hasil_tps SET suara_total = NULL"],
                 {"ballots-sum-mismatch": NO_BALLOT_COUNTS, "voters-ballots-mismatch": NO_VOTERS_AND_BALLOTS,
                  "turnout-exceeds-registered": NO_TURNOUT_COUNTS}, id="no-suara_total"),
    pytest.param("001", ["UPDATE hasil_tps SET pengguna_total_j = NULL"],
                 {"voters-ballots-mismatch": NO_VOTERS_AND_BALLOTS}, id="no-pengguna_total_j"),
    pytest.param("001", ["UPDATE hasil_tps SET pemilih_dpt_j = NULL"],
                 {"turnout-exceeds-registered": NO_TURNOUT_COUNTS}, id="no-pemilih_dpt_j-001"),
    # (003 has a voter list: its comparison with the results lacks their DPT figure)
    pytest.param("003", ["UPDATE hasil_tps SET pemilih_dpt_j = NULL"],
                 {"turnout-exceeds-registered": NO_TURNOUT_COUNTS, "dpt-results-mismatch": NO_DPT_IN_RESULTS},
                 id="no-pemilih_dpt_j-003"),
    pytest.param("001", ["UPDATE hasil_tps SET pengguna_dptb_j = NULL"],
                 {"turnout-exceeds-registered": NO_TURNOUT_COUNTS}, id="no-pengguna_dptb_j"),
    pytest.param("001", ["UPDATE hasil_tps SET pengguna_dpk_j = NULL"],
                 {"turnout-exceeds-registered": NO_TURNOUT_COUNTS}, id="no-pengguna_dpk_j"),
    # sex-sum-mismatch checks each triple given apart: one triple without men and women is no reason, all of them is
    pytest.param("001", ["UPDATE hasil_tps SET pemilih_dpt_l = NULL, pemilih_dpt_p = NULL"], {},
                 id="one-triple-not-split"),
    pytest.param("001", ["UPDATE hasil_tps SET pemilih_dpt_l = NULL, pengguna_dpt_l = NULL, pengguna_dptb_l = NULL, "
                         "pengguna_dpk_l = NULL, pengguna_total_l = NULL"],
                 {"sex-sum-mismatch": NO_SPLIT}, id="no-triple-split"),
    # results with suara_sah and no candidate's votes (a CSV mapping without ``votes``): nothing to add up or to see
    # change (review CG B2: votes-sum-mismatch said checked); the roll-up still lacks 001's area totals first
    pytest.param("001", ["DELETE FROM suara"],
                 dict.fromkeys(("votes-sum-mismatch", "changed-after-complete", "total-decreased"), NO_CANDIDATE_VOTES),
                 id="no-candidate-votes"),
    pytest.param("001", ["UPDATE hasil_tps SET status_suara = NULL"],
                 {"changed-after-complete": NO_STATUS}, id="no-status_suara"),
    pytest.param("003", ["DELETE FROM dpt_rekap"], dict.fromkeys(VOTER_LIST_RULES, NO_VOTER_LIST), id="no-voter-list"),
    # Lists any register may declare: a region list without villages is none to check a village against, and a TPS
    # list of register 003's is one for 001's results too
    pytest.param("001", ["UPDATE wilayah SET sumber = NULL WHERE tingkat = 4"],
                 {"unknown-region": NO_VILLAGES}, id="region-list-without-villages"),
    pytest.param("001", [f"UPDATE tps SET sumber = '{OF_003}'"],
                 {"unknown-tps": None, "missing-tps": None}, id="tps-list-of-another-register"),
    # A published area total of 001's: its roll-up is checked; one of 003's is not 001's
    pytest.param("001", [area_total(OF_001, suara_sah=10)], {"rollup-mismatch": None}, id="area-total-of-001"),
    pytest.param("001", [area_total(OF_003, suara_sah=10)], {}, id="area-total-of-003"),
    # No results in 001: each rule of the TPS rows lacks the rows themselves, not a column of theirs
    # (negative-count, which needs no column, included); the roll-up lacks the area totals first
    pytest.param("001", NO_RESULTS_IN_001,
                 {**dict.fromkeys(AREA_RULES + TPS_ONLY_RULES, NO_TPS_ROWS),
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="no-results-in-001"),
    # Area totals only: the rules with an area_sql check them when they have what those rules compare
    pytest.param("001", [*NO_TPS_RESULTS, area_total(OF_001, suara_sah=10, suara_tidak_sah=1, suara_total=11),
                         AREA_VOTES],
                 {**dict.fromkeys(TPS_ONLY_RULES, NO_TPS_ROWS), "rollup-mismatch": NO_TPS_VOTES,
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="area-totals-only"),
    # (an area's suara_sah without the candidates' totals: no sum of votes to compare it with, review CG B2)
    pytest.param("001", [*NO_TPS_RESULTS, area_total(OF_001, suara_sah=10, suara_tidak_sah=1, suara_total=11)],
                 {**dict.fromkeys(TPS_ONLY_RULES, NO_TPS_ROWS), "rollup-mismatch": NO_TPS_VOTES,
                  "votes-sum-mismatch": NO_TPS_ROWS,
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="area-totals-only-without-candidates"),
    pytest.param("001", [*NO_TPS_RESULTS, area_total(OF_001, suara_total=11), AREA_VOTES],
                 {**dict.fromkeys(TPS_ONLY_RULES, NO_TPS_ROWS), "rollup-mismatch": NO_TPS_VOTES,
                  "votes-sum-mismatch": NO_TPS_ROWS, "ballots-sum-mismatch": NO_TPS_ROWS,
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="area-totals-only-without-suara_sah"),
    pytest.param("001", [*NO_TPS_RESULTS, area_total(OF_001, suara_sah=10, suara_total=11), AREA_VOTES],
                 {**dict.fromkeys(TPS_ONLY_RULES, NO_TPS_ROWS), "rollup-mismatch": NO_TPS_VOTES,
                  "ballots-sum-mismatch": NO_TPS_ROWS,
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="area-totals-only-without-suara_tidak_sah"),
    pytest.param("001", [*NO_TPS_RESULTS, area_total(OF_003, suara_sah=10, suara_tidak_sah=1, suara_total=11),
                         AREA_VOTES],
                 {**dict.fromkeys(AREA_RULES + TPS_ONLY_RULES, NO_TPS_ROWS),
                  "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS},
                 id="area-totals-of-another-register-only"),
]


def edited(demo_project: Path, tmp_path: Path, edits: Sequence[str]) -> sqlite3.Connection:
    """A copy of the demo's ``release.db`` with ``edits`` applied (the built one is shared: never written)."""
    copy = tmp_path / "release.db"
    shutil.copyfile(demo_project / "build" / "release.db", copy)
    db = sqlite3.connect(copy)
    for sql in edits:
        db.execute(sql)
    db.commit()
    return db


@pytest.mark.parametrize(("register", "edits", "gained"), CASES)
def test_a_rule_says_what_it_lacked_and_a_rule_that_lacked_nothing_says_nothing(
        demo_project: Path, tmp_path: Path, register: str, edits: list[str], gained: dict[str, str | None]) -> None:
    expected = {**AS_BUILT[register], **gained}
    expected = {slug: reason for slug, reason in expected.items() if reason is not None}
    with closing(edited(demo_project, tmp_path, edits)) as db:
        assert not_checked(db, register) == expected
        assert list(not_checked(db, register)) == [r.slug for r in RULES if r.slug in expected]  # (in rule order)


#: A KPU 2014 feed of district totals (as in ``test_area_rules``): two candidates, the published totals.
HEADER = "#HEADER:KecamatanCode,PrabowoHattaVotes,JokowiKallaVotes,ValidVotes,InvalidVotes,TotalVotes\n"
MAPPING = {"table": "hasil_wilayah", "header_prefix": "#HEADER:",
           "fields": {"kode_wilayah": "KecamatanCode", "suara_sah": "ValidVotes",
                      "suara_tidak_sah": "InvalidVotes", "suara_total": "TotalVotes"},
           "votes": {1: "PrabowoHattaVotes", 2: "JokowiKallaVotes"}}


def test_a_register_of_area_totals_only_is_checked_by_the_area_rules_and_not_by_the_tps_rules(
        make_project: Any) -> None:
    """Review CF H2 (b): the older elections' readers write only area totals. Their register's votes-sum-mismatch,
    ballots-sum-mismatch and negative-count checked them (here each finds one) and are no "not checked"; every rule
    of TPS rows has none to check and says so, in ``not_checked`` and in the package's ``datapackage.json``."""
    lines = ("1672,2261,3316,5577,23,5600\n"  # adds up
             "1673,10,20,31,1,32\n"  # 10 + 20 <> 31 valid votes
             "1674,10,20,30,1,35\n"  # 30 + 1 <> 35 ballots
             "1675,-5,20,15,0,15\n")  # negative votes
    source = {"raw": {"feed.csv": HEADER + lines}, "name": "feed", "format": "csv", "csv": MAPPING,
              "election": "ppwp-2014", "snapshot": "2014-07-19"}
    project = make_project({"real-count": [source]})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM hasil_tps") == [(0,)]
    assert query(project, "SELECT rule, key FROM findings ORDER BY rule") == [
        ("ballots-sum-mismatch", "1674"), ("negative-count", "1675/suara/1"), ("votes-sum-mismatch", "1673")]
    expected = {**dict.fromkeys(TPS_ONLY_RULES, NO_TPS_ROWS), "rollup-mismatch": NO_TPS_VOTES,
                "changed-after-complete": NO_SNAPSHOT_ROWS, "total-decreased": NO_SNAPSHOT_ROWS,
                **dict.fromkeys(VOTER_LIST_RULES, NO_VOTER_LIST)}
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        assert not_checked(db, "001") == {r.slug: expected[r.slug] for r in RULES if r.slug in expected}
    descriptor = json.loads((project / "datapackages" / "real-count" / "datapackage.json").read_text())
    rules = descriptor["releasekit"]["rules"]
    assert {slug: rules[slug].get("not_checked") for slug in rules} == {r.slug: expected.get(r.slug) for r in RULES}
    assert not any("not_checked" in rules[slug] for slug in AREA_RULES)


def test_a_rule_with_a_finding_in_a_register_is_not_said_to_be_unchecked_there(make_project: Any) -> None:
    """Review CG B1: register 002 publishes an area total (here one TPS's) and register 001 the TPS results of the
    same election and day: 002's roll-up is compared with 001's TPS and gives a finding, and its package said "not
    checked: no hasil_tps rows" beside it. It needs TPS votes in the release, any register's, as its query reads."""
    tps = {"table": "hasil_tps", "fields": {"kode_tps": "tps", "suara_sah": "sah"}, "votes": {1: "a", 2: "b"}}
    area = {"table": "hasil_wilayah", "fields": {"kode_wilayah": "area", "suara_sah": "sah"}, "votes": {1: "a", 2: "b"}}
    day = {"election": "ppwp-2014", "snapshot": "2014-07-19", "format": "csv"}
    project = make_project({
        "per-tps": [{"raw": {"t.csv": "tps,a,b,sah\n3101011001001,10,20,30\n"}, "name": "tps", "csv": tps, **day}],
        "areas": [{"raw": {"w.csv": "area,a,b,sah\n3101011001001,15,20,35\n"}, "name": "areas", "csv": area, **day}]})
    build(load_release(project))
    found = query(project, "SELECT DISTINCT register, rule FROM findings")
    assert ("002", "rollup-mismatch") in found  # (the comparison is made)
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        assert not [(register, rule) for register, rule in found if rule in not_checked(db, register)]


def test_a_sum_of_candidate_votes_without_candidate_votes_is_not_checked(make_project: Any) -> None:
    """Review CG B2: results that give suara_sah but no candidate's votes (a CSV mapping without ``votes``):
    votes-sum-mismatch compared nothing, and its package said it was checked."""
    tps = {"table": "hasil_tps", "fields": {"kode_tps": "tps", "suara_sah": "sah"}}
    day = {"election": "ppwp-2014", "snapshot": "2014-07-19", "format": "csv"}
    project = make_project({"per-tps": [{"raw": {"t.csv": "tps,sah\n3101011001001,30\n"}, "name": "tps", "csv": tps,
                                         **day}]})
    build(load_release(project))
    descriptor = json.loads((project / "datapackages" / "per-tps" / "datapackage.json").read_text())
    assert descriptor["releasekit"]["rules"]["votes-sum-mismatch"]["not_checked"] == NO_CANDIDATE_VOTES
