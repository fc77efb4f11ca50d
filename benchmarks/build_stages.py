"""Seconds spent in each stage of one ``releasekit build``: where a build's time goes.

``python benchmarks/build_stages.py PROJECT [--clean] [--one-process]`` builds ``PROJECT`` in this process with a
timer around each stage of :mod:`releasekit.build` (loading each source, the cache, indexes,
places, snapshots and changes, rules, summaries, packages, the PII gate) and prints the seconds
of each. Stages beside each other (the packages' thread runs beside the rules, the summaries and
the PII scan of the database) overlap, so the stages do not add up to the total. One build, no
repetition: a look at the split, not a benchmark (``bench_build.py`` measures ratios).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from releasekit import buildcache, forked, ingest, load_release

#: releasekit.build is also the name of a function, so the module is looked up by name.
build_module = importlib.import_module("releasekit.build")
#: (owner, attribute, label): the functions and methods timed.
STAGES: tuple[tuple[Any, str, str], ...] = (
    (build_module, "check_sources", "check sources"),
    (ingest.Loader, "load_source", "load"),
    (buildcache.SourceCache, "restore", "cache restore"),
    (buildcache.SourceCache, "store", "cache store"),
    (build_module, "create_indexes", "indexes"),
    (ingest.Loader, "derive_places", "places"),
    (build_module, "record_snapshots", "snapshots + changes"),
    (build_module, "run_rules", "rules"),
    (build_module, "write_packages", "packages (thread)"),
    (build_module, "summarize", "summaries"),
    (build_module, "refuse_niks_in_database", "PII scan of the database"),
    (build_module, "refuse_niks_in_tree", "PII scan of the other files"),
)


def timed(function: Callable[..., Any], label: str, seconds: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - started
    return wrapper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--clean", action="store_true",
                        help="load every source and compare every pair of days again (build --clean)")
    parser.add_argument("--one-process", action="store_true",
                        help="no forked second process (reading, comparing days): to see what it saves")
    args = parser.parse_args(argv)
    if args.one_process:
        forked.available = lambda: False
    seconds: dict[str, float] = {}
    for owner, attribute, label in STAGES:
        setattr(owner, attribute, timed(getattr(owner, attribute), label, seconds))
    started = time.perf_counter()
    build_module.build(load_release(args.project), clean=args.clean)
    total = time.perf_counter() - started
    for _, _, label in STAGES:
        if label in seconds:
            print(f"{label:30s} {seconds[label]:7.2f} s")
    print(f"{'total':30s} {total:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
