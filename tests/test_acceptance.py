"""Acceptance: the command line as users and CI run it (DESIGN.md sections 3, 8, 9).

Projects are small: the 53-file hendragunawan sample when ``../shared/data`` is present,
else the tiny inline fixture below (:data:`INLINE_TPS`), so these tests always run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import Result

from conftest import REPO, SHARED_DATA, copy_demo, invoke, query
from releasekit.database import dump_sha256

SAMPLE = SHARED_DATA / "sirekap2024_tps_sample_hendragunawan" / "json" / "sample_tingkat6_tps"
SNAPSHOT = "2024-02-18"

_ADM = {"suara_sah": 228, "suara_total": 233, "pemilih_dpt_j": 292, "pemilih_dpt_l": 147, "pemilih_dpt_p": 145,
        "pengguna_dpt_j": 292, "pengguna_dpt_l": 147, "pengguna_dpt_p": 145, "pengguna_dptb_j": 1,
        "pengguna_dptb_l": 0, "pengguna_dptb_p": 1, "suara_tidak_sah": 5, "pengguna_total_j": 292,
        "pengguna_total_l": 147, "pengguna_total_p": 145, "pengguna_non_dpt_j": 0, "pengguna_non_dpt_l": 0,
        "pengguna_non_dpt_p": 0}
_IMG = "https://sirekap-obj-formc.kpu.go.id/2851/pemilu/ppwp/31/01/01/10/01/{}-20240214-205639--4f9bafd8.jpg"


def _compact(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(", ", ": "))


#: A tiny Sirekap per-TPS tree (FORMATS.md section 1) covering every record variant and
#: serialisation: complete, votes only (pretty-printed with CRLF), administrasi only,
#: empty, a special 9xx TPS with the optional ``mode`` key, and an identical duplicate.
INLINE_TPS: dict[str, str] = {
    "a/3101011001001.json": _compact({
        "chart": {"100025": 83, "100026": 107, "100027": 38, "null": None},
        "images": [_IMG.format("3101011001001"), None, None], "administrasi": _ADM, "psu": None,
        "ts": "2024-02-16 16:25:10", "status_suara": True, "status_adm": True}),
    "a/3101011001002.json": json.dumps({
        "chart": {"null": None, "100025": 92, "100026": 126, "100027": 30}, "images": None,
        "administrasi": None, "psu": None, "ts": "2024-02-16 12:51:22", "status_suara": True,
        "status_adm": False}, indent=4).replace("\n", "\r\n"),
    "a/3101011001003.json": _compact({
        "chart": None, "images": None, "administrasi": {**_ADM, "suara_sah": 0}, "psu": None,
        "ts": "2024-02-15 09:00:00", "status_suara": False, "status_adm": True}),
    "a/3101011001004.json": _compact({
        "chart": None, "images": None, "administrasi": None, "psu": None, "ts": "2024-02-14 21:46:00",
        "status_suara": False, "status_adm": False}),
    "a/3101011001901.json": _compact({
        "mode": "hhcw", "chart": {"100025": 0, "100026": 12, "100027": 3, "null": None},
        "images": [_IMG.format("3101011001901")] * 3, "administrasi": None, "psu": None,
        "ts": "2024-02-15 10:00:00", "status_suara": True, "status_adm": False}),
}
INLINE_TPS["b/3101011001001.json"] = INLINE_TPS["a/3101011001001.json"]


def tps_source(raw: object, **extra: Any) -> dict[str, Any]:
    return {"raw": raw, "name": "ppwp", "format": "sirekap-tps-json", "election": "ppwp-2024",
            "snapshot": SNAPSHOT, **extra}


@pytest.fixture
def small_raw() -> object:
    """The hendragunawan sample folder when the real data is present, else the inline fixture."""
    return SAMPLE if SAMPLE.is_dir() else dict(INLINE_TPS)


def build_project(project: Path) -> Path:
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def built(make_project: Any, small_raw: object) -> Path:
    """A freshly built small project (one register, slug ``real-count``)."""
    return build_project(make_project({"real-count": [tps_source(small_raw)]}))


# --------------------------------------------------------------------------- python -m, build

def test_python_m_releasekit_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "releasekit", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    for command in ("build", "validate", "serve"):
        assert command in proc.stdout


def test_inline_fixture_builds_with_full_accounting(make_project: Any) -> None:
    project = build_project(make_project({"real-count": [tps_source(dict(INLINE_TPS))]}))
    db = sqlite_utils.Database(project / "build" / "release.db")
    try:
        assert db.execute("SELECT records_in, records_loaded, records_quarantined FROM sources").fetchone() == (
            6, 5, 1)
        (reason,) = db.execute("SELECT reason FROM quarantine WHERE locator = 'b/3101011001001.json'").fetchone()
        assert reason.startswith("duplicate-key") and "identical copy" in reason
        assert dict(db.execute("SELECT nomor_urut, SUM(suara) FROM suara GROUP BY nomor_urut").fetchall()) == {
            1: 83 + 92 + 0, 2: 107 + 126 + 12, 3: 38 + 30 + 3}
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT kode_tps, suara_sah, pemilih_dpt_j, jumlah_foto, status_suara FROM hasil_tps").fetchall()}
        assert rows == {"3101011001001": (228, 292, 1, 1), "3101011001002": (None, None, None, 1),
                        "3101011001003": (0, 292, None, 0), "3101011001004": (None, None, None, 0),
                        "3101011001901": (None, None, 3, 1)}
        assert db.execute("SELECT jenis_tps, nomor_tps FROM tps WHERE kode_tps = '3101011001901'").fetchone() == (
            "khusus", "901")
    finally:
        db.close()
    assert invoke("validate", project).exit_code == 0


# --------------------------------------------------------------------------- validate

def test_validate_accepts_every_form_of_a_fresh_package(built: Path) -> None:
    folder = built / "datapackages" / "real-count"
    forms = {"folder": folder, "datapackage.json": folder / "datapackage.json",
             "zip": built / "datapackages" / "real-count.zip", "project": built}
    for form, path in forms.items():
        result = invoke("validate", path)
        assert result.exit_code == 0, (form, result.output)
    result = invoke("validate", "--format", "json", *forms.values())
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True  # (a project: its registers' folders and zips)
    assert [p["package"] for p in report["packages"]][3:] == [str(folder), f"{folder}.zip"]


def test_validate_usage_error_exits_2(built: Path) -> None:
    assert invoke("validate", "--format", "xml", built).exit_code == 2


def _change_one_byte(data: bytes) -> bytes:
    """Change the last digit of the first data row (the CSV stays well-formed, the hash does not)."""
    end = data.index(b"\n", data.index(b"\n") + 1) - 1
    assert data[end:end + 1].isdigit(), data[:200]
    return data[:end] + (b"7" if data[end:end + 1] != b"7" else b"8") + data[end + 1:]


def _error_types(output: str) -> set[str]:
    report = json.loads(output)
    assert report["valid"] is False
    return {e["type"] for p in report["packages"] for e in p["errors"]}


def test_validate_fails_when_a_csv_byte_changes_in_the_folder(built: Path) -> None:
    csv_path = built / "datapackages" / "real-count" / "data" / "suara.csv"
    csv_path.write_bytes(_change_one_byte(csv_path.read_bytes()))
    result = invoke("validate", "--format", "json", built / "datapackages" / "real-count")
    assert result.exit_code == 1, result.output
    assert "hash-count" in _error_types(result.output)


def test_validate_fails_when_a_csv_byte_changes_inside_the_zip(built: Path) -> None:
    zip_path = built / "datapackages" / "real-count.zip"
    with zipfile.ZipFile(zip_path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    assert "data/suara.csv" in {info.filename for info, _ in members}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, _change_one_byte(data) if info.filename == "data/suara.csv" else data)
    zip_path.write_bytes(buffer.getvalue())
    result = invoke("validate", "--format", "json", zip_path)
    assert result.exit_code == 1, result.output
    assert "hash-count" in _error_types(result.output)
    # the folder next to it was not touched and still validates
    assert invoke("validate", built / "datapackages" / "real-count").exit_code == 0


# --------------------------------------------------------------------------- reproducibility

def _tree_sha256(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_in_different_environments_are_byte_identical(make_project: Any, small_raw: object) -> None:
    results = []
    for seed, tz in (("1", "UTC"), ("4242", "Asia/Jakarta")):
        project = make_project({"real-count": [tps_source(small_raw)]})
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(PYTHONHASHSEED=seed, TZ=tz)
        proc = subprocess.run([sys.executable, "-m", "releasekit", "build", str(project)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        db = sqlite_utils.Database(project / "build" / "release.db")
        try:
            dump = dump_sha256(db)
        finally:
            db.close()
        results.append((_tree_sha256(project / "datapackages"), dump))
    (files_a, dump_a), (files_b, dump_b) = results
    assert {"real-count.zip", "real-count/datapackage.json", "real-count/data/hasil_tps.csv"} <= set(files_a)
    assert files_a == files_b
    assert dump_a == dump_b


def _turkish_locale(folder: Path) -> dict[str, str]:
    """The environment of a Turkish locale compiled into ``folder`` (machines here install no locale but C; the
    test is skipped where ``localedef`` or glibc's locale definitions are missing)."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["localedef", "-i", "tr_TR", "-f", "UTF-8", str(folder / "tr_TR.UTF-8")], capture_output=True,
                   timeout=120)
    if not (folder / "tr_TR.UTF-8").is_dir():
        pytest.skip("the tr_TR locale definitions are not installed")
    return {"LOCPATH": str(folder), "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8"}


def test_a_turkish_locale_builds_the_same_release(tmp_path: Path) -> None:
    """Python 3.11's sqlite3 tells a statement that changes rows by its first word, case-folded by the C locale:
    in Turkish ``INSERT`` is not ``insert``, so every INSERT had rowcount -1 and no transaction. The demo's
    duplicate TPS was loaded as new (an internal error), duplicate region rows silently dropped, and release.db's
    header differed. Built under tr_TR.UTF-8 and C.UTF-8, the release is the same, byte for byte."""
    turkish = _turkish_locale(tmp_path / "locale")
    builds = []
    for name, extra in (("c", {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}), ("tr", turkish)):
        project = copy_demo(tmp_path / name)
        env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "LC_ALL", "LANG", "LOCPATH")}
        env.update(extra)
        proc = subprocess.run([sys.executable, "-m", "releasekit", "build", str(project)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        builds.append((_tree_sha256(project / "datapackages"), (project / "build" / "release.db").read_bytes()))
        assert query(project, "SELECT count(*) FROM quarantine WHERE reason LIKE 'duplicate-key%'") == [(1,)]
    assert builds[0][0] == builds[1][0]
    assert builds[0][1] == builds[1][1]


def test_a_checkout_that_converts_line_ends_holds_the_same_bytes(tmp_path: Path) -> None:
    """Review BI M3: cloned with ``core.autocrlf=true`` (Git for Windows' default), raw/ and metadata.yml came out
    with CRLF: the demo failed its sha256 pins, and a CRLF metadata.yml alone changed every package's inputs hash.
    ``.gitattributes`` turns the conversion off for every file of the repository."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-c", "core.autocrlf=true", str(REPO), str(clone)], check=True, timeout=120)
    files = ["metadata.yml", "raw/ppwp_tps_20240220.jsonl", *(f"raw/synthetic_wilayah_kpu/{name}.csv" for name in
                                                               ("provinces", "regencies", "districts", "villages"))]
    for name in files:
        committed = subprocess.run(["git", "-C", str(clone), "cat-file", "blob", f"HEAD:{name}"], check=True,
                                   capture_output=True, timeout=60).stdout
        assert b"\n" in committed and b"\r\n" not in committed, name  # (text the conversion would have changed)
        assert (clone / name).read_bytes() == committed, name


# --------------------------------------------------------------------------- build errors

def _assert_one_line_error(result: Result, *needles: str) -> str:
    """A refusal: exit 1 and one ``Error:`` line holding every needle (:func:`invoke` failed an internal error)."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return str(lines[0])


def test_build_refuses_a_missing_raw_file(make_project: Any) -> None:
    project = make_project({"real-count": [{"path": "raw/ppwp_20240317.tar.gz", "format": "sirekap-tps-json",
                                            "election": "ppwp-2024", "snapshot": SNAPSHOT}]})
    _assert_one_line_error(invoke("build", project), "raw/ppwp_20240317.tar.gz")
    assert not (project / "build" / "release.db").exists()
    assert not (project / "datapackages").exists()


def test_build_refuses_a_source_whose_sha256_pin_no_longer_matches(make_project: Any, small_raw: object) -> None:
    project = make_project({"real-count": [tps_source(small_raw, sha256="0" * 64)]})
    _assert_one_line_error(invoke("build", project), "raw/ppwp", "sha256", "0" * 64)
    assert not (project / "build" / "release.db").exists()


def test_build_refuses_an_unknown_reader(make_project: Any, small_raw: object) -> None:
    project = make_project({"real-count": [tps_source(small_raw, format="sirekap-tps-jsn")]})
    _assert_one_line_error(invoke("build", project), "registers/0/sources/0/format", "sirekap-tps-jsn")


def test_build_refuses_an_invalid_metadata_value(make_project: Any, small_raw: object) -> None:
    project = make_project({"real-count": {"status": "opne", "sources": [tps_source(small_raw)]}})
    _assert_one_line_error(invoke("build", project), "registers/0/status", "'opne' is not one of")


def test_build_refuses_invalid_yaml(make_project: Any, small_raw: object) -> None:
    project = make_project({"real-count": [tps_source(small_raw)]})
    metadata = project / "metadata.yml"
    metadata.write_text(metadata.read_text(encoding="utf-8") + "registers: [unclosed\n  - : :\n",
                        encoding="utf-8")
    _assert_one_line_error(invoke("build", project), "metadata.yml")
    # the same as a real process: one line on stderr, exit 1, no traceback
    proc = subprocess.run([sys.executable, "-m", "releasekit", "build", str(project)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "internal error" not in proc.stderr
    assert proc.stderr.strip().startswith("Error: ") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_every_source_whose_rows_a_package_holds_is_listed_in_it(demo_project: Path) -> None:
    """Provenance (DESIGN.md section 8) for every row: the real-count package holds the regions above its TPS, which
    register 003's region list named (``wilayah.sumber``); that list is in its sources, marked as another register's,
    with its hash and accounting, in ``sources.csv``, ``datapackage.json`` (both lists) and the README."""
    for folder in sorted((demo_project / "datapackages").iterdir()):
        if not folder.is_dir():
            continue
        with (folder / "data" / "sources.csv").open(encoding="utf-8", newline="") as handle:
            listed = {row["path"]: row["register"] for row in csv.DictReader(handle)}
        for table in ("wilayah", "tps"):
            path = folder / "data" / f"{table}.csv"
            if path.exists():
                with path.open(encoding="utf-8", newline="") as handle:
                    named = {row["sumber"] for row in csv.DictReader(handle) if row["sumber"]}
                assert named <= set(listed), (folder.name, table, named - set(listed))
    desc = json.loads((demo_project / "datapackages/real-count/datapackage.json").read_text(encoding="utf-8"))
    kpu = "raw/synthetic_wilayah_kpu"
    (other,) = [s for s in desc["releasekit"]["sources"] if "register" in s]
    assert (other["path"], other["register"], other["records_in"]) == (kpu, "003", 60)
    assert [s["path"] for s in desc["releasekit"]["sources"]][:2] == ["raw/ppwp_tps_20240215.tar.gz",
                                                                      "raw/ppwp_tps_20240220.jsonl"]
    assert desc["sources"][-1]["description"] == ("generated by python -m releasekit.synthetic; a source of "
                                                  "register 003: it named places this package holds")
    readme = (demo_project / "datapackages/real-count/README.md").read_text(encoding="utf-8")
    assert f"| {kpu} *(synthetic)* *(register 003: named places this package holds)* |" in readme
