"""The streaming checker reports the same structural errors as frictionless, error for error."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from releasekit.validate import validate_descriptor


def edit(pkg: Path, resource: str, change: object) -> None:
    path = pkg / "data" / f"{resource}.csv"
    rows = list(csv.reader(path.open(newline="")))
    change(rows)  # type: ignore[operator]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())


def both(pkg: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    def key(report: object) -> set[tuple[object, ...]]:
        return {(p.resource, p.type, p.row, p.field) for p in report.problems  # type: ignore[attr-defined]
                if p.type not in ("pii-nik", "provenance-error", "rule-threshold")}
    ours = validate_descriptor(pkg / "datapackage.json")
    theirs = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    return key(ours), key(theirs)


def corrupt(rows: list[list[str]], changes: list[tuple[int, int, str]]) -> None:
    for row, col, value in changes:
        rows[row][col] = value


SEEDS = {
    "clean": [],
    "types": [("hasil_tps", lambda r: corrupt(r, [(1, 5, "x"), (2, 23, "yes"), (3, 5, "+7"), (3, 6, " 8")]))],
    "constraints": [("hasil_tps", lambda r: corrupt(r, [(1, 2, ""), (2, 2, "31010110010019")])),
                    ("peserta", lambda r: corrupt(r, [(1, 1, "0")])),
                    ("tps", lambda r: corrupt(r, [(1, 3, "biasa")]))],
    "keys": [("suara", lambda r: r.append(list(r[1]))),
             ("suara", lambda r: corrupt(r, [(2, 3, "7")])),
             ("tps", lambda r: corrupt(r, [(2, 1, "3101011999")]))],
    "unordered": [("suara", lambda r: r.insert(1, list(r[-1])))],
    "shape": [("hasil_tps", lambda r: r[1].append("extra")), ("suara", lambda r: r[2].pop()),
              ("suara", lambda r: r.insert(3, ["", "", "", "", ""]))],
    "quoted": [("tps", lambda r: corrupt(r, [(1, 4, 'TPS "1", utara\nbaris dua')]))],
    "header": [("pemilu", lambda r: corrupt(r, [(0, 5, "name")]))],
    "unique": [("sources", lambda r: r.append(list(r[1])))],  # with a unique constraint on sources.sha256
}


@pytest.mark.parametrize("chunk", [1 << 20, 97])  # whole files in one block, and blocks of a line or two
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_same_errors_as_frictionless(fixture_package: Path, tmp_path: Path, seed: str, chunk: int,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.tablecheck.CHUNK", chunk)
    pkg = tmp_path / "pkg"
    shutil.copytree(fixture_package, pkg)
    for resource, change in SEEDS[seed]:
        edit(pkg, resource, change)
    if seed == "unique":
        desc = json.loads((pkg / "datapackage.json").read_text())
        res = next(r for r in desc["resources"] if r["name"] == "sources")
        res["schema"]["fields"][2]["constraints"]["unique"] = True
        (pkg / "datapackage.json").write_text(json.dumps(desc))
    ours, theirs = both(pkg)
    if seed == "clean":
        assert ours == theirs
        if seed == "unique":
            assert ("sources", "unique-error", 3, "sha256") in ours == set()
    else:
        assert ours, "the seeded corruption must produce errors"
        assert ours == theirs
        if seed == "unique":
            assert ("sources", "unique-error", 3, "sha256") in ours


def test_checker_reads_the_real_descriptor(fixture_package: Path) -> None:
    desc = json.loads((fixture_package / "datapackage.json").read_text())
    assert {r["name"] for r in desc["resources"]} >= {"hasil_tps", "suara", "tps", "wilayah"}
