"""Duplicates: the first record of a natural key is kept; the others point at it.

Every reader's repeated keys (a TPS in a snapshot, an area, a region, a listed TPS) are
quarantined as ``duplicate-key`` with the kept record's source and locator and whether
they are an identical copy; identical copies are counted in the build summary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import query
from releasekit.cli import cli

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3, "null": None}, "images": None, "administrasi": None,
       "psu": None, "ts": "2024-02-16 12:00:00", "status_suara": True, "status_adm": False}


def build(make_project: Any, runner: CliRunner, sources: list[dict[str, Any]]) -> tuple[Path, str]:
    project = make_project({"real-count": sources})
    result = runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    return project, result.output


def quarantine(project: Path) -> dict[str, str]:
    return dict(query(project, "SELECT locator, reason FROM quarantine"))


def test_sirekap_tps_duplicates_point_at_the_kept_member(make_project: Any, cli_runner: CliRunner) -> None:
    raw = {"a/3101011001001.json": json.dumps(TPS), "b/3101011001001.json": json.dumps(TPS),
           "c/3101011001001.json": json.dumps({**TPS, "ts": "2024-02-17 08:00:00"})}
    project, output = build(make_project, cli_runner, [{"raw": raw, "name": "tps", "format": "sirekap-tps-json",
                                                        "election": "ppwp-2024", "snapshot": "2024-02-16"}])
    reasons = quarantine(project)
    kept = "already loaded for ppwp-2024 2024-02-16 from raw/tps at a/3101011001001.json"
    assert kept in reasons["b/3101011001001.json"] and "an identical copy" in reasons["b/3101011001001.json"]
    assert kept in reasons["c/3101011001001.json"] and "a different record" in reasons["c/3101011001001.json"]
    assert "quarantined records: 2 (1 identical duplicates)" in output


def test_region_and_station_duplicates_across_sources(make_project: Any, cli_runner: CliRunner) -> None:
    first = {"provinces.csv": "31,DKI JAKARTA\n", "regencies.csv": "3101,31,KEP. SERIBU\n"}
    second = {"provinces.csv": "31,DKI JAKARTA\n", "regencies.csv": "3101,31,KEPULAUAN SERIBU\n"}
    lists = {"wilayah/pemilu/ppwp/3101011001.json": json.dumps([
        {"nama": "TPS 001", "id": 1, "kode": "3101011001001", "tingkat": 5},
        {"nama": "TPS 001", "id": 1, "kode": "3101011001001", "tingkat": 5}])}
    project, output = build(make_project, cli_runner, [
        {"raw": first, "name": "kpu-a", "format": "kpu-wilayah-csv"},
        {"raw": second, "name": "kpu-b", "format": "kpu-wilayah-csv"},
        {"raw": lists, "name": "sirekap", "format": "sirekap-wilayah-json"}])
    reasons = quarantine(project)
    assert reasons["provinces.csv:1"] == ("duplicate-key: region 31 is already listed by raw/kpu-a at "
                                          "provinces.csv:1; this is an identical copy in every value loaded, "
                                          "the first one is kept")
    assert reasons["regencies.csv:1"].endswith("at regencies.csv:1; this is a different record, the first one is kept")
    assert reasons["wilayah/pemilu/ppwp/3101011001.json[1]"] == (
        "duplicate-key: TPS 3101011001001 is already listed by raw/sirekap at wilayah/pemilu/ppwp/3101011001.json[0]; "
        "this is an identical copy in every value loaded, the first one is kept")
    assert "quarantined records: 3 (2 identical duplicates)" in output


def test_aggregate_area_duplicates_say_identical_or_different(make_project: Any, cli_runner: CliRunner) -> None:
    area = {"ts": "2024-03-07 15:00:16", "psu": "Reguler", "chart": {"100025": 10, "100026": 20, "100027": 5,
                                                                    "persen": 100.0},
            "progres": {"total": 12, "progres": 12}}
    project, _ = build(make_project, cli_runner, [
        {"raw": {"a/3101.json": json.dumps(area)}, "name": "agg-a", "format": "sirekap-aggregate-json",
         "election": "ppwp-2024", "snapshot": "2024-03-07"},
        {"raw": {"b/3101.json": json.dumps(area), "c/3101.json": json.dumps({**area, "ts": "2024-03-07 15:00:17"})},
         "name": "agg-b",
         "format": "sirekap-aggregate-json", "election": "ppwp-2024", "snapshot": "2024-03-07"}])
    reasons = quarantine(project)
    assert "from raw/agg-a at a/3101.json; this is an identical copy" in reasons["b/3101.json"]
    assert "from raw/agg-a at a/3101.json; this is a different record" in reasons["c/3101.json"]
