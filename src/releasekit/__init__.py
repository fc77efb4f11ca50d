"""releasekit: raw election-register exports → a reproducible, validated, documented data release.

The Python API can do everything the CLI does::

    from releasekit import load_release, build, validate_paths, diff, write_site, serving
    release = load_release(".")
    result = build(release)                      # releasekit build
    print("\n".join(result.summary(release)))   # what it prints
    report = validate_paths(["datapackages"])    # releasekit validate
    print(diff("2024-02-15", "2024-02-20").render("markdown"))  # releasekit diff
    site = write_site(release, "../site")        # releasekit publish
    with serving(release) as server:             # releasekit serve, until the block ends
        print(server.url)
"""

from __future__ import annotations

import csv as _csv
import importlib as _importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.7.0"

# Frictionless's CSV parser sets the process's csv field limit when it is imported (to 2**31 - 2): the program using
# releasekit keeps its own; releasekit sets one only while it reads (csvlimit.bounded_cells, review CE M1).
_field_limit = _csv.field_size_limit()

from .build import BuildProgress, BuildResult, build  # noqa: E402
from .compare import UnsortedError  # noqa: E402
from .config import Release, load_release, release_from  # noqa: E402
from .diff import DiffResult, diff  # noqa: E402  (releasekit.diff is the function, as releasekit.build is)
from .errors import (  # noqa: E402
    AddressError,
    ConfigError,
    DiffError,
    MachineError,
    PackageError,
    PrivacyError,
    ReleaseFolderError,
    ReleasekitError,
    SiteFolderError,
    SiteLockedError,
    SourceError,
    UsageError,
)
from .readers.inflate import CorruptStreamError  # noqa: E402
from .readers.textio import DamagedError, TextDecodeError  # noqa: E402
from .sides import NothingHeldError  # noqa: E402
from .staging import BuildLockedError  # noqa: E402
from .validate import Report, validate_paths  # noqa: E402

_csv.field_size_limit(_field_limit)

if TYPE_CHECKING:
    from .buildcheck import StaleBuildError
    from .diffreport import CsvChanges
    from .publish import Serving, Site, serve, serving, write_site

#: Names imported when first used (:func:`__getattr__`), from the modules that check and publish a build: a program
#: that only builds or validates does not load them. (Imported here, they would also join the import cycle through
#: ``from . import __version__`` that mypy resolves in an order where ``pages`` is checked before ``package``.)
_LATER = {"StaleBuildError": "buildcheck", "Serving": "publish", "serving": "publish", "serve": "publish",
          "write_site": "publish", "Site": "publish", "CsvChanges": "diffreport"}


def __getattr__(name: str) -> Any:
    """The names of :data:`_LATER`, imported when first used (PEP 562)."""
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{_LATER[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["AddressError", "BuildLockedError", "BuildProgress", "BuildResult", "ConfigError", "CorruptStreamError",
           "CsvChanges", "DamagedError", "DiffError", "DiffResult", "MachineError", "NothingHeldError", "PackageError",
           "PrivacyError", "Release", "ReleaseFolderError", "ReleasekitError", "Report", "Serving", "Site",
           "SiteFolderError", "SiteLockedError", "SourceError", "StaleBuildError", "TextDecodeError", "UnsortedError",
           "UsageError", "__version__", "build", "diff", "load_release", "release_from", "serve", "serving",
           "validate_paths", "write_site"]
