"""The exact versions a published site runs on: its ``requirements.txt``.

A site bundle (:func:`releasekit.publish.write_site`) pins Datasette, its one plugin and every
distribution they need, at the versions installed where ``publish`` runs: the versions the site
was made and tried with. Pinning only Datasette left its dependencies to float, so a bundle
deployed months later could run Datasette 0.65 on a Click or Jinja it was never tried with.

The dependencies are read from each installed distribution's metadata, with their environment
markers evaluated for this machine (``packaging``, the reference implementation of those
markers): a dependency that only another platform needs is not pinned, and pip installs it there
at the newest version the others allow.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

#: What a site installs: Datasette and the plugin every site runs (``siteplugin`` is a file in the bundle).
PLUGINS = ("datasette", "datasette-block-robots")
#: Installers' own tools, which the image brings (pinning pip would make it replace itself mid-install, and pinning
#: setuptools would put a venv's old copy, with its known vulnerabilities, into the image; Datasette never imports it).
NOT_PINNED = frozenset({"pip", "setuptools"})


def pinned(roots: tuple[str, ...] = PLUGINS) -> dict[str, str | None]:
    """``roots`` and every distribution they need (with the extras they ask for), by canonical name, with the
    version installed here; None for one that is needed but not installed (the bundle names it unpinned)."""
    versions: dict[str, str | None] = {}
    todo: list[tuple[str, frozenset[str]]] = [(name, frozenset()) for name in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in NOT_PINNED or (key, extras) in seen:
            continue
        seen.add((key, extras))
        try:
            distribution = metadata.distribution(key)
        except metadata.PackageNotFoundError:
            versions.setdefault(key, None)
            continue
        versions[key] = distribution.version
        for text in distribution.requires or ():
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue  # (metadata pip itself would refuse: nothing to pin)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras))
            if wanted:
                todo.append((requirement.name, frozenset(requirement.extras)))
    return versions


def requirements_txt(roots: tuple[str, ...] = PLUGINS) -> str:
    """A ``requirements.txt`` pinning :func:`pinned`, one line a distribution, sorted by name."""
    return "".join(f"{name}=={version}\n" if version else f"{name}\n"
                   for name, version in sorted(pinned(roots).items()))
