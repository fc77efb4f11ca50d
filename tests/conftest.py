"""Shared fixtures: the real data folder (``shared_data``), a release-project factory (``make_project``),
built projects (``two_days``, ``demo_project``) and package (``fixture_package``), and a CLI runner.

Also plain helpers and constants the test modules import (``from conftest import …``):

* project writers: :func:`write_project`, :func:`write_metadata`, :func:`copy_demo`, and
  :data:`ProjectFactory`, the type of ``make_project``;
* a small ``metadata.yml`` to edit: :func:`base_metadata` (its one source is :data:`BASE_SOURCE`) and
  :func:`with_change`, which sets one value in it by key path, and :func:`refused`, the error loading it raises;
* :func:`build_two_days`, a new project of :mod:`twodays` built (the ``two_days`` fixture's body);
* :func:`copy_package`, a built package's folder copied to edit, and :func:`edit_rows`, to change the rows of its CSV;
* :func:`invoke`, the command line in-process, an internal error failing the test;
* :func:`read`, the records a reader yields for a file;
* :func:`query` for a built ``release.db``, and :class:`Site` for a site served by Datasette;
* :func:`load_benchmark`, a script of ``benchmarks/`` as a module;
* :data:`REPO`, the repository (its demo project), and :data:`SHARED_DATA`, the real data folder's path.

The real data (``shared/data``, see its SOURCES.md and FORMATS.md) lives beside the
repository and is never copied into it: ``<repo>/../shared/data``. Tests that need it
take the ``shared_data`` fixture and are skipped when the folder is absent.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
import json
import shutil
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

import twodays
from releasekit import build, load_release
from releasekit.cli import cli
from releasekit.config import Release
from releasekit.elections import Election
from releasekit.errors import ConfigError
from releasekit.pages import register_context
from releasekit.readers import READERS, ReadContext

#: ``<repo>/../shared/data`` (in CI the repository is cloned with ``shared/`` beside it).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Raw files up to this size are copied into a project; larger files and folders are symlinked.
COPY_LIMIT = 1 << 20

ProjectFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; skips the test when it is absent."""
    if not (SHARED_DATA / "FORMATS.md").is_file():
        pytest.skip(f"real data not available at {SHARED_DATA}")
    return SHARED_DATA


def needs_real_data(*paths: Path) -> pytest.MarkDecorator:
    """Skip a test (or a module, as its ``pytestmark``) unless every one of ``paths`` under :data:`SHARED_DATA` is
    there, saying which is not, as :func:`shared_data` does."""
    missing = [path for path in paths if not path.exists()]
    return pytest.mark.skipif(bool(missing), reason=f"real data not available at {missing[0] if missing else ''}")


def _place_raw(raw: object, target: Path) -> None:
    """Put a raw source at ``target``: link/copy an existing path, or write inline files."""
    if isinstance(raw, Mapping):  # {relative name: bytes | str | JSON-able object}
        for name, content in raw.items():
            file = target / name
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                file.write_bytes(content)
            elif isinstance(content, str):
                file.write_text(content, encoding="utf-8", newline="")
            else:
                file.write_text(json.dumps(content), encoding="utf-8")
        return
    source = Path(raw)  # type: ignore[arg-type]
    if not source.exists():
        raise FileNotFoundError(source)
    if source.is_file() and source.stat().st_size <= COPY_LIMIT:
        shutil.copyfile(source, target)
        return
    try:
        target.symlink_to(source.resolve(), target_is_directory=source.is_dir())
    except OSError:  # no symlinks on this platform: copy instead
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)


def write_project(root: Path, sources_by_register: Mapping[str, Any],
                  extra_metadata: Mapping[str, Any] | None = None) -> Path:
    """Write a release project (``metadata.yml`` + ``raw/``) into the folder ``root``.

    :param sources_by_register: register slug → list of sources, or → a dict of register
        fields (``status``, ``title``, …) with a ``sources`` list. Registers get ids
        ``001``, ``002``… in order. Each source is a ``metadata.yml`` source entry plus:

        * ``raw``: an existing file or folder (copied when ≤ 1 MiB, else symlinked), or a
          dict ``{relative name: bytes | str | JSON-able}`` written as a folder of files;
          it lands at ``raw/<name>`` and ``path`` is set to that;
        * ``name``: the name under ``raw/`` (default: the raw file's name, or ``source<i>``).

        A source without ``raw`` keeps its ``path`` verbatim (e.g. to point at a missing file).
    :param extra_metadata: top-level ``metadata.yml`` keys added or replaced (e.g. ``elections``).
    :returns: the project folder.
    """
    (root / "raw").mkdir(parents=True, exist_ok=True)
    registers = []
    n = 0
    for index, (slug, spec) in enumerate(sources_by_register.items(), start=1):
        fields = dict(spec) if isinstance(spec, Mapping) else {"sources": list(spec)}
        sources = []
        for src in fields.pop("sources", []):
            entry = dict(src)
            n += 1
            if "raw" in entry:
                raw = entry.pop("raw")
                default = f"source{n}" if isinstance(raw, Mapping) else Path(raw).name
                name = entry.pop("name", default)
                target = root / "raw" / name
                if target.exists() or target.is_symlink():
                    raise ValueError(f"two raw sources named {name!r}; give one a 'name'")
                _place_raw(raw, target)
                entry["path"] = f"raw/{name}"
            sources.append(entry)
        registers.append({"id": f"{index:03d}", "slug": slug, "title": slug.replace("-", " ").title(),
                          "status": "open", **fields, "sources": sources})
    metadata: dict[str, Any] = {
        "title": "releasekit test release",
        "publisher": {"name": "releasekit tests", "url": "https://example.org/releasekit-tests"},
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "registers": registers,
        **(extra_metadata or {}),
    }
    return write_metadata(root, metadata)


def write_metadata(root: Path, metadata: Mapping[str, Any] | str) -> Path:
    """Write ``root/metadata.yml``: ``metadata`` dumped as YAML in its own key order, or a text as it is.

    :returns: the folder ``root``.
    """
    text = metadata if isinstance(metadata, str) else yaml.safe_dump(dict(metadata), sort_keys=False,
                                                                     allow_unicode=True)
    (root / "metadata.yml").write_text(text, encoding="utf-8")
    return root


#: The one source of :func:`base_metadata` (its raw file is not written: enough to load, not to build).
BASE_SOURCE = {"path": "raw/a.jsonl", "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-03-17"}


def refused(root: Path, metadata: Mapping[str, Any] | str) -> ConfigError:
    """The error loading a project whose ``metadata.yml`` is ``metadata`` (:func:`write_metadata`) raises."""
    with pytest.raises(ConfigError) as e:
        load_release(write_metadata(root, metadata))
    return e.value


def base_metadata() -> dict[str, Any]:
    """A small valid ``metadata.yml``, as a fresh dict for a test to change and :func:`write_metadata`.

    Register 001 ``real-count`` has a basis and :data:`BASE_SOURCE`; register 003 ``dpt`` has no sources.
    """
    return {
        "title": "T",
        "publisher": {"name": "P", "url": "https://example.org/p"},
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "registers": [
            {"id": "001", "slug": "real-count", "title": "R", "status": "open",
             "basis": {"request": {"reference": "X/1", "date": "2024-02-26", "office": "PPID KPU RI"}},
             "sources": [dict(BASE_SOURCE)]},
            {"id": "003", "slug": "dpt", "title": "D", "status": "open"},
        ],
    }


def with_change(path: Sequence[object], value: object) -> dict[str, Any]:
    """:func:`base_metadata` with ``value`` set at the key path ``path`` (keys and list indexes, e.g.
    ``["registers", 0, "status"]``)."""
    data = base_metadata()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def invoke(*args: str | Path) -> Result:
    """``releasekit ARGS`` in-process: click's result, which must not be an internal error.

    The command group turns every exception into one line and exit 1, a bug's as ``Error: internal error: …``
    (``--debug`` aside), so the exit code and ``result.exception`` (a ``SystemExit``) cannot tell a bug from
    a refusal: that line can.
    """
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert "internal error" not in result.output, result.output
    return result


def read(reader: str, path: Path, election: Election | None = None, label_prefix: str = "") -> list[object]:
    """The records the reader named ``reader`` yields for ``path``, read for ``election``.

    The source is labelled ``label_prefix + path.name`` (``label_prefix="raw/"``: as a build labels a source of
    the project's ``raw/``).
    """
    return list(READERS[reader].read(ReadContext(path, label_prefix + path.name, election)))


def query(project: Path, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[tuple[Any, ...]]:
    """The rows ``sql`` selects from the project's built ``build/release.db``."""
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        return db.execute(sql, params).fetchall()


def page_context(release: Release, register: str | None = None) -> dict[str, Any]:
    """What the register page of a built release shows (``pages.register_context``); the first register by default."""
    chosen = release.register(register) if register else release.registers[0]
    with closing(sqlite3.connect(release.root / "build" / "release.db")) as db:
        return register_context(release, chosen, db, release.root / "datapackages", None)


class RecordedProgress:
    """A build's progress receiver that notes each start (``start <label>``) and finish."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self, label: str, total_bytes: int) -> None:
        self.calls.append(f"start {label}")

    def update(self, done_bytes: int) -> None:
        pass

    def finish(self) -> None:
        self.calls.append("finish")

    @property
    def started(self) -> list[str]:
        """The labels of the sources started, in order."""
        return [call.removeprefix("start ") for call in self.calls if call.startswith("start ")]


class Site:
    """A site folder (``releasekit.publish.write_site``) and the one Datasette that answers all its requests.

    Datasette's threads (a pool for reads, one a database for writes) would outlive the test, and a process
    with other threads forks no second process (:func:`releasekit.forked.available`): the tests of the
    second process, later in the run, would be skipped. Each module's sites are closed when it ends.
    """

    opened: list[Site] = []

    def __init__(self, folder: Path) -> None:
        from releasekit.publish import make_datasette  # Datasette only for the tests that serve a site

        self.folder = folder
        self.datasette = make_datasette(folder)
        Site.opened.append(self)

    @classmethod
    def written(cls, release: Release, folder: Path, **options: Any) -> Site:
        """The site ``releasekit.publish.write_site`` writes for ``release`` into ``folder`` (with ``options``),
        served."""
        from releasekit.publish import write_site

        return cls(write_site(release, folder, **options).folder)

    def close(self) -> None:
        """Stop Datasette's threads and close its connections (:func:`releasekit.publish.close_datasette`)."""
        from releasekit.publish import close_datasette

        close_datasette(self.datasette)

    def get(self, path: str, status: int = 200) -> Any:
        """Datasette's response to ``GET path``, which must have the HTTP status ``status`` (200 OK unless asked)."""
        response = asyncio.run(self.datasette.client.get(path))
        assert response.status_code == status, (path, response.status_code, response.text[:500])
        return response

    def json(self, path: str) -> Any:
        """The JSON of a 200 OK response to ``GET path``."""
        return self.get(path).json()


def second_process() -> None:
    """Skip a test of the forked second process where there is none (not Linux, one CPU); fail it when threads that
    earlier tests left behind are what prevents one (they would silently skip it in every run)."""
    from releasekit import forked

    if forked.available():
        return
    if threading.active_count() > 1:
        pytest.fail(f"threads left running by earlier tests: {[t.name for t in threading.enumerate()]}")
    pytest.skip("no second process here (needs Linux and two CPUs)")


@pytest.fixture(autouse=True, scope="module")
def _close_sites() -> Iterator[None]:
    """Close the module's :class:`Site` instances when it ends (their fixtures may be module-scoped)."""
    yield
    while Site.opened:
        Site.opened.pop().close()


@pytest.fixture(scope="session")
def make_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    """Factory ``make_project(sources_by_register, extra_metadata=None) -> Path``.

    Each call writes a fresh project folder under the test run's temporary directory
    (see :func:`write_project` for the arguments). Session-scoped so module-scoped
    fixtures can build a project once and share it.

    Example::

        project = make_project({"real-count": [
            {"raw": shared_data / "sirekap2024_tps_snapshots_aceh1101/ridwaanhall_repo",
             "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-22"},
        ]})
    """

    def factory(sources_by_register: Mapping[str, Any], extra_metadata: Mapping[str, Any] | None = None) -> Path:
        return write_project(tmp_path_factory.mktemp("project"), sources_by_register, extra_metadata)

    return factory


def build_two_days(make_project: ProjectFactory) -> Path:
    """A new project of :mod:`twodays` (both days in register 001 ``real-count``), built."""
    project = make_project({"real-count": twodays.sources()})
    build(load_release(project))
    return project


@pytest.fixture(scope="module")
def two_days(make_project: ProjectFactory) -> Path:
    """A project built from :mod:`twodays`: both days in register 001 ``real-count``, built once per module."""
    return build_two_days(make_project)


@pytest.fixture
def cli_runner() -> CliRunner:
    """Click's ``CliRunner`` for invoking ``releasekit.cli:cli`` in-process."""
    return CliRunner()


@pytest.fixture(scope="session")
def fixture_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package of a one-register project built from the tiny Sirekap fixture folder (read-only: copy to edit)."""
    root = tmp_path_factory.mktemp("fixture-project")
    shutil.copytree(Path(__file__).parent / "fixtures" / "sirekap_tps", root / "raw" / "tps")
    meta = {"title": "T", "publisher": {"name": "P"}, "licenses": [{"name": "CC-BY-4.0"}], "registers": [{
        "id": "001", "slug": "real-count", "title": "R", "status": "open",
        "sources": [{"path": "raw/tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
                     "snapshot": "2024-02-16"}]}]}
    write_metadata(root, meta)
    build(load_release(root))
    return root / "datapackages" / "real-count"


def copy_package(package: Path, folder: Path, name: str = "pkg") -> Path:
    """A copy of the package folder ``package`` at ``folder/name`` (made with its parents), to edit.

    The name shows in what some commands print (a package is named by its folder).
    """
    target = folder / name
    shutil.copytree(package, target)
    return target


def as_written_by(pkg: Path, desc: dict[str, Any], version: str) -> None:
    """Make ``desc``, the descriptor of the package folder ``pkg``, read as one releasekit ``version`` (0.3.0 or
    earlier) wrote: that version, and none of what 0.4.0 added (the shipped ``metadata.yml`` and what the inputs
    hash is the hash of), else the recorded inputs hash would not be the one of the version it says."""
    desc["releasekit"]["releasekit_version"] = version
    for key in ("metadata_sha256", "inputs"):
        desc["releasekit"].pop(key, None)
    (pkg / "metadata.yml").unlink(missing_ok=True)


def edit_rows(pkg: Path, resource: str, edit: Callable[[list[list[str]]], object]) -> Path:
    """Apply ``edit`` to the rows (header first) of a package's ``data/<resource>.csv`` and write them back.

    Hash and bytes are left as declared; returns the file's path.
    """
    path = pkg / "data" / f"{resource}.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    return path


#: The repository itself: its demo project is ``metadata.yml`` + ``raw/``.
REPO = Path(__file__).resolve().parents[1]


def copy_demo(target: Path) -> Path:
    """The repository's demo project (``metadata.yml`` + ``raw/``) in a folder of its own."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "metadata.yml", target / "metadata.yml")
    shutil.copytree(REPO / "raw", target / "raw")
    return target


#: The benchmark scripts (not a package: they import each other as top-level modules).
BENCHMARKS = REPO / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as module ``name``, loaded once (with ``benchmarks/`` on ``sys.path``)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project copied and built once per session (``build/`` and ``datapackages/`` written)."""
    project = copy_demo(tmp_path_factory.mktemp("demo") / "project")
    build(load_release(project))
    return project
