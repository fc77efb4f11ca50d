"""The bad-input corpus (``tests/fixtures/bad``): every broken export has a stated outcome.

Each case builds a project through the CLI (click's ``CliRunner``). The outcome is either
**quarantined** — exit 0, the record in ``quarantine`` with its locator and reason, and
``records_in = records_loaded + records_quarantined`` for every source — or **refused** —
exit 1, one line ``Error: <file>: <place>: …`` with a hint and no traceback, and the
release built before it left exactly as it was. Never a traceback, never a silent drop.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SHARED_DATA, invoke, needs_real_data, query, write_metadata
from releasekit.readers import READERS, ReadContext, Rejected, TpsResult
from releasekit.readers.textio import LINE_LIMIT

BAD = Path(__file__).parent / "fixtures" / "bad"
RESULTS = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
           "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}
STATIONS = {"table": "tps", "fields": {"kode_tps": "kode_tps", "nama": "nama_tps"}}


def csv_source(raw: object, mapping: dict[str, Any] = RESULTS, name: str | None = None) -> dict[str, Any]:
    source = {"raw": raw, "format": "csv", "csv": mapping}
    if mapping["table"].startswith("hasil_"):
        source.update(election="ppwp-2024", snapshot="2024-02-16")
    if name:
        source["name"] = name
    return source


def json_source(raw: Path) -> dict[str, Any]:
    return {"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-16"}


def assert_accounts(project: Path) -> None:
    """records_in = loaded + quarantined for every source, and the quarantine holds exactly the rejects."""
    for path, records_in, loaded, quarantined in query(
            project, "SELECT path, records_in, records_loaded, records_quarantined FROM sources"):
        assert records_in == loaded + quarantined, path
        assert query(project, "SELECT count(*) FROM quarantine WHERE source = ?", (path,))[0][0] == quarantined


def tree(project: Path) -> dict[str, str]:
    files = [*sorted((project / "datapackages").rglob("*")), project / "build" / "release.db"]
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file()}


#: file → (mapping, locator end, reason text) of the one quarantined record; rows loaded.
QUARANTINED = {
    "ragged.csv": (RESULTS, "ragged.csv:3", "ragged row: 5 fields where the header has 6", 2),
    "nul-byte.csv": (RESULTS, "nul-byte.csv:3", "NUL byte", 2),
    "formula.csv": (STATIONS, "formula.csv:3", "looks like a spreadsheet formula", 2),
    "letter-in-code.csv": (RESULTS, "letter-in-code.csv:3", "'O' at position 9 where a digit belongs", 2),
}


@pytest.mark.parametrize("name", sorted(QUARANTINED))
def test_a_broken_row_is_quarantined_with_its_line(name: str, make_project: Any) -> None:
    mapping, locator, reason, loaded = QUARANTINED[name]
    project = make_project({"real-count": [csv_source(BAD / name, mapping)]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    ((got_locator, got_reason),) = query(project, "SELECT locator, reason FROM quarantine")
    assert got_locator == locator and reason in got_reason, got_reason
    assert query(project, "SELECT records_in, records_loaded FROM sources") == [(3, loaded)]
    assert_accounts(project)


def test_bom_and_crlf_load_like_a_clean_file(make_project: Any) -> None:
    project = make_project({"real-count": [csv_source(BAD / "bom.csv")]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT kode_tps, suara_sah FROM hasil_tps ORDER BY kode_tps") == [
        ("3101011001001", 228), ("3101011001002", 248), ("3101011001003", 230)]
    assert query(project, "SELECT count(*) FROM quarantine") == [(0,)]


def test_header_only_loads_zero_records(make_project: Any) -> None:
    project = make_project({"real-count": [csv_source(BAD / "header-only.csv")]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [(0, 0, 0)]


def test_negative_votes_load_as_written_and_are_a_finding(make_project: Any) -> None:
    project = make_project({"real-count": [csv_source(BAD / "negative-votes.csv")]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT suara FROM suara WHERE kode_tps = '3101011001002' AND nomor_urut = 2") == [(-126,)]
    assert query(project, "SELECT key FROM findings WHERE rule = 'negative-count'") == [
        ("3101011001002/suara/2",)]


def test_truncated_gzip_loads_what_is_there_and_quarantines_the_cut(make_project: Any) -> None:
    project = make_project({"real-count": [csv_source(BAD / "truncated.csv.gz")]})
    assert invoke("build", project).exit_code == 0
    (records_in, loaded, quarantined), = query(project, "SELECT records_in, records_loaded, records_quarantined "
                                                        "FROM sources")
    assert loaded > 100 and quarantined == 1 and records_in == loaded + 1
    ((locator, reason, raw),) = query(project, "SELECT locator, reason, raw FROM quarantine")
    assert locator == f"truncated.csv.gz:{loaded + 2}" and "truncated or corrupt" in reason
    assert raw and raw.startswith("3101011001")  # the cut-off line, kept for the reader, not loaded
    assert_accounts(project)


def test_truncated_tar_loads_the_members_before_the_cut(make_project: Any) -> None:
    project = make_project({"real-count": [json_source(BAD / "truncated.tar.gz")]})
    assert invoke("build", project).exit_code == 0
    ((loaded, quarantined),) = query(project, "SELECT records_loaded, records_quarantined FROM sources")
    assert 0 < loaded < 40 and quarantined == 1
    ((reason,),) = query(project, "SELECT reason FROM quarantine")
    assert "truncated or corrupt" in reason
    assert_accounts(project)


def _gzipped(data: bytes) -> bytes:
    import gzip
    import io

    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(data)
    return out.getvalue()


def _results_csv(rows: int) -> bytes:
    lines = ["kode_tps,suara_sah,paslon_1,paslon_2,paslon_3"]
    lines += [f"3101011{n // 20 + 1:03d}{n % 20 + 1:03d},{300 + n % 7},{100 + n % 5},{100 + n % 3},{100 + n % 11}"
              for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _tps_json(count: int) -> list[tuple[str, bytes]]:
    """``count`` Sirekap per-TPS records: each TPS's code and its JSON document (no line break in one)."""
    import json

    codes = [f"3101011{n // 20 + 1:03d}{n % 20 + 1:03d}" for n in range(count)]
    return [(kode, json.dumps({"kode_tps": kode, "chart": {"100025": 10 + n % 9, "100026": 20, "100027": 30},
                               "administrasi": {"suara_sah": 60 + n % 9, "suara_tidak_sah": 1,
                                                "suara_total": 61 + n % 9},
                               "ts": "2024-02-15 10:00:00"}).encode()) for n, kode in enumerate(codes)]


def _tps_tar(count: int) -> bytes:
    """:func:`_tps_json`'s records as the members of a tar, one file per TPS in its village's folder."""
    import io
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for kode, body in _tps_json(count):
            info = tarfile.TarInfo(f"ppwp/31/3101/310101/{kode[:10]}/{kode}.json")
            info.size, info.mtime = len(body), 0
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


#: Where a byte of a gzip stream is changed: its CRC-32 (every byte inflates right, the check at the end fails),
#: and inside its compressed data (inflating turns out wrong bytes until a block fails or the CRC does).
DAMAGE = {"crc": lambda size: size - 8, "data": lambda size: size // 2}


@pytest.mark.parametrize("where", sorted(DAMAGE))
@pytest.mark.parametrize("kind", ["csv.gz", "jsonl.gz", "tar.gz"])
def test_a_corrupt_gzip_is_refused_not_loaded_up_to_the_damage(kind: str, where: str, make_project: Any,
                                                               tmp_path: Path) -> None:
    """A gzip stream cut short gives up exact bytes, and what comes before the cut loads (above). One with a byte
    changed inside does not: a review loaded 14 DKI TPS with wrong figures, and a village named ``SU07MERINDU``,
    from files that ``gzip -t`` fails, exit 0, the packages valid. Such a source is refused, in one line."""
    if kind == "csv.gz":
        plain, source = _results_csv(4000), csv_source
    elif kind == "jsonl.gz":
        plain, source = b"".join(body + b"\n" for _, body in _tps_json(2000)), json_source
    else:
        plain, source = _tps_tar(400), json_source
    data = bytearray(_gzipped(plain))
    data[DAMAGE[where](len(data))] ^= 0x10
    raw = tmp_path / f"damaged.{kind}"
    raw.write_bytes(bytes(data))
    project = make_project({"real-count": [source(raw)]})
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("reading ")]
    assert len(lines) == 1 and lines[0].startswith(f"Error: raw/damaged.{kind}: the gzip data is corrupt ("), lines
    assert "no record read from it can be trusted" in lines[0] and "(hint: " in lines[0]
    assert not (project / "build" / "release.db").exists()
    (project / "raw" / raw.name).write_bytes(_gzipped(plain))  # the same bytes, undamaged, load
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT records_quarantined FROM sources") == [(0,)]


REAL_DKI = SHARED_DATA / "sirekap2024_full_province_gigit_dki"


@needs_real_data(REAL_DKI)
def test_the_real_dki_export_with_one_byte_changed_is_refused(make_project: Any, tmp_path: Path) -> None:
    """The review's case: one bit of the real 17 March export of every DKI TPS changed."""
    data = bytearray((REAL_DKI / "derived_tps_pilpres_snapshot_20240317.csv.gz").read_bytes())
    data[1174758] ^= 1
    raw = tmp_path / "dki.csv.gz"
    raw.write_bytes(bytes(data))
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
               "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}
    project = make_project({"real-count": [csv_source(raw, mapping)]})
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    assert "Error: raw/dki.csv.gz: the gzip data is corrupt (Error -3 while decompressing data: incorrect data " \
           "check)" in result.output


def _zip_of_no_file() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


#: A raw file that holds nothing (a download that failed) → what the one-line refusal says.
NOTHING = {
    "empty.zip": (b"", "the file is empty"),
    "empty.tar.gz": (b"", "the file is empty"),
    "lfs.zip": (b"version https://git-lfs.github.com/spec/v1\noid sha256:f58e1d31\nsize 640176\n",
                "a Git LFS pointer, not the file it points to"),
    "text.zip": (b"<html>403 Forbidden</html>\n", "not a zip archive (its first bytes: 3c 68 74 6d)"),
    "no-member.zip": (_zip_of_no_file(), "the archive holds no file"),
    "no-member.tar.gz": (_gzipped(b"\0" * 1024), "the archive holds no file"),
    # A .tar.gz that is no tar (an error page, gzipped text, a pointer) was one quarantined record and an empty
    # release, exit 0; a tar cut short after its first file still loads what it holds (tests/test_reader_damage.py).
    "text.tar.gz": (b"<html>403 Forbidden</html>\n", "not a tar archive, or one cut short before its first file "
                    "(TarError: unexpected end of data; its first bytes: 3c 68 74 6d)"),
    "gzipped-text.tar.gz": (_gzipped(b"no tar here\n" * 100), "not a tar archive, or one cut short before its first "
                            "file (TarError: checksum: invalid number in header; its first bytes: 1f 8b 08 00)"),
    "lfs.tar.gz": (b"version https://git-lfs.github.com/spec/v1\noid sha256:f58e1d31\nsize 640176\n",
                   "a Git LFS pointer, not the file it points to"),
}


@pytest.mark.parametrize("name", sorted(NOTHING))
def test_an_archive_that_holds_nothing_is_refused_not_built_empty(name: str, make_project: Any,
                                                                  tmp_path: Path) -> None:
    """A failed download used to build exit 0 with an empty release that validates, in place of the one built
    before it (review L #2); an empty CSV or JSON Lines file, or an empty folder, was refused already."""
    data, message = NOTHING[name]
    project = make_project({"real-count": [json_source(BAD / "truncated.tar.gz")]})
    assert invoke("build", project).exit_code == 0
    before = tree(project)
    (project / "raw" / name).write_bytes(data)
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    metadata["registers"][0]["sources"] = [{"path": f"raw/{name}", "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]
    write_metadata(project, metadata)
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("reading ")]
    assert lines == [f"Error: raw/{name}: {message} (hint: download or export it again"
                     f"{' (git lfs pull, for a pointer)' if name.startswith(('lfs', 'text', 'gzipped')) else ''})"]
    assert tree(project) == before


def test_a_folder_file_whose_name_is_not_utf8_is_refused_by_name(make_project: Any) -> None:
    """Review S: a member named in another encoding's bytes stopped the build with an internal error (its name
    could not be hashed, nor put in a locator)."""
    project = make_project({"real-count": [{"raw": {"a.json": "{}"}, "name": "tps", "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    (project / "raw" / "tps" / "sub").mkdir()
    with open(bytes(project / "raw" / "tps" / "sub") + b"/\xff\xfe.json", "w", encoding="utf-8") as handle:
        handle.write("{}")
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    assert result.output == ("Error: raw/tps: the file name 'sub/\\xff\\xfe.json' is not UTF-8 text "
                             f"({project / 'metadata.yml'}: "
                             "registers/0/sources/0) (hint: rename it: every member's name is published in its "
                             "records' locators)\n")


@pytest.mark.parametrize("fmt", ["sirekap-wilayah-json", "kemendagri-wilayah-sql"])
def test_an_empty_region_list_is_refused(fmt: str, make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / ("wilayah.sql" if fmt.endswith("sql") else "wilayah.json")
    raw.write_bytes(b"")
    result = invoke("build", make_project({"real-count": [{"raw": raw, "format": fmt}]}))
    assert result.exit_code == 1, result.output
    assert f"Error: raw/{raw.name}: the file is empty (hint: download or export it again)" in result.output


def test_json_syntax_error_inside_an_archive_quarantines_that_member(make_project: Any) -> None:
    project = make_project({"real-count": [json_source(BAD / "json-syntax-error.zip")]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT locator, substr(reason, 1, 12) FROM quarantine") == [
        ("3101011001002.json", "invalid JSON")]
    assert query(project, "SELECT count(*) FROM hasil_tps") == [(2,)]
    assert_accounts(project)


def test_a_10_mb_single_field_is_quarantined_in_constant_memory(tmp_path: Path, make_project: Any) -> None:
    big = tmp_path / "huge-field.csv"
    with big.open("w", encoding="ascii") as handle:
        handle.write("kode_tps,nama_tps,suara_sah,paslon_1,paslon_2,paslon_3\n3101011001001,TPS 001,228,83,107,38\n")
        handle.write("3101011001002,TPS 002,248,92,126," + "9" * (10 * 1024 * 1024) + "\n")
        handle.write("3101011001003,TPS 003,230,70,100,60\n")
    tracemalloc.start()
    try:
        source = csv_source(big)
        project = make_project({"real-count": [source]})
        from releasekit import load_release
        release = load_release(project)
        records = list(READERS["csv"].read(ReadContext(project / "raw" / big.name, "raw/huge-field.csv",
                                                       release.elections["ppwp-2024"], None, release.sources[0])))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(r) for r in records] == [TpsResult, Rejected, TpsResult]
    assert isinstance(records[1], Rejected) and "over the limit" in records[1].reason
    assert peak < 8 * LINE_LIMIT < 10 * 1024 * 1024  # less than the field itself: it was never held whole
    result = invoke("build", project)
    assert result.exit_code == 0
    ((locator, reason, raw_length),) = query(project, "SELECT locator, reason, length(raw) FROM quarantine")
    assert locator == "huge-field.csv:3" and "10,485,794 bytes" in reason and raw_length <= 2001
    assert_accounts(project)


#: file → text the one-line error must contain (after ``Error: raw/<file>: ``).
REFUSED = {
    "bad-encoding.csv": ("line 3, byte 36: not valid utf-8 (bytes c9 2c 32 34)", "hint: the bytes look like cp1252"),
    "empty.csv": ("the file is empty", "hint: "),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_that_cannot_be_read_is_refused_and_the_release_kept(name: str, make_project: Any) -> None:
    project = make_project({"real-count": [csv_source(BAD / "bom.csv", name="good.csv")]})
    assert invoke("build", project).exit_code == 0
    before = tree(project)
    (project / "raw" / name).write_bytes((BAD / name).read_bytes())
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    metadata["registers"][0]["sources"].append({"path": f"raw/{name}", "format": "csv", "election": "ppwp-2024",
                                                "snapshot": "2024-02-16", "csv": RESULTS})
    write_metadata(project, metadata)
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("reading ")]
    assert len(lines) == 1 and lines[0].startswith(f"Error: raw/{name}: "), result.output
    for needle in REFUSED[name]:
        assert needle in lines[0], lines[0]
    assert tree(project) == before
    assert not (project / "build" / ".staging").exists()


def test_a_raw_file_the_builder_cannot_read_is_one_line(make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions do not bind root (CI may be root), so the refusal to open is simulated."""
    project = make_project({"real-count": [csv_source(BAD / "bom.csv", name="good.csv")]})
    real_open = Path.open

    def refuse(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "good.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: raw/good.csv: cannot read "), result.output
    assert "Permission denied" in result.output


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "4354819200"])  # (the last: 2108-01-01)
def test_a_malformed_source_date_epoch_is_refused_before_anything_is_written(
        value: str, make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """reproducible-builds.org: a malformed SOURCE_DATE_EPOCH must stop the build, not be ignored (the release would
    silently lose its ``created`` stamp and get 1980 zip dates)."""
    project = make_project({"real-count": [csv_source(BAD / "bom.csv", name="good.csv")]})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = invoke("build", project)
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        f"Error: SOURCE_DATE_EPOCH: '{value}' is not a whole number of seconds since 1970-01-01 UTC "
        "(up to 2107, the last year a zip entry can show) (hint: unset it, or set it to a time such as the last "
        "commit's: git log -1 --format=%ct)"]
    assert not (project / "build" / "release.db").exists()


def test_source_date_epoch_stamps_created_and_the_zip_entries(make_project: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import zipfile

    project = make_project({"real-count": [csv_source(BAD / "bom.csv", name="good.csv")]})
    package = project / "datapackages" / "real-count"
    for epoch, created, date_time in [
        ("1710720000", "2024-03-18T00:00:00Z", (2024, 3, 18, 0, 0, 0)),
        ("4354819199", "2107-12-31T23:59:59Z", (2107, 12, 31, 23, 59, 58)),  # the last second: a zip keeps even ones
        # before 1980, which a zip cannot show: its entries carry 1980-01-01 (review BV #5: nothing tested it)
        ("1", "1970-01-01T00:00:01Z", (1980, 1, 1, 0, 0, 0)),
    ]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert invoke("build", project).exit_code == 0
        assert json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["created"] == created
        with zipfile.ZipFile(package.with_suffix(".zip")) as archive:
            assert {info.date_time for info in archive.infolist()} == {date_time}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # set but empty: as unset
    assert invoke("build", project).exit_code == 0
    assert "created" not in json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
