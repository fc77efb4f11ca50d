"""Datasette over ``build/release.db``, with metadata generated from ``metadata.yml``.

One source of truth: titles, descriptions, licence and source come from the
release, column descriptions from :mod:`releasekit.tables` (the same text as
the Table Schemas). The database is served immutable, on 127.0.0.1 by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .build import BUILD_DIR, DATABASE_FILE
from .config import Release
from .errors import ReleasekitError
from .tables import TABLES

DATABASE_NAME = "release"
#: Serving defaults: a time limit on SQL, no facet suggestions (slow on big tables).
SETTINGS = {"sql_time_limit_ms": 3000, "suggest_facets": False, "default_page_size": 100,
            "max_returned_rows": 1000, "allow_download": True}
FACETS = {"hasil_tps": ["snapshot", "status_suara"], "tps": ["jenis_tps"], "wilayah": ["tingkat"],
          "quarantine": ["source"], "findings": ["rule", "severity", "snapshot"], "sources": ["register"]}


def datasette_metadata(release: Release) -> dict[str, Any]:
    """Datasette ``metadata`` for the release: instance, database and every table."""
    lic = release.licenses[0]
    tables: dict[str, Any] = {}
    for table in TABLES:
        meta: dict[str, Any] = {
            "title": table.title,
            "description": f"{table.en} — {table.id}",
            "columns": {f.name: f"{f.en} — {f.id}" for f in table.fields},
        }
        if table.label_column:
            meta["label_column"] = table.label_column
        if table.name in FACETS:
            meta["facets"] = FACETS[table.name]
        tables[table.name] = meta
    meta = {
        "title": release.title,
        "description": release.description or "",
        "license": lic.title or lic.name,
        "source": release.publisher["name"],
        "databases": {DATABASE_NAME: {"title": release.title, "tables": tables}},
    }
    if lic.path:
        meta["license_url"] = lic.path
    if release.publisher.get("url"):
        meta["source_url"] = release.publisher["url"]
    return meta


def database_path(release: Release) -> Path:
    """Where ``build`` wrote the database."""
    return release.root / BUILD_DIR / DATABASE_FILE


def make_datasette(release: Release) -> Any:
    """A configured :class:`datasette.app.Datasette` over the release database."""
    from datasette.app import Datasette

    db = database_path(release)  # build/release.db: Datasette names the database "release" after the file
    if not db.is_file():
        raise ReleasekitError(f"{db}: no database", hint="run 'releasekit build' first")
    return Datasette([], immutables=[str(db)], metadata=datasette_metadata(release), settings=SETTINGS)


def serve(release: Release, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the release with Datasette until interrupted."""
    import uvicorn

    ds = make_datasette(release)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
