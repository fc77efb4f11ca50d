"""Snapshots as data: the ``snapshots``, ``snapshot_votes`` and ``changes`` tables, the two change
rules, the package changelog and the "as of day X" canned queries (issue 5).

The tiny two-day fixture of :mod:`twodays` (inline, so these tests always run), where every kind
of change happens once: a vote correction after the TPS was complete, a TPS filled in, a TPS
unchanged, one removed and one added. Real captures are tested in ``test_diff.py``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import query
from releasekit import build, load_release, pages
from releasekit.queries import SNAPSHOT_QUERIES
from releasekit.rules import BY_SLUG
from releasekit.snapshots import fill
from releasekit.tables import CHANGES
from releasekit.validate import validate_paths
from twodays import DAY1, DAY2, DAYS, T, record, sources


def test_snapshots_record_each_source(two_days: Path) -> None:
    rows = query(two_days, "SELECT snapshot, source, previous_snapshot, tps, tps_with_votes, tps_complete, suara_sah, "
                           "length(sha256) FROM snapshots ORDER BY snapshot")
    assert rows == [(DAY1, f"raw/tps_{DAY1}", None, 4, 3, 3, 3 * 98, 64),
                    (DAY2, f"raw/tps_{DAY2}", DAY1, 4, 4, 4, 4 * 98, 64)]
    sha = dict(query(two_days, "SELECT path, sha256 FROM sources"))
    assert dict(query(two_days, "SELECT source, sha256 FROM snapshots")) == sha
    votes = query(two_days, "SELECT snapshot, nomor_urut, suara, tps FROM snapshot_votes ORDER BY 1, 2")
    assert votes == [(DAY1, 1, 61, 3), (DAY1, 2, 61, 3), (DAY1, 3, 39, 3),
                     (DAY2, 1, 47, 4), (DAY2, 2, 68, 4), (DAY2, 3, 47, 4)]


def test_changes_hold_every_changed_field(two_days: Path) -> None:
    rows = query(two_days, "SELECT kode_tps, field, kind, before, after, delta, was_complete FROM changes "
                           "ORDER BY kode_tps, field")
    by_tps: dict[str, list[tuple[Any, ...]]] = {}
    for kode, *rest in rows:
        by_tps.setdefault(kode, []).append(tuple(rest))
    assert set(by_tps) == {T + "1", T + "2", T + "4", T + "5"}  # 3 is unchanged
    assert by_tps[T + "1"] == [("suara/1", "changed", "50", "30", -20, 1),
                               ("ts", "changed", "2024-02-15 10:00:00", "2024-02-16 09:00:00", None, 1)]
    filled = {r[0]: r[1:] for r in by_tps[T + "2"]}
    assert filled["suara/2"] == ("filled", None, "6", None, 0)
    assert filled["status_suara"] == ("changed", "0", "1", None, 0)
    assert filled["suara_sah"] == ("filled", None, "98", None, 0)
    assert ("kode_tps", "removed", T + "4", None, None, 1) in by_tps[T + "4"]
    assert ("suara/3", "removed", "1", None, None, 1) in by_tps[T + "4"]
    assert ("kode_tps", "added", None, T + "5", None, None) in by_tps[T + "5"]
    assert query(two_days, "SELECT DISTINCT snapshot, previous_snapshot, nomor_urut FROM changes "
                           "WHERE field = 'suara/3'") == [(DAY2, DAY1, 3)]


def test_change_rules_flag_the_correction(two_days: Path) -> None:
    found = query(two_days, "SELECT rule, key, severity, expected, actual FROM findings "
                            "WHERE rule IN ('changed-after-complete', 'total-decreased') ORDER BY rule, key")
    assert found == [
        ("changed-after-complete", T + "1", "warning", 98, 78),  # the TPS's Σ votes (review Y #2: 50, 30 of one)
        ("total-decreased", "0/1", "warning", 61, 47),
        ("total-decreased", "31/1", "warning", 61, 47),
        ("total-decreased", "3101/1", "warning", 61, 47),
        ("total-decreased", "310101/1", "warning", 61, 47),
        ("total-decreased", "3101011001/1", "warning", 61, 47),
    ]
    assert BY_SLUG["changed-after-complete"].default_severity == "warning"
    assert validate_paths([two_days]).valid  # warnings: published, not failing


ACEH = "110101100100"  # an Aceh village code + the TPS number's first two digits (T is DKI's)


def built_days(make_project: Any, days: dict[str, dict[str, Any]]) -> Path:
    """A project whose register 001 holds one Sirekap per-TPS folder a day (``{day: {kode_tps: record}}``), built."""
    project = make_project({"real-count": [
        {"raw": {f"{code}.json": rec for code, rec in tps.items()}, "name": f"tps_{day}",
         "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day} for day, tps in days.items()]})
    build(load_release(project))
    return project


@pytest.fixture(scope="module")
def coverages(make_project: Any) -> Path:
    """Days of different coverage: a DKI sample (TPS 1 and 4), then DKI's TPS 1 and an Aceh TPS, then Aceh only."""
    return built_days(make_project, {"2024-02-15": {T + "1": record((50, 40, 8)), T + "4": record((1, 1, 1))},
                                     "2024-02-16": {T + "1": record((50, 40, 8)), ACEH + "1": record((7, 7, 7))},
                                     "2024-02-17": {ACEH + "1": record((7, 7, 7))}})


def test_completeness_of_an_area_a_day_holds_no_record_of_is_null(coverages: Path) -> None:
    """Review AE (suspicion): a province the day's sources hold no TPS of (a sample of another) read 0.0% complete in
    ``rekap_wilayah`` and the ``completeness`` query, the plausible answer of a wrong one, where the register page's
    chart says 'not in this snapshot's sources'. Its TPS known stay counted, its completeness is NULL."""
    got = query(coverages, "SELECT snapshot, kode_wilayah, tps_terdaftar, tps_hasil, kelengkapan FROM rekap_wilayah "
                           "WHERE tingkat = 1 ORDER BY snapshot, kode_wilayah")
    assert got == [("2024-02-15", "11", 1, 0, None), ("2024-02-15", "31", 2, 2, 100.0),
                   ("2024-02-16", "11", 1, 1, 100.0), ("2024-02-16", "31", 2, 1, 50.0),
                   ("2024-02-17", "11", 1, 1, 100.0), ("2024-02-17", "31", 2, 0, None)]


def test_a_province_the_next_day_does_not_cover_is_no_total_decreased(coverages: Path) -> None:
    """Review F #5: days of different coverage (a DKI sample, then Aceh) made every DKI total "decrease" to 0 and
    the national total drop by all of DKI's votes. Only provinces both days cover are compared: DKI's TPS 4
    vanishing while DKI is still covered is a decrease (1 vote less for candidate 1 nationally), DKI's TPS
    missing from a day that covers only Aceh is none."""
    found = query(coverages, "SELECT snapshot, key, expected, actual FROM findings WHERE rule = 'total-decreased' "
                             "AND key LIKE '%/1' ORDER BY snapshot, key")
    assert found == [("2024-02-16", "0/1", 51, 50), ("2024-02-16", "31/1", 51, 50), ("2024-02-16", "3101/1", 51, 50),
                     ("2024-02-16", "310101/1", 51, 50), ("2024-02-16", "3101011001/1", 51, 50)]
    assert query(coverages, "SELECT detail FROM findings WHERE rule = 'total-decreased' AND key = '0/1'") == [(
        "total for 1 in 0 went from 51 to 50 (-1) since 2024-02-15, over the provinces both snapshots cover",)]


def test_the_changelog_counts_removed_tps_and_votes_over_the_provinces_both_days_cover(coverages: Path) -> None:
    """Review F #5, the changelog's part: a day that covers Aceh only said DKI's TPS were all "removed" and its votes
    lost. A TPS of a province the day has no result in is counted apart (not covered, not removed), and the change in
    votes is over the provinces both days cover; the votes column stays the day's whole total."""
    readme = (coverages / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day16 = readme.split("### ppwp-2024 · 2024-02-16 (since / sejak 2024-02-15)", 1)[1].split("###", 1)[0]
    day17 = readme.split("### ppwp-2024 · 2024-02-17 (since / sejak 2024-02-16)", 1)[1].split("##", 1)[0]
    assert "- Provinces with results / provinsi dengan hasil: 11, 31; the snapshot before / snapshot sebelumnya: 31. " \
           in day16 and "dicakup keduanya: 31\n" in day16
    assert "- TPS added / ditambah: 1; removed / hilang: 1; changed" in day16  # Aceh's TPS; DKI's TPS 4
    assert "| 57 | −1 |" in day16 and "| 47 | −1 |" in day16 and "| 15 | −1 |" in day16  # DKI: 50 + 7 → 51, …
    assert "provinsi dengan hasil: 11; the snapshot before / snapshot sebelumnya: 11, 31. " in day17
    assert ("- TPS added / ditambah: 0; removed / hilang: 0 (and 1 in provinces this snapshot has no result in: "
            "not covered, not removed") in day17
    assert "| 7 | ±0 |" in day17 and "−50" not in day17


def test_diff_says_where_coverage_differs(coverages: Path) -> None:
    """``releasekit diff`` of days of different coverage, as the changelog counts them: a TPS of a province NEW holds
    no TPS in is removed but not covered (said apart), an Aceh TPS on the first day Aceh is covered is newly covered,
    and each candidate's change is also given over the provinces both days hold (before, a day covering Aceh only
    read as DKI's TPS removed with all their votes, and nothing said why)."""
    from releasekit.diff import diff, to_dict
    from releasekit.diffreport import markdown, notes, text

    same = diff("2024-02-15", "2024-02-15", project=coverages).pairs[0]
    assert not same.coverage_differs and [c.delta_common for c in same.candidates] == [0, 0, 0]

    gained = diff("2024-02-15", "2024-02-16", project=coverages).pairs[0]  # DKI → DKI + Aceh; DKI's TPS 4 gone
    assert (gained.provinces_old, gained.provinces_new) == (("31",), ("11", "31"))
    assert (gained.removed, gained.removed_uncovered, gained.added, gained.added_uncovered) == (1, 0, 1, 1)
    assert [(c.delta, c.delta_common) for c in gained.candidates] == [(6, -1), (6, -1), (6, -1)]

    left = diff("2024-02-16", "2024-02-17", project=coverages)  # DKI + Aceh → Aceh only
    pair = left.pairs[0]
    assert (pair.removed, pair.removed_uncovered, pair.added, pair.added_uncovered) == (1, 1, 0, 0)
    assert [(c.delta, c.delta_common) for c in pair.candidates] == [(-50, 0), (-40, 0), (-8, 0)]
    report = text(left)
    assert "removed 1 (1 not covered by NEW)" in report
    assert "provinces with TPS differ: OLD 11, 31, NEW 11; 1 of the 1 TPS removed are in provinces NEW holds no " \
           "TPS in (not covered rather than removed)" in report
    assert "(change; over the provinces both hold)" in report and "(-50; 0)" in report
    # The region roll-up marks DKI's changes as coverage (review L #6: read as "DKI: -50" beside "not covered")
    assert "provinsi        0 up, 3 down: 31/1 -50*, 31/2 -40*, 31/3 -8*" in report
    assert "* in a province only one side holds TPS in: not covered there, rather than changed" in report
    assert "| 1 | 57 | 7 | -50 | 0 |" in markdown(left) and "provinces with TPS differ" in markdown(left)
    assert "| provinsi | 0 | 3 | 31/1 -50\\*, 31/2 -40\\*, 31/3 -8\\* |" in markdown(left)  # (review Y #4)
    assert "\\* in a province only one side holds TPS in" in markdown(left)
    assert any("provinces with TPS differ" in note for note in notes(left))  # (the CSV holds changed fields only)
    data = to_dict(left)["comparisons"][0]
    assert data["provinces"] == {"old": ["11", "31"], "new": ["11"], "differ": True}
    assert (data["tps"]["removed_uncovered"], data["candidates"][0]["delta_common"]) == (1, 0)

    apart = diff("2024-02-15", "2024-02-17", project=coverages).pairs[0]  # DKI → Aceh: no province in common
    assert (apart.removed_uncovered, apart.added_uncovered) == (2, 1)
    assert [c.delta_common for c in apart.candidates] == [None, None, None]
    report = text(diff("2024-02-15", "2024-02-17", project=coverages))
    assert "(-44; ?)" in report and "the two hold no province in common" in report


def test_the_changelog_reads_sources_whose_path_holds_a_space(make_project: Any) -> None:
    """The day's sources were joined with spaces and split on them: ``raw/tps 2024-02-15`` then covered no province,
    and the changelog said coverage changed and every change was 0 (found by a review of the change)."""
    days = sources()
    days[0]["name"] = f"tps {DAY1}"  # (the second day's path has none)
    project = make_project({"real-count": days})
    build(load_release(project))
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day2 = readme.split(f"### ppwp-2024 · {DAY2} (since / sejak {DAY1})", 1)[1].split("##", 1)[0]
    assert "Provinces with results" not in day2
    assert "| 47 | −14 |" in day2 and "| 68 | +7 |" in day2 and "| 47 | +8 |" in day2


def test_no_change_in_votes_is_given_when_two_days_share_no_province(make_project: Any) -> None:
    project = built_days(make_project, {"2024-02-15": {T + "1": record((50, 40, 8))},
                                        "2024-02-16": {ACEH + "1": record((7, 7, 7))}})
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day2 = readme.split("### ppwp-2024 · 2024-02-16 (since / sejak 2024-02-15)", 1)[1].split("##", 1)[0]
    assert "dicakup keduanya: none / tidak ada" in day2
    assert "| 7 |  |" in day2 and "±0" not in day2, day2


def test_the_register_page_says_a_province_the_day_does_not_cover_is_not_in_its_sources(coverages: Path) -> None:
    """Review F #5, the page's part: the completeness chart of the latest day (Aceh only) showed DKI at 0.0% (0 / 2)
    where the day's sources hold no DKI TPS at all."""
    release = load_release(coverages)
    with closing(sqlite3.connect(coverages / "build" / "release.db")) as db:
        days = pages.register_days(db, release.registers[0])
        svg = pages.charts(db, pages.totals(db, days))["completeness"]
    assert "2024-02-17" in svg
    assert ("<title>31: not in this snapshot&#x27;s sources / tidak ada di sumber snapshot ini (2 TPS known / "
            "tercatat)</title>") in svg, svg
    assert "0.0% (0 / 2)" not in svg and "<title>11: 100.00% (1 / 1)</title>" in svg, svg


def test_rules_can_be_turned_off_or_made_errors(make_project: Any) -> None:
    project = make_project({"real-count": {"sources": sources(), "rules": {
        "total-decreased": "off", "changed-after-complete": {"severity": "error", "error_if": "> 0"}}}})
    build(load_release(project))
    assert query(project, "SELECT DISTINCT rule FROM findings WHERE rule IN "
                          "('changed-after-complete', 'total-decreased')") == [("changed-after-complete",)]
    report = validate_paths([project]).to_dict()
    assert not report["valid"]
    assert [e["type"] for e in report["packages"][0]["errors"]] == ["rule-threshold"]


def test_one_snapshot_has_no_changes(make_project: Any) -> None:
    project = make_project({"real-count": sources((DAY1,))})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM changes") == [(0,)]
    assert query(project, "SELECT previous_snapshot FROM snapshots") == [(None,)]
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert f"### ppwp-2024 · {DAY1} (first / pertama)" in readme


def test_package_has_the_new_resources_and_a_changelog(two_days: Path) -> None:
    folder = two_days / "datapackages" / "real-count"
    names = [r["name"] for r in json.loads((folder / "datapackage.json").read_text("utf-8"))["resources"]]
    assert {"snapshots", "snapshot_votes", "changes"} <= set(names)
    with (folder / "data" / "changes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CHANGES.columns
    assert len(rows) - 1 == query(two_days, "SELECT count(*) FROM changes")[0][0]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Changelog / Catatan perubahan" in readme
    day2 = readme.split(f"### ppwp-2024 · {DAY2} (since / sejak {DAY1})", 1)[1].split("##", 1)[0]
    assert "TPS added / ditambah: 1; removed / hilang: 1; changed / berubah: 2 (2 in more than the update " in day2
    assert "TPS whose votes changed / suara berubah: 2, of which 1 after the TPS was already complete" in day2
    assert "(status_suara false → true): 1" in day2
    assert "| 47 | −14 |" in day2 and "| 68 | +7 |" in day2 and "| 47 | +8 |" in day2


def test_package_tables_follow_the_register(make_project: Any) -> None:
    """Snapshots of another register are neither consecutive with these nor in this package."""
    project = make_project({"real-count": sources((DAY1,)), "final": sources((DAY2,))})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM changes") == [(0,)]
    assert query(project, "SELECT snapshot, previous_snapshot FROM snapshots ORDER BY 1") == [(DAY1, None),
                                                                                                (DAY2, None)]
    for slug, day in (("real-count", DAY1), ("final", DAY2)):
        text = (project / "datapackages" / slug / "data" / "snapshots.csv").read_text(encoding="utf-8")
        assert text.count("\n") == 2 and f",{day}," in text


def canned(project: Path, name: str, **params: str) -> list[tuple[Any, ...]]:
    return query(project, SNAPSHOT_QUERIES[name]["sql"], params)


def test_results_as_of_a_day(two_days: Path) -> None:
    day1 = canned(two_days, "results_as_of", kode_pemilu="ppwp-2024", day=DAY1, kode_wilayah="")
    assert {(r[0], r[1]) for r in day1} == {(T + n, DAY1) for n in "1234"}
    day2 = canned(two_days, "results_as_of", kode_pemilu="ppwp-2024", day=DAY2, kode_wilayah="3101")
    latest = {r[0]: r[1] for r in day2}
    # TPS 4 is missing from day 2: as of day 2 its latest figures are day 1's.
    assert latest == {T + "1": DAY2, T + "2": DAY2, T + "3": DAY2, T + "4": DAY1, T + "5": DAY2}
    assert [r[8] for r in day2 if r[0] == T + "1"] == [30, 40, 8]
    assert canned(two_days, "results_as_of", kode_pemilu="ppwp-2024", day="2024-02-14", kode_wilayah="") == []
    assert canned(two_days, "results_as_of", kode_pemilu="ppwp-2024", day=DAY2, kode_wilayah="32") == []
    # a longer prefix of a snapshot id works too
    assert len(canned(two_days, "results_as_of", kode_pemilu="ppwp-2024", day=DAY2 + "T23:59",
                      kode_wilayah="")) == len(day2)
    # a day that is no date is no day: no rows (compared as text, 'garbage' sorts after every snapshot)
    for name in ("results_as_of", "totals_as_of"):
        for day in ("garbage", "9999", "", "2024-2-20"):
            assert canned(two_days, name, kode_pemilu="ppwp-2024", day=day, kode_wilayah="") == [], (name, day)
        # (review AP #2: one that only starts as a date should was answered with the latest of each TPS)
        for day in ("2024-99-99", "9999-99-99", "2024-13-45", "2024-02-30", f"{DAY2}xyz", f"{DAY2}T", f"{DAY2} x1"):
            assert canned(two_days, name, kode_pemilu="ppwp-2024", day=day, kode_wilayah="") == [], (name, day)
        for day in (f"{DAY2}T23", f"{DAY2} 23:59", f"{DAY2}T23:59:59"):
            assert canned(two_days, name, kode_pemilu="ppwp-2024", day=day, kode_wilayah="") != [], (name, day)


def test_as_of_a_day_takes_the_one_election_when_none_is_named(two_days: Path, make_project: Any) -> None:
    """Review AM #6: an empty kode_pemilu answered with no row, and nothing said why; a release of one election needs
    none named. Of two, one must be: the totals of two elections cannot be summed."""
    for name in ("results_as_of", "totals_as_of"):
        named = canned(two_days, name, kode_pemilu="ppwp-2024", day=DAY2, kode_wilayah="")
        assert canned(two_days, name, kode_pemilu="", day=DAY2, kode_wilayah="") == named != []
    day1, day2 = sources()
    other = {**day2, "name": "tps_2019", "election": "ppwp-2019", "snapshot": "2019-04-18",
             "raw": {T + "1.json": {**record((5, 6, 7)), "chart": {"100025": 5, "100026": 6, "null": None}}}}
    project = make_project({"real-count": [day1, day2, other]})
    build(load_release(project))
    assert canned(project, "totals_as_of", kode_pemilu="", day=DAY2, kode_wilayah="") == []
    assert canned(project, "totals_as_of", kode_pemilu="ppwp-2024", day=DAY2, kode_wilayah="") != []


def test_as_of_a_day_written_with_a_space_before_its_time(two_days: Path, tmp_path: Path) -> None:
    """Review P #1: ``2024-02-16 18:00`` passed over a snapshot stored ``2024-02-16T17:00`` (' ' sorts before 'T') and
    answered with the day before's figures, plausible and wrong."""
    import shutil

    copy = tmp_path / "build" / "release.db"
    copy.parent.mkdir()
    shutil.copyfile(two_days / "build" / "release.db", copy)
    with closing(sqlite3.connect(copy)) as db, db:
        for table in ("hasil_tps", "suara"):
            db.execute(f"UPDATE {table} SET snapshot = snapshot || 'T17:00' WHERE snapshot = ?", (DAY2,))
    for name in ("results_as_of", "totals_as_of"):
        answers = {day: canned(tmp_path, name, kode_pemilu="ppwp-2024", day=day, kode_wilayah="")
                   for day in (f"{DAY2}T18:00", f"{DAY2} 18:00", f"{DAY2}T16:00", f"{DAY2} 16:00")}
        assert answers[f"{DAY2} 18:00"] == answers[f"{DAY2}T18:00"] != answers[f"{DAY2}T16:00"], name
        assert answers[f"{DAY2} 16:00"] == answers[f"{DAY2}T16:00"], name
        assert f"{DAY2}T17:00" in str(answers[f"{DAY2} 18:00"]) and f"{DAY2}T17:00" not in str(answers[f"{DAY2} 16:00"])


def test_totals_as_of_a_day(two_days: Path) -> None:
    totals = canned(two_days, "totals_as_of", kode_pemilu="ppwp-2024", day=DAY2, kode_wilayah="")
    # day 2's four TPS plus TPS 4 as of day 1
    assert [(r[0], r[2], r[3]) for r in totals] == [(1, 48, 5), (2, 69, 5), (3, 48, 5)]
    assert totals[0][4:] == (DAY1, DAY2)
    # Review BS M1: each TPS's latest snapshot is read from a covering index, not row by row from the table
    for name, alias in (("totals_as_of", "h"), ("results_as_of", "x")):
        plan = " ".join(r[3] for r in query(two_days, "EXPLAIN QUERY PLAN " + SNAPSHOT_QUERIES[name]["sql"],
                                            {"kode_pemilu": "", "day": DAY2, "kode_wilayah": T[:2]}))
        assert f"SEARCH {alias} USING COVERING INDEX idx_hasil_tps_kode_tps_kode_pemilu_snapshot" in plan, (name, plan)


def test_history_queries(two_days: Path) -> None:
    history = canned(two_days, "tps_history", kode_tps=T + "1")
    assert [(r[4], r[6], r[7]) for r in history] == [("ts", "2024-02-15 10:00:00", "2024-02-16 09:00:00"),
                                                     ("suara/1", "50", "30")]
    assert {r[0] for r in history} == {T + "1"}
    every = canned(two_days, "tps_history", kode_tps="")
    assert len(every) == query(two_days, "SELECT count(*) FROM changes")[0][0] > len(history)
    assert [r[0] for r in every] == sorted(r[0] for r in every)
    assert canned(two_days, "tps_history", kode_tps=T[:10]) == every  # a village: every TPS in it
    assert canned(two_days, "tps_history", kode_tps="99") == []
    plan = " ".join(r[3] for r in query(two_days, "EXPLAIN QUERY PLAN " + SNAPSHOT_QUERIES["tps_history"]["sql"],
                                        {"kode_tps": T + "1"}))
    assert "USING INDEX idx_changes_kode_tps (kode_tps>? AND kode_tps<?)" in plan, plan
    after = canned(two_days, "votes_changed_after_complete")
    assert [(r[3], r[4], r[5]) for r in after] == [(T + "1", "1: 50 → 30", -20)]
    for item in SNAPSHOT_QUERIES.values():
        assert set(item) == {"sql", "title", "description"} and " / " in item["title"]


def test_votes_changed_after_complete_counts_a_figure_cleared_in_its_change(make_project: Any) -> None:
    """Review AE #3: ``selisih`` summed ``delta``, which a figure cleared or filled has none of: candidate 1's 5 → ∅
    and candidate 2's 5 → 6 gave +1, and a TPS whose every figure was cleared gave NULL. It is the change in the sum
    of the TPS's votes as published, as ``total-decreased`` counts it: −5 + 1."""
    def day(chart: dict[str, int | None], ts: str) -> dict[str, Any]:
        return {"d.jsonl": json.dumps({"kode_tps": T + "1", "chart": chart, "administrasi": None, "psu": None,
                                       "ts": ts, "status_suara": True, "status_adm": False}) + "\n"}
    days = [({"100025": 5, "100026": 5, "100027": 5}, DAY1), ({"100025": None, "100026": 6, "100027": 5}, DAY2),
            ({"100025": None, "100026": None, "100027": None}, "2024-02-17")]
    project = make_project({"real-count": [
        {"raw": day(chart, f"{snapshot} 10:00:00"), "name": f"d{i}", "format": "sirekap-tps-json",
         "election": "ppwp-2024", "snapshot": snapshot} for i, (chart, snapshot) in enumerate(days)]})
    build(load_release(project))
    after = canned(project, "votes_changed_after_complete")
    assert [(r[2], r[4], r[5]) for r in after] == [(DAY2, "1: 5 → ∅; 2: 5 → 6", -4),
                                                   ("2024-02-17", "2: 6 → ∅; 3: 5 → ∅", -11)]


def _refill(db: sqlite3.Connection, *, one_source: bool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db.execute("DELETE FROM snapshots")
    db.execute("DELETE FROM snapshot_votes")
    fill(db, one_source=one_source)
    return (db.execute("SELECT * FROM snapshots ORDER BY rowid").fetchall(),
            db.execute("SELECT * FROM snapshot_votes ORDER BY rowid").fetchall())


def test_snapshot_figures_by_day_equal_those_by_source(two_days: Path, tmp_path: Path) -> None:
    """The fast path (one source per day: one ordered pass per election) writes the rows the general one does."""
    copy = tmp_path / "release.db"
    copy.write_bytes((two_days / "build" / "release.db").read_bytes())
    with closing(sqlite3.connect(copy)) as db:
        general = _refill(db, one_source=False)
        assert len(general[0]) == 2 and len(general[1]) == 6
        assert _refill(db, one_source=True) == general
        # A vote for a number peserta does not list: the by-day pass gives way to grouping by candidate.
        db.execute("UPDATE suara SET nomor_urut = 9 WHERE rowid = (SELECT min(rowid) FROM suara)")
        general = _refill(db, one_source=False)
        assert 9 in {row[3] for row in general[1]}
        assert _refill(db, one_source=True) == general


def test_a_tps_quarantined_the_day_before_is_not_called_new(make_project: Any) -> None:
    """Day 1's record of TPS 6 is damaged (quarantined); day 2 reads it: the changes show it added, as loaded, and
    the changelog says that 1 of the 2 TPS added was in a record day 1 quarantined (TPS 5 is new)."""
    days = sources()
    days[0]["raw"][T + "6.json"] = b'{"chart": {"100025": 1,'
    days[1]["raw"][T + "6.json"] = DAYS[DAY2][T + "3"]
    project = make_project({"real-count": days})
    build(load_release(project))
    assert query(project, "SELECT kode_tps FROM changes WHERE kind = 'added' AND field = 'kode_tps' ORDER BY 1") == [
        (T + "5",), (T + "6",)]
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert ("- TPS added / ditambah: 2 (1 of them in a record the snapshot before quarantined: not new, unreadable "
            "then / 1 di antaranya ada di rekaman yang dikarantina pada snapshot sebelumnya: bukan baru, saat itu "
            "tidak terbaca); removed") in readme  # (review AW #12: the Indonesian lost the number)


def test_a_tps_quarantined_this_day_is_not_called_gone(make_project: Any) -> None:
    """Review Y #1: day 2's record of TPS 4 is damaged (quarantined). The changes show it removed, as loaded; the
    changelog says that it was in a record day 2 quarantined, and ``total-decreased`` leaves TPS 4 out of both
    totals (review Z #1): candidate 1's 61 → 48 with TPS 4 (1 vote) unchanged is 60 → 47 without it, where its
    vote counted as lost; the total after, 47, is the day's own."""
    days = sources()
    days[1]["raw"][T + "4.json"] = b'{"chart": {"100025": 1,'
    project = make_project({"real-count": days})
    build(load_release(project))
    assert query(project, "SELECT kode_tps FROM changes WHERE kind = 'removed' AND field = 'kode_tps'") == [
        (T + "4",)]
    found = query(project, "SELECT key, expected, actual FROM findings WHERE rule = 'total-decreased' ORDER BY key")
    assert found == [(key, 60, 47) for key in ("0/1", "31/1", "3101/1", "310101/1", "3101011001/1")]
    assert query(project, "SELECT sum(suara) FROM suara WHERE snapshot = ? AND nomor_urut = 1", (DAY2,)) == [(47,)]
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert ("removed / hilang: 1 (1 of them in a record this snapshot quarantined: not gone, unreadable now / 1 di "
            "antaranya ada di rekaman yang dikarantina pada snapshot ini: bukan hilang, kini tidak terbaca); changed") \
        in readme


def test_the_changelog_says_what_part_of_a_change_is_at_unreadable_tps(make_project: Any, tmp_path: Path) -> None:
    """A long layout's row of candidate 2 is quarantined on day 2 (``2O``): its published total drops by 20 and the
    changelog's change says so, but it also says that all −20 is at a TPS a quarantined record names (not lost), as
    ``total-decreased`` leaves it out; day 3 reads it again: +20, all of it such. Before, −20 read as votes lost."""
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
               "long": {"candidate": "cand", "count": "votes"}}
    sources_ = []
    for day, second, first in (("2024-02-15", "20", "10"), ("2024-02-16", "2O", "15"), ("2024-02-17", "20", "15")):
        raw = tmp_path / f"long_{day}.csv"
        raw.write_text("kode_tps,cand,votes,sah\n" + "".join(
            f"{T}1,{n},{v},60\n" for n, v in ((1, first), (2, second), (3, "30"))) + f"{T}2,1,15,60\n{T}2,2,20,60\n")
        sources_.append({"raw": raw, "format": "csv", "election": "ppwp-2024", "snapshot": day, "csv": mapping})
    project = make_project({"real-count": sources_})
    build(load_release(project))
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day2 = readme[readme.index("· 2024-02-16"):readme.index("· 2024-02-17")]
    day3 = readme[readme.index("· 2024-02-17"):readme.index("## Codebook")]
    head = "| candidate / peserta | votes / suara | change / perubahan | of which at TPS with a quarantined record"
    assert head in day2 and head in day3
    def row(part: str, nomor: int) -> list[str]:
        line = next(line for line in part.splitlines() if line.startswith(f"| {nomor} "))
        return [cell.strip() for cell in line.split("|")[2:-1]]
    assert (row(day2, 1), row(day2, 2)) == (["30", "+5", "±0"], ["20", "−20", "−20"])  # (TPS 2's 20 is in both)
    assert (row(day3, 1), row(day3, 2)) == (["30", "±0", "±0"], ["40", "+20", "+20"])
    first = readme[readme.index("· 2024-02-15"):readme.index("· 2024-02-16")]
    assert head not in first and "| candidate / peserta | votes / suara | change / perubahan |" in first


def test_a_drop_the_day_an_unreadable_tps_comes_back_is_found(make_project: Any) -> None:
    """Review Z #2: TPS 4 is unreadable on day 2 (quarantined) and back on day 3, when TPS 1 loses 5 votes of
    candidate 1. TPS 4's return (``added``, after a quarantine) is left out as its disappearance was, so the drop
    is a finding; counted as a gain, it hid it."""
    day1, day2 = sources()
    day2["raw"][T + "4.json"] = b'{"chart": {"100025": 1,'
    day3 = {**day2, "name": "tps_day3", "snapshot": "2024-02-17",
            "raw": {**{k: v for k, v in day2["raw"].items() if k != T + "4.json"},
                    T + "1.json": record((25, 40, 8), "2024-02-17 09:00:00"), T + "4.json": DAYS[DAY1][T + "4"]}}
    project = make_project({"real-count": [day1, day2, day3]})
    build(load_release(project))
    found = query(project, "SELECT key, expected, actual FROM findings WHERE rule = 'total-decreased' "
                           "AND snapshot = '2024-02-17' ORDER BY key")
    assert ("0/1", 47, 42) in found  # (day 2's own total, 47, without TPS 4)


def test_a_day_whose_sources_say_nothing_of_completeness_is_not_0_complete(make_project: Any, tmp_path: Path) -> None:
    """Review AJ #2: a ``csv`` mapping without ``status_suara`` leaves completeness unknown (``tps_complete`` NULL);
    the changelog said '0 complete'. A Sirekap day beside it still counts its complete TPS."""
    raw = tmp_path / "no_status.csv"
    raw.write_text(f"kode_tps,sah,p1,p2,p3\n{T}1,60,10,20,30\n{T}2,,,,\n", encoding="utf-8")
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
               "votes": {"1": "p1", "2": "p2", "3": "p3"}}
    day1, day2 = sources()
    day3 = {**day2, "name": "tps_day3", "snapshot": "2024-02-17"}
    project = make_project({"real-count": [day1, {"raw": raw, "format": "csv", "election": "ppwp-2024",
                                                   "snapshot": DAY2, "csv": mapping}, day3]})
    build(load_release(project))
    assert query(project, "SELECT snapshot, tps, tps_with_votes, tps_complete FROM snapshots ORDER BY 1") == [
        (DAY1, 4, 3, 3), (DAY2, 2, 1, None), ("2024-02-17", 4, 4, 4)]
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert "- 4 TPS, 3 with votes / dengan suara, 3 complete / lengkap (status_suara)" in readme
    assert ("- 2 TPS, 1 with votes / dengan suara, completeness unknown / kelengkapan tidak diketahui "
            "(no status_suara in its sources)") in readme
    assert "0 complete" not in readme
    # (review AM #4: a change after complete, or a TPS that became complete, is unknown beside such a day)
    second = readme[readme.index(f"· {DAY2}"):readme.index("· 2024-02-17")]
    third = readme[readme.index("· 2024-02-17"):readme.index("## Codebook")]
    assert "(status_suara false → true): unknown / tidak diketahui" in second
    assert "of which 0 after" not in second + third
    assert "of which how many after the TPS was complete is unknown" in third
    assert "(status_suara false → true): unknown / tidak diketahui" in third
    from releasekit.diff import diff
    from releasekit.diffreport import text

    report = text(diff(DAY2, "2024-02-17", project=project))  # (TPS 1 and 2 changed their votes; DAY2 has no status)
    assert "votes changed at 2 TPS, 0 of them after status_suara was already true (changed-after-complete), 2 " \
           "where OLD has no status_suara (unknown)" in report
    assert "true → false: 0 TPS   unknown at 2 changed TPS (no status_suara on a side)" in report
    # (review AP #3: the canned query answered '0 results', as if no votes changed after complete)
    assert canned(project, "votes_changed_after_complete") == [
        ("ppwp-2024", DAY1, DAY2, f"{T}1", "1: 50 → 10; 2: 40 → 20; 3: 8 → 30", -38, "raw/no_status.csv"),
        ("ppwp-2024", DAY2, "2024-02-17", None, "unknown: 2 TPS changed votes where the snapshot before has no "
         "status_suara / tidak diketahui: status_suara tidak ada pada snapshot sebelumnya", None, None)]


def test_a_day_of_sources_that_say_and_do_not_say_completeness(make_project: Any, tmp_path: Path) -> None:
    """Review AN: a day of a Sirekap source (status_suara) and a csv source without it counted the first's complete
    TPS as the day's, as if the second had none."""
    raw = tmp_path / "aceh.csv"
    raw.write_text(f"kode_tps,sah,p1,p2,p3\n{ACEH}1,60,10,20,30\n{ACEH}2,60,10,20,30\n", encoding="utf-8")
    mapping = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "sah"},
               "votes": {"1": "p1", "2": "p2", "3": "p3"}}
    day1, _ = sources()
    project = make_project({"real-count": [day1, {"raw": raw, "format": "csv", "election": "ppwp-2024",
                                                   "snapshot": DAY1, "csv": mapping}]})
    build(load_release(project))
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert ("- 6 TPS, 5 with votes / dengan suara, 3 complete / lengkap (status_suara), unknown at 2 TPS whose "
            "sources have no status_suara") in readme


def test_a_tps_a_second_copy_names_was_read(make_project: Any) -> None:
    """Review AJ #1: day 2's folder holds an identical second copy of TPS 3's record (in a subfolder), cleared that day:
    a real drop of 30 votes for candidate 3. The copy is quarantined as ``duplicate-key``, but its TPS was read, from
    the first copy: the clearing is a drop, and the changelog puts none of the change at a TPS it could not read.
    Before, the copy made TPS 3 'unreadable': its 30 votes were left out of both totals and the drop went unfound."""
    day1, day2 = sources()
    cleared = record(None, "2024-02-16 12:00:00")
    day2["raw"][T + "3.json"] = day2["raw"][f"copy/{T}3.json"] = cleared
    project = make_project({"real-count": [day1, day2]})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM quarantine WHERE reason LIKE 'duplicate-key:%identical copy%'") \
        == [(1,)]
    found = query(project, "SELECT key, expected, actual FROM findings WHERE rule = 'total-decreased' "
                           "AND key LIKE '0/%' ORDER BY key")
    assert ("0/3", 39, 17) in found  # (8 + 0 + 30 + 1 the day before; 8 + 7 + 2 after TPS 3 was cleared)
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert "of which at TPS with a quarantined record" not in readme


def test_a_province_new_does_not_cover_is_not_also_quarantined_in_diff(make_project: Any) -> None:
    """Review Z #3: every DKI record of day 2 is damaged, so day 2 holds Aceh alone. The changelog calls DKI's TPS not
    covered; diff called them removed, quarantined in NEW and not covered, the same TPS counted twice."""
    from releasekit.diff import diff
    from releasekit.diffreport import text

    day1, day2 = sources()
    day1["raw"][ACEH + "1.json"] = record((7, 7, 7))
    day2["raw"] = {**{name: b'{"chart": {' for name in day2["raw"]}, ACEH + "1.json": record((7, 7, 7))}
    project = make_project({"real-count": [day1, day2]})
    build(load_release(project))
    result = diff(DAY1, DAY2, project=project)
    (pair,) = result.pairs
    assert (pair.removed, pair.removed_uncovered, pair.removed_in_quarantine) == (4, 4, 0)
    assert "removed 4 (4 not covered by NEW)" in text(result)
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert "removed / hilang: 0 (and 4 in provinces this snapshot has no result in" in readme


def test_a_new_tps_beside_a_quarantined_record_of_another_is_new(make_project: Any) -> None:
    days = sources()
    days[0]["raw"][T + "7.json"] = b"not json"  # TPS 7 quarantined on day 1, absent on day 2
    project = make_project({"real-count": days})
    build(load_release(project))
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert "- TPS added / ditambah: 1; removed" in readme  # TPS 5


def test_snapshot_times_joined_by_a_space_or_a_t_are_one_order(make_project: Any) -> None:
    """metadata.yml may write ``2024-02-20T09:00`` and ``2024-02-20 13:00``: kept as written, the later sorted
    first (a space sorts before T) and the correction 50 → 30 read 30 → 50. Both are written with T."""
    days = sources()
    days[0]["snapshot"], days[1]["snapshot"] = "2024-02-20T09:00", "2024-02-20 13:00"
    project = make_project({"real-count": days})
    build(load_release(project))
    assert query(project, "SELECT snapshot, previous_snapshot FROM snapshots ORDER BY 1") == [
        ("2024-02-20T09:00", None), ("2024-02-20T13:00", "2024-02-20T09:00")]
    assert query(project, "SELECT before, after FROM changes WHERE kode_tps = ? AND field = 'suara/1'",
                 (T + "1",)) == [("50", "30")]


#: Days of alternating provinces: DKI, then Aceh, then DKI again (TPS 1 corrected, 4 gone, 5 new), then both.
ALTERNATING = {
    "2024-02-15": {T + "1": record((50, 40, 8)), T + "4": record((1, 1, 1))},
    "2024-02-16": {ACEH + "1": record((7, 7, 7))},
    "2024-02-17": {T + "1": record((30, 40, 8)), T + "5": record((2, 2, 2))},
    "2024-02-18": {ACEH + "1": record((9, 7, 7)), T + "1": record((30, 40, 8)), T + "5": record((2, 2, 2))},
}


@pytest.fixture(scope="module")
def alternating(make_project: Any) -> Path:
    return built_days(make_project, ALTERNATING)


def test_a_province_is_compared_with_the_last_day_that_held_it(alternating: Path) -> None:
    """Review P #2: days of alternating provinces compared each day with the day before as a whole, so DKI's second
    day (after an Aceh day) had its TPS ``added`` and its edits since the first DKI day in no row, rule or changelog.
    Each province a day holds is compared with the last day that held it; a province it holds none of gives no row."""
    rows = query(alternating, "SELECT snapshot, previous_snapshot, kode_tps, field, kind, before, after, was_complete "
                              "FROM changes WHERE field = 'kode_tps' OR field LIKE 'suara/%' "
                              "ORDER BY snapshot, kode_tps, field")
    assert rows == [
        ("2024-02-16", "2024-02-15", ACEH + "1", "kode_tps", "added", None, ACEH + "1", None),  # (DKI: not covered)
        *[("2024-02-16", "2024-02-15", ACEH + "1", f"suara/{n}", "added", None, "7", None) for n in (1, 2, 3)],
        ("2024-02-17", "2024-02-15", T + "1", "suara/1", "changed", "50", "30", 1),
        ("2024-02-17", "2024-02-15", T + "4", "kode_tps", "removed", T + "4", None, 1),
        *[("2024-02-17", "2024-02-15", T + "4", f"suara/{n}", "removed", "1", None, 1) for n in (1, 2, 3)],
        ("2024-02-17", "2024-02-15", T + "5", "kode_tps", "added", None, T + "5", None),
        *[("2024-02-17", "2024-02-15", T + "5", f"suara/{n}", "added", None, "2", None) for n in (1, 2, 3)],
        ("2024-02-18", "2024-02-16", ACEH + "1", "suara/1", "changed", "7", "9", 1),  # DKI: as on the 17th
    ]
    found = query(alternating, "SELECT snapshot, key, expected, actual FROM findings "
                               "WHERE rule = 'changed-after-complete' ORDER BY snapshot")
    # (the TPS's Σ votes in the day it was compared with and in this one)
    assert found == [("2024-02-17", T + "1", 98, 78), ("2024-02-18", ACEH + "1", 21, 23)]
    history = query(alternating, SNAPSHOT_QUERIES["tps_history"]["sql"], {"kode_tps": T + "1"})
    assert {(row[2], row[3], row[4]) for row in history} == {("2024-02-15", "2024-02-17", "suara/1")}


def test_the_changelog_says_which_province_was_compared_with_an_earlier_day(alternating: Path) -> None:
    readme = (alternating / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day = {d: readme.split(f"### ppwp-2024 · {d} (since / sejak ", 1)[1].split("###", 1)[0]
           for d in ("2024-02-16", "2024-02-17", "2024-02-18")}
    assert ("- TPS added / ditambah: 1; removed / hilang: 0 (and 2 in provinces this snapshot has no result in: "
            "not covered, not removed") in day["2024-02-16"]
    assert "- TPS added / ditambah: 1; removed / hilang: 1 (and 1 in provinces" in day["2024-02-17"]
    assert "; changed / berubah: 1" in day["2024-02-17"]
    assert "bukan snapshot sebelumnya: 31 with / dengan 2024-02-15\n" in day["2024-02-17"]
    assert "bukan snapshot sebelumnya: 11 with / dengan 2024-02-16\n" in day["2024-02-18"]
    assert "bukan snapshot sebelumnya" not in day["2024-02-16"]  # (Aceh was never held before: its TPS are added)


def test_a_pair_read_with_an_earlier_day_is_compared_again_when_that_day_changes(
        make_project: Any, tmp_path: Path) -> None:
    """The 17th's DKI rows are compared with the 15th: the kept rows of that pair name the 15th's source too, so an
    edited 15th is compared again (not the rows kept from before it), and the release is a clean build's bytes."""
    from test_buildcache import fingerprint

    project = built_days(make_project, ALTERNATING)
    first = fingerprint(project)
    build(load_release(project))
    assert fingerprint(project) == first  # (from the cache)
    edited = dict(ALTERNATING, **{"2024-02-15": {**ALTERNATING["2024-02-15"], T + "1": record((45, 40, 8))}})
    (project / "raw" / "tps_2024-02-15" / f"{T}1.json").write_text(json.dumps(edited["2024-02-15"][T + "1"]),
                                                                   encoding="utf-8")
    build(load_release(project))
    assert query(project, "SELECT before, after FROM changes WHERE snapshot = '2024-02-17' "
                          "AND kode_tps = ? AND field = 'suara/1'", (T + "1",)) == [("45", "30")]
    incremental = fingerprint(project)
    build(load_release(project), clean=True)
    assert fingerprint(project) == incremental


def test_total_decreased_sums_each_province_since_the_day_it_was_compared_with(make_project: Any) -> None:
    """Review U #1: on the 17th Aceh is compared with the 16th (7 → 3) and DKI with the 15th (60 → 50); the national
    finding added both drops to Aceh's total alone ("from 7 to -7 (-14) since 2024-02-16"). Each province's findings
    are since its own day; the national one counts the provinces compared with the day before, as the changelog."""
    project = built_days(make_project, {
        "2024-02-15": {T + "1": record((50, 40, 8)), T + "2": record((10, 10, 10))},
        "2024-02-16": {ACEH + "1": record((7, 7, 7))},
        "2024-02-17": {ACEH + "1": record((3, 7, 7)), T + "1": record((40, 40, 8)), T + "2": record((10, 10, 10))}})
    found = query(project, "SELECT key, expected, actual, detail FROM findings WHERE rule = 'total-decreased' "
                           "AND key IN ('0/1', '11/1', '31/1') ORDER BY key")
    assert found == [
        ("0/1", 7, 3, "total for 1 in 0 went from 7 to 3 (-4) since 2024-02-16, over the provinces both snapshots "
                      "cover"),
        ("11/1", 7, 3, "total for 1 in 11 went from 7 to 3 (-4) since 2024-02-16"),
        ("31/1", 60, 50, "total for 1 in 31 went from 60 to 50 (-10) since 2024-02-15")]
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day17 = readme.split("### ppwp-2024 · 2024-02-17 (since / sejak 2024-02-16)", 1)[1]
    assert "| 53 | −4 |" in day17  # candidate 1: 3 + 40 + 10 now, −4 over Aceh, the province both days cover


def test_the_changelog_names_a_province_compared_with_an_earlier_day_where_nothing_changed(
        make_project: Any) -> None:
    """Review U #3: the line was made from changes rows, so a DKI day the same as the last DKI day had none, and read
    as DKI held without a TPS added."""
    project = built_days(make_project, {"2024-02-15": {T + "1": record((50, 40, 8))},
                                                  "2024-02-16": {ACEH + "1": record((7, 7, 7))},
                                                  "2024-02-17": {T + "1": record((50, 40, 8))}})
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day17 = readme.split("### ppwp-2024 · 2024-02-17 (since / sejak 2024-02-16)", 1)[1]
    assert "bukan snapshot sebelumnya: 31 with / dengan 2024-02-15\n" in day17
    assert query(project, "SELECT count(*) FROM changes WHERE snapshot = '2024-02-17'") == [(0,)]


def test_tps_added_since_an_earlier_day_are_checked_against_that_days_quarantine(make_project: Any) -> None:
    """Review U #2: DKI's TPS 5 was quarantined on the 15th (a damaged file) and is added on the 17th, compared with
    the 15th; the changelog looked in the 16th's quarantine (Aceh) and read it as a new TPS."""
    project = built_days(make_project, {
        "2024-02-15": {T + "1": record((50, 40, 8)), T + "5": "{broken"},  # type: ignore[dict-item]
        "2024-02-16": {ACEH + "1": record((7, 7, 7))},
        "2024-02-17": {T + "1": record((50, 40, 8)), T + "5": record((2, 2, 2))}})
    readme = (project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    day17 = readme.split("### ppwp-2024 · 2024-02-17 (since / sejak 2024-02-16)", 1)[1].split("###", 1)[0]
    assert "- TPS added / ditambah: 1 (1 of them in a record the snapshot before quarantined" in day17, day17


def test_a_pairs_cache_key_names_only_the_days_its_provinces_were_compared_with(
        make_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review U #4: a pair adding a province named every earlier day in its cache key, each declaration made again
    for every pair: 800 hourly days of alternating provinces spent 24.8 s there. The pairs declare each source once."""
    from releasekit import buildcache

    calls: list[str] = []
    declaration = buildcache._declaration
    monkeypatch.setattr(buildcache, "_declaration", lambda file: calls.append(file.source.path) or declaration(file))
    days = {f"2024-02-{day:02d}": ({T + "1": record((day, 40, 8))} if day % 2 else {ACEH + "1": record((day, 7, 7))})
            for day in range(1, 21)}
    project = built_days(make_project, days)
    assert len(query(project, "SELECT DISTINCT previous_snapshot FROM changes")) == 18  # (01 to 18)
    assert set(Counter(calls).values()) == {2}  # (once for the cache of sources loaded, once for the pairs')


def test_turnout_says_how_many_tps_it_is_over_and_the_national_row_how_many_provinces(two_days: Path) -> None:
    """Review AP #4, #5: completeness and turnout labelled a release of one province 'Indonesia' with nothing to tell
    it from the country (totals_national says provinsi_dengan_hasil), and turnout, summed over the TPS reporting both
    figures, did not say how many TPS that was."""
    for name in ("completeness", "turnout"):
        national = canned_rows(two_days, name, tingkat="0", kode_induk="", snapshot=DAY2)
        assert [(r["wilayah"], r["provinsi_dengan_hasil"]) for r in national] == [("Indonesia", 1)]
        provinces = canned_rows(two_days, name, tingkat="1", kode_induk="", snapshot=DAY2)
        assert provinces and all(r["provinsi_dengan_hasil"] is None for r in provinces)
    both = query(two_days, "SELECT count(*) FROM hasil_tps WHERE snapshot = ? AND pemilih_dpt_j IS NOT NULL "
                           "AND pengguna_total_j IS NOT NULL", (DAY2,))[0][0]
    partial = query(two_days, "SELECT count(*) FROM hasil_tps WHERE snapshot = ? AND (pemilih_dpt_j IS NULL) <> "
                              "(pengguna_total_j IS NULL)", (DAY2,))[0][0]
    [row] = canned_rows(two_days, "turnout", tingkat="0", kode_induk="", snapshot=DAY2)
    assert row["tps_partisipasi"] == both > 0
    assert partial == 0 or row["tps_partisipasi"] < row["tps_suara"]


def canned_rows(project: Path, name: str, **params: str) -> list[dict[str, Any]]:
    """A canned query of the release (not a snapshot query) as rows by column."""
    from releasekit.queries import CANNED_QUERIES

    with sqlite3.connect(project / "build" / "release.db") as conn:
        cursor = conn.execute(CANNED_QUERIES[name]["sql"], params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor]


def test_votes_edited_while_a_tps_was_missing_are_changed_after_complete(make_project: Any) -> None:
    """Review BK M3: a TPS complete on day 1, missing from day 2's export and back on day 3 with other votes came back
    ``added`` (day 3 is compared with day 2), and the correction made while it was missing was no finding. It is
    compared with the last day that held it: flagged when it was complete there and a vote differs; not when the
    votes are the same, nor when it was not complete then."""
    day3 = "2024-02-17"
    days = {
        DAY1: {T + "1": record((50, 40, 8)), T + "2": record((10, 20, 30)), T + "3": record(None),
               T + "4": record((1, 2, 3))},
        DAY2: {T + "4": record((1, 2, 3), "2024-02-16 09:00:00")},  # 1, 2 and 3 missing
        day3: {T + "1": record((30, 40, 8), "2024-02-17 09:00:00"),  # edited while missing, after complete
               T + "2": record((10, 20, 30)),  # back, the same votes
               T + "3": record((5, 6, 7), "2024-02-17 09:00:00"),  # filled while missing: never complete before
               T + "4": record((1, 2, 3), "2024-02-16 09:00:00")},
    }
    project = make_project({"real-count": [
        {"raw": {f"{code}.json": rec for code, rec in days[day].items()}, "name": f"tps_{day}",
         "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day} for day in days]})
    build(load_release(project))
    assert query(project, "SELECT DISTINCT kode_tps, kind, previous_snapshot FROM changes "
                          "WHERE snapshot = ? AND field = 'kode_tps' ORDER BY 1", (day3,)) == [
        (T + "1", "added", DAY2), (T + "2", "added", DAY2), (T + "3", "added", DAY2)]
    found = query(project, "SELECT snapshot, key, expected, actual, detail FROM findings "
                           "WHERE rule = 'changed-after-complete'")
    assert found == [(day3, T + "1", 98, 78, f"votes 1: 50 -> 30 since {DAY1}, when status_suara was already "
                                             f"true (missing from {DAY2})")]


def test_a_tps_back_in_one_register_is_compared_with_that_registers_days_only(make_project: Any) -> None:
    """Review BP M1: the last day that held a TPS was looked for in every register of the election; a TPS added in
    one register was compared with a day only another register held (``previous_snapshot`` is the register's own)."""
    day3 = "2024-02-17"
    other = {DAY1: {T + "1": record((50, 40, 8))}}
    own = {DAY2: {T + "4": record((1, 2, 3), "2024-02-16 09:00:00")},
           day3: {T + "1": record((30, 40, 8), "2024-02-17 09:00:00"), T + "4": record((1, 2, 3))}}

    def entries(days: dict[str, dict[str, dict[str, Any]]], prefix: str) -> list[dict[str, Any]]:
        return [{"raw": {f"{code}.json": rec for code, rec in days[day].items()}, "name": f"{prefix}_{day}",
                 "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day} for day in days]

    project = make_project({"real-count": entries(own, "own"), "other": entries(other, "other")})
    build(load_release(project))
    assert query(project, "SELECT key FROM findings WHERE rule = 'changed-after-complete'") == []


def test_votes_edited_after_a_day_that_gave_no_status_are_compared_with_the_last_status_given(
        make_project: Any) -> None:
    """Review BQ L1: a TPS complete on day 1, unchanged on day 2 in an export that gives no ``status_suara`` (a CSV
    without the column), and edited on day 3 had no ``was_complete`` and was no finding. The last day of the register
    that gave its status decides: flagged when it was complete then; not when it was not, nor when the votes did not
    change."""
    day3 = "2024-02-17"
    unknown = {"status_suara": None}
    days = {
        DAY1: {T + "1": record((50, 40, 8)), T + "2": record((10, 20, 30)),
               T + "3": {**record((5, 5, 5)), "status_suara": False}},
        DAY2: {T + "1": {**record((50, 40, 8)), **unknown}, T + "2": {**record((10, 20, 30)), **unknown},
               T + "3": {**record((5, 5, 5)), **unknown}},
        day3: {T + "1": record((30, 40, 8), "2024-02-17 09:00:00"),  # edited after complete
               T + "2": record((10, 20, 30)),  # the same votes
               T + "3": record((6, 5, 5), "2024-02-17 09:00:00")},  # edited, but it was not complete
    }
    project = make_project({"real-count": [
        {"raw": {f"{code}.json": rec for code, rec in days[day].items()}, "name": f"tps_{day}",
         "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day} for day in days]})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM hasil_tps WHERE snapshot = ? AND status_suara IS NULL", (DAY2,)) == [
        (3,)]
    assert query(project, "SELECT DISTINCT kode_tps, was_complete FROM changes WHERE snapshot = ? "
                          "AND nomor_urut IS NOT NULL ORDER BY 1", (day3,)) == [(T + "1", None), (T + "3", None)]
    found = query(project, "SELECT snapshot, key, expected, actual, detail FROM findings "
                           "WHERE rule = 'changed-after-complete'")
    assert found == [(day3, T + "1", 98, 78, f"votes 1: 50 -> 30 since {DAY2}, when status_suara was already true "
                                             f"(on {DAY1}; {DAY2} does not give it)")]
