"""releasekit: raw election-register exports → a reproducible, validated, documented data release.

The Python API can do everything the CLI does::

    from releasekit import load_release, build, validate_paths
    result = build(load_release("."))
    report = validate_paths(["datapackages"])
"""

from __future__ import annotations

__version__ = "0.4.0"

from .build import BuildProgress, BuildResult, build  # noqa: E402
from .config import Release, load_release, release_from  # noqa: E402
from .errors import ReleasekitError  # noqa: E402
from .validate import Report, validate_paths  # noqa: E402

__all__ = ["BuildProgress", "BuildResult", "Release", "ReleasekitError", "Report", "__version__", "build",
           "load_release", "release_from", "validate_paths"]
