"""``releasekit validate`` over several paths, one of which cannot be validated (review AT #4, #5): that path is one
invalid entry of the report and the others are still validated, in every format, as for a path that does not exist.
Each test failed on the code before: a project whose metadata.yml is refused, or a file that cannot be read, stopped
the run with one ``Error:`` line and an empty JSON report; an unbuilt project's annotations named
``datapackage.json/datapackage.json``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import copy_demo, copy_package, invoke
from test_unreadable_sources import _unprivileged


def test_a_refused_project_is_one_invalid_entry_beside_the_valid_packages(fixture_package: Path,
                                                                          tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    text = (project / "metadata.yml").read_text(encoding="utf-8")
    (project / "metadata.yml").write_text(text.replace("status: open", "status: opne", 1), encoding="utf-8")
    result = invoke("validate", "--format", "json", str(project), str(fixture_package))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(p["package"], p["valid"]) for p in report["packages"]] == [(str(project), False),
                                                                       (str(fixture_package), True)]
    (problem,) = report["packages"][0]["errors"]
    assert problem["type"] == "package-error" and "registers/0/status" in problem["message"]
    assert result.stderr.startswith(f"Error: {project / 'metadata.yml'}: registers/0/status")


def test_a_package_file_that_cannot_be_read_is_one_invalid_entry(fixture_package: Path, tmp_path: Path) -> None:
    prefix = _unprivileged()
    pkg = copy_package(fixture_package, tmp_path)
    data = pkg / "data" / "hasil_tps.csv"
    data.chmod(0)
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", "releasekit", "validate", "--format", "json",
                                 str(pkg), str(fixture_package)], capture_output=True, text=True, timeout=300)
    finally:
        data.chmod(0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert [(p["package"], p["valid"]) for p in report["packages"]] == [(str(pkg), False),
                                                                       (str(fixture_package), True)]
    assert "Permission denied" in report["packages"][0]["errors"][0]["message"]


def test_an_unbuilt_project_is_named_as_a_built_one(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    result = invoke("validate", "--format", "github", str(project))
    assert result.exit_code == 1
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in result.output.splitlines() if "file=" in line}
    assert files == {f"{project}/datapackages/{slug}{end}"
                     for slug in ("real-count", "it-infrastructure", "voter-list-and-results")
                     for end in ("/datapackage.json", ".zip")}
    text = invoke("validate", str(project)).output
    assert f"{project}/datapackages/real-count: INVALID" in text and "datapackage.json: INVALID" not in text
