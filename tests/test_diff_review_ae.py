"""Review AE #2 and #4: a candidate total with no figure, and a day whose every record was quarantined.

#2: ``releasekit diff`` read a candidate's total that no TPS has a figure for (NULL in ``snapshot_votes``) as 0:
``1  5 → 0  (-5)``, ``"new": 0``, ``| 1 | 5 | 0 |``. A total is summed as SQL sums (a NULL figure is left out;
the total is NULL only when every figure is), on every side alike (a database, a package folder or zip, an older
package summed while its rows stream by), and a change beside a total with no figure is none (∅), as the published
area totals' is; the changelog gives none either.

#4: a declared snapshot whose every record was quarantined vanished: no ``snapshots`` row, no changelog entry, and
``releasekit diff`` refused it as ``no snapshot '…'``. It is listed with 0 TPS; holding no TPS it covers no
province (README: a province a day holds no TPS in is not covered), so the changelog and diff call the TPS of the
day before not covered rather than removed, and both say that every record of the day was quarantined.
``total-decreased`` reports none of its vanished votes, and the day after is compared with the last day that held
TPS there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import yaml

from conftest import edit_rows, invoke, query, write_metadata
from releasekit import build, load_release
from twodays import T, record

D1, D2, D3, D4 = "2024-02-15", "2024-02-16", "2024-02-17", "2024-02-18"
#: A record no reader can read: quarantined, its file's name (the TPS code) in the locator.
BAD = b'{"chart": {"100025": 1,'


def day(snapshot: str, tps: Mapping[str, Any], name: str | None = None) -> dict[str, Any]:
    """A source of per-TPS JSON files: TPS number (``T`` + it is the code) → a record or bytes."""
    return {"raw": {f"{T}{n}.json": rec for n, rec in tps.items()}, "name": name or f"tps_{snapshot}",
            "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": snapshot}


def built(make_project: Any, *sources: dict[str, Any]) -> Path:
    project: Path = make_project({"real-count": list(sources)})
    build(load_release(project))
    return project


def run(*args: str | Path) -> Any:
    result = invoke("diff", *args)
    assert result.exit_code == 0, result.output
    return result


def as_json(*args: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run(*args, "--format", "json").output)
    return data


def package(project: Path) -> Path:
    return project / "datapackages" / "real-count"


def sides(project: Path, old: str, new: str) -> list[tuple[str, ...]]:
    """The same two snapshots as snapshot ids of the database, package folders and zips."""
    folder, archive = package(project), package(project).with_suffix(".zip")
    return [("--project", str(project), old, new), (f"{folder}@{old}", f"{folder}@{new}"),
            (f"{archive}@{old}", f"{archive}@{new}"), (f"{folder}@{old}", f"{archive}@{new}")]


def without_labels(text: str) -> str:
    """A report without its ``old:``/``new:`` lines (and Markdown bullets), which name the sides."""
    return "\n".join(line for line in text.splitlines()
                     if not line.startswith(("old: ", "new: ", "- old: ", "- new: ")))


def changelog_rows(project: Path, snapshot: str) -> dict[int, list[str]]:
    """The candidates' rows of a snapshot's changelog entry: nomor_urut → [votes, change, …]."""
    readme = (package(project) / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"· {snapshot} ")
    part = readme[start:readme.index("\n### ", start) if "\n### " in readme[start:] else readme.index("## Codebook")]
    rows = {}
    for line in part.splitlines():
        match = re.match(r"\| (\d+) ", line)
        if match:
            rows[int(match.group(1))] = [cell.strip() for cell in line.split("|")[2:-1]]
    return rows


def entry(project: Path, snapshot: str) -> str:
    readme = (package(project) / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"### ppwp-2024 · {snapshot}")
    end = readme.find("\n### ", start + 1)
    return readme[start:end if end > 0 else readme.index("## Codebook")]


def fingerprint(project: Path) -> dict[str, str]:
    files = [project / "build" / "release.db", *sorted((project / "datapackages").rglob("*"))]
    return {str(f.relative_to(project)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


# --------------------------------------------------------------------------- #2: a total with no figure

def test_a_total_no_tps_has_a_figure_for_is_empty_not_0(make_project: Any) -> None:
    """The repro: candidate 1's only figure, 5, is cleared on day 2. Its total there is NULL (snapshot_votes, the
    changelog): diff said 5 → 0 (-5) from the database, package folders and zips alike."""
    project = built(make_project, day(D1, {1: record((5, 5, 5))}),
                    day(D2, {1: record((None, 6, 5), "2024-02-16 10:00:00")}))
    assert query(project, "SELECT nomor_urut, suara FROM snapshot_votes WHERE snapshot = ? ORDER BY 1", (D2,)) == [
        (1, None), (2, 6), (3, 5)]
    reports: dict[str, set[str]] = {"text": set(), "markdown": set(), "json": set()}
    for args in sides(project, D1, D2):
        (pair,) = as_json(*args)["comparisons"]
        assert pair["candidates"][0] == {"nomor_urut": 1, "old": 5, "new": None, "delta": None,
                                         "delta_common": None}, args
        assert pair["candidates"][1:] == [{"nomor_urut": 2, "old": 5, "new": 6, "delta": 1, "delta_common": 1},
                                          {"nomor_urut": 3, "old": 5, "new": 5, "delta": 0, "delta_common": 0}]
        out = run(*args).output
        assert re.search(r"\n +1 +5 → ∅ +\(∅\)\n", out), out
        assert "→ 0 " not in out and "(-5)" not in out.split("regions whose")[0]
        markdown = run(*args, "--format", "markdown").output
        assert "| 1 | 5 |  |  |" in markdown and "| 1 | 5 | 0 |" not in markdown
        for fmt, text in (("text", out), ("markdown", markdown)):
            reports[fmt].add(without_labels(text))
        data = as_json(*args)
        reports["json"].add(json.dumps({k: v for k, v in data.items() if k not in ("old", "new")}))
    assert all(len(found) == 1 for found in reports.values())  # every side, byte for byte
    # backwards: a total that gains its first figure has no change either (∅ → 5, as the area totals give it)
    (back,) = as_json("--project", project, D2, D1)["comparisons"]
    assert back["candidates"][0] == {"nomor_urut": 1, "old": None, "new": 5, "delta": None, "delta_common": None}
    # the changelog: an empty total, and no change beside it (was −5)
    assert changelog_rows(project, D2) == {1: ["", ""], 2: ["6", "+1"], 3: ["5", "±0"]}


def test_a_total_sums_the_figures_there_are_on_every_side(make_project: Any, tmp_path: Path) -> None:
    """Candidate 1 keeps a figure at TPS 2: its total is that figure (8 → 3, -5), as SQL sums snapshot_votes;
    candidate 3 has none on either day: ∅ → ∅, listed by every side, an older package without snapshot_votes
    (summed while its rows stream by) too."""
    project = built(make_project, day(D1, {1: record((5, 5, None)), 2: record((3, 3, None))}),
                    day(D2, {1: record((None, 6, None), "2024-02-16 10:00:00"),
                             2: record((3, 3, None))}))
    assert query(project, "SELECT snapshot, nomor_urut, suara FROM snapshot_votes ORDER BY 1, 2") == [
        (D1, 1, 8), (D1, 2, 8), (D1, 3, None), (D2, 1, 3), (D2, 2, 9), (D2, 3, None)]
    expected = [{"nomor_urut": 1, "old": 8, "new": 3, "delta": -5, "delta_common": -5},
                {"nomor_urut": 2, "old": 8, "new": 9, "delta": 1, "delta_common": 1},
                {"nomor_urut": 3, "old": None, "new": None, "delta": None, "delta_common": None}]
    older = tmp_path / "older"
    shutil.copytree(package(project), older)
    descriptor = json.loads((older / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "snapshot_votes"]
    (older / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    texts = set()
    for args in [*sides(project, D1, D2), (f"{older}@{D1}", f"{older}@{D2}")]:
        (pair,) = as_json(*args)["comparisons"]
        assert pair["candidates"] == expected, args
        texts.add(without_labels(run(*args).output))
    (text,) = texts
    assert re.search(r"\n +1 +8 → 3 +\(-5\)\n +2 +8 → 9 +\(\+1\)\n +3 +∅ → ∅ +\(∅\)\n", text), text
    assert changelog_rows(project, D2) == {1: ["3", "−5"], 2: ["9", "+1"], 3: ["", ""]}


# --------------------------------------------------------------------------- #4: a day wholly quarantined

def three_days(make_project: Any, *more: dict[str, Any]) -> Path:
    """Day 1: TPS 1 and 2; day 2: TPS 2's record damaged; day 3: both damaged (every record quarantined)."""
    return built(make_project, day(D1, {1: record((10, 20, 30)), 2: record((5, 5, 5))}),
                 day(D2, {1: record((10, 20, 30)), 2: BAD}), day(D3, {1: BAD, 2: BAD}), *more)


def test_a_day_whose_every_record_was_quarantined_is_listed(make_project: Any) -> None:
    project = three_days(make_project)
    assert query(project, "SELECT snapshot, previous_snapshot, tps, tps_with_votes, tps_complete, suara_sah "
                          "FROM snapshots ORDER BY 1") == [(D1, None, 2, 2, 2, 196), (D2, D1, 1, 1, 1, 98),
                                                           (D3, D2, 0, 0, 0, None)]
    rows = (package(project) / "data" / "snapshots.csv").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(f"ppwp-2024,{D3},raw/tps_{D3},") and line.endswith(f",{D2},0,0,0,,") for line in rows)
    text = entry(project, D3)
    assert "- 0 TPS, 0 with votes" in text
    assert ("- No TPS could be read / tidak ada TPS yang terbaca: all 2 records of its sources were quarantined "
            "(`data/quarantine.csv`), so this snapshot holds no result and covers no province") in text
    assert "removed / hilang: 0 (and 1 in provinces this snapshot has no result in: not covered" in text
    assert changelog_rows(project, D3) == {1: ["", ""], 2: ["", ""], 3: ["", ""]}
    # its vanished votes are no drop
    assert query(project, "SELECT count(*) FROM findings WHERE rule = 'total-decreased' AND snapshot = ?",
                 (D3,)) == [(0,)]
    assert query(project, "SELECT count(*) FROM changes WHERE snapshot = ?", (D3,)) == [(0,)]


def test_diff_takes_a_day_whose_every_record_was_quarantined(make_project: Any) -> None:
    """It is no missing snapshot: its TPS are not covered (as the changelog says, and as a province whose every
    record a day quarantined already was), and the report says that every record was quarantined, on every side."""
    project = three_days(make_project)
    texts, markdowns = set(), set()
    for args in sides(project, D2, D3):
        data = as_json(*args)
        (pair,) = data["comparisons"]
        assert pair["tps"] == {"old": 1, "new": 0, "added": 0, "removed": 1, "changed": 0, "unchanged": 0,
                               "added_after_quarantine": 0, "removed_in_quarantine": 0, "removed_uncovered": 1,
                               "added_uncovered": 0}, args
        assert pair["provinces"] == {"old": ["31"], "new": [], "differ": True}
        assert data["unreadable_snapshots"] == [{"side": "new", "kode_pemilu": "ppwp-2024", "snapshot": D3,
                                                 "records_quarantined": 2}]
        assert [c["new"] for c in pair["candidates"]] == [None, None, None]
        out = run(*args).output
        assert "removed 1 (1 not covered by NEW)" in out
        assert (f"NEW {D3} holds no readable TPS: all 2 records of its sources were quarantined (see its "
                "quarantine table), so it covers no province: OLD's TPS are unreadable there, not gone") in out
        texts.add(without_labels(out))
        markdowns.add(without_labels(run(*args, "--format", "markdown").output))
        assert "holds no readable TPS" in invoke("diff", *args, "--format", "csv").stderr
    assert len(texts) == len(markdowns) == 1
    # the other way, and the day alone on one side
    (back,) = as_json("--project", project, D3, D2)["comparisons"]
    assert (back["tps"]["added"], back["tps"]["added_uncovered"]) == (1, 1)
    assert f"OLD {D3} holds no readable TPS: all 2 records" in run("--project", project, D3, D2).output
    same = run("--project", project, D3, D3).output
    assert "no change: the 0 TPS are identical" in same
    # a build without that day: the day is only in NEW, and says why it holds no TPS
    older = package(project).parent / "older"
    shutil.copytree(package(project), older)
    edit_rows(older, "snapshots", lambda rows: rows.__delitem__(-1))
    only = run(f"{older}@{D2}", package(project)).output
    assert f"ppwp-2024: snapshot {D3} only in NEW (0 TPS: all 2 records of its sources were quarantined" in only


def test_a_release_that_did_not_list_such_a_day_says_why_there_is_none(make_project: Any) -> None:
    """A database or package built before the day was listed: asked for it, diff says that its records were all
    quarantined, not that there is no such snapshot."""
    project = three_days(make_project)
    older = package(project).parent / "older"
    shutil.copytree(package(project), older)
    edit_rows(older, "snapshots", lambda rows: rows.__delitem__(-1))
    db = project / "build" / "older.db"
    shutil.copy(project / "build" / "release.db", db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM snapshots WHERE snapshot = ?", (D3,))
    for side in (f"{older}@{D3}", f"{db}@{D3}"):
        result = invoke("diff", f"{older}@{D2}", side)
        assert result.exit_code == 1
        assert f"snapshot '{D3}' holds no TPS: all 2 records of its sources were quarantined" in (
            result.output), result.output
        assert "no snapshot" not in result.output


def test_the_day_after_is_compared_with_the_last_day_that_read_tps(make_project: Any) -> None:
    """Day 4 reads both TPS again, TPS 1 with 3 votes fewer for candidate 1. Its snapshot before is day 2, the last
    that read TPS, as when day 3 was not listed: the drop is a finding at every level, the national one too, and TPS
    2's return is no gain; nothing is compared with the empty day but the day before it."""
    project = three_days(make_project, day(D4, {1: record((7, 20, 30)), 2: record((5, 5, 5))}))
    assert query(project, "SELECT snapshot, previous_snapshot FROM snapshots ORDER BY 1") == [
        (D1, None), (D2, D1), (D3, D2), (D4, D2)]
    assert query(project, "SELECT DISTINCT previous_snapshot FROM changes WHERE snapshot = ?", (D4,)) == [(D2,)]
    found = query(project, "SELECT snapshot, key, expected, actual FROM findings WHERE rule = 'total-decreased' "
                           "ORDER BY 1, 2")
    assert found == [(D4, key, 10, 7) for key in ("0/1", "31/1", "3101/1", "310101/1", "3101011001/1")]
    text = entry(project, D4)
    assert f"### ppwp-2024 · {D4} (since / sejak {D2})" in text and "Provinces with results" not in text
    assert "TPS added / ditambah: 1 (1 of them in a record the snapshot before quarantined" in text
    assert changelog_rows(project, D4)[1] == ["12", "+2", "+5"]  # (+5: TPS 2, unreadable on day 2)


def test_incremental_builds_with_such_a_day_equal_a_clean_build(make_project: Any) -> None:
    project = three_days(make_project, day(D4, {1: record((7, 20, 30)), 2: record((5, 5, 5))}))
    clean = fingerprint(project)
    build(load_release(project))
    assert fingerprint(project) == clean
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    full = json.loads(json.dumps(metadata))
    metadata["registers"][0]["sources"] = metadata["registers"][0]["sources"][:2]
    write_metadata(project, metadata)
    build(load_release(project), clean=True)
    write_metadata(project, full)
    build(load_release(project))  # day 3 (and day 4) added to a cached build of days 1-2
    assert query(project, "SELECT tps FROM snapshots WHERE snapshot = ?", (D3,)) == [(0,)]
    assert fingerprint(project) == clean
    build(load_release(project), clean=True)
    assert fingerprint(project) == clean


def test_the_first_day_wholly_quarantined(make_project: Any) -> None:
    project = built(make_project, day(D1, {1: BAD, 2: BAD}), day(D2, {1: record((10, 20, 30)), 2: record((5, 5, 5))}))
    assert query(project, "SELECT snapshot, previous_snapshot, tps FROM snapshots ORDER BY 1") == [
        (D1, None, 0), (D2, D1, 2)]
    assert "- No TPS could be read / tidak ada TPS yang terbaca: all 2 records" in entry(project, D1)
    assert "TPS added / ditambah: 2 (2 of them in a record the snapshot before quarantined" in entry(project, D2)
    (pair,) = as_json("--project", project, D1, D2)["comparisons"]
    assert (pair["tps"]["added"], pair["tps"]["added_after_quarantine"]) == (2, 2)
    assert query(project, "SELECT count(*) FROM findings WHERE rule = 'total-decreased'") == [(0,)]


def test_a_source_wholly_quarantined_beside_one_that_loaded(make_project: Any) -> None:
    """Day 2 comes from two sources, the second one's every record damaged: it is listed with the day, and a TPS
    of day 1 its quarantine names is unreadable on day 2, not gone (its quarantine was not read: it had no row)."""
    project = built(make_project, day(D1, {1: record((10, 20, 30)), 2: record((5, 5, 5))}),
                    day(D2, {1: record((10, 20, 30))}), day(D2, {2: BAD}, name="tps_damaged"))
    assert query(project, "SELECT source, tps FROM snapshots WHERE snapshot = ? ORDER BY 1", (D2,)) == [
        ("raw/tps_2024-02-16", 1), ("raw/tps_damaged", 0)]
    text = entry(project, D2)
    assert "from / dari raw/tps_2024-02-16, raw/tps_damaged" in text and "No TPS could be read" not in text
    assert "removed / hilang: 1 (1 of them in a record this snapshot quarantined" in text
    for args in sides(project, D1, D2):
        (pair,) = as_json(*args)["comparisons"]
        assert (pair["tps"]["removed"], pair["tps"]["removed_in_quarantine"]) == (1, 1), args
    assert query(project, "SELECT count(*) FROM findings WHERE rule = 'total-decreased'") == [(0,)]


def test_a_csv_of_tps_wholly_quarantined_is_a_day_and_one_of_areas_is_not(make_project: Any, tmp_path: Path) -> None:
    """A ``csv`` source maps into one table, which the database does not keep: one whose quarantined records name TPS
    is a day of TPS; one of area totals (area codes) is not taken for one."""
    tps = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
           "long": {"candidate": "cand", "count": "votes"}}
    areas = {"table": "hasil_wilayah", "fields": {"kode_wilayah": "kode", "suara_sah": "sah"},
             "votes": {1: "v1", 2: "v2", 3: "v3"}}
    files = {"good.csv": f"kode_tps,cand,votes,sah\n{T}1,1,10,60\n{T}1,2,20,60\n{T}1,3,30,60\n",
             "bad.csv": f"kode_tps,cand,votes,sah\n{T}1,1,1O,60\n{T}1,2,2O,60\n",
             "areas.csv": "kode,v1,v2,v3,sah\n31,1,2,3,6x\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    project = built(make_project, *[
        {"raw": tmp_path / name, "format": "csv", "election": "ppwp-2024", "snapshot": snapshot, "csv": mapping}
        for name, snapshot, mapping in (("good.csv", D1, tps), ("bad.csv", D2, tps), ("areas.csv", D3, areas))])
    assert query(project, "SELECT path, records_loaded, records_quarantined FROM sources ORDER BY 1") == [
        ("raw/areas.csv", 0, 1), ("raw/bad.csv", 0, 2), ("raw/good.csv", 3, 0)]
    assert query(project, "SELECT snapshot, tps FROM snapshots ORDER BY 1") == [(D1, 1), (D2, 0)]
    assert "all 2 records of its sources were quarantined" in entry(project, D2)


def test_a_source_whose_every_record_copies_rows_loaded_is_no_unreadable_day(make_project: Any) -> None:
    """Its records were read (each a ``duplicate-key`` of a row another source loaded): the day is that source's, and
    it is not called unreadable; a day whose damaged copy of another day's record is all it holds is."""
    project = built(make_project, day(D1, {1: record((10, 20, 30))}),
                    day(D1, {1: record((10, 20, 30))}, name="copy"), day(D2, {1: BAD}))
    assert query(project, "SELECT source, records_loaded, records_quarantined FROM snapshots JOIN sources "
                          "ON path = source ORDER BY 1") == [("raw/tps_2024-02-15", 1, 0), ("raw/tps_2024-02-16", 0, 1)]
    assert query(project, "SELECT reason LIKE 'duplicate-key:%' FROM quarantine ORDER BY source") == [(1,), (0,)]
    assert "No TPS could be read" not in entry(project, D1) and "No TPS could be read" in entry(project, D2)
