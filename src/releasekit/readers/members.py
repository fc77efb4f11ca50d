"""Stream the members of a raw source: a folder tree, ``.zip``, ``.tar(.gz)`` or one file.

Members come out in a stable order (sorted paths for folders and zips, archive
order for tars and for zips cut before their central directory, fixed by the
archive's bytes) and one at a time, so memory does not grow with the number of
members. A truncated or corrupt archive
ends the stream with a :class:`~releasekit.readers.base.Rejected` naming the
place it broke, instead of an exception (a tar that ends without its end-of-archive
marker, cut at a member's boundary, too); an encrypted zip member, one in a
compression Python cannot read, and the bytes of a tar read past after a zeroed
header (:class:`~.tarstream.Gap`) are a :class:`Rejected` of their own.

A lone gzipped file cut short (or with bytes after its gzip stream that are no gzip
member) gives what it holds before the break: a streamed one its lines, as a member
cut inside does; one read whole its complete lines, as the member, and the line the
break cut, a :class:`Rejected` (a ``.json`` document cut short holds no record: it
is one :class:`Rejected`, as before).

A member read whole (a JSON document, an SQL dump: a :class:`Member`) of more than
:data:`MEMBER_LIMIT` bytes is a :class:`Rejected` naming its size, read past in constant
memory: a 3 MB zip can inflate to gigabytes. A zip member's declared size is checked
before it is read, and no more than that is read (:mod:`zipfile` stops there, and a
member whose bytes go on fails its CRC-32).

A member the reader reads line by line (a text table, JSON Lines: the names the caller
passes as ``streamed``) is a :class:`Streamed`: a binary file read from the folder or
archive a buffer at a time as the reader asks, so memory stays the same whatever its
size, and no member limit applies (the reader's own limit on a line does). Its first
:data:`~.memberstream.HEAD` bytes are read before it is handed on, and a zip member is first read
through to check its CRC-32, so a member cut or corrupt there is a :class:`Rejected` as
one read whole is; a break further on is raised by the stream's reads, and the reader
sets aside the line it cut (an archive cut there then ends with that, no second record).

A folder is read as its sha256 is taken (:func:`releasekit.provenance.sha256_file`):
every regular file under it, symbolic links to files included. A folder that
cannot be listed, a broken link or something that is no file (a pipe), and a
symbolic link to a folder (the sha256 does not descend into one, so its files
would load unpinned) stop the build naming that path.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, overload

from ..errors import SourceError
from . import memberstream, zipsalvage
from .base import ReadContext, Rejected
from .bytelines import cut
from .inflate import CheckedGzipFile
from .memberstream import ARCHIVE_ERRORS, BUFFER, MemberStream, Streamed, chunks_of, primed, streamed_from
from .tarstream import MAGIC_BYTES, Gap, MemberCut, NotAFile, Section, TarError, TooLarge, compression_of, iter_tar
from .zipsalvage import too_large

__all__ = ["ARCHIVE_ERRORS", "EVERY", "MEMBER_LIMIT", "Member", "MemberStream", "Streamed", "holds_members",
           "is_tar", "iter_members", "members_named", "stem"]

Progress = Callable[[int], None]
#: The most bytes one member read whole (a file of a folder or archive, or a gzipped file) may hold: a JSON document
#: is decoded whole. A Sirekap per-TPS file is about 1 KB; the largest real member seen is 2.3 MB (a kawalpemilu TPS
#: list), a region list 15 KB, a Kemendagri SQL dump a few MB. (A streamed member has no such limit.)
MEMBER_LIMIT = 64 << 20
#: The names of files read whole that are one document: a prefix of one cut short holds no record.
DOCUMENTS = (".json",)
#: For ``streamed``: every member is streamed (a table reader's members; one that is not a table is never read).
EVERY = ("",)


@dataclass(slots=True)
class Member:
    """A file inside a source: its name relative to the source, and its bytes."""

    name: str
    data: bytes


def is_tar(path: Path) -> bool:
    """Whether ``path`` names a tar archive (plain or compressed)."""
    name = path.name.lower()
    return name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"))


def holds_members(path: Path) -> bool:
    """Whether ``path`` is a folder or an archive (its files are read as members), not one file read as itself."""
    return path.is_dir() or path.name.lower().endswith(".zip") or is_tar(path)


def iter_members(path: Path, progress: Progress | None = None, label: str | None = None, *,
                 streamed: tuple[str, ...] = ()) -> Iterator[Member | Streamed | Rejected]:
    """Yield each regular file of a folder tree or archive at ``path``.

    :param progress: called with the bytes of the source consumed so far.
    :param label: the source as metadata.yml names it, for errors (default: the file name).
    :param streamed: the members whose names end in one of these (in lower case) come as :class:`Streamed`
        (:data:`EVERY`: all), the others as :class:`Member` (:data:`MEMBER_LIMIT` applies).
    :raises SourceError: a folder holds what cannot be read as it is hashed (see the module's docstring).
    """
    report = progress or (lambda n: None)
    limit = MEMBER_LIMIT

    def wanted(name: str) -> bool:
        return name.lower().endswith(streamed)

    label = label or path.name
    if path.is_dir():
        yield from _folder(path, report, label, limit, wanted)
        return
    if path.stat().st_size == 0:  # (a download that failed: no reader may take it for a source of no records)
        raise SourceError(f"{label}: the file is empty", hint="download or export it again")
    if path.name.lower().endswith(".zip"):
        yield from _holding_a_file(_zip(path, report, limit, wanted, label), label)
    elif is_tar(path):
        yield from _holding_a_file(_tar(path, report, limit, wanted, label), label)
    elif path.name.lower().endswith(".gz"):
        yield from _gzip(path, limit, wanted, report)
    elif wanted(path.name):
        with path.open("rb") as handle:
            yield streamed_from(path.name, reported(chunks_of(handle), handle.tell, report))
    else:
        data, size = _read_file(path, limit)
        yield Member(path.name, data) if size <= limit else Rejected(path.name, _file_too_large(size, limit))


@overload
def members_named(ctx: ReadContext, suffixes: tuple[str, ...], kind: str) -> Iterator[Member | Rejected]: ...


@overload
def members_named(ctx: ReadContext, suffixes: tuple[str, ...], kind: str, *, streamed: tuple[str, ...]
                  ) -> Iterator[Member | Streamed | Rejected]: ...


def members_named(ctx: ReadContext, suffixes: tuple[str, ...], kind: str, *, streamed: tuple[str, ...] = ()
                  ) -> Iterator[Member | Streamed | Rejected]:
    """:func:`iter_members` of the source, where a member whose name ends in none of ``suffixes`` is a rejected
    record (a streamed one is not read)."""
    for member in iter_members(ctx.path, ctx.progress, ctx.label, streamed=streamed):
        if isinstance(member, Rejected):
            yield member
        elif macos_metadata(member.name):
            yield Rejected(member.name, MACOS_METADATA)
        elif member.name.lower().endswith(suffixes):
            yield member
        else:
            yield Rejected(member.name, f"not a {kind} member; nothing read from it")


#: Why a file macOS adds beside the data is a rejected record (:func:`macos_metadata`).
MACOS_METADATA = ("macOS metadata (a resource fork under __MACOSX/, an AppleDouble '._' file or .DS_Store), not data; "
                  "nothing read from it (remove them: zip -d archive.zip '__MACOSX/*' '*/.DS_Store')")


def macos_metadata(name: str) -> bool:
    """Whether a member is one of the files macOS adds to an archive or a folder it writes: everything under
    ``__MACOSX/``, an AppleDouble ``._`` file, a ``.DS_Store`` (the Finder's 'Compress' adds one per data file, named
    like it: ``__MACOSX/day/._3101011001001.json``, which read as a TPS code that is none)."""
    if "._" not in name and not name.startswith("__MACOSX/") and not name.endswith(".DS_Store"):
        return False  # (most names: three C-speed tests, not a split of every member's path)
    parts = name.split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


def stem(name: str) -> str:
    """A member's file name without folders and without its last extension: ``a/b/1101.json`` → ``1101``."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def reported(chunks: Iterator[bytes], position: Callable[[], int], report: Progress) -> Iterator[bytes]:
    """``chunks``, telling ``report`` before each how far into the source file reading has come (review AY #5: a
    JSON Lines file, gzipped or not, reported nothing until it had been read whole: a progress bar stood at 0%)."""
    for chunk in chunks:
        report(position())
        yield chunk


def _gzip(path: Path, limit: int, wanted: Callable[[str], bool],
          report: Progress) -> Iterator[Member | Streamed | Rejected]:
    """A lone gzipped file: the one member, named without its ``.gz`` (one read whole: :func:`_gunzipped`)."""
    name = path.name[:-3]
    with ExitStack() as stack:
        got: Sequence[Member | Streamed | Rejected]
        try:
            raw = stack.enter_context(path.open("rb"))  # (its position: how much of the source is read)
            handle = stack.enter_context(CheckedGzipFile(fileobj=raw))
            got = ([primed(name, reported(chunks_of(handle), raw.tell, report))] if wanted(name) else
                   _gunzipped(name, handle, limit))
        except ARCHIVE_ERRORS as e:
            got = [Rejected(path.name, f"gzip file is corrupt or truncated: {e}")]
        yield from got  # (a stream is read before the file closes)


def _gunzipped(name: str, handle: CheckedGzipFile, limit: int) -> list[Member | Rejected]:
    """The lone gzipped file ``name`` read whole: the member, or, where the gzip data is cut short (or followed by
    bytes that are no gzip member), its complete lines and the cut line, as :mod:`.bytelines` sets it aside (a
    reader would take a cut row for a whole one: ``1101,KAB ACEH BESA``).

    :raises ARCHIVE_ERRORS: the break comes before a line end, or the file is a JSON document (its start is none).
    """
    parts: list[bytes] = []
    size = 0
    try:
        while size <= limit and (chunk := handle.read1(BUFFER)):  # (read1: a read that fails loses nothing)
            parts.append(chunk)
            size += len(chunk)
        size += _drain(handle)
    except ARCHIVE_ERRORS as error:
        data = b"".join(parts)
        end = data.rfind(b"\n") + 1
        if not end or size > limit or name.lower().endswith(DOCUMENTS):
            raise
        return [Member(name, data[:end]), cut(name, data.count(b"\n", 0, end) + 1, error, data[end:])]
    return [Member(name, b"".join(parts))] if size <= limit else [Rejected(name, _file_too_large(size, limit))]


def folder_files(root: Path, label: str) -> list[Path]:
    """Every file under the folder ``root`` (``label``: its name in errors), sorted by relative path.

    :raises SourceError: a folder cannot be listed; a symbolic link to a folder, a broken link or no file (a pipe)
        lies inside it; there is no file at all.
    """
    def refuse(path: Path, what: str, hint: str) -> SourceError:
        return SourceError(f"{label}/{path.relative_to(root).as_posix()}: {what}", hint=hint)

    files, folders = [], [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)  # the first problem named is the same everywhere
        except OSError as e:
            raise refuse(folder, f"cannot list this folder: {e.strerror}",
                         "make it readable; every file of a folder source is read") from None
        for entry in entries:
            path = Path(entry.path)
            try:
                leads_to_folder = entry.is_dir()  # (a link that leads back to itself raises here: review BG L4)
            except OSError as e:
                raise refuse(path, f"cannot be followed ({e.strerror}: a symbolic link that leads back to itself?)",
                             "point the link at the file itself, or remove it") from None
            if entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif leads_to_folder:
                raise refuse(path, "a symbolic link to a folder, which is not followed (the source's sha256 "
                             "covers only what lies inside it)",
                             "copy the linked folder in, or declare it as a source of its own")
            elif entry.is_file():  # (a link to a file is read as that file; where it may lead: releasekit.links,
                files.append(path)   # checked before the build reads anything, provenance.check_sources)
            else:
                raise refuse(path, "not a readable file (a broken symbolic link, a pipe or a device)",
                             "remove it, or put the file it stands for there")
    if not files:
        raise SourceError(f"{label}: the folder is empty (no file in it or its subfolders)",
                          hint="check that the export was copied in whole, or remove the source")
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _folder(root: Path, report: Progress, label: str, limit: int, wanted: Callable[[str], bool]
            ) -> Iterator[Member | Streamed | Rejected]:
    files = folder_files(root, label)
    done = 0
    for file in files:
        name = file.relative_to(root).as_posix()
        if wanted(name):
            with file.open("rb") as handle:
                done += os.fstat(handle.fileno()).st_size
                member = primed(name, chunks_of(handle))
                report(done)
                yield member
            continue
        data, size = _read_file(file, limit)
        done += size
        report(done)
        yield Member(name, data) if size <= limit else Rejected(name, too_large(size, limit))


def _read_file(path: Path, limit: int) -> tuple[bytes, int]:
    """A file's bytes and size; no bytes when it holds more than ``limit`` (never more than that is read)."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            return b"", size
        data = handle.read(size + 1)  # (+ 1: a file that grew since is not cut short)
        if len(data) > size:
            data += handle.read(limit + 1 - len(data))
            if len(data) > limit:
                return b"", len(data) + _drain(handle)
    return data, len(data)


def _drain(handle: IO[bytes] | io.BufferedIOBase) -> int:
    """Read ``handle`` to its end, a buffer at a time: how many bytes were left."""
    left = 0
    while chunk := handle.read(BUFFER):
        left += len(chunk)
    return left


def _file_too_large(size: int, limit: int) -> str:
    return "file" + too_large(size, limit).removeprefix("member")


def _holding_a_file(members: Iterator[Member | Streamed | Rejected], label: str
                    ) -> Iterator[Member | Streamed | Rejected]:
    """``members``, an archive that holds no file at all refused (a release built from it would be empty, and
    valid)."""
    empty = True
    for member in members:
        empty = False
        yield member
    if empty:
        raise SourceError(f"{label}: the archive holds no file", hint="download or export it again")


#: What a zip archive starts with: a member's local header, or the end record of an archive with no member.
ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")
GIT_LFS = b"version https://git-lfs"


def _first_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(GIT_LFS))


def _no_archive(label: str, start: bytes, what: str) -> SourceError:
    """The refusal of a raw file that holds no archive to salvage: a Git LFS pointer (``start``: its first bytes), or
    ``what`` (an open parenthesis the first bytes close)."""
    why = ("a Git LFS pointer, not the file it points to" if start == GIT_LFS
           else f"{what}its first bytes: {start[:4].hex(' ')})")
    return SourceError(f"{label}: {why}", hint="download or export it again (git lfs pull, for a pointer)")


def _zip(path: Path, report: Progress, limit: int, wanted: Callable[[str], bool], label: str
         ) -> Iterator[Member | Streamed | Rejected]:
    try:
        archive = zipfile.ZipFile(path)
    except ARCHIVE_ERRORS as e:
        start = _first_bytes(path)
        if not start.startswith(ZIP_STARTS):  # (nothing to salvage: not a zip cut short, no zip at all)
            raise _no_archive(label, start, "not a zip archive (") from e
        yield from _cut_zip(path, report, e, limit, wanted)
        return
    done = 0
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            done += info.compress_size
            report(done)
            if info.flag_bits & zipsalvage.ENCRYPTED:
                yield Rejected(info.filename, zipsalvage.ENCRYPTED_REASON)
                continue
            streamed = wanted(info.filename)
            if info.file_size > limit and not streamed:
                yield Rejected(info.filename, too_large(info.file_size, limit))
                continue
            try:
                with archive.open(info) as handle:  # (it stops at the declared size: a longer member fails its CRC)
                    data = handle.read(memberstream.HEAD if streamed else limit + 1)
                    more = streamed and len(data) == memberstream.HEAD and _drain(handle) > 0  # (read through: its
                    # CRC-32 is checked before the reader sees a byte)
                again = archive.open(info) if more else None  # read again as it is used, now that it is known whole
            except NotImplementedError as e:  # zipfile's word for a compression method it cannot read
                yield Rejected(info.filename, f"zip member uses an unsupported compression: {e}")
                continue
            except ARCHIVE_ERRORS as e:
                yield Rejected(info.filename, f"zip member is corrupt: {e}")
                continue
            if not streamed:
                yield Member(info.filename, data) if len(data) <= limit else Rejected(
                    info.filename, too_large(len(data), limit))
            elif again is None:
                yield streamed_from(info.filename, [data])
            else:
                with again:
                    yield streamed_from(info.filename, chunks_of(again))


def _cut_zip(path: Path, report: Progress, error: BaseException, limit: int, wanted: Callable[[str], bool]
             ) -> Iterator[Member | Streamed | Rejected]:
    """A zip with no central directory (a download cut short): the members before the cut, from their local
    headers (:mod:`.zipsalvage`), in archive order, and the rest one rejected record, as for a cut ``.tar.gz``."""
    last = "(start of archive)"
    try:
        with path.open("rb", buffering=zipsalvage.CHUNK) as raw:
            for member in zipsalvage.salvage(raw, limit, wanted):
                report(raw.tell())
                if member.skipped:
                    yield Rejected(member.name, member.skipped)
                    continue
                if member.chunks is not None:
                    streamed = primed(member.name, member.chunks)
                    yield streamed
                    if streamed.stream.error is not None:
                        return  # (the reader has set aside the line it cut)
                elif wanted(member.name):  # (a stored member of unknown size, read whole)
                    yield streamed_from(member.name, [member.data])
                else:
                    yield Member(member.name, member.data)
                last = member.name
    except (zipsalvage.Stop, OSError) as e:
        yield Rejected(f"after {last}", f"zip archive is truncated or corrupt ({error}): {e}")
        return
    yield Rejected(f"after {last}", f"zip archive's central directory is unreadable ({error}); the members before "
                   "it were read from their own headers")


def _unread(what: NotAFile | TooLarge | Gap, limit: int) -> str:
    """Why a tar member (or stretch of one) that :func:`iter_tar` did not read is a rejected record."""
    if isinstance(what, Gap):
        return f"archive is corrupt: {what}"
    return too_large(what.size, limit) if isinstance(what, TooLarge) else _not_a_file(what)


def _not_a_file(what: NotAFile) -> str:
    return (f"tar member is {what}, not a file: whatever records it stands for are not read (re-create the "
            "archive with the files themselves: GNU tar's --hard-dereference for hard links, -h for symbolic links)")


def _tar(path: Path, report: Progress, limit: int, wanted: Callable[[str], bool], label: str
         ) -> Iterator[Member | Streamed | Rejected]:
    last = ["(start of archive)"]  # the last member read whole (_tar_members keeps it): a cut is reported after it
    read = False  # whether a member was handed on (a streamed one's records may be loaded before its last is)
    try:
        for member in _tar_members(path, report, limit, wanted, last):
            read = True
            yield member
    except MemberCut as e:  # (a header was read: a tar, cut inside that member's data)
        yield Rejected(e.member, f"archive is truncated or corrupt inside this member: {type(e.cause).__name__}: "
                       f"{e.cause}")
    except ARCHIVE_ERRORS as e:
        if not read:  # (nothing to salvage: no tar, or one cut before its first file)
            raise _no_archive(label, _first_bytes(path), "not a tar archive, or one cut short before its first file "
                              f"({type(e).__name__}: {e}; ") from e
        yield Rejected(f"after {last[0]}", f"archive is truncated or corrupt: {type(e).__name__}: {e}")


def _tar_members(path: Path, report: Progress, limit: int, wanted: Callable[[str], bool], last: list[str]
                 ) -> Iterator[Member | Streamed | Rejected]:
    """Every member of a tar (:func:`_tar`), ``last[0]`` kept the name of the last one read whole. Plain, gzip,
    bzip2 and xz tars are read by :mod:`.tarstream`, whatever their name says, by their first bytes."""
    with path.open("rb") as raw:
        compression = compression_of(raw.read(MAGIC_BYTES))
        raw.seek(0)
        for member, data in iter_tar(raw, False, report, limit, wanted, compression=compression):
            if isinstance(data, Section):
                try:
                    streamed = primed(member, iter(data))
                except TarError as e:  # (cut within the bytes read before the member is handed on)
                    raise MemberCut(member, e) from e
                yield streamed
                if streamed.stream.error is not None:
                    return  # (the reader has set aside the line it cut)
                last[0] = last[0] if data.left else member  # (what the reader left is read past with the next)
                continue
            if isinstance(data, Gap):
                yield Rejected(f"after {last[0]}", _unread(data, limit))
                continue
            last[0] = member
            yield Member(member, data) if isinstance(data, bytes) else Rejected(member, _unread(data, limit))
