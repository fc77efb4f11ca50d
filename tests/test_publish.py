"""Datasette over the built release: metadata from metadata.yml, immutable database, tables browsable."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import yaml

from releasekit import build, load_release
from releasekit.publish import datasette_metadata, make_datasette

FIXTURE = Path(__file__).parent / "fixtures" / "sirekap_tps"


def test_datasette_serves_the_release(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "raw" / "tps")
    meta = {"title": "Demo release", "description": "About it", "publisher": {"name": "P", "url": "https://p.example"},
            "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
            "registers": [{"id": "001", "slug": "real-count", "title": "R", "status": "open",
                           "sources": [{"path": "raw/tps", "format": "sirekap-tps-json", "election": "ppwp-2024",
                                        "snapshot": "2024-02-16"}]}]}
    (tmp_path / "metadata.yml").write_text(yaml.safe_dump(meta))
    release = load_release(tmp_path)
    build(release)
    metadata = datasette_metadata(release)
    assert (metadata["title"], metadata["license"], metadata["source_url"]) == (
        "Demo release", "CC-BY-4.0", "https://p.example")
    assert "Suara sah" in metadata["databases"]["release"]["tables"]["hasil_tps"]["columns"]["suara_sah"]

    async def fetch() -> tuple[str, list[dict[str, object]], bool]:
        ds = make_datasette(release)
        home = await ds.client.get("/")
        rows = await ds.client.get("/release/hasil_tps.json?_shape=array&kode_tps=3101011001001")
        return home.text, rows.json(), ds.databases["release"].is_mutable

    home, rows, mutable = asyncio.run(fetch())
    assert "Demo release" in home and "CC-BY-4.0" in home
    assert rows[0]["suara_sah"] == 228 and rows[0]["kode_tps"] == "3101011001001"
    assert mutable is False
