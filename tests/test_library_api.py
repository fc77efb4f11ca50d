"""The library the CLI is a thin layer over, called as README's Python API says (review AT #7, #8): an argument that
names nothing is a UsageError, not a KeyError nor silently another choice. Each test failed on the code before."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import copy_demo
from releasekit import ReleasekitError, build, load_release, release_from, validate_paths
from releasekit.diff import diff
from releasekit.diffreport import render
from releasekit.errors import ConfigError, UsageError
from releasekit.publish import write_site


def test_an_unknown_format_or_engine_is_a_usage_error(demo_project: Path) -> None:
    report = validate_paths([demo_project / "datapackages" / "real-count"])
    assert report.valid and report.render("markdown")
    with pytest.raises(UsageError, match="format 'xml': a report renders as text, json, markdown, github"):
        report.render("xml")
    with pytest.raises(UsageError, match="engine 'bogus': validate runs releasekit or frictionless"):
        validate_paths([demo_project], engine="bogus")
    changes = diff("2024-02-15", "2024-02-20", project=demo_project)
    assert "2024-02-15" in render(changes, "markdown")
    with pytest.raises(UsageError, match="format 'jsn'") as raised:
        render(changes, "jsn")
    assert raised.value.hint is not None and raised.value.hint.startswith("did you mean 'json'?")


def test_one_path_is_one_path_not_its_characters(demo_project: Path) -> None:
    """``validate_paths("datapackages")`` validated "d", "a", "t" …: 'd: no such file or folder'."""
    one = validate_paths(str(demo_project / "datapackages"))
    assert one.valid and one.to_dict() == validate_paths([demo_project / "datapackages"]).to_dict()


def test_the_site_is_written_from_the_library(demo_project: Path, tmp_path: Path) -> None:
    site = write_site(load_release(demo_project), tmp_path / "site")
    assert (site.folder / "release.db").is_file() and len(site.packages) == 3


@pytest.mark.parametrize("given", ["raw/ppwp_tps_20240320.zip", "raw/ppwp_tps_20240220.jsonl"])
def test_a_raw_file_given_as_the_project_is_told_so(demo_project: Path, given: str) -> None:
    """Review AT #10: 'not UTF-8 … (hint: save the file as UTF-8)' and 'not valid YAML … (hint: check indentation
    …)' for a raw export given where the project belongs."""
    from conftest import invoke

    result = invoke("build", demo_project / given)
    assert result.exit_code == 1
    assert result.output.rstrip().endswith(
        f"(hint: give the project folder, or its metadata.yml: {Path(given).name} is no release description)")


def test_the_help_says_what_the_commands_take_and_how_they_exit() -> None:
    """Review AT #9: diff's help left out its exit codes 1 and 2; validate's a folder of packages; build's and
    serve's that PROJECT may be the metadata.yml."""
    from conftest import invoke

    def said(command: str) -> str:
        return " ".join(invoke(command, "--help").output.split())

    assert "exit 1 when a side cannot be read, 2 on usage errors" in said("diff")
    assert "a folder of packages" in said("validate")
    for command in ("build", "serve"):
        assert "PROJECT is the project folder (default: this one) or its metadata.yml" in said(command), command


def test_no_path_or_an_empty_one_is_a_usage_error(demo_project: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """Review AY #1: validate_paths([]) was valid with no package (a CI glob that matched nothing passed), and ""
    validated or loaded the current folder, which the command line refuses."""
    monkeypatch.chdir(demo_project)
    for paths in ([], "", [str(demo_project / "datapackages"), ""]):
        with pytest.raises(UsageError, match="no path to validate|an empty path"):
            validate_paths(paths)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="an empty project path"):
        load_release("")
    assert load_release(".").root == demo_project.resolve()
    # review CE M3: write_site(release, "") wrote the site into the current folder, diff("") gave a nameless DiffError
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    with pytest.raises(UsageError, match="an empty path"):
        write_site(load_release(demo_project), "")
    assert not any(empty.iterdir())
    for old, new, project in (("", "2024-02-20", demo_project), ("2024-02-15", "", demo_project),
                              ("2024-02-15", "2024-02-20", "")):
        with pytest.raises(UsageError, match="an empty path"):
            diff(old, new, project=project)


def test_an_error_masks_a_nik_in_its_repr_and_args_too() -> None:
    """Review CE L2: ``str(e)`` masked a NIK a message quoted, ``repr(e)`` and ``e.args`` (what a task runner logs or
    pickles) did not; ``repr`` left out the hint."""
    error = ConfigError("raw/warga_3201014501900001/metadata.yml: no such file", hint="see 3201014501900001")
    for shown in (str(error), repr(error), *error.args, str(error.hint)):
        assert "3201014501900001" not in shown and "320101**********" in shown
    assert repr(error) == ("ConfigError('raw/warga_320101**********/metadata.yml: no such file', "
                           "hint='see 320101**********')")


def test_paths_given_as_a_generator_are_each_validated(demo_project: Path) -> None:
    """Review BA #1: the empty-path check used up a glob's generator, so the loop validated nothing: valid."""
    packages = demo_project / "datapackages"
    report = validate_paths(packages.glob("*.zip"))
    assert report.valid and sorted(p.package for p in report.packages) == sorted(map(str, packages.glob("*.zip")))
    assert len(report.packages) == 3
    with pytest.raises(UsageError, match="no path to validate"):
        validate_paths(packages.glob("nomatch*"))


def test_diff_takes_what_the_command_line_takes(demo_project: Path) -> None:
    """Review AY #4, #9: project=".../metadata.yml" was a DiffError ('--project proj/metadata.yml' works), and
    ignore="ts" ignored the fields "t" and "s" (unknown field(s) s, t)."""
    by_folder = diff("2024-02-15", "2024-02-20", project=demo_project, ignore=["ts"])
    by_file = diff("2024-02-15", "2024-02-20", project=demo_project / "metadata.yml", ignore="ts")
    assert render(by_file, "json") == render(by_folder, "json") and by_file.ignored == ("ts",)


def test_a_csv_of_changes_is_written_whole_by_a_with_block(demo_project: Path, tmp_path: Path) -> None:
    """Review AY #2: the last block of CsvChanges was written only by flush(), which only the command line called: the
    README's recipe wrote the header alone, or a CSV cut at its last full block."""
    import io

    from click.testing import CliRunner

    from releasekit.cli import cli
    from releasekit.diffreport import CsvChanges

    out = io.StringIO()
    with CsvChanges(out) as stream:
        diff("2024-02-15", "2024-02-20", project=demo_project, on_change=stream, limit=0)
    command = CliRunner().invoke(cli, ["diff", "2024-02-15", "2024-02-20", "--project", str(demo_project),
                                       "--format", "csv"])
    assert command.exit_code == 0 and out.getvalue().count("\n") > 100
    assert out.getvalue() == command.stdout


def test_serve_inside_a_running_event_loop_is_refused_before_anything_is_written(demo_project: Path) -> None:
    """Review AY #3: in a notebook's loop serve() wrote the site, called ready() with its address, then failed with
    uvicorn's RuntimeError."""
    import asyncio

    from releasekit.publish import serve, site_folder

    release = load_release(demo_project)
    said: list[str] = []
    folder = site_folder(release)  # (the module's other tests may have served the demo already)
    before = sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*")) if folder.exists() else None

    async def in_a_loop() -> None:
        serve(release, port=0, ready=said.append)

    with pytest.raises(UsageError, match="cannot run inside a running one"):
        asyncio.run(in_a_loop())
    after = sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*")) if folder.exists() else None
    assert said == [] and after == before


def test_a_build_keeps_what_its_caller_froze(demo_project: Path) -> None:
    """Review AY #10: the build's forked children unfroze every object the caller had frozen (gc.freeze())."""
    import gc

    from releasekit.forked import Forked

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        made = [[] for _ in range(1_000)]  # (objects made after the caller's freeze, as a build makes them)
        assert frozen > 0 and Forked(lambda: 42).result() == 42 and len(made) == 1_000
        # (exactly: the build's own objects are not frozen for good beside them, review BA #4)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    Forked(lambda: 1).result()
    assert gc.get_freeze_count() == 0


def test_the_package_says_it_is_typed() -> None:
    """Review AY #7: no py.typed, so a user's mypy skipped releasekit ("Skipping analyzing")."""
    import releasekit

    assert (Path(releasekit.__file__).parent / "py.typed").is_file()
    assert releasekit.BuildProgress.__name__ == "BuildProgress"  # (releasekit.build is the function)


def test_the_readmes_python_api_block_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BC #1: the block used ``CsvChanges(out)`` with neither imported nor defined (a NameError). It runs
    here as written, in a copy of the demo project, but for its last line (``serve`` serves until interrupted)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert lines[-1].startswith("serve(release, port=8001)")
    project = copy_demo(tmp_path / "project")
    monkeypatch.chdir(project)
    exec(compile("\n".join(lines[:-1]), "README.md", "exec"), {})  # noqa: S102 - the README's own example
    written = (project / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert len(written) > 1000 and written[0].startswith("kode_pemilu,")
    assert (tmp_path / "site" / "release.db").is_file()


def test_a_release_is_built_from_a_mapping_in_memory(demo_project: Path, tmp_path: Path) -> None:
    """Review AY #6: a release could only be loaded from a YAML file; a library user holding the description in Python
    wrote one to disk first. ``release_from`` takes it as ``yaml.safe_load`` gives it (unquoted days are dates)."""
    import datetime

    project = copy_demo(tmp_path / "project")
    text = (project / "metadata.yml").read_text(encoding="utf-8")
    described = yaml.safe_load(text.replace('snapshot: "2024-02-15"', "snapshot: 2024-02-15"))
    assert described["registers"][0]["sources"][0]["snapshot"] == datetime.date(2024, 2, 15)
    release = release_from(described, project)
    assert release.registers == load_release(project).registers and release.root == project.resolve()
    result = build(release)
    assert result.counts == build(load_release(demo_project)).counts
    # The same rows as the demo built from its file: only the inputs hash (of the mapping, not the file) differs.
    for csv in sorted((demo_project / "datapackages" / "real-count" / "data").glob("*.csv")):
        if csv.name != "sources.csv":
            assert (project / "datapackages" / "real-count" / "data" / csv.name).read_bytes() == csv.read_bytes()
    assert validate_paths([project / "datapackages"]).valid
    # The mapping is the input: a change to it is a new inputs hash, the same mapping the same one.
    retitled = release_from({**described, "title": "Another title"}, project)
    assert retitled.metadata_sha256 != release.metadata_sha256 == release_from(described, project).metadata_sha256


def test_a_mapping_in_memory_is_checked_as_the_file_is(tmp_path: Path) -> None:
    """Its mistakes are named as the file's are, with ``metadata (given in memory)`` where the file's path would be."""
    project = copy_demo(tmp_path / "project")
    described = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    described["registers"][0]["status"] = "opne"
    with pytest.raises(ConfigError, match=r"^metadata \(given in memory\): registers/0/status: 'opne' is not one") as e:
        release_from(described, project)
    assert e.value.hint == "did you mean 'open'?"
    described["registers"][0]["status"] = "open"
    described["registers"][0]["sources"][0]["path"] = "raw/nowhere.tar.gz"
    with pytest.raises(ReleasekitError, match=r"raw/nowhere\.tar\.gz.*metadata \(given in memory\): registers/0/"):
        build(release_from(described, project))
    described["registers"][0]["sources"][0]["path"] = "raw/ppwp_tps_20240215.tar.gz"
    described["registers"][0]["basis"] = {"decision": {1, 2}}  # (a value no YAML file holds)
    with pytest.raises(ConfigError, match=r"^metadata \(given in memory\): registers/0/basis/decision: \{1, 2\} is "
                       "not of type 'object'"):
        release_from(described, project)
    described["registers"][0]["basis"] = {"decision": "NIK 3201014506900001"}  # (every text is published)
    with pytest.raises(ConfigError, match=r"^metadata \(given in memory\): registers/0/basis/decision: holds a "
                       "NIK-like number"):
        release_from(described, project)
    with pytest.raises(ConfigError, match="nowhere: no such folder"):
        release_from(yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8")), tmp_path / "nowhere")


def test_a_mapping_with_number_and_text_keys_hashes_and_an_empty_project_is_refused(tmp_path: Path) -> None:
    """Review BJ L1, L3: ``votes: {1: …, "2": …}`` (YAML reads ``1:`` as a number; the schema checks only text keys)
    made ``release_from`` raise a bare TypeError (its canonical JSON sorted the keys); ``release_from(m, "")`` built
    the current folder, where ``load_release("")`` refuses."""
    from releasekit.config import _canonical

    mixed = {"votes": {2: "b", "1": "a", 1: "c"}, "z": [{"y": 1, "x": None}]}
    assert _canonical(mixed) == [["str", "votes", [["int", 1, "c"], ["int", 2, "b"], ["str", "1", "a"]]],
                                 ["str", "z", [[["str", "x", None], ["str", "y", 1]]]]]
    assert _canonical({1: "a"}) != _canonical({"1": "a"})
    described = yaml.safe_load((copy_demo(tmp_path / "project") / "metadata.yml").read_text(encoding="utf-8"))
    with pytest.raises(UsageError, match="an empty project path"):
        release_from(described, "")


def test_every_name_releasekit_exports_documents_its_parameters() -> None:
    """Review CE L5: ``diff``, ``write_site``, ``serve`` and ``CsvChanges`` were reachable only through modules with no
    ``__all__``, and the functions the README names left parameters out of their docstrings. Every public function and
    method of what ``releasekit`` exports has a ``:param name:`` for each of its parameters."""
    import inspect

    import releasekit

    assert {"diff", "DiffResult", "CsvChanges", "write_site", "serve", "serving", "Site"} <= set(releasekit.__all__)
    assert inspect.isfunction(releasekit.diff) and inspect.isfunction(releasekit.build)  # (not their modules)
    undocumented = []
    for name in releasekit.__all__:
        value = getattr(releasekit, name)
        if inspect.isfunction(value):
            functions = [(name, value)]
        elif inspect.isclass(value) and not issubclass(value, BaseException):
            functions = [(f"{name}.{attr}", f) for attr, f in vars(value).items()
                         if inspect.isfunction(f) and not attr.startswith("_")]
        else:
            continue
        for label, function in functions:
            doc = inspect.getdoc(function) or ""
            undocumented += [f"{label}({parameter})" for parameter in inspect.signature(function).parameters
                             if parameter not in ("self", "cls") and f":param {parameter}:" not in doc]
    assert undocumented == []


def test_a_build_result_gives_the_summary_the_command_prints(demo_project: Path, tmp_path: Path) -> None:
    """Review CE L4: the summary was put together in cli.py, so a program wanting it copied fifteen lines; the command
    now prints ``BuildResult.summary`` (the seconds aside, which differ from run to run)."""
    from conftest import invoke

    project = copy_demo(tmp_path / "project")
    release = load_release(project)
    lines = build(release).summary(release, named=f" in {project}")  # (a first build: nothing from the cache)
    printed = invoke("build", "--silent", "--clean", str(project)).output.splitlines()

    def timeless(lines: list[str]) -> list[str]:
        return [line.rpartition("  (")[0] if line.startswith("database: ") else line for line in lines]

    assert timeless(printed) == timeless(lines) and len(lines) == 8  # (3 packages; the demo build has no note)
    assert lines[-1].startswith("database: build/release.db  (") and lines[-2].startswith("findings: ")


def test_a_diff_result_renders_itself_as_a_report_does(demo_project: Path) -> None:
    changes = diff("2024-02-15", "2024-02-20", project=demo_project)
    assert all(changes.render(fmt) == render(changes, fmt) for fmt in ("text", "json", "markdown"))
    with pytest.raises(UsageError, match="format 'csv'"):
        changes.render("csv")
