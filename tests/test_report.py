"""Validation reports: no NIK-like value in any text, and GitHub annotations that point at real files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import invoke
from releasekit.report import FORMATS, FindingSummary, PackageReport, Problem, Report

NIK = "3171014506890001"  # synthetic: Jakarta prefix, 05-06-89 + 40 (a woman)
MASKED = NIK[:6] + "*" * 10


def test_problem_masks_every_text() -> None:
    problem = Problem("extra-label", f'"{NIK}"', resource=f"r{NIK}", field=NIK)
    assert (problem.message, problem.resource, problem.field) == (f'"{MASKED}"', f"r{MASKED}", MASKED)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_masks_whatever_a_report_holds(fmt: str) -> None:
    found = FindingSummary(f"rule-{NIK}", "error", 1, examples=[f"2024-02-16 {NIK} (x)"])
    report = Report([PackageReport(f"pkg-{NIK}", [Problem("pii-nik", "m", resource="r")], [found])])
    output = report.render(fmt)
    assert NIK not in output and MASKED in output


def github(*args: str) -> list[str]:
    result = invoke("validate", "--format", "github", *args)
    assert result.exit_code in (0, 1), result.output  # valid or not (a bug's exit 1 has failed invoke)
    return result.output.splitlines()


def test_annotations_point_at_the_files(fixture_package: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "real-count"
    shutil.copytree(fixture_package, pkg)
    with (pkg / "README.md").open("a") as handle:
        handle.write(f"\nNIK {NIK}\n")
    lines = (pkg / "README.md").read_text().count("\n")
    with (pkg / "data" / "pemilu.csv").open("a") as handle:
        handle.write("ppwp-2024,x\n")
    out = github(str(pkg))
    assert any(line.startswith(f"::error file={pkg}/README.md,line={lines},title=pii-nik::") for line in out)
    assert any(line.startswith(f"::error file={pkg}/data/pemilu.csv,") for line in out)
    assert not any("README.md.csv" in line for line in out)


def test_annotations_of_a_zip_point_at_the_zip(fixture_package: Path, tmp_path: Path) -> None:
    archive = tmp_path / "real-count.zip"
    shutil.copy(fixture_package.with_suffix(".zip"), archive)
    report = Report([PackageReport(str(archive), [Problem("pii-nik", "m", resource="findings", row=3)],
                                   [FindingSummary("votes-sum-mismatch", "warning", 1)],
                                   files={"findings": "data/findings.csv"}, zipped=True)])
    out = report.render("github").splitlines()
    assert out[0] == f"::error file={archive},title=pii-nik::resource findings, row 3: m"  # no line in a zip
    assert out[1].startswith(f"::warning file={archive},title=votes-sum-mismatch::")
    # validate itself, on a zip with a changed member: its errors name the zip, and no line of it
    damaged = tmp_path / "damaged" / "real-count.zip"
    damaged.parent.mkdir()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data.replace(b"ppwp-2024", b"ppwp-2025", 1) if info.filename.endswith(
                "data/hasil_tps.csv") else data)
    errors = [line for line in github(str(damaged)) if line.startswith("::error ")]
    assert errors and all(line.startswith(f"::error file={damaged},") and "line=" not in line for line in errors)


def test_error_findings_are_error_annotations() -> None:
    pkg = PackageReport("p,q", findings=[FindingSummary("votes-sum-mismatch", "error", 2),
                                         FindingSummary("sex-sum-mismatch", "warning", 1)],
                        files={"findings": "data/findings.csv"})
    out = Report([pkg]).render("github").splitlines()
    assert out[0] == "::error file=p%2Cq/data/findings.csv,title=votes-sum-mismatch::2 error finding(s) / temuan"
    assert out[1].startswith("::warning file=p%2Cq/data/findings.csv,title=sex-sum-mismatch::")


def test_a_package_cannot_write_workflow_commands_into_the_annotations(demo_project: Path, tmp_path: Path) -> None:
    """Review CB L1: a ``severity`` cell of ``findings.csv`` was printed unescaped: a package could forge a
    "valid / lolos validasi" annotation and hide every later one (``::stop-commands::``). Each line is one of
    releasekit's."""
    pkg = tmp_path / "pkg"
    shutil.copytree(demo_project / "datapackages" / "real-count", pkg)
    findings = pkg / "data" / "findings.csv"
    lines = findings.read_text(encoding="utf-8").splitlines(keepends=True)
    header, first = lines[0].rstrip("\n").split(","), lines[1].rstrip("\n").split(",")
    first[header.index("severity")] = ('"warning\n::notice title=releasekit::pkg: valid / lolos validasi\n'
                                       '::stop-commands::zz"')
    findings.write_text(lines[0] + ",".join(first) + "\n" + "".join(lines[2:]), encoding="utf-8")
    out = invoke("validate", "--format", "github", str(pkg)).output.splitlines()
    assert out and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in out), out
    assert not any(line.startswith("::notice title=releasekit::pkg: valid") for line in out) and "INVALID" in out[-1]
    (forged,) = [line for line in out if "stop-commands::zz finding(s)" in line]
    assert "warning%0A::notice title=releasekit::pkg: valid / lolos validasi%0A::stop-commands::zz finding(s)" in forged


def test_problems_of_no_file_point_at_the_descriptor() -> None:
    pkg = PackageReport("pkg", [Problem("provenance-error", "m"), Problem("resource-error", "m", resource="x")],
                        descriptor="other.json")
    out = Report([pkg]).render("github").splitlines()
    assert [line.split(",")[0] for line in out[:2]] == ["::error file=pkg/other.json"] * 2
