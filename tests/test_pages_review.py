"""Register pages, site metadata and package README: figures limited to the register, licences, escaping.

Each test builds a variant of the demo project (``metadata.yml`` + ``raw/`` of this
repository) and reads the site as Datasette serves it, or the package README as
a Markdown renderer shows it.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Site, copy_demo, page_context, query, write_metadata
from releasekit import build, load_release, pages
from releasekit.codebook import package_readme, web_url
from releasekit.config import License, Register, Release, Source
from releasekit.pages import SHARED_TABLES, register_days

Edit = Callable[[Path, dict[str, Any]], None]


def built(tmp_path: Path, edit: Edit) -> Release:
    """The demo project edited by ``edit(root, metadata)`` and built."""
    root = copy_demo(tmp_path / "project")
    meta = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8"))
    edit(root, meta)
    write_metadata(root, meta)
    release = load_release(root)
    build(release)
    return release


def as_json(url: str) -> str:
    """A table page's JSON twin: ``/release/t?x=1`` → ``/release/t.json?x=1``."""
    path, _, query = url.partition("?")
    return f"{path}.json?{query}"


def day_totals(release: Release, snapshot: str) -> list[int]:
    return [n for (n,) in query(release.root, "SELECT sum(suara) FROM suara WHERE snapshot = ? GROUP BY nomor_urut "
                                              "ORDER BY nomor_urut", (snapshot,))]


# --------------------------------------------------------------------------- totals limited to the register


def _copy_of_the_last_day_in_register_001(root: Path, meta: dict[str, Any]) -> None:
    shutil.copy(root / "raw" / "ppwp_tps_20240320.zip", root / "raw" / "copy_20240320.zip")
    meta["registers"][0]["sources"].append({**meta["registers"][2]["sources"][1], "path": "raw/copy_20240320.zip"})


def test_a_day_another_registers_sources_share_gets_no_totals(tmp_path: Path) -> None:
    """Register 001 loads a copy of 003's 2024-03-20 export first: every record of 003's own copy is a
    duplicate and quarantined, so the summary table's totals of that day are 001's rows, not 003's."""
    release = built(tmp_path, _copy_of_the_last_day_in_register_001)
    votes = day_totals(release, "2024-03-20")
    assert votes and all(votes)
    site = Site.written(release, tmp_path / "site")
    page = site.get("/registers/003").text
    assert 'class="rows-and-columns totals"' not in page and "chart-totals" not in page
    assert not any(f"{n:,}" in page for n in votes)
    shared = page.split('<p class="shared-day">', 1)[1].split("</p>", 1)[0]
    assert "ppwp-2024 · 2024-03-20" in shared and '<a href="/registers/001">001</a>' in shared
    link = html.unescape(re.search(r'<a href="(/release/hasil_tps[^"]+)">0 TPS</a>', shared).group(1))  # type: ignore[union-attr]
    assert site.json(as_json(link))["filtered_table_rows_count"] == 0
    # the day is register 001's alone: its page sums it
    own = site.get("/registers/001").text
    assert all(f"{n:,}" in own for n in votes) and 'class="shared-day"' not in own
    with closing(sqlite3.connect(release.root / "build" / "release.db")) as db:
        days = register_days(db, release.register("003"))
    assert [(d.election, d.snapshot, d.tps, d.others) for d in days] == [("ppwp-2024", "2024-03-20", 0, ("001",))]


def test_charts_show_the_latest_day_with_totals_not_a_later_voter_list(tmp_path: Path) -> None:
    def later_voter_list(root: Path, meta: dict[str, Any]) -> None:
        meta["registers"][2]["sources"][2]["snapshot"] = "2024-04-01"

    release = built(tmp_path, later_voter_list)
    charts = page_context(release, "003")["charts"]
    assert "no figures yet" not in charts["totals"] + charts["completeness"]
    assert "ppwp-2024, 2024-03-20" in charts["totals"] and ", 2024-03-20 /" in charts["completeness"]
    assert all(f"{n:,} (" in charts["totals"] for n in day_totals(release, "2024-03-20"))


# --------------------------------------------------------------------------- table links filtered to the register


def _package_rows(release: Release, register: Register, name: str) -> int:
    """Rows of a package's table; of ``sources``, the register's own (the package also lists another register's
    region list that named places it holds, which the register page's link leaves out)."""
    with (release.root / "datapackages" / register.slug / "data" / f"{name}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sum(1 for row in rows if name != "sources" or row["register"] == register.id)


def test_register_links_show_the_rows_of_the_register_package(demo_project: Path, tmp_path: Path) -> None:
    """Every table link of a register page shows exactly the rows of the register's package, except the
    tables no column ties to one register, which the page marks as every register's rows."""
    release = load_release(demo_project)
    site = Site.written(release, tmp_path / "site")
    checked = set()
    for register in release.registers:
        for table in page_context(release, register.id)["tables"]:
            shown = site.json(as_json(table["url"]))["filtered_table_rows_count"]
            if table["name"] not in SHARED_TABLES:
                assert shown == _package_rows(release, register, table["name"]), (register.id, table)
                checked.add(table["name"])
            assert bool(table.get("shared")) == (table["name"] in SHARED_TABLES), (register.id, table)
    assert {"snapshots", "snapshot_votes", "changes", "dpt_rekap", "pemilu", "peserta", "hasil_tps"} <= checked
    page = site.get("/registers/001").text
    assert re.search(r'<a href="/release/tps">tps</a> — [^<]*<em class="shared">', page)


# --------------------------------------------------------------------------- licences and the decision


ODBL = {"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/", "title": "ODbL 1.0"}
CC0 = {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/", "title": "CC0 1.0"}
DECISION = "https://example.org/kip/decision-002"


def _licences(root: Path, meta: dict[str, Any]) -> None:
    meta["licenses"].append(CC0)
    meta["registers"][0]["licenses"] = [ODBL]
    meta["registers"][0]["sources"][0]["licenses"] = [CC0]
    meta["registers"][0]["sources"][0]["origin"] = "https://example.org/sirekap/ppwp_tps_20240215.tar.gz"
    meta["registers"][1]["basis"]["decision"]["url"] = DECISION


def test_licences_of_registers_and_sources_and_the_decision_url_are_shown(tmp_path: Path) -> None:
    release = built(tmp_path, _licences)
    site = Site.written(release, tmp_path / "site")
    meta = json.loads((site.folder / "metadata.json").read_text())
    cc_by = release.licenses[0].title
    assert (meta["license"], "license_url" in meta) == (f"{cc_by} · CC0 1.0", False)  # both, not the first only
    tables = meta["databases"]["release"]["tables"]
    assert (tables["changes"]["license"], tables["changes"]["license_url"]) == ("ODbL 1.0", ODBL["path"])  # 001 only
    assert tables["dpt_rekap"]["license"] == f"{cc_by} · CC0 1.0"  # 003: the release's licences
    assert tables["hasil_tps"]["license"] == f"ODbL 1.0 · {cc_by} · CC0 1.0"  # 001 and 003
    assert f'001: <a href="{ODBL["path"]}">ODbL 1.0</a>' in tables["hasil_tps"]["description_html"]
    assert tables["rekap_suara"]["license"] == tables["hasil_tps"]["license"]  # summed from both
    home = site.get("/").text
    assert f'<a href="{CC0["path"]}">CC0 1.0</a>' in home
    page = site.get("/registers/001").text
    assert re.search(r'class="licenses">Licence / lisensi: <a href="[^"]+odbl[^"]+">ODbL 1.0</a></p>', page)
    source_row = page.split('data-path="raw/ppwp_tps_20240215.tar.gz"', 1)[1].split("</tr>", 1)[0]
    assert f'<span class="licenses">source licence / lisensi sumber: <a href="{CC0["path"]}">CC0 1.0</a></span>' \
        in source_row
    assert f'<a class="act" href="{DECISION}">{DECISION}</a>' in site.get("/registers/002").text
    readme = (release.root / "datapackages" / "real-count" / "README.md").read_text()
    assert f"- ODbL 1.0 <{ODBL['path']}>" in readme
    assert re.search(rf"\| raw/ppwp_tps_20240215\.tar\.gz .*\| CC0 1\.0 <{CC0['path']}> \|", readme)
    assert f"· <{DECISION}>" in (release.root / "datapackages" / "it-infrastructure" / "README.md").read_text()
    # datapackage.json: a source's path is a web address (an origin in words is its description), with its licences
    descriptor = json.loads((release.root / "datapackages" / "real-count" / "datapackage.json").read_text())
    assert descriptor["sources"] == [
        {"title": "Sirekap per-TPS JSON, 2024-02-15 (synthetic)",
         "path": "https://example.org/sirekap/ppwp_tps_20240215.tar.gz", "licenses": [CC0]},
        {"title": "Sirekap per-TPS JSON Lines, 2024-02-20 (synthetic)",
         "description": "generated by python -m releasekit.synthetic"},
        {"title": "KPU region list, headerless CSV (synthetic names)",  # register 003's, named places of 001's TPS
         "description": "generated by python -m releasekit.synthetic; a source of register 003: it named places "
                        "this package holds"}]


def test_only_web_addresses_become_links() -> None:
    assert web_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert [web_url(u) for u in ("javascript:alert(1)", "data:text/html,x", "https://", "http://[x", "//x.org",
                                 "https://x.org/a b", None)] == [None] * 7


# --------------------------------------------------------------------------- the package README as Markdown

EVIL = "<script>alert(1)</script> [click](javascript:alert(1)) *bold* _it_ a | b"


def test_package_readme_shows_metadata_as_text() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    licence = License("X", "javascript:alert(1)", EVIL)
    register = Register("001", "real-count", EVIL, "open", description=EVIL + "\n- not a list",
                        basis={"note": EVIL, "decision": {"body": EVIL, "url": "javascript:alert(1)"}},
                        licenses=(licence,),
                        sources=(Source("001", 0, 0, "raw/a_b.zip", "sirekap-tps-json", licenses=(licence,)),))
    release = Release(Path("."), EVIL, {"name": EVIL}, (licence,), (register,), {})
    source = {"path": "raw/a_b.zip", "format": "sirekap-tps-json", "sha256": "0" * 64, "bytes": 1, "origin": EVIL,
              "retrieved": "2024-02-15 | x", "records_in": 7, "records_loaded": 5, "records_quarantined": 2}
    desc = {"releasekit": {"sources": [source], "releasekit_version": "0", "inputs_sha256": "1" * 64},
            "licenses": [licence.to_descriptor()], "resources": []}
    text = package_readme(release, register, desc, {})
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<a " not in rendered and "<li>not a list" not in rendered
    assert not re.search(r"<(em|strong)>(bold|it)<", rendered)
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert shown.count(EVIL) >= 6 and "javascript:alert(1)" in shown  # the text itself, as written
    row = re.search(r"<tr>\s*<td>raw/a_b\.zip.*?</tr>", rendered, re.S).group()  # type: ignore[union-attr]
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert len(cells) == 12 and cells[7] == "2024-02-15 | x" and cells[6] == EVIL
    assert cells[-3:] == ["7", "5", "2"]  # the counts stay under their headings


def test_an_open_register_with_a_voter_list_says_what_of_it_is_published(demo_project: Path) -> None:
    """'Published here in full' is true of results, not of a voter list: the page says what of it is published.
    Review AV #3: it said "no voter is published" of findings keyed by a voter's number in the TPS list (an age or
    a NIK's region code in the detail); it now says what they hold."""
    release = load_release(demo_project)
    assert "in full" in page_context(release, "001")["status"]["en"]
    status = page_context(release, "003")["status"]
    assert "in full" not in status["en"] and "no voter is published" not in status["en"]
    assert "findings, which name a voter by number in the TPS list" in status["en"]
    assert "never by name, NIK or date of birth" in status["en"]
    assert "menyebut pemilih dengan nomor urutnya di daftar TPS" in status["id"]
    assert "tidak ada pemilih yang dipublikasikan" not in status["id"]
    masked = dataclasses.replace(release.register("003"), publish_individuals="masked")
    assert "NIK and NKK masked (dpt_pemilih)" in pages.register_status(masked)[1]


def test_an_open_register_with_no_sources_does_not_say_it_is_published_in_full(demo_project: Path) -> None:
    release = load_release(demo_project)
    for status in ("open", "partially-open"):
        empty = dataclasses.replace(release.register("001"), status=status, sources=())
        label, en, id_ = pages.register_status(empty)
        assert "in full" not in en and "holds none of its files yet" in en and "belum memuat berkasnya" in id_


def test_an_open_register_with_no_basis_does_not_say_kpu_released_it(demo_project: Path) -> None:
    """Review AM #3: a register marked open whose metadata.yml records no basis (scrapes of a third party) was said on
    its page to be released by KPU; the publisher marked it so."""
    release = load_release(demo_project)
    for status, with_sources in (("open", True), ("partially-open", True), ("open", False)):
        register = dataclasses.replace(release.register("001"), status=status, basis={},
                                       sources=release.register("001").sources if with_sources else ())
        _, en, id_ = pages.register_status(register)
        assert "KPU" not in en and "KPU" not in id_
        assert en.startswith("The publisher marked this register ") and ", with no legal basis recorded" in en
        assert id_.startswith("Penerbit menandai register ini terbuka") and "tanpa dasar hukum tercatat" in id_
        assert "legal basis and" not in en and "dasar hukum dan" not in id_  # (review AN: none is recorded)
    assert pages.register_status(release.register("003"))[1].startswith("KPU released this register")


def test_an_open_register_whose_basis_records_no_answer_does_not_say_kpu_released_it(demo_project: Path) -> None:
    """Review AP #1: any basis made the page say 'KPU released this register': the demo's 001, whose basis is a request
    and a note that KPU claimed it exempt, and one whose basis is a note alone. Only a decision, or the request's
    outcome, records KPU's answer."""
    release = load_release(demo_project)
    register = release.register("001")
    assert "decision" not in register.basis and "outcome" not in register.basis["request"]
    for basis in (register.basis, {"note": "KPU never answered our request."}):
        for status in ("open", "partially-open"):
            _, en, id_ = pages.register_status(dataclasses.replace(register, basis=basis, status=status))
            assert en.startswith("The publisher marked this register ") and "no answer of KPU or decision on it is " \
                "recorded" in en, en
            assert id_.startswith("Penerbit menandai register ini terbuka") and "tidak ada jawaban KPU" in id_
    answered = {**register.basis, "request": {**register.basis["request"], "outcome": "released in full"}}
    for basis in (answered, {"decision": {"body": "KIP", "outcome": "open"}}):
        assert pages.register_status(dataclasses.replace(register, basis=basis))[1].startswith(
            "KPU released this register")


def test_a_register_of_published_totals_only_has_no_day_of_tps_results(tmp_path: Path) -> None:
    """Register 004 publishes Sirekap's area totals for 2024-02-20, a day register 001 has TPS results of: its page
    told it its TPS rows of that day came from 001 too, linking to '0 TPS'."""
    def totals_register(root: Path, meta: dict[str, Any]) -> None:
        agg = root / "raw" / "agg"
        agg.mkdir()
        (agg / "ppwp.json").write_text(json.dumps({"chart": {"100025": 1, "100026": 2, "100027": 3},
                                                   "ts": "2024-02-20 10:00:00", "table": {}}))
        meta["registers"].append({"id": "004", "slug": "totals", "title": "Totals", "status": "open", "sources": [
            {"path": "raw/agg", "format": "sirekap-aggregate-json", "election": "ppwp-2024",
             "snapshot": "2024-02-20"}]})

    release = built(tmp_path, totals_register)
    with closing(sqlite3.connect(release.root / "build" / "release.db")) as db:
        assert register_days(db, release.register("004")) == []
        assert [d.snapshot for d in register_days(db, release.register("001"))] == ["2024-02-15", "2024-02-20"]
    assert 'class="shared-day"' not in Site.written(release, tmp_path / "site").get("/registers/004").text


def test_a_source_without_a_title_is_named_once_on_its_register_page(make_project: Any) -> None:
    """Review AM: a source without ``title`` showed its path twice, run together ('raw/DKI JAKARTA.csvraw/DKI
    JAKARTA.csv'); the title, when there is one, stands above it."""
    import twodays

    day1, day2 = twodays.sources()
    project = make_project({"real-count": [{**day1, "title": "Day one", "synthetic": True}, day2]})
    release = load_release(project)
    build(release)
    page = pages.render_register_page(page_context(release))
    assert '<tr class="source" data-path="raw/tps_2024-02-16">\n<td><code>raw/tps_2024-02-16</code></td>' in page
    assert 'Day one <em class="synthetic">SYNTHETIC</em><br><code>raw/tps_2024-02-15</code>' in page


def test_the_pages_of_a_registers_tables_carry_its_provenance(demo_project: Path, tmp_path: Path) -> None:
    """Review AP #6: DESIGN section 8 puts each register's provenance on the Datasette pages of its tables; they named
    the register and how many raw sources it has, no more. Each table page now folds it under a summary: legal status
    and basis, every source's SHA-256, size and records in, loaded and quarantined, the releasekit version and the
    build's inputs hash, as its datapackage.json says."""
    release = load_release(demo_project)
    site = Site.written(release, tmp_path / "site")
    descriptor = json.loads((demo_project / "datapackages" / "real-count" / "datapackage.json").read_text())
    prov = descriptor["releasekit"]
    for table in ("hasil_tps", "findings", "quarantine"):
        page = html.unescape(site.get(f"/release/{table}").text)
        label = pages.register_status(release.register("001"))[0]
        assert f"Provenance / asal-usul: register 001, {label}, 3 sources, releasekit {prov['releasekit_version']}" \
            in page
        assert f"Inputs SHA-256 / hash masukan: <code>{prov['inputs_sha256']}</code>" in page
        assert "Requested on 2024-02-26 from PPID KPU RI (reference DEMO-PPID-2024-001 (synthetic reference))" in page
        for src in prov["sources"]:
            assert (f"<tr><td>{src['path']}</td><td><code>{src['sha256']}</code></td><td>{src['bytes']:,}</td>"
                    f"<td>{src['records_in']:,}</td><td>{src['records_loaded']:,}</td>"
                    f"<td>{src['records_quarantined']:,}</td></tr>") in page
    exempted = html.unescape(site.get("/release/findings").text)
    assert f"Provenance / asal-usul: register 002, {pages.register_status(release.register('002'))[0]}, 0 sources" \
        in exempted


def test_registers_has_a_page_of_its_own(demo_project: Path, tmp_path: Path) -> None:
    """Review AP #8: /registers/ redirected to /registers, a page not found: no page listed the registers."""
    release = load_release(demo_project)
    site = Site.written(release, tmp_path / "site")
    page = html.unescape(site.get("/registers").text)
    for register in release.registers:
        assert f'<a href="/registers/{register.id}">{register.id} {register.title}</a>' in page
    assert site.get("/registers/", status=302).headers["location"] == "/registers"


def test_a_partially_open_register_with_no_files_is_not_said_to_be_open(demo_project: Path) -> None:
    """The sentence for a register with no files yet named an open register whatever its status: a partially open one
    was 'KPU released this register' (or 'marked this register open'). Who released what is now one parameter."""
    register = dataclasses.replace(load_release(demo_project).register("001"), status="partially-open", sources=())
    answered = {"decision": {"body": "KIP", "outcome": "partially open"}}
    for basis, en_start, id_start in (
            (answered, "KPU released part of this register, but", "KPU memberikan sebagian register ini, tetapi"),
            ({}, "The publisher marked this register partially open, with no legal basis recorded, but",
             "Penerbit menandai register ini terbuka sebagian, tanpa dasar hukum tercatat, tetapi"),
            ({"note": "n"}, "The publisher marked this register partially open; no answer",
             "Penerbit menandai register ini terbuka sebagian; tidak ada jawaban KPU")):
        _, en, id_ = pages.register_status(dataclasses.replace(register, basis=basis))
        assert en.startswith(en_start) and id_.startswith(id_start), (en, id_)


def test_a_pending_register_with_no_basis_does_not_say_its_legal_basis_is_published(demo_project: Path) -> None:
    """The English said 'only its provenance is published'; the Indonesian still said its legal basis was
    ('hanya dasar hukum dan asal-usul'), a phrase the replacement did not match."""
    register = dataclasses.replace(load_release(demo_project).register("002"), status="pending", sources=(), basis={})
    _, en, id_ = pages.register_status(register)
    assert en.endswith("only its provenance is published.") and "legal basis" not in en
    assert id_.endswith("hanya asal-usulnya yang dipublikasikan.") and "dasar hukum" not in id_
