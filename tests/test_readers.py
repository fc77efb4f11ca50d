"""Readers on tiny fixture files: every serialisation and container, every way to fail."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from releasekit.elections import CATALOGUE
from releasekit.readers import READERS, ReadContext, Region, Rejected, Station, TpsResult
from releasekit.readers.sirekap_tps import ADMIN_KEYS

FIXTURES = Path(__file__).parent / "fixtures"
SIREKAP = FIXTURES / "sirekap_tps"
PPWP = CATALOGUE["ppwp-2024"]


def read(reader: str, path: Path) -> list[object]:
    return list(READERS[reader].read(ReadContext(path, path.name, PPWP)))


def by_locator_end(records: list[object]) -> dict[str, object]:
    return {r.locator.rsplit("/", 1)[-1]: r for r in records}  # type: ignore[attr-defined]


def check_fixture_records(records: list[object]) -> None:
    recs = by_locator_end(records)
    assert len(records) == 8
    full = recs["3101011001001.json"]
    assert isinstance(full, TpsResult)
    assert full.kode_tps == "3101011001001"
    assert full.votes == {1: 83, 2: 107, 3: 38}  # the "null": null key is ignored
    names = ("ts", *ADMIN_KEYS, "status_suara", "status_adm", "psu", "jumlah_foto")
    values = dict(zip(names, full.values, strict=True))
    assert values["suara_sah"] == 228 and values["pemilih_dpt_l"] == 147
    assert values["status_suara"] is True and values["jumlah_foto"] == 2
    pretty = recs["3101011001002.json"]  # 4-space pretty, CRLF, no trailing newline, other key order
    assert isinstance(pretty, TpsResult) and pretty.votes == {1: 92, 2: 126, 3: 30}
    assert all(v is None for v in pretty.values[1:19])  # administrasi null -> NULL, not 0
    empty = recs["3101011001003.json"]
    assert isinstance(empty, TpsResult) and empty.votes is None and empty.values[-1] == 0
    assert isinstance(recs["3101011001004.json"], Rejected)
    assert "invalid JSON" in recs["3101011001004.json"].reason  # type: ignore[union-attr]
    assert "unknown candidate id '100099'" in recs["3101011001005.json"].reason  # type: ignore[union-attr]
    assert "chart.100025: expected an integer" in recs["3101011001006.json"].reason  # type: ignore[union-attr]
    assert "not a .json" in recs["NOTES.txt"].reason  # type: ignore[union-attr]
    assert "not a 13-character TPS code" in recs["tps-001.json"].reason  # type: ignore[union-attr]


def test_sirekap_folder() -> None:
    records = read("sirekap-tps-json", SIREKAP)
    check_fixture_records(records)
    assert records[0].locator == "31/3101/3101011001001.json"  # type: ignore[attr-defined]


def _files() -> list[Path]:
    return sorted(p for p in SIREKAP.rglob("*") if p.is_file())


def test_sirekap_zip(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in _files():
            z.write(p, "pemilu/hhcw/ppwp/" + p.relative_to(SIREKAP).as_posix())
    check_fixture_records(read("sirekap-tps-json", archive))


def _tar(path: Path) -> None:
    with tarfile.open(path, "w:gz") as t:
        for p in _files():
            t.add(p, "pemilu/" + p.relative_to(SIREKAP).as_posix())


def test_sirekap_tar_gz(tmp_path: Path) -> None:
    archive = tmp_path / "x.tar.gz"
    _tar(archive)
    check_fixture_records(read("sirekap-tps-json", archive))


def test_truncated_tar_is_quarantined_not_raised(tmp_path: Path) -> None:
    archive = tmp_path / "x.tar.gz"
    _tar(archive)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    records = read("sirekap-tps-json", archive)
    assert isinstance(records[-1], Rejected)
    assert "truncated or corrupt" in records[-1].reason


def test_jsonl_plain_and_gzipped(tmp_path: Path) -> None:
    lines = []
    for p in _files():
        if p.name.startswith("31010110010") and p.name != "3101011001004.json":
            obj = json.loads(p.read_bytes())
            lines.append(json.dumps({"kode_tps": p.name[:-5], **obj}))
    lines.insert(1, "{not json")
    lines.append(json.dumps({"chart": None}))  # no code
    text = "\n".join(lines) + "\n"
    plain = tmp_path / "x.jsonl"
    plain.write_text(text)
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    for path in (plain, gz):
        records = read("sirekap-tps-json", path)
        kinds = [type(r).__name__ for r in records]
        assert kinds.count("TpsResult") == 3 and kinds.count("Rejected") == 4
        assert records[1].locator == f"{path.name}:2"  # type: ignore[attr-defined]
        assert records[0].votes == {1: 83, 2: 107, 3: 38}  # type: ignore[attr-defined]


def test_kpu_wilayah_csv_repairs_unquoted_commas(tmp_path: Path) -> None:
    (tmp_path / "provinces.csv").write_text("12,SUMATERA UTARA\n14,RIAU\n")
    (tmp_path / "regencies.csv").write_text("1207,12,DELI SERDANG\n")
    (tmp_path / "districts.csv").write_text("120728,1207,LUBUK PAKAM\n")
    (tmp_path / "villages.csv").write_text(
        "1207281007,120728,LUBUK PAKAM I,II\n1402092010,140209,LAMBANG SARI I, II, III\n"
        "1207281008,999999,WRONG PARENT\nABC,1207,BAD CODE\n"
    )
    records = read("kpu-wilayah-csv", tmp_path)
    regions = [r for r in records if isinstance(r, Region)]
    rejected = [r for r in records if isinstance(r, Rejected)]
    assert [r.nama for r in regions if r.tingkat == 4] == ["LUBUK PAKAM I,II", "LAMBANG SARI I, II, III"]
    assert {r.locator for r in rejected} == {"villages.csv:3", "villages.csv:4"}
    assert regions[0].kode_wilayah == "12" and regions[0].kode_induk is None


def test_sirekap_wilayah_json(tmp_path: Path) -> None:
    root = tmp_path / "wilayah" / "pemilu" / "ppwp"
    (root / "99" / "99BE").mkdir(parents=True)
    (root / "0.json").write_text(json.dumps([{"nama": "ACEH", "id": 100054, "kode": "11", "tingkat": 1},
                                             {"nama": "Luar Negeri", "id": 1, "kode": "99", "tingkat": 1}]))
    (root / "99.json").write_text(json.dumps([{"nama": "Berlin", "id": 5, "kode": "99BE", "tingkat": 2},
                                              {"nama": "x", "id": 6, "kode": "1101", "tingkat": 2}]))
    (root / "99" / "99BE.json").write_text(json.dumps([{"nama": "Berlin", "id": 7, "kode": "99BE01", "tingkat": 3}]))
    (root / "99" / "99BE" / "99BE010001.json").write_text(
        json.dumps([{"nama": "TPS 001", "id": 8, "kode": "99BE010001001", "tingkat": 5}]))
    (root / "broken.json").write_text("[{")
    records = read("sirekap-wilayah-json", tmp_path)
    kinds = {r.locator: r for r in records}  # type: ignore[attr-defined]
    assert kinds["wilayah/pemilu/ppwp/99/99BE.json[0]"] == Region(
        "wilayah/pemilu/ppwp/99/99BE.json[0]", "99BE01", 3, "Berlin", "99BE", "7")
    assert isinstance(kinds["wilayah/pemilu/ppwp/99/99BE/99BE010001.json[0]"], Station)
    assert "parent code" in kinds["wilayah/pemilu/ppwp/99.json[1]"].reason  # type: ignore[union-attr]
    assert isinstance(kinds["wilayah/pemilu/ppwp/broken.json"], Rejected)


def test_corrupt_zip_is_a_rejected_record(tmp_path: Path) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    records = read("sirekap-tps-json", bad)
    assert len(records) == 1 and isinstance(records[0], Rejected)


@pytest.mark.parametrize("payload", ["[]", "42", '{"chart": [1]}', '{"administrasi": 1}', '{"status_suara": "yes"}'])
def test_wrong_shapes_are_rejected(tmp_path: Path, payload: str) -> None:
    (tmp_path / "3101011001001.json").write_text(payload)
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, Rejected) and record.raw == payload


def test_bom_is_accepted(tmp_path: Path) -> None:
    buf = io.BytesIO()
    buf.write(b"\xef\xbb\xbf" + (SIREKAP / "31" / "3101" / "3101011001001.json").read_bytes())
    (tmp_path / "3101011001001.json").write_bytes(buf.getvalue())
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, TpsResult)


def test_tps_filed_under_another_village_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "31" / "3101" / "310101" / "3101011002"
    folder.mkdir(parents=True)
    (folder / "3101011001001.json").write_bytes((SIREKAP / "31" / "3101" / "3101011001001.json").read_bytes())
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, Rejected) and "filed under village folder 3101011002" in record.reason


def test_jsonl_invalid_utf8_line_is_quarantined_not_replaced(tmp_path: Path) -> None:
    good = json.dumps({"kode_tps": "3101011001001", "chart": None, "administrasi": None}).encode()
    bad = b'{"kode_tps": "3101011001002", "ts": "\xff\xfe"}'
    path = tmp_path / "x.jsonl"
    path.write_bytes(good + b"\n" + bad + b"\n")
    first, second = read("sirekap-tps-json", path)
    assert isinstance(first, TpsResult)
    assert isinstance(second, Rejected) and "not UTF-8" in second.reason and second.locator == "x.jsonl:2"
