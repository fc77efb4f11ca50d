"""validate on damaged and malformed packages: every case is a reported problem or a one-line error, never a
traceback, and no NIK-like value reaches the output unmasked."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_package, edit_rows, invoke
from releasekit import validate
from releasekit.rules import valid_threshold
from releasekit.validate import validate_paths

NIK = "3171014506890001"  # synthetic: Jakarta prefix, 05-06-89 + 40 (a woman)
MASKED = NIK[:6] + "*" * 10
FINDINGS_HEADER = "rule,kode_pemilu,snapshot,key,severity,expected,actual,detail,register\n"


def edit_descriptor(pkg: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text())
    edit(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def resource(desc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in desc["resources"] if r["name"] == name)
    return found


def problems(pkg: Path, engine: str = "releasekit") -> list[dict[str, Any]]:
    result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
    report = json.loads(result.output)
    assert result.exit_code == (0 if report["valid"] else 1)
    return [e for p in report["packages"] for e in p["errors"]]


def types(pkg: Path, engine: str = "releasekit") -> set[str]:
    return {e["type"] for e in problems(pkg, engine)}


# -- defect 3: malformed datapackage.json ---------------------------------------------------------------------

def _set_rules(value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["releasekit"].__setitem__("rules", value)


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "resources-a-number": (lambda d: d.__setitem__("resources", 5), "package-error"),
    "resources-a-string": (lambda d: d.__setitem__("resources", "abc"), "package-error"),
    "resource-a-string": (lambda d: d.__setitem__("resources", ["abc"]), "package-error"),
    "releasekit-a-list": (lambda d: d.__setitem__("releasekit", [1]), "provenance-error"),
    "sources-a-number": (lambda d: d["releasekit"].__setitem__("sources", 5), "provenance-error"),
    "rules-a-list": (_set_rules([1]), "rule-threshold"),
    "rule-a-list": (lambda d: d["releasekit"]["rules"].__setitem__("votes-sum-mismatch", [1]), "rule-threshold"),
    "unknown-hash": (lambda d: resource(d, "pemilu").__setitem__("hash", "foo:abc"), "hash-count"),
    "multipart-path": (lambda d: resource(d, "pemilu").__setitem__("path", ["data/pemilu.csv"] * 2),
                       "primary-key"),  # (Frictionless reads the parts: the second repeats the first's rows)
    "schema-in-a-file": (lambda d: resource(d, "pemilu").__setitem__("schema", "schema.json"), "schema-error"),
    "foreign-key-without-reference": (
        lambda d: resource(d, "peserta")["schema"]["foreignKeys"].__setitem__(0, {"fields": ["kode_pemilu"]}),
        "schema-error"),
    "bad-pattern": (lambda d: resource(d, "pemilu")["schema"]["fields"][0]["constraints"].__setitem__(
        "pattern", "["), "schema-error"),
    "field-a-number": (lambda d: resource(d, "pemilu")["schema"]["fields"].__setitem__(0, 5), "package-error"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_descriptor_is_a_reported_problem(fixture_package: Path, tmp_path: Path, case: str) -> None:
    edit, expected = MALFORMED[case]
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, edit)
    assert expected in types(pkg)
    invoke("validate", "--format", "github", str(pkg))  # every format renders it
    invoke("validate", "--format", "markdown", str(pkg))


@pytest.mark.parametrize("case", ["resources-a-number", "rules-a-list", "multipart-path", "field-a-number"])
def test_malformed_descriptor_with_the_frictionless_engine(fixture_package: Path, tmp_path: Path, case: str
                                                           ) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, MALFORMED[case][0])
    assert types(pkg, "frictionless")  # reported, whatever Frictionless calls it


def test_a_bug_of_releasekit_beside_frictionless_is_no_malformed_descriptor(fixture_package: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BM #5: what Frictionless raises is the descriptor's fault (a package-error); releasekit's own code
    before it (the dialects it writes in) was inside the same ``try``, so its bug was reported as "a value there
    has the wrong type", and ``--debug`` could not show it."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")

    def broken(descriptor: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("a bug")

    monkeypatch.setattr(validate, "_declared_dialects", broken)
    with pytest.raises(KeyError, match="a bug"):
        validate_paths([pkg], engine="frictionless")


def test_a_descriptor_too_deep_to_copy_is_a_package_error_with_frictionless(fixture_package: Path,
                                                                            tmp_path: Path) -> None:
    """Review BN #1: json reads a descriptor nested 600 deep; the copy made for Frictionless ran out of stack, and
    once that copy left the ``try`` (review BM #5) the whole run stopped as an internal error."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    deep: object = []
    for _ in range(600):
        deep = [deep]
    edit_descriptor(pkg, lambda d: d.__setitem__("x-deep", deep))
    found = problems(pkg, "frictionless")
    assert any(p["type"] == "package-error" and "nested too deep" in p["message"] for p in found), found


def test_unknown_hash_algorithm_is_named(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, MALFORMED["unknown-hash"][0])
    assert sorted((e["type"], e["resource"]) for e in problems(pkg)) == [("hash-count", "pemilu"),
                                                                          ("integrity-error", "pemilu")]
    assert 'unknown algorithm "foo"' in problems(pkg)[0]["message"]


def test_unread_resource_is_reported_once(fixture_package: Path, tmp_path: Path) -> None:
    """A multipart resource is Frictionless's to read (its verdict is the default engine's), not a foreign-key error
    in every row that points at it; a missing resource is one problem, and a resource that points at a missing one
    stops at one ``scheme-error`` of its own, in its turn, as Frictionless stops it reading the target for its lookup
    (the checker said nothing of them)."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, MALFORMED["multipart-path"][0])
    assert problems(pkg) == problems(pkg, "frictionless")
    assert {(e["type"], e["resource"]) for e in problems(pkg)} == {
        ("primary-key", "pemilu"), ("hash-count", "pemilu"), ("byte-count", "pemilu")}
    pkg = copy_package(fixture_package, tmp_path / "missing", "real-count")
    (pkg / "data" / "pemilu.csv").unlink()
    pointing = ["peserta", "hasil_tps", "snapshots", "findings"]
    expected = [("scheme-error", name) for name in ["pemilu", *pointing]]
    assert [(e["type"], e["resource"]) for e in problems(pkg)] == expected
    assert [(e["type"], e["resource"]) for e in problems(pkg, "frictionless")] == expected
    assert {e["message"] for e in problems(pkg)[1:]} == {
        'file not found: data/pemilu.csv (resource "pemilu", which a foreign key points at)'}


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_nik_in_a_part_of_a_multipart_resource_is_reported_once(fixture_package: Path, tmp_path: Path,
                                                                  engine: str) -> None:
    """The PII gate reads the parts of a resource no checker reads row by row, each line once, by either engine."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: resource(d, "pemilu").__setitem__("path", ["data/pemilu.csv", "data/part2.csv"]))
    (pkg / "data" / "part2.csv").write_text(f"x-{NIK},pilpres,2024,1,2024-02-14,X\n", encoding="utf-8")
    found = [(e["type"], e.get("row")) for e in problems(pkg, engine) if e["type"] == "pii-nik"]
    assert found == [("pii-nik", 1)]


def _error_finding(pkg: Path, key: str = "3101011001001") -> None:
    row = f"votes-sum-mismatch,ppwp-2024,2024-02-16,{key},error,1,2,sum of votes 2 <> suara_sah 1,001\n"
    (pkg / "data" / "findings.csv").write_text(FINDINGS_HEADER + row)


def test_bad_threshold_with_error_findings(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    _error_finding(pkg)
    edit_descriptor(pkg, lambda d: d["releasekit"]["rules"]["votes-sum-mismatch"].update(
        severity="error", error_if="bogus"))
    thresholds = [e for e in problems(pkg) if e["type"] == "rule-threshold"]
    assert len(thresholds) == 1  # the bad setting, not also a breach weighed without it
    assert "bad threshold 'bogus'" in thresholds[0]["message"] and "'> 0.5%'" in thresholds[0]["message"]


def test_valid_threshold() -> None:
    assert valid_threshold(None) and valid_threshold("> 0.5%") and valid_threshold(">= 10")
    assert not valid_threshold("bogus") and not valid_threshold(5) and not valid_threshold(["> 1"])


# -- defect 4: damaged files -----------------------------------------------------------------------------------

def test_corrupt_zip_member_is_a_one_line_error(fixture_package: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "real-count.zip"
    with zipfile.ZipFile(fixture_package.with_suffix(".zip")) as zin, \
            zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info), zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(damaged) as archive:
        info = archive.getinfo("data/hasil_tps.csv")
    data = bytearray(damaged.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10:start + 40] = bytes(range(30))  # garbage in the deflate stream
    damaged.write_bytes(bytes(data))
    result = invoke("validate", str(damaged))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert "member 'data/hasil_tps.csv'" in result.output and "download the package again" in result.output


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_non_utf8_csv_is_an_encoding_error(fixture_package: Path, tmp_path: Path, engine: str) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    with (pkg / "data" / "pemilu.csv").open("ab") as handle:
        handle.write(b"ppwp-2024,\xe9\n")
    encoding = [e for e in problems(pkg, engine) if e["type"] == "encoding-error"]
    assert encoding and encoding[0]["resource"] == "pemilu"
    if engine == "releasekit":
        assert len(encoding) == 1 and "byte 0xe9 at line 3" in encoding[0]["message"]


@pytest.mark.parametrize("chunk", [1 << 20, 50])  # in a block, and on the line-by-line path
def test_bad_bytes_do_not_stop_the_checks(fixture_package: Path, tmp_path: Path, chunk: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    path = pkg / "data" / "tps.csv"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b",", b"\xff,", 1)  # a bad byte in the first data row
    lines.insert(-1, lines[-2])  # and a duplicate key after it
    path.write_bytes(b"\n".join(lines))
    found = types(pkg)
    assert {"encoding-error", "primary-key"} <= found


def test_non_utf8_findings_and_pii_with_frictionless(fixture_package: Path, tmp_path: Path) -> None:
    """findings.csv with a bad byte is still summarised; a NIK in a non-UTF-8 file is still found."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    (pkg / "data" / "findings.csv").write_bytes(
        FINDINGS_HEADER.encode() + f"votes-sum-mismatch,ppwp-2024,2024-02-16,{NIK},warning,1,2,\xe9,001\n"
        .encode("latin-1"))
    for engine in ("releasekit", "frictionless"):
        found = problems(pkg, engine)
        assert {"encoding-error", "pii-nik"} <= {e["type"] for e in found}, engine
        assert NIK not in json.dumps(found)


# -- defects 1 and 2: no NIK in any text of the report ---------------------------------------------------------

@pytest.fixture
def nik_in_findings(fixture_package: Path, tmp_path: Path) -> Path:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    _error_finding(pkg, key=NIK)
    return pkg


def test_findings_examples_are_masked(nik_in_findings: Path) -> None:
    [summary] = validate_paths([nik_in_findings]).packages[0].findings
    assert summary.examples == [f"2024-02-16 {MASKED} (sum of votes 2 <> suara_sah 1)"]
    for fmt in ("text", "json", "markdown", "github"):
        result = invoke("validate", "--format", fmt, str(nik_in_findings))
        assert NIK not in result.output, fmt
    assert MASKED in invoke("validate", str(nik_in_findings)).output


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_nik_in_a_header_label(fixture_package: Path, tmp_path: Path, engine: str) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    path = pkg / "data" / "pemilu.csv"
    lines = path.read_text().split("\n")
    lines[0] += f",{NIK}"
    path.write_text("\n".join(lines))
    pii = [e for e in problems(pkg, engine) if e["type"] == "pii-nik"]
    assert [(e["resource"], e["row"]) for e in pii] == [("pemilu", 1)]
    for fmt in ("text", "json", "markdown", "github"):
        assert NIK not in invoke("validate", "--format", fmt, "--engine", engine, str(pkg)).output, fmt


# -- defect 6: which descriptor of a zip -----------------------------------------------------------------------

def test_zip_descriptor_choice_is_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("b/datapackage.json", "[]")  # not an object: invalid
        z.writestr("a/datapackage.json", json.dumps({"resources": [], "releasekit": {"sources": []}}))
    real_rglob = Path.rglob

    def reverse_rglob(self: Path, pattern: str) -> Iterator[Path]:  # a file system that lists "b" first
        return iter(sorted(real_rglob(self, pattern), reverse=True))

    monkeypatch.setattr(Path, "rglob", reverse_rglob)
    assert validate_paths([archive]).packages[0].problems == []


def _unreadable_pemilu_schema(pkg: Path) -> None:
    """A pattern that is no regular expression: the checker cannot read pemilu's schema."""
    edit_descriptor(pkg, lambda d: resource(d, "pemilu")["schema"]["fields"][0].setdefault(
        "constraints", {}).update(pattern="("))


def _pii_on_pemilus_last_line(pkg: Path, found: list[dict[str, Any]]) -> bool:
    """Whether the one pii-nik problem found is pemilu's, on its last line."""
    lines = sum(1 for _ in (pkg / "data" / "pemilu.csv").open(encoding="utf-8"))
    return [(e.get("resource"), e.get("row")) for e in found if e["type"] == "pii-nik"] == [("pemilu", lines)]


def _nik_in_pemilu(pkg: Path) -> None:
    with (pkg / "data" / "pemilu.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"x-{NIK},pilpres,2024,1,2024-02-14,X\n")


def test_a_one_name_primary_key_is_legal_and_the_gate_reads_the_rows(fixture_package: Path, tmp_path: Path) -> None:
    """Table Schema allows ``"primaryKey": "kode_pemilu"`` (a string): no schema-error, every row checked."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: resource(d, "pemilu")["schema"].update(primaryKey="kode_pemilu"))
    _nik_in_pemilu(pkg)
    found = types(pkg)
    assert "schema-error" not in found and "pii-nik" in found
    assert "primary-key" not in found
    data = pkg / "data" / "pemilu.csv"
    data.write_text(data.read_text(encoding="utf-8") + data.read_text(encoding="utf-8").splitlines()[1] + "\n",
                    encoding="utf-8")  # the first election again: the one-name key is enforced
    assert [(e["row"], e["type"]) for e in problems(pkg) if e["type"] == "primary-key"] == [
        (len(data.read_text(encoding="utf-8").splitlines()), "primary-key")]


def test_the_gate_reads_a_resource_the_checker_cannot(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    _unreadable_pemilu_schema(pkg)
    _nik_in_pemilu(pkg)
    found = problems(pkg)
    assert {"schema-error", "pii-nik"} <= {e["type"] for e in found}
    assert NIK not in json.dumps(found)
    assert _pii_on_pemilus_last_line(pkg, found)


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("schema", ["readable", "unreadable", "crlf"])
def test_the_gate_reads_the_bytes_where_no_cell_holds_the_nik(fixture_package: Path, tmp_path: Path, engine: str,
                                                              schema: str) -> None:
    """'"3201014501900001"7' is one 17-digit cell to a CSV reader, but the published bytes hold the NIK (CRLF line
    ends: the checker reads the file record by record, not in blocks)."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    if schema == "unreadable":
        _unreadable_pemilu_schema(pkg)
    data = pkg / "data" / "pemilu.csv"
    data.write_bytes(data.read_bytes() + f'x-1,"{NIK}"7,2024,1,2024-02-14,X\n'.encode())
    if schema == "crlf":
        data.write_bytes(data.read_bytes().replace(b"\n", b"\r\n"))
    found = problems(pkg, engine)
    assert _pii_on_pemilus_last_line(pkg, found)
    assert NIK not in json.dumps(found)


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("schema", ["readable", "unreadable"])
def test_both_engines_report_a_nik_in_a_cell_and_one_only_in_the_bytes(fixture_package: Path, tmp_path: Path,
                                                                       engine: str, schema: str) -> None:
    """Each record is read on its own: a NIK in a cell on one row does not hide one the bytes alone hold on another
    (nor does a quoted cell over two lines shift the rows named after it), whichever engine reads the file, and
    when the checker cannot read the resource's schema."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    if schema == "unreadable":
        _unreadable_pemilu_schema(pkg)
    data = pkg / "data" / "pemilu.csv"
    rows = len(data.read_text(encoding="utf-8").splitlines())
    with data.open("a", encoding="utf-8", newline="") as handle:
        handle.write(f'x-1,"pilpres\ndua baris",2024,1,2024-02-14,{NIK}\n')  # row rows + 1, over two lines
        handle.write(f'x-2,"{NIK}"7,2024,1,2024-02-14,X\n')  # row rows + 2: no cell holds it
    found = [(e.get("resource"), e.get("row"), e.get("field")) for e in problems(pkg, engine)
             if e["type"] == "pii-nik"]
    assert found == [("pemilu", rows + 1, "nama"), ("pemilu", rows + 2, None)]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("schema", ["readable", "unreadable", "crlf"])
def test_the_gate_reads_a_nik_that_only_the_parsed_cell_holds(fixture_package: Path, tmp_path: Path, engine: str,
                                                              schema: str) -> None:
    """'"32010145"01900001' has no 16 digits in a row, but a CSV reader reads one cell of 16 digits from it (the
    characters after a closing quote join the cell): the NIK any user of the package gets."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    if schema == "unreadable":
        _unreadable_pemilu_schema(pkg)
    data = pkg / "data" / "pemilu.csv"
    rows = len(data.read_text(encoding="utf-8").splitlines())
    data.write_bytes(data.read_bytes() + f'x-1,pilpres,2024,1,2024-02-14,"{NIK[:8]}"{NIK[8:]}\n'.encode())
    if schema == "crlf":
        data.write_bytes(data.read_bytes().replace(b"\n", b"\r\n"))
    assert NIK not in data.read_text(encoding="utf-8")
    found = problems(pkg, engine)
    assert [(e.get("resource"), e.get("row"), e.get("field")) for e in found if e["type"] == "pii-nik"] == [
        ("pemilu", rows + 1, "nama")]
    assert NIK not in json.dumps(found)


def test_the_gate_reads_the_rows_when_the_descriptor_is_refused(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: d.update(profile="no-such-profile"))
    _nik_in_pemilu(pkg)
    assert "pii-nik" in types(pkg)


def test_undecodable_bytes_are_counted_per_thread() -> None:
    """A library caller validating two packages in two threads gets each file's encoding-error, not the other's."""
    import threading

    from releasekit.tablecheck import text

    before = text.undecodable_count()
    other = threading.Thread(target=lambda: b"\xff".decode("utf-8", errors=text.UNDECODABLE))
    other.start()
    other.join()
    assert text.undecodable_count() == before
    b"\xff".decode("utf-8", errors=text.UNDECODABLE)
    assert text.undecodable_count() == before + 1


# -- the Table Schemas' constraints on values releasekit always writes in one form -------------------------------

def _add_hasil_wilayah(pkg: Path) -> None:
    """Give the package a ``hasil_wilayah`` resource (the fixture has no aggregate source): the national row."""
    from releasekit.package import _resource
    from releasekit.tables import BY_NAME

    table = BY_NAME["hasil_wilayah"]
    row = {"kode_pemilu": "ppwp-2024", "snapshot": "2024-02-16", "kode_wilayah": "0", "ts": "2024-02-16 10:00:00",
           "asal": "chart"}
    (pkg / "data" / "hasil_wilayah.csv").write_text(
        ",".join(table.columns) + "\n" + ",".join(row.get(c, "") for c in table.columns) + "\n")
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"].append(_resource(table, pkg, {r["name"] for r in desc["resources"]}))
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def _rehash(pkg: Path) -> None:
    """Declare every resource's current hash and size (so only the cells are wrong)."""
    from releasekit.provenance import sha256_file

    desc = json.loads((pkg / "datapackage.json").read_text())
    for res in desc["resources"]:
        sha256, size = sha256_file(pkg / res["path"])
        res["hash"], res["bytes"] = f"sha256:{sha256}", size
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def _set_cell(pkg: Path, resource: str, column: str, value: str) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[1][rows[0].index(column)] = value
    edit_rows(pkg, resource, edit)


#: (resource, column, a value of the right type that breaks the constraint, the constraint)
CONSTRAINED = [
    ("hasil_tps", "snapshot", "16-02-2024", "pattern"),
    ("suara", "snapshot", "2024-02-16T", "pattern"),
    ("sources", "snapshot", "2024/02/16", "pattern"),
    ("hasil_tps", "ts", "2024-02-15T04:27:08", "pattern"),
    ("hasil_wilayah", "ts", "15/02/2024 04:27", "pattern"),
    ("suara", "nomor_urut", "0", "minimum"),
    ("snapshot_votes", "nomor_urut", "0", "minimum"),
    ("wilayah", "tingkat", "5", "enum"),
    ("wilayah", "kode_induk", "3", "pattern"),
    ("tps", "kode_wilayah", "310101100", "pattern"),
    ("hasil_wilayah", "kode_wilayah", "kab-01", "pattern"),
]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize(("resource", "column", "value", "constraint"), CONSTRAINED)
def test_a_value_breaking_a_declared_constraint_makes_the_package_invalid(
        fixture_package: Path, tmp_path: Path, resource: str, column: str, value: str, constraint: str,
        engine: str) -> None:
    """Snapshots are days (or local times), ``ts`` is ``YYYY-MM-DD HH:MM:SS``, ballot numbers start at 1, a region's
    level is 1 to 4 and every code column has a pattern: the Table Schemas say so, and both engines hold a package
    to it, reporting the same errors."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    if resource == "hasil_wilayah":
        _add_hasil_wilayah(pkg)
    _rehash(pkg)
    assert problems(pkg, engine) == []
    _set_cell(pkg, resource, column, value)
    _rehash(pkg)
    found = problems(pkg, engine)
    assert ("constraint-error", resource, 2, column) in {(e["type"], e.get("resource"), e.get("row"), e.get("field"))
                                                         for e in found}
    note = next(e["message"] for e in found if e["type"] == "constraint-error" and e.get("field") == column)
    assert f'constraint "{constraint}"' in note
    other = "frictionless" if engine == "releasekit" else "releasekit"
    assert sorted((e["type"], e.get("resource"), e.get("row"), e.get("field")) for e in found) == sorted(
        (e["type"], e.get("resource"), e.get("row"), e.get("field")) for e in problems(pkg, other))


# -- a hostile CI user's packages (review D) ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_symbolic_link_in_a_package_is_never_read(fixture_package: Path, tmp_path: Path, engine: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource linked to a file of the validating machine would be printed as cell values (a CI token from
    ``/proc/self/environ``); a data folder linked elsewhere would be validated in the package's name."""
    secret = tmp_path / "secret.txt"
    secret.write_text("CI_TOKEN=ghp_notreally\n")
    leak = copy_package(fixture_package, tmp_path, "leak")
    (leak / "data" / "leak.csv").symlink_to(secret)
    edit_descriptor(leak, lambda d: d["resources"].append(
        {"name": "leak", "path": "data/leak.csv", "hash": "sha256:" + "0" * 64, "bytes": 0,
         "schema": {"fields": [{"name": "x"}]}}))
    moved = copy_package(fixture_package, tmp_path, "moved")
    (moved / "data").rename(tmp_path / "elsewhere")
    (moved / "data").symlink_to(tmp_path / "elsewhere")
    for pkg, link in ((leak, "data/leak.csv"), (moved, "data")):
        result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
        assert result.exit_code == 1 and "ghp_notreally" not in result.output
        assert [(e["type"], e["message"]) for e in problems(pkg, engine)] == [
            ("unsafe-path", f"{link} is a symbolic link; a package holds files, not links to them (nothing read)")]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_repository_whose_root_is_a_package_keeps_its_hidden_folders_to_itself(fixture_package: Path,
                                                                                 tmp_path: Path, engine: str) -> None:
    """Review M #13: ``python -m venv .venv`` beside a repository-root ``datapackage.json`` made it 4 ``unsafe-path``
    problems (the venv's links), nothing else checked; ``.git`` and ``.venv`` are no part of what a package publishes.
    A resource under a hidden folder is still read, and still refused when it is a link."""
    repo = copy_package(fixture_package, tmp_path, "repo")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to("/usr/bin/python3")
    (repo / ".venv" / "lib64").symlink_to("lib")
    (repo / ".git").mkdir()
    (repo / ".git" / "COMMIT_EDITMSG").write_text(f"NIK {NIK} masked\n")  # (a history is not a published file)
    assert problems(repo, engine) == []
    secret = tmp_path / "secret.txt"
    secret.write_text("CI_TOKEN=ghp_notreally\n")
    (repo / ".cache").mkdir()
    (repo / ".cache" / "x.csv").symlink_to(secret)
    edit_descriptor(repo, lambda d: d["resources"].append(
        {"name": "x", "path": ".cache/x.csv", "hash": "sha256:" + "0" * 64, "bytes": 0,
         "schema": {"fields": [{"name": "x"}]}}))
    assert [(e["type"], e["message"]) for e in problems(repo, engine)] == [
        ("unsafe-path", ".cache/x.csv is a symbolic link; a package holds files, not links to them (nothing read)")]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_what_the_descriptor_names_under_a_hidden_folder_is_still_read_and_still_guarded(
        fixture_package: Path, tmp_path: Path, engine: str) -> None:
    """Review N #3, #4: a multipart resource's parts under ``.data/`` went unscanned (a NIK passed), and a part or a
    schema under a hidden folder linked outside the package was read (its text printed in messages)."""
    pkg = copy_package(fixture_package, tmp_path, "pkg")
    (pkg / ".data").mkdir()
    (pkg / ".data" / "a.csv").write_text("id,name\n1,ok\n")
    (pkg / ".data" / "b.csv").write_text(f"2,{NIK}\n")
    edit_descriptor(pkg, lambda d: d["resources"].append(
        {"name": "parts", "path": [".data/a.csv", ".data/b.csv"], "hash": "sha256:" + "0" * 64, "bytes": 0,
         "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name"}]}}))
    assert ("pii-nik", ".data/b.csv") in [(e["type"], e.get("resource")) for e in problems(pkg, engine)]
    secret = tmp_path / "secret.json"
    secret.write_text('{"fields": [{"name": "CI_TOKEN=ghp_notreally"}]}')
    (pkg / ".data" / "b.csv").unlink()
    (pkg / ".data" / "b.csv").symlink_to(secret)
    (pkg / ".meta").mkdir()
    (pkg / ".meta" / "s.json").symlink_to(secret)
    edit_descriptor(pkg, lambda d: resource(d, "parts").__setitem__("schema", ".meta/s.json"))
    result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
    assert result.exit_code == 1 and "ghp_notreally" not in result.output
    assert {(e["type"], e["message"].split(" is a ")[0]) for e in problems(pkg, engine)} == {
        ("unsafe-path", ".data/b.csv"), ("unsafe-path", ".meta/s.json")}


def test_a_zip_member_under_a_hidden_folder_is_published_and_checked(fixture_package: Path, tmp_path: Path) -> None:
    zipped = _rezip(fixture_package.parent / "real-count.zip", tmp_path / "hidden.zip",
                    (zipfile.ZipInfo(".notes/x.txt"), f"NIK {NIK}\n".encode()))
    assert [(e["type"], e["resource"]) for e in problems(zipped)] == [("pii-nik", ".notes/x.txt")]


def _rezip(source: Path, target: Path, *extra: tuple[zipfile.ZipInfo, bytes], comment: bytes = b"") -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        for info, data in extra:
            new.writestr(info, data)
        new.comment = comment
    return target


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_zip_with_a_link_or_a_member_twice_is_refused(fixture_package: Path, tmp_path: Path) -> None:
    original = fixture_package.parent / "real-count.zip"
    link = zipfile.ZipInfo("data/extra.csv")
    link.external_attr = 0o120777 << 16  # a symbolic link, as zip -y stores one
    twice = zipfile.ZipInfo("README.md")
    for name, extra, why in (("link", link, "member 'data/extra.csv' is a symbolic link"),
                             ("twice", twice, "two members unpack to 'README.md' (the last: 'README.md')")):
        zipped = _rezip(original, tmp_path / f"{name}.zip", (extra, b"/etc/passwd"))
        result = invoke("validate", str(zipped))
        assert result.exit_code == 1 and f"Error: {zipped}: {why}" in result.output, result.output


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_zip_member_another_unpacks_over_or_a_folder_holding_bytes_is_refused(fixture_package: Path,
                                                                              tmp_path: Path) -> None:
    """Review M #2: ``data/tps.csv`` holding a NIK and then ``./data/tps.csv`` or ``data//tps.csv``, clean, unpack to
    one file, the last, and a folder entry's bytes are thrown away unpacked: neither was ever read, exit 0."""
    original = fixture_package.parent / "real-count.zip"
    with zipfile.ZipFile(original) as archive:
        clean = archive.read("data/tps.csv")
    leaking = clean.replace(b"\n", f",{NIK}\n".encode(), 2)
    folder = zipfile.ZipInfo("notes/")
    for name, members, why in (
            ("dot", [("data/tps.csv", leaking), ("./data/tps.csv", clean)],
             "two members unpack to 'data/tps.csv' (the last: './data/tps.csv')"),
            ("slashes", [("data/tps.csv", leaking), ("data//tps.csv", clean)],
             "two members unpack to 'data/tps.csv' (the last: 'data//tps.csv')"),
            ("folder", [(folder, f"NIK {NIK}".encode())], "member 'notes/' is a folder that holds 20 bytes")):
        target = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(original) as old, zipfile.ZipFile(target, "w") as new:
            for info in old.infolist():
                if info.filename != "data/tps.csv":
                    new.writestr(info, old.read(info))
            for member, data in members:
                new.writestr(member, data)
        result = invoke("validate", str(target))
        assert result.exit_code == 1 and f"Error: {target}: {why}" in result.output, result.output
        assert NIK not in result.output


def test_a_zip_whose_paths_clash_is_reported_beside_the_other_packages(fixture_package: Path,
                                                                       tmp_path: Path) -> None:
    """Review M #7: ``README.md/x.txt`` beside the file ``README.md`` (or ``data/.`` beside the folder) stopped the
    whole run with an error about a temporary path, no JSON printed, the other packages unreported."""
    original = fixture_package.parent / "real-count.zip"
    clashing = _rezip(original, tmp_path / "clash.zip", (zipfile.ZipInfo("README.md/x.txt"), b"x"))
    result = invoke("validate", "--format", "json", str(fixture_package), str(clashing))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [p["valid"] for p in report["packages"]] == [True, False]
    assert report["packages"][1]["errors"][0]["message"].startswith(
        "member 'README.md/x.txt' cannot be unpacked: Not a directory")


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("encoded", ["gzip", "utf-16"])
def test_a_nik_in_a_gzipped_or_utf16_resource_is_found_by_both_engines(fixture_package: Path, tmp_path: Path,
                                                                       engine: str, encoded: str) -> None:
    """Review M #1: a resource gzipped, or saved as UTF-16, that its descriptor declares as plain UTF-8 CSV: both
    engines read its rows as the dialect says, and ``--engine frictionless`` found it valid, exit 0, a NIK in it."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    path = edit_rows(pkg, "tps", lambda rows: rows[3].__setitem__(4, f"TPS {NIK}"))
    text = path.read_bytes()
    path.write_bytes(gzip.compress(text, mtime=0) if encoded == "gzip" else text.decode().encode("utf-16"))
    _rehash(pkg)
    found = problems(pkg, engine)
    assert ("pii-nik", "tps", 4) in {(e["type"], e.get("resource"), e.get("row")) for e in found}
    assert NIK not in json.dumps(found)


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_nik_in_a_zip_comment_or_a_file_name_makes_the_package_invalid(fixture_package: Path, tmp_path: Path,
                                                                         engine: str) -> None:
    original = fixture_package.parent / "real-count.zip"
    commented = _rezip(original, tmp_path / "commented.zip", comment=f"NIK {NIK}".encode())
    named = _rezip(original, tmp_path / "named.zip", (zipfile.ZipInfo(f"notes/{NIK}.txt"), b"x"))
    folder = copy_package(fixture_package, tmp_path, "folder")
    (folder / f"{NIK}.txt").write_text("x")
    for pkg, where in ((commented, "zip comment"), (named, f"notes/{MASKED}.txt"), (folder, f"{MASKED}.txt")):
        result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
        assert result.exit_code == 1 and NIK not in result.output
        assert [(e["type"], e["resource"]) for e in problems(pkg, engine)] == [("pii-nik", where)]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("declared", [None, "", "sha512:" + "0" * 128, "SHA256:" + "0" * 64])
def test_every_resource_must_declare_its_sha256(fixture_package: Path, tmp_path: Path, engine: str,
                                                declared: str | None) -> None:
    """Frictionless ignores a hash it cannot compute (a warning): a tampered file then passed its engine. releasekit
    writes a sha256 for every resource; a package without one cannot show it is the one published."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_rows(pkg, "suara", lambda rows: rows[1].__setitem__(-1, "999"))  # a vote changed
    edit_descriptor(pkg, lambda d: resource(d, "suara").__setitem__("hash", declared) if declared is not None
                    else resource(d, "suara").pop("hash"))
    assert ("integrity-error", "suara") in {(e["type"], e["resource"]) for e in problems(pkg, engine)}


@pytest.mark.parametrize("key, value", [("profile", "https://example.org/profile.json"),
                                        ("schema", "https://example.org/schema.json")])
def test_validate_reads_nothing_from_the_network(fixture_package: Path, tmp_path: Path, key: str,
                                                 value: str) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: (d if key == "profile" else resource(d, "pemilu")).__setitem__(key, value))
    for engine in ("releasekit", "frictionless"):
        assert [e["type"] for e in problems(pkg, engine)] == ["unsafe-path"]


def test_a_file_with_carriage_returns_alone_for_line_ends_is_read_as_a_csv_reader_reads_it(fixture_package: Path,
                                                                                           tmp_path: Path) -> None:
    """A CSV re-saved with "CSV (Macintosh)" line ends: its rows are read, as Frictionless reads them (it was one
    unlocated source-error that hid every other problem); only its hash differs from the one declared."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    path = pkg / "data" / "suara.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    for engine in ("releasekit", "frictionless"):
        assert [(p["type"], p["resource"]) for p in problems(pkg, engine)] == [("hash-count", "suara")], engine


@pytest.mark.parametrize("constraints", [{"minimum": "x"}, {"maxLength": "5"}, {"enum": "a"}])
def test_a_constraint_of_the_wrong_type_is_a_schema_error(fixture_package: Path, tmp_path: Path,
                                                          constraints: dict[str, Any]) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: next(f for f in resource(d, "suara")["schema"]["fields"]
                                        if f["name"] == "suara").setdefault("constraints", {}).update(constraints))
    assert types(pkg) in ({"schema-error"}, {"field-error"})  # (Frictionless's descriptor check sees some first)


def test_a_descriptor_nested_too_deep_is_a_problem(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    (pkg / "datapackage.json").write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert types(pkg) == {"package-error"}


@pytest.mark.parametrize("field, edit, breaks", [
    ("suara", {"type": "datetime"}, True), ("kode_tps", {"format": "email"}, True),
    ("kode_tps", {"constraints": {"required": True, "maxLength": 2}}, True),
    ("suara", {"constraints": {"maximum": 1}}, True),
    ("suara", {"groupChar": "."}, False),
], ids=["datetime", "email", "maxLength", "maximum", "groupChar"])
def test_what_the_checker_cannot_check_is_reported_not_passed(fixture_package: Path, tmp_path: Path, field: str,
                                                              edit: dict[str, Any], breaks: bool) -> None:
    """A schema loosened or rewritten by hand with a type, format or constraint releasekit's checker does not read:
    the checker hands the resource to Frictionless, which checks it (here every row breaks it, but groupChar's)."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: next(f for f in resource(d, "suara")["schema"]["fields"]
                                        if f["name"] == field).update(edit))
    found = problems(pkg)
    assert found == problems(pkg, "frictionless")
    assert bool(found) == breaks and {e["resource"] for e in found} <= {"suara"}
    from releasekit.tablecheck import check_package  # the checker alone says it did not read it, never 'valid'
    assert [(p.type, p.resource) for p in check_package(pkg, json.loads((pkg / "datapackage.json").read_text()))
            ] == [("resource-error", "suara")]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_nik_spelled_otherwise_in_a_package_file_is_found(fixture_package: Path, tmp_path: Path,
                                                            engine: str) -> None:
    """JSON readers show ``\\u0033…`` escapes as digits; a UTF-16 note shows its digits to any editor, a gzipped one
    to anyone who unpacks it."""
    escaped = copy_package(fixture_package, tmp_path, "escaped")
    spelled = "".join(f"\\u{ord(d):04x}" for d in NIK)
    text = (escaped / "datapackage.json").read_text()
    (escaped / "datapackage.json").write_text(text.replace('"title": "R"', f'"title": "R {spelled}"', 1))
    utf16 = copy_package(fixture_package, tmp_path, "utf16")
    (utf16 / "notes.txt").write_bytes(f"a note\nNIK {NIK}\n".encode("utf-16"))
    gzipped = copy_package(fixture_package, tmp_path, "gzipped")
    (gzipped / "notes.txt.gz").write_bytes(gzip.compress(f"a note\nNIK {NIK}\n".encode()))
    for pkg, where, line in ((escaped, "datapackage.json", 4), (utf16, "notes.txt", 2),  # (title: line 4)
                             (gzipped, "notes.txt.gz", 2)):
        assert [(e["type"], e["resource"], e["row"]) for e in problems(pkg, engine)] == [("pii-nik", where, line)]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("case", ["readme wrapped", "blockquote wrapped", "no-break spaces", "tabs", "line feed"])
def test_a_nik_a_reader_sees_joined_is_found(fixture_package: Path, tmp_path: Path, engine: str, case: str) -> None:
    """Review M #6: a README paragraph wrapped inside a NIK renders it on one line (Markdown joins the lines with a
    space), and a JSON reader shows ``\\u00a0``, ``\\t`` and ``\\n`` between its digits as the characters: each passed,
    exit 0."""
    pkg = copy_package(fixture_package, tmp_path, "pkg")
    groups = [NIK[i:i + 4] for i in range(0, 16, 4)]
    if case.endswith("wrapped"):
        quote = "> " if case.startswith("blockquote") else ""
        readme = pkg / "README.md"
        lines = readme.read_text(encoding="utf-8").split("\n")
        lines[2:2] = [f"{quote}Pelapor: NIK {groups[0]} {groups[1]}", f"{quote}{groups[2]} {groups[3]} (hubungi PPID)"]
        readme.write_text("\n".join(lines), encoding="utf-8")
        where, line = "README.md", 3
    else:
        separator = {"no-break spaces": "\u00a0", "tabs": "\t", "line feed": "\n"}[case]
        edit_descriptor(pkg, lambda d: d.__setitem__("description", separator.join(groups)))
        where, line = "datapackage.json", 1  # (json.dumps writes one line; its escapes as they are)
    assert NIK not in (pkg / where).read_text(encoding="utf-8")
    assert [(e["type"], e["resource"], e["row"]) for e in problems(pkg, engine)] == [("pii-nik", where, line)]


def test_numbers_at_the_end_and_start_of_two_lines_are_no_nik_unless_they_make_one(fixture_package: Path,
                                                                                  tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path, "pkg")
    readme = pkg / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nTPS 12\n3171012001001 dan 3171012001002\n\n"
                      f"{NIK[:8]}\n\n{NIK[8:]}\n", encoding="utf-8")  # (a blank line: two paragraphs)
    assert problems(pkg) == []


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("key, value", [("encoding", "utf-16"), ("compression", "gz")])
def test_a_resource_the_pii_gate_cannot_read_is_a_problem(fixture_package: Path, tmp_path: Path, engine: str,
                                                          key: str, value: str) -> None:
    """The gate reads UTF-8 bytes: a resource compressed or in another encoding would carry a NIK past it."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: resource(d, "pemilu").__setitem__(key, value))
    assert [(e["type"], e["resource"]) for e in problems(pkg, engine)] == [("resource-error", "pemilu")]


def test_thresholds_weigh_findings_by_the_registers_setting(fixture_package: Path, tmp_path: Path) -> None:
    """A rule the register sets to error with error_if '> 0' breaks it whatever severity findings.csv writes beside
    its findings (an edited package calling its errors warnings passed); the mismatch is named too."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    _error_finding(pkg)
    findings = pkg / "data" / "findings.csv"
    findings.write_text(findings.read_text().replace(",error,", ",warning,"))
    edit_descriptor(pkg, lambda d: d["releasekit"]["rules"]["votes-sum-mismatch"].update(
        severity="error", error_if="> 0"))
    messages = sorted(e["message"] for e in problems(pkg) if e["type"] == "rule-threshold")
    assert len(messages) == 2, messages
    assert messages[0].startswith("votes-sum-mismatch: 1 error finding(s) in ")
    assert messages[1].startswith("votes-sum-mismatch: findings.csv marks 1 finding(s) 'warning', the register "
                                  "sets the rule to 'error'")


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("edit", ["bom", "undeclared"])
def test_a_threshold_is_not_skipped_by_a_bom_or_a_findings_resource_left_out(fixture_package: Path, tmp_path: Path,
                                                                             engine: str, edit: str) -> None:
    """Review M #4: a BOM on findings.csv made every row's rule '' (so no rule was weighed), and a descriptor that
    leaves the findings resource out had none to weigh: a breached threshold passed, exit 0."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    _error_finding(pkg)
    edit_descriptor(pkg, lambda d: d["releasekit"]["rules"]["votes-sum-mismatch"].update(
        severity="error", error_if="> 0"))
    findings = pkg / "data" / "findings.csv"
    if edit == "bom":
        findings.write_bytes(b"\xef\xbb\xbf" + findings.read_bytes())
        _rehash(pkg)
        expected = "votes-sum-mismatch: 1 error finding(s) in "
    else:
        edit_descriptor(pkg, lambda d: d.__setitem__("resources", [r for r in d["resources"]
                                                                   if r["name"] != "findings"]))
        expected = "the register sets rules to 'error' but the package declares no 'findings' resource"
    messages = [e["message"] for e in problems(pkg, engine) if e["type"] == "rule-threshold"]
    assert len(messages) == 1 and messages[0].startswith(expected), messages


@pytest.mark.parametrize("severity", ["fatal", "Error"])
def test_a_severity_that_is_none_is_a_rule_threshold_problem(fixture_package: Path, tmp_path: Path,
                                                             severity: str) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: d["releasekit"]["rules"]["votes-sum-mismatch"].update(severity=severity))
    assert [e["message"] for e in problems(pkg) if e["type"] == "rule-threshold"] == [
        f'releasekit.rules.votes-sum-mismatch.severity: "{severity}" is none of error, warning, off / tingkat '
        "keparahan aturan tidak valid"]


@pytest.mark.parametrize("counts", [(True, True, False), (-5, -5, 0)])
def test_record_counts_must_be_counts(fixture_package: Path, tmp_path: Path, counts: tuple[object, ...]) -> None:
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_descriptor(pkg, lambda d: d["releasekit"]["sources"][0].update(
        zip(("records_in", "records_loaded", "records_quarantined"), counts, strict=True)))
    assert types(pkg) == {"provenance-error"}


def test_the_markdown_summary_shows_a_packages_text_as_text(fixture_package: Path, tmp_path: Path) -> None:
    """findings.csv is the package's: a rule or severity holding a pipe, a backtick or HTML must not break the step
    summary's table or become markup there."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    row = "a|b`c<b>x</b>,ppwp-2024,2024-02-16,3101011001001,<i>warning</i>,1,2,d,001\n"
    (pkg / "data" / "findings.csv").write_text(FINDINGS_HEADER + row)
    summary = invoke("validate", "--format", "markdown", str(pkg)).output
    (line,) = [line for line in summary.splitlines() if "b'c" in line]
    assert line == "| `a\\|b'c<b>x</b>` | &lt;i&gt;warning&lt;/i&gt; | 1 |"


def test_a_zip_that_would_fill_the_disk_is_not_unpacked(fixture_package: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2 MB zip can declare a 2 GiB member: it was unpacked in full into the temporary folder (a CI runner's disk
    filled). Its members' declared sizes are weighed against the room there first."""
    import shutil as shutil_module

    real = shutil_module.disk_usage
    monkeypatch.setattr(shutil_module, "disk_usage", lambda path: real(path)._replace(free=1000))
    zipped = fixture_package.parent / "real-count.zip"
    result = invoke("validate", str(zipped))
    assert result.exit_code == 1
    assert f"Error: {zipped}: unpacked, its members take " in result.output
    assert "has 1,000 free (hint: set TMPDIR to a folder with room" in result.output


def test_the_accounting_sources_csv_publishes_is_the_declared_one(fixture_package: Path, tmp_path: Path) -> None:
    """Each side was checked on its own (in = loaded + quarantined): sources.csv's records_in edited to 9999 passed."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    edit_rows(pkg, "sources", lambda rows: rows[1].__setitem__(rows[0].index("records_in"), "9999"))
    found = [e for e in problems(pkg) if e["type"] == "provenance-error"]
    assert len(found) == 1 and found[0]["resource"] == "sources"
    assert found[0]["message"].startswith("raw/tps: sources.csv says in/loaded/quarantined 9999/")


def test_the_text_report_shows_a_line_break_in_a_cell_escaped(fixture_package: Path, tmp_path: Path) -> None:
    """Review M #11: a cell quoted in a message printed its line break, so a cell could write a line of its own
    into the text report, ``<package>: valid / lolos validasi`` say (the Markdown and GitHub formats escaped it
    already)."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    forged = f"{pkg}: valid / lolos validasi"
    edit_rows(pkg, "tps", lambda rows: rows[3].__setitem__(1, f"3401012001\n{forged}"))
    _rehash(pkg)
    result = invoke("validate", str(pkg))
    assert result.exit_code == 1
    assert forged not in result.output.splitlines()
    assert f'3401012001\\n{forged}' in result.output


def test_a_zip_named_in_capitals_is_a_package(fixture_package: Path, tmp_path: Path) -> None:
    """Review M #13: ``real-count.ZIP`` (a name Windows tools write) was 'not a package'."""
    upper = tmp_path / "real-count.ZIP"
    upper.write_bytes((fixture_package.parent / "real-count.zip").read_bytes())
    result = invoke("validate", str(upper))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{upper}: valid / lolos validasi")


def test_sources_csv_publishes_what_datapackage_json_declares(fixture_package: Path, tmp_path: Path) -> None:
    """Review AL #3: a source's sha256 (or format, origin …) edited in datapackage.json alone passed: only the record
    accounting was compared with sources.csv."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    source = descriptor["releasekit"]["sources"][0]
    declared = source["sha256"]
    source["sha256"] = "0" + declared[1:]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    found = [e["message"] for e in problems(pkg) if e["type"] == "provenance-error"]
    # (and the inputs the hash is of give the sha256 sources.csv publishes: releasekit.inputshash)
    assert found == [f"{source['path']}: sha256 '0{declared[1:]}' in releasekit.sources, '{declared}' in "
                     "releasekit.inputs",
                     f'{source["path"]}: sources.csv says sha256 "{declared}", datapackage.json "0{declared[1:]}"']


def test_quarantine_csv_holds_the_rows_of_what_a_source_quarantined(fixture_package: Path, tmp_path: Path) -> None:
    """Review AL #3: quarantine.csv was not weighed against the accounting: a source's rows taken out (its hash
    declared anew) passed with its records_quarantined still counting them, and so did a row copied twice over."""
    pkg = copy_package(fixture_package, tmp_path, "real-count")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    with (pkg / "data" / "quarantine.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    path = rows[0]["source"]
    counted = next(s for s in descriptor["releasekit"]["sources"] if s["path"] == path)["records_quarantined"]
    edit_rows(pkg, "quarantine", lambda table: table.__setitem__(slice(1, None),
                                                                 [r for r in table[1:] if r[0] != path]))
    _rehash(pkg)
    found = [(e["resource"], e["message"]) for e in problems(pkg) if e["type"] == "provenance-error"]
    assert found == [("quarantine", f"{path}: quarantine.csv holds 0 row(s) of it, but datapackage.json says it "
                                    f"quarantined {counted} record(s)")]
    copy_package(fixture_package, tmp_path, "again")
    again = tmp_path / "again"
    edit_rows(again, "quarantine", lambda table: table.extend([r for r in table[1:] if r[0] == path]))
    _rehash(again)
    found = [e["message"] for e in problems(again) if e["type"] == "provenance-error"]
    assert found == [f"{path}: quarantine.csv holds {2 * counted} row(s) of it, but datapackage.json says it "
                     f"quarantined {counted} record(s)"]


def test_a_cell_past_the_limit_is_reported_and_no_message_quotes_it_whole(fixture_package: Path,
                                                                           tmp_path: Path) -> None:
    """Review BB #7: a package whose sources.csv held one quoted cell of 2 GiB ran validate out of memory (an internal
    error), and a 100 MB cell in a source's path was quoted whole in a problem's message. A cell is read up to
    64 MiB (csv.field_size_limit, which Frictionless's CSV parser raised to 2**31 when first imported, midway through a
    validation); past that the record is unreadable, reported; a message is cut at 1,000 characters."""
    from releasekit.csvlimit import CELL_LIMIT

    pkg = copy_package(fixture_package, tmp_path)
    before = csv.field_size_limit(sys.maxsize)  # (as sqlite-utils' CSV insert leaves it: the limit is the process's)
    try:
        validate_paths([pkg], engine="frictionless")  # (imports Frictionless's CSV parser, if nothing did before)
        # the program's own limit is left as it was (review CE M1); validate reads under its own, below
        assert csv.field_size_limit() == sys.maxsize and CELL_LIMIT == 64 << 20
        _a_cell_past_the_limit(pkg)
    finally:
        csv.field_size_limit(before)


def _a_cell_past_the_limit(pkg: Path) -> None:
    from releasekit.report import MESSAGE_LIMIT

    path = pkg / "data" / "sources.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    big = '"' + ("x" * 999_999 + "\n") * 70 + '"'  # (70 MB over 70 lines)
    path.write_text(header + rows[0].replace("raw/tps", big, 1) + "".join(rows[1:]), encoding="utf-8")
    found = problems(pkg)
    assert any("a CSV record cannot be read: field larger than field limit (67108864)" in p["message"]
               for p in found), [p["message"][:200] for p in found]
    assert all(len(p["message"]) <= MESSAGE_LIMIT for p in found)
    path.write_text(header + rows[0].replace("raw/tps", "y" * 5_000, 1) + "".join(rows[1:]), encoding="utf-8")
    found = problems(pkg)
    assert any(p["message"].startswith("y" * 100) and p["message"].endswith("…") for p in found), found
    assert all(len(p["message"]) <= MESSAGE_LIMIT for p in found)


def test_importing_releasekit_and_using_it_leave_the_programs_csv_field_limit_as_it_was(demo_project: Path) -> None:
    """Review CE M1: importing releasekit (Frictionless's CSV parser, imported with it, sets 2**31 - 2) and every
    validation left the process's csv field limit at 64 MiB, and a notebook's own 80 MiB cell failed after."""
    code = ("import csv, sys; csv.field_size_limit(12345); import releasekit, releasekit.cli, releasekit.diff; "
            "from releasekit import validate_paths; from releasekit.diff import diff; "
            f"assert validate_paths([{str(demo_project / 'datapackages')!r}]).valid; "
            f"diff('2024-02-15', '2024-02-20', project={str(demo_project)!r}); print(csv.field_size_limit())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout.strip()) == (0, "12345"), done.stderr[-2000:]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(demo_project: Path, tmp_path: Path) -> None:
    """Review CB M1: a 2 MB zip unpacked to 2 GiB in the temporary folder, bounded by its free space alone. A member
    that inflates past RATIO_LIMIT times its size (releasekit's CSVs: 6 to 17) is refused, nothing unpacked."""
    from releasekit.packagefiles import RATIO_LIMIT

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(demo_project / "datapackages" / "real-count.zip") as good, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            archive.writestr(info, good.read(info))
        archive.writestr("data/junk.bin", bytes(32 << 20))  # 32 MiB of zeros: about 1,000 times
    ratio = [i.file_size / i.compress_size for i in zipfile.ZipFile(bomb).infolist() if i.filename == "data/junk.bin"]
    assert ratio[0] > RATIO_LIMIT
    result = invoke("validate", str(bomb))
    assert result.exit_code == 1
    assert f"member 'data/junk.bin' inflates {ratio[0]:,.0f} times" in result.output
    assert "a zip bomb, not a package" in result.output


def test_a_descriptor_too_large_is_not_read(demo_project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Review CB M1: a gigabyte of datapackage.json (a megabyte zipped) took 2.2 GB to read, in validate and diff."""
    from releasekit import packagefiles

    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    size = (pkg / "datapackage.json").stat().st_size
    monkeypatch.setattr(packagefiles, "DESCRIPTOR_LIMIT", size - 1)
    why = f"{size:,} bytes, past the {size - 1:,} a descriptor is read up to (a package's is under 1 MB)"
    result = invoke("validate", str(pkg))
    assert result.exit_code == 1 and f"datapackage.json: {why}" in result.output
    zipped = demo_project / "datapackages" / "real-count.zip"
    assert f"member 'datapackage.json': {why}" in invoke("validate", str(zipped)).output
    diffed = invoke("diff", str(pkg), str(zipped))
    assert diffed.exit_code == 1 and f"{pkg / 'datapackage.json'}: {why}" in diffed.output


def inflating(times: int, size: int) -> bytes:
    """``size`` bytes that deflate (as zipfile deflates a member) to just under ``1/times`` of their size: the most
    seeded random bytes before zeros for which they still inflate past ``times`` times."""
    import random
    import zlib

    noise = random.Random(0).randbytes(size)

    def deflated(data: bytes) -> int:
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return len(packer.compress(data) + packer.flush())

    low, high = 0, size  # (all zeros inflate about 1,000 times, all noise about once)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if size > times * deflated(noise[:middle] + bytes(size - middle)) else (low, middle)
    return noise[:low] + bytes(size - low)


def with_members(demo_project: Path, target: Path, members: dict[str, bytes]) -> dict[str, float]:
    """The demo's real-count.zip with ``members`` added, at ``target``; how many times each added member inflates."""
    with zipfile.ZipFile(demo_project / "datapackages" / "real-count.zip") as good, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            archive.writestr(info, good.read(info))
        for name, data in members.items():
            archive.writestr(name, data)
    with zipfile.ZipFile(target) as archive:
        return {name: archive.getinfo(name).file_size / archive.getinfo(name).compress_size for name in members}


def test_a_member_inflating_just_past_the_ratio_limit_is_refused(demo_project: Path, tmp_path: Path) -> None:
    """Review CF M5: the zip bomb test's member inflates about 1,000 times; a limit of 1,000 passed it. A member of
    2 MiB (past RATIO_FLOOR, where the ratio is looked at) inflating just past RATIO_LIMIT times is refused."""
    from releasekit.packagefiles import RATIO_FLOOR, RATIO_LIMIT

    bomb = tmp_path / "just-past.zip"
    ratio = with_members(demo_project, bomb, {"data/junk.bin": inflating(RATIO_LIMIT, 2 << 20)})["data/junk.bin"]
    assert RATIO_LIMIT == 250 and RATIO_LIMIT < ratio < RATIO_LIMIT + 1 and 2 << 20 > RATIO_FLOOR
    result = invoke("validate", str(bomb))
    assert result.exit_code == 1
    assert f"member 'data/junk.bin' inflates {ratio:,.0f} times" in result.output
    assert f"past the {RATIO_LIMIT} a package's CSVs come near" in result.output


def test_a_member_inflating_200_times_or_of_no_more_than_a_mebibyte_is_unpacked(demo_project: Path,
                                                                               tmp_path: Path) -> None:
    """Review CF M5: under RATIO_LIMIT (2 MiB inflating about 200 times), or at RATIO_FLOOR bytes (1 MiB of zeros,
    about 1,000 times: a small file's ratio is not looked at), a member is unpacked and the package read."""
    from releasekit.packagefiles import RATIO_FLOOR

    zipped = tmp_path / "under.zip"
    ratios = with_members(demo_project, zipped, {"data/noise.bin": inflating(200, 2 << 20),
                                                 "data/zeros.bin": bytes(RATIO_FLOOR)})
    assert 200 < ratios["data/noise.bin"] < 201 and ratios["data/zeros.bin"] > 1000, ratios
    result = invoke("validate", str(zipped))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("member", ["./datapackage.json", "real-count/datapackage.json"])
def test_a_zipped_descriptor_too_large_is_refused_before_unpacking_wherever_it_sits(
        demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, member: str) -> None:
    """Review CF L2: the member ``./datapackage.json`` unpacks to datapackage.json; the size check by the member's
    name passed it, so it was unpacked, then reported. Helper CG2: a package in a subfolder of its zip
    (``real-count/datapackage.json``, as a zip of the folder is made) was unpacked too, then reported. Each is
    refused by the member's name, nothing unpacked."""
    from releasekit import packagefiles
    from releasekit.errors import PackageError

    zipped = tmp_path / "moved.zip"
    folder = member.rsplit("/", 1)[0] + "/"
    with zipfile.ZipFile(demo_project / "datapackages" / "real-count.zip") as good, \
            zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            name = member if info.filename == "datapackage.json" else (
                info.filename if folder == "./" else folder + info.filename)
            archive.writestr(name, good.read(info))
    with zipfile.ZipFile(zipped) as archive:
        size = archive.getinfo(member).file_size
    monkeypatch.setattr(packagefiles, "DESCRIPTOR_LIMIT", size - 1)
    unpacked: list[str] = []
    extract = zipfile.ZipFile.extract

    def recorded(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, *rest: Any) -> str:
        unpacked.append(member.filename if isinstance(member, zipfile.ZipInfo) else member)
        return extract(archive, member, *rest)

    monkeypatch.setattr(zipfile.ZipFile, "extract", recorded)
    with pytest.raises(PackageError) as refused:
        validate_paths([zipped])
    why = f"{size:,} bytes, past the {size - 1:,} a descriptor is read up to (a package's is under 1 MB)"
    assert str(refused.value) == f"{zipped}: member {member!r}: {why} (hint: this is no package; do not " \
                                 "trust it)"
    assert unpacked == []
