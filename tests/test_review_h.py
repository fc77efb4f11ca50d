"""Review H (careless and hostile input through the CLI): what a release team's mistakes used to do."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}


@pytest.mark.parametrize("body", [{}, {"message": "Forbidden"}, {"error": "rate limited", "status": 429}])
def test_an_api_error_body_is_no_tps_result(make_project: Any, body: dict[str, Any]) -> None:
    """``{}`` or an error body saved as a TPS file loaded as a TPS with every figure empty: beside a real day
    before it, one 403 body made 25 'cleared' changes and 16 votes-decreased-after-complete findings."""
    project = make_project({"real-count": [{"raw": {"3101011001001.json": TPS, "3101011001002.json": body},
                                            "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3101011001001",)]
    ((locator, reason),) = query(project, "SELECT locator, reason FROM quarantine")
    keys = ", ".join(body) or "none"
    assert locator == "3101011001002.json"
    assert reason == (f"none of a Sirekap result's keys (chart, administrasi, ts, …); its keys: {keys} (an error "
                      "body of the API, or another format)")


def test_a_json_lines_error_body_is_no_tps_result_either(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "x.jsonl"
    raw.write_text(json.dumps({**TPS, "kode_tps": "3101011001001"}) + "\n"
                   + json.dumps({"kode_tps": "3101011001002", "message": "Forbidden"}) + "\n")
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT locator FROM quarantine") == [("x.jsonl:2",)]


def test_a_named_pipe_as_a_source_is_refused_not_waited_on(make_project: Any, tmp_path: Path) -> None:
    """Every reader opened it and waited for a writer forever (its sha256 was taken over 0 bytes)."""
    project = make_project({"real-count": [{"path": "raw/feed.jsonl", "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    os.mkfifo(project / "raw" / "feed.jsonl")
    result = invoke("build", project)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: raw/feed.jsonl: not a file or a folder but a pipe, socket or device (metadata.yml: "
        "registers/0/sources/0) (hint: point 'path' at the raw export itself)")


@pytest.mark.parametrize(("name", "data"), [("day2.jsonl", b""), ("day2.jsonl", b"\n  \n\n"),
                                            ("day2.jsonl.gz", gzip.compress(b"\n", mtime=0))],
                         ids=["empty", "blank-lines", "gzip-of-a-blank-line"])
def test_an_empty_json_lines_day_is_refused(make_project: Any, tmp_path: Path, name: str, data: bytes) -> None:
    """It was a source of 0 records, exit 0, and the day silently missing from ``snapshots``."""
    (tmp_path / name).write_bytes(data)
    day1 = tmp_path / "day1.jsonl"
    day1.write_text(json.dumps({**TPS, "kode_tps": "3101011001001"}) + "\n")
    project = make_project({"real-count": [
        {"raw": day1, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-16"},
        {"raw": tmp_path / name, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-17"}]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: raw/{name}: the file is empty (no line with data) (hint: check that the export was complete, "
        "or remove the source)")


@pytest.mark.parametrize("format", ["sirekap-tps-json", "sirekap-wilayah-json", "dpt-csv"])
def test_an_empty_folder_is_refused(make_project: Any, format: str) -> None:
    extra = {"election": "ppwp-2024", "snapshot": "2024-02-16"} if format != "sirekap-wilayah-json" else {}
    project = make_project({"real-count": [{"path": "raw/day", "format": format, **extra}]})
    (project / "raw" / "day" / "empty-subfolder").mkdir(parents=True)
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == (
        "Error: raw/day: the folder is empty (no file in it or its subfolders) (hint: check that the export was "
        "copied in whole, or remove the source)")
