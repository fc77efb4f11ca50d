"""What ``releasekit validate`` finds to validate in a project and in a folder of packages.

Review M #5: a project (the README's CI command, ``releasekit validate .``) validated only the
``datapackages/<slug>/`` folders, never the ``<slug>.zip`` published beside each (a NIK in it passed,
exit 0); a folder of packages passed over every zip and every subfolder that had lost its
``datapackage.json``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import invoke
from releasekit import validate as validate_module
from releasekit.validate import validate_paths

NIK = "3174014505900003"


@pytest.fixture
def project(fixture_package: Path, tmp_path: Path) -> Path:
    """A copy of the built one-register project (``metadata.yml`` and ``datapackages/``), to edit."""
    root = fixture_package.parents[1]
    target = tmp_path / "project"
    target.mkdir()
    shutil.copy(root / "metadata.yml", target / "metadata.yml")
    shutil.copytree(root / "datapackages", target / "datapackages")
    return target


def never_unpacked(*args: object) -> None:
    """Stands for validate's ``extract_zip`` where a zip must be reported from its folder, not unpacked."""
    raise AssertionError("the zip was unpacked")


def _rewrite_zip(path: Path, edit: Callable[[str, bytes], tuple[str, bytes]] = lambda name, data: (name, data),
           extra: dict[str, bytes] | None = None) -> None:
    """Write the zip again, each member as ``edit`` gives it (its name and bytes), then the ``extra`` members."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*(edit(*member) for member in members), *(extra or {}).items()]:
            archive.writestr(name, data)


def _plant_nik_in_zip(path: Path) -> None:
    """Rewrite the zip with a NIK in the fourth line of ``data/tps.csv`` (the folder beside it left as built)."""
    def planted(name: str, data: bytes) -> tuple[str, bytes]:
        lines = data.split(b"\n")
        if name == "data/tps.csv":
            lines[3] += f",{NIK}".encode()
        return name, b"\n".join(lines)

    _rewrite_zip(path, planted)


def _verdicts(*paths: Path) -> dict[str, tuple[bool, list[str]]]:
    result = invoke("validate", "--format", "json", *paths)
    report = json.loads(result.stdout)
    assert result.exit_code == (0 if report["valid"] else 1), result.output
    assert NIK not in result.output
    return {p["package"]: (p["valid"], sorted({e["type"] for e in p["errors"]})) for p in report["packages"]}


def test_a_project_validates_each_registers_zip_too(project: Path) -> None:
    packages = project / "datapackages"
    assert _verdicts(project) == {str(packages / "real-count"): (True, []),
                                  str(packages / "real-count.zip"): (True, [])}
    _plant_nik_in_zip(packages / "real-count.zip")
    verdicts = _verdicts(project)
    assert verdicts[str(packages / "real-count")] == (True, [])
    assert verdicts[str(packages / "real-count.zip")][0] is False
    assert "pii-nik" in verdicts[str(packages / "real-count.zip")][1]


def test_a_zip_holding_its_folders_files_shares_the_folders_report_unpacked_once(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The zip build writes holds the folder's files byte for byte: it is read against them, not unpacked and
    validated a second time; a problem of the folder is the zip's too."""
    packages = project / "datapackages"
    folder, zipped = packages / "real-count", packages / "real-count.zip"
    (folder / "README.md").write_text(f"NIK {NIK}\n", encoding="utf-8")
    _rewrite_zip(zipped, lambda name, data: (name, (folder / name).read_bytes() if name == "README.md" else data))

    monkeypatch.setattr(validate_module, "extract_zip", never_unpacked)
    report = validate_paths([project])
    assert [(p.package, p.zipped) for p in report.packages] == [(str(folder), False), (str(zipped), True)]
    assert report.packages[1].problems == report.packages[0].problems
    assert [(p.type, p.resource, p.row) for p in report.packages[0].problems] == [("pii-nik", "README.md", 1)]


def test_a_zip_that_differs_from_its_folder_by_one_byte_is_unpacked_and_validated(project: Path) -> None:
    packages = project / "datapackages"
    readme = packages / "real-count" / "README.md"
    readme.write_bytes(readme.read_bytes().replace(b"#", b"%", 1))  # (the zip keeps the built README)
    calls = []
    real = validate_module.extract_zip

    def counted(zip_path: Path, into: Path) -> Path:
        calls.append(zip_path)
        return real(zip_path, into)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate_module, "extract_zip", counted)
        assert validate_paths([project]).valid
    assert calls == [packages / "real-count.zip"]


def test_a_projects_missing_zip_is_reported(project: Path) -> None:
    zipped = project / "datapackages" / "real-count.zip"
    zipped.unlink()
    assert _verdicts(project)[str(zipped)] == (False, ["package-error"])


def test_a_folder_of_packages_reports_every_zip_and_every_folder(project: Path) -> None:
    """A corrupt zip is one invalid entry (the other packages still reported); a subfolder that lost its descriptor
    is one too, where both were passed over with exit 0; a hidden folder (``.git``) is no package."""
    packages = project / "datapackages"
    shutil.copytree(packages / "real-count", packages / "no-descriptor")
    (packages / "no-descriptor" / "datapackage.json").unlink()
    (packages / "broken.zip").write_text("not a zip\n")
    (packages / ".git").mkdir()
    (packages / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert _verdicts(packages) == {
        str(packages / "broken.zip"): (False, ["package-error"]),
        str(packages / "no-descriptor"): (False, ["package-error"]),
        str(packages / "real-count"): (True, []),
        str(packages / "real-count.zip"): (True, []),
    }
    report = validate_paths([packages])
    [missing] = [p for p in report.packages if p.package == str(packages / "no-descriptor")]
    assert missing.problems[0].message.startswith("no datapackage.json in this package folder")
    [broken] = [p for p in report.packages if p.package == str(packages / "broken.zip")]
    assert broken.problems[0].message.startswith("not a zip archive")


def test_a_folder_of_zips_alone_is_a_folder_of_packages(project: Path, tmp_path: Path) -> None:
    zips = tmp_path / "downloads"
    zips.mkdir()
    shutil.copy(project / "datapackages" / "real-count.zip", zips / "real-count.zip")
    _plant_nik_in_zip(zips / "real-count.zip")
    assert "pii-nik" in _verdicts(zips)[str(zips / "real-count.zip")][1]


def test_a_hidden_file_in_both_folder_and_zip_is_checked_in_the_zip(project: Path) -> None:
    """Review N #1: a folder's report leaves its hidden folders out (a repository's ``.git``), the zip's members are
    all published: ``.notes/x.txt`` holding a NIK in both made the zip share the folder's clean report, exit 0."""
    packages = project / "datapackages"
    (packages / "real-count" / ".notes").mkdir()
    (packages / "real-count" / ".notes" / "x.txt").write_text(f"NIK {NIK}\n")
    _rewrite_zip(packages / "real-count.zip", extra={".notes/x.txt": f"NIK {NIK}\n".encode()})
    verdicts = _verdicts(project)
    assert verdicts[str(packages / "real-count")] == (True, [])
    assert verdicts[str(packages / "real-count.zip")] == (False, ["pii-nik"])


@pytest.mark.parametrize("member", ["../escape.txt", "data\\pemilu.csv"])
def test_a_zip_a_project_cannot_share_or_unpack_is_its_own_entry(project: Path, member: str) -> None:
    """Review N #2 and #8: a member that would unpack outside the folder turned the whole project into one invalid
    entry (the folder's report lost); a member named with a backslash was taken for the folder's file."""
    packages = project / "datapackages"
    zipped = packages / "real-count.zip"
    if "\\" in member:
        _rewrite_zip(zipped, lambda name, data: (member if name == "data/pemilu.csv" else name, data))
    else:
        _rewrite_zip(zipped, extra={member: b"x"})
    verdicts = _verdicts(project)
    assert verdicts[str(packages / "real-count")] == (True, [])
    assert verdicts[str(zipped)][0] is False


def test_a_folder_of_packages_shares_a_folders_report_with_its_zip(project: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    """Review N #10: ``real-count.zip`` sorts before ``real-count/``: every zip of ``validate datapackages`` was
    unpacked and validated again."""
    monkeypatch.setattr(validate_module, "extract_zip", never_unpacked)
    packages = project / "datapackages"
    report = validate_paths([packages])
    assert [(p.package, p.valid) for p in report.packages] == [(str(packages / "real-count"), True),
                                                                (str(packages / "real-count.zip"), True)]


def test_validate_leaves_no_file_open_for_the_garbage_collector(demo_project: Path) -> None:
    """Review BY L3: ``python -X dev -m releasekit validate .`` printed seven ``ResourceWarning: unclosed file`` (the
    temporary files the key check spills its runs into), hidden by the tests' ``ignore::ResourceWarning``."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-X", "dev", "-W", "always::ResourceWarning", "-m", "releasekit",
                             "validate", str(demo_project)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "ResourceWarning" not in result.stderr, result.stderr
