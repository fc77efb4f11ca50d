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
from releasekit import build, legalstatus, load_release, pages, validate_paths
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
    assert 'class="totals"' not in page and "chart-totals" not in page
    assert not any(f"{n:,}" in page for n in votes)
    shared = page.split('<p class="shared-day">', 1)[1].split("</p>", 1)[0]
    assert "ppwp-2024 · 2024-03-20" in shared and '<a href="/registers/001">001</a>' in shared
    # review AW #6: the Indonesian said "hari ini" (today) and left out this register's rows of the day
    assert "hari ini" not in shared and "Baris TPS pada tanggal itu juga berasal dari sumber register lain" in shared
    assert shared.endswith("baris register ini pada tanggal itu: 0 TPS.</span>")
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


def _odbl_region_list(root: Path, meta: dict[str, Any]) -> None:
    meta["registers"][0]["licenses"] = [CC0]
    meta["registers"][2]["sources"][0]["licenses"] = [ODBL]  # register 003's region list names 001's places


def test_a_resource_holding_rows_of_a_source_with_its_own_licence_says_so(tmp_path: Path) -> None:
    """Review CC L4: a package licensed CC0 held the places another register's ODbL region list named, and its
    ``wilayah`` resource said nothing of it. Each resource that may hold a source's rows lists every licence they
    come under; the package's own licence stays; a resource no such source feeds has none of its own."""
    release = built(tmp_path, _odbl_region_list)
    datapackages = release.root / "datapackages"
    real_count = json.loads((datapackages / "real-count" / "datapackage.json").read_text())
    assert real_count["licenses"] == [CC0]
    own = {r["name"]: r["licenses"] for r in real_count["resources"] if "licenses" in r}
    # (not hasil_tps, suara…; the findings quote the places' codes)
    assert own == {"wilayah": [CC0, ODBL], "tps": [CC0, ODBL], "findings": [CC0, ODBL], "quarantine": [CC0, ODBL]}
    readme = (datapackages / "real-count" / "README.md").read_text()
    assert (f"- `data/wilayah.csv`, `data/tps.csv`, `data/findings.csv`, `data/quarantine.csv`: CC0 1.0 "
            f"<{CC0['path']}>, ODbL 1.0 <{ODBL['path']}>") in readme
    # register 003 (the release's licence): its region list's licence covers the places, not the results or voters
    voters = json.loads((datapackages / "voter-list-and-results" / "datapackage.json").read_text())
    cc_by = voters["licenses"]
    own = {r["name"]: r["licenses"] for r in voters["resources"] if "licenses" in r}
    assert set(own) == {"wilayah", "tps", "findings", "quarantine"} & {r["name"] for r in voters["resources"]}
    assert all(licences == [*cc_by, ODBL] for licences in own.values())
    # and a package none of whose sources has a licence of its own names none per resource
    it = json.loads((datapackages / "it-infrastructure" / "datapackage.json").read_text())
    assert not any("licenses" in r for r in it["resources"])
    assert "licences of its own" not in (datapackages / "it-infrastructure" / "README.md").read_text()
    assert validate_paths([datapackages]).valid  # (frictionless reads a resource's licences as a package's)


def _odbl_results(root: Path, meta: dict[str, Any]) -> None:
    meta["registers"][0]["licenses"] = [CC0]
    meta["registers"][0]["sources"][0]["licenses"] = [ODBL]  # a Sirekap results source of its own licence


def test_every_table_holding_rows_of_a_results_source_with_its_own_licence_says_so(tmp_path: Path) -> None:
    """Review CF M1: only a region list of its own licence was tested, so a package could present the votes of an
    ODbL results source under CC0 alone (``suara`` left out of the tables read from sources, or ``hasil_tps`` never
    given its licences) with no test failing. Every table holding rows read from the source, and the findings made
    of them, lists both licences; the tables written from ``metadata.yml`` list none of their own."""
    release = built(tmp_path, _odbl_results)
    package = json.loads((release.root / "datapackages" / "real-count" / "datapackage.json").read_text())
    assert package["licenses"] == [CC0]
    own = {r["name"]: r.get("licenses") for r in package["resources"]}
    from_sources = {"hasil_tps", "suara", "snapshots", "snapshot_votes", "changes", "quarantine", "wilayah", "tps",
                    "findings"}
    assert from_sources <= set(own)  # (the demo's register 001 has every one of them)
    assert {name: licences for name, licences in own.items() if licences} == dict.fromkeys(from_sources, [ODBL, CC0])
    assert {name for name, licences in own.items() if not licences} == {"pemilu", "peserta", "sources"}
    assert validate_paths([release.root / "datapackages" / "real-count.zip"]).valid


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
    """'Published here, every raw record loaded or quarantined' is true of results, not of a voter list: the
    page says what of it is published.
    Review AV #3: it said "no voter is published" of findings keyed by a voter's number in the TPS list (an age or
    a NIK's region code in the detail); it now says what they hold."""
    release = load_release(demo_project)
    assert "published here, every raw record loaded or quarantined" in page_context(release, "001")["status"]["en"]
    status = page_context(release, "003")["status"]
    assert "published here, every raw record" not in status["en"] and "no voter is published" not in status["en"]
    assert "findings, which name a voter by number in the TPS list" in status["en"]
    assert "never by name, NIK or date of birth" in status["en"]
    assert "menyebut pemilih dengan nomor urutnya di daftar TPS" in status["id"]
    assert "tidak ada pemilih yang dipublikasikan" not in status["id"]
    masked = dataclasses.replace(release.register("003"), publish_individuals="masked")
    _, en, id_ = pages.register_status(masked)
    assert "voter by voter (dpt_pemilih) as KPU masks printed lists: NIK and NKK showing only the region code" in en
    en, id_ = en.removesuffix(legalstatus.WHY_MASKED[0]), id_.removesuffix(legalstatus.WHY_MASKED[1])
    assert en.endswith("whether a disability is recorded.") and "name" not in en.split("dpt_pemilih")[1]
    assert id_.endswith("dan ada tidaknya disabilitas.")


def test_a_voter_list_register_says_why_its_voters_are_not_published_whole(demo_project: Path) -> None:
    """Review BZ L5: the page said what of a voter list is withheld, never why."""
    register = load_release(demo_project).register("003")
    for publish in ("none", "masked"):
        _, en, id_ = pages.register_status(dataclasses.replace(register, publish_individuals=publish))
        assert en.endswith(" Why: a voter's NIK, NKK and date of birth are personal data under the Personal Data "
                           "Protection Law (UU 27/2022), so releasekit never publishes them whole, as KPU hides them "
                           "on the lists it prints."), en
        assert id_.endswith("data pribadi menurut UU 27/2022 tentang Pelindungan Data Pribadi, sehingga releasekit "
                            "tidak pernah memublikasikannya utuh, sebagaimana KPU menyamarkannya pada daftar yang "
                            "dicetaknya."), id_
    assert "27/2022" not in pages.register_status(load_release(demo_project).register("001"))[1]


def test_metadata_yml_takes_who_asked_and_the_provision(tmp_path: Path) -> None:
    """``requester`` and ``provision`` are fields of an act (the schema refused them as unknown keys), and the
    package README lists them with the act."""
    release = built(tmp_path, lambda root, meta: meta["registers"][0]["basis"]["request"].update(
        requester="Perkumpulan Contoh", provision="UU 14/2008 Pasal 4"))
    readme = (release.root / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("- **Request")]
    assert "Perkumpulan Contoh" in line and "UU 14/2008 Pasal 4" in line


def test_who_asked_and_under_which_provision_are_said(demo_project: Path) -> None:
    """Review BZ L5: an act had no field for who asked nor for the legal provision it rests on."""
    basis = {"request": {"requester": "Perkumpulan Contoh", "office": "PPID KPU RI", "date": "2024-02-26",
                         "reference": "REQ-1"},
             "decision": {"body": "KIP", "date": "2024-06-01", "reference": "KIP-9",
                          "provision": "UU 14/2008 Pasal 17 huruf c", "outcome": "exempt"}}
    request, decision = (act["text"] for act in pages._acts(basis))
    assert request == ("Requested by Perkumpulan Contoh on 2024-02-26 from PPID KPU RI (reference REQ-1). / "
                       "Permohonan informasi publik oleh Perkumpulan Contoh kepada PPID KPU RI tanggal 2024-02-26 "
                       "(nomor REQ-1).")
    assert decision == ("Decision by KIP on 2024-06-01 (reference KIP-9) under UU 14/2008 Pasal 17 huruf c: exempt. / "
                        "Putusan KIP tanggal 2024-06-01 (nomor KIP-9) berdasarkan UU 14/2008 Pasal 17 huruf c: "
                        "exempt.")


def test_a_masked_voter_list_with_names_and_addresses_says_so(demo_project: Path) -> None:
    """Review AW #4: a register publishing voters' names and addresses (``individual_fields``) said only "NIK and NKK
    masked"."""
    register = load_release(demo_project).register("003")
    for fields, en_end, id_end in (
            (("nama",), "and the voter's name.", "serta nama pemilih."),
            (("alamat",), "and the address with RT and RW.", "serta alamat dengan RT dan RW."),
            (("alamat", "nama"), "and the voter's name and the address with RT and RW.",
             "serta nama pemilih dan alamat dengan RT dan RW.")):
        _, en, id_ = pages.register_status(dataclasses.replace(
            register, publish_individuals="masked", individual_fields=fields))
        en, id_ = en.removesuffix(legalstatus.WHY_MASKED[0]), id_.removesuffix(legalstatus.WHY_MASKED[1])
        assert en.endswith(f"whether a disability is recorded, {en_end}"), en
        assert id_.endswith(f"dan ada tidaknya disabilitas, {id_end}"), id_


def test_a_partially_open_register_with_a_voter_list_says_what_of_it_is_published(demo_project: Path) -> None:
    """Review AW #5: only an open register's page said what of its voter list is published; a partially open one
    said "what was released is published here", of voters published as counts only."""
    register = dataclasses.replace(load_release(demo_project).register("003"), status="partially-open")
    _, en, id_ = pages.register_status(register)
    assert en.startswith("The publisher marked this register partially open")
    assert "what was released is published here, its voter list as counts per TPS (dpt_rekap) and findings" in en
    assert "bagian yang diberikan dipublikasikan di sini, daftar pemilihnya hanya sebagai jumlah per TPS" in id_


def test_an_open_register_with_no_sources_does_not_say_it_is_published_in_full(demo_project: Path) -> None:
    release = load_release(demo_project)
    for status in ("open", "partially-open"):
        empty = dataclasses.replace(release.register("001"), status=status, sources=())
        label, en, id_ = pages.register_status(empty)
        assert "published here" not in en and "holds none of its files yet" in en and "belum memuat berkasnya" in id_


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
    assert pages.register_status(release.register("003"))[1].startswith(
        "The publisher marked this register open, on the answer or decision recorded below")


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
        _, en, id_ = pages.register_status(dataclasses.replace(register, basis=basis))
        assert en.startswith("The publisher marked this register open, on the answer or decision recorded below: ")
        assert id_.startswith("Penerbit menandai register ini terbuka, berdasarkan jawaban atau putusan yang "
                              "tercatat di bawah: ")


def test_an_answer_releasekit_cannot_read_is_not_said_to_be_kpus_release(demo_project: Path) -> None:
    """Review AW #1: any outcome or decision made the page say "KPU released this register": a refusal the publisher
    still marked open (the data came otherwise), or KIP's decision, not KPU's act. The page says the publisher
    marked it, on the answer listed below it, and lists the request's outcome (AW #2: it was never shown)."""
    register = load_release(demo_project).register("001")
    refused = {"request": {"date": "2024-02-26", "office": "PPID KPU RI", "outcome": "ditolak (dikecualikan)"},
               "decision": {"body": "KIP", "outcome": "permohonan ditolak"}}
    for status in ("open", "partially-open", "exempted", "pending"):
        for basis in (refused, {"decision": {"body": "KIP"}}, {}):
            _, en, id_ = pages.register_status(dataclasses.replace(register, status=status, basis=basis))
            assert "KPU released" not in en and "KPU memberikan" not in id_ and "KPU claims" not in en, en
            assert "KPU menyatakan" not in id_
    acts = [act["text"] for act in pages._acts(refused)]
    assert acts == ["Requested on 2024-02-26 from PPID KPU RI; outcome: ditolak (dikecualikan). / Permohonan informasi "
                    "publik kepada PPID KPU RI tanggal 2024-02-26; hasil: ditolak (dikecualikan).",
                    "Decision by KIP: permohonan ditolak. / Putusan KIP: permohonan ditolak."]


def test_a_withheld_register_says_what_is_recorded_of_it(demo_project: Path) -> None:
    """Review AW #3: an exempted register with no basis was "KPU claims this register is exempt information … this
    page records the legal basis"; a pending one with no request "awaits an answer"; and the page's sources section
    said its legal basis was published either way."""
    register = dataclasses.replace(load_release(demo_project).register("002"), sources=())
    request = {"request": {"date": "2024-02-26"}}
    for status, basis, en, id_ in (
            ("exempted", {}, "The publisher marked this register exempt information, so no data is published: only "
             "its provenance is published.", "Penerbit menandai register ini sebagai informasi yang dikecualikan, "
             "sehingga tidak ada data yang dipublikasikan: hanya asal-usulnya yang dipublikasikan."),
            ("exempted", request, "The publisher marked this register exempt information, so no data is published: "
             "only the legal basis and provenance are published.", "Penerbit menandai register ini sebagai informasi "
             "yang dikecualikan, sehingga tidak ada data yang dipublikasikan: hanya dasar hukum dan asal-usulnya yang "
             "dipublikasikan."),
            ("pending", {}, "The publisher marked this register pending, with no request recorded: only its "
             "provenance is published.", "Penerbit menandai register ini menunggu, tanpa permohonan yang tercatat: "
             "hanya asal-usulnya yang dipublikasikan."),
            ("pending", request, "The request awaits an answer or a decision: only the legal basis and provenance are "
             "published.", "Permohonan menunggu jawaban atau putusan: hanya dasar hukum dan asal-usulnya yang "
             "dipublikasikan.")):
        changed = dataclasses.replace(register, status=status, basis=basis)
        assert pages.register_status(changed)[1:] == (en, id_)
        page = pages.render_register_page({**page_context(load_release(demo_project), "002"), "register": changed,
                                           "kept": dict(zip(("en", "id"), legalstatus.KEPT[bool(basis)], strict=True))})
        said = "only its provenance is published" if not basis else "only the legal basis and provenance are published"
        assert f"This register publishes no data: {said}." in page


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
        assert f"Provenance / asal-usul: register 001, {label}, 2 sources and 1 of register 003, releasekit " \
            f"{prov['releasekit_version']}" in page  # (review AW #10: "3 sources", where its page lists 2)
        assert ("<tr><td>raw/synthetic_wilayah_kpu<br><em class=\"owner\">register 003's: named places this package "
                "holds / milik register 003: nama tempat yang dimuat paket ini</em></td>") in page
        assert f'Inputs SHA-256 / hash masukan: <code class="sha256">{prov["inputs_sha256"]}</code>' in page
        assert "Requested on 2024-02-26 from PPID KPU RI (reference DEMO-PPID-2024-001 (synthetic reference))" in page
        for src in (s for s in prov["sources"] if "register" not in s):
            assert (f"<tr><td>{src['path']}</td><td><code class=\"sha256\">{src['sha256']}</code></td>"
                    f"<td>{src['bytes']:,}</td>"
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
            (answered, "The publisher marked this register partially open, on the answer or decision recorded below, "
             "but", "Penerbit menandai register ini terbuka sebagian, berdasarkan jawaban atau putusan yang tercatat "
             "di bawah, tetapi"),
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


def test_the_register_page_writes_its_numbers_one_way_and_says_which(demo_project: Path, tmp_path: Path) -> None:
    """Review AV #6 and AW #9: the record counts were written unformatted (8679) beside formatted sizes, shares with
    as many decimals as they happened to have (28.3 beside 55.17), and no Indonesian reader was told that 1,936,408
    is written the English way."""
    release = load_release(demo_project)
    page = Site.written(release, tmp_path / "site").get("/registers/003").text
    row = page.split('data-path="raw/dpt_5202_20230702.csv.gz"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num records-in">8,679</td>' in row and '<td class="num records-loaded">8,676</td>' in row
    shares = re.findall(r'<td class="num">([0-9.]+)</td><td class="num">[0-9,]+</td></tr>', page)
    assert shares and all(re.fullmatch(r"[0-9]+\.[0-9]{2}", share) for share in shares), shares
    assert "1,936,408 berarti 1.936.408 dan 41.04% berarti 41,04%" in page


def test_the_package_readme_states_the_status_as_the_page_does(demo_project: Path) -> None:
    """Review AW #7: the package README said "open — the data may be published / terbuka" of every open register, and
    "KPU claims an exemption" of an exempted one with no basis, where the page says what the basis records."""
    release = load_release(demo_project)
    for register in release.registers:
        label, en, id_ = pages.register_status(register)
        readme = (demo_project / "datapackages" / register.slug / "README.md").read_text()
        status = next(line for line in readme.splitlines() if line.startswith("Status: "))
        assert status == f"Status: **{label}** — {en} / {id_}"
    assert "may be published / terbuka" not in readme and "KPU claims" not in readme


def test_the_canned_queries_say_the_same_in_indonesian() -> None:
    """Review AW #8: the Indonesian descriptions left out what the English warns of: a province's sample is no national
    total, at most 1,000 rows are shown, the time limit at national scale, the parameters."""
    from releasekit.queries import CANNED_QUERIES, SNAPSHOT_QUERIES

    said = {name: query["description"].split(" / ", 1)[1]
            for name, query in {**CANNED_QUERIES, **SNAPSHOT_QUERIES}.items()}
    assert "bukan total nasional" in said["totals_national"]
    assert "Paling banyak 1.000 baris ditampilkan" in said["tps_with_findings"]
    assert "kode_wilayah" in said["tps_with_findings"] and "rule kosong" in said["tps_with_findings"]
    assert "batas waktu" in said["totals_as_of"]
    for name in ("completeness", "turnout"):
        assert "kode_induk" in said[name] and "provinsi_dengan_hasil" in said[name]


def test_every_heading_of_the_register_page_and_the_home_page_is_in_both_languages(demo_project: Path,
                                                                                     tmp_path: Path) -> None:
    """Review AW #11 and #12: the register page's column headers (election, snapshot, source, reader, in, loaded,
    quarantined …), its links to the canned queries, its accounting and build sentences were English only, the home
    page's heading read "Registers / Register", and "TPS with votes" counted TPS with any figure, 0 included."""
    release = load_release(demo_project)
    site = Site.written(release, tmp_path / "site")
    for register in ("001", "003"):
        page = html.unescape(site.get(f"/registers/{register}").text)
        headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
        assert headers and all(" / " in h for h in headers if h not in ("%", "SHA-256")), headers
        assert "TPS with votes" not in headers and ("TPS counted / TPS terhitung" in headers or register != "001")
        for english, indonesian in (("per province", "per provinsi"), ("TPS with findings", "TPS dengan temuan"),
                                    ("in = loaded + quarantined", "masuk = dimuat + dikarantina"),
                                    ("the same inputs give the same release", "masukan yang sama menghasilkan")):
            assert english in page and indonesian in page, english
        assert '<a href="/">home / beranda</a> / <a href="/registers">registers / register</a>' in page
    home = html.unescape(site.get("/").text)
    assert "<h2>Registers / Daftar register</h2>" in home and "Registers / Register<" not in home
    assert "Diturunkan oleh releasekit" in site.get("/release/rekap_suara").text


def test_the_package_readme_says_how_to_read_each_rules_findings(demo_project: Path) -> None:
    """Review AX #4: the findings' codebook sent the reader to "DESIGN.md section 6" and "the rule's table in the
    README", neither in the package, while what expected and actual hold changes from rule to rule."""
    from releasekit.rules import BY_SLUG

    release = load_release(demo_project)
    register = release.register("003")
    folder = demo_project / "datapackages" / register.slug
    readme = (folder / "README.md").read_text(encoding="utf-8")
    with (folder / "data" / "findings.csv").open(encoding="utf-8", newline="") as f:
        found = {row["rule"] for row in csv.DictReader(f)}
    assert {"dpt-results-mismatch", "duplicate-nik"} <= found
    table = {line.split(" | ")[0].strip("| `"): line.split(" | ") for line in readme.splitlines()
             if line.startswith("| `") and line.split(" | ")[0].strip("| `") in BY_SLUG}
    assert set(table) == {slug for slug in BY_SLUG if register.rules.get(slug, None) is None
                          or register.rules[slug].severity != "off"} >= found
    assert table["dpt-results-mismatch"][4:6] == ["the voter list / DPT: `dpt_rekap.pemilih_j`",
                                                  "the results / hasil: `hasil_tps.pemilih_dpt_j` |"]
    assert table["ballots-sum-mismatch"][4] == "`suara_total`"
    assert "nomor pemilih" in table["duplicate-nik"][3]
    for path in folder.rglob("*"):
        if path.is_file():
            assert "DESIGN.md" not in path.read_text(encoding="utf-8"), path


def _a_bad_line_in_register_003s_region_list(root: Path, meta: dict[str, Any]) -> None:
    with (root / "raw" / "synthetic_wilayah_kpu" / "villages.csv").open("a", encoding="utf-8") as f:
        f.write("34010,340101,NOT A CODE\n")
    source = next(s for s in meta["registers"][2]["sources"] if s["path"] == "raw/synthetic_wilayah_kpu")
    del source["sha256"]


def test_a_package_holds_the_quarantined_records_of_another_registers_list_it_lists(tmp_path: Path) -> None:
    """Review AX #3: register 001's sources.csv listed register 003's region list with its quarantined records, and its
    quarantine.csv held none of them: a downloader reconciling the counts found them missing, and no word said
    where they were."""
    from releasekit import validate_paths

    release = built(tmp_path, _a_bad_line_in_register_003s_region_list)
    folder = release.root / "datapackages" / "real-count"
    with (folder / "data" / "sources.csv").open(encoding="utf-8", newline="") as f:
        listed = {row["path"]: row for row in csv.DictReader(f)}
    with (folder / "data" / "quarantine.csv").open(encoding="utf-8", newline="") as f:
        held = [row for row in csv.DictReader(f) if row["source"] == "raw/synthetic_wilayah_kpu"]
    other = listed["raw/synthetic_wilayah_kpu"]
    assert other["register"] == "003" and int(other["records_quarantined"]) == len(held) == 1
    assert "NOT A CODE" in held[0]["raw"]
    assert "its quarantined records are in quarantine.csv too" in (folder / "README.md").read_text(encoding="utf-8")
    assert validate_paths(folder).valid
    # Review BA #3: validate holds the package to it, as to a source of its own (their rows removed, hashes fixed).
    from test_validate import rewrite

    rewrite(folder, "quarantine", lambda rows: rows.__setitem__(slice(None), [
        r for r in rows if r[0] != "raw/synthetic_wilayah_kpu"]))
    report = validate_paths(folder)
    assert not report.valid and any("raw/synthetic_wilayah_kpu: quarantine.csv holds 0 row(s)" in e.message
                                    for p in report.packages for e in p.problems)


def test_the_package_readme_says_how_to_read_codes_as_text_and_hash_a_folder(demo_project: Path,
                                                                             tmp_path: Path) -> None:
    """Review AX #7, #8: `sha256sum` cannot hash a folder source and the recipe was only in releasekit's README; pandas
    read `001` as 1 and the package said only "keep leading zeros". The README's script gives the folder's sha256 as
    sources.csv lists it, and its pandas line for each table reads every text column as text."""
    import subprocess
    import sys

    folder = demo_project / "datapackages" / "real-count"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    script = readme.split("folder_sha256.py raw/…`):\n\n```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "folder_sha256.py").write_text(script, encoding="utf-8")
    with (folder / "data" / "sources.csv").open(encoding="utf-8", newline="") as f:
        listed = {row["path"]: row["sha256"] for row in csv.DictReader(f)}
    given = subprocess.run([sys.executable, str(tmp_path / "folder_sha256.py"), "raw/synthetic_wilayah_kpu"],
                           cwd=demo_project, capture_output=True, text=True, check=True).stdout.strip()
    assert given == listed["raw/synthetic_wilayah_kpu"]
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:  # (review CC L1: now every column, by its type; test_reading_tips)
        line = next(line for line in readme.splitlines() if f'pd.read_csv("{resource["path"]}"' in line)
        dtype = json.loads(line.split("dtype=", 1)[1].split("}, keep_default_na", 1)[0] + "}")
        assert {name: "string" for name, kind in dtype.items() if kind == "string"} == {
            f["name"]: "string" for f in resource["schema"]["fields"] if f["type"] in ("string", "date")}
    assert "frictionless index" in readme


def test_the_indonesian_uses_kpus_words(demo_project: Path, tmp_path: Path) -> None:
    """Review CD L4: "status_suara-nya sudah benar" (already *correct*) for a flag that was set, "sah" (a ballot's
    validity; lawful) for a package that passed validation, "tingkat" (a region's level on every other page) for a
    rule's severity, "C1-plano" (2019's form) for the 2024 tally form, "perhitungan" (calculation) for counting."""
    from releasekit.queries import CANNED_QUERIES

    datapackage = (demo_project / "datapackages" / "real-count" / "datapackage.json").read_text(encoding="utf-8")
    readme = (demo_project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    page = Site.written(load_release(demo_project), tmp_path / "site").get("/registers/001").text
    said = datapackage + readme + page + json.dumps(CANNED_QUERIES, ensure_ascii=False)
    for wrong in ("sudah benar", "C1-plano", "perhitungan", "/ sah", "TIDAK SAH", "severity / tingkat<"):
        assert wrong not in said, wrong
    assert "status_suara-nya bernilai true (TPS sudah lengkap)" in readme + page
    assert "Model C.Hasil" in datapackage and "penghitungan rekaman" in readme + page
    from releasekit.report import INVALID, VALID

    assert (VALID, INVALID) == ("valid / lolos validasi", "INVALID / tidak lolos validasi")
    assert "severity / tingkat keparahan" in page
