"""Reader sirekap-aggregate-json and the rollup-mismatch rule, on the real Sirekap API capture."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from conftest import SHARED_DATA, needs_real_data, page_context, query, write_metadata
from releasekit import build, load_release, validate_paths

API = SHARED_DATA / "sirekap2024_raw_api_ridwaanhall" / "pemilu"
DESA = API / "hhcw" / "ppwp" / "11" / "1101" / "110101" / "1101012001"
pytestmark = needs_real_data(API)


def project(root: Path, aggregates: Path, tps: Path) -> Path:
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "agg").symlink_to(aggregates, target_is_directory=True)
    (root / "raw" / "tps").symlink_to(tps, target_is_directory=True)
    src = {"election": "ppwp-2024", "snapshot": "2024-03-07"}
    meta = {"title": "T", "publisher": {"name": "P"}, "licenses": [{"name": "CC-BY-4.0"}], "registers": [{
        "id": "001", "slug": "real-count", "title": "R", "status": "open",
        "sources": [{"path": "raw/agg", "format": "sirekap-aggregate-json", **src},
                    {"path": "raw/tps", "format": "sirekap-tps-json", **src}]}]}
    build(load_release(write_metadata(root, meta)))
    return root


def test_aggregates_load_and_reconcile_where_tps_cover_the_area(tmp_path: Path) -> None:
    root = project(tmp_path, API, DESA)
    files = sorted(API.rglob("*.json"))
    aggregates = [f for f in files if len(f.stem) != 13]
    (agg,) = query(root, "SELECT records_in, records_loaded, records_quarantined FROM sources WHERE path='raw/agg'")
    assert agg == (len(files), len(aggregates), len(files) - len(aggregates))
    national = json.loads((API / "hhcw" / "ppwp.json").read_text())
    assert query(root, "SELECT tps_total, tps_masuk, asal FROM hasil_wilayah WHERE kode_wilayah = '0'") == [
        (national["progres"]["total"], national["progres"]["progres"], "chart")]
    assert query(root, "SELECT suara FROM suara_wilayah WHERE kode_wilayah = '11' ORDER BY nomor_urut") == [
        (national["table"]["11"][k],) for k in ("100025", "100026", "100027")]
    # Desa 1101012001 has 3 TPS, all in the capture: their votes add up to the published desa total.
    desa = json.loads((API / "hhcw" / "ppwp" / "11" / "1101" / "110101" / "1101012001.json").read_text())
    assert desa["progres"]["total"] == 3
    sums = query(root, "SELECT nomor_urut, sum(suara) FROM suara GROUP BY nomor_urut ORDER BY nomor_urut")
    assert sums == [(1, desa["chart"]["100025"]), (2, desa["chart"]["100026"]), (3, desa["chart"]["100027"])]
    assert query(root, "SELECT count(*) FROM findings WHERE rule = 'rollup-mismatch'") == [(0,)]
    # an area's own file replaces its parent's table row but for status_progress, which only that table gives
    assert national["table"]["11"]["status_progress"] is True
    assert query(root, "SELECT asal, status_progress FROM hasil_wilayah WHERE kode_wilayah = '0'") == [("chart", None)]
    # (the capture has no province files: a regency's own file has no parent table to give it the flag)
    own = query(root, "SELECT count(*), count(status_progress) FROM hasil_wilayah WHERE asal = 'chart' "
                      "AND length(kode_wilayah) IN (6, 10)")[0]
    assert own == (29, 29)
    assert validate_paths([root]).valid


def test_an_areas_own_file_read_before_its_parents_keeps_the_parents_progress_flag(tmp_path: Path) -> None:
    """A tar holds its members in its own order: the kecamatan's own file before its regency's, whose table gives
    the kecamatan's status_progress (the own file has none). Either way round the flag is kept."""
    kab = API / "hhcw" / "ppwp" / "11" / "1101.json"
    kec = API / "hhcw" / "ppwp" / "11" / "1101" / "110101.json"
    assert json.loads(kab.read_text())["table"]["110101"]["status_progress"] is True
    flags = []
    for order in ((kab, kec), (kec, kab)):
        tar = tmp_path / f"{len(flags)}.tar.gz"
        with tarfile.open(tar, "w:gz") as archive:
            for file in order:
                archive.add(file, arcname=file.relative_to(API).as_posix())
        root = tmp_path / f"p{len(flags)}"
        meta = {"title": "T", "publisher": {"name": "P"}, "licenses": [{"name": "CC-BY-4.0"}], "registers": [{
            "id": "001", "slug": "real-count", "title": "R", "status": "open",
            "sources": [{"path": "agg.tar.gz", "format": "sirekap-aggregate-json", "election": "ppwp-2024",
                         "snapshot": "2024-03-07"}]}]}
        root.mkdir()
        shutil.copy(tar, root / "agg.tar.gz")
        build(load_release(write_metadata(root, meta)))
        flags.append(query(root, "SELECT asal, status_progress, suara_sah FROM hasil_wilayah "
                                 "WHERE kode_wilayah = '110101'"))
    assert flags[0] == flags[1] and flags[0][0][:2] == ("chart", 1)


def test_a_changed_tps_count_is_a_rollup_mismatch(tmp_path: Path) -> None:
    tps = tmp_path / "tps"
    shutil.copytree(DESA, tps)
    first = sorted(tps.glob("*.json"))[0]
    obj = json.loads(first.read_text())
    obj["chart"]["100025"] += 10
    first.write_text(json.dumps(obj))
    root = project(tmp_path / "p", API, tps)
    keys = [k for (k,) in query(root, "SELECT key FROM findings WHERE rule = 'rollup-mismatch' ORDER BY key")]
    assert keys == ["1101012001/1", f"{first.stem}/1"]  # the desa total and the TPS the desa table lists


def test_a_tps_without_votes_does_not_cover_its_area(tmp_path: Path) -> None:
    tps = tmp_path / "tps"
    shutil.copytree(DESA, tps)
    first = sorted(tps.glob("*.json"))[0]
    obj = json.loads(first.read_text())
    obj["chart"]["100025"] = None  # two of the desa's three TPS report candidate 1: not a full sum
    first.write_text(json.dumps(obj))
    root = project(tmp_path / "p", API, tps)
    assert query(root, "SELECT count(*) FROM suara WHERE nomor_urut = 1 AND suara IS NULL") == [(1,)]
    assert query(root, "SELECT key FROM findings WHERE rule = 'rollup-mismatch'") == []


def test_the_register_page_shows_the_national_totals_as_published(tmp_path: Path) -> None:
    from releasekit.pages import render_register_page

    root = project(tmp_path, API, DESA)
    release = load_release(root)
    national = json.loads((API / "hhcw" / "ppwp.json").read_text())
    context = page_context(release, "001")
    votes = [national["chart"][k] for k in ("100025", "100026", "100027")]
    assert [(r["snapshot"], r["nomor_urut"], r["suara"]) for r in context["published"]] == [
        ("2024-03-07", n, v) for n, v in enumerate(votes, start=1)]
    assert {(r["tps_masuk"], r["tps_total"], r["sumber"]) for r in context["published"]} == {
        (national["progres"]["progres"], national["progres"]["total"], "raw/agg")}
    assert round(sum(r["persen"] for r in context["published"])) == 100
    page = render_register_page(context)
    reported = f"{national['progres']['progres']:,} / {national['progres']['total']:,}"  # 643,124 / 823,378
    assert 'id="published"' in page and f"{votes[0]:,}" in page and reported in page
    assert "chart-published" in context["published_chart"]
