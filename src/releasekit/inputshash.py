"""The build's inputs hash, recomputed from what a package records (``releasekit validate``).

Every package records its build's ``inputs_sha256`` and what it is the hash of: ``metadata_sha256`` (the
``metadata.yml`` the build loaded, shipped in the package as ``metadata.yml``), ``inputs`` (every source the
build declared, each register's: ``[register, path, sha256]`` in declaration order) and ``releasekit_version``
(:func:`releasekit.provenance.digest_of_inputs`). So a reader of the package alone can check that the hash
is the one of that file and those raw files, that the package's own sources are among them with the same
sha256, and that the ``metadata.yml`` beside it is the one hashed. A package of releasekit 0.3.0 or earlier
records the hash alone: nothing is recomputed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .metadatafile import METADATA_FILE
from .provenance import digest_of_inputs, sha256_file

_SHA256 = re.compile(r"[0-9a-f]{64}")


def inputs_problems(folder: Path, prov: dict[str, Any]) -> list[str]:
    """What does not add up between the inputs hash ``prov`` (a ``releasekit`` block) records and what it records
    of the inputs, and the ``metadata.yml`` in ``folder``: one message each (none for an older package)."""
    inputs, metadata = prov.get("inputs"), prov.get("metadata_sha256")
    shipped = folder / METADATA_FILE
    if inputs is None and metadata is None:
        return [f"{METADATA_FILE} is shipped, but releasekit.metadata_sha256 does not say which file was hashed"
                ] if shipped.is_file() else []
    if not (isinstance(inputs, list) and all(isinstance(i, list) and len(i) == 3
                                             and all(isinstance(part, str) for part in i) for i in inputs)):
        return ["releasekit.inputs is not a list of [register, path, sha256]"]
    if not (isinstance(metadata, str) and _SHA256.fullmatch(metadata)):
        return [f"releasekit.metadata_sha256 is not 64 hexadecimal digits: {str(metadata)[:80]!r}"]
    problems = []
    version, recorded = prov.get("releasekit_version"), prov.get("inputs_sha256")
    if isinstance(version, str) and (found := digest_of_inputs(metadata, inputs, version)) != recorded:
        problems.append(f"releasekit.inputs_sha256 is {str(recorded)[:80]!r}, but metadata_sha256, inputs and "
                        f"releasekit_version hash to {found!r}: the package was edited after it was built")
    hashed = {path: sha256 for _, path, sha256 in inputs}
    sources = prov.get("sources")
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict) or not isinstance(source.get("path"), str) or not source.get("sha256"):
            continue  # (a source's shape, or its missing sha256, is validate's _provenance_problems' to report)
        path = source["path"]
        if path not in hashed:
            problems.append(f"{path}: a source of the package that releasekit.inputs does not list")
        elif hashed[path] != source["sha256"]:
            problems.append(f"{path}: sha256 {str(source['sha256'])[:80]!r} in releasekit.sources, "
                            f"{hashed[path]!r} in releasekit.inputs")
    if shipped.is_file() and (actual := sha256_file(shipped)[0]) != metadata:
        problems.append(f"{METADATA_FILE}: its sha256 is {actual!r}, but releasekit.metadata_sha256 is "
                        f"{metadata!r}: not the file the build loaded")
    return problems
