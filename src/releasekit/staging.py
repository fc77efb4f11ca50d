"""Atomic releases: build into a staging folder, swap it in at the end, one build at a time.

A build writes ``release.db`` and every package into ``build/.staging/``; the
live ``build/release.db`` and ``datapackages/`` are not touched until the whole
release is complete. Then :meth:`Stage.commit` swaps it in:

1. a journal ``build/.commit`` is written (atomically): from here on the new release wins;
2. ``datapackages/`` is exchanged with the staged folder in one ``renameat2(RENAME_EXCHANGE)``
   call where the system has it (Linux), else moved aside and replaced (two renames);
3. ``build/release.db`` (and any other staged ``build/`` file) is replaced with ``os.replace``;
4. the journal and the staging folder (now holding the old release) are removed.

Every staged file is synced to disk before the journal is written, and the folders after the swap: the build
itself writes without syncing.

A build killed before step 1 leaves the previous release exactly as it was (the
next build discards the staging folder). A build killed during steps 2–4 — a
few system calls — leaves a journal, and :func:`recover`, run at the start of
every build and before ``publish`` and ``serve`` read the release (:func:`settled`),
finishes the swap before anything else. Every step is idempotent.

Two builds of one project never run at once: :func:`release_lock` holds an
exclusive ``flock`` on ``build/.lock`` for the whole build (released by the
kernel even when the process is killed).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .errors import ReleaseFolderError
from .links import own_folder
from .package import PACKAGES_DIR
from .provenance import STAMPS_FILE

BUILD_DIR = "build"
DATABASE_FILE = "release.db"
STAGING = ".staging"
JOURNAL = ".commit"
LOCK = ".lock"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


class BuildLockedError(ReleaseFolderError):
    """Another build of the same project holds the lock (``build/.lock``, its :attr:`path`)."""


@contextmanager
def release_lock(root: Path, doing: str = "build", *, shared: bool = False) -> Iterator[None]:
    """Hold ``build/.lock`` exclusively for the duration; refuse at once if another build (or ``doing``) holds it.

    :param doing: what holds it, named to a build refused meanwhile (``build``, or ``publish``: :func:`settled`).
    :param shared: hold it beside other shared holders (commands that only read the release), not beside a build.
    :raises BuildLockedError: naming the lock file, what holds it and its process id.
    :raises ReleaseFolderError: when a file stands where ``build/`` or ``datapackages/`` belongs.
    """
    build_dir = root / BUILD_DIR
    for folder in (build_dir, root / PACKAGES_DIR):  # (mkdir and the swap would fail with a word about the disk)
        if folder.exists() and not folder.is_dir():
            raise ReleaseFolderError(f"{folder}: a file where the release's {folder.name}/ folder belongs",
                                     hint=f"move it out of the way: a build writes {folder.name}/ there", path=folder)
    build_dir.mkdir(exist_ok=True)
    path = build_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not try_lock(fd, shared):
            holder = os.pread(fd, 64, 0).decode("ascii", errors="replace").split()
            pid, what = (holder[0] if holder else "unknown"), (holder[1] if len(holder) > 1 else "build")
            raise BuildLockedError(f"{BUILD_DIR}/{LOCK}: another {what} of this project is running (pid {pid})",
                                   hint="wait for it to finish; the lock is released as soon as it ends",
                                   path=f"{BUILD_DIR}/{LOCK}")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {doing}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def settled(root: Path, doing: str) -> Iterator[None]:
    """For a command that reads the built release (``publish``, ``serve``): hold the lock while it reads, so that no
    build swaps a new release in beneath it, after finishing a swap a killed build left half done (:func:`recover`,
    as the next build would: its packages and the database it replaces would otherwise be read as one release).
    Nothing is locked in a project never built (no ``build/``).

    :raises BuildLockedError: when a build is running.
    """
    build_dir = root / BUILD_DIR
    if not build_dir.is_dir():
        yield
        return
    if not _writable(build_dir / LOCK if (build_dir / LOCK).exists() else build_dir):
        # A project this account cannot write (a read-only mount, another account's): no build of ours runs in it,
        # and none can be locked out; a swap left half done cannot be finished here.
        if (build_dir / JOURNAL).exists():
            raise ReleaseFolderError(f"{BUILD_DIR}/{JOURNAL}: a build was killed while it swapped the new release "
                                     "in, and this project cannot be written to finish the swap",
                                     hint="run 'releasekit build' where the project can be written",
                                     path=f"{BUILD_DIR}/{JOURNAL}")
        yield
        return
    if (build_dir / JOURNAL).exists():
        refuse_other_file_system(root)
        with release_lock(root, doing):
            recover(root)
    with release_lock(root, doing, shared=True):  # (several may read at once; no build swaps beneath them)
        yield


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def try_lock(fd: int, shared: bool = False) -> bool:
    """Lock the open file ``fd`` (exclusively, or ``shared``) without waiting: whether it is now held."""
    if sys.platform == "win32":  # pragma: no cover - releasekit is developed and tested on POSIX
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class Stage:
    """The staging area of one build: ``database`` and ``packages`` are where the build writes.

    Use as a context manager; call :meth:`commit` when everything is written.
    Leaving the block without a commit throws the staged files away.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / BUILD_DIR / STAGING
        #: Files staged here replace the files of the same name in ``build/``.
        self.build_dir = self.dir / BUILD_DIR
        self.packages = self.dir / PACKAGES_DIR
        self.committed = False
        #: Whether a swap a killed build left half done was finished first (:func:`recover`).
        self.recovered = False
        #: Whether Ctrl-C came while the release was put in place (:meth:`commit` finished it: it is in place).
        self.interrupted = False
        #: The first file of the release this build replaced that could not be removed (another account's), if any.
        self.not_removed: str | None = None

    @property
    def database(self) -> Path:
        """Where the build writes ``release.db``."""
        return self.build_dir / DATABASE_FILE

    def __enter__(self) -> Stage:
        refuse_other_file_system(self.root)
        refuse_blocked(self.root)
        self.recovered = recover(self.root)
        for trash in sorted(self.dir.parent.glob(f"{STAGING}-trash-*")):  # (set aside by an earlier build)
            remove(trash)
        if remove(own_folder(self.dir)) is not None:  # what a killed build left before its commit
            self.dir.rename(_unused(self.dir.parent / f"{STAGING}-trash"))  # (review BX L2: "File exists" for ever)
        (self.root / BUILD_DIR / f"{JOURNAL}.tmp").unlink(missing_ok=True)
        self.build_dir.mkdir(parents=True)
        self.packages.mkdir()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if not self.committed:
            shutil.rmtree(self.dir, ignore_errors=True)

    def commit(self, keep: Callable[[], object] | None = None) -> None:
        """Swap the staged release in (see the module docstring); the previous one is removed.

        :param keep: called once the journal says the new release wins, before the swap: to move what else the
            build keeps out of the staging folder (the build caches). A build killed before the journal keeps
            nothing; one killed after it has won, and its release is swapped in by whatever runs next.
        """
        for staged in (self.build_dir, self.packages):  # (on disk before the journal declares them the release)
            sync_tree(staged)
        info = self.packages.stat()
        journal = self.root / BUILD_DIR / JOURNAL
        tmp = journal.with_name(JOURNAL + ".tmp")
        with _held_off() as interrupted:
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump({"packages_inode": info.st_ino, "packages_device": info.st_dev}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, journal)
            _sync_folder(journal.parent)  # (the journal's name on disk before any rename it orders)
            self.committed = True
            try:
                if keep is not None:
                    keep()
            finally:
                self._swap()
            for folder in (self.root / BUILD_DIR, self.root):  # (the renames of the swap)
                _sync_folder(folder)
        self.interrupted = bool(interrupted)
        self.not_removed = remove(self.dir)  # (the swap removed it, if it could)

    def _swap(self) -> None:
        try:
            recover(self.root)
        except OSError as e:
            raise ReleaseFolderError(f"{BUILD_DIR}/{JOURNAL}: the new release could not be put in place: {e}",
                                     hint="the next build finishes the swap once build/ and datapackages/ can be "
                                          "written", path=f"{BUILD_DIR}/{JOURNAL}") from e


def sync_tree(folder: Path) -> None:
    """Write every file under ``folder``, and the folders themselves, to disk (``fsync``). The build writes without
    syncing (SQLite's ``synchronous = OFF``: the staged release is thrown away if the build fails); the journal that
    declares it the release is synced, so a power cut after it could otherwise leave a release whose files the disk
    never got (review BX, "not tested": only the journal was synced)."""
    for top, _dirs, names in os.walk(folder):
        for name in names:
            fd = os.open(os.path.join(top, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_folder(Path(top))


def _sync_folder(folder: Path) -> None:
    """``fsync`` a folder (its entries: a file created or renamed in it), where the system can."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows opens no folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - a file system that syncs no folder
        pass
    finally:
        os.close(fd)


@contextmanager
def _held_off() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) and SIGTERM off for the duration (the commit: a few system calls); yields the signals
    that came meanwhile. SIGTERM is then delivered, once the release is in place; Ctrl-C is reported by the build
    (review BX L1: "Aborted!", exit 1, while the new release was in place, or was put in place by the next command,
    and its cache lost). In the main thread only, where Python runs signal handlers."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    held = (signal.SIGINT, signal.SIGTERM)
    before = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum)) for signum in held}
    try:
        yield caught
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if signal.SIGTERM in caught:
            signal.raise_signal(signal.SIGTERM)


def refuse_other_file_system(root: Path) -> None:
    """Refuse a ``build/`` on another file system than the project (a link to one, or a volume mounted there), or a
    volume mounted at ``datapackages/``: the swap renames the staged packages from ``build/.staging/`` to
    ``datapackages/``, which works within one file system only, and never moves a mount point. Found at the swap,
    every build failed at its end ("Invalid cross-device link") and left a journal no later build, ``publish`` or
    ``serve`` could finish (review BI M2).

    :raises ReleaseFolderError: naming where ``build/`` lies.
    """
    build_dir, packages = root / BUILD_DIR, root / PACKAGES_DIR
    mounts = _mount_points()
    if packages.is_dir() and not packages.is_symlink() and (
            packages.resolve() in mounts if mounts else os.path.ismount(packages)):
        raise ReleaseFolderError(f"{PACKAGES_DIR}/: a mount point: a build puts its new packages in place by "
                                 "renaming the folder, which a mount point cannot be",
                                 hint="mount the whole project, or copy datapackages/ out after each build",
                                 path=f"{PACKAGES_DIR}/")
    if not build_dir.is_dir():
        return
    if build_dir.stat().st_dev != root.stat().st_dev or (
            mounts and _mount_of(build_dir.resolve(), mounts) != _mount_of(root.resolve(), mounts)):
        where = build_dir.resolve()
        raise ReleaseFolderError(f"{BUILD_DIR}/: on another file system or mount than the project ({where}): a "
                                 "build puts its new release in place by renaming its staged packages into "
                                 "datapackages/, which works within one mount only",
                                 hint="keep build/ on the project's file system (remove the link or the mount), or "
                                      "move the whole project there", path=f"{BUILD_DIR}/")


def _mount_points() -> frozenset[Path]:
    """Every mount point this process sees (Linux's ``/proc/self/mountinfo``), bind mounts of a folder of the same
    file system too, which have its device number and which ``os.path.ismount`` cannot tell (review BJ H1: Docker's
    ``-v`` mounts); empty where there is no such list (then devices alone are compared: macOS shows its firmlinked
    folders, ``/Users``, ``/private``, as mount points of one volume, between which a rename works)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return frozenset()
    # (the fifth field; a space, tab, line break or backslash in it is written as an octal escape, \040)
    return frozenset(Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4]))
                     for fields in (line.split(" ") for line in lines) if len(fields) > 4)


def _mount_of(path: Path, mounts: frozenset[Path]) -> Path:
    """The mount ``path`` (resolved) lies in: the deepest mount point above it."""
    return max((point for point in mounts if path.is_relative_to(point)), key=lambda p: len(p.parts),
               default=Path("/"))


def refuse_blocked(root: Path) -> None:
    """Refuse a build whose swap could not end: a folder where a file the swap puts in ``build/`` goes
    (``release.db``, ``sources.json``). Found at the swap, it left the new packages in place beside the old
    database, and every later build stuck at finishing that swap. (A file where ``datapackages/`` goes is refused
    earlier.)

    :raises ReleaseFolderError: naming the path in the way.
    """
    for name, what in ((DATABASE_FILE, "the release database"), (STAMPS_FILE, "the build's record of its raw files")):
        path = root / BUILD_DIR / name
        if path.is_dir() and not path.is_symlink():
            raise ReleaseFolderError(f"{BUILD_DIR}/{name}: a folder stands where {what} goes",
                                     hint="move it away: build writes this file", path=f"{BUILD_DIR}/{name}")


def recover(root: Path) -> bool:
    """Finish a swap that a killed build started; return whether there was one to finish."""
    build_dir = root / BUILD_DIR
    journal = build_dir / JOURNAL
    if not journal.exists():
        return False
    try:
        marks = json.loads(journal.read_text(encoding="utf-8"))
        new = (int(marks["packages_inode"]), int(marks["packages_device"]))
    except (ValueError, KeyError, TypeError):  # the journal is written atomically, so this is tampering
        journal.unlink()
        return False
    stage = build_dir / STAGING
    if stage.is_symlink():  # (the build's own folder, never followed: what a link leads to is left alone, review BE #3)
        stage.unlink()
        journal.unlink()
        return False
    staged, live = stage / PACKAGES_DIR, root / PACKAGES_DIR
    for inner in (staged, stage / BUILD_DIR, stage / "old"):  # (nor a link inside it: review BF M2)
        own_folder(inner)
    if _identity(live) != new and _identity(staged) == new:
        _swap(staged, live, stage / "old")
    staged_build = stage / BUILD_DIR
    if staged_build.is_dir():
        for file in sorted(staged_build.iterdir()):
            os.replace(file, build_dir / file.name)
    journal.unlink()
    shutil.rmtree(stage, ignore_errors=True)
    return True


def remove(folder: Path) -> str | None:
    """Remove ``folder`` (a link there, not what it leads to); the first path that could not be removed, if any (a
    file another account owns: root's, left by a Docker run)."""
    failed: list[str] = []
    if not (folder.exists() or folder.is_symlink()):
        return None
    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=lambda function, path, error: failed.append(path))
    else:  # pragma: no cover - Python 3.11
        shutil.rmtree(folder, onerror=lambda function, path, error: failed.append(path))
    return failed[0] if failed else None


def _unused(path: Path) -> Path:
    """``path`` with the first number (``-1``, ``-2`` …) that names nothing yet."""
    number = 1
    while (found := path.with_name(f"{path.name}-{number}")).exists() or found.is_symlink():
        number += 1
    return found


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_dev


def _swap(staged: Path, live: Path, old: Path) -> None:
    """Put ``staged`` at ``live``: one atomic exchange where possible, else aside-and-rename."""
    if live.exists() or live.is_symlink():
        if _exchange(staged, live):
            return
        old.mkdir(exist_ok=True)
        os.rename(live, old / live.name)
    os.rename(staged, live)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux ``renameat2``; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)
