"""Where a symbolic link among the raw files may lead.

``raw/`` may hold links to exports kept elsewhere (``ln -s ../shared/data/… raw/…``), and a folder source may
hold links to files beside it (a day's unchanged captures linked to the day before). But an export unpacked into
``raw/`` may bring links of its own (``tar`` and ``unzip`` keep them), and what a build reads that is no record is
quarantined with its raw text, which the packages publish: ``provinces.csv -> ~/.aws/credentials`` published the
secret key line by line (review BB #2, BE #2). So a link that leads out of the project may not lead to a file of the
operating system or into a hidden folder or file, where keys, credentials and settings are kept.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Folders of the operating system (``/proc/self/environ`` holds the build's environment, CI secrets with it).
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/etc"), Path("/boot"), Path("/run"))
#: But shared memory, where CI jobs keep scratch files (review BE #7: a project under ``/dev/shm`` was refused).
SHARED_MEMORY = Path("/dev/shm")


def refused(target: Path, project: Path) -> str | None:
    """Why a raw file may not be read at ``target`` (a resolved path), or None: anywhere in the ``project`` folder
    (resolved) is fine; outside it, not a file of the operating system nor one in a hidden folder (``~/.ssh``,
    ``~/.aws``) or hidden itself (``.env``). Only the folders below those the project lies in count: a checkout
    under a hidden folder (``~/.ci/work/project``) may link to ``~/.ci/work/shared/data``."""
    if target.is_relative_to(project):
        return None
    if any(target.is_relative_to(folder) for folder in SYSTEM_FOLDERS) and not target.is_relative_to(SHARED_MEMORY):
        return "a file of the operating system"
    below = target.relative_to(os.path.commonpath([target, project])).parts
    hidden = next((part for part in below if part.startswith(".")), None)
    if hidden is not None:
        return f"a file in a hidden folder or file ({hidden}), where keys and credentials are kept"
    return None
