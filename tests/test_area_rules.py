"""The arithmetic and sign rules over published area totals (``hasil_wilayah``, ``suara_wilayah``).

Every 2004/2014/2019 reader writes only area results: without these checks a release of them said
"findings: none" over villages whose votes do not add up. The real-data counterparts are in
``test_realdata.py`` (KawalPemilu 2019, pemiluAPI 2014).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import query
from releasekit.cli import cli

#: A KPU 2014 feed in the shape of kpu2014_pilpres_hourly: one area per line, two candidates, the published totals.
HEADER = "#HEADER:KecamatanCode,PrabowoHattaVotes,JokowiKallaVotes,ValidVotes,InvalidVotes,TotalVotes\n"
MAPPING = {"table": "hasil_wilayah", "header_prefix": "#HEADER:",
           "fields": {"kode_wilayah": "KecamatanCode", "suara_sah": "ValidVotes",
                      "suara_tidak_sah": "InvalidVotes", "suara_total": "TotalVotes"},
           "votes": {1: "PrabowoHattaVotes", 2: "JokowiKallaVotes"}}


def _build(make_project: Any, runner: CliRunner, lines: str, rules: dict[str, Any] | None = None) -> Path:
    source = {"raw": {"feed.csv": HEADER + lines}, "name": "feed", "format": "csv", "csv": MAPPING,
              "election": "ppwp-2014", "snapshot": "2014-07-19"}
    spec: dict[str, Any] = {"sources": [source], **({"rules": rules} if rules else {})}
    project = make_project({"real-count": spec})
    result = runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    return project


def _findings(project: Path) -> list[tuple[Any, ...]]:
    return query(project, "SELECT rule, key, expected, actual, detail FROM findings ORDER BY rule, key")


def test_area_totals_that_do_not_add_up_are_findings(make_project: Any, cli_runner: CliRunner) -> None:
    project = _build(make_project, cli_runner,
                     "1672,2261,3316,5577,23,5600\n"      # adds up
                     "1673,10,20,31,1,32\n"               # 10 + 20 <> 31 valid votes
                     "1674,10,20,30,1,35\n"               # 30 + 1 <> 35 ballots
                     "1675,-5,20,15,,15\n"                # negative votes; no invalid figure: no ballots check
                     "1676,,20,30,0,30\n")                # a candidate without a figure: no votes check
    assert _findings(project) == [
        ("ballots-sum-mismatch", "1674", 35, 31,
         "suara_sah 30 + suara_tidak_sah 1 <> suara_total 35 (totals of the area)"),
        ("negative-count", "1675/suara/1", 0, -5, "votes for 1 are -5"),
        ("votes-sum-mismatch", "1673", 31, 30, "sum of votes 30 <> suara_sah 31 (totals of the area)"),
    ]


def test_negative_area_totals_are_findings(make_project: Any, cli_runner: CliRunner) -> None:
    project = _build(make_project, cli_runner, "1672,1,2,3,-1,2\n")
    assert [row[:4] for row in _findings(project)] == [("negative-count", "1672/suara_tidak_sah", 0, -1)]


def test_area_findings_are_weighed_against_area_rows(make_project: Any, cli_runner: CliRunner) -> None:
    # One area in four does not add up: 25% of the register's result rows. Before area rows counted, a
    # percentage was of hasil_tps rows alone, 0 here, so any finding broke any percentage.
    lines = "1672,1,2,3,0,3\n1673,1,2,3,0,3\n1674,1,2,3,0,3\n1675,1,2,4,0,4\n"
    for error_if, valid in (("> 30%", True), ("> 20%", False)):
        project = _build(make_project, cli_runner, lines,
                         {"votes-sum-mismatch": {"severity": "error", "error_if": error_if}})
        result = cli_runner.invoke(cli, ["validate", "--format", "json", str(project)])
        report = json.loads(result.output)
        assert report["valid"] is valid, result.output
        assert result.exit_code == (0 if valid else 1)
        if not valid:
            assert ("votes-sum-mismatch: 1 error finding(s) in 4 hasil_tps and hasil_wilayah row(s) break the "
                    "threshold '> 20%'") in result.output


def test_provenance_names_both_tables_of_a_rule_that_reads_area_totals(make_project: Any,
                                                                     cli_runner: CliRunner) -> None:
    project = _build(make_project, cli_runner, "1672,1,2,3,0,3\n")
    descriptor = json.loads((project / "datapackages" / "real-count" / "datapackage.json").read_text())
    rules = descriptor["releasekit"]["rules"]
    assert rules["votes-sum-mismatch"]["tables"] == ["hasil_tps", "hasil_wilayah"]
    assert rules["votes-sum-mismatch"]["table"] == "hasil_tps"
    assert "tables" not in rules["sex-sum-mismatch"]
