"""Reviews AI (the command line and metadata.yml) and AL (reproducibility and provenance): each test failed on the
code before its fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_SOURCE, base_metadata, invoke, refused, with_change, write_metadata
from releasekit import build, load_release
from releasekit.errors import ConfigError
from releasekit.metadatafile import MAX_NODES, _refuse_aliases
from test_publish_current import _project, _publish

TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}


# Review AI: metadata.yml

def test_a_source_the_build_replaces_is_refused(tmp_path: Path) -> None:
    """AI #1: a source under datapackages/ was accepted, and the build that read it deleted it (it replaces the
    folder); so is one a link in raw/ leads there."""
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "path"], "datapackages/day.jsonl"))
    assert "registers/0/sources/0/path: 'datapackages/day.jsonl' is not a raw file inside the project" in str(error)
    assert "datapackages/, which each build replaces" in str(error)
    (tmp_path / "datapackages").mkdir()
    (tmp_path / "datapackages" / "day.jsonl").write_text("{}\n")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.jsonl").symlink_to(tmp_path / "datapackages" / "day.jsonl")
    error = refused(tmp_path, base_metadata())
    assert "'raw/a.jsonl' is not a raw file inside the project" in str(error)


def test_many_values_and_no_alias_are_no_alias_bomb() -> None:
    """AI #3: every value counted toward the aliases' limit: 38 provinces x 60 days of sources, written out, were
    refused as 'its aliases expand to more than 100,000 values'. Only what aliases add counts."""
    _refuse_aliases("values: [" + ", ".join(["x"] * (MAX_NODES + 10)) + "]\n", "metadata.yml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{prev}'] * 10)}]\n" for prev, n in zip("abcde", "bcdef", strict=True))
    with pytest.raises(ConfigError, match="its aliases expand to more than 100,000 values"):
        _refuse_aliases(bomb, "metadata.yml")


def test_aliases_of_a_long_text_are_weighed_by_its_characters() -> None:
    """Review BB #4: 10,000 aliases of one anchored text of 1,000,000 characters (a 1 MB file) kept the checks of
    every value busy for 1 min 43 s, under the limit on values; the characters aliases repeat count too."""
    import time

    long = "x" * 1_000_000
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"metadata.yml: line 13: its aliases repeat more than 10,000,000 char"):
        _refuse_aliases(f"title: &a {long}\njunk:\n" + "  - *a\n" * 10_000, "metadata.yml")
    assert time.perf_counter() - started < 10  # (the parse alone; no value is walked)
    _refuse_aliases(f"title: &a {long}\njunk:\n" + "  - *a\n" * 10, "metadata.yml")  # (a few copies are fine)
    nested = "lic: &l {name: CC-BY-4.0, path: " + "p" * 4_000_000 + "}\nx: [*l, *l]\n"
    with pytest.raises(ConfigError, match="repeat more than 10,000,000 characters"):
        _refuse_aliases(nested + "y: [*l]\n", "metadata.yml")
    _refuse_aliases(nested, "metadata.yml")
    # Review BE #9: 2,280 sources each naming a note of 516 characters by an alias (1.2 million) are read.
    note = "n" * 516
    _refuse_aliases(f"note: &n {note}\nsources:\n" + "  - {path: raw/x, note: *n}\n" * 2_280, "metadata.yml")


def test_a_pattern_ends_at_the_end_of_the_text(tmp_path: Path) -> None:
    """AI #4: Python's '$' matches before a final line break, JSON Schema's does not: a sha256 written as a '|'
    block was refused as the raw file changed, and a slug "rc\\n" named a folder with a line break."""
    sha = "78e14f7ef098a7f1ba6940e9bc79dac281084aedc4d838c5a74e87e68c20d899"
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "sha256"], sha + "\n"))
    assert f"registers/0/sources/0/sha256: '{sha}\\n' does not match '^[0-9a-f]{{64}}$'" in str(error)
    error = refused(tmp_path, with_change(["registers", 0, "slug"], "rc\n"))
    assert "registers/0/slug: 'rc\\n' does not match" in str(error)
    load_release(write_metadata(tmp_path, with_change(["registers", 0, "sources", 0, "sha256"], sha)))


@pytest.mark.parametrize(("key", "kind"), [(1, "a number"), (True, "true or false"), (None, "null")])
def test_a_rule_named_by_no_text_is_refused(tmp_path: Path, key: object, kind: str) -> None:
    """AI #5: a key YAML reads as a number, a boolean or null under rules was an internal error (TypeError)."""
    error = refused(tmp_path, with_change(["registers", 0, "rules"], {key: "error", "votes-sum-mismatch": "error"}))
    assert f"metadata.yml: registers/0/rules: the key {json.dumps(key)} is not a text: YAML reads it as {kind}" \
        in str(error)


def test_settings_that_would_change_nothing_are_refused(tmp_path: Path) -> None:
    """AI (lesser): a threshold on a warning, and voters' fields published by a register that publishes no voter's
    row, were accepted and ignored."""
    error = refused(tmp_path, with_change(["registers", 0, "rules"],
                                          {"votes-sum-mismatch": {"severity": "warning", "error_if": "> 0"}}))
    assert "registers/0/rules/votes-sum-mismatch/error_if: a threshold for a rule whose severity is warning" in str(
        error)
    error = refused(tmp_path, with_change(["registers", 1, "individual_fields"], ["nama"]))
    assert "registers/1/individual_fields: set, but the register publishes no voter's row" in str(error)
    metadata = with_change(["registers", 1, "individual_fields"], ["nama"])
    metadata["registers"][1]["publish_individuals"] = "masked"
    load_release(write_metadata(tmp_path, metadata))


@pytest.mark.parametrize("args", [("validate", ""), ("build", ""), ("serve", ""), ("diff", "", "x"),
                                  ("diff", "x", "", "--project", "."), ("publish", "", "--project", ".")])
def test_an_empty_path_is_a_usage_error(args: tuple[str, ...], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """AI #6: '' (a variable unset in a CI script) was read as '.': validate "$PKG" passed on the current folder."""
    monkeypatch.chdir(tmp_path)  # (an empty folder: no project for the code before to build or serve)
    result = invoke(*args)
    assert result.exit_code == 2
    assert "empty" in result.output and "a variable left unset?" in result.output


# Review AL: the locale, the inputs hash, stamps

def _run(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "releasekit", *args], capture_output=True, timeout=120,
                          env={**os.environ, **env})


def test_a_locale_without_the_characters_shown_is_no_crash(two_days: Path) -> None:
    """AL #4, AI #2: in an ISO-8859-1 locale, --help, diff and validate --format markdown were an internal error
    (UnicodeEncodeError: '→', '✅'). Reports that are files are UTF-8; text shows what it cannot as escapes."""
    assert _run("--help", PYTHONIOENCODING="latin-1").returncode == 0
    result = subprocess.run([sys.executable, "-m", "releasekit", "validate", "--format", "markdown",
                             str(two_days / "datapackages" / "real-count")], capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr
    assert "✅ all packages valid" in result.stdout.decode("utf-8")
    result = subprocess.run([sys.executable, "-m", "releasekit", "diff", "2024-02-15", "2024-02-16"],
                            capture_output=True, timeout=120, cwd=two_days,
                            env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert result.returncode == 0, result.stderr
    assert b"2024-02-15 \\u2192 2024-02-16" in result.stdout


def test_file_names_read_in_another_encoding_are_refused(two_days: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """AL #1: where Python reads file names as ISO-8859-1, a folder's sha256 (which hashes its members' names) and
    a source named 'désa.jsonl' depended on the locale: build, and publish checking the raw files, refuse; validate
    and diff, which read no raw file, do not (review AN: validate PROJECT was refused)."""
    from releasekit.build import build as build_release

    monkeypatch.setattr(sys, "getfilesystemencoding", lambda: "iso8859-1")
    monkeypatch.setenv("LC_ALL", "id_ID")
    with pytest.raises(ConfigError) as e:
        build_release(load_release(two_days))
    assert str(e.value).startswith("file names: this locale (LC_ALL=id_ID) reads them as iso8859-1")
    assert "PYTHONUTF8=1" in str(e.value.hint)
    refused_publish = invoke("publish", tmp_path / "site", "--project", two_days)
    assert refused_publish.exit_code == 1 and "reads them as iso8859-1" in refused_publish.output
    assert invoke("validate", two_days).exit_code == 0
    assert invoke("diff", "2024-02-15", "2024-02-16", "--project", two_days).exit_code == 0


def test_the_inputs_hash_is_of_the_file_built(make_project: Any) -> None:
    """AL #2: a project built from another YAML file (release.yml, which load_release takes) carried the hash of
    the metadata.yml beside it, and needed one there."""
    project = _project(make_project)
    first = json.loads((project / "datapackages" / "real-count" / "datapackage.json").read_text())
    text = (project / "metadata.yml").read_text(encoding="utf-8")
    (project / "release.yml").write_text(text.replace("releasekit test release", "Another title"), encoding="utf-8")
    (project / "metadata.yml").unlink()
    build(load_release(project / "release.yml"))
    second = json.loads((project / "datapackages" / "real-count" / "datapackage.json").read_text())
    assert second["releasekit"]["inputs_sha256"] != first["releasekit"]["inputs_sha256"]
    (project / "metadata.yml").write_text(text, encoding="utf-8")
    assert invoke("publish", project / "site", "--project", project / "release.yml").exit_code == 0
    assert "built from other inputs" in invoke("publish", project / "site", "--project", project).output


def test_an_edit_that_puts_the_modification_time_back_is_seen(make_project: Any, tmp_path: Path) -> None:
    """AL suspicion: a raw file edited in place, its size kept and its modification time put back (touch -r), was
    published under the sha256 of the bytes the build read; its status change time moved, and it is hashed again."""
    project = _project(make_project)
    member = project / "raw" / "day" / "3101011001001.json"
    info = member.stat()
    member.write_text(member.read_text().replace('"100025": 1', '"100025": 9'))
    os.utime(member, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert member.stat().st_size == info.st_size and member.stat().st_mtime_ns == info.st_mtime_ns
    code, line = _publish(project, tmp_path)
    assert code == 1 and "raw/day: changed since the last build read it" in line


def test_a_sha256_in_capitals_gets_the_hint_to_write_it_in_lower_case(tmp_path: Path) -> None:
    """AI suspicion: a sha256 as PowerShell's Get-FileHash prints it (capitals) had the pattern for a hint."""
    sha = "78E14F7EF098A7F1BA6940E9BC79DAC281084AEDC4D838C5A74E87E68C20D899"
    error = refused(tmp_path, with_change(["registers", 0, "sources", 0, "sha256"], sha))
    assert error.hint == f"write it in lower case: {sha.lower()}"
    error = refused(tmp_path, with_change(["registers", 0, "slug"], "Real-Count"))
    assert error.hint == "write it in lower case: real-count"


def test_validate_takes_a_projects_metadata_yml(two_days: Path) -> None:
    """AI suspicion: build, serve, publish --project and diff --project take a project's metadata.yml in place of its
    folder; validate said 'not a package', with a hint naming 'a project with metadata.yml'."""
    by_file = invoke("validate", two_days / "metadata.yml")
    assert by_file.exit_code == 0
    assert by_file.output == invoke("validate", two_days).output
    assert f"{two_days / 'datapackages' / 'real-count.zip'}: valid" in by_file.output


def test_a_number_where_a_text_goes_gets_the_quoted_text_the_key_wants(tmp_path: Path) -> None:
    """AI (lesser): 'id: 1' got the hint "quote it: '1'", which the id's pattern (three digits) refuses next; and
    'snapshot: 20240220' "quote it: '20240220'", no date."""
    error = refused(tmp_path, "title: T\npublisher: {name: P}\nlicenses: [{name: CC-BY-4.0}]\nregisters:\n"
                              "  - {id: 1, slug: rc, title: R, status: open}\n")
    assert error.hint == "quote it, as the key wants it: '001'"
    source = dict(BASE_SOURCE, snapshot=20240220)
    metadata = with_change(["registers", 0, "sources"], [source])
    error = refused(tmp_path, metadata)
    assert error.hint == "quote it, as the key wants it: '2024-02-20'"


@pytest.mark.parametrize(("written", "hint"), [
    ("delimiter: |", "quote it: '|'; YAML reads | unquoted as the start of a block of text"),
    ("delimiter: >", "quote it: '>'; YAML reads > unquoted as the start of a block of text"),
    ("comment: #", "quote it: '#'; YAML reads # unquoted as the start of a comment"),
])
def test_a_yaml_indicator_written_as_a_value_gets_the_hint_to_quote_it(tmp_path: Path, written: str,
                                                                       hint: str) -> None:
    """AI (lesser): 'delimiter: |', a delimiter the README lists, is an empty block of text to YAML, and 'comment: #'
    null: the errors ('' should be non-empty, None is not of type 'string') had the README for a hint."""
    error = refused(tmp_path, f"""title: T
publisher: {{name: P}}
licenses: [{{name: CC-BY-4.0}}]
registers:
  - id: "001"
    slug: rc
    title: R
    status: open
    sources:
      - path: raw/x.csv
        format: csv
        election: ppwp-2024
        snapshot: "2024-02-20"
        csv:
          table: hasil_tps
          fields: {{kode_tps: kode}}
          {written}
""")
    assert error.hint == hint


def test_validating_a_published_site_points_at_its_packages(two_days: Path, tmp_path: Path) -> None:
    """Review AM: 'releasekit validate SITE' said 'no datapackage.json here or one level down' with a hint naming
    package folders and projects; a site releasekit publish wrote keeps its zips in static/downloads/."""
    assert invoke("publish", tmp_path / "site", "--project", two_days).exit_code == 0
    result = invoke("validate", tmp_path / "site")
    assert result.exit_code == 1
    downloads = tmp_path / "site" / "static" / "downloads"
    assert f"(hint: a published site keeps its packages in {downloads}: give that folder)" in result.output
    assert invoke("validate", downloads).exit_code == 0


def test_a_source_that_loaded_nothing_is_named_in_the_build_summary(make_project: Any) -> None:
    """Review AM: two captures given one snapshot: the second's records were all set aside as copies of the first's,
    and the summary said only 'quarantined records: 4 (4 identical duplicates)'."""
    import twodays

    day1, _ = twodays.sources()
    day1 = {**day1, "origin": "https://example.org/sirekap"}  # (no origin is a note of its own)
    again = {**day1, "name": "tps_again"}
    broken = {**day1, "name": "tps_broken", "snapshot": "2024-02-17",
              "raw": {f"{twodays.T}9.json": b"not json"}}
    project = make_project({"real-count": [day1, again, broken]})
    result = invoke("build", project)
    assert result.exit_code == 0
    assert ("note: raw/tps_again: loaded none of its 4 records: each is an identical copy of a record another "
            "source loaded (the same export declared twice, or two captures given one snapshot?)") in result.output
    assert "note: raw/tps_broken: loaded none of its 1 records: each was quarantined" in result.output
    assert "note: raw/tps_2024-02-15" not in result.output


def test_diff_says_when_ts_alone_makes_every_tps_changed(make_project: Any, tmp_path: Path) -> None:
    """Review AM: an older capture without ts beside one with it made 'changed 30712, unchanged 0' with no word of
    why; the report says ts differs at every TPS both hold, and what compares the rest."""
    from releasekit.diff import diff
    from releasekit.diffreport import text

    code = "3101011001001"
    sources = []
    for day, ts in (("2024-02-20", None), ("2024-03-17", "2024-03-17 10:00:00")):
        raw = tmp_path / f"{day}.csv"
        raw.write_text("kode_tps,ts,p1,p2,p3\n" + f"{code},{ts or ''},1,2,3\n", encoding="utf-8")
        fields = {"kode_tps": "kode_tps", **({"ts": "ts"} if ts else {})}
        sources.append({"raw": raw, "format": "csv", "election": "ppwp-2024", "snapshot": day,
                        "csv": {"table": "hasil_tps", "fields": fields, "votes": {1: "p1", 2: "p2", 3: "p3"}}})
    project = make_project({"real-count": sources})
    build(load_release(project))
    report = text(diff("2024-02-20", "2024-03-17", project=project))
    assert "changed 1   unchanged 0" in report
    assert "(ts differs at every TPS both hold: --ignore ts compares the rest)" in report
    assert "ts differs" not in text(diff("2024-02-20", "2024-03-17", project=project, ignore=("ts",)))


def test_the_build_summary_says_what_came_from_the_cache(make_project: Any) -> None:
    """Review AM: a rebuild with nothing new took its sources from build/cache/ and said nothing of it."""
    import twodays

    project = make_project({"real-count": twodays.sources()})
    first = invoke("build", project)
    assert "from build/cache/" not in first.output
    again = invoke("build", project)
    assert (f"built 1 register package(s) from 2 source(s) in {project} (2 from build/cache/, read by an earlier "
            "build):") in again.output
    assert "from build/cache/" not in invoke("build", "--clean", project).output


def test_the_build_summary_names_the_project_its_paths_are_relative_to(make_project: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review AT #6 (part): `releasekit build cfg` listed `datapackages/real-count.zip` and `build/release.db`, paths
    of the project folder, without a word of which folder that was; in the project itself nothing changes."""
    import twodays

    project = make_project({"real-count": twodays.sources()})
    monkeypatch.chdir(project.parent)
    elsewhere = invoke("build", project.name).output
    assert f"source(s) in {project.name}:" in elsewhere and "  001 real-count" in elsewhere
    monkeypatch.chdir(project)
    here = invoke("build", ".").output.splitlines()[0]
    assert here.startswith("built 1 register package(s) from 2 source(s) (") and " in " not in here


def test_tps_with_findings_lists_no_area_of_a_two_digit_candidate() -> None:
    """Review AN: a village's finding for party 12 ('3171031006/12') is 13 characters long, as a TPS code is: it was
    listed as a TPS, in every DPR or DPD release."""
    import sqlite3

    from releasekit.queries import CANNED_QUERIES

    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE findings (rule, severity, kode_pemilu, snapshot, key, expected, actual, detail, "
                     "register); CREATE TABLE tps (kode_tps, kode_wilayah); CREATE TABLE wilayah (kode_wilayah, nama);")
    keys = ["3171031006/12", "3171031006/1", "31/12", "3171031006001", "3171031006001/pemilih_dpt",
            "99AB01234567X/3"]
    db.executemany("INSERT INTO findings VALUES ('r', 'warning', 'dpr-2024', '2024-02-20', ?, 1, 2, '', '001')",
                   [(key,) for key in keys])
    every = {"rule": "", "kode_wilayah": "", "register": ""}
    found = [row[4] for row in db.execute(CANNED_QUERIES["tps_with_findings"]["sql"], every)]
    assert found == ["3171031006001", "3171031006001/pemilih_dpt", "99AB01234567X/3"]


def test_an_area_source_declared_twice_is_named_as_copies(make_project: Any, tmp_path: Path) -> None:
    """Review AN: a reader that sums raw rows into areas (KawalPemilu 2019) counted identical copies per area and
    records per raw row: a file declared twice was said to be 'quarantined', not copies; the summary's count of
    identical duplicates counts raw rows now, as records_quarantined does."""
    from test_review_h import KAWAL_HEADER

    text = KAWAL_HEADER + "https://kawalpemilu.org#25826,CIPAYUNG,1,103,127,230\n" \
                          "https://kawalpemilu.org#25826,CIPAYUNG,2,10,20,30\n"
    sources = []
    for name in ("kp.csv", "kp_copy.csv"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        sources.append({"raw": tmp_path / name, "format": "kawalpemilu2019-csv", "election": "ppwp-2019",
                        "snapshot": "2019-05-23"})
    result = invoke("build", make_project({"hasil": sources}))
    assert result.exit_code == 0
    assert "quarantined records: 2 (2 identical duplicates)" in result.output
    assert "note: raw/kp_copy.csv: loaded none of its 2 records: each is an identical copy" in result.output


@pytest.mark.parametrize(("snapshot", "suggested"), [
    ("02/20/2024", '"2024-02-20"'), ("19-02-2024", '"2024-02-19"'), ("31/02/2024", None), (20241320, None)])
def test_a_snapshot_hint_suggests_real_days_only(tmp_path: Path, snapshot: object, suggested: str | None) -> None:
    """Review AN: '02/20/2024' (month first) got "2024-20-02" for a hint, and 20241320 '2024-13-20': no days."""
    error = refused(tmp_path, with_change(["registers", 0, "sources"], [dict(BASE_SOURCE, snapshot=snapshot)]))
    assert error.hint is not None
    if suggested:
        assert error.hint.endswith(f": {suggested}")
    else:
        assert "2024-" not in error.hint and "'" not in error.hint.replace("'YYYY", "")


def test_a_comment_where_a_value_goes_is_no_indicator_to_quote(tmp_path: Path) -> None:
    """Review AN: 'title:   # fill in later' got the hint to quote '#', which would make the title '#'."""
    error = refused(tmp_path, "title:   # fill in later\npublisher: {name: P}\nlicenses: [{name: CC-BY-4.0}]\n"
                              "registers:\n  - {id: '001', slug: rc, title: R, status: open}\n")
    assert "title: None is not of type 'string'" in str(error)
    assert error.hint is not None and "quote it" not in error.hint
