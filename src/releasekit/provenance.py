"""Provenance: file hashes, per-source record accounting, and the build's inputs hash."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import __version__, links
from .config import Release, Source, refuse_locale_file_names
from .errors import SourceError, located
from .readers.members import macos_metadata

CHUNK = 1 << 20


def sha256_file(path: Path, members: list[tuple[str, Path]] | None = None) -> tuple[str, int]:
    """Stream a file (or every file of a folder, in sorted order) into SHA-256.

    For a folder the digest is taken over each file's relative path, a NUL (no
    path holds one) and the file's own SHA-256, so a renamed, moved or edited
    member changes it and no two folders share it (bytes moved from one member
    into the next would, were the members' bytes simply chained). Returns
    ``(hexdigest, bytes)``. ``members``: the files, if :func:`_members` listed them already (as for :func:`stamp`).
    """
    members = _members(path) if members is None else members
    if members == [(".", path)]:  # a file: _members names it "."
        return _file_sha256(path)
    digest = hashlib.sha256()
    size = 0
    for name, file in members:
        member, member_size = _file_sha256(file)
        digest.update(name.encode() + b"\0" + bytes.fromhex(member))
        size += member_size
    return digest.hexdigest(), size


def _members(path: Path) -> list[tuple[str, Path]]:
    """Every file of a source as (its path relative to the source, or ``.`` for a file source; the file), sorted.

    :raises OSError: a folder of it cannot be listed (``Path.rglob`` passes over it, and a pinned folder nobody can
        read was "the raw file changed": the hash of no file at all).
    """
    if path.is_file():
        return [(".", path)]
    found = []
    for top, dirs, names in os.walk(path, onerror=_raise):  # (links to folders are not followed, as in rglob)
        found += [(file.relative_to(path).as_posix(), file) for file in map(Path(top).joinpath, [*dirs, *names])
                  if file.is_file()]
    return sorted(found)


def _raise(error: OSError) -> None:
    """``os.walk``'s ``onerror`` that stops the walk at a folder it cannot list."""
    raise error


def _file_sha256(file: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = _feed(digest, file)
    return digest.hexdigest(), size


def _feed(digest: Any, file: Path) -> int:
    """Stream ``file``'s bytes into ``digest`` (a ``hashlib`` hash); returns how many."""
    size = 0
    with file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size


def legacy_folder_sha256(path: Path, members: list[tuple[str, Path]] | None = None) -> str | None:
    """The sha256 releasekit gave a folder before 0.2.0 (until commit 6cc8ae2): each file's relative path, a NUL and
    the file's bytes, chained in path order. Only to recognise a pin or a build's hash of that time, so that an
    unchanged folder is not called changed (review BY M2); never to name a folder: bytes moved from one member into
    the next keep it. None for a file source, whose sha256 was always its bytes'. ``members``: as for
    :func:`sha256_file`.

    :raises OSError: a file cannot be read.
    """
    members = _members(path) if members is None else members
    if members == [(".", path)]:
        return None
    digest = hashlib.sha256()
    for name, file in members:
        digest.update(name.encode() + b"\0")
        _feed(digest, file)
    return digest.hexdigest()


#: What a source looked like on disk when it was hashed: (member path, size, modification time, status change time,
#: inode) of each file. The status change time is the one ``touch -r`` cannot set back: an edit that keeps a file's
#: size and puts its modification time back still moves it. Each symbolic link on the way to a file has an entry
#: too (:func:`stamp`).
Stamp = tuple[tuple[str, int, int, int, int], ...]


def stamp(path: Path, members: list[tuple[str, Path]] | None = None) -> Stamp:
    """The :data:`Stamp` of a file, or of every file under a folder (``members``: those files, if listed already),
    and of every symbolic link on the way to them.

    A reader opens the path again after it was hashed. A link re-pointed in between and put back before the build
    ends leaves the file it leads to unchanged, but not the link: ``ln -s`` and ``mv -T`` make a new one, so its
    inode or status change time moves (review BX H1: the 20 February capture was loaded as 17 March's, under 17
    March's sha256).
    """
    out = _links_stamp(".", path)
    for name, file in _members(path) if members is None else members:
        info = os.lstat(file)
        if stat.S_ISLNK(info.st_mode):  # (os.walk lists a link to a file among the files)
            out += _links_stamp(name, file) if file != path else []
            info = file.stat()
        out.append((name, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return tuple(out)


#: More links than this on the way to a file: the kernel gives up (ELOOP) too.
MAX_LINKS = 40


def _links_stamp(name: str, path: Path) -> list[tuple[str, int, int, int, int]]:
    """An entry (``name``, then link and its rank; its size, modification and status change times, inode) for each
    symbolic link met on the way to ``path``, in the kernel's order: in the folders above it as in the path itself,
    and in what each link leads to."""
    out: list[tuple[str, int, int, int, int]] = []
    here, *pending = PurePosixPath(os.path.abspath(path)).parts
    while pending and len(out) <= MAX_LINKS:
        part = pending.pop(0)
        if part in (".", ".."):
            here = os.path.dirname(here) if part == ".." else here
            continue
        step = os.path.join(here, part)
        try:
            info = os.lstat(step)
        except OSError:  # (gone: the member's own stat says so)
            break
        if not stat.S_ISLNK(info.st_mode):
            here = step
            continue
        out.append((f"{name}\0link {len(out)}", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
        target = PurePosixPath(os.readlink(step))
        if target.is_absolute():
            here, *rest = target.parts
        else:
            rest = list(target.parts)
        pending = rest + pending
    return out


@dataclass
class SourceFile:
    """A source checked on disk: where it is, its hash and size, and its :data:`Stamp` before it was hashed."""

    source: Source
    path: Path
    sha256: str
    bytes: int
    stamp: Stamp = ()


def check_unchanged(files: list[SourceFile]) -> None:
    """Refuse a build during which a source changed on disk: what it loaded may not be what its sha256 names.

    :raises SourceError: naming the first source whose files, sizes, modification or status change times or inodes
        moved since hashing.
    """
    for file in files:
        try:
            now = stamp(file.path)
        except OSError:
            now = ()
        if now != file.stamp:
            raise SourceError(f"{file.source.path}: changed while the build read it ({file.source.where}); nothing "
                              "was published",
                              hint="let whatever writes the raw export finish, then build again",
                              path=file.source.path, place=file.source.key_path)


#: Written by each build beside ``release.db`` (not published): a digest of each source's :data:`Stamp` as the build
#: read it, so that ``publish`` and ``serve`` tell a raw file changed since the build without hashing it again. Only
#: digests: a raw file's or member's name may hold a NIK, which no file a build writes may (the PII gate reads it).
STAMPS_FILE = "sources.json"


def _digest(*parts: object) -> str:
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()


def write_stamps(files: list[SourceFile], path: Path) -> None:
    """Write a digest of each source's (register, path) and of its :data:`Stamp`, sorted."""
    digests = dict(sorted((_digest(f.source.register, f.source.path), _digest(f.stamp)) for f in files))
    path.write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")


def read_stamps(path: Path) -> dict[str, str]:
    """The digests :func:`write_stamps` wrote; empty when the file is missing or not one it wrote (a build of an
    older releasekit: every source is then hashed)."""
    try:
        digests = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return digests if isinstance(digests, dict) else {}


def changed_since(source: Source, path: Path, sha256: str, stamps: dict[str, str]) -> str | None:
    """The sha256 of a source on disk when it is no longer the one a build read (``sha256``), else None: also when
    the file is gone (what was built stays what the build read) or its :data:`Stamp` is the one the build recorded
    in ``stamps`` (:func:`read_stamps`; not hashed again), or the build's is the folder's :func:`legacy_folder_sha256`
    (a build of releasekit before 0.2.0, which wrote no stamps). Only a file whose size, modification or status
    change time or inode moved is hashed.

    :raises SourceError: the file cannot be read."""
    try:
        if not path.exists():
            return None
        members = _members(path)  # (a folder emptied since is a change: its hash is another)
        if _digest(stamp(path, members)) == stamps.get(_digest(source.register, source.path)):
            return None
        now, _ = sha256_file(path, members)
        if now != sha256 and legacy_folder_sha256(path, members) == sha256:  # (a build of releasekit before 0.2.0:
            return None  # the folder is unchanged; the packages' version says the build is another's)
    except OSError as e:
        raise _unreadable(source, path, e, "publishes") from None
    return None if now == sha256 else now


def check_sources(release: Release) -> list[SourceFile]:
    """Find and hash every source before any work; refuse missing or changed files.

    :raises SourceError: a file is missing or unreadable, or its sha256 differs from the pin.
    :raises ConfigError: file names are read in an encoding other than UTF-8 (:func:`refuse_locale_file_names`).
    """
    refuse_locale_file_names()
    checked = []
    for source in release.sources:
        with located(SourceError, path=source.path, place=source.key_path):
            checked.append(_check_source(release, source))
    return checked


def _check_source(release: Release, source: Source) -> SourceFile:
    """Find and hash one source (:func:`check_sources`)."""
    # (by the path as metadata.yml writes it, not where a link in raw/ leads: readers take names from it, a TPS
    # code from a file's, and a quarantined record's locator names it)
    path = Path(os.path.abspath(release.root / source.path))
    where = source.where
    try:
        found = path.exists()  # (raises where a folder above it cannot be entered)
    except OSError as e:
        raise _unreadable(source, path, e, "builds") from None
    if not found:
        raise SourceError(f"{source.path}: no such file ({where})",
                          hint="put the raw export there or fix 'path'")
    if not (path.is_file() or path.is_dir()):  # (a named pipe would hang the build, read as 0 bytes)
        raise SourceError(f"{source.path}: not a file or a folder but a pipe, socket or device ({where})",
                          hint="point 'path' at the raw export itself")
    try:
        members = _members(path)  # one listing of a folder's files for its stamp and its hash
        _refuse_undecodable_names(source.path, members, where)
        _refuse_links_away(source.path, path, members, release.root.resolve(), where)
        before = stamp(path, members)
        sha, size = sha256_file(path, members)
    except OSError as e:
        raise _unreadable(source, path, e, "builds") from None
    if source.sha256 and source.sha256 != sha:
        raise _pin_mismatch(release, source, sha, path, members)
    return SourceFile(source, path, sha, size, before)


def _pin_mismatch(release: Release, source: Source, sha: str, path: Path,
                  members: list[tuple[str, Path]]) -> SourceError:
    """The refusal of a file whose hash is not its pin. Where the hash is another source's pin, the file is most
    likely that source's, its path swapped or renamed: "update the pin" would give one day's file another day's
    snapshot, the one mistake a pin is there to catch (review BT L3). Where the pin is a folder's
    :func:`legacy_folder_sha256`, the folder is the one pinned and only the definition changed (review BY M2: "the
    raw file changed")."""
    message = f"{source.path}: sha256 is {sha}, but {source.config} pins {source.sha256} ({source.where})"
    try:
        legacy = legacy_folder_sha256(path, members)
    except OSError:  # (read a moment ago: a folder changing as it is read is no unchanged one)
        legacy = None
    if legacy == source.sha256:
        return SourceError(message, hint="the pin is the folder hash of releasekit before 0.2.0, an older "
                                         "definition (its files' bytes chained); the folder is unchanged: update the "
                                         f"pin to {sha}")
    other = next((s for s in release.sources if s.sha256 == sha and s is not source), None)
    if other is None:
        return SourceError(message,
                           hint="the raw file changed; restore it, or update the pin if the change is intended")
    return SourceError(f"{message}; its sha256 is the pin of {other.key_path} ({other.path})",
                       hint="were two paths swapped, or a file renamed? give each source its own file's path")


def _refuse_links_away(label: str, folder: Path, members: list[tuple[str, Path]], project: Path, where: str) -> None:
    """Refuse a folder source's file that a link leads to a file of the system or a hidden one
    (:func:`releasekit.links.refused`), before any of it is read (review BE #4: ``/proc/self/pagemap`` was hashed,
    for ever, before the reader refused it): a file that is such a link, or any file of a folder source reached
    through a link out of the project (``raw/tps -> ~`` held ``~/.docker/config.json``: review BF H1), but the files
    macOS adds, which no reader reads. (A source that is itself such a link is refused with metadata.yml.)

    :raises SourceError: naming the file and where it leads.
    """
    place = folder.resolve()
    away = not place.is_relative_to(project)
    # (every plain file of a folder out of the project is judged by its place, once, and by its own name: no file's
    # path is resolved but a link's, as a national tree holds 823,378 files)
    by_place = links.refused(place / "_", project) if away else None
    for name, file in members:
        if name == ".":
            continue
        if file.is_symlink():
            target = file.resolve()
        elif away and (by_place is not None or "/." in f"/{name}") and not macos_metadata(name):
            target = place / name
        else:
            continue
        why = links.refused(target, project)
        if why is not None:
            raise SourceError(f"{label}/{name}: leads to {target}, {why}, not a raw export (its text could be "
                              f"published in the quarantine) ({where})",
                              hint="remove the link, or copy the file it stands for into the project")


def _unreadable(source: Source, path: Path, error: OSError, who: str) -> SourceError:
    """The error for a source (at ``path``) that cannot be read: the file or folder named as the project names it,
    by the source's path (its absolute path is where the builder keeps the project, which no one else has)."""
    name = Path(error.filename) if isinstance(error.filename, str) else path
    try:
        shown = PurePosixPath(source.path, name.relative_to(path).as_posix()).as_posix()
    except ValueError:
        shown = str(name)
    return SourceError(f"{source.path}: cannot read {shown}: {error.strerror or error} ({source.where})",
                       hint=f"make the raw export readable by the user who {who}", path=source.path,
                       place=source.key_path)


def _refuse_undecodable_names(shown: str, members: list[tuple[str, Path]], where: str) -> None:
    """A folder's file whose name is no UTF-8 text (a name of another encoding's bytes) cannot be named in a locator,
    a hash or the provenance published: refused, named with its bytes escaped."""
    for name, _ in members:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            escaped = os.fsencode(name).decode("utf-8", "backslashreplace")
            raise SourceError(f"{shown}: the file name '{escaped}' is not UTF-8 text ({where})",
                              hint="rename it: every member's name is published in its records' locators") from None


def canonical_json(value: Any) -> str:
    """Canonical JSON text used for hashing (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def inputs_sha256(release: Release, files: list[SourceFile]) -> str:
    """Hash of everything a build depends on: metadata.yml (the file loaded, as it was loaded), every raw file, the
    version."""
    return inputs_digest(release, [(f.source.register, f.source.path, f.sha256) for f in files])


def inputs_digest(release: Release, sources: list[tuple[str, str, str]]) -> str:
    """:func:`inputs_sha256` from each declared source's (register, path, sha256), in declaration order: what
    ``publish`` recomputes from the ``sources`` table, without reading a raw file again."""
    return digest_of_inputs(release.metadata_sha256, sources, __version__)


def digest_of_inputs(metadata_sha256: str, sources: Iterable[Sequence[str]], version: str) -> str:
    """The inputs hash of a build: of ``metadata.yml``'s sha256, every declared source's (register, path, sha256) in
    declaration order, and the releasekit version. Every package records the three (``releasekit.metadata_sha256``,
    ``releasekit.inputs``, ``releasekit.releasekit_version``) beside the hash, and ``validate`` recomputes it."""
    return hashlib.sha256(canonical_json({
        "metadata.yml": metadata_sha256,
        "sources": [list(source) for source in sources],
        "releasekit": version,
    }).encode()).hexdigest()
