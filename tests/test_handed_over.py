"""Validate's default engine hands a resource its checker does not read (a dialect, a field, parts) to Frictionless,
resource by resource (review AO #4: a valid ``;`` package was invalid under the default engine, valid under
``--engine frictionless``). Each test failed on the code before (every such resource was a ``resource-error``)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_package, invoke
from test_tablecheck import rehash


def _report(pkg: Path, engine: str = "releasekit") -> tuple[int, list[tuple[Any, ...]]]:
    result = invoke("validate", "--format", "json", "--engine", engine, str(pkg))
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"]]
    return result.exit_code, sorted((e["type"], e["resource"], e.get("row"), e.get("field")) for e in errors)


def _rewrite(pkg: Path, name: str, delimiter: str = ";", edit: tuple[int, str, str] | None = None) -> None:
    """Rewrite resource ``name`` separated by ``delimiter`` and declare that dialect, its hash and size; ``edit``:
    (row, column, value) to set first, row 1 the first after the header."""
    desc = json.loads((pkg / "datapackage.json").read_text())
    res = next(r for r in desc["resources"] if r["name"] == name)
    file = pkg / res["path"]
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if edit is not None:
        row, column, value = edit
        rows[row][rows[0].index(column)] = value
    with file.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)
    data = file.read_bytes()
    res.update({"dialect": {"delimiter": delimiter, "lineTerminator": "\n"},
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def test_a_valid_package_in_another_dialect_is_valid_under_both_engines(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    for name in ("wilayah", "tps", "suara"):  # (pointed at, pointing, and both)
        _rewrite(pkg, name)
    assert _report(pkg) == _report(pkg, "frictionless") == (0, [])


@pytest.mark.parametrize("name,column", [("tps", "kode_wilayah"), ("suara", "suara")])
def test_a_wrong_value_in_a_handed_resource_is_frictionless_s_problem(fixture_package: Path, tmp_path: Path,
                                                                      name: str, column: str) -> None:
    """A value of the wrong type, or a key into a resource missing, in a ``;`` resource: the same problem, at the
    same row and field, from both engines."""
    pkg = copy_package(fixture_package, tmp_path)
    _rewrite(pkg, name, edit=(2, column, "x"))
    code, ours = _report(pkg)
    assert (code, ours) == _report(pkg, "frictionless")
    assert code == 1 and ours and {error[1:3] for error in ours} == {(name, 3)}, ours  # (row 1 is the header)


def test_a_key_into_a_handed_resource_is_looked_up(fixture_package: Path, tmp_path: Path) -> None:
    """tps is read by the checker, wilayah (which its keys point at) is handed over: the key the checker cannot look
    up is Frictionless's to, and a missing one is a foreign-key error, as under ``--engine frictionless``."""
    pkg = copy_package(fixture_package, tmp_path)
    with (pkg / "data" / "wilayah.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    used = {row[rows[0].index("kode_wilayah")] for row in rows[1:]}
    with (pkg / "data" / "tps.csv").open(newline="", encoding="utf-8") as handle:
        tps = list(csv.reader(handle))
    column = tps[0].index("kode_wilayah")
    assert tps[1][column] in used
    _rewrite(pkg, "wilayah")
    _rewrite(pkg, "tps", ",", edit=(1, "kode_wilayah", "9999999999"))  # (commas: the checker reads it)
    code, ours = _report(pkg)
    assert (code, ours) == _report(pkg, "frictionless")
    assert code == 1 and [(t, r, row) for t, r, row, _ in ours] == [("foreign-key", "tps", 2)], ours


def test_a_field_the_checker_does_not_read_is_checked_by_frictionless(fixture_package: Path, tmp_path: Path) -> None:
    """A ``datetime`` field was a schema-error 'not checked by releasekit's checker'; Frictionless checks it now."""
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    res = next(r for r in desc["resources"] if r["name"] == "pemilu")
    res["schema"]["fields"].append({"name": "dibuka", "type": "datetime"})
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    file = pkg / res["path"]
    lines = file.read_text(encoding="utf-8").splitlines()
    file.write_text("\n".join([lines[0] + ",dibuka", *(line + ",2024-02-14T07:00:00Z" for line in lines[1:])]) + "\n",
                    encoding="utf-8")
    rehash(pkg)
    assert _report(pkg) == _report(pkg, "frictionless") == (0, [])
    file.write_text(file.read_text(encoding="utf-8").replace("2024-02-14T07:00:00Z", "kemarin"), encoding="utf-8")
    rehash(pkg)
    code, ours = _report(pkg)
    assert (code, ours) == _report(pkg, "frictionless")
    assert code == 1 and {(t, r, f) for t, r, _, f in ours} == {("type-error", "pemilu", "dibuka")}


def test_a_nik_in_a_handed_resource_is_still_the_pii_gate_s(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    _rewrite(pkg, "tps", edit=(1, "nama", "3174051203870001"))
    code, ours = _report(pkg)
    assert code == 1 and ("pii-nik", "tps", 2, "nama") in ours, ours  # (the first row after the header)


def test_a_malformed_key_beside_a_handed_resource_is_its_schema_error(fixture_package: Path, tmp_path: Path) -> None:
    """A foreign key without its reference is a schema-error, a resource handed over beside it or not (a guard: the
    keys into a handed resource are looked for in every resource's schema)."""
    pkg = copy_package(fixture_package, tmp_path)
    _rewrite(pkg, "pemilu")
    desc = json.loads((pkg / "datapackage.json").read_text())
    next(r for r in desc["resources"] if r["name"] == "peserta")["schema"]["foreignKeys"][0] = {
        "fields": ["kode_pemilu"]}
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    result = invoke("validate", "--format", "json", str(pkg))
    assert result.exit_code == 1 and "internal error" not in result.output, result.output
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"]]
    assert [e["type"] for e in errors] == ["schema-error"] and "reference" in errors[0]["message"], errors
