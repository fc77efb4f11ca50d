"""Incremental builds: sources loaded by an earlier build are reused, and the release is the same bytes."""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import twodays
from conftest import build_two_days, copy_demo, query, second_process, write_metadata
from releasekit import buildcache, changes, forked, load_release
from releasekit.build import build
from releasekit.buildcache import CACHE_DIR, CHANGES_CODE, CHANGES_DIR, LOADING_CODE
from releasekit.errors import MachineError
from releasekit.ingest import Loader

ZIP_SOURCE = "raw/ppwp_tps_20240320.zip"


def fingerprint(project: Path) -> dict[str, str]:
    """sha256 of release.db and of every file under datapackages/."""
    files = [project / "build" / "release.db", *sorted((project / "datapackages").rglob("*"))]
    return {str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources each build reads (appended as they are read)."""
    seen: list[str] = []
    original = Loader.load_source

    def counting(self: Loader, release: object, file: object, progress: object = None) -> object:
        seen.append(file.source.path)  # type: ignore[attr-defined]
        return original(self, release, file, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(Loader, "load_source", counting)
    return seen


def without_source(project: Path, path: str) -> dict[str, object]:
    """Drop source ``path`` from metadata.yml; return the original metadata."""
    original = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    edited = copy.deepcopy(original)
    for register in edited["registers"]:
        register["sources"] = [s for s in register.get("sources", []) if s["path"] != path] or None
        if register["sources"] is None:
            del register["sources"]
    write_metadata(project, edited)
    return original  # type: ignore[no-any-return]


def cache_bytes(project: Path) -> dict[Path, bytes]:
    """Every file under the project's ``build/cache/``, with its bytes."""
    return {path: path.read_bytes() for path in sorted((project / "build" / CACHE_DIR).rglob("*")) if path.is_file()}


def test_second_build_reads_nothing_cached_and_writes_the_same_bytes(tmp_path: Path, loads: list[str]) -> None:
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    first = fingerprint(project)
    assert len(loads) == 5 and (project / "build" / CACHE_DIR).is_dir()
    loads.clear()
    build(load_release(project))
    # Everything up to the voter list comes from the cache; the voter list is read again (never cached).
    assert loads == ["raw/dpt_5202_20230702.csv.gz"]
    assert fingerprint(project) == first


def test_adding_a_source_reads_only_it_and_equals_a_clean_build(tmp_path: Path, loads: list[str]) -> None:
    project = copy_demo(tmp_path / "p")
    full = without_source(project, ZIP_SOURCE)
    build(load_release(project))
    assert ZIP_SOURCE not in loads
    write_metadata(project, full)
    loads.clear()
    build(load_release(project))
    assert loads == [ZIP_SOURCE, "raw/dpt_5202_20230702.csv.gz"]
    incremental = fingerprint(project)
    loads.clear()
    build(load_release(project), clean=True)
    assert len(loads) == 5
    assert fingerprint(project) == incremental



def test_a_pin_or_a_licence_added_reads_nothing_again(make_project: Any, loads: list[str]) -> None:
    """Review BT M2: pinning a file (as the README advises) or giving a source its licence read every source again
    and compared every pair again, for the same database: neither is loaded."""
    project = build_two_days(make_project)
    pairs = sorted((project / "build" / CACHE_DIR / CHANGES_DIR).glob("*.db"))
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    first, second = metadata["registers"][0]["sources"]
    ((first["sha256"],),) = query(project, "SELECT sha256 FROM sources WHERE path = ?", (first["path"],))
    second["licenses"] = [{"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/"}]
    write_metadata(project, metadata)
    database = (project / "build" / "release.db").read_bytes()
    loads.clear()
    result = build(load_release(project))
    assert loads == [] and result.cached == 2
    assert sorted((project / "build" / CACHE_DIR / CHANGES_DIR).glob("*.db")) == pairs  # (no pair compared again)
    assert (project / "build" / "release.db").read_bytes() == database
    assert "ODbL-1.0" in (project / "datapackages" / "real-count" / "datapackage.json").read_text()

def test_a_changed_declaration_or_file_is_read_again(tmp_path: Path, loads: list[str]) -> None:
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    meta = (project / "metadata.yml").read_text(encoding="utf-8")
    (project / "metadata.yml").write_text(meta.replace("Sirekap per-TPS JSON Lines, 2024-02-20 (synthetic)",
                                                       "Sirekap JSON Lines of 20 February"), encoding="utf-8")
    loads.clear()
    build(load_release(project))
    # The cache holds the database after the last cacheable source only: a change in the middle reads all again.
    assert len(loads) == 5
    assert query(project, "SELECT title FROM sources WHERE path = 'raw/ppwp_tps_20240220.jsonl'") == [
        ("Sirekap JSON Lines of 20 February",)]


def test_clean_empties_the_cache_and_no_voter_data_is_cached(tmp_path: Path, loads: list[str]) -> None:
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    cache = project / "build" / CACHE_DIR
    (db_file,) = [f for f in cache.iterdir() if f.name.endswith(".db") and not f.name.endswith(".lokasi.db")]
    cached = sqlite3.connect(db_file)
    assert cached.execute("SELECT count(*) FROM dpt_rekap").fetchone() == (0,)
    assert cached.execute("SELECT count(*) FROM sources WHERE format = 'dpt-csv'").fetchone() == (0,)
    cached.close()
    stale = cache / f"{'0' * 64}.db"  # (an entry of other sources)
    stale.write_bytes(b"x")
    (cache / "notes.txt").write_text("mine")  # (not the cache's: left, as a folder is)
    (cache / "stale").mkdir()
    loads.clear()
    build(load_release(project), clean=True)
    assert len(loads) == 5 and not stale.exists()
    assert (cache / "notes.txt").read_text() == "mine" and (cache / "stale").is_dir()
    assert len([f for f in cache.iterdir() if f.is_file()]) == 4  # an entry's three files, and notes.txt


def test_a_linked_staging_folder_is_not_followed_when_a_swap_was_left_half_done(tmp_path: Path) -> None:
    """Review BE #3: with build/.staging a link and a journal naming the packages folder it leads to, recover() moved
    the linked folder's build/ files into the project and swapped its datapackages/ in, deleting what it held."""
    victim = tmp_path / "victim"
    (victim / "build").mkdir(parents=True)
    (victim / "build" / "notes.txt").write_text("keep")
    (victim / "datapackages" / "sub").mkdir(parents=True)
    (victim / "datapackages" / "sub" / "precious.txt").write_text("keep")
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    kept = fingerprint(project)
    (project / "build" / ".staging").symlink_to(victim, target_is_directory=True)
    info = (victim / "datapackages").stat()
    (project / "build" / ".commit").write_text(json.dumps({"packages_inode": info.st_ino,
                                                            "packages_device": info.st_dev}))
    build(load_release(project))
    assert (victim / "build" / "notes.txt").read_text() == "keep"
    assert (victim / "datapackages" / "sub" / "precious.txt").read_text() == "keep"
    assert not (project / "build" / "notes.txt").exists() and fingerprint(project) == kept
    assert not (project / "build" / ".staging").exists() and not (project / "build" / ".commit").exists()


@pytest.mark.parametrize("inner", ["build", "old"])
def test_a_link_inside_the_staging_folder_is_not_followed_either(tmp_path: Path, inner: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BF M2: with a real build/.staging holding a link (``build`` or ``old``) and a journal naming its
    datapackages/, recover() moved the files the link led to into build/, or (``old``, where the system has no
    atomic exchange of two paths) the live datapackages/ into the folder the link led to."""
    from releasekit import staging
    from releasekit.staging import recover

    if inner == "old":  # (``old`` is used only where renameat2 is missing: Linux has it)
        monkeypatch.setattr(staging, "_exchange", lambda a, b: False)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("keep")
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    stage = project / "build" / ".staging"
    (stage / "datapackages").mkdir(parents=True)
    (stage / inner).symlink_to(elsewhere, target_is_directory=True)
    info = (stage / "datapackages").stat()
    (project / "build" / ".commit").write_text(json.dumps({"packages_inode": info.st_ino,
                                                            "packages_device": info.st_dev}))
    recover(project)
    assert (elsewhere / "notes.txt").read_text() == "keep" and not (project / "build" / "notes.txt").exists()
    assert (project / "datapackages").is_dir() and not stage.exists()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("linked", [CACHE_DIR, f"{CACHE_DIR}/{CHANGES_DIR}", ".staging"])
def test_a_build_folder_linked_elsewhere_never_deletes_what_the_link_leads_to(tmp_path: Path, linked: str) -> None:
    """Review BB #1: with build/cache a link to another folder, build deleted that folder's files, and build --clean
    its subfolders too (a link to $HOME emptied it). A link at a folder of the build's own is replaced by a folder;
    the release and its cache are the same as without it."""
    victim = tmp_path / "victim"
    (victim / "sub" / "deeper").mkdir(parents=True)
    (victim / "important.txt").write_text("keep")
    (victim / "sub" / "deeper" / "x.txt").write_text("keep")
    (victim / f"{'1' * 64}.db").write_text("keep")  # (even a file named as the cache names its own)
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    kept = fingerprint(project)
    link = project / "build" / linked
    shutil.rmtree(link, ignore_errors=True)
    link.symlink_to(victim, target_is_directory=True)
    before = sorted(p.relative_to(victim).as_posix() for p in victim.rglob("*"))
    build(load_release(project))
    build(load_release(project), clean=True)
    assert sorted(p.relative_to(victim).as_posix() for p in victim.rglob("*")) == before
    assert (victim / "important.txt").read_text() == "keep" and (victim / "sub" / "deeper" / "x.txt").exists()
    assert not link.is_symlink() and fingerprint(project) == kept
    assert link.is_dir() == (linked != ".staging")  # (the staging folder is gone once the release is in place)


def test_pairs_of_days_keep_their_changes_and_equal_a_clean_build(make_project: Any) -> None:
    """Each pair's changes are compared once, kept under build/cache/changes/, and copied by later builds."""
    project = make_project({"real-count": twodays.sources()})
    day2 = f"raw/tps_{twodays.DAY2}"
    full = without_source(project, day2)
    build(load_release(project))
    pairs = project / "build" / CACHE_DIR / CHANGES_DIR
    assert not pairs.is_dir() or not list(pairs.iterdir())  # one day: no pair
    write_metadata(project, full)
    build(load_release(project))  # the new pair is compared into its file
    (kept,) = pairs.glob("*.db")
    assert sorted(pairs.iterdir()) == [kept, kept.with_name(kept.name + ".sha256")]
    added = fingerprint(project)
    ((changed,),) = query(project, "SELECT count(*) FROM changes")
    assert changed > 0
    with sqlite3.connect(kept) as cached:
        assert cached.execute("SELECT count(*) FROM changes").fetchone()[0] == changed
    # Comparing again would raise: a later build copies the kept rows.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("releasekit.changes.write_changes", _no_comparing)
        build(load_release(project))
    assert fingerprint(project) == added
    inode = kept.stat().st_ino
    build(load_release(project), clean=True)  # compares afresh, into a new file that replaces the kept one
    assert fingerprint(project) == added
    assert kept.stat().st_ino != inode  # (the new file existed before the old one was let go: no reuse)
    without_source(project, day2)
    build(load_release(project))
    assert not list(pairs.iterdir())  # the pair is gone from the project, and from the cache


def test_a_cached_database_edited_in_place_is_read_again(make_project: Any, loads: list[str]) -> None:
    """Review Q #1: a cached database changed without changing its length (a byte gone bad on disk, or ``sqlite3
    build/cache/….db "UPDATE …"``) was restored as it was, and its rows published (exit 0): each file a build keeps
    is checked against the SHA-256 it had when kept, and one that differs is read again from the sources."""
    project = build_two_days(make_project)
    good = fingerprint(project)
    (cached,) = [f for f in (project / "build" / CACHE_DIR).glob("*.db") if not f.name.endswith(".lokasi.db")]
    size = cached.stat().st_size
    with sqlite3.connect(cached) as db:
        db.execute("UPDATE hasil_tps SET suara_sah = 999 WHERE rowid = 1")
    db.close()
    assert cached.stat().st_size == size and buildcache.whole_sqlite_file(cached)
    loads.clear()
    build(load_release(project))
    assert loads == [f"raw/tps_{day}" for day in (twodays.DAY1, twodays.DAY2)]  # both days read again
    assert fingerprint(project) == good and query(project, "SELECT count(*) FROM hasil_tps WHERE suara_sah = 999"
                                                  ) == [(0,)]


def test_a_cached_entrys_accounting_edited_is_read_again(make_project: Any, loads: list[str]) -> None:
    """Review AG #3: an entry's ``.json`` accounting, which no digest guards, was trusted: edited, the build's summary
    said 'quarantined records: 1000' and one source more than it had. It must be the restored database's ``sources``
    counts, or the sources are read again."""
    project = build_two_days(make_project)
    good = fingerprint(project)
    (meta,) = [f for f in (project / "build" / CACHE_DIR).glob("*.json")]
    saved = json.loads(meta.read_text(encoding="utf-8"))
    for counts in saved["accounting"].values():
        counts["records_quarantined"] += 1000
    meta.write_text(json.dumps(saved), encoding="utf-8")
    loads.clear()
    result = build(load_release(project))
    assert loads == [f"raw/tps_{day}" for day in (twodays.DAY1, twodays.DAY2)]
    assert result.quarantined == 0 and fingerprint(project) == good



@pytest.mark.parametrize("duplicates", [-1, 1], ids=["negative", "more than quarantined"])
def test_a_cached_entrys_identical_duplicates_edited_is_read_again(make_project: Any, loads: list[str],
                                                                   duplicates: int) -> None:
    """Review BR BC04: ``identical_duplicates``, the one count of an entry's ``.json`` the restored database does not
    hold, is believed only between 0 and the source's quarantined records (none here); else the sources are read."""
    project = build_two_days(make_project)
    good = fingerprint(project)
    (meta,) = [f for f in (project / "build" / CACHE_DIR).glob("*.json")]
    saved = json.loads(meta.read_text(encoding="utf-8"))
    for counts in saved["accounting"].values():
        assert counts["records_quarantined"] == counts["identical_duplicates"] == 0
        counts["identical_duplicates"] = duplicates
    meta.write_text(json.dumps(saved), encoding="utf-8")
    loads.clear()
    result = build(load_release(project))
    assert loads == [f"raw/tps_{day}" for day in (twodays.DAY1, twodays.DAY2)]
    assert result.identical_duplicates == 0 and fingerprint(project) == good

def test_a_pipe_where_a_cached_database_goes_is_read_past_not_waited_on(make_project: Any, loads: list[str]) -> None:
    """Review AG #2: a named pipe in place of a cached database made the next build wait for ever, opening it to read
    its header; it is no whole database, so its sources are read again."""
    project = build_two_days(make_project)
    good = fingerprint(project)
    (cached,) = [f for f in (project / "build" / CACHE_DIR).glob("*.db") if not f.name.endswith(".lokasi.db")]
    cached.unlink()
    os.mkfifo(cached)
    def waited(*_: object) -> None:
        raise AssertionError("the build waited on the pipe")

    previous = signal.signal(signal.SIGALRM, waited)
    signal.alarm(60)  # (a test that fails, not one that hangs)
    try:
        assert not buildcache.whole_sqlite_file(cached)
        loads.clear()
        build(load_release(project))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert loads == [f"raw/tps_{day}" for day in (twodays.DAY1, twodays.DAY2)]
    assert fingerprint(project) == good


@pytest.mark.parametrize("damage", ["truncated", "empty", "edited"])
def test_a_kept_pair_cut_short_or_edited_is_compared_again(make_project: Any, monkeypatch: pytest.MonkeyPatch,
                                                           damage: str) -> None:
    """A pair's file is not synced to disk either: after a power cut it may be shorter than written, or empty
    (which SQLite reads as a database without tables). It is compared again, not copied; so is one edited in place
    (review Q #1: its edited ``changes`` rows were published)."""
    project = build_two_days(make_project)
    good = fingerprint(project)
    (kept,) = (project / "build" / CACHE_DIR / CHANGES_DIR).glob("*.db")
    assert buildcache.whole_sqlite_file(kept)
    if damage == "edited":
        with sqlite3.connect(kept) as db:
            db.execute("UPDATE changes SET after = '999' WHERE rowid = 1")
        db.close()
    else:
        with kept.open("r+b") as handle:
            handle.truncate(kept.stat().st_size - 4096 if damage == "truncated" else 0)
        assert not buildcache.whole_sqlite_file(kept)
    compared = []
    original = changes.write_changes

    def counting(*args: Any, **kwargs: Any) -> int:
        compared.append(args[3:5])
        return original(*args, **kwargs)

    monkeypatch.setattr(changes, "write_changes", counting)
    build(load_release(project))
    assert compared == [(twodays.DAY1, twodays.DAY2)]
    assert fingerprint(project) == good
    assert buildcache.whole_sqlite_file(kept)  # the new comparison took its place


def _no_comparing(*args: object, **kwargs: object) -> int:
    raise AssertionError("a kept pair was compared again")


def test_pairs_compared_in_two_processes_give_the_bytes_of_one(make_project: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean build compares half of the missing pairs in a forked child; the release is the same bytes."""
    second_process()
    day3 = "2024-02-17"
    third = {"raw": {f"{twodays.T}{n}.json": twodays.record((10 * n, 5, 1), f"{day3} 08:00:00") for n in (1, 2, 3, 5)},
             "name": f"tps_{day3}", "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day3}
    project = make_project({"real-count": [*twodays.sources(), third]})
    compared: list[str] = []
    original = changes.write_changes

    def counting(conn: sqlite3.Connection, *pair: str, **kwargs: str) -> int:
        compared.append(pair[3])  # in this process only: the child's calls do not come back here
        return original(conn, *pair, **kwargs)

    monkeypatch.setattr(changes, "write_changes", counting)
    build(load_release(project), clean=True)
    assert compared == [twodays.DAY2]  # the pair ending on day 3 was compared in the child
    two = fingerprint(project)
    assert dict(query(project, "SELECT snapshot, count(*) > 0 FROM changes GROUP BY snapshot")) == {
        twodays.DAY2: 1, day3: 1}
    monkeypatch.setattr(forked, "available", lambda: False)
    compared.clear()
    build(load_release(project), clean=True)
    assert compared == [twodays.DAY2, day3]
    assert fingerprint(project) == two


PACKAGE = Path(changes.__file__).resolve().parent


def imported(module: str) -> set[str]:
    """The releasekit files ``module`` imports, directly or not (relative imports, read from the source)."""
    seen: set[Path] = set()
    todo = [PACKAGE / module]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = path.parent.parents[node.level - 2] if node.level > 1 else path.parent
                for name in [node.module] if node.module else [a.name for a in node.names]:
                    target = base.joinpath(*name.split("."))  # type: ignore[union-attr]
                    todo += [f for f in (target.with_suffix(".py"), target / "__init__.py") if f.is_file()]
    return {p.relative_to(PACKAGE).as_posix() for p in seen}


@pytest.mark.parametrize(("module", "code"), [("ingest.py", LOADING_CODE), ("changes.py", CHANGES_CODE)])
def test_the_cache_key_covers_all_the_code_that_loads_or_compares(module: str, code: tuple[str, ...]) -> None:
    """A change to any module the loading imports (the NIK masking in privacy.py, say) must make the cache stale."""
    files = imported(module)
    assert {"privacy.py", "readers/sirekap_tps.py", "tables.py"} <= imported("ingest.py")
    missing = {f for f in files if not any(f == name or f.startswith(name + "/") for name in code)}
    assert not missing, f"add to buildcache's fingerprint: {sorted(missing)}"


def test_a_failure_while_comparing_a_pair_is_the_error_raised(make_project: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure halfway through writing a pair's rows surfaces as itself, not as SQLite's "pair is locked"."""
    project = make_project({"real-count": twodays.sources()})
    original = changes.write_changes

    def failing(conn: sqlite3.Connection, *pair: str, **kwargs: str) -> int:
        original(conn, *pair, **kwargs)  # rows written, transaction still open
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(changes, "write_changes", failing)
    with pytest.raises(MachineError, match=r"^build/.staging: No space left on device \(ENOSPC\) while") as e:
        build(load_release(project))
    assert isinstance(e.value.__cause__, OSError)
    assert not (project / "build" / "release.db").exists()


def test_another_sqlite_or_library_makes_the_cache_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite lays out the pages and orjson/Python word the quarantine's reasons: another one is another cache."""
    before = buildcache.code_fingerprint()
    assert buildcache.code_fingerprint() == before
    monkeypatch.setattr(buildcache.sqlite3, "sqlite_version", "3.99.0")
    assert buildcache.code_fingerprint() != before


NIK = "3201014501900001"  # NIK-like: region 320101, born 05-01-90 (a woman), serial 0001

#: A loading bug, in a child process: one TPS of the second day gets a NIK into a published text column; then the
#: build is refused by the PII gate, fails (a full disk while the rules run) or is killed there.
_FAILING_BUILD = """
import errno, importlib, os, signal, sys
from releasekit import build, load_release
from releasekit.ingest import Loader
build_module = importlib.import_module("releasekit.build")  # (releasekit.build is also the function)
original = Loader.load_source
def leaking(self, release, file, progress=None):
    accounting = original(self, release, file, progress)
    if file.source.path.endswith(sys.argv[2]):
        self.db.execute("UPDATE hasil_tps SET psu = ? WHERE rowid = (SELECT max(rowid) FROM hasil_tps)", (sys.argv[3],))
        self.db.conn.commit()
    return accounting
Loader.load_source = leaking
def failing_rules(*args, **kwargs):
    if sys.argv[4] == "disk-full":
        raise OSError(errno.ENOSPC, "No space left on device")
    os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[4] != "refused":
    build_module.run_rules = failing_rules
build(load_release(sys.argv[1]))
"""


@pytest.mark.parametrize("failure", ["refused", "disk-full", "killed"])
def test_a_build_refused_failed_or_killed_keeps_nothing_for_the_next_one(make_project: Any, failure: str) -> None:
    """What a build stages for its cache (the database as loaded, new pairs' changes) can hold the values the PII
    gate refuses: it reaches build/cache/ only once the gate has passed the release."""
    project = make_project({"real-count": twodays.sources()})
    full = without_source(project, f"raw/tps_{twodays.DAY2}")
    build(load_release(project))
    good = fingerprint(project)
    kept = sorted((project / "build" / CACHE_DIR).rglob("*"))
    write_metadata(project, full)  # a new day
    done = subprocess.run([sys.executable, "-c", _FAILING_BUILD, str(project), twodays.DAY2, NIK, failure],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode != 0, done.stderr
    if failure != "killed":
        assert ("PrivacyError" if failure == "refused" else "No space left") in done.stderr
    assert sorted((project / "build" / CACHE_DIR).rglob("*")) == kept
    staged = [p for p in (project / "build").rglob("*") if p.is_file() and NIK.encode() in p.read_bytes()]
    assert all(".staging" in p.parts for p in staged) and (staged or failure != "killed")  # only a killed build's
    assert fingerprint(project) == good  # the release as it was
    build(load_release(project))  # without the bug; throws the killed build's staging folder away
    assert fingerprint(project) != good
    assert not [p for p in project.rglob("*") if p.is_file() and NIK.encode() in p.read_bytes()]


def test_no_two_folders_share_a_sha256(tmp_path: Path) -> None:
    """The cache key and a folder source's pin rest on it: bytes moved from one member into the next change it."""
    from releasekit.provenance import sha256_file

    folders = {"two": {"a.csv": b"x", "b.csv": b"y"}, "one": {"a.csv": b"xb.csv\0y"},
               "moved": {"a.csv": b"x\0b", "b.csv": b"y"}, "renamed": {"a.csv": b"x", "c.csv": b"y"}}
    digests = set()
    for name, files in folders.items():
        (tmp_path / name).mkdir()
        for member, data in files.items():
            (tmp_path / name / member).write_bytes(data)
        digests.add(sha256_file(tmp_path / name)[0])
    assert len(digests) == len(folders)


def test_a_source_changed_while_the_build_reads_it_is_refused(make_project: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Its sha256 (in provenance and in the cache key) would name bytes other than those loaded."""
    from releasekit.errors import SourceError

    project = build_two_days(make_project)
    good = fingerprint(project)
    kept = cache_bytes(project)
    assert kept
    original = Loader.load_source

    def appending(self: Loader, release: object, file: Any, progress: object = None) -> object:
        accounting = original(self, release, file, progress)  # type: ignore[arg-type]
        member = sorted(file.path.rglob("*.json"))[-1] if file.path.is_dir() else file.path
        with member.open("ab") as handle:  # a download still being written, say
            handle.write(b"\n")
        return accounting

    monkeypatch.setattr(Loader, "load_source", appending)
    with pytest.raises(SourceError, match=r"changed while the build read it .*nothing was published"):
        build(load_release(project), clean=True)
    assert fingerprint(project) == good
    # --clean read nothing from the cache, and the refused build left it as it was
    assert cache_bytes(project) == kept


@pytest.mark.parametrize("linked", ["the file", "its folder"])
def test_a_link_re_pointed_while_the_build_reads_it_and_put_back_is_refused(tmp_path: Path, linked: str,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BX H1: the file a link leads to is unchanged at the end of the build, but what was loaded was another
    day's, which the build published under the sha256 of the file the link leads to (and cached under it)."""
    from releasekit.errors import SourceError

    project = copy_demo(tmp_path / "p")
    day = "ppwp_tps_20240220.jsonl"
    captures = {name: tmp_path / name for name in ("A", "B")}
    for folder in captures.values():
        shutil.copytree(project / "raw", folder)
    other = (captures["B"] / day).read_text(encoding="utf-8").replace('"100025":42,', '"100025":24,', 1)
    (captures["B"] / day).write_text(other, encoding="utf-8")
    if linked == "the file":
        link = project / "raw" / day
        targets = {name: folder / day for name, folder in captures.items()}
    else:
        link = project / "raw"
        targets = captures
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    link.symlink_to(targets["A"])
    build(load_release(project))
    good = fingerprint(project)

    def point(name: str) -> None:
        link.with_name("new-link").symlink_to(targets[name])
        os.replace(link.with_name("new-link"), link)

    original = Loader.load_source

    def re_pointed(self: Loader, release: object, file: Any, progress: object = None) -> object:
        if file.source.path != f"raw/{day}":
            return original(self, release, file, progress)  # type: ignore[arg-type]
        point("B")
        try:
            return original(self, release, file, progress)  # type: ignore[arg-type]
        finally:
            point("A")

    monkeypatch.setattr(Loader, "load_source", re_pointed)
    with pytest.raises(SourceError, match=r"raw/\S+: changed while the build read it .*nothing was published"):
        build(load_release(project), clean=True)
    assert fingerprint(project) == good
    monkeypatch.undo()
    build(load_release(project))  # the cache holds no entry of B's bytes under A's sha256
    assert fingerprint(project) == good


@pytest.mark.parametrize("damage", ["truncated", "locators truncated", "empty", "no accounting", "unreadable"])
def test_a_cached_database_cut_short_is_not_trusted(tmp_path: Path, loads: list[str], damage: str) -> None:
    """Cache files are not synced to disk: after a power cut one may be shorter than written."""
    project = copy_demo(tmp_path / "p")
    build(load_release(project))
    good = fingerprint(project)
    cache = project / "build" / CACHE_DIR
    (db_file,) = [f for f in cache.iterdir() if f.name.endswith(".db") and not f.name.endswith(".lokasi.db")]
    meta = db_file.with_suffix(".json")
    if damage in ("truncated", "locators truncated"):
        cut = db_file if damage == "truncated" else db_file.with_suffix(".lokasi.db")
        with cut.open("r+b") as handle:
            handle.truncate(cut.stat().st_size // 2)
    elif damage == "empty":
        db_file.write_bytes(b"")
    elif damage == "no accounting":
        meta.write_text(meta.read_text(encoding="utf-8").replace('"accounting"', '"a"'), encoding="utf-8")
    else:
        meta.write_bytes(b"{")
    loads.clear()
    build(load_release(project))
    assert len(loads) == 5  # read again, not restored
    assert fingerprint(project) == good
