"""Review AU #1: a releasekit package whose schema was edited to fit other data was valid, checked against itself.

Each edit below keeps the package true to its own ``datapackage.json`` (hashes and sizes declared again), so
Frictionless calls it valid; it is no longer the canonical table releasekit publishes, and ``releasekit validate``
says which part departs (DESIGN.md section 6: structural problems of the schema make a package invalid).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import as_written_by, copy_package
from releasekit import __version__, validate_paths
from test_tablecheck import rehash

Descriptor = dict[str, Any]


def _resource(desc: Descriptor, name: str) -> Descriptor:
    return next(r for r in desc["resources"] if r["name"] == name)


def _field(desc: Descriptor, resource: str, name: str) -> Descriptor:
    return next(f for f in _resource(desc, resource)["schema"]["fields"] if f["name"] == name)


def _edited(pkg: Path, edit: Callable[[Descriptor], object]) -> Path:
    desc = json.loads((pkg / "datapackage.json").read_text())
    edit(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    rehash(pkg)
    return pkg


def _rename_suara_sah(pkg: Path) -> Callable[[Descriptor], object]:
    """``suara_sah`` renamed ``valid_votes`` in the schema and in the CSV's header."""
    _rewritten(pkg, "hasil_tps", lambda rows: rows.__setitem__(
        0, ["valid_votes" if label == "suara_sah" else label for label in rows[0]]))
    return lambda desc: _field(desc, "hasil_tps", "suara_sah").update(name="valid_votes")


def _drop(desc: Descriptor, name: str, pkg: Path) -> None:
    desc["resources"].remove(_resource(desc, name))
    (pkg / "data" / f"{name}.csv").unlink()


EDITS: dict[str, tuple[Callable[[Path], Callable[[Descriptor], object]], str, str]] = {
    "a zero declared missing": (
        lambda pkg: lambda d: _resource(d, "suara")["schema"].update(missingValues=["", "0"]),
        "suara", 'missingValues is ["", "0"], releasekit writes [""]'),
    "the primary key dropped": (
        lambda pkg: lambda d: _resource(d, "suara")["schema"].pop("primaryKey"),
        "suara", "primaryKey is absent, releasekit writes"),
    "the foreign keys dropped": (
        lambda pkg: lambda d: _resource(d, "suara")["schema"].pop("foreignKeys"),
        "suara", "foreignKeys is absent, releasekit writes"),
    "a column renamed": (
        _rename_suara_sah, "hasil_tps", 'no field "suara_sah" (releasekit writes'),
    "a zero declared missing in one field": (
        lambda pkg: lambda d: _field(d, "suara", "suara").update(missingValues=["", "0"]),
        "suara", 'field suara: missingValues is ["", "0"], releasekit writes absent'),
    "the findings removed": (
        lambda pkg: lambda d: _drop(d, "findings", pkg),
        None, "no 'findings' resource: every releasekit package publishes its findings"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_a_schema_edited_away_from_the_canonical_table_is_invalid(demo_project: Path, tmp_path: Path,
                                                                  case: str) -> None:
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    make_edit, resource, said = EDITS[case]
    _edited(pkg, make_edit(pkg))
    report = validate_paths([pkg]).packages[0]
    assert not report.valid
    problems = [(p.type, p.resource, p.message) for p in report.problems]
    wanted = "package-error" if resource is None else "schema-error"
    assert any(t == wanted and r == resource and said in m for t, r, m in problems), problems


def test_the_edited_package_is_valid_against_itself(demo_project: Path, tmp_path: Path) -> None:
    """The same edit under Frictionless: valid (the check is releasekit's, not a misread of the package)."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    _edited(pkg, lambda d: _resource(d, "suara")["schema"].update(missingValues=["", "0"]))
    report = validate_paths([pkg], engine="frictionless").packages[0]
    assert [p for p in report.problems if p.type != "schema-error"] == []


def test_words_of_a_schema_may_change(demo_project: Path, tmp_path: Path) -> None:
    """A field's title and description (a translation, a note) are not the table's structure."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    _edited(pkg, lambda d: _field(d, "suara", "suara").update(title="Votes", description="Stemmen."))
    assert validate_paths([pkg]).valid


def test_a_package_of_another_releasekit_version_is_checked_against_its_own_schema(demo_project: Path,
                                                                                  tmp_path: Path) -> None:
    """The tables may have grown since another version built it."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)

    def older(desc: Descriptor) -> None:
        assert desc["releasekit"]["releasekit_version"] == __version__
        as_written_by(pkg, desc, "0.0.1")
        _resource(desc, "suara")["schema"].pop("foreignKeys")

    _edited(pkg, older)
    assert validate_paths([pkg]).valid


def test_every_package_releasekit_builds_holds_its_tables_schemas(demo_project: Path) -> None:
    report = validate_paths([demo_project])
    assert report.valid and not [p for r in report.packages for p in r.problems]


def _rewritten(pkg: Path, name: str, edit: Callable[[list[list[str]]], object] = lambda rows: None,
               delimiter: str = ",") -> Path:
    """Resource ``name``'s CSV rewritten by ``edit`` (of its rows, the header first) and separated by
    ``delimiter``, its hash and size declared again."""
    file = pkg / "data" / f"{name}.csv"
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with file.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)
    rehash(pkg)
    return pkg


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_csv_resaved_with_semicolons_is_invalid_under_both_engines(demo_project: Path, tmp_path: Path,
                                                                      engine: str) -> None:
    """Review AU #4: each resource declared only its line terminator, so Frictionless guessed the delimiter and
    called a ``pemilu.csv`` re-saved with ';' (a spreadsheet in an Indonesian locale) valid, where releasekit did
    not. Every resource now declares its whole dialect."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    assert {json.dumps(r["dialect"], sort_keys=True) for r in desc["resources"]} == {json.dumps(
        {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n", "quoteChar": '"'},
        sort_keys=True)}
    _rewritten(pkg, "pemilu", delimiter=";")
    report = validate_paths([pkg], engine=engine).packages[0]
    assert not report.valid and any(p.resource == "pemilu" for p in report.problems), report.problems


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_register_code_that_lost_its_zeros_is_invalid(demo_project: Path, tmp_path: Path, engine: str) -> None:
    """Review AU #2: ``findings.register`` had no pattern, so ``001`` read back as ``1`` (a spreadsheet's round
    trip) was valid under every validator; register ids are three digits, as ``metadata.yml`` takes them."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)

    def unpadded(rows: list[list[str]]) -> None:
        column = rows[0].index("register")
        for row in rows[1:]:
            row[column] = row[column].lstrip("0")

    _rewritten(pkg, "findings", unpadded)
    report = validate_paths([pkg], engine=engine).packages[0]
    assert not report.valid
    assert any(p.resource == "findings" and p.type == "constraint-error" for p in report.problems), report.problems


def test_a_package_reads_as_tabular_in_data_package_v1_and_v2(demo_project: Path) -> None:
    """Review CC L3: v2 calls a tabular resource ``type: "table"`` (v1: ``profile: tabular-data-resource``) and a
    contributor's ``roles`` (v1: ``role``); the descriptors said only v1's, so v2 readers saw no tables. Both are
    written, and Frictionless reads every resource as a table under either standard."""
    from frictionless import Package, system

    for folder in sorted(p for p in (demo_project / "datapackages").iterdir() if p.is_dir()):
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert {(r["profile"], r["type"]) for r in desc["resources"]} == {("tabular-data-resource", "table")}
        assert [(c["role"], c["roles"]) for c in desc["contributors"]] == [("publisher", ["publisher"])]
        for standards in ("v1", "v2"):
            with system.use_context(standards=standards):
                package = Package(str(folder / "datapackage.json"))
                assert list(Package.metadata_validate(desc)) == []
                assert {r.type for r in package.resources} == {"table"}
