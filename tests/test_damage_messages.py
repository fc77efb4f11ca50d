"""What a build says of damaged input (review AQ #5): the value as the file wrote it, the place, the source named once,
a hint that fits. Each test failed on the code before."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query
from voters import HEADER, voter_source

TPS = "3101011001001"


def _tps_line(count: str) -> str:
    """One JSON Lines record of a Sirekap TPS whose first candidate's count is the JSON text ``count``."""
    return (f'{{"kode_tps": "{TPS}", "chart": {{"100025": {count}, "100026": 20, "100027": 30}}, '
            '"administrasi": null, "ts": "2024-02-15 10:00:00"}\n')


@pytest.mark.parametrize("count, said", [
    ("1" + "0" * 29, "got a number beyond 64 bits"),  # (orjson reads it as 1e+29: "got 1e+29" was not in the file)
    ("18446744073709551615", "got 18446744073709551615 (beyond 64 bits)"),
    ("9" * 400, "got a number beyond 64 bits"),  # (was "of 400 digits": a long one is described, never cut to "got ")
    ("1E400", "got a number beyond 64 bits"),
    ("12.5", "got 12.5"),
])
def test_a_count_that_is_no_count_is_quoted_as_written(make_project: Any, tmp_path: Path, count: str,
                                                       said: str) -> None:
    raw = tmp_path / "day.jsonl"
    raw.write_text(_tps_line(count), encoding="utf-8")
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT reason FROM quarantine") == [(f"chart.100025: expected an integer or null, {said}",)]


def _voters(text: str, damage: Any, make_project: Any, tmp_path: Path) -> tuple[str, Path]:
    raw = tmp_path / "dpt.csv.gz"  # (a file given bare: raw/dpt.csv.gz)
    raw.write_bytes(damage(gzip.compress(text.encode(), mtime=0)))
    project = make_project({"voter-list": [voter_source(raw)]})
    result = invoke("build", project)
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    return error, project


VOTER = f"{TPS},5202011512200001,5202017107040001,DEWI SUSANTI,MEKARSARI,31-07-2004,P,B,JL. MERDEKA,009,007,,\n"


def test_a_voter_list_cut_inside_its_header_says_it_is_cut(make_project: Any, tmp_path: Path) -> None:
    error, _ = _voters(HEADER + VOTER * 50, lambda data: data[:30], make_project, tmp_path)
    # (was: "raw/dpt.csv.gz: dpt.csv.gz: line 1: no header line before a line that cannot be read (hint: … declare
    # 'header: false' and 'names' (for this voter list: under 'dpt:'))")
    assert error.startswith("Error: raw/dpt.csv.gz: line 1: the header line cannot be read: the file is truncated")
    assert "header: false" not in error and "dpt:" not in error and error.count("dpt.csv.gz") == 1


@pytest.mark.parametrize("voters", [1, 20_000], ids=["small", "large"])
def test_a_voter_list_whose_gzip_check_fails_says_where(make_project: Any, tmp_path: Path, voters: int) -> None:
    def flip_crc(data: bytes) -> bytes:
        return data[:-8] + bytes([data[-8] ^ 1]) + data[-7:]

    error, project = _voters(HEADER + VOTER * voters, flip_crc, make_project, tmp_path)
    # (was: "raw/dpt.csv.gz: raw/dpt.csv.gz: the gzip data is corrupt (…), 0 bytes into its inflated data …
    # (hint: … tests a .gz file) (for this voter list: under 'dpt:'))")
    assert error.startswith("Error: raw/dpt.csv.gz: the gzip data is corrupt (Error -3 while decompressing data: "
                            "incorrect data check), at the end of the stream (its trailer's check): no record")
    assert "bytes into" not in error and "dpt:" not in error and error.count("dpt.csv.gz") == 1
    assert not (project / "build" / "release.db").exists()


def test_an_option_hint_still_says_where_the_options_are(make_project: Any, tmp_path: Path) -> None:
    error, _ = _voters("title line\n" * 3, lambda data: data, make_project, tmp_path)
    assert json.dumps(error) and error.endswith("(for this voter list: under 'dpt:'))"), error
