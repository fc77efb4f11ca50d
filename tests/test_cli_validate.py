"""``releasekit validate`` with a PATH that holds no package: invalid, and still a report in the chosen format.

The README: a PATH that does not exist or holds no package is invalid (exit 1). In CI the
markdown report is the step summary and the github one the annotations: the packages that
could be validated are reported as usual, and each PATH that could not as an invalid entry
with a ``package-error``; stderr has the one ``Error: … (hint: …)`` line per such PATH. The
text report keeps that line as the PATH's only mention (one bad PATH alone: that one line).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from conftest import invoke
from releasekit.report import PackageReport, Report, unopened

MISSING = "no such file or folder (hint: check the path)"


@pytest.fixture
def nope(tmp_path: Path) -> Path:
    """A path that does not exist."""
    return tmp_path / "nope"


def error_line(result: Result, path: Path, message: str = MISSING) -> None:
    assert result.stderr == f"Error: {path}: {message}\n", result.stderr


def test_json_reports_the_packages_validated_and_the_missing_path(fixture_package: Path, nope: Path) -> None:
    result = invoke("validate", fixture_package, nope, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [(p["package"], p["valid"]) for p in report["packages"]] == [(str(fixture_package), True),
                                                                        (str(nope), False)]
    assert report["packages"][1] == {"package": str(nope), "valid": False, "errorCount": 1,
                                     "errors": [{"type": "package-error", "message": MISSING}],
                                     "findings": [], "warnings": []}
    error_line(result, nope)


def test_markdown_summary_has_a_row_for_the_missing_path(fixture_package: Path, nope: Path) -> None:
    result = invoke("validate", fixture_package, nope, "--format", "markdown")
    assert result.exit_code == 1, result.output
    summary = result.stdout
    assert summary.startswith("## releasekit validate: ❌ invalid packages"), summary
    assert f"| `{fixture_package}` | valid | 0 |" in summary
    assert f"| `{nope}` | **invalid** | 1 | 0 |" in summary
    assert f"### `{nope}`: problems / masalah" in summary and f"| `package-error` |  | {MISSING} |" in summary
    error_line(result, nope)


def test_github_annotates_the_missing_path_itself(fixture_package: Path, nope: Path) -> None:
    result = invoke("validate", fixture_package, nope, "--format", "github")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert f"::notice title=releasekit::{fixture_package}: valid / lolos validasi" in lines
    assert f"::error file={nope},title=package-error::{MISSING}" in lines  # the path, not nope/datapackage.json
    assert lines[-1] == f"::notice title=releasekit::{nope}: INVALID / tidak lolos validasi: 1 problem(s) / masalah"
    error_line(result, nope)


def test_text_reports_the_packages_validated_and_one_error_line(fixture_package: Path, nope: Path) -> None:
    result = invoke("validate", fixture_package, nope)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"{fixture_package}: valid / lolos validasi\n"), result.stdout
    assert str(nope) not in result.stdout
    error_line(result, nope)


def test_text_with_only_a_missing_path_is_the_one_line(nope: Path) -> None:
    result = invoke("validate", nope)
    assert (result.exit_code, result.stdout) == (1, "")
    error_line(result, nope)


@pytest.mark.parametrize("fmt", ["json", "markdown", "github"])
def test_only_a_missing_path_is_still_a_report(nope: Path, fmt: str) -> None:
    result = invoke("validate", nope, "--format", fmt)
    assert result.exit_code == 1 and str(nope) in result.stdout and "package-error" in result.stdout, result.output
    error_line(result, nope)


def test_every_path_that_holds_no_package_is_reported(fixture_package: Path, tmp_path: Path) -> None:
    """A file that is no package, a zip that is no zip, an empty folder: each an entry, in the order given."""
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    (tmp_path / "empty").mkdir()
    paths = [tmp_path / "notes.txt", fixture_package, tmp_path / "broken.zip", tmp_path / "empty"]
    result = invoke("validate", *paths, "--format", "json")
    assert result.exit_code == 1, result.output
    packages = json.loads(result.stdout)["packages"]
    assert [p["package"] for p in packages] == list(map(str, paths))
    assert [p["valid"] for p in packages] == [False, True, False, False]
    messages = [p["errors"][0]["message"] for p in packages if not p["valid"]]
    assert messages[0].startswith("not a package (hint: "), messages
    assert messages[1].startswith("not a zip archive ("), messages
    assert messages[2].startswith("no datapackage.json here or one level down (hint: "), messages
    assert all(p["errors"][0]["type"] == "package-error" for p in packages if not p["valid"])
    assert len(result.stderr.splitlines()) == 3 and all(line.startswith("Error: ")
                                                          for line in result.stderr.splitlines())


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "github"])
def test_valid_packages_alone_still_exit_0(fixture_package: Path, fmt: str) -> None:
    result = invoke("validate", fixture_package, "--format", fmt)
    assert result.exit_code == 0 and result.stderr == "", result.output


def test_an_unopened_path_points_annotations_at_itself() -> None:
    report = unopened("a/b.zip", "a/b.zip: not a zip archive (bad) (hint: download the package again)")
    assert report.problems[0].message == "not a zip archive (bad) (hint: download the package again)"
    assert not report.valid and report.file_of(None) == "a/b.zip"
    assert PackageReport("a/pkg").file_of(None) == "a/pkg/datapackage.json"  # an opened package: its descriptor
    assert not Report([PackageReport("a/pkg"), report]).valid


def test_a_json_that_is_no_descriptor_is_not_a_package(fixture_package: Path, tmp_path: Path) -> None:
    """``validate package.json`` (an npm manifest) validated its folder, and every folder under it, as a package
    (a reviewer's 17 pii-nik from unrelated files): a ``.json`` of another name is a package only if it is a
    descriptor, an object with ``resources``. One renamed keeps validating."""
    project = tmp_path / "web"
    (project / "notes").mkdir(parents=True)
    (project / "package.json").write_text('{"name": "site", "version": "1.0.0"}', encoding="utf-8")
    (project / "notes" / "people.txt").write_text("3174056708850003\n", encoding="utf-8")
    for name in ("package.json", "broken.json"):
        (project / "broken.json").write_text("{", encoding="utf-8")
        result = invoke("validate", project / name)
        assert result.exit_code == 1
        error_line(result, project / name, "not a package (hint: give a package folder, datapackage.json or .zip)")
        assert "pii" not in result.output
    copy = shutil.copytree(fixture_package, tmp_path / "copy")
    (copy / "datapackage.json").rename(copy / "real-count.json")
    assert invoke("validate", copy / "real-count.json").exit_code == 0
