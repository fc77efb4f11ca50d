"""The version a package names is the code that made it (DESIGN.md section 9, review BY).

Every commit called itself releasekit 0.1.0 while the tables, the rules and the hashes changed: two packages of the
same raw files, ``metadata.yml`` and "version" differed, ``validate`` held an older package to today's tables and
read it as edited, and ``publish`` on a project an older commit built stopped with an internal error where it should
have said to build again. The demo's packages are pinned here with the version that writes them, so a change to what
a build writes fails this test until the version is bumped.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import as_written_by, copy_package, edit_rows, invoke
from releasekit import __version__
from releasekit.contract import other_version

#: The demo's package zips (``releasekit build`` of the repository's ``metadata.yml`` and ``raw/``, no
#: ``SOURCE_DATE_EPOCH``) as each version writes them. When this test fails because the build writes something
#: else on purpose: bump ``__version__`` in ``src/releasekit/__init__.py`` (pyproject reads it), add its hashes
#: here, and say what changed under the new version's heading in CHANGELOG.md.
DEMO_PACKAGES = {
    "0.2.0": {
        "it-infrastructure.zip": "6c45a07ae7228dc3392897ce91a7e294af4ce13d1a1278d57e4397cc2c014299",
        "real-count.zip": "a359e9c26ea77a4d1559b99691a8b6373e9a2c537818553fef477d3ca4d322bd",
        "voter-list-and-results.zip": "b9b63d7638df42481862223239d8764dcc5371495729d438d586949ae03a4ad9",
    },
    "0.3.0": {
        "it-infrastructure.zip": "ded080b6fe21eba6775eb97f5d29cfcc83a759f2647ce05286809754a753d40e",
        "real-count.zip": "ebdf0037f82082f7bedab18fccae07934ab70dbf8690f6de49b0f9cf84f7b54a",
        "voter-list-and-results.zip": "1e95493ee25c48cca0ac49b594efb54b2b93518a4691e583cbde58956b653c57",
    },
    "0.4.0": {
        "it-infrastructure.zip": "a236d55b2fee19a1270c99792f475f5530fccf4232a992e927d56042e2326588",
        "real-count.zip": "dcc7c282c7ff7f805a290ed84b52dd97ee00abacfeb150a6a40099b90319eb54",
        "voter-list-and-results.zip": "0d4001c8a5f881b658e3bcaa1a9e6f9d6fdf115f89b50fd2e1cd2b86e1ec27df",
    },
    "0.5.0": {
        "it-infrastructure.zip": "9d120fae87f9806c44b0dda185daf98a13f29443ae33a00e074262495e493424",
        "real-count.zip": "c5b063f070e712339c51aa8a77375c0fd0a3c21389b484ea91ddbb727ce1f62e",
        "voter-list-and-results.zip": "1e03680c2bb5f02f2a9b063653aaa4342fb5526fefd21ef1d54e477aed35282a",
    },
    "0.6.0": {
        "it-infrastructure.zip": "e92022145bb313b194273c7b0443e89530e72fbaf2319b79705ad6a13935d499",
        "real-count.zip": "44d06629bee9d26fd179b61cb19b27be5273da588e71c184d76f1a45e94e36e5",
        "voter-list-and-results.zip": "6047f1727939680f0eb3c96a7f3a6736500dafe9cd3dbd62ec4630ebcdacafcb",
    },
    "0.7.0": {
        "it-infrastructure.zip": "ad22d10e4a9f20df7017cf4cb47d521af3c845e6b9d29a62a09a1950253ffd3e",
        "real-count.zip": "907a9ccd0754a349df47b0da48253677225b5c3f164fe10f305c872e946aa3d8",
        "voter-list-and-results.zip": "6a1dc4bc0baaf9ff6209783e51621e98d5de14f6b8a7299645f4cfce37c4ed45",
    },
}


@pytest.mark.skipif("SOURCE_DATE_EPOCH" in os.environ, reason="the pins are of builds without SOURCE_DATE_EPOCH")
def test_the_demo_s_packages_are_the_ones_this_version_writes(demo_project: Path) -> None:
    got = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
           for p in sorted((demo_project / "datapackages").glob("*.zip"))}
    assert __version__ in DEMO_PACKAGES, f"no pinned packages for releasekit {__version__}: add them"
    assert got == DEMO_PACKAGES[__version__], (
        f"the demo's packages are not the ones releasekit {__version__} wrote: if the change is meant, bump the "
        "version and pin the new hashes (DEMO_PACKAGES)")


def test_each_version_pins_packages_of_its_own() -> None:
    """A version bumped without new hashes would pin the old version's bytes under the new name."""
    hashes = [tuple(sorted(pins.values())) for pins in DEMO_PACKAGES.values()]
    assert len(set(hashes)) == len(hashes)


def test_pyproject_reads_the_version_from_the_package() -> None:
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'attr = "releasekit.__version__"' in pyproject


def _as_version(pkg: Path, version: str) -> None:
    descriptor = pkg / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    data["releasekit"]["releasekit_version"] = version
    descriptor.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_another_version_s_package_is_not_held_to_this_version_s_tables(fixture_package: Path,
                                                                         tmp_path: Path) -> None:
    """A column this version's table has and an older version's had not: the older package is valid, with a
    warning naming both versions; the same package claiming this version is a schema-error."""
    pkg = copy_package(fixture_package, tmp_path)
    descriptor = pkg / "datapackage.json"
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    wilayah = next(r for r in data["resources"] if r["name"] == "wilayah")
    dropped = wilayah["schema"]["fields"].pop()  # the last column, as a package made before it was added
    csv_file = edit_rows(pkg, "wilayah", lambda rows: [row.pop() for row in rows])
    body = csv_file.read_bytes()
    wilayah["dialect"] = {**wilayah.get("dialect", {}), "lineTerminator": "\n"}
    wilayah.update(hash=f"sha256:{hashlib.sha256(body).hexdigest()}", bytes=len(body))
    as_written_by(pkg, data, "0.1.0")
    descriptor.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    older = invoke("validate", str(pkg))
    assert older.exit_code == 0, older.output
    assert f"built by releasekit 0.1.0, this is {__version__}: checked against its own schemas" in older.output

    _as_version(pkg, __version__)
    same = invoke("validate", str(pkg))
    assert same.exit_code == 1
    assert f"the schema is not releasekit's table wilayah: no field \"{dropped['name']}\"" in same.output
    assert "built by releasekit" not in same.output


def test_a_package_of_this_version_or_naming_none_gets_no_version_warning() -> None:
    assert other_version({"releasekit": {"releasekit_version": __version__}}) is None
    assert other_version({"name": "not releasekit's"}) is None
    assert other_version({"releasekit": {"releasekit_version": 2}}) is None
    assert other_version({"releasekit": {"releasekit_version": "9" * 100}}) == (
        f"built by releasekit {'9' * 40}, this is {__version__}: checked against its own schemas, not against the "
        f"canonical tables of this version (they may have changed since); validate it with releasekit {'9' * 40} "
        "for those")


def test_the_dump_of_an_older_versions_database_differs_and_does_not_raise(demo_project: Path,
                                                                           tmp_path: Path) -> None:
    """Review BY L1: ``dump_sha256``, the README's way to compare two builds' databases, raised ``no such column:
    sistem_kode`` on a database of releasekit 0.1.0 (a column since added)."""
    import shutil

    import sqlite_utils

    from releasekit.database import canonical_dump, dump_sha256

    older = tmp_path / "release.db"
    shutil.copy(demo_project / "build" / "release.db", older)
    db = sqlite_utils.Database(older)
    today = dump_sha256(db)
    db.execute("ALTER TABLE wilayah DROP COLUMN sistem_kode")  # (added after 0.1.0)
    dumped = list(canonical_dump(db))
    assert dump_sha256(db) != today
    rows = [line for line in dumped if line.startswith("wilayah\t")]
    assert rows and len(rows) == db["wilayah"].count
    db.close()
