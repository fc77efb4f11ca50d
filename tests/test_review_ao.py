"""Session 16's fixes (review AN's suspicions and reviews AO, AP, AQ): each test failed on the code before its fix."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import copy_package, invoke, write_project
from releasekit.provenance import sha256_file
from releasekit.validate import validate_descriptor


def _with_semicolons(pkg: Path, names: tuple[str, ...], edit: dict[str, str] | None = None) -> None:
    """Rewrite resources ``names`` of the package separated by ``;``, declare that dialect, and their hash and size
    (``edit``: a column of sources.csv's first row to set, then)."""
    desc = json.loads((pkg / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] not in names:
            continue
        file = pkg / res["path"]
        with file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        for column, value in (edit or {}).items() if res["name"] == "sources" else ():
            rows[1][rows[0].index(column)] = value
        with file.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=";", lineterminator="\n").writerows(rows)
        sha256, size = sha256_file(file)
        res.update(dialect={"delimiter": ";"}, hash=f"sha256:{sha256}", bytes=size)
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def test_published_accounting_is_read_in_the_declared_dialect(demo_project: Path, tmp_path: Path) -> None:
    """AN suspicion: sources.csv, quarantine.csv and findings.csv were read by commas whatever dialect their resource
    declared. A package whose sources.csv is separated by ';', and says so (Frictionless reads it), was invalid under
    --engine frictionless: 'sources.csv says in/loaded/quarantined nothing' for every source, and its findings were
    counted as one rule named None."""
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    names = ("sources", "quarantine", "findings")
    assert {res["name"] for res in json.loads((pkg / "datapackage.json").read_text())["resources"]} >= set(names)
    before = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    assert before.valid and before.findings
    _with_semicolons(pkg, names)
    after = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    assert after.valid, after.problems
    assert [(f.rule, f.severity, f.count) for f in after.findings] == [
        (f.rule, f.severity, f.count) for f in before.findings]

    wrong = copy_package(demo_project / "datapackages" / "real-count", tmp_path, "wrong")
    _with_semicolons(wrong, names, edit={"records_in": "999999"})
    report = validate_descriptor(wrong / "datapackage.json", engine="frictionless")
    messages = [p.message for p in report.problems if p.type == "provenance-error"]
    assert len(messages) == 1 and "sources.csv says in/loaded/quarantined 999999/" in messages[0], messages


def _day(ts: str, code: str = "3401012001001") -> str:
    return json.dumps({"kode_tps": code, "chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None,
                       "ts": ts}) + "\n"


def test_a_source_stamped_after_its_snapshot_is_noted(tmp_path: Path) -> None:
    """AM friction: a capture of 20 February declared as snapshot 15 February built without a word (its changes
    then compared with the wrong day). The build notes a source whose results are stamped on a later day, from the
    cache too; one stamped on its day (or before) is not noted."""
    project = write_project(tmp_path, {"real-count": [
        {"raw": {"a.jsonl": _day("2024-02-15 23:59:59")}, "name": "d15", "format": "sirekap-tps-json",
         "election": "ppwp-2024", "snapshot": "2024-02-15"},
        {"raw": {"a.jsonl": _day("2024-02-20 08:00:00") + _day("2024-02-14 09:00:00", "3401012001002")},
         "name": "d16", "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    note = ("note: raw/d16: its results are stamped up to 2024-02-20 08:00:00 (ts), after its snapshot 2024-02-16: "
            "is the snapshot the day it was captured?")
    for run in (1, 2):  # (the second from build/cache/)
        result = invoke("build", project)
        assert result.exit_code == 0, result.output
        assert [line for line in result.output.splitlines() if line.startswith("note:")] == [note], (run, result.output)
    assert "from build/cache/" in result.output
