"""The Datasette site: metadata from metadata.yml, register pages, downloads, canned queries, hardening.

The site is the demo project (``metadata.yml`` + ``raw/`` of this repository) built
once per module and served in-process through Datasette's test client, exactly as
``datasette serve <site>`` serves it. Real-data checks of the canned queries (DKI
Jakarta against its CSV) live in ``test_realdata.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import Site, copy_demo, load_benchmark, page_context
from releasekit import BuildResult, build, charts, load_release
from releasekit.cli import cli
from releasekit.database import create_schema, insert_sql, percent
from releasekit.errors import ReleasekitError
from releasekit.package import PACKAGES_DIR
from releasekit.pins import PLUGINS
from releasekit.publish import (
    CHANGES_FACET_MAX_ROWS,
    FACET_MAX_ROWS,
    MARKER,
    SETTINGS,
    STAGING,
    SUMMED_QUERIES,
    datasette_metadata,
    write_site,
    writing_site,
)
from releasekit.queries import CANNED_QUERIES, SNAPSHOT_QUERIES
from releasekit.summaries import summarize
from releasekit.tables import BY_NAME, SUMMARY_TABLES, TABLES


class Served(Site):
    """The demo project's site, served by one Datasette for the module, with its ``release.db`` open."""

    def __init__(self, project: Path, folder: Path, db: sqlite3.Connection) -> None:
        super().__init__(folder)
        self.project = project
        self.db = db


@pytest.fixture(scope="module")
def demo(demo_project: Path) -> Iterator[Served]:
    project = demo_project
    release = load_release(project)
    site = write_site(release, project.parent / "site")
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        yield Served(project, site.folder, db)


def rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return db.execute(sql, params).fetchall()


# --------------------------------------------------------------------------- metadata


def test_metadata_carries_licence_source_and_bilingual_columns_of_every_table(demo: Served) -> None:
    meta = demo.json("/-/metadata.json")
    assert meta["title"].startswith("releasekit demo")
    assert (meta["license"], meta["license_url"]) == ("Creative Commons Attribution 4.0 International",
                                                       "https://creativecommons.org/licenses/by/4.0/")
    tables = meta["databases"]["release"]["tables"]
    assert set(tables) == {t.name for t in TABLES}
    for table in TABLES:
        t = tables[table.name]
        assert t["license"] == meta["license"] and t["source"] and t["source_url"], table.name  # (whose: below)
        for field in table.fields:
            assert t["columns"][field.name] == f"{field.en} — {field.id}"
    assert tables["findings"]["facets"] == ["rule", "severity", "snapshot"]
    assert "facets" not in tables["suara"]  # millions of rows nationally: summaries answer instead
    assert tables["hasil_tps"]["facets"] == ["kode_provinsi"]  # one index scan; see the province facet tests
    # (its counts are of rows, a TPS once for each snapshot: the page says so, review BQ L3)
    assert "filter on one snapshot to count TPS" in tables["hasil_tps"]["description"]
    assert tables["hasil_tps"]["size"] == 50  # 28 columns a row: half Datasette's default page to render
    assert tables["wilayah"]["label_column"] == "nama"
    assert set(meta["databases"]["release"]["queries"]) == set(CANNED_QUERIES) | set(SNAPSHOT_QUERIES)


def test_a_tables_data_source_is_its_registers_and_their_raw_sources(demo: Served) -> None:
    """The footer's "Data source" of a table is provenance: the register whose package publishes it (linked to the
    register page: its package, every raw source with its SHA-256 and origin), or, for a table several registers
    publish or sum, each of them, linked to the sources table filtered to them; the publisher stays the source of
    the instance and the database."""
    release = load_release(demo.project)
    meta = demo.json("/-/metadata.json")
    assert (meta["source"], meta["source_url"]) == ("releasekit demo", "https://example.org/releasekit-demo")
    database = meta["databases"]["release"]
    assert (database["source"], database["source_url"]) == (meta["source"], meta["source_url"])
    tables = database["tables"]
    real_count = release.register("001")
    assert (tables["changes"]["source"], tables["changes"]["source_url"]) == (
        f"Register 001 · {real_count.title} (package real-count): 2 raw sources", "/registers/001")
    both = ["001", "003"]
    expected_url = "/release/sources?register__in=" + quote(json.dumps(both, separators=(",", ":")))
    sources = sum(len(release.register(r).sources) for r in both)
    assert tables["hasil_tps"]["source"] == (
        f"Registers 001 · {real_count.title} (package real-count); 003 · {release.register('003').title} "
        f"(package voter-list-and-results): {sources} raw sources")
    assert tables["hasil_tps"]["source_url"] == expected_url
    assert tables["rekap_suara"]["source"].startswith("Summed by releasekit from registers 001 · ")
    assert tables["rekap_suara"]["source_url"] == expected_url
    every = [r.id for r in release.registers]
    assert tables["findings"]["source_url"] == "/release/sources?register__in=" + quote(
        json.dumps(every, separators=(",", ":")))
    for table in TABLES:
        assert tables[table.name]["source"] != meta["source"] or table.name in ("dpt_pemilih", "hasil_wilayah",
                                                                                  "suara_wilayah"), table.name
    listed = demo.json(expected_url.replace("/release/sources", "/release/sources.json") + "&_shape=objects")
    assert {(r["register"], r["path"]) for r in listed["rows"]} == {
        (r, s.path) for r in both for s in release.register(r).sources}
    page = demo.get("/release/changes").text
    assert re.search(r'Data source:\s*<a href="/registers/001">\s*' + re.escape(
        html.escape(f"Register 001 · {real_count.title}")), page)


def test_table_pages_link_to_the_registers_that_publish_them(demo: Served) -> None:
    page = demo.get("/release/hasil_tps").text
    assert '<a href="/registers/001">' in page and '<a href="/registers/003">' in page
    assert '<a href="/registers/002">' not in page  # exempted: publishes no results
    assert "Derived by releasekit" in demo.get("/release/rekap_suara").text
    assert all(t.name.startswith("rekap_") for t in SUMMARY_TABLES)


def test_foreign_keys_render_as_links(demo: Served) -> None:
    kode_tps, = rows(demo.db, "SELECT kode_tps FROM suara ORDER BY kode_tps LIMIT 1")[0]
    suara = demo.get(f"/release/suara?kode_tps={kode_tps}").text
    assert f'href="/release/tps/{kode_tps}"' in suara
    kode_wilayah, = rows(demo.db, "SELECT kode_wilayah FROM tps WHERE kode_tps = ?", (kode_tps,))[0]
    assert f'href="/release/wilayah/{kode_wilayah}"' in demo.get(f"/release/tps?kode_tps={kode_tps}").text
    parent, = rows(demo.db, "SELECT kode_induk FROM wilayah WHERE kode_wilayah = ?", (kode_wilayah,))[0]
    assert f'href="/release/wilayah/{parent}"' in demo.get(f"/release/wilayah?kode_wilayah={kode_wilayah}").text


# --------------------------------------------------------------------------- area codes and elections labelled

#: Votes per Sirekap candidate id in the synthetic aggregate files below.
AREA_VOTES = {"100025": 10, "100026": 20, "100027": 30}


def _aggregate(table: dict[str, Any]) -> str:
    return json.dumps({"chart": {**AREA_VOTES, "persen": 1.5}, "progres": {"total": 100, "progres": 2},
                       "ts": "2024-02-20 10:00:00", "table": table})


@pytest.fixture(scope="module")
def areas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo plus published area totals: Sirekap aggregates (KPU codes: the country, province 34, regency 3401)
    and a pemiluAPI 2014 table whose kabupaten/kota id is 34 too (pemiluAPI's own id: no KPU region)."""
    import yaml

    project = copy_demo(tmp_path_factory.mktemp("areas") / "project")
    agg = project / "raw" / "agg"
    agg.mkdir()
    (agg / "ppwp.json").write_text(_aggregate({"34": {**AREA_VOTES, "persen": 1.5}}))
    (agg / "34.json").write_text(_aggregate({"3401": {**AREA_VOTES, "persen": 1.5},
                                             "3499": {**AREA_VOTES, "persen": 1.5}}))  # (in no region list)
    (project / "raw" / "voices.csv").write_text("id,pemilu_id,category_id,province_id,wilayah_id,value\n"
                                                "1,1,50,11,34,90\n2,1,51,11,34,10\n3,1,52,11,34,100\n"
                                                "4,1,54,11,34,40\n5,1,55,11,34,50\n")
    meta = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    meta["registers"][0]["sources"].append({"path": "raw/agg", "format": "sirekap-aggregate-json",
                                            "election": "ppwp-2024", "snapshot": "2024-02-20"})
    meta["registers"][2]["sources"].append({"path": "raw/voices.csv", "format": "pemiluapi-2014-csv",
                                            "election": "ppwp-2014", "snapshot": "2014-07-22"})
    (project / "metadata.yml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    release = load_release(project)
    build(release)
    site = write_site(release, project.parent / "site")
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        yield Served(project, site.folder, db)


def labelled(site: Site, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = site.json(f"{path}{'&' if '?' in path else '?'}_labels=on&_shape=objects")["rows"]
    return found


def test_a_package_says_how_each_source_numbers_the_areas_of_its_published_totals(areas: Served) -> None:
    """Review AX #1: kode_wilayah of hasil_wilayah was "Area code; 0 is the whole country." in a pemiluAPI package
    too, whose ids name other regions than the same KPU codes (11 is Kabupaten Bireuen there, Aceh in KPU codes)."""
    release = load_release(areas.project)
    for register, path, how in (("001", "raw/agg", "KPU region codes"), ("003", "raw/voices.csv", "not KPU codes")):
        readme = (areas.project / PACKAGES_DIR / release.register(register).slug / "README.md").read_text()
        section = readme.split("### `data/hasil_wilayah.csv`", 1)[1].split("\n### ", 1)[0]
        line = next(line for line in section.splitlines() if line.startswith(f"- `kode_wilayah` of {path} "))
        assert how in line, line
        assert "raw/agg" not in section if register == "003" else "raw/voices.csv" not in section
    fields = json.loads((areas.project / PACKAGES_DIR / release.register("003").slug / "datapackage.json").read_text())
    described = next(f for r in fields["resources"] if r["name"] == "suara_wilayah" for f in r["schema"]["fields"]
                     if f["name"] == "kode_wilayah")["description"]
    assert "own ids" in described and "the whole country" in described


def test_published_area_totals_are_labelled_with_their_region_and_election(areas: Served) -> None:
    """hasil_wilayah and suara_wilayah keep the area code as the source gives it; the database adds wilayah_kpu,
    the code where it is a KPU region code (a Sirekap aggregate, not the country), linked to wilayah for its name;
    a pemiluAPI id that happens to equal a KPU code (34) is no region of wilayah and stays unlinked."""
    province, regency = (rows(areas.db, "SELECT nama FROM wilayah WHERE kode_wilayah = ?", (k,))[0][0]
                         for k in ("34", "3401"))
    pemilu = dict(rows(areas.db, "SELECT kode_pemilu, nama FROM pemilu"))
    assert province and regency and set(pemilu) == {"ppwp-2014", "ppwp-2024"}
    for table in ("hasil_wilayah", "suara_wilayah"):
        got = labelled(areas, f"/release/{table}.json?_size=max")
        by_key = {}
        for row in got:
            assert row["kode_pemilu"] == {"value": row["kode_pemilu"]["value"],
                                          "label": pemilu[row["kode_pemilu"]["value"]]}
            by_key[row["kode_pemilu"]["value"], row["kode_wilayah"]] = row["wilayah_kpu"]
        assert by_key == {("ppwp-2024", "0"): None, ("ppwp-2024", "34"): {"value": "34", "label": province},
                          ("ppwp-2024", "3401"): {"value": "3401", "label": regency}, ("ppwp-2014", "34"): None,
                          ("ppwp-2024", "3499"): None}  # a KPU code wilayah has no row for: a link would be a 404
        page = areas.get(f"/release/{table}").text
        assert 'href="/release/wilayah/34"' in page and 'href="/release/wilayah/3401"' in page
    assert "wilayah_kpu" in areas.json("/-/metadata.json")["databases"]["release"]["tables"]["hasil_wilayah"][
        "columns"]
    for resource in json.loads((areas.project / PACKAGES_DIR / "real-count" / "datapackage.json").read_text())[
            "resources"]:
        if resource["name"] in ("hasil_wilayah", "suara_wilayah"):  # the package keeps the source's columns
            assert [f["name"] for f in resource["schema"]["fields"]] == list(BY_NAME[resource["name"]].columns)
            assert "wilayah" not in {fk["reference"]["resource"] for fk in resource["schema"].get("foreignKeys", [])}


def test_summed_area_totals_and_every_election_code_are_labelled(areas: Served) -> None:
    """rekap_wilayah and rekap_suara name each area in the row (``nama``; the country, 0, has no wilayah row, nor
    has a region a project's region list lacks: their codes are not linked, so no link is a page not found).
    Every table names its election."""
    names = dict(rows(areas.db, "SELECT kode_wilayah, nama FROM wilayah"))
    pemilu = dict(rows(areas.db, "SELECT kode_pemilu, nama FROM pemilu"))
    for table in ("rekap_wilayah", "rekap_suara"):
        got = labelled(areas, f"/release/{table}.json?_size=max")
        assert got and all(isinstance(r["kode_wilayah"], str) for r in got)
        assert all(r["nama"] == names[r["kode_wilayah"]] for r in got if r["kode_wilayah"] != "0")
        assert all(row["kode_pemilu"]["label"] == pemilu[row["kode_pemilu"]["value"]] for row in got)
        assert 'href="/release/wilayah/0"' not in areas.get(f"/release/{table}?kode_wilayah=0").text
    for table in ("suara", "snapshot_votes"):
        got = labelled(areas, f"/release/{table}.json")
        assert got and all(r["kode_pemilu"] == {"value": "ppwp-2024", "label": pemilu["ppwp-2024"]} for r in got)
        assert 'href="/release/pemilu/ppwp-2024"' in areas.get(f"/release/{table}").text


# --------------------------------------------------------------------------- the province facet of hasil_tps


def test_hasil_tps_has_an_indexed_province_column_linked_to_wilayah(demo: Served) -> None:
    assert "kode_provinsi" in {r[1] for r in rows(demo.db, "PRAGMA table_info(hasil_tps)")}
    assert "kode_provinsi" not in BY_NAME["hasil_tps"].columns  # derived: in the database only
    assert rows(demo.db, "SELECT count(*) FROM hasil_tps WHERE kode_provinsi IS NOT substr(kode_tps, 1, 2)") == [(0,)]
    assert ("kode_provinsi", "wilayah", "kode_wilayah") in {
        (r[3], r[2], r[4]) for r in rows(demo.db, "PRAGMA foreign_key_list(hasil_tps)")}


@pytest.mark.parametrize("where", ["", "WHERE snapshot = '2024-03-20'",
                                   "WHERE sumber IN ('raw/ppwp_tps_20240220.jsonl')"])
def test_province_facet_is_one_scan_of_one_index(demo: Served, where: str) -> None:
    # Datasette's facet SQL over the default page, a snapshot, and a register page's link (by source).
    # Without statistics (build runs no ANALYZE) the plan is the one a national database gets.
    columns = ", ".join(BY_NAME["hasil_tps"].columns)
    plan = " ".join(r[3] for r in rows(demo.db, f"""EXPLAIN QUERY PLAN
        SELECT kode_provinsi AS value, count(*) AS count FROM (SELECT {columns}, kode_provinsi FROM hasil_tps {where})
        WHERE kode_provinsi IS NOT NULL GROUP BY kode_provinsi ORDER BY count DESC, value LIMIT 51"""))
    assert "USING COVERING INDEX" in plan and "FOR GROUP BY" not in plan, plan


#: Tables as large as the country's TPS or regions (823,378 TPS, 91,971 regions) whatever the number of snapshots.
NATIONAL_TABLES = ("wilayah", "tps", "rekap_wilayah", "rekap_suara")


@pytest.mark.parametrize("table", NATIONAL_TABLES)
def test_the_default_facets_of_a_national_table_are_counted_from_an_index(demo: Served, table: str) -> None:
    """Review AV #6: the tps page's default facet (jenis_tps) scanned every row of the table and sorted them, ≈ 190 ms
    at national scale for a page that does nothing else slow."""
    facets = datasette_metadata(load_release(demo.project))["databases"]["release"]["tables"][table]["facets"]
    assert facets
    for column in facets:
        plan = " ".join(r[3] for r in rows(demo.db, f"EXPLAIN QUERY PLAN SELECT {column} AS value, count(*) AS count "
                                                    f"FROM {table} GROUP BY {column} ORDER BY count DESC, value"))
        assert "USING COVERING INDEX" in plan, (column, plan)


@pytest.mark.parametrize(("sql", "searched"), [
    # votes per candidate on a day: one day's rows, not every day's of the election (review BW M1)
    ("SELECT nomor_urut, sum(suara) FROM suara WHERE kode_pemilu = 'ppwp-2024' AND snapshot = '2024-03-20' "
     "GROUP BY nomor_urut", "snapshot=?"),
    # Datasette's nomor_urut facet of a page filtered to a snapshot, and a page filtered to a snapshot alone
    ("SELECT nomor_urut AS value, count(*) AS count FROM (SELECT * FROM suara WHERE kode_pemilu = 'ppwp-2024' "
     "AND snapshot = '2024-03-20') WHERE nomor_urut IS NOT NULL GROUP BY nomor_urut ORDER BY count DESC, value",
     "COVERING INDEX idx_suara_snapshot_kode_pemilu_nomor_urut (snapshot=? AND kode_pemilu=?)"),
    ("SELECT count(*) FROM suara WHERE snapshot = '2024-03-20'", "(snapshot=?)"),
    # a region's page counts the rows linking to it (review BW L1)
    ("SELECT count(*) FROM hasil_wilayah WHERE wilayah_kpu = '31'", "(wilayah_kpu=?)"),
    ("SELECT count(*) FROM suara_wilayah WHERE wilayah_kpu = '31'", "(wilayah_kpu=?)"),
])
def test_a_power_user_s_obvious_question_searches_an_index(demo: Served, sql: str, searched: str) -> None:
    """Review BW (release.db for sqlite-utils users): each of these read every row of a table that grows with every
    snapshot. Without statistics (the build runs no ANALYZE) the plan is the one a national database gets."""
    plan = " ".join(r[3] for r in rows(demo.db, f"EXPLAIN QUERY PLAN {sql}"))
    assert "SEARCH" in plan and searched in plan, plan


def test_findings_by_rule_counts_from_an_index_in_its_order(demo: Served) -> None:
    """Review BW M3: the canned query grouped every finding in a temporary B-tree, 1.15 s at 630,000 findings."""
    plan = " ".join(r[3] for r in rows(demo.db, "EXPLAIN QUERY PLAN " + CANNED_QUERIES["findings_by_rule"]["sql"]))
    assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan
    counted = demo.json("/release/findings_by_rule.json?_shape=array")
    assert sum(r["findings"] for r in counted) == rows(demo.db, "SELECT count(*) FROM findings")[0][0] > 0


def test_every_election_code_links_to_its_election(demo: Served) -> None:
    """Review BW L4: dpt_pemilih.kode_pemilu was the one column of an election's code not linked to pemilu."""
    tables = [r[0] for r in rows(demo.db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'pemilu'")]
    unlinked = [t for t in tables if "kode_pemilu" in {r[1] for r in rows(demo.db, f"PRAGMA table_info([{t}])")}
                and ("kode_pemilu", "pemilu") not in {(r[3], r[2])
                                                      for r in rows(demo.db, f"PRAGMA foreign_key_list([{t}])")}]
    assert "dpt_pemilih" in tables and unlinked == []


def test_tables_that_give_a_candidate_by_ballot_number_name_the_candidates(demo: Served) -> None:
    """Review AV #4: suara, rekap_suara, snapshot_votes … showed nomor_urut 1, 2, 3 and no name anywhere on the page
    (Datasette links a one-column key only; peserta's is kode_pemilu, nomor_urut)."""
    names = rows(demo.db, "SELECT nomor_urut, nama FROM peserta WHERE kode_pemilu = 'ppwp-2024' ORDER BY 1")
    assert len(names) == 3
    said = "<strong>ppwp-2024</strong>: " + ", ".join(f"{n} {html.escape(nama)}" for n, nama in names)
    for table in TABLES:
        page = demo.get(f"/release/{table.name}").text
        named = "nomor_urut" in table.columns and table.name != "peserta"
        assert ("Ballot numbers / nomor urut" in page) == named, table.name
        assert (said in page) == named, table.name


def test_rows_inserted_without_the_derived_column_get_it_when_summarized() -> None:
    db = sqlite_utils.Database(memory=True)
    create_schema(db)
    db.execute(insert_sql(BY_NAME["hasil_tps"]), ("ppwp-2024", "2024-02-15", "3401010001001",
                                                  *[None] * (len(BY_NAME["hasil_tps"].columns) - 3)))
    db.execute("INSERT INTO hasil_tps (kode_pemilu, snapshot, kode_tps) VALUES ('ppwp-2024', '2024-02-15', "
               "'5201010001001')")  # as a long-layout row goes in
    assert db.execute("SELECT kode_tps, kode_provinsi FROM hasil_tps ORDER BY 1").fetchall() == [
        ("3401010001001", "34"), ("5201010001001", None)]
    summarize(db)
    assert db.execute("SELECT kode_tps, kode_provinsi FROM hasil_tps ORDER BY 1").fetchall() == [
        ("3401010001001", "34"), ("5201010001001", "52")]


def test_packages_do_not_carry_the_province_column(demo: Served) -> None:
    for folder in (demo.project / PACKAGES_DIR).iterdir():
        if not (folder / "datapackage.json").is_file():
            continue
        for resource in json.loads((folder / "datapackage.json").read_text())["resources"]:
            if resource["name"] == "hasil_tps":
                assert [f["name"] for f in resource["schema"]["fields"]] == list(BY_NAME["hasil_tps"].columns)
                header = (folder / resource["path"]).read_text(encoding="utf-8").split("\n", 1)[0]
                assert header == ",".join(BY_NAME["hasil_tps"].columns)


def test_hasil_tps_page_is_faceted_by_province_with_region_names(demo: Served) -> None:
    page = demo.json("/release/hasil_tps.json")
    facet = page["facet_results"]["kode_provinsi"]
    expected = rows(demo.db, "SELECT substr(h.kode_tps, 1, 2), w.nama, count(*) FROM hasil_tps h "
                             "LEFT JOIN wilayah w ON w.kode_wilayah = substr(h.kode_tps, 1, 2) GROUP BY 1 ORDER BY 1")
    assert len(expected) > 1 and all(name for _, name, _ in expected)
    assert not facet["truncated"]
    assert sorted((r["value"], r["label"], r["count"]) for r in facet["results"]) == expected
    assert page["filtered_table_rows_count"] == sum(n for *_, n in expected)
    kode, name, count = expected[-1]
    filtered = demo.json(f"/release/hasil_tps.json?kode_provinsi={kode}&_size=max")
    assert filtered["filtered_table_rows_count"] == len(filtered["rows"]) == count
    assert {r[filtered["columns"].index("kode_provinsi")] for r in filtered["rows"]} == {kode}
    assert html.escape(name) in demo.get("/release/hasil_tps").text  # the facet lists province names
    html_page = demo.get(f"/release/hasil_tps?kode_provinsi={kode}").text
    assert f'href="/release/wilayah/{kode}"' in html_page  # and each row links to its province
    assert "kode_provinsi" in demo.json("/-/metadata.json")["databases"]["release"]["tables"]["hasil_tps"]["columns"]


def test_province_facet_is_offered_by_default_only_while_it_stays_instant(demo: Served) -> None:
    release = load_release(demo.project)
    small = datasette_metadata(release, rows={"hasil_tps": FACET_MAX_ROWS})
    big = datasette_metadata(release, rows={"hasil_tps": FACET_MAX_ROWS + 1})
    assert small["databases"]["release"]["tables"]["hasil_tps"]["facets"] == ["kode_provinsi"]
    assert "facets" not in big["databases"]["release"]["tables"]["hasil_tps"]
    assert FACET_MAX_ROWS >= 823_378  # one national snapshot keeps the facet
    small = datasette_metadata(release, rows={"changes": CHANGES_FACET_MAX_ROWS})
    big = datasette_metadata(release, rows={"changes": CHANGES_FACET_MAX_ROWS + 1})
    assert small["databases"]["release"]["tables"]["changes"]["facets"] == ["kind", "field", "snapshot"]
    assert "facets" not in big["databases"]["release"]["tables"]["changes"]
    for table in ("rekap_wilayah", "rekap_suara"):  # (review BW M2: 3.0 M rows of rekap_suara timed both out)
        small = datasette_metadata(release, rows={table: FACET_MAX_ROWS})
        big = datasette_metadata(release, rows={table: FACET_MAX_ROWS + 1})
        assert small["databases"]["release"]["tables"][table]["facets"] == ["tingkat", "snapshot"], table
        assert "facets" not in big["databases"]["release"]["tables"][table], table
    facet = demo.json("/release/hasil_tps.json?_facet=kode_provinsi&snapshot=2024-03-20")["facet_results"]
    assert facet  # on demand it works on a filtered page whatever the default


def test_an_empty_voter_list_table_is_hidden_and_a_filled_one_listed(demo: Served) -> None:
    """The demo publishes its voter list as counts only: dpt_pemilih is empty and not listed, dpt_rekap is."""
    assert rows(demo.db, "SELECT count(*) FROM dpt_pemilih") == [(0,)]
    assert rows(demo.db, "SELECT count(*) > 0 FROM dpt_rekap") == [(1,)]
    listed = {t["name"]: t["hidden"] for t in demo.json("/release.json")["tables"]}
    assert (listed["dpt_pemilih"], listed["dpt_rekap"], listed["findings"]) == (True, False, False)
    assert 'href="/release/dpt_pemilih"' not in demo.get("/release").text
    assert demo.get("/release/dpt_pemilih").status_code == 200  # hidden from the lists, not removed
    release = load_release(demo.project)
    masked = datasette_metadata(release, rows={"dpt_pemilih": 3, "dpt_rekap": 1})["databases"]["release"]["tables"]
    assert "hidden" not in masked["dpt_pemilih"] and "hidden" not in masked["dpt_rekap"]
    without_list = datasette_metadata(release, rows={"hasil_tps": 5})["databases"]["release"]["tables"]
    assert without_list["dpt_rekap"]["hidden"] is True and "hidden" not in without_list["hasil_tps"]


def test_empty_published_totals_are_hidden_and_filled_ones_listed(demo: Served, areas: Served) -> None:
    """Review AV #6: hasil_wilayah and suara_wilayah were listed empty in a release with no aggregate source, beside
    an empty voter-list table hidden."""
    for site, hidden in ((demo, True), (areas, False)):
        filled = rows(site.db, "SELECT (SELECT count(*) FROM hasil_wilayah), (SELECT count(*) FROM suara_wilayah)")
        assert filled == [(0, 0)] if hidden else all(filled[0])
        listed = {t["name"]: t["hidden"] for t in site.json("/release.json")["tables"]}
        assert (listed["hasil_wilayah"], listed["suara_wilayah"], listed["hasil_tps"]) == (hidden, hidden, False)
        assert site.get("/release/hasil_wilayah").status_code == 200


def test_the_serving_benchmark_measures_the_pages_of_a_built_site(demo: Served) -> None:
    # benchmarks/bench_serve.measure_pages, as the build benchmark calls it on a site write_site wrote
    bench = load_benchmark("bench_serve")
    results = bench.measure_pages(demo.folder, requests=3)
    assert list(results) == list(bench.PAGES)
    assert all(0 < r["median"] <= r["p95"] <= r["max"] for r in results.values())
    assert bench.page_urls(demo.folder)[bench.PAGES[2]] == "/release/hasil_tps"  # faceted by default here
    table = bench.pages_table(results)
    assert len(table) == 2 + len(results) and all(("PASS" in line) != ("FAIL" in line) for line in table[2:])


# --------------------------------------------------------------------------- register pages


def _sources_rows(page: str) -> dict[str, dict[str, str]]:
    """The sources table of a register page: path → sha256 and record counts as shown."""
    out = {}
    for chunk in page.split('<tr class="source"')[1:]:
        chunk = chunk.split("</tr>")[0]
        path = html.unescape(re.search(r'data-path="([^"]*)"', chunk).group(1))  # type: ignore[union-attr]
        cells = {name: re.sub(r"<[^>]+>", "", value) for name, value in
                 re.findall(r'class="num records-(in|loaded|quarantined)">(.*?)</td>', chunk)}
        cells["sha256"] = re.search(r'class="sha256">([0-9a-f]{64})<', chunk).group(1)  # type: ignore[union-attr]
        out[path] = cells
    return out


def test_register_page_shows_status_sources_and_accounting_of_the_sources_table(demo: Served) -> None:
    page = demo.get("/registers/001")
    assert page.status_code == 200
    text = page.text
    assert "Open / Terbuka" in text and "Requested on 2024-02-26 from PPID KPU RI" in text
    shown = _sources_rows(text)
    expected = rows(demo.db, "SELECT path, sha256, records_in, records_loaded, records_quarantined "
                             "FROM sources WHERE register = '001'")
    assert len(expected) == 2
    assert shown == {p: {"sha256": s, "in": str(i), "loaded": str(lo), "quarantined": str(q)}
                     for p, s, i, lo, q in expected}
    assert any(q for *_, q in expected)  # the demo quarantines records: the count links to them
    assert 'href="/release/quarantine?source=raw%2Fppwp_tps_20240215.tar.gz"' in text
    prov = json.loads((demo.project / "datapackages/real-count/datapackage.json").read_text())["releasekit"]
    assert prov["inputs_sha256"] in text and f'<span class="version">{prov["releasekit_version"]}<' in text
    for table in ("hasil_tps", "suara", "findings", "quarantine", "sources"):
        assert f'">{table}</a>' in text


def test_register_page_download_returns_the_bytes_whose_sha256_it_shows(demo: Served) -> None:
    text = demo.get("/registers/001").text
    url = re.search(r'<a class="download" href="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    shown = re.search(r'SHA-256 <code class="sha256">([0-9a-f]{64})</code>', text).group(1)  # type: ignore[union-attr]
    body = demo.get(url).content
    assert hashlib.sha256(body).hexdigest() == shown
    assert body == (demo.project / "datapackages/real-count.zip").read_bytes()


def test_home_page_links_every_register_and_offers_the_database_with_its_sha256(demo: Served) -> None:
    text = demo.get("/").text
    for reg in ("001", "002", "003"):
        assert f'href="/registers/{reg}"' in text
    sha = re.search(r'href="/release.db">release.db</a>.*?<code class="sha256">([0-9a-f]{64})</code>', text, re.S)
    assert sha is not None
    body = demo.get("/release.db").content
    assert hashlib.sha256(body).hexdigest() == sha.group(1)


def test_the_site_says_what_validate_found_in_each_package(demo: Served, tmp_path: Path) -> None:
    """Review BZ H3: the home page called every package "validated", and nothing had checked them: a package whose
    rule went over its error threshold, which ``releasekit validate`` fails, was published under that word."""
    home = demo.get("/").text
    assert home.count('<span class="valid">valid / lolos validasi</span>') == 3
    assert "validated Frictionless package" not in home and "INVALID" not in home
    assert "<code>releasekit validate</code> found no\nproblem in it" in demo.get("/registers/001").text

    project = copy_demo(tmp_path / "project")
    meta = project / "metadata.yml"
    text = meta.read_text(encoding="utf-8")
    assert "    slug: real-count\n" in text
    meta.write_text(text.replace("    slug: real-count\n", "    slug: real-count\n    rules:\n"
                                 "      votes-sum-mismatch: error\n", 1), encoding="utf-8")
    build(load_release(project))
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
    assert result.exit_code == 0, result.output
    problem = ("rule-threshold (1): resource findings: votes-sum-mismatch: 7 error finding(s) in 627 hasil_tps and "
               "hasil_wilayah row(s)")
    assert f"note: real-count.zip is INVALID, as the site's pages say: {problem}" in result.output
    assert result.output.count("note:") == 1
    page = (tmp_path / "site/templates/pages/registers/001.html").read_text(encoding="utf-8")
    assert '<strong class="invalid">INVALID / tidak lolos validasi</strong>' in page and f"<li>{problem}" in page
    assert "found no\nproblem" not in page
    home = json.loads((tmp_path / "site/metadata.json").read_text(encoding="utf-8"))["description_html"]
    assert home.count("INVALID / tidak lolos validasi: 1 kind(s) of problem") == 1
    assert home.count('<span class="valid">valid / lolos validasi</span>') == 2


def test_every_canned_query_says_its_licence_source_and_what_its_figures_are(demo: Served) -> None:
    """Review BZ M3: the query pages, where the totals are, had no licence, no source and, in the demo, no
    SYNTHETIC mark beside the real candidates' names."""
    queries = demo.json("/-/metadata.json")["databases"]["release"]["queries"]
    assert set(queries) == {*CANNED_QUERIES, *SNAPSHOT_QUERIES}
    for name, query in queries.items():
        assert query["license"] == "Creative Commons Attribution 4.0 International", name
        assert query["source"].startswith("Registers 001 · "), name
        assert query["source_url"] == '/release/sources?register__in=%5B%22001%22%2C%22002%22%2C%22003%22%5D'
        assert "<em class=\"synthetic\">SYNTHETIC</em>" in query["description_html"], name
        assert ("not an official KPU recapitulation" in query["description_html"]) == (name in SUMMED_QUERIES)
    assert SUMMED_QUERIES < set(queries)
    page = demo.get("/release/totals_national").text
    assert "SYNTHETIC" in page and "Creative Commons Attribution 4.0 International" in page
    assert "Registers 001 · " in page


def test_a_source_with_no_origin_gets_a_note_and_its_page_says_so(make_project: Any) -> None:
    """Review BZ M4: a source with no origin or retrieved time was published with blank cells and no word from the
    build; an origin that is a web address was text on the register page, where the sources table links it."""
    import twodays
    from releasekit.pages import render_register_page

    first, second = twodays.sources()
    project = make_project({"observations": {"sources": [
        {**first, "origin": "https://example.org/sirekap", "retrieved": "2024-02-16T10:00:00+07:00"}, second]}})
    release = load_release(project)
    result = build(release)
    assert result.notes(release) == [
        "raw/tps_2024-02-16: no origin recorded, so the site and the package say nothing of where it came from: give "
        "it 'origin:' (where the file was obtained: a web address, a request's reference) and 'retrieved:' in "
        "metadata.yml"]
    page = render_register_page(page_context(release))
    cells = re.findall(r'<tr class="source" data-path="([^"]+)">(.*?)</tr>', page, re.S)
    assert [path for path, _ in cells] == ["raw/tps_2024-02-15", "raw/tps_2024-02-16"]
    assert '<a href="https://example.org/sirekap">https://example.org/sirekap</a>' in cells[0][1]
    assert "not recorded" not in cells[0][1] and "2024-02-16T10:00:00+07:00" in cells[0][1]
    assert cells[1][1].count('<em class="unrecorded">not recorded / tidak tercatat</em>') == 2
    assert "sirekap-tps-json (reader v" in cells[0][1]
    synthetic = load_release(make_project({"observations": {"sources": [{**first, "synthetic": True}]}})).sources
    assert len(synthetic) == 1 and BuildResult.no_origin(synthetic) == []


def test_exempted_register_page_explains_and_offers_provenance_only(demo: Served) -> None:
    text = demo.get("/registers/002").text
    assert "Exempted / Dikecualikan" in text and "Decision by KIP on 2024-06-18" in text
    assert "publishes no data" in text and 'class="download"' in text
    assert "chart-totals" not in text


@pytest.mark.parametrize("status", ["exempted", "pending"])
def test_a_withheld_register_that_lists_sources_says_whose_data_it_publishes(make_project: Any,
                                                                             status: str) -> None:
    """Review X #2: an exempted or pending register may list sources that may be published (DESIGN.md section 2:
    independent observations); its page and package README said that only the legal basis and provenance were
    published, beside that data's totals and package."""
    import twodays
    from releasekit.codebook import status_text
    from releasekit.pages import register_status

    project = make_project({"observations": {"status": status,
                                              "sources": twodays.sources()[:1]}})
    release = load_release(project)
    build(release)
    register = release.registers[0]
    _, en, id_ = register_status(register)
    readme = (project / "datapackages" / register.slug / "README.md").read_text()
    # (the words each said before, on the page and in the README)
    assert not any(said in en for said in ("no data is published", "only the legal basis", "provenance only"))
    assert not any(said in id_ for said in ("tidak ada data", "hanya dasar hukum", "hanya mencatat"))
    assert not any("only metadata and provenance" in text for text in (status_text(register), readme))
    said = "the data published here comes only from the sources listed below"
    assert said in en and "hanya berasal dari sumber" in id_ and said in readme
    assert "KPU" not in en  # (review BT M1: it said "not from KPU" of Sirekap exports too)
    page = page_context(release)
    assert page["status"]["en"] == en and page["tables"]


def test_register_page_charts_show_the_latest_snapshot_totals(demo: Served) -> None:
    text = demo.get("/registers/003").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart-totals"' in text
    assert 'class="chart-completeness"' in text
    for nomor, suara in rows(demo.db, "SELECT nomor_urut, sum(suara) FROM suara WHERE snapshot = '2024-03-20' "
                                      "GROUP BY nomor_urut"):
        assert f"{suara:,} (" in text, nomor


def test_register_pages_read_on_a_phone_and_aloud(demo: Served) -> None:
    """Review BL: on a screen 576 px wide or less Datasette's CSS stacks a ``rows-and-columns`` table's rows into
    cards and hides their header, so the register page's totals and accounting were bare numbers (#1); the charts
    were ``role="img"``, which tells a screen reader to skip the numbers inside (#3); the charts wrote 28.3% where
    the table beside them writes 28.30 (#7); hashes outside the register pages did not wrap (#4), and the SYNTHETIC
    mark was Datasette's light grey ``td em``, 2.2:1 (#5)."""
    page = demo.get("/registers/003").text
    assert "rows-and-columns" not in page
    for name in ("totals", "sources"):
        assert f'<div class="table-wrapper"><table class="{name}">' in page  # (Datasette's .table-wrapper scrolls)
    assert page.count("<table") == page.count('<div class="table-wrapper"><table') == page.count("</table></div>")
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 2 and all('role="group"' in svg and 'aria-label="' in svg for svg in svgs)
    assert 'role="img"' not in page
    # (the product's rounding, half away from zero on the exact fraction: review BN #6)
    percents = [p for (p,) in rows(demo.db, f"SELECT {percent('suara', 'sum(suara) OVER ()')} FROM rekap_suara "
                                            "WHERE tingkat = 0 AND snapshot = '2024-03-20' "
                                            "AND kode_pemilu = 'ppwp-2024' ORDER BY nomor_urut")]
    assert len(percents) > 1
    for persen in percents:
        assert f"({persen:.2f}%)</text>" in page and f'<td class="num">{persen:.2f}</td>' in page
    assert not re.search(r"\(\d+\.\d%\)", page)  # (one decimal: the old writing)
    css = demo.get("/static/releasekit.css").text
    assert "code.sha256, code.inputs-sha256, code.metadata-sha256 { word-break: break-all; }" in css
    assert "em.synthetic {" in css
    home = demo.get("/").text
    assert home.count('<code class="sha256">') == 1 + len(re.findall(r"\.zip</a>", home))
    table = demo.get("/release/hasil_tps").text
    # (a box of its own: Datasette's table.js listens to the first .table-wrapper of a page, its table's: review BN #2)
    assert '<div class="provenance-table"><table><tr><th>source</th>' in table and table.count("table-wrapper") == 1
    assert '<code class="sha256">' in table


def test_register_pages_link_the_summary_queries_of_their_latest_day(demo: Served) -> None:
    """Review BK M2: the links gave every day, oldest first, and Datasette cuts a query at 1,000 rows: after some
    days of a national register the newest day was not on the page the link opened."""
    page = demo.get("/registers/001").text
    [(latest,)] = rows(demo.db, "SELECT max(snapshot) FROM snapshots WHERE source IN "
                                "(SELECT path FROM sources WHERE register = '001')")
    for query in ("totals_province", "completeness", "turnout"):
        assert f'href="/release/{query}?snapshot={latest}"' in page, query
        days = {r["snapshot"] for r in demo.json(f"/release/{query}.json?_shape=array&snapshot={latest}")}
        assert days == {latest}, query
    assert f"of the latest day ({latest};" in page


def test_chart_labels_fit_left_of_the_bars() -> None:
    """Review BL #6: a label of 46 characters lost its first, a candidate's ballot number, in a wide font."""
    svg = charts.bar_chart("t", [charts.Bar("2. " + "H. Prabowo Subianto – Gibran Rakabuming Raka", 5, "5")])
    label = re.search(r'text-anchor="end">([^<]*)</text>', svg)
    # (36: capitals in DejaVu Sans, 2. H. MUHAMMAD WAHYUDI – DR. MAWARDI MU…, were 327 px of 322 at 40: review BN #5)
    assert label and label.group(1).startswith("2. H. Prabowo") and len(label.group(1)) <= 36
    assert "<title>2. H. Prabowo Subianto – Gibran Rakabuming Raka: 5</title>" in svg


def test_metadata_text_cannot_inject_template_syntax(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    meta = (project / "metadata.yml").read_text()
    (project / "metadata.yml").write_text(meta.replace(
        "title: Real count (Sirekap) results per TPS (SYNTHETIC)",
        "title: \"Real count {{ 7 * 7 }} {% raw %} <script>x</script>\""))
    release = load_release(project)
    build(release)
    text = Site.written(release, tmp_path / "site").get("/registers/001").text
    assert "49" not in re.findall(r"Real count (\S+)", text)
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text
    # the title as written, in the <title> too (review X #6: it showed (( 7 * 7 )))
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    assert title is not None and html.unescape(title.group(1)).startswith(
        "Register 001: Real count {{ 7 * 7 }} {% raw %} <script>x</script>"), title


# --------------------------------------------------------------------------- canned queries


def test_national_and_province_totals_equal_sums_over_suara(demo: Served) -> None:
    national = demo.json("/release/totals_national.json?_shape=array")
    expected = rows(demo.db, "SELECT kode_pemilu, snapshot, nomor_urut, sum(suara), count(suara) FROM suara "
                             "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
    assert [(r["kode_pemilu"], r["snapshot"], r["nomor_urut"], r["suara"], r["tps_dengan_suara"])
            for r in national] == expected
    # (review AM #2: how many provinces the national row sums, so a sample is not read as the country)
    covered = dict(rows(demo.db, "SELECT kode_pemilu || snapshot, count(DISTINCT substr(kode_tps, 1, 2)) "
                                 "FROM hasil_tps GROUP BY 1"))
    assert min(r["provinsi_dengan_hasil"] for r in national) > 0
    assert all(r["provinsi_dengan_hasil"] == covered[r["kode_pemilu"] + r["snapshot"]] for r in national)
    province = demo.json("/release/totals_province.json?_shape=array&snapshot=2024-02-20")
    expected = rows(demo.db, "SELECT substr(kode_tps, 1, 2), nomor_urut, sum(suara) FROM suara "
                             "WHERE snapshot = '2024-02-20' GROUP BY 1, 2 ORDER BY 1, 2")
    assert [(r["kode_wilayah"], r["nomor_urut"], r["suara"]) for r in province] == expected
    for kode in {r["kode_wilayah"] for r in province}:
        assert sum(r["persen"] for r in province if r["kode_wilayah"] == kode) == pytest.approx(100, abs=0.05)


@pytest.mark.parametrize(("query", "param", "length"), [
    ("totals_kabkota", "provinsi", 4), ("totals_kecamatan", "kabkota", 6), ("totals_desa", "kecamatan", 10)])
def test_drill_down_totals_equal_sums_over_suara(demo: Served, query: str, param: str, length: int) -> None:
    parent, = rows(demo.db, f"SELECT substr(kode_tps, 1, {length - (2 if length <= 6 else 4)}) FROM suara "
                            "ORDER BY kode_tps LIMIT 1")[0]
    got = demo.json(f"/release/{query}.json?_shape=array&{param}={parent}&snapshot=2024-03-20")
    expected = rows(demo.db, f"SELECT substr(kode_tps, 1, {length}), nomor_urut, sum(suara) FROM suara "
                             "WHERE snapshot = '2024-03-20' AND kode_tps LIKE ? GROUP BY 1, 2 ORDER BY 1, 2",
                    (f"{parent}%",))
    assert expected and [(r["kode_wilayah"], r["nomor_urut"], r["suara"]) for r in got] == expected


@pytest.mark.parametrize(("query", "param", "length"), [
    ("totals_kabkota", "provinsi", 4), ("totals_kecamatan", "kabkota", 6), ("totals_desa", "kecamatan", 10)])
def test_drill_down_with_empty_parameters_gives_every_region(demo: Served, query: str, param: str,
                                                             length: int) -> None:
    """README: empty parameters mean "all": every region of the level, in every snapshot."""
    got = demo.json(f"/release/{query}.json?_shape=array&{param}=&snapshot=&_size=max")
    expected = rows(demo.db, f"SELECT snapshot, substr(kode_tps, 1, {length}), nomor_urut, sum(suara) FROM suara "
                             "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
    assert len(expected) > 1 and [(r["snapshot"], r["kode_wilayah"], r["nomor_urut"], r["suara"])
                                  for r in got] == expected
    one = demo.json(f"/release/{query}.json?_shape=array&{param}=&snapshot=2024-03-20&_size=max")
    assert one and [r for r in got if r["snapshot"] == "2024-03-20"] == one


@pytest.mark.parametrize("query", ["totals_kabkota", "totals_kecamatan", "totals_desa", "completeness", "turnout"])
def test_a_given_parent_is_one_search_of_the_parent_index(demo: Served, query: str) -> None:
    # Without statistics (build runs no ANALYZE) the plan is the one a national database gets.
    table = "rekap_wilayah" if query in ("completeness", "turnout") else "rekap_suara"
    sql = CANNED_QUERIES[query]["sql"]
    params = {"provinsi": "34", "kabkota": "3401", "kecamatan": "340101", "kode_induk": "34", "tingkat": "2",
              "snapshot": ""}
    given = [r[3] for r in rows(demo.db, f"EXPLAIN QUERY PLAN {sql}", params)]
    assert f"SEARCH r USING INDEX idx_{table}_kode_induk (kode_induk=?)" in given, given


@pytest.mark.parametrize("tingkat", ["abc", "5", "-1", "1.0"])
def test_a_level_that_is_no_level_gives_no_rows(demo: Served, tingkat: str) -> None:
    """``tingkat`` is 0 to 4 or empty (provinces); ``abc`` cast to a number is 0, the national row."""
    assert demo.json("/release/completeness.json?_shape=array&tingkat=1&kode_induk=&snapshot=")
    for query in ("completeness", "turnout"):
        assert demo.json(f"/release/{query}.json?_shape=array&tingkat={tingkat}&kode_induk=&snapshot=") == []


def test_completeness_of_one_parent_is_its_share_of_the_level(demo: Served) -> None:
    every = demo.json("/release/completeness.json?_shape=array&tingkat=2&kode_induk=&snapshot=2024-03-20")
    mine = demo.json("/release/completeness.json?_shape=array&tingkat=2&kode_induk=34&snapshot=2024-03-20")
    assert mine and mine == [r for r in every if r["kode_wilayah"].startswith("34")] != every


def test_a_parent_alone_gives_the_areas_one_level_below_it(demo: Served) -> None:
    """Review X #5: ``kode_induk`` without ``tingkat`` took the level as 1, provinces, whose parent is the country:
    every parent but ``0`` gave no rows."""
    for parent, level in (("34", 2), ("3401", 3), ("0", 1)):
        for query in ("completeness", "turnout"):
            alone = demo.json(f"/release/{query}.json?_shape=array&tingkat=&kode_induk={parent}&snapshot=2024-03-20")
            levelled = demo.json(f"/release/{query}.json?_shape=array&tingkat={level}&kode_induk={parent}"
                                 "&snapshot=2024-03-20")
            assert alone and alone == levelled, (query, parent)


def test_a_snapshot_is_taken_as_metadata_yml_writes_it_or_as_its_day(demo: Served, tmp_path: Path) -> None:
    """Review X #4: the summary queries matched ``snapshot`` as stored alone (``2024-02-20T13:00``): written with a
    space, as metadata.yml takes it, or as the day, they answered with no rows, as if there were none."""
    db = sqlite3.connect(tmp_path / "timed.db")
    demo.db.backup(db)
    for table in ("rekap_wilayah", "rekap_suara"):
        db.execute(f"UPDATE {table} SET snapshot = '2024-02-20T13:00' WHERE snapshot = '2024-02-20'")
    for query in ("totals_province", "completeness", "turnout"):
        sql = CANNED_QUERIES[query]["sql"]

        def answer(snapshot: str, sql: str = sql) -> list[tuple[Any, ...]]:
            return db.execute(sql, {"snapshot": snapshot, "tingkat": "", "kode_induk": ""}).fetchall()

        timed = answer("2024-02-20T13:00")
        assert timed and {r[1] for r in timed} == {"2024-02-20T13:00"}, query
        assert answer("2024-02-20 13:00") == answer("2024-02-20") == timed, query
        assert answer("2024-02-2") == answer("2024-02-20T13") == [], query
        assert answer("2024-03-20") and set(timed) < set(answer(""))  # (empty: every snapshot)
    db.close()


def test_completeness_and_turnout_per_province(demo: Served) -> None:
    got = demo.json("/release/completeness.json?_shape=array&tingkat=&kode_induk=&snapshot=2024-02-15")
    expected = rows(demo.db, """
        SELECT substr(t.kode_tps, 1, 2), count(*),
               sum(EXISTS (SELECT 1 FROM suara s WHERE s.snapshot = '2024-02-15' AND s.kode_tps = t.kode_tps))
        FROM tps t GROUP BY 1 ORDER BY 1""")
    assert [(r["kode_wilayah"], r["tps_terdaftar"], r["tps_suara"]) for r in got] == expected
    assert all(r["kelengkapan"] == round(100 * r["tps_suara"] / r["tps_terdaftar"], 2) for r in got)
    assert any(r["kelengkapan"] < 100 for r in got)  # the early snapshot is incomplete
    turnout = demo.json("/release/turnout.json?_shape=array&tingkat=1&kode_induk=&snapshot=2024-03-20")
    expected = rows(demo.db, """
        SELECT substr(kode_tps, 1, 2), round(100.0 * sum(pengguna_total_j) / sum(pemilih_dpt_j), 2)
        FROM hasil_tps WHERE snapshot = '2024-03-20' AND pengguna_total_j IS NOT NULL AND pemilih_dpt_j IS NOT NULL
        GROUP BY 1 ORDER BY 1""")
    assert [(r["kode_wilayah"], r["partisipasi"]) for r in turnout] == expected


def test_findings_queries_count_the_findings_table(demo: Served) -> None:
    by_rule = demo.json("/release/findings_by_rule.json?_shape=array")
    assert sum(r["findings"] for r in by_rule) == rows(demo.db, "SELECT count(*) FROM findings")[0][0] > 0
    rule, count = rows(demo.db, "SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY 2 DESC LIMIT 1")[0]
    tps = demo.json(f"/release/tps_with_findings.json?_shape=array&rule={rule}")
    assert len(tps) == count and {r["rule"] for r in tps} == {rule}
    assert all(r["kode_tps"] == r["key"].split("/")[0] and len(r["kode_tps"]) == 13 and r["desa"] for r in tps)
    # (review AJ: an area's finding, total-decreased's, is no TPS: it was listed with kode_tps empty)
    areas = demo.json("/release/tps_with_findings.json?_shape=array&rule=total-decreased")
    assert areas == [] < rows(demo.db, "SELECT key FROM findings WHERE rule = 'total-decreased'")
    # (review AV #2: 1,000 rows at most; narrowed to a region by a prefix of its code)
    village = tps[0]["kode_tps"][:10]
    narrowed = demo.json(f"/release/tps_with_findings.json?_shape=array&rule=&kode_wilayah={village}")
    assert narrowed and {r["kode_tps"][:10] for r in narrowed} == {village}
    assert len(narrowed) == rows(demo.db, "SELECT count(*) FROM findings WHERE substr(key, 1, 10) = ? AND "
                                          "(length(key) = 13 OR substr(key, 14, 1) = '/')", (village,))[0][0]
    everywhere = demo.json("/release/tps_with_findings.json?_shape=array&rule=&kode_wilayah=")
    assert len(everywhere) > len(narrowed) and everywhere == demo.json("/release/tps_with_findings.json?_shape=array")


# --------------------------------------------------------------------------- hardening and the bundle


@pytest.mark.parametrize(("path", "location"), [
    ("//release", "/release"), ("/release//hasil_tps?_size=1&x=%2F%2F", "/release/hasil_tps?_size=1&x=%2F%2F"),
    ("///-/versions", "/-/versions"), ("//example.com/x", "/example.com/x"),
    ("/release/hasil_tps//", "/release/hasil_tps/"), ("//\\example.com", "/%5Cexample.com"),
])
def test_an_address_with_two_slashes_is_redirected_to_one(demo: Served, path: str, location: str) -> None:
    """Datasette 0.65 answered ``//release`` with a 500 (it failed to print the 404 it meant to give, where ``rich``
    is installed, as it is beside releasekit); the site's own plugin redirects to the path with single slashes,
    always on this site (``//example.com/x`` as a ``Location`` would leave it)."""
    assert (demo.folder / "plugins" / "releasekit_site.py").is_file()
    assert demo.get(path, status=301).headers["location"] == location
    assert demo.get("/release/hasil_tps.json?_size=1").json()["rows"]  # (every other address as before)


def test_a_table_of_a_compound_key_is_paged_by_a_search_of_its_index(demo: Served) -> None:
    """Review AV #1: Datasette 0.65 pages a table keyed on several columns by or-ed comparisons, which SQLite answers
    by scanning the key's index from the start (each page cost as much as all before it; a "stream all rows" CSV of
    a large table stopped part-way, with a 200). The site's plugin pages by one row-value comparison: a search."""
    import datasette.views.table

    demo.get("/release/suara.json?_size=1")  # (the site's plugin is loaded with the site)
    where = datasette.views.table.compound_keys_after_sql(["kode_pemilu", "snapshot", "kode_tps", "nomor_urut"])
    plan = rows(demo.db, f"EXPLAIN QUERY PLAN SELECT * FROM suara WHERE {where} "
                         "ORDER BY kode_pemilu, snapshot, kode_tps, nomor_urut LIMIT 101",
                ("ppwp-2024", "2024-02-15", "5202012001001", "2"))
    assert [detail for *_, detail in plan] == [
        "SEARCH suara USING INDEX sqlite_autoindex_suara_1 ((kode_pemilu,snapshot,kode_tps,nomor_urut)>(?,?,?,?))"]
    key = "kode_pemilu, snapshot, kode_tps, nomor_urut"
    for query, order in (("", key), ("&_sort=suara", f"suara, {key}"), ("&_sort_desc=suara", f"suara DESC, {key}")):
        paged, path = [], f"/release/suara.json?_size=97&_shape=objects{query}"
        while path:  # (every row once, in order: as the or-ed comparisons gave them)
            page = demo.json(path)
            paged += [tuple(row.values()) for row in page["rows"]]
            path = page["next_url"] and page["next_url"].split("localhost", 1)[-1]
        assert paged == rows(demo.db, f"SELECT * FROM suara ORDER BY {order}"), query
    streamed = demo.get("/release/suara.csv?_stream=on&_size=max").text.splitlines()
    assert len(streamed) == 1 + rows(demo.db, "SELECT count(*) FROM suara")[0][0]


@pytest.mark.parametrize(("table", "sort", "size"), [
    ("findings", "_sort=severity", 13), ("findings", "_sort=rule", 13), ("changes", "_sort=field", 13),
    ("changes", "_sort=before", 13), ("hasil_tps", "_sort_desc=snapshot", 13), ("wilayah", "_sort=tingkat", 13),
    ("sources", "", 2)])  # (sources: sorted by register, its own sort in metadata.json)
def test_a_sorted_table_is_paged_and_streamed_whole(demo: Served, table: str, sort: str, size: int) -> None:
    """Review BS H1: Datasette 0.65 ordered a sorted table's first page by the column alone and every later page by
    the column and the key: where SQLite met the rows tied on the column in another order than the key's, pages and
    the "stream all rows" CSV skipped some and repeated others (findings by severity: 1,167 of 4,170 rows)."""
    key = [name for _, name, *_, pk in sorted(rows(demo.db, f"PRAGMA table_info({table})"), key=lambda c: c[-1])
           if pk]
    column = sort.split("=")[1] if sort else "register"
    order = f"{column}{' DESC' if sort.startswith('_sort_desc') else ''}, {', '.join(key)}"
    expected = rows(demo.db, f"SELECT * FROM {table} ORDER BY {order}")
    assert len(expected) > 2 * size and len(set(expected)) == len(expected)
    paged, path = [], f"/release/{table}.json?_size={size}&_shape=objects&_nofacet=1&{sort}"
    while path:
        page = demo.json(path)
        paged += [tuple(row.values()) for row in page["rows"]]
        path = page["next_url"] and page["next_url"].split("localhost", 1)[-1]
    assert paged == expected
    streamed = demo.get(f"/release/{table}.csv?_stream=on&_size={size}&{sort}").text.splitlines()
    assert len(streamed) == 1 + len(expected)

def test_a_sorted_page_filtered_through_another_table_is_ordered_by_its_own_key(demo: Served) -> None:
    """The tie-break above took the key of the table a ``_through`` subquery names (``tps``): 'no such column'."""
    through = quote(json.dumps({"table": "tps", "column": "kode_tps", "value": "5202012001001"}))
    page = demo.json(f"/release/wilayah.json?_sort=tingkat&_shape=objects&_through={through}")
    assert [row["kode_wilayah"] for row in page["rows"]] == ["5202012001"]

@pytest.mark.parametrize("path", ["/.env", "/a/b/c/d", "/release/hasil_tps/a/b/c", "/a/b/c/d.json",
                                  "/templates/pages/registers/001.html"])
def test_an_address_no_route_takes_is_a_404(demo: Served, path: str) -> None:
    """Review X #1: Datasette 0.65 answered an address no route takes with a 500 (its default error handler has
    ``rich`` print a traceback, and a 404 of an unrouted address is made outside any ``except:`` block, where
    ``rich`` refuses to); the site's own plugin hands it a ``rich`` that prints only where there is a traceback."""
    page = demo.get(path, status=404)
    assert ("ok" in page.json() and page.json()["status"] == 404) if path.endswith(".json") else "404" in page.text


def test_a_request_s_own_mistake_prints_no_traceback(demo: Served, capfd: pytest.CaptureFixture[str]) -> None:
    """Review BH M2: where ``rich`` is installed (beside releasekit, through frictionless), Datasette's handler had it
    print every 404's and 400's traceback with its locals, 16 KB and 190 ms a request (none without ``rich``, as in
    the site's own Docker image); a scanner's probes filled the log and kept a core busy. An error of the site (a
    500) still prints its traceback."""

    import datasette.handle_exception as handling

    assert handling.rich is not None  # (installed here: else this test would prove nothing)
    capfd.readouterr()
    demo.get("/nope/x", status=404)
    demo.get("/release/pemilu/nope", status=404)
    demo.get("/release/hasil_tps.json?_sort=nope", status=400)
    # (answered by the site's own plugin, while the exception Datasette raised is still the one handled: BJ M1)
    demo.get("/release/hasil_tps.json?_through=bad", status=400)
    demo.get("/release/hasil_tps.json?kode_tps__in=" + quote("["), status=400)
    demo.get("/release/hasil_tps.json?_timelimit=abc", status=400)
    demo.get("/release/peserta/ppwp-2024.json", status=404)
    quiet = capfd.readouterr()
    assert "Traceback" not in quiet.out + quiet.err and len(quiet.out + quiet.err) < 1000
    import datasette.views.table as table_view

    def failing(*args: object) -> str:
        raise RuntimeError("a fault of the site")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_view, "compound_keys_after_sql", failing)  # (the next page's SQL: a 500 made up)
        next_page = demo.json("/release/suara.json?_size=2")["next_url"].split("localhost", 1)[-1]
        demo.get(next_page, status=500)
    loud = capfd.readouterr()
    assert "Traceback" in loud.out + loud.err and "a fault of the site" in loud.out + loud.err


@pytest.mark.parametrize("path", ["/release/totals_national", "/release/pemilu", "/release/hasil_tps"])
def test_a_post_is_a_405(demo: Served, path: str) -> None:
    """Review BH L2: a POST to a table or a canned query was a 500 (Datasette 0.65's view answered it with no
    response); the site is read-only."""
    import asyncio

    response = asyncio.run(demo.datasette.client.post(path))
    assert response.status_code == 405 and "read-only" in response.text


@pytest.mark.parametrize("query", ["_sort=nope", "_sort_desc=nope", "_sort=kode_tps&_sort_desc=kode_tps",
                                   "_through=" + quote('{"table": "tps", "column": "x", "value": "1"}'),
                                   "_through=bad", "_through=" + quote("{}"), "_through=" + quote("[]"),
                                   "_through=" + quote('{"table": "tps"}'), "kode_tps__in=" + quote("["),
                                   "_timelimit=abc"])
def test_a_table_page_asked_what_it_cannot_do_is_a_400(demo: Served, query: str) -> None:
    """Review X #7 and Z #4: Datasette 0.65 raised these bad requests as 500s (``_col=nope`` was already a 400)."""
    page = demo.get(f"/release/hasil_tps.json?{query}", status=400)
    assert page.json()["status"] == 400 and page.json()["error"]


def test_a_sort_by_no_column_says_so_on_its_page(demo: Served) -> None:
    assert "Cannot sort table by nope" in demo.get("/release/hasil_tps?_sort=nope", status=400).text


def test_a_row_address_with_too_few_parts_of_its_key_is_a_404(demo: Served) -> None:
    """Review Z #4: ``/release/hasil_tps/ppwp-2024,2024-02-15`` (no kode_tps) was a 500 (an SQL binding missing)."""
    assert demo.get("/release/hasil_tps/ppwp-2024,2024-02-15.json", status=404).json()["status"] == 404


def test_serving_is_hardened(demo: Served) -> None:
    assert demo.get("/robots.txt").text.splitlines() == ["User-agent: *", "Disallow: /"]
    plugins = {p["name"] for p in demo.json("/-/plugins.json")}
    assert plugins <= {*PLUGINS, "releasekit_site.py"}  # (the one-off plugin of its plugins/ folder: below)
    assert not any("write" in p or "insert" in p or "upload" in p for p in plugins)
    settings = demo.json("/-/settings.json")
    assert {k: settings[k] for k in SETTINGS} == SETTINGS
    # the README's figures, written out: a change to SETTINGS must change them (and the README) too
    assert {k: settings[k] for k in ("sql_time_limit_ms", "facet_time_limit_ms", "max_returned_rows",
                                     "default_page_size", "max_csv_mb", "suggest_facets")} == {
        "sql_time_limit_ms": 1000, "facet_time_limit_ms": 500, "max_returned_rows": 1000, "default_page_size": 100,
        "max_csv_mb": 0, "suggest_facets": False}
    databases = demo.json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("release", False)]
    # its file's name, not the serving machine's folder (review CB L4: "path": "/home/…/build/site/release.db")
    assert [d["path"] for d in databases] == ["release.db"] and databases[0]["size"] > 0
    page = html.unescape(demo.get("/-/databases").text)
    assert '"path": "release.db"' in page and str(demo.datasette.databases["release"].path) not in page
    assert settings["default_allow_sql"] is False


def test_a_visitor_s_own_sql_is_off_unless_the_site_allows_it(demo: Served, tmp_path: Path) -> None:
    """Review CB H1: one zeroblob() or randomblob() call is one step of SQLite's program, past the time limit's
    reach: a few rows of them took gigabytes to render and held every SQL thread for minutes. A published site runs
    no visitor's SQL (nor a table page's ``_where``); canned queries, filters and facets stay. ``--allow-sql`` opens
    it, with every value a query makes cut at ``LONGEST_VALUE``, and the time limit."""
    from releasekit.siteplugin import LONGEST_VALUE

    assert demo.get("/release.json?sql=select+1", status=403).status_code == 403
    assert demo.get("/release/tps.json?_where=1", status=403).status_code == 403
    assert demo.json("/release/totals_province.json?_shape=array")  # (a canned query)
    assert len(demo.json("/release/tps.json?jenis_tps=khusus&_shape=array")) == 4  # (a filter)

    opened = Site.written(load_release(demo.project), tmp_path / "site", allow_sql=True)
    assert opened.json("/-/settings.json")["default_allow_sql"] is True
    def sql(text: str) -> str:
        return "/release.json?_shape=array&sql=" + quote(text)

    assert opened.json(sql(f"select length(zeroblob({LONGEST_VALUE})) AS n")) == [{"n": LONGEST_VALUE}]
    too_big = opened.get(sql(f"select length(zeroblob({LONGEST_VALUE + 1}))"), status=400)
    assert "too big" in too_big.text
    bad = opened.get(sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
                     status=400)
    assert "interrupted" in bad.text.lower()


def test_publish_writes_a_bundle_datasette_serves_as_is(demo: Served, tmp_path: Path,
                                                         cli_runner: CliRunner) -> None:
    out = tmp_path / "bundle"
    result = cli_runner.invoke(cli, ["publish", str(out), "--project", str(demo.project)])
    assert result.exit_code == 0, result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"release.db", "metadata.json", "settings.json", "inspect-data.json", "requirements.txt", "Dockerfile",
            "templates/pages/registers/001.html", "static/downloads/real-count.zip"} <= names
    requirements = (out / "requirements.txt").read_text().splitlines()
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", line) for line in requirements)
    assert {line.split("==")[0] for line in requirements} >= {*PLUGINS, "click", "jinja2", "uvicorn"}
    assert "-r requirements.txt" in (out / "Dockerfile").read_text()
    ok = Site(out).get("/registers/003")
    assert "Voter list and results" in ok.text
    again = cli_runner.invoke(cli, ["publish", str(out), "--project", str(demo.project)])
    assert again.exit_code == 0, again.output
    spaced = tmp_path / "a site"  # the command it prints works when pasted (review P #3b)
    result = cli_runner.invoke(cli, ["publish", str(spaced), "--project", str(demo.project)])
    assert result.exit_code == 0 and f"datasette serve '{spaced}'\n" in result.output, result.output


def test_publish_refuses_a_folder_it_did_not_write(demo: Served, tmp_path: Path, cli_runner: CliRunner) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "mine"), "--project", str(demo.project)])
    assert result.exit_code == 1 and "is not a site releasekit wrote" in result.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_publish_refuses_a_folder_with_only_datasette_files(demo: Served, tmp_path: Path,
                                                          cli_runner: CliRunner) -> None:
    """``datasette inspect`` writes inspect-data.json too: it does not make a folder releasekit's."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "inspect-data.json").write_text("{}")
    (other / "precious.txt").write_text("keep me")
    result = cli_runner.invoke(cli, ["publish", str(other), "--project", str(demo.project)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Error: {other}: exists and is not a site releasekit wrote (it has no "
                                    ".releasekit-site) (hint: give a new or empty folder")
    assert (other / "precious.txt").read_text() == "keep me"


def test_publish_into_the_current_folder(demo: Served, tmp_path: Path, cli_runner: CliRunner,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for _ in range(2):  # an empty folder, then the site written there
        result = cli_runner.invoke(cli, ["publish", ".", "--project", str(demo.project)])
        assert result.exit_code == 0, result.output
        assert "wrote .:" in result.output  # (as given: review BU L5)
        # the folder itself stays: a shell standing in it sees the site
        assert {".releasekit-site", "release.db", "metadata.json"} <= set(os.listdir("."))


def test_publish_replaces_only_sites_it_wrote(demo: Served, tmp_path: Path) -> None:
    release = load_release(demo.project)
    site = tmp_path / "site"
    write_site(release, site)
    assert (site / MARKER).is_file() and not (site / STAGING).exists()
    (site / "static" / "old.txt").write_text("from the last publish")
    (site / STAGING).mkdir()  # left by an interrupted publish
    write_site(release, site)
    assert not (site / "static" / "old.txt").exists() and not (site / STAGING).exists()
    (site / MARKER).unlink()  # a site written before the marker existed is still releasekit's
    write_site(release, site)
    assert (site / MARKER).is_file()
    (site / MARKER).unlink()
    (site / "notes.txt").write_text("mine")  # ... unless it holds anything releasekit does not write
    with pytest.raises(ReleasekitError, match="is not a site releasekit wrote"):
        write_site(release, site)
    assert (site / "notes.txt").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReleasekitError, match="is not a site releasekit wrote"):
        write_site(release, tmp_path / "file")
    with pytest.raises(ReleasekitError, match=r"cannot write the site \(Not a directory\)"):
        write_site(release, tmp_path / "file" / "site")


def site_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file of a site folder, by its path in it."""
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def test_two_publishes_into_one_folder_never_write_it_at_once(demo: Served, tmp_path: Path) -> None:
    """Review BX M2: they shared one staging folder, and one said "wrote" over a site missing most of its files
    (no settings.json: none of the hardened limits; no register pages). The second is refused in one line."""
    release = load_release(demo.project)
    site = tmp_path / "site"
    write_site(release, site)
    written = site_digest(site)
    with writing_site(release, site, "unused"):  # what a publish holds while it writes
        with pytest.raises(ReleasekitError, match="another releasekit serve or publish is using this site") as refused:
            write_site(release, site)
        assert "wait for that publish to finish" in str(refused.value.hint)
        assert site_digest(site) == written
    write_site(release, site)  # (released with the first)
    assert site_digest(site) == written
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "new"), "--project", str(tmp_path / "unbuilt")])
    assert result.exit_code != 0 and not (tmp_path / "new").exists()  # (a refused publish leaves no folder)
    unbuilt = copy_demo(tmp_path / "unbuilt")
    with pytest.raises(ReleasekitError, match="has not been built"):
        write_site(load_release(unbuilt), tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_publish_interrupted_while_it_replaces_the_site_is_replaced_by_the_next(
        demo: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BX M3: the old site's files were deleted one by one, the marker among them; a publish interrupted
    in between left a folder of old, new and missing files that the next publish refused as not releasekit's. The
    marker stays now, and the next publish replaces what is left: interrupted (Ctrl-C) at each of its renames."""
    release = load_release(demo.project)
    reference = tmp_path / "reference"
    write_site(release, reference)
    original = Path.rename
    renames: list[Path] = []
    interrupt_at = [0]

    def rename(self: Path, target: Any) -> Path:
        renames.append(self)
        if len(renames) == interrupt_at[0]:
            raise KeyboardInterrupt
        return original(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    write_site(release, tmp_path / "counted")
    renames.clear()
    write_site(release, tmp_path / "counted")  # (over a site: the old entries are moved out too)
    count = len(renames)
    assert count >= 2 * len(os.listdir(reference)) - 2  # (all but the marker, out and in)
    for at in range(1, count + 1):
        site = tmp_path / f"site{at}"
        interrupt_at[0] = 0
        write_site(release, site)
        (site / "static" / "old.txt").write_text("from the last publish")
        renames.clear()
        interrupt_at[0] = at
        with pytest.raises(KeyboardInterrupt):
            write_site(release, site)
        assert (site / MARKER).is_file()
        interrupt_at[0] = 0
        write_site(release, site)
        assert site_digest(site) == site_digest(reference), at


def test_a_folder_an_older_publish_left_without_its_marker_is_replaced(demo: Served, tmp_path: Path) -> None:
    """Review BX M3: releasekit 0.2.0 removed the marker first; interrupted then, the new site (with its marker)
    stays in the staging folder, beside what is left of the old."""
    release = load_release(demo.project)
    site = tmp_path / "site"
    write_site(release, site)
    written = site_digest(site)
    (site / MARKER).rename(tmp_path / "marker")
    shutil.copytree(site, tmp_path / "staged")
    (tmp_path / "marker").rename(tmp_path / "staged" / MARKER)
    for removed in ("templates", "static"):  # (its stylesheet gone too: no other sign the folder is releasekit's)
        shutil.rmtree(site / removed)
    (tmp_path / "staged").rename(site / STAGING)
    write_site(release, site)
    assert site_digest(site) == written


def test_a_site_that_cannot_be_written_is_named_not_the_database_copied(demo: Served, tmp_path: Path) -> None:
    """Review BX L3: under a file-size limit publish blamed the project's build/release.db, which it only reads."""
    if not hasattr(os, "fork") or sys.platform != "linux":
        pytest.skip("needs RLIMIT_FSIZE (Linux)")
    site = tmp_path / "site"
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))"
    result = subprocess.run([sys.executable, "-c", f"{limit}; from releasekit.cli import cli; cli()", "publish",
                             str(site), "--project", str(demo.project)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"Error: {site}/release.db: cannot write the site (File too large) (hint: check that "
                             "the folder is writable and the disk has room)\n")
    assert not (site / STAGING).exists()


def test_publish_before_build_says_what_to_do(tmp_path: Path, cli_runner: CliRunner,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Review BU L4: the hint names the project where it is not the current folder ('releasekit build' alone there
    builds another project, or none)."""
    project = copy_demo(tmp_path / "my project")
    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "site"), "--project", str(project)])
    assert result.exit_code == 1 and f"run 'releasekit build \"{project}\"' first" in result.output
    monkeypatch.chdir(tmp_path)
    for args in (["publish", "site", "--project", "my project"], ["serve", "my project"]):
        result = cli_runner.invoke(cli, args)
        assert result.exit_code == 1 and "run 'releasekit build \"my project\"' first" in result.output, args
    monkeypatch.chdir(project)
    result = cli_runner.invoke(cli, ["publish", "../site"])
    assert result.exit_code == 1 and "run 'releasekit build' first" in result.output


def test_results_as_of_a_day_answers_from_the_latest_snapshot_on_or_before_it(demo: Served) -> None:
    got = demo.json("/release/totals_as_of.json?_shape=array&kode_pemilu=ppwp-2024&day=2024-02-18&kode_wilayah=")
    expected = rows(demo.db, "SELECT nomor_urut, sum(suara) FROM suara WHERE snapshot = '2024-02-15' "
                             "GROUP BY nomor_urut ORDER BY nomor_urut")
    assert expected and [(r["nomor_urut"], r["suara"]) for r in got] == expected


def test_register_links_filter_by_source_only_when_other_registers_share_the_tables(make_project: Any) -> None:
    """One register holding every source links its tables unfiltered (at national scale a ``sumber__in``
    matching every row only makes Datasette sort them); beside another register, the links filter."""
    import twodays

    def links(sources_by_register: dict[str, Any]) -> dict[str, str]:
        project = make_project(sources_by_register)
        release = load_release(project)
        build(release)
        context = page_context(release)
        return {"quarantine": context["quarantine_url"], **{t["name"]: t["url"] for t in context["tables"]}}

    day1, day2 = twodays.sources()
    sole = links({"real-count": [day1, day2]})
    assert "sumber__in" not in sole["hasil_tps"] and "source__in" not in sole["quarantine"]
    assert "register=" in sole["findings"]
    shared = links({"real-count": [day1], "results-copy": [day2]})
    assert "sumber__in" in shared["hasil_tps"] and "source__in" in shared["quarantine"]
    # Review X #3: beside a register holding a region list alone (the usual real setup), the results tables are
    # the register's every row: unfiltered (each link filtered by every source of them); its quarantine is
    # filtered only where the region list quarantined a record.
    for regions, quarantined in (("31,DKI JAKARTA\n", False), ("31,DKI JAKARTA\n31,DKI JAKARTA\n", True)):
        places = {"raw": {"provinces.csv": regions}, "name": "wilayah", "format": "kpu-wilayah-csv"}
        beside = links({"real-count": [day1, day2], "places": [places]})
        assert not any("sumber__in" in beside[t] or "source__in" in beside[t]
                       for t in ("hasil_tps", "snapshots", "changes")), beside
        assert ("source__in" in beside["quarantine"]) is quarantined


def test_every_response_says_noindex_unless_robots_are_let_in(demo: Served, tmp_path: Path) -> None:
    """Review BH M3: served under a path prefix, the site's ``robots.txt`` is where no crawler reads it
    (``/pemilu/robots.txt``): every response says ``X-Robots-Tag: noindex, nofollow`` as well. With
    ``--allow-robots`` neither blocks."""
    for path, status in (("/", 200), ("/release/hasil_tps", 200), ("/registers/001", 200), ("/nope/x", 404),
                         ("/static/releasekit.css", 200), ("//release", 301)):
        assert demo.get(path, status=status).headers["x-robots-tag"] == "noindex, nofollow", path
    welcoming = Site(write_site(load_release(demo.project), tmp_path / "site", allow_robots=True).folder)
    assert "x-robots-tag" not in welcoming.get("/release/hasil_tps").headers
    assert welcoming.get("/robots.txt").text.splitlines() == ["User-agent: *", "Allow: /"]


def test_every_page_declares_its_language(demo: Served, tmp_path: Path) -> None:
    """Review BL M2: Datasette's ``base.html`` writes ``<html>`` with no language, and a screen reader guessed it.
    Every HTML page says English (its Indonesian paragraphs say ``lang="id"``), its length counted again; what is
    not a page (JSON, CSS, a download) is sent as it is."""
    for path, status in (("/", 200), ("/registers", 200), ("/registers/001", 200), ("/release", 200),
                         ("/release/hasil_tps", 200), ("/release/totals_province", 200), ("/nope/x", 404)):
        page = demo.get(path, status=status)
        assert page.text.startswith('<!DOCTYPE html>\n<html lang="en">\n'), path
        assert page.text.count("<html") == 1, path
        if "content-length" in page.headers:
            assert int(page.headers["content-length"]) == len(page.content), path
    assert '<p class="id" lang="id">' in demo.get("/registers/001").text
    assert demo.get("/release/hasil_tps.json").json()["rows"]
    assert "lang=" not in demo.get("/static/releasekit.css").text
    welcoming = Site(write_site(load_release(demo.project), tmp_path / "site", allow_robots=True).folder)
    assert welcoming.get("/").text.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_a_page_declared_in_english_keeps_its_length_right() -> None:
    """The language is written into the first part of an HTML body; a ``content-length`` given grows with it; a
    body of another type, or HTML that does not begin as Datasette's ``base.html``, is sent byte for byte."""
    from releasekit.siteplugin import in_english

    def answer(content_type: bytes, body: bytes) -> list[dict[str, Any]]:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"Content-Type", content_type), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body[:30], "more_body": True})
            await send({"type": "http.response.body", "body": body[30:]})

        sent: list[dict[str, Any]] = []

        async def send(message: Any) -> None:
            sent.append(message)

        asyncio.run(in_english(app)({"type": "http"}, None, send))
        return sent

    page = b"<!DOCTYPE html>\n<html>\n<head><title>x</title></head><body><html></body></html>"
    start, first, rest = answer(b"text/html; charset=utf-8", page)
    body = first["body"] + rest["body"]
    assert body == page.replace(b"<html>", b'<html lang="en">', 1)
    assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    for content_type, other in ((b"application/json", page), (b"text/html", b"<html><body>x</body></html>" * 3)):
        start, first, rest = answer(content_type, other)
        assert first["body"] + rest["body"] == other
        assert dict(start["headers"])[b"content-length"] == str(len(other)).encode()


@pytest.mark.parametrize(("row", "extra"), [("tps/{tps}", ",9999999999999"), ("tps/{tps}", ",x"),
                                            ("hasil_tps/ppwp-2024,2024-02-15,{tps}", ",zzz"),
                                            ("pemilu/ppwp-2024", ",x")])
@pytest.mark.parametrize("suffix", [".json", ""])
def test_a_row_address_with_more_parts_than_its_key_is_a_404(demo: Served, row: str, extra: str,
                                                             suffix: str) -> None:
    """Review BS L1: Datasette 0.65 bound the key's parts and ignored the rest, so each row answered 200 at any
    number of addresses, a mistyped or joined one included."""
    tps = demo.json("/release/tps.json?_shape=array&_size=1")[0]["kode_tps"]
    row = "/release/" + row.format(tps=tps)
    assert len(demo.json(row + ".json")["rows"]) == 1  # (the row is there)
    assert "Row not found" in demo.get(row + extra + suffix, status=404).text


@pytest.mark.parametrize("query", ["_shape=bogus", "_shape=object"])
def test_a_canned_query_s_json_error_has_its_status(demo: Served, query: str) -> None:
    """Review BS L2: ``totals_province.json?_shape=bogus`` said ``"status": 400`` with an HTTP 200 (a table's page
    with the same mistake was a 400); ``_shape=object``, which a query with no key cannot give, was a 200 too."""
    said = demo.get(f"/release/totals_province.json?{query}", status=400).json()
    assert said["ok"] is False and said["error"]
    assert demo.get("/release/hasil_tps.json?_shape=bogus", status=400).json()["status"] == 400
    assert demo.json("/release/totals_province.json?_shape=array")  # (a query that works is still a 200)


def test_publish_allow_sql_writes_it_into_the_settings(demo: Served, tmp_path: Path, cli_runner: CliRunner) -> None:
    for flags, allowed in (([], False), (["--allow-sql"], True)):
        out = tmp_path / f"site{len(flags)}"
        result = cli_runner.invoke(cli, ["publish", str(out), "--project", str(demo.project), *flags])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "settings.json").read_text())["default_allow_sql"] is allowed
