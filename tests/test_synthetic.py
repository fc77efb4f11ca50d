"""The synthetic demo: reproducible to the byte, with exactly the deliberate errors it documents."""

from __future__ import annotations

import importlib
import json
import shutil
import sqlite3
import tarfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import releasekit
from releasekit import synthetic
from releasekit.provenance import sha256_file

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("synthetic_wilayah_kpu", "ppwp_tps_20240215.tar.gz", "ppwp_tps_20240220.jsonl", "ppwp_tps_20240320.zip")
TRIPLES = ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total")
#: The table in the synthetic module's docstring: rule -> records per file (0215, 0220, 0320).
DOCUMENTED = {
    "votes-sum-mismatch": (4, 3, 1),
    "ballots-sum-mismatch": (3, 2, 1),
    "sex-sum-mismatch": (3, 4, 2),
    "voters-ballots-mismatch": (2, 2, 1),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("synthetic") / "raw"
    paths = synthetic.write_demo(raw)
    assert [p.name for p in paths] == list(SOURCES)
    return raw


def test_regenerating_gives_the_committed_bytes_and_the_pinned_hashes(generated: Path) -> None:
    pins = {s.path: s.sha256 for s in releasekit.load_release(ROOT).sources}
    for name in SOURCES:
        digest, size = sha256_file(generated / name)
        assert sha256_file(ROOT / "raw" / name) == (digest, size), f"raw/{name} differs from the generator"
        assert pins[f"raw/{name}"] == digest, f"metadata.yml pin of raw/{name} is stale"
    assert sum(sha256_file(generated / name)[1] for name in SOURCES) < 1_000_000


def test_two_runs_give_identical_bytes(generated: Path, tmp_path: Path) -> None:
    synthetic.write_demo(tmp_path)
    assert [sha256_file(tmp_path / n) for n in SOURCES] == [sha256_file(generated / n) for n in SOURCES]


def _tar_objects(path: Path) -> tuple[dict[str, dict[str, Any]], list[str], Counter[str]]:
    """Decoded objects by TPS code (first copy kept), names of invalid members, and copies per code."""
    objects: dict[str, dict[str, Any]] = {}
    invalid, copies = [], Counter[str]()
    with tarfile.open(path) as archive:
        for member in archive:
            handle = archive.extractfile(member)
            assert handle is not None
            code = member.name.rsplit("/", 1)[-1].removesuffix(".json")
            copies[code] += 1
            try:
                obj = json.loads(handle.read())
            except json.JSONDecodeError:
                invalid.append(member.name)
                continue
            objects.setdefault(code, obj)
    return objects, invalid, copies


def _jsonl_objects(path: Path) -> dict[str, dict[str, Any]]:
    objects = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {obj.pop("kode_tps"): obj for obj in objects}


def _zip_objects(path: Path) -> dict[str, dict[str, Any]]:
    with zipfile.ZipFile(path) as archive:
        return {name.rsplit("/", 1)[-1].removesuffix(".json"): json.loads(archive.read(name))
                for name in archive.namelist()}


def _errors(obj: dict[str, Any]) -> list[str]:
    chart, adm = obj["chart"], obj["administrasi"]
    found = []
    if chart is not None and adm is not None:
        if sum(v for k, v in chart.items() if k != "null") != adm["suara_sah"]:
            found.append("votes-sum-mismatch")
    if adm is not None:
        if adm["suara_sah"] + adm["suara_tidak_sah"] != adm["suara_total"]:
            found.append("ballots-sum-mismatch")
        if any(adm[f"{t}_l"] + adm[f"{t}_p"] != adm[f"{t}_j"] for t in TRIPLES):
            found.append("sex-sum-mismatch")
        if adm["pengguna_total_j"] != adm["suara_total"]:
            found.append("voters-ballots-mismatch")
    return found


def test_the_data_holds_exactly_the_documented_errors(generated: Path) -> None:
    first, invalid, copies = _tar_objects(generated / SOURCES[1])
    snapshots = [first, _jsonl_objects(generated / SOURCES[2]), _zip_objects(generated / SOURCES[3])]
    assert len(invalid) == 1  # one truncated member
    assert sum(n - 1 for n in copies.values()) == 1  # one TPS file twice
    codes = set(snapshots[2])
    assert 300 <= len(codes) <= 400 and set(snapshots[1]) == codes and len(first) == len(codes) - 1
    for k, objects in enumerate(snapshots):
        per_record = [_errors(obj) for obj in objects.values()]
        assert all(len(e) <= 1 for e in per_record), "each deliberate error breaks only its own rule"
        counts = Counter(rule for errors in per_record for rule in errors)
        assert dict(counts) == {rule: n[k] for rule, n in DOCUMENTED.items()}, synthetic.SNAPSHOTS[k]
        assert synthetic.DELIBERATE_ERRORS[synthetic.SNAPSHOTS[k]] == dict(counts)
    assert all(o["status_suara"] and o["status_adm"] for o in snapshots[2].values())
    assert any(o["chart"] is None and o["administrasi"] is None for o in first.values())


def test_building_the_demo_quarantines_the_broken_member_and_the_duplicate(tmp_path: Path) -> None:
    shutil.copy(ROOT / "metadata.yml", tmp_path / "metadata.yml")
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    result = releasekit.build(releasekit.load_release(tmp_path))
    with sqlite3.connect(result.database) as conn:
        reasons = [r for (r,) in conn.execute(
            "SELECT reason FROM quarantine WHERE source NOT LIKE 'raw/dpt%' ORDER BY locator")]
        # The demo's voter list has broken rows of its own (tests/test_dpt_demo.py checks them).
        voter_rows = conn.execute("SELECT count(*) FROM quarantine WHERE source LIKE 'raw/dpt%'").fetchone()[0]
        accounting = conn.execute(
            "SELECT path, records_in, records_loaded, records_quarantined FROM sources ORDER BY path").fetchall()
        comma = conn.execute("SELECT nama FROM wilayah WHERE nama LIKE '%,%'").fetchall()
        unnamed = conn.execute("SELECT count(*) FROM tps JOIN wilayah w USING (kode_wilayah) "
                               "WHERE w.nama IS NULL").fetchone()[0]
    assert len(reasons) == 2 and result.quarantined == 2 + voter_rows
    assert sum(r.startswith("invalid JSON") for r in reasons) == 1
    assert sum(r.startswith("duplicate-key: TPS") for r in reasons) == 1
    assert len(accounting) == 5
    for path, records_in, loaded, quarantined in accounting:
        assert records_in == loaded + quarantined, path
        assert quarantined == (2 if path.endswith(".tar.gz") else voter_rows if "dpt" in path else 0), path
    assert len(comma) == 1 and comma[0][0].endswith(" I,II")  # the unquoted comma is repaired
    assert unnamed == 0  # every TPS sits in a village named by the region list


@pytest.mark.parametrize("module", ["releasekit.synthetic", "releasekit.synthetic_dpt"])
def test_help_is_help_not_a_folder(module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Review BK L3: ``python -m releasekit.synthetic --help`` wrote the demo's files into a folder named ``--help``."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        importlib.import_module(module).main(["--help"])
    assert exited.value.code == 0 and "[RAW_DIR]" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())
