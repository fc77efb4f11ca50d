"""Review H (careless and hostile input through the CLI): what a release team's mistakes used to do."""

from __future__ import annotations

import gzip
import json
import os
import zipfile
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
        f"Error: raw/feed.jsonl: not a file or a folder but a pipe, socket or device ({project / 'metadata.yml'}: "
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


# --------------------------------------------------------------------------- hints that pointed the wrong way (#9)

KAWAL_HEADER = "Link KawalPemilu,Nama Kelurahan,Nomor TPS,Suara 01,Suara 02,Suara Sah\n"


def _build_one(make_project: Any, tmp_path: Path, name: str, data: bytes, **entry: Any) -> Any:
    (tmp_path / name).write_bytes(data)
    project = make_project({"hasil": [{"raw": tmp_path / name, **entry}]})
    return project, invoke("build", project)


def test_a_reader_without_an_encoding_option_says_to_re_encode(make_project: Any, tmp_path: Path) -> None:
    """It said "declare 'encoding: cp1252' for this source", which the schema refuses for this reader."""
    data = (KAWAL_HEADER + "https://kawalpemilu.org#25826,CIPAYUNG,1,103,127,230\n"
            "https://kawalpemilu.org#25827,PASAR MINGGU \u2013 TIMUR,1,10,20,30\n").encode("cp1252")
    _, result = _build_one(make_project, tmp_path, "kp.csv", data, format="kawalpemilu2019-csv",
                           election="ppwp-2019", snapshot="2019-05-23")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: raw/kp.csv: line 3, byte 44: not valid utf-8 (bytes 96 20 54 49) (hint: re-encode the file as "
        "UTF-8 (its bytes look like cp1252: iconv -f cp1252 -t utf-8))")


CSV_MAPPING = {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode", "suara_sah": "sah"},
               "votes": {1: "p1", 2: "p2"}}


def test_a_workbook_saved_as_csv_is_named_as_one(make_project: Any, tmp_path: Path) -> None:
    """It said "the file looks like UTF-16 … re-encode it as UTF-8": a zip's headers are full of NUL bytes."""
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    _, result = _build_one(make_project, tmp_path, "results.csv", book.read_bytes(), format="csv", csv=CSV_MAPPING,
                           election="ppwp-2014", snapshot="2014-07-22")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: raw/results.csv: the file is a ZIP archive (an .xlsx or .ods workbook is one), not a text table "
        "(hint: export the data as CSV (UTF-8), or declare the file as what it is)")


def test_utf_8_sig_is_utf_8(make_project: Any, tmp_path: Path) -> None:
    """It was refused as "not ASCII-compatible"."""
    data = "\ufeffkode,sah,p1,p2\n1672,30,10,20\n".encode()
    project, result = _build_one(make_project, tmp_path, "r.csv", data, format="csv",
                                 csv={**CSV_MAPPING, "encoding": "utf-8-sig"}, election="ppwp-2014",
                                 snapshot="2014-07-22")
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah, suara_sah FROM hasil_wilayah") == [("1672", 30)]


def test_skip_lines_past_the_end_says_so(make_project: Any, tmp_path: Path) -> None:
    """It said "the file is empty (no line with data)" of a file of three lines."""
    data = b"kode,sah,p1,p2\n1672,30,10,20\n1673,3,1,2\n"
    _, result = _build_one(make_project, tmp_path, "r.csv", data, format="csv",
                           csv={**CSV_MAPPING, "skip_lines": 100000}, election="ppwp-2014", snapshot="2014-07-22")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: raw/r.csv: no line with data after the 3 line(s) skipped ('skip_lines: 100,000') (hint: set "
        "'skip_lines' to the number of title lines above the table)")


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_metadata_yml_that_is_no_file_is_named_as_what_it_is(tmp_path: Path, kind: str) -> None:
    """Both said "metadata.yml: no such file"."""
    path = tmp_path / "metadata.yml"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    result = invoke("build", tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == {
        "folder": f"Error: {path}: a folder, not a file (hint: the project's metadata.yml is a YAML file)",
        "fifo": f"Error: {path}: not a regular file but a pipe, socket or device (hint: the project's metadata.yml "
                "is a YAML file)"}[kind]


# --------------------------------------------------------------------------- a swap that could not end (#10)

def test_a_folder_in_the_way_of_the_database_is_refused_before_the_build(make_project: Any) -> None:
    """A folder at build/release.db failed the swap after datapackages/ was exchanged: new packages, no database,
    and every later build failed with the disk-space hint."""
    project = make_project({"real-count": [{"raw": {"3101011001001.json": TPS}, "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    (project / "build" / "release.db").mkdir(parents=True)
    for _ in range(2):
        result = invoke("build", project)
        assert (result.exit_code, result.output.splitlines()[-1]) == (1, (
            "Error: build/release.db: a folder stands where the release database goes (hint: move it away: build "
            "writes this file)"))
    assert not (project / "datapackages").exists()


def test_a_folder_in_the_way_of_the_build_record_is_refused_before_the_build(make_project: Any) -> None:
    """Review AG #1: a folder at build/sources.json failed the swap after the new packages and database were in
    place (exit 1, 'the new release could not be put in place'), and every later build and serve failed at
    finishing that swap, naming the staged file, not the folder in the way."""
    project = make_project({"real-count": [{"raw": {"3101011001001.json": TPS}, "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    before = (project / "datapackages" / "real-count.zip").read_bytes()
    (project / "build" / "sources.json").unlink()
    (project / "build" / "sources.json").mkdir()
    (member,) = (project / "raw").glob("*/3101011001001.json")
    member.write_text(json.dumps({**TPS, "ts": "2024-02-16 10:00:00"}))  # (other inputs: new packages to swap in)
    for _ in range(2):
        result = invoke("build", project)
        assert (result.exit_code, result.output.splitlines()[-1]) == (1, (
            "Error: build/sources.json: a folder stands where the build's record of its raw files goes (hint: move "
            "it away: build writes this file)"))
    assert (project / "datapackages" / "real-count.zip").read_bytes() == before
    (project / "build" / "sources.json").rmdir()
    assert invoke("build", project).exit_code == 0
