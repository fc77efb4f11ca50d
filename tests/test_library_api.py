"""The library the CLI is a thin layer over, called as README's Python API says (review AT #7, #8): an argument that
names nothing is a UsageError, not a KeyError nor silently another choice. Each test failed on the code before."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit import load_release, validate_paths
from releasekit.diff import diff
from releasekit.diffreport import render
from releasekit.errors import UsageError
from releasekit.publish import write_site


def test_an_unknown_format_or_engine_is_a_usage_error(demo_project: Path) -> None:
    report = validate_paths([demo_project / "datapackages" / "real-count"])
    assert report.valid and report.render("markdown")
    with pytest.raises(UsageError, match="format 'xml': a report renders as text, json, markdown, github"):
        report.render("xml")
    with pytest.raises(UsageError, match="engine 'bogus': validate runs releasekit or frictionless"):
        validate_paths([demo_project], engine="bogus")
    changes = diff("2024-02-15", "2024-02-20", project=demo_project)
    assert "2024-02-15" in render(changes, "markdown")
    with pytest.raises(UsageError, match="format 'jsn'") as raised:
        render(changes, "jsn")
    assert raised.value.hint is not None and raised.value.hint.startswith("did you mean 'json'?")


def test_one_path_is_one_path_not_its_characters(demo_project: Path) -> None:
    """``validate_paths("datapackages")`` validated "d", "a", "t" …: 'd: no such file or folder'."""
    one = validate_paths(str(demo_project / "datapackages"))
    assert one.valid and one.to_dict() == validate_paths([demo_project / "datapackages"]).to_dict()


def test_the_site_is_written_from_the_library(demo_project: Path, tmp_path: Path) -> None:
    site = write_site(load_release(demo_project), tmp_path / "site")
    assert (site.folder / "release.db").is_file() and len(site.packages) == 3


@pytest.mark.parametrize("given", ["raw/ppwp_tps_20240320.zip", "raw/ppwp_tps_20240220.jsonl"])
def test_a_raw_file_given_as_the_project_is_told_so(demo_project: Path, given: str) -> None:
    """Review AT #10: 'not UTF-8 … (hint: save the file as UTF-8)' and 'not valid YAML … (hint: check indentation
    …)' for a raw export given where the project belongs."""
    from conftest import invoke

    result = invoke("build", demo_project / given)
    assert result.exit_code == 1
    assert result.output.rstrip().endswith(
        f"(hint: give the project folder, or its metadata.yml: {Path(given).name} is no release description)")


def test_the_help_says_what_the_commands_take_and_how_they_exit() -> None:
    """Review AT #9: diff's help left out its exit codes 1 and 2; validate's a folder of packages; build's and
    serve's that PROJECT may be the metadata.yml."""
    from conftest import invoke

    def said(command: str) -> str:
        return " ".join(invoke(command, "--help").output.split())

    assert "exit 1 when a side cannot be read, 2 on usage errors" in said("diff")
    assert "a folder of packages" in said("validate")
    for command in ("build", "serve"):
        assert "PROJECT is the project folder (default: this one) or its metadata.yml" in said(command), command
