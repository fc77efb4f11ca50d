"""Auditing a release from its site alone (review BZ): a number leads to its source and the rules' findings about
it, each register's page explains its findings and reconciles its records, and the package README is a page.

Each test reads the demo project's site as Datasette serves it.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from conftest import Site, copy_demo, query, write_metadata
from releasekit import build, load_release
from releasekit.publish import write_site
from releasekit.rules import BY_SLUG


@pytest.fixture(scope="module")
def site(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return Site.written(load_release(demo_project), tmp_path_factory.mktemp("audit") / "site")


def _links(page: str, pattern: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(pattern, page)]


# --------------------------------------------------------------------------- the register page's findings


def test_the_register_page_explains_each_rule_and_counts_its_findings(demo_project: Path, site: Site) -> None:
    """Each rule the register runs is a row: its title, severity, what its key, expected and actual are, and its
    findings counted, linked to exactly those findings (review BZ M1: the explanations were only in the zips)."""
    page = site.get("/registers/001").text
    section = page.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    rows = dict(re.findall(r'<tr class="rule" data-rule="([^"]+)">(.*?)</tr>', section, re.DOTALL))
    run = {slug for (slug,) in query(demo_project, "SELECT DISTINCT rule FROM findings WHERE register = '001'")}
    package = demo_project / "datapackages" / "real-count" / "datapackage.json"
    settings = json.loads(package.read_text(encoding="utf-8"))["releasekit"]["rules"]
    assert run and run <= set(rows)
    for slug, row in rows.items():
        rule = BY_SLUG[slug]
        assert rule.title in html.unescape(row)
        assert "<code>" in row.split("</td>", 5)[4]  # (the key's Markdown, `kode_tps`, as HTML)
        (count,) = query(demo_project, "SELECT count(*) FROM findings WHERE register = '001' AND rule = ?", (slug,))[0]
        cells = re.findall(r'<td class="num">(.*?)</td>', row)
        if count:
            (url,) = _links(cells[0], r'<a href="([^"]+)">')
            assert re.sub(r"<[^>]+>", "", cells[0]) == f"{count:,}"
            path, _, args = url.partition("?")
            assert site.json(f"{path}.json?{args}")["filtered_table_rows_count"] == count
        elif reason := settings[slug].get("not_checked"):  # (nothing to check: no 0, what was missing instead)
            assert cells == [f'<span class="not-checked">not checked / tidak diperiksa: {html.escape(reason)}</span>']
        else:
            assert cells == ["0"]
    assert any("not_checked" in s for s in settings.values()) and any(  # (both kinds of row are on the page)
        "not_checked" not in s and not query(demo_project, "SELECT 1 FROM findings WHERE register = '001' AND rule = ?",
                                             (slug,)) for slug, s in settings.items() if s["severity"] != "off")


def test_a_rule_turned_off_is_not_listed_and_a_threshold_is(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "project")
    meta = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8"))
    meta["registers"][0]["rules"] = {"votes-sum-mismatch": "off", "duplicate-nik": "off",
                                     "ballots-sum-mismatch": {"severity": "error", "error_if": "> 0.5%"}}
    write_metadata(root, meta)
    release = load_release(root)
    build(release)
    # a rule turned off is not said to have had nothing to check, even where it had nothing (001 has no voter list;
    # review CF L1): its settings say off and no more
    package = json.loads((root / "datapackages" / "real-count" / "datapackage.json").read_text(encoding="utf-8"))
    rules = package["releasekit"]["rules"]
    assert {slug: "not_checked" in rules[slug] for slug in ("duplicate-nik", "votes-sum-mismatch", "invalid-nik")} == {
        "duplicate-nik": False, "votes-sum-mismatch": False, "invalid-nik": True}
    assert rules["duplicate-nik"]["severity"] == "off"
    page = Site.written(release, tmp_path / "site").get("/registers/001").text
    section = page.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    assert 'data-rule="votes-sum-mismatch"' not in section and 'data-rule="voters-ballots-mismatch"' in section
    row = section.split('data-rule="ballots-sum-mismatch">', 1)[1].split("</tr>", 1)[0]
    assert "<td>error (error if / error jika &gt; 0.5%)</td>" in row


def test_tps_with_findings_narrows_to_the_register_its_page_links_from(demo_project: Path, site: Site) -> None:
    """The query took no register: the register page's link mixed registers 001 and 003 (review BZ M1)."""
    page = site.get("/registers/001").text
    links = set(_links(page, r'href="(/release/tps_with_findings[^"]*)"'))
    assert links == {"/release/tps_with_findings?register=001"}
    every = site.json("/release/tps_with_findings.json?_shape=array&_size=max")
    mine = site.json("/release/tps_with_findings.json?register=001&_shape=array&_size=max")
    assert {row["register"] for row in every} == {"001", "003"}
    assert mine == [row for row in every if row["register"] == "001"] and mine


# --------------------------------------------------------------------------- the package README as a page


def test_the_package_readme_is_a_page_of_the_site(demo_project: Path, site: Site) -> None:
    """The changelog and codebook were only inside the zip (review BZ M1)."""
    readme = (demo_project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    page = site.get("/registers/001").text
    assert '<a class="codebook" href="/registers/001/codebook">' in page
    codebook = site.get("/registers/001/codebook").text
    assert "<h2>Changelog / Catatan perubahan</h2>" in codebook
    for heading in re.findall(r"^### (.+)$", readme, re.MULTILINE):
        inline = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(heading, quote=False))
        assert f"<h3>{inline}</h3>" in codebook, heading
    assert codebook.count("<table>") == readme.count("\n|---")
    assert site.get("/registers/002").text.count("/registers/002/codebook") == 1


def test_the_codebook_writes_its_numbers_as_the_register_page_does(demo_project: Path, site: Site) -> None:
    """Review CD L5: the register page wrote 29,402 and said how it writes numbers; the codebook page, the package
    README, wrote 29402 and said nothing to a reader who writes 29.402. Its counts of four digits or more now have
    separators (its hashes, codes and dates are not counts), and it says so."""
    from releasekit.codebook import NUMBERS_NOTE

    readme = (demo_project / "datapackages" / "real-count" / "README.md").read_text(encoding="utf-8")
    assert NUMBERS_NOTE in readme and html.escape(NUMBERS_NOTE, quote=False) in site.get("/registers/001/codebook").text
    (rows,) = query(demo_project, "SELECT count(*) FROM suara v JOIN hasil_tps h USING (kode_pemilu, snapshot, "
                                  "kode_tps) JOIN sources s ON s.path = h.sumber WHERE s.register = '001'")[0]
    assert rows >= 1000 and f"Rows: {rows:,} · primary key: `kode_pemilu, snapshot, kode_tps, nomor_urut`" in readme
    for snapshot, tps, source_bytes in query(demo_project, "SELECT n.snapshot, n.tps, s.bytes FROM snapshots n "
                                                           "JOIN sources s ON s.path = n.source "
                                                           "WHERE s.register = '001'"):
        assert f"- {tps:,} TPS, " in readme and f" | {source_bytes:,} | " in readme, snapshot
    votes = [v for (v,) in query(demo_project, "SELECT v.suara FROM snapshot_votes v JOIN sources s "
                                               "ON s.path = v.source WHERE s.register = '001' AND v.suara >= 1000")]
    assert votes and all(f" | {v:,} | " in readme for v in votes)
    # (no count of four digits or more is left without separators: not in a table's cell, nor in the changelog)
    assert not re.findall(r"\| [+−]?\d{4,} \|", readme)
    changelog = readme.split("## Changelog", 1)[1].split("## Codebook", 1)[0]
    assert not re.findall(r"[:(] \d{4,}\b|^- \d{4,} TPS", changelog, re.MULTILINE)


class _UnmarkedIndonesian(HTMLParser):
    """The text of a page's paragraphs outside any element marked ``lang="id"``, that reads as Indonesian."""

    WORDS = re.compile(r"\b(yang|setiap|tidak|dengan|dari|untuk|pada|register ini|semua)\b")
    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("lang") == "id"))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _ in self.stack]
        if "p" in tags and not any(lang for _, lang in self.stack) and self.WORDS.search(data):
            self.found.append(data.strip())


@pytest.mark.parametrize("register", ["001", "002", "003"])
def test_the_indonesian_sentences_of_a_register_page_are_marked_as_indonesian(site: Site, register: str) -> None:
    """Review CD L5: only the legal status was marked lang="id"; a screen reader read every other Indonesian sentence
    of the page (the download, totals, accounting, findings and build sections) with English rules."""
    parser = _UnmarkedIndonesian()
    parser.feed(site.get(f"/registers/{register}").text)
    assert parser.found == []


def test_the_codebook_page_shows_html_from_metadata_as_text(tmp_path: Path) -> None:
    """A title from ``metadata.yml`` holding markup or template syntax is text on the page, never HTML."""
    root = copy_demo(tmp_path / "project")
    meta = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8"))
    meta["registers"][0]["title"] = "Real count <script>alert(1)</script> {{ 7 * 7 }}"
    write_metadata(root, meta)
    release = load_release(root)
    build(release)
    codebook = Site.written(release, tmp_path / "site").get("/registers/001/codebook").text
    assert "<script>alert(1)</script>" not in codebook and "&lt;script&gt;alert(1)&lt;/script&gt;" in codebook
    assert "{{ 7 * 7 }}" in html.unescape(codebook)


# --------------------------------------------------------------------------- from a number to its source


def test_a_source_path_in_a_row_links_to_its_row_of_sources(site: Site) -> None:
    """``hasil_tps.sumber``, ``quarantine.source``: the path was plain text (review BZ H1)."""
    for table, column in (("hasil_tps", "sumber"), ("quarantine", "source"), ("snapshots", "source")):
        page = site.get(f"/release/{table}").text
        cells = re.findall(rf'<td class="col-{column} type-str"><a href="([^"]+)">([^<]+)</a>', page)
        assert cells, table
        for url, path in cells:
            target, _, args = html.unescape(url).partition("?")
            assert target == "/release/sources" and unquote(args) == f"path={path}"
            rows = site.json(f"/release/sources.json?{args}&_shape=array")
            assert [row["path"] for row in rows] == [path]
    sources = site.get("/release/sources").text
    assert '<td class="col-path type-str"><a ' not in sources


def test_a_findings_key_leads_to_its_tps_and_the_tps_to_its_findings(demo_project: Path, site: Site) -> None:
    """A finding's key links to the TPS's page, whose findings link lists exactly the findings about it (review BZ
    H1: findings.key is text, so the TPS's page listed no findings)."""
    page = site.get("/release/findings?register=001&rule=votes-sum-mismatch").text
    keys = re.findall(r'<td class="col-key type-str"><a href="/release/tps/([0-9]{13})">\1</a></td>', page)
    assert keys
    for kode_tps in keys[:3]:
        tps_page = site.get(f"/release/tps/{kode_tps}").text
        (url,) = _links(tps_page, r'<p class="findings-of-tps"><a href="([^"]+)">')
        path, _, args = url.partition("?")
        found = site.json(f"{path}.json?{args}&_shape=array&_size=max")
        expected = query(demo_project, "SELECT rule, key FROM findings WHERE substr(key, 1, 13) = ? ORDER BY rowid",
                         (kode_tps,))
        assert sorted((row["rule"], row["key"]) for row in found) == sorted(expected)
        assert any(rule == "votes-sum-mismatch" for rule, _ in expected)
    voters = site.get("/release/findings?rule=duplicate-nik").text
    assert re.search(r'<a href="/release/tps/([0-9]{13})">\1</a>/[0-9]+</td>', voters)


def test_a_findings_key_of_a_tps_the_release_does_not_hold_is_not_linked(demo_project: Path, tmp_path: Path) -> None:
    """An ``unknown-tps`` finding is about a TPS with no row: its key is no link to a page not found."""
    folder = write_site(load_release(demo_project), tmp_path / "site").folder
    with closing(sqlite3.connect(folder / "release.db")) as db, db:
        db.execute("UPDATE findings SET key = '9999999999999' WHERE rowid = (SELECT min(rowid) FROM findings "
                   "WHERE rule = 'votes-sum-mismatch')")
    page = Site(folder).get("/release/findings?key=9999999999999").text
    assert '<td class="col-key type-str">9999999999999</td>' in page


# --------------------------------------------------------------------------- the accounting reconciles


def test_the_sources_table_has_a_total_and_names_the_other_registers_list(demo_project: Path, site: Site) -> None:
    """Review BZ L2: no total row; the package's sources.csv lists register 003's region list, the page did not."""
    page = site.get("/registers/001").text
    foot = page.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    sums = query(demo_project, "SELECT sum(records_in), sum(records_loaded), sum(records_quarantined) FROM sources "
                               "WHERE register = '001'")[0]
    assert re.findall(r'<td class="num records-[a-z]+">([0-9,]+)</td>', foot) == [f"{n:,}" for n in sums]
    assert sums[0] == sums[1] + sums[2] and sums[2]
    borrowed = page.split('<p class="borrowed">', 1)[1].split("</p>", 1)[0]
    (path,) = [p for (p,) in query(demo_project, "SELECT path FROM sources WHERE register = '003' AND format = "
                                                 "'kpu-wilayah-csv'")]
    assert f"<code>{path}</code>" in borrowed and '<a href="/registers/003">003</a>' in borrowed


# --------------------------------------------------------------------------- drilling down from a total


def _region_links(site: Site, url: str) -> dict[str, str]:
    page = site.get(url).text
    return {code: html.unescape(link) for link, code in
            re.findall(r'<td class="col-kode_wilayah"><a href="([^"]+)">([0-9]+)</a></td>', page)}


def _rows(site: Site, url: str) -> list[dict[str, object]]:
    path, _, args = url.partition("?")
    return site.json(f"{path}.json?{args}&_shape=array&_size=max")  # type: ignore[no-any-return]


def test_a_total_leads_down_to_the_tps_results_it_sums(demo_project: Path, site: Site) -> None:
    """Province → regency → district → village → its TPS results, each a link of the query's own result, and the
    village's TPS rows sum to its total (review BZ M3: each level's code was typed into the next query's form)."""
    snapshot = "2024-02-20"
    url = f"/release/totals_province?snapshot={snapshot}"
    for length in (2, 4, 6, 10):
        links = _region_links(site, url)
        assert links and all(len(code) == length for code in links), (url, links)
        code, url = sorted(links.items())[0]
    rows = _rows(site, url)
    assert url.startswith("/release/hasil_tps?") and rows and all(
        str(row["kode_tps"]).startswith(code) and row["snapshot"] == snapshot for row in rows)
    village = _rows(site, f"/release/totals_desa?kecamatan={code[:6]}&snapshot={snapshot}")
    votes = query(demo_project, "SELECT sum(s.suara) FROM suara s WHERE s.snapshot = ? AND s.kode_tps GLOB ?",
                  (snapshot, f"{code}*"))[0][0]
    assert votes == sum(int(str(r["suara"])) for r in village if r["kode_wilayah"] == code)
    national = _region_links(site, "/release/totals_national")
    assert set(national) == {"0"} and national["0"].startswith("/release/totals_province?snapshot=")


def test_completeness_and_turnout_lead_to_themselves_one_level_down(site: Site) -> None:
    for name in ("completeness", "turnout"):
        links = _region_links(site, f"/release/{name}?snapshot=2024-02-20")
        code, url = sorted(links.items())[0]
        assert url == f"/release/{name}?kode_induk={code}&snapshot=2024-02-20"
        below = _rows(site, url)
        assert below and all(str(row["kode_wilayah"]).startswith(code) and len(str(row["kode_wilayah"])) == 4
                             for row in below)


# --------------------------------------------------------------------------- row pages lead on (review CD M3)


def _cell(page: str, column: str) -> str:
    (cell,) = re.findall(rf'<td class="col-{column} type-[a-z]+">(.*?)</td>', page, re.S)
    return cell


def _chain(page: str) -> list[tuple[str, str]]:
    (chain,) = re.findall(r'<p class="region-chain">(.*?)</p>', page, re.S)
    return [(html.unescape(url), html.unescape(name)) for url, name in re.findall(r'<a href="([^"]+)">([^<]*)</a>',
                                                                                   chain)]


def _up(demo_project: Path, code: str) -> list[tuple[str, str]]:
    """The regions ``code`` lies in, province first, by ``kode_induk`` in the database."""
    chain = []
    while code:
        (nama, parent), = query(demo_project, "SELECT nama, kode_induk FROM wilayah WHERE kode_wilayah = ?", (code,))
        chain.insert(0, (f"/release/wilayah/{code}", nama))
        code = parent
    return chain


def test_a_row_page_names_and_links_the_codes_it_holds(demo_project: Path, site: Site) -> None:
    """A TPS's page names its village and links it; a region's page its parent, and says what its level is; both
    show the chain of regions up to the province (review CD M3: the codes were bare, with no link up)."""
    (kode_tps, village), = query(demo_project, "SELECT kode_tps, kode_wilayah FROM tps ORDER BY kode_tps LIMIT 1")
    (name, parent, level), = query(demo_project, "SELECT nama, kode_induk, tingkat FROM wilayah WHERE kode_wilayah = ?",
                                   (village,))
    tps = site.get(f"/release/tps/{kode_tps}").text
    assert _cell(tps, "kode_wilayah") == f'<a href="/release/wilayah/{village}">{name}</a>&nbsp;<em>{village}</em>'
    chain = _up(demo_project, village)
    assert len(chain) == 4 and _chain(tps) == chain
    for url, _ in chain:
        site.get(url)
    region = site.get(f"/release/wilayah/{village}").text
    (parent_name,), = query(demo_project, "SELECT nama FROM wilayah WHERE kode_wilayah = ?", (parent,))
    assert _cell(region, "kode_induk") == (f'<a href="/release/wilayah/{parent}">{parent_name}</a>'
                                           f'&nbsp;<em>{parent}</em>')
    assert level == 4 and _cell(region, "tingkat") == "4&nbsp;<em>desa/kelurahan</em>"
    assert _chain(region) == chain
    assert site.json(f"/release/tps/{kode_tps}.json?_shape=array")[0]["kode_wilayah"] == village  # (JSON: the code)


def test_a_tps_result_page_shows_its_votes_and_leads_to_its_findings(demo_project: Path, site: Site) -> None:
    """A TPS's results on a snapshot list its votes per candidate, by name, and link them as a table, this TPS on
    every snapshot, its regions and the findings about it; a candidate's votes there link back (review CD M3: no
    "Links from other tables" followed ``suara``'s key of three columns)."""
    (kode_pemilu, snapshot, kode_tps), = query(
        demo_project, "SELECT kode_pemilu, snapshot, key FROM findings WHERE rule = 'votes-sum-mismatch' "
                      "ORDER BY snapshot, key LIMIT 1")
    row = f"/release/hasil_tps/{kode_pemilu},{snapshot},{kode_tps}"
    page = site.get(row).text
    assert _cell(page, "kode_tps") == f'<a href="/release/tps/{kode_tps}">{kode_tps}</a>'
    (table,) = re.findall(r'<table class="votes">(.*?)</table>', page, re.S)
    shown = [(int(nomor), html.unescape(nama), int(suara.replace(",", ""))) for _, nomor, nama, suara in re.findall(
        r'<tr><td><a href="([^"]+)">([0-9]+)</a></td><td>([^<]*)</td>\s*<td class="num">([0-9,]+)</td></tr>', table)]
    expected = query(demo_project, "SELECT s.nomor_urut, p.nama, s.suara FROM suara s JOIN peserta p USING "
                                   "(kode_pemilu, nomor_urut) WHERE s.kode_pemilu = ? AND s.snapshot = ? AND "
                                   "s.kode_tps = ? ORDER BY s.nomor_urut", (kode_pemilu, snapshot, kode_tps))
    assert len(expected) == 3 and shown == [tuple(r) for r in expected]
    links = _links(page, r'<a href="(/release/(?:suara|hasil_tps|findings)\?[^"]+)">')
    as_table, every_snapshot, findings = links
    assert [(r["nomor_urut"], r["suara"]) for r in _rows(site, as_table)] == [(n, v) for n, _, v in expected]
    assert {r["snapshot"] for r in _rows(site, every_snapshot)} == {
        s for (s,) in query(demo_project, "SELECT snapshot FROM hasil_tps WHERE kode_tps = ?", (kode_tps,))}
    assert "votes-sum-mismatch" in {r["rule"] for r in _rows(site, findings)}
    assert _chain(page) == _up(demo_project, kode_tps[:10])
    vote = site.get(f"/release/suara/{kode_pemilu},{snapshot},{kode_tps},2").text
    (up,) = _links(vote, r'<p class="up"><a href="([^"]+)">')
    assert up == row
    assert f"Candidate / Peserta 2: {html.escape(expected[1][1])}" in vote


def test_tps_with_findings_links_each_tps(demo_project: Path, site: Site) -> None:
    """Review CD L6: the query's ``key`` and ``kode_tps`` were plain text."""
    page = site.get("/release/tps_with_findings?register=001").text
    linked = re.findall(r'<td class="col-kode_tps"><a href="/release/tps/([0-9]{13})">\1</a></td>', page)
    keys = re.findall(r'<td class="col-key"><a href="/release/tps/([0-9]{13})">\1</a>', page)
    assert linked and len(keys) == len(linked) == page.count('<td class="col-kode_tps">')


def test_a_canned_query_shows_its_figures_first_and_with_separators(site: Site) -> None:
    """Review CD L3: each query's page opened with its SQL, running off the page, and wrote ``3573389``."""
    page = site.get("/release/totals_province?snapshot=2024-02-20").text
    assert 'id="sql-query"' not in page and "show" in page
    figures = re.findall(r'<td class="col-suara">([0-9,]+)</td>', page)
    assert figures and any("," in f for f in figures), figures
    assert all(re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*", f) for f in figures)
    raw = site.json("/release/totals_province.json?snapshot=2024-02-20&_shape=array")
    assert sorted(int(f.replace(",", "")) for f in figures) == sorted(int(str(r["suara"])) for r in raw)


def test_the_register_page_unzips_each_package_into_a_folder_of_its_own(demo_project: Path, site: Site) -> None:
    """Review CC L8: a zip holds its files at its root (as Frictionless reads a zip), and the page said "unzipped":
    two packages unzipped in one downloads folder mixed. The commands it gives now keep each in its own folder."""
    for register in load_release(demo_project).registers:
        page = html.unescape(site.get(f"/registers/{register.id}").text)
        assert f"unzip -d {register.slug} {register.slug}.zip" in page
        assert f"frictionless validate {register.slug}/datapackage.json" in page
