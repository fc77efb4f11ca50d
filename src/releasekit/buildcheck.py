"""Whether the build on disk is the one the project describes now, before ``publish`` or ``serve`` shows it.

A site is written from three things: ``metadata.yml`` (registers, their status and
legal basis), ``build/release.db`` and the package zips. ``build`` writes the last
two together from the first; afterwards any of them can change alone: a register
added to ``metadata.yml``, a package folder deleted, a zip of another build put
back, a database restored from a backup. Published as they were, the pages told a
register's status from ``metadata.yml`` and its data from the build ("published here
in full" beside "this register publishes no data").

Every package records the hash of its build's inputs (``inputs_sha256``: the sha256 of
``metadata.yml``, each source's register, path and sha256, the releasekit version). The
check recomputes it from the current ``metadata.yml`` and the sources the database
holds, and asks every register's zip (and the package folder the pages read) for the
same hash. A raw file edited after the build is refused too: the build leaves a digest of
each source's sizes, modification and status change times and inodes beside the database
(:data:`~releasekit.provenance.STAMPS_FILE`), and only a source whose stamp moved is hashed
again (a file that is gone is no refusal: a release may be published away from its raw data).
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Any

from . import __version__
from .config import Register, Release, refuse_locale_file_names
from .database import read_only
from .errors import ReleasekitError
from .package import PACKAGES_DIR
from .pages import read_package
from .provenance import STAMPS_FILE, changed_since, inputs_digest, read_stamps

HINT = ("run 'releasekit build' first (in Python, build(release)): it writes the database and every package from "
        "metadata.yml together")


def build_hint(release: Release) -> str:
    """:data:`HINT`, naming the project where it is not the current folder (``serve nb``): 'releasekit build' alone
    would build another project, or none (review BU L4)."""
    here, root = Path.cwd().resolve(), release.root.resolve()
    if root == here:
        return HINT
    project = root.relative_to(here).as_posix() if root.is_relative_to(here) else str(root)
    quoted = shlex.quote(project)  # (in double quotes where it can be: the command is in single ones)
    if quoted != project and not any(c in project for c in '"$`\\!'):
        quoted = f'"{project}"'
    return HINT.replace("'releasekit build'", f"'releasekit build {quoted}'")


class StaleBuildError(ReleasekitError):
    """The database and packages on disk are not one build of the project as it is now."""

    def __init__(self, release: Release, message: str) -> None:
        super().__init__(message, hint=build_hint(release))


#: The name it had before its name ended in ``Error`` (STYLE.md 2.10), kept for the code that uses it.
StaleBuild = StaleBuildError


def check_current(release: Release, db_path: Path) -> None:
    """Refuse a build that is not the one ``metadata.yml`` describes now.

    :raises StaleBuildError: naming the first file that is missing or belongs to another build.
    :raises ReleasekitError: the database cannot be read (damaged, or not a releasekit database).
    """
    held = _sources_held(release, db_path)
    missing = [s for s in release.sources if (s.register, s.path) not in held]
    if missing:
        first = missing[0]
        raise StaleBuildError(release, f"{first.config}: the source {first.path} (register {first.register}) "
                              f"is not in {release.named(db_path)}: declared after the last build"
                              + (f", with {len(missing) - 1} more" if len(missing) > 1 else ""))
    expected = inputs_digest(release, [(s.register, s.path, held[(s.register, s.path)]) for s in release.sources])
    _refuse_changed_sources(release, held, read_stamps(db_path.with_name(STAMPS_FILE)))
    packages = release.root / PACKAGES_DIR
    zips = [(register, packages / f"{register.slug}.zip") for register in release.registers]
    for register, zip_path in zips:  # (a missing package first: the more particular answer)
        if not zip_path.is_file():
            raise StaleBuildError(release, f"{release.named(zip_path)}: missing: register {register.id} has no package "
                                  "(added to metadata.yml after the last build, or the file was removed)")
    for register, zip_path in zips:
        _compare(release, register, zip_path, _zipped_descriptor(release, zip_path), expected)
        folder = packages / register.slug / "datapackage.json"  # (the one the register page reads)
        try:
            descriptor = read_package(packages, register)
        except (OSError, ValueError) as e:
            raise StaleBuildError(release, f"{release.named(folder)}: not a package releasekit built ({e})") from None
        if descriptor is None:  # (the site's register page and table credits read the folder, not the zip)
            raise StaleBuildError(release, f"{release.named(folder)}: missing: register {register.id}'s package "
                                  "folder is gone though its zip is there (the file was removed)")
        _compare(release, register, folder, descriptor if isinstance(descriptor, dict) else {}, expected)


def _refuse_changed_sources(release: Release, held: dict[tuple[str, str], str], stamps: dict[str, str]) -> None:
    """Refuse a build whose raw files changed on disk since it read them: the site would name their sha256 beside
    files that no longer have it. A file that is gone is no refusal (a release published away from its raw data)."""
    refuse_locale_file_names()  # (a folder's hash reads its files' names)
    for source in release.sources:
        key = (source.register, source.path)
        now = changed_since(source, (release.root / source.path).resolve(), held[key], stamps)
        if now is not None:
            raise StaleBuildError(release, f"{source.path}: changed since the last build read it ({source.where}): "
                                  f"its sha256 is now {now}, the build's {held[key]}")


def _compare(release: Release, register: Register, where: Path, descriptor: dict[str, Any], expected: str) -> None:
    prov = descriptor.get("releasekit")
    found = prov.get("inputs_sha256") if isinstance(prov, dict) else None
    if found == expected:
        return
    version = prov.get("releasekit_version") if isinstance(prov, dict) else None
    if isinstance(version, str) and version != __version__:
        why = f"built by releasekit {version}, this is {__version__}"
    elif found is None:
        why = "its datapackage.json records no inputs_sha256"
    else:
        why = ("built from other inputs than metadata.yml and the database name now (metadata.yml edited since "
               "the build, or a file of another build put back)")
    raise StaleBuildError(release,
                          f"{release.named(where)}: the package of register {register.id} is not this build's: {why}")


def _sources_held(release: Release, db_path: Path) -> dict[tuple[str, str], str]:
    """(register, path) → sha256 of every source the database holds."""
    try:
        with closing(read_only(db_path)) as conn:
            rows = conn.execute("SELECT register, path, sha256 FROM sources").fetchall()
    except sqlite3.Error as e:
        raise ReleasekitError(f"{release.named(db_path)}: cannot be read as a releasekit database ({e})",
                              hint=build_hint(release)) from None
    return {(register, path): sha256 for register, path, sha256 in rows}


def _zipped_descriptor(release: Release, zip_path: Path) -> dict[str, Any]:
    """The ``datapackage.json`` at the top of a package zip."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            descriptor = json.loads(archive.read("datapackage.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise StaleBuildError(release, f"{release.named(zip_path)}: not a package releasekit built ({e})") from None
    if not isinstance(descriptor, dict):
        raise StaleBuildError(release, f"{release.named(zip_path)}: not a package releasekit built "
                                       "(datapackage.json is no object)")
    return descriptor
