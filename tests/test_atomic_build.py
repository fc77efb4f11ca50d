"""Atomic builds: a killed build leaves the previous release as it was; one build at a time.

A project is built once (the *old* release), its metadata changed, and the build run again
in a subprocess that is killed with SIGKILL at a chosen moment — while reading, while
running the rules, while writing packages, with everything staged, and inside the final
swap. Before the swap starts, ``build/release.db`` and ``datapackages/`` must be
byte-for-byte the old release; once the journal is written, :func:`releasekit.staging.recover`
(run by the next build) must complete the *new* release exactly as an uninterrupted build
writes it. A second build started while one runs is refused with one line and exit 1.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

import twodays
from conftest import REPO, copy_demo, write_metadata
from releasekit import build, load_release, staging
from releasekit.artefacts import StreamingZip
from releasekit.cli import cli
from releasekit.database import dump_sha256
from releasekit.staging import JOURNAL, STAGING, recover, release_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

MAPPING = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
           "votes": {1: "p1", 2: "p2", 3: "p3"}}


def results_csv(rows: int) -> str:
    lines = ["kode_tps,sah,p1,p2,p3"]
    for i in range(rows):
        desa, tps = divmod(i, 40)
        votes = (i % 97, i % 89, i % 13)
        lines.append(f"3101{desa // 100 + 1:02d}{1001 + desa % 100:04d}{tps + 1:03d},{sum(votes) + i % 3},"
                     + ",".join(map(str, votes)))
    return "\n".join(lines) + "\n"


def make(make_project: Any, rows: int = 400) -> Path:
    text = results_csv(rows)
    source = {"raw": {"a.csv": text}, "name": "tps", "format": "csv", "election": "ppwp-2024",
              "snapshot": "2024-02-16", "csv": MAPPING}
    second = {**source, "raw": {"b.csv": text}, "name": "tps2", "snapshot": "2024-02-20"}
    return make_project({"real-count": [source], "results-copy": [second]})  # type: ignore[no-any-return]


def change_metadata(project: Path) -> None:
    """A new release: another description, so every datapackage.json changes, and another title of the first source,
    so its cached database is replaced too."""
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    metadata["registers"][0]["sources"][0]["title"] = "the first source, renamed"
    write_metadata(project, {**metadata, "description": "the second build"})


def state(project: Path) -> dict[str, str]:
    """Every byte of the live release: package files and the database file."""
    files = [p for p in sorted((project / "datapackages").rglob("*")) if p.is_file()]
    out = {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    db = project / "build" / "release.db"
    if db.exists():
        out["build/release.db"] = hashlib.sha256(db.read_bytes()).hexdigest()
    return out


def content(project: Path) -> tuple[dict[str, str], str]:
    """The release's content: package bytes, and the database's canonical dump (not its page layout)."""
    packages = {k: v for k, v in state(project).items() if k.startswith("datapackages/")}
    db = sqlite_utils.Database(project / "build" / "release.db")
    try:
        return packages, dump_sha256(db)
    finally:
        db.close()


def cache_state(project: Path) -> dict[str, str]:
    """Every byte of the build cache."""
    files = [p for p in sorted((project / "build" / "cache").rglob("*")) if p.is_file()]
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


DRIVER = """
import importlib, os, signal, sys
from pathlib import Path
from releasekit import build, load_release
# releasekit.build is also the name of a function, so the modules are looked up by name
artefacts, builder, buildcache, ingest, package, staging = (
    importlib.import_module(f"releasekit.{m}") for m in ("artefacts", "build", "buildcache", "ingest", "package",
                                                         "staging"))

moment, project = sys.argv[1], Path(sys.argv[2])
calls = {"n": 0}

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def after(module, name, count=1, before=False):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if before and calls["n"] >= count:
            kill()
        result = original(*args, **kwargs)
        if not before and calls["n"] >= count:
            kill()
        return result
    setattr(module, name, wrapper)

if moment == "reading":      # the first source loaded, the second not yet
    after(ingest.Loader, "load_source")
elif moment == "rules":
    after(builder, "run_rules", before=True)
elif moment == "packages":   # some package CSVs written
    after(package, "write_csv", count=5)
elif moment == "zip":        # some members of a package zip written
    after(artefacts, "_add_member", count=2)
elif moment == "staged":     # everything staged, commit not begun
    after(staging.Stage, "commit", before=True)
elif moment == "journal":    # the journal written, nothing swapped yet
    after(staging, "recover", count=2, before=True)
elif moment == "swap":       # datapackages/ swapped, release.db not yet replaced
    after(staging, "_swap")
elif moment == "cache":      # the loaded sources being copied into build/cache/
    after(buildcache.SourceCache, "store", before=True)
build(load_release(project), clean=moment in ("reading", "cache"))  # so that the sources are read again
"""
BEFORE_SWAP = ["reading", "cache", "rules", "packages", "zip", "staged", "journal"]


@pytest.fixture(scope="module")
def reference(make_project: Any) -> tuple[dict[str, str], str]:
    """What an uninterrupted second build writes (packages are byte-identical on any path)."""
    project = make(make_project)
    change_metadata(project)
    build(load_release(project))
    return content(project)


@pytest.mark.parametrize("moment", [*BEFORE_SWAP, "swap"])
def test_a_killed_build_leaves_the_old_release_or_the_recovered_new_one(
        moment: str, make_project: Any, reference: tuple[dict[str, str], str]) -> None:
    project = make(make_project)
    build(load_release(project))
    old, cached = state(project), cache_state(project)
    change_metadata(project)
    proc = subprocess.run([sys.executable, "-c", DRIVER, moment, str(project)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    journal = project / "build" / JOURNAL
    if moment in BEFORE_SWAP:
        assert state(project) == old  # exactly as it was, byte for byte
    if moment in ("journal", "swap"):  # the journal is written: the new release has won
        assert journal.exists() and (project / "datapackages").is_dir()  # never a moment without packages
    else:  # (review Q #3: "staged" had moved the new cache in)
        assert cache_state(project) == cached
    assert journal.exists() == (moment in ("journal", "swap"))
    if journal.exists():
        assert recover(project) and not journal.exists()
        assert content(project) == reference
    else:  # the next build throws the staged files away and builds normally
        build(load_release(project))
        assert content(project) == reference
    assert not (project / "build" / STAGING).exists()


def killed_in_its_swap(make_project: Any) -> Path:
    """A built project whose next build (of changed metadata) was killed between the packages' swap and the
    database's, its journal left."""
    project = make(make_project)
    build(load_release(project))
    change_metadata(project)
    proc = subprocess.run([sys.executable, "-c", DRIVER, "swap", str(project)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL and (project / "build" / JOURNAL).exists(), proc.stderr
    return project


def test_publish_after_a_build_killed_in_its_swap_finishes_the_swap_first(
        make_project: Any, reference: tuple[dict[str, str], str], tmp_path: Path, cli_runner: CliRunner) -> None:
    """Review Q #2: killed between the packages' swap and the database's, a build left the new packages beside the
    old database, and ``publish`` (and ``serve``) published the two as one release, exit 0."""
    project = killed_in_its_swap(make_project)
    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert not (project / "build" / JOURNAL).exists() and content(project) == reference
    published = (tmp_path / "site" / "release.db").read_bytes()
    assert published == (project / "build" / "release.db").read_bytes()


def test_publish_waits_for_no_build_and_a_build_names_the_publish_it_met(make_project: Any,
                                                                        cli_runner: CliRunner) -> None:
    """publish reads the release under the build's lock: a build running is not published beneath it."""
    project = make(make_project)
    build(load_release(project))
    with release_lock(project):
        result = cli_runner.invoke(cli, ["publish", str(project / "site"), "--project", str(project)])
        assert result.exit_code == 1 and "another build of this project is running" in result.output
    with release_lock(project, "publish"):
        result = cli_runner.invoke(cli, ["build", str(project)])
        assert result.exit_code == 1 and "another publish of this project is running" in result.output


def test_publish_reads_a_project_it_cannot_write(make_project: Any, tmp_path: Path, cli_runner: CliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Review R #2: the lock made ``publish`` fail on a read-only project (``build/.lock: Read-only file system``);
    there it publishes unlocked, unless a killed build's swap waits to be finished."""
    project = make(make_project)
    build(load_release(project))
    monkeypatch.setattr("releasekit.staging._writable", lambda path: False)  # (as on a read-only mount)
    lock = project / "build" / ".lock"
    lock.unlink()
    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
    assert result.exit_code == 0 and not lock.exists(), result.output
    (project / "build" / JOURNAL).write_text("{}")
    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
    assert result.exit_code == 1 and "cannot be written to finish the swap" in result.output, result.output


def test_two_publishes_read_at_once(make_project: Any, cli_runner: CliRunner) -> None:
    """Review R #9: a publish holds the lock shared: another publish reads beside it, a build does not."""
    project = make(make_project)
    build(load_release(project))
    with release_lock(project, "publish", shared=True):
        result = cli_runner.invoke(cli, ["publish", str(project / "site"), "--project", str(project)])
        assert result.exit_code == 0, result.output
        assert cli_runner.invoke(cli, ["build", str(project)]).exit_code == 1


def test_a_cache_that_cannot_be_kept_does_not_fail_the_build(make_project: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Review R #5: the caches are kept once the journal says the new release wins; one that cannot be kept (a full
    disk) failed the build, exit 1, with the new release in place. Now it is left out, and the next build reads its
    sources again."""
    project = make(make_project)
    change_metadata(project)

    def full(self: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("releasekit.buildcache.SourceCache.commit", full)
    build(load_release(project))
    assert "the second build" in (project / "datapackages" / "real-count" / "datapackage.json").read_text()
    assert not (project / "build" / "cache").exists()  # (left out: nothing was kept)
    monkeypatch.undo()  # the next build reads its sources again, and keeps them
    build(load_release(project))
    assert list((project / "build" / "cache").glob("*.db"))


def test_builds_killed_at_random_moments_leave_old_or_new(make_project: Any, tmp_path: Path) -> None:
    project = make(make_project, rows=2000)
    metadata = project / "metadata.yml"
    old_metadata = metadata.read_text(encoding="utf-8")
    build(load_release(project))
    old_content = content(project)
    change_metadata(project)
    new_metadata = metadata.read_text(encoding="utf-8")
    reference = tmp_path / "reference"
    shutil.copytree(project, reference, symlinks=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "releasekit", "build", str(reference)], check=True, capture_output=True,
                   timeout=300)
    duration = time.perf_counter() - started  # a whole build as the killed ones run it, start-up included
    new_content = content(reference)
    outcomes = []
    for fraction in (0.5, 0.85, 0.97):
        if content(project) != old_content:  # the last kill came after the commit: start from the old one again
            write_metadata(project, old_metadata)
            build(load_release(project))
        write_metadata(project, new_metadata)
        proc = subprocess.Popen([sys.executable, "-m", "releasekit", "build", str(project)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)
        recover(project)  # what the next build does first
        assert content(project) in (old_content, new_content), fraction
        outcomes.append("old" if content(project) == old_content else "new")
    print("outcomes of the kills:", outcomes)


def test_a_completed_build_replaces_the_whole_release(make_project: Any) -> None:
    project = make(make_project)
    build(load_release(project))
    (project / "datapackages" / "stale-register").mkdir()
    inode = (project / "datapackages").stat().st_ino
    change_metadata(project)
    build(load_release(project))
    assert (project / "datapackages").stat().st_ino != inode  # a new folder swapped in, not edited in place
    assert sorted(p.name for p in (project / "datapackages").iterdir()) == [
        "real-count", "real-count.zip", "results-copy", "results-copy.zip"]
    assert sorted(p.name for p in (project / "build").iterdir()) == [".lock", "cache", "release.db", "sources.json"]


def test_a_second_build_of_the_same_project_is_refused(make_project: Any, cli_runner: CliRunner) -> None:
    project = make(make_project)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from releasekit.staging import release_lock\n"
        "with release_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)"), str(project)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = cli_runner.invoke(cli, ["build", str(project)])
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert lines[0] == (f"Error: build/.lock: another build of this project is running (pid {holder.pid}) "
                            "(hint: wait for it to finish; the lock is released as soon as it ends)")
        assert not (project / "datapackages").exists()
    finally:
        holder.kill()
        holder.wait()
    assert cli_runner.invoke(cli, ["build", str(project)]).exit_code == 0  # the kernel released the lock


def test_the_lock_is_held_in_process_too(make_project: Any) -> None:
    project = make(make_project)
    with release_lock(project):
        result = CliRunner().invoke(cli, ["build", str(project)])
        assert result.exit_code == 1 and f"(pid {os.getpid()})" in result.output


def test_a_step_failing_while_the_packages_wait_fails_the_build(make_project: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaging thread waits for the rules' findings: a failure of the rules must end it, not hang the build."""
    project = make(make_project)
    build(load_release(project))
    old = state(project)
    change_metadata(project)

    def failing_rules(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rules broke")

    import importlib
    monkeypatch.setattr(importlib.import_module("releasekit.build"), "run_rules", failing_rules)
    with pytest.raises(RuntimeError, match="rules broke"):
        build(load_release(project))
    assert state(project) == old
    assert not any(p.is_dir() for p in (project / "build").iterdir() if p.name.startswith(STAGING))


def test_a_zip_that_cannot_be_finished_fails_instead_of_hanging(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while the zip's directory is written (after the last member) is an error, not a wait forever."""
    member = tmp_path / "a.csv"
    member.write_text("a\n1\n")

    def full(self: zipfile.ZipFile) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "close", full)
    zipper = StreamingZip(tmp_path / "p.zip")
    zipper.add("a.csv", member)
    outcome: list[BaseException | None] = []

    def close() -> None:
        try:
            zipper.close()
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - what close() raised is the outcome checked
            outcome.append(e)

    closer = threading.Thread(target=close, daemon=True)
    closer.start()
    closer.join(10)
    assert not closer.is_alive(), "StreamingZip.close() hangs"
    assert isinstance(outcome[0], OSError) and outcome[0].errno == errno.ENOSPC
    assert not (tmp_path / "p.zip").exists()


CHILD_OF_KILLED = """
import time
from releasekit import forked
child = forked.Forked(lambda: time.sleep(60))
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_forked_child_dies_with_its_parent(tmp_path: Path) -> None:
    """A child outliving a killed build would keep the build's lock file open, so the project locked."""
    parent = subprocess.Popen([sys.executable, "-c", CHILD_OF_KILLED], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = Path(f"/proc/{child}/status")
        if not status.exists() or "\nState:\tZ" in status.read_text():
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the forked child outlived its parent")


@pytest.mark.parametrize("folder", ["build", "datapackages"])
def test_a_file_where_a_release_folder_belongs_is_one_line_naming_it(folder: str, make_project: Any,
                                                                     cli_runner: CliRunner) -> None:
    """It was 'build: File exists (hint: check that the disk has room …)', a hint about something else."""
    project = make_project({"r": twodays.sources((twodays.DAY1,))})
    (project / folder).write_text("not a folder\n", encoding="utf-8")
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {project / folder}: a file where the release's {folder}/ folder belongs (hint: move it out of the "
        f"way: a build writes {folder}/ there)"]
    assert (project / folder).read_text(encoding="utf-8") == "not a folder\n"


def _other_file_system(tmp_path: Path) -> Path:
    """A folder on another file system than ``tmp_path`` (``/dev/shm``, a tmpfs on Linux), or the test is skipped."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK) or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no writable /dev/shm on another file system than the tests' folder")
    folder = shm / f"releasekit-test-{os.getpid()}-{tmp_path.name}"
    folder.mkdir()
    return folder


def test_a_build_folder_on_another_file_system_is_refused_before_any_work(make_project: Any, tmp_path: Path,
                                                                          cli_runner: CliRunner) -> None:
    """Review BI M2: with ``build/`` a link to a tmpfs, every build failed at its very end ("Invalid cross-device
    link": the staged packages cannot be renamed into the project), and the journal it left made every later build,
    ``build --clean`` and ``publish`` fail the same way, until ``build/.commit`` was deleted by hand."""
    elsewhere = _other_file_system(tmp_path)
    try:
        project = make(make_project)
        build(load_release(project))
        before = content(project)
        shutil.move(project / "build", elsewhere / "build")
        (project / "build").symlink_to(elsewhere / "build")
        said = "Error: build/: on another file system or mount than the project ("
        for command in (["build", str(project)], ["build", "--clean", str(project)]):
            result = cli_runner.invoke(cli, command)
            assert result.exit_code == 1 and result.output.startswith(said), result.output
            assert "(hint: keep build/ on the project's file system" in result.output
        assert content(project) == before and not (project / "build" / JOURNAL).exists()
        # A project a build of an earlier version left with such a journal: publish says why, not "cross-device".
        (project / "build" / JOURNAL).write_text('{"packages_inode": 1, "packages_device": 1}', encoding="utf-8")
        result = cli_runner.invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
        assert result.exit_code == 1 and result.output.startswith(said), result.output
        (project / "build").unlink()  # (as the hint says: then it builds)
        assert cli_runner.invoke(cli, ["build", str(project)]).exit_code == 0
    finally:
        shutil.rmtree(elsewhere)


def test_a_folder_mounted_at_datapackages_or_build_is_refused(make_project: Any, tmp_path: Path,
                                                                cli_runner: CliRunner) -> None:
    """A folder of the same disk bind-mounted at ``datapackages/`` or ``build/`` (Docker's ``-v``) has the project's
    device number, and ``os.path.ismount`` says False of it; the swap could not rename it ("Device or resource busy",
    "Invalid cross-device link") and left a journal every later build and publish failed on (review BJ H1)."""
    if shutil.which("mount") is None or not Path("/proc/self/mountinfo").exists():
        pytest.skip("no mount(8) or /proc/self/mountinfo here")
    project = make(make_project)
    for name, said in (("datapackages", "Error: datapackages/: a mount point: a build puts its new packages"),
                       ("build", "Error: build/: on another file system or mount than the project (")):
        source, target = tmp_path / f"{name}-elsewhere", project / name
        source.mkdir()
        target.mkdir(exist_ok=True)
        if subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True).returncode != 0:
            pytest.skip("this user cannot bind-mount")
        try:
            assert os.stat(target).st_dev == os.stat(project).st_dev and not os.path.ismount(target)
            result = cli_runner.invoke(cli, ["build", str(project)])
            assert result.exit_code == 1 and result.output.startswith(said), result.output
            assert not (project / "build" / JOURNAL).exists()
        finally:
            subprocess.run(["umount", str(target)], check=True)
    assert cli_runner.invoke(cli, ["build", str(project)]).exit_code == 0


@pytest.mark.parametrize("target", ["datapackages/real-count", "."])
def test_validate_across_a_builds_swap_reads_one_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         target: str) -> None:
    """Review BX M4: validate read the descriptor of the release a build swapped out and the files of the one it
    swapped in, and called the valid release INVALID, as edited (3 runs of 54). A package whose folder was swapped
    while it was read is read again."""
    from releasekit import validate as validating

    project = copy_demo(tmp_path / "p")
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    for register in metadata["registers"]:
        register["sources"] = [s for s in register.get("sources", []) if s["path"] != "raw/ppwp_tps_20240220.jsonl"]
    write_metadata(project, metadata)
    build(load_release(project))  # the release the build swaps out
    shutil.copytree(project / "datapackages", tmp_path / "other")
    shutil.copy(REPO / "metadata.yml", project / "metadata.yml")
    build(load_release(project))  # the release it swaps in
    original = validating._referenced
    swapped = []

    def referenced(descriptor: dict[str, Any]) -> list[str]:
        if not swapped:  # (just after the descriptor was read: the build's swap)
            swapped.append(True)
            os.rename(project / "datapackages", tmp_path / "aside")
            os.rename(tmp_path / "other", project / "datapackages")
        return original(descriptor)

    # the old release in place, swapped for the new one as the first package's descriptor is read
    os.rename(project / "datapackages", tmp_path / "new")
    shutil.move(tmp_path / "other", project / "datapackages")
    os.rename(tmp_path / "new", tmp_path / "other")
    monkeypatch.setattr(validating, "_referenced", referenced)
    result = CliRunner().invoke(cli, ["validate", str(project / target)])
    assert swapped and result.exit_code == 0, result.output
    assert "INVALID" not in result.output and "byte-count" not in result.output


def test_ctrl_c_while_the_release_is_put_in_place_finishes_it_and_says_so(
        make_project: Any, reference: tuple[dict[str, str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BX L1: Ctrl-C once the journal was written printed "Aborted!", exit 1, while the new release was in
    place (or was put in place by the next command, the packages beside the old database until then), and the cache
    was lost."""
    project = make(make_project)
    build(load_release(project))
    change_metadata(project)
    original = staging._swap

    def interrupted(*args: Any) -> None:  # Ctrl-C between the journal and the swap
        os.kill(os.getpid(), signal.SIGINT)
        original(*args)

    monkeypatch.setattr(staging, "_swap", interrupted)
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0 and "Aborted" not in result.output, result.output
    assert ("note: interrupted (Ctrl-C) while the new release was put in place: that was finished, and the new "
            "release is in place\n") in result.output
    assert content(project) == reference and not (project / "build" / JOURNAL).exists()
    monkeypatch.undo()
    again = CliRunner().invoke(cli, ["build", str(project)])
    assert again.exit_code == 0 and "from build/cache/" in again.output, again.output  # (the cache was kept)
    assert "interrupted" not in again.output and "stopped" not in again.output


def test_a_build_that_finishes_a_killed_builds_swap_says_so(make_project: Any,
                                                            reference: tuple[dict[str, str], str]) -> None:
    """Review BX L1: recovery was silent."""
    project = killed_in_its_swap(make_project)
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert ("note: an earlier build was stopped while it put its release in place: this build finished that first, "
            "then built its own\n") in result.output
    assert content(project) == reference


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds an open folder's path in /proc/self/fd")
def test_an_old_release_that_cannot_be_removed_never_blocks_the_next_builds(
        make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BX L2: a file of the replaced release this account could not delete (root's, left by a Docker run) was
    left in build/.staging without a word, and every later build failed with "build/.staging/datapackages: File
    exists", naming neither the file nor what to do."""
    project = make(make_project)
    build(load_release(project))
    original = os.unlink

    def unlink(path: Any, *, dir_fd: int | None = None) -> None:
        where = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path) if dir_fd is not None else str(path)
        if f"/{STAGING}" in where and where.endswith(f"{os.sep}README.md"):
            raise PermissionError(errno.EPERM, "Operation not permitted", where)
        original(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink)
    for attempt in range(2):
        change_metadata(project) if attempt == 0 else None
        result = CliRunner().invoke(cli, ["build", str(project)])
        assert result.exit_code == 0, result.output
        assert re.search(rf"note: build/{STAGING}/\S+/README\.md: could not be removed with the "
                         rf"release this build replaced \(in build/{STAGING}/\): remove it with the account that owns "
                         "it; the next build sets what is left aside\n", result.output), result.output
    assert (project / "build" / f"{STAGING}-trash-1").is_dir()  # (the second build set the first's leftover aside)
    monkeypatch.undo()
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0 and "could not be removed" not in result.output, result.output
    assert sorted(p.name for p in (project / "build").iterdir() if p.name.startswith(STAGING)) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds a file's path by its descriptor in /proc")
def test_every_staged_file_is_on_disk_before_the_journal_names_it_the_release(
        make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BX ("not tested"): only the journal was synced; after a power cut the journal could name a release
    whose database and packages the disk never got."""
    project = make(make_project)
    build(load_release(project))
    change_metadata(project)
    journal = project / "build" / JOURNAL
    synced: list[tuple[str, bool]] = []
    original = os.fsync

    def fsync(fd: int) -> None:
        synced.append((os.readlink(f"/proc/self/fd/{fd}"), journal.exists()))
        original(fd)

    staged: list[str] = []
    commit = staging.Stage.commit

    def listing(self: Any, keep: Any = None) -> None:
        staged.extend(str(p) for p in sorted(self.dir.rglob("*")) if p.is_file()
                      and (p.is_relative_to(self.build_dir) or p.is_relative_to(self.packages)))
        commit(self, keep)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(staging.Stage, "commit", listing)
    build(load_release(project))
    before_journal = {path for path, journal_there in synced if not journal_there}
    assert staged and any(path.endswith("release.db") for path in staged)
    assert set(staged) <= before_journal
    assert str(project / "build") in {path for path, journal_there in synced if journal_there}
