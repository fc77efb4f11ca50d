"""The package ``README.md``: a codebook of every resource, the register's provenance and its changelog."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from .artefacts import md_cell
from .config import License, Register, Release
from .legalstatus import kept, register_status
from .snapshots import Entry, changelog
from .tables import BY_NAME, SQLITE_TYPES


def status_text(register: Register) -> str:
    """The register's status as its package README states it: the register page's words (review AW #7: the README
    said "open — the data may be published" of a register its page said the publisher marked open with no basis)."""
    label, en, id_ = register_status(register)
    return f"**{md(label)}** — {md(en)} / {md(id_)}"


#: Characters that could start Markdown markup, links or HTML, written backslash-escaped (``_`` unless between
#: two letters or digits, where it cannot: ``ppwp_tps_20240215`` stays as it is).
_MARKUP = re.compile(r"([\\`*\[\]<>&~#]|(?<![^\W_])_|_(?![^\W_]))")
#: The start of a line that would open a list or a setext heading.
_BLOCK_START = re.compile(r"^\s*(?:[-+=]|\d+[.)])")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address fit to link to, else None (``javascript:`` and the like)."""
    if not url or any(c.isspace() or c in '<>"|`\\' for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def md(text: object) -> str:
    """``text`` as Markdown that renders as that very text: on one line, markup escaped, fit for a table cell."""
    flat = str(text).replace("\r\n", " ").replace("\r", " ")
    escaped = md_cell(_MARKUP.sub(r"\\\1", flat))
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], escaped)


def md_link(url: str | None) -> str:
    """An autolink to a web address; any other address as text."""
    link = web_url(url)
    return f"<{link}>" if link else md(url or "")


def md_licences(licenses: tuple[License, ...]) -> str:
    """Licences as Markdown: each title with its link."""
    return ", ".join(md(lic.label) + (f" {md_link(lic.path)}" if lic.path else "") for lic in licenses)


def _act(name: str, act: dict[str, Any]) -> str:
    parts = [md(act[k]) for k in ("body", "requester", "office", "reference", "date", "provision", "outcome")
             if act.get(k)]
    parts += [md_link(act["url"])] if act.get("url") else []
    return f"- **{name}:** " + " · ".join(parts)


def _signed(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value:,}" if value > 0 else ("±0" if value == 0 else f"−{-value:,}")


def _after_quarantine(entry: Entry) -> str:
    if not entry.added_after_quarantine:
        return ""
    return (f" ({entry.added_after_quarantine:,} of them in a record the snapshot before quarantined: not new, "
            f"unreadable then / {entry.added_after_quarantine:,} di antaranya ada di rekaman yang dikarantina pada "
            "snapshot sebelumnya: bukan baru, saat itu tidak terbaca)")


def _in_quarantine(entry: Entry) -> str:
    if not entry.removed_in_quarantine:
        return ""
    return (f" ({entry.removed_in_quarantine:,} of them in a record this snapshot quarantined: not gone, unreadable "
            f"now / {entry.removed_in_quarantine:,} di antaranya ada di rekaman yang dikarantina pada snapshot ini: "
            "bukan hilang, kini tidak terbaca)")


def _coverage(entry: Entry) -> list[str]:
    """A line on days that cover different provinces: which, and over which the changes count."""
    if entry.coverage is None:
        return []
    now, before, both = (", ".join(codes) or "none / tidak ada" for codes in (
        entry.coverage.now, entry.coverage.before, entry.coverage.both))
    lines = [f"- Provinces with results / provinsi dengan hasil: {now}; the snapshot before / snapshot sebelumnya: "
             f"{before}. TPS added, removed and changed count over the provinces this snapshot has results in, "
             "changes in votes over the provinces both cover / TPS ditambah, hilang dan berubah dihitung atas "
             "provinsi dengan hasil pada snapshot ini, perubahan suara atas provinsi yang dicakup keduanya: "
             f"{both}"]
    if entry.compared_earlier:
        earlier = ", ".join(f"{md(province)} with / dengan {md(day)}" for province, day in entry.compared_earlier)
        lines.append("- Compared with the last snapshot before that had results there, not with the snapshot before "
                     "/ dibandingkan dengan snapshot terakhir yang memuat hasil di sana, bukan snapshot sebelumnya: "
                     f"{earlier}")
    return lines


def _uncovered(entry: Entry) -> str:
    if not entry.removed_uncovered:
        return ""
    return (f" (and {entry.removed_uncovered:,} in provinces this snapshot has no result in: not covered, not "
            f"removed / dan {entry.removed_uncovered:,} di provinsi tanpa hasil pada snapshot ini: tidak dicakup, "
            "bukan hilang)")


def _unread(entry: Entry) -> list[str]:
    """A line on a snapshot that holds no TPS because every record of its sources was quarantined."""
    if entry.tps or not entry.records_quarantined:
        return []
    return [f"- No TPS could be read / tidak ada TPS yang terbaca: all {entry.records_quarantined:,} records of its "
            "sources were quarantined (`data/quarantine.csv`), so this snapshot holds no result and covers no "
            "province: its TPS are unreadable, not gone / semua rekaman sumbernya dikarantina, sehingga snapshot ini "
            "tanpa hasil dan tidak mencakup provinsi mana pun: TPS-nya tidak terbaca, bukan hilang"]


def _entry(entry: Entry) -> list[str]:
    head = f"### {md(entry.kode_pemilu)} · {md(entry.snapshot)}"
    lines = [head + (f" (since / sejak {md(entry.previous)})" if entry.previous else " (first / pertama)"), ""]
    complete = (f"{entry.tps_complete:,} complete / lengkap (status_suara)" if entry.tps_complete is not None else
                "completeness unknown / kelengkapan tidak diketahui (no status_suara in its sources)")
    if entry.tps_untold:
        complete += (f", unknown at {entry.tps_untold:,} TPS whose sources have no status_suara / tidak diketahui di "
                     f"{entry.tps_untold:,} TPS")
    lines.append(f"- {entry.tps:,} TPS, {entry.tps_with_votes:,} with votes / dengan suara, {complete} — from / dari "
                 + ", ".join(md(s) for s in entry.sources))
    lines += _unread(entry)
    if entry.previous:
        lines += _coverage(entry)
        lines += [
            f"- TPS added / ditambah: {entry.added:,}{_after_quarantine(entry)}; removed / hilang: {entry.removed:,}"
            f"{_in_quarantine(entry)}{_uncovered(entry)}; changed / berubah: "
            f"{entry.changed:,} ({entry.changed_beyond_ts:,} in more than the update time `ts` / selain `ts`)",
            f"- TPS whose votes changed / suara berubah: {entry.votes_changed:,}, of which "
            + (f"{entry.changed_after_complete:,} after the TPS was already complete / setelah TPS lengkap "
               "(`changed-after-complete`)" if entry.complete_before is not None else
               "how many after the TPS was complete is unknown / tidak diketahui berapa yang setelah TPS lengkap "
               "(no status_suara in the sources it is compared with)"),
            "- TPS that became complete / menjadi lengkap (status_suara false → true): "
            + (f"{entry.completed:,}" if entry.complete_before is not None and entry.tps_complete is not None else
               "unknown / tidak diketahui (no status_suara in the sources of one of the two)"),
        ]
    if entry.votes:
        lines += _votes(entry)
    return lines + [""]


def _votes(entry: Entry) -> list[str]:
    """Each candidate's total and change; with the part of the change at TPS one of the two snapshots could not read
    when there is such a part (a record quarantined: not votes gained or lost)."""
    unreadable = entry.unreadable_votes if any(delta is not None for *_, delta in entry.votes) else {}
    if not unreadable:
        return ["", "| candidate / peserta | votes / suara | change / perubahan |", "|---|---:|---:|",
                *(f"| {nomor} {md(nama or '')} | {'' if votes is None else f'{votes:,}'} | {_signed(delta)} |"
                  for nomor, nama, votes, delta in entry.votes)]
    return ["", "| candidate / peserta | votes / suara | change / perubahan | of which at TPS with a quarantined "
            "record / di antaranya di TPS yang rekamannya dikarantina |", "|---|---:|---:|---:|",
            *(f"| {nomor} {md(nama or '')} | {'' if votes is None else f'{votes:,}'} | {_signed(delta)} | "
              f"{_signed(unreadable.get(nomor, 0)) if delta is not None else ''} |"
              for nomor, nama, votes, delta in entry.votes),
            "", "A TPS whose record one of the two snapshots quarantined was unreadable, not counted: that part of "
            "the change is no vote gained or lost (`total-decreased` leaves it out) / TPS yang rekamannya "
            "dikarantina tidak terbaca: bagian perubahan itu bukan suara yang bertambah atau hilang."]


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


def _rules(rules: dict[str, dict[str, Any]]) -> list[str]:
    """The table of the integrity rules the register runs (``off`` ones aside): what each finds, and what its
    findings' ``key``, ``expected`` and ``actual`` are (review AX #4: the findings' codebook sent the reader to a
    table of rules the package did not hold)."""
    from .rules import BY_SLUG

    out = ["Integrity rules / Aturan integritas (`findings.rule`); an empty cell is a finding that leaves the column "
           "empty. / Sel kosong: temuan yang mengosongkan kolom itu.", "",
           "| rule | finds / menemukan | severity | key | expected | actual |", "|---|---|---|---|---|---|"]
    for slug, setting in rules.items():
        if setting["severity"] == "off":
            continue
        rule = BY_SLUG[slug]
        severity = setting["severity"] + (f" (error if {setting['error_if']})" if setting.get("error_if") else "")
        if setting.get("not_checked"):  # (nothing to check in the register's data: its 0 is no all-clear)
            severity += f"; not checked / tidak diperiksa: {setting['not_checked']}"
        out.append(f"| `{slug}` | {md_cell(setting['title'])} | {md_cell(severity)} | {rule.reads.key} | "
                   f"{rule.reads.expected} | {rule.reads.actual} |")
    return out + [""]


#: How the sources of each reader that publishes area totals number their areas (``kode_wilayah`` of
#: ``hasil_wilayah`` and ``suara_wilayah``), English / Indonesian.
AREA_NUMBERING = {
    "kpu": "KPU region codes: `0` the whole country, 2 to 10 digits a region of `wilayah`, 13 characters a TPS of "
           "`tps` / kode wilayah KPU: `0` seluruh Indonesia, 2 sampai 10 digit wilayah, 13 karakter TPS",
    "own": "the source's own area ids, not KPU codes: they join no `wilayah` row, and the same digits name another "
           "region in KPU codes (pemiluAPI `11` is Kabupaten Bireuen, KPU `11` is Aceh) / pengenal wilayah milik "
           "sumber, bukan kode KPU",
    "csv": "as the `csv` mapping reads them from the file: releasekit cannot tell whose numbering they follow; check "
           "the source before joining them to `wilayah` / sesuai kolom berkasnya; periksa sumbernya sebelum "
           "menggabungkannya dengan `wilayah`",
}


def _area_numbering(release: Release, prov: dict[str, Any]) -> list[str]:
    """How each of the package's sources of published area totals numbers its areas (review AX #1: a pemiluAPI
    package's ``kode_wilayah`` was described as an area code, and joined to ``wilayah`` named other regions)."""
    from .readers import READERS
    from .tables import KPU_AREA_READERS

    declared = {s.path: s for s in release.sources}
    out = []
    for item in prov["sources"]:
        source = declared.get(item["path"])
        if source is None:
            continue
        if source.format in KPU_AREA_READERS:
            how = AREA_NUMBERING["kpu"]
        elif READERS[source.format].code_system == "own":
            how = AREA_NUMBERING["own"]
        elif source.csv is not None and source.csv.table == "hasil_wilayah":
            how = AREA_NUMBERING["csv"]
        else:
            continue
        out.append(f"- `kode_wilayah` of {md(source.path)} ({md(source.format)}): {how}.")
    return ["How `kode_wilayah` numbers areas / Penomoran `kode_wilayah`:", "", *out, ""] if out else []


#: How the README writes numbers, as the register page says it (review CD L5: the codebook page printed 29402 where the
#: register page printed 29,402, and said nothing to a reader who writes 29.402).
NUMBERS_NOTE = ("Numbers in this README are written in English style: 1,936,408 means 1.936.408. / Angka di README ini "
                "ditulis dengan format Inggris: 1,936,408 berarti 1.936.408.")


def package_readme(release: Release, register: Register, desc: dict[str, Any], rows: dict[str, int],
                   db: sqlite_utils.Database | None = None, empty: dict[str, tuple[str, ...]] | None = None) -> str:
    """Render the README of one register's package (with its changelog when ``db`` is given; ``empty``: the columns
    with a ``pattern`` that have an empty cell, by table, which ``frictionless index`` cannot load)."""
    prov = desc["releasekit"]
    out = [f"# {md(register.title)}", ""]
    if register.description:
        out += [md(register.description), ""]
    out += [
        f"Register **{register.id}** (`{register.slug}`) of *{md(release.title)}*, published by "
        f"{md(release.publisher['name'])}.",
        "",
        NUMBERS_NOTE,
        "",
        "## Legal status / Status hukum",
        "",
        f"Status: {status_text(register)}",
        "",
    ]
    basis = register.basis
    for key, label in (("request", "Request / Permohonan"), ("decision", "Decision / Putusan")):
        if basis.get(key):
            out.append(_act(label, basis[key]))
    if basis.get("note"):
        out.append(f"- {md(basis['note'])}")
    out += ["", "## Licence / Lisensi", ""]
    out += [f"- {md_licences((lic,))}" for lic in release.licenses_of(register)]
    own: dict[tuple[License, ...], list[str]] = {}
    for resource in desc["resources"]:
        if "licenses" in resource:
            own.setdefault(tuple(License(**lic) for lic in resource["licenses"]), []).append(resource["path"])
    if own:
        out += ["", "Some rows were read from a source with licences of its own (the sources table below names them); "
                "these files may hold such rows and come under every licence listed (each resource's `licenses` in "
                "`datapackage.json`). / Sebagian baris dibaca dari sumber dengan lisensinya sendiri; berkas berikut "
                "dapat memuat baris tersebut dan tunduk pada setiap lisensi yang disebut.", ""]
        out += [f"- {', '.join(f'`{md(path)}`' for path in paths)}: {md_licences(licences)}"
                for licences, paths in own.items()]
    out += ["", "## Sources and record accounting / Sumber dan penghitungan rekaman", ""]
    if prov["sources"]:
        out += [
            "| path | reader | election | snapshot | sha256 | bytes | origin | retrieved | source licence | in "
            "| loaded | quarantined |",
            "|---|---|---|---|---|---:|---|---|---|---:|---:|---:|",
        ]
        declared = {s.path: s for s in release.sources}
        for s in prov["sources"]:
            label = md(s["path"]) + (" *(synthetic)*" if s.get("synthetic") else "")
            if "register" in s:  # another register's region list, which named places of this package
                label += f" *(register {md(s['register'])}: named places this package holds" + (
                    "; its quarantined records are in quarantine.csv too)*" if s["records_quarantined"] else ")*")
            source = declared.get(s["path"])
            licences = md_licences(source.licenses) if source else ""
            out.append(
                f"| {label} | {md(s['format'])} {md(s.get('reader_version', ''))} | {md(s.get('election', ''))} | "
                f"{md(s.get('snapshot', ''))} | `{s['sha256']}` | {s['bytes']:,} | {md(s.get('origin', ''))} | "
                f"{md(s.get('retrieved', ''))} | {licences} | {s['records_in']:,} | {s['records_loaded']:,} | "
                f"{s['records_quarantined']:,} |"
            )
        options = [(s["path"], s["reader_options"]) for s in prov["sources"] if s.get("reader_options")]
        if options:
            out += ["", "How each source's columns were read: `metadata.yml`'s mapping, every default written out "
                    "(`releasekit.sources[].reader_options` in `datapackage.json`). / Cara kolom setiap sumber dibaca.",
                    ""]
            out += [f"- {md(path)}: {md(json.dumps(opts, ensure_ascii=False))}" for path, opts in options]
    else:
        en, id_ = kept(register)
        out.append(f"This register publishes no data files: {en}. / Register ini tidak memublikasikan berkas data: "
                   f"{id_}.")
    built = f"Built by releasekit {prov['releasekit_version']} from inputs with SHA-256 `{prov['inputs_sha256']}`."
    if release.metadata_bytes is not None:  # (shipped beside this README: package.write_package)
        built += (f" The hash is of `metadata.yml` (in this package, SHA-256 `{prov['metadata_sha256']}`), of every "
                  "source's SHA-256 (`releasekit.inputs` in `datapackage.json`) and of the releasekit version: "
                  "`releasekit validate` recomputes it. / Hash dari `metadata.yml` (dalam paket ini), SHA-256 "
                  "setiap sumber dan versi releasekit; `releasekit validate` menghitungnya ulang.")
    out += ["", built, ""]
    entries = changelog(db, register.id) if db is not None and "snapshots" in rows else []
    if entries:
        out += _changelog(entries)
    out += ["## Codebook / Buku kode", ""]
    numbering = _area_numbering(release, prov)  # (under both tables of published area totals)
    for res in desc["resources"]:
        table = BY_NAME[res["name"]]
        out += [
            f"### `{res['path']}` — {table.title}",
            "",
            f"{table.en} {table.id}",
            "",
            f"Rows: {rows[res['name']]:,} · primary key: `{', '.join(table.primary_key)}` · "
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
        if res["name"] == "findings":
            out += _rules(prov["rules"])
        if res["name"] in ("hasil_wilayah", "suara_wilayah"):
            out += numbering
    out += ["Missing values are empty cells (NULL), never 0. Codes are text: keep leading zeros.", ""]
    out += _reading_tips(release, prov, desc, empty)
    return "\n".join(out)


#: How a folder source's sha256 is taken (:func:`releasekit.provenance.sha256_file`), as a script a reader can run:
#: on any Python 3 (``hashlib.file_digest`` is 3.11+; review CC L6).
FOLDER_SHA256 = """\
import hashlib, os, sys
root = sys.argv[1]
files = sorted(os.path.relpath(os.path.join(top, n), root).replace(os.sep, "/")
               for top, dirs, names in os.walk(root) for n in dirs + names if os.path.isfile(os.path.join(top, n)))
digest = hashlib.sha256()
for f in files:
    member = hashlib.sha256()
    with open(os.path.join(root, f), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            member.update(block)
    digest.update(f.encode() + b"\\0" + member.digest())
print(digest.hexdigest())"""

#: The pandas dtype of each Table Schema type: nullable, so an empty cell stays missing (``<NA>``) and an integer
#: column with one is not read as float (``292.0``); a date stays its ISO text (review CC L1).
PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "string",
                "datetime": "string"}


def pandas_line(resource: dict[str, Any]) -> str:
    """The pandas statement that reads ``resource`` with every column typed from its Table Schema and only an empty
    cell taken as missing (pandas reads ``NA``, ``null``, ``n/a``, … as missing otherwise)."""
    dtype = ", ".join(f'"{f["name"]}": "{PANDAS_TYPES[f["type"]]}"' for f in resource["schema"]["fields"])
    return (f'{resource["name"]} = pd.read_csv("{resource["path"]}", dtype={{{dtype}}}, keep_default_na=False, '
            'na_values=[""])')


def sqlite_lines(resource: dict[str, Any], database: str = "package.db") -> list[str]:
    """The ``sqlite-utils`` commands that create ``resource``'s table from its Table Schema (column types as in
    ``release.db``, primary key, NOT NULL) and load its CSV: codes as text, an empty cell as NULL (review CC M1)."""
    schema, name = resource["schema"], shlex.quote(resource["name"])
    columns = " ".join(f"{shlex.quote(f['name'])} {SQLITE_TYPES[f['type']].lower()}" for f in schema["fields"])
    options = [f"--pk {shlex.quote(key)}" for key in schema["primaryKey"]]
    options += [f"--not-null {shlex.quote(f['name'])}" for f in schema["fields"]
                if f.get("constraints", {}).get("required")]
    return [f"sqlite-utils create-table {database} {name} {columns} {' '.join(options)}",
            f"sqlite-utils insert {database} {name} {shlex.quote(resource['path'])} --csv --no-detect-types "
            "--empty-null"]


def _reading_tips(release: Release, prov: dict[str, Any], desc: dict[str, Any],
                  empty: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """How to read the CSVs with common tools and check a folder source's hash (review AX #2, #7, #8: pandas read
    codes as numbers, ``sha256sum`` cannot hash a folder, ``frictionless index`` into SQLite drops tables; review CC
    M1, M2, L1, L2, L6). ``empty``: the columns with a ``pattern`` that have an empty cell, by table
    (:func:`releasekit.package.empty_patterned`)."""
    resources = desc["resources"]
    names = [r["name"] for r in resources]
    out = ["## Reading these files / Membaca berkas ini", ""]
    if resources:
        example = "tps" if "tps" in names else names[0]
        out += [f'- frictionless applies the Table Schema when a table is read through the package: '
                f'`Package("datapackage.json").get_resource("{example}").to_pandas()`, which needs '
                '`pip install "frictionless[pandas]"`. A bare `Resource("data/….csv")` does not read the schema: it '
                "infers the types itself and reads `001` as the number 1.",
                "- pandas alone reads `001` as the number 1, an integer column with an empty cell as decimals "
                "(`292.0`) and a cell such as `NA` as missing. These lines type every column from the schema (text "
                "`string`, integer `Int64`, number `Float64`, boolean `boolean`, a date as its text) and take only "
                "an empty cell as missing:", "",
                "```python", "import pandas as pd", *(pandas_line(r) for r in resources), "```", ""]
    where = "is served at `/release.db` on the release's Datasette site"
    if web_url(release.homepage):
        where += f" (the release's home page: {md_link(release.homepage)})"
    out += [f"- SQLite: `release.db` (every table of the release, typed, with its keys) {where}. To load this "
            "package's CSVs instead, create each table from its schema and insert the CSV with `--no-detect-types` "
            "(codes stay text) and `--empty-null` (an empty cell is NULL: without it, `''`, which `sum()` counts as "
            "0); the foreign keys are listed in the codebook above:"]
    if resources:
        out += ["", "```sh", *(line for r in resources for line in sqlite_lines(r)), "```"]
    named = [f"`{table}` (" + ", ".join(f"`{c}`" for c in columns) + ")" for table, columns in (empty or {}).items()]
    out += ["", "- `frictionless index` and `publish` (frictionless 5) leave out a table whose column with a `pattern` "
            "has an empty cell: their SQLite `REGEXP` function fails on NULL. "
            + (f"In this package: {', '.join(named)}." if named else "No table of this package has such a cell."),
            ""]
    folders = [s["path"] for s in prov["sources"] if (release.root / s["path"]).is_dir()]
    if folders:
        out += ["- The sha256 of a folder source (" + ", ".join(f"`{md(path)}`" for path in folders) + ") is taken "
                "over each file's path in the folder, a NUL byte and the file's own SHA-256 digest, in path order; "
                "`sha256sum` hashes files only. This script gives it (`python3 folder_sha256.py raw/…`):", "",
                "```python", FOLDER_SHA256, "```", ""]
    return out
