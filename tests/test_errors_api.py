"""The exceptions and the stop handle a program using releasekit as a library relies on (review CE M2, M4): every
exception exported from ``releasekit`` with a name ending in ``Error``, the file and the place as attributes (the
message unchanged), a class of its own for each refusal a caller may act on, and a server in a thread that can be
stopped, releasing its site. Each test failed on the code before (the names are looked up inside the tests, so that
each fails on its own)."""

from __future__ import annotations

import errno
import importlib
import logging
import pickle
import pkgutil
import socket
import threading
import urllib.request
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml

import releasekit
from conftest import copy_demo
from releasekit import ReleasekitError, build, load_release, release_from
from releasekit.errors import ConfigError, SourceError

NIK = "3201014501900001"
MASKED = "320101**********"


def _subclasses(kind: type) -> set[type]:
    return {sub for direct in kind.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_every_exception_is_exported_from_releasekit_and_ends_in_error() -> None:
    """``releasekit.__all__`` listed only ReleasekitError; StaleBuild, NothingHeld, Damaged and CorruptStream broke
    STYLE 2.10 (their old names stay, as aliases)."""
    for module in pkgutil.walk_packages(releasekit.__path__, "releasekit."):
        importlib.import_module(module.name)  # (the site's plugin too: test_serve checks Datasette still works after)
    for kind in {ReleasekitError, *_subclasses(ReleasekitError)}:
        assert kind.__name__.endswith("Error"), kind
        assert kind.__name__ in releasekit.__all__ and getattr(releasekit, kind.__name__) is kind, kind
    for module, old, new in [("buildcheck", "StaleBuild", "StaleBuildError"), ("sides", "NothingHeld",
                                                                                "NothingHeldError"),
                             ("readers.textio", "Damaged", "DamagedError"),
                             ("readers.inflate", "CorruptStream", "CorruptStreamError")]:
        assert getattr(importlib.import_module(f"releasekit.{module}"), old) is getattr(releasekit, new)


def _project(tmp_path: Path, change: Any = None) -> tuple[Path, dict[str, Any]]:
    """A copy of the demo project (not built) and its metadata, changed by ``change`` and written back."""
    project = copy_demo(tmp_path / "project")
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    if change is not None:
        change(metadata)
        (project / "metadata.yml").write_text(yaml.safe_dump(metadata, sort_keys=False), encoding="utf-8")
    return project, metadata


def _config_error(project: Path) -> Any:
    with pytest.raises(ConfigError) as raised:
        load_release(project)
    return raised.value


def test_a_config_error_says_its_file_and_key_path(tmp_path: Path) -> None:
    """The file and the key path were only in the message: ``vars(e) == {'hint': ...}``."""
    project, _ = _project(tmp_path, lambda m: m["registers"][0].update(status="opne"))
    error = _config_error(project)
    path = str(project / "metadata.yml")
    assert str(error).startswith(f"{path}: registers/0/status: 'opne' is not one of ")  # (the message as it was)
    assert (error.path, error.place) == (path, "registers/0/status")

    def unknown_reader(metadata: dict[str, Any]) -> None:
        metadata["registers"][0]["sources"][1]["format"] = "sirekap-tps-jsn"

    error = _config_error(_project(tmp_path / "reader", unknown_reader)[0])
    assert error.args[0].endswith(": registers/0/sources/1/format: unknown reader 'sirekap-tps-jsn'")
    assert error.place == "registers/0/sources/1/format" and error.path.endswith("metadata.yml")

    def no_csv_mapping(metadata: dict[str, Any]) -> None:  # (the reader's own check: the key its message names)
        metadata["registers"][0]["sources"][1]["csv"] = {"table": "hasil_tps"}

    error = _config_error(_project(tmp_path / "mapping", no_csv_mapping)[0])
    assert error.args[0].endswith(": registers/0/sources/1/csv/fields: no column for kode_tps")
    assert (error.path, error.place) == (str(tmp_path / "mapping" / "project" / "metadata.yml"),
                                         "registers/0/sources/1/csv/fields")

    def unknown_field(metadata: dict[str, Any]) -> None:  # (review CE, left over: it said registers/0/sources/1)
        metadata["registers"][0]["sources"][1].update(format="csv", csv={"table": "hasil_tps",
                                                                         "fields": {"kode_tsp": "TPS"}})

    error = _config_error(_project(tmp_path / "field", unknown_field)[0])
    assert error.args[0].endswith(": registers/0/sources/1/csv/fields/kode_tsp: not a field of hasil_tps")
    assert error.place == "registers/0/sources/1/csv/fields/kode_tsp"

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "metadata.yml").write_text("title: x\nregisters: [\n", encoding="utf-8")
    error = _config_error(broken)
    assert error.path == str(broken / "metadata.yml") and error.place is not None
    assert error.place.startswith("line ") and f": {error.place}: not valid YAML: " in error.args[0]
    with pytest.raises(ConfigError) as raised:
        load_release(tmp_path / "nowhere")
    assert raised.value.path == str(tmp_path / "nowhere") and raised.value.place is None


def test_a_mapping_in_memory_has_a_place_and_no_file(tmp_path: Path) -> None:
    project, metadata = _project(tmp_path)
    metadata["registers"][1]["rules"] = {"no-such-rule": "error"}
    with pytest.raises(ConfigError, match=r"^metadata \(given in memory\): registers/1/rules/no-such-rule: "
                                                     "unknown rule") as raised:
        release_from(metadata, project)
    assert (raised.value.path, raised.value.place) == (None, "registers/1/rules/no-such-rule")


def test_a_source_error_says_its_source_and_where_it_is_declared(tmp_path: Path) -> None:
    """A source missing (found before the build reads anything) and one that is empty (found as it is read)."""
    project, metadata = _project(tmp_path)
    source = metadata["registers"][0]["sources"][1]
    del source["sha256"]
    (project / source["path"]).write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="^raw/ppwp_tps_20240220.jsonl: the file is empty") as raised:
        build(release_from(metadata, project))
    assert (raised.value.path, raised.value.place) == ("raw/ppwp_tps_20240220.jsonl", "registers/0/sources/1")
    (project / source["path"]).unlink()
    with pytest.raises(SourceError, match="^raw/ppwp_tps_20240220.jsonl: no such file") as raised:
        build(release_from(metadata, project))
    assert (raised.value.path, raised.value.place) == ("raw/ppwp_tps_20240220.jsonl", "registers/0/sources/1")


def test_a_nik_in_the_path_or_place_is_masked_and_both_survive_pickling() -> None:
    """The attributes are text a task runner logs too (review CE L2), and an error crosses a process as a pickle
    (a forked read-ahead's)."""
    error = ConfigError(f"raw/warga_{NIK}/metadata.yml: title: no", hint="h",
                                   path=Path(f"raw/warga_{NIK}/metadata.yml"), place=f"registers/0/title {NIK}")
    assert error.path == f"raw/warga_{MASKED}/metadata.yml" and error.place == f"registers/0/title {MASKED}"
    error.place = f"again {NIK}"
    assert error.place == f"again {MASKED}" and NIK not in repr(error) and f"path='raw/warga_{MASKED}" in repr(error)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.args, copy.hint, copy.path, copy.place) == (
        type(error), error.args, error.hint, error.path, error.place)
    assert str(SourceError("m")) == "m" and repr(SourceError("m")) == "SourceError('m')"


def test_a_folder_a_site_may_not_go_into_is_a_site_folder_error(demo_project: Path, tmp_path: Path) -> None:
    """Both were the base class itself: a caller could tell them apart only by their words."""
    from releasekit.publish import write_site

    release = load_release(demo_project)
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(releasekit.SiteFolderError, match=f"^{foreign}: exists and is not a site releasekit wrote "
                                                         r"\(it has no .releasekit-site\) \(hint: ") as raised:
        write_site(release, foreign)
    assert raised.value.path == str(foreign) and not issubclass(releasekit.SiteFolderError, releasekit.UsageError)
    with pytest.raises(releasekit.SiteFolderError, match="inside the project's raw sources") as raised:
        write_site(release, demo_project / "raw" / "site")
    assert raised.value.path == str(demo_project / "raw" / "site")


def test_a_release_folder_a_build_cannot_use_is_a_release_folder_error(tmp_path: Path) -> None:
    """The staging refusals were the base class itself (review CE, left over): a program could tell a file in the
    way of build/ from a bad source only by their words. Each is a ReleaseFolderError naming its path; a build
    running is one too (BuildLockedError)."""
    from releasekit.staging import release_lock

    project = copy_demo(tmp_path / "p")
    release = load_release(project)
    (project / "datapackages").write_text("not a folder\n", encoding="utf-8")
    with pytest.raises(releasekit.ReleaseFolderError, match="a file where the release's datapackages/ folder "
                                                            "belongs") as raised:
        build(release)
    assert raised.value.path == str(project / "datapackages")
    (project / "datapackages").unlink()
    (project / "build" / "release.db").mkdir(parents=True)
    with pytest.raises(releasekit.ReleaseFolderError, match="^build/release.db: a folder stands where the release "
                                                            "database goes") as raised:
        build(release)
    assert raised.value.path == "build/release.db"
    (project / "build" / "release.db").rmdir()
    with release_lock(project):
        with pytest.raises(releasekit.BuildLockedError, match="^build/.lock: another build of this project is "
                                                              "running") as locked:
            build(release)
    assert isinstance(locked.value, releasekit.ReleaseFolderError) and locked.value.path == "build/.lock"
    assert not issubclass(releasekit.ReleaseFolderError, (releasekit.UsageError, releasekit.SiteFolderError))
    assert build(release).packages  # (once the way is clear)


def test_an_address_that_cannot_be_listened_on_is_an_address_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """'cannot listen: address already in use' (which a task may retry on another port) and 'the host does not
    resolve' were the base class, with no errno."""
    from releasekit.publish import listen

    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(releasekit.AddressError, match=f"^127.0.0.1:{port}: cannot listen: address already in "
                                                          "use") as raised:
            listen("127.0.0.1", port)
    assert raised.value.errno == errno.EADDRINUSE

    def getaddrinfo(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(releasekit.AddressError, match="^256.1.1.1:8123: the host does not resolve") as raised:
        listen("256.1.1.1", 8123)
    assert raised.value.errno is None


def _site_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("releasekit-serve")]


def test_a_site_served_in_a_thread_stops_and_releases_its_folder(demo_project: Path) -> None:
    """Review CE M2: a serve() in a thread could not be stopped, and held build/site's lock until the process ended
    (a second serve: 'another releasekit serve or publish is using this site')."""
    release = load_release(demo_project)
    before = set(threading.enumerate())
    with releasekit.serving(release) as server:
        assert server.running and server.site.folder == demo_project.resolve() / "build" / "site"
        with urllib.request.urlopen(server.url + "-/versions.json", timeout=30) as answer:
            assert answer.status == 200
        with pytest.raises(releasekit.SiteLockedError, match="another releasekit serve or publish is using this "
                                                             "site") as raised:
            with releasekit.serving(release):
                pass
        assert isinstance(raised.value, releasekit.SiteFolderError)
    assert not server.running and not _site_threads()
    # (nor Datasette's pool and write loops, review CE L3: a later fork, validate's second process, was refused)
    assert set(threading.enumerate()) <= before, set(threading.enumerate()) - before
    with pytest.raises(OSError):  # (nothing listens there any more)
        urllib.request.urlopen(server.url, timeout=5)
    server.stop()  # (twice: harmless)
    with releasekit.serving(release) as again:  # the lock was released
        with urllib.request.urlopen(again.url, timeout=30) as answer:
            assert answer.status == 200
    assert not again.running


def _logging_configuration() -> dict[str, tuple[int, list[logging.Handler], bool, bool]]:
    """Every logger's level, handlers, propagation and whether it is disabled (the root's too)."""
    loggers = {name: logger for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    return {name: (logger.level, list(logger.handlers), logger.propagate, logger.disabled)
            for name, logger in {"": logging.root, **loggers}.items()}


def test_serving_leaves_the_hosts_logging_as_it_was(demo_project: Path) -> None:
    """Review CE L3: serve() ran uvicorn's dictConfig, which gave the host's process loggers uvicorn, uvicorn.error
    and uvicorn.access with a stderr handler of their own and set their levels, left so after serve returned."""
    release = load_release(demo_project)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logging.getLogger(name)  # (a logger first made during the serve would show as a change of its own)
    before = _logging_configuration()
    with releasekit.serving(release) as server:
        with urllib.request.urlopen(server.url + "-/versions.json", timeout=30) as answer:
            assert answer.status == 200
        assert _logging_configuration() == before
    assert _logging_configuration() == before


def test_serve_stops_when_its_stop_event_is_set(demo_project: Path) -> None:
    from releasekit.publish import serve

    release = load_release(demo_project)
    stop, urls, failed = threading.Event(), [], []
    ready = threading.Event()

    def run() -> None:
        try:
            serve(release, port=0, ready=lambda url: (urls.append(url), ready.set()), stop=stop)
        except BaseException as e:  # noqa: BLE001
            failed.append(e)
            ready.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(60) and not failed, failed
    with urllib.request.urlopen(urls[0], timeout=30) as answer:
        assert answer.status == 200
    stop.set()
    thread.join(30)
    assert not thread.is_alive() and not failed
    with releasekit.serving(release):  # the lock was released
        pass


def test_serving_refuses_before_the_block_and_leaves_nothing_running(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    with pytest.raises(releasekit.StaleBuildError, match=r"^build/release.db: missing: the release has not been built"):
        with releasekit.serving(load_release(project)):
            raise AssertionError("the block ran")
    assert not _site_threads()


def _readme_section(title: str) -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n### {title}\n", 1)[1].split("\n#", 1)[0]


def test_the_readme_draws_every_exception_and_its_serving_block_runs(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    tree = _readme_section("Exceptions").split("```text\n", 1)[1].split("```", 1)[0]
    drawn: list[tuple[int, str]] = []  # (the column a class's name starts at, the name), top to bottom
    for line in tree.splitlines():
        name = line.lstrip("│├└─ ").split(" ", 1)[0]
        if name.endswith("Error"):
            drawn.append((len(line) - len(line.lstrip("│├└─ ")), name))
    assert sorted(name for _, name in drawn) == sorted(name for name in releasekit.__all__ if name.endswith("Error"))
    for i, (column, name) in enumerate(drawn[1:], start=1):  # each drawn under the class it subclasses
        parent = next(above for at, above in reversed(drawn[:i]) if at < column)
        assert getattr(releasekit, name).__mro__[1] is getattr(releasekit, parent), (name, parent)
    block = _readme_section("Serving from a program, and stopping").split("```python\n", 1)[1].split("```", 1)[0]
    project = copy_demo(tmp_path / "project")
    build(load_release(project))
    monkeypatch.chdir(project)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    assert not _site_threads()
