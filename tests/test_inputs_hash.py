"""The build's inputs hash can be recomputed from a package alone (review BZ H2): every package ships the
``metadata.yml`` the build loaded and records every source's hash (``releasekit.inputs``), and ``validate``
recomputes the hash and refuses a package whose records do not add up."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Site, as_written_by, copy_package, query
from releasekit import build, load_release, validate_paths
from releasekit.config import release_from


def _recomputed(prov: dict[str, Any]) -> str:
    """The inputs hash as the README tells a reader of a package to recompute it, without releasekit."""
    text = json.dumps({"metadata.yml": prov["metadata_sha256"], "sources": prov["inputs"],
                       "releasekit": prov["releasekit_version"]}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _problems(pkg: Path) -> list[str]:
    return [p.message for r in validate_paths([pkg]).packages for p in r.problems]


def _edit(pkg: Path, edit: Any) -> None:
    descriptor = pkg / "datapackage.json"
    desc = json.loads(descriptor.read_text(encoding="utf-8"))
    edit(desc)
    descriptor.write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_every_package_ships_metadata_yml_and_what_its_inputs_hash_is_of(demo_project: Path) -> None:
    loaded = (demo_project / "metadata.yml").read_bytes()
    release = load_release(demo_project)
    hashed = {(reg, path): sha for reg, path, sha in query(demo_project, "SELECT register, path, sha256 FROM sources")}
    for register in release.registers:
        folder = demo_project / "datapackages" / register.slug
        prov = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["releasekit"]
        with zipfile.ZipFile(folder.with_suffix(".zip")) as archive:
            assert archive.read("metadata.yml") == loaded == (folder / "metadata.yml").read_bytes()
        assert prov["metadata_sha256"] == hashlib.sha256(loaded).hexdigest()
        # every register's sources, the exempted one's package too: the hash is of the whole build's inputs
        assert prov["inputs"] == [[s.register, s.path, hashed[s.register, s.path]] for s in release.sources]
        assert len(prov["inputs"]) == 5 and _recomputed(prov) == prov["inputs_sha256"]
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert f"in this package, SHA-256 `{prov['metadata_sha256']}`" in readme


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda desc, pkg: (pkg / "metadata.yml").write_text(
        (pkg / "metadata.yml").read_text(encoding="utf-8").replace("SYNTHETIC", "real"), encoding="utf-8"),
     "metadata.yml: its sha256 is '"),
    (lambda desc, pkg: desc["releasekit"].update(inputs_sha256="0" * 64),
     "releasekit.inputs_sha256 is '0000000000000000000000000000000000000000000000000000000000000000', but "
     "metadata_sha256, inputs and releasekit_version hash to '"),
    (lambda desc, pkg: desc["releasekit"]["inputs"][0].__setitem__(2, "f" * 64),
     "raw/ppwp_tps_20240215.tar.gz: sha256 '"),
    (lambda desc, pkg: desc["releasekit"]["inputs"].pop(0),
     "raw/ppwp_tps_20240215.tar.gz: a source of the package that releasekit.inputs does not list"),
    (lambda desc, pkg: desc["releasekit"].update(metadata_sha256="f" * 64),
     "metadata.yml: its sha256 is '"),
    (lambda desc, pkg: desc["releasekit"].update(inputs=[["001", "raw/x"]]),
     "releasekit.inputs is not a list of [register, path, sha256]"),
    (lambda desc, pkg: desc["releasekit"].pop("metadata_sha256"),
     "releasekit.metadata_sha256 is not 64 hexadecimal digits: 'None'"),
    (lambda desc, pkg: as_written_by(pkg, desc, "0.3.0") or (pkg / "metadata.yml").write_bytes(b"title: x\n"),
     "metadata.yml is shipped, but releasekit.metadata_sha256 does not say which file was hashed"),
], ids=["metadata.yml edited", "hash edited", "a source's hash edited", "a source left out", "metadata hash edited",
        "inputs malformed", "metadata hash removed", "metadata.yml beside no hash"])
def test_validate_recomputes_the_inputs_hash(demo_project: Path, tmp_path: Path, edit: Any, expected: str) -> None:
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    assert _problems(pkg) == []
    _edit(pkg, lambda desc: edit(desc, pkg))
    assert any(message.startswith(expected) for message in _problems(pkg)), _problems(pkg)


def test_a_package_of_0_3_0_records_the_hash_alone_and_is_valid(demo_project: Path, tmp_path: Path) -> None:
    pkg = copy_package(demo_project / "datapackages" / "real-count", tmp_path)
    _edit(pkg, lambda desc: as_written_by(pkg, desc, "0.3.0"))
    assert _problems(pkg) == []


def test_a_release_given_in_memory_ships_no_metadata_yml(demo_project: Path, tmp_path: Path) -> None:
    """Its hash is of the mapping's canonical JSON, which is no file: the package says which hash, ships nothing."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "raw").symlink_to(demo_project / "raw")
    release = release_from(yaml.safe_load((demo_project / "metadata.yml").read_text(encoding="utf-8")), project)
    build(release)
    folder = project / "datapackages" / "real-count"
    prov = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["releasekit"]
    assert not (folder / "metadata.yml").exists()
    assert prov["metadata_sha256"] == release.metadata_sha256 and _recomputed(prov) == prov["inputs_sha256"]
    assert "in this package" not in (folder / "README.md").read_text(encoding="utf-8")
    assert _problems(folder) == []


def test_the_register_page_says_the_zip_holds_metadata_yml(demo_project: Path,
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    site = Site.written(load_release(demo_project), tmp_path_factory.mktemp("inputs") / "site")
    sha256 = hashlib.sha256((demo_project / "metadata.yml").read_bytes()).hexdigest()
    page = site.get("/registers/001").text
    assert f'<code class="metadata-sha256">{sha256}</code>' in page
