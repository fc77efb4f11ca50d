"""validate on packages as a downloader gets them: each kind of damage gives its error type."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_package
from releasekit.cli import cli
from releasekit.privacy import contains_nik, is_nik_like, mask_niks


def rewrite(pkg: Path, resource: str, edit: object, *, rehash: bool = True) -> None:
    """Edit a resource's rows and (by default) fix its hash and bytes, so only the edit is wrong."""
    path = pkg / "data" / f"{resource}.csv"
    rows = list(csv.reader(path.open(newline="")))
    edit(rows)  # type: ignore[operator]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    if rehash:
        desc = json.loads((pkg / "datapackage.json").read_text())
        for res in desc["resources"]:
            if res["name"] == resource:
                data = path.read_bytes()
                res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
                res["bytes"] = len(data)
        (pkg / "datapackage.json").write_text(json.dumps(desc))


def error_types(pkg: Path) -> set[str]:
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(pkg)])
    report = json.loads(result.output)
    assert result.exit_code == (0 if report["valid"] else 1)
    return {e["type"] for p in report["packages"] for e in p["errors"]}


def test_built_package_is_valid_in_every_form(fixture_package: Path) -> None:
    pkg = fixture_package
    for target in (pkg, pkg / "datapackage.json", pkg.with_suffix(".zip"), pkg.parents[1]):
        assert error_types(target) == set(), target


def test_every_csv_resource_declares_its_line_terminator(fixture_package: Path) -> None:
    """Frictionless's default lineTerminator is "\\r\\n"; releasekit's CSVs end lines with "\\n", and say so in the
    form CSV Dialect 1.0 (the descriptor's tabular-data-package profile) gives, which Frictionless 5 reads; the
    rest of the dialect is declared too, not left to a reader's guess (review AU #4)."""
    from frictionless import Package

    desc = json.loads((fixture_package / "datapackage.json").read_text())
    assert desc["profile"] == "tabular-data-package"
    for res in desc["resources"]:
        assert res["dialect"] == {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n",
                                  "quoteChar": '"'}, res["name"]
        data = (fixture_package / res["path"]).read_bytes()
        assert data.endswith(b"\n") and b"\r" not in data, res["name"]
    package = Package(str(fixture_package / "datapackage.json"))
    for resource in package.resources:
        assert resource.dialect.get_control("csv").line_terminator == "\n", resource.name
        assert resource.dialect.to_descriptor() == {"header": True, "csv": {
            "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True}}


@pytest.mark.parametrize(("dialect", "readable"), [
    ({"lineTerminator": "\r\n"}, True), ({"csv": {"lineTerminator": "\n"}}, True),
    ({"lineTerminator": "\n", "delimiter": ",", "doubleQuote": True, "csvddfVersion": "1.2"}, True),
    ({"delimiter": ";"}, False), ({"header": False}, False), ({"csv": {"quoteChar": "'"}}, False),
    ("dialect.json", False),
])
def test_the_checker_reads_a_declared_dialect_or_says_it_cannot(fixture_package: Path, tmp_path: Path,
                                                                 dialect: object, readable: bool) -> None:
    """A dialect the releasekit checker does not read (another delimiter, no header …) is not silently read as its
    own: the resource is handed to Frictionless, whose verdict on it is the default engine's too."""
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    next(r for r in desc["resources"] if r["name"] == "pemilu")["dialect"] = dialect
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(pkg)])
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"]]
    if readable:
        assert result.exit_code == 0 and errors == []
    else:
        theirs = CliRunner().invoke(cli, ["validate", "--format", "json", "--engine", "frictionless", str(pkg)])
        assert (result.exit_code, errors) == (theirs.exit_code, [
            e for p in json.loads(theirs.output)["packages"] for e in p["errors"]])
        assert "releasekit's checker" not in result.output


def test_changed_csv_byte(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    path = pkg / "data" / "hasil_tps.csv"
    data = bytearray(path.read_bytes())
    data[-3] = ord("7") if data[-3] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    assert "hash-count" in error_types(pkg)


def test_changed_byte_inside_zip(fixture_package: Path, tmp_path: Path) -> None:
    src = fixture_package.with_suffix(".zip")
    out = tmp_path / "real-count.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "data/suara.csv":
                data = data.replace(b",83\n", b",84\n", 1)
            zout.writestr(info, data)
    assert "hash-count" in error_types(out)


def test_removed_required_value(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    rewrite(pkg, "hasil_tps", lambda rows: rows[1].__setitem__(2, ""))
    assert "constraint-error" in error_types(pkg)


def test_duplicate_primary_key(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    rewrite(pkg, "suara", lambda rows: rows.append(list(rows[1])))
    assert "primary-key" in error_types(pkg)


def test_dangling_foreign_key(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    rewrite(pkg, "suara", lambda rows: rows[1].__setitem__(3, "9"))  # nomor_urut 9 is nobody
    assert "foreign-key" in error_types(pkg)


@pytest.mark.parametrize("column", [2, 4])  # kode_tps (a code column) and ts (free text)
def test_unmasked_nik_in_any_text_column(fixture_package: Path, tmp_path: Path, column: int) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    nik = "3171054512900003"  # synthetic: Jakarta prefix, 05-12-90 + 40 (a woman)
    rewrite(pkg, "hasil_tps", lambda rows: rows[1].__setitem__(column, f"x {nik}"))
    result = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert result.exit_code == 1
    assert "pii-nik" in result.output and nik not in result.output  # named, never printed
    assert "row 2" in result.output


def test_descriptor_path_with_dotdot(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][0]["path"] = "../../etc/passwd"
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    assert error_types(pkg) == {"unsafe-path"}


def test_zip_member_escaping_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("datapackage.json", "{}")
        z.writestr("../outside.txt", "x")
    result = CliRunner().invoke(cli, ["validate", str(evil)])
    assert result.exit_code == 1 and "outside" in result.output and "internal error" not in result.output


def test_provenance_accounting_is_checked(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["releasekit"]["sources"][0]["records_in"] += 1
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    assert error_types(pkg) == {"provenance-error"}


def test_a_source_without_its_sha256_is_a_provenance_error(fixture_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    del desc["releasekit"]["sources"][0]["sha256"]
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    report = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json", str(pkg)]).output)
    errors = [e for p in report["packages"] for e in p["errors"]]
    assert [e["type"] for e in errors] == ["provenance-error"] and errors[0]["message"].endswith(": no sha256")


def test_formats_and_usage(fixture_package: Path) -> None:
    runner = CliRunner()
    md = runner.invoke(cli, ["validate", "--format", "markdown", str(fixture_package)])
    assert md.exit_code == 0 and md.output.startswith("## releasekit validate")
    gh = runner.invoke(cli, ["validate", "--format", "github", str(fixture_package)])
    assert gh.exit_code == 0 and "::notice title=releasekit::" in gh.output
    assert runner.invoke(cli, ["validate", "--format", "yaml", str(fixture_package)]).exit_code == 2
    missing = runner.invoke(cli, ["validate", "/nonexistent/pkg"])
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")


def test_nik_detector() -> None:
    assert is_nik_like("3171054512900003")       # woman: day 45 -> 05
    assert is_nik_like("1101010101800001")
    assert is_nik_like("3101011001001123")       # a TPS code + 3 digits has a NIK's shape too: flagged
    assert not is_nik_like("0001010101800001")   # no province 00
    assert not is_nik_like("3171057212900003")   # day 72 - 40 = 32: impossible
    assert not is_nik_like("3171051513900003")   # month 13
    assert not is_nik_like("3100010101800001")   # regency 00
    assert not is_nik_like("3171000101800001")   # district 00
    assert contains_nik("NIK 3171054512900003 di TPS 001")
    assert not contains_nik("31710545129000031")  # 17 digits is not a NIK
    assert mask_niks("a 3171054512900003 b") == "a 317105********** b"
