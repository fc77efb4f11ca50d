"""validate finds a NIK that a resource's compression or CSV dialect hides from a plain UTF-8 reading (review AF #1).

A package edited by hand so that its ``dpt_pemilih`` file is compressed (``data/dpt_pemilih.csv.bz2``: Frictionless
unpacks it, told by the extension), or written in a dialect whose quote or escape character splits a NIK
(``'5202'014501900001`` with ``quoteChar "'"``: one cell of 16 digits to Frictionless), passed ``--engine
frictionless`` with a NIK in it, exit 0, and the releasekit engine named no ``pii-nik``: the PII gate read the
bytes as UTF-8 CSV in the default dialect, and recognised gzip and UTF-16 only.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ProjectFactory, copy_package, invoke
from releasekit import build, load_release
from releasekit.tablecheck.text import niks_by_record
from voters import HEADER, voter_source

NIK = "5202014501900001"  # synthetic: NTB prefix, 05-01-90 + 40 (a woman)
MASKED = NIK[:6] + "*" * 10
ENGINES = ("releasekit", "frictionless")
#: The NIK's row in ``dpt_pemilih.csv`` (the header is row 1): BUDI's, the second voter.
ROW = 3
VOTERS = "".join(f"5202012001001,520201120310000{n},520201450190000{n},{name},X,05-01-1990,P,S,JL,001,002,,\n"
                 for n, name in enumerate(("SITI", "BUDI", "ANI"), start=2))


@pytest.fixture(scope="module")
def voter_package(make_project: ProjectFactory) -> Path:
    """A voter-list package publishing a masked ``dpt_pemilih`` with its ``nama`` column (read-only: copy to edit)."""
    project = make_project({"voter-list": {"sources": [voter_source({"dpt.csv": HEADER + VOTERS})],
                                           "publish_individuals": "masked", "individual_fields": ["nama"]}})
    build(load_release(project))
    return project / "datapackages" / "voter-list"


def _zipped(text: bytes, member: str = "dpt_pemilih.csv", *others: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
        for name, data in others:
            archive.writestr(name, data)
    return buffer.getvalue()


#: How each hand-edit writes BUDI's name cell (``cell(name)``), its file's bytes (``pack(text)``) and the file's new
#: extension, and what the resource's descriptor then declares.
Cell = Callable[[str], str]
Pack = Callable[[bytes], bytes]
PLAIN: Cell = lambda name: name  # noqa: E731
IN_TEXT: Cell = lambda name: f"{name} {NIK}"  # noqa: E731
AS_IS: Pack = lambda data: data  # noqa: E731
HIDES: dict[str, tuple[Cell, Pack, str, dict[str, Any]]] = {
    "gz by extension": (IN_TEXT, lambda data: gzip.compress(data, mtime=0), ".gz", {}),
    "bz2 by extension": (IN_TEXT, bz2.compress, ".bz2", {}),
    "xz by extension": (IN_TEXT, lzma.compress, ".xz", {}),
    "lzma by extension .xz": (IN_TEXT, lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE), ".xz", {}),
    "zip by extension": (IN_TEXT, _zipped, ".zip", {}),
    "bz2 named .csv": (IN_TEXT, bz2.compress, "", {}),  # (Frictionless reads its bytes; any unpacker its NIK)
    "bz2 declared": (IN_TEXT, bz2.compress, ".bz2", {"compression": "bz2"}),
    "quoteChar": (lambda name: f"'{NIK[:4]}'{NIK[4:]}", AS_IS, "",
                  {"dialect": {"lineTerminator": "\n", "quoteChar": "'"}}),
    "escapeChar": (lambda name: f"{NIK[:4]}\\{NIK[4:]}", AS_IS, "",
                   {"dialect": {"lineTerminator": "\n", "escapeChar": "\\"}}),
    "escapeChar, csv object": (lambda name: f"{NIK[:4]}\\{NIK[4:]}", AS_IS, "",
                               {"dialect": {"csv": {"escapeChar": "\\", "doubleQuote": False}}}),
    "quoteChar and bz2": (lambda name: f"'{NIK[:4]}'{NIK[4:]}", bz2.compress, ".bz2",
                          {"dialect": {"lineTerminator": "\n", "quoteChar": "'"}}),
    "quoteChar and unread options": (lambda name: f"'{NIK[:4]}'{NIK[4:]}", AS_IS, "",
                                     {"dialect": {"quoteChar": "'", "commentChar": "#", "nullSequence": "NA"}}),
}


def hide(pkg: Path, cell: Cell, pack: Pack, extension: str, declare: dict[str, Any]) -> None:
    """Write BUDI's name cell of ``pkg``'s ``dpt_pemilih`` as ``cell`` says, pack the file, and declare it: its path,
    bytes and hash, and ``declare``."""
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    res = next(r for r in descriptor["resources"] if r["name"] == "dpt_pemilih")
    old = pkg / res["path"]
    text = old.read_text(encoding="utf-8")
    assert text.count(",BUDI,") == 1
    data = pack(text.replace(",BUDI,", f",{cell('BUDI')},").encode())
    old.unlink()
    res["path"] += extension
    (pkg / res["path"]).write_bytes(data)
    res.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest(), **declare)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


def validated(pkg: Path, engine: str) -> tuple[int, str, list[dict[str, Any]]]:
    result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
    report = json.loads(result.output)
    assert result.exit_code == (0 if report["valid"] else 1)
    return result.exit_code, result.output, [e for p in report["packages"] for e in p["errors"]]


def pii(errors: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e.get("resource"), e.get("row"), e.get("field")) for e in errors if e["type"] == "pii-nik"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(HIDES))
def test_a_nik_a_compression_or_a_dialect_hides_is_a_pii_nik(voter_package: Path, tmp_path: Path, case: str,
                                                             engine: str) -> None:
    cell, pack, extension, declare = HIDES[case]
    pkg = copy_package(voter_package, tmp_path, "pkg")
    hide(pkg, cell, pack, extension, declare)
    code, output, errors = validated(pkg, engine)
    assert code == 1
    assert pii(errors) == [("dpt_pemilih", ROW, "nama")], errors  # (once: its bytes and its text both read)
    assert NIK not in output and NIK[6:] not in output


def test_frictionless_reads_the_nik_each_hand_edit_hides(voter_package: Path, tmp_path: Path) -> None:
    """The premise: what the gate reads is what Frictionless reads (bar a file whose name hides its compression)."""
    import frictionless

    for case, (cell, pack, extension, declare) in HIDES.items():
        if case in ("bz2 named .csv", "bz2 declared"):
            continue
        pkg = copy_package(voter_package, tmp_path, case.replace(" ", "-").replace(",", ""))
        hide(pkg, cell, pack, extension, declare)
        package = frictionless.Package(str(pkg / "datapackage.json"))
        names = [row["nama"] for row in package.get_resource("dpt_pemilih").read_rows()]
        assert any(NIK in (name or "") for name in names), (case, names)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(HIDES))
def test_a_compressed_or_dialected_package_without_a_nik_has_no_pii_nik(voter_package: Path, tmp_path: Path,
                                                                        case: str, engine: str) -> None:
    """No false positive: the same hand-edits with no NIK (quoted or escaped cells, compressed files) name none, and
    Frictionless finds a package it reads as declared valid."""
    cell, pack, extension, declare = HIDES[case]
    pkg = copy_package(voter_package, tmp_path, "pkg")
    clean: Cell = {"quoteChar": lambda name: f"'{name}'", "quoteChar and bz2": lambda name: f"'{name}'",
                   "quoteChar and unread options": lambda name: f"'{name}'",
                   "escapeChar": lambda name: f"{name[:2]}\\{name[2:]}",
                   "escapeChar, csv object": lambda name: f"{name[:2]}\\{name[2:]}"}.get(case, PLAIN)
    hide(pkg, clean, pack, extension, declare)
    code, _, errors = validated(pkg, engine)
    assert pii(errors) == [], errors
    if engine == "frictionless" and case not in ("bz2 named .csv", "bz2 declared"):
        assert code == 0, errors


@pytest.mark.parametrize("engine", ENGINES)
def test_a_nik_in_another_member_of_a_zipped_resource_is_a_pii_nik(voter_package: Path, tmp_path: Path,
                                                                   engine: str) -> None:
    """Frictionless reads a zip's first member (or its ``innerpath``); the zip publishes the others too."""
    pkg = copy_package(voter_package, tmp_path, "pkg")
    hide(pkg, PLAIN, lambda data: _zipped(data, "dpt_pemilih.csv", ("catatan.txt", f"a\nNIK {NIK}\n".encode())),
         ".zip", {})
    code, output, errors = validated(pkg, engine)
    assert code == 1 and NIK not in output
    assert pii(errors) == [("data/dpt_pemilih.csv.zip (member catatan.txt)", 2, None)], errors


@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_compressed_resource_is_reported_not_a_crash(voter_package: Path, tmp_path: Path,
                                                               engine: str) -> None:
    """A ``.bz2`` cut short: what decompresses before the cut is read; the rest is the engines' to report."""
    pkg = copy_package(voter_package, tmp_path, "pkg")
    hide(pkg, IN_TEXT, lambda data: bz2.compress(data)[:-20], ".bz2", {})
    code, output, errors = validated(pkg, engine)
    assert code == 1 and NIK not in output and "internal error" not in output


@pytest.mark.parametrize("dialect, text, found", [
    ({"quoteChar": "'"}, "h1,h2\na,'5202'014501900001\n", [(2, "h2")]),
    ({"escapeChar": "\\"}, "h1,h2\na,5202\\014501900001\n", [(2, "h2")]),
    ({"delimiter": ";", "quoteChar": "'"}, "h1;h2\na;'5202'014501900001\n", [(2, "h2")]),
    ({"quoteChar": "'", "delimiter": ";;"}, "h1,h2\na,'5202'014501900001\n", [(2, "h2")]),
    ({"quoteChar": 5, "escapeChar": "\\"}, "h1,h2\na,5202\\014501900001\n", [(2, "h2")]),
    ({"quoteChar": "'", "header": False}, "a,'5202'014501900001\n", [(1, "f2")]),
    ({"quoteChar": "'"}, "h1,h2\na,'5202'014501900001\nb,'unclosed\n", [(2, "h2")]),
], ids=["quoteChar", "escapeChar", "delimiter", "a delimiter no reader takes", "a quote no reader takes",
        "no header", "a quote left open"])
def test_the_gate_reads_what_of_a_dialect_a_csv_reader_can(tmp_path: Path, dialect: dict[str, Any], text: str,
                                                           found: list[tuple[int, str]]) -> None:
    """A dialect's options a CSV reader cannot take are read as their defaults, the others as declared: the file is
    read, never skipped; without a header row, a cell is named by the schema's field."""
    from releasekit.tablecheck.asread import csv_reading

    path = tmp_path / "x.csv"
    path.write_text(text)
    res = {"dialect": dialect, "schema": {"fields": [{"name": "f1"}, {"name": "f2"}]}}
    assert csv_reading(res).options is not None
    assert list(niks_by_record(path, res)) == found
    assert list(niks_by_record(path)) == []  # (the default dialect: no cell holds it, nor do the bytes)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["dialect.json", "dialect.yaml"])
def test_a_dialect_in_a_file_of_the_package_is_read_as_it_says(voter_package: Path, tmp_path: Path, name: str,
                                                               engine: str) -> None:
    """``"dialect": "dialect.json"``: Frictionless reads the file, and the rows as it says; so does the gate."""
    import frictionless

    pkg = copy_package(voter_package, tmp_path, "pkg")
    hide(pkg, HIDES["quoteChar"][0], AS_IS, "", {"dialect": name})
    (pkg / name).write_text(json.dumps({"quoteChar": "'"}))  # (JSON is YAML too)
    rows = frictionless.Package(str(pkg / "datapackage.json")).get_resource("dpt_pemilih").read_rows()
    assert NIK in [row["nama"] for row in rows]
    code, output, errors = validated(pkg, engine)
    assert code == 1 and NIK not in output
    assert pii(errors) == [("dpt_pemilih", ROW, "nama")], errors


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("codec", ["hex", "rot13"])
def test_a_codec_that_is_no_text_encoding_is_a_resource_error_not_a_crash(voter_package: Path, tmp_path: Path,
                                                                          codec: str, engine: str) -> None:
    """Review AH #1: ``encoding: hex`` (a codec of bytes to bytes) passed the test of a text encoding the PII gate
    reads in, and reading it was an internal error, exit 1, under both engines."""
    pkg = copy_package(voter_package, tmp_path, "pkg")
    hide(pkg, PLAIN, AS_IS, "", {"encoding": codec})
    code, output, errors = validated(pkg, engine)
    assert code == 1 and "internal error" not in output
    assert [e["type"] for e in errors] == ["resource-error"], errors


def test_a_small_compressed_resource_that_inflates_to_one_huge_cell_is_read_in_little_memory(
        voter_package: Path, tmp_path: Path) -> None:
    """Review AH #2: a 0.4 MB gzip that inflates to a quoted cell of 256 MiB took validate 4 GB (read record by
    record, the cell held whole; before, by line): the text is screened a chunk at a time first, and a file that
    cannot hold a NIK is read no further. (Measured here as the largest allocation: tracemalloc.)"""
    pkg = copy_package(voter_package, tmp_path, "pkg")
    chunk = b"abc,def\n" * (1 << 14)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        packed.write(b"kode_pemilu\n\"")
        for _ in range(256):  # 32 MiB inflated
            packed.write(chunk)
    hide(pkg, PLAIN, lambda data: buffer.getvalue(), ".gz", {})
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    res = next(r for r in descriptor["resources"] if r["name"] == "dpt_pemilih")
    tracemalloc.start()
    try:
        found = list(niks_by_record(pkg / res["path"], res, decoded=True))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == [] and peak < 16 << 20, peak
