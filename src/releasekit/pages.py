"""The register pages of the Datasette site: legal status, sources, accounting, downloads, charts.

A register page is a fact sheet of one build, so it is rendered once, when the
site is written (:mod:`releasekit.publish`), from three places that already
hold the facts: ``metadata.yml`` (status and legal basis), the ``sources``
table (hashes and record accounting, the same rows Datasette shows) and the
register's ``datapackage.json`` (version, inputs hash, resources). The result
is a Datasette custom page (``templates/pages/registers/<id>.html``), so a
plain ``datasette serve`` of the bundle shows it without any plugin.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt

from . import queries
from .charts import PALETTE, Bar, bar_chart
from .codebook import web_url
from .config import License, Register, Release
from .database import percent
from .legalstatus import kept, register_status
from .metadatafile import METADATA_FILE
from .package import ALWAYS_FILTERED, REGISTER_FILTERS, SOURCE_COLUMNS, held_alone, holds_every_source
from .tables import REGISTER_SOURCES

DATABASE = "release"

@dataclass(frozen=True)
class Download:
    """A file offered for download with its checksum."""

    name: str
    url: str
    sha256: str
    bytes: int
    #: what ``releasekit validate`` found in it when the site was written, a line per kind of problem (empty: it
    #: is valid); None for a file no one checked (the database)
    problems: tuple[str, ...] | None = None


def register_url(register: Register) -> str:
    """Where the register's page is served."""
    return f"/registers/{register.id}"


def table_url(table: str, **filters: str) -> str:
    """A Datasette table URL, optionally filtered (``column__in`` takes a JSON list)."""
    url = f"/{DATABASE}/{quote(table)}"
    return f"{url}?{urlencode(filters)}" if filters else url


#: How each legal act reads: (basis key, (opening word, (act key, phrase) in reading order) in English, then the same
#: in Indonesian). Who asked, and the legal provision an act rests on, are said where given (review BZ L5: no field held
#: them). The request's outcome, as the publisher wrote KPU's answer, is listed (review AW #2: it went unsaid,
#: though the status sentence points to it).
_ACTS = (
    ("request",
     ("Requested", (("requester", " by {}"), ("date", " on {}"), ("office", " from {}"),
                    ("reference", " (reference {})"), ("provision", " under {}"), ("outcome", "; outcome: {}"))),
     ("Permohonan informasi publik", (("requester", " oleh {}"), ("office", " kepada {}"), ("date", " tanggal {}"),
                                      ("reference", " (nomor {})"), ("provision", " berdasarkan {}"),
                                      ("outcome", "; hasil: {}")))),
    ("decision",
     ("Decision", (("body", " by {}"), ("date", " on {}"), ("reference", " (reference {})"),
                   ("provision", " under {}"), ("outcome", ": {}"))),
     ("Putusan", (("body", " {}"), ("date", " tanggal {}"), ("reference", " (nomor {})"),
                  ("provision", " berdasarkan {}"), ("outcome", ": {}")))),
)


def _acts(basis: dict[str, Any]) -> list[dict[str, str | None]]:
    """The request and decision in plain words, English then Indonesian, each with its web address (None unless
    http or https)."""
    out: list[dict[str, str | None]] = []
    for key, *languages in _ACTS:
        act = basis.get(key)
        if act:
            text = " / ".join(opening + "".join(phrase.format(act[k]) for k, phrase in phrases if act.get(k)) + "."
                              for opening, phrases in languages)
            out.append({"text": text, "url": web_url(act.get("url"))})
    return out


#: The most sources a table page lists of a register (the register's page lists them all).
PROVENANCE_SOURCES = 10


def provenance_html(register: Register, descriptor: dict[str, Any] | None) -> str:
    """The register's provenance as the pages of the tables it publishes show it (DESIGN section 8), folded under
    a summary line: its legal status and basis, each source with its SHA-256, size and records in, loaded and
    quarantined (the first :data:`PROVENANCE_SOURCES`), the releasekit version and the build's inputs hash, from
    its ``datapackage.json`` (review AP #6: the pages named the register and how many sources it has, no more)."""
    prov = (descriptor or {}).get("releasekit") or {}
    sources = [s for s in prov.get("sources") or [] if isinstance(s, dict) and s.get("path")]
    label, en, id_ = register_status(register)
    e = escape
    # A source another register declares (its region list named places this package holds) is listed as theirs: the
    # register's page lists its own sources only (review AW #10).
    theirs = {str(s["path"]): str(s["register"]) for s in sources if s.get("register") not in (None, register.id)}
    own = len(sources) - len(theirs)
    others = sorted(set(theirs.values()))
    summary = (f"Provenance / asal-usul: register {e(register.id)}, {e(label)}, {own:,} source"
               f"{'' if own == 1 else 's'}"
               + (f" and {len(theirs):,} of register {e(', '.join(others))}" if theirs else "")
               + f", releasekit {e(str(prov.get('releasekit_version', '?')))}")

    def named(path: str) -> str:
        if path not in theirs:
            return e(path)
        return (f"{e(path)}<br><em class=\"owner\">register {e(theirs[path])}'s: named places this package holds / "
                f"milik register {e(theirs[path])}: nama tempat yang dimuat paket ini</em>")

    rows = "".join(
        f"<tr><td>{named(str(s['path']))}</td><td><code class=\"sha256\">{e(str(s.get('sha256', '')))}</code></td>"
        + "".join(f"<td>{s[k]:,}</td>" if type(s.get(k)) is int else "<td></td>"
                  for k in ("bytes", "records_in", "records_loaded", "records_quarantined")) + "</tr>"
        for s in sources[:PROVENANCE_SOURCES])
    more = (f'<p>… and {len(sources) - PROVENANCE_SOURCES:,} more on <a href="{register_url(register)}">the '
            "register's page</a>.</p>" if len(sources) > PROVENANCE_SOURCES else "")
    table = ('<div class="provenance-table"><table><tr><th>source</th><th>SHA-256</th><th>bytes</th><th>records in</th>'
             "<th>loaded</th>"
             f"<th>quarantined</th></tr>{rows}</table></div>{more}" if sources else "")
    acts = "".join(f"<li>{e(str(act['text']))}</li>" for act in _acts(register.basis))
    note = register.basis.get("note")
    return (f'<details class="provenance"><summary>{summary}</summary><p>{e(en)}</p><p lang="id">{e(id_)}</p>'
            + (f"<ul>{acts}</ul>" if acts else "") + (f"<p>{e(str(note))}</p>" if note else "") + table
            + "<p>Inputs SHA-256 / hash masukan: "
            + f"<code class=\"sha256\">{e(str(prov.get('inputs_sha256', '')))}</code></p></details>")


def _licences(licenses: tuple[License, ...]) -> list[dict[str, str | None]]:
    """Licences as the page shows them: a title and a link when the path is a web address."""
    return [{"title": lic.label, "url": web_url(lic.path)} for lic in licenses]


def _readme_path(packages_dir: Path, register: Register) -> Path:
    return packages_dir / register.slug / "README.md"


def package_readme(packages_dir: Path, register: Register) -> str | None:
    """The register's package ``README.md`` as written by ``build``, or None."""
    path = _readme_path(packages_dir, register)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def read_package(packages_dir: Path, register: Register) -> dict[str, Any] | None:
    """The register's ``datapackage.json`` as written by ``build``, or None."""
    path = packages_dir / register.slug / "datapackage.json"
    if not path.is_file():
        return None
    descriptor: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return descriptor


#: Tables linked unfiltered although other registers share them: the package's tables filtered neither by
#: the source of each row (:data:`~releasekit.package.SOURCE_COLUMNS`) nor by election or register
#: (:data:`~releasekit.package.ALWAYS_FILTERED`). No column says which register a row is (``suara``,
#: ``suara_wilayah``), or ``sumber`` names the list that named a place, not who publishes it (``tps``,
#: ``wilayah``: a register's package also holds the places its results refer to).
SHARED_TABLES = tuple(t for t in REGISTER_FILTERS if t not in SOURCE_COLUMNS and t not in ALWAYS_FILTERED)


def register_tables(register: Register, package: dict[str, Any] | None, source_paths: list[str],
                    elections: list[str], *, sole: bool = False, alone: frozenset[str] = frozenset()
                    ) -> list[dict[str, str | bool]]:
    """The register's tables with links filtered to its rows where a column says which register.

    :param elections: the register's elections (``pemilu`` and ``peserta`` are filtered to them, as in the package).
    :param sole: the register holds every source of the release: no table is marked as every register's rows.
    :param alone: the tables of :data:`SOURCE_COLUMNS` whose every row is the register's
        (:func:`~releasekit.package.held_alone`: all of them when it holds every source): their links leave out the
        source filter (at national scale, a filter on 823,378 rows that all match only makes Datasette sort them).
    """
    if not package:
        return []
    paths = json.dumps(source_paths, ensure_ascii=False)
    by_source = {table: {f"{column}__in": paths} for table, column in SOURCE_COLUMNS.items() if table not in alone}
    in_elections = {"kode_pemilu__in": json.dumps(elections, ensure_ascii=False)}
    filters = {**by_source, "pemilu": in_elections, "peserta": in_elections,
               "findings": {"register": register.id}, "sources": {"register": register.id}}
    return [{"name": r["name"], "title": r.get("title", ""), "url": table_url(r["name"], **filters.get(r["name"], {})),
             "shared": not sole and r["name"] in SHARED_TABLES}
            for r in package.get("resources", [])]


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


@dataclass(frozen=True)
class Day:
    """An (election, snapshot) of per-TPS results that the register's sources describe."""

    election: str
    snapshot: str
    #: TPS rows of the day loaded from this register's sources.
    tps: int
    #: Other registers whose sources loaded rows of the same day (then the summary tables mix them).
    others: tuple[str, ...]
    #: This register's rows of the day in ``hasil_tps``.
    url: str


def register_days(db: sqlite3.Connection, register: Register) -> list[Day]:
    """The days of per-TPS results the register's sources describe, in order, and who else loaded each.

    Read from ``snapshots`` (one row per source of each day's ``hasil_tps`` rows), a few rows
    whatever the size of ``hasil_tps``.
    """
    mine: dict[tuple[str, str], list[str]] = {}
    for election, snapshot, path in db.execute(
            "SELECT election, snapshot, path FROM sources WHERE register = ? AND election IS NOT NULL "
            "AND snapshot IS NOT NULL AND path NOT IN (SELECT sumber FROM hasil_wilayah WHERE sumber IS NOT NULL) "
            "ORDER BY election, snapshot, path", (register.id,)):  # (published area totals are no TPS results)
        mine.setdefault((election, snapshot), []).append(path)
    loaded: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for election, snapshot, owner, tps in db.execute(
            "SELECT n.kode_pemilu, n.snapshot, s.register, n.tps FROM snapshots n JOIN sources s ON s.path = n.source "
            "ORDER BY n.kode_pemilu, n.snapshot, s.register"):
        loaded.setdefault((election, snapshot), []).append((owner, tps))
    days = []
    for (election, snapshot), paths in mine.items():
        owners = loaded.get((election, snapshot))
        if owners:  # else no TPS row of the day was loaded (a voter list, or every record quarantined)
            days.append(Day(election, snapshot, sum(tps for owner, tps in owners if owner == register.id),
                            tuple(sorted({owner for owner, _ in owners} - {register.id})),
                            table_url("hasil_tps", kode_pemilu=election, snapshot=snapshot,
                                      sumber__in=json.dumps(paths, ensure_ascii=False))))
    return days


def totals(db: sqlite3.Connection, days: list[Day]) -> list[dict[str, Any]]:
    """National totals per candidate of each day, from the summary table: only days no other register shares."""
    out: list[dict[str, Any]] = []
    for day in days:
        if day.others:
            continue  # rekap_suara sums every register's rows of the day
        out += _rows(db, f"""
            SELECT r.kode_pemilu, r.snapshot, r.nomor_urut, p.nama AS peserta, r.suara, r.tps,
                   {percent("r.suara", "sum(r.suara) OVER ()")} AS persen
            FROM rekap_suara r LEFT JOIN peserta p ON p.kode_pemilu = r.kode_pemilu AND p.nomor_urut = r.nomor_urut
            WHERE r.tingkat = 0 AND r.kode_pemilu = ? AND r.snapshot = ? ORDER BY r.nomor_urut""",
                     (day.election, day.snapshot))
    return out


def published_totals(db: sqlite3.Connection, register: Register) -> list[dict[str, Any]]:
    """The national totals per candidate this register's aggregate sources publish (``hasil_wilayah`` and
    ``suara_wilayah``), each day with its TPS reported: area ``0`` as published (``dijumlahkan`` 0), or, for a
    source that publishes no national area, its areas summed (``dijumlahkan`` 1;
    :func:`releasekit.queries.published_totals`)."""
    return _rows(db, queries.published_totals(f"r.sumber IN {REGISTER_SOURCES}"), {"register": register.id})


def published_chart(rows: list[dict[str, Any]]) -> str:
    """Votes per candidate of the latest day a register's sources publish national totals for."""
    if not rows:
        return ""
    return _votes_chart(rows, "Published votes per candidate", "Perolehan suara yang dipublikasikan",
                        "chart-published")[0]


def _votes_chart(rows: list[dict[str, Any]], en: str, id_: str, css_class: str) -> tuple[str, str, str]:
    """A bar per candidate of the latest (snapshot, election) among ``rows``; (the SVG, that election, snapshot)."""
    snapshot, election = max((r["snapshot"], r["kode_pemilu"]) for r in rows)
    svg = bar_chart(
        f"{en}, {election}, {snapshot} / {id_}",
        [Bar(f"{r['nomor_urut']}. {r['peserta'] or ''}", r["suara"],
             f"{r['suara']:,} ({_percent(r['persen'])})" if r["suara"] is not None else "–")
         for r in rows if (r["kode_pemilu"], r["snapshot"]) == (election, snapshot)],
        css_class=css_class, colours=PALETTE)
    return svg, election, snapshot


def charts(db: sqlite3.Connection, rows: list[dict[str, Any]]) -> dict[str, str]:
    """The two pictures of the latest day with totals: totals per candidate and completeness per province."""
    if not rows:
        return {}
    totals_svg, election, snapshot = _votes_chart(rows, "Votes per candidate", "Perolehan suara", "chart-totals")
    provinces = _rows(db, """
        SELECT kode_wilayah, nama, tps_hasil, tps_suara, tps_terdaftar, kelengkapan, subwilayah_tps, subwilayah
        FROM rekap_wilayah
        WHERE tingkat = 1 AND kode_pemilu = ? AND snapshot = ? ORDER BY kode_wilayah""", (election, snapshot))
    completeness_svg = bar_chart(
        f"Completeness per province: TPS with votes ÷ TPS known, {snapshot} / Kelengkapan per provinsi",
        [_completeness(p) for p in provinces], maximum=100, css_class="chart-completeness")
    return {"totals": totals_svg, "completeness": completeness_svg}


def _completeness(province: dict[str, Any]) -> Bar:
    """A province's bar: its TPS with votes of those known, or, where the day's sources hold none of its TPS (a
    sample of other provinces), that it is not covered: no result is not 0% of the votes counted."""
    label = f"{province['kode_wilayah']} {province['nama'] or ''}".strip()
    known = f"{province['tps_terdaftar']:,}" if province["tps_terdaftar"] is not None else "–"
    if not province["tps_hasil"]:
        return Bar(label, None, f"not in this snapshot's sources / tidak ada di sumber snapshot ini ({known} TPS "
                                "known / tercatat)")
    if province["kelengkapan"] is None:
        return Bar(label, None, "–")
    share = _percent(province["kelengkapan"])
    part = ""
    if province["subwilayah"] and province["subwilayah_tps"] < province["subwilayah"]:
        # (review BQ L2: a TPS list of one regency is not the province's)
        part = (f"; TPS known in {province['subwilayah_tps']} of {province['subwilayah']} regencies / TPS tercatat di "
                f"{province['subwilayah_tps']} dari {province['subwilayah']} kabupaten/kota")
    return Bar(label, province["kelengkapan"], f"{share} ({province['tps_suara']:,} / {known}{part})")


#: Markdown as the site renders the package README and the rules' column texts: CommonMark and its tables, any HTML
#: in the text (from ``metadata.yml``) escaped, never passed through.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def codebook_url(register: Register) -> str:
    """Where the register's package README (legal status, sources, changelog, codebook) is served as a page."""
    return f"{register_url(register)}/codebook"


def findings_by_rule(db: sqlite3.Connection, register: Register, package: dict[str, Any] | None
                     ) -> list[dict[str, Any]]:
    """Each integrity rule the register runs (as its package records it, ``off`` ones aside), with its findings
    counted, a link to them, and what its findings' key, expected and actual are, as HTML: the table the package
    README holds, on the register's page (review BZ M1: the site sent readers into the zip)."""
    from .rules import BY_SLUG

    settings = ((package or {}).get("releasekit") or {}).get("rules") or {}
    counts = dict(db.execute("SELECT rule, count(*) FROM findings WHERE register = ? GROUP BY rule ORDER BY rule",
                             (register.id,)).fetchall())
    out = []
    for slug, setting in settings.items():
        rule = BY_SLUG.get(slug)
        if rule is None or setting.get("severity") == "off":
            continue
        out.append({"slug": slug, "title": setting.get("title", rule.title), "severity": setting.get("severity"),
                    "error_if": setting.get("error_if"), "count": counts.get(slug, 0),
                    "not_checked": setting.get("not_checked"),
                    "url": table_url("findings", register=register.id, rule=slug),
                    **{part: _MARKDOWN.renderInline(getattr(rule.reads, part))
                       for part in ("key", "expected", "actual")}})
    return out


def render_codebook_page(register: Register, readme: str) -> str:
    """The Datasette custom page of the register's package README (:func:`codebook_url`), as the package holds it."""
    crumbs = (f'<p class="crumbs"><a href="/">home / beranda</a> / <a href="/registers">registers / register</a> / '
              f'<a href="{register_url(register)}">{escape(register.id)}</a> / codebook / buku kode</p>\n')
    return _custom_page(str(escape(f"Register {register.id}: codebook")),
                        f'{crumbs}<article class="codebook">\n{_MARKDOWN.render(readme)}</article>\n', "codebook")


def _percent(value: float | None) -> str:
    """A percentage as the register page's tables write it: two decimals (``28.30%``)."""
    return "–" if value is None else f"{value:.2f}%"


def register_context(release: Release, register: Register, db: sqlite3.Connection, packages_dir: Path,
                     download: Download | None) -> dict[str, Any]:
    """Everything the register page shows."""
    package = read_package(packages_dir, register)
    prov = (package or {}).get("releasekit", {})
    sources = _rows(db, "SELECT * FROM sources WHERE register = ? ORDER BY path", (register.id,))
    declared = {s.path: s.licenses for s in register.sources}
    for s in sources:
        s["quarantine_url"] = table_url("quarantine", source=s["path"])
        s["licenses"] = _licences(declared.get(s["path"], ()))
        s["origin_url"] = web_url(s["origin"])  # (a link where it is a web address: review BZ M4)
    paths = [s["path"] for s in sources]
    elections = sorted({s["election"] for s in sources if s["election"]})
    sole = holds_every_source(db, register.id)
    alone = held_alone(db, register.id)
    days = register_days(db, register)
    total_rows = totals(db, days)
    published = published_totals(db, register)
    as_published = [row for row in published if not row["dijumlahkan"]]  # (area 0; the others summed)
    label, en, id_ = register_status(register)
    return {
        "register": register,
        "status": {"label": label, "en": en, "id": id_},
        "acts": _acts(register.basis),
        "kept": dict(zip(("en", "id"), kept(register), strict=True)),
        "licenses": _licences(release.licenses_of(register)),
        "download": download,
        "sources": sources,
        "accounting": {k: sum(s[k] or 0 for s in sources)
                       for k in ("records_in", "records_loaded", "records_quarantined")},
        "borrowed": [{"path": s["path"], "register": s["register"], "url": table_url("sources", path=s["path"])}
                     for s in prov.get("sources") or [] if isinstance(s, dict) and s.get("path")
                     and s.get("register") not in (None, register.id)],
        "quarantine_url": table_url("quarantine") if "quarantine" in alone else table_url(
            "quarantine", source__in=json.dumps(paths, ensure_ascii=False)),
        "tables": register_tables(register, package, paths, elections, sole=sole, alone=alone),
        "findings": findings_by_rule(db, register, package),
        "findings_url": table_url("findings", register=register.id),
        "tps_with_findings_url": table_url("tps_with_findings", register=register.id),
        "codebook_url": codebook_url(register) if _readme_path(packages_dir, register).is_file() else None,
        "totals": total_rows,
        "shared_days": [day for day in days if day.others],
        # (the summary queries' pages stop at Datasette's 1,000 rows, oldest day first: they link the latest day)
        "latest": max((day.snapshot for day in days), default=""),
        "charts": charts(db, total_rows),
        "published": as_published,
        "summed": [row for row in published if row["dijumlahkan"]],
        "published_chart": published_chart(as_published),
        "version": prov.get("releasekit_version", ""),
        "inputs_sha256": prov.get("inputs_sha256", ""),
        "metadata_sha256": prov.get("metadata_sha256") if (packages_dir / register.slug / METADATA_FILE).is_file()
        else None,
    }


_ENV = Environment(loader=PackageLoader("releasekit", "templates"), autoescape=select_autoescape(["html"]),
                   keep_trailing_newline=True)


def render_registers_index(release: Release) -> str:
    """The Datasette custom page ``/registers``: every register, its status and a link to its page (review AP #8:
    ``/registers/`` redirected to ``/registers``, a page not found)."""
    items = "".join(
        f'<li><a href="{register_url(r)}">{escape(r.id)} {escape(r.title)}</a> — {escape(register_status(r)[0])}</li>'
        for r in release.registers)
    return _custom_page("Registers", f'<p class="crumbs"><a href="/">home / beranda</a> / registers / register</p>\n'
                                     f"<h1>Registers / Daftar register</h1>\n<ul>{items}</ul>\n")


def _custom_page(title: str, body: str, body_class: str | None = None) -> str:
    """A Datasette custom page template: ``body`` (HTML) in Datasette's own layout. Braces are turned into entities
    so that text from ``metadata.yml`` can never be read as template syntax by Datasette's Jinja."""
    title, body = (text.replace("{", "&#123;").replace("}", "&#125;") for text in (title, body))
    classed = f"{{% block body_class %}}{body_class}{{% endblock %}}\n" if body_class else ""
    return (f'{{% extends "base.html" %}}\n{{% block title %}}{title}{{% endblock %}}\n'
            f"{classed}{{% block content %}}\n{body}{{% endblock %}}\n")


def render_register_page(context: dict[str, Any]) -> str:
    """The Datasette custom page template for one register.

    The body is rendered here; Datasette only wraps it in its own layout (:func:`_custom_page`).
    """
    register: Register = context["register"]
    return _custom_page(str(escape(f"Register {register.id}: {register.title}")),
                        _ENV.get_template("register.html").render(**context), "register")
