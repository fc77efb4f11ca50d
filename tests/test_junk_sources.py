"""A source that is mostly junk stops the build instead of filling the quarantine.

Every record a source gives is loaded or quarantined. A zip of a few hundred KB can inflate to
millions of short lines, each one a quarantine row; so can a source given to the wrong reader or
mapped wrongly. Once a source has set aside :data:`releasekit.ingest.QUARANTINE_LIMIT` records and
more than :data:`~releasekit.ingest.JUNK_RATIO` times as many as it loaded, the build stops with one
line naming the source, the counts and the first record set aside.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query
from releasekit import ingest

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}
MAPPING = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
           "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}


def _line(i: int) -> str:
    return json.dumps({**TPS, "kode_tps": f"3101010001{i:03}"})


def _zip(folder: Path, name: str, data: bytes) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr(name, data)
    path = folder / "bomb.zip"
    path.write_bytes(buf.getvalue())
    return path


def _source(raw: Path, table: bool) -> dict[str, Any]:
    source = {"raw": raw, "format": "csv", "csv": MAPPING} if table else {"raw": raw, "format": "sirekap-tps-json"}
    return {**source, "election": "ppwp-2024", "snapshot": "2024-02-16"}


def _stopped(project: Path) -> str:
    """The error line of a build of ``project`` that must stop (exit 1, the error its last line of output)."""
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    *progress, line = result.output.splitlines()
    assert not any(text.startswith("Error") for text in progress), result.output
    return line


@pytest.mark.parametrize("table", [True, False], ids=["csv", "jsonl"])
def test_a_zip_inflating_to_millions_of_junk_lines_stops_the_build(make_project: Any, tmp_path: Path,
                                                                    table: bool) -> None:
    """20 MB of ``x`` lines in a zip of about 20 KB, one quarantine row each before (156 s for this test, exit 0);
    now the build stops."""
    name, head = ("x.csv", "kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n") if table else ("x.jsonl", "")
    raw = _zip(tmp_path, name, (head + "x\n" * 10_000_000).encode())
    assert raw.stat().st_size < 100_000
    project = make_project({"real-count": [_source(raw, table)]})
    line = _stopped(project)
    first = f"{name}:2: ragged row" if table else f"{name}:1: invalid JSON"
    assert line.startswith(f"Error: raw/bomb.zip: 100,000 records set aside and 0 loaded so far, so the rest is "
                           f"not read (the first set aside, {first}"), line
    assert line.endswith("(hint: check the source's format, mapping and encoding; a source this far from its reader "
                         "is not loaded)")
    assert not (project / "build" / "release.db").exists()


@pytest.mark.parametrize("good_first", [True, False])
def test_the_limit_counts_against_what_loaded(make_project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              good_first: bool) -> None:
    """60 junk lines after 10 good ones build (60 is not over 10 × 10); after 1 good one they stop at 50."""
    monkeypatch.setattr(ingest, "QUARANTINE_LIMIT", 50)
    good = [_line(i) for i in range(1, 11 if good_first else 2)]
    raw = tmp_path / "x.jsonl"
    raw.write_text("\n".join(good + ["{not json"] * 60) + "\n")
    project = make_project({"real-count": [_source(raw, table=False)]})
    if good_first:
        result = invoke("build", project)
        assert result.exit_code == 0, result.output
        assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [(70, 10, 60)]
        assert query(project, "SELECT count(*) FROM quarantine") == [(60,)]
    else:
        assert _stopped(project).startswith(
            "Error: raw/x.jsonl: 50 records set aside and 1 loaded so far, so the rest is not read (the first set "
            "aside, x.jsonl:2: invalid JSON")


def test_a_record_repeated_over_and_over_stops_the_build(make_project: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies of one valid record pass the reader; the duplicates the build sets aside count as junk too."""
    monkeypatch.setattr(ingest, "QUARANTINE_LIMIT", 50)
    raw = tmp_path / "x.jsonl"
    raw.write_text((_line(1) + "\n") * 200)
    project = make_project({"real-count": [_source(raw, table=False)]})
    assert _stopped(project).startswith(
        "Error: raw/x.jsonl: 50 records set aside and 1 loaded so far, so the rest is not read (the first set aside, "
        "x.jsonl:2: ")


def test_the_stop_names_the_first_record_with_its_nik_masked(make_project: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "QUARANTINE_LIMIT", 50)
    nik = "3471014101900001"
    raw = tmp_path / "x.jsonl"
    raw.write_text(f'{{"kode_tps": "3101010001001", "{nik}": 1, "{nik}": 2}}\n' * 60)
    project = make_project({"real-count": [_source(raw, table=False)]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert nik not in result.output
    assert f"(the first set aside, x.jsonl:1: duplicate JSON key '{nik[:6]}{'*' * 10}')" in result.output
