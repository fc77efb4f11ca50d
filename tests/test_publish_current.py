"""``publish`` and ``serve`` show only the build ``metadata.yml`` describes now (review H #5).

Before, a register added after the build was published with a page saying its data was "published here in
full" beside "this register publishes no data"; with ``datapackages/`` deleted the site said "no package
was built" over a database that held the register's rows; a zip of another build put back was published
next to the database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import invoke, write_metadata
from releasekit import load_release
from releasekit.buildcheck import StaleBuild
from releasekit.publish import serve

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}
def hint(project: Path) -> str:
    """The hint of a stale build, naming the project (review BU L4: not this folder, where the tests run)."""
    return (f"(hint: run 'releasekit build {project}' first (in Python, build(release)): it writes the database and "
            "every package from metadata.yml together)")


def _project(make_project: Any, votes: int = 1) -> Path:
    day = {"3101011001001.json": {**TPS, "chart": {**TPS["chart"], "100025": votes}}}
    project = make_project({"real-count": [{"raw": day, "name": "day", "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    return project


def _publish(project: Path, tmp_path: Path) -> tuple[int, str]:
    result = invoke("publish", tmp_path / "site", "--project", project)
    return result.exit_code, result.output.strip().splitlines()[-1]


def _edit(project: Path, change: Any) -> None:
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    change(metadata)
    write_metadata(project, metadata)


def test_a_fresh_build_is_published(make_project: Any, tmp_path: Path) -> None:
    code, _ = _publish(_project(make_project), tmp_path)
    assert code == 0
    assert (tmp_path / "site" / "static" / "downloads" / "real-count.zip").is_file()


def test_a_register_added_after_the_build_is_refused(make_project: Any, tmp_path: Path) -> None:
    project = _project(make_project)
    _edit(project, lambda m: m["registers"].append(
        {"id": "004", "slug": "dpt-dki", "title": "DPT", "status": "pending",
         "basis": {"request": {"reference": "X/1", "date": "2024-03-01", "office": "PPID KPU RI"}}, "sources": []}))
    assert _publish(project, tmp_path) == (
        1, "Error: datapackages/dpt-dki.zip: missing: register 004 has no package (added to metadata.yml after the "
           f"last build, or the file was removed) {hint(project)}")
    assert not (tmp_path / "site").exists()


def test_a_source_declared_after_the_build_is_refused(make_project: Any, tmp_path: Path) -> None:
    project = _project(make_project)
    shutil.copytree(project / "raw" / "day", project / "raw" / "day2")
    _edit(project, lambda m: m["registers"][0]["sources"].append(
        {"path": "raw/day2", "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-17"}))
    assert _publish(project, tmp_path) == (
        1, f"Error: {project / 'metadata.yml'}: the source raw/day2 (register 001) is not in build/release.db: "
           "declared after the "
           f"last build {hint(project)}")


def test_metadata_edited_after_the_build_is_refused(make_project: Any, tmp_path: Path) -> None:
    project = _project(make_project)
    _edit(project, lambda m: m["registers"][0].update(status="partially-open"))
    code, line = _publish(project, tmp_path)
    assert code == 1
    assert line.startswith("Error: datapackages/real-count.zip: the package of register 001 is not this build's: "
                           "built from other inputs than metadata.yml and the database name now")
    # Built again, it is published.
    assert invoke("build", project).exit_code == 0
    assert _publish(project, tmp_path)[0] == 0


def test_packages_removed_or_from_another_build_are_refused(make_project: Any, tmp_path: Path) -> None:
    project, other = _project(make_project), _project(make_project, votes=7)
    shutil.copyfile(other / "datapackages" / "real-count.zip", project / "datapackages" / "real-count.zip")
    code, line = _publish(project, tmp_path)
    assert code == 1 and "real-count.zip: the package of register 001 is not this build's" in line
    shutil.rmtree(project / "datapackages")
    assert _publish(project, tmp_path)[1].startswith("Error: datapackages/real-count.zip: missing")


def test_a_package_folder_removed_beside_its_zip_is_refused(make_project: Any, tmp_path: Path) -> None:
    """Review AE #1: the register page and the tables' credits read the folder, not the zip: published without it,
    the page said 'releasekit ; build inputs SHA-256 ' with both values blank, and the register's tables were
    credited to another register."""
    project = _project(make_project)
    shutil.rmtree(project / "datapackages" / "real-count")
    assert _publish(project, tmp_path) == (
        1, "Error: datapackages/real-count/datapackage.json: missing: register 001's package folder is gone though "
           f"its zip is there (the file was removed) {hint(project)}")
    assert not (tmp_path / "site").exists()


def test_a_raw_file_edited_after_the_build_is_refused(make_project: Any, tmp_path: Path) -> None:
    """The site names each source's sha256: published after the raw file changed, it named a hash the file no
    longer has, and a rebuild from the same project gave other data. Only a file whose size, modification time or
    inode moved since the build is hashed again; a file touched but the same is published, and so is a build
    whose raw data is gone (published away from it)."""
    project = _project(make_project)
    member = project / "raw" / "day" / "3101011001001.json"
    stamps = json.loads((project / "build" / "sources.json").read_text(encoding="utf-8"))
    assert len(stamps) == 1 and "raw/day" not in json.dumps(stamps)  # (digests: a name may hold a NIK)
    os.utime(member, ns=(1, 1))  # touched: the same bytes
    assert _publish(project, tmp_path)[0] == 0
    member.write_text(member.read_text().replace('"100025": 1', '"100025": 9'))
    code, line = _publish(project, tmp_path)
    assert code == 1
    assert re.fullmatch(r"Error: raw/day: changed since the last build read it \("
                        + re.escape(str(project / "metadata.yml")) + ": "
                        r"registers/0/sources/0\): its sha256 is now [0-9a-f]{64}, the build's [0-9a-f]{64} "
                        + re.escape(hint(project)), line), line
    (project / "build" / "sources.json").unlink()  # (a build of an older releasekit: every source is hashed)
    assert _publish(project, tmp_path)[1] == line
    (member.parent / "3101011001002.json").write_text("{}")  # a member added to the folder, the edit undone
    member.write_text(member.read_text().replace('"100025": 9', '"100025": 1'))
    assert "raw/day: changed since the last build" in _publish(project, tmp_path)[1]
    (member.parent / "3101011001002.json").unlink()
    assert _publish(project, tmp_path)[0] == 0  # the same bytes again
    kept = member.read_bytes()
    member.unlink()  # the folder emptied, not removed (review J #7: it was taken for a source that is gone)
    assert "raw/day: changed since the last build" in _publish(project, tmp_path)[1]
    member.write_bytes(kept)
    shutil.rmtree(project / "raw")
    assert _publish(project, tmp_path)[0] == 0
    assert invoke("build", project).exit_code == 1  # (build itself needs the raw data)


def test_serve_refuses_a_raw_file_edited_after_the_build(make_project: Any) -> None:
    project = _project(make_project)
    (project / "raw" / "day" / "3101011001001.json").write_text('{"chart": null}')

    def served(url: str) -> None:
        raise AssertionError(f"a stale build is served at {url}")

    with pytest.raises(StaleBuild, match=r"^raw/day: changed since the last build read it"):
        serve(load_release(project), port=0, ready=served)


@pytest.mark.parametrize("content", [b"", b"not a database at all, just bytes" * 100])
def test_a_damaged_database_is_named_not_an_internal_error(make_project: Any, tmp_path: Path,
                                                          content: bytes) -> None:
    project = _project(make_project)
    (project / "build" / "release.db").write_bytes(content)
    code, line = _publish(project, tmp_path)
    assert code == 1
    assert line.startswith("Error: build/release.db: cannot be read as a releasekit database (")


def test_serve_refuses_a_stale_build_before_it_serves(make_project: Any) -> None:
    project = _project(make_project)
    (project / "datapackages" / "real-count.zip").unlink()

    def served(url: str) -> None:  # (a stale build served would otherwise serve until interrupted)
        raise AssertionError(f"a stale build is served at {url}")

    with pytest.raises(StaleBuild, match=r"^datapackages/real-count.zip: missing"):
        serve(load_release(project), port=0, ready=served)


@pytest.mark.parametrize(("inside", "what"), [
    ("raw/day/site", "the project's raw sources"), ("raw", "the project's raw sources"),
    ("build/.staging", "what build keeps (build/)"), ("build/cache/x", "what build keeps (build/)"),
    ("datapackages/site", "the packages build writes (datapackages/)")])
def test_a_site_inside_the_projects_own_folders_is_refused(make_project: Any, inside: str, what: str) -> None:
    """``publish raw/day/site`` wrote ten files into a raw export: the next build read them as records of it."""
    project = _project(make_project)
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = invoke("publish", project / inside, "--project", project)
    assert result.exit_code == 1  # (as a folder that holds something else: review BU L5)
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {project / inside}: inside {what}: a site written there would change or lose them "
        "(hint: give a folder outside the project's raw/, build/ and datapackages/)")
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_serve_writes_its_site_in_build(make_project: Any) -> None:
    project = _project(make_project)
    ready: list[str] = []

    def served(url: str) -> None:
        ready.append(url)
        raise KeyboardInterrupt  # (stop before serving: the site is written)

    with pytest.raises(KeyboardInterrupt):
        serve(load_release(project), port=0, ready=served)
    assert ready and (project / "build" / "site" / "metadata.json").is_file()


def test_serve_refuses_a_build_site_it_did_not_write_and_says_what_to_do(make_project: Any) -> None:
    """Review P #3a: the hint said "give a new or empty folder", and serve takes no folder."""
    from releasekit.errors import ReleasekitError

    project = _project(make_project)
    (project / "build" / "site").mkdir()
    (project / "build" / "site" / "mine.txt").write_text("keep me")
    with pytest.raises(ReleasekitError, match="build/site: exists and is not a site releasekit wrote") as refused:
        serve(load_release(project), port=0)
    assert refused.value.hint == "serve writes its site there: move or remove what is in it"
    assert (project / "build" / "site" / "mine.txt").read_text() == "keep me"

