"""A raw source that cannot be read, and the file that declares it (review AT #1-#3). Each test failed on the code
before: a pinned folder nobody could list was "the raw file changed" (the hash of no file), a raw/ folder that
cannot be entered stopped the library with a bare PermissionError, and every source's place said metadata.yml
whatever file declared it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_demo, invoke


def _unprivileged() -> list[str]:
    """The command prefix that runs a process without the power to read what it may not (root reads anything)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]


def _build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_unprivileged(), sys.executable, "-m", "releasekit", "build", "--clean"], cwd=project,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[tuple[Path, list[Path]]]:
    """The demo project, and a list to put folders in that are made unreadable and opened again afterwards."""
    shut: list[Path] = []
    yield copy_demo(tmp_path / "project"), shut
    for folder in shut:
        folder.chmod(0o755)


def test_a_pinned_folder_that_cannot_be_listed_is_unreadable_not_changed(closed: tuple[Path, list[Path]]) -> None:
    project, shut = closed
    folder = project / "raw" / "synthetic_wilayah_kpu"
    assert "sha256" in (project / "metadata.yml").read_text()  # (pinned: the demo pins every source)
    nested = folder / "more"
    nested.mkdir()
    for closed_folder in (folder, nested):
        shut.append(closed_folder)
        closed_folder.chmod(0)
        result = _build(project)
        closed_folder.chmod(0o755)
        shown = closed_folder.relative_to(project).as_posix()
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            f"Error: raw/synthetic_wilayah_kpu: cannot read {shown}: Permission denied (metadata.yml: "
            "registers/2/sources/0) (hint: make the raw export readable by the user who builds)"), result.stderr
        assert "Traceback" not in result.stderr and "sha256 is" not in result.stderr


def test_a_raw_folder_that_cannot_be_entered_is_one_line(closed: tuple[Path, list[Path]]) -> None:
    project, shut = closed
    shut.append(project / "raw")
    (project / "raw").chmod(0o600)  # (listed, not entered)
    result = _build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: raw/ppwp_tps_20240215.tar.gz: cannot read raw/ppwp_tps_20240215.tar.gz: Permission denied "
        "(metadata.yml: registers/0/sources/0)"), result.stderr


def test_a_source_is_placed_in_the_file_that_declares_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source's place names the YAML file that declares it, as the project was given: run from another folder
    (review AT #6), ``raw/…`` is relative to ``project/``, which the place says."""
    project = copy_demo(tmp_path / "project")
    (project / "metadata.yml").rename(project / "release.yml")
    (project / "raw" / "ppwp_tps_20240215.tar.gz").unlink()
    result = invoke("build", project / "release.yml")
    assert result.exit_code == 1
    assert result.output.strip() == (f"Error: raw/ppwp_tps_20240215.tar.gz: no such file ({project}/release.yml: "
                                     "registers/0/sources/0) (hint: put the raw export there or fix 'path')")
    (project / "release.yml").rename(project / "metadata.yml")
    for cwd, given, place in ((tmp_path, "project", "project/metadata.yml"), (project, ".", "metadata.yml")):
        monkeypatch.chdir(cwd)
        result = invoke("build", given)
        assert result.exit_code == 1
        assert result.output.strip() == (f"Error: raw/ppwp_tps_20240215.tar.gz: no such file ({place}: "
                                         "registers/0/sources/0) (hint: put the raw export there or fix 'path')")
