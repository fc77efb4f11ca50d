"""A release team's edits after the first build, other than adding the next day (review BT): what the build says of
each, in the place a user would look."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ProjectFactory, RecordedProgress, copy_demo, write_metadata
from releasekit.cli import cli
from releasekit.config import load_release
from releasekit.errors import ConfigError
from releasekit.metadatafile import parse_metadata
from releasekit.provenance import changed_since, sha256_file

DAY1, DAY2 = "raw/ppwp_tps_20240215.tar.gz", "raw/ppwp_tps_20240220.jsonl"


def _edited(project: Path, *edits: tuple[str, str]) -> Path:
    text = (project / "metadata.yml").read_text(encoding="utf-8")
    for old, new in edits:  # (the first occurrence of each)
        assert old in text, old
        text = text.replace(old, new, 1)
    (project / "metadata.yml").write_text(text, encoding="utf-8")
    return project


def _pins(project: Path) -> dict[str, str]:
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    return {s["path"]: s["sha256"] for r in metadata["registers"] for s in r.get("sources", []) if "sha256" in s}


def test_two_pinned_paths_swapped_are_named_as_swapped_not_changed(tmp_path: Path) -> None:
    """L3: the hint said "update the pin", which would give one day's file the other day's snapshot."""
    project = copy_demo(tmp_path / "p")
    pins = _pins(project)
    assert DAY1 in pins and DAY2 in pins
    _edited(project, (f"path: {DAY1}", "path: SWAP"), (f"path: {DAY2}", f"path: {DAY1}"),
            ("path: SWAP", f"path: {DAY2}"))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    config = project / "metadata.yml"
    assert error.startswith(f"Error: {DAY2}: sha256 is {pins[DAY2]}, but {config} pins {pins[DAY1]} ({config}: "
                            f"registers/0/sources/0); its sha256 is the pin of registers/0/sources/1 ({DAY1}) "
                            "(hint: were two paths swapped, or a file renamed?")
    assert "update the pin" not in error


def test_a_snapshot_after_the_day_it_was_retrieved_is_noted(tmp_path: Path) -> None:
    """L4: a capture retrieved on 15 February declared as 18 February built without a word."""
    project = _edited(copy_demo(tmp_path / "p"), ('snapshot: "2024-02-15"', 'snapshot: "2024-02-18"'))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert (f"note: {DAY1}: its snapshot 2024-02-18 is after the day it was retrieved (2024-02-15T23:59:59+07:00): "
            "is the snapshot the day it was captured?\n") in result.stdout
    assert "after the day it was retrieved" not in CliRunner().invoke(cli, ["build", str(copy_demo(
        tmp_path / "q"))]).stdout  # (the demo's snapshots are their retrieval days)


def test_an_exempted_register_that_still_publishes_data_is_noted(tmp_path: Path) -> None:
    """M1: a status changed to record an upheld exemption withdrew nothing, and the build said nothing."""
    project = _edited(copy_demo(tmp_path / "p"), ("    status: open\n", "    status: exempted\n"))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if "but publishes the data" in line]
    assert notes == ["note: register 001 is exempted but publishes the data of its 2 source(s) (627 hasil_tps "
                     "rows): remove them from metadata.yml to withhold it"]


def test_a_register_left_with_an_empty_sources_key_says_so() -> None:
    """L5: "None is not of type 'array'", with a hint to a README section."""
    text = (Path(__file__).parents[1] / "metadata.yml").read_text(encoding="utf-8")
    start, end = text.index("    sources:", text.index('  - id: "001"')), text.index('  - id: "002"')
    with pytest.raises(ConfigError) as refused:
        parse_metadata(text[:start] + "    sources:\n" + text[end:])
    assert str(refused.value) == (
        "metadata.yml: registers/0/sources: is empty (YAML reads a key with nothing under it as null) (hint: list "
        "something under 'sources:', or remove the 'sources:' line: a register without sources publishes its "
        "legal basis and provenance only)")


def test_an_alias_whose_anchor_was_removed_gets_a_hint_about_anchors() -> None:
    """L6: removing the source that holds '&dki' (the README's example) gave a hint about indentation."""
    with pytest.raises(ConfigError) as refused:
        parse_metadata("title: x\nregisters:\n  - csv: *dki\n")
    assert "found undefined alias 'dki'" in str(refused.value)
    hint = refused.value.hint
    assert hint is not None and hint.startswith("an alias (*name) must come after its anchor (&name)")


def test_a_mapped_column_missing_names_the_key_that_maps_it(make_project: ProjectFactory) -> None:
    """L7: the error said "mapped in metadata.yml csv" whatever the YAML file and whichever source."""
    csv_text = "kode_tps,suara_sah,suara_tidak_sah,suara_total,p1,p2,p3\n3101011001001,6,0,6,1,2,3\n"
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_total": "suara_totl"},
               "votes": {1: "p1", 2: "p2", 3: "p3"}}
    project = make_project({"real-count": [{"raw": {"x.csv": csv_text}, "name": "tps", "format": "csv",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16", "csv": mapping}]})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1
    assert (f"no column 'suara_totl' (mapped at {project / 'metadata.yml'}: registers/0/sources/0/csv/fields/"
            "suara_total)") in result.output
    (project / "metadata.yml").rename(project / "release.yml")
    result = CliRunner().invoke(cli, ["build", str(project / "release.yml")])
    assert f"(mapped at {project / 'release.yml'}: registers/0/sources/0/csv/fields/suara_total)" in result.output


def test_a_mapping_s_typo_fails_before_any_source_is_read(make_project: ProjectFactory, tmp_path: Path) -> None:
    """L7 (its option): a ``csv`` mapping's missing column was found when its source's turn came, after every source
    before it had been read (again, after any edit of a mapping). Each one-file csv source's header is bound to its
    mapping before any source is loaded, also beside a cached build."""
    from releasekit import build, load_release
    from releasekit.errors import SourceError

    def day(name: str, total: str) -> dict[str, object]:
        (tmp_path / name).write_text(f"kode_tps,suara_sah,suara_tidak_sah,{total},p1,p2,p3\n"
                                     "3101011001001,6,0,6,1,2,3\n", encoding="utf-8")
        return {"raw": tmp_path / name, "format": "csv", "election": "ppwp-2024", "snapshot": f"2024-02-{name[1:3]}",
                "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_total": total},
                        "votes": {1: "p1", 2: "p2", 3: "p3"}}}

    project = make_project({"real-count": [day("d15.csv", "suara_total"), day("d16.csv", "total")]})

    first = RecordedProgress()
    build(load_release(project), progress=first)
    assert first.started == ["raw/d15.csv", "raw/d16.csv"]
    for clean in (False, True):  # (the first source cached, then not)
        _edited(project, ("suara_total: total", "suara_total: totl"))
        typo = RecordedProgress()
        with pytest.raises(SourceError, match="raw/d16.csv: line 1: no column 'totl'") as raised:
            build(load_release(project), progress=typo, clean=clean)
        assert "sources/1/csv/fields/suara_total" in str(raised.value) and typo.started == [], (clean, typo.calls)
        _edited(project, ("suara_total: totl", "suara_total: total"))


#: A folder source of three members, one in a subfolder ("a.csv" sorts before "a/b.csv": "." before "/").
FOLDER = {"a.csv": "11,ACEH\n", "a/b.csv": "1101,11,SIMEULUE\n", "b.csv": "12,SUMATERA UTARA\n"}


def _legacy_folder_sha256(folder: Path) -> str:
    """A folder's sha256 as releasekit took it before 0.2.0 (``sha256_file`` before commit 6cc8ae2), written out
    here from that code: each file's relative path, a NUL and its bytes, chained in path order."""
    digest = hashlib.sha256()
    for file in sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _pinned_folder(make_project: ProjectFactory) -> tuple[Path, str]:
    """A project of one folder source (:data:`FOLDER`, at ``raw/regions``) pinned with its legacy hash, and the pin."""
    project = make_project({"regions": [{"raw": FOLDER, "name": "regions", "format": "kpu-wilayah-csv"}]})
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    metadata["registers"][0]["sources"][0]["sha256"] = sha = _legacy_folder_sha256(project / "raw" / "regions")
    write_metadata(project, metadata)
    return project, sha


def _one_error(project: Path) -> str:
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1, result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    return error


def test_a_folder_pinned_by_releasekit_before_0_2_0_is_named_unchanged(make_project: ProjectFactory) -> None:
    """BY M2: 6cc8ae2 redefined a folder's sha256, and a folder pinned before it was "the raw file changed"."""
    project, legacy = _pinned_folder(make_project)
    now = sha256_file(project / "raw" / "regions")[0]
    assert now != legacy
    config = project / "metadata.yml"
    assert _one_error(project) == (
        f"Error: raw/regions: sha256 is {now}, but {config} pins {legacy} ({config}: registers/0/sources/0) (hint: "
        "the pin is the folder hash of releasekit before 0.2.0, an older definition (its files' bytes chained); the "
        f"folder is unchanged: update the pin to {now})")
    _edited(project, (legacy, now))  # (as the hint says)
    assert CliRunner().invoke(cli, ["build", str(project)]).exit_code == 0


def test_a_folder_changed_since_an_old_pin_is_still_named_changed(make_project: ProjectFactory) -> None:
    """BY M2: the legacy hash recognises an unchanged folder only, not one edited since it was pinned."""
    project, legacy = _pinned_folder(make_project)
    (project / "raw" / "regions" / "a" / "b.csv").write_text("1101,11,SIMEULUE\n1102,11,ACEH SINGKIL\n",
                                                            encoding="utf-8")
    error = _one_error(project)
    assert error.endswith(f"pins {legacy} ({project / 'metadata.yml'}: registers/0/sources/0) (hint: the raw file "
                          "changed; restore it, or update the pin if the change is intended)"), error
    assert "0.2.0" not in error


def test_a_build_of_before_0_2_0_is_not_called_changed_by_its_folder_hash(make_project: ProjectFactory) -> None:
    """BY M2, for publish and serve: a database built before 6cc8ae2 holds a folder's legacy hash (and no stamps):
    the folder is not "changed since the last build read it" (the packages' version says the build is another's),
    but one edited since is."""
    project, legacy = _pinned_folder(make_project)
    folder = project / "raw" / "regions"
    (source,) = load_release(project).sources
    assert changed_since(source, folder, legacy, {}) is None
    (folder / "b.csv").write_text("12,SUMATERA BARAT\n", encoding="utf-8")
    assert changed_since(source, folder, legacy, {}) == sha256_file(folder)[0]
