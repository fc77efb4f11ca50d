"""Failures of the machine are said to be the machine's, naming where, never "a bug in releasekit" (review H #7-#9).

Before: a file-size limit or quota gave ``internal error: OperationalError: disk I/O error``; a read-ahead child
killed by the out-of-memory killer ``internal error: UnpicklingError: pickle data was truncated``; 500 nested
brackets in metadata.yml ``internal error: RecursionError``; and every operating-system error, a read one
too, had the hint "check that the disk has room".
"""

from __future__ import annotations

import errno
import hashlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import releasekit.cli
from conftest import REPO, copy_demo, invoke, write_metadata
from releasekit import forked
from releasekit.cli import cli
from releasekit.errors import MachineError
from releasekit.readahead import read_ahead
from releasekit.readers.base import ReadContext, Reader, Record, Rejected


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_size_limit_stops_the_build_as_the_machines_failure(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    assert invoke("build", project).exit_code == 0
    before = _sha256(project / "build" / "release.db")
    (project / "build" / "cache").rename(tmp_path / "cache")  # (so that the build writes its database anew)
    limit = 1 << 20  # 1 MiB: the demo's database is larger

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "releasekit", "build", str(project)], capture_output=True,
                          text=True, preexec_fn=limited, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
                          timeout=600, check=False)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    assert last.startswith("Error: build/.staging: ")
    assert "while building the new release; the previous release is untouched (hint: check that the disk has " \
           "room and that no quota or file-size limit (ulimit -f) stops the write, then build again)" in last
    assert _sha256(project / "build" / "release.db") == before


class _Dies(Reader):
    """A reader whose process is killed after its first record, as the out-of-memory killer kills."""

    name = "dies"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        yield Rejected("a:1", "first", None)
        os.kill(os.getpid(), signal.SIGKILL)
        yield Rejected("a:2", "never", None)


def test_a_killed_read_ahead_child_is_named_with_its_signal(tmp_path: Path) -> None:
    if not forked.available():
        pytest.skip("no second process here: the reader runs in the build's own process")
    records = read_ahead(_Dies(), ReadContext(tmp_path / "a.jsonl", "raw/a.jsonl", None))
    with pytest.raises(MachineError) as caught:
        list(records)
    assert str(caught.value) == (
        "raw/a.jsonl: the process reading this source ended without a result (killed by signal 9, SIGKILL) "
        "(hint: a child killed by signal 9 is most often the kernel's out-of-memory killer: free memory, then "
        "build again)")


def test_a_deeply_nested_metadata_yml_is_refused_with_its_line(tmp_path: Path) -> None:
    write_metadata(tmp_path, "title: x\nregisters: " + "[" * 500 + "\n")
    result = invoke("build", tmp_path)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {tmp_path}/metadata.yml: line 2: values nested more than 50 deep (hint: metadata.yml needs a few "
        "levels; "
        "check for brackets opened and never closed)")


@pytest.mark.parametrize(("code", "hint"), [
    (errno.EACCES, "check the permissions of the file and its folder, and that the disk is not read-only"),
    (errno.ELOOP, "a symbolic link that leads back to itself: point it at the file itself"),
    (errno.EISDIR, "a folder stands where a file is expected: move it away"),
    (errno.EDQUOT, "check that the disk has room and that no quota or file-size limit (ulimit -f) stops the write"),
    (errno.ECONNRESET, "check the file and the disk, then run the command again"),
], ids=["EACCES", "ELOOP", "EISDIR", "EDQUOT", "other"])
def test_an_os_error_gets_the_hint_of_its_kind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int,
                                               hint: str) -> None:
    def validate_paths(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), "raw/day.jsonl")

    monkeypatch.setattr(releasekit.cli, "validate_paths", validate_paths)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert (result.exit_code, result.output) == (1, f"Error: raw/day.jsonl: {os.strerror(code)} (hint: {hint})\n")


def test_the_build_opens_its_databases_with_pythons_sqlite3_not_sqlite_utils_choice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sqlite-utils, given a path, connects with ``pysqlite3`` where that is installed (as Datasette's documentation
    suggests for a newer SQLite). Its errors are not ``sqlite3.Error``: with pysqlite3-binary installed, a build
    stopped by a file-size limit said 'internal error: OperationalError: disk I/O error'. Here sqlite-utils's own
    ``sqlite3`` is one that refuses to connect: every database of a build must be opened by releasekit."""
    import sqlite3
    import types

    import sqlite_utils.db

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a database opened by sqlite-utils's sqlite3: {args}")

    other = types.ModuleType("pysqlite3")
    other.__dict__.update({name: getattr(sqlite3, name) for name in dir(sqlite3) if not name.startswith("__")})
    other.connect = refuse  # type: ignore[attr-defined]
    monkeypatch.setattr(sqlite_utils.db, "sqlite3", other)
    project = copy_demo(tmp_path / "project")
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    second = CliRunner().invoke(cli, ["build", str(project)])  # (the cache and the pairs of days read back)
    assert second.exit_code == 0, second.output
