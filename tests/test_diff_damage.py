"""``releasekit diff`` on damaged sides: every one is a one-line error naming the file and place, exit 1.

A package folder or zip with a corrupt, missing or non-UTF-8 member, a ragged or blank CSV line, a count
that is not a number; a SQLite file whose tables have other columns. Built once from the two-day fixture
(:mod:`twodays`), each case damages its own copy.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_package, edit_rows
from releasekit.cli import cli
from releasekit.diff import diff
from releasekit.errors import DiffError
from twodays import DAY1, DAY2

DAMAGED = "(hint: the package is damaged: build or download it again"


def run_diff(old: Path | str, new: Path | str) -> str:
    """The diff's output, checked to be one error line with exit code 1 and no traceback."""
    result = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert type(result.exception) is SystemExit, result.exception  # not a traceback
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    return str(result.output)


def rewrite_zip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of a zip with each member's bytes passed through ``change`` (None drops the member)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info, data)
    return target


def test_a_corrupt_zip_member(two_days: Path, tmp_path: Path) -> None:
    good = two_days / "datapackages" / "real-count.zip"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("data/hasil_tps.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # the member's compressed bytes
    for i in range(start, start + min(info.compress_size, 200)):
        data[i] ^= 0x5A
    (tmp_path / "corrupt.zip").write_bytes(bytes(data))
    out = run_diff(tmp_path / "corrupt.zip", good)
    assert f"{tmp_path / 'corrupt.zip'}: data/hasil_tps.csv" in out and "cannot be read" in out and DAMAGED in out


def test_a_zip_without_a_listed_member(two_days: Path, tmp_path: Path) -> None:
    damaged = rewrite_zip(two_days / "datapackages" / "real-count.zip", tmp_path / "missing.zip",
                          lambda name, data: None if name == "data/suara.csv" else data)
    out = run_diff(damaged, two_days)
    assert out.startswith(f"Error: {damaged}: data/suara.csv: no such member in the zip {DAMAGED}")


def test_a_folder_without_a_listed_file(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    (folder / "data" / "suara.csv").unlink()
    out = run_diff(folder, two_days)
    assert out.startswith(f"Error: {folder / 'data' / 'suara.csv'}: no such file (resource suara of datapackage.json)")


@pytest.mark.parametrize(("line", "problem"), [
    (["ppwp-2024", DAY1, "3101011001001"], "3 fields where the header has "),
    ([], "a blank line"),
])
def test_a_ragged_or_blank_line(two_days: Path, tmp_path: Path, line: list[str], problem: str) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, "hasil_tps", lambda rows: rows.insert(3, line))
    out = run_diff(folder, two_days)
    assert out.startswith(f"Error: {path}, line 4: {problem}") and DAMAGED in out


def test_a_line_longer_than_the_header(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, "hasil_tps", lambda rows: rows[2].append("extra"))
    assert f"{path}, line 3: " in run_diff(folder, two_days)


def test_a_count_that_is_not_a_number(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, "snapshots", lambda rows: rows[1].__setitem__(rows[0].index("tps"), "x13"))
    assert run_diff(folder, two_days).startswith(f"Error: {path}, line 2: column tps is 'x13', not a whole number")


def test_votes_that_are_not_a_number(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, "suara", lambda rows: rows[2].__setitem__(rows[0].index("suara"), "4O"))
    out = run_diff(f"{folder}@{DAY1}", f"{two_days}@{DAY2}")
    assert out.startswith(f"Error: {path}, line 3: column suara is '4O', not a whole number")


def test_a_figure_that_is_not_a_number_is_reported_not_a_crash(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    edit_rows(folder, "hasil_tps", lambda rows: rows[1].__setitem__(rows[0].index("suara_sah"), "abc"))
    for fmt in ("text", "json", "csv"):
        result = CliRunner().invoke(cli, ["diff", f"{two_days}@{DAY1}", f"{folder}@{DAY1}", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "abc" in result.output


def test_a_descriptor_that_is_not_utf8(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    descriptor = folder / "datapackage.json"
    descriptor.write_bytes(descriptor.read_bytes().replace(b'"real-count"', b'"r\xe9al-count"', 1))
    out = run_diff(folder, two_days)
    assert out.startswith(f"Error: {descriptor}: not UTF-8: byte 0xe9 at offset ")
    damaged = rewrite_zip(two_days / "datapackages" / "real-count.zip", tmp_path / "latin.zip",
                          lambda name, data: data.replace(b"real-count", b"r\xe9al-count", 1)
                          if name == "datapackage.json" else data)
    assert run_diff(damaged, two_days).startswith(f"Error: {damaged}: datapackage.json: not UTF-8: byte 0xe9")


def test_a_csv_that_is_not_utf8(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = folder / "data" / "suara.csv"
    path.write_bytes(path.read_bytes() + b"ppwp-2024,2024-02-16,3101011001\xff09,1,1\n")
    out = run_diff(f"{folder}@{DAY2}", f"{two_days}@{DAY2}")
    assert out.startswith(f"Error: {path}") and "cannot be read (not UTF-8: byte 0xff)" in out and DAMAGED in out


def test_a_database_whose_tables_have_other_columns(two_days: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE hasil_tps (kode_tps TEXT, votes INTEGER)")
        db.execute("CREATE TABLE suara (kode_tps TEXT, votes INTEGER)")
    out = run_diff(other, two_days)
    assert out.startswith(f"Error: {other}: table hasil_tps has no column kode_pemilu, snapshot, ts and ")
    assert "(hint: is this a releasekit release.db?" in out


def test_a_database_whose_snapshots_table_has_other_columns(two_days: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "release.db"
    shutil.copyfile(two_days / "build" / "release.db", db_path)
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("ALTER TABLE snapshots RENAME COLUMN tps TO tps_count")
    assert run_diff(db_path, two_days).startswith(f"Error: {db_path}: cannot be read (no such column: tps)")


def test_the_library_raises_diff_error(two_days: Path, tmp_path: Path) -> None:
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    edit_rows(folder, "hasil_tps", lambda rows: rows.insert(2, []))
    with pytest.raises(DiffError, match=r"hasil_tps\.csv, line 3: a blank line"):
        diff(folder, two_days)
