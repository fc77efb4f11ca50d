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

from .charts import PALETTE, Bar, bar_chart
from .config import Register, Release
from .package import holds_every_source

DATABASE = "release"

STATUS = {
    "open": ("Open / Terbuka",
             "KPU released this register: its data is published here in full.",
             "KPU memberikan register ini: datanya dipublikasikan di sini secara lengkap."),
    "partially-open": ("Partially open / Terbuka sebagian",
                       "KPU released part of this register: what was released is published here.",
                       "KPU memberikan sebagian register ini: bagian yang diberikan dipublikasikan di sini."),
    "exempted": ("Exempted / Dikecualikan",
                 "KPU claims this register is exempt information, so no data is published: this page records "
                 "the legal basis and the provenance only.",
                 "KPU menyatakan register ini informasi yang dikecualikan, sehingga tidak ada data yang "
                 "dipublikasikan: halaman ini hanya mencatat dasar hukum dan asal-usulnya."),
    "pending": ("Pending / Menunggu",
                "The request awaits an answer or a decision: only the legal basis and provenance are published.",
                "Permohonan menunggu jawaban atau putusan: hanya dasar hukum dan asal-usul yang dipublikasikan."),
}


@dataclass(frozen=True)
class Download:
    """A file offered for download with its checksum."""

    name: str
    url: str
    sha256: str
    bytes: int


def register_url(register: Register) -> str:
    """Where the register's page is served."""
    return f"/registers/{register.id}"


def table_url(table: str, **filters: str) -> str:
    """A Datasette table URL, optionally filtered (``column__in`` takes a JSON list)."""
    url = f"/{DATABASE}/{quote(table)}"
    return f"{url}?{urlencode(filters)}" if filters else url


#: How each legal act reads: (basis key, opening word, Indonesian name, (act key, phrase) in reading order).
_ACTS = (
    ("request", "Requested", "permohonan informasi",
     (("date", " on {}"), ("office", " from {}"), ("reference", " (reference {})"))),
    ("decision", "Decision", "putusan",
     (("body", " by {}"), ("date", " on {}"), ("reference", " (reference {})"), ("outcome", ": {}"))),
)


def _acts(basis: dict[str, Any]) -> list[str]:
    """The request and decision in plain words."""
    out = []
    for key, opening, name, phrases in _ACTS:
        act = basis.get(key)
        if act:
            out.append(opening + "".join(phrase.format(act[k]) for k, phrase in phrases if act.get(k)) + f" / {name}.")
    return out


def read_package(packages_dir: Path, register: Register) -> dict[str, Any] | None:
    """The register's ``datapackage.json`` as written by ``build``, or None."""
    path = packages_dir / register.slug / "datapackage.json"
    if not path.is_file():
        return None
    descriptor: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return descriptor


def register_tables(register: Register, package: dict[str, Any] | None, source_paths: list[str], *,
                    sole: bool = False) -> list[dict[str, str]]:
    """The register's tables with links filtered to its rows where a column says which register.

    :param sole: the register holds every source of the release: its results are every row, and the
        links leave out the ``sumber__in`` filter (at national scale, a filter on 823,378 rows that
        all match only makes Datasette sort them).
    """
    if not package:
        return []
    paths = json.dumps(source_paths, ensure_ascii=False)
    by_source: dict[str, dict[str, str]] = {} if sole else {
        "hasil_tps": {"sumber__in": paths}, "hasil_wilayah": {"sumber__in": paths},
        "quarantine": {"source__in": paths}}
    filters = {**by_source, "findings": {"register": register.id}, "sources": {"register": register.id}}
    return [{"name": r["name"], "title": r.get("title", ""), "url": table_url(r["name"], **filters.get(r["name"], {}))}
            for r in package.get("resources", [])]


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def register_snapshots(db: sqlite3.Connection, register: Register) -> list[tuple[str, str]]:
    """(election, snapshot) pairs the register's sources describe, in order."""
    rows = db.execute("SELECT DISTINCT election, snapshot FROM sources WHERE register = ? AND election IS NOT NULL "
                      "AND snapshot IS NOT NULL ORDER BY election, snapshot", (register.id,)).fetchall()
    return [(e, s) for e, s in rows]


def totals(db: sqlite3.Connection, snapshots: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """National totals per candidate for each (election, snapshot)."""
    out: list[dict[str, Any]] = []
    for election, snapshot in snapshots:
        out += _rows(db, """
            SELECT r.kode_pemilu, r.snapshot, r.nomor_urut, p.nama AS peserta, r.suara, r.tps,
                   round(100.0 * r.suara / sum(r.suara) OVER (), 2) AS persen
            FROM rekap_suara r LEFT JOIN peserta p ON p.kode_pemilu = r.kode_pemilu AND p.nomor_urut = r.nomor_urut
            WHERE r.tingkat = 0 AND r.kode_pemilu = ? AND r.snapshot = ? ORDER BY r.nomor_urut""",
                     (election, snapshot))
    return out


def charts(db: sqlite3.Connection, snapshots: list[tuple[str, str]], rows: list[dict[str, Any]]) -> dict[str, str]:
    """The two pictures of the latest snapshot: totals per candidate and completeness per province."""
    if not snapshots:
        return {}
    election, snapshot = snapshots[-1]
    latest = [r for r in rows if (r["kode_pemilu"], r["snapshot"]) == (election, snapshot)]
    totals_svg = bar_chart(
        f"Votes per candidate, {election}, {snapshot} / Perolehan suara",
        [Bar(f"{r['nomor_urut']}. {r['peserta'] or ''}", r["suara"],
             f"{r['suara']:,} ({r['persen']}%)" if r["suara"] is not None else "–") for r in latest],
        css_class="chart-totals", colours=PALETTE)
    provinces = _rows(db, """
        SELECT kode_wilayah, nama, tps_suara, tps_terdaftar, kelengkapan FROM rekap_wilayah
        WHERE tingkat = 1 AND kode_pemilu = ? AND snapshot = ? ORDER BY kode_wilayah""", (election, snapshot))
    completeness_svg = bar_chart(
        f"TPS with votes / TPS known per province, {snapshot} / Kelengkapan per provinsi",
        [Bar(f"{p['kode_wilayah']} {p['nama'] or ''}".strip(), p["kelengkapan"],
             f"{p['kelengkapan']}% ({p['tps_suara']:,} / {p['tps_terdaftar']:,})"
             if p["kelengkapan"] is not None else "–") for p in provinces],
        maximum=100, css_class="chart-completeness")
    return {"totals": totals_svg, "completeness": completeness_svg}


def register_context(release: Release, register: Register, db: sqlite3.Connection, packages_dir: Path,
                     download: Download | None) -> dict[str, Any]:
    """Everything the register page shows."""
    package = read_package(packages_dir, register)
    prov = (package or {}).get("releasekit", {})
    sources = _rows(db, "SELECT * FROM sources WHERE register = ? ORDER BY path", (register.id,))
    for s in sources:
        s["quarantine_url"] = table_url("quarantine", source=s["path"])
    paths = [s["path"] for s in sources]
    sole = holds_every_source(db, register.id)
    snapshots = register_snapshots(db, register)
    total_rows = totals(db, snapshots)
    label, en, id_ = STATUS[register.status]
    return {
        "register": register,
        "status": {"label": label, "en": en, "id": id_},
        "acts": _acts(register.basis),
        "licenses": [lic.to_descriptor() for lic in (register.licenses or release.licenses)],
        "download": download,
        "sources": sources,
        "quarantine_url": table_url("quarantine") if sole else table_url(
            "quarantine", source__in=json.dumps(paths, ensure_ascii=False)),
        "tables": register_tables(register, package, paths, sole=sole),
        "totals": total_rows,
        "charts": charts(db, snapshots, total_rows),
        "version": prov.get("releasekit_version", ""),
        "inputs_sha256": prov.get("inputs_sha256", ""),
    }


_ENV = Environment(loader=PackageLoader("releasekit", "templates"), autoescape=select_autoescape(["html"]),
                   keep_trailing_newline=True)


def render_register_page(context: dict[str, Any]) -> str:
    """The Datasette custom page template for one register.

    The body is rendered here; Datasette only wraps it in its own layout. Braces
    are turned into entities so text from ``metadata.yml`` can never be read as
    template syntax by Datasette's Jinja.
    """
    body = _ENV.get_template("register.html").render(**context)
    body = body.replace("{", "&#123;").replace("}", "&#125;")
    register: Register = context["register"]
    title = f"Register {register.id}: {register.title}".replace("{", "(").replace("}", ")")
    return (f'{{% extends "base.html" %}}\n{{% block title %}}{escape(title)}{{% endblock %}}\n'
            f'{{% block body_class %}}register{{% endblock %}}\n{{% block content %}}\n{body}{{% endblock %}}\n')
