"""releasekit: raw election-register exports → a reproducible, validated, documented data release.

The Python API can do everything the CLI does::

    from releasekit import load_release, build, validate_paths
    result = build(load_release("."))
    report = validate_paths(["datapackages"])
"""

from __future__ import annotations

import csv as _csv

__version__ = "0.6.0"

# Frictionless's CSV parser sets the process's csv field limit when it is imported (to 2**31 - 2): the program using
# releasekit keeps its own; releasekit sets one only while it reads (csvlimit.bounded_cells, review CE M1).
_field_limit = _csv.field_size_limit()

from .build import BuildProgress, BuildResult, build  # noqa: E402
from .config import Release, load_release, release_from  # noqa: E402
from .errors import ReleasekitError  # noqa: E402
from .validate import Report, validate_paths  # noqa: E402

_csv.field_size_limit(_field_limit)

__all__ = ["BuildProgress", "BuildResult", "Release", "ReleasekitError", "Report", "__version__", "build",
           "load_release", "release_from", "validate_paths"]
