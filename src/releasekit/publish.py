"""The Datasette site of a release: metadata, register pages, downloads, hardened settings.

One source of truth: titles, descriptions, licence and source come from
``metadata.yml``; column descriptions from :mod:`releasekit.tables` (the same
text as the Table Schemas); provenance from the ``sources`` table and each
register's ``datapackage.json``.

:func:`write_site` writes a *Datasette configuration directory* — database,
``metadata.json``, ``settings.json``, ``inspect-data.json`` (which makes the
database immutable and its row counts instant), register pages as custom
templates, the package zips under ``static/downloads/``, the site's one-off plugin
(``plugins/``: :mod:`releasekit.siteplugin`), plus ``requirements.txt``
and a ``Dockerfile`` with pinned versions. ``releasekit serve`` writes one into
``build/site/`` and serves it; ``releasekit publish DIR`` writes one to deploy,
and a plain ``datasette serve DIR`` serves it as is. Every site folder holds the
marker file :data:`MARKER`: releasekit replaces the contents of a folder holding it,
and of no other non-empty folder.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .artefacts import write_json
from .build import BUILD_DIR, DATABASE_FILE
from .buildcheck import StaleBuildError, check_current
from .codebook import web_url
from .config import License, Register, Release
from .database import read_only
from .errors import (
    AddressError,
    ReleasekitError,
    SiteFolderError,
    SiteLockedError,
    UsageError,
    one_line_text,
    refuse_empty_paths,
)
from .legalstatus import STATUS
from .package import PACKAGES_DIR
from .pages import (
    DATABASE,
    Download,
    package_readme,
    provenance_html,
    read_package,
    register_context,
    register_url,
    render_codebook_page,
    render_register_page,
    render_registers_index,
    table_url,
)
from .pins import requirements_txt
from .privacy import mask_niks
from .provenance import sha256_file
from .queries import CANNED_QUERIES, SNAPSHOT_QUERIES
from .report import INVALID, VALID, by_kind
from .staging import settled, try_lock
from .tables import SUMMARY_TABLES, TABLES
from .validate import validate_paths

SITE_DIR = "site"
DOWNLOADS = "static/downloads"
#: Written into every site folder: only a folder holding it (or an empty one) is replaced.
MARKER = ".releasekit-site"
#: Where a site is written inside its folder before it replaces the folder's contents.
STAGING = ".releasekit-site.tmp"
#: Where the old site's entries are moved, inside its folder, just before the new ones are moved in (then removed).
OLD = ".releasekit-site.old"
#: What the marker says; the marker is also the site's lock (:func:`writing_site`).
MARKER_TEXT = "A Datasette site written by releasekit: 'releasekit publish' replaces this folder's contents.\n"
#: What a site folder holds at its top (a site written before the marker holds only these).
SITE_ENTRIES = frozenset({MARKER, DATABASE_FILE, "inspect-data.json", "metadata.json", "settings.json", "templates",
                          "static", "plugins", "requirements.txt", "Dockerfile"})
#: The one-off plugin every site carries (:mod:`releasekit.siteplugin`), as Datasette finds it in ``plugins/``.
SITE_PLUGIN = Path(__file__).with_name("siteplugin.py")
#: Templates of Datasette's pages the site replaces (``row-release-tps.html``: a TPS's page links its findings).
SITE_TEMPLATES = Path(__file__).with_name("templates") / "site"
#: The hardened serving settings (Datasette ``settings.json``): SQL and facets time-limited,
#: pages and CSV exports bounded, downloads allowed (the database is immutable).
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,
    "default_page_size": 100,
    "max_returned_rows": 1000,
    # (no cap: a "stream all rows" CSV is paged by key searches, each page under the time limit, and the whole
    # database is a download anyway; capped at 100 MB it stopped part-way through one national snapshot's hasil_tps,
    # with a 200 and Datasette's message as its last line: review BS H2)
    "max_csv_mb": 0,
    "allow_download": True,
    "default_cache_ttl": 300,
    # A visitor's own SQL (and a table page's ?_where=) is off: one randomblob()/zeroblob() call is one step of
    # SQLite's program, past the time limit's reach, and a few rows of them took gigabytes to render and held every
    # SQL thread for minutes (review CB H1). Canned queries, filters and facets stay; publish --allow-sql opens it.
    "default_allow_sql": False,
}
ROBOTS_BLOCKED: dict[str, Any] = {}
ROBOTS_ALLOWED: dict[str, Any] = {"literal": "User-agent: *\nAllow: /"}

#: Facets and sort per table: only where a facet stays cheap at national scale.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "wilayah": {"facets": ["tingkat"], "sort": "kode_wilayah"},
    "tps": {"facets": ["jenis_tps"], "sort": "kode_tps"},
    # hasil_tps and suara hold every TPS of every snapshot (millions of rows nationally): the canned
    # queries and rekap_* answer the totals from summaries; no default facets on suara. A hasil_tps row
    # is 28 columns wide: pages of 50 rows halve the HTML Datasette renders per request.
    "hasil_tps": {"size": 50},
    "findings": {"facets": ["rule", "severity", "snapshot"]},
    "quarantine": {"facets": ["source"]},
    "sources": {"facets": ["register", "format"], "sort": "register"},
    "snapshots": {"facets": ["kode_pemilu"]},
}
#: hasil_tps's province facet is offered while the table holds at most this many rows (one national snapshot is
#: 823,378 TPS): it is one scan of one index (hasil_tps.kode_provinsi, derived from kode_tps, see tables.Derived);
#: benchmarks/bench_build.py times the page faceted by province at national scale.
FACET_MAX_ROWS = 1_000_000
#: changes' three facets scan the table (≈ 0.33 s per million rows each in a one-off measurement on 2.6 million rows
#: of eleven days of 100,000 TPS, where all three passed Datasette's 500 ms facet limit): offered up to this many rows.
CHANGES_FACET_MAX_ROWS = 150_000
#: Default facets of tables that grow with every snapshot: (the most rows they are offered for, the options).
#: Beyond that, ``?_facet=`` still works, on a page filtered to a snapshot or a region above all.
GROWING_FACETS: dict[str, tuple[int, dict[str, Any]]] = {
    "hasil_tps": (FACET_MAX_ROWS, {"facets": ["kode_provinsi"], "facet_size": 50}),
    "changes": (CHANGES_FACET_MAX_ROWS, {"facets": ["kind", "field", "snapshot"]}),
    # Every area of every level per snapshot (about 91,500 areas, times the candidates in rekap_suara): each facet
    # scans an index, the snapshot facet sorts too, 0.85 s at 3.0 million rows of rekap_suara (11 national days,
    # one-off measurement, review BW M2), over Datasette's 500 ms facet limit. (A nomor_urut facet counts the same
    # for every candidate: every area has a row for each.)
    "rekap_wilayah": (FACET_MAX_ROWS, {"facets": ["tingkat", "snapshot"]}),
    "rekap_suara": (FACET_MAX_ROWS, {"facets": ["tingkat", "snapshot"]}),
}
#: Tables only some sources fill, hidden from the table lists while empty; their pages still answer. The voter
#: list's (a release without one, or with counts only and no ``publish_individuals: masked`` register) and the
#: published totals' (a release with no aggregate source: review AV #6, listed empty beside a hidden voter list).
OPTIONAL_TABLES = ("dpt_rekap", "dpt_pemilih", "hasil_wilayah", "suara_wilayah")
CSS = """\
article.register { margin: 0 1rem; }
.register h1 { margin-bottom: 0.3em; }
.register section { margin: 1.5em 0; }
.register .status { font-size: 1.1em; }
.register .status-open strong { color: #1a7f37; }
.register .status-exempted strong, .register .status-pending strong { color: #b35900; }
code.sha256, code.inputs-sha256, code.metadata-sha256 { word-break: break-all; }
.register code.sha256, .register code.inputs-sha256, .register code.metadata-sha256 { font-size: 0.85em; }
em.synthetic { font-style: normal; font-size: 0.85em; font-weight: bold; color: #b00020; }
.not-checked { font-style: italic; color: #6b4e00; }
.invalid { color: #b00020; }
.valid { color: #1a7f37; font-weight: bold; }
.provenance em.owner { font-size: 0.9em; color: #555; }
.provenance-table { overflow-x: auto; }
.register td.num { text-align: right; }
.register em.unrecorded { color: #555; }
.register table.totals td.num, .register table.published td.num { white-space: nowrap; }
.register th, .provenance-table th { white-space: normal; }
article.codebook pre { overflow-x: auto; }
article.codebook table { display: block; overflow-x: auto; }
article.codebook td em { color: #555; }
.register figure.chart { margin: 1em 0; overflow-x: auto; }
.register .id { color: #555; }
pre#sql-query { white-space: pre-wrap; }
body.table-quarantine td.col-locator, body.table-quarantine td.type-pk { word-break: break-all; max-width: 18em; }
body.table-quarantine td.col-raw { word-break: break-all; max-width: 40em; }
body.table-quarantine td.col-reason { min-width: 16em; }
.region-chain .level, td.col-tingkat em { color: #555; font-size: 0.9em; font-style: normal; }
table.votes td.num { text-align: right; }
dl.column-descriptions { max-height: 6em; overflow-y: auto; border-bottom: 1px solid #ccc; }
"""


@dataclass(frozen=True)
class Site:
    """A written site: where it is and what it offers for download."""

    folder: Path
    database: Download
    packages: dict[str, Download]
    #: Whether the site is to be served as it is, by ``datasette serve`` (``publish``); not a site written with
    #: ``link=True``, as releasekit's own ``serve`` writes one, serving a folder Datasette cannot open through a link.
    deployed: bool = True

    def notes(self) -> list[str]:
        """A line for each package ``releasekit validate`` finds invalid (the site's pages say so too), and one when
        ``datasette serve`` cannot open the site where it is (review CE L4: only the CLI said so)."""
        notes = [f"{pkg.name} is INVALID, as the site's pages say: {'; '.join(pkg.problems)} (hint: see "
                 f"'releasekit validate {PACKAGES_DIR}/{pkg.name}')" for pkg in self.packages.values() if pkg.problems]
        if self.deployed and datasette_cannot_open(self.folder):
            notes.append("Datasette cannot open a database in a folder whose path holds '#', '?' or '%' (it opens it "
                         "by a file: URI it does not encode): move the site to another folder before serving it "
                         "('releasekit serve' links to it from a temporary folder)")
        return notes


def database_path(release: Release) -> Path:
    """Where ``build`` wrote the database."""
    return release.root / BUILD_DIR / DATABASE_FILE


def require_database(release: Release) -> Path:
    """The database ``build`` wrote.

    :raises StaleBuildError: when the release has not been built.
    """
    db_path = database_path(release)
    if not db_path.is_file():  # (named as a stale build's files are, and with its hint)
        raise StaleBuildError(release,
                              f"{release.named(db_path)}: missing: the release has not been built (no database)")
    return db_path


def _download(path: Path, url: str) -> Download:
    return Download(path.name, url, *sha256_file(path))


#: a problem's message is cut to this many characters on the site (the whole is ``releasekit validate``'s)
PROBLEM_CHARS = 240


def _checked(download: Download, path: Path) -> Download:
    """``download``, a package's zip at ``path``, with what :func:`~releasekit.validate.validate_paths` finds in it:
    a line per kind of problem, its count and its first message (review BZ H3: the home page called every package
    validated, and nothing had validated it)."""
    report = validate_paths([path], on_unopened=lambda error: None)
    lines = []
    for kind, group in by_kind([problem for pkg in report.packages for problem in pkg.problems]):
        first = group[0]
        text = one_line_text(f"{first.where + ': ' if first.where else ''}{first.message}")
        text = text if len(text) <= PROBLEM_CHARS else text[:PROBLEM_CHARS - 1] + "…"
        lines.append(mask_niks(f"{kind} ({len(group)}): {text}"))
    return replace(download, problems=tuple(lines))


def _register_link(register: Register, packages: dict[str, Download]) -> str:
    link = f'<a href="{register_url(register)}">{escape(register.id)} · {escape(register.title)}</a>'
    item = f"<li>{link} — {escape(STATUS[register.status][0])}"
    pkg = packages.get(register.id)
    if pkg:
        item += (f' · <a href="{pkg.url}">{escape(pkg.name)}</a> '
                 f'<small>SHA-256 <code class="sha256">{pkg.sha256}</code></small>')
        if pkg.problems is not None:
            item += (f' · <strong class="invalid">{INVALID}: {len(pkg.problems)} kind(s) of problem / jenis masalah'
                     '</strong>' if pkg.problems else f' · <span class="valid">{VALID}</span>')
    return item + "</li>"


def _licence(licenses: tuple[License, ...]) -> dict[str, str]:
    """Datasette's licence keys: one licence with its link; several named together (Datasette links one only)."""
    unique = tuple(dict.fromkeys(licenses))
    if len(unique) == 1:
        url = web_url(unique[0].path)
        return {"license": unique[0].label, **({"license_url": url} if url else {})}
    return {"license": " · ".join(lic.label for lic in unique)}


def _licences_html(licenses: tuple[License, ...]) -> str:
    """Licences as HTML, each linked to its text when it has a web address."""
    out = []
    for lic in dict.fromkeys(licenses):
        url, title = web_url(lic.path), escape(lic.label)
        out.append(f'<a href="{escape(url)}">{title}</a>' if url else title)
    return ", ".join(out)


def _home_html(release: Release, database: Download, packages: dict[str, Download]) -> str:
    parts = []
    if release.description:
        parts.append(f"<p>{escape(release.description)}</p>")
    parts.append(f"<p>Licence / lisensi: {_licences_html(release.licenses)}</p>")
    parts.append("<h2>Registers / Daftar register</h2><ul class=\"registers\">")
    parts += [_register_link(r, packages) for r in release.registers]
    parts.append("</ul>")
    parts.append(f'<h2>Downloads / Unduh</h2><p>The whole database: <a href="{database.url}">{database.name}</a> '
                 f'({database.bytes:,} bytes) <small>SHA-256 <code class="sha256">{database.sha256}</code></small>. '
                 "Each register's Frictionless package is linked above and on its page, with what "
                 "<code>releasekit validate</code> found in it when this site was written. / Basis data lengkap; "
                 "paket Frictionless tiap register ditautkan di atas dan di halamannya, beserta hasil pemeriksaan "
                 "<code>releasekit validate</code> saat situs ini ditulis.</p>")
    return "\n".join(parts)


def _table_registers(release: Release, descriptors: dict[str, dict[str, Any] | None]) -> dict[str, list[Register]]:
    """Which registers publish each table (from their packages' resources: ``descriptors`` by register id)."""
    out: dict[str, list[Register]] = {}
    for register in release.registers:
        for resource in (descriptors[register.id] or {}).get("resources", []):
            out.setdefault(resource["name"], []).append(register)
    return out


def _provenance(registers: list[Register], *, summed: bool = False) -> dict[str, str]:
    """A table's Datasette ``source`` and ``source_url``: the registers whose packages publish it (or whose TPS rows it
    sums, ``summed``) with the number of their raw sources, linked to the one register's page (its package, and
    every source with its SHA-256, origin and record accounting) or to the ``sources`` table filtered to them."""
    count = sum(len(r.sources) for r in registers)
    named = "; ".join(f"{r.id} · {r.title} (package {r.slug})" for r in registers)
    lead = "Summed by releasekit from register" if summed else "Register"
    text = f"{lead}{'s' if len(registers) > 1 else ''} {named}: {count:,} raw source{'' if count == 1 else 's'}"
    url = register_url(registers[0]) if len(registers) == 1 and not summed else table_url(
        "sources", register__in=json.dumps([r.id for r in registers], separators=(",", ":")))
    return {"source": text, "source_url": url}


def labelled_tables(db_path: Path) -> set[str]:
    """Tables whose label column is filled on every row: only those get Datasette labels.

    A label that is NULL on some rows would show as "None" beside the code, which reads
    worse than the bare code (regions and TPS derived from codes have no names).
    """
    out = set()
    with closing(read_only(db_path)) as conn:
        existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in TABLES:
            if table.label_column and table.name in existing and conn.execute(
                    f"SELECT NOT EXISTS (SELECT 1 FROM [{table.name}] WHERE [{table.label_column}] IS NULL "
                    f"OR [{table.label_column}] = '')").fetchone()[0]:
                out.add(table.name)
    return out


def candidate_names(db_path: Path) -> dict[str, list[tuple[int, str]]]:
    """Each election's candidates, ``(nomor_urut, nama)`` in ballot order, from the database's ``peserta``."""
    out: dict[str, list[tuple[int, str]]] = {}
    with closing(read_only(db_path)) as conn:
        for election, nomor, nama in conn.execute(
                "SELECT kode_pemilu, nomor_urut, nama FROM peserta ORDER BY kode_pemilu, nomor_urut"):
            out.setdefault(election, []).append((nomor, nama or ""))
    return out


def _ballot_numbers_html(candidates: dict[str, list[tuple[int, str]]]) -> str:
    """Who each ballot number is, for a table that names candidates by ``nomor_urut`` alone (review AV #4: Datasette
    links a single-column key only, and ``peserta``'s is ``kode_pemilu, nomor_urut``)."""
    if not candidates:
        return ""
    each = "; ".join(f"<strong>{escape(election)}</strong>: " + ", ".join(
        f"{nomor} {escape(nama)}".rstrip() for nomor, nama in names) for election, names in candidates.items())
    return f"<p>Ballot numbers / nomor urut — {each}.</p>"


def _growing_facets(table: str, rows: dict[str, int] | None) -> dict[str, Any]:
    """The default facets of a table that grows with every snapshot, while it is small enough."""
    most, options = GROWING_FACETS.get(table, (0, {}))
    return options if (rows or {}).get(table, 0) <= most else {}


def datasette_metadata(release: Release, *, database: Download | None = None,
                       packages: dict[str, Download] | None = None, allow_robots: bool = False,
                       labelled: set[str] | None = None, rows: dict[str, int] | None = None,
                       candidates: dict[str, list[tuple[int, str]]] | None = None) -> dict[str, Any]:
    """Datasette ``metadata.json`` for the release: instance, database, every table, canned queries.

    :param labelled: tables whose ``label_column`` is used (default: every table that has one).
    :param candidates: each election's ``(nomor_urut, nama)`` (:func:`candidate_names`), named in the description
        of every table that gives a candidate by ballot number alone (default: none named).
    :param rows: rows per table; :data:`GROWING_FACETS` are offered up to their number of rows (default: offered),
        and empty :data:`OPTIONAL_TABLES` are hidden (default: shown).
    """
    packages = packages or {}
    licence = _licence(release.licenses)
    source = {"source": release.publisher["name"],
              **({"source_url": url} if (url := web_url(release.publisher.get("url"))) else {})}
    descriptors = {r.id: read_package(release.root / PACKAGES_DIR, r) for r in release.registers}
    by_table = _table_registers(release, descriptors)
    provenance = {r.id: provenance_html(r, descriptors[r.id]) for r in release.registers}
    # the summary tables add up the per-TPS results of every register that publishes them
    summed = list({r.id: r for r in by_table.get("hasil_tps", []) + by_table.get("suara", [])}.values())
    tables: dict[str, Any] = {}
    for table in TABLES:
        registers = by_table.get(table.name, [])
        links = ", ".join(f'<a href="{register_url(r)}">{escape(r.id)} {escape(r.title)}</a>' for r in registers)
        where = (f"<p>Registers / register: {links}</p>" if links else
                 "<p>Derived by releasekit for fast queries; not in the packages. / Diturunkan oleh releasekit "
                 "agar kueri cepat; tidak termasuk dalam paket.</p>"
                 if table in SUMMARY_TABLES else "")
        if table.name != "peserta" and "nomor_urut" in table.columns:
            where += _ballot_numbers_html(candidates or {})
        where += "".join(provenance[r.id] for r in registers)
        licensed = registers or (summed if table in SUMMARY_TABLES else [])
        licences = tuple(lic for r in licensed for lic in release.licenses_of(r)) or release.licenses
        if len(set(licences)) > 1:  # Datasette shows one licence link: name each register's here
            where += "<p>Licences / lisensi: " + "; ".join(
                f"{escape(r.id)}: {_licences_html(release.licenses_of(r))}" for r in licensed) + "</p>"
        meta: dict[str, Any] = {
            "title": table.title,
            "description": f"{table.en} — {table.id}",
            "description_html": f"<p>{escape(table.en)}</p><p lang=\"id\">{escape(table.id)}</p>{where}",
            "columns": {f.name: f"{f.en} — {f.id}" for f in (*table.fields, *(d.field for d in table.derived))},
            # provenance, not the publisher: a table no register publishes (it is empty) keeps the release's
            **_licence(licences), **(_provenance(licensed, summed=not registers) if licensed else source),
            **TABLE_OPTIONS.get(table.name, {}),
            **_growing_facets(table.name, rows),
        }
        if table.label_column and table.name in (labelled or {table.name}):
            meta["label_column"] = table.label_column
        if table.name in OPTIONAL_TABLES and rows is not None and not rows.get(table.name):
            meta["hidden"] = True  # e.g. dpt_pemilih of a release publishing counts only: an empty page
        tables[table.name] = meta
    meta = {
        "title": release.title,
        "description": release.description or "",
        **licence, **source,
        "databases": {DATABASE: {"title": release.title, "description": release.description or "",
                                 **licence, **source, "tables": tables,
                                 "queries": _queries(release, by_table, source)}},
        "extra_css_urls": ["/static/releasekit.css"],
        "plugins": {"datasette-block-robots": ROBOTS_ALLOWED if allow_robots else ROBOTS_BLOCKED},
    }
    if web_url(release.homepage):
        meta["about"] = "About this release"
        meta["about_url"] = release.homepage
    if database:
        meta["description_html"] = _home_html(release, database, packages)
    return meta


#: the canned queries whose figures releasekit sums from the TPS results (not a total any source publishes)
SUMMED_QUERIES = frozenset({"totals_national", "totals_province", "totals_kabkota", "totals_kecamatan", "totals_desa",
                            "completeness", "turnout", "totals_as_of"})


def _queries(release: Release, by_table: dict[str, list[Register]], source: dict[str, str]) -> dict[str, Any]:
    """The canned queries, each with the licence and provenance of the registers whose tables it reads (every
    register that publishes one), a mark on a release with synthetic sources and, on the totals releasekit sums,
    that they are no official recapitulation (review BZ M3: the pages that show the totals had no licence, no
    source and no SYNTHETIC mark beside the real candidates' names)."""
    publishing = [r for r in release.registers if any(r in registers for registers in by_table.values())]
    licences = tuple(lic for r in publishing for lic in release.licenses_of(r)) or release.licenses
    synthetic = ('<p><em class="synthetic">SYNTHETIC</em> Some of this release\'s sources are synthetic: made-up '
                 'figures, not KPU data (each register\'s page says which). / Sebagian sumber rilis ini sintetis: '
                 'angka buatan, bukan data KPU.</p>'
                 if any(s.synthetic for r in publishing for s in r.sources) else "")
    summed = ("<p>Summed by releasekit from the TPS results: not an official KPU recapitulation. / Dijumlahkan "
              "oleh releasekit dari hasil TPS: bukan rekapitulasi resmi KPU.</p>")
    credit = {**_licence(licences), **(_provenance(publishing) if publishing else source)}
    return {name: {**query, **credit, "hide_sql": True,  # (the SQL is one click away: review CD L3)
                   "description_html": (f"<p>{escape(query['description'])}</p>{synthetic}"
                                        f"{summed if name in SUMMED_QUERIES else ''}")}
            for name, query in {**CANNED_QUERIES, **SNAPSHOT_QUERIES}.items()}


def dockerfile() -> str:
    """A ``Dockerfile`` serving the site read-only, as an unprivileged user, with the pinned versions.

    The site's files are copied in by a first stage that makes them readable to all (their modes follow the umask
    ``publish`` ran under: 0600 under a umask of 077) and writable by none but root; the image holds them once, and
    Datasette runs as ``nobody``, which can read every file and change none.

    The image is the publishing Python's minor release (``python:3.11-slim``), whose patch releases and Debian base
    the tag follows: ``requirements.txt`` pins what the site runs, and a minor release keeps their wheels' ABI. The
    patch release it was published with is a comment (review BY L2: the exact patch release and ``bookworm`` froze
    a bundle deployed years later on a Python without its security fixes).
    """
    major, minor, patch = sys.version_info[:3]
    base = f"python:{major}.{minor}-slim"
    return (
        f"# published with Python {major}.{minor}.{patch}; the image takes that minor release's newest patch release\n"
        f"FROM {base} AS files\n"
        "COPY . /site\n"
        "RUN chmod -R a+rX,go-w /site\n"
        "\n"
        f"FROM {base}\n"
        "WORKDIR /site\n"
        "COPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY --from=files /site .\n"
        "# the site only reads its files: it is served as an unprivileged user, not root\n"
        "USER nobody\n"
        "EXPOSE 8001\n"
        '# inspect-data.json makes release.db immutable; settings.json and metadata.json are read from "."\n'
        'CMD ["datasette", "serve", ".", "--host", "0.0.0.0", "--port", "8001"]\n'
    )


def _place(source: Path, target: Path, *, link: bool) -> None:
    """Put ``source`` at ``target``: a hard link when asked and possible, else a copy."""
    target.unlink(missing_ok=True)
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copyfile(source, target)


def _inspect_data(db_path: Path, sha256: str) -> dict[str, Any]:
    """What ``datasette inspect`` writes: hash, size and row counts (makes the database immutable)."""
    with closing(read_only(db_path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {n: {"count": conn.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0]} for n in names}
    return {DATABASE: {"hash": sha256, "size": db_path.stat().st_size, "file": DATABASE_FILE, "tables": counts}}


def written_by_releasekit(folder: Path) -> bool:
    """Whether ``folder`` is empty or a site releasekit wrote, so that a new site may replace its contents.

    A site holds :data:`MARKER`; one written before the marker existed holds only :data:`SITE_ENTRIES`,
    among them its stylesheet (``inspect-data.json`` alone proves nothing: ``datasette inspect`` writes it).
    """
    names = {entry.name for entry in folder.iterdir()} - {STAGING, OLD}
    return not names or MARKER in names or (names <= SITE_ENTRIES and (
        (folder / "static" / "releasekit.css").is_file()
        # (a publish of releasekit 0.2.0 interrupted after it removed the marker: review BX M3)
        or (folder / STAGING / MARKER).is_file()))


def refuse_foreign_site(folder: Path, hint: str, shown: Path | None = None) -> None:
    """Refuse to write a site into ``folder`` when it holds anything but a site releasekit wrote.

    :param shown: ``folder`` as the user gave it, for the message.
    :raises SiteFolderError: with ``hint``, what to do instead.
    """
    if folder.exists() and not (folder.is_dir() and written_by_releasekit(folder)):
        raise SiteFolderError(f"{shown or folder}: exists and is not a site releasekit wrote (it has no {MARKER})",
                              hint=hint, path=shown or folder)


def write_site(release: Release, folder: str | Path, *, link: bool = False, allow_robots: bool = False,
               allow_sql: bool = False) -> Site:
    """Write the Datasette configuration directory of the release into ``folder``.

    The site is written beside the old one (in :data:`STAGING`) and then replaces the folder's contents;
    the folder itself stays (``publish .`` works, and so does a folder whose parent is not writable).

    The release is read under the build's lock (:func:`~releasekit.staging.settled`): a swap a killed build left
    half done is finished first, and no build swaps a new release in while the site is written. The folder is
    written under its own lock (:func:`writing_site`): two publishes never write one folder at once.

    :param release: the release to publish, built (:func:`~releasekit.build.build`).
    :param folder: where to write the site: a new or empty folder, or one holding a site releasekit wrote.
    :param link: hard-link the database and zips instead of copying them (``serve``).
    :param allow_robots: let search engines crawl.
    :param allow_sql: let visitors run their own SQL (Datasette's ``default_allow_sql``), each value it makes cut at
        :data:`releasekit.siteplugin.LONGEST_VALUE`: only for a site whose visitors are trusted, or one behind a
        memory limit, as a few rows of large values still take gigabytes to render.
    :raises ReleasekitError: when the release has not been built, or not as ``metadata.yml`` describes it now
        (:func:`~releasekit.buildcheck.check_current`), or ``folder`` holds anything but a site, or a build is
        running, or another publish or serve is writing or serving ``folder``.
    :raises UsageError: ``folder`` is ``""`` (a variable left unset: it would be the current folder).
    """
    refuse_empty_paths(folder, hint="give the folder to write the site to")  # (review CE M3)
    with writing_site(release, Path(folder), "give a new or empty folder; releasekit replaces only the sites it "
                                             "wrote") as (resolved, shown):
        return write_locked_site(release, resolved, shown, link=link, allow_robots=allow_robots,
                                 allow_sql=allow_sql)


@contextmanager
def writing_site(release: Release, folder: Path, hint: str) -> Iterator[tuple[Path, Path]]:
    """Hold ``folder``'s site lock (an exclusive ``flock`` on its :data:`MARKER`, made first in a new or empty
    folder) for the duration, after refusing a folder that is not a site releasekit wrote (``hint``: what to do
    instead). Yields the folder resolved, and as given (for messages). ``serve`` holds it while it serves: a second
    one, or a ``publish`` into ``build/site``, would replace the files under the first, which would then answer
    from two releases at once (review BX M1, M2).

    :raises SiteFolderError: when the folder is not a site releasekit wrote, or inside the project's raw sources,
        ``build/`` or ``datapackages/``.
    :raises SiteLockedError: when another ``publish`` or ``serve`` holds it.
    :raises ReleasekitError: when the folder cannot be written.
    """
    shown, folder = folder, folder.resolve()  # (messages name it as given, review BU L5)
    _refuse_project_folder(release, folder, shown)
    refuse_foreign_site(folder, hint, shown)
    made = [] if folder.exists() else [folder]
    made += [] if (folder / MARKER).exists() else [folder / MARKER]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / MARKER, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise _cannot_write(e, folder, shown) from e
    try:
        if not try_lock(fd):
            raise SiteLockedError(f"{shown}: another releasekit serve or publish is using this site",
                                  hint="stop that serve (Ctrl-C; in Python, the end of its with block) or wait for "
                                       "that publish to finish; or write this site into a folder of its own",
                                  path=shown)
        if os.pread(fd, len(MARKER_TEXT) + 1, 0) != MARKER_TEXT.encode():  # (in place: the lock stays on it)
            os.ftruncate(fd, 0)
            os.pwrite(fd, MARKER_TEXT.encode(), 0)
        yield folder, shown
    except BaseException:
        if made and {entry.name for entry in folder.iterdir()} <= {MARKER}:  # (a site refused before it was written
            for path in reversed(made):                                   # leaves nothing behind)
                path.unlink() if path.name == MARKER else path.rmdir()
        raise
    finally:
        os.close(fd)  # (releases the lock)


def write_locked_site(release: Release, folder: Path, shown: Path, *, link: bool, allow_robots: bool,
                      allow_sql: bool) -> Site:
    """:func:`write_site` into ``folder`` (resolved; ``shown``: as given), whose lock the caller holds."""
    with settled(release.root, "publish"):
        db_path = require_database(release)
        check_current(release, db_path)
        staging, old = folder / STAGING, folder / OLD
        try:
            for leftover in (staging, old):  # (an interrupted publish's)
                shutil.rmtree(leftover, ignore_errors=True)
            site = _write_site(release, db_path, staging, link=link, allow_robots=allow_robots, allow_sql=allow_sql)
            _replace_site(folder, staging, old)
        except OSError as e:
            raise _cannot_write(e, folder, shown) from e
        finally:
            for leftover in (staging, old):
                shutil.rmtree(leftover, ignore_errors=True)
    return Site(folder, site.database, site.packages, deployed=not link)


def _replace_site(folder: Path, staging: Path, old: Path) -> None:
    """Put the site written in ``staging`` in the place of the one in ``folder``: the old entries are moved into
    ``old`` (a rename each), then the new ones moved in. The marker stays where it is throughout, so a publish killed
    at any point leaves a folder the next one replaces (review BX M3: it deleted the old entries one by one, the
    marker among them, and the folder then left was refused as foreign); and only renames lie between the old site
    and the new one."""
    old.mkdir()
    for entry in sorted(folder.iterdir()):
        if entry.name not in (MARKER, STAGING, OLD):
            entry.rename(old / entry.name)
    for entry in sorted(staging.iterdir()):
        if entry.name != MARKER:
            entry.rename(folder / entry.name)


def _cannot_write(error: OSError, folder: Path, shown: Path) -> ReleasekitError:
    """The one-line refusal of a site that could not be written: naming the file of the site that could not be
    written, not the project file being copied (review BX L3: ``shutil.copyfile`` names its source first)."""
    named = [Path(os.path.abspath(n)) for n in (error.filename2, error.filename) if isinstance(n, str | os.PathLike)]
    place = next((n.relative_to(folder).parts for n in named if n.is_relative_to(folder)), ())
    where = shown.joinpath(*place[1:] if place[:1] in ((STAGING,), (OLD,)) else place)  # (where it goes in the site)
    return ReleasekitError(f"{where}: cannot write the site ({error.strerror or error})",
                           hint="check that the folder is writable and the disk has room")


def _refuse_project_folder(release: Release, folder: Path, shown: Path) -> None:
    """Refuse a site folder inside what the project keeps: its raw sources (a site written there edits a raw
    export, and the next build reads its files as records), ``build/`` (but ``serve``'s own ``build/site``: the
    next build deletes the rest) or ``datapackages/`` (replaced by every build). Exit 1, as a folder that holds
    something else is refused: the folder is a path, refused for what is there (review BU L5)."""
    root = release.root.resolve()
    kept = [(root / "raw", "the project's raw sources"), (root / BUILD_DIR, "what build keeps (build/)"),
            (root / PACKAGES_DIR, "the packages build writes (datapackages/)")]
    kept += [((root / s.path).resolve(), f"the raw source {s.path}") for s in release.sources]
    if folder == site_folder(release).resolve():
        return
    for place, what in kept:
        if folder.is_relative_to(place):
            raise SiteFolderError(f"{shown}: inside {what}: a site written there would change or lose them",
                                  hint="give a folder outside the project's raw/, build/ and datapackages/", path=shown)


def _write_site(release: Release, db_path: Path, folder: Path, *, link: bool, allow_robots: bool,
                allow_sql: bool) -> Site:
    """Write every file of the site into the new folder ``folder``."""
    (folder / DOWNLOADS).mkdir(parents=True)
    (folder / "templates" / "pages" / "registers").mkdir(parents=True)
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    _place(db_path, folder / DATABASE_FILE, link=link)
    database = _download(folder / DATABASE_FILE, f"/{DATABASE}.db")
    packages: dict[str, Download] = {}
    packages_dir = release.root / PACKAGES_DIR
    for register in release.registers:
        zip_path = packages_dir / f"{register.slug}.zip"
        if zip_path.is_file():
            placed = folder / DOWNLOADS / zip_path.name
            _place(zip_path, placed, link=link)
            packages[register.id] = _checked(_download(placed, f"/{DOWNLOADS}/{zip_path.name}"), placed)
    inspect = _inspect_data(folder / DATABASE_FILE, database.sha256)
    write_json(folder / "inspect-data.json", inspect)
    write_json(folder / "metadata.json",
               datasette_metadata(release, database=database, packages=packages, allow_robots=allow_robots,
                                  labelled=labelled_tables(folder / DATABASE_FILE),
                                  candidates=candidate_names(folder / DATABASE_FILE),
                                  rows={n: t["count"] for n, t in inspect[DATABASE]["tables"].items()}))
    write_json(folder / "settings.json", {**SETTINGS, "default_allow_sql": allow_sql})
    (folder / "static" / "releasekit.css").write_text(CSS, encoding="utf-8")
    for template in sorted(SITE_TEMPLATES.glob("*.html")):  # (Datasette's own pages made to say more)
        shutil.copyfile(template, folder / "templates" / template.name)
    (folder / "plugins").mkdir()
    shutil.copyfile(SITE_PLUGIN, folder / "plugins" / "releasekit_site.py")
    (folder / "templates" / "pages" / "registers.html").write_text(render_registers_index(release), encoding="utf-8",
                                                                   newline="\n")
    with closing(read_only(folder / DATABASE_FILE)) as conn:
        for register in release.registers:
            context = register_context(release, register, conn, packages_dir, packages.get(register.id))
            page = folder / "templates" / "pages" / "registers" / f"{register.id}.html"
            page.write_text(render_register_page(context), encoding="utf-8", newline="\n")
            readme = package_readme(packages_dir, register)
            if readme is not None:  # (/registers/<id>/codebook)
                codebook = page.with_suffix("") / "codebook.html"
                codebook.parent.mkdir()
                codebook.write_text(render_codebook_page(register, readme), encoding="utf-8", newline="\n")
    (folder / "requirements.txt").write_text(requirements_txt(), encoding="utf-8")
    (folder / "Dockerfile").write_text(dockerfile(), encoding="utf-8")
    return Site(folder, database, packages)


def site_folder(release: Release) -> Path:
    """Where ``serve`` writes the site it serves."""
    return release.root / BUILD_DIR / SITE_DIR


#: Characters of a folder's path Datasette cannot open a database under: it opens each by a ``file:`` URI it does
#: not percent-encode, so SQLite reads a ``#`` or ``?`` as the URI's end and ``%41`` as ``A`` (and opens, or makes,
#: another file).
URI_UNSAFE = frozenset("#?%")


def datasette_cannot_open(folder: Path) -> bool:
    """Whether Datasette cannot open a database in ``folder`` (:data:`URI_UNSAFE`): serve it through a link."""
    return bool(URI_UNSAFE & set(str(folder.resolve())))


def make_datasette(folder: Path) -> Any:
    """A :class:`datasette.app.Datasette` over a site folder, exactly as ``datasette serve DIR`` would make it; a
    folder whose path holds a :data:`URI_UNSAFE` character is served through a link to it from a temporary folder
    (removed with the Datasette)."""
    from datasette.app import Datasette

    folder = folder.resolve()
    alias = None
    if datasette_cannot_open(folder):
        alias = Path(tempfile.mkdtemp(prefix="releasekit-site-"))
        (alias / "site").symlink_to(folder, target_is_directory=True)
        folder = alias / "site"
    datasette = Datasette([], config_dir=folder)
    if alias is not None:
        weakref.finalize(datasette, shutil.rmtree, alias, ignore_errors=True)
    return datasette


#: Why an address cannot be listened on, and what to do, by the ``errno`` of its ``bind``.
BIND_ERRORS: dict[int, tuple[str, str]] = {
    errno.EADDRINUSE: ("address already in use",
                       "choose another port (--port), or stop the program listening on this one"),
    errno.EADDRNOTAVAIL: ("not an address of this machine",
                          "check the host (--host): give an address of this machine, such as 127.0.0.1 (loopback) "
                          "or 0.0.0.0 (every interface)"),
    errno.EACCES: ("permission denied", "choose a port (--port) above 1023 (lower ones need administrator rights)"),
}


def _host_port(host: str, port: int) -> str:
    """``host:port``, an IPv6 address in brackets (``[::1]:8001``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def served_url(host: str, sockets: list[socket.socket]) -> str:
    """The address :func:`serve` announces: ``host`` and the port bound (the one the system chose for port 0); for
    an empty ``host`` (every interface) the address bound, ``0.0.0.0`` or ``::``, never ``http://:8001/``."""
    bound = sockets[0].getsockname()
    return f"http://{_host_port(host or bound[0], bound[1])}/"


#: Connections the listening sockets queue before the server accepts them (uvicorn's ``backlog`` default).
BACKLOG = 2048


def listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to ``host:port`` and listening, for :func:`serve` to serve on.

    Every address ``host`` resolves to is bound as uvicorn (asyncio's ``create_server``) binds it:
    ``SO_REUSEADDR`` on POSIX (a port a stopped server left in TIME_WAIT is free, one a program listens
    on is not), IPv6 sockets IPv6-only. Bound before the site is written and served on as they are, they
    make an unusable address one line before anything starts, and leave no moment for another program
    to take the port; listening, they queue a client that connects before the server runs.

    :raises AddressError: when ``host`` does not resolve, or an address cannot be bound (in use, not
        of this machine, a privileged port: its ``errno`` says which).
    :raises UsageError: when ``port`` is not a port number.
    """
    where = _host_port(host, port)
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port}: not a port number", hint="give a port from 0 to 65535")
    try:
        infos = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        reason = e.strerror if isinstance(e, socket.gaierror) and e.strerror else str(e)
        raise AddressError(f"{where}: the host does not resolve ({reason.lower()})",
                           hint="check the host (--host): an address of this machine such as 127.0.0.1 (loopback) "
                                "or 0.0.0.0 (every interface), or a name that resolves to one") from e
    reuse_address = os.name == "posix" and sys.platform != "cygwin"
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):  # each address once, in resolver order
            try:
                sock = socket.socket(family, kind, proto)
            except OSError:
                continue  # a family this machine lacks (IPv6 disabled): asyncio skips it too
            sockets.append(sock)
            if reuse_address:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:  # every address on the port the first one got (it alone is shown)
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            try:
                sock.bind(address)
                # Listening from here on: a client that connects as soon as serve() announces the address waits in
                # the backlog until uvicorn accepts, never refused (review BU M2; uvicorn's own backlog).
                sock.listen(BACKLOG)
            except OSError as e:
                bound = _host_port(str(address[0]), port)
                what, hint = BIND_ERRORS.get(e.errno or 0, (
                    (e.strerror or str(e)).lower(), "choose another port (--port), or check the host (--host)"))
                raise AddressError(f"{where}{f' ({bound})' if bound != where else ''}: cannot listen: {what}",
                                   hint=hint, errno=e.errno) from e
        if not sockets:
            raise AddressError(f"{where}: no address to listen on",
                               hint="check the host (--host): 127.0.0.1 (loopback) or 0.0.0.0 (every interface)")
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def serve(release: Release, *, host: str = "127.0.0.1", port: int = 8001, allow_robots: bool = False,
          allow_sql: bool = False, ready: Callable[[str], object] | None = None,
          note: Callable[[str], object] | None = None, stop: threading.Event | None = None) -> None:
    """Write the site into ``build/site/`` and serve it with Datasette until interrupted (Ctrl-C) or ``stop`` is set.

    What can be refused is refused first, before the site is written: a release not built, an address
    that cannot be listened on (see :func:`listen`). ``note`` is called with each of :meth:`Site.notes` once the
    site is written; ``ready`` is then called with the site's address
    (with the port the system chose for port 0) just before serving. The site folder is locked while it is served
    (:func:`writing_site`), and released when ``serve`` returns. In a program of its own, :func:`serving` serves in a
    thread and stops when its ``with`` block ends.

    :param release: a built release (:func:`releasekit.build`).
    :param host: the address to listen on (``0.0.0.0``: every interface).
    :param port: the port to listen on (0: one the system chooses, given to ``ready``).
    :param allow_robots: let search engines crawl.
    :param allow_sql: let visitors run their own SQL (see :func:`write_site`).
    :param ready: called with the site's address just before serving.
    :param note: called with each of :meth:`Site.notes`.
    :param stop: set it (from any thread) to stop serving: the server stops as Ctrl-C stops it, and ``serve``
        returns (review CE M2: a ``serve`` in a thread could not be stopped, and held the site's lock until the
        process ended).
    :raises StaleBuildError: when the release is not built, or not as ``metadata.yml`` describes it now.
    :raises AddressError: when the address cannot be listened on.
    :raises SiteFolderError: when ``build/site/`` holds something other than a site releasekit wrote.
    :raises SiteLockedError: when another ``serve`` or ``publish`` is using ``build/site/``.
    :raises UsageError: when called inside a running event loop (a notebook): it runs one of its own; or ``port``
        is no port number.
    """
    _serve(release, host=host, port=port, allow_robots=allow_robots, allow_sql=allow_sql, ready=ready, note=note,
           stop=stop)


def _serve(release: Release, *, host: str, port: int, allow_robots: bool, allow_sql: bool,
           ready: Callable[[str], object] | None, note: Callable[[str], object] | None, stop: threading.Event | None,
           written: Callable[[Site], object] | None = None) -> None:
    """:func:`serve`; ``written`` is called with the site once it is written."""
    import asyncio

    import uvicorn

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # (none: as it should be)
    else:  # (review AY #3: a notebook's loop; the site was written, ready() called, then uvicorn failed)
        raise UsageError("serve() runs an event loop of its own and cannot run inside a running one (a notebook, "
                         "an async function)", hint="run it in a thread of its own, or run 'releasekit serve'")
    require_database(release)
    with writing_site(release, site_folder(release), "serve writes its site there: move or remove what is in "
                                                     "it") as (folder, shown):
        sockets = listen(host, port)
        try:
            site = write_locked_site(release, folder, shown, link=True, allow_robots=allow_robots, allow_sql=allow_sql)
            if written is not None:
                written(site)
            if note is not None:
                for line in site.notes():
                    note(line)
            datasette = make_datasette(site.folder)
            try:
                if ready is not None:
                    ready(served_url(host, sockets))
                # (log_config=None: uvicorn configures no logging of the host's, review CE L3; its loggers
                # propagate to the host's, and the CLI shows their warnings: cli.uvicorn_warnings)
                server = uvicorn.Server(uvicorn.Config(datasette.app(), log_config=None))
                with _stopped_by(stop, server):
                    try:
                        server.run(sockets=sockets)
                    except KeyboardInterrupt:  # Ctrl-C: the server has shut down (as uvicorn.run, quietly)
                        pass
            finally:
                close_datasette(datasette)
        finally:
            for sock in sockets:
                sock.close()


def close_datasette(datasette: Any) -> None:
    """Stop a Datasette's threads and close its databases' connections, which Datasette 0.65 has no call for: its
    pool of threads is shut down, and each database's write loop is handed a task that ends it (review CE L3: after
    a ``serve`` in a program returned, its threads ran on until the process ended, and a fork after it, as
    ``validate``'s second process, was refused for them)."""
    if datasette.executor is not None:
        datasette.executor.shutdown(wait=True)
    previous = threading.excepthook
    threading.excepthook = lambda args: None if args.exc_type is _EndWrites else previous(args)
    try:
        for db in datasette.databases.values():
            thread = getattr(db, "_write_thread", None)
            if thread is not None and thread.is_alive():
                db._write_queue.put(SimpleNamespace(fn=_end_writes, reply_queue=None))
                thread.join(timeout=10)
            db.close()
    finally:
        threading.excepthook = previous


class _EndWrites(SystemExit):
    """Ends a Datasette database's write loop: not an ``Exception``, which the loop would hand back and go on."""


def _end_writes(conn: object) -> None:
    raise _EndWrites


#: How often (seconds) a ``serve`` given a ``stop`` event looks at it (uvicorn itself looks at ``should_exit`` every
#: 0.1 s).
STOP_POLL = 0.05


@contextmanager
def _stopped_by(stop: threading.Event | None, server: Any) -> Iterator[None]:
    """While the ``with`` block runs, a thread that tells uvicorn's ``server`` to shut down (``should_exit``, what
    Ctrl-C sets) once ``stop`` is set; none without a ``stop``."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(STOP_POLL):
                server.should_exit = True
                return

    watcher = threading.Thread(target=watch, name="releasekit-serve-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


class Serving:
    """A release's site served in a thread of its own by :func:`serving`: its address, the site, and a way to stop it.

    :ivar url: the site's address (``http://127.0.0.1:PORT/``), with the port the system chose for port 0.
    :ivar site: the site written into ``build/site/`` (:meth:`Site.notes` says what to know about it).
    """

    def __init__(self, url: str, site: Site, stop: threading.Event, thread: threading.Thread,
                 failure: list[BaseException]) -> None:
        self.url = url
        self.site = site
        self._stop, self._thread, self._failure = stop, thread, failure

    @property
    def running(self) -> bool:
        """Whether the server is still serving (false once stopped, or if it failed)."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop the server and wait until it has: connections in progress are answered first, and the site
        folder's lock is released (a ``serve`` or ``publish`` into ``build/site`` may follow). Stopping twice is
        harmless.

        :raises BaseException: what stopped the server, if it failed while serving.
        """
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        if self._failure:
            raise self._failure.pop()

    def __repr__(self) -> str:
        return f"<Serving {self.url} {'running' if self.running else 'stopped'}>"


@contextmanager
def serving(release: Release, *, host: str = "127.0.0.1", port: int = 0, allow_robots: bool = False,
            allow_sql: bool = False) -> Iterator[Serving]:
    """Serve the release's site in a thread of its own for the duration of a ``with`` block, as :func:`serve` would
    (``build/site/``, Datasette, the same refusals, raised here before the block runs); the block gets a
    :class:`Serving`, whose ``url`` is the site's address, and the server stops when the block ends (review CE M2).
    It runs in a notebook too: the server's event loop is its thread's own. Example::

        release = load_release(".")
        with serving(release) as server:
            print(urllib.request.urlopen(server.url + "-/versions.json").read())
        build(release)
        with serving(release) as server:  # the first one stopped and released build/site/: this serves the new build
            ...

    :param release: a built release (:func:`releasekit.build`).
    :param host: the address to listen on (``0.0.0.0``: every interface).
    :param port: the port to listen on (0, the default here: one the system chooses, in ``url``).
    :param allow_robots: let search engines crawl.
    :param allow_sql: let visitors run their own SQL (see :func:`write_site`).
    :returns: a context manager giving the :class:`Serving`.
    :raises StaleBuildError: when the release is not built, or not as ``metadata.yml`` describes it now.
    :raises AddressError: when the address cannot be listened on.
    :raises SiteFolderError: when ``build/site/`` holds something other than a site releasekit wrote.
    :raises SiteLockedError: when another ``serve`` or ``publish`` is using ``build/site/``.
    :raises UsageError: when ``port`` is no port number.
    """
    stop, started = threading.Event(), threading.Event()
    failure: list[BaseException] = []
    given: dict[str, Any] = {}

    def ready(url: str) -> None:
        given["url"] = url
        started.set()

    def run() -> None:
        try:
            _serve(release, host=host, port=port, allow_robots=allow_robots, allow_sql=allow_sql, ready=ready,
                   note=None, stop=stop, written=lambda site: given.update(site=site))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread, raised there
            failure.append(e)
        finally:
            started.set()

    thread = threading.Thread(target=run, name="releasekit-serve", daemon=True)
    thread.start()
    try:
        started.wait()
    except BaseException:  # (Ctrl-C while the site is written: stop what started)
        stop.set()
        thread.join()
        raise
    if "url" not in given:  # (refused before serving: the thread has ended, or is ending)
        thread.join()
        raise failure.pop() if failure else ReleasekitError("the server stopped before it served")
    server = Serving(given["url"], given["site"], stop, thread, failure)
    try:
        yield server
    except BaseException:
        stop.set()
        thread.join()
        raise
    server.stop()
