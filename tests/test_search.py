"""Full-text search on region names (review AV #5): Datasette offers a search box on ``wilayah``, so a region's code
is found by its name (``?_search=sojoma``) instead of by paging 90,000 names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import Site, query
from releasekit import load_release, piigate
from releasekit.errors import PrivacyError


def test_the_built_database_searches_region_names(demo_project: Path) -> None:
    found = query(demo_project, "SELECT kode_wilayah FROM wilayah WHERE rowid IN "
                                "(SELECT rowid FROM wilayah_fts WHERE wilayah_fts MATCH 'sojoma')")
    assert found == [("5202",)]
    named = query(demo_project, "SELECT count(*) FROM wilayah WHERE nama IS NOT NULL")[0][0]
    indexed = query(demo_project, "SELECT count(*) FROM wilayah_fts WHERE nama IS NOT NULL")[0][0]
    assert named == indexed > 50


def test_the_site_has_a_search_box_on_wilayah_and_hides_the_index(demo_project: Path, tmp_path: Path) -> None:
    site = Site.written(load_release(demo_project), tmp_path / "site")
    rows = site.json("/release/wilayah.json?_search=kota&_shape=array")
    names = [row["nama"] for row in rows]
    assert names and all("KOTA" in name for name in names)
    assert names == [r[0] for r in query(demo_project, "SELECT nama FROM wilayah WHERE nama LIKE '%KOTA%' "
                                                       "ORDER BY kode_wilayah")]
    assert 'name="_search"' in site.get("/release/wilayah").text
    tables = {t["name"]: t["hidden"] for t in site.json("/release.json")["tables"]}
    assert tables["wilayah"] is False
    assert all(tables[f"wilayah_fts{part}"] for part in ("", "_data", "_idx", "_docsize", "_config"))


def test_the_nik_scan_reads_the_indexed_text_and_not_the_index(tmp_path: Path) -> None:
    """The scan of the database skips the FTS5 index's own tables (binary blobs of tokens) and still reads the
    text they index, where it is kept."""
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE wilayah (kode_wilayah TEXT PRIMARY KEY, nama TEXT)")
        db.execute("INSERT INTO wilayah VALUES ('31', 'DKI JAKARTA')")
        db.execute("CREATE VIRTUAL TABLE wilayah_fts USING FTS5 (nama, content=[wilayah])")
        db.execute("INSERT INTO wilayah_fts (rowid, nama) SELECT rowid, nama FROM wilayah")
    db.close()
    read: list[str] = []
    conn = sqlite3.connect(path)
    conn.set_trace_callback(read.append)
    piigate.refuse_niks_in_database(path, "release.db", conn)
    conn.close()
    assert any("[wilayah]" in sql for sql in read)
    assert not any(f"[wilayah_fts_{part}]" in sql for sql in read for part in ("data", "idx", "docsize", "config"))
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO wilayah VALUES ('32', 'DESA 3201014501900001')")
        db.execute("CREATE VIRTUAL TABLE notes USING FTS5 (note)")  # the text kept in notes_content
        db.execute("INSERT INTO notes VALUES ('NIK 3201014501900001')")
    db.close()
    with pytest.raises(PrivacyError, match="table notes(_content)?, column (note|c0)"):
        piigate.refuse_niks_in_database(path, "release.db")
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE notes")
    db.close()
    with pytest.raises(PrivacyError, match="table wilayah, column nama"):
        piigate.refuse_niks_in_database(path, "release.db")
