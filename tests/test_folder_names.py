"""A project or site folder whose path holds ``#``, ``?`` or ``%`` (review AR #1): releasekit opened its databases by
``file:`` URIs it did not encode, so SQLite read ``#``/``?`` as the URI's end and ``%41`` as ``A``: publish and
serve failed (``no such table: sources``, or an internal error) and left an empty file outside the project. Datasette
opens its databases the same way: serve links to such a site from a temporary folder, publish says so. Each test
failed on the code before."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Site, copy_demo, invoke
from releasekit import build, load_release, serving, write_site


@pytest.mark.parametrize("name", ["hash#1", "what?x", "pct%41"])
def test_a_project_and_a_site_under_such_a_name_publish_and_serve(tmp_path: Path, name: str) -> None:
    outer = tmp_path / "outer"
    project = copy_demo(outer / name / "project")
    build(load_release(project))
    site = outer / name / "site"
    result = invoke("publish", str(site), "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "note: Datasette cannot open a database in a folder whose path holds" in result.output
    # and the library says so too (review CE L4: only the CLI did), where releasekit's own serve needs no word
    notes = write_site(load_release(project), outer / name / "site2").notes()
    assert len(notes) == 1 and notes[0].startswith("Datasette cannot open a database in a folder whose path holds")
    with serving(load_release(project)) as server:
        assert server.site.notes() == []
    assert sorted(p.name for p in outer.iterdir()) == [name]  # (nothing made beside it: "hash", "what")
    served = Site(site)
    rows = served.json("/release/hasil_tps.json?_shape=array&_size=1")
    assert len(rows) == 1 and rows[0]["kode_pemilu"] == "ppwp-2024"
    assert served.datasette.databases["release"].path != str(site / "release.db")  # (through the link)


def test_a_plain_folder_is_served_as_it_is(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    build(load_release(project))
    result = invoke("publish", str(tmp_path / "site"), "--project", str(project))
    assert result.exit_code == 0 and "note:" not in result.output
    assert write_site(load_release(project), tmp_path / "site2").notes() == []
    assert Site(tmp_path / "site").datasette.databases["release"].path == str(tmp_path / "site" / "release.db")
