"""The package ``README.md``: a codebook of every resource, the register's provenance and its changelog."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .artefacts import md_cell
from .config import Register, Release
from .snapshots import Entry, changelog
from .tables import BY_NAME

STATUS_TEXT = {
    "open": "open — the data may be published / terbuka",
    "exempted": "exempted — KPU claims an exemption; only metadata and provenance are published / dikecualikan",
    "pending": "pending — a decision is awaited; only metadata and provenance are published / menunggu putusan",
    "partially-open": "partially open — some of the data may be published / terbuka sebagian",
}


def _act(name: str, act: dict[str, Any]) -> str:
    parts = [act.get(k) for k in ("body", "office", "reference", "date", "outcome") if act.get(k)]
    return f"- **{name}:** " + " · ".join(str(p) for p in parts)


def _signed(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else ("±0" if value == 0 else f"−{-value}")


def _entry(entry: Entry) -> list[str]:
    head = f"### {entry.kode_pemilu} · {entry.snapshot}"
    lines = [head + (f" (since / sejak {entry.previous})" if entry.previous else " (first / pertama)"), ""]
    lines.append(f"- {entry.tps} TPS, {entry.tps_with_votes} with votes / dengan suara, {entry.tps_complete} "
                 f"complete / lengkap (status_suara) — from / dari " + ", ".join(f"`{s}`" for s in entry.sources))
    if entry.previous:
        lines += [
            f"- TPS added / ditambah: {entry.added}; removed / hilang: {entry.removed}; changed / berubah: "
            f"{entry.changed} ({entry.changed_beyond_ts} in more than the update time `ts` / selain `ts`)",
            f"- TPS whose votes changed / suara berubah: {entry.votes_changed}, of which "
            f"{entry.changed_after_complete} after the TPS was already complete / setelah TPS lengkap "
            "(`changed-after-complete`)",
            f"- TPS that became complete / menjadi lengkap (status_suara false → true): {entry.completed}",
        ]
    if entry.votes:
        lines += ["", "| candidate / peserta | votes / suara | change / perubahan |", "|---|---:|---:|"]
        lines += [f"| {nomor} {md_cell(nama or '')} | {'' if votes is None else votes} | {_signed(delta)} |"
                  for nomor, nama, votes, delta in entry.votes]
    return lines + [""]


def _changelog(entries: list[Entry]) -> list[str]:
    out = [
        "## Changelog / Catatan perubahan",
        "",
        "Each snapshot of this register and what changed since the one before it. Every changed field, TPS "
        "by TPS, is in `data/changes.csv`; each snapshot's counts are in `data/snapshots.csv` and "
        "`data/snapshot_votes.csv`. / Setiap snapshot register ini dan perubahannya sejak snapshot "
        "sebelumnya; setiap isian yang berubah ada di `data/changes.csv`.",
        "",
    ]
    for entry in entries:
        out += _entry(entry)
    return out


def package_readme(release: Release, register: Register, desc: dict[str, Any], rows: dict[str, int],
                   db: sqlite_utils.Database | None = None) -> str:
    """Render the README of one register's package (with its changelog when ``db`` is given)."""
    prov = desc["releasekit"]
    out = [f"# {register.title}", ""]
    if register.description:
        out += [register.description, ""]
    out += [
        f"Register **{register.id}** (`{register.slug}`) of *{release.title}*, published by "
        f"{release.publisher['name']}.",
        "",
        "## Legal status / Status hukum",
        "",
        f"Status: **{STATUS_TEXT[register.status]}**",
        "",
    ]
    basis = register.basis
    for key, label in (("request", "Request / Permohonan"), ("decision", "Decision / Putusan")):
        if basis.get(key):
            out.append(_act(label, basis[key]))
    if basis.get("note"):
        out.append(f"- {basis['note']}")
    out += ["", "## Licence / Lisensi", ""]
    for lic in desc["licenses"]:
        out.append(f"- {lic.get('title') or lic['name']}" + (f" <{lic['path']}>" if lic.get("path") else ""))
    out += ["", "## Sources and record accounting / Sumber dan perhitungan rekaman", ""]
    if prov["sources"]:
        out += [
            "| path | reader | election | snapshot | sha256 | bytes | origin | retrieved | in | loaded | quarantined |",
            "|---|---|---|---|---|---:|---|---|---:|---:|---:|",
        ]
        for s in prov["sources"]:
            label = md_cell(s["path"]) + (" *(synthetic)*" if s.get("synthetic") else "")
            out.append(
                f"| {label} | {s['format']} {s.get('reader_version', '')} | {s.get('election', '')} | "
                f"{s.get('snapshot', '')} | `{s['sha256']}` | {s['bytes']} | {md_cell(s.get('origin', ''))} | "
                f"{s.get('retrieved', '')} | {s['records_in']} | {s['records_loaded']} | "
                f"{s['records_quarantined']} |"
            )
    else:
        out.append("This register publishes no data files: only its legal basis and provenance.")
    out += [
        "",
        f"Built by releasekit {prov['releasekit_version']} from inputs with SHA-256 "
        f"`{prov['inputs_sha256']}`.",
        "",
    ]
    entries = changelog(db, register.id) if db is not None and "snapshots" in rows else []
    if entries:
        out += _changelog(entries)
    out += ["## Codebook / Buku kode", ""]
    for res in desc["resources"]:
        table = BY_NAME[res["name"]]
        out += [
            f"### `{res['path']}` — {table.title}",
            "",
            f"{table.en} {table.id}",
            "",
            f"Rows: {rows[res['name']]} · primary key: `{', '.join(table.primary_key)}` · "
            f"sha256 `{res['hash'].split(':', 1)[1]}`",
            "",
            "| column | type | description (EN) | deskripsi (ID) |",
            "|---|---|---|---|",
        ]
        out += [f"| `{f.name}` | {f.type} | {md_cell(f.en)} | {md_cell(f.id)} |" for f in table.fields]
        for fk in res["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"] or res["name"]
            out.append(f"\n`{', '.join(fk['fields'])}` → `{target}` (`{', '.join(fk['reference']['fields'])}`)")
        out.append("")
    out += ["Missing values are empty cells (NULL), never 0. Codes are text: keep leading zeros.", ""]
    return "\n".join(out)
