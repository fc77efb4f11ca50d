"""Sirekap readers read every value a file holds, or quarantine the record naming the key (review AC, 8 and 9).

A renamed ``administrasi`` key (``suaraSah``, ``"suara_sah "``), an aggregate chart key ``"100025 "``, a ``psu``
that is a number, ``status_progress: "true"`` or a ``progres`` array used to load as NULL (or vanish), exit 0,
nothing quarantined. JSON null, and a key left out, still load as NULL, as in the real files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query, read
from releasekit.elections import CATALOGUE
from releasekit.readers import AreaResult, Rejected, TpsResult
from releasekit.readers.sirekap_tps import ADMIN_KEYS

PPWP = CATALOGUE["ppwp-2024"]
#: A complete per-TPS record, as the real files write it (FORMATS.md section 1, made-up figures).
ADM = dict(zip(ADMIN_KEYS, range(100, 118), strict=True))
TPS: dict[str, Any] = {"chart": {"100025": 50, "100026": 40, "100027": 10, "null": None},
                       "images": ["https://x/3101011001001-a.jpg", None, None], "administrasi": ADM, "psu": None,
                       "ts": "2024-02-15 23:29:50", "status_suara": True, "status_adm": True}
#: An aggregate of regency 1101 with two districts (FORMATS.md section 2, made-up figures).
AREA: dict[str, Any] = {
    "ts": "2024-03-07 15:00:16", "psu": "Reguler", "mode": "hhcw",
    "chart": {"100025": 30, "100026": 20, "100027": 10, "persen": 100.0},
    "table": {"110101": {"psu": "Reguler", "100025": 30, "100026": 20, "100027": 10, "persen": 100.0,
                         "status_progress": True},
              "110102": {"psu": "Reguler", "persen": 0.0, "status_progress": False}},
    "progres": {"total": 4, "progres": 4}}
KNOWN = ("suara_sah, suara_tidak_sah, suara_total, pemilih_dpt_{j,l,p}, pengguna_dpt_{j,l,p}, pengguna_dptb_{j,l,p}, "
         "pengguna_non_dpt_{j,l,p}, pengguna_total_{j,l,p}")


def _tps_files(tmp_path: Path, records: list[dict[str, Any]]) -> dict[str, object]:
    """``records`` as per-TPS files 3101011001001.json …, read: the records by the TPS number (1, 2, …)."""
    for n, record in enumerate(records, 1):
        (tmp_path / f"3101011001{n:03d}.json").write_text(json.dumps(record))
    return {r.locator[10:13].lstrip("0"): r for r in read("sirekap-tps-json", tmp_path, PPWP)}  # type: ignore[attr-defined]


def _reason(record: object) -> str:
    assert isinstance(record, Rejected), record
    return record.reason


@pytest.mark.parametrize("key, shown, meant", [
    ("suaraSah", "suaraSah", "suara_sah"),
    ("suara_sah ", "suara_sah ", "suara_sah"),
    ("SUARA_SAH", "SUARA_SAH", "suara_sah"),
    ("pengguna-dpt-j", "pengguna-dpt-j", "pengguna_dpt_j"),
    ("suara_sah\u00a0", "suara_sah\\u00a0", "suara_sah"),  # (an invisible character is shown escaped)
    ("catatan", "catatan", None),  # (a key of no known one: named, with the keys known)
])
def test_an_administrasi_key_it_does_not_know_quarantines_the_tps(tmp_path: Path, key: str, shown: str,
                                                                  meant: str | None) -> None:
    adm = {k: v for k, v in ADM.items() if k != meant}
    records = _tps_files(tmp_path, [{**TPS, "administrasi": {**adm, key: 238}}])
    written = f" ('{meant}' written otherwise)" if meant else ""
    assert _reason(records["1"]) == (f"administrasi: unknown key '{shown}'{written}, whose value would not be read "
                                     f"(known: {KNOWN})")


def test_renamed_administrasi_keys_are_named_and_a_partial_object_loads_its_missing_keys_as_null(
        tmp_path: Path) -> None:
    camel = {"suaraSah": 238, "suaraTidakSah": 1, "suaraTotal": 239, "pemilihDptJ": 284}
    partial = {k: ADM[k] for k in ("suara_sah", "suara_total")}
    records = _tps_files(tmp_path, [{**TPS, "administrasi": camel}, {**TPS, "administrasi": partial},
                                    {**TPS, "administrasi": {}}, {**TPS, "mode": "hhcw"}])
    assert _reason(records["1"]).startswith("administrasi: unknown keys 'suaraSah' ('suara_sah' written otherwise), "
                                            "'suaraTidakSah' ('suara_tidak_sah' written otherwise), 'suaraTotal' "
                                            "('suara_total' written otherwise) and 1 more, whose value")
    loaded = records["2"]  # a key left out is a missing value: NULL, as before
    assert isinstance(loaded, TpsResult)
    figures = dict(zip(ADMIN_KEYS, loaded.values[1:19], strict=True))
    assert figures["suara_sah"] == ADM["suara_sah"] and figures["suara_tidak_sah"] is None
    assert isinstance(records["3"], TpsResult) and records["3"].values[1:19] == (None,) * 18
    assert isinstance(records["4"], TpsResult)  # (mode: a key of a tenth of the real files, not read)


@pytest.mark.parametrize("key, meant", [("ts ", "ts"), ("Chart", "chart"), ("statusSuara", "status_suara"),
                                        ("STATUS-ADM", "status_adm"), (" psu", "psu")])
def test_a_top_level_key_written_otherwise_quarantines_the_tps(tmp_path: Path, key: str, meant: str) -> None:
    record = {k: v for k, v in TPS.items() if k != meant}
    records = _tps_files(tmp_path, [{**record, key: TPS[meant] if meant != "psu" else "ulang"},
                                    {**TPS, "url": "https://x/3101011001002.json", "fetched": 1}])
    assert _reason(records["1"]) == (f"unknown key '{key}' ('{meant}' written otherwise), whose value would not be "
                                     "read (Sirekap writes its keys in lower case, with underscores)")
    assert isinstance(records["2"], TpsResult)  # other keys (a scraper's) are no near miss: ignored, as before


def test_a_chart_null_key_with_a_value_and_an_image_that_is_no_address_quarantine_the_tps(tmp_path: Path) -> None:
    records = _tps_files(tmp_path, [{**TPS, "chart": {**TPS["chart"], "null": 12}},
                                    {**TPS, "images": ["https://x/a.jpg", 7, None]},
                                    {**TPS, "images": [None, "", "https://x/c.jpg"]}])
    assert _reason(records["1"]) == "chart.null: expected null (a key of no candidate), got 12"
    assert _reason(records["2"]) == "images: expected an array of strings (photo addresses) or nulls"
    assert isinstance(records["3"], TpsResult) and records["3"].values[-1] == 1  # (null and "" are no photo)


def test_a_json_lines_record_with_a_renamed_key_is_quarantined(tmp_path: Path) -> None:
    lines = [{"kode_tps": "3101011001001", **TPS, "administrasi": {**ADM, "suara_sah ": 1}},
             {"kode_tps": "3101011001002", **TPS, "Status_Adm": True},
             {"kode_tps": "3101011001003", **TPS}]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    first, second, third = read("sirekap-tps-json", path, PPWP)
    assert _reason(first).startswith("administrasi: unknown key 'suara_sah ' ('suara_sah' written otherwise)")
    assert _reason(second).startswith("unknown key 'Status_Adm' ('status_adm' written otherwise)")
    assert isinstance(third, TpsResult)


def _areas(tmp_path: Path, files: dict[str, dict[str, Any]]) -> dict[str, object]:
    """Aggregate files of ``files`` (name → object) read: the records by file name."""
    for name, obj in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(obj))
    return {r.locator.split(".")[0]: r for r in read("sirekap-aggregate-json", tmp_path, PPWP)}  # type: ignore[attr-defined]


def _child(**entry: Any) -> dict[str, Any]:
    return {**AREA, "table": {**AREA["table"], "110101": {**AREA["table"]["110101"], **entry}}}


@pytest.mark.parametrize("obj, reason", [
    ({**AREA, "chart": {"100025 ": 30, "100026": 20, "100027": 10, "persen": 100.0}},
     "chart: unknown key '100025 ' ('100025' written otherwise), whose value would not be read "
     "(known: 100025, 100026, 100027, persen)"),
    ({**AREA, "chart": {**AREA["chart"], "Persen": 1.0}},
     "chart: unknown key 'Persen' ('persen' written otherwise), whose value would not be read "
     "(known: 100025, 100026, 100027, persen)"),
    ({**AREA, "chart": {**AREA["chart"], "null": 5}},
     "chart.null: expected null (a key of no candidate), got 5"),
    (_child(status_progres=True), "table.110101: unknown key 'status_progres', whose value would not be read "
                                  "(known: 100025, 100026, 100027, persen, psu, status_progress)"),
    ({**AREA, "psu": 1}, "psu: expected a string or null, got 1"),
    (_child(psu=7), "table.110101.psu: expected a string or null, got 7"),
    (_child(status_progress="true"), 'table.110101.status_progress: expected true, false or null, got "true"'),
    ({**AREA, "progres": [4, 4]}, "progres: expected an object or null, got [4, 4]"),
    ({**AREA, "progres": {"Total": 4, "progres": 4}},
     "progres: unknown key 'Total' ('total' written otherwise), whose value would not be read "
     "(known: progres, total)"),
    ({**AREA, "table": []}, "table: expected an object or null, got []"),
    ({**AREA, "table": False}, "table: expected an object or null, got false"),
    ({**{k: v for k, v in AREA.items() if k != "progres"}, "Progres": AREA["progres"]},
     "unknown key 'Progres' ('progres' written otherwise), whose value would not be read "
     "(known: chart, mode, progres, psu, table, ts)"),
])
def test_an_aggregate_value_it_cannot_read_quarantines_the_area(tmp_path: Path, obj: dict[str, Any],
                                                                reason: str) -> None:
    records = _areas(tmp_path, {"1101": obj, "1102": {**AREA, "table": {}}})
    assert _reason(records["1101"]) == reason
    assert isinstance(records["1102"], AreaResult)  # (the other file loads)


def test_an_aggregate_with_nulls_loads_them_as_null_and_one_with_a_wrong_type_is_quarantined(tmp_path: Path) -> None:
    nulls = {**AREA, "psu": None, "progres": None, "table": {"110101": {**AREA["table"]["110101"], "psu": None,
                                                                        "status_progress": None}},
             "chart": {**AREA["chart"], "null": None}, "source": "scraper"}
    records = _areas(tmp_path, {"1101": nulls, "1102": {**_child(status_progress=1), "table": {
        "110201": {**AREA["table"]["110101"], "status_progress": 1}}}})
    area = records["1101"]
    assert isinstance(area, AreaResult)
    assert area.values[1] is None and area.values[3:5] == (None, None)  # psu, tps_total, tps_masuk
    assert area.votes == {1: 30, 2: 20, 3: 10}
    ((child, values, votes),) = area.children
    assert child == "110101" and values[1] is None and values[8] is None and votes == {1: 30, 2: 20, 3: 10}
    assert _reason(records["1102"]) == "table.110201.status_progress: expected true, false or null, got 1"


def test_a_build_quarantines_what_it_cannot_read_and_accounts_for_every_record(tmp_path: Path,
                                                                             make_project: Any) -> None:
    tps = tmp_path / "tps"
    tps.mkdir()
    (tps / "t.jsonl").write_text(json.dumps({"kode_tps": "3101011001001", **TPS, "administrasi": {"suaraSah": 238}})
                                 + "\n" + json.dumps({"kode_tps": "3101011001002", **TPS}) + "\n")
    agg = tmp_path / "agg"
    agg.mkdir()
    (agg / "1101.json").write_text(json.dumps({**AREA, "chart": {"100025 ": 30, "100026": 20, "100027": 10}}))
    (agg / "1102.json").write_text(json.dumps({**AREA, "table": {}}))
    project = make_project({"real-count": [
        {"raw": tps / "t.jsonl", "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"},
        {"raw": agg, "format": "sirekap-aggregate-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources ORDER BY path") == [
        (2, 1, 1), (2, 1, 1)]
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine ORDER BY locator")]
    assert reasons[0].startswith("chart: unknown key '100025 '") and "'suaraSah'" in reasons[1]
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3101011001002",)]
