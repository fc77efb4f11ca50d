"""``releasekit diff`` on damaged sides: every one is a one-line error naming the file and place, exit 1.

A package folder or zip with a corrupt, missing or non-UTF-8 member, a ragged or blank CSV line, a cell
that is not of its declared type (a count that is not a number, a snapshot that is not a date, a code
that does not match its pattern); a SQLite file whose tables have other columns; a package with no
results to compare (an exempted register's). Built once from the two-day fixture (:mod:`twodays`),
each case damages its own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from conftest import copy_package, edit_rows, invoke
from releasekit import build, load_release
from releasekit.diff import diff
from releasekit.errors import DiffError
from releasekit.metadatafile import metadata_schema
from releasekit.sides import SNAPSHOT_FORM
from twodays import DAY1, DAY2, T, sources

DAMAGED = "(hint: the package is damaged: build or download it again"


def run_diff(old: Path | str, new: Path | str) -> str:
    """The diff's output, checked to be one error line with exit code 1, not an internal error (a bug's line)."""
    result = invoke("diff", old, new)
    assert result.exit_code == 1, result.output
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


#: (resource, row (1 = the first after the header), column, damaged value, the problem diff names). In the
#: two-day package, rows 1-4 of hasil_tps are day 1 (TPS 1-4), rows 5-8 day 2; suara rows 1-3 are TPS 1 on day 1.
WRONG_TYPES = [
    ("hasil_tps", 1, "pemilih_dpt_p", "abc", "is 'abc', not a whole number"),
    ("hasil_tps", 3, "suara_sah", "9 8", "is '9 8', not a whole number"),
    ("hasil_tps", 2, "jumlah_foto", "1.0", "is '1.0', not a whole number"),
    ("hasil_tps", 1, "status_suara", "true", "is 'true', not 1 (true), 0 (false) or empty"),
    ("hasil_tps", 1, "kode_tps", T[:-1] + "o1", f"is '{T[:-1]}o1', which does not match its pattern ^(?:"),
    ("hasil_tps", 1, "snapshot", "2024-02-15x", "is '2024-02-15x', not a date or date-time (YYYY-MM-DD"),
    ("hasil_tps", 4, "snapshot", "2024-02-31", "is '2024-02-31', not a date or date-time"),
    ("hasil_tps", 6, "snapshot", "2024-02-16 9:30", "is '2024-02-16 9:30', not a date or date-time"),  # day 2
    ("hasil_tps", 2, "kode_pemilu", "PPWP-2024", "is 'PPWP-2024', which does not match its pattern ^[a-z0-9-]+$"),
    ("suara", 2, "kode_tps", T[:-1] + "O", f"is '{T[:-1]}O', which does not match its pattern"),
    ("suara", 1, "nomor_urut", "", "is empty, but required"),
    ("suara", 4, "snapshot", "2024-2-15", "is '2024-2-15', not a date or date-time"),
    ("snapshots", 1, "snapshot", "15-02-2024", "is '15-02-2024', not a date or date-time"),
    ("snapshot_votes", 1, "snapshot", "", "is empty, but required"),
]


@pytest.mark.parametrize(("resource", "row", "column", "value", "problem"), WRONG_TYPES)
def test_a_cell_not_of_its_declared_type(two_days: Path, tmp_path: Path, resource: str, row: int, column: str,
                                         value: str, problem: str) -> None:
    """Before: diffed as data (pemilih_dpt_p ∅ → 'abc', exit 0), or a TPS reported removed (its row no longer
    in the snapshot). Now: the file, line and column, exit 1, whichever side it is on."""
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, resource, lambda rows: rows[row].__setitem__(rows[0].index(column), value))
    expected = f"Error: {path}, line {row + 1}: column {column} {problem}"
    for old, new in ((f"{two_days}@{DAY1}", folder), (folder, f"{two_days}@{DAY1}")):
        out = run_diff(old, new)
        assert out.startswith(expected) and DAMAGED in out and "'releasekit validate'" in out, out


def test_a_cell_not_of_its_declared_type_in_a_zip(two_days: Path, tmp_path: Path) -> None:
    good = two_days / "datapackages" / "real-count.zip"
    damaged = rewrite_zip(good, tmp_path / "count.zip", lambda name, data: data.replace(
        b",200,100,100,", b",200,100,1OO,", 1) if name == "data/hasil_tps.csv" else data)
    out = run_diff(good, damaged)
    assert out.startswith(f"Error: {damaged}: data/hasil_tps.csv, line 2: column pemilih_dpt_p is '1OO', not a whole ")


def test_unusual_values_of_the_declared_type_are_data(two_days: Path, tmp_path: Path) -> None:
    """The fast check only filters: a negative count, or a code with a letter (overseas), passes the exact one."""
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)

    def edit(rows: list[list[str]]) -> None:
        rows[1][rows[0].index("pemilih_dpt_j")] = "-1"
        rows[4][rows[0].index("kode_tps")] = "99BE010001004"  # still after TPS 3 in kode_tps order
    edit_rows(folder, "hasil_tps", edit)
    result = invoke("diff", f"{two_days}@{DAY1}", f"{folder}@{DAY1}", "--format", "json")
    assert result.exit_code == 0, result.output
    changes = {c["kode_tps"]: c for c in json.loads(result.output)["comparisons"][0]["changes"]}
    assert changes[T + "1"]["fields"] == [
        {"field": "pemilih_dpt_j", "kind": "changed", "before": "200", "after": "-1", "delta": -201}]
    assert (changes[T + "4"]["kind"], changes["99BE010001004"]["kind"]) == ("removed", "added")


def test_the_snapshot_form_is_the_metadata_schemas() -> None:
    assert metadata_schema()["$defs"]["source"]["properties"]["snapshot"]["pattern"] == SNAPSHOT_FORM


@pytest.fixture(scope="module")
def exempted(make_project: Callable[..., Path]) -> Path:
    """The datapackages/ of a project with the two-day register and an exempted one (findings, quarantine and
    sources only: no results), built."""
    project = make_project({"real-count": sources(), "it-infrastructure": {"status": "exempted", "sources": []}})
    build(load_release(project))
    return project / "datapackages"


@pytest.mark.parametrize(("old", "new"), [
    ("it-infrastructure", "real-count"),
    ("real-count", "it-infrastructure"),
    ("it-infrastructure", "it-infrastructure.zip"),
    (f"it-infrastructure.zip@{DAY1}", "real-count.zip"),
])
def test_a_package_without_results(exempted: Path, old: str, new: str) -> None:
    """Before: 'internal error: KeyError: 'hasil_tps''. Now: the package named, and why, exit 1."""
    out = run_diff(f"{exempted}/{old}", f"{exempted}/{new}")
    label = f"{exempted}/{old}" if old.startswith("it-") else f"{exempted}/{new}"
    assert out == (f"Error: {label}: no hasil_tps resource (hint: this package holds no per-TPS results "
                   "(its resources: findings, quarantine, sources); compare packages of a register with results)\n")
    with pytest.raises(DiffError, match="no hasil_tps resource"):
        diff(exempted / new, exempted / old)


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


def test_a_pipe_in_place_of_a_csv(two_days: Path, tmp_path: Path) -> None:
    """``diff`` opened it and waited for a writer forever (review H: rc 124 after 120 s)."""
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = folder / "data" / "hasil_tps.csv"
    path.unlink()
    os.mkfifo(path)
    done = threading.Event()
    unblocking = threading.Thread(target=_unblock, args=(path, done), daemon=True)
    unblocking.start()  # (a regression fails, not hangs)
    try:
        out = run_diff(folder, two_days)
    finally:  # (a thread left running makes a later test of the second process skip or fail)
        done.set()
        unblocking.join()
    assert out.startswith(f"Error: {path}: not a file (resource hasil_tps of datapackage.json) but a folder, a "
                          f"pipe, a socket or a device {DAMAGED}")


def _unblock(fifo: Path, done: threading.Event) -> None:
    """After 10 s, unless ``done`` is set first, let a reader waiting on ``fifo`` go on (it reads no byte): opening
    it for writing without blocking succeeds only while something has it open for reading."""
    if done.wait(10):
        return
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


def test_a_header_naming_a_column_twice(two_days: Path, tmp_path: Path) -> None:
    """Review AE (suspicion): a hasil_tps.csv whose header names suara_sah twice (its cells renamed, as an edit
    might) was read by the last of them: '313 changed' TPS against the database built from the same data."""
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    path = edit_rows(folder, "hasil_tps", lambda rows: rows[0].__setitem__(rows[0].index("suara_tidak_sah"),
                                                                          "suara_sah"))
    assert run_diff(folder, two_days).startswith(f"Error: {path}: the header names column suara_sah 2 times")


def test_a_csv_that_starts_with_a_byte_order_mark_is_read_past_it(two_days: Path, tmp_path: Path) -> None:
    """Review AE (suspicion): a UTF-8 BOM before the header (a spreadsheet saved it so) made its first label
    '\\ufeffkode_pemilu': 'no column kode_pemilu'. Frictionless and validate read past it, and so does diff."""
    folder = copy_package(two_days / "datapackages" / "real-count", tmp_path)
    for name in ("hasil_tps", "suara", "snapshots"):
        csv_path = folder / "data" / f"{name}.csv"
        csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    result = invoke("diff", folder, two_days)
    assert result.exit_code == 0, result.output
    assert result.output.count("no change: the ") == 2 and "no change: the 4 TPS are identical" in result.output


def test_a_side_named_with_a_line_break_or_backticks_is_one_line_of_the_report(two_days: Path, tmp_path: Path
                                                                               ) -> None:
    """Review AE (suspicion): the text and Markdown reports printed a side's path as it is: a folder named with a line
    break put a line of the path's own (``Error: x/real-count``) into the report, and a backtick broke the
    Markdown code span."""
    folder = tmp_path / "a\nError: x`y"
    shutil.copytree(two_days / "datapackages" / "real-count", folder)
    text = invoke("diff", folder, two_days)
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0] == f"old: {tmp_path}/a\\nError: x`y"
    markdown = invoke("diff", "--format", "markdown", folder, two_days)
    assert f"- old: `` {tmp_path}/a\\nError: x`y ``" in markdown.output.splitlines()


def test_a_descriptor_nested_too_deep_is_one_line(demo_project: Path, tmp_path: Path) -> None:
    """Review CB L3: ``diff`` of a zip whose datapackage.json nests 200,000 arrays was an internal error
    (RecursionError); it is the one line ``validate`` gives too."""
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w") as archive:
        archive.writestr("datapackage.json", "[" * 200_000 + "]" * 200_000)
    result = invoke("diff", str(deep), str(demo_project / "datapackages" / "real-count.zip"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {deep}: datapackage.json: nested too deep (hint: run 'releasekit validate' on it)"], result.output


def test_a_zipped_descriptor_too_large_is_not_read_when_the_zip_is_the_first_side(
        demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review CF M2: test_a_descriptor_too_large_is_not_read (test_validate_damage) gives the zip second, and the
    folder, opened first, is refused before the zip is opened; a zip given first was read whatever its descriptor's
    size (review CB M1: a gigabyte of one in a 1 MB zip took 2.2 GB)."""
    from releasekit import packagefiles

    zipped = demo_project / "datapackages" / "real-count.zip"
    folder = demo_project / "datapackages" / "real-count"
    with zipfile.ZipFile(zipped) as archive:
        size = archive.getinfo("datapackage.json").file_size
    monkeypatch.setattr(packagefiles, "DESCRIPTOR_LIMIT", size - 1)
    why = f"{size:,} bytes, past the {size - 1:,} a descriptor is read up to (a package's is under 1 MB)"
    assert run_diff(zipped, folder) == f"Error: {zipped}: datapackage.json: {why} (hint: run 'releasekit validate' " \
                                       "on it)\n"
