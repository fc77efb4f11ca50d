"""Database → one Frictionless data package per register (DESIGN.md sections 2, 8, 9).

Each package is ``datapackages/<slug>/`` (``datapackage.json``, ``data/*.csv``,
``README.md``) plus ``datapackages/<slug>.zip``. Table Schemas come from
:mod:`releasekit.tables`; every resource carries ``hash`` and ``bytes``; the
register's provenance sits under the ``releasekit`` key. Rebuilding the same
inputs gives the same bytes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from . import __version__
from .artefacts import CSV_LINE_TERMINATOR, StreamingZip, source_date_iso, write_csv, write_json
from .codebook import package_readme, web_url
from .config import License, Register, Release, Source
from .database import iter_rows
from .metadatafile import METADATA_FILE
from .provenance import sha256_file
from .readers import READERS
from .readers.dpt_csv import DptCsvReader, options_of
from .readers.textio import TextOptions
from .rules import RULES, not_checked, setting
from .tables import BY_NAME, FALSE_VALUES, REGISTER_SOURCES, TRUE_VALUES, Field, Table

PACKAGES_DIR = "datapackages"
REGISTER_TPS = (f"(sumber IN {REGISTER_SOURCES} OR kode_tps IN "
                f"(SELECT kode_tps FROM hasil_tps WHERE sumber IN {REGISTER_SOURCES}) OR kode_tps IN "
                f"(SELECT kode_tps FROM dpt_rekap WHERE sumber IN {REGISTER_SOURCES}))")

#: Tables each of whose rows names the raw source it was read from: table → that column. A register's package
#: holds the rows read from its sources (``tps`` and ``wilayah`` have a ``sumber`` too, but it names the list
#: that named a place: a package also holds the places its results refer to, see ``REGISTER_TPS``).
SOURCE_COLUMNS: dict[str, str] = {
    "hasil_tps": "sumber", "hasil_wilayah": "sumber", "snapshots": "source", "snapshot_votes": "source",
    "changes": "source", "dpt_rekap": "sumber", "dpt_pemilih": "sumber", "quarantine": "source",
}


def _by_source(table: str) -> str:
    """The filter of a table in :data:`SOURCE_COLUMNS`: its rows read from the register's sources."""
    return f"WHERE {SOURCE_COLUMNS[table]} IN {REGISTER_SOURCES}"


#: The regions a register's package holds: those its sources named, and those above its TPS (and above them).
REGISTER_PLACES = (
    "kode_wilayah IN (WITH RECURSIVE up(kode) AS ("
    f"SELECT kode_wilayah FROM wilayah WHERE sumber IN {REGISTER_SOURCES} "
    f"UNION SELECT kode_wilayah FROM tps WHERE {REGISTER_TPS} "
    "UNION SELECT w.kode_induk FROM wilayah w JOIN up ON w.kode_wilayah = up.kode "
    "WHERE w.kode_induk IS NOT NULL) SELECT kode FROM up)"
)
#: Sources of other registers that named places a register's package holds (a region list another register
#: declares, which named the TPS of this register's results): listed in the package beside its own, since their
#: rows are in it (``wilayah.sumber``, ``tps.sumber`` name them).
OTHER_SOURCES = "(SELECT path FROM sources WHERE register != :register)"
REFERENCED_SOURCES = (f"(SELECT sumber FROM wilayah WHERE sumber IN {OTHER_SOURCES} AND {REGISTER_PLACES} "
                      f"UNION SELECT sumber FROM tps WHERE sumber IN {OTHER_SOURCES} AND {REGISTER_TPS})")

#: The rows of each table that belong to a register's package, as SQL filters.
REGISTER_FILTERS: dict[str, str] = {
    "pemilu": "WHERE kode_pemilu IN (SELECT election FROM sources WHERE register = :register)",
    "peserta": "WHERE kode_pemilu IN (SELECT election FROM sources WHERE register = :register)",
    "wilayah": f"WHERE {REGISTER_PLACES}",
    "tps": f"WHERE {REGISTER_TPS}",
    "hasil_tps": _by_source("hasil_tps"),
    "suara": (
        "WHERE EXISTS (SELECT 1 FROM hasil_tps h WHERE h.kode_pemilu = suara.kode_pemilu "
        "AND h.snapshot = suara.snapshot AND h.kode_tps = suara.kode_tps "
        f"AND h.sumber IN {REGISTER_SOURCES})"
    ),
    "hasil_wilayah": _by_source("hasil_wilayah"),
    "suara_wilayah": (
        "WHERE EXISTS (SELECT 1 FROM hasil_wilayah h WHERE h.kode_pemilu = suara_wilayah.kode_pemilu "
        "AND h.snapshot = suara_wilayah.snapshot AND h.kode_wilayah = suara_wilayah.kode_wilayah "
        f"AND h.sumber IN {REGISTER_SOURCES})"
    ),
    "snapshots": _by_source("snapshots"),
    "snapshot_votes": _by_source("snapshot_votes"),
    "changes": _by_source("changes"),
    "dpt_rekap": _by_source("dpt_rekap"),
    "dpt_pemilih": _by_source("dpt_pemilih"),
    "findings": "WHERE register = :register",
    # (and those of another register's region list the package lists: its sources.csv row counts them, review AX #3)
    "quarantine": f"{_by_source('quarantine')} OR source IN {REFERENCED_SOURCES}",
    "sources": f"WHERE register = :register OR path IN {REFERENCED_SOURCES}",
}
#: Tables whose rows are read from sources (the rest, ``pemilu``, ``peserta``, ``findings`` and ``sources``, come from
#: ``metadata.yml`` and the rules), and of those, the tables that also hold rows of another register's region list
#: (:data:`REFERENCED_SOURCES`: the places it named, its quarantined records).
READ_TABLES = frozenset({*SOURCE_COLUMNS, "suara", "suara_wilayah", "wilayah", "tps"})
PLACE_TABLES = frozenset({"wilayah", "tps", "quarantine"})
#: Tables made from the rows read from sources rather than read from them: a finding quotes the codes and figures of
#: the rows it is about (``expected``, ``actual``), so it comes under their licences too.
DERIVED_TABLES = frozenset({"findings"})
#: Resources every package has, even when empty: its provenance and its rejects.
ALWAYS = ("findings", "quarantine", "sources")
#: Filters kept even when the register holds every source: these rows are not all owned by a source
#: (an election declared in metadata.yml but read by no source; findings and sources name their register).
ALWAYS_FILTERED = ("pemilu", "peserta", "findings", "sources")


@dataclass(frozen=True)
class PackageResult:
    """What was written for one register."""

    register: Register
    folder: Path
    zip_path: Path
    rows: dict[str, int]


def table_schema_pattern(pattern: str) -> str:
    """``pattern`` (a Python expression anchored ``^…$``) as Table Schema writes one: an XML Schema regular
    expression, which always matches the whole value and has no ``^``/``$`` anchors (there they are literal
    characters) and no ``(?:`` groups (review AU #3). Python reads it the same way under Frictionless's anchors."""
    return pattern.removeprefix("^").removesuffix("$").replace("(?:", "(")


def field_descriptor(field: Field) -> dict[str, Any]:
    """The Table Schema field descriptor of a canonical field."""
    out: dict[str, Any] = {"name": field.name, "type": field.type, "title": field.title,
                           "description": f"{field.en}\n{field.id}"}
    if field.type == "boolean":
        out["trueValues"] = list(TRUE_VALUES)
        out["falseValues"] = list(FALSE_VALUES)
    constraints: dict[str, Any] = {}
    if field.required:
        constraints["required"] = True
    if field.pattern:
        constraints["pattern"] = table_schema_pattern(field.pattern)
    if field.enum:
        constraints["enum"] = list(field.enum)
    if field.minimum is not None:
        constraints["minimum"] = field.minimum
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(table: Table, present: set[str]) -> dict[str, Any]:
    """The Table Schema of ``table``; foreign keys only to resources that are ``present``."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(f) for f in table.fields],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    fks = [
        {"fields": list(fk.fields),
         "reference": {"resource": "" if fk.table == table.name else fk.table,
                       "fields": list(fk.reference_fields)}}
        for fk in table.foreign_keys if fk.table in present and not fk.link_only
    ]
    if fks:
        schema["foreignKeys"] = fks
    return schema


#: The CSV dialect of every resource, as ``artefacts`` writes the files (review AU #4).
CSV_DIALECT = {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": CSV_LINE_TERMINATOR,
               "quoteChar": '"'}


def _resource(table: Table, folder: Path, present: set[str]) -> dict[str, Any]:
    path = folder / "data" / f"{table.name}.csv"
    sha256, size = sha256_file(path)
    return {
        "name": table.name,
        "path": f"data/{table.name}.csv",
        "profile": "tabular-data-resource",
        "type": "table",  # (Data Package v2's word for the v1 profile above; v1 allows the extra property)
        "title": table.title,
        "description": f"{table.en}\n{table.id}",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        # Frictionless's default lineTerminator is "\r\n"; the CSVs end lines with "\n". Flat, as CSV Dialect 1.0
        # (the spec of the descriptor's tabular-data-package profile) writes it; Frictionless 5 reads it there too.
        # Every option is declared, not left to a reader's guess: Frictionless sniffs an undeclared delimiter, so a
        # CSV re-saved with ';' (a spreadsheet in an Indonesian locale) was valid to it and not to releasekit.
        "dialect": dict(CSV_DIALECT),
        "hash": f"sha256:{sha256}",
        "bytes": size,
        "schema": table_schema(table, present),
    }


def provenance(release: Release, register: Register, db: sqlite_utils.Database,
               inputs_sha256: str) -> dict[str, Any]:
    """The register's provenance block (DESIGN.md section 8)."""
    sources = []
    declared = {source.path: source for source in release.sources}
    for row in iter_rows(db, BY_NAME["sources"], REGISTER_FILTERS["sources"], {"register": register.id}):
        item = dict(zip(BY_NAME["sources"].columns, row, strict=True))
        item["synthetic"] = bool(item["synthetic"])
        source = declared.get(str(item["path"]))
        item["reader_options"] = reader_options(source) if source is not None else None
        # (a source of another register, which named places this package holds, keeps the register it belongs to)
        sources.append({k: v for k, v in item.items() if v is not None and (k != "register" or v != register.id)})
    rules: dict[str, dict[str, Any]] = {}
    unchecked = not_checked(db, register.id)  # (what a rule lacked, said beside its 0: review CD H1)
    for rule in RULES:
        s = setting(register.rules, rule.slug)
        rules[rule.slug] = {"severity": s.severity, **({"error_if": s.error_if} if s.error_if else {}),
                            "table": rule.table,
                            **({"tables": list(rule.tables)} if len(rule.tables) > 1 else {}), "title": rule.title,
                            **({"not_checked": unchecked[rule.slug]}
                               if rule.slug in unchecked and s.severity != "off" else {})}
    hashed = {(reg, path): sha256 for reg, path, sha256 in db.execute("SELECT register, path, sha256 FROM sources")}
    return {
        "releasekit_version": __version__,
        "inputs_sha256": inputs_sha256,
        # What the inputs hash is the hash of (provenance.digest_of_inputs): metadata.yml (shipped beside the
        # descriptor when it was read from a file) and every source the build declared, each register's
        "metadata_sha256": release.metadata_sha256,
        "inputs": [[s.register, s.path, hashed[s.register, s.path]] for s in release.sources],
        "register": {"id": register.id, "slug": register.slug, "title": register.title,
                     "status": register.status, "basis": register.basis},
        "sources": sources,
        "rules": rules,
    }


def reader_options(source: Source) -> dict[str, Any] | None:
    """How the reader read ``source``, as ``metadata.yml``'s ``csv:`` or ``dpt:`` block resolved (every default
    written out): which raw column became which field, the delimiter, the number style, the cells read as missing.
    None for a reader that takes no options. Review BZ H2: a reader of the package could not tell which column of a
    raw CSV was candidate 1, nor which columns were left out."""
    if source.csv is not None:
        mapping = source.csv
        return {"csv": {
            "table": mapping.table, "fields": dict(mapping.fields),
            **({"votes": {str(ballot): column for ballot, column in mapping.votes}} if mapping.votes else {}),
            **({"long": asdict(mapping.long)} if mapping.long else {}),
            "numbers": mapping.numbers, "pad": dict(mapping.pad), "missing": list(mapping.missing),
            "ragged": mapping.ragged, "text": _text_options(mapping.text)}}
    if source.format == DptCsvReader.name:
        options = options_of(source)
        return {"dpt": {"fields": dict(options.fields), "text": _text_options(options.text)}}
    return None


def _text_options(text: TextOptions) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in asdict(text).items()}


def descriptor(release: Release, register: Register, resources: list[dict[str, Any]],
               prov: dict[str, Any]) -> dict[str, Any]:
    """The ``datapackage.json`` of a register."""
    publisher = release.publisher
    out: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": register.slug,
        "title": register.title,
        "description": register.description or release.description or release.title,
        "keywords": ["indonesia", "election", "pemilu", "kpu", register.slug],
    }
    if release.version:
        out["version"] = release.version
    if release.homepage:
        out["homepage"] = release.homepage
    created = source_date_iso()
    if created:
        out["created"] = created
    out["licenses"] = [lic.to_descriptor() for lic in release.licenses_of(register)]
    contributor = {"title": publisher["name"], "role": "publisher", "roles": ["publisher"]}  # (v1's word, v2's)
    if publisher.get("url"):
        contributor["path"] = publisher["url"]
    if publisher.get("email"):
        contributor["email"] = publisher["email"]
    out["contributors"] = [contributor]
    declared = {s.path: s for s in release.sources}
    out["sources"] = [_source(s) for s in register.sources]
    for other in (s for s in prov["sources"] if "register" in s):
        item = _source(declared[other["path"]])
        note = f"a source of register {other['register']}: it named places this package holds"
        item["description"] = f"{item['description']}; {note}" if "description" in item else note
        out["sources"].append(item)
    out["releasekit"] = prov
    own = resource_licenses(release, register, prov)
    out["resources"] = [{**r, "licenses": [lic.to_descriptor() for lic in own[r["name"]]]} if r["name"] in own else r
                        for r in resources]
    return out


def resource_licenses(release: Release, register: Register, prov: dict[str, Any]) -> dict[str, tuple[License, ...]]:
    """The resources of a register's package whose rows may come under another licence than the package's: table →
    every licence its rows may come under. A source's own ``licenses`` cover the rows read from it (the package's,
    those of the rest); a resource holding such rows says so with a ``licenses`` of its own, as a Data Resource may
    (review CC L4: a package licensed CC0 held the rows of another register's ODbL region list, and its ``wilayah``
    resource said nothing of it). Empty when no source the package holds has licences of its own."""
    declared = {source.path: source for source in release.sources}
    package = release.licenses_of(register)
    sources = [declared[s["path"]] for s in prov["sources"] if s["path"] in declared]
    if all(not source.licenses or source.licenses == package for source in sources):
        return {}
    # (a region list, this register's or another's, names places; any other source, every table read from sources;
    # the findings quote the values and codes of every source's rows: a rule's finding is derived from them)
    tables = [(source, (PLACE_TABLES if READERS[source.format].places_first(source) else READ_TABLES) | DERIVED_TABLES)
              for source in sources]
    out = {}
    for table in sorted(READ_TABLES | PLACE_TABLES | DERIVED_TABLES):
        licences = tuple(dict.fromkeys(lic for source, held in tables if table in held
                                       for lic in source.licenses or package))
        if licences and licences != package:
            out[table] = licences
    return out


def _source(source: Source) -> dict[str, Any]:
    """A Frictionless ``sources`` item: its ``path`` a web address (Frictionless wants a URL or a path in the package
    there), an origin in words (``origin: KPU PPID, by e-mail``) its ``description``, and the source's own
    licences when it has any (those of the register apply otherwise)."""
    item: dict[str, Any] = {"title": source.title or source.path}
    url = web_url(source.origin)
    if url:
        item["path"] = url
    elif source.origin:
        item["description"] = source.origin
    if source.licenses:
        item["licenses"] = [lic.to_descriptor() for lic in source.licenses]
    return item


def holds_every_source(db: sqlite_utils.Database | sqlite3.Connection, register: str) -> bool:
    """Whether ``register`` holds every source of the release (then every row of the data tables is its)."""
    return bool(db.execute("SELECT count(*) = count(register = ? OR NULL) FROM sources", (register,)).fetchone()[0])


def held_alone(db: sqlite_utils.Database | sqlite3.Connection, register: str) -> frozenset[str]:
    """The tables of :data:`SOURCE_COLUMNS` whose every row ``register``'s sources wrote: all of them when it
    holds every source, else those no other register's source may have written. A source naming no election (a
    region list: what a register of places alone holds) writes none of them but ``quarantine``, which is looked
    at; one naming an election may have written any of them."""
    others = db.execute("SELECT path, election IS NOT NULL FROM sources WHERE register <> ? ORDER BY path",
                        (register,)).fetchall()
    if any(results for _, results in others):
        return frozenset()
    placeholders = ", ".join("?" * len(others))
    quarantined = others and db.execute(f"SELECT 1 FROM quarantine WHERE source IN ({placeholders}) LIMIT 1",
                                        [path for path, _ in others]).fetchone()
    return frozenset(SOURCE_COLUMNS) - ({"quarantine"} if quarantined else set())


def empty_patterned(db: sqlite_utils.Database, table: Table, where: str,
                    params: dict[str, object]) -> tuple[str, ...]:
    """The columns of ``table`` with a ``pattern`` that have an empty cell among the rows ``where`` selects.

    Frictionless 5 cannot load such a table into SQL (``frictionless index``): its SQLite ``REGEXP`` function raises
    on NULL (review CC L2). Each column is looked for alone, to stop at its first empty cell."""
    out = []
    for field in table.fields:
        if field.pattern and not field.required:
            sql = (f"SELECT 1 FROM (SELECT [{field.name}] AS v FROM [{table.name}] {where}) "
                   "WHERE v IS NULL OR v = '' LIMIT 1")
            if db.execute(sql, params).fetchone() is not None:
                out.append(field.name)
    return tuple(out)


#: Called with a table's name before the table is read; returns when the table is final (see ``write_packages``).
Ready = Callable[[str], None]


def _always_ready(table: str) -> None:
    pass


def write_package(release: Release, register: Register, db: sqlite_utils.Database,
                  inputs_sha256: str, out_dir: Path, ready: Ready = _always_ready) -> PackageResult:
    """Write one register's package folder and zip, replacing any previous one."""
    tmp = out_dir / f".{register.slug}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    params: dict[str, object] = {"register": register.id}
    rows: dict[str, int] = {}
    empty: dict[str, tuple[str, ...]] = {}  # the package README names them (review CC L2)
    # When every source is this register's, every row of the data tables is too: no filter to evaluate.
    sole = holds_every_source(db, register.id)
    zip_path = out_dir / f"{register.slug}.zip"
    zipper = StreamingZip(zip_path)  # each CSV is compressed while the next one is written
    try:
        for table_name, where in REGISTER_FILTERS.items():
            table = BY_NAME[table_name]
            if sole and table_name not in ALWAYS_FILTERED:
                where = ""
            path = tmp / "data" / f"{table.name}.csv"
            ready(table_name)
            written = write_csv(path, table.columns, iter_rows(db, table, where, params))
            if written or table.name in ALWAYS:
                rows[table.name] = written
                zipper.add(f"data/{table.name}.csv", path)
                if gaps := empty_patterned(db, table, where, params):
                    empty[table.name] = gaps
            else:
                path.unlink()
        present = set(rows)
        resources = [_resource(BY_NAME[name], tmp, present) for name in REGISTER_FILTERS if name in present]
        prov = provenance(release, register, db, inputs_sha256)
        desc = descriptor(release, register, resources, prov)
        write_json(tmp / "datapackage.json", desc)
        (tmp / "README.md").write_text(package_readme(release, register, desc, rows, db, empty), encoding="utf-8",
                                       newline="\n")
        zipper.add("datapackage.json", tmp / "datapackage.json")
        zipper.add("README.md", tmp / "README.md")
        # The metadata.yml loaded (whatever the file was called), by its hash in the provenance: with it, anyone
        # can recompute the inputs hash (releasekit.inputshash; validate does).
        if release.metadata_bytes is not None:
            (tmp / METADATA_FILE).write_bytes(release.metadata_bytes)
            zipper.add(METADATA_FILE, tmp / METADATA_FILE)
    finally:
        zipper.close()
    folder = out_dir / register.slug
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return PackageResult(register, folder, zip_path, rows)


def write_packages(release: Release, db: sqlite_utils.Database, inputs_sha256: str,
                   out_dir: Path | None = None, ready: Ready = _always_ready) -> list[PackageResult]:
    """Write every register's package under ``out_dir`` (default ``<project>/datapackages/``).

    :func:`releasekit.build.build` passes a staging folder, swapped into place when the whole release is done,
    and starts the packages while it still fills tables they read: ``ready(table)`` waits for ``table``
    (tables are read in :data:`REGISTER_FILTERS` order, the README last, after ``findings``).
    """
    out_dir = out_dir or release.root / PACKAGES_DIR
    out_dir.mkdir(exist_ok=True)
    return [write_package(release, reg, db, inputs_sha256, out_dir, ready) for reg in release.registers]
