"""The site bundle's requirements.txt pins everything the site runs on, and its Dockerfile serves it as no root."""

from __future__ import annotations

import sys
from importlib import metadata
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from releasekit import pins
from releasekit.pins import PLUGINS, pinned, requirements_txt
from releasekit.publish import dockerfile


def _needs_here(name: str) -> set[str]:
    """What ``name`` needs on this machine, but for extras: its requirements whose markers hold here."""
    needs = set()
    for text in metadata.requires(name) or ():
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            needs.add(canonicalize_name(requirement.name))
    return needs


def test_every_distribution_the_site_runs_on_is_pinned_at_its_installed_version() -> None:
    """Review BH L3: only Datasette and the robots plugin were pinned; Click, Jinja, uvicorn … floated."""
    versions = dict(line.split("==") for line in requirements_txt().splitlines())
    assert list(versions) == sorted(versions)
    assert set(versions) >= {*PLUGINS, "click", "jinja2", "uvicorn", "httpx", "asgiref"}
    for name, version in versions.items():
        assert metadata.version(name) == version, name
    closed = {need for name in versions for need in _needs_here(name)} - pins.NOT_PINNED
    assert closed <= set(versions)  # nothing needed is left to float
    # (installers' tools; a test extra of Datasette's): review BN #4, setuptools pinned at a venv's old 65.5.0
    assert "pip" not in versions and "setuptools" not in versions and "pytest" not in versions


class _Fake:
    def __init__(self, known: dict[str, tuple[str, list[str]]]) -> None:
        self.known = known

    def __call__(self, name: str) -> SimpleNamespace:
        if name not in self.known:
            raise metadata.PackageNotFoundError(name)
        version, requires = self.known[name]
        return SimpleNamespace(version=version, requires=requires)


def test_markers_decide_what_is_needed_and_extras_asked_for_are_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Fake({
        "site": ("1.0", ["Web-Server[fast]>=2", 'never-here; sys_platform == "no-such-platform"',
                         'docs-tool; extra == "docs"', "missing-one", "pip", "not a requirement !!"]),
        "web-server": ("2.5", ['speedup; extra == "fast"', 'slowdown; extra == "slow"', "site"]),
        "speedup": ("0.3", []),
        "never-here": ("9", []), "docs-tool": ("9", []), "slowdown": ("9", []), "pip": ("25", []),
    })
    monkeypatch.setattr(pins.metadata, "distribution", fake)
    assert pinned(("site",)) == {"site": "1.0", "web-server": "2.5", "speedup": "0.3", "missing-one": None}
    assert requirements_txt(("site",)) == "missing-one\nsite==1.0\nspeedup==0.3\nweb-server==2.5\n"


def test_the_dockerfile_serves_the_site_as_an_unprivileged_user_that_can_read_every_file() -> None:
    """Review BH L3: the image ran Datasette as root. Its files keep the modes ``publish`` wrote them with (0600
    under a umask of 077), which ``nobody`` could not read: a first stage makes them readable to all."""
    lines = [line for line in dockerfile().splitlines() if line and not line.startswith("#")]
    steps = [line.split()[0] for line in lines]
    assert steps == ["FROM", "COPY", "RUN", "FROM", "WORKDIR", "COPY", "RUN", "COPY", "USER", "EXPOSE", "CMD"]
    assert lines[0] == "FROM python:{}.{}-slim AS files".format(*sys.version_info[:2])  # (review BY L2: not the
    # patch release nor the Debian release of the machine that published, which froze their security fixes)
    assert dockerfile().splitlines()[0] == "# published with Python {}.{}.{}; the image takes that minor release's " \
        "newest patch release".format(*sys.version_info[:3])
    assert lines[2] == "RUN chmod -R a+rX,go-w /site"
    assert lines[3] == lines[0].removesuffix(" AS files")
    assert lines[6] == "RUN pip install --no-cache-dir -r requirements.txt"
    assert lines[7] == "COPY --from=files /site ."
    assert lines[8] == "USER nobody"
