"""Area results from two sources for one election and day (review AS #1): only a Sirekap aggregate's own file of an
area replaces what its parent's table gave; a row of any other reader repeats the area, whichever comes first, and
is counted as a duplicate, never mixed in nor dropped unsaid. Each test failed on the code before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_DATA, needs_real_data, query

API = SHARED_DATA / "sirekap2024_raw_api_ridwaanhall" / "pemilu"
pytestmark = needs_real_data(API)
DAY = {"election": "ppwp-2024", "snapshot": "2024-03-07"}
MAPPING = {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode_prov"},
           "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}


def _province_csv(changed: str) -> tuple[str, dict[str, list[int]]]:
    """The national file's province rows as a CSV, province ``changed`` given one vote more for candidate 1."""
    table = json.loads((API / "hhcw" / "ppwp.json").read_text(encoding="utf-8"))["table"]
    rows = {kode: [v["100025"] + (kode == changed), v["100026"], v["100027"]]
            for kode, v in sorted(table.items()) if "100025" in v}
    lines = ["kode_prov,paslon_1,paslon_2,paslon_3", *(f"{k},{a},{b},{c}" for k, (a, b, c) in rows.items())]
    return "\n".join(lines) + "\n", rows


def _sources(project: Path) -> dict[str, tuple[int, int, int]]:
    return {path: (n, loaded, out) for path, n, loaded, out in query(
        project, "SELECT path, records_in, records_loaded, records_quarantined FROM sources")}


@pytest.mark.parametrize("csv_first", [False, True], ids=["aggregate-first", "csv-first"])
def test_a_csv_of_areas_beside_an_aggregate_is_a_duplicate_not_a_replacement(make_project: Any, csv_first: bool
                                                                             ) -> None:
    from releasekit import build, load_release

    text, rows = _province_csv(changed="11")
    aggregate = {"raw": API, "name": "agg", "format": "sirekap-aggregate-json", **DAY}
    flat = {"raw": {"prov.csv": text}, "name": "prov", "format": "csv", "csv": MAPPING, **DAY}
    project = make_project({"real-count": [flat, aggregate] if csv_first else [aggregate, flat]})
    build(load_release(project))
    sources = _sources(project)
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine WHERE reason LIKE 'duplicate-key%' "
                                            "ORDER BY source, locator")]
    row_11 = query(project, "SELECT sumber, asal, persen FROM hasil_wilayah WHERE kode_wilayah = '11'")
    votes_11 = [v for (v,) in query(project, "SELECT suara FROM suara_wilayah WHERE kode_wilayah = '11' "
                                             "ORDER BY nomor_urut")]
    if not csv_first:
        # the national file's table keeps every province (ts, persen and all); each CSV row is a duplicate of it
        assert sources["raw/prov"] == (len(rows), 0, len(rows))
        assert row_11 == [("raw/agg", "table", row_11[0][2])] and row_11[0][2] is not None
        assert votes_11 == [rows["11"][0] - 1, *rows["11"][1:]]
        assert sorted(reasons) == [
            f"duplicate-key: area {kode} already loaded for ppwp-2024 2024-03-07 from raw/agg at hhcw/ppwp.json "
            f"(table.{kode}); this is a different record, the first one is kept" for kode in sorted(rows)]
    else:
        # the CSV's province rows are kept; the national file, whose table gives province 11 other figures, is
        # quarantined whole, saying so, and every other record of the aggregate loads as before
        assert sources["raw/prov"] == (len(rows), len(rows), 0)
        assert row_11 == [("raw/prov", None, None)] and votes_11 == rows["11"]
        national = [r for r in reasons if "this record's table gives it other figures" in r]
        assert len(national) == 1 and national[0].startswith("duplicate-key: area 11 already loaded for ")
        n, loaded, out = sources["raw/agg"]
        assert n == loaded + out and query(project, "SELECT count(*) FROM hasil_wilayah WHERE kode_wilayah = '0'"
                                           ) == [(0,)]
    for path, (n, loaded, out) in sources.items():
        assert n == loaded + out, path


FEED = SHARED_DATA / "kpu2014_pilpres_hourly_ht4n" / "csv" / "KPU-Feeds-2014-07-19-02-AM.csv"
VOICES = SHARED_DATA / "pemiluapi_2014_2015_2004" / "perolehan-suara-pemilu" / "voices.csv"
FEED_MAPPING = {"table": "hasil_wilayah", "header_prefix": "#HEADER:",
                "fields": {"kode_wilayah": "KecamatanCode", "suara_sah": "TotalVotes"},
                "votes": {1: "PrabowoHattaVotes", 2: "JokowiKallaVotes"}}


@needs_real_data(FEED, VOICES)
@pytest.mark.parametrize("snapshots", [("2014-07-19", "2014-07-19"), ("2014-07-19", "2014-07-20")],
                         ids=["one-day", "two-days"])
def test_area_ids_of_two_numberings_for_one_day_are_refused(make_project: Any, snapshots: tuple[str, str]) -> None:
    """Review AS #2: pemiluAPI's ids and KPU 2014's feed for one election and day shared one key, and 26 of the
    feed's kecamatan were quarantined as 'duplicates' of unrelated pemiluAPI regencies (feed 222 is LABUHAN HAJI
    BARAT, pemiluAPI 222 Sleman): 65,917 and 39,418 votes not loaded. On two days they do not meet."""
    from conftest import invoke

    project = make_project({"clash": [
        {"raw": VOICES, "name": "voices", "format": "pemiluapi-2014-csv", "election": "ppwp-2014",
         "snapshot": snapshots[0]},
        {"raw": FEED, "name": "feed", "format": "csv", "csv": FEED_MAPPING, "election": "ppwp-2014",
         "snapshot": snapshots[1]}]})
    result = invoke("build", project)
    if snapshots[0] != snapshots[1]:
        assert result.exit_code == 0, result.output
        assert query(project, "SELECT count(*) FROM quarantine WHERE reason LIKE '%a different record%'") == [(0,)]
        # Review BD D1: diff then compared the two numberings area by area (222 Sleman "changed" into LABUHAN HAJI
        # BARAT, 6,878 areas "added"); both sides, the database and the packages, refuse it.
        package = project / "datapackages" / "clash"
        for old, new in ((snapshots[0], snapshots[1]), (f"{package}@{snapshots[0]}", f"{package}@{snapshots[1]}")):
            result = invoke("diff", old, new, "--project", project)
            assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
            assert "ppwp-2014 2014-07-19 numbers its published areas in area ids of its own (pemiluapi-2014-csv), " \
                   in result.output and "ppwp-2014 2014-07-20 in KPU/Kemendagri codes: the same code names " \
                   "different areas, so their totals cannot be compared (hint: " in result.output, result.output
        return
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith(
        f"Error: {project / 'metadata.yml'}: registers/0/sources/1: 'raw/feed' (csv) numbers areas in "
        "KPU/Kemendagri codes, 'raw/voices' (pemiluapi-2014-csv, registers/0/sources/0) in area ids of its own, "
        "for the same election ppwp-2014 and snapshot 2014-07-19: the same code would name two areas (hint: "
    ), result.output
