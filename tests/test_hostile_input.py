"""Hostile input from a review: what a crafted export must not do to a build (and what each case does instead).

Each case is quarantined with a reason, with ``records_in = records_loaded + records_quarantined``, never an
internal error, never a silent last-one-wins.
"""

from __future__ import annotations

import gzip
import io
import json
import struct
import tarfile
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query
from releasekit.elections import CATALOGUE
from releasekit.readers import READERS, ReadContext, Rejected, TpsResult, members, tarstream

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}
PPWP = CATALOGUE["ppwp-2024"]
SMALL = json.dumps(TPS).encode()
LIMIT = 4096
#: A valid TPS file, padded with spaces (JSON whitespace) to over :data:`LIMIT` bytes: without a limit it loads.
BIG = SMALL + b" " * (3 * LIMIT)
KEPT, PADDED = "p/3101011001001.json", "p/3101011001002.json"


def _container(tmp_path: Path, kind: str, files: dict[str, bytes]) -> Path:
    """``files`` as a folder, a ``.zip``, a zip cut before its central directory, a ``.tar.gz`` or a ``.tar.bz2``."""
    if kind == "folder":
        root = tmp_path / "tps"
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        return root
    if kind in ("zip", "cut-zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in files.items():
                out.writestr(name, data)
        data = buf.getvalue()
        path = tmp_path / "tps.zip"
        path.write_bytes(data if kind == "zip" else data[:data.find(b"PK\x01\x02")])
        return path
    path = tmp_path / f"tps.{kind}"
    with tarfile.open(path, f"w:{kind.split('.')[1]}") as out:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return path


def _accounts(project: Path) -> tuple[int, int, int]:
    ((records_in, loaded, quarantined),) = query(
        project, "SELECT records_in, records_loaded, records_quarantined FROM sources")
    assert records_in == loaded + quarantined
    assert query(project, "SELECT count(*) FROM quarantine")[0][0] == quarantined
    return records_in, loaded, quarantined


def _json_source(raw: Path) -> dict[str, Any]:
    return {"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-16"}


# --------------------------------------------------------------------------- one member inflating to gigabytes

@pytest.mark.parametrize("kind", ["folder", "zip", "cut-zip", "tar.gz", "tar.bz2"])
def test_a_member_over_the_limit_is_quarantined_with_its_size(tmp_path: Path, make_project: Any,
                                                              monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", LIMIT)
    project = make_project({"real-count": [_json_source(_container(tmp_path, kind, {KEPT: SMALL, PADDED: BIG}))]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3101011001001",)]
    reasons = dict(query(project, "SELECT locator, reason FROM quarantine"))
    assert reasons[PADDED] == f"member is {len(BIG):,} bytes, over the limit of {LIMIT:,}; not read"
    assert _accounts(project) == ((3, 1, 2) if kind == "cut-zip" else (2, 1, 1))  # (+ the missing directory)


@pytest.mark.parametrize("kind", ["folder", "zip", "cut-zip", "tar.gz", "tar.bz2"])
def test_a_member_over_the_limit_is_read_past_in_constant_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 kind: str) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", 1 << 20)
    monkeypatch.setattr(tarstream, "MAX_INFLATE", 1 << 20)
    huge = 32 << 20
    source = _container(tmp_path, kind, {PADDED: SMALL + b" " * huge, "p/3101011001003.json": SMALL})
    tracemalloc.start()
    try:
        records = list(READERS["sirekap-tps-json"].read(ReadContext(source, source.name, PPWP)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(records[0], Rejected) and "over the limit of 1,048,576" in records[0].reason
    assert isinstance(records[1], TpsResult)
    assert peak < 8 << 20  # a few buffers, not the member


def test_a_zip_member_that_inflates_past_its_declared_size_is_not_loaded(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", LIMIT)
    data = bytearray(_container(tmp_path, "zip", {PADDED: BIG}).read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 100)  # its uncompressed size, as the central directory says
    (tmp_path / "lies.zip").write_bytes(data)
    (record,) = READERS["sirekap-tps-json"].read(ReadContext(tmp_path / "lies.zip", "lies.zip", PPWP))
    assert isinstance(record, Rejected) and record.reason.startswith("zip member is corrupt"), record


def test_a_csv_member_has_no_member_limit(tmp_path: Path, make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text table is streamed from its member and read line by line: a province's wide CSV (Jawa Barat: about
    85 MB) or a national one (500 MB) is over the limit for a JSON document and still loads (more in
    test_member_streams.py)."""
    rows = "".join(f"31010110010{i:02},{i},{i},0,0\n" for i in range(1, 41))
    table = ("kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n" + rows).encode()
    source = {"raw": _container(tmp_path, "zip", {"a.csv": table}), "format": "csv",
              "election": "ppwp-2024", "snapshot": "2024-02-16",
              "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
                      "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}}
    monkeypatch.setattr(members, "MEMBER_LIMIT", len(table) // 2)
    project = make_project({"real-count": [source]})
    assert invoke("build", project).exit_code == 0
    assert _accounts(project) == (40, 40, 0)


def test_a_gzipped_single_file_over_the_limit_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", LIMIT)
    path = tmp_path / "3101011001002.json.gz"
    path.write_bytes(gzip.compress(BIG))
    (record,) = READERS["sirekap-tps-json"].read(ReadContext(path, path.name, PPWP))
    assert isinstance(record, Rejected) and record.reason.startswith(f"file is {len(BIG):,} bytes, over the limit")


# --------------------------------------------------------------------------- a key written twice

def _one(reader: str, path: Path) -> Any:
    (record,) = READERS[reader].read(ReadContext(path, path.name, PPWP))
    return record


@pytest.mark.parametrize("text, key", [
    ('{"chart": {"100025": 5, "100025": 500, "100026": 1, "100027": 1}, "administrasi": null}', "100025"),
    ('{"chart": null, "ts": "2024-02-15 10:00:00", "administrasi": null, "ts": "2024-02-16 10:00:00"}', "ts"),
    ('{"chart": null,\r\n    "psu" : "a",\r\n    "psu"\t:\t"b"}', "psu"),  # (pretty, a space before the colon)
    ('{"chart": null, "psu": "\\u003a", "psu": null}', "psu"),  # (an escaped colon cannot hide the repeat)
    ('{"chart": null, "psu": "x:y", "p\\u0073u": "x"}', "psu"),  # (nor an escaped key)
    ('{"chart": null, "administrasi": {"suara_sah": NaN}, "chart": null}', "chart"),  # (what orjson refuses)
])
def test_a_key_written_twice_quarantines_a_tps_file(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "3101011001001.json").write_text(text)
    record = _one("sirekap-tps-json", tmp_path)
    assert isinstance(record, Rejected) and record.reason == f"duplicate JSON key '{key}'" and record.raw == text


def test_a_key_written_twice_quarantines_a_json_lines_record(tmp_path: Path) -> None:
    twice = '{"kode_tps": "3101011001002", "kode_tps": "3101011001003", "chart": null}'
    (tmp_path / "x.jsonl").write_text(f"{json.dumps({**TPS, 'kode_tps': '3101011001001'})}\n{twice}\n")
    loaded, twice_read = READERS["sirekap-tps-json"].read(ReadContext(tmp_path / "x.jsonl", "x.jsonl", PPWP))
    assert isinstance(loaded, TpsResult)
    assert isinstance(twice_read, Rejected) and twice_read.locator == "x.jsonl:2"
    assert twice_read.reason == "duplicate JSON key 'kode_tps'"


@pytest.mark.parametrize("text", [
    '{"chart": null, "psu": "a \\" : b", "ts": "2024-02-15 10:00:00"}',  # colons and quotes inside strings
    '{"chart": {"100025": 1, "100026": 2, "100027": 3}, "psu": "\\u00e9:", "images": ["https://x/y.jpg"]}',
])
def test_a_colon_in_a_string_is_no_repeated_key(tmp_path: Path, text: str) -> None:
    (tmp_path / "3101011001001.json").write_text(text)
    assert isinstance(_one("sirekap-tps-json", tmp_path), TpsResult)


def test_a_region_list_element_with_a_key_written_twice_is_quarantined_alone(tmp_path: Path) -> None:
    (tmp_path / "0.json").write_text('[{"nama": "ACEH", "id": 1, "kode": "11", "tingkat": 1},'
                                     ' {"nama": "SUMATERA UTARA", "nama": "RIAU", "id": 2, "kode": "12", "tingkat": 1},'
                                     ' {"nama": "SUMATERA BARAT", "id": 3, "kode": "13", "tingkat": 1}]')
    aceh, twice, sumbar = READERS["sirekap-wilayah-json"].read(ReadContext(tmp_path, tmp_path.name, None))
    assert [getattr(r, "kode_wilayah", None) for r in (aceh, twice, sumbar)] == ["11", None, "13"]
    assert isinstance(twice, Rejected) and twice.locator == "0.json[1]"
    assert twice.reason == "duplicate JSON key 'nama'" and twice.raw is not None and "RIAU" in twice.raw


def test_an_aggregate_with_a_key_written_twice_is_quarantined(tmp_path: Path) -> None:
    (tmp_path / "11.json").write_text('{"chart": {"100025": 5, "100026": 6, "100027": 7, "100025": 500}, "table": {}}')
    record = _one("sirekap-aggregate-json", tmp_path)
    assert isinstance(record, Rejected) and record.reason == "duplicate JSON key '100025'"


def test_a_nik_like_key_written_twice_is_masked_in_the_quarantine(tmp_path: Path, make_project: Any) -> None:
    nik = "3471014101900001"
    (tmp_path / "tps").mkdir()
    (tmp_path / "tps" / "3101011001001.json").write_text(f'{{"chart": null, "{nik}": 1, "{nik}": 2}}')
    project = make_project({"real-count": [_json_source(tmp_path / "tps")]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT reason FROM quarantine") == [(f"duplicate JSON key '{nik[:6]}{'*' * 10}'",)]
    assert _accounts(project) == (1, 0, 1)


# ------------------------------------------------------------- a date that is no date, a code of another level

TS_REASON = "ts: expected a date and time 'YYYY-MM-DD HH:MM:SS' or null, got "


@pytest.mark.parametrize("ts", ["2024-13-45 99:99:99", "2024-02-30 10:00:00", "2023-02-29 10:00:00",
                                "2024-02-15 24:00:00", "2024-02-15T10:00:00", "2024-02-15 10:00", "2024-02-15",
                                "2024-02-15 10:00:00+07:00", "2024-02-15 10:00:00\n", "", "２０２４-02-15 10:00:00"])
def test_a_ts_that_is_no_date_and_time_quarantines_the_tps(tmp_path: Path, ts: str) -> None:
    (tmp_path / "3101011001001.json").write_text(json.dumps({**TPS, "ts": ts}))
    (tmp_path / "x.jsonl").write_text(json.dumps({**TPS, "ts": ts, "kode_tps": "3101011001002"}) + "\n")
    for record in READERS["sirekap-tps-json"].read(ReadContext(tmp_path, tmp_path.name, PPWP)):
        assert isinstance(record, Rejected) and record.reason == TS_REASON + json.dumps(ts)[:40], record


@pytest.mark.parametrize("ts", ["2024-02-29 23:59:59", "2024-02-15 00:00:00", None])
def test_a_ts_as_sirekap_writes_it_loads(tmp_path: Path, ts: str | None) -> None:
    (tmp_path / "3101011001001.json").write_text(json.dumps({**TPS, "ts": ts}))
    record = _one("sirekap-tps-json", tmp_path)
    assert isinstance(record, TpsResult) and record.values[0] == ts


def test_an_aggregate_ts_that_is_no_date_and_time_quarantines_the_file(tmp_path: Path) -> None:
    (tmp_path / "11.json").write_text('{"chart": {"100025": 5, "100026": 6, "100027": 7}, "ts": "2024-13-45 99:99:99"}')
    record = _one("sirekap-aggregate-json", tmp_path)
    assert isinstance(record, Rejected) and record.reason == TS_REASON + '"2024-13-45 99:99:99"'


@pytest.mark.parametrize("name, kode, tingkat", [
    ("0", "1401", 1), ("0", "1401011001", 1), ("14", "14", 2), ("14", "140101", 2), ("1401", "1401011001", 3),
    ("140101", "140101", 4)])
def test_a_region_code_of_another_level_is_quarantined(tmp_path: Path, name: str, kode: str, tingkat: int) -> None:
    (tmp_path / f"{name}.json").write_text(json.dumps([{"nama": "X", "id": 1, "kode": kode, "tingkat": tingkat}]))
    (record,) = READERS["sirekap-wilayah-json"].read(ReadContext(tmp_path, tmp_path.name, None))
    length = {1: 2, 2: 4, 3: 6, 4: 10}[tingkat]
    assert isinstance(record, Rejected)
    assert record.reason == f"kode '{kode}' has {len(kode)} characters: a tingkat {tingkat} code has {length}"


def test_a_province_with_a_regency_code_is_quarantined_in_the_build(tmp_path: Path, make_project: Any) -> None:
    root = tmp_path / "wilayah"
    root.mkdir()
    (root / "0.json").write_text(json.dumps([{"nama": "RIAU", "id": 1, "kode": "14", "tingkat": 1},
                                             {"nama": "KAMPAR", "id": 2, "kode": "1401", "tingkat": 1}]))
    project = make_project({"real-count": [{"raw": root, "format": "sirekap-wilayah-json"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT kode_wilayah, tingkat, kode_induk FROM wilayah") == [("14", 1, None)]
    assert query(project, "SELECT locator, reason FROM quarantine") == [
        ("0.json[1]", "kode '1401' has 4 characters: a tingkat 1 code has 2")]
    assert _accounts(project) == (2, 1, 1)
