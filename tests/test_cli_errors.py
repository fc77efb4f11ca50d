"""The CLI's one error-translation point: every error is one line, usage errors exit 2, bugs exit 1.

An exception releasekit did not foresee (a bug) must still print one line, masked like every message,
with a hint to rerun with ``--debug`` (which shows the traceback) and report it.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import releasekit.cli
from releasekit.cli import cli
from releasekit.errors import ReleasekitError, UsageError

NIK = "3201014501900001"  # NIK-like: region 320101, born 05-01-1990


def fail_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Make ``releasekit validate`` raise ``error`` from its library call."""
    def validate_paths(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(releasekit.cli, "validate_paths", validate_paths)


def test_an_unexpected_exception_is_one_masked_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fail_with(monkeypatch, ValueError(f"row of {NIK}\nsecond line"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and type(result.exception) is SystemExit
    assert result.output == (
        "Error: internal error: ValueError: row of 320101********** second line (hint: this is a bug in "
        "releasekit: run it again as 'releasekit --debug validate …' (or with RELEASEKIT_DEBUG=1) for the traceback, "
        "and report it)\n")
    assert NIK not in result.output and "Traceback" not in result.output


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fail_with(monkeypatch, ZeroDivisionError("boom"))
    result = CliRunner().invoke(cli, ["--debug", "validate", str(tmp_path)])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)
    assert "internal error" not in result.output


def test_the_hint_runs_and_releasekit_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    """Review BU M3: the hint said 'run the command again with --debug', and 'releasekit validate … --debug' is a
    usage error (the option is the group's): it names the command as it runs, and the variable does it too."""
    fail_with(monkeypatch, ZeroDivisionError("boom"))
    assert "'releasekit --debug validate …'" in CliRunner().invoke(cli, ["validate", str(tmp_path)]).output
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)], env={"RELEASEKIT_DEBUG": "1"})
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)
    assert "internal error" not in result.output


def test_a_releasekit_error_keeps_its_own_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fail_with(monkeypatch, ReleasekitError(f"x.csv, line 3: {NIK}", hint="fix it"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert (result.exit_code, result.output) == (1, "Error: x.csv, line 3: 320101********** (hint: fix it)\n")


def test_a_usage_error_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fail_with(monkeypatch, UsageError("--thing: unknown value 'x'", hint="use y"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert (result.exit_code, result.output) == (2, "Error: --thing: unknown value 'x' (hint: use y)\n")


def test_a_closed_pipe_is_not_a_bug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``releasekit diff … --format csv | head``: click ends quietly, as it does for every command."""
    fail_with(monkeypatch, BrokenPipeError(errno.EPIPE, "Broken pipe"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    # quietly: not "internal error", nor the full-disk line every other OSError with a strerror gets
    assert result.output == "", result.output


def test_click_usage_errors_are_untouched() -> None:
    result = CliRunner().invoke(cli, ["diff", "only-one"])
    assert result.exit_code == 2 and "Missing argument 'NEW'" in result.output


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device", "build/.staging/x.zip"),
                                   sqlite3.OperationalError("database or disk is full")])
def test_a_full_disk_is_no_bug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: Exception) -> None:
    fail_with(monkeypatch, error)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1 and "internal error" not in result.output, result.output
    assert len(result.output.splitlines()) == 1 and "hint: check that the disk has room" in result.output
    assert ("build/.staging/x.zip: No space left on device" in result.output
            or "database or disk is full" in result.output)


def test_project_may_be_its_metadata_yml(make_project: object, tmp_path: Path) -> None:
    """The hint for a missing project says PROJECT may be the metadata.yml itself; build, serve and publish used to
    refuse a file with click's exit 2 (review L #4)."""
    from conftest import invoke

    raw = Path(__file__).parent / "fixtures" / "bad" / "bom.csv"
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"}}
    project = make_project({"real-count": [{"raw": raw, "format": "csv", "election": "ppwp-2024",  # type: ignore[operator]
                                            "snapshot": "2024-02-16", "csv": mapping}]})
    built = invoke("build", project / "metadata.yml")
    assert built.exit_code == 0, built.output
    site = tmp_path / "site"
    published = invoke("publish", site, "--project", project / "metadata.yml")
    assert published.exit_code == 0, published.output
    assert (site / "release.db").is_file() and (site / "metadata.json").is_file()


def test_a_line_break_a_message_quotes_stays_on_its_line(make_project: Any, tmp_path: Path) -> None:
    """Review AC #11: an archive member's name holding a line break (legal in tar and zip) was quoted as it is, so
    the error was two lines, the second reading ``Error: nothing wrong, build OK/provinces.csv: …``."""
    import io
    import tarfile

    raw = tmp_path / "kpu.tar.gz"
    data = b"11,ACEH\n12,SUMATERA UTARA\xff\n"
    with tarfile.open(raw, "w:gz") as archive:
        member = tarfile.TarInfo("wilayah\nError: nothing wrong, build OK/provinces.csv")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    project = make_project({"regions": [{"raw": raw, "format": "kpu-wilayah-csv"}]})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "wilayah\\nError: nothing wrong" in errors[0], result.output
