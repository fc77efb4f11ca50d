"""The command line as a Unix tool is expected to behave (review BU): a terminal given back after a failure, an
address that accepts once announced, help as click tools give it, generators that fail in one line."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import releasekit.cli
from conftest import RecordedProgress, copy_demo
from releasekit import build, ingest, load_release, synthetic
from releasekit.cli import BarProgress, bar_label, cli
from releasekit.publish import listen


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError], ids=["Ctrl-C", "a disk error"])
def test_a_source_that_fails_while_read_still_finishes_its_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    failure: type[BaseException]) -> None:
    """M1: the bar of the source being read was left open (the terminal's cursor hidden, 'Error:' glued to it)."""
    project = copy_demo(tmp_path / "project")

    def fails(*args: Any, **kwargs: Any) -> None:
        raise failure

    monkeypatch.setattr(ingest.Loader, "load_source", fails)
    progress = RecordedProgress()
    with pytest.raises(failure):
        build(load_release(project), progress=progress)
    assert progress.calls[-1] == "finish" and progress.calls[-2].startswith("start ")


def test_an_announced_address_accepts_before_the_server_runs() -> None:
    """M2: serve() announces the address when its sockets are bound; they listen too, so a client that connects at
    once waits for the server instead of being refused."""
    sockets = listen("127.0.0.1", 0)
    try:
        with socket.create_connection(sockets[0].getsockname()[:2], timeout=2):
            pass
    finally:
        for sock in sockets:
            sock.close()


def test_help_is_dash_h_too_and_each_command_is_summed_up_whole() -> None:
    """L7: '-h' as in sqlite-utils; the command list cut every summary off at '...'."""
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands and "build     Build build/release.db and every register's package." in commands
    for command in ("build", "validate", "diff", "serve", "publish"):
        assert CliRunner().invoke(cli, [command, "-h"]).exit_code == 0, command
    assert "SOURCE_DATE_EPOCH" in CliRunner().invoke(cli, ["build", "-h"]).output
    assert "Without PATHS: the current folder." in CliRunner().invoke(cli, ["validate", "-h"]).output


def test_serve_takes_dash_p_for_its_port(tmp_path: Path) -> None:
    """L7: '-p' as in datasette serve (an unbuilt project is refused after the options are read: exit 1, not 2)."""
    result = CliRunner().invoke(cli, ["serve", str(copy_demo(tmp_path / "project")), "-p", "0"])
    assert result.exit_code == 1 and "the release has not been built" in result.output


def test_build_silent_shows_no_progress(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    loud = CliRunner().invoke(cli, ["build", str(project)])
    assert loud.exit_code == 0 and "reading raw/" in loud.stderr
    quiet = CliRunner().invoke(cli, ["build", "--silent", "--clean", str(project)])
    assert quiet.exit_code == 0 and quiet.stderr == "" and "built 3 register package(s)" in quiet.stdout


def test_progress_with_standard_error_closed_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    """L3: 'releasekit build 2>&-' was an internal error: Python sets sys.stderr to None."""
    monkeypatch.setattr(releasekit.cli.sys, "stderr", None)
    progress = BarProgress()
    progress.start("raw/x.jsonl", 10)
    progress.update(5)
    progress.finish()


def test_a_long_source_path_is_shortened_to_fit_beside_its_bar() -> None:
    """L6: a label wider than the terminal wrapped, and every redraw left a copy of the bar on the screen."""
    path = "raw/sirekap2024_full_province_gigit_dki/derived_tps_pilpres_snapshot_20240317.csv.gz"
    label = bar_label(path, 80)
    assert len(label) == 80 - 48 and label.startswith("raw/sir") and label.endswith("20240317.csv.gz")
    assert "…" in label
    assert bar_label("raw/day.jsonl", 80) == "raw/day.jsonl"
    assert len(bar_label(path, 10)) == 20  # (never shorter than 20 characters)


def test_publish_names_the_folder_as_given(demo_project: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """L5: publish printed the folder resolved, where every other command names paths as given."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["publish", "site", "--project", str(demo_project)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote site: release.db")
    assert "serve it with: datasette serve site\n" in result.stdout


def test_the_generators_refuse_a_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """L1: a file given as RAW_DIR was a FileExistsError traceback."""
    (tmp_path / "afile").write_text("")
    assert synthetic.main([str(tmp_path / "afile")]) == 1
    err = capsys.readouterr().err
    assert err == f"Error: {tmp_path / 'afile'}: file exists (hint: give a folder to write the files into, new or " \
                  "releasekit's)\n"


@pytest.mark.parametrize("module", ["releasekit.synthetic", "releasekit.synthetic_dpt"])
def test_the_generators_piped_into_head_leave_no_traceback(tmp_path: Path, module: str) -> None:
    """L1: '| head -1' was a BrokenPipeError traceback; and the usage line named 'synthetic.py'."""
    child = subprocess.Popen([sys.executable, "-m", module, str(tmp_path / "raw")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # (the reader is gone before the first line is written)
    err = child.stderr.read().decode()
    assert child.wait() == 1 and err == ""
    usage = subprocess.run([sys.executable, "-m", module, "a", "b"], capture_output=True, text=True)
    assert usage.returncode == 2 and usage.stderr.startswith(f"usage: python -m {module} [-h] [RAW_DIR]")
