"""Symbolic links: where one among the raw files may lead, and none in the build's own folders (:func:`own_folder`).

``raw/`` may hold links to exports kept elsewhere (``ln -s ../shared/data/… raw/…``), and a folder source may
hold links to files beside it (a day's unchanged captures linked to the day before). But an export unpacked into
``raw/`` may bring links of its own (``tar`` and ``unzip`` keep them), and what a build reads that is no record is
quarantined with its raw text, which the packages publish: ``provinces.csv -> ~/.aws/credentials`` published the
secret key line by line, ``-> ../.git/config`` a CI token (reviews BB #2, BE #2, BF H2). So a link may not lead to a
file of the operating system, nor to a hidden file or into a hidden folder, where keys, credentials and settings are
kept; nor may a folder source reached through a link hold one (``raw/tps -> ~``: BF H1). Any other file a link
leads to is read: check what an export's links lead to before building it (``find raw -type l -exec ls -l {} +``).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

#: Folders of the operating system (``/proc/self/environ`` holds the build's environment, CI secrets with it).
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/etc"), Path("/boot"), Path("/run"),
                  Path("/private/etc"))  # (macOS: /etc is a link to /private/etc)
#: But shared memory, where CI jobs keep scratch files (review BE #7: a project under ``/dev/shm`` was refused).
SHARED_MEMORY = Path("/dev/shm")
#: The hidden folder whose files are data: git-annex's (and DataLad's) content store, ``.git/annex/objects`` (of a
#: submodule too: ``.git/modules/<name>/annex/objects``), not the rest of ``.git/annex`` (``creds/``: review BG M1).
ANNEX = ("annex", "objects")


def refused(target: Path, project: Path) -> str | None:
    """Why a raw file reached through a link may not be read at ``target`` (a resolved path), or None: not a file of
    the operating system (outside the ``project`` folder, resolved), nor a hidden file, nor a file in a hidden folder
    of the project (``.git/config``, where a CI checkout keeps its token) or of a home folder (``~/.ssh``, ``~/.aws``;
    a hidden folder elsewhere, ``/mnt/.cache/exports``, is a place data is kept), but git-annex's and DataLad's
    content store (``.git/annex/objects/…``). Only the folders below those the project lies in count: a checkout
    under a hidden folder (``~/.ci/work/project``) may link to ``~/.ci/work/shared/data``."""
    inside = target.is_relative_to(project)
    if not inside and any(target.is_relative_to(folder) for folder in SYSTEM_FOLDERS) \
            and not target.is_relative_to(SHARED_MEMORY):
        return "a file of the operating system"
    below = target.relative_to(project if inside else os.path.commonpath([target, project])).parts
    folders = inside or any(target.is_relative_to(home) for home in _homes())
    hidden = next((part for at, part in enumerate(below) if part.startswith(".") and not _annexed(below, at)
                   and (folders or at == len(below) - 1)), None)
    if hidden is not None:
        return f"a hidden file or a file in a hidden folder ({hidden}), where keys and credentials may be kept"
    return None


def _annexed(parts: tuple[str, ...], at: int) -> bool:
    """Whether ``parts[at]`` is the ``.git`` of a file in git-annex's content store (:data:`ANNEX`)."""
    rest = parts[at + 1:]
    return parts[at] == ".git" and (rest[:2] == ANNEX or rest[:1] == ("modules",) and rest[2:4] == ANNEX)


def _homes() -> tuple[Path, ...]:
    """The folders users' hidden settings lie in: this user's home (``$HOME``), ``/home`` and ``/root``."""
    return _homes_of(os.environ.get("HOME"))


@functools.lru_cache(maxsize=4)
def _homes_of(home: str | None) -> tuple[Path, ...]:
    try:
        own: tuple[Path, ...] = (Path.home().resolve(),)
    except (RuntimeError, OSError, KeyError):  # (no home to be found)
        own = ()
    return (*own, Path("/home"), Path("/root"))


def own_folder(path: Path) -> Path:
    """``path``, a folder of the build's own (``build/cache``, ``build/cache/changes``, ``build/.staging`` and the
    folders a swap uses in it): a symbolic link there is removed (not what it leads to), so that what the build writes
    and deletes in it stays in the project (review BB #1: a ``build/cache`` linked to another folder had that folder's
    files deleted)."""
    if path.is_symlink():
        path.unlink()
    return path
