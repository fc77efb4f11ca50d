"""A package's files as ``releasekit validate`` reads them: which paths are safe to read, the files of a package folder,
and a package ``.zip`` (its members checked before anything is unpacked, unpacked, and compared with a folder)."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .errors import PackageError
from .privacy import holds_nik
from .report import Problem, pii_problem

DESCRIPTOR = "datapackage.json"
#: The largest ``datapackage.json`` read (a national package's is under 1 MB): one of a gigabyte, a megabyte in a
#: zip, took 2.2 GB of memory to read (review CB M1).
DESCRIPTOR_LIMIT = 64 << 20
#: How many times its compressed size a zip member may inflate to, past :data:`RATIO_FLOOR` bytes: releasekit's
#: CSVs deflate 6 to 17 times; zlib's most is about 1,030, what a zip bomb uses (2 MB unpacked to 2 GiB, review CB
#: M1). So a zip unpacks to at most this many times its size.
RATIO_LIMIT = 250
RATIO_FLOOR = 1 << 20


def too_large_descriptor(size: int) -> str | None:
    """Why a ``datapackage.json`` of ``size`` bytes is not read, or None."""
    if size > DESCRIPTOR_LIMIT:
        return f"{size:,} bytes, past the {DESCRIPTOR_LIMIT:,} a descriptor is read up to (a package's is under 1 MB)"
    return None


def unsafe_path(path: object) -> str | None:
    """Why a resource path may not be read, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "resource path must be a non-empty string"
    if "://" in path:
        return "remote resource paths are not read when validating offline"
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or path[1:3] == ":/" or path[1:3] == ":\\":
        return "absolute resource paths are refused"
    if ".." in pure.parts:
        return "resource paths may not leave the package folder ('..')"
    return None


def package_files(folder: Path, *, hidden: bool) -> list[Path]:
    """Every file and folder of a package folder, in order, links not followed; ``hidden=False`` leaves out what is
    under a hidden folder (``.git``, ``.venv``: a repository whose root is a package is not published with them)."""
    found = []
    for top, dirs, names in os.walk(folder):  # (does not follow links to folders; they are listed in dirs)
        found += [Path(top) / name for name in [*dirs, *names]]
        dirs[:] = sorted(d for d in dirs if hidden or not d.startswith("."))
    return sorted(found)


def unpacked_path(name: str) -> str:
    """The path ``zipfile`` unpacks the member ``name`` to, relative to the folder (empty and ``.`` parts dropped)."""
    return "/".join(part for part in name.replace("\\", "/").split("/") if part not in ("", "."))


def open_zip(zip_path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as e:
        raise PackageError(f"{zip_path}: not a zip archive ({e})", hint="download the package again") from e


def check_members(zip_path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose members cannot be unpacked as they are listed (each would hide or misplace a file)."""
    seen: set[str] = set()
    for info in archive.infolist():
        name = info.filename
        reason = unsafe_path(name)
        if reason:
            raise PackageError(f"{zip_path}: member {name!r}: {reason}",
                               hint="this archive tries to write outside its folder; do not unpack it")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(f"{zip_path}: member {name!r} is a symbolic link",
                               hint="a package holds files; unpacked by unzip, a link could point anywhere")
        if info.is_dir() and info.file_size:
            raise PackageError(f"{zip_path}: member {name!r} is a folder that holds {info.file_size:,} bytes",
                               hint="unpacking throws a folder's bytes away unread; do not trust this archive")
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and info.file_size > RATIO_LIMIT * packed:
            raise PackageError(f"{zip_path}: member {name!r} inflates {info.file_size / packed:,.0f} times "
                               f"({info.compress_size:,} bytes to {info.file_size:,}), past the {RATIO_LIMIT} a "
                               "package's CSVs come near", hint="a zip bomb, not a package; do not unpack it")
        unpacked = unpacked_path(name)  # (where zipfile writes it: ./data/x.csv and data//x.csv are data/x.csv)
        # (any package's descriptor: the one validated is the outermost, wherever it sits)
        if PurePosixPath(unpacked).name == DESCRIPTOR and (why := too_large_descriptor(info.file_size)):
            raise PackageError(f"{zip_path}: member {name!r}: {why}", hint="this is no package; do not trust it")
        if unpacked in seen:
            raise PackageError(f"{zip_path}: two members unpack to {unpacked!r} (the last: {name!r})",
                               hint="which of them is the package's cannot be told; unpacking keeps the last")
        seen.add(unpacked)


def extract_zip(zip_path: Path, into: Path) -> Path:
    with open_zip(zip_path) as archive:
        check_members(zip_path, archive)
        needed, free = sum(info.file_size for info in archive.infolist()), shutil.disk_usage(into).free
        if needed > free:  # (a member never inflates past its declared size: zipfile stops there, or its CRC fails)
            raise PackageError(f"{zip_path}: unpacked, its members take {needed:,} bytes; the temporary folder "
                               f"{into.parent} has {free:,} free",
                               hint="set TMPDIR to a folder with room, or unzip it and validate the folder")
        for info in archive.infolist():
            try:
                archive.extract(info, into)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
                raise PackageError(f"{zip_path}: member {info.filename!r} cannot be unpacked: {e}",
                                   hint="the archive is damaged; download the package again") from e
            except OSError as e:  # (a member under a path another member holds as a file: README.md/x.txt)
                raise PackageError(f"{zip_path}: member {info.filename!r} cannot be unpacked: "
                                   f"{e.strerror or e}", hint="the archive's paths clash; it is no package") from e
    # The outermost descriptor; at the same depth, the first by name (the same choice on every system).
    candidates = sorted(into.rglob(DESCRIPTOR), key=lambda p: (len(p.parts), p.as_posix()))
    if not candidates:
        raise PackageError(f"{zip_path}: no {DESCRIPTOR} inside", hint="is this a data package zip?")
    return candidates[0]


def zip_comment_problems(zip_path: Path) -> list[Problem]:
    """The PII gate on a zip's comments, the archive's and each member's (unpacked, the names are checked as files'
    names): published with the zip, never unpacked."""
    with open_zip(zip_path) as archive:
        comments = [("zip comment", archive.comment)]
        comments += [(f"zip comment of {info.filename}", info.comment) for info in archive.infolist()]
    return [pii_problem(where, None) for where, comment in comments
            if holds_nik(comment.decode("utf-8", errors="replace"))]


def holds_the_folder(zip_path: Path, folder: Path) -> bool:
    """Whether the zip holds the folder's files and nothing else, byte for byte (read as unpacking reads them)."""
    files: dict[str, Path] = {}
    for entry in package_files(folder, hidden=True):
        if entry.is_symlink() or any(part.startswith(".") for part in entry.relative_to(folder).parts):
            return False  # (a hidden folder's files are not the folder's report's: the zip's are published)
        if entry.is_file():
            files[entry.relative_to(folder).as_posix()] = entry
        elif not any(entry.iterdir()):
            return False  # (an empty folder: unpacked, the zip does not make it)
    with open_zip(zip_path) as archive:
        check_members(zip_path, archive)
        if any("\\" in info.filename for info in archive.infolist()):
            return False  # (unpacked here, data\\x.csv is a file of that name, not data/x.csv)
        members = {unpacked_path(info.filename): info for info in archive.infolist() if not info.is_dir()}
        if members.keys() != files.keys() or any(info.file_size != files[name].stat().st_size
                                                  for name, info in members.items()):
            return False
        try:
            return all(same_bytes(archive, info, files[name]) for name, info in sorted(members.items()))
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError):
            return False  # (unpacked on its own, the zip's damage is reported)


def same_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: Path) -> bool:
    with archive.open(info) as member, file.open("rb") as handle:
        while True:
            block = member.read(1 << 20)
            if block != handle.read(len(block) or 1):
                return False
            if not block:
                return True
