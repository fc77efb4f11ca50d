"""Stream the members of a raw source: a folder tree, ``.zip``, ``.tar(.gz)`` or one file.

Members come out in a stable order (sorted paths for folders and zips, archive
order for tars, which is fixed by the archive's bytes) and one at a time, so
memory does not grow with the number of members. A truncated or corrupt archive
ends the stream with a :class:`~releasekit.readers.base.Rejected` naming the
place it broke, instead of an exception.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .base import Rejected
from .tarstream import iter_tar

Progress = Callable[[int], None]
ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError)


@dataclass(slots=True)
class Member:
    """A file inside a source: its name relative to the source, and its bytes."""

    name: str
    data: bytes


def is_tar(path: Path) -> bool:
    """Whether ``path`` names a tar archive (plain or compressed)."""
    name = path.name.lower()
    return name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"))


def iter_members(path: Path, progress: Progress | None = None) -> Iterator[Member | Rejected]:
    """Yield each regular file of a folder tree or archive at ``path``.

    :param progress: called with the bytes of the source consumed so far.
    """
    report = progress or (lambda n: None)
    if path.is_dir():
        yield from _folder(path, report)
    elif path.name.lower().endswith(".zip"):
        yield from _zip(path, report)
    elif is_tar(path):
        yield from _tar(path, report)
    elif path.name.lower().endswith(".gz"):
        try:
            yield Member(path.name[:-3], gzip.decompress(path.read_bytes()))
        except ARCHIVE_ERRORS as e:
            yield Rejected(path.name, f"gzip file is corrupt or truncated: {e}")
    else:
        yield Member(path.name, path.read_bytes())


def members_named(path: Path, progress: Progress | None, suffixes: tuple[str, ...], kind: str
                  ) -> Iterator[Member | Rejected]:
    """:func:`iter_members`, where a member whose name ends in none of ``suffixes`` is a rejected record."""
    for member in iter_members(path, progress):
        if isinstance(member, Rejected) or member.name.lower().endswith(suffixes):
            yield member
        else:
            yield Rejected(member.name, f"not a {kind} member; nothing read from it")


def stem(name: str) -> str:
    """A member's file name without folders and without its last extension: ``a/b/1101.json`` → ``1101``."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def _folder(root: Path, report: Progress) -> Iterator[Member]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            files.append(Path(dirpath, name))
    done = 0
    for file in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        data = file.read_bytes()
        done += len(data)
        report(done)
        yield Member(file.relative_to(root).as_posix(), data)


def _zip(path: Path, report: Progress) -> Iterator[Member | Rejected]:
    try:
        archive = zipfile.ZipFile(path)
    except ARCHIVE_ERRORS as e:
        yield Rejected(path.name, f"not a readable zip archive: {e}")
        return
    done = 0
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            done += info.compress_size
            report(done)
            try:
                yield Member(info.filename, archive.read(info))
            except ARCHIVE_ERRORS as e:
                yield Rejected(info.filename, f"zip member is corrupt: {e}")


def _tar(path: Path, report: Progress) -> Iterator[Member | Rejected]:
    last = "(start of archive)"
    name = path.name.lower()
    try:
        with path.open("rb") as raw:
            if name.endswith((".tar", ".tar.gz", ".tgz")):  # the fast reader (tarstream) for the common cases
                gzipped = raw.read(2) == b"\x1f\x8b"
                raw.seek(0)
                for member, data in iter_tar(raw, gzipped, report):
                    last = member
                    yield Member(member, data)
                return
            with tarfile.open(fileobj=raw, mode="r|*") as archive:
                for info in archive:
                    if not info.isfile():
                        continue
                    handle = archive.extractfile(info)
                    if handle is None:
                        continue
                    data = handle.read()
                    last = info.name
                    report(raw.tell())
                    yield Member(info.name, data)
    except ARCHIVE_ERRORS as e:
        yield Rejected(f"after {last}", f"archive is truncated or corrupt: {type(e).__name__}: {e}")
