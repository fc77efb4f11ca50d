"""The package README's "Reading these files" section, followed as written (review CC M1, M2, L1, L2, L5, L6).

Each recipe is run on the demo's packages, not only looked for: the ``sqlite-utils`` lines load tables equal to
``release.db``'s (NULL kept NULL, types as there, the foreign keys holding), the pandas lines type every column from
the Table Schema, the ``frictionless index`` note names exactly the tables with an empty cell in a patterned column,
and the folder script gives ``sources.csv``'s hash without ``hashlib.file_digest`` (Python 3.11+).
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from releasekit.codebook import package_readme
from releasekit.config import License, Register, Release
from releasekit.tables import BY_NAME, TABLES

PACKAGES = ("real-count", "voter-list-and-results", "it-infrastructure")
#: What each Table Schema type must be read as by pandas: nullable, so an empty cell stays missing.
EXPECTED_PANDAS = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                   "date": "string", "datetime": "string"}


def _readme(demo_project: Path, slug: str) -> str:
    return (demo_project / "datapackages" / slug / "README.md").read_text(encoding="utf-8")


def _descriptor(demo_project: Path, slug: str) -> dict[str, Any]:
    return json.loads((demo_project / "datapackages" / slug / "datapackage.json").read_text(encoding="utf-8"))


def _block(readme: str, opening: str) -> str:
    """The fenced block of ``readme`` that starts with the line ``opening`` (e.g. ```` ```sh ````)."""
    return readme.split(f"\n{opening}\n", 1)[1].split("\n```", 1)[0]


# --------------------------------------------------------------------------- M1: SQLite keeps NULL


@pytest.mark.parametrize("slug", ["real-count", "voter-list-and-results"])
def test_the_sqlite_lines_load_the_tables_release_db_holds(demo_project: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, slug: str) -> None:
    """Review CC M1: `sqlite-utils insert --csv --no-detect-types` stored an empty cell as '' (sum() read 0, the
    wilayah foreign key broke). The README's lines, run as written, give each table as release.db holds it."""
    from sqlite_utils.cli import cli as sqlite_utils_cli

    readme = _readme(demo_project, slug)
    inserts = [line for line in readme.splitlines() if line.startswith("sqlite-utils insert ")]
    assert inserts and all(line.endswith("--csv --no-detect-types --empty-null") for line in inserts)
    package = shutil.copytree(demo_project / "datapackages" / slug, tmp_path / slug)
    monkeypatch.chdir(package)
    limit = csv.field_size_limit()  # (sqlite-utils' insert raises the process's limit to sys.maxsize: put it back)
    try:
        for line in _block(readme, "```sh").splitlines():
            words = shlex.split(line)
            assert words[0] == "sqlite-utils"
            result = CliRunner().invoke(sqlite_utils_cli, words[1:], catch_exceptions=False)
            assert result.exit_code == 0, (line, result.output)
    finally:
        csv.field_size_limit(limit)
    descriptor = _descriptor(demo_project, slug)
    with closing(sqlite3.connect(package / "package.db")) as con:
        con.execute("ATTACH ? AS rel", (str(demo_project / "build" / "release.db"),))
        for resource in descriptor["resources"]:
            name, schema = resource["name"], resource["schema"]
            fields = [f["name"] for f in schema["fields"]]
            rows = sum(1 for _ in csv.reader((package / resource["path"]).open(encoding="utf-8", newline=""))) - 1
            assert con.execute(f"SELECT count(*) FROM main.[{name}]").fetchone()[0] == rows
            on = " AND ".join(f"p.[{k}] = q.[{k}]" for k in schema["primaryKey"])
            same = " AND ".join(f"p.[{c}] IS q.[{c}] AND typeof(p.[{c}]) = typeof(q.[{c}])" for c in fields)
            matched = con.execute(f"SELECT count(*) FROM main.[{name}] p JOIN rel.[{name}] q ON {on} "
                                  f"WHERE {same}").fetchone()[0]
            assert matched == rows, name  # every row as release.db has it: NULL for an empty cell, never ''
            # and the table's columns as release.db declares them: types, NOT NULL and the primary key (review CF
            # M4: the lines could lose --not-null with only the version's hash pin noticing)
            declared = [con.execute(f"SELECT name, type, [notnull], pk FROM pragma_table_info(?, '{db}')",
                                    (name,)).fetchall() for db in ("main", "rel")]
            assert declared[0] == [row for row in declared[1] if row[0] in fields], name
            for fk in schema.get("foreignKeys", []):
                target = fk["reference"]["resource"] or name
                cond = " AND ".join(f"c.[{a}] = t.[{b}]" for a, b in zip(fk["fields"], fk["reference"]["fields"],
                                                                          strict=True))
                given = " AND ".join(f"c.[{a}] IS NOT NULL" for a in fk["fields"])
                broken = con.execute(f"SELECT count(*) FROM main.[{name}] c WHERE {given} AND NOT EXISTS "
                                     f"(SELECT 1 FROM main.[{target}] t WHERE {cond})").fetchone()[0]
                assert broken == 0, (name, fk)
        # (the first snapshot has no previous one, a province no parent: NULL, which the foreign key allows)
        assert con.execute("SELECT count(*) FROM snapshots WHERE previous_snapshot IS NULL").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM wilayah WHERE kode_induk IS NULL").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM hasil_tps WHERE ts = '' OR psu = ''").fetchone()[0] == 0


# --------------------------------------------------------------------------- M2: the frictionless call


def test_the_readme_names_the_frictionless_call_that_applies_the_schema(demo_project: Path) -> None:
    """Review CC M2: "`Resource(...).to_pandas()`, which applies the Table Schema" read as `Resource("data/x.csv")`
    infers types (`001` becomes 1). The README names the call through the package, its extra, and the trap."""
    readme = _readme(demo_project, "real-count")
    assert 'Package("datapackage.json").get_resource("tps").to_pandas()' in readme
    assert 'pip install "frictionless[pandas]"' in readme
    bare = next(line for line in readme.splitlines() if 'Resource("data/' in line)
    assert "infers the types" in bare and "001" in bare


# --------------------------------------------------------------------------- L1: pandas types every column


def test_every_schema_type_has_a_pandas_type() -> None:
    from releasekit.codebook import PANDAS_TYPES

    used = {f.type for table in TABLES for f in table.fields}
    assert {t: PANDAS_TYPES[t] for t in used} == {t: EXPECTED_PANDAS[t] for t in used}


def test_a_pandas_line_types_every_field_and_takes_only_empty_cells_as_missing() -> None:
    from releasekit.codebook import pandas_line

    resource = {"name": "hasil_wilayah", "path": "data/hasil_wilayah.csv",
                "schema": {"fields": [{"name": f.name, "type": f.type} for f in BY_NAME["hasil_wilayah"].fields]}}
    line = pandas_line(resource)
    assert line.startswith('hasil_wilayah = pd.read_csv("data/hasil_wilayah.csv", dtype={')
    assert line.endswith(', keep_default_na=False, na_values=[""])')
    dtype = json.loads(line.split("dtype=", 1)[1].split("}, ", 1)[0] + "}")
    assert dtype["persen"] == "Float64" and dtype["status_progress"] == "boolean" and dtype["suara_sah"] == "Int64"
    assert list(dtype) == [f.name for f in BY_NAME["hasil_wilayah"].fields]


@pytest.mark.parametrize("slug", PACKAGES)
def test_the_pandas_lines_type_every_column_from_the_schema(demo_project: Path, slug: str) -> None:
    """Review CC L1: only text columns were typed, so an integer column with a gap read as float (292.0) and a flag
    as a number; and `NA` (Namibia) would have been read as missing."""
    readme = _readme(demo_project, slug)
    lines = _block(readme, "```python").splitlines()
    assert lines[0] == "import pandas as pd"
    for resource in _descriptor(demo_project, slug)["resources"]:
        line = next(line for line in lines if line.startswith(f'{resource["name"]} = pd.read_csv('))
        match = re.fullmatch(r'(\w+) = pd\.read_csv\("([^"]+)", dtype=(\{.*\}), keep_default_na=False, '
                             r'na_values=\[""\]\)', line)
        assert match and match[1] == resource["name"] and match[2] == resource["path"], line
        assert json.loads(match[3]) == {f["name"]: EXPECTED_PANDAS[f["type"]] for f in resource["schema"]["fields"]}


@pytest.mark.parametrize("slug", PACKAGES)
def test_the_pandas_lines_round_trip_each_table(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                 slug: str) -> None:
    """With pandas installed: the README's block runs, and each frame written back (booleans as 1/0, as the package
    writes them) is its CSV byte for byte."""
    pd = pytest.importorskip("pandas")
    folder = demo_project / "datapackages" / slug
    monkeypatch.chdir(folder)
    namespace: dict[str, Any] = {}
    exec(_block(_readme(demo_project, slug), "```python"), namespace)  # noqa: S102 (the README's own lines)
    for resource in _descriptor(demo_project, slug)["resources"]:
        frame = namespace[resource["name"]]
        flags = {f["name"]: "Int8" for f in resource["schema"]["fields"] if f["type"] == "boolean"}
        written = frame.astype(flags).to_csv(index=False, lineterminator="\n")
        assert isinstance(frame, pd.DataFrame)
        assert written == (folder / resource["path"]).read_text(encoding="utf-8"), resource["name"]


# --------------------------------------------------------------------------- L2: the tables frictionless index drops


def _empty_patterned(folder: Path, resource: dict[str, Any]) -> list[str]:
    """The columns with a ``pattern`` that have an empty cell, read from the package's own CSV."""
    patterned = [f["name"] for f in resource["schema"]["fields"] if "pattern" in f.get("constraints", {})]
    with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [name for name in patterned if any(row[name] == "" for row in rows)]


@pytest.mark.parametrize("slug", PACKAGES)
def test_the_frictionless_index_note_names_this_packages_tables(demo_project: Path, slug: str) -> None:
    """Review CC L2: the note named example columns, not the tables this package loses (in the real package, also
    hasil_tps and sources), and pointed at a release.db it did not say where to find."""
    folder = demo_project / "datapackages" / slug
    readme = _readme(demo_project, slug)
    note = next(line for line in readme.splitlines() if line.startswith("- `frictionless index`"))
    named = [f"`{r['name']}` (" + ", ".join(f"`{c}`" for c in columns) + ")"
             for r in _descriptor(demo_project, slug)["resources"] if (columns := _empty_patterned(folder, r))]
    if named:
        assert note.endswith(f"In this package: {', '.join(named)}."), note
    else:
        assert note.endswith("No table of this package has such a cell."), note
    assert (slug == "it-infrastructure") == (not named)  # (the demo has both kinds)
    sqlite = next(line for line in readme.splitlines() if line.startswith("- SQLite:"))
    assert "served at `/release.db` on the release's Datasette site" in sqlite
    assert "<https://example.org/releasekit-demo>" in sqlite  # the demo's homepage


def test_without_a_homepage_the_readme_names_no_page() -> None:
    licence = License("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
    register = Register("001", "real-count", "t", "open", licenses=(licence,))
    release = Release(Path("."), "t", {"name": "p"}, (licence,), (register,), {})
    desc = {"releasekit": {"sources": [], "releasekit_version": "0", "inputs_sha256": "1" * 64},
            "licenses": [licence.to_descriptor()], "resources": []}
    text = package_readme(release, register, desc, {})
    assert "served at `/release.db` on the release's Datasette site." in text and "home page" not in text


# --------------------------------------------------------------------------- L5: tps.sumber and wilayah.sumber


def test_tps_and_wilayah_sumber_say_when_they_are_empty(demo_project: Path) -> None:
    """Review CC L5: `tps.sumber` was "Path of the raw source this row was read from", yet empty in every demo row:
    a TPS known only from results has no list naming it. The description says so, and the data agree."""
    tps, wilayah = BY_NAME["tps"].field("sumber"), BY_NAME["wilayah"].field("sumber")
    assert tps.en.startswith("Path of the TPS list that named it; empty when the TPS is known only from its code")
    assert wilayah.en.startswith("Path of the region list that named it; empty when the region is known only")
    assert BY_NAME["hasil_tps"].field("sumber").en == "Path of the raw source this row was read from."
    descriptor = _descriptor(demo_project, "real-count")
    field = next(f for r in descriptor["resources"] if r["name"] == "tps" for f in r["schema"]["fields"]
                 if f["name"] == "sumber")
    assert field["description"] == f"{tps.en}\n{tps.id}"
    assert f"| `sumber` | string | {tps.en} |" in _readme(demo_project, "real-count")
    with closing(sqlite3.connect(demo_project / "build" / "release.db")) as con:
        assert con.execute("SELECT count(*) FROM tps WHERE sumber IS NULL").fetchone()[0] > 0
        # every TPS without a list is known from a code in results or voter counts, as the description says
        assert con.execute("SELECT count(*) FROM tps WHERE sumber IS NULL AND kode_tps NOT IN "
                           "(SELECT kode_tps FROM hasil_tps UNION SELECT kode_tps FROM dpt_rekap)").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM wilayah w WHERE sumber IS NULL AND NOT EXISTS "
                           "(SELECT 1 FROM tps t WHERE t.kode_wilayah = w.kode_wilayah) AND NOT EXISTS "
                           "(SELECT 1 FROM wilayah c WHERE c.kode_induk = w.kode_wilayah)").fetchone() == (0,)


# --------------------------------------------------------------------------- L6: the folder script on any Python 3


def test_the_folder_script_needs_no_file_digest(demo_project: Path, tmp_path: Path) -> None:
    """Review CC L6: the script called `hashlib.file_digest` (Python 3.11+). Run here with it removed, as on 3.10, it
    still gives the folder's hash as sources.csv lists it."""
    readme = _readme(demo_project, "real-count")
    script = readme.split("python3 folder_sha256.py raw/…`):\n\n```python\n", 1)[1].split("\n```", 1)[0]
    (tmp_path / "folder_sha256.py").write_text(script, encoding="utf-8")
    run = ("import hashlib, runpy, sys; del hashlib.file_digest; sys.argv = sys.argv[1:]; "
           "runpy.run_path(sys.argv[0], run_name='__main__')")
    given = subprocess.run([sys.executable, "-c", run, str(tmp_path / "folder_sha256.py"),
                            "raw/synthetic_wilayah_kpu"],
                           cwd=demo_project, capture_output=True, text=True, check=True).stdout.strip()
    with (demo_project / "datapackages" / "real-count" / "data" / "sources.csv").open(encoding="utf-8",
                                                                                       newline="") as f:
        listed = {row["path"]: row["sha256"] for row in csv.DictReader(f)}
    assert given == listed["raw/synthetic_wilayah_kpu"]
    assert "file_digest" not in script and "read(1 << 20)" in script
